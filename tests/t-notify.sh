#!/bin/sh
# t-notify.sh - the example alert.exec programs of contrib/notify, run by
# the real exec module (tests/exec-fixture: exec_incident_event() and
# exec_run(), clean environment, JSON on stdin):
#   webhook - posts {"text": ...} to a local HTTP server of ours (the URL
#     from its configuration file, never on curl's command line); the
#     hostile reply text arrives intact in valid JSON; an HTTP 500 is a
#     failed run (the daemon retries);
#   logger - one syslog line with quoted values, received by a syslog
#     listener of ours (root: a mount namespace gives it /dev/log);
# and alert.exec in the real daemon under a stream of findings from its
# mail log: a program that records its input runs once per incident (none
# twice, also across a restart); one that hangs and one that fails are
# killed or retried while the alert mails go out and the milter answers,
# and their owed runs reach the recorder after a reload sets it.

. "${srcdir:-.}/tests/lib/common.sh"
. "${srcdir:-.}/tests/lib/ns.sh"
. "${srcdir:-.}/tests/lib/syslog.sh"
. "${srcdir:-.}/tests/lib/milterd.sh"

need_cmd python3 curl
FIXTURE=${abs_top_builddir:-$(pwd)}/tests/exec-fixture
[ -x "$FIXTURE" ] || hard_error "$FIXTURE not built"
make_tmpdir
HOSTILE='550 5.7.1 "quoted" \back\slash `id` $(touch PWNED) ; | & été (S3150)'

