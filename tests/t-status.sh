#!/bin/sh
# t-status.sh - `milter-delist --check` and `--status [--json]` against the
# state files of the real daemon, in each condition: no state file (3),
# daemon running with a rate-limited IP (1), with a blocked IP (2), both
# cleared (0), an unreadable state file (3), a corrupt one (3), the daemon
# stopped (3) or killed (3, its pid gone); the thresholds -w/--critical;
# the check run the way Nagios and Icinga run it: the command line of
# contrib/nagios/milter-delist.cfg after macro expansion; the follower's
# lag in the health file; and state_group: a member of that group (a user
# made here) runs --status and --check without root.

. "${srcdir:-.}/tests/lib/common.sh"
. "${srcdir:-.}/tests/lib/milterd.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
need_cmd python3 miltertest
make_tmpdir
md_init
MAILLOG=$MD_DIR/maillog
PIDFILE=$MD_DIR/run/milter-delist.pid
: >"$MAILLOG"
chmod 644 "$MAILLOG"
MD_CLEAR_AFTER=2s
{
	md_conf_base
	echo "maillog = \"$MAILLOG\""
	echo "pidfile = \"$PIDFILE\""
	# the health file (with the follower's lag) is rewritten every
	# metrics_interval: short here, so the waits below outlast it
	echo 'metrics_interval = "5s"'
	# the deliveries of section 4 name the IP they went out from
	echo 'syslog_names = {"out-10.0.0.1 = 10.0.0.1", "out-10.0.0.2 = 10.0.0.2"}'
	md_alert_conf
} >"$MD_CONF"
chmod 644 "$MD_CONF"
"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null || fail "-t rejects the test config"

# check WANT_CODE PATTERN [ARGS...] - run --check; its exit code and its
# one line (the Monitoring Plugins form) must match
check() {
	want=$1 pat=$2
	shift 2
	out=$("$MILTER_DELIST" --check -c "$MD_CONF" "$@")
	code=$?
	[ "$code" = "$want" ] || fail "--check $*: exit $code, want $want: $out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "--check: more than one line: $out"
	printf '%s\n' "$out" |
		grep -Eq '^MILTER-DELIST (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| ([a-z_]+=[0-9]+[a-zA-Z]*;[0-9]*;[0-9]*;[0-9]*;?[0-9]* ?)+$' ||
		fail "--check: not a plugin line: $out"
	printf '%s\n' "$out" | grep -Eq -- "$pat" || fail "--check: \"$out\" does not match /$pat/"
	ok "--check $* -> $code: $out"
}

# state_has IP STATE - the state file (parsed as strictly as the daemon)
# lists IP in STATE
state_has() {
	python3 "$MD_PY/statefile.py" "$MD_STATE" 2>/dev/null | grep -q " $1 .* $2 "
}

# 1. No state file yet: UNKNOWN.
check 3 'UNKNOWN - no state file'
out=$("$MILTER_DELIST" --status -c "$MD_CONF")
[ $? = 3 ] || fail "--status without a state file: exit $?"
printf '%s\n' "$out" | grep -q "daemon: NOT running" || fail "--status: $out"

# 2. The daemon follows the log; an IP is rate limited: WARNING.  (The
# daemon's pid comes from its health file, <state_file>.health; the
# pidfile is only the fallback.)
md_start
python3 "$MD_PY/maillines.py" ratelimit 1 1 >>"$MAILLOG"
md_wait_event "event=ratelimit ip=10.0.0.1 " 1 20 || fail "no event=ratelimit"
wait_for 20 state_has 10.0.0.1 alerted || fail "10.0.0.1 not alerted in the state file"
check 1 'WARNING - 0 blocked, 0 banned, 1 rate limited: 10.0.0.1 ratelimit by Outlook.com S775 \| blocked=0;;;0 banned=0;;;0 ratelimited=1;;;0 open=1;;;0'
check 0 'OK - 0 blocked, 0 banned, 1 rate limited' -w 2
check 0 'OK' -w 0

# 3. Another IP is blocked: CRITICAL.
python3 "$MD_PY/maillines.py" block 1 2 >>"$MAILLOG"
md_wait_event "event=block ip=10.0.0.2 " 1 20 || fail "no event=block"
wait_for 20 state_has 10.0.0.2 alerted || fail "10.0.0.2 not alerted in the state file"
check 2 'CRITICAL - 1 blocked, 0 banned, 1 rate limited: 10.0.0.1 ratelimit by Outlook.com S775, 10.0.0.2 block by Outlook.com S3150 \| blocked=1;;;0'
check 1 'WARNING' --critical 2
check 0 'OK' --critical 0 -w 0
"$MILTER_DELIST" --check -c "$MD_CONF" -w x >/dev/null 2>&1 && fail "-w x accepted"
ok "-w x refused"

