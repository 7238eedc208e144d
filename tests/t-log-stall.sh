#!/bin/sh
# t-log-stall.sh - a log nobody reads never stalls mail.  The daemon runs
# in the foreground at log_level "debug" with its stderr into a pipe of
# one page (4 KiB) whose reader is stopped (SIGSTOP), as when journald is
# stuck.  Then 30 miltertest runs of 50 bounces each (every bounce a
# finding: event=block, distinct IPs) each complete within 20 s, every
# reply continue or accept: the lines go to the daemon's log queue, and
# what does not fit is dropped and counted.  Once the reader runs again,
# the daemon says how many lines it dropped (event=warning what=log
# dropped=N), the findings it kept are in the order they came, and a
# later finding arrives after the warning.  Stopped by SIGTERM with the
# reader stopped again, the daemon still exits (it gives the queue 2 s);
# with the reader running, its event=stop line is written.
# Syslog: the daemon also sends its lines to /dev/log when there is one
# (a reader that reads, on such a system); this test reads only stderr.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

need_cmd miltertest python3 timeout
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
[ -e /dev/log ] || echo "# no /dev/log here: the daemon's syslog goes nowhere"
MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"
{
	MD_LOG_LEVEL=debug md_conf_base
	echo "maillog = \"$MAILLOG\""
	md_alert_conf
} >"$MD_CONF"
chmod 644 "$MD_CONF"

die() {
	echo "--- log (tail)"
	tail -n 30 "$MD_LOG"
	fail "$*"
}

# The reader: copies the pipe into MD_LOG; its pipe is one page.  It
# opens it read-write, so it stays for the next daemon.
mkfifo "$T/errpipe" || hard_error "mkfifo"
python3 - "$T/errpipe" "$MD_LOG" "$T/pipe.size" <<'PY' &
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
size = fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
with open(sys.argv[3], "w") as f:
    f.write("%d\n" % size)
out = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND)
while True:
    b = os.read(fd, 65536)
    if not b:
        break
    os.write(out, b)
PY
READER=$!
at_exit "kill -CONT $READER; kill $READER"
"$MILTER_DELIST" -f -c "$MD_CONF" >"$T/errpipe" 2>&1 &
MD_PID=$!
at_exit "kill -9 $MD_PID"
md_wait_event "event=start " 1 20 || die "the daemon did not start"
wait_for 10 md_listening || die "no milter socket ($MD_SOCKET)"
[ "$(cat "$T/pipe.size")" = 4096 ] || hard_error "the pipe is not one page: $(cat "$T/pipe.size")"

# --- the reader stops: the milter answers all the same
kill -STOP "$READER"
i=0
while [ "$i" -lt 30 ]; do
	timeout 20 miltertest -D socket="$MD_SOCKET" -D count=50 \
		-D first=$((i * 50)) -D ip=seq -s "$MD_BOUNCES" \
		>"$T/mt.out" 2>&1 ||
		{
			kill -CONT "$READER"
			cat "$T/mt.out"
			die "run $i of 50 bounces with the log reader stopped: no answer (miltertest timed out, or 20 s passed)"
		}
	i=$((i + 1))
done
ok "log reader stopped: 1,500 bounces (30 runs of 50) answered, each run within 20 s"

# --- the reader runs again: the drop is said, order kept
kill -CONT "$READER"
md_wait_event "event=warning what=log dropped=" 1 20 ||
	die "no event=warning what=log dropped= line after the reader ran again"
line=$(grep -m 1 "event=warning what=log dropped=" "$MD_LOG")
printf '%s\n' "$line" | grep -Eq 'event=warning what=log dropped=[1-9][0-9]* reason="the log was not read"$' ||
	die "the drop line: $line"
# the findings kept: their bounce indexes (10.a.b.c: index a*65536+b*256+c)
# only grow
python3 - "$MD_LOG" <<'PY' || die "the findings kept are out of order"
import re, sys
last = -1
for l in open(sys.argv[1], errors="replace"):
    m = re.search(r"event=block ip=10\.(\d+)\.(\d+)\.(\d+) ", l)
    if m:
        n = int(m[1]) * 65536 + int(m[2]) * 256 + int(m[3])
        if n <= last:
            sys.exit("%d after %d" % (n, last))
        last = n
PY
miltertest -D socket="$MD_SOCKET" -D first=5000 -D ip=192.0.2.99 -s "$MD_BOUNCES" >"$T/mt.out" 2>&1 ||
	{ cat "$T/mt.out"; die "a bounce after the stall"; }
md_wait_event "event=block ip=192.0.2.99 " 1 20 || die "no finding logged after the stall"
awk '/event=warning what=log dropped=/ && !w { w = NR }
     /event=block ip=192.0.2.99 / { b = NR }
     END { exit !(w && b > w) }' "$MD_LOG" ||
	die "the finding after the stall is not after the drop line"
ok "reader running: \"$line\", the findings kept in order, a later one after it"

# --- stop with the reader stopped: the daemon exits all the same
kill -STOP "$READER"
miltertest -D socket="$MD_SOCKET" -D count=50 -D first=2000 -D ip=seq \
	-s "$MD_BOUNCES" >"$T/mt.out" 2>&1 ||
	{ kill -CONT "$READER"; cat "$T/mt.out"; die "bounces before the stop"; }
kill -TERM "$MD_PID"
wait_gone 30 "$MD_PID" || { kill -CONT "$READER"; die "the daemon did not exit after SIGTERM with the log reader stopped"; }
wait "$MD_PID" 2>/dev/null
kill -CONT "$READER"
ok "SIGTERM with the log reader stopped: the daemon exits"

# --- stop with the reader running: the last lines are written
n0=$(md_count "event=stop ")
"$MILTER_DELIST" -f -c "$MD_CONF" >"$T/errpipe" 2>&1 &
MD_PID=$!
at_exit "kill -9 $MD_PID"
md_wait_event "event=start " 2 20 || die "the daemon did not start again"
wait_for 10 md_listening || die "no milter socket ($MD_SOCKET)"
miltertest -D socket="$MD_SOCKET" -D count=50 -D first=3000 -D ip=seq \
	-s "$MD_BOUNCES" >"$T/mt.out" 2>&1 || { cat "$T/mt.out"; die "bounces before the stop"; }
kill -TERM "$MD_PID"
wait_gone 30 "$MD_PID" || die "the daemon did not exit after SIGTERM"
wait "$MD_PID" 2>/dev/null
md_wait_event "event=stop " $((n0 + 1)) 20 || die "no event=stop line"
ok "SIGTERM with the log reader running: event=stop written"
exit 0
