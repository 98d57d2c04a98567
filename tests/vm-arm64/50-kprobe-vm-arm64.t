#!/bin/bash
# The AArch64 VM tier: this tree cross-built for arm64 and booted on
# Debian's arm64 6.1 and 6.12 kernels under qemu-system-aarch64 (virt
# machine, TCG), with the x86-64 tier's guest script and checks
# (tests/vm/tier.sh, guest-init.sh, vmcheck.py).
VM_ARCH=aarch64
. "$RT_TOP/tests/vm/tier.sh"
