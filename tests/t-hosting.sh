#!/bin/sh
# t-hosting.sh - a host with several outbound IPs, through the real daemon
# following a log file in RFC 3339 form (Debian 12's rsyslog)
#
# outbound_ips: 127.0.0.11 to .14; syslog_names: out1 = .11, out2 = .12.
# 1. All four blocked, the first alone and the three others a moment
#    later, alert.digest on: one alert for the first and one digest mail
#    for the three others, whose request lists their IPs.
# 2. A status=sent from postfix/smtp (no syslog name mapped: it does not
#    say which IP it left from) clears nothing; one from out1/smtp clears
#    only 127.0.0.11: one cleared mail.
# 3. A mass block of MASS (default 2,000) IPs written to the log at once:
#    at most 3 alert mails, and the IPs their requests list are exactly
#    the IPs blocked.  The daemon's CPU seconds and the mail count are
#    printed (figures; no timing is asserted).

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

need_cmd python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
HL="python3 $MD_PY/hostlines.py"
MASS=${MASS:-2000}
MAILLOG=$MD_DIR/mail.log
: >"$MAILLOG"
chmod 644 "$MAILLOG"

fail() {
	echo "--- log (tail)"
	tail -n 20 "$MD_LOG"
	md_subjects | cut -f 2
	echo "FAIL: $*"
	exit 1
}
# has_mail N - at least N captured mails
has_mail() {
	[ "$(md_mail_count)" -ge "$1" ]
}
# cpu - the daemon's user + system CPU seconds (/proc/PID/stat)
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
		"/proc/$MD_PID/stat"
}

write_conf() {
	{
		md_conf_base
		echo "maillog = \"$MAILLOG\""
		echo "outbound_ips = {$1}"
		echo 'syslog_names = {"out1 = 127.0.0.11", "out2 = 127.0.0.12"}'
		echo "max_incidents = 20000"
		md_alert_conf
	} >"$MD_CONF"
	"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null ||
		fail "the test configuration does not check"
}

# --- 1. four IPs blocked: one alert, one digest -----------------------------
MD_DIGEST=3s
MD_CLEAR_AFTER=1s
write_conf '"127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"'
md_start
wait_for 10 grep_file "following $MAILLOG" "$MD_LOG" || fail "not following $MAILLOG"
$HL block out1 127.0.0.11 >>"$MAILLOG"
wait_for 10 has_mail 1 || fail "no alert for the first IP"
{
	$HL block out2 127.0.0.12
	$HL block postfix 127.0.0.13 127.0.0.14
} >>"$MAILLOG"
wait_for 20 has_mail 2 || fail "no digest for the three others"
sleep 1
[ "$(md_mail_count)" = 2 ] || fail "$(md_mail_count) mails, want 2 (alert, digest)"
[ "$(md_alerts "[milter-delist] 127.0.0.11 blocked by Outlook.com")" = 1 ] ||
	fail "no alert for 127.0.0.11"
[ "$(md_alerts "[milter-delist] 3 IPs blocked by Outlook.com")" = 1 ] ||
	fail "no digest of 3 IPs"
digest=$(md_mails | tail -n 1)
got=$(python3 "$MD_PY/formips.py" "$digest" | tr '\n' ' ')
[ "$got" = "127.0.0.12 127.0.0.13 127.0.0.14 " ] ||
	fail "the digest's request lists \"$got\""
ok "four IPs blocked: one alert for the first, one digest listing the three others"

# --- 2. clearing per IP -------------------------------------------------------
$HL sent postfix >>"$MAILLOG"
sleep 3 # clear_after is 1 s: a clear, if one were due, would be here
[ "$(md_alerts "cleared")" = 0 ] ||
	fail "an unattributed postfix/smtp delivery cleared an incident"
python3 "$MD_PY/statefile.py" "$MD_STATE" | grep -q ' cleared ' &&
	fail "an incident is cleared in the state: $(python3 "$MD_PY/statefile.py" "$MD_STATE")"
$HL sent out1 >>"$MAILLOG"
wait_for 20 sh -c "[ \$(python3 '$MD_PY/statefile.py' '$MD_STATE' | grep -c ' cleared ') -ge 1 ]" ||
	fail "the out1/smtp delivery did not clear 127.0.0.11"
wait_for 10 has_mail 3 || fail "no cleared mail"
sleep 2
[ "$(md_mail_count)" = 3 ] || fail "$(md_mail_count) mails, want 3"
[ "$(md_alerts "[milter-delist] 127.0.0.11 cleared")" = 1 ] ||
	fail "the cleared mail is not about 127.0.0.11"
n=$(python3 "$MD_PY/statefile.py" "$MD_STATE" | grep -c ' cleared ')
[ "$n" = 1 ] || fail "$n incidents cleared, want 1"
ok "postfix/smtp delivery cleared nothing; out1/smtp delivery cleared only 127.0.0.11 (one cleared mail)"
md_stop TERM

# --- 3. a mass block ---------------------------------------------------------
rm -f "$MD_MAILDIR"/* "$MD_STATE"
: >"$MAILLOG"
write_conf '"10.0.0.0/8", "127.0.0.0/24"'
md_start
wait_for 10 grep_file "following $MAILLOG" "$MD_LOG" || fail "not following $MAILLOG"
cpu0=$(cpu)
$HL mass "$MASS" >>"$MAILLOG"
wait_for 120 sh -c "[ \$(python3 '$MD_PY/statefile.py' '$MD_STATE' | grep -c ' alerted ') -ge $MASS ]" ||
	fail "not every IP alerted: $(python3 "$MD_PY/statefile.py" "$MD_STATE" | grep -c ' alerted ') of $MASS"
sleep 1
mails=$(md_mail_count)
cpu1=$(cpu)
[ "$mails" -le 3 ] || fail "$mails alert mails for a mass block, want at most 3"
$HL ips "$MASS" | sort >"$T/want"
python3 "$MD_PY/formips.py" $(md_mails) | sort >"$T/got" ||
	fail "a mail without the IP field"
cmp -s "$T/want" "$T/got" ||
	fail "the mails list $(wc -l <"$T/got") IPs, not the $MASS blocked ($(diff "$T/want" "$T/got" | head -n 5))"
ok "mass block of $MASS IPs: $mails alert mail(s) listing exactly the $MASS IPs; daemon CPU $(echo "$cpu1 - $cpu0" | bc 2>/dev/null || echo "$cpu0 -> $cpu1") s"
md_stop TERM
exit 0
