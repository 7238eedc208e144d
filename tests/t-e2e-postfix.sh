#!/bin/sh
# t-e2e-postfix.sh - milter-delist with a real Postfix, end to end.
#
# A private Postfix instance (tests/lib/postfix.sh) relays hotmail.com,
# live.com and the Microsoft 365 tenant contoso.com from 127.0.0.2, and
# outlook.com from 127.0.0.3 (a second smtp transport), to a fake Microsoft
# MX (tests/fakemx.py) that answers with Microsoft's real replies.  The
# real milter runs as nobody in smtpd_milters and non_smtpd_milters with
# internal_mail_filter_classes = bounce, notify, follows the maillog, and
# mails its alerts through the instance's sendmail to a local mailbox.
# Its syslog goes to a listener of ours (tests/lib/syslog.sh).
#
# Checked: 50 bounces (S3150) reach the milter and give exactly one
# event=block line and one alert mail with the prefilled request; the
# alert, which quotes S3150 and passes through non_smtpd_milters itself,
# raises nothing; a deferral (4.7.650) is seen in the log only; a 5.7.606
# ban at RCPT TO; a restart between bounces sends no second alert; kill -9
# loses no incident and duplicates no alert; the reminder; the cleared
# notice once mail flows again; volume per sender and per SASL-less
# submission; mail keeps flowing while the milter is dead.
#
# Needs root, Postfix, python3 and swaks, and mount namespaces (unshare).

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/fakemx.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
export FAKEMX="$here/fakemx.py"
export SYSLOG_PY="$here/lib/syslog-listener.py"
ALERTINFO=$here/lib/alertinfo.py

reason=$(pf_require) || skip "$reason"
need_cmd swaks
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
make_tmpdir
t0=$(date +%s)

diag() {
	echo "--- syslog (tail)"
	tail -n 40 "$SYSLOG_FILE" 2>/dev/null
	echo "--- milter stderr (tail)"
	tail -n 20 "$T/milter.err" 2>/dev/null
	echo "--- maillog (tail)"
	tail -n 30 "$PF_MAILLOG" 2>/dev/null
	echo "--- queue"
	pf_queue 2>&1 | tail -n 20
}
die() {
	diag
	fail "$*"
}

# --- the fake MX and the Postfix instance
fakemx_start || hard_error "fakemx.py did not start"
fakemx_rules \
	'hotmail.com mail S3150' \
	'outlook.com mail 4.7.650' \
	'contoso.com rcpt 5.7.606' \
	'* accept'
pf_create || hard_error "pf_create failed"
# outlook.com leaves from 127.0.0.3: its own IP, so its own incident; its
# transport logs as postfix-out3/smtp (syslog_names below), so a delivery
# there is known to come from 127.0.0.3.
echo "smtp3 unix - - n - - smtp -o smtp_bind_address=127.0.0.3 -o syslog_name=postfix-out3" >>"$PF_ETC/master.cf"
for d in hotmail.com live.com contoso.com; do
	pf_route "$d" "smtp:[127.0.0.1]:$FAKEMX_PORT"
done
pf_route outlook.com "smtp3:[127.0.0.1]:$FAKEMX_PORT"
mkdir -m 0755 "$T/milter"
chown nobody "$T/milter"	# like systemd's RuntimeDirectory for User=
pf_milter "unix:$T/milter/milter.sock"
pf_start || hard_error "the private Postfix instance did not start"
# The milter runs as nobody and follows the maillog.
chmod 0644 "$PF_MAILLOG"

# --- the milter
syslog_start || hard_error "syslog listener did not start"
CONF=$T/milter-delist.conf
cat >"$CONF" <<EOF
socket = "unix:$T/milter/milter.sock"
socket_owner = "nobody:postfix"
socket_mode = "0660"
user = "nobody"
state_file = "$T/state/state"
log_level = "debug"
maillog = "$PF_MAILLOG"
outbound_ips = {"127.0.0.2", "127.0.0.3"}
# the instance's smtp binds 127.0.0.2 (smtp_bind_address), smtp3 127.0.0.3
syslog_names = {"postfix = 127.0.0.2", "postfix-out3 = 127.0.0.3"}
alert {
	to = "admin@$PF_MYDOMAIN"
	from = "milter-delist@$PF_MYDOMAIN"
	reminder = "25s"
	clear_after = "4s"
	retry = "2s"
}
contact {
	name = "Alex Admin"
	email = "alex@example.net"
	timezone = "(UTC+01:00) Berlin"
	sending_domain = "$PF_MYDOMAIN"
	server_type = "dedicated"
}
EOF
"$MILTER_DELIST" -t -c "$CONF" >/dev/null || fail "the test configuration does not check"

