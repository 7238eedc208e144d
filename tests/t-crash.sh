#!/bin/sh
# t-crash.sh - kill -9 at random moments while findings stream in, and
# corrupt state files.
#
# A streamer sends bounces naming new IPs through the milter (miltertest,
# the internal path) and appends log lines naming new IPs to the followed
# maillog, without pause.  Meanwhile the daemon is started and killed
# with SIGKILL at a random moment 0-800 ms after its launch, CRASH_LOOPS
# times (default 100; the random seed is printed; CRASH_SEED repeats a
# run).  The alert mails go to a capture sendmail.  Checked:
#   - after every kill the state file parses (tests/lib/statefile.py, as
#     strict as the daemon) and no restart logs "state file unusable";
#   - no incident lost: every IP of an event=block line that a run logged
#     from a bounce (source=dsn) is in the state file right after that
#     run was killed; in the end, after a last run has caught up with the
#     log, every IP of every log line and bounce logged is in the state;
#   - no alert sent twice: every captured mail is a well-formed alert and
#     no (incident, mail kind) and no IP has two; every incident ends up
#     alerted.
# First, a deterministic case: a first start (which begins at the end of
# the maillog) killed at once; the restart must read the line written
# meanwhile and not the history.
# Then a truncated, a garbage and an empty state file: each is moved aside
# to state.corrupt.<time> with a warning, and the daemon starts and
# answers.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
. "$here/lib/milterd.sh"

need_cmd miltertest python3
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
md_init
md_syslog cheap || echo "# the daemon's syslog goes to the system's (if any); its stderr is checked"
t0=$(date +%s)
LOOPS=${CRASH_LOOPS:-100}
SEED=${CRASH_SEED:-$(date +%N | sed 's/^0*//')}
MAILLOG=$MD_DIR/maillog
: >"$MAILLOG"
chmod 644 "$MAILLOG"
mkdir "$T/snap"

okt() { # MESSAGE - ok, with the seconds since the start
	ok "$* [$(($(date +%s) - t0)) s]"
}
die() {
	echo "--- log (tail)"
	tail -n 30 "$MD_LOG"
	fail "$*"
}

{
	md_conf_base
	echo "maillog = \"$MAILLOG\""
	md_alert_conf
} >"$MD_CONF"
"$MILTER_DELIST" -t -c "$MD_CONF" >/dev/null || die "the test configuration does not check"

# logline N - a Postfix log line: S3150 naming the IP 10.200.a.b made of N
logline() {
	printf '%s mx postfix/smtp[4242]: %X: to=<u%d@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[104.47.1.1]:25, delay=0.7, delays=0.01/0/0.4/0.29, dsn=5.7.1, status=bounced (host hotmail-com.olc.protection.outlook.com[104.47.1.1] said: 550 5.7.1 Unfortunately, messages from [10.200.%d.%d] weren'"'"'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command))\n' \
		"$(date '+%b %e %H:%M:%S')" $((0x100000 + $1)) "$1" $(($1 / 256 % 256)) $(($1 % 256))
}

# --- a first start, killed at once: the restart must not skip the log ---
# The first start begins at the end of the maillog (old lines are
# history).  Killed before any periodic save, the restart must resume
# from there, not from the end again: the line written meanwhile counts.
logline 1 | sed 's/10\.200\./10.250./' >>"$MAILLOG"
md_start
md_stop KILL
logline 2 | sed 's/10\.200\./10.250./' >>"$MAILLOG"
md_start
md_wait_event "event=alert-sent ip=10.250.0.2 " 1 20 ||
	die "a line written after a first start killed at once was skipped"
