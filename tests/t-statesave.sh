#!/bin/sh
# t-statesave.sh - milter replies while a 10,000-incident state is saved
#
# 10,000 blocked IPs arrive through the followed maillog at once; their
# incidents outgrow the state file, which is rewritten (about 7 MB) while
# bounces go through the milter.  Reported, not
# asserted (no timing assertions): the milter's time per bounce
# (miltertest, 300 bounces) on an empty store and during those rewrites.
# Asserted, the structure that keeps a callback off the disk: every bounce
# is answered continue/accept and its incident is in the state; the state
# file was rewritten during the run (compactions), and none of those
# rewrites held the store's lock (the daemon's own count at the stop: only
# the start's and the stop's snapshots are taken with the lock held).

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
. "$here/lib/milterd.sh"

need_cmd miltertest python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"
{
	md_conf_base
	echo "maillog = \"$MAILLOG\""
	echo "max_incidents = 11000"
	md_alert_conf "/bin/sh -c cat>/dev/null"
} >"$MD_CONF"
die() {
	echo "--- log (tail)"
	tail -n 30 "$MD_LOG"
	fail "$*"
}

# bounces FIRST - 300 bounces (distinct IPs from FIRST); prints ms each
bounces() {
	b0=$(date +%s%N)
	md_bounces -D count=300 -D perconn=10 -D ip=seq -D first="$1" >"$T/mt.$1" 2>&1 ||
		{ cat "$T/mt.$1"; die "a bounce was not answered continue/accept"; }
	awk -v ns="$(($(date +%s%N) - b0))" 'BEGIN { printf "%.2f", ns / 300 / 1e6 }'
}

md_start
idle=$(bounces 100000)
# the 10,000 lines at once, and bounces at the same time: the intake's
# journal outgrows the state file, which is then rewritten
python3 - "$MAILLOG" <<'EOF'
import sys, time
stamp = time.strftime("%b %e %H:%M:%S")
with open(sys.argv[1], "a") as f:
    f.write("".join(
        "%s mx postfix/smtp[4242]: %X: to=<u%d@hotmail.com>, "
        "relay=hotmail-com.olc.protection.outlook.com[104.47.1.1]:25, "
        "delay=0.7, delays=0.01/0/0.4/0.29, dsn=5.7.1, status=bounced "
        "(host hotmail-com.olc.protection.outlook.com[104.47.1.1] "
        "said: 550 5.7.1 Unfortunately, messages from [%s] weren't "
        "sent. Please contact your Internet service provider since "
        "part of their network is on our block list (S3150). (in "
        "reply to MAIL FROM command))\n" %
        (stamp, 0x100000 + i, i,
         "10.%d.%d.%d" % (200 + i // 62500, i // 250 % 250, 1 + i % 250))
        for i in range(10000)))
EOF
busy=$(bounces 200000)
md_wait_event "source=postfix-log" 10000 120 || die "the 10,000 log lines were not taken in"
busy2=$(bounces 300000)
echo "# milter reply per bounce: ${idle} ms idle, ${busy} ms during the intake and rewrite, ${busy2} ms after"
md_stop TERM
line=$(grep "state: this run wrote" "$MD_LOG" | tail -n 1)
[ -n "$line" ] || die "no account of the state writes at the stop"
snaps=$(echo "$line" | sed 's/.* \([0-9]*\) snapshot(s).*/\1/')
locked=$(echo "$line" | sed 's/.* \([0-9]*\) of them with the store locked.*/\1/')
[ "$snaps" -ge 3 ] || die "the 10,000-incident state was not rewritten during the run ($line)"
[ "$locked" = 2 ] || die "$locked snapshot(s) written with the store locked, want 2 (start and stop): $line"
for first in 100000 200000 300000; do
	python3 "$MD_PY/statefile.py" "$MD_STATE" >"$T/incidents"
	for k in 0 299; do
		ip=$(python3 -c "i=$first+$k; print('10.%d.%d.%d' % (i//65536%256, i//256%256, i%256))")
		grep -q " $ip " "$T/incidents" || die "the incident of bounce $((first + k)) ($ip) is not in the state"
	done
done
ok "milter reply per bounce: ${idle} ms on an empty store, ${busy} ms while 10,000 incidents came in and their state was rewritten, ${busy2} ms after; $((snaps - 2)) rewrite(s) during the run, none with the store locked"
exit 0
