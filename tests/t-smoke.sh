#!/bin/sh
# t-smoke.sh - start the real daemon on a temporary UNIX socket, drive it
# with miltertest through a bounce and an ordinary message, reload it with
# a good and a bad configuration, refuse a second instance on a live
# socket, stop it with TERM and check the socket is gone.

. "$(dirname "$0")/lib/common.sh"

need_cmd miltertest
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir

SOCK="$T/run/milter.sock"
CONF="$T/milter-delist.conf"
LOG="$T/stderr.log"
LUA="$srcdir/tests/smoke.lua"

if [ "$(id -u)" = 0 ]; then
	RUN_USER=nobody
	OWNER="nobody:$(id -gn nobody)"
else
	RUN_USER=""
	OWNER=""
fi

write_conf() { # LOG_LEVEL
	cat >"$CONF" <<EOF
socket = "unix:$SOCK"
socket_mode = "0660"
socket_owner = "$OWNER"
user = "$RUN_USER"
state_file = "$T/state/state"
log_level = "$1"
EOF
}

started() { # N - the log shows more than N starts and the socket exists
	[ "$(count_in "$LOG" event=start)" -gt "$1" ] && test -S "$SOCK"
}

start_daemon() {
	n=$(count_in "$LOG" event=start)
	"$MILTER_DELIST" -f -c "$CONF" >>"$LOG" 2>&1 &
	PID=$!
	at_exit "kill -9 $PID"
	wait_for 10 started "$n" || {
		cat "$LOG"
		fail "the daemon did not start on $SOCK"
	}
}

stop_daemon() {
	kill -TERM "$PID"
	# libmilter takes a few seconds to notice the stop.
	wait_for 20 pid_gone "$PID" || fail "daemon did not stop after TERM"
	wait "$PID"
	STATUS=$?
}

write_conf info
"$MILTER_DELIST" -t -c "$CONF" >/dev/null || fail "-t rejects the test config"
start_daemon
ok "daemon started, socket $SOCK"
# No maillog configured: said at start, with the fix.
grep 'event=warning what=maillog path=- ' "$LOG" | grep -q 'fix="set maillog to journal ' ||
	{ cat "$LOG"; fail "no event=warning what=maillog for a daemon without a log source"; }
ok "no log source: an event=warning says what is not seen and how to fix it"

mode=$(stat -c %a "$SOCK")
[ "$mode" = 660 ] || fail "socket mode is $mode, want 660"
ok "socket mode 0660"
if [ -n "$OWNER" ]; then
	owner=$(stat -c %U "$SOCK")
	[ "$owner" = nobody ] || fail "socket owner is $owner, want nobody"
	ok "socket owned by nobody"
	user=$(ps -o user= -p "$PID" | tr -d ' ')
	[ "$user" = nobody ] || fail "daemon runs as $user, want nobody"
	ok "privileges dropped to nobody"
fi

miltertest -D socket="unix:$SOCK" -s "$LUA" >"$T/mt1.out" 2>&1 || {
	cat "$T/mt1.out" "$LOG"
	fail "miltertest run 1"
}
grep -q "all replies were continue or accept" "$T/mt1.out" ||
	fail "miltertest did not finish"
ok "miltertest: $(grep -c '^ok' "$T/mt1.out") replies, all continue/accept"

# A second instance on the live socket is refused and leaves it alone.
"$MILTER_DELIST" -f -c "$CONF" >"$T/second.log" 2>&1 &
P2=$!
wait_for 10 pid_gone "$P2" || fail "second instance did not exit"
wait "$P2" && fail "second instance exited 0"
grep -q "another milter is listening" "$T/second.log" ||
	fail "second instance: no clear message ($(cat "$T/second.log"))"
test -S "$SOCK" || fail "second instance removed the live socket"
ok "second instance refused: $(tail -n 1 "$T/second.log")"

# Reload with a good configuration.
write_conf debug
kill -USR1 "$PID"
wait_for 10 grep_file "event=reload" "$LOG" || fail "no reload logged"
ok "USR1 with a good config: reloaded"

# Reload with a bad one: the old configuration stays.
printf 'log_level = "debug"\nno_such_option = 1\n' >"$CONF"
kill -USR1 "$PID"
wait_for 10 grep_file "reload failed" "$LOG" || fail "bad reload not logged"
grep -q "reload failed.*$CONF:2: no such option" "$LOG" ||
	fail "bad reload does not name file and line: $(grep 'reload failed' "$LOG")"
kill -0 "$PID" || fail "daemon died on a bad reload"
ok "USR1 with a bad config: kept the old one ($(grep -o "$CONF:2:.*" "$LOG" | head -n 1))"

miltertest -D socket="unix:$SOCK" -s "$LUA" >"$T/mt2.out" 2>&1 || {
	cat "$T/mt2.out" "$LOG"
	fail "miltertest run 2 (after the reloads)"
}
ok "still answering after the reloads"

stop_daemon
[ "$STATUS" = 0 ] || fail "exit status after TERM: $STATUS"
[ -e "$SOCK" ] && fail "socket still there after TERM"
ok "TERM: clean exit, socket removed"

# A stale socket (nobody listening) is removed at start.
write_conf info
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$SOCK" 2>/dev/null ||
	skip "python3 needed for the stale-socket check"
test -S "$SOCK" || hard_error "could not make a stale socket"
[ -n "$OWNER" ] && chown nobody "$SOCK"
start_daemon
grep -q "removed stale socket" "$LOG" || fail "stale socket not reported"
ok "stale socket removed at start"
kill -HUP "$PID"
wait_for 20 pid_gone "$PID" || fail "daemon did not stop after HUP"
wait "$PID" || fail "exit status after HUP"
[ -e "$SOCK" ] && fail "socket still there after HUP"
ok "HUP: clean exit, socket removed"

# A libmilter that never stops (Debian's worker pool can deadlock at
# stop): smfi_stop() made a no-op by a preloaded shim.  TERM still ends
# the daemon after its grace period, with a warning, the socket removed.
printf 'int smfi_stop(void);\nint smfi_stop(void) { return 0; }\n' >"$T/nostop.c"
if ${CC:-cc} -shared -fPIC -o "$T/nostop.so" "$T/nostop.c" 2>"$T/cc.err"; then
	n=$(count_in "$LOG" event=start)
	LD_PRELOAD="$T/nostop.so" "$MILTER_DELIST" -f -c "$CONF" >>"$LOG" 2>&1 &
	PID=$!
	at_exit "kill -9 $PID"
	wait_for 10 started "$n" || fail "the daemon did not start with the shim"
	t0=$(date +%s)
	kill -TERM "$PID"
	wait_gone 40 "$PID" || fail "the daemon did not stop with a stuck libmilter"
	wait "$PID" || fail "exit status with a stuck libmilter: $?"
	grep -q "libmilter did not stop within" "$LOG" ||
		fail "no warning about the stuck libmilter: $(tail -n 3 "$LOG")"
	[ -e "$SOCK" ] && fail "socket still there after TERM (stuck libmilter)"
	ok "TERM with a libmilter that does not stop: exit after $(($(date +%s) - t0)) s, warned, socket removed"
else
	echo "# no C compiler (${CC:-cc}): the stuck-libmilter case is not run"
fi
exit 0
