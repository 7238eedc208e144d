#!/bin/sh
# t-e2e-sendmail.sh - milter-delist with a real Sendmail, end to end.
#
# A private Sendmail 8.17 (tests/lib/sendmail.sh: Debian's .debs unpacked,
# never installed; configs built by m4 from tests/fixtures/sendmail/*.mc.in
# and contrib/sendmail/milter-delist.mc) relays everything to a fake
# Microsoft MX (tests/fakemx.py), first from 127.0.0.2, then, after the
# outbound IP is changed and Sendmail restarted, from 127.0.0.3. Mail is
# submitted the Debian way: the sendmail command (the MSP) relays it over
# SMTP to the daemon (sm-mta), whose milter is milter-delist. The milter
# runs as nobody, follows the mail log (the syslog of sm-mta, sendmail and
# milter-delist itself, written as rsyslog writes Debian's
# /var/log/mail.log) and mails its alerts through that same sendmail
# command, to a local mailbox.
#
# Sendmail never passes its own DSNs through milters, so here the log is
# the only evidence. Checked: S3150 refusals at MAIL FROM (stat=Service
# unavailable) and at RCPT TO (stat=User unknown), with the reply cut in
# the middle of the log line, give exactly one event=block
# source=sendmail-log and one alert mail with the request attached; the
# bounces Sendmail sends back never reach the milter; the alert lists the
# sender of the SMTP submissions (volume); the reminder's request quotes the
# longest reply text of the incident; a 4.7.650 deferral (stat=Deferred:)
# from the new IP is a second incident with one event=ratelimit and one
# alert, however often Sendmail retries; the submission program's hand-over
# to the local daemon ("stat=Sent (... Message accepted for delivery)")
# is no delivery to Microsoft and clears nothing; mail still flows when the
# milter is dead (no F= flag).
#
# Needs root, python3, swaks, mount and UTS namespaces (unshare), m4, and
# the Sendmail .debs (apt-get download; contrib/install-deps.sh caches them).

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
. "$here/lib/fakemx.sh"
. "$here/lib/sendmail.sh"
export FAKEMX="$here/fakemx.py"
export SYSLOG_PY="$here/lib/syslog-listener.py"
ALERTINFO=$here/lib/alertinfo.py

need_root
need_cmd swaks python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
make_tmpdir
t0=$(date +%s)
reason=$(sm_require) || skip "$reason"

diag() {
	echo "--- mail.log (tail)"
	tail -n 40 "$SYSLOG_FILE" 2>/dev/null
	echo "--- milter stderr (tail)"
	tail -n 20 "$T/milter.err" 2>/dev/null
	echo "--- queue"
	sm_queue 2>&1 | tail -n 20
}
die() {
	diag
	fail "$*"
}

# --- the fake MX, the log, the Sendmail instance
fakemx_start || hard_error "fakemx.py did not start"
fakemx_rules '* accept'
SYSLOG_PLAIN=yes syslog_start "$T/mail.log" || hard_error "syslog listener did not start"
SM_SMART_PORT=$FAKEMX_PORT
sm_create || hard_error "sm_create failed"
mkdir -m 0755 "$T/milter"
chown nobody "$T/milter" # like systemd's RuntimeDirectory for User=
sm_milter "local:$T/milter/milter.sock" || hard_error "sm_milter failed"
grep -q "^Xmilter-delist, S=local:$T/milter/milter.sock, T=C:10s;S:10s;R:10s;E:1m\$" "$SM_ETC/sendmail.cf" ||
	fail "contrib/sendmail/milter-delist.mc does not give the X line: $(grep '^Xmilter' "$SM_ETC/sendmail.cf")"
grep -q '^O InputMailFilters=milter-delist$' "$SM_ETC/sendmail.cf" ||
	fail "contrib/sendmail/milter-delist.mc does not list the filter in InputMailFilters"
ok "sendmail.cf built by m4 with contrib/sendmail/milter-delist.mc (Sendmail $(sm_version))"

