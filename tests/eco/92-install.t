#!/bin/bash
# make install / make uninstall, with a Makefile that ./configure makes from
# this tree's Makefile.in (in a temp directory: the checkout's Makefile is
# not touched): into a temp DESTDIR with PREFIX=/usr and with configure's
# default prefix, install puts exactly the binary, the three man pages and
# the two completions there, with the right modes and contents; man, bash
# and zsh find them; uninstall leaves no file behind.
. "$RT_TOP/tests/lib/tap.sh"
O="$RT_OUT/eco-install"
rm -rf "$O"
mkdir -p "$O/cfg"
trap 'rm -rf "$O/root" "$O/cfg"' EXIT

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
	is "$(list_files)" "$rel/bin/recvtop 755
$rel/share/bash-completion/completions/recvtop 644
$rel/share/man/man1/recvtop-record.1 644
$rel/share/man/man1/recvtop-report.1 644
$rel/share/man/man1/recvtop.1 644
$rel/share/$zdir/_recvtop 644" "prefix $p: exactly the binary, 3 man pages, 2 completions (modes 755/644)"
	cmp -s "$O/root/$rel/share/man/man1/recvtop.1" "$RT_TOP/man/recvtop.1" &&
	cmp -s "$O/root/$rel/share/bash-completion/completions/recvtop" "$RT_TOP/completion/recvtop.bash" &&
	cmp -s "$O/root/$rel/share/$zdir/_recvtop" "$RT_TOP/completion/_recvtop"
	ok $? "prefix $p: the installed files are the tree's"
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
	mk uninstall DESTDIR="$O/root" "$@" >>"$O/uninstall.log" 2>&1
	is "$?" 0 "prefix $p: make uninstall of nothing: exit 0"
}

check_prefix /usr zsh/vendor-completions PREFIX=/usr
check_prefix /usr/local zsh/site-functions
check_prefix /opt/recvtop zsh/site-functions PREFIX=/opt/recvtop
is "$(cksum <"$RT_TOP/Makefile" 2>/dev/null)" "$makefile_sum" \
	"the checkout's Makefile is untouched"
done_testing
