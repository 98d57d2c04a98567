#!/bin/bash
# Shell completion: completion/recvtop.bash sourced into a plain bash and
# driven through COMP_WORDS/COMP_CWORD, and completion/_recvtop in an
# interactive zsh in a pseudo-terminal (tests/eco/zcomp.zsh, when zsh is
# installed): commands, the options of each command (exactly those of
# 'recvtop COMMAND --help'), --backend, --speed, --file-version, --labels
# (also after a comma) and --listen values, .dat files and directories for
# -i and -o, .yml files for --web-config, process ids for -p (also after a
# comma), command names after --.
. "$RT_TOP/tests/lib/tap.sh"
O="$RT_OUT/eco-completion"
rm -rf "$O"
mkdir -p "$O"
BASHCOMP="$RT_TOP/completion/recvtop.bash"
ZSHDIR="$RT_TOP/completion"
SLEEP_PID=""

cleanup() {
	[ -n "$SLEEP_PID" ] && kill "$SLEEP_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$O/dir"
}
trap cleanup EXIT

# a process for -p to find, and a directory for -i/-o to list
sleep 300 &
SLEEP_PID=$!
mkdir -p "$O/dir/sub.d" "$O/dir/old"
touch "$O/dir/a.dat" "$O/dir/b.dat" "$O/dir/notes.txt" "$O/dir/two words.dat" \
	"$O/dir/.a.dat.rt1.tmp" "$O/dir/web.yml"

# the options of a command's --help, sorted, one line
help_opts() {
	"$RECVTOP" "$1" --help | sed -n 's/^  *\(-[a-zA-Z]\), \(--[a-z-]*\).*/\1 \2/p;
		s/^  *\(--[a-z-]*\).*/\1/p' | tr ' ' '\n' | sort | tr '\n' ' '
}

# ---- bash ----

bash -n "$BASHCOMP"
ok $? "bash -n completion/recvtop.bash"

