#!/bin/sh
# t-scan-threads.sh - a large log read by several threads (--scan splits
# it at line boundaries, the findings are merged in file order) gives
# byte for byte the output of the single-threaded reader: findings, line
# numbers, summary, counts and exit status, as key=value and as JSON.

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

MILTER_DELIST_SCAN_THREADS=0 "$MD" --scan "$T/mail.log" >/dev/null 2>"$T/err"
grep -q 'MILTER_DELIST_SCAN_THREADS=0 is not a number from 1 to 8; ignored' "$T/err" ||
	fail "a bad MILTER_DELIST_SCAN_THREADS is not reported: $(cat "$T/err")"
ok "a bad MILTER_DELIST_SCAN_THREADS is reported and ignored"
exit 0
