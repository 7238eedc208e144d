#!/bin/sh
# t-journal-lag.sh - how far behind a journal source is, shown where an
# admin looks: the daemon follows a directory of journal files written by
# systemd-journal-remote (maillog = "journal:DIR"); while it is stopped,
# 600 mail entries one second apart are added; started again it reads
# them from its saved cursor in batches of 256 and says, once caught up,
# how far behind it was at worst (the newest entry's stamp minus that of
# the last entry of the first batch: 599 - 255 = 344 s), each entry read
# once; then --status (text and JSON), --check and the metrics_file show
# the journal source 0 s behind, with no byte count (promtool accepts the
# file); an entry added while it runs is read at once and the lag stays 0.
# A follower that stops reading (its thread stopped alone, as when stuck
# in a system call) shows a lag that grows in --status, and 0 again once
# it reads on; a reload that drops the journal
# drops its lag from --status.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
[ -x "$REMOTE" ] || skip "$REMOTE is not installed (package systemd-journal-remote)"
need_cmd python3 promtool
make_tmpdir
md_init
PY=$here/lib
JDIR=$T/journal
SRC=journal:$JDIR
PROM=$T/prom/milter-delist.prom
mkdir -p "$JDIR" "$T/prom"
chmod 755 "$T" "$JDIR"
chmod 777 "$T/prom"

diag() {
	tail -n 30 "$MD_LOG"
	cat "$T/remote.out" 2>/dev/null
}

# remote NAME < EXPORT - NAME.journal in JDIR from an export stream,
# readable by the daemon's user
remote() {
	"$REMOTE" -o "$JDIR/$1.journal" - >"$T/remote.out" 2>&1 ||
		die "$REMOTE failed"
	chmod 644 "$JDIR/$1.journal"
}

