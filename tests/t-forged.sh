#!/bin/sh
# t-forged.sh - forged bounces: anyone can mail us a fake NDR saying "your
# IP is blocked".  Through a real Postfix (smtpd_milters and
# non_smtpd_milters, as documented) the forged NDRs arrive over SMTP from
# 127.0.0.1 (swaks, and Python's smtplib for the flood), MAIL FROM:<>,
# multipart/report with a Microsoft S3150 Diagnostic-Code, dressed up as
# our own Postfix's notice (Reporting-MTA our host name,
# X-Postfix-Queue-ID).  Postfix's own notices come through
# non_smtpd_milters from "127.0.0.1" port 0; an SMTP client from 127.0.0.1
# has a port, so it must not pass for one.  Checked:
#   - an NDR naming a foreign IP: one event=unverified-report line, no
#     event=block, no alert mail;
#   - naming our outbound IP (127.0.0.2): event=block and one alert;
#   - from a trusted_relays entry (miltertest on an SMTP-looking
#     connection from it), naming a foreign IP: event=block and one alert;
#     from a client whose host name is a trusted_relays entry: trusted when
#     the MTA verified the name ({client_resolve} OK), not when it says
#     FORGED (Sendmail passes an unverified PTR name);
#   - a flood: 1000 forged NDRs through Postfix (FORGED_FLOOD_POSTFIX;
#     about 300 a second here) and 10,000 straight to the
#     milter on an SMTP-looking connection (miltertest: a client address
#     and a non-zero port) -> the unverified-report lines stay within the
#     rate limit (at most 10 per minute, plus "suppressed=N" summaries), no
#     mail is sent, every NDR is delivered to its recipient (mail flow
#     untouched) and the milter answered continue/accept to all.
#
# Needs root, Postfix, swaks, miltertest, python3 and mount namespaces.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
. "$here/lib/milterd.sh"

reason=$(pf_require) || skip "$reason"
need_cmd swaks miltertest python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
make_tmpdir
t0=$(date +%s)
md_init
md_syslog || hard_error "no syslog listener"
FORGE="python3 $MD_PY/forgedndr.py"
FLOOD_PF=${FORGED_FLOOD_POSTFIX:-1000}
FLOOD_MT=10000

die() {
	echo "--- syslog (tail)"
	tail -n 20 "$SYSLOG_FILE" 2>/dev/null
	echo "--- postfix maillog (tail)"
	tail -n 10 "$PF_MAILLOG" 2>/dev/null
	fail "$*"
}
okt() { # MESSAGE - ok, with the seconds since the start
	ok "$* [$(($(date +%s) - t0)) s]"
}
# events NAME [FIXED-TEXT] - syslog lines with event=NAME (and the text)
events() {
	grep -F "event=$1 " "$SYSLOG_FILE" | grep -c -F -- "${2:-event=}"
}

# --- Postfix with the milter
pf_create || hard_error "pf_create failed"
pf_milter "$MD_SOCKET"
pf_start || hard_error "the private Postfix instance did not start"
MD_PFETC=$PF_ETC
{
	md_conf_base
	cat <<EOF
socket_owner = "${MD_USER:+$MD_USER:postfix}"
socket_mode = "0660"
outbound_ips = {"127.0.0.2"}
trusted_relays = {"198.51.100.25", "relay.example.net"}
EOF
	md_alert_conf "/usr/sbin/sendmail -oi -t"
} >"$MD_CONF"
"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null || die "the test configuration does not check"
md_start
okt "milter on $MD_SOCKET, Postfix on 127.0.0.1:$PF_PORT"

# --- 1. a forged NDR naming a foreign IP
$FORGE write "$T/foreign.eml" 198.51.100.77
pf_swaks --silent 2 --from '<>' --to sender@example.org --data @"$T/foreign.eml" ||
	die "Postfix refused the forged NDR"
syslog_wait 'event=unverified-report ip=198\.51\.100\.77 ' 1 30 || die "no unverified-report"
grep -F 'event=unverified-report ip=198.51.100.77 ' "$SYSLOG_FILE" | grep -q -F 'client=127.0.0.1 ' ||
	die "the unverified-report line does not name the client"
pf_wait_mail sender 1 30 || die "the forged NDR was not delivered"

# --- 2. naming our outbound IP, and 3. from a trusted relay
$FORGE write "$T/ours.eml" 127.0.0.2
pf_swaks --silent 2 --from '<>' --to sender@example.org --data @"$T/ours.eml" ||
	die "Postfix refused the NDR naming our IP"
md_bounces -D client=198.51.100.25 -D ip=203.0.113.250 -D first=900000 \
	>"$T/mt0.out" 2>&1 || { cat "$T/mt0.out"; die "miltertest: trusted relay"; }
