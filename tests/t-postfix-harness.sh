#!/bin/sh
# t-postfix-harness.sh - prove the end-to-end harness with a REAL Postfix and
# the fake Microsoft MX, without the milter: a private Postfix instance
# (tests/lib/postfix.sh) routes hotmail.com, outlook.com, live.com and the
# Microsoft 365 tenant contoso.com to tests/fakemx.py, which answers with
# Microsoft's real replies; we check what Postfix logs and which bounces it
# writes, that a deferred message goes out once the MX accepts again, that
# a non-root user can submit to the instance, and that syslog(3) of a
# command reaches the test's own listener (tests/lib/syslog.sh).
#
# Needs root, Postfix, python3 and swaks, otherwise skipped (77); without
# working mount namespaces (unshare -m) the last two checks are not run.
# Takes about 7 s.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/fakemx.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
export FAKEMX="$here/fakemx.py"
export SYSLOG_PY="$here/lib/syslog-listener.py"
DSNINFO=$here/lib/dsninfo.py

reason=$(pf_require) || skip "$reason"
need_cmd swaks
ns_ok=yes
ns_usable || ns_ok=no
make_tmpdir
t0=$(date +%s)

# diag - what a failing run needs to be understood (stdout: the .log file)
diag() {
	echo "--- maillog (tail)"
	tail -n 40 "$PF_MAILLOG" 2>/dev/null
	echo "--- fakemx log (tail)"
	tail -n 10 "$FAKEMX_DIR/log" 2>/dev/null
	echo "--- fakemx stderr"
	cat "$FAKEMX_DIR/stderr" 2>/dev/null
	echo "--- queue"
	pf_queue 2>&1
}
die() {
	diag
	fail "$*"
}
# has LINE FIXED-STRING WHAT - LINE contains the string, or die
has() {
	case $1 in
	*"$2"*) ;;
	*) die "$3: \"$2\" missing in: $1" ;;
	esac
}

# --- the fake MX and the instance
fakemx_start || hard_error "fakemx.py did not start"
fakemx_rules \
	'hotmail.com mail S3150' \
	'outlook.com mail 4.7.650' \
	'contoso.com rcpt 5.7.606' \
	'* accept'
pf_create || hard_error "pf_create failed"
for d in hotmail.com outlook.com live.com contoso.com; do
	pf_route "$d" "smtp:[127.0.0.1]:$FAKEMX_PORT"
done
pf_start || hard_error "the private Postfix instance did not start"
ok "private Postfix started (smtpd 127.0.0.1:$PF_PORT, fake MX 127.0.0.1:$FAKEMX_PORT, maillog $PF_MAILLOG)"

MX=$(pf_re "127.0.0.1[127.0.0.1]:$FAKEMX_PORT")

# --- S3150 at MAIL FROM -> bounced (sendmail submission)
m1=$(pf_send sender@example.org user@hotmail.com "to hotmail") || die "sendmail failed"
q1=$(pf_qid "$m1") || die "no queue id for $m1"
l=$(pf_wait_log "$q1: to=<user@hotmail.com>, relay=$MX.* status=bounced" 30) ||
	die "no status=bounced for hotmail.com"
has "$l" "dsn=5.7.1," "hotmail bounce"
has "$l" "weren't sent" "hotmail bounce"
has "$l" "(S3150)" "hotmail bounce"
has "$l" "messages from [127.0.0.2]" "hotmail bounce (IP named by the MX = smtp_bind_address)"
has "$l" "[Name=Protocol Filter Agent][AGT=PFA][MxId=" "hotmail bounce"
has "$l" "(in reply to MAIL FROM command)" "hotmail bounce"
ok "hotmail.com: S3150 at MAIL FROM -> maillog status=bounced dsn=5.7.1 with the full reply"

# --- 4.7.650 -> deferred (SMTP submission with swaks)
m2="swaks.$$@client.example.net"
pf_swaks --silent 2 --from sender@example.org --to user@outlook.com \
	--header "Message-ID: <$m2>" --header "Subject: to outlook" >/dev/null 2>&1 ||
	die "swaks submission failed"
q2=$(pf_qid "$m2") || die "no queue id for $m2"
l=$(pf_wait_log "$q2: to=<user@outlook.com>, relay=$MX.* status=deferred" 30) ||
	die "no status=deferred for outlook.com"
has "$l" "dsn=4.7.650," "outlook deferral"
has "$l" "The mail server [127.0.0.2] has been temporarily rate limited due to IP reputation" "outlook deferral"
has "$l" "(S775)" "outlook deferral"
ok "outlook.com: 451 4.7.650 -> maillog status=deferred dsn=4.7.650 (submitted over SMTP)"

