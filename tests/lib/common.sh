# common.sh - helpers shared by the shell tests (POSIX sh; source it)
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

#
# The one prologue of every tests/*.sh, first line after the comment:
#
#   . "$(dirname "$0")/lib/common.sh"
#
# sets $here (the tests directory, for the other libraries: . "$here/lib/
# postfix.sh"), $srcdir (the top source directory, as automake's), and
# $MILTER_DELIST (the daemon; make check passes the built one), and gives
# skip/fail/hard_error/ok, diag (what a test shows when it fails: define
# your own after this line) and die (diag, then fail).
case $0 in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
: "${srcdir:=$here/..}"
: "${MILTER_DELIST:=$here/../milter/milter-delist}"

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

# diag - what to show before a failure; tests define their own
diag() {
	:
}

# die MESSAGE - diag, then fail
die() {
	diag
	fail "$*"
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

# runnable_as USER FILE - print FILE, or when USER cannot execute it (a
# clone under root's home, mode 0700) a copy of it in $T/bin that USER
# can; on failure say why on stderr and return 1
runnable_as() {
	ra_run="setpriv --reuid=$1 --regid=$(id -g "$1") --clear-groups --"
	if $ra_run test -x "$2" 2>/dev/null; then
		echo "$2"
		return 0
	fi
	ra_copy=$T/bin/${2##*/}
	mkdir -p "$T/bin" && chmod 755 "$T/bin" && cp "$2" "$ra_copy" &&
		chmod 755 "$ra_copy" || return 1
	if ! $ra_run test -x "$ra_copy" 2>/dev/null; then
		echo "$1 can execute neither $2 nor a copy in $T (TMPDIR?)" >&2
		return 1
	fi
	echo "$ra_copy"
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

# log_mark FILE - the current length of FILE (lines), to match only what
# is appended afterwards: log_count FILE ERE MARK, wait_log ... MARK
log_mark() {
	wc -l <"$1" | tr -d ' '
}

# log_count FILE ERE [MARK] - lines of FILE (after line MARK) matching ERE
log_count() {
	tail -n +"$((${3:-0} + 1))" "$1" | grep -E -c -- "$2"
}

# wait_log FILE ERE N TIMEOUT MARK WHO - wait until FILE has at least N
# lines matching ERE after line MARK and print the Nth; after TIMEOUT
# seconds say so (as WHO), show the tail of FILE and return 1
wait_log() {
	wl_deadline=$(($(date +%s) + $4))
	while :; do
		wl_c=$(log_count "$1" "$2" "$5")
		if [ "$wl_c" -ge "$3" ]; then
			tail -n +"$(($5 + 1))" "$1" | grep -E -m "$3" -- "$2" | tail -n 1
			return 0
		fi
		if [ "$(date +%s)" -ge "$wl_deadline" ]; then
			echo "$6: timeout after $4 s waiting for $3 line(s) matching: $2 (have $wl_c); tail of $1:" >&2
			tail -n 15 "$1" >&2
			return 1
		fi
		sleep 0.1
	done
}

# wait_count N TIMEOUT WHAT COMMAND... - wait until COMMAND prints a
# number of at least N; after TIMEOUT seconds say so (WHAT: what it
# counts) and return 1
wait_count() {
	wc_n=$1
	wc_t=$2
	wc_what=$3
	shift 3
	wc_deadline=$(($(date +%s) + wc_t))
	until [ "$("$@")" -ge "$wc_n" ]; do
		if [ "$(date +%s)" -ge "$wc_deadline" ]; then
			echo "$wc_what: $("$@"), wanted $wc_n within $wc_t s" >&2
			return 1
		fi
		sleep 0.1
	done
}

# ere_quote STRING - STRING as an ERE matching itself
ere_quote() {
	printf '%s\n' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'
}

# submit_message SENDMAIL HOST FROM TO [SUBJECT [BODY]] - pipe a small
# message with a unique Message-ID (at HOST) to SENDMAIL (a command taking
# sendmail's options); print that Message-ID, without <>
submit_message() {
	sbm_cmd=$1
	sbm_mid="$(date +%Y%m%d%H%M%S.%N).$$@$2"
	shift 2
	{
		printf 'From: <%s>\nTo: <%s>\nSubject: %s\n' "$1" "$2" "${3:-test $sbm_mid}"
		printf 'Message-ID: <%s>\nDate: %s\n\n' "$sbm_mid" "$(date -R)"
		printf '%s\n' "${4:-test message $sbm_mid}"
	} | "$sbm_cmd" -oi -f "$1" -- "$2" || return 1
	echo "$sbm_mid"
}

# maildir_files DIR - the messages of maildir DIR (new/, then cur/),
# oldest first in each
maildir_files() {
	for mdf_sub in new cur; do
		# shellcheck disable=SC2012
		[ -d "$1/$mdf_sub" ] && ls -tr "$1/$mdf_sub" | sed "s|^|$1/$mdf_sub/|"
	done
	return 0
}

# maildir_grep DIR FIXED-STRING - the messages of maildir DIR containing it
maildir_grep() {
	maildir_files "$1" | while read -r mdf_f; do
		grep -F -l -- "$2" "$mdf_f"
	done
}

# pid_gone PID - true when the process has exited
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# wait_gone SECONDS PID - wait until PID has exited; when it has not, show
# on stderr what its threads are doing (proc_dump) and return 1
wait_gone() {
	wait_for "$1" pid_gone "$2" && return 0
	echo "# pid $2 is still there after $1 s:" >&2
	proc_dump "$2" >&2
	return 1
}

# proc_dump PID - state and kernel wait channel of each thread of PID and,
# with gdb installed, their stacks: why a process does not exit
proc_dump() {
	grep -E '^(Name|State|Threads):' "/proc/$1/status" 2>/dev/null
	for pd_t in /proc/"$1"/task/*; do
		[ -d "$pd_t" ] || continue
		echo "thread ${pd_t##*/} $(cat "$pd_t/comm" 2>/dev/null):" \
			"state $(cut -d' ' -f3 "$pd_t/stat" 2>/dev/null)" \
			"wchan $(cat "$pd_t/wchan" 2>/dev/null)"
	done
	if command -v gdb >/dev/null 2>&1; then
		timeout 60 gdb -batch -p "$1" -ex 'thread apply all bt' 2>&1 |
			grep -E '^(Thread |#[0-9])' | head -n 300
	fi
}
