#!/bin/sh
# t-storm.sh - alert storms and bounds, through the real daemon.
#
# 1. 10,000 bounces naming one IP (miltertest, 1000 per connection, an
#    ordinary message after each 1000) and 10,000 log lines naming another
#    (appended to the followed maillog) -> one event=block line and exactly
#    one alert mail each; the incidents counted all 10,000.
# 2. max_incidents = 1000 and the oldest cleared incidents go first: 20 old
#    Microsoft 365 bans stay open; 20 newer consumer blocks are cleared by a
#    status=sent line; the store is filled to 1000 and 10 more arrive ->
#    exactly the 10 oldest cleared ones (lowest ids) were evicted, none of
#    the older but open bans.
# 3. 100,000 distinct IPs in the maillog -> the state file, read every
#    10 ms while they stream in, never holds more than 1000 incidents and
#    always parses; at the end it holds exactly the newest 1000; the
#    daemon's peak RSS (VmHWM) stays under 64 MiB and grows by less than
#    16 MiB over the 100,000 (see below).
# 4. Alert mail failing: sendmail missing, then exiting 75, then hanging
#    past alert.timeout (switched with SIGUSR1 reloads) -> each attempt
#    logged once as event=alert-failed with its reason and a growing
#    retry_in; the milter answers continue/accept throughout (miltertest
#    transactions while sendmail hangs); once sendmail works again the
#    alert goes out exactly once.
# All log lines of the daemon are then checked: one line each, key=value.
#
# The memory bounds: the daemon starts at about 6 MiB; 1000 incidents
# take at most about 1000 * 9 KiB (struct incident with its domains, queue
# ids, codes, and 3 samples of at most 2 KiB) = 9 MiB; the alert buffer is
# capped at 4 MiB.  64 MiB is several times that, yet a leak of a few
# hundred bytes per finding (100,000 of them) or keeping evicted incidents
# would cross 16 MiB of growth.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
. "$here/lib/milterd.sh"

need_cmd miltertest python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
md_syslog cheap || echo "# the daemon's syslog goes to the system's (if any); its stderr is checked"
t0=$(date +%s)
LINES="python3 $MD_PY/maillines.py"
STATEPY=$MD_PY/statefile.py
MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"

# okt MESSAGE - ok, with the seconds since the start
okt() {
	ok "$* [$(($(date +%s) - t0)) s]"
}
die() {
	echo "--- log (tail)"
	tail -n 30 "$MD_LOG"
	fail "$*"
}

# incidents - the state file, one incident per line (statefile.py)
incidents() {
	python3 "$STATEPY" "$MD_STATE"
}
# has_incident IP - the state file has an incident for IP
has_incident() {
	python3 "$STATEPY" "$MD_STATE" | grep -q " $1 "
}
# ip_of N - the IP of maillines.py's line N
ip_of() {
	$LINES block 1 "$1" | sed 's/.*from \[\([0-9.]*\)\].*/\1/'
}

# syslog_names of the IPs part 2 clears: several outbound IPs, so a
# delivery clears an IP's incident only under the syslog name of a
# transport that binds that IP (maillines.py ... named)
names_conf() {
	printf 'syslog_names = {"out-192.0.2.1 = 192.0.2.1", "out-10.254.1.1 = 10.254.1.1"'
	for i in $(seq 2000000 2000019); do
		printf ', "out-%s = %s"' "$(ip_of $i)" "$(ip_of $i)"
	done
	printf '}\n'
}

write_conf() { # SENDMAIL
	{
		md_conf_base
		[ -n "$MAILLOG" ] && echo "maillog = \"$MAILLOG\""
		echo "max_incidents = 1000"
		names_conf
		md_alert_conf "$1"
	} >"$MD_CONF"
}

MD_CLEAR_AFTER=1s
write_conf
"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null || die "the test configuration does not check"
md_start
wait_for 10 grep_file "following $MAILLOG" "$MD_LOG" || die "not following $MAILLOG"

# --- 1. 10,000 bounces for one IP, 10,000 log lines for another -----------
md_bounces -D count=10000 -D perconn=1000 -D ip=192.0.2.1 -D ordinary=yes \
	>"$T/mt1.out" 2>&1 || { cat "$T/mt1.out"; die "miltertest: 10,000 bounces"; }
