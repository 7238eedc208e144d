#!/bin/sh
# t-scan-journal.sh - --scan of the logs a Debian 12 box has: real journal files
# (written by systemd-journal-remote from an export stream), a directory of
# them, and text logs with RFC 3339 (rsyslog), short-iso and short-precise
# (journalctl) stamps.  Every form gives the findings of the classic syslog
# form of the same lines; the journal's non-mail entries are not read.

. "${srcdir:-.}/tests/lib/common.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
need_cmd python3
make_tmpdir
MD="$MILTER_DELIST"
REMOTE=/lib/systemd/systemd-journal-remote
# The text logs' zone is UTC+1 (POSIX TZ signs are west-positive).
TZ=XXX-1
export TZ

python3 "$srcdir/tests/lib/journalexport.py" fixtures "$T" ||
	hard_error "journalexport.py failed"

# The delivery in the fixtures is logged by postfix-out1, the transport
# that binds 203.0.113.5: with several IPs in the log, only this mapping
# lets it start that IP's clear clock (sent_since).
printf 'syslog_names = {"postfix-out1 = 203.0.113.5"}\n' >"$T/scan.conf"

# findings FILE... - the finding and summary lines, without file= and line=
findings() {
	"$MD" -c "$T/scan.conf" --scan "$@" 2>"$T/err" | sed 's/ file=[^ ]*//; s/ line=[0-9]*//'
}

# --- the classic syslog form: the reference
findings "$T/classic.log" >"$T/want"
grep -q 'event=block ip=203.0.113.5 .*code=S3150 .*queue_id=A2B3C4D5E' "$T/want" &&
	grep -q 'event=ban ip=203.0.113.6 ' "$T/want" &&
	grep -q 'event=block ip=198.51.100.7 .*source=sendmail-log' "$T/want" &&
	grep -q '^summary=203.0.113.5 .*sent_since=' "$T/want" ||
	{ cat "$T/want"; hard_error "the classic log does not give the expected findings"; }
ok "classic syslog form: 4 findings, 3 incidents (the reference)"

# --- the same lines with other stamps: a log, not a message
for form in rfc3339 shortiso precise; do
	findings "$T/$form.log" >"$T/got"
	grep -q ' 7 log line(s) .* 0 message(s)' "$T/err" ||
		fail "$form: not read as a log: $(cat "$T/err")"
	diff "$T/want" "$T/got" >"$T/diff" ||
		{ cat "$T/diff"; fail "$form: findings differ from the classic form"; }
	ok "$form: read as a log, the same findings and times as the classic form"
done

# A message whose first lines are log lines is a log, even after a header.
{ echo "Subject: pasted log"; cat "$T/rfc3339.log"; } >"$T/pasted.log"
findings "$T/pasted.log" >"$T/got"
grep -q ' 8 log line(s) .* 0 message(s)' "$T/err" ||
	fail "a header line followed by log lines: $(cat "$T/err")"
ok "a log whose first line looks like a header is still a log"
# A real message stays a message.
printf 'From: a@example.org\nTo: b@example.org\nSubject: hi\n\n2026-12-06T09:12:01+0100 mx1 postfix/smtp[1]: x\n' >"$T/msg.eml"
findings "$T/msg.eml" >/dev/null
grep -q ' 0 log line(s) .* 1 message(s)' "$T/err" ||
	fail "a message with a log line in its body: $(cat "$T/err")"
ok "a message with log lines in its body is still a message"

# --- journal files
[ -x "$REMOTE" ] || skip "$REMOTE is not installed (package systemd-journal-remote)"
mkdir "$T/jd"
"$REMOTE" -o "$T/jd/remote-mx1.journal" - <"$T/mail.export" 2>"$T/remote.err" ||
	hard_error "systemd-journal-remote: $(cat "$T/remote.err")"
# Journal files are recognised by content, whatever their name.
cp "$T/jd/remote-mx1.journal" "$T/saved-entries"

findings "$T/jd/remote-mx1.journal" >"$T/got"
if grep -q 'built without journal support' "$T/err"; then
	grep -q 'journal' "$T/err" || fail "no message"
	skip "this build has no libsystemd (the refusal was loud: $(cat "$T/err"))"
fi
grep -q ' 8 log line(s) ' "$T/err" ||
	fail "journal file: want the 8 mail entries read: $(cat "$T/err")"
diff "$T/want" "$T/got" >"$T/diff" ||
	{ cat "$T/diff"; fail "journal file: findings differ from the classic form"; }
