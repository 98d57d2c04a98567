#!/bin/sh
# Build the fuzzers (libFuzzer, clang) and the .dat corpus seeder:
#   tests/fuzz/build.sh BUILD_DIR
#     -> BUILD_DIR/fuzz/fuzz_dat   the .dat reader
#        BUILD_DIR/fuzz/fuzz_cli   the command-line parser
#        BUILD_DIR/fuzz/mkseeds    writes the .dat seed corpus
# Rebuilds only what changed.  Exit 77 when clang cannot build fuzzers.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build}/fuzz
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 || exit 77
mkdir -p "$out/obj"
cflags="-std=gnu11 -g -O1 -D_GNU_SOURCE -I$top/include -I$top/tests/unit
	$(pkg-config --cflags libtracefs libtraceevent libtracecmd libzstd libbpf libelf)"
libs="$(pkg-config --libs libtracefs libtraceevent libtracecmd libzstd libbpf libelf) -lm"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# the reader, the parser and what they feed; nothing that needs tracefs
# at run time
srcs="cli file/datfile file/file_source signals core/taskinfo core/table util
	core/pipeline core/decode core/correlate core/conntab core/fdclass core/stats core/hist
	trace/merge
	trace/session trace/probes trace/uprobes"
objs=""
for s in $srcs; do
	o="$out/obj/$(echo "$s" | tr / _).o"
	if [ ! -e "$o" ] || [ "$top/src/$s.c" -nt "$o" ] ||
	   [ -n "$(find "$top/include" -newer "$o" -name '*.h' | head -1)" ]; then
		$CC $cflags $san -fsanitize=fuzzer-no-link -c -o "$o" "$top/src/$s.c"
	fi
	objs="$objs $o"
done

# link OUTPUT EXTRA_FLAGS SOURCE...: when any object or source is newer
link() {
	bin="$out/$1" flags=$2
	shift 2
	if [ ! -e "$bin" ] ||
	   [ -n "$(find $objs "$@" -newer "$bin" | head -1)" ]; then
		$CC $cflags $san $flags -o "$bin" "$@" $objs $libs
	fi
}
link fuzz_dat -fsanitize=fuzzer "$top/tests/fuzz/fuzz_dat.c"
link fuzz_cli -fsanitize=fuzzer "$top/tests/fuzz/fuzz_cli.c"
link mkseeds "" "$top/tests/fuzz/mkseeds.c" "$top/tests/unit/test_dat_common.c"