$LINES block 10000 16646401 0 same >>"$MAILLOG"	# 10.254.1.1
md_wait_event "event=alert-sent ip=192.0.2.1 " 1 60 || die "no alert for 192.0.2.1"
md_wait_event "event=alert-sent ip=10.254.1.1 " 1 60 || die "no alert for 10.254.1.1"
wait_for 60 sh -c "python3 '$STATEPY' '$MD_STATE' | grep -q '^2 10.254.1.1 '" ||
	die "10.254.1.1 is not incident 2"
# A second alert, if one were owed, would follow at once: give it time.
sleep 2
for ip in 192.0.2.1 10.254.1.1; do
	n=$(md_count "event=block ip=$ip ")
	[ "$n" = 1 ] || die "$n event=block lines for $ip, want 1"
	n=$(md_alerts "[milter-delist] $ip blocked by Outlook.com")
	[ "$n" = 1 ] || die "$n alert mails for $ip, want 1"
done
[ "$(md_mail_count)" = 2 ] || die "$(md_mail_count) mails after part 1, want 2"
for f in "$MD_MAILDIR"/*.args; do
	[ "$(tr '\n' ' ' <"$f")" = "-oi -t -f milter-delist@example.org " ] ||
		die "sendmail was run with: $(tr '\n' ' ' <"$f")"
done
c1=$(incidents | awk '$2 == "192.0.2.1" { print $7 }')
c2=$(incidents | awk '$2 == "10.254.1.1" { print $7 }')
[ "$c1" = 10000 ] && [ "$c2" = 10000 ] ||
	die "incident counts $c1 and $c2, want 10000 each"
okt "10,000 bounces (milter) and 10,000 log lines for one IP each: 1 event=block, 1 alert mail (sendmail -oi -t -f milter-delist@example.org), count=10000 each"

# --- 2. the cap, and the oldest cleared incidents go first ----------------
$LINES ban 20 1000000 3600 >>"$MAILLOG"		# O: open, oldest
$LINES block 20 2000000 1800 >>"$MAILLOG"	# C: to be cleared
wait_for 30 sh -c "[ \$(python3 '$STATEPY' '$MD_STATE' | wc -l) -ge 42 ]" ||
	die "the 40 incidents did not arrive"
# consumer mail accepted from each IP of C and part 1: they clear
{
	$LINES sent 20 2000000 0 named
	$LINES sent 1 16646401 0 named
	$LINES sent 1 0 0 named | sed 's/out-10\.0\.0\.0/out-192.0.2.1/'
} >>"$MAILLOG"
wait_for 30 sh -c "[ \$(python3 '$STATEPY' '$MD_STATE' | grep -c ' cleared ') -ge 22 ]" ||
	{ incidents | tail -n 5; die "the consumer incidents did not clear"; }
incidents >"$T/before.txt"
[ "$(wc -l <"$T/before.txt")" = 42 ] || die "$(wc -l <"$T/before.txt") incidents, want 42"
[ "$(grep -c ' cleared ' "$T/before.txt")" = 22 ] || die "not 22 cleared incidents"
grep ' microsoft-365 ' "$T/before.txt" | grep -q ' cleared ' &&
	die "a Microsoft 365 ban was cleared by consumer mail"
fill=$((1000 - 42))
$LINES block $((fill + 10)) 2100000 >>"$MAILLOG"	# F: fill, then 10 more
lastfill=$(ip_of $((2100000 + fill + 9)))
wait_for 60 has_incident "$lastfill" || die "the fill did not arrive"
incidents >"$T/after.txt"
[ "$(wc -l <"$T/after.txt")" = 1000 ] || die "$(wc -l <"$T/after.txt") incidents, want 1000"
cut -d ' ' -f 1,2 "$T/before.txt" | sort >"$T/b"
cut -d ' ' -f 1,2 "$T/after.txt" | sort >"$T/a"
comm -23 "$T/b" "$T/a" | sort -n >"$T/evicted"
grep ' cleared ' "$T/before.txt" | sort -k6,6n -k1,1n | head -n 10 |
	cut -d ' ' -f 1,2 | sort -n >"$T/want"
cmp -s "$T/evicted" "$T/want" || {
	echo "evicted:"; cat "$T/evicted"; echo "want:"; cat "$T/want"
	die "not the 10 oldest cleared incidents were evicted"
}
grep -c ' microsoft-365 ' "$T/after.txt" | grep -qx 20 || die "an open ban was evicted"
okt "max_incidents 1000: 10 over the cap evicted exactly the 10 oldest cleared incidents, the 20 older open bans kept"

# --- 3. 100,000 distinct IPs ----------------------------------------------
hwm0=$(md_vmhwm)
blocks0=$(md_count "event=block ")
mails0=$(md_mail_count)
python3 "$STATEPY" --watch "$T/stop-watch" "$MD_STATE" >"$T/watch.out" 2>&1 &
WATCH=$!
at_exit "kill $WATCH"
$LINES block 100000 3000000 >>"$MAILLOG"
last=$(ip_of 3099999)
md_wait_event "event=block " $((blocks0 + 100000)) 120 ||
	die "only $(($(md_count "event=block ") - blocks0)) of 100,000 findings logged"
wait_for 60 has_incident "$last" || die "the last IP $last is not in the state file (or its journal)"
touch "$T/stop-watch"
wait "$WATCH"
wstatus=$?
[ "$wstatus" = 0 ] || die "a read of the state file during the storm was corrupt"
most=$(sed -n 's/^reads [0-9]* max //p' "$T/watch.out")
reads=$(sed -n 's/^reads \([0-9]*\) .*/\1/p' "$T/watch.out")
[ -n "$most" ] && [ "$most" -le 1000 ] || die "the state file held $most incidents (cap 1000)"
incidents >"$T/final.txt" || die "the final state file is corrupt"
[ "$(wc -l <"$T/final.txt")" = 1000 ] || die "$(wc -l <"$T/final.txt") incidents at the end, want 1000"
python3 - "$T/final.txt" <<'EOF' || die "the incidents left are not the newest 1000"
import sys
want = set()
for i in range(3099000, 3100000):
    j = i % (1 << 24)
    want.add("10.%d.%d.%d" % (j >> 16, (j >> 8) & 255, j & 255))