start_milter() {
	sm_n=$(syslog_count 'event=start')
	ns_exec -l "$SYSLOG_SOCK" -p "$PF_ETC" -- "$MILTER_DELIST" -f -c "$CONF" \
		>>"$T/milter.out" 2>>"$T/milter.err" &
	MPID=$!
	at_exit "kill -9 $MPID"
	syslog_wait 'event=start' $((sm_n + 1)) 20 || die "the milter did not start"
	wait_for 10 test -S "$T/milter/milter.sock" || die "no milter socket"
}
stop_milter() { # SIGNAL
	kill "-$1" "$MPID" 2>/dev/null
	wait_gone 30 "$MPID" || die "the milter did not stop after $1"
	wait "$MPID" 2>/dev/null
}
# events NAME [MORE-FIXED-TEXT] - number of syslog lines with event=NAME
events() {
	if [ -n "${2:-}" ]; then
		grep -F "event=$1 " "$SYSLOG_FILE" | grep -F -c -- "$2"
	else
		grep -F -c "event=$1 " "$SYSLOG_FILE"
	fi
}
wait_events() { # NAME TEXT N SECONDS
	we_n=$(($4 * 10))
	while [ "$we_n" -gt 0 ]; do
		[ "$(events "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
		we_n=$((we_n - 1))
	done
	return 1
}
# subjects - "FILE<TAB>decoded Subject" of every mail in the admin's mailbox
subjects() {
	python3 -c '
import email, email.policy, sys
for f in sys.argv[1:]:
    with open(f, "rb") as fp:
        m = email.message_from_binary_file(fp, policy=email.policy.default)
    print("%s\t%s" % (f, " ".join(str(m.get("Subject", "")).split())))
' $(pf_mail_files admin)
}
alerts() { # SUBJECT-TEXT - alert mails in the admin's mailbox with it
	subjects | grep -F -- "$1" | cut -f 1
}
has_alert() { # SUBJECT-TEXT - at least one such mail
	[ -n "$(alerts "$1")" ]
}
count_lines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}

start_milter
ok "milter running as $(ps -o user= -p "$MPID" | tr -d ' ') on $T/milter/milter.sock, Postfix on 127.0.0.1:$PF_PORT"

# --- 1. S3150 at MAIL FROM: 25 bounces, a restart, 25 more -------------------
send_hotmail() { # FIRST LAST
	i=$1
	while [ "$i" -le "$2" ]; do
		pf_send "sender@$PF_MYDOMAIN" "user$i@hotmail.com" "to hotmail $i" >/dev/null ||
			die "sendmail failed"
		i=$((i + 1))
	done
}
send_hotmail 1 25
pf_wait_log_count 'status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.7\.1 Unfortunately' 25 60 ||
	die "25 hotmail messages did not bounce"
wait_events block 'ip=127.0.0.2 provider=microsoft-consumer' 1 30 ||
	die "no event=block for 127.0.0.2"
wait_events alert-sent 'ip=127.0.0.2 provider=microsoft-consumer' 1 30 ||
	die "no alert sent for 127.0.0.2"
# The bounces themselves reached the milter (non_smtpd_milters).
wait_for 30 sh -c "grep -F 'ip=127.0.0.2' '$SYSLOG_FILE' | grep -F -q 'source=dsn'" ||
	die "no finding from a bounce (source=dsn) reached the milter"
ok "S3150: bounces reached the milter (source=dsn), event=block and an alert"

stop_milter TERM
start_milter
ok "milter restarted between bounces"
send_hotmail 26 50
pf_wait_log_count 'status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.7\.1 Unfortunately' 50 60 ||
	die "50 hotmail messages did not bounce"
