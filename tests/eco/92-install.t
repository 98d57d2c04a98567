#!/bin/bash
# make install / make uninstall, with a Makefile that ./configure makes from
# this tree's Makefile.in (in a temp directory: the checkout's Makefile is
# not touched): into a temp DESTDIR with PREFIX=/usr and with configure's
# default prefix, install puts exactly the binary, the four man pages, the
# two completions, recvtop export's systemd unit and Grafana dashboard
# there, with the right modes and contents; man, bash and zsh find them;
# the unit's ExecStart= names the installed binary and systemd-analyze
# verify accepts it; the dashboard is JSON whose queries name only metrics
# that recvtop-export(1) describes and (as root) a live recvtop export
# serves; uninstall leaves no file behind.
. "$RT_TOP/tests/lib/rt.sh"
O="$RT_OUT/eco-install"
rm -rf "$O"
mkdir -p "$O/cfg"
EXP_PID=""
trap '[ -n "$EXP_PID" ] && kill -TERM "$EXP_PID" 2>/dev/null; rm -rf "$O/root" "$O/cfg" "$O/prefix"' EXIT

# the binary install takes, as the Makefile names it (BIN)
case "$RT_BUILD" in
"$RT_TOP/build") build=build bin=recvtop ;;
"$RT_TOP"/*) build=${RT_BUILD#"$RT_TOP"/} bin=$build/recvtop ;;
*) build=$RT_BUILD bin=$RT_BUILD/recvtop ;;
esac
if [ ! -x "$RT_TOP/$bin" ] && [ ! -x "$bin" ]; then
	skip "make install" "no $bin: build it first (make BUILD=$build)"
	done_testing
	exit 0
fi

makefile_sum=$(cksum <"$RT_TOP/Makefile" 2>/dev/null)
(cd "$O/cfg" && sh "$RT_TOP/configure") >"$O/configure.log" 2>&1
ok $? "configure writes a Makefile from Makefile.in (in a temp directory)"
prefix_default=$(sed -n 's/^PREFIX ?= //p' "$O/cfg/Makefile")
is "$prefix_default" /usr/local "configure's default prefix is /usr/local"

# mk TARGET VAR=VALUE...: the tree's make, the binary as it is (-o: not
# rebuilt from sources others may be editing)
mk() {
	make -s -C "$RT_TOP" -f "$O/cfg/Makefile" BUILD="$build" -o "$bin" "$@"
}

# files and symbolic links under the DESTDIR, with their modes
list_files() {
	(cd "$O/root" && find . \( -type f -o -type l \) -printf '%P %m\n' | sort)
}

version=$(sed -n 's/^#define RT_VERSION "\(.*\)"/\1/p' "$RT_TOP/include/recvtop/version.h")

check_prefix() {	# check_prefix PREFIX ZSHDIR MAKE-ARGS...
	local p=$1 zdir=$2 rel
	shift 2
	rel=${p#/}
	rm -rf "$O/root"
	mkdir -p "$O/root"
	mk install DESTDIR="$O/root" "$@" >"$O/install.log" 2>&1
	is "$?" 0 "make install DESTDIR=... ${*:-(default prefix)}: exit 0"
	is "$(list_files)" "$(printf '%s\n' "$rel/bin/recvtop 755" \
		"$rel/lib/systemd/system/recvtop-export.service 644" \
		"$rel/share/bash-completion/completions/recvtop 644" \
		"$rel/share/man/man1/recvtop-export.1 644" \
		"$rel/share/man/man1/recvtop-record.1 644" \
		"$rel/share/man/man1/recvtop-report.1 644" \
		"$rel/share/man/man1/recvtop.1 644" \
		"$rel/share/recvtop/grafana/recvtop.json 644" \
		"$rel/share/$zdir/_recvtop 644" | sort)" \
		"prefix $p: exactly the binary, 4 man pages, 2 completions, the unit, the dashboard (modes 755/644)"
	cmp -s "$O/root/$rel/share/man/man1/recvtop.1" "$RT_TOP/man/recvtop.1" &&
	cmp -s "$O/root/$rel/share/man/man1/recvtop-export.1" "$RT_TOP/man/recvtop-export.1" &&
	cmp -s "$O/root/$rel/share/bash-completion/completions/recvtop" "$RT_TOP/completion/recvtop.bash" &&
	cmp -s "$O/root/$rel/share/$zdir/_recvtop" "$RT_TOP/completion/_recvtop" &&
	cmp -s "$O/root/$rel/share/recvtop/grafana/recvtop.json" "$RT_TOP/contrib/grafana/recvtop.json"
	ok $? "prefix $p: the installed files are the tree's"
	unit="$O/root/$rel/lib/systemd/system/recvtop-export.service"
	is "$(grep '^ExecStart=' "$unit")" "ExecStart=$p/bin/recvtop export" \
		"prefix $p: the unit's ExecStart= names the installed binary"
	sed "s|$p/bin/recvtop|/usr/bin/recvtop|g" "$unit" | cmp -s - "$RT_TOP/contrib/recvtop-export.service"
	ok $? "prefix $p: the unit is the tree's but for the binary's path"
	is "$("$O/root/$rel/bin/recvtop" --version 2>&1)" "recvtop $version" \
		"prefix $p: the installed binary runs (--version)"
	if command -v man >/dev/null 2>&1; then
		is "$(MANPATH="$O/root/$rel/share/man" man -w recvtop-record 2>&1)" \
			"$O/root/$rel/share/man/man1/recvtop-record.1" \
			"prefix $p: man finds recvtop-record(1) under MANPATH"
	fi
	is "$(bash --norc --noprofile -c ". '$O/root/$rel/share/bash-completion/completions/recvtop' && complete -p recvtop" 2>&1)" \
		"complete -F _recvtop recvtop" "prefix $p: the installed bash completion loads"
	if command -v zsh >/dev/null 2>&1; then
		is "$(zsh -f -c "fpath=('$O/root/$rel/share/$zdir' \$fpath); autoload -Uz compinit; compinit -u -D; print -r -- \$_comps[recvtop]" 2>&1)" \
			"_recvtop" "prefix $p: compinit finds _recvtop in $zdir"
	fi
	mk install DESTDIR="$O/root" "$@" >>"$O/install.log" 2>&1
	is "$?" 0 "prefix $p: make install a second time: exit 0"
	mk uninstall DESTDIR="$O/root" "$@" >"$O/uninstall.log" 2>&1
	is "$?" 0 "make uninstall DESTDIR=... ${*:-(default prefix)}: exit 0"
	is "$(list_files)" "" "prefix $p: uninstall leaves no file"
	[ ! -e "$O/root/$rel/share/recvtop" ]
	ok $? "prefix $p: uninstall removes share/recvtop, recvtop's own directory"
	mk uninstall DESTDIR="$O/root" "$@" >>"$O/uninstall.log" 2>&1
	is "$?" 0 "prefix $p: make uninstall of nothing: exit 0"
}

check_prefix /usr zsh/vendor-completions PREFIX=/usr
check_prefix /usr/local zsh/site-functions
check_prefix /opt/recvtop zsh/site-functions PREFIX=/opt/recvtop

# ---- the systemd unit, installed where it can run ----

# without DESTDIR, so that ExecStart= names a binary that exists
rm -rf "$O/prefix"
mk install PREFIX="$O/prefix" >"$O/install-prefix.log" 2>&1
is "$?" 0 "make install PREFIX=(a temp directory): exit 0"
unit="$O/prefix/lib/systemd/system/recvtop-export.service"
exec_bin=$(sed -n 's/^ExecStart=\([^ ]*\) export$/\1/p' "$unit")
is "$exec_bin" "$O/prefix/bin/recvtop" "the unit's ExecStart= runs the installed binary's export"
is "$("$exec_bin" --version 2>&1)" "recvtop $version" "that binary runs (--version)"
if command -v systemd-analyze >/dev/null 2>&1; then
	# the unit's Documentation= man pages from the installed ones
	out=$(MANPATH="$O/prefix/share/man" systemd-analyze verify "$unit" 2>&1)
	is "$?:$out" "0:" "systemd-analyze verify: the installed unit, nothing to say"
	sec=$(systemd-analyze security --offline=yes --man=no "$unit" 2>&1 | tail -n 1)
	if [[ $sec == *"Overall exposure level"* ]]; then
		diag "$sec"
		like "$sec" "Overall exposure level .*: [0-4]\.[0-9] " \
			"systemd-analyze security: exposure below 5 (a root service)"
	else
		skip "systemd-analyze security of the unit" "no --offline (systemd before 250)"
	fi
else
	skip "systemd-analyze verify of the unit" "systemd-analyze is not installed"
fi

# ---- the Grafana dashboard ----

dash="$O/prefix/share/recvtop/grafana/recvtop.json"
python3 -m json.tool "$dash" >/dev/null 2>"$O/dash.err"
is "$?:$(cat "$O/dash.err")" "0:" "the dashboard is JSON (python3 -m json.tool)"
# the metric names its queries use, and the dashboard's shape
python3 - "$dash" >"$O/dash.check" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
bad = []
if d.get("schemaVersion", 0) < 36:
    bad.append("schemaVersion %s < 36" % d.get("schemaVersion"))
var = {v["name"]: v for v in d["templating"]["list"]}
if var.get("datasource", {}).get("type") != "datasource" or \
   var["datasource"].get("query") != "prometheus":
    bad.append("no prometheus datasource variable")
q = var.get("instance", {}).get("query", {})
if "label_values(recvtop_build_info, instance)" not in json.dumps(q):
    bad.append("no instance variable from label_values(recvtop_build_info, instance)")
if not var.get("comm", {}).get("multi"):
    bad.append("no multi-select comm variable")
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
exprs += [json.dumps(v.get("query", "")) for v in d["templating"]["list"]]
names = set()
for e in exprs:
    names |= set(re.findall(r"\brecvtop_[a-z_]+", e))
for b in bad:
    print("BAD", b)
for n in sorted(names):
    print(n)
PY
ok $? "the dashboard's queries parse"
is "$(grep '^BAD' "$O/dash.check")" "" "the dashboard: schemaVersion 36+, datasource, instance and comm variables"
dash_names=$(grep -v '^BAD' "$O/dash.check")
# the names recvtop-export(1) describes
man_names=$(sed -n '/^\.SH METRICS/,/^\.SH /p' "$RT_TOP/man/recvtop-export.1" |
	grep -o 'recvtop_[a-z_]*[a-z]' | sort -u)
missing=$(comm -23 <(echo "$dash_names") <(echo "$man_names") | tr '\n' ' ')
is "$missing" "" "every metric the dashboard queries is in recvtop-export(1) METRICS ($(echo $dash_names | wc -w) names)"

# and a live scrape of the installed binary, as root
if [ "$(id -u)" != 0 ] || [ ! -d /sys/kernel/tracing ]; then
	skip "the dashboard's metrics in a live scrape" "needs root and tracefs"
else
	ensure_tracefs
	port=19447
	"$exec_bin" export --listen "127.0.0.1:$port" --labels peer -d 0.2 \
		>"$O/export.out" 2>"$O/export.err" &
	EXP_PID=$!
	scraped=1
	if rt_wait_started "$EXP_PID"; then
		# a receive with a latency (the scrape itself) and a memory read
		[ -x "$RT_TOOLS/rtmem" ] && "$RT_TOOLS/rtmem" --reads 1 --writes 0 >/dev/null 2>&1
		for _ in $(seq 50); do
			sleep 0.2
			curl -sf "http://127.0.0.1:$port/metrics" -o "$O/export.prom" &&
				grep -q '^recvtop_receive_latency_seconds_bucket' "$O/export.prom" &&
				{ scraped=0; break; }
		done
	fi
	ok $scraped "the installed recvtop export serves a scrape with latencies"
	kill -TERM "$EXP_PID"
	wait "$EXP_PID"
	is "$?" 0 "the installed recvtop export: SIGTERM exits 0"
	check_clean "$EXP_PID" "the installed recvtop export"
	EXP_PID=""
	# the families (# TYPE, histograms with their samples) and the samples
	live_names=$(awk '$1 == "#" && $2 == "TYPE" { print $3
			if ($4 == "histogram") print $3 "_bucket\n" $3 "_sum\n" $3 "_count" }
		$1 !~ /^#/ { sub(/[{ ].*/, "", $1); print $1 }' "$O/export.prom" | sort -u)
	missing=$(comm -23 <(echo "$dash_names") <(echo "$live_names") | tr '\n' ' ')
	is "$missing" "" "every metric the dashboard queries is in a live scrape ($(echo $live_names | wc -w) names there)"
fi
mk uninstall PREFIX="$O/prefix" >>"$O/install-prefix.log" 2>&1
is "$?:$(cd "$O/prefix" && find . -type f | wc -l)" "0:0" "make uninstall PREFIX=(the temp directory): no file left"
is "$(cksum <"$RT_TOP/Makefile" 2>/dev/null)" "$makefile_sum" \
	"the checkout's Makefile is untouched"
done_testing