have = set(line.split()[1] for line in open(sys.argv[1]))
sys.exit(0 if have == want else 1)
EOF
hwm1=$(md_vmhwm)
[ "$hwm1" -lt 65536 ] || die "VmHWM $hwm1 KiB, over 64 MiB"
[ $((hwm1 - hwm0)) -lt 16384 ] || die "VmHWM grew by $((hwm1 - hwm0)) KiB over 100,000 incidents"
okt "100,000 distinct IPs: state file read $reads times, at most $most incidents, the newest 1000 kept; VmHWM ${hwm0} -> ${hwm1} KiB; $(($(md_mail_count) - mails0)) alert mails sent meanwhile"
md_stop KILL
LOG1=$MD_LOG

# --- 4. alert mail failing ------------------------------------------------
# A fresh daemon (the killed one's sendmail runs may still be finishing),
# without the maillog.
MD_DIR=$T/md4
md_init
MAILLOG=
cat >"$MD_DIR/sendmail-75" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "sendmail-75: service unavailable, try later" >&2
exit 75
EOF
cat >"$MD_DIR/sendmail-hang" <<EOF
#!/bin/sh
echo \$\$ >"$MD_MAILDIR/hang.pid"
exec sleep 60
EOF
chmod 755 "$MD_DIR/sendmail-75" "$MD_DIR/sendmail-hang"
MD_RETRY=1s
MD_TIMEOUT=3s
write_conf "/nonexistent/sbin/sendmail -oi -t"
md_start
IP=192.0.2.77
md_bounces -D count=1 -D ip=$IP >"$T/mt4.out" 2>&1 || { cat "$T/mt4.out"; die "miltertest"; }
failed() { # REASON-TEXT - alert-failed lines for $IP with it
	grep -F "event=alert-failed ip=$IP " "$MD_LOG" | grep -c -F -- "$1"
}
reload() { # SENDMAIL
	n=$(md_count "event=reload")
	write_conf "$1"
	kill -USR1 "$MD_PID"
	md_wait_event "event=reload" $((n + 1)) 10 || die "no reload"
}
wait_for 30 sh -c "[ \$(grep -F 'event=alert-failed ip=$IP ' '$MD_LOG' | grep -c -F 'No such file') -ge 1 ]" ||
	die "no alert-failed for the missing sendmail"
