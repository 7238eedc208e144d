#!/bin/sh
# t-act-postfix.sh - reroute, probe, flush and hold with a real Postfix
#
# A private Postfix instance (tests/lib/postfix.sh) sends from 127.0.0.2
# to a fake Microsoft MX (tests/fakemx.py --blocked-clients) that refuses
# 127.0.0.2 with S3150 naming the IP, and accepts every other client; the
# backup relay is smtp-sink (tests/lib/sink.sh).  The action modules run
# through tests/act-drive (the library's reroute, probe and flush), as the
# daemon's events will drive them.
#
# Checked:
#  1. the shipped contrib/postfix/reroute.main.cf with an (empty) table
#     written by the module: the first message to hotmail.com bounces
#     (S3150); the module writes the decision; trivial-rewrite picks up the
#     renamed table; the next messages reach the backup relay, none bounces;
#  2. fail static: nothing of ours runs (and a crash left a half-written
#     TABLE.new.db behind): mail to hotmail.com still leaves at once;
#  3. the probe from 127.0.0.2 is refused (S3150 naming 127.0.0.2), from
#     127.0.0.3 accepted; after the MX accepts again, accepted from
#     127.0.0.2; no probe ever sends a message (the MX spool is unchanged);
#  4. cleared: the module empties the table, new mail goes direct;
#  5. hold (contrib/postfix/hold.regexp: which statuses it holds, by
#     postmap -q) and no reroute, retries an hour
#     apart: the refused message is deferred, not bounced, and waits; the
#     MX accepts again, flush (postqueue -f) makes it leave.
# The timeline (seconds) is printed at the end.
#
# Needs root, Postfix (postmap, smtp-sink) and python3.

case $0 in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
. "$here/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/fakemx.sh"
. "$here/lib/sink.sh"
. "$here/lib/act.sh"
export FAKEMX="$here/fakemx.py"
top=$here/..
DRIVE=${abs_top_builddir:-$top}/tests/act-drive

reason=$(pf_require) || skip "$reason"
need_cmd smtp-sink
[ -x /usr/sbin/postmap ] || skip "postmap is not installed"
[ -x "$DRIVE" ] || hard_error "$DRIVE not built"
make_tmpdir

diag_more() {
	echo "--- fakemx log (tail)"
	tail -n 5 "$FAKEMX_DIR/log" 2>/dev/null
}

# --- the fake MX (blocks 127.0.0.2 only), the backup relay, Postfix
act_start

# The shipped fragment, with this instance's paths: the reroute table
# first, then the site's own table.
mkdir -m 0755 "$T/reroute"
TABLE=$T/reroute/reroute
"$DRIVE" reroute "$TABLE" "$PF_ETC" >"$T/drive.out" 2>&1 ||
	die "empty table: $(cat "$T/drive.out")"
[ -f "$TABLE.db" ] || die "no $TABLE.db"
frag=$top/contrib/postfix/reroute.main.cf
[ -f "$frag" ] || hard_error "$frag missing"
grep -v '^#' "$frag" | grep . |
	sed -e "s|/var/lib/milter-delist/reroute|$TABLE|" \
		-e "s|hash:/etc/postfix/transport|texthash:$PF_ETC/transport|" \
		>"$T/fragment"
while IFS= read -r l; do
	pf_set "$l" || die "postconf -e $l"
done <"$T/fragment"
[ "$(pf_postconf -h transport_maps)" = \
	"\$milter_delist_reroute_map, texthash:$PF_ETC/transport" ] ||
	die "fragment not applied: $(pf_postconf -h transport_maps)"
pf_start || hard_error "the private Postfix instance did not start"

# --- 1. first refusal, then reroute
mark=$(pf_log_mark)
mid=$(pf_send sender@example.org first@hotmail.com "first")
q=$(pf_qid "$mid") || die "no queue id"
pf_wait_log "$q: to=<first@hotmail.com>, .*status=bounced .*S3150" 30 >/dev/null ||
	die "the first message did not bounce with S3150"
t_refused=$(now)
pf_log_count "$q: .*\[127\.0\.0\.2\]" "$mark" | grep -qv '^0$' ||
	die "the S3150 reply does not name 127.0.0.2"
ok "first message to hotmail.com bounced (S3150 naming 127.0.0.2)"

mark=$(pf_log_mark)
"$DRIVE" reroute "$TABLE" "$PF_ETC" 127.0.0.2 microsoft-consumer \
	"smtp:[127.0.0.1]:$SINK_PORT" hotmail.com outlook.com live.com \
	>"$T/drive.out" 2>&1 || die "reroute: $(cat "$T/drive.out")"
t_table=$(now)
grep -q 'reroute written lines=3' "$T/drive.out" ||
	die "reroute: $(cat "$T/drive.out")"
