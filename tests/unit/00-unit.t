#!/bin/sh
# Unit tests (no root): the sanitized build, then the plain build under
# valgrind for the decoder, merge and file-reading code.
"$RT_BUILD/asan/unit-tests"
rc=$?
if command -v valgrind >/dev/null 2>&1; then
	if valgrind -q --error-exitcode=97 --leak-check=full \
		--errors-for-leak-kinds=definite "$RT_BUILD/obj/unit-tests" \
		>"$RT_OUT/unit-valgrind.log" 2>&1; then
		echo "ok - unit tests clean under valgrind"
	else
		echo "not ok - unit tests clean under valgrind (see $RT_OUT/unit-valgrind.log)"
		tail -30 "$RT_OUT/unit-valgrind.log" | sed 's/^/# /'
		rc=1
	fi
else
	echo "ok - unit tests under valgrind # SKIP valgrind not installed"
fi
exit $rc