[ "$(md_count "ip=10.250.0.1 ")" = 0 ] || die "the first start read the log's history"
md_stop KILL
echo "--- first-start case done" >>"$MD_LOG"
rm -f "$MD_STATE" "$MD_STATE".log "$MD_STATE".log.new "$MD_MAILDIR"/*.eml
: >"$MAILLOG"
okt "a first start killed at once: the restart read the line written meanwhile, not the history"

# --- the streamer: 2 bounces and a log line with new IPs, 5 times a second
# (miltertest waits up to 10 s for the socket while the daemon is down)
(
	n=0
	while [ ! -e "$T/stop" ]; do
		md_bounces -D count=2 -D perconn=2 -D ip=seq -D first=$n >/dev/null 2>&1
		logline $n >>"$MAILLOG"
		n=$((n + 2))
		sleep 0.2
	done
) &
STREAMER=$!
at_exit "touch $T/stop; kill $STREAMER"

# --- the crash loop -------------------------------------------------------
delays=$(awk -v s="$SEED" -v n="$LOOPS" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * 0.8 }')
k=0
for d in $delays; do
	k=$((k + 1))
	md_launch
	sleep "$d"
	kill -9 "$MD_PID"
	wait "$MD_PID" 2>/dev/null
	echo "--- killed run $k after $d s" >>"$MD_LOG"
	if [ -f "$MD_STATE" ]; then
		# with its journals: what was acknowledged may be only there
		cp "$MD_STATE" "$T/snap/$k"
		for j in log log.new; do
			[ ! -f "$MD_STATE.$j" ] || cp "$MD_STATE.$j" "$T/snap/$k.$j"
		done
	else
		: >"$T/snap/$k.none"
	fi
done
touch "$T/stop"
wait "$STREAMER"
echo "# streamer stopped [$(($(date +%s) - t0)) s]"
tmps=$(ls "$MD_DIR/state" | grep -c '\.tmp\.')
okt "$LOOPS runs killed with SIGKILL at random moments (seed $SEED)"

# --- the last run: catch up, send what is owed ----------------------------
md_start
echo "# last run started [$(($(date +%s) - t0)) s]"
python3 - "$MAILLOG" "$MD_LOG" "$MD_STATE" "$MD_PY" <<'EOF' || die "the last run did not catch up"
# wait until every IP of the maillog and of a logged bounce is in the
# state file and every incident is alerted
import re, sys, time
maillog, log, state, py = sys.argv[1:]
sys.dont_write_bytecode = True
sys.path.insert(0, py)
import statefile
want = set(re.findall(r"messages from \[([0-9.]+)\]", open(maillog).read()))
want |= set(re.findall(r"event=block ip=([0-9.]+) .*source=dsn",
                       open(log, errors="replace").read()))
deadline = time.time() + 90
while True:
    try:
        incs = statefile.load(state)
        have = set(statefile.text(i["ip"]) for i in incs)
        open_ = [statefile.text(i["ip"]) for i in incs if i["state"] == b"open"]
        if want <= have and not open_:
            break
    except (OSError, statefile.Corrupt) as e:
        have, open_ = set(), [str(e)]
    if time.time() > deadline:
        print("missing: %s" % sorted(want - have)[:20])
        print("not alerted: %s" % open_[:5])
        sys.exit(1)
    time.sleep(0.2)
print("# state: %d incidents, all alerted" % len(incs))
EOF
sleep 2	# a duplicate alert, if one were owed, would go now
md_stop KILL
cp "$MD_STATE" "$T/final"
for j in log log.new; do
	[ ! -f "$MD_STATE.$j" ] || cp "$MD_STATE.$j" "$T/final.$j"
done

# --- the checks -----------------------------------------------------------
python3 - "$T" "$MD_LOG" "$MD_MAILDIR" "$MD_PY" "$LOOPS" <<'EOF' >"$T/check.out" 2>&1
import email, email.policy, os, re, sys
T, log, maildir, py, loops = sys.argv[1:]
sys.dont_write_bytecode = True
sys.path.insert(0, py)
import statefile
bad = []

def state_ips(path):
    try:
        return set(statefile.text(i["ip"]) for i in statefile.load(path))
    except statefile.Corrupt as e:
        bad.append("%s: corrupt: %s" % (os.path.basename(path), e))
        return set()

# The log, cut into runs at the "--- killed run K" marks.
runs, cur = [], []
for line in open(log, errors="replace"):
    if line.startswith("--- killed run "):
        runs.append(cur)
        cur = []
    else:
        cur.append(line)
unusable = [l for l in open(log, errors="replace") if "state file unusable" in l]
if unusable:
    bad.append("a restart found the state unusable: %s" % unusable[0].strip())
started = sum(1 for r in runs if any("event=start " in l for l in r))
dsn_events = lost = 0
for k, lines in enumerate(runs, 1):
    snap = os.path.join(T, "snap", str(k))
    logged = set(re.findall(r"event=block ip=([0-9.]+) .*source=dsn",
                            "".join(lines)))
    dsn_events += len(logged)
    if not os.path.exists(snap):
        if logged:
            bad.append("run %d logged incidents but left no state" % k)
        continue
    missing = logged - state_ips(snap)
    if missing:
        lost += len(missing)
        bad.append("run %d: logged, then lost at the kill: %s" %
                   (k, sorted(missing)))

# The mails.
seen_inc, seen_ip, kinds = {}, {}, {}
mails = sorted(f for f in os.listdir(maildir) if f.endswith(".eml"))
for f in mails:
    with open(os.path.join(maildir, f), "rb") as fp:
        m = email.message_from_binary_file(fp, policy=email.policy.default)
    subj = " ".join(str(m.get("Subject", "")).split())
    body = m.get_body(("plain",)).get_content()
    s = re.match(r"\[milter-delist\] ([0-9.]+) (blocked by|still|cleared)", subj)
    i = re.search(r"milter-delist, incident (\d+)", body)
    if not s or not i or m.defects:
        bad.append("%s: not a well-formed alert: %r" % (f, subj))
        continue
    kind = s.group(2).split()[0]
    kinds[kind] = kinds.get(kind, 0) + 1
    for key, seen in (((i.group(1), kind), seen_inc), ((s.group(1), kind), seen_ip)):
        if key in seen:
            bad.append("sent twice: %s %s (%s and %s)" % (key + (seen[key], f)))
        seen[key] = f
final = state_ips(os.path.join(T, "final"))
assumed = sum(1 for l in open(log, errors="replace") if "assumed=yes" in l)
no_mail = sorted(ip for ip in final if (ip, "blocked") not in seen_ip)
print("runs %s started %d dsn-events %d lost %d mails %d %s final %d "
      "assumed-sent %d without-mail %d" %
      (loops, started, dsn_events, lost, len(mails), kinds, len(final),
       assumed, len(no_mail)))
if no_mail:
    # Counted as sent at a restart although no mail went out: lost.
    bad.append("alerted without a mail: %s" % " ".join(no_mail))
for b in bad[:20]:
    print("BAD: " + b)
sys.exit(1 if bad else 0)
EOF
cstatus=$?
cat "$T/check.out"
[ "$cstatus" = 0 ] || die "crash loop: see above"
# Temp files of saves cut short by a kill are removed at the next start.
left=$(ls "$MD_DIR/state" | grep -c '\.tmp\.')
[ "$left" = 0 ] || die "$left temp state file(s) left after the final start"
okt "after every kill the state file parsed and loaded, no logged incident lost, no alert lost or sent twice; $tmps temp file(s) left by the kills, removed at the next start"

# --- corrupt state files --------------------------------------------------
corrupt() { # WHAT - the state file is prepared; start, check, stop
	n=$(md_count "state file unusable")
	cp "$MD_STATE" "$T/corrupt.in"
	md_start
	[ "$(md_count "state file unusable")" = $((n + 1)) ] || die "$1: no warning"
	aside=$(ls "$MD_DIR/state" | grep '^state\.corrupt\.[0-9]*$')
	[ "$(echo "$aside" | wc -l)" = 1 ] && [ -n "$aside" ] || die "$1: not moved aside ($aside)"
	cmp -s "$T/corrupt.in" "$MD_DIR/state/$aside" || die "$1: the file moved aside differs"
	grep -F "state file unusable" "$MD_LOG" | tail -n 1 | grep -q -F "moved aside to $MD_DIR/state/$aside, starting empty" ||
		die "$1: the warning does not say where the file went"
	md_smoke || die "$1: the daemon does not answer"
	md_stop KILL
	mv "$MD_DIR/state/$aside" "$T/$aside.$2"
	okt "$1 state file: warning \"$(grep -F "state file unusable" "$MD_LOG" | tail -n 1 | sed 's/.*state file unusable (\(.*\)); moved aside.*/\1/' | sed "s|$MD_DIR/||")\", moved aside, started"
}
size=$(wc -c <"$T/final")
head -c $((size / 2)) "$T/final" >"$MD_STATE"
corrupt "a truncated" 1
head -c 4096 /dev/urandom >"$MD_STATE"
corrupt "a garbage" 2
: >"$MD_STATE"
corrupt "an empty" 3

