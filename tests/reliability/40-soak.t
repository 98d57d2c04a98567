#!/bin/bash
# Soak, the CI version: one minute (RT_SOAK_SECONDS) of the fastest
# generator traced in batch mode by the plain -O2 recvtop (ASan's
# quarantine would hide what the allocator really keeps), through
# bench/soak/run.sh (the 10-minute run is that script by hand, numbers in
# bench/soak/README.md).  Samples every 2 s; after a 20 s warm-up:
#   - VmRSS flat: max - min <= RT_SOAK_RSS_KB (default 1024 kB)
#   - open descriptors constant
#   - the counts add up (exact without losses; else the missing calls
#     match the lost events)
. "$RT_TOP/tests/lib/rt.sh"
need_root "soak"
ensure_tracefs
O="$RT_OUT/rel-soak"
rm -rf "$O"
mkdir -p "$O"
secs=${RT_SOAK_SECONDS:-60}
bound=${RT_SOAK_RSS_KB:-1024}
trap cleanup_all EXIT

RECVTOP="$RECVTOP_PLAIN" "$RT_TOP/bench/soak/run.sh" -n -b "$RT_BUILD" \
	-s "$secs" -i 2 -w 20 -r "$bound" -o "$O" >"$O/run.out" 2>"$O/run.err"
rc=$?
sed 's/^/# /' "$O/run.out"
sum=$(cat "$O/summary.txt" 2>/dev/null)
like "$sum" "recvtop exit status 0" "soak ${secs}s: recvtop exits 0"
like "$sum" "rss_kb after warm-up: min [0-9]+ max [0-9]+ \(max - min [0-9]+, bound $bound\)" \
	"soak: memory sampled after the warm-up"
d=$(sed -n 's/.*(max - min \([0-9]*\),.*/\1/p' "$O/summary.txt")
[ -n "$d" ] && [ "$d" -le "$bound" ]
ok $? "soak: resident memory flat after the warm-up (max - min ${d:-?} kB <= $bound kB)"
f=$(sed -n 's/^fds after warm-up: min \([0-9]*\) max \([0-9]*\)$/\1 \2/p' "$O/summary.txt")
[ -n "$f" ] && [ "${f% *}" = "${f#* }" ]
ok $? "soak: open descriptors constant after the warm-up (min max: ${f:-?})"
like "$sum" "counts (exact|consistent with the lost events)" \
	"soak: the counts add up"
is "$rc" 0 "soak: bench/soak/run.sh verdict ok"
done_testing