reload "$MD_DIR/sendmail-75 -oi -t"
wait_for 30 sh -c "[ \$(grep -F 'event=alert-failed ip=$IP ' '$MD_LOG' | grep -c -F 'exit 75') -ge 1 ]" ||
	die "no alert-failed for sendmail exiting 75"
rm -f "$MD_MAILDIR/hang.pid"
reload "$MD_DIR/sendmail-hang -oi -t"
wait_for 30 test -s "$MD_MAILDIR/hang.pid" || die "the hanging sendmail did not start"
hangpid=$(cat "$MD_MAILDIR/hang.pid")
# Mail flow while the worker waits for the hanging sendmail.
md_bounces -D count=300 -D perconn=30 -D ip=$IP -D ordinary=yes >"$T/mt5.out" 2>&1 ||
	{ cat "$T/mt5.out"; die "miltertest while sendmail hangs"; }
if kill -0 "$hangpid" 2>/dev/null; then overlap="while sendmail hung"; else overlap="(sendmail had already been killed)"; fi
md_smoke || die "the milter did not answer while sendmail hung"
wait_for 30 sh -c "[ \$(grep -F 'event=alert-failed ip=$IP ' '$MD_LOG' | grep -c -F 'timed out after 3 s') -ge 1 ]" ||
	die "no alert-failed for the hanging sendmail"
pid_gone "$hangpid" || die "the hanging sendmail was not killed"
[ "$(md_mail_count)" = 0 ] || die "a mail was captured while sendmail was broken"
reload "$MD_CAPTURE -oi -t"
md_wait_event "event=alert-sent ip=$IP " 1 60 || die "the alert did not go out once sendmail worked"
md_bounces -D count=50 -D ip=$IP >"$T/mt6.out" 2>&1 || { cat "$T/mt6.out"; die "miltertest"; }
sleep 3
[ "$(md_count "event=alert-sent ip=$IP ")" = 1 ] || die "$(md_count "event=alert-sent ip=$IP ") alert-sent lines, want 1"
[ "$(md_mail_count)" = 1 ] || die "$(md_mail_count) mails, want exactly 1"
[ "$(md_alerts "$IP blocked by Outlook.com")" = 1 ] || die "the one mail is not the alert"
grep -F "event=alert-failed ip=$IP " "$MD_LOG" >"$T/failed.txt"
python3 - "$T/failed.txt" <<'EOF' || die "alert-failed lines: not once per attempt with a growing back-off"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
att = [int(re.search(r" attempt=(\d+)", l).group(1)) for l in lines]
ret = [int(re.search(r" retry_in=(\d+)", l).group(1)) for l in lines]
why = [re.search(r' reason=("[^"]*"|\S+)', l).group(1) for l in lines]
print("attempts %s retry_in %s" % (att, ret))
ok = att == list(range(1, len(att) + 1)) and \
    all(b > a for a, b in zip(ret, ret[1:])) and all(w != "-" for w in why)
sys.exit(0 if ok else 1)
EOF
nf=$(wc -l <"$T/failed.txt")
okt "sendmail missing / exit 75 / hanging: $nf alert-failed lines, one per attempt, retry_in $(sed 's/.* retry_in=\([0-9]*\).*/\1/' "$T/failed.txt" | tr '\n' ' ')s; then exactly 1 alert mail"
okt "mail flow: 330 bounces and 11 ordinary messages answered continue/accept $overlap"
md_smoke || die "the milter does not answer"
md_stop KILL

if [ -n "${SYSLOG_FILE:-}" ]; then
	python3 "$MD_PY/logcheck.py" "$SYSLOG_FILE" >"$T/logcheck.out"
else
	cat "$LOG1" "$MD_LOG" >"$T/all.log"
	python3 "$MD_PY/logcheck.py" --stderr "$T/all.log" >"$T/logcheck.out"
fi || { cat "$T/logcheck.out"; fail "malformed log lines"; }
okt "log: $(cat "$T/logcheck.out"), each one line, event lines key=value"
echo "t-storm: $(($(date +%s) - t0)) s"
exit 0