grep -q 'mallory\|192.0.2.200\|A9F9F9F9F' "$T/got" &&
	fail "the entry of the user facility was read"
ok "journal file (.journal): the mail entries only, the same findings"

findings "$T/saved-entries" >"$T/got"
diff "$T/want" "$T/got" >/dev/null || fail "journal file without .journal name"
ok "journal file recognised by its content, not its name"

findings "$T/jd" >"$T/got"
diff "$T/want" "$T/got" >"$T/diff" ||
	{ cat "$T/diff"; fail "journal directory: findings differ"; }
grep -q 'scanned 1 file(s): 8 log line(s)' "$T/err" ||
	fail "journal directory: $(cat "$T/err")"
ok "journal directory: the same findings"

# Two journal files in one directory are read as one journal, in time
# order, with a text log beside them.
python3 "$srcdir/tests/lib/journalexport.py" fixtures "$T/b" b ||
	hard_error "journalexport.py failed"
"$REMOTE" -o "$T/jd/remote-mx2.journal" - <"$T/b/mail.export" 2>"$T/remote.err" ||
	hard_error "systemd-journal-remote: $(cat "$T/remote.err")"
cp "$T/b/rfc3339.log" "$T/jd/mail.log"
"$MD" --scan "$T/jd" >"$T/out" 2>"$T/err"
grep -q 'scanned 3 file(s): 23 log line(s) ' "$T/err" ||
	fail "journal directory of two files and a log: $(cat "$T/err")"
n=$(grep -c '^event=' "$T/out")
[ "$n" = 12 ] || { cat "$T/out"; fail "$n findings, want 12"; }
grep -q 'queue_id=B2B3C4D5E .*file=.*/jd/mail.log line=3$' "$T/out" ||
	fail "the text log beside the journal files was not read as a log"
ok "journal directory with two journal files and a text log: all read once"

# The same directory with 80 bounces beside the journal files (enough for
# the walk by several threads): one thread and two give the same output;
# each journal file is read once, with the other, after the messages.
n=0
for r in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	for f in "$srcdir"/tests/fixtures/dsn/*.eml; do
		n=$((n + 1))
		[ "$n" -le 80 ] || break 2
		cp "$f" "$T/jd/m$n.eml"
	done
done
for t in 1 2; do
	MILTER_DELIST_SCAN_THREADS=$t "$MD" -c "$T/scan.conf" --scan "$T/jd" \
		>"$T/out$t" 2>"$T/err$t"
	grep -q 'scanned 83 file(s): 23 log line(s) .* 80 message(s)' "$T/err$t" ||
		fail "$t thread(s): journals, a log and 80 messages: $(cat "$T/err$t")"
done
cmp "$T/out1" "$T/out2" >/dev/null ||
	{ diff "$T/out1" "$T/out2" | head -n 5; fail "one thread and two differ"; }
last_msg=$(grep -n 'file=[^ ]*/m[0-9]*\.eml' "$T/out1" | tail -n 1 | cut -d: -f1)
first_j=$(grep -n 'file=[^ ]*/jd line=' "$T/out1" | head -n 1 | cut -d: -f1)
[ -n "$last_msg" ] && [ -n "$first_j" ] && [ "$first_j" -gt "$last_msg" ] ||
	{ cat "$T/out1"; fail "the journal entries do not come after the messages"; }
# as many journal findings as without the messages (the run above)
nj=$(grep -c 'file=[^ ]*/jd line=' "$T/out")
[ "$nj" -gt 0 ] && [ "$(grep -c 'file=[^ ]*/jd line=' "$T/out1")" -eq "$nj" ] ||
	fail "the journal entries are not read once: $nj without the messages, $(grep -c 'file=[^ ]*/jd line=' "$T/out1") with"
rm -f "$T"/jd/m*.eml
ok "80 messages beside the journal files: one thread = two, journals read once, last"

# A journal file on standard input cannot be read: said, not ignored.
"$MD" --scan - <"$T/saved-entries" >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "journal on stdin: exit $rc, want 2"
grep -q 'journal' "$T/err" || fail "journal on stdin: $(cat "$T/err")"
ok "a journal file on standard input: an error naming the journal, exit 2"

# A cut journal file (a copy that stopped half-way) is an error, named.
head -c 1000 "$T/saved-entries" >"$T/cut.journal"
"$MD" --scan "$T/cut.journal" >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "cut journal file: exit $rc, want 2"
grep -q 'cut.journal: .*cut or damaged' "$T/err" || fail "cut journal file: $(cat "$T/err")"
ok "a cut journal file: an error naming it, exit 2"
