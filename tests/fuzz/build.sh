#!/bin/sh
# Build the .dat reader fuzzer (libFuzzer, clang) and the corpus seeder.
#   tests/fuzz/build.sh BUILD_DIR   -> BUILD_DIR/fuzz/fuzz_dat, mkseeds
# Rebuilds only what changed.  Exit 77 when clang cannot build fuzzers.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build}/fuzz
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 || exit 77
mkdir -p "$out/obj"
cflags="-std=gnu11 -g -O1 -D_GNU_SOURCE -I$top/include -I$top/tests/unit
	$(pkg-config --cflags libtracefs libtraceevent libtracecmd libzstd libbpf)"
libs="$(pkg-config --libs libtracefs libtraceevent libtracecmd libzstd libbpf) -lm"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# the reader and what it feeds; nothing that needs tracefs at run time
srcs="datfile file_source taskinfo table util pipeline decode correlate
	stats hist merge session probes"
objs=""
for s in $srcs; do
	o="$out/obj/$s.o"
	if [ ! -e "$o" ] || [ "$top/src/$s.c" -nt "$o" ] ||
	   [ -n "$(find "$top/include" -newer "$o" -name '*.h' | head -1)" ]; then
		$CC $cflags $san -fsanitize=fuzzer-no-link -c -o "$o" "$top/src/$s.c"
	fi
	objs="$objs $o"
done
if [ ! -e "$out/fuzz_dat" ] || [ -n "$(find $objs "$top/tests/fuzz/fuzz_dat.c" \
		-newer "$out/fuzz_dat" | head -1)" ]; then
	$CC $cflags $san -fsanitize=fuzzer -o "$out/fuzz_dat" \
		"$top/tests/fuzz/fuzz_dat.c" $objs $libs
fi
if [ ! -e "$out/mkseeds" ] || [ -n "$(find $objs "$top/tests/fuzz/mkseeds.c" \
		"$top/tests/unit/test_dat_common.c" -newer "$out/mkseeds" | head -1)" ]; then
	$CC $cflags $san -o "$out/mkseeds" "$top/tests/fuzz/mkseeds.c" \
		"$top/tests/unit/test_dat_common.c" $objs $libs
fi
