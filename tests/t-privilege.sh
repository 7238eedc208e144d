#!/bin/sh
# t-privilege.sh - what milter-delist does with root (issue 6, item 7).
#
# Started as root, with extra supplementary groups, under strace, it:
#   - creates its socket while umask is 0777, gives it socket_owner
#     "nobody:postfix" and socket_mode 0660 (and, in a second start with
#     -u nobody, socket_owner "postfix", socket_mode 0640), then drops to
#     the configured user for good: real, effective, saved and file-system
#     uid and gid of every thread are nobody's, the supplementary groups
#     are exactly nobody's (root's are gone), no capabilities are left;
#   - handles a bounce (miltertest, tests/smoke.lua) naming an outbound IP
#     and mails the alert through the real sendmail of a private Postfix
#     instance (it arrives in the admin's mailbox);
#   - keeps its state file 0600, owned by the user, in a directory it
#     created for the user;
#   - writes nothing outside the configured paths: every open for write,
#     creat, rename, link, unlink, mkdir, chmod, chown, truncate and UNIX
#     bind of the daemon (all its threads, and its forked child until that
#     execs sendmail) is within the state file's directory, the socket's
#     directory, the pidfile or /dev/null; the alert's message file is
#     anonymous (memfd or O_TMPFILE). sendmail and postdrop, separate
#     programs, are followed but not judged (tests/lib/tracecheck.py).
# The refusal to run as root without a user is checked by t-cli.sh; the
# systemd unit by t-systemd.sh.
#
# Needs root, Postfix, miltertest, strace, python3 and mount namespaces.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
export SYSLOG_PY="$here/lib/syslog-listener.py"
TRACECHECK=$here/lib/tracecheck.py
LUA=$here/smoke.lua

reason=$(pf_require) || skip "$reason"
need_cmd miltertest strace setpriv
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
make_tmpdir
t0=$(date +%s)

diag() {
	echo "--- milter stderr (tail)"
	tail -n 20 "$T/milter.err" 2>/dev/null
	echo "--- syslog (tail)"
	tail -n 20 "$SYSLOG_FILE" 2>/dev/null
	echo "--- maillog (tail)"
	tail -n 15 "$PF_MAILLOG" 2>/dev/null
}
die() {
	diag
	fail "$*"
}

NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
NOBODY_GROUP=$(id -gn nobody)
NOBODY_GROUPS=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')
POSTFIX_GID=$(getent group postfix | cut -d: -f3)
[ -n "$POSTFIX_GID" ] || skip "no group postfix"

# --- Postfix (its sendmail mails the alert), the syslog listener
pf_create || hard_error "pf_create failed"
pf_start || hard_error "the private Postfix instance did not start"
chmod 0644 "$PF_MAILLOG" # followed by the milter as nobody
syslog_start || hard_error "syslog listener did not start"

mkdir -m 0755 "$T/run" # the pidfile's directory (root's, as /run is)
SOCK=$T/milter/milter.sock
STATE=$T/state/state
PIDFILE=$T/run/milter-delist.pid
CONF=$T/milter-delist.conf
cat >"$CONF" <<EOF
socket = "unix:$SOCK"
socket_owner = "nobody:postfix"
socket_mode = "0660"
user = "nobody"
pidfile = "$PIDFILE"
state_file = "$STATE"
maillog = "$PF_MAILLOG"
log_level = "debug"
outbound_ips = {"192.0.2.1"}
alert {
	to = "admin@$PF_MYDOMAIN"
	from = "milter-delist@$PF_MYDOMAIN"
}
EOF
"$MILTER_DELIST" -t -c "$CONF" >/dev/null || fail "the test configuration does not check"