# --- the milter
CONF=$T/milter-delist.conf
cat >"$CONF" <<EOF
socket = "local:$T/milter/milter.sock"
user = "nobody"
state_file = "$T/state/state"
log_level = "debug"
maillog = "$SM_MAILLOG"
outbound_ips = {"127.0.0.2", "127.0.0.3"}
alert {
	to = "admin@$SM_MYDOMAIN"
	from = "milter-delist@$SM_MYDOMAIN"
	sendmail = "$SM_BIN -C $SM_ETC/submit.cf -oi -t"
	reminder = "15s"
	clear_after = "3s"
	retry = "2s"
}
contact {
	name = "Alex Admin"
	email = "alex@example.net"
	timezone = "(UTC+01:00) Berlin"
	sending_domain = "$SM_MYDOMAIN"
	server_type = "dedicated"
}
EOF
"$MILTER_DELIST" -t -c "$CONF" >/dev/null || fail "the test configuration does not check"

# The milter runs as the instance's host (sm_run): its alerts go through
# the MSP, which would sleep 60 s on an unqualified host name.
start_milter() {
	sm_n=$(grep -c 'milter-delist\[.*event=start' "$SYSLOG_FILE")
	sm_exec "$MILTER_DELIST" -f -c "$CONF" >>"$T/milter.out" 2>>"$T/milter.err" &
	MPID=$!
	at_exit "kill -9 $MPID"
	syslog_wait 'milter-delist\[.*event=start' $((sm_n + 1)) 20 || die "the milter did not start"
	wait_for 10 test -S "$T/milter/milter.sock" || die "no milter socket"
}
stop_milter() { # SIGNAL
	kill "-$1" "$MPID" 2>/dev/null
	wait_gone 30 "$MPID" || die "the milter did not stop after $1"
	wait "$MPID" 2>/dev/null
}
# events NAME [MORE-FIXED-TEXT] - number of milter lines with event=NAME
events() {
	if [ -n "${2:-}" ]; then
		grep -F 'milter-delist[' "$SYSLOG_FILE" | grep -F "event=$1 " | grep -F -c -- "$2"
	else
		grep -F 'milter-delist[' "$SYSLOG_FILE" | grep -F -c "event=$1 "
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
alerts() { # SUBJECT-TEXT - alert mails in the admin's mailbox with it
	for am_f in $(sm_mail_files admin); do
		grep -F -q -- "$1" "$am_f" && echo "$am_f"
	done
}
count_lines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}
# replies DOMAIN - the reply= texts of sm-mta's lines for DOMAIN, one a line
replies() {
	grep -F 'sm-mta[' "$SYSLOG_FILE" | grep -F "@$1>, " | grep -F ' reply=' |
		sed 's/.* reply=\(.*\), stat=.*/\1/'
}

start_milter
sm_start || hard_error "the private Sendmail did not start"
ok "milter running as $(ps -o user= -p "$MPID" | tr -d ' ') on $T/milter/milter.sock, sm-mta on 127.0.0.1:$SM_PORT"

# --- 1. S3150 from 127.0.0.2 -----------------------------------------------
# First at RCPT TO, then at MAIL FROM: Sendmail cuts the reply shorter in
# the first case, so the first finding is not the longest text.
fakemx_rules 'hotmail.com rcpt S3150' '* accept'
m=$(sm_send "sender@$SM_MYDOMAIN" "carol@hotmail.com" "to hotmail rcpt") || die "sendmail (MSP) failed"
q=$(sm_qid "$m") || die "no queue id for the hotmail message"
# The submission reached sm-mta over SMTP and passed the milter
# (Milter.LogLevel 14 logs each conversation).
sm_wait_log "sm-mta\[[0-9]+\]: $q: from=<sender@example\.org>, .*proto=ESMTP, daemon=MTA-v4, relay=localhost \[127\.0\.0\.1\]" 10 >/dev/null ||
	die "the submission did not reach sm-mta over SMTP"
sm_wait_log "sm-mta\[[0-9]+\]: $q: Milter accept: message" 10 >/dev/null ||
	die "the submission did not pass the milter"
sm_wait_log 'sm-mta\[[0-9]+\]: [A-Za-z0-9]+: to=<carol@hotmail\.com>, .*, dsn=5\.7\.1, reply=550 5\.7\.1 Unfortunately, messages from \[127\.0\.0\.2\] weren.t sent\. Please .*\.\.\..*, stat=User unknown$' 30 >/dev/null ||
	die "the refusal at RCPT TO is not stat=User unknown"
