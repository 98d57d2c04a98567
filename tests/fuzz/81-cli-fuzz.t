#!/bin/bash
# The command-line parser (cli_parse) under fuzzing, bounded: every input
# of the kept corpus (cli-corpus/: argument lists, NUL-separated), then
# FUZZ_SECONDS (default 20) of libFuzzer mutations with the option
# dictionary (cli.dict).  The target (fuzz_cli.c) also checks the
# parser's promises: a usage error is one line without control
# characters; accepted options are in range.  Any crash, hang (10 s per
# input), broken promise, sanitizer report or leak fails the suite.
# Needs clang with libFuzzer (skipped otherwise); no root, no tracefs.
. "$RT_TOP/tests/lib/tap.sh"
cd "$RT_TOP" || exit 1
secs=${FUZZ_SECONDS:-20}
out="$RT_OUT/fuzz-cli"
corpus="$RT_TOP/tests/fuzz/cli-corpus"
rm -rf "$out"
mkdir -p "$out/scratch"

tests/fuzz/build.sh "$RT_BUILD" >"$out/build.log" 2>&1
rc=$?
if [ $rc = 77 ]; then
	skip "fuzzing the command-line parser" "clang not installed"
	done_testing
	exit 0
fi
is "$rc" 0 "the command-line fuzzer builds"
[ $rc = 0 ] || { sed 's/^/# /' "$out/build.log" | tail -20; done_testing; exit 1; }
fz="$RT_BUILD/fuzz/fuzz_cli"
# a small quarantine: the machine is shared, and leaks are still found
export ASAN_OPTIONS="quarantine_size_mb=16:${ASAN_OPTIONS:-}"
n=$(ls "$corpus" | wc -l)
[ "$n" -ge 20 ]
ok $? "the kept corpus has inputs ($n)"

"$fz" -runs=0 -timeout=10 "$corpus" >"$out/corpus.log" 2>&1
rc=$?
is "$rc" 0 "every corpus input runs clean"
[ $rc = 0 ] || grep -E 'ERROR|SUMMARY|deadly|timeout' "$out/corpus.log" | head -5 | sed 's/^/# /'

"$fz" -max_total_time="$secs" -timeout=10 -max_len=4096 -print_final_stats=1 \
	-dict="$RT_TOP/tests/fuzz/cli.dict" -artifact_prefix="$out/" \
	"$out/scratch" "$corpus" >"$out/fuzz.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
is "$rc" 0 "fuzzing for ${secs}s: no crash, hang, broken promise or sanitizer report ($execs inputs)"
if [ $rc != 0 ]; then
	grep -E 'ERROR|SUMMARY|deadly|timeout|Test unit' "$out/fuzz.log" | head -8 | sed 's/^/# /'
	for f in "$out"/crash-* "$out"/leak-* "$out"/timeout-*; do
		[ -e "$f" ] && diag "$(basename "$f"): $(tr '\0' ' ' <"$f" | head -c 200)"
	done
fi
[ "${execs:-0}" -ge 1000 ]
ok $? "fuzzing ran a meaningful number of inputs (${execs:-0})"
done_testing
