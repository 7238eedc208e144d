#!/bin/sh
# t-scan.sh - the offline mode of the real binary: --scan over a mail log,
# a clean log, a maildir, an mbox, standard input and a missing file, its
# key=value and JSON Lines output, the summary and the exit status; and
# --request for one IP.

. "$(dirname "$0")/lib/common.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
need_cmd python3
make_tmpdir
FIX="$srcdir/tests/fixtures"
LOG="$FIX/scan/mail.log"
MD="$MILTER_DELIST"

# --- a Postfix + Sendmail log with four Microsoft refusals
"$MD" --scan "$LOG" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "--scan of a log with blocks: exit $rc, want 1"
n=$(grep -c '^event=' "$T/out")
[ "$n" = 4 ] || { cat "$T/out"; fail "$n finding lines, want 4"; }
for want in \
	"event=block ip=203.0.113.5 provider=microsoft-consumer kind=block code=S3150 status=5.7.1 rcpt_domain=hotmail.com source=postfix-log queue_id=2B3C4D5E6F incident=1 file=$LOG line=4" \
	"event=ratelimit ip=203.0.113.5 provider=microsoft-consumer kind=ratelimit code=S775 status=4.7.650 rcpt_domain=outlook.com source=postfix-log queue_id=3C4D5E6F7A incident=1 file=$LOG line=5" \
	"event=ban ip=203.0.113.5 provider=microsoft-365 kind=ban code=AS16012609 status=5.7.606 rcpt_domain=contoso.example source=postfix-log queue_id=4D5E6F7A8B incident=2 file=$LOG line=6" \
	"event=block ip=198.51.100.7 provider=microsoft-consumer kind=block code=5.7.1 status=5.7.1 rcpt_domain=hotmail.com source=sendmail-log queue_id=4AKAxA0B002201 incident=3 file=$LOG line=10"; do
	grep -q -F -x -- "$want" "$T/out" || { cat "$T/out"; fail "missing: $want"; }
done
ok "log: the 4 Microsoft refusals, none of the Gmail/Yahoo/5.4.1/postscreen lines"

n=$(grep -c '^summary=' "$T/out")
[ "$n" = 3 ] || fail "$n summary lines, want 3"
grep -q '^summary=203.0.113.5 provider=microsoft-consumer kind=block codes=S3150,S775 count=2 bounced=1 deferred=1 first_seen=2026-11-20T09:58:04Z ' "$T/out" ||
	{ grep summary "$T/out"; fail "consumer summary of 203.0.113.5"; }
grep -q '^summary=203.0.113.5 provider=microsoft-365 kind=ban codes=AS16012609 count=1 .* remedy=delist-portal url=https://sender.office.com/$' "$T/out" ||
	fail "365 summary of 203.0.113.5"
# Incidents for two IPs and no outbound_ips: the later status=sent does
# not say from which IP it left, so it clears nothing.
! grep -q 'sent_since=' "$T/out" ||
	fail "a status=sent of unknown IP started a clear clock: $(grep sent_since "$T/out")"
# Without the Sendmail line the log names one IP only: it counts.
grep -v sm-mta "$LOG" >"$T/one-ip.log"
"$MD" --scan "$T/one-ip.log" >"$T/out1" 2>/dev/null
grep -q 'sent_since=2026-11-20T10:00:01Z' "$T/out1" ||
	fail "the later status=sent to Outlook.com is not in the summary"
grep -q '1 malformed skipped' "$T/err" || fail "the cut line was not counted as malformed: $(cat "$T/err")"
ok "summary: one line per IP and provider, codes, counts, sent_since; malformed line counted"

# --- JSON Lines
"$MD" --scan --json "$LOG" >"$T/json" 2>/dev/null
[ $? = 1 ] || fail "--scan --json: exit status"
python3 - "$T/json" <<'EOF' || fail "--json output"
import json, sys
keys = ["event", "time", "ip", "provider", "kind", "code", "status", "remedy", "rcpt_domain",
        "remote_mta", "source", "file", "line", "queue_id", "text"]
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
finds = [r for r in rows if r["event"] != "summary"]
assert len(finds) == 4, len(finds)
for r in finds:
    assert list(r.keys()) == keys, list(r.keys())