# --status, text and JSON.  The follower's lag reaches the health file
# within a few seconds (the position is polled every 5 s).
wait_for 30 sh -c "'$MILTER_DELIST' --status -c '$MD_CONF' | grep -qF 'log source: $MAILLOG, 0 bytes and 0 s behind'" ||
	fail "--status does not report the maillog's lag: $("$MILTER_DELIST" --status -c "$MD_CONF" | grep -i 'log source')"
out=$("$MILTER_DELIST" --status -c "$MD_CONF")
[ $? = 2 ] || fail "--status exit code, want 2 (as --check)"
for want in "daemon: running, pid $MD_PID, version " "config: $MD_CONF" "health: updated " \
	"log source: $MAILLOG, 0 bytes and 0 s behind" "2 open incidents (1 blocked, 0 banned, 1 rate limited), 0 cleared" \
	"10.0.0.2  Outlook.com  block  S3150  alerted since" "1 message refused, 0 deferred" \
	"recipient domains: hotmail.com" "alert: sent " "last reply: 550 5.7.1 Unfortunately, messages from [10.0.0.2]" \
	"10.0.0.1  Outlook.com  ratelimit  S775  alerted since" "0 messages refused, 1 deferred"; do
	printf '%s\n' "$out" | grep -qF -- "$want" || { printf '%s\n' "$out"; fail "--status lacks \"$want\""; }
done
ok "--status (text) names both incidents, the counts, the alert and the reply"
echo "$out" | sed 's/^/# /'
"$MILTER_DELIST" --status --json -c "$MD_CONF" >"$T/status.json"
python3 - "$T/status.json" "$MD_PID" <<'PY' || fail "--status --json"
import json, re, sys
o = json.load(open(sys.argv[1]))
assert o["status"] == "critical", o["status"]
assert o["daemon"]["running"] is True and o["daemon"]["pid"] == int(sys.argv[2]), o["daemon"]
assert o["counts"] == {"blocked": 1, "banned": 0, "ratelimited": 1, "other": 0,
                       "open": 2, "cleared": 0}, o["counts"]
inc = {i["ip"]: i for i in o["incidents"]}
b = inc["10.0.0.2"]
assert (b["kind"], b["code"], b["state"], b["refused"], b["deferred"], b["domains"]) == \
    ("block", "S3150", "alerted", 1, 0, ["hotmail.com"]), b
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
for k in ("first_seen", "last_seen", "alerted"):
    assert iso.match(b[k]), (k, b[k])
assert b["last_reply"].startswith("550 5.7.1 Unfortunately"), b
assert inc["10.0.0.1"]["kind"] == "ratelimit" and inc["10.0.0.1"]["deferred"] == 1
PY
ok "--status --json: counts, incidents, ISO 8601 times with the offset"

# 4. Mail is accepted again for clear_after: both clear: OK.
python3 "$MD_PY/maillines.py" sent 2 1 0 named >>"$MAILLOG"
md_wait_event "event=cleared " 2 30 || fail "the incidents did not clear"
wait_for 20 sh -c "! python3 '$MD_PY/statefile.py' '$MD_STATE' | grep -q alerted" ||
	fail "the state file still lists alerted incidents"
check 0 'OK - 0 blocked, 0 banned, 0 rate limited \| blocked=0;;;0 banned=0;;;0 ratelimited=0;;;0 open=0;;;0 cleared=2;;;0'
out=$("$MILTER_DELIST" --status -c "$MD_CONF")
printf '%s\n' "$out" | grep -q "cleared " || fail "--status does not show the recent cleared incidents: $out"
ok "--status lists the incidents cleared recently"

# 5. Unreadable and corrupt state files: UNKNOWN.
if [ "$(id -u)" = 0 ]; then
	need_cmd setpriv
	out=$(setpriv --reuid=daemon --regid=daemon --clear-groups \
		"$MILTER_DELIST" --check -c "$MD_CONF")
	code=$?
else
	chmod 000 "$MD_STATE"
	out=$("$MILTER_DELIST" --check -c "$MD_CONF")
	code=$?
	chmod 600 "$MD_STATE"
fi
[ "$code" = 3 ] || fail "unreadable state: exit $code: $out"
printf '%s\n' "$out" | grep -q "UNKNOWN - cannot read the state: .*Permission denied" ||
	fail "unreadable state: $out"
ok "unreadable state file (another user, mode $(stat -c %a "$MD_STATE")) -> 3: $out"

[ -f "$MD_STATE.health" ] || fail "no health file next to the state file"
[ "$(stat -c %a "$MD_STATE.health")" = 640 ] || fail "health file mode $(stat -c %a "$MD_STATE.health")"
md_stop TERM
[ -e "$MD_STATE.health" ] && fail "the health file is left after a clean stop"
ok "the daemon keeps $MD_STATE.health (mode 0640) and removes it at a clean stop"
cp "$MD_STATE" "$T/state.good" # whole after a clean stop (no journal left)
head -c 100 "$T/state.good" >"$MD_STATE"
check 3 'UNKNOWN - cannot read the state: .*'
cp "$T/state.good" "$MD_STATE"