# backlog COUNT BASE MONO [FIRST [all]] - COUNT mail entries in export
# format, i = FIRST (default 0) on, entry i stamped BASE + i seconds (i
# tenths of a second with "all"); every hundredth (i = 50, 150, ...) a
# block of IP 10.9.0.(i / 100), the others deliveries to gmail.com; with
# "all", each a block of IP 10.8.(i / 256).(i % 256)
backlog() {
	python3 - "$PY" "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import journalexport as je
count, base, mono = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
every = len(sys.argv) > 6 and sys.argv[6] == "all"
out = sys.stdout.buffer
for i in range(first, first + count):
    if every or i % 100 == 50:
        ip = ("10.8.%d.%d" % (i // 256 % 256, i % 256) if every
              else "10.9.0.%d" % (i // 100))
        msg = ("%s%05X: to=<u%d@hotmail.com>, relay=hotmail-com.olc."
               "protection.outlook.com[192.0.2.1]:25, delay=0.7, dsn=5.7.1, "
               "status=bounced (host hotmail-com.olc.protection.outlook.com"
               "[192.0.2.1] said: %s)" % ("M" if every else "L", i, i,
                                         je.S3150.replace(
                   "203.0.113.5", ip)))
    else:
        msg = ("L%05X: to=<u%d@gmail.com>, relay=gmail-smtp-in.l.google.com"
               "[192.0.2.27]:25, delay=0.5, dsn=2.0.0, status=sent (250 2.0.0 "
               "OK gsmtp)" % (i, i))
    step = 100000 if every else 1000000
    out.write(je.entry(base * 1000000 + 114532 + i * step, mono + i * 1000,
                       "postfix-out1/smtp", 3000 + i, msg, 2))
PY
}

NOW=$(date +%s)
python3 "$PY/journalexport.py" fixtures "$T/fx" a $((NOW - 7200))
remote a <"$T/fx/mail.export"
{
	md_conf_base
	echo "maillog = \"$SRC\""
	echo "metrics_file = \"$PROM\""
	echo 'metrics_interval = "1s"'
	md_alert_conf
} >"$MD_CONF"
chmod 644 "$MD_CONF"
md_start
grep -q "following $SRC from its end (first start)" "$MD_LOG" ||
	die "the journal was not started at its end"
md_stop TERM # saves the cursor: the last entry of a.journal

# --- 600 entries while it is stopped, read after a restart
backlog 600 $((NOW - 700)) 5000000000 >"$T/b.export" || hard_error "backlog"
remote b <"$T/b.export"
md_start
grep -q "following $SRC from its saved cursor" "$MD_LOG" ||
	die "the journal did not resume at its saved cursor"
md_wait_event "$SRC: caught up: " 1 30 || die "no caught-up line for $SRC"
grep -qF "$SRC: caught up: 600 entries read, up to 344 s behind the newest entry" "$MD_LOG" ||
	die "the catch-up line: $(grep -F 'caught up' "$MD_LOG"), want 600 entries, up to 344 s behind"
for i in 0 1 2 3 4 5; do
	[ "$(md_count "event=block ip=10.9.0.$i ")" = 1 ] ||
		die "10.9.0.$i: $(md_count "event=block ip=10.9.0.$i ") event=block, want 1 (read twice or lost)"
done
ok "restart with 600 entries behind: caught up, \"up to 344 s behind\", each entry read once"

# --- where the admin looks: the journal source, 0 s behind, no bytes
status_has() {
	"$MILTER_DELIST" --status -c "$MD_CONF" | grep -qF "$1"
}
wait_for 20 status_has "log source: $SRC, 0 s behind its newest entry" ||
	die "--status: $("$MILTER_DELIST" --status -c "$MD_CONF" | grep -i 'log source')"
ok "--status: log source: $SRC, 0 s behind its newest entry"
"$MILTER_DELIST" --status --json -c "$MD_CONF" >"$T/status.json"
python3 - "$T/status.json" "$SRC" <<'PY' || die "--status --json: $(cat "$T/status.json")"
import json, sys
o = json.load(open(sys.argv[1]))
src = [s for s in o["daemon"]["sources"] if s["name"] == sys.argv[2]]
assert src == [{"name": sys.argv[2], "bytes_behind": None,
                "seconds_behind": 0}], o["daemon"]["sources"]
PY
ok "--status --json: {\"name\": \"$SRC\", \"bytes_behind\": null, \"seconds_behind\": 0}"
out=$("$MILTER_DELIST" --check -c "$MD_CONF")
printf '%s\n' "$out" | grep -q ' lag=0s;;;0$' || die "--check: $out"
printf '%s\n' "$out" | grep -q 'lag_bytes' && die "--check counts bytes of a journal: $out"
ok "--check: lag=0s, no lag_bytes (no file followed)"

prom_has() {
	grep -qxF "$1" "$PROM"
}
wait_for 20 prom_has "milter_delist_log_lag_seconds{source=\"$SRC\"} 0.000" ||
	die "metrics: $(grep lag "$PROM")"
cp "$PROM" "$T/copy.prom"
grep -q '^milter_delist_log_lag_bytes{' "$T/copy.prom" &&
	die "a bytes series for the journal: $(grep lag_bytes "$T/copy.prom")"
promtool check metrics <"$T/copy.prom" >"$T/promtool.out" 2>&1 ||
	die "promtool check metrics: $(cat "$T/promtool.out")"
ok "metrics_file: milter_delist_log_lag_seconds{source=\"$SRC\"} 0, no bytes series; promtool accepts it"

# --- live: a new entry is read at once, the lag stays 0, nothing said
backlog 1 $((NOW - 700)) 5000000000 650 >"$T/c.export" || hard_error "backlog"
remote c <"$T/c.export"
md_wait_event "event=block ip=10.9.0.6 " 1 20 || die "the live entry was not read"
wait_for 20 sh -c "'$MILTER_DELIST' --status --json -c '$MD_CONF' | grep -q '\"seconds_behind\":0'" ||
	die "lag after a live entry: $("$MILTER_DELIST" --status --json -c "$MD_CONF")"
[ "$(md_count "$SRC: caught up: ")" = 1 ] || die "a live entry was taken for a catch-up"
md_stop TERM
ok "a live entry: the lag stays 0, no catch-up said"

# --- a follower that stops reading: its thread ("journal") stopped alone
# (ptrace, threadstop.py) while it waits for entries, the other threads
# running on; 2,000 blocks (a tenth of a second apart, after the entries
# read so far) are added, so it never tells their lag: only its silence
# can show.  (A log reader that stops reading no longer stops it: the
# daemon's log lines go through a queue, see t-log-stall.sh.)
{
	md_conf_base
	echo "maillog = \"$SRC\""
	echo 'metrics_interval = "1s"'
	MD_DIGEST=10m md_alert_conf
} >"$MD_CONF"
md_start
wait_for 20 status_has "log source: $SRC, 0 s behind its newest entry" ||
	die "--status before the stall: $("$MILTER_DELIST" --status -c "$MD_CONF" | grep -i 'log source')"
python3 "$PY/threadstop.py" "$MD_PID" journal >"$T/threadstop.out" 2>&1 &
STOPPER=$!
at_exit "kill $STOPPER"
wait_for 30 grep -q '^stopped ' "$T/threadstop.out" || {
	kill "$STOPPER" 2>/dev/null
	if grep -q 'ptrace:' "$T/threadstop.out"; then
		md_stop TERM
		skip "cannot stop one thread: $(cat "$T/threadstop.out")"
	fi
	die "the journal thread was not stopped: $(cat "$T/threadstop.out")"
}
backlog 2000 $((NOW - 40)) 7000000000 0 all >"$T/d.export" || hard_error "backlog"
remote d <"$T/d.export"
# behind - the journal's seconds behind in --status --json (-1: none)
behind() {
	"$MILTER_DELIST" --status --json -c "$MD_CONF" | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(([s["seconds_behind"] for s in o["daemon"]["sources"] if s["name"] == sys.argv[1]] or [-1])[0])' "$SRC"
}
stalled() {
	[ "$(behind)" -gt 0 ]
}
wait_for 30 stalled || die "a blocked follower: seconds_behind $(behind), want > 0"
out=$("$MILTER_DELIST" --status -c "$MD_CONF" | grep -F "log source: $SRC, ")
printf '%s\n' "$out" | grep -Eq "log source: $SRC, [1-9][0-9]* s behind its newest entry\$" ||
	die "--status of a blocked follower: $out"
ok "a blocked follower: $out"
kill "$STOPPER"
wait "$STOPPER" || die "the journal thread was not let go: $(cat "$T/threadstop.out")"
caught() {
	[ "$(behind)" = 0 ]
}
wait_for 60 caught || die "after the stall: seconds_behind $(behind), want 0"
md_wait_event "event=block ip=10.8.7.207 " 1 30 || die "the last block of the burst was not read"
[ "$(md_count "$SRC: caught up: ")" = 2 ] || die "the catch-up after the stall was not said"
ok "reading on: 0 s behind again, the whole burst read, its catch-up said"

# --- a reload that drops the journal drops its lag
F=$T/mail.log
: >"$F" && chmod 644 "$F"
sed -i "s|^maillog = .*|maillog = \"$F\"|" "$MD_CONF"
kill -USR1 "$MD_PID"
md_wait_event "stopped following $SRC (no longer configured)" 1 20 || die "the reload did not drop $SRC"
gone() {
	[ "$(behind)" = -1 ]
}
wait_for 20 gone || die "--status still shows $SRC after the reload: $(behind)"
md_stop TERM
ok "reload without the journal: --status shows it no more"
exit 0