assert [r["line"] for r in finds] == [4, 5, 6, 10], [r["line"] for r in finds]
assert finds[0]["remote_mta"] == "hotmail-com.olc.protection.outlook.com"
assert "(S3150)" in finds[0]["text"] and "in reply to" not in finds[0]["text"]
assert finds[2]["remedy"] == "delist-portal"
# each finding carries its time: ISO 8601 with the UTC offset
import re
for r in finds:
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", r["time"]), r["time"]
assert (finds[1]["code"], finds[1]["status"]) == ("S775", "4.7.650"), finds[1]
assert (finds[2]["code"], finds[2]["status"]) == ("AS16012609", "5.7.606")
assert sum(1 for r in rows if r["event"] == "summary") == 3
EOF
ok "--json: valid JSON Lines with the documented keys and 1-based line numbers"

# --- a bounce's findings carry its Date (not the file's time)
cp "$FIX/dsn/exchange-606.eml" "$T/606.eml"
touch -d '2030-01-01 00:00:00 UTC' "$T/606.eml"
"$MD" --scan --json "$T/606.eml" >"$T/json606" 2>/dev/null
python3 - "$T/json606" <<'EOF' || fail "a bounce's finding time is not its Date"
import datetime, json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
finds = [r for r in rows if r["event"] != "summary"]
assert finds, rows
want = datetime.datetime(2026, 2, 9, 8, 1, 3, tzinfo=datetime.timezone.utc)
for r in finds:
    got = datetime.datetime.fromisoformat(r["time"])
    assert got == want, (r["time"], want.isoformat())
EOF
ok "--json: a bounce's findings carry the time of its Date: header"

# --- a clean log
"$MD" --scan "$FIX/scan/clean.log" >"$T/out" 2>/dev/null
rc=$?
[ "$rc" = 0 ] || fail "--scan of a clean log: exit $rc, want 0"
[ -s "$T/out" ] && fail "a clean log printed: $(cat "$T/out")"
ok "clean log: nothing printed, exit 0"

# --- standard input gives the same as the file
"$MD" --scan - <"$LOG" 2>/dev/null | sed 's/ file=[^ ]*//' >"$T/stdin"
"$MD" --scan "$LOG" 2>/dev/null | sed 's/ file=[^ ]*//' >"$T/file"
cmp -s "$T/stdin" "$T/file" || fail "stdin and file differ"
ok "stdin (-) gives the same findings as the file"

# --- a maildir and an mbox of bounces
mkdir -p "$T/Maildir/cur" "$T/Maildir/new" "$T/Maildir/tmp"
for f in postfix-s3150 qmail-606 arf marker plain; do
	cp "$FIX/dsn/$f.eml" "$T/Maildir/new/$f"
done
"$MD" --scan "$T/Maildir" >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "maildir: exit status"
grep -q '^event=block ip=203.0.113.5 .*source=dsn .*file=.*/new/postfix-s3150$' "$T/out" ||
	{ cat "$T/out"; fail "maildir: S3150 bounce"; }
grep -q '^event=ban ip=203.0.113.9 .*source=dsn .*file=.*/new/qmail-606$' "$T/out" ||
	fail "maildir: qmail 5.7.606 bounce"
[ "$(grep -c '^event=' "$T/out")" = 2 ] ||
	fail "maildir: the ARF report, our own alert or a plain message gave a finding"
grep -q 'scanned 5 file(s)' "$T/err" || fail "maildir: $(cat "$T/err")"
ok "maildir: 2 findings from 5 messages (ARF, own alert, plain mail ignored)"

for f in postfix-s3150 sendmail-606; do
	echo "From MAILER-DAEMON Thu Nov 20 10:00:00 2026"
	cat "$FIX/dsn/$f.eml"
	echo