ok "the submission program relayed over SMTP to sm-mta, and the milter saw it"
ok "S3150 at RCPT TO: stat=User unknown, reply= cut in the middle (S-code lost)"
# Sendmail does not pipeline RCPT TO behind MAIL FROM: at MAIL FROM the
# fake MX cannot know the domain yet, and only its "*" lines apply.
fakemx_rules '* mail S3150'
n=1
for rcpt in alice bob dave; do
	sm_send "sender@$SM_MYDOMAIN" "$rcpt@hotmail.com" "to hotmail $n" >/dev/null ||
		die "sendmail (MSP) failed"
	sm_wait_log_count 'sm-mta\[[0-9]+\]: [A-Za-z0-9]+: to=<[^>]*@hotmail\.com>, .*, dsn=5\.7\.1, reply=550 5\.7\.1 Unfortunately, messages from \[127\.0\.0\.2\] weren.t sent\. Please .*\.\.\..*, stat=Service unavailable$' \
		"$n" 30 >/dev/null || die "hotmail message $n was not refused at MAIL FROM"
	n=$((n + 1))
done
ok "S3150 at MAIL FROM: stat=Service unavailable"

wait_events block 'ip=127.0.0.2 provider=microsoft-consumer kind=block code=5.7.1 status=5.7.1 rcpt_domain=hotmail.com source=sendmail-log' 1 30 ||
	die "no event=block source=sendmail-log for 127.0.0.2"
wait_events alert-sent 'ip=127.0.0.2 provider=microsoft-consumer' 1 30 || die "no alert sent for 127.0.0.2"
sm_wait_mail admin 1 30 || die "no alert mail in the admin's mailbox"
# Sendmail's bounces went to the sender's mailbox without the milter.
sm_wait_mail sender 4 30 || die "Sendmail sent no bounce for each refused message"
dsn_q=$(grep -F 'sm-mta[' "$SYSLOG_FILE" | sed -n 's/.*: [A-Za-z0-9]*: \([A-Za-z0-9]*\): DSN: .*/\1/p')
[ "$(count_lines "$dsn_q")" -ge 4 ] || die "no 'DSN:' lines in the log"
for q in $dsn_q; do
	grep -F "$q" "$SYSLOG_FILE" | grep -F "$q: to=\"|$SM_DIR/deliver sender\"" | grep -q 'stat=Sent$' ||
		die "Sendmail's bounce $q was not delivered to the sender"
	grep -q -F "$q: Milter" "$SYSLOG_FILE" &&
		die "Sendmail's own bounce $q passed through the milter"
done
grep -F 'milter-delist[' "$SYSLOG_FILE" | grep -q 'source=dsn' &&
	die "a bounce reached the milter"
ok "Sendmail's own bounces (DSN: lines) never reached the milter; the log was the source"

# The alert itself passes the milter (MSP -> SMTP -> sm-mta) and raises nothing.
sleep 2
aq=$(grep -F 'sm-mta[' "$SYSLOG_FILE" |
	sed -n "s/.*: \([A-Za-z0-9]*\): from=<milter-delist@$SM_MYDOMAIN>, .*/\1/p" | head -n 1)
[ -n "$aq" ] && grep -q -F "$aq: Milter accept: message" "$SYSLOG_FILE" ||
	die "the alert did not reach sm-mta over SMTP through the milter"
n=$(events block 'ip=127.0.0.2')
[ "$n" = 1 ] || die "$n event=block lines for 127.0.0.2, want exactly 1"
f=$(alerts '127.0.0.2 blocked by Outlook.com')
[ "$(count_lines "$f")" = 1 ] || die "$(count_lines "$f") alert mails for the S3150 block, want exactly 1"
ok "4 refusals: 1 event=block line, 1 alert mail (which passed the milter, unparsed)"

python3 "$ALERTINFO" "$f" "$T/body.txt" "$T/request.txt" >"$T/alert.info" ||
	{ cat "$T/alert.info"; die "the alert is not well-formed MIME"; }