[ -z "$(find "$T/reroute" -name '*.new*')" ] || die "temporary files left"
changed "$mark" || die "trivial-rewrite did not notice the new table"
t_noticed=$(now)
ok "table written (3 domains), trivial-rewrite restarted"

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
sink_wait 1 30 || die "nothing at the backup relay"
[ "$(pf_log_count 'status=(bounced|deferred)' "$mark")" = 0 ] ||
	die "a message bounced or was deferred while rerouted"
ok "rerouted: hotmail.com mail reached the backup relay, none bounced"

# --- 2. fail static: nothing of ours runs; a crash mid-write left junk
echo "half a database" >"$TABLE.new.db"
mid=$(pf_send sender@example.org third@hotmail.com "third")
q=$(pf_qid "$mid") || die "no queue id"
line=$(sent_line "$q") || die "the third message did not leave"
case $line in
*"relay=127.0.0.1[127.0.0.1]:$SINK_PORT"*) ;;
*) die "the third message did not go through the backup: $line" ;;
esac
[ "$(pf_log_count "$q: .*status=(deferred|bounced)")" = 0 ] ||
	die "the third message was deferred or bounced"
sink_wait 2 30 || die "the third message is not at the backup relay"
[ "$(pf_mail_count sender)" = "$bounced0" ] || die "a bounce notice arrived"
rm -f "$TABLE.new.db"
ok "fail static: without milter-delist the mail left at once (first try)"

# --- 3. probes: refused from the blocked IP, accepted from another,
# accepted after the MX lifts the block; never a message
spool0=$(fakemx_count)
"$DRIVE" probe 127.0.0.1 "$FAKEMX_PORT" 127.0.0.2 mail.example.org \
	probe@example.org first@hotmail.com 10 >"$T/probe.out" 2>&1
rc=$?
[ "$rc" = 1 ] || die "probe from 127.0.0.2: exit $rc, want refused: $(cat "$T/probe.out")"
grep -q '^event=probe-refused ip=127.0.0.2 .* stage=mail code=550 reply=".*\[127\.0\.0\.2\].*(S3150)' \
	"$T/probe.out" || die "probe-refused event: $(cat "$T/probe.out")"
ok "probe from 127.0.0.2 refused: $(cut -c1-100 "$T/probe.out")"
"$DRIVE" probe 127.0.0.1 "$FAKEMX_PORT" 127.0.0.3 mail.example.org \
	probe@example.org first@hotmail.com 10 >"$T/probe.out" 2>&1 ||
	die "probe from 127.0.0.3 (not blocked): $(cat "$T/probe.out")"
fakemx_block
t_unblocked=$(now)
"$DRIVE" probe 127.0.0.1 "$FAKEMX_PORT" 127.0.0.2 mail.example.org \
	probe@example.org first@hotmail.com 10 >"$T/probe.out" 2>&1
rc=$?
t_probe_ok=$(now)
[ "$rc" = 0 ] || die "probe after the unblock: exit $rc: $(cat "$T/probe.out")"
grep -q '^event=probe-ok ip=127.0.0.2 .* stage=rcpt code=250 ' "$T/probe.out" ||
	die "probe-ok event: $(cat "$T/probe.out")"
[ "$(fakemx_count)" = "$spool0" ] || die "a probe delivered a message"
[ "$(fakemx_log_count '"result": "reset"')" -ge 2 ] ||
	die "the probes did not end with RSET"
[ "$(fakemx_log_count 'probe@example.org' | tr -d ' ')" -ge 3 ] ||
	die "the fake MX did not see the probes"
grep -F 'probe@example.org' "$FAKEMX_DIR/log" | grep -q '"data_reply"' &&
	die "a probe sent DATA"
ok "probe after the unblock accepted at RCPT; no probe sent DATA"

# --- 4. cleared: the table empties, new mail goes direct
mark=$(pf_log_mark)
"$DRIVE" reroute "$TABLE" "$PF_ETC" >"$T/drive.out" 2>&1 ||
	die "clear: $(cat "$T/drive.out")"
t_cleared=$(now)
changed "$mark" || die "trivial-rewrite did not notice the emptied table"
spool0=$(fakemx_count)
mid=$(pf_send sender@example.org fourth@hotmail.com "fourth")
q=$(pf_qid "$mid") || die "no queue id"
line=$(sent_line "$q") || die "the fourth message was not delivered"
t_direct=$(now)
case $line in
*"relay=127.0.0.1[127.0.0.1]:$FAKEMX_PORT"*) ;;
*) die "the fourth message did not go direct: $line" ;;
esac
[ "$(fakemx_count)" -gt "$spool0" ] || die "not at the MX"
ok "cleared: the table is empty, hotmail.com mail goes direct again"

