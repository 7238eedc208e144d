#!/bin/sh
# t-metrics.sh - the Prometheus metrics file (metrics_file): written by
# metrics_write() from real log lines run through the daemon's parser and
# incident store (tests/metrics-fixture), accepted by `promtool check
# metrics`, per-IP series capped with the rest in ip="others", label
# values escaped, no temp file left; the example rules of
# contrib/prometheus pass `promtool check rules` and fire as intended
# under `promtool test rules`.

. "${srcdir:-.}/tests/lib/common.sh"

need_cmd promtool python3
FIXTURE=${top_builddir:-.}/tests/metrics-fixture
[ -x "$FIXTURE" ] || hard_error "$FIXTURE not built"
make_tmpdir
PY=$srcdir/tests/lib
RULES=$srcdir/contrib/prometheus/milter-delist.rules.yml

{
	python3 "$PY/maillines.py" block 60 1
	python3 "$PY/maillines.py" ratelimit 3 100
	python3 "$PY/maillines.py" ban 2 200
} >"$T/maillog"
mkdir "$T/textfile"
OUT=$T/textfile/milter-delist.prom
"$FIXTURE" "$OUT" 50 <"$T/maillog" || fail "metrics-fixture"
ls "$T/textfile" | grep -q tmp && fail "a temp file is left: $(ls "$T/textfile")"
[ "$(stat -c %a "$OUT")" = 640 ] || fail "mode $(stat -c %a "$OUT"), want 640"
ok "metrics file written, mode 0640, no temp file left"

promtool check metrics <"$OUT" >"$T/promtool.out" 2>&1 || {
	cat "$T/promtool.out" "$OUT"
	fail "promtool check metrics rejects the file"
}
ok "promtool check metrics: $(wc -l <"$OUT") lines accepted"

python3 - "$OUT" <<'PY' || fail "metrics content"
import re, sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    rows[name] = float(value)
def get(prefix):
    return {k: v for k, v in rows.items() if k.startswith(prefix + "{") or k == prefix}
opened = get("milter_delist_incidents_open")
per_ip = [k for k in opened if 'ip="others"' not in k]
assert len(per_ip) == 50, len(per_ip)
assert sum(opened.values()) == 65, sum(opened.values())
others = {re.search(r'kind="([^"]*)"', k).group(1): v for k, v in opened.items() if 'ip="others"' in k}
assert others == {"block": 10, "ratelimit": 3, "ban": 2}, others
f = get("milter_delist_findings_total")
assert f['milter_delist_findings_total{source="postfix-log",provider="microsoft-consumer",code="S3150"}'] == 60, f
assert f['milter_delist_findings_total{source="postfix-log",provider="microsoft-consumer",code="S775"}'] == 3, f
assert rows['milter_delist_alerts_total{channel="mail",result="failed"}'] == 1
assert rows['milter_delist_alerts_total{channel="exec",result="sent"}'] == 1
assert rows['milter_delist_log_lag_bytes{source="/var/log/mail.log"}'] == 4096
assert rows['milter_delist_log_lag_seconds{source="journal \\"x\\"\\\\"}'] == 0, rows.keys()
assert rows['milter_delist_state_saves_total{result="failed"}'] == 1
assert rows['milter_delist_incidents{state="open"}'] == 65
assert any(k.startswith("milter_delist_build_info{version=") for k in rows)
PY
ok "65 open incidents: 50 per-IP series, 15 in ip=\"others\" by kind; findings, alerts, lag (escaped label), saves"

promtool check rules "$RULES" >"$T/rules.out" 2>&1 || {
	cat "$T/rules.out"
	fail "promtool check rules"
}
ok "promtool check rules: $(grep -o 'SUCCESS.*' "$T/rules.out" | head -n 1)"

cp "$RULES" "$T/rules.yml"
cat >"$T/rules-test.yml" <<'EOF2'
rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'milter_delist_incidents_open{instance="mx",provider="microsoft-consumer",kind="block",ip="203.0.113.5"}'
        values: '1x10'
      - series: 'milter_delist_incidents_open{instance="mx",provider="microsoft-consumer",kind="ratelimit",ip="203.0.113.6"}'
        values: '1x10'
    alert_rule_test:
      - eval_time: 6m
        alertname: MilterDelistIPBlocked
        exp_alerts:
          - exp_labels:
              severity: critical
              instance: mx
              provider: microsoft-consumer
              ip: 203.0.113.5
            exp_annotations:
              summary: "203.0.113.5 is blocked by microsoft-consumer"
              description: "milter-delist on mx sees 203.0.113.5 blocked by microsoft-consumer; the alert mail carries the prefilled delisting request (milter-delist --status shows it)."
      - eval_time: 6m
        alertname: MilterDelistIPRateLimited
        exp_alerts: []
EOF2
(cd "$T" && promtool test rules rules-test.yml) >"$T/test.out" 2>&1 || {
	cat "$T/test.out"
	fail "promtool test rules"
}
ok "promtool test rules: a block fires MilterDelistIPBlocked after 5 min, a rate limit not yet"
exit 0
