#!/bin/bash
# The .dat reader under fuzzing, bounded: the kept corpus (dat-corpus/,
# also through the real sanitized `recvtop report`), then FUZZ_SECONDS
# (default 30) of libFuzzer mutations.  Any crash, hang (10 s per input),
# sanitizer report or leak outside the trace libraries fails the suite.
# Needs clang with libFuzzer (skipped otherwise); no root, no tracefs.
. "$RT_TOP/tests/lib/tap.sh"
cd "$RT_TOP" || exit 1
secs=${FUZZ_SECONDS:-30}
out="$RT_OUT/fuzz"
corpus="$RT_TOP/tests/fuzz/dat-corpus"
rm -rf "$out"
mkdir -p "$out/scratch"

tests/fuzz/build.sh "$RT_BUILD" >"$out/build.log" 2>&1
rc=$?
if [ $rc = 77 ]; then
	skip "fuzzing the .dat reader" "clang not installed"
	done_testing
	exit 0
fi
is "$rc" 0 "the fuzzer builds"
[ $rc = 0 ] || { sed 's/^/# /' "$out/build.log" | tail -20; done_testing; exit 1; }
fz="$RT_BUILD/fuzz/fuzz_dat"
export LSAN_OPTIONS="suppressions=$RT_TOP/tests/fuzz/lsan.supp:print_suppressions=0"
n=$(ls "$corpus" | wc -l)
[ "$n" -ge 5 ]
ok $? "the kept corpus has inputs ($n)"

# 1. every kept input, once
"$fz" -runs=0 -timeout=10 -rss_limit_mb=2048 "$corpus" >"$out/corpus.log" 2>&1
rc=$?
is "$rc" 0 "every corpus input runs clean"
[ $rc = 0 ] || grep -E 'ERROR|SUMMARY|deadly|timeout' "$out/corpus.log" | head -5 | sed 's/^/# /'

# 2. the real binary on every kept input: a report or one clear line, exit 2
bad=""
for f in "$corpus"/*; do
	"$RECVTOP" report -i "$f" >/dev/null 2>"$out/report.err"
	rc=$?
	lines=$(wc -l <"$out/report.err")
	if [ $rc = 0 ] && [ "$lines" = 0 ]; then
		continue
	fi
	if [ $rc = 2 ] && [ "$lines" = 1 ] &&
	   grep -q "^recvtop: $f: " "$out/report.err"; then
		continue
	fi
	bad="$bad $(basename "$f"):rc=$rc,lines=$lines"
done
is "$bad" "" "recvtop report on every corpus input: a report, or one line naming the file (exit 2)"

# 3. new inputs for a bounded time
"$fz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$out/" "$out/scratch" "$corpus" \
	>"$out/fuzz.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
is "$rc" 0 "fuzzing for ${secs}s: no crash, hang or sanitizer report ($execs inputs)"
if [ $rc != 0 ]; then
	grep -E 'ERROR|SUMMARY|deadly|timeout|Test unit' "$out/fuzz.log" | head -8 | sed 's/^/# /'
fi
[ "${execs:-0}" -ge 100 ]
ok $? "fuzzing ran a meaningful number of inputs (${execs:-0})"

# 4. inputs that crash the trace libraries: the file source checks the
# metadata in a forked child, which inherits libFuzzer's crash handler and
# leaves crash-* artifacts; recvtop must refuse each with one line
bad=""
nart=0
for f in "$out"/crash-* "$out"/timeout-*; do
	[ -e "$f" ] || continue
	nart=$((nart + 1))
	"$RECVTOP" report -i "$f" >/dev/null 2>"$out/art.err"
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <"$out/art.err")" = 1 ] || bad="$bad $(basename "$f"):rc=$rc"
done
is "$bad" "" "inputs that crash the trace libraries ($nart): recvtop refuses each with one line"
done_testing
