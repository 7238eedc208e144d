#!/bin/sh
# t-install.sh - the paths README.md documents work as written (issue 18,
# section 4): the quick start and the install for real, in a private mount
# namespace where /etc is a copy (users are added there only), /run and
# /var/lib are empty, and the daemon uses its built-in default paths.
#
#  1. the old quick start (-u nobody): Postfix's user cannot connect to the
#     socket, and the daemon says so (event=warning what=socket) with the
#     fix; it leaves /var/lib/milter-delist owned by nobody;
#  2. contrib/adduser.sh, then the quick start as README gives it (-u
#     milter-delist): the state directory nobody left holds only the
#     state's files, so it is given to milter-delist (event=warning
#     what=dir); the socket is milter-delist:milter-delist 0660 and
#     user postfix connects to it (a real connect() as postfix); a bounce
#     (miltertest) gives an alert, mailed (its pending marker is created in
#     the state directory) to a capture program, and the state is saved;
#  3. a state directory of another user holding anything else is not
#     ours: the daemon refuses to start (exit 73) naming the path, its
#     owner and the fix, and leaves no socket behind;
#  4. a followed log the user cannot read: exit 77 naming the fix; one in
#     group adm (contrib/adduser.sh adds milter-delist to it) is read.
# Needs root, mount namespaces, setpriv, adduser, python3 and miltertest.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/ns.sh"

SOCK=/run/milter-delist/milter-delist.sock
STATE_DIR=/var/lib/milter-delist

# connect_as USER PATH - connect() to the UNIX socket PATH as USER (with
# USER's groups, as Postfix's processes have them); $T/connect.err says
# "connect: ERRNO" when the connect() itself failed
connect_as() {
	env PATH=/usr/sbin:/usr/bin:/sbin:/bin setpriv --reuid="$1" \
		--regid="$(id -g "$1")" --init-groups -- python3 -c '
import errno, socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    sys.exit("connect: " + errno.errorcode[e.errno])' "$2" 2>"$T/connect.err"
}

# start_md NAME ARGS... - start the daemon in the foreground (stderr to
# $T/NAME.log) and wait for its event=start; MD_PID
start_md() {
	MD_LOG=$T/$1.log
	shift
	"$MILTER_DELIST" -f "$@" >"$MD_LOG" 2>&1 &
	MD_PID=$!
	wait_for 20 grep -q event=start "$MD_LOG" ||
		{ cat "$MD_LOG"; fail "the daemon did not start ($*)"; }
}

# stop_md - TERM and wait
stop_md() {
	kill -TERM "$MD_PID"
	wait "$MD_PID"
}

# refused NAME WANT ARGS... - the daemon must exit WANT before it starts
refused() {
	rf_name=$1
	rf_want=$2
	shift 2
	timeout 30 "$MILTER_DELIST" -f "$@" >"$T/$rf_name.log" 2>&1
	rf_rc=$?
	[ "$rf_rc" = "$rf_want" ] ||
		{ cat "$T/$rf_name.log"; fail "$rf_name: exit $rf_rc, want $rf_want"; }
	grep -q event=start "$T/$rf_name.log" && fail "$rf_name: it said event=start"
	[ -e "$SOCK" ] && fail "$rf_name: the socket was left behind"
	return 0
}

# owner PATH - "mode user:group"
owner() {
	stat -c '%a %U:%G' "$1"
}