# --- 5. hold, no reroute: deferred not bounced, flushed after the unblock
cp "$top/contrib/postfix/hold.regexp" "$PF_ETC/hold.regexp"
# The filter's rows: which statuses it holds (key "D.D.D text").
while IFS='|' read -r key want; do
	got=$(/usr/sbin/postmap -c "$PF_ETC" -q "$key" "regexp:$PF_ETC/hold.regexp")
	[ "$got" = "$want" ] || die "hold.regexp: \"$key\" -> \"$got\", want \"$want\""
done <<'ROWS'
5.7.1 host mx said: 550 5.7.1 Unfortunately, messages from [192.0.2.5] weren't sent. (S3150) [x]|4.7.1 host mx said: 550 5.7.1 Unfortunately, messages from [192.0.2.5] weren't sent. (S3150) [x]
5.7.1 host mx said: 550 5.7.1 Unfortunately, messages from [192.0.2.5] weren't sent. (S3140)|4.7.1 host mx said: 550 5.7.1 Unfortunately, messages from [192.0.2.5] weren't sent. (S3140)
5.7.606 host mx said: 550 5.7.606 Access denied, banned sending IP [192.0.2.5].|4.7.606 host mx said: 550 5.7.606 Access denied, banned sending IP [192.0.2.5].
5.7.649 host mx said: 550 5.7.649 Access denied|4.7.649 host mx said: 550 5.7.649 Access denied
5.7.511 host mx said: 550 5.7.511 Access denied, banned sender[192.0.2.5].|4.7.511 host mx said: 550 5.7.511 Access denied, banned sender[192.0.2.5].
5.7.605 host mx said: 550 5.7.605 Access denied|
5.7.650 host mx said: 550 5.7.650 something|
5.7.1 host mx said: 550 5.7.1 Client host [192.0.2.5] blocked using Spamhaus (AS3130)|
5.1.10 host mx said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound|
ROWS
ok "hold.regexp holds S3140/S3150, 5.7.606-649, 5.7.511, nothing else"
pf_set "smtp_delivery_status_filter = regexp:$PF_ETC/hold.regexp" \
	"queue_run_delay = 1h" "minimal_backoff_time = 1h" \
	"maximal_backoff_time = 1h"
pf_reload
fakemx_block 127.0.0.2
mark=$(pf_log_mark)
bounced0=$(pf_mail_count sender)
mid=$(pf_send sender@example.org fifth@hotmail.com "fifth")
q=$(pf_qid "$mid") || die "no queue id"
pf_wait_log "$q: to=<fifth@hotmail.com>, .*dsn=4\.7\.1, status=deferred .*S3150" 30 \
	>/dev/null || die "the held message was not deferred with S3150"
t_held=$(now)
pf_queue | grep -q "^$q" || die "$q is not in the queue"
[ "$(pf_log_count "$q: .*status=bounced" "$mark")" = 0 ] || die "$q bounced"
[ "$(pf_mail_count sender)" = "$bounced0" ] || die "a bounce notice arrived"
ok "hold: the refused message waits in the deferred queue, no bounce"

fakemx_block
mark=$(pf_log_mark)
"$DRIVE" flush /usr/sbin/postqueue -c "$PF_ETC" -f >"$T/flush.out" 2>&1 ||
	die "flush: $(cat "$T/flush.out")"
t_flush=$(now)
grep -q '^event=flush ip=127.0.0.2 provider=microsoft-consumer result=ok command=/usr/sbin/postqueue' \
	"$T/flush.out" || die "flush event: $(cat "$T/flush.out")"
line=$(sent_line "$q" 30) || die "the held message did not leave after the flush"
t_left=$(now)
case $line in
*"relay=127.0.0.1[127.0.0.1]:$FAKEMX_PORT"*) ;;
*) die "the held message went elsewhere: $line" ;;
esac
pf_wait_queue_empty 10 || die "the queue is not empty"
ok "flush: the held message left at once"

# A failing flush says so.
"$DRIVE" flush /usr/sbin/postqueue -c "$T/nonexistent" -f >"$T/flush.out" 2>&1 &&
	die "a failing flush reported ok"
grep -q 'result=failed .*reason=".*exit' "$T/flush.out" ||
	die "failed flush event: $(cat "$T/flush.out")"
ok "a failing flush: $(cut -c1-120 "$T/flush.out")"

echo "timeline (s): refusal->table written $(secs "$t_refused" "$t_table")," \
	"->Postfix noticed $(secs "$t_refused" "$t_noticed")," \
	"->first rerouted mail sent $(secs "$t_refused" "$t_rerouted");" \
	"unblock->probe ok $(secs "$t_unblocked" "$t_probe_ok")," \
	"->table cleared $(secs "$t_unblocked" "$t_cleared")," \
	"->direct mail sent $(secs "$t_unblocked" "$t_direct");" \
	"held->flush $(secs "$t_held" "$t_flush")," \
	"flush->held mail sent $(secs "$t_flush" "$t_left")"
exit 0