# --- webhook: a local server that records each POST, answering 200 or 500
cat >"$T/server.py" <<'PY'
import http.server, sys
out, port_file = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(out, "ab") as f:
            f.write(self.path.encode() + b" " + self.headers["Content-Type"].encode() + b" " + body.rstrip(b"\n") + b"\n")
        self.send_response(500 if self.path.endswith("/fail") else 200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$T/server.py" "$T/posts" "$T/port" &
SERVER=$!
at_exit "kill $SERVER"
wait_for 10 test -s "$T/port" || hard_error "the HTTP server did not start"
PORT=$(cat "$T/port")

sed "s|^CONF=.*|CONF=$T/webhook.conf|" "$srcdir/contrib/notify/webhook" >"$T/webhook"
chmod 755 "$T/webhook"
echo "url=http://127.0.0.1:$PORT/hooks/T000/ok" >"$T/webhook.conf"
(cd "$T" && "$FIXTURE" "$T/webhook" block 203.0.113.5 "$HOSTILE") >"$T/run.out" 2>&1 ||
	fail "webhook run failed: $(cat "$T/run.out")"
python3 - "$T/posts" "$HOSTILE" <<'PY' || fail "webhook post"
import json, sys
line = open(sys.argv[1], encoding="utf-8").read().splitlines()[0]
path, ctype, body = line.split(" ", 2)
assert path == "/hooks/T000/ok" and ctype == "application/json", line
text = json.loads(body)["text"]
assert "203.0.113.5 block by microsoft-consumer (S3150)" in text, text
assert sys.argv[2] in text, (text, sys.argv[2])
PY
[ -e "$T/PWNED" ] && fail "a value was interpreted by a shell"
ok "webhook: posted $(head -c 120 "$T/posts")..."

echo "url=http://127.0.0.1:$PORT/hooks/fail" >"$T/webhook.conf"
"$FIXTURE" "$T/webhook" block 203.0.113.5 "$HOSTILE" >"$T/run.out" 2>&1 &&
	fail "an HTTP 500 was taken as delivered"
grep -q "^exit 22" "$T/run.out" || fail "HTTP 500: $(cat "$T/run.out")"
ok "webhook: HTTP 500 is a failed run: $(cat "$T/run.out")"

: >"$T/webhook.conf"
"$FIXTURE" "$T/webhook" block 203.0.113.5 x >"$T/run.out" 2>&1 && fail "no URL: success"
grep -q "exit 78: webhook: no url=" "$T/run.out" || fail "no URL: $(cat "$T/run.out")"
ok "webhook without a URL: $(cat "$T/run.out")"

# --- alert.exec in the real daemon
need_cmd miltertest
md_init
MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"
REC=$T/exec-out
mkdir "$REC" && chmod 777 "$REC"
cat >"$T/record" <<EOF
#!/bin/sh
# record - each run's stdin and MILTER_DELIST_EVENT into $REC
f=$REC/\$(date +%s%N).\$\$
cat >"\$f.tmp" || exit 74
echo "\$MILTER_DELIST_EVENT \$MILTER_DELIST_IP" >"\$f.env"
mv "\$f.tmp" "\$f.json"
EOF
printf '#!/bin/sh\nexec sleep 600\n' >"$T/hang"
printf '#!/bin/sh\ncat >/dev/null\necho "no ticket system today" >&2\nexit 3\n' >"$T/fail"
chmod 755 "$T/record" "$T/hang" "$T/fail"
# exec_conf PROGRAM - the configuration running PROGRAM
exec_conf() {
	{
		md_conf_base
		echo "maillog = \"$MAILLOG\""
		md_alert_conf | sed "s|^}\$|\texec = \"$1\"\n\texec_timeout = \"2s\"\n}|"
	} >"$MD_CONF"
	chmod 644 "$MD_CONF"
}
# runs - the recorded runs
runs() {
	ls "$REC" | grep -c '\.json$'
}
# runs_at_least N - N runs recorded
runs_at_least() {
	[ "$(runs)" -ge "$1" ]
}
exec_conf "$T/record"
"$MILTER_DELIST" -t -c "$MD_CONF" | grep -q "exec = \"$T/record\"" || fail "-t: no alert.exec"
md_start
python3 "$MD_PY/maillines.py" block 20 1 >>"$MAILLOG"
python3 "$MD_PY/maillines.py" ratelimit 3 101 >>"$MAILLOG"
python3 "$MD_PY/maillines.py" block 5 1 0 same >>"$MAILLOG" # repeats: no run
md_wait_event "event=block " 20 30 || fail "the daemon saw $(md_count 'event=block ') blocks, want 20"
wait_for 30 runs_at_least 23 || fail "alert.exec ran $(runs) times, want 23: $(tail -n 5 "$MD_LOG")"
md_stop TERM
[ "$(runs)" = 23 ] || fail "alert.exec ran $(runs) times, want 23"
md_start
md_stop TERM
[ "$(runs)" = 23 ] || fail "after a restart alert.exec ran $(runs) times, want 23 (a replay ran again)"
ls "$MD_STATE.exec" | grep -q '\.job$' && fail "jobs left: $(ls "$MD_STATE.exec")"
python3 - "$REC" <<'PY' || fail "the recorded events"
import json, os, sys
d = sys.argv[1]
evs = [json.load(open(os.path.join(d, f))) for f in sorted(os.listdir(d)) if f.endswith(".json")]
names = sorted(e["event"] for e in evs)
assert names == ["block"] * 20 + ["ratelimit"] * 3, names
ips = {e["ip"] for e in evs}
assert len(ips) == 23 and "10.0.0.1" in ips and "10.0.0.101" in ips, ips
assert len({e["incident"] for e in evs}) == 23
for e in evs:
    assert e["provider"] == "microsoft-consumer" and e["code"] in ("S3150", "S775"), e
for f in os.listdir(d):
    if f.endswith(".env"):
        ev, ip = open(os.path.join(d, f)).read().split()
        assert ev in ("block", "ratelimit") and ip in ips, (ev, ip)
PY
ok "alert.exec: one run per incident for 23 IPs (5 repeats none), none again after a restart"

# A program that hangs, then one that fails: the alert mails still go out
# and the milter answers; the runs are owed and retried.
for bad in hang fail; do
	exec_conf "$T/$bad"
	md_start
	first=$([ $bad = hang ] && echo 201 || echo 301)
	mails=$(md_mail_count)
	failed=$(md_count 'event=exec-failed ')
	python3 "$MD_PY/maillines.py" block 3 $first >>"$MAILLOG"
	md_wait_event "event=exec-failed " $((failed + 1)) 30 || fail "$bad: no event=exec-failed"
	wait_for 30 sh -c "[ \$(ls '$MD_MAILDIR' | grep -c '\\.eml\$') -ge $((mails + 3)) ]" ||
		fail "$bad: $(($(md_mail_count) - mails)) alert mails while alert.exec fails, want 3"
	md_smoke || fail "$bad: the milter does not answer"
	md_stop TERM
done
grep -q 'event=exec-failed .*program=.*/hang .*timed out' "$MD_LOG" ||
	fail "hang: $(grep exec-failed "$MD_LOG" | head -n 3)"
grep -q 'event=exec-failed .*program=.*/fail .*exit 3: no ticket system today' "$MD_LOG" ||
	fail "fail: $(grep exec-failed "$MD_LOG" | tail -n 3)"
ok "a hanging program is killed after exec_timeout, a failing one retried; alert mails and the milter unaffected"

# The owed runs (6 IPs) wait while alert.exec is unset, and reach the
# recorder after a reload sets it.
exec_conf ""
md_start
exec_conf "$T/record"
kill -USR1 "$MD_PID"
wait_for 60 runs_at_least 29 || fail "after the reload alert.exec ran $(runs) times, want 29"
md_stop TERM
[ "$(runs)" = 29 ] || fail "alert.exec ran $(runs) times, want 29"
for ip in 10.0.0.201 10.0.0.203 10.0.1.45 10.0.1.47; do
	grep -l "\"ip\":\"$ip\"" "$REC"/*.json >/dev/null || fail "the owed run for $ip was lost"
done
ok "a reload from no alert.exec to the recorder ran the 6 owed runs: 29 in all, none twice"

# --- logger
ns_usable || skip "the logger part needs mount namespaces (root) for a private /dev/log"
syslog_start || hard_error "the syslog listener did not start"
syslog_run "$FIXTURE" "$(cd "$srcdir/contrib/notify" && pwd)/logger" ban 198.51.100.7 \
	'550 5.7.606 Access denied, banned sending IP [198.51.100.7]' >"$T/run.out" 2>&1 ||
	fail "logger run failed: $(cat "$T/run.out")"
syslog_wait 'milter-delist-notify' 1 10 || fail "no syslog line from logger"
grep -q 'milter-delist-notify.*: event=ban ip=198.51.100.7 provider=microsoft-365 kind=ban code=5.7.606 incident=1 time=' \
	"$SYSLOG_FILE" || fail "logger line: $(cat "$SYSLOG_FILE")"
grep -q '^<21>' "$SYSLOG_FILE" || fail "not mail.notice: $(cat "$SYSLOG_FILE")"
ok "logger: $(grep milter-delist-notify "$SYSLOG_FILE")"
exit 0
