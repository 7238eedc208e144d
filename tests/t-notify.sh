#!/bin/sh
# t-notify.sh - the example alert.exec programs of contrib/notify, run by
# the real exec module (tests/exec-fixture: exec_incident_event() and
# exec_run(), clean environment, JSON on stdin):
#   webhook - posts {"text": ...} to a local HTTP server of ours (the URL
#     from its configuration file, never on curl's command line); the
#     hostile reply text arrives intact in valid JSON; an HTTP 500 is a
#     failed run (the daemon retries);
#   logger - one syslog line with quoted values, received by a syslog
#     listener of ours (root: a mount namespace gives it /dev/log).

. "${srcdir:-.}/tests/lib/common.sh"
. "${srcdir:-.}/tests/lib/ns.sh"
. "${srcdir:-.}/tests/lib/syslog.sh"

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
