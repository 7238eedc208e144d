#!/bin/sh
# t-scan-threads.sh - a large log read by several threads (--scan splits
# it at line boundaries, the findings are merged in file order), and a
# directory of messages parsed by several threads (taken in name order),
# give byte for byte the output of the single-threaded reader: findings,
# line numbers, summary, counts and exit status, as key=value and JSON.

. "$(dirname "$0")/lib/common.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
need_cmd python3
make_tmpdir
MD="$MILTER_DELIST"

# A dense log (every line a delivery record, 1% Microsoft refusals) of
# about 9 MB: nine 1 MiB blocks and more; the fixture log with its cut
# line appended, without a last LF.
python3 "$srcdir/tests/bench/genlog.py" --dense --lines 32000 --seed 7 \
	"$T/mail.log" >"$T/ref" || hard_error "genlog.py failed"
cat "$srcdir/tests/fixtures/scan/mail.log" >>"$T/mail.log"
printf 'Nov 20 10:00:09 mx1 postfix/smtp[1]: no LF' >>"$T/mail.log"
want=$(sed -n 's/.*findings=\([0-9]*\).*/\1/p' "$T/ref")
[ "$want" -gt 100 ] || hard_error "genlog.py wrote $want findings"

for mode in "" --json; do
	MILTER_DELIST_SCAN_THREADS=1 "$MD" --scan $mode "$T/mail.log" >"$T/one" 2>"$T/one.err"
	rc1=$?
	n=$(grep -c . "$T/one")
	[ "$n" -gt "$want" ] || fail "one thread$mode: $n output lines for $want findings"
	grep -q "scanned 1 file(s): 32012 log line(s)" "$T/one.err" ||
		fail "one thread$mode: $(cat "$T/one.err")"
	for t in 2 3 8 default; do
		if [ "$t" = default ]; then
			"$MD" --scan $mode "$T/mail.log" >"$T/many" 2>"$T/many.err"
		else
			MILTER_DELIST_SCAN_THREADS=$t "$MD" --scan $mode "$T/mail.log" >"$T/many" 2>"$T/many.err"
		fi
		rc=$?
		[ "$rc" = "$rc1" ] || fail "$t threads$mode: exit $rc, one thread: $rc1"
		cmp "$T/one" "$T/many" >/dev/null ||
			{ diff "$T/one" "$T/many" | head -n 5; fail "$t threads$mode: the output differs"; }
		cmp "$T/one.err" "$T/many.err" >/dev/null ||
			fail "$t threads$mode: $(cat "$T/many.err") / one thread: $(cat "$T/one.err")"
	done
	ok "--scan$mode: 2, 3, 8 threads and the default give the single-threaded output ($n lines)"
done

# A directory of messages, parsed by several threads and taken in name
# order: the bounce fixtures five times over (and once as a symbolic link),
# with an mbox, a log, a message whose first line is no header, an empty
# file and a subdirectory among them; the shared corpus too when present.
mkdir -p "$T/dir/sub"
for r in 1 2 3 4 5; do
	for f in "$srcdir"/tests/fixtures/dsn/*.eml; do
		cp "$f" "$T/dir/$r-${f##*/}"
	done
