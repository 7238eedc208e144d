#!/bin/sh
# t-act-range.sh - a whole range blocked at once does not crowd out this
# instance's own IP: the real daemon, following a log file, with reroute
# for one IP (reroute.ips, one Postfix instance per IP as the README says)
#
# 100 IPs of a range (10.0.0.0 to 10.0.0.99) are refused by Hotmail
# (S3150) in the log, then this instance's IP, 127.0.0.200.  Only 64 open
# incidents are acted on: the instance's own IP must be among them.
#  1. the table (made with the real postmap) sends hotmail.com through
#     the backup relay, and the daemon says event=reroute action=set for
#     127.0.0.200;
#  2. no event=reroute names another IP: their mail does not leave
#     through this instance, and nothing may say it does;
#  3. the limit is said (a warning), not silent.
#
# Needs postmap (Debian package postfix).

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

need_cmd python3
[ -x /usr/sbin/postmap ] || skip "postmap is not installed (Debian package postfix)"
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
HL="python3 $MD_PY/hostlines.py"
MAILLOG=$MD_DIR/mail.log
: >"$MAILLOG"
chmod 644 "$MAILLOG"
# postmap -c: a Postfix configuration directory of our own
mkdir -p "$T/pf"
: >"$T/pf/main.cf"
mkdir -m 0755 "$T/reroute"
[ -n "$MD_USER" ] && chown "$MD_USER" "$T/reroute"
TABLE=$T/reroute/reroute
RELAY="relay:[127.0.0.1]:2525"

fail() {
	echo "--- log (tail)"
	tail -n 20 "$MD_LOG"
	echo "--- table"
	cat "$TABLE" 2>/dev/null
	echo "FAIL: $*"
	exit 1
}

{
	md_conf_base
	cat <<EOF
maillog = "$MAILLOG"
reroute {
	transport = "$RELAY"
	table = "$TABLE"
	postfix_config = "$T/pf"
	ips = {"127.0.0.200"}
}
EOF
	md_alert_conf
} >"$MD_CONF"
"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null ||
	fail "the test configuration does not check"
md_start
wait_for 10 grep_file "following $MAILLOG" "$MD_LOG" || fail "not following $MAILLOG"
wait_for 20 test -f "$TABLE.db" || fail "the daemon did not create $TABLE.db"

{
	$HL mass 100
	$HL block postfix 127.0.0.200
} >>"$MAILLOG"
md_wait_event "event=reroute action=set ip=127.0.0.200 provider=microsoft-consumer transport=$RELAY" 1 30 ||
	fail "no event=reroute action=set for 127.0.0.200 (the 101st incident)"
grep -q -F "hotmail.com $RELAY" "$TABLE" || fail "hotmail.com is not in the table"
ok "1. this instance's IP, the 101st blocked, is rerouted: $(grep -c . "$TABLE") table line(s)"

others=$(grep 'event=reroute' "$MD_LOG" | grep -v 'ip=127.0.0.200 ' | head -n 3)
[ -z "$others" ] || fail "event=reroute for another instance's IP: $others"
ok "2. no event=reroute for the 100 other IPs"

grep -q 'more than 64 open incidents' "$MD_LOG" ||
	fail "the limit of 64 acted-on incidents is not said"
ok "3. the limit is said: $(grep -o 'more than 64 open incidents[^"]*' "$MD_LOG" | head -n 1)"
exit 0
