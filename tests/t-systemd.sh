#!/bin/sh
# t-systemd.sh - the systemd unit (contrib/systemd/milter-delist.service)
# is hardened and still works (issue 6, item 7).
#
# 1. systemd-analyze security --offline: the overall exposure is at most
#    UNIT_MAX_EXPOSURE (1.5; the unit scores 1.2 on systemd 252); the
#    figure and every open item are printed.
# 2. systemd-analyze verify: no unknown or invalid setting.
# 3. The daemon runs in the unit's sandbox, emulated without systemd by
#    tests/lib/unitbox.py inside a private mount namespace: file system
#    read-only but for RuntimeDirectory=, StateDirectory= and
#    ReadWritePaths= (relocated to the test's directories and the private
#    Postfix instance's queue), User= (nobody here, member of postdrop as
#    the unit's install notes say), UMask=, NoNewPrivileges=,
#    RestrictAddressFamilies=, MemoryDenyWriteExecute=, SystemCallFilter=
#    (a forbidden system call kills the process, as under systemd). There
#    it handles a bounce (miltertest), mails the alert through the real
#    Postfix sendmail and postdrop (which run in the sandbox too) to the
#    admin's mailbox, saves its state, reloads on SIGUSR1 (ExecReload=) and
#    stops cleanly on SIGTERM. A probe checks the sandbox is real.
#
# Without systemd-analyze the test is skipped (77) with the reason; the
# daemon's own privilege handling is t-privilege.sh's.
# Needs root, Postfix, miltertest, python3, libseccomp, mount namespaces.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
export SYSLOG_PY="$here/lib/syslog-listener.py"
UNITBOX=$here/lib/unitbox.py
LUA=$here/smoke.lua
# MILTER_DELIST_UNIT: another unit file to check (default: the shipped one)
UNIT=${MILTER_DELIST_UNIT:-$here/../contrib/systemd/milter-delist.service}
[ -f "$UNIT" ] || UNIT=${srcdir:-.}/contrib/systemd/milter-delist.service
: "${UNIT_MAX_EXPOSURE:=1.5}"

[ -f "$UNIT" ] || hard_error "no unit file found"
command -v systemd-analyze >/dev/null 2>&1 ||
	skip "systemd-analyze is not installed (package systemd): the unit cannot be assessed"
make_tmpdir
t0=$(date +%s)

# --- 1. exposure
systemd-analyze security --offline=true "$UNIT" >"$T/security.out" 2>&1 ||
	{ cat "$T/security.out"; skip "systemd-analyze security --offline=true does not work here (systemd $(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'))"; }
exposure=$(sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\) .*$/\1/p' "$T/security.out")
[ -n "$exposure" ] || { cat "$T/security.out"; hard_error "no overall exposure in the output"; }
echo "--- open items (systemd-analyze security)"
grep '✗' "$T/security.out" | sed 's/   */  /g; s/^/    /'
awk -v e="$exposure" -v m="$UNIT_MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }' ||
	fail "exposure $exposure, want at most $UNIT_MAX_EXPOSURE"
ok "systemd-analyze security: exposure $exposure (at most $UNIT_MAX_EXPOSURE)"

# --- 2. every setting known and valid
sed -e "s|^ExecStart=.*|ExecStart=$MILTER_DELIST -f|" -e '/^Documentation=/d' \
	"$UNIT" >"$T/milter-delist.service"
systemd-analyze verify "$T/milter-delist.service" >"$T/verify.out" 2>&1
if grep -E -i 'unknown|invalid|failed to parse|ignoring|bad' "$T/verify.out"; then
	fail "systemd-analyze verify complains about the unit"
fi
ok "systemd-analyze verify: no unknown or invalid setting"

# --- 3. the daemon in the sandbox
reason=$(pf_require) || skip "$reason (the unit's sandbox was not run)"
need_cmd miltertest
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
python3 -c 'import ctypes.util, sys; sys.exit(not ctypes.util.find_library("seccomp"))' ||
	skip "libseccomp is not installed"
getent group postdrop >/dev/null || skip "no group postdrop"

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

pf_create || hard_error "pf_create failed"
pf_start || hard_error "the private Postfix instance did not start"
chmod 0644 "$PF_MAILLOG"
syslog_start || hard_error "syslog listener did not start"
# What systemd creates: RuntimeDirectory= 0750, StateDirectory= 0700.
install -d -o nobody -g nogroup -m 0750 "$T/run"
install -d -o nobody -g nogroup -m 0700 "$T/lib"
BOX="python3 $UNITBOX --unit $UNIT --user nobody --groups postdrop
	--map /run/milter-delist=$T/run --map /var/lib/milter-delist=$T/lib
	--map /var/spool/postfix=$PF_SPOOL"

