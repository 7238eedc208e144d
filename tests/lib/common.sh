# common.sh - helpers shared by the shell tests (POSIX sh; source it)
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

: "${srcdir:=$(dirname "$0")}"
: "${MILTER_DELIST:=../milter/milter-delist}"

# skip REASON - print why and exit 77
skip() {
	echo "SKIP: $*"
	exit 77
}

# fail MESSAGE - print and exit 1
fail() {
	echo "FAIL: $*"
	exit 1
}

# hard_error MESSAGE - the test itself could not run (99)
hard_error() {
	echo "ERROR: $*"
	exit 99
}

# ok MESSAGE - one passed check
ok() {
	echo "ok   $*"
}

# need_cmd CMD... - skip unless every command exists
need_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

# need_root - skip unless root
need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# make_tmpdir - $T: a fresh directory removed at exit (with cleanup hook)
make_tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/milter-delist-test.XXXXXX") ||
		hard_error "mktemp failed"
	chmod 755 "$T"
	trap 'common_exit' EXIT
	trap 'exit 1' INT TERM HUP
}

# cleanup hooks run at exit; tests add theirs with at_exit
COMMON_AT_EXIT=""
at_exit() {
	COMMON_AT_EXIT="$*; $COMMON_AT_EXIT"
}

common_exit() {
	status=$?
	eval "$COMMON_AT_EXIT" >/dev/null 2>&1
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ "$status" = 0 ] || [ "$status" = 77 ] || [ -z "${KEEP_TMP:-}" ]; then
			rm -rf "$T"
		else
			echo "kept $T"
		fi
	fi
	exit "$status"
}

# wait_for SECONDS COMMAND... - poll every 0.1 s until COMMAND succeeds
wait_for() {
	wf_n=$(($1 * 10))
	shift
	while [ "$wf_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		wf_n=$((wf_n - 1))
	done
	return 1
}

# grep_file PATTERN FILE - fixed-string grep, quiet
grep_file() {
	grep -F -q -- "$1" "$2" 2>/dev/null
}

# count_in FILE PATTERN - number of lines of FILE containing PATTERN
count_in() {
	ci_n=$(grep -F -c -- "$2" "$1" 2>/dev/null)
	echo "${ci_n:-0}"
}

# pid_gone PID - true when the process has exited
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}
