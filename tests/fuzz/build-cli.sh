#!/bin/sh
# Build the command-line parser fuzzer (libFuzzer, clang):
#   tests/fuzz/build-cli.sh BUILD_DIR   -> BUILD_DIR/fuzz/fuzz_cli
# Rebuilds only what changed.  Exit 77 when clang cannot build fuzzers.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build}/fuzz
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 || exit 77
mkdir -p "$out/cli-obj"
cflags="-std=gnu11 -g -O1 -D_GNU_SOURCE -I$top/include
	$(pkg-config --cflags libtracefs libtraceevent libbpf)"
libs="$(pkg-config --libs libtracefs libtraceevent libbpf) -lm"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# the parser and the little it calls (rt_backend_parse, rt_err)
objs=""
for s in cli probes util; do
	o="$out/cli-obj/$s.o"
	if [ ! -e "$o" ] || [ "$top/src/$s.c" -nt "$o" ] ||
	   [ -n "$(find "$top/include" -newer "$o" -name '*.h' | head -1)" ]; then
		$CC $cflags $san -fsanitize=fuzzer-no-link -c -o "$o" "$top/src/$s.c"
	fi
	objs="$objs $o"
done
if [ ! -e "$out/fuzz_cli" ] || [ -n "$(find $objs "$top/tests/fuzz/fuzz_cli.c" \
		-newer "$out/fuzz_cli" | head -1)" ]; then
	$CC $cflags $san -fsanitize=fuzzer -o "$out/fuzz_cli" \
		"$top/tests/fuzz/fuzz_cli.c" $objs $libs
fi
