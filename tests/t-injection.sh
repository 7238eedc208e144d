#!/bin/sh
# t-injection.sh - hostile bounce texts and log lines through the real
# daemon, the alerts through a real Postfix.
#
# tests/lib/hostile.py writes bounces and Postfix log lines that are real
# S3150 refusals, each naming its own IP, carrying CR, LF, CR LF + "Bcc:"
# and other header names, the alert's MIME boundary prefix, NULs, 1 MB
# lines, invalid UTF-8, terminal escapes, and shell syntax ($(...),
# backticks, ;, |, a leading -) in the reply, the recipient, the host
# names and the queue id.  The bounces go to the milter with miltertest:
# on a connection without a client address and with X-Postfix-Queue-ID
# (a local, non-SMTP submission, as Postfix's own notices are trusted),
# and one more over an SMTP-looking connection (miltertest sends a
# non-zero port) naming our outbound IP, with a hostile queue id macro.
# The log lines are appended to the maillog the daemon follows.  The
# daemon mails its alerts with /usr/sbin/sendmail -oi -t of a private
# Postfix instance (tests/lib/postfix.sh) to a local Maildir; its syslog
# goes to a listener of ours.  Checked:
#   - one alert per case, each parsing with Python's email package as one
#     well-formed message with exactly the alert's own header set and
#     exactly one recipient; Postfix delivered to nobody else;
#   - no /tmp/pwned-* file appeared (no shell ever ran the text);
#   - every syslog line of the daemon is one line without control
#     characters, valid UTF-8, and each event line is key=value;
#   - the daemon is alive and answers.
#
# Needs root, Postfix, miltertest, python3 and mount namespaces.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
. "$here/lib/milterd.sh"

reason=$(pf_require) || skip "$reason"
need_cmd miltertest python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
make_tmpdir
t0=$(date +%s)
TAG=$$
rm -f /tmp/pwned-"$TAG"*
at_exit "rm -f /tmp/pwned-$TAG*"
md_init
md_syslog || hard_error "no syslog listener"

die() {
	echo "--- syslog (tail)"
	tail -n 20 "$SYSLOG_FILE" 2>/dev/null
	echo "--- milter stderr (tail)"
	tail -n 20 "$MD_LOG" | cut -c 1-300
	echo "--- postfix maillog (tail)"
	tail -n 10 "$PF_MAILLOG" 2>/dev/null
	fail "$*"
}

# --- Postfix, for the alerts only (no milter in it)
pf_create || hard_error "pf_create failed"
pf_start || hard_error "the private Postfix instance did not start"
MD_PFETC=$PF_ETC

MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"
# The hostile reports name these IPs (hostile.py) and come from hostile
# host names: they are believed because the IPs are ours (a foreign IP
# from a host that is not Microsoft's is only logged: see t-plausible.sh).
ips='"192.0.2.10"'
i=0
while [ "$i" -lt 16 ]; do ips="$ips, \"10.66.0.$i\", \"10.67.0.$i\""; i=$((i + 1)); done
{
	md_conf_base
	echo "maillog = \"$MAILLOG\""
	echo "outbound_ips = {$ips}"
	md_alert_conf "/usr/sbin/sendmail -oi -t"
	cat <<EOF
contact {
	name = "Alex Admin"
	email = "alex@example.net"
	sending_domain = "example.org"
}
EOF
} >"$MD_CONF"
"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null || die "the test configuration does not check"
md_start
wait_for 10 grep_file "following $MAILLOG" "$MD_LOG" || die "not following $MAILLOG"

# --- (a) hostile bounces through the milter
mkdir "$T/cases"
nb=$(python3 "$MD_PY/hostile.py" bounces "$T/cases" "$TAG") || hard_error "hostile.py"
md_bounces -D count="$nb" -D perconn=4 -D bodyfile="$T/cases/bounce.%d" \
	>"$T/mt1.out" 2>&1 || { cat "$T/mt1.out"; die "miltertest: hostile bounces"; }
# The same over SMTP: trusted because it names our outbound IP.
sed -e 's/10\.66\.0\.0\]/192.0.2.10]/g' -e 's/4XHOSTILE106600/4XHOSTILESMTP/' \
	"$T/cases/bounce.0" >"$T/cases/smtp.0"
md_bounces -D count=1 -D client=198.51.100.7 -D bodyfile="$T/cases/smtp.%d" \
	-D macro_i='$(touch /tmp/pwned-'"$TAG"'-m)`id`;|-X' \
	>"$T/mt2.out" 2>&1 || { cat "$T/mt2.out"; die "miltertest: hostile bounce over SMTP"; }