pf_wait_mail admin 1 30 || die "no alert mail in the admin's mailbox"
# Let every bounce and the alert itself pass the milter.
pf_wait_queue_empty 60 || die "the queue did not empty"
sleep 3
n=$(events block 'ip=127.0.0.2 provider=microsoft-consumer')
[ "$n" = 1 ] || die "$n event=block lines for 127.0.0.2, want exactly 1"
f=$(alerts '127.0.0.2 blocked by Outlook.com')
[ "$(count_lines "$f")" = 1 ] || die "$(count_lines "$f") alert mails for the S3150 block, want exactly 1"
dsn_seen=$(grep -F 'ip=127.0.0.2' "$SYSLOG_FILE" | grep -F 'source=dsn' | grep -c 'provider=microsoft-consumer')
ok "50 bounces, one restart: 1 event=block line, 1 alert mail ($dsn_seen bounce findings logged)"

# The alert mail, parsed with Python's email package.
python3 "$ALERTINFO" "$f" "$T/body.txt" "$T/request.txt" >"$T/alert.info" ||
	{ cat "$T/alert.info"; die "the alert is not well-formed MIME"; }
hdrs=$(sed -n 's/^headers: //p' "$T/alert.info" | tr , '\n' | sort | tr '\n' ' ')
[ "$hdrs" = "Auto-Submitted Content-Type Date From MIME-Version Message-ID Subject To X-Milter-Delist " ] ||
	die "alert headers are: $hdrs"
for want in \
	"recipients: admin@$PF_MYDOMAIN" \
	"header.X-Milter-Delist: alert" \
	"header.Auto-Submitted: auto-generated" \
	"part.1: multipart/mixed" \
	"part.2: text/plain" \
	"part.3: text/plain attachment delist-request-127.0.0.2.txt" \
	"defects: 0"; do
	grep -q -F -x -- "$want" "$T/alert.info" || { cat "$T/alert.info"; die "alert: missing \"$want\""; }
done
grep -q -F -x "header.Subject: [milter-delist] 127.0.0.2 blocked by Outlook.com (S3150): delisting request attached" "$T/alert.info" ||
	{ grep Subject "$T/alert.info"; die "alert subject"; }
grep -q '^Return-Path: <milter-delist@example.org>' "$f" || die "alert envelope sender is not alert.from"
ok "alert mail: exactly its own headers, one recipient, body + delist-request-127.0.0.2.txt"

for want in "127.0.0.2" "hotmail.com" "Alex Admin" "alex@example.net" \
	"(UTC+01:00) Berlin" "dedicated" "Server IP Listed / Non-Delivery Returned Mail" \
	"weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)" \
	"<fill in:"; do
	grep -q -F -- "$want" "$T/request.txt" || { cat "$T/request.txt"; die "request: missing \"$want\""; }
done
grep -q -F "sender@$PF_MYDOMAIN" "$T/body.txt" || die "alert body lacks the per-sender volume"
ok "request attachment: IP, domain sent to, contact fields, verbatim S3150 error, <fill in:> for the missing ones"
ok "alert body: outbound volume names sender@$PF_MYDOMAIN"

# --- 2. 4.7.650 deferral: seen in the log only -------------------------------
m=$(pf_send "sender@$PF_MYDOMAIN" bob@outlook.com "to outlook") || die "sendmail failed"
q=$(pf_qid "$m") || die "no queue id for the outlook.com message"
pf_wait_log "$q: to=<bob@outlook.com>, .*status=deferred" 30 || die "outlook.com not deferred"
wait_events ratelimit 'ip=127.0.0.3 provider=microsoft-consumer kind=ratelimit code=S775 status=4.7.650' 1 30 ||
	die "no event=ratelimit for the deferral"
grep -F 'event=ratelimit ' "$SYSLOG_FILE" | grep -F -q 'source=postfix-log' ||
	die "the deferral was not found in the log"
wait_events alert-sent 'ip=127.0.0.3' 1 30 || die "no alert for the rate limit"
ok "4.7.650 deferral: event=ratelimit source=postfix-log, alert sent"