# Sendmail's MSP adds X-Authentication-Warning (nobody, -C, -f) on the way.
hdrs=$(sed -n 's/^headers: //p' "$T/alert.info" | tr , '\n' | grep -v -x X-Authentication-Warning |
	sort | tr '\n' ' ')
[ "$hdrs" = "Auto-Submitted Content-Type Date From MIME-Version Message-ID Subject To X-Milter-Delist " ] ||
	die "alert headers are: $hdrs"
for want in \
	"recipients: admin@$SM_MYDOMAIN" \
	"header.X-Milter-Delist: alert" \
	"header.Subject: [milter-delist] 127.0.0.2 blocked by Outlook.com (5.7.1): delisting request attached" \
	"part.1: multipart/mixed" \
	"part.2: text/plain" \
	"part.3: text/plain attachment delist-request-127.0.0.2.txt" \
	"defects: 0"; do
	grep -q -F -x -- "$want" "$T/alert.info" || { cat "$T/alert.info"; die "alert: missing \"$want\""; }
done
head -n 1 "$f" | grep -q "^From milter-delist@$SM_MYDOMAIN " ||
	die "alert envelope sender is not alert.from: $(head -n 1 "$f")"
grep -q '^X-Authentication-Warning: .* set sender to .* using -f' "$f" &&
	die "the milter's user is not trusted to set the sender (confTRUSTED_USERS)"
for want in "127.0.0.2" "hotmail.com" "Alex Admin" "alex@example.net" \
	"Server IP Listed / Non-Delivery Returned Mail" \
	"550 5.7.1 Unfortunately, messages from [127.0.0.2] weren't sent. Please contact your Internet"; do
	grep -q -F -- "$want" "$T/request.txt" || { cat "$T/request.txt"; die "request: missing \"$want\""; }
done
replies hotmail.com >"$T/replies"
q=0
while IFS= read -r r; do
	grep -q -F -- "$r" "$T/request.txt" && q=1
done <"$T/replies"
[ "$q" = 1 ] || { cat "$T/request.txt"; die "the request quotes none of the reply= texts of the log verbatim"; }
grep -q -F "sender@$SM_MYDOMAIN" "$T/body.txt" ||
	{ cat "$T/body.txt"; die "alert body lacks the per-sender volume: the milter did not see the submissions"; }
ok "alert: MIME, subject (5.7.1), envelope sender, request with a verbatim reply= text"
ok "alert body: outbound volume names sender@$SM_MYDOMAIN (SMTP submissions seen by the milter)"

# --- 2. 4.7.650 from 127.0.0.3, after a change of outbound IP ----------------
SM_BIND_ADDRESS=127.0.0.3
sm_build || die "sm_build failed"
sm_restart || die "Sendmail did not restart"
fakemx_rules '* mail 4.7.650'
mark=$(sm_log_mark)
m=$(sm_send "sender@$SM_MYDOMAIN" bob@outlook.com "to outlook") || die "sendmail (MSP) failed"
q=$(sm_qid "$m") || die "no queue id for the outlook.com message"
sm_wait_log "sm-mta\[[0-9]+\]: $q: to=<bob@outlook\.com>, .*, dsn=4\.7\.650, reply=451 4\.7\.650 The mail server \[127\.0\.0\.3\] .*, stat=Deferred: 451 4\.7\.650 " 30 "$mark" >/dev/null ||
	die "outlook.com not deferred with stat=Deferred: 451 4.7.650"
# The submission program handed the message to sm-mta: a "Sent" to our
# own daemon, not to Microsoft.
sm_wait_log "sendmail\[[0-9]+\]: [A-Za-z0-9]+: to=bob@outlook\.com, .*mailer=relay, .*stat=Sent \($q Message accepted for delivery\)" 10 "$mark" >/dev/null ||
	die "no MSP hand-over line"
wait_events ratelimit 'ip=127.0.0.3 provider=microsoft-consumer kind=ratelimit code=4.7.650 status=4.7.650 rcpt_domain=outlook.com source=sendmail-log' 1 30 ||
	die "no event=ratelimit source=sendmail-log for 127.0.0.3"
