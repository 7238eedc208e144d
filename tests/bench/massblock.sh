#!/bin/sh
# massblock.sh - the daemon under a mass block (make bench, section 6)
#
#   massblock.sh [-n IPS] [-l SECONDS] DIR
#
# Starts milter-delist ($MILTER_DELIST) in the foreground following
# DIR/maillog, with the state in DIR/state/ and alerts handed to a shell
# that reads and drops them,
# then appends IPS (default 10,000) Postfix log lines at once, each a
# Microsoft S3150 refusal naming its own IP (10.a.b.c).  Measured:
#   intake: until every IP's event=block is logged (findings, incidents,
#     the state journal), the daemon's CPU (utime + stime) and wall time;
#   all: until the daemon is idle (no CPU for 3 s: owed alerts handed off)
#     or SECONDS (default 600) passed: its CPU, its children's (sendmail);
#   rss: VmRSS at the start, 2 s after the intake, and at the end; VmHWM;
#   state bytes: what the state module wrote (its "state: this run wrote"
#     line at the stop), per finding; wchar: every byte the daemon wrote
#     (state, log lines, mail to sendmail), from /proc/PID/io.
# Prints one line of key=value results; exit 0, or 1 when the run broke.

n=10000
limit=600
while getopts n:l: o; do
	case $o in
	n) n=$OPTARG ;;
	l) limit=$OPTARG ;;
	*) echo "usage: massblock.sh [-n IPS] [-l SECONDS] DIR" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || { echo "usage: massblock.sh [-n IPS] [-l SECONDS] DIR" >&2; exit 64; }
D=$1
: "${MILTER_DELIST:?set MILTER_DELIST}"
mkdir -p "$D/state" || exit 1
user=""
if [ "$(id -u)" = 0 ]; then
	user=nobody
	chown nobody "$D" "$D/state"
fi
: >"$D/maillog"
chmod 644 "$D/maillog"
cat >"$D/conf" <<EOF
socket = "unix:$D/s.sock"
user = "$user"
state_file = "$D/state/state"
maillog = "$D/maillog"
max_incidents = $n
log_level = "info"
alert {
	to = "admin@example.org"
	from = "milter-delist@example.org"
	sendmail = "/bin/sh -c cat>/dev/null"
	retry = "1h"
}
EOF
"$MILTER_DELIST" -f -c "$D/conf" 2>"$D/log" &
pid=$!
i=0
until grep -q "event=start " "$D/log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "error=no-start"; kill "$pid"; exit 1; }
	sleep 0.1
done
sleep 1 # the follower is at the end of the empty log
python3 - "$pid" "$n" "$limit" "$D" <<'EOF'
import os, re, sys, time
pid, n, limit, d = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
hz = os.sysconf("SC_CLK_TCK")

def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz, (int(f[13]) + int(f[14])) / hz

def status(k):
    for l in open("/proc/%d/status" % pid):
        if l.startswith(k + ":"):
            return int(l.split()[1])
    return 0

def wchar():
    for l in open("/proc/%d/io" % pid):
        if l.startswith("wchar:"):
            return int(l.split()[1])
    return 0

def count(pat):
    with open(d + "/log", "rb") as f:
        return f.read().count(pat)

c0, _ = cpu()
w0 = wchar()
rss0 = status("VmRSS")
lines = []
stamp = time.strftime("%b %e %H:%M:%S")
for i in range(n):
    ip = "10.%d.%d.%d" % (i // 62500 % 256, i // 250 % 250, 1 + i % 250)
    lines.append("%s mx postfix/smtp[4242]: %X: to=<u%d@hotmail.com>, "
                 "relay=hotmail-com.olc.protection.outlook.com[104.47.1.1]:25, "
                 "delay=0.7, delays=0.01/0/0.4/0.29, dsn=5.7.1, status=bounced "
                 "(host hotmail-com.olc.protection.outlook.com[104.47.1.1] said: "
                 "550 5.7.1 Unfortunately, messages from [%s] weren't sent. "
                 "Please contact your Internet service provider since part of "
                 "their network is on our block list (S3150). (in reply to "
                 "MAIL FROM command))\n" % (stamp, 0x100000 + i, i, ip))
t0 = time.time()
with open(d + "/maillog", "a") as f:
    f.write("".join(lines))
while count(b"event=block ") < n:
    if time.time() - t0 > limit:
        print("error=intake-timeout blocks=%d" % count(b"event=block "))
        sys.exit(1)
    time.sleep(0.05)
t_in = time.time() - t0
c_in, _ = cpu()
time.sleep(2)  # the intake's journal batch written, its buffer freed
rss_in = status("VmRSS")
last, still = cpu()[0], 0
while still < 3 and time.time() - t0 < limit:
    time.sleep(1)
    c, _ = cpu()
    still = still + 1 if c - last < 0.02 else 0
    last = c
c_all, c_kids = cpu()
print("ips=%d blocks=%d intake_wall_s=%.2f intake_cpu_s=%.2f cpu_s=%.2f "
      "children_cpu_s=%.2f idle=%d wall_s=%.1f rss_start_kib=%d "
      "rss_intake_kib=%d rss_kib=%d hwm_kib=%d alerts=%d wchar=%d" %
      (n, count(b"event=block "), t_in, c_in - c0, c_all - c0, c_kids,
       still >= 3, time.time() - t0, rss0, rss_in, status("VmRSS"),
       status("VmHWM"),
       count(b"event=alert-sent "), wchar() - w0), end="")
EOF
rc=$?
kill -TERM "$pid"
wait "$pid"
b=$(sed -n 's/.*state: this run wrote \([0-9]*\) byte.*/\1/p' "$D/log" | tail -n 1)
if [ $rc = 0 ]; then
	if [ -n "$b" ]; then
		echo " state_bytes=$b state_bytes_per_finding=$((b / n))"
	else
		echo " state_bytes=unknown"
	fi
fi
exit $rc