# --- a torn and a corrupted journal ---------------------------------------
# journal BAD - the final state file and a journal of one good record
# (incident of IP 10.99.0.1) then, with BAD "torn", a record cut by a
# crash (IP 10.99.0.2, no newline); with BAD "sum", a record whose sum is
# wrong (IP 10.99.0.7) followed by a good one (IP 10.99.0.3)
journal() {
	cp "$T/final" "$MD_STATE"
	rm -f "$MD_STATE.log" "$MD_STATE.log.new"
	python3 - "$MD_STATE.log" "$1" <<'EOF'
import sys
path, bad = sys.argv[1:]
def rec(body):
    h = 0x811c9dc5
    for c in body:
        h = ((h ^ c) * 0x01000193) & 0xffffffff
    return body + b" check=%08x\n" % h
def inc(i, ip):
    return (b"incident id=%d ip=%s provider=microsoft-consumer kind=block "
            b"remedy=sender-support-form state=alerted first=1700000000 "
            b"last=1700000000 alerted=1700000001" % (i, ip))
data = b"milter-delist-journal 2\n" + rec(inc(900001, b"10.99.0.1"))
if bad == "torn":
    data += rec(inc(900002, b"10.99.0.2"))[:-40]
else:
    data += rec(inc(900002, b"10.99.0.2")).replace(b"10.99.0.2", b"10.99.0.7")
    data += rec(inc(900003, b"10.99.0.3"))
open(path, "wb").write(data)
EOF
	chmod 600 "$MD_STATE.log"
	chown --reference="$MD_DIR/state" "$MD_STATE" "$MD_STATE.log"
}
has_ip() { # IP - the loaded state (state file and journals) has IP
	python3 "$MD_PY/statefile.py" "$MD_STATE" | grep -q " $1 "
}
journal torn
n=$(md_count "dropped a torn last record")
md_start
[ "$(md_count "dropped a torn last record")" = $((n + 1)) ] || die "a torn journal record: no warning"
md_smoke || die "a torn journal: the daemon does not answer"
md_stop TERM
has_ip 10.99.0.1 || die "a torn journal: the good record before it was lost"
has_ip 10.99.0.2 && die "a torn journal: the torn record was applied"
[ -e "$MD_STATE.log" ] && die "a clean stop left the journal"
okt "a torn journal record: dropped with a warning, the records before it loaded"
journal sum
n=$(md_count "record with a bad check")
md_start
[ "$(md_count "record with a bad check")" = $((n + 1)) ] || die "a corrupted journal record: no warning"
md_stop TERM
has_ip 10.99.0.1 || die "a corrupted journal: the good record before it was lost"
has_ip 10.99.0.7 && die "a corrupted journal: the corrupted record was applied"
kept=$(ls "$MD_DIR/state" | grep -c '^state\.log\.corrupt\.')
[ "$kept" = 1 ] || die "a corrupted journal: not kept aside ($kept copies)"
okt "a corrupted journal record: the rest dropped with a warning and kept in $(ls "$MD_DIR/state" | grep '^state\.log\.corrupt\.')"

if [ -n "${SYSLOG_FILE:-}" ]; then
	python3 "$MD_PY/logcheck.py" "$SYSLOG_FILE" >"$T/logcheck.out"
else
	python3 "$MD_PY/logcheck.py" --stderr "$MD_LOG" >"$T/logcheck.out"
fi || { cat "$T/logcheck.out"; fail "malformed log lines"; }
echo "t-crash: $(($(date +%s) - t0)) s"
exit 0