ok "$nb hostile bounces and one over SMTP: every milter reply continue or accept"

# --- (b) hostile log lines
python3 "$MD_PY/hostile.py" loglines "$TAG" >>"$MAILLOG" || hard_error "hostile.py"
nl=$(grep -c 'status=bounced' "$MAILLOG")
ok "$nl hostile log lines appended to the maillog"

# --- the alerts
want=""
i=0
while [ "$i" -lt "$nb" ]; do want="$want 10.66.0.$i"; i=$((i + 1)); done
i=0
while [ "$i" -lt "$nl" ]; do want="$want 10.67.0.$i"; i=$((i + 1)); done
want="$want 192.0.2.10"
n=0
for ip in $want; do
	n=$((n + 1))
	md_wait_event "event=alert-sent ip=$ip " 1 60 ||
		die "no alert sent for $ip (event=block: $(md_count "event=block ip=$ip "))"
done
pf_wait_mail admin "$n" 60 || die "not all $n alerts were delivered"
pf_wait_queue_empty 30 || die "the queue did not empty"
sleep 1
[ "$(pf_mail_count admin)" = "$n" ] || die "$(pf_mail_count admin) mails for admin, want $n"
k=0
for f in $(pf_mail_files admin); do
	k=$((k + 1))
	python3 "$MD_PY/alertinfo.py" "$f" "$T/body.$k" "$T/request.$k" >"$T/info.$k" ||
		{ cat "$T/info.$k"; die "alert $k ($f) is not one well-formed MIME message"; }
	python3 -c '
import re, sys
for f in sys.argv[1:]:
    t = open(f, encoding="utf-8").read()
    m = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", t)
    if m:
        sys.exit("%s: control character %r" % (f, m.group()))
' "$T/body.$k" "$T/request.$k" || die "alert $k: a control character in its text"
	hdrs=$(sed -n 's/^headers: //p' "$T/info.$k" | tr , '\n' | sort | tr '\n' ' ')
	[ "$hdrs" = "Auto-Submitted Content-Type Date From MIME-Version Message-ID Subject To X-Milter-Delist " ] ||
		{ cat "$T/info.$k"; die "alert $k: headers are $hdrs"; }
	grep -q -x "recipients: admin@example.org" "$T/info.$k" ||
		{ cat "$T/info.$k"; die "alert $k: recipients are not exactly admin@example.org"; }
	grep -q -x "defects: 0" "$T/info.$k" || die "alert $k: MIME defects"
	ip=$(sed -n 's/^header\.Subject: \[milter-delist\] \([0-9.]*\) blocked by Outlook\.com (S3150): delisting request attached$/\1/p' "$T/info.$k")
	[ -n "$ip" ] || { grep Subject "$T/info.$k"; die "alert $k: unexpected subject"; }
	grep -q -x "part.3: text/plain attachment delist-request-$ip.txt" "$T/info.$k" ||
		die "alert $k: no request attachment for $ip"
	echo "$ip" >>"$T/alerted"
done
got=$(sort "$T/alerted" | tr '\n' ' ')
exp=$(printf '%s\n' $want | sort | tr '\n' ' ')
[ "$got" = "$exp" ] || die "alerts for: $got; want one each for: $exp"
ok "$n alerts, one per case, each exactly its own 9 headers, one recipient, no MIME defect, no control character in body or request"

# Postfix delivered to admin only: no Bcc, To or Cc of the text took effect.
others=$(grep -E ' to=<' "$PF_MAILLOG" | grep -v -F ' to=<admin@example.org>')
[ -z "$others" ] || { echo "$others" | head -n 5; die "Postfix delivered to someone else"; }
grep -q -i 'evil' "$PF_MAILLOG" && die "an evil.example address reached Postfix"
ok "Postfix delivered to admin@example.org only ($(grep -c ' to=<admin@example.org>.*status=sent' "$PF_MAILLOG") deliveries)"

ls /tmp/pwned-"$TAG"* >/dev/null 2>&1 && die "a command ran: $(ls /tmp/pwned-"$TAG"*)"
ok "no /tmp/pwned-$TAG-* file: no shell ran any of the text"

kill -0 "$MD_PID" || die "the daemon died"
md_smoke || die "the daemon does not answer"
ok "the daemon is alive and answers"

python3 "$MD_PY/logcheck.py" "$SYSLOG_FILE" >"$T/logcheck.out" ||
	{ cat "$T/logcheck.out"; die "malformed syslog lines"; }
ok "syslog: $(cat "$T/logcheck.out"): each one line, no control character, valid UTF-8, events key=value"
md_stop KILL
echo "t-injection: $(($(date +%s) - t0)) s"
exit 0
