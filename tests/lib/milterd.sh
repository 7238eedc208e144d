# milterd.sh - run the real milter-delist for the hostile-input, storm,
# crash and forged-bounce tests (POSIX sh; source after common.sh and
# make_tmpdir)
#
#   md_init                   # directories, MD_USER, the capture sendmail
#   md_syslog cheap || ...    # optional: syslog to a listener (ns.sh, syslog.sh)
#   { md_conf_base; echo 'maillog = "..."'; md_alert_conf; } >"$MD_CONF"
#   md_start                  # MD_PID; its stderr (the log) in $MD_LOG
#   md_bounces -D count=10 -D ip=seq      # tests/bounces.lua via miltertest
#   md_wait_event 'event=block ' 1 30 || fail "no event=block"
#   md_mails                  # the captured alert mails, oldest first
#   md_stop KILL
#
# The capture sendmail ($MD_CAPTURE) stands in for sendmail(1): it is run
# by the daemon without a shell, reads the whole message from stdin and
# stores it as $MD_MAILDIR/<time>.<pid>.eml (renamed into place when
# complete), its arguments one per line in the matching .args file.
#
# Variables: MD_DIR ($T/md) holds run/ (the socket), state/, mail/;
# MD_SOCKET, MD_CONF, MD_LOG (stderr of all runs, appended), MD_STATE.

md_here=${srcdir:-.}/tests
[ -f "$md_here/bounces.lua" ] || md_here=$(dirname "$0")
MD_BOUNCES=$md_here/bounces.lua
MD_SMOKE=$md_here/smoke.lua
MD_PY=$md_here/lib

# md_init - directories and the capture sendmail
md_init() {
	MD_DIR=${MD_DIR:-$T/md}
	mkdir -p "$MD_DIR/run" "$MD_DIR/mail" || hard_error "mkdir $MD_DIR"
	chmod 755 "$MD_DIR"
	MD_SOCKET="unix:$MD_DIR/run/milter.sock"
	MD_CONF=$MD_DIR/milter-delist.conf
	MD_LOG=$MD_DIR/milter.log
	MD_STATE=$MD_DIR/state/state
	MD_MAILDIR=$MD_DIR/mail
	MD_CAPTURE=$MD_DIR/capture-sendmail
	: >"$MD_LOG"
	if [ "$(id -u)" = 0 ]; then
		MD_USER=nobody
		chown nobody "$MD_DIR/run" "$MD_MAILDIR"
	else
		MD_USER=""
	fi
	cat >"$MD_CAPTURE" <<EOF
#!/bin/sh
# capture-sendmail - milter-delist's alert mails into $MD_MAILDIR
d=$MD_MAILDIR
f=\$d/\$(date +%s%N).\$\$
cat >"\$f.tmp" || exit 74
printf '%s\n' "\$@" >"\$f.args"
mv "\$f.tmp" "\$f.eml"
EOF
	chmod 755 "$MD_CAPTURE"
}

# md_conf_base - the configuration lines every run shares
md_conf_base() {
	cat <<EOF
socket = "$MD_SOCKET"
user = "$MD_USER"
state_file = "$MD_STATE"
log_level = "${MD_LOG_LEVEL:-info}"
EOF
}

# md_alert_conf [SENDMAIL] - an alert section mailing through SENDMAIL
# (default: the capture sendmail), short retry and timeout
md_alert_conf() {
	cat <<EOF
alert {
	to = "admin@example.org"
	from = "milter-delist@example.org"
	sendmail = "${1:-$MD_CAPTURE -oi -t}"
	timeout = "${MD_TIMEOUT:-10s}"
	retry = "${MD_RETRY:-1s}"
	clear_after = "${MD_CLEAR_AFTER:-1h}"
	reminder = "${MD_REMINDER:-24h}"
	digest = "${MD_DIGEST:-0}"
	stale = "${MD_STALE:-7d}"
}
EOF
}

# md_count PATTERN - log lines (all runs) containing the fixed PATTERN
md_count() {
	count_in "$MD_LOG" "$1"
}

