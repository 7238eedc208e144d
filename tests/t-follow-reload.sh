#!/bin/sh
# t-follow-reload.sh - the real daemon switched to another maillog by a
# reload (SIGUSR1), and back (issue 14, item 6).
#
# The new log holds refusals two months old: they must raise no event and
# no alert (a reload to another log is a first start, from its end); a
# refusal appended after the reload is seen.  Switching back to the first
# log must not read it again from the start either.  Then the daemon is
# stopped while the log is rewritten in place (same inode, longer than the
# saved offset, logrotate's copytruncate while it was down): the restart
# reads every new line (item 5).  Fails on a follower that starts a new
# path at offset 0 or resumes at the old offset of other content.

. "${srcdir:-.}/tests/lib/common.sh"
. "${srcdir:-.}/tests/lib/milterd.sh"

need_cmd python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
A=$MD_DIR/a.log
B=$MD_DIR/b.log

die() {
	echo "--- log (tail)"
	tail -n 30 "$MD_LOG"
	fail "$*"
}

# logline IP [AGE] - a Postfix S3150 refusal naming IP, stamped AGE
# seconds ago (syslog's classic stamp)
logline() {
	printf '%s mx postfix/smtp[4242]: 4Q%s: to=<u@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[104.47.1.1]:25, delay=0.7, delays=0.01/0/0.4/0.29, dsn=5.7.1, status=bounced (host hotmail-com.olc.protection.outlook.com[104.47.1.1] said: 550 5.7.1 Unfortunately, messages from [%s] weren'"'"'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command))\n' \
		"$(date -d "@$(($(date +%s) - ${2:-0}))" '+%b %e %H:%M:%S')" \
		"$(echo "$1" | tr -d .)" "$1"
}

# conf LOG - the configuration following LOG
conf() {
	{
		md_conf_base
		echo "maillog = \"$1\""
		md_alert_conf
	} >"$MD_CONF"
}

: >"$A"
{
	logline 10.251.0.1 5184000
	logline 10.251.0.2 5184000
	logline 10.251.0.3 5184000
} >"$B"
chmod 644 "$A" "$B"
conf "$A"
md_start
logline 10.250.0.1 >>"$A"
md_wait_event "event=alert-sent ip=10.250.0.1 " 1 20 || die "no alert for a line of a.log"
ok "a.log followed: its refusal alerted"

# --- reload to b.log: its old refusals are history ---
n=$(md_count "following $B")
conf "$B"
kill -USR1 "$MD_PID"
md_wait_event "following $B" $((n + 1)) 20 || die "the reload did not follow b.log"
logline 10.252.0.1 >>"$B"
md_wait_event "event=alert-sent ip=10.252.0.1 " 1 20 || die "a line appended to b.log after the reload was missed"
old=$(md_count "ip=10.251.")
[ "$old" = 0 ] || die "reload to b.log read its old lines: $old event lines name 10.251.x, $(md_mail_count) alerts"
ok "reload to b.log: started at its end ($(md_mail_count) alerts, none for its two-month-old lines)"

# --- and back to a.log: not read again from the start ---
n=$(md_count "following $A")
before=$(md_count "ip=10.250.0.1 ")
conf "$A"
kill -USR1 "$MD_PID"
md_wait_event "following $A" $((n + 1)) 20 || die "the reload did not follow a.log again"
logline 10.250.0.2 >>"$A"
md_wait_event "event=alert-sent ip=10.250.0.2 " 1 20 || die "a line appended to a.log after the switch back was missed"
after=$(md_count "ip=10.250.0.1 ")
[ "$after" = "$before" ] || die "switching back re-read a.log: $((after - before)) more lines name 10.250.0.1"
ok "back to a.log: started at its end, its first line not read again"

# --- rewritten in place while stopped: every new line is read ---
md_stop TERM
ino=$(stat -c %i "$A")
{
	logline 10.253.0.1
	logline 10.253.0.2
	logline 10.253.0.3
} >"$T/new"
cat "$T/new" >"$A" # truncates and refills: the same inode, longer
[ "$(stat -c %i "$A")" = "$ino" ] || hard_error "the rewrite changed the inode"
md_start
for i in 1 2 3; do
	md_wait_event "event=alert-sent ip=10.253.0.$i " 1 20 ||
		die "a line of the rewritten a.log was missed: 10.253.0.$i"
done
grep -q "event=log-reread.*reason=content-changed" "$MD_LOG" || die "the reread was not logged"
ok "a.log rewritten while stopped: all 3 new lines read, reread logged"
md_stop TERM