# inside - the checks, in the private namespace
inside() {
	# A copy of /etc (adduser writes there), empty /run and /var/lib.
	cp -a /etc "$T/etc" && mount --bind "$T/etc" /etc || hard_error "cannot bind /etc"
	mount -t tmpfs -o mode=755 ns-run /run || hard_error "cannot mount /run"
	mkdir -p "$T/varlib" && mount --bind "$T/varlib" /var/lib || hard_error "cannot bind /var/lib"
	# The daemon's syslog goes nowhere (-f shows it on stderr).
	[ -S /dev/log ] && mount --bind /dev/null /dev/log

	# 1. the quick start as it was: -u nobody
	start_md nobody -u nobody
	connect_as postfix "$SOCK" && fail "postfix connected to a socket of nobody:nogroup"
	grep -qx 'connect: EACCES' "$T/connect.err" || fail "connect as postfix: $(cat "$T/connect.err")"
	grep 'event=warning what=socket' "$MD_LOG" | grep -q 'fix="adduser postfix ' ||
		{ cat "$MD_LOG"; fail "no event=warning what=socket with the fix"; }
	stop_md
	[ "$(owner "$STATE_DIR")" = "750 nobody:nogroup" ] ||
		fail "the state directory after -u nobody: $(owner "$STATE_DIR")"
	: >"$STATE_DIR/state.sending" # as an interrupted alert leaves it
	chown nobody:nogroup "$STATE_DIR/state.sending"
	ok "-u nobody: postfix cannot connect (EACCES) and the daemon says so with the fix"

	# 2. README's quick start: contrib/adduser.sh, -u milter-delist
	sh "$here/../contrib/adduser.sh" >"$T/adduser.out" 2>&1 ||
		{ cat "$T/adduser.out"; fail "contrib/adduser.sh failed"; }
	id -nG postfix | tr ' ' '\n' | grep -qx milter-delist ||
		fail "adduser.sh did not put postfix in group milter-delist"
	# (the alerts go to a capture program instead of the host's sendmail)
	install -d -o milter-delist "$T/mbox"
	printf '#!/bin/sh\ncat >"%s/mbox/alert.eml"\n' "$T" >"$T/capture"
	chmod 755 "$T/capture"
	cat >"$T/quick.conf" <<EOF
outbound_ips = {"192.0.2.1"}
alert {
	sendmail = "$T/capture"
}
EOF
	start_md quick -c "$T/quick.conf" -u milter-delist
	grep -q "event=warning what=dir path=$STATE_DIR " "$MD_LOG" ||
		{ cat "$MD_LOG"; fail "no event=warning what=dir for the directory nobody left"; }
	[ "$(owner "$STATE_DIR")" = "750 milter-delist:milter-delist" ] ||
		fail "state directory: $(owner "$STATE_DIR")"
	[ "$(owner "$SOCK")" = "660 milter-delist:milter-delist" ] ||
		fail "socket: $(owner "$SOCK"), want 660 milter-delist:milter-delist"
	connect_as postfix "$SOCK" ||
		{ cat "$MD_LOG"; fail "postfix cannot connect to the socket: $(cat "$T/connect.err")"; }
	grep -q 'event=warning what=socket' "$MD_LOG" && fail "a socket warning where postfix can connect"
	connect_as nobody "$SOCK" && fail "nobody connected to the 0660 socket"
	grep -qx 'connect: EACCES' "$T/connect.err" || fail "connect as nobody: $(cat "$T/connect.err")"
	# A bounce naming our IP: the alert needs <state>.pending.PID
	miltertest -D socket="unix:$SOCK" -s "$here/smoke.lua" >"$T/mt.out" 2>&1 ||
		{ cat "$T/mt.out"; fail "miltertest failed"; }
	wait_for 30 grep -q '^Subject: .*192\.0\.2\.1' "$T/mbox/alert.eml" ||
		{ cat "$MD_LOG"; fail "no alert mailed"; }
	grep -q 'Permission denied' "$MD_LOG" && { cat "$MD_LOG"; fail "a permission error"; }
	stop_md
	[ "$(owner "$STATE_DIR/state")" = "600 milter-delist:milter-delist" ] ||
		fail "state file: $(owner "$STATE_DIR/state")"
	grep -q 192.0.2.1 "$STATE_DIR/state" || fail "the incident is not in the state"
	ok "quick start as README: state directory given to milter-delist, socket 660 milter-delist:milter-delist, postfix connects, the alert is mailed and the state saved"

	# 3. a state directory of another user that holds something else
	chown -R nobody:nogroup "$STATE_DIR"
	touch "$STATE_DIR/notes.txt"
	chown nobody:nogroup "$STATE_DIR/notes.txt"
	want="state directory $STATE_DIR (owner nobody:nogroup, mode 0750) is not writable by milter-delist"
	refused foreign 73 -u milter-delist
	grep -F -q "$want" "$T/foreign.log" || { cat "$T/foreign.log"; fail "no message naming path and owner"; }
	grep -F -q "fix: chown -R milter-delist: $STATE_DIR" "$T/foreign.log" ||
		fail "the message does not give the fix"
	[ "$(owner "$STATE_DIR")" = "750 nobody:nogroup" ] || fail "it changed a directory that is not ours"
	ok "a state directory that is not ours: exit 73 with path, owner and fix"
	rm "$STATE_DIR/notes.txt"
	chown -R milter-delist:milter-delist "$STATE_DIR"

	# 4. the followed log
	: >"$T/mail.log"
	chmod 0600 "$T/mail.log"
	echo "maillog = \"$T/mail.log\"" >"$T/log.conf"
	refused log 77 -c "$T/log.conf" -u milter-delist
	grep -F -q "maillog $T/mail.log (owner root:root, mode 0600) is not readable by milter-delist" "$T/log.log" ||
		{ cat "$T/log.log"; fail "no message naming the log, owner and user"; }
	chgrp adm "$T/mail.log" && chmod 0640 "$T/mail.log"
	start_md log-adm -c "$T/log.conf" -u milter-delist
	stop_md
	ok "an unreadable maillog: exit 77 with the fix; root:adm 0640 is read (adduser.sh)"
}

if [ "${1:-}" = --inside ]; then
	T=$2
	inside
	exit 0
fi

need_root
ns_usable || skip "mount namespaces (unshare -m) are not usable here"
need_cmd setpriv adduser python3 timeout miltertest
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
id postfix >/dev/null 2>&1 || skip "no user postfix (install postfix)"
getent group adm >/dev/null || skip "no group adm"
make_tmpdir
unshare --mount --propagation private sh "$0" --inside "$T"