# --- start as root with root's groups plus adm and postfix, under strace
# (inside the namespace: /dev/log is our listener, /etc/postfix the
# instance's configuration for the sendmail the alert runs).
(
	ns_exec -l "$SYSLOG_SOCK" -p "$PF_ETC" -- \
		setpriv --groups "0,4,$POSTFIX_GID" -- \
		strace -f -qq -y -s 256 -o "$T/trace" \
		"$MILTER_DELIST" -f -c "$CONF"
) >"$T/milter.out" 2>"$T/milter.err" &
SPID=$!
at_exit "kill -9 $SPID"
wait_for 30 sh -c "grep -q event=start '$T/milter.err' && test -S '$SOCK' && test -s '$PIDFILE'" ||
	die "the milter did not start"
DPID=$(tr -dc 0-9 <"$PIDFILE")
[ -n "$DPID" ] && kill -0 "$DPID" || die "no daemon pid in $PIDFILE"
at_exit "kill -9 $DPID"
ok "started as root under strace: pid $DPID"

# --- the process: every thread nobody, nobody's groups only, no caps
# (the alert worker and the log follower are running by now)
wait_for 10 sh -c "[ \$(ls /proc/$DPID/task | wc -l) -ge 2 ]" || die "no threads"
for task in /proc/"$DPID"/task/*; do
	st=$task/status
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
	gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
	groups=$(awk '/^Groups:/ { for (i = 2; i <= NF; i++) print $i }' "$st" | sort -n | tr '\n' ' ')
	[ "$uids" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ] ||
		die "thread ${task##*/}: Uid (real effective saved fs) $uids, want $NOBODY_UID"
	[ "$gids" = "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" ] ||
		die "thread ${task##*/}: Gid $gids, want $NOBODY_GID"
	[ "$groups" = "$NOBODY_GROUPS" ] ||
		die "thread ${task##*/}: supplementary groups '$groups', want nobody's: '$NOBODY_GROUPS'"
	for cap in CapInh CapPrm CapEff CapAmb; do
		v=$(awk -v c="$cap:" '$1 == c { print $2 }' "$st")
		[ -z "$v" ] || [ "$v" = 0000000000000000 ] || die "thread ${task##*/}: $cap $v"
	done
done
ok "$(ls /proc/"$DPID"/task | wc -l) threads: uid $NOBODY_UID and gid $NOBODY_GID (real, effective, saved, fs), groups '${NOBODY_GROUPS% }' (root's 0,4,$POSTFIX_GID gone), no capabilities"

# --- the socket and the state directory
s=$(stat -c '%a %U:%G %F' "$SOCK")
[ "$s" = "660 nobody:postfix socket" ] || die "socket: $s, want 660 nobody:postfix socket"
d=$(stat -c '%U' "$T/milter")
[ "$d" = nobody ] || die "socket directory owned by $d, want nobody"
d=$(stat -c '%a %U' "$T/state")
[ "$d" = "750 nobody" ] || die "state directory: $d, want 750 nobody"
ok "socket 0660 nobody:postfix; socket and state directories created for nobody"

# --- a bounce naming our outbound IP, and the alert through sendmail
miltertest -D socket="unix:$SOCK" -s "$LUA" >"$T/mt.out" 2>&1 ||
	{ cat "$T/mt.out"; die "miltertest failed"; }
syslog_wait 'event=block .*ip=192\.0\.2\.1' 1 30 || die "the bounce raised no event=block"
syslog_wait 'event=alert-sent .*ip=192\.0\.2\.1' 1 60 || die "no alert sent"
pf_wait_mail admin 1 60 || die "the alert did not reach the admin's mailbox"
ok "bounce -> event=block -> alert mailed through Postfix's sendmail, delivered"

wait_for 30 test -s "$STATE" || die "no state file"
s=$(stat -c '%a %U:%G' "$STATE")
[ "$s" = "600 nobody:$NOBODY_GROUP" ] || die "state file: $s, want 600 nobody:$NOBODY_GROUP"
# the state file and its journal, as the daemon loads them
python3 "$here/lib/statefile.py" "$STATE" | grep -q ' 192\.0\.2\.1 ' || die "the incident is not in the state file"
ok "state file 0600 nobody:$NOBODY_GROUP, holds the incident"

