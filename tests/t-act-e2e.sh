#!/bin/sh
# t-act-e2e.sh - the real daemon keeps mail moving while an IP is blocked:
# reroute, probe, clear, flush, with a real Postfix (issue 15's proof)
#
# A private Postfix (tests/lib/postfix.sh) sends from 127.0.0.2 to a fake
# Microsoft MX (tests/fakemx.py --blocked-clients) that refuses 127.0.0.2
# with S3150 naming the client's IP and can be told to accept again; the
# backup relay is smtp-sink.  milter-delist runs as nobody, follows
# Postfix's maillog, and has reroute, probe and flush switched on;
# /etc/postfix is this instance's (a mount namespace, ns.sh) so that
# postmap and postqueue -f address it.  Probes are started by SIGUSR2
# (probe.interval is at least 300 s).
#
# Checked:
#  1. at start the daemon creates the (empty) table that the shipped
#     contrib/postfix/reroute.main.cf names;
#  2. the first message to hotmail.com bounces (S3150); the daemon opens
#     the incident, writes the decision (event=reroute action=set);
#     later mail to hotmail.com arrives at the relay and none bounces;
#  3. milter-delist killed with -9: mail to hotmail.com still leaves at
#     once (the table stays); restarted, the decision is restored;
#  4. a probe is refused (event=probe-refused naming 127.0.0.2), and the
#     reminder says where the mail goes and quotes the refusal;
#  5. the MX accepts again: a probe sees it (probe-ok), the incident
#     clears, the table is emptied (action=clear), postqueue -f runs
#     (event=flush), new mail goes direct;
#  6. hold on (contrib/postfix/hold.regexp) and reroute off: the refused
#     message is deferred, not bounced, and waits (retries an hour apart);
#     the reminder counts it (postqueue -j); the MX accepts again, the
#     probe clears the incident, the flush makes the message leave.
# The timeline (seconds) is printed at the end.  No timing assertions.
#
# Needs root, Postfix (postmap, smtp-sink), python3, mount namespaces.

case $0 in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
. "$here/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/fakemx.sh"
. "$here/lib/sink.sh"
. "$here/lib/act.sh"
. "$here/lib/ns.sh"
. "$here/lib/milterd.sh"
export FAKEMX="$here/fakemx.py"
top=$here/..

reason=$(pf_require) || skip "$reason"
need_cmd smtp-sink
need_cmd python3
[ -x /usr/sbin/postmap ] || skip "postmap is not installed"
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
ns_usable || skip "mount namespaces are not usable here"

diag_more() {
	echo "--- milter-delist (tail)"
	tail -n 40 "$MD_LOG" 2>/dev/null
	echo "--- table"
	cat "$TABLE" 2>/dev/null
}
# mail_text - the decoded text of every captured alert mail
mail_text() {
	md_mails | python3 -c '
import email, email.policy, sys
for f in sys.stdin.read().split():
    with open(f, "rb") as fp:
        m = email.message_from_binary_file(fp, policy=email.policy.default)
    for part in m.walk():
        if part.get_content_type() == "text/plain":
            print(part.get_content())
'
}

# --- the fake MX (blocks 127.0.0.2), the backup relay, Postfix
act_start
pf_start || hard_error "the private Postfix instance did not start"
chmod 0644 "$PF_MAILLOG"

# --- milter-delist: nobody, following the maillog, reroute/probe/flush on
md_init
MD_PFETC=$PF_ETC
mkdir -m 0755 "$T/reroute"
chown nobody "$T/reroute"
TABLE=$T/reroute/reroute
write_conf() { # TRANSPORT
	{
		md_conf_base
		cat <<EOF
maillog = "$PF_MAILLOG"
outbound_ips = {"127.0.0.2"}
reroute {
	transport = "$1"
	table = "$TABLE"
}
probe {
	interval = "1h"
	sender = "probe@example.org"
	helo = "mail.example.org"
	port = $FAKEMX_PORT
	timeout = "10s"
}
flush {
	command = "/usr/sbin/postqueue -f"
}
EOF
		MD_CLEAR_AFTER=1s md_alert_conf | sed 's/^}$/	reminder = "6s"\n}/'
	} >"$MD_CONF"
	"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null ||
		hard_error "the test configuration does not check"
}
write_conf "smtp:[127.0.0.1]:$SINK_PORT"
md_start
wait_for 20 test -f "$TABLE.db" || die "the daemon did not create $TABLE.db"
ok "1. milter-delist created the empty table at start"

# The shipped fragment, with this instance's paths.
frag=$top/contrib/postfix/reroute.main.cf
grep -v '^#' "$frag" | grep . |
	sed -e "s|/var/lib/milter-delist/reroute|$TABLE|" \
		-e "s|hash:/etc/postfix/transport|texthash:$PF_ETC/transport|" \
		>"$T/fragment"
while IFS= read -r l; do
	pf_set "$l" || die "postconf -e $l"
done <"$T/fragment"
pf_reload