# --- 5.7.606 at RCPT TO -> bounced
m3=$(pf_send sender@example.org ceo@contoso.com "to contoso") || die "sendmail failed"
q3=$(pf_qid "$m3") || die "no queue id for $m3"
l=$(pf_wait_log "$q3: to=<ceo@contoso.com>, relay=$MX.* status=bounced" 30) ||
	die "no status=bounced for contoso.com"
has "$l" "dsn=5.7.606," "contoso bounce"
has "$l" "Access denied, banned sending IP [127.0.0.2]" "contoso bounce"
has "$l" "(AS16012609)" "contoso bounce"
has "$l" "(in reply to RCPT TO command)" "contoso bounce"
ok "contoso.com: 5.7.606 at RCPT TO -> maillog status=bounced dsn=5.7.606"

# --- accepted -> sent
m4=$(pf_send sender@example.org friend@live.com "to live") || die "sendmail failed"
q4=$(pf_qid "$m4") || die "no queue id for $m4"
l=$(pf_wait_log "$q4: to=<friend@live.com>, relay=$MX.* status=sent" 30) ||
	die "no status=sent for live.com"
has "$l" "dsn=2.6.0," "live.com delivery"
has "$l" "Queued mail for delivery" "live.com delivery"
[ -n "$(fakemx_grep "<$m4>")" ] || die "the fake MX did not save $m4"
ok "live.com: accepted -> status=sent dsn=2.6.0, message saved by the fake MX"

# --- the bounces in the sender's mailbox
pf_wait_mail sender 2 30 || die "the sender did not get two bounces"
check_bounce() { # RCPT STATUS QUEUE-ID TEXT...
	cb_f=$(pf_mail_grep sender "$1" | head -n 1)
	[ -n "$cb_f" ] || die "no bounce for $1 in the sender's mailbox"
	python3 "$DSNINFO" "$cb_f" >"$T/dsn" || die "bounce for $1 has no message/delivery-status part"
	for cb_want in \
		"header.Subject: Undelivered Mail Returned to Sender" \
		"header.From: Mail Delivery System <MAILER-DAEMON@$PF_MYDOMAIN>" \
		"part.1: multipart/report" \
		"part.3: message/delivery-status" \
		"report.Reporting-MTA: dns; $PF_MYHOSTNAME" \
		"rcpt.1.Final-Recipient: rfc822; $1" \
		"rcpt.1.Action: failed" \
		"rcpt.1.Status: $2" \
		"rcpt.1.Remote-MTA: dns; 127.0.0.1"; do
		grep -q -F -x -- "$cb_want" "$T/dsn" || { cat "$T/dsn"; die "bounce for $1: missing \"$cb_want\""; }
	done
	grep -q -x 'part\.[0-9]*: message/rfc822' "$T/dsn" ||
		die "bounce for $1 does not return the message (message/rfc822)"
	grep -q '^header.Content-Type: multipart/report; report-type=delivery-status;' "$T/dsn" ||
		die "bounce for $1 is not multipart/report; report-type=delivery-status"
	grep -q -F -x "report.X-Postfix-Queue-ID: $3" "$T/dsn" ||
		die "bounce for $1: X-Postfix-Queue-ID is not the bounced message's queue id $3"
	grep -q -F 'Return-Path: <>' "$cb_f" || die "bounce for $1 does not have a null sender"
	shift 3
	dc=$(grep '^rcpt.1.Diagnostic-Code: ' "$T/dsn")
	for cb_want; do
		has "$dc" "$cb_want" "Diagnostic-Code of the bounce for $1"
	done
}
check_bounce user@hotmail.com 5.7.1 "$q1" "smtp; 550 5.7.1 Unfortunately, messages from [127.0.0.2] weren't sent" "(S3150)"
ok "bounce for hotmail.com: multipart/report, Status 5.7.1, Diagnostic-Code has the S3150 reply"
check_bounce ceo@contoso.com 5.7.606 "$q3" "smtp; 550 5.7.606 Access denied, banned sending IP [127.0.0.2]" "(AS16012609)"
ok "bounce for contoso.com: multipart/report, Status 5.7.606, Diagnostic-Code has the ban reply"

# --- postmaster copies (notify_classes includes bounce)
pf_wait_mail postmaster 2 30 || die "postmaster did not get two bounce copies"
f=$(pf_mail_grep postmaster "user@hotmail.com" | head -n 1)
[ -n "$f" ] || die "no postmaster copy for the hotmail bounce"
python3 "$DSNINFO" "$f" >"$T/dsn" || die "postmaster copy has no delivery-status part"
grep -q -F -x "header.Subject: Postmaster Copy: Undelivered Mail" "$T/dsn" || die "postmaster copy subject"
grep -q -x 'part\.[0-9]*: text/rfc822-headers' "$T/dsn" || die "postmaster copy lacks text/rfc822-headers"
grep -q -F "(S3150)" "$T/dsn" || die "postmaster copy lacks the S3150 reply"
grep -q -F 'Return-Path: <double-bounce@' "$f" || die "postmaster copy not from double-bounce@"
ok "postmaster copy of the bounce: from double-bounce@, text/rfc822-headers, S3150 in Diagnostic-Code"