# md_wait_event PATTERN N SECONDS - wait for N lines containing PATTERN
md_wait_event() {
	we_n=$(($3 * 10))
	while [ "$we_n" -gt 0 ]; do
		[ "$(md_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
		we_n=$((we_n - 1))
	done
	return 1
}

# md_syslog [cheap] - when mount namespaces work (root): start a syslog
# listener (syslog.sh; ns.sh needed) for md_launch to send the daemon's
# syslog to, so a test neither fills the system log nor misses a line;
# false if not.  "cheap": only when /dev/log exists (then a bind mount is
# all it takes; without it ns.sh rebuilds /dev, a second or more per
# start, and the daemon's syslog goes nowhere anyway)
md_syslog() {
	ns_usable || return 1
	[ "${1:-}" = cheap ] && ! [ -e /dev/log ] && return 1
	syslog_start || hard_error "the syslog listener did not start"
}

# md_launch - start the daemon in the foreground, in the background: its
# pid in MD_PID, stderr appended to $MD_LOG, syslog to the listener if
# md_syslog started one, /etc/postfix replaced by $MD_PFETC if set (a
# private Postfix's sendmail for the alerts)
md_launch() {
	if [ -n "${SYSLOG_SOCK:-}" ] || [ -n "${MD_PFETC:-}" ]; then
		ns_exec ${SYSLOG_SOCK:+-l "$SYSLOG_SOCK"} ${MD_PFETC:+-p "$MD_PFETC"} -- \
			"$MILTER_DELIST" -f -c "$MD_CONF" >>"$MD_LOG" 2>&1 &
	else
		"$MILTER_DELIST" -f -c "$MD_CONF" >>"$MD_LOG" 2>&1 &
	fi
	MD_PID=$!
}

# md_start - md_launch, then wait for its event=start line and the socket
md_start() {
	ms_n=$(md_count "event=start ")
	md_launch
	at_exit "kill -9 $MD_PID"
	md_wait_event "event=start " $((ms_n + 1)) 20 ||
		{ tail -n 20 "$MD_LOG"; fail "milter-delist did not start"; }
	wait_for 10 md_listening || fail "no milter socket ($MD_SOCKET)"
}

# md_listening - the daemon's socket is there: unix:/path is a socket;
# inet:PORT@HOST (set MD_SOCKET after md_init) a listening TCP port (read
# from /proc/net/tcp: a test connection would be a milter session)
md_listening() {
	case $MD_SOCKET in
	inet:*)
		md_p=${MD_SOCKET#inet:}
		md_p=$(printf ':%04X ' "${md_p%%@*}")
		awk -v p="$md_p" 'index($2 " ", p) && $4 == "0A" { f = 1 } END { exit !f }' \
			/proc/net/tcp
		;;
	*) test -S "${MD_SOCKET#unix:}" ;;
	esac
}

# md_stop SIGNAL - stop the daemon with SIGNAL and reap it
md_stop() {
	kill "-$1" "$MD_PID" 2>/dev/null
	wait_gone 30 "$MD_PID" || fail "milter-delist did not stop after $1"
	wait "$MD_PID" 2>/dev/null
	return 0
}

# md_mails - the captured mails, oldest first
md_mails() {
	ls "$MD_MAILDIR" | grep '\.eml$' | sort -n | sed "s|^|$MD_MAILDIR/|"
}

# md_mail_count - number of captured mails
md_mail_count() {
	md_mails | wc -l | tr -d ' '
}

# md_bounces ARGS... - miltertest with bounces.lua (-D name=value ARGS)
md_bounces() {
	miltertest -D socket="$MD_SOCKET" "$@" -s "$MD_BOUNCES"
}

# md_smoke - one bounce and one ordinary message: the milter answers
md_smoke() {
	miltertest -D socket="$MD_SOCKET" -s "$MD_SMOKE" >"$MD_DIR/smoke.out" 2>&1 ||
		{ cat "$MD_DIR/smoke.out"; return 1; }
	grep -q "all replies were continue or accept" "$MD_DIR/smoke.out"
}

# md_vmhwm - the daemon's peak resident set (VmHWM), in KiB
md_vmhwm() {
	sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$MD_PID/status"
}

# md_subjects - "FILE<TAB>Subject" (decoded, unfolded) of each captured mail
md_subjects() {
	md_mails | python3 -c '
import email, email.policy, sys
for f in sys.stdin.read().split():
    with open(f, "rb") as fp:
        m = email.message_from_binary_file(fp, policy=email.policy.default)
    print("%s\t%s" % (f, " ".join(str(m.get("Subject", "")).split())))
'
}

# md_alerts TEXT - number of captured mails whose subject contains TEXT
md_alerts() {
	md_subjects | cut -f 2 | grep -c -F -- "$1"
}