# 6. The daemon stopped (its pidfile removed) or killed (its pid gone).
check 3 'UNKNOWN - daemon not running .* 0 blocked'
md_start
check 0 'OK'
md_stop KILL
[ -f "$PIDFILE" ] || fail "SIGKILL: the pidfile should be left"
check 3 "UNKNOWN - daemon not running \\(pid $MD_PID is gone\\)"

# 7. As Nagios runs it: contrib/nagios/milter-delist.cfg's command line,
# $USER1$ and $ARGn$ expanded, through /bin/sh -c.
md_start
python3 "$MD_PY/maillines.py" block 1 9 >>"$MAILLOG"
md_wait_event "event=block ip=10.0.0.9 " 1 20 || fail "no event=block"
wait_for 20 state_has 10.0.0.9 alerted || fail "10.0.0.9 not in the state file"
line=$(sed -n 's/^[[:space:]]*command_line[[:space:]]*//p' "$srcdir/contrib/nagios/milter-delist.cfg" | head -n 1)
[ -n "$line" ] || fail "no command_line in contrib/nagios/milter-delist.cfg"
bindir=$(dirname "$MILTER_DELIST")
cmd=$(printf '%s\n' "$line" | sed -e "s|/usr/sbin/milter-delist|$MILTER_DELIST|" \
	-e "s|\\\$ARG1\\\$|$MD_CONF|" -e 's|\$ARG2\$|1|' -e 's|\$ARG3\$|1|')
out=$(/bin/sh -c "$cmd")
code=$?
[ "$code" = 2 ] || fail "nagios command line ($cmd): exit $code: $out"
ok "nagios command_line -> $code: $out"

# 8. state_group: a member of that group, neither root nor the daemon's
# user, runs --status and --check.  Without it the state is theirs only.
if [ "$(id -u)" != 0 ]; then
	md_stop TERM
	diag "state_group part skipped: needs root to create a group and a user"
	exit 0
fi
need_cmd setpriv groupadd useradd
G=mdstat$$
U=mdwatch$$
groupadd "$G" || hard_error "groupadd $G"
at_exit "groupdel $G"
useradd -M -N -g "$G" -d / -s /usr/sbin/nologin "$U" || hard_error "useradd $U"
at_exit "userdel $U"
BIN=$(runnable_as "$U" "$MILTER_DELIST") || hard_error "$U cannot run milter-delist"
as_member() {
	setpriv --reuid="$U" --regid="$G" --init-groups -- "$BIN" "$@" -c "$MD_CONF"
}
out=$(as_member --check)
code=$?
[ "$code" = 3 ] && printf '%s\n' "$out" | grep -q 'Permission denied' ||
	fail "without state_group, $U read the state: exit $code: $out"
ok "without state_group, $U cannot: $out"
md_stop TERM
echo "state_group = \"$G\"" >>"$MD_CONF"
md_start
[ "$(stat -c '%a %G' "${MD_STATE%/*}")" = "2750 $G" ] ||
	fail "state directory: $(stat -c '%a %G' "${MD_STATE%/*}"), want 2750 $G"
wait_for 20 test -f "$MD_STATE.health" || fail "no health file"
[ "$(stat -c '%a %G' "$MD_STATE")" = "640 $G" ] ||
	fail "state file: $(stat -c '%a %G' "$MD_STATE"), want 640 $G"
out=$(as_member --status)
code=$?
[ "$code" = 2 ] || fail "$U --status: exit $code: $out"
printf '%s\n' "$out" | grep -q "daemon: running, pid $MD_PID" || fail "$U --status: $out"
printf '%s\n' "$out" | grep -q "^10.0.0.9  Outlook.com  block" || fail "$U --status: $out"
ok "state_group: $U runs --status (exit 2, the daemon running, 10.0.0.9 blocked)"
# A new incident: the save replaces the file, which keeps the group.
python3 "$MD_PY/maillines.py" block 1 10 >>"$MAILLOG"
md_wait_event "event=block ip=10.0.0.10 " 1 20 || fail "no event=block"
wait_for 20 state_has 10.0.0.10 alerted || fail "10.0.0.10 not in the state file"
[ "$(stat -c '%a %G' "$MD_STATE")" = "640 $G" ] ||
	fail "state file after a save: $(stat -c '%a %G' "$MD_STATE"), want 640 $G"
out=$(as_member --check)
code=$?
[ "$code" = 2 ] || fail "$U --check: exit $code: $out"
printf '%s\n' "$out" | grep -q 'CRITICAL - 2 blocked' || fail "$U --check: $out"
ok "state_group: after a save $U runs --check: $out"
md_stop TERM
exit 0