# --- the fake MX named the bound IP
[ "$(fakemx_log_count '"peer": "127.0.0.2"')" -gt 0 ] || die "the fake MX never saw 127.0.0.2"
[ "$(fakemx_log_count '"result": "rejected-mail"')" -ge 2 ] || die "the fake MX logged no rejection at MAIL FROM"
ok "fake MX: connections from 127.0.0.2 (smtp_bind_address), rejections logged"

# --- unblock: the deferred message is delivered
n_before=$(fakemx_count)
fakemx_rules '* accept'
pf_flush
l=$(pf_wait_log "$q2: to=<user@outlook.com>, relay=$MX.* status=sent" 30) ||
	die "the deferred message was not delivered after the unblock"
has "$l" "dsn=2.6.0," "outlook delivery"
has "$l" "Queued mail for delivery" "outlook delivery"
[ "$(fakemx_count)" -eq $((n_before + 1)) ] || die "fake MX spool: $(fakemx_count), wanted $((n_before + 1))"
[ -n "$(fakemx_grep "<$m2>")" ] || die "the fake MX did not save the deferred message"
pf_wait_queue_empty 30 || die "the queue did not drain"
[ "$(pf_mail_count sender)" -eq 2 ] || die "the sender got $(pf_mail_count sender) notices, wanted 2 (no delay warning)"
ok "after switching the MX to accept: deferred message sent (status=sent), saved by the fake MX, queue empty"

if [ "$ns_ok" = no ]; then
	echo "note: mount namespaces (unshare -m) do not work here: the non-root"
	echo "note: submission and syslog checks were not run"
else
	# --- a non-root user submits with /etc/postfix bound to the instance
	m5="nobody.$$@$PF_MYHOSTNAME"
	printf 'To: admin@example.org\nSubject: from nobody\nMessage-ID: <%s>\n\nhello\n' "$m5" |
		ns_run -p "$PF_ETC" -- setpriv --reuid=nobody --regid=nogroup --clear-groups \
			/usr/sbin/sendmail -oi -t || die "sendmail as nobody failed"
	pf_wait_mail admin 1 30 || die "admin did not get the message sent by nobody"
	pf_wait_log "pickup\[[0-9]+\]: [0-9A-F]+: uid=65534 from=<nobody" 10 >/dev/null ||
		die "pickup did not log uid 65534"
	[ -n "$(pf_mail_grep admin "<$m5>")" ] || die "admin's mailbox lacks $m5"
	ok "user nobody submits with plain sendmail under ns_run -p (no /etc/postfix/main.cf needed)"

	# --- syslog(3) of a command reaches the test's listener
	devlog_before=$(ls -l --time-style=+ /dev/log 2>&1)
	syslog_start || hard_error "syslog-listener.py did not start"
	syslog_run logger -t harness-test "event=probe via logger" || die "logger failed"
	syslog_wait 'harness-test: event=probe via logger$' 1 10 || die "logger's message did not arrive"
	ok "logger(1) under syslog_run reaches the listener"
	CC=${CC:-cc}
	if command -v "${CC%% *}" >/dev/null 2>&1; then
		cat >"$T/sl.c" <<-'EOF'
	#include <syslog.h>
	int main(void)
	{
		openlog("harness-c", LOG_PID, LOG_MAIL);
		syslog(LOG_WARNING, "event=block ip=%s", "127.0.0.2");
		syslog(LOG_INFO, "one\nmessage");
		closelog();
		return 0;
	}
	EOF
		$CC -o "$T/sl" "$T/sl.c" || hard_error "cannot compile a syslog(3) probe"
		syslog_run setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/sl" || die "probe failed"
		syslog_wait 'harness-c\[[0-9]+\]: one\\nmessage$' 1 10 || die "syslog(3) messages did not arrive"
		grep -q '^<20>.* harness-c\[[0-9]*\]: event=block ip=127.0.0.2$' "$SYSLOG_FILE" ||
			die "syslog(3) line: wrong priority or text"
		ok "syslog(3) of a C program (as nobody) reaches the listener, mail.warning = <20>, one line per message"
	else
		echo "note: no C compiler; the syslog(3) probe was not run"
	fi
	[ "$(ls -l --time-style=+ /dev/log 2>&1)" = "$devlog_before" ] || die "the host's /dev/log changed"
	ok "the host's /dev/log is untouched"

fi

echo "elapsed: $(($(date +%s) - t0)) s"
exit 0