# --- 3. 5.7.606 at RCPT TO, and kill -9 right after the event --------------
m=$(pf_send "sender@$PF_MYDOMAIN" ceo@contoso.com "to contoso") || die "sendmail failed"
wait_events ban 'ip=127.0.0.2 provider=microsoft-365 kind=ban code=AS16012609 status=5.7.606' 1 30 ||
	die "no event=ban"
stop_milter KILL
ok "killed -9 after event=ban"
start_milter
wait_events alert-sent 'provider=microsoft-365' 1 30 || die "the ban's alert was lost"
sleep 3
n=$(events alert-sent 'provider=microsoft-365')
[ "$n" = 1 ] || die "$n alert-sent lines for the ban, want 1"
wait_for 30 has_alert '127.0.0.2 banned by Microsoft 365' ||
	die "the ban alert did not arrive"
sleep 2
f=$(alerts '127.0.0.2 banned by Microsoft 365')
[ "$(count_lines "$f")" = 1 ] || die "$(count_lines "$f") ban alerts, want 1"
python3 "$ALERTINFO" "$f" "$T/body.txt" "$T/request.txt" >"$T/alert.info" || die "ban alert MIME"
grep -q -F "sender.office.com" "$T/request.txt" || die "ban request does not guide the delist portal"
ok "5.7.606 ban: kill -9 lost nothing, one alert guiding the delist portal"

# --- 4. the reminder -------------------------------------------------------
wait_events reminder 'ip=127.0.0.2 provider=microsoft-consumer' 1 60 || die "no reminder event"
wait_for 30 has_alert '127.0.0.2 still blocked by Outlook.com' || die "no reminder mail"
ok "reminder: event=reminder and a 'still blocked' mail"

# --- 5. mail flows again: cleared ------------------------------------------
fakemx_rules '* accept'
pf_send "sender@$PF_MYDOMAIN" again@hotmail.com "hotmail again" >/dev/null || die "sendmail"
pf_send "sender@$PF_MYDOMAIN" ceo2@contoso.com "contoso again" >/dev/null || die "sendmail"
pf_flush
wait_events cleared 'ip=127.0.0.2 provider=microsoft-consumer' 1 60 || die "no cleared event (consumer)"
wait_events cleared 'ip=127.0.0.2 provider=microsoft-365' 1 60 || die "no cleared event (365)"
wait_for 30 has_alert '127.0.0.2 cleared: mail to Outlook.com is accepted again' ||
	{ subjects; die "no cleared mail"; }
wait_for 30 has_alert '127.0.0.2 cleared: mail to Microsoft 365 is accepted again' ||
	{ subjects; die "no cleared mail for the ban"; }
# Reroute is off here: a clear changes no reroute table.
[ "$(events reroute)" = 0 ] ||
	die "event=reroute with reroute off: $(grep -F 'event=reroute ' "$SYSLOG_FILE" | head -1)"
ok "cleared: event=cleared and the notice once mail to Microsoft flows again"

# Every syslog line of ours is one line in key=value form.
grep -F 'milter-delist[' "$SYSLOG_FILE" | grep -F 'event=' | grep -v -E 'event=[a-z-]+( [a-z_]+=("[^"]*"|[^ "]+))*$' &&
	die "a malformed event line"
ok "event lines: $(grep -c 'event=' "$SYSLOG_FILE") lines, all key=value"

# --- 6. mail flows while the milter is dead --------------------------------
stop_milter KILL
m=$(pf_send "sender@$PF_MYDOMAIN" friend@live.com "milter dead") || die "sendmail failed"
q=$(pf_qid "$m") || die "no queue id while the milter is dead"
pf_wait_log "$q: to=<friend@live.com>, .*status=sent" 30 || die "mail did not flow without the milter"
m2="dead.$$@client.example.net"
pf_swaks --silent 2 --from "sender@$PF_MYDOMAIN" --to friend2@live.com \
	--header "Message-ID: <$m2>" >/dev/null 2>&1 || die "SMTP submission refused while the milter is dead"
q=$(pf_qid "$m2") || die "no queue id"
pf_wait_log "$q: to=<friend2@live.com>, .*status=sent" 30 || die "SMTP mail did not flow without the milter"
ok "milter killed: local and SMTP mail still delivered (milter_default_action = accept)"

echo "t-e2e-postfix: $(($(date +%s) - t0)) s"
exit 0