# --- stop; what did it write?
kill -TERM "$DPID"
wait_for 30 pid_gone "$SPID" || die "the milter (or strace) did not stop after TERM"
wait "$SPID" 2>/dev/null
[ -e "$SOCK" ] && die "socket left after TERM"
s=$(stat -c '%a %U:%G' "$STATE")
[ "$s" = "600 nobody:$NOBODY_GROUP" ] || die "state file after the final save: $s"
ls "$T/state" | grep -q -v '^state$' && die "stray files in the state directory: $(ls "$T/state")"
ok "TERM: socket removed, state saved 0600, nothing else in its directory"

python3 "$TRACECHECK" --cwd "$(pwd)" --socket "$SOCK" \
	--allow "$T/state/" --allow "$T/milter/" --allow "$PIDFILE" --allow /dev/null \
	"$T/trace" >"$T/check.out" 2>&1
rc=$?
[ "$rc" -le 1 ] || { cat "$T/check.out"; hard_error "tracecheck.py failed ($rc)"; }
echo "--- what the daemon wrote (strace)"
grep -E '^(write|anon) daemon ' "$T/check.out" | sed 's/^/    /'
if grep -q '^violation daemon' "$T/check.out"; then
	grep '^violation' "$T/check.out"
	fail "the daemon wrote outside the configured paths"
fi
grep -q '^write daemon' "$T/check.out" || fail "tracecheck saw no write at all (strace broken?)"
grep -q "^write daemon rename $STATE\$" "$T/check.out" ||
	fail "the state file was not written through rename (trace incomplete?)"
grep -q '^exec /usr/sbin/sendmail$' "$T/check.out" || fail "the trace shows no sendmail run"
grep -q '^anon daemon' "$T/check.out" || fail "the alert's message file is not anonymous (memfd/O_TMPFILE)"
ok "writes: only in $T/state/, $T/milter/, the pidfile and /dev/null; the message for sendmail in $(grep '^anon daemon' "$T/check.out" | cut -d' ' -f3 | sort -u | tr '\n' ' ')"

u=$(sed -n 's/^bind-umask [^ ]* //p' "$T/check.out")
[ "$u" = 0777 ] || die "umask when the socket was bound: $u, want 0777"
order=$(sed -n 's/^order //p' "$T/check.out")
case $order in
"bind chown chmod setgroups setgid setuid"*) ;;
*) die "socket and privilege steps in this order: $order; want bind chown chmod setgroups setgid setuid" ;;
esac
ok "socket bound under umask 0777, then chown, chmod, then setgroups, setgid, setuid"

# --- -u USER on the command line; socket_owner without a group
cat >"$T/second.conf" <<EOF
socket = "unix:$T/second/milter.sock"
socket_owner = "postfix"
socket_mode = "0640"
state_file = "$T/second/state"
EOF
: >"$T/milter.err"
ns_exec -l "$SYSLOG_SOCK" -- "$MILTER_DELIST" -f -u nobody -c "$T/second.conf" \
	>"$T/milter.out" 2>"$T/milter.err" &
MPID=$!
at_exit "kill -9 $MPID"
wait_for 20 sh -c "grep -q event=start '$T/milter.err' && test -S '$T/second/milter.sock'" ||
	die "the second milter did not start"
s=$(stat -c '%a %U:%G' "$T/second/milter.sock")
[ "$s" = "640 postfix:postfix" ] || die "second socket: $s, want 640 postfix:postfix"
u=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$MPID/status")
[ "$u" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ] || die "-u nobody: Uid $u"
kill -TERM "$MPID"
wait_for 30 pid_gone "$MPID" || die "the second milter did not stop"
wait "$MPID" || die "the second milter exited $?"
ok "-u nobody, socket_owner postfix, socket_mode 0640: socket 640 postfix:postfix, runs as nobody"

echo "t-privilege: $(($(date +%s) - t0)) s"
exit 0