done >"$T/mbox"
"$MD" --scan "$T/mbox" >"$T/out" 2>"$T/err"
grep -q '2 message(s)' "$T/err" || fail "mbox: $(cat "$T/err")"
[ "$(grep -c '^event=' "$T/out")" = 2 ] || { cat "$T/out"; fail "mbox: want 2 findings"; }
ok "mbox: 2 messages, 2 findings"

# --- an unreadable file: say which, scan the rest, exit 2
"$MD" --scan "$T/missing.log" "$LOG" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "missing file: exit $rc, want 2"
grep -q "$T/missing.log: No such file or directory" "$T/err" || fail "missing file not named"
[ "$(grep -c '^event=' "$T/out")" = 4 ] || fail "the readable file was not scanned after the error"
ok "missing file: named on stderr, the rest scanned, exit 2"

# --- hostile input: a 1 MB line and binary junk do not stop the scan
{
	head -c 1048576 /dev/zero | tr '\0' 'x'
	echo
	printf 'junk \001\002\377 to=<a@b> status=bounced (\n'
	cat "$LOG"
} >"$T/hostile.log"
"$MD" --scan "$T/hostile.log" >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "hostile log: exit status"
[ "$(grep -c '^event=' "$T/out")" = 4 ] || fail "hostile log: findings lost"
ok "hostile log: 1 MB line and junk skipped, findings intact"

# --- a message file larger than bounce_max_size is read up to it, not to
# its end (a sparse 1 GiB file): alone, in a small directory (one
# thread) and in a large one (several); the system calls tell
if command -v strace >/dev/null 2>&1; then
	printf 'bounce_max_size = "64k"\n' >"$T/small.conf"
	mkdir -p "$T/big" "$T/bigmany"
	cp "$srcdir/tests/fixtures/dsn/postfix-s3150.eml" "$T/big/huge.eml"
	truncate -s 1G "$T/big/huge.eml"
	for i in $(seq 1 70); do
		cp "$srcdir/tests/fixtures/dsn/postfix-s3150.eml" "$T/bigmany/m$i.eml"
	done
	ln "$T/big/huge.eml" "$T/bigmany/huge.eml"
	for what in "$T/big/huge.eml" "$T/big" "$T/bigmany"; do
		strace -f -qq -e trace=read -o "$T/strace" \
			"$MD" -c "$T/small.conf" --scan "$what" >/dev/null 2>"$T/err"
		grep -q ' 1 malformed\| [1-9][0-9]* malformed' "$T/err" ||
			fail "$what: the cut message is not counted: $(cat "$T/err")"
		got=$(sed -n 's/^.*read(.*) = \([0-9][0-9]*\)$/\1/p' "$T/strace" |
			awk '{ s += $1 } END { print s + 0 }')
		[ "$got" -lt 16777216 ] ||
			fail "$what: $got bytes read for a 64 KiB limit"
	done
	ok "a 1 GiB message file is read up to bounce_max_size (alone, 1 thread, several)"
else
	echo "# strace is not installed: the read limit is not checked"
fi

# --- --request
"$MD" --request 203.0.113.5 "$LOG" >"$T/req" 2>/dev/null || fail "--request exit status"
for want in "203.0.113.5" "Server IP Listed / Non-Delivery Returned Mail" "hotmail.com" "(S3150)" "<fill in:"; do
	grep -q -F -- "$want" "$T/req" || { cat "$T/req"; fail "--request: missing \"$want\""; }
done
ok "--request 203.0.113.5: the prefilled request with the verbatim error"
"$MD" --request 192.0.2.99 "$LOG" >"$T/req" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] || fail "--request for an IP without a finding: exit 0"
[ -s "$T/req" ] && { cat "$T/req"; fail "--request for an IP without a finding printed a request"; }
grep -q "no Microsoft block of 192.0.2.99" "$T/err" || fail "--request without a finding: no reason given"
ok "--request 192.0.2.99 (no finding): no request, exit $rc, says why"
"$MD" --request 999.1.1.1 "$LOG" >/dev/null 2>&1 && fail "--request accepts a bad IP"
ok "--request rejects an invalid IP"
exit 0
