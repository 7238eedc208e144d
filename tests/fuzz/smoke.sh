#!/bin/sh
# smoke.sh - run each fuzz target for a fixed time on a fresh seed corpus
#
# usage: smoke.sh SRCDIR BUILDDIR SECONDS TARGET...
#
# For each TARGET (e.g. tests/fuzz/fuzz-dsn, relative to BUILDDIR) the seed
# corpus is built by seeds.py in a temporary directory (the source tree is
# never written), then the target runs for SECONDS seconds with its
# dictionary.  A crash, leak, timeout or broken invariant fails the run;
# its input is kept in BUILDDIR/tests/fuzz/crashes/TARGET/ and the end of
# the target's log is shown.  Exit 0 when every target ran clean, 1
# otherwise, 99 when the harness itself failed.
set -u

if [ $# -lt 4 ]; then
	echo "usage: smoke.sh SRCDIR BUILDDIR SECONDS TARGET..." >&2
	exit 99
fi
srcdir=$1
builddir=$2
secs=$3
shift 3

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-smoke.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

failed=""
for t in "$@"; do
	name=${t##*/}
	short=${name#fuzz-}
	dir=$work/$name
	mkdir -p "$dir/corpus" "$dir/crash" || exit 99
	python3 "$srcdir/tests/fuzz/seeds.py" "$short" "$dir/corpus" \
		"$srcdir" >/dev/null || exit 99
	dict=""
	if [ -f "$srcdir/tests/fuzz/$short.dict" ]; then
		dict="-dict=$srcdir/tests/fuzz/$short.dict"
	fi
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
		"$builddir/$t" -max_total_time="$secs" -timeout=25 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/crash/" $dict "$dir/corpus" \
		>"$dir/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$dir/log" | tail -n 1)
	crashes=$(ls "$dir/crash" | wc -l)
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		echo "PASS: $name: ${execs:-?} runs, ${rate:-?}/s, $cov"
		continue
	fi
	echo "FAIL: $name: exit $rc, $crashes crash input(s)"
	tail -n 40 "$dir/log"
	mkdir -p "$builddir/tests/fuzz/crashes/$name"
	cp "$dir/crash/"* "$builddir/tests/fuzz/crashes/$name/" 2>/dev/null &&
		echo "  kept in $builddir/tests/fuzz/crashes/$name/"
	failed="$failed $name"
done

if [ -n "$failed" ]; then
	echo "fuzz-smoke: failed:$failed"
	exit 1
fi
exit 0
