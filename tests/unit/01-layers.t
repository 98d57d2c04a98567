#!/bin/bash
# The layout's rule (design.md, Layout): every include runs downward,
#   main -> cmd -> tui -> run -> (file, out) -> core -> signals -> trace -> util
# so no stage knows what is above it.  A header's stage is the folder of the
# .c file that implements it.
. "$RT_TOP/tests/lib/tap.sh"
cd "$RT_TOP" || exit 1

rank() {	# rank STAGE
	case "$1" in
	main) echo 0 ;; cmd) echo 1 ;; tui) echo 2 ;; run) echo 3 ;;
	file|out) echo 4 ;; core) echo 5 ;; signals) echo 6 ;; trace) echo 7 ;;
	*) echo 8 ;;	# cli, util and the headers without a .c
	esac
}

# the stage of a header: where its implementation lives
header_stage() {	# header_stage NAME
	local n=$1 f
	case "$n" in
	tui_*) n=${n#tui_} ;;
	run) n=live_run ;;
	esac
	case "$n" in signals) echo signals; return ;; esac
	for f in src/*/"$n".c; do
		[ -f "$f" ] && { f=${f#src/}; echo "${f%%/*}"; return; }
	done
	echo util
}

bad=""
n=0
for f in src/*.c src/*/*.c; do
	d=${f#src/}
	case "$d" in
	*/*) stage=${d%%/*} ;;
	main.c) stage=main ;;
	signals.c) stage=signals ;;
	*) stage=util ;;
	esac
	r=$(rank "$stage")
	for h in $(sed -n 's/^#include "recvtop\/\([a-z_]*\)\.h"/\1/p' "$f"); do
		n=$((n + 1))
		hs=$(header_stage "$h")
		hr=$(rank "$hs")
		[ "$hr" -lt "$r" ] && bad="$bad $f($stage)->$h.h($hs)"
	done
done
[ -z "$bad" ]
ok $? "all $n includes of src/ run downward through the stages${bad:+: upward:$bad}"
done_testing