wait_events alert-sent 'ip=127.0.0.3' 1 30 || die "no alert for the rate limit"
# Sendmail retries every 5 s: two more deferrals, still one event.
sm_wait_log_count "sm-mta\[[0-9]+\]: $q: to=<bob@outlook\.com>, .*stat=Deferred: 451 4\.7\.650 " 3 30 "$mark" >/dev/null ||
	die "Sendmail did not retry the deferred message"
sleep 1
n=$(events ratelimit 'ip=127.0.0.3')
[ "$n" = 1 ] || die "$n event=ratelimit lines for 127.0.0.3, want exactly 1"
f=$(alerts '127.0.0.3 rate limited by Outlook.com')
[ "$(count_lines "$f")" = 1 ] || die "$(count_lines "$f") alert mails for the rate limit, want exactly 1"
ok "4.7.650 after an IP change: stat=Deferred:, retried, 1 event=ratelimit, 1 alert"

# The MSP's "Sent" lines for hotmail/outlook.com are no success at Microsoft:
# the 127.0.0.2 block must not be cleared by them (clear_after = 3s).
[ "$(events cleared 'ip=127.0.0.2')" = 0 ] ||
	die "the submission program's hand-over to sm-mta cleared the 127.0.0.2 block"
ok "the MSP's hand-over (mailer=relay, stat=Sent) cleared nothing"

# --- 3. the reminder quotes the longest reply text -----------------------------
wait_events reminder 'ip=127.0.0.2 provider=microsoft-consumer' 1 30 || die "no reminder event"
wait_for 20 sh -c "grep -l -F 'still blocked' $SM_MAILDIR/admin/new/* >/dev/null" ||
	die "no reminder mail"
f=$(alerts '127.0.0.2 still blocked' | head -n 1)
python3 "$ALERTINFO" "$f" "$T/body.txt" "$T/request.txt" >"$T/alert.info" ||
	die "the reminder is not well-formed MIME"
longest=$(replies hotmail.com | awk '{ if (length($0) > length(l)) l = $0 } END { print l }')
shortest=$(replies hotmail.com | awk 'NR == 1 || length($0) < length(s) { s = $0 } END { print s }')
[ "${#longest}" -gt "${#shortest}" ] || die "all reply texts are equally long: nothing to prove"
grep -q -F -- "$longest" "$T/request.txt" ||
	{ cat "$T/request.txt"; die "the reminder's request does not quote the longest reply text: $longest"; }
ok "reminder: the request quotes the longest of $(replies hotmail.com | wc -l) cut reply texts (${#longest} vs ${#shortest} chars)"

# Every line of ours is one key=value event line.
grep -F 'milter-delist[' "$SYSLOG_FILE" | grep -F 'event=' | grep -v -E 'event=[a-z-]+ ' &&
	die "a malformed event line"

# --- 4. mail flows while the milter is dead ---------------------------------
stop_milter KILL
fakemx_rules '* accept'
mark=$(sm_log_mark)
m=$(sm_send "sender@$SM_MYDOMAIN" friend@live.com "milter dead") || die "sendmail (MSP) failed"
q=$(sm_qid "$m") || die "no queue id while the milter is dead"
sm_wait_log "sm-mta\[[0-9]+\]: $q: to=<friend@live\.com>, .*stat=Sent \(" 30 "$mark" >/dev/null ||
	die "mail did not flow without the milter"
sm_wait_log "sm-mta\[[0-9]+\]: [A-Za-z0-9]+: Milter \(milter-delist\): to error state" 5 "$mark" >/dev/null ||
	die "Sendmail did not notice the dead milter"
m2="dead.$$@client.example.net"
sm_swaks --silent 2 --from "sender@$SM_MYDOMAIN" --to friend2@live.com \
	--header "Message-ID: <$m2>" >/dev/null 2>&1 || die "SMTP submission refused while the milter is dead"
q=$(sm_qid "$m2") || die "no queue id"
sm_wait_log "sm-mta\[[0-9]+\]: $q: to=<friend2@live\.com>, .*stat=Sent \(" 30 "$mark" >/dev/null ||
	die "SMTP mail did not flow without the milter"
ok "milter killed: submitted and SMTP mail still delivered (no F= flag)"

echo "t-e2e-sendmail: $(($(date +%s) - t0)) s"
exit 0