# The sandbox is real: outside the writable paths nothing can be written,
# an unlisted address family is refused, nobody may not gain root.
# shellcheck disable=SC2086
ns_run -- $BOX -- sh -c "
	touch '$T/probe' 2>/dev/null && echo 'wrote outside'
	touch '$T/lib/probe' || echo 'cannot write the state directory'
	python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)' 2>/dev/null && echo 'AF_PACKET allowed'
	[ \$(id -u) = $(id -u nobody) ] || echo 'not nobody'
	grep -q '^NoNewPrivs:.*1' /proc/self/status || echo 'no NoNewPrivs'
	echo probe-done" >"$T/probe.out" 2>&1
rc=$?
[ "$rc" = 3 ] && skip "the unit's sandbox cannot be emulated here: $(tail -n 1 "$T/probe.out")"
grep -q '^probe-done$' "$T/probe.out" || { cat "$T/probe.out"; hard_error "unitbox.py failed ($rc)"; }
grep -v -e '^unitbox:' -e '^probe-done$' "$T/probe.out" | grep . &&
	fail "the emulated sandbox is not what the unit says"
[ -e "$T/probe" ] && fail "the sandbox let a write through"
ok "sandbox probe: read-only outside its directories, AF_PACKET refused, nobody, no_new_privs ($(sed -n 's/^unitbox: not emulated: //p' "$T/probe.out" | head -n 1 | sed 's/^/not emulated: /'))"

CONF=$T/milter-delist.conf
cat >"$CONF" <<EOF
socket = "unix:$T/run/milter-delist.sock"
state_file = "$T/lib/state"
maillog = "$PF_MAILLOG"
log_level = "debug"
outbound_ips = {"192.0.2.1"}
alert {
	to = "admin@$PF_MYDOMAIN"
	from = "milter-delist@$PF_MYDOMAIN"
}
EOF
"$MILTER_DELIST" -t -c "$CONF" >/dev/null || fail "the test configuration does not check"
# The unit starts the binary as its user: from a clone under /root (0700)
# nobody cannot reach it, so it runs a copy nobody can.
MD_NOBODY=$(runnable_as nobody "$MILTER_DELIST") ||
	skip "nobody cannot execute the daemon here"
# shellcheck disable=SC2086
ns_exec -l "$SYSLOG_SOCK" -p "$PF_ETC" -- $BOX -- "$MD_NOBODY" -f -c "$CONF" \
	>"$T/milter.out" 2>"$T/milter.err" &
MPID=$!
at_exit "kill -9 $MPID"
wait_for 30 sh -c "grep -q event=start '$T/milter.err' && test -S '$T/run/milter-delist.sock'" ||
	die "the milter did not start in the sandbox"
ok "started in the sandbox: $(grep '^unitbox: user' "$T/milter.err" | sed 's/^unitbox: //')"

miltertest -D socket="unix:$T/run/milter-delist.sock" -s "$LUA" >"$T/mt.out" 2>&1 ||
	{ cat "$T/mt.out"; die "miltertest failed"; }
syslog_wait 'event=block .*ip=192\.0\.2\.1' 1 30 || die "the bounce raised no event=block"
n=0
until [ "$(syslog_count 'event=alert-sent .*ip=192\.0\.2\.1')" -ge 1 ]; do
	if [ "$(syslog_count 'event=alert-failed')" -ge 1 ]; then
		grep 'event=alert-failed' "$SYSLOG_FILE" | head -n 3
		die "the alert could not be sent from the sandbox"
	fi
	n=$((n + 1))
	[ "$n" -gt 900 ] && die "no event=alert-sent within 90 s"
	sleep 0.1
done
pf_wait_mail admin 1 60 || die "the alert did not reach the admin's mailbox"
ok "bounce -> alert mailed by Postfix's sendmail/postdrop from inside the sandbox, delivered"
wait_for 30 test -s "$T/lib/state" || die "no state file"
s=$(stat -c '%a %U' "$T/lib/state")
[ "$s" = "600 nobody" ] || die "state file $s, want 600 nobody"

kill -USR1 "$MPID"
syslog_wait 'event=reload' 1 20 || die "no reload after SIGUSR1 (ExecReload=)"
kill -TERM "$MPID"
wait_gone 30 "$MPID" || die "the milter did not stop after TERM"
wait "$MPID"
rc=$?
[ "$rc" = 0 ] || die "exit status $rc after TERM"
[ -e "$T/run/milter-delist.sock" ] && die "socket left after TERM"
grep -E 'Bad system call|SIGSYS|killed by signal' "$T/milter.err" "$SYSLOG_FILE" && die "something was killed by the filter"
ok "state saved 0600, SIGUSR1 reloads, SIGTERM stops it (exit 0, socket removed), nothing killed by the filter"

echo "t-systemd: exposure $exposure, $(($(date +%s) - t0)) s"
exit 0
