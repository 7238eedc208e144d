#!/bin/sh
# t-metrics.sh - the Prometheus metrics file (metrics_file): written by
# metrics_write() from real log lines run through the daemon's parser and
# incident store (tests/metrics-fixture), accepted by `promtool check
# metrics`, per-IP series capped with the rest in ip="others", label
# values escaped, no temp file left; the real daemon's metrics_file from
# the incidents of its mail log, accepted by promtool; the example rules of
# contrib/prometheus pass `promtool check rules` and fire as intended
# under `promtool test rules`.

. "${srcdir:-.}/tests/lib/common.sh"
. "${srcdir:-.}/tests/lib/milterd.sh"

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
assert rows['milter_delist_log_lag_seconds{source="journal \\"x\\"\\\\"}'] == 7.25, rows.keys()
assert not [k for k in rows if k.startswith("milter_delist_log_lag_bytes{") and "journal" in k], "a journal has no bytes series"
assert rows['milter_delist_state_saves_total{result="failed"}'] == 1
assert rows['milter_delist_incidents{state="open"}'] == 65
assert any(k.startswith("milter_delist_build_info{version=") for k in rows)
PY
ok "65 open incidents: 50 per-IP series, 15 in ip=\"others\" by kind; findings, alerts, lag (escaped label), saves"

# The real daemon: metrics_file from the incidents of its mail log.
md_init
MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"
mkdir "$T/real" && chmod 777 "$T/real"
REAL=$T/real/milter-delist.prom
{
	md_conf_base
	echo "maillog = \"$MAILLOG\""
	echo "metrics_file = \"$REAL\""
	echo "metrics_interval = \"1s\""
	echo "metrics_ip_cap = 10"
	md_alert_conf
} >"$MD_CONF"
chmod 644 "$MD_CONF"
md_start
python3 "$PY/maillines.py" block 12 1 >>"$MAILLOG"
python3 "$PY/maillines.py" ratelimit 2 100 >>"$MAILLOG"
md_wait_event "event=alert-sent " 14 30 || fail "$(md_count 'event=alert-sent ') alerts sent, want 14"
# real_has PATTERN - the daemon's metrics file has a line matching PATTERN
real_has() {
	grep -Eq -- "$1" "$REAL"
}
wait_for 30 real_has '^milter_delist_alerts_total\{channel="mail",result="sent"\} 14$' ||
	fail "no 14 sent alerts in $REAL: $(grep alerts_total "$REAL")"
wait_for 30 real_has "^milter_delist_log_lag_bytes\\{source=\"$MAILLOG\"\\} 0\$" ||
	fail "no lag of $MAILLOG: $(grep lag "$REAL")"
cp "$REAL" "$T/real.copy"
promtool check metrics <"$T/real.copy" >"$T/promtool.out" 2>&1 || {
	cat "$T/promtool.out" "$T/real.copy"
	fail "promtool check metrics rejects the daemon's file"
}
python3 - "$T/real.copy" <<'PY' || fail "the daemon's metrics: $(cat "$T/real.copy")"
import sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("#"):
        name, value = line.rsplit(" ", 1)
        rows[name] = float(value)
opened = {k: v for k, v in rows.items() if k.startswith("milter_delist_incidents_open{")}
assert sum(opened.values()) == 14, opened
assert len([k for k in opened if 'ip="others"' not in k]) == 10, opened
assert rows['milter_delist_incidents_open{provider="microsoft-consumer",kind="block",ip="10.0.0.1"}'] == 1
f = 'milter_delist_findings_total{source="postfix-log",provider="microsoft-consumer",code="%s"}'
assert rows[f % "S3150"] == 12 and rows[f % "S775"] == 2, rows
assert rows['milter_delist_state_saves_total{result="ok"}'] >= 1
assert rows.get('milter_delist_state_saves_total{result="failed"}', 0) == 0
assert "milter_delist_state_save_duration_seconds" in rows
PY
ls "$T/real" | grep -q tmp && fail "a temp file is left: $(ls "$T/real")"
md_stop TERM
ok "the daemon's metrics_file: 14 incidents from its log (10 per-IP series), findings, 14 alerts, saves, lag; promtool accepts it"

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