# --- 2. first refusal -> reroute
mark=$(pf_log_mark)
mid=$(pf_send sender@example.org first@hotmail.com "first")
q=$(pf_qid "$mid") || die "no queue id"
pf_wait_log "$q: to=<first@hotmail.com>, .*status=bounced .*S3150" 30 >/dev/null ||
	die "the first message did not bounce with S3150"
t_refused=$(now)
md_wait_event 'event=reroute action=set ip=127.0.0.2 provider=microsoft-consumer transport=smtp:[127.0.0.1]' 1 30 ||
	die "no event=reroute action=set"
t_reroute=$(now)
md_count 'result=ok' | grep -qv '^0$' || die "the reroute failed"
grep -q "^hotmail.com smtp:\[127.0.0.1\]:$SINK_PORT" "$TABLE" ||
	die "hotmail.com is not in the table"
ok "2. block seen, table written: $(grep 'event=reroute' "$MD_LOG" | head -n 1 | sed 's/.*event=/event=/' | cut -c1-110)"
changed "$mark" || die "trivial-rewrite did not notice the table"
t_noticed=$(now)

mark=$(pf_log_mark)
bounced0=$(pf_mail_count sender)
mid=$(pf_send sender@example.org second@hotmail.com "second")
q=$(pf_qid "$mid") || die "no queue id"
line=$(sent_line "$q") || die "the second message was not delivered"
t_rerouted=$(now)
case $line in
*"relay=127.0.0.1[127.0.0.1]:$SINK_PORT"*) ;;
*) die "the second message did not go through the backup: $line" ;;
esac
[ "$(pf_log_count 'status=(bounced|deferred)' "$mark")" = 0 ] ||
	die "a message bounced or was deferred while rerouted"
ok "2. rerouted: later hotmail.com mail arrived at the relay, none bounced"

# --- 3. milter-delist killed with -9: mail still leaves
md_stop KILL
mark=$(pf_log_mark)
mid=$(pf_send sender@example.org third@hotmail.com "third")
q=$(pf_qid "$mid") || die "no queue id"
line=$(sent_line "$q" 30) || die "the third message did not leave"
case $line in
*"relay=127.0.0.1[127.0.0.1]:$SINK_PORT"*) ;;
*) die "the third message did not go through the backup: $line" ;;
esac
[ "$(pf_log_count "$q: .*status=(deferred|bounced)")" = 0 ] ||
	die "the third message was deferred or bounced"
[ "$(pf_mail_count sender)" = "$bounced0" ] || die "a bounce notice arrived"
ok "3. milter-delist killed -9: hotmail.com mail still left at once, via the relay"
n=$(md_count 'event=reroute action=set')
md_start
md_wait_event 'event=reroute action=set ip=127.0.0.2' $((n + 1)) 30 ||
	die "the decision was not restored at start"
ok "3. restarted: the decision restored from the state"

# --- 4. a refused probe; the reminder says what was done
kill -USR2 "$MD_PID"
md_wait_event 'event=probe-refused ip=127.0.0.2' 1 30 || die "no probe-refused"
grep 'event=probe-refused' "$MD_LOG" | grep -q 'reply=".*\[127\.0\.0\.2\].*(S3150)' ||
	die "the refusal does not quote the reply"
ok "4. $(grep -o 'event=probe-refused.*' "$MD_LOG" | head -n 1 | cut -c1-120)"
n=0
while [ $n -lt 60 ]; do
	mail_text >"$T/mails.txt" 2>/dev/null
	grep -q 'Probe at .* still refused' "$T/mails.txt" && break
	sleep 0.5
	n=$((n + 1))
done
grep -q 'Probe at [0-9:]* from 127.0.0.2: still refused: 550 .*(S3150)' "$T/mails.txt" ||
	die "no reminder quotes the refused probe: $(grep -c . "$T/mails.txt") lines"
grep -q 'Mail to Outlook.com now leaves through 127.0.0.1 since [0-9:]*' "$T/mails.txt" ||
	die "no reminder says where the mail leaves"
ok "4. the reminder: $(grep -m1 'now leaves through' "$T/mails.txt")"

# --- 5. the MX accepts again -> probe-ok -> cleared -> table -> flush
spool0=$(fakemx_count)
fakemx_block
t_unblocked=$(now)
mark=$(pf_log_mark)
kill -USR2 "$MD_PID"
md_wait_event 'event=probe-ok ip=127.0.0.2' 1 30 || die "no probe-ok"
t_probe_ok=$(now)
md_wait_event 'event=cleared ' 1 30 || die "no event=cleared after the probe"
t_cleared=$(now)
md_wait_event 'event=reroute action=clear ip=127.0.0.2' 1 30 ||
	die "no event=reroute action=clear"
t_table=$(now)
grep -q '^hotmail.com' "$TABLE" && die "hotmail.com still in the table"
md_wait_event 'event=flush ip=127.0.0.2 provider=microsoft-consumer result=ok' 1 30 ||
	die "no event=flush result=ok"
