#!/bin/bash
# The TUI's model and tables without a terminal (tests/tui/view_test.c):
# built against the sanitized objects of the build, run under ASan/UBSan.
. "$RT_TOP/tests/lib/tap.sh"
O="$RT_OUT/tui-view"
mkdir -p "$O"
pkgs="libtracefs libtraceevent libtracecmd ncursesw libbpf libelf libzstd"
lib="$RT_BUILD/asan/librecvtop.a"
if [ ! -f "$lib" ]; then
	fail "$lib missing: make BUILD=... check-build first"
	done_testing
	exit 1
fi
# shellcheck disable=SC2086
if ! cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -O1 -g \
	-fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -D_GNU_SOURCE -I"$RT_TOP/include" \
	$(pkg-config --cflags $pkgs) -o "$O/view_test" \
	"$RT_TOP/tests/tui/view_test.c" "$lib" $(pkg-config --libs $pkgs) \
	-lm 2>"$O/build.err"; then
	fail "view_test builds"
	sed 's/^/# /' "$O/build.err"
	done_testing
	exit 1
fi
pass "view_test builds"
"$O/view_test"
ok $? "view_test: every check passed, sanitizers quiet"
done_testing