md_bounces -D client=198.51.100.99 -D clientname=relay.example.net -D resolve=FORGED \
	-D ip=203.0.113.251 -D first=900001 >"$T/mt0.out" 2>&1 ||
	{ cat "$T/mt0.out"; die "miltertest: forged relay name"; }
md_bounces -D client=198.51.100.99 -D clientname=relay.example.net -D resolve=OK \
	-D ip=203.0.113.252 -D first=900002 >"$T/mt0.out" 2>&1 ||
	{ cat "$T/mt0.out"; die "miltertest: verified relay name"; }
syslog_wait 'event=alert-sent ip=127\.0\.0\.2 ' 1 30 || die "no alert for our IP"
syslog_wait 'event=alert-sent ip=203\.0\.113\.250 ' 1 30 || die "no alert for the trusted relay's report"
syslog_wait 'event=alert-sent ip=203\.0\.113\.252 ' 1 30 || die "no alert for the verified relay name"
syslog_wait 'event=unverified-report ip=203\.0\.113\.251 ' 1 30 || die "no unverified-report for the forged relay name"
pf_wait_mail admin 3 30 || die "the 3 alerts were not delivered"
[ "$(events block 'ip=203.0.113.251 ')" = 0 ] || die "a forged PTR name passed for the trusted relay"
[ "$(events unverified-report 'ip=198.51.100.77 ')" = 1 ] || die "not one unverified-report line"
[ "$(events block 'ip=198.51.100.77 ')" = 0 ] || die "the forged NDR raised event=block"
okt "forged NDR over SMTP naming a foreign IP: 1 unverified-report line, no block, no alert"
okt "naming our outbound IP: event=block and an alert; from a trusted relay (by IP, by verified name): event=block and an alert; by a FORGED name: unverified-report"

# --- 4. the flood
tf=$(date +%s)
$FORGE flood "$PF_PORT" sender@example.org "$FLOOD_PF" 1 >"$T/flood.out" 2>&1 ||
	{ cat "$T/flood.out"; die "the flood through Postfix failed"; }
okt "$FLOOD_PF forged NDRs sent through Postfix"
md_bounces -D client=198.51.100.7 -D ip=seq -D first=1000 -D count=$FLOOD_MT \
	-D perconn=1000 -D ordinary=yes >"$T/mt1.out" 2>&1 ||
	{ cat "$T/mt1.out"; die "miltertest: the flood"; }
okt "$FLOOD_MT forged bounces straight to the milter: every reply continue or accept"
pf_wait_mail sender $((FLOOD_PF + 2)) 120 || die "not every forged NDR was delivered"
pf_wait_queue_empty 60 || die "the queue did not empty"
# The last NDR has passed the milter; one more report after a minute
# boundary would log the pending summary: not waited for.
te=$(date +%s)
sleep 2
logged=$(grep -F 'event=unverified-report ' "$SYSLOG_FILE" | grep -c -v -F 'suppressed=')
summaries=$(grep -c -F 'event=unverified-report suppressed=' "$SYSLOG_FILE")
suppressed=$(sed -n 's/.*event=unverified-report suppressed=\([0-9]*\) .*/\1/p' "$SYSLOG_FILE" |
	awk '{ s += $1 } END { print s + 0 }')
minutes=$((te / 60 - t0 / 60 + 1))
total=$((2 + FLOOD_PF + FLOOD_MT))
[ "$logged" -ge 1 ] && [ "$logged" -le $((10 * minutes)) ] ||
	die "$logged unverified-report lines in $minutes minute(s): over 10 a minute"
[ $((logged + suppressed)) -le "$total" ] || die "$logged logged + $suppressed suppressed > $total reports"
# All in one minute: the limit was reached, exactly.
[ "$minutes" -gt 1 ] || [ "$logged" = 10 ] || die "$logged unverified-report lines in one minute, want 10"
[ "$(pf_mail_count admin)" = 3 ] || die "$(pf_mail_count admin) mails to admin, want the 3 alerts"
[ "$(grep -c -F 'event=block ' "$SYSLOG_FILE")" = 3 ] || die "event=block lines besides the 3 trusted ones"
[ "$(grep -c -F 'event=alert-sent ' "$SYSLOG_FILE")" = 3 ] || die "alerts besides the 3 trusted ones"
okt "$total forged reports in $((te - tf + 1)) s: $logged unverified-report lines + $summaries summaries ($suppressed suppressed), within 10/min over $minutes minute(s); no mail; all $((FLOOD_PF + 2)) NDRs delivered"

kill -0 "$MD_PID" || die "the daemon died"
md_smoke || die "the daemon does not answer"
python3 "$MD_PY/logcheck.py" "$SYSLOG_FILE" >"$T/logcheck.out" ||
	{ cat "$T/logcheck.out"; die "malformed syslog lines"; }
okt "syslog: $(cat "$T/logcheck.out"), each one line, events key=value"
md_stop KILL
echo "t-forged: $(($(date +%s) - t0)) s"
exit 0
