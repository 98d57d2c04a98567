# TAP-style helpers for the shell suites.  Source it; call done_testing last.
_tap_n=0
_tap_fail=0

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION
	local st=$1
	shift
	_tap_n=$((_tap_n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_fail=$((_tap_fail + 1))
	fi
}

pass() { ok 0 "$@"; }
fail() { ok 1 "$@"; }

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

is() {	# is GOT WANT DESCRIPTION
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$*"
	else
		ok 1 "$* (got '$got', want '$want')"
	fi
}

like() {	# like TEXT REGEX DESCRIPTION
	local text=$1 re=$2
	shift 2
	if printf '%s' "$text" | grep -Eq -- "$re"; then
		ok 0 "$*"
	else
		ok 1 "$* ('$(printf '%s' "$text" | head -c 300)' does not match /$re/)"
	fi
}

diag() { echo "# $*"; }

done_testing() {
	echo "# $_tap_n tests, $_tap_fail failed"
	[ "$_tap_fail" = 0 ]
}
