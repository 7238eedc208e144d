#!/bin/sh
# t-clock.sh - a state whose times lie in the future, and incidents last
# seen years ago, through the real daemon (issue: clocks that jump)
#
# The state files are written by the real incident store (tests/state-make)
# with times relative to now:
# 1. times from the future (a clock set back, a state from another host):
#    A owes its first alert but its next attempt lies a year ahead; B was
#    alerted "a year from now" (reminders would wait a year); C was alerted
#    and mail was accepted "a year from now" (it would never clear).  Each
#    time is treated as now: A's alert goes out at once, B's reminder after
#    alert.reminder, C's cleared notice after clear_after; one event=clock
#    warning line with the count.
# 2. 50 incidents last seen and alerted ten years ago (alert.stale 7d):
#    one reminder mail for all of them that says no refusal was seen since
#    (not 50 "still blocked" reminders), and silence after it.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
top=$here/..
MAKE_STATE=${abs_top_builddir:-$top}/tests/state-make
[ -x "$MAKE_STATE" ] || hard_error "$MAKE_STATE not built"
make_tmpdir
md_init
mkdir -p "$(dirname "$MD_STATE")"
[ -n "$MD_USER" ] && chown "$MD_USER" "$(dirname "$MD_STATE")"

YEAR=31536000
fail() {
	echo "--- log (tail)"
	tail -n 20 "$MD_LOG"
	md_subjects
	echo "FAIL: $*"
	exit 1
}
run() { # reminder
	{
		md_conf_base
		MD_REMINDER=$1 md_alert_conf
	} >"$MD_CONF"
	[ -n "$MD_USER" ] && chown "$MD_USER" "$MD_STATE"
	md_start
}

# --- 1. times from the future -------------------------------------------
MD_CLEAR_AFTER=1s
"$MAKE_STATE" "$MD_STATE" \
	"192.0.2.1,seen=-60,next=$YEAR" \
	"192.0.2.2,seen=-7200,alerted=$YEAR" \
	"192.0.2.3,seen=-7200,alerted=-3600,sent=$YEAR" ||
	hard_error "state-make"
run 3s
# has_mail SUBJECT - one captured mail has a subject containing SUBJECT
has_mail() {
	[ "$(md_alerts "$1")" -ge 1 ]
}
wait_for 20 has_mail "[milter-delist] 192.0.2.1 blocked by Outlook.com" ||
	fail "no alert for 192.0.2.1 (next attempt a year ahead)"
wait_for 20 has_mail "[milter-delist] 192.0.2.2 still blocked" ||
	fail "no reminder for 192.0.2.2 (alerted a year ahead)"
wait_for 20 has_mail "[milter-delist] 192.0.2.3 cleared" ||
	fail "no cleared notice for 192.0.2.3 (sent-since a year ahead)"
n=$(md_count "event=clock ")
[ "$n" = 1 ] || fail "$n event=clock lines, want 1"
grep -q 'event=clock count=3 ' "$MD_LOG" ||
	fail "event=clock without the count 3: $(grep event=clock "$MD_LOG")"
ok "times from the future: alert, reminder and cleared notice sent; one event=clock line, count=3"
md_stop TERM

# --- 2. 50 incidents last seen ten years ago -------------------------------
rm -f "$MD_MAILDIR"/* "$MD_STATE"
set --
i=1
while [ $i -le 50 ]; do
	set -- "$@" "198.51.100.$i,seen=-$((10 * YEAR)),alerted=-$((10 * YEAR - 60))"
	i=$((i + 1))
done
"$MAKE_STATE" "$MD_STATE" "$@" || hard_error "state-make"
MD_DIGEST=10m
run 2s
wait_for 20 sh -c "[ \$(ls '$MD_MAILDIR' | grep -c 'eml\$') -ge 1 ]" ||
	fail "no reminder about the stale incidents"
sleep 6 # reminder is 2 s: more reminders, if owed, would be here
[ "$(md_mail_count)" = 1 ] || fail "$(md_mail_count) mails, want 1"
md_alerts "50 IPs: no refusal from Outlook.com since the last one" >/dev/null || fail "not one reminder for the 50: $(md_subjects)"
m=$(md_mails)
grep -q "not remind you about" "$m" ||
	fail "the reminder does not say the incidents are stale"
for i in 1 25 50; do
	grep -q "198\.51\.100\.$i\b" "$m" || fail "198.51.100.$i not in the reminder"
done
ok "50 incidents last seen ten years ago: one reminder mail saying so, then silence"
md_stop TERM
exit 0