t_flush=$(now)
[ "$(fakemx_count)" = "$spool0" ] || die "a probe delivered a message"
ok "5. probe-ok, cleared, table emptied, flush ran"
changed "$mark" || die "trivial-rewrite did not notice the emptied table"
mid=$(pf_send sender@example.org fourth@hotmail.com "fourth")
q=$(pf_qid "$mid") || die "no queue id"
line=$(sent_line "$q") || die "the fourth message was not delivered"
t_direct=$(now)
case $line in
*"relay=127.0.0.1[127.0.0.1]:$FAKEMX_PORT"*) ;;
*) die "the fourth message did not go direct: $line" ;;
esac
ok "5. new hotmail.com mail goes direct again"

# --- 6. hold on, reroute off: no bounce, waits, leaves after the clear
cp "$top/contrib/postfix/hold.regexp" "$PF_ETC/hold.regexp"
pf_set "smtp_delivery_status_filter = regexp:$PF_ETC/hold.regexp" \
	"queue_run_delay = 1h" "minimal_backoff_time = 1h" \
	"maximal_backoff_time = 1h"
pf_reload
write_conf ""
kill -USR1 "$MD_PID"
md_wait_event 'event=reload' 1 20 || md_wait_event 'reload' 1 20 ||
	die "no reload"
fakemx_block 127.0.0.2
mark=$(pf_log_mark)
bounced0=$(pf_mail_count sender)
n_set=$(md_count 'event=reroute action=set')
n_flush=$(md_count 'event=flush ')
mid=$(pf_send sender@example.org fifth@hotmail.com "fifth")
q=$(pf_qid "$mid") || die "no queue id"
pf_wait_log "$q: to=<fifth@hotmail.com>, .*dsn=4\.7\.1, status=deferred .*S3150" 30 \
	>/dev/null || die "the held message was not deferred with S3150"
t_held=$(now)
md_wait_event 'event=block ' 2 30 || die "the daemon did not see the second block"
sleep 2
pf_queue | grep -q "^$q" || die "$q is not in the queue"
[ "$(pf_log_count "$q: .*status=bounced" "$mark")" = 0 ] || die "$q bounced"
[ "$(pf_mail_count sender)" = "$bounced0" ] || die "a bounce notice arrived"
[ "$(md_count 'event=reroute action=set')" = "$n_set" ] ||
	die "rerouted with reroute.transport off"
ok "6. hold, no reroute: the refused message waits in the queue, no bounce"
# The reminder counts it (postqueue -j, counted again on SIGUSR2).
n_mails=$(md_mail_count)
kill -USR2 "$MD_PID"
md_wait_event 'event=probe-refused ip=127.0.0.2' 2 30 || die "no second probe-refused"
n=0
while [ $n -lt 60 ]; do
	if [ "$(md_mail_count)" -gt "$n_mails" ]; then
		mail_text >"$T/mails.txt" 2>/dev/null
		grep -q '1 message(s) to Outlook.com held in the queue at' "$T/mails.txt" && break
	fi
	sleep 0.5
	n=$((n + 1))
done
grep -q '1 message(s) to Outlook.com held in the queue at' "$T/mails.txt" ||
	die "no reminder counts the held message"
ok "6. the reminder: $(grep -m1 'held in the queue' "$T/mails.txt")"
fakemx_block
t_unblocked2=$(now)
kill -USR2 "$MD_PID"
md_wait_event 'event=probe-ok ip=127.0.0.2' 2 30 || die "no second probe-ok"
md_wait_event 'event=flush ip=127.0.0.2' $((n_flush + 1)) 30 ||
	die "no flush after the second clear"
t_flush2=$(now)
line=$(sent_line "$q" 30) || die "the held message did not leave after the flush"
t_left=$(now)
case $line in
*"relay=127.0.0.1[127.0.0.1]:$FAKEMX_PORT"*) ;;
*) die "the held message went elsewhere: $line" ;;
esac
[ "$(pf_mail_count sender)" = "$bounced0" ] || die "a bounce notice arrived"
ok "6. the MX accepted again: probe, clear, flush; the held message left"

md_stop TERM
echo "timeline (s): refusal->reroute event $(secs "$t_refused" "$t_reroute")," \
	"->Postfix noticed $(secs "$t_refused" "$t_noticed")," \
	"->first rerouted mail sent $(secs "$t_refused" "$t_rerouted");" \
	"unblock->probe-ok $(secs "$t_unblocked" "$t_probe_ok")," \
	"->cleared $(secs "$t_unblocked" "$t_cleared")," \
	"->table cleared $(secs "$t_unblocked" "$t_table")," \
	"->flush $(secs "$t_unblocked" "$t_flush")," \
	"->direct mail sent $(secs "$t_unblocked" "$t_direct");" \
	"hold: deferred->unblock $(secs "$t_held" "$t_unblocked2")," \
	"unblock->flush $(secs "$t_unblocked2" "$t_flush2")," \
	"->held mail sent $(secs "$t_unblocked2" "$t_left")"
exit 0
