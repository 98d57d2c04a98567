#!/bin/bash
# The x86-64 VM tier: Debian's amd64 6.1 and 6.12 kernels under
# qemu-system-x86_64 (the body, shared with tests/vm-arm64, is
# tests/vm/tier.sh; its environment is described there).
VM_ARCH=x86_64
. "$RT_TOP/tests/vm/tier.sh"