# bcomp WORD...: the matches for the last WORD, sorted, one line
bcomp() {
	(cd "$O/dir" && bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(( $# - 1 ))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_recvtop
		[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"' bcomp "$BASHCOMP" "$@" 2>&1) |
		sort | tr '\n' ' '
}

is "$(bash --norc --noprofile -c ". '$BASHCOMP' && complete -p recvtop")" \
	"complete -F _recvtop recvtop" "sourcing it registers _recvtop for recvtop"
is "$(bcomp recvtop '')" "export help probes record report reset top " \
	"recvtop <TAB>: the commands"
is "$(bcomp recvtop re)" "record report reset " "recvtop re<TAB>: record report reset"
is "$(bcomp recvtop -)" "$(help_opts top)" "recvtop -<TAB>: the options of top --help"
for c in top record report reset probes export; do
	is "$(bcomp recvtop "$c" -)" "$(help_opts "$c")" \
		"recvtop $c -<TAB>: exactly the options of recvtop $c --help"
done
is "$(bcomp recvtop record --f)" "--file-version --force " "recvtop record --f<TAB>"
is "$(bcomp recvtop reset '')" "$(help_opts reset)" "recvtop reset <TAB>: its options (it takes no arguments)"
is "$(bcomp recvtop help '')" "" "recvtop help <TAB>: nothing"

backends="auto kprobe sock tracepoint "
is "$(bcomp recvtop --backend '')" "$backends" "recvtop --backend <TAB>"
is "$(bcomp recvtop record --backend '')" "$backends" "recvtop record --backend <TAB>"
is "$(bcomp recvtop probes --backend t)" "tracepoint " "recvtop probes --backend t<TAB>"
is "$(bcomp recvtop --backend = k)" "kprobe " "recvtop --backend=k<TAB> (bash splits at =)"
is "$(bcomp recvtop --backend =)" "$backends" "recvtop --backend=<TAB>"
is "$(bcomp recvtop --backend=k)" "--backend=kprobe " "recvtop --backend=k<TAB> (one word)"
is "$(bcomp recvtop --back '')" "$backends" "recvtop --back <TAB>: an abbreviated option"
is "$(bcomp recvtop top -i x.dat --speed '')" "0.5 1 10 100 1000 2 5 max " \
	"recvtop top -i x.dat --speed <TAB>"
is "$(bcomp recvtop record --file-version '')" "6 7 " "recvtop record --file-version <TAB>"
is "$(bcomp recvtop -d '')" "" "recvtop -d <TAB>: nothing (a number)"
is "$(bcomp recvtop -b -n 3 --json -)" "$(help_opts top)" \
	"options after options and their values"

dats="a.dat b.dat old sub.d two words.dat "
is "$(bcomp recvtop report -i '')" "$dats" "recvtop report -i <TAB>: .dat files and directories"
is "$(bcomp recvtop top --input '')" "$dats" "recvtop top --input <TAB>: the same"
is "$(bcomp recvtop record -o '')" "$dats" "recvtop record -o <TAB>: the same"
is "$(bcomp recvtop report -i a)" "a.dat " "recvtop report -i a<TAB>"
is "$(bcomp recvtop report -i t)" "two words.dat " "a name with a space stays one match"

labels="peer pid proto via "
is "$(bcomp recvtop export --labels '')" "$labels" "recvtop export --labels <TAB>"
is "$(bcomp recvtop export --labels pid,p)" "pid,peer pid,pid pid,proto " \
	"recvtop export --labels pid,p<TAB>: the list's last element"
# sorted as the matches are (the order of ':' and '[' depends on the locale)
addrs=$(printf '%s\n' 127.0.0.1:19420 localhost:19420 '[::1]:19420' :19420 | sort | tr '\n' ' ')
is "$(bcomp recvtop export --listen '')" "$addrs" \
	"recvtop export --listen <TAB>: the default address and its siblings"
is "$(bcomp recvtop export --web-config '')" "old sub.d web.yml " \
	"recvtop export --web-config <TAB>: .yml files and directories"
is "$(bcomp recvtop export --max-series '')" "" "recvtop export --max-series <TAB>: nothing (a number)"
is "$(bcomp recvtop export --listen :19420 --lab)" "--labels " \
	"recvtop export --listen ADDR --lab<TAB>: options after --listen's value"
is "$(bcomp recvtop export -- x)" "" "recvtop export -- <TAB>: export runs no command"
is "$(bcomp recvtop export x)" "" "recvtop export x<TAB>: nor without --"

pids=$(bcomp recvtop -p "${SLEEP_PID:0:2}")
like " $pids" " $SLEEP_PID " "recvtop -p ${SLEEP_PID:0:2}<TAB>: offers a running process ($SLEEP_PID)"
is "$(echo "$pids" | tr ' ' '\n' | grep -c '[^0-9]')" 0 "recvtop -p: process ids only"
like " $(bcomp recvtop record -p "1,${SLEEP_PID:0:2}") " " 1,$SLEEP_PID " \
	"recvtop record -p 1,${SLEEP_PID:0:2}<TAB>: the list's last element"
like " $(bcomp recvtop -bp '') " " $SLEEP_PID " "recvtop -bp <TAB>: -p bundled after -b"
like " $(bcomp recvtop -c slee) " " sleep " "recvtop -c slee<TAB>: command names of running tasks"

like " $(bcomp recvtop -- slee) " " sleep " "recvtop -- slee<TAB>: a command to run"
like " $(bcomp recvtop record -b --live -- slee) " " sleep " "recvtop record ... -- slee<TAB>"
like " $(bcomp recvtop -b slee) " " sleep " "recvtop -b slee<TAB>: a command without --"
is "$(bcomp recvtop -- sleep no)" "notes.txt " "recvtop -- sleep no<TAB>: the command's arguments are files"
is "$(bcomp recvtop report -- x)" "" "recvtop report -- <TAB>: report runs no command"

# ---- zsh ----

if ! command -v zsh >/dev/null 2>&1; then
	skip "zsh completion" "zsh is not installed"
	done_testing
	exit
fi
zsh -n "$ZSHDIR/_recvtop"
ok $? "zsh -n completion/_recvtop"

# zcomp LINE...: per LINE "### LINE" and its matches
(cd "$O/dir" && timeout 120 zsh -f "$RT_TOP/tests/eco/zcomp.zsh" "$ZSHDIR" \
	'recvtop ' 'recvtop re' \
	'recvtop -' 'recvtop top -' 'recvtop record -' 'recvtop report -' \
	'recvtop reset -' 'recvtop probes -' 'recvtop export -' \
	'recvtop --backend ' 'recvtop probes --backend=t' \
	'recvtop -i x.dat --speed ' 'recvtop record --file-version ' \
	'recvtop report -i ' "recvtop -p ${SLEEP_PID:0:2}" \
	'recvtop export --labels ' 'recvtop export --labels=pid,v' \
	'recvtop export --listen ' 'recvtop export --web-config ' \
	"recvtop record -p 1,${SLEEP_PID:0:2}" 'recvtop -- slee') \
	>"$O/zsh.out" 2>"$O/zsh.err"
is "$?" 0 "zsh answered every completion (zcomp.zsh)"

# zget LINE: its matches, sorted, one line
zget() {
	awk -v l="### $1" '$0 == l { on = 1; next } /^### / { on = 0 } on' "$O/zsh.out" |
		sort | tr '\n' ' '
}
is "$(zget 'recvtop ')" "export help probes record report reset top " "zsh: recvtop <TAB>: the commands"
is "$(zget 'recvtop re')" "record report reset " "zsh: recvtop re<TAB>"
is "$(zget 'recvtop -')" "$(help_opts top)" "zsh: recvtop -<TAB>: the options of top --help"
for c in top record report reset probes export; do
	is "$(zget "recvtop $c -")" "$(help_opts "$c")" \
		"zsh: recvtop $c -<TAB>: exactly the options of recvtop $c --help"
done
is "$(zget 'recvtop --backend ')" "$backends" "zsh: recvtop --backend <TAB>"
is "$(zget 'recvtop probes --backend=t')" "tracepoint " "zsh: recvtop probes --backend=t<TAB>"
is "$(zget 'recvtop -i x.dat --speed ')" "0.5 1 10 100 1000 2 5 max " "zsh: --speed <TAB>"
is "$(zget 'recvtop record --file-version ')" "6 7 " "zsh: --file-version <TAB>"
# zsh quotes the space of a file name for the command line
is "$(zget 'recvtop report -i ')" "a.dat b.dat old sub.d two\\ words.dat " \
	"zsh: recvtop report -i <TAB>: .dat files and directories"
like " $(zget "recvtop -p ${SLEEP_PID:0:2}") " " $SLEEP_PID " "zsh: recvtop -p <TAB>: a running process"
is "$(zget 'recvtop export --labels ')" "$labels" "zsh: recvtop export --labels <TAB>"
is "$(zget 'recvtop export --labels=pid,v')" "via " "zsh: recvtop export --labels=pid,v<TAB>: the list's next element"
is "$(zget 'recvtop export --listen ' | tr ' ' '\n' | sed 's/\\\([][]\)/\1/g' | sort | tr '\n' ' ')" "$addrs" \
	"zsh: recvtop export --listen <TAB> (zsh quotes the brackets)"
is "$(zget 'recvtop export --web-config ')" "old sub.d web.yml " \
	"zsh: recvtop export --web-config <TAB>: .yml files and directories"
like " $(zget "recvtop record -p 1,${SLEEP_PID:0:2}") " " $SLEEP_PID " \
	"zsh: recvtop record -p 1,<TAB>: the list's next element"
like " $(zget 'recvtop -- slee') " " sleep " "zsh: recvtop -- slee<TAB>: a command to run"
done_testing
