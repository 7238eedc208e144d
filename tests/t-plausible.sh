#!/bin/sh
# t-plausible.sh - a refusal in Microsoft's words is believed only from a
# plausible source.  Anyone our MTA talks to can answer with Microsoft's
# S3150 text about any IP; our own log then holds that line.  Fed through
# the followed maillog of the real daemon:
#   a foreign IP named by a host that is not Microsoft's   -> unverified
#   our IP named by that same host                         -> block
#   a foreign IP named by a Microsoft MX                   -> block
#   a foreign IP named through a trusted relay (smarthost) -> block
#   a foreign IP named by an address literal (transport)   -> block
# and only the believed ones are mailed.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
need_cmd python3
make_tmpdir
md_init
LOG=$T/mail.log
: >"$LOG"
chmod 644 "$LOG"
{
	md_conf_base
	echo "maillog = \"$LOG\""
	echo 'outbound_ips = {"203.0.113.5"}'
	echo 'trusted_relays = {"smarthost.example.net"}'
	md_alert_conf
} >"$MD_CONF"
md_start

# line QID RELAY IP - a bounced Postfix delivery where RELAY says S3150
line() {
	printf '%s mx1 postfix/smtp[4242]: %s: to=<u%s@hotmail.com>, relay=%s[192.0.2.9]:25, delay=0.3, delays=0/0/0.2/0.1, dsn=5.7.1, status=bounced (host %s[192.0.2.9] said: 550 5.7.1 Unfortunately, messages from [%s] weren'"'"'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. (in reply to MAIL FROM command))\n' \
		"$(date '+%b %e %H:%M:%S')" "$1" "$1" "$2" "$2" "$3"
}
# Appended after the follower started at the end of the file.
wait_for 10 grep -q "following $LOG" "$MD_LOG" || fail "the follower did not start"
sleep 1
{
	line 4B1C2D3E01 mx.attacker.example 198.51.100.99
	line 4B1C2D3E02 mx.attacker.example 203.0.113.5
	line 4B1C2D3E03 hotmail-com.olc.protection.outlook.com 198.51.100.10
	line 4B1C2D3E04 smarthost.example.net 198.51.100.11
	line 4B1C2D3E05 127.0.0.1 198.51.100.12
} >>"$LOG"

md_wait_event 'event=unverified-report ' 1 20 || fail "no unverified-report"
md_wait_event 'event=block ' 4 20 || fail "want 4 event=block lines: $(grep event= "$MD_LOG")"
wait_for 20 sh -c "[ \$(ls '$MD_MAILDIR' | grep -c '\\.eml\$') -ge 4 ]" ||
	fail "want 4 alert mails, have $(md_mail_count)"
sleep 2

grep 'event=unverified-report ' "$MD_LOG" | grep -q 'ip=198.51.100.99 .*client=mx.attacker.example' ||
	fail "the unverified report does not name the IP and host: $(grep unverified "$MD_LOG")"
grep 'event=block ' "$MD_LOG" | grep -q 'ip=198.51.100.99' &&
	fail "a foreign IP named by a non-Microsoft host opened an incident"
for ip in 203.0.113.5 198.51.100.10 198.51.100.11 198.51.100.12; do
	[ "$(grep 'event=block ' "$MD_LOG" | grep -c "ip=$ip ")" = 1 ] ||
		fail "no single event=block for $ip"
done
n=$(md_mail_count)
[ "$n" = 4 ] || fail "$n alert mails, want 4"
md_subjects | grep -q '198.51.100.99' && fail "an alert was mailed for the implausible report"
ok "non-Microsoft host, foreign IP: unverified-report, no incident, no mail"
ok "same host naming our IP, a Microsoft MX, a trusted relay, an address literal: 4 incidents, 4 alerts"
md_stop TERM
exit 0