done
if [ -d "${MILTER_DELIST_CORPUS:-}/sisimai" ]; then
	cp "$MILTER_DELIST_CORPUS"/sisimai/*.eml "$T/dir/" 2>/dev/null
fi
ln -s "$T/dir/1-postfix-s3150.eml" "$T/dir/link.eml"
{
	echo "From MAILER-DAEMON Fri Nov 20 10:00:00 2026"
	cat "$srcdir/tests/fixtures/dsn/exchange-606.eml"
	echo
	echo "From MAILER-DAEMON Fri Nov 20 10:00:01 2026"
	cat "$srcdir/tests/fixtures/dsn/sendmail-606.eml"
} >"$T/dir/3-mbox"
cp "$srcdir/tests/fixtures/scan/mail.log" "$T/dir/2-mail.log"
printf 'not a header\n\nbody\n' >"$T/dir/4-text"
: >"$T/dir/4-empty"
cp "$srcdir/tests/fixtures/dsn/postfix-s3150.eml" "$T/dir/sub/s.eml"
n=$(ls "$T/dir" | wc -l) # files: the subdirectory has one
for mode in "" --json; do
	MILTER_DELIST_SCAN_THREADS=1 "$MD" --scan $mode "$T/dir" >"$T/one" 2>"$T/one.err"
	rc1=$?
	grep -q "scanned $n file(s)" "$T/one.err" || fail "directory, one thread$mode: $(cat "$T/one.err")"
	for t in 2 3 default; do
		if [ "$t" = default ]; then
			"$MD" --scan $mode "$T/dir" >"$T/many" 2>"$T/many.err"
		else
			MILTER_DELIST_SCAN_THREADS=$t "$MD" --scan $mode "$T/dir" >"$T/many" 2>"$T/many.err"
		fi
		rc=$?
		[ "$rc" = "$rc1" ] || fail "directory, $t threads$mode: exit $rc, one thread: $rc1"
		cmp "$T/one" "$T/many" >/dev/null ||
			{ diff "$T/one" "$T/many" | head -n 5; fail "directory, $t threads$mode: the output differs"; }
		cmp "$T/one.err" "$T/many.err" >/dev/null ||
			fail "directory, $t threads$mode: $(cat "$T/many.err") / one thread: $(cat "$T/one.err")"
	done
	ok "--scan$mode of a directory of $n entries: 2, 3 threads and the default give the single-threaded output ($(wc -l <"$T/one") lines)"
done

# Each message file and the mbox are opened once, by a worker: the mbox
# was read by a worker and then again, alone, by the caller.
if command -v strace >/dev/null 2>&1; then
	MILTER_DELIST_SCAN_THREADS=2 strace -f -qq -e trace=open,openat \
		-o "$T/strace" "$MD" --scan "$T/dir" >/dev/null 2>&1
	for f in 3-mbox 1-postfix-s3150.eml 2-exchange-606.eml; do
		c=$(grep -c "open[at]*(.*\"\([^\"]*/\)\{0,1\}$f\"" "$T/strace")
		[ "$c" = 1 ] || fail "directory, 2 threads: $f opened $c times"
	done
	ok "directory, 2 threads: the mbox and the messages are opened once each"
else
	echo "# strace is not installed: the opens are not counted"
fi

# An mbox of 4,000 bounces among 70 files: a worker parses at most
# SCANMSG_MBOX_MAX messages of an mbox ahead (the caller reads a longer
# one itself, a message at a time), so the memory stays bounded: 4,000
# parsers held at once would take some 90 MiB.  The output is the
# single-threaded one.
mkdir -p "$T/big"
for i in $(seq 1 69); do
	cp "$srcdir/tests/fixtures/dsn/postfix-s3150.eml" "$T/big/m$i.eml"
done
python3 -c '
import sys
body = open(sys.argv[1], "rb").read().rstrip(b"\n") + b"\n\n"
with open(sys.argv[2], "wb") as f:
    for i in range(4000):
        f.write(b"From MAILER-DAEMON Fri Nov 20 10:00:00 2026\n" + body)
' "$srcdir/tests/fixtures/dsn/exchange-606.eml" "$T/big/mbox"
MILTER_DELIST_SCAN_THREADS=1 "$MD" --scan --json "$T/big" >"$T/one" 2>"$T/one.err"
grep -q "scanned 70 file(s): .* 4069 message(s)" "$T/one.err" ||
	fail "the long mbox, one thread: $(cat "$T/one.err")"
peak=$(MILTER_DELIST_SCAN_THREADS=2 python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as o, open(sys.argv[2], "w") as e:
    subprocess.run(sys.argv[3:], stdout=o, stderr=e)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
' "$T/many" "$T/many.err" "$MD" --scan --json "$T/big")
cmp "$T/one" "$T/many" >/dev/null && cmp "$T/one.err" "$T/many.err" >/dev/null ||
	fail "the long mbox, 2 threads: the output differs"
[ "$peak" -lt 48 ] || fail "the long mbox, 2 threads: peak RSS $peak MiB"
ok "a directory with an mbox of 4,000 messages, 2 threads: the single-threaded output, peak RSS $peak MiB"

MILTER_DELIST_SCAN_THREADS=0 "$MD" --scan "$T/mail.log" >/dev/null 2>"$T/err"
grep -q 'MILTER_DELIST_SCAN_THREADS=0 is not a number from 1 to 8; ignored' "$T/err" ||
	fail "a bad MILTER_DELIST_SCAN_THREADS is not reported: $(cat "$T/err")"
ok "a bad MILTER_DELIST_SCAN_THREADS is reported and ignored"
exit 0
