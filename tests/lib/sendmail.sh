# sendmail.sh - a private, throw-away Sendmail instance for end-to-end tests
# (POSIX sh; source it after common.sh, ns.sh and syslog.sh; needs root).
#
# The sendmail package conflicts with postfix in apt, so it is never
# installed: its .debs (sendmail-bin, sendmail-base, sendmail-cf) are
# fetched with "apt-get download" into a cache (contrib/install-deps.sh
# fills it; sm_require fetches what is missing), unpacked with dpkg -x into
# the instance directory, and the unpacked binary runs with -C and configs
# built by m4 from Sendmail's own cf macros. Nothing outside $SM_DIR is
# read or changed (no /etc/mail, no /var/spool/mqueue, no user or group).
#
#   . tests/lib/common.sh; . tests/lib/ns.sh; . tests/lib/syslog.sh
#   . tests/lib/sendmail.sh; make_tmpdir
#   reason=$(sm_require) || skip "$reason"   # fetch, unpack; or why not
#   SYSLOG_PLAIN=yes syslog_start "$T/mail.log"  # Sendmail's syslog(3)
#   fakemx_start                             # tests/lib/fakemx.sh
#   SM_SMART_PORT=$FAKEMX_PORT               # (not as a prefix of the call:
#   sm_create                                #  later rebuilds need it too)
#   sm_milter "local:$T/milter/milter.sock"  # contrib/sendmail/milter-delist.mc
#   sm_start                                 # sm-mta -bd on 127.0.0.1:$SM_PORT
#   mid=$(sm_send sender@example.org user@hotmail.com "subject")
#   q=$(sm_qid "$mid")                       # the MTA's queue id of it
#   sm_wait_log "$q: to=<user@hotmail.com>, .*stat=" 30
#   sm_wait_mail admin 1 30                  # one message in mail/admin/new
#
# Functions (patterns are EREs, grep -E; quote literal text with sm_re):
#   setup    sm_require sm_create sm_build sm_milter sm_mc sm_mailbox
#            sm_alias sm_free_port
#   control  sm_start sm_stop sm_restart sm_running sm_cleanup
#   run      sm_run, sm_exec (a command as the instance's host: UTS namespace
#            with hostname $SM_MYHOSTNAME, /dev/log = $SYSLOG_SOCK)
#   submit   sm_sendmail (the MSP: sendmail -C submit.cf) sm_send
#            sm_swaks (swaks to the MTA's port) sm_mta (sendmail -C sendmail.cf)
#   maillog  sm_log_mark sm_log_count sm_wait_log sm_wait_log_count sm_qid
#            sm_re
#   queue    sm_queue sm_queue_empty sm_wait_queue_empty sm_flush
#   mailbox  sm_mail_files sm_mail_count sm_wait_mail sm_mail_grep
#
# Variables (set before sm_create to change them):
#   SM_DIR           instance directory (default: $T/sendmail)
#   SM_PORT          the MTA's SMTP port on 127.0.0.1 (default: a free port)
#   SM_MYHOSTNAME    host name ($j, and the UTS host name: mail.example.org)
#   SM_MYDOMAIN      local domain (example.org); both are local-host-names
#   SM_BIND_ADDRESS  outbound IP (ClientPortOptions Addr=; 127.0.0.2)
#   SM_SMART_HOST    where all non-local mail goes ([127.0.0.1])
#   SM_SMART_PORT    its port (required: e.g. $FAKEMX_PORT)
#   SM_QUEUE_INTERVAL  the daemon's -q interval (5s: deferred mail retried)
#   SM_MAILBOXES     local users with a mailbox (postmaster admin sender root)
#   SM_DEB_CACHE     where the .debs are kept (/var/cache/milter-delist-tests/
#                    sendmail, or $T/debs when that cannot be written)
# Set by sm_create: SM_ROOT ($SM_DIR/root, where sm_require unpacked the
# .debs), SM_BIN (its sendmail binary; sm_version prints its version),
# SM_ETC SM_SPOOL SM_MAILDIR, SM_MAILLOG (= $SYSLOG_FILE: the mail log).
#
# Facts of Debian's Sendmail 8.17 that shape this harness:
#   - Sendmail wants a qualified host name at every start: with an
#     unqualified one it logs "My unqualified host name (vm) unknown;
#     sleeping for retry" and sleeps 60 s. sm_run gives every process of the
#     instance (daemon, MSP, and the milter that runs the MSP for its
#     alerts) a UTS namespace whose host name is $SM_MYHOSTNAME.
#   - Sendmail refuses files in world-writable directories, /tmp included:
#     DontBlameSendmail=TrustStickyBit accepts a sticky /tmp on the path.
#   - The daemon logs as "sm-mta" (-L sm-mta, as Debian's init script
#     does), the MSP as "sendmail"; both through syslog(3), so the log is
#     what the syslog listener writes (SYSLOG_PLAIN=yes: rsyslog's format).
#   - Debian's "sendmail" is the MSP: it relays each submission over SMTP
#     to the MTA (FEATURE(`msp')), so milters see local submissions too.
#   - Sendmail's own DSNs never pass through milters; Milter.LogLevel 14
#     (sendmail.mc.in) logs "QID: Milter accept: message" for each message
#     that did, so a test can tell which ones.
#   - Sendmail does not pipeline RCPT TO behind MAIL FROM: a fake MX that
#     answers MAIL FROM cannot know the recipient's domain yet (fakemx.py
#     then applies its "*" rules).
#   - The daemon forks a child per connection and per queue run; it is a
#     session leader, so sm_stop kills what is left of its session.

SM_PACKAGES="sendmail-bin sendmail-base sendmail-cf"
# sh -c script for unshare --uts: set the host name ($0), exec the command
# shellcheck disable=SC2016
SM_UTS='hostname "$0" && exec "$@"'

# sm_free_port - print a TCP port on 127.0.0.1 that is free right now
sm_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# _sm_deb PACKAGE - the newest cached .deb of PACKAGE (empty if none)
_sm_deb() {
	# shellcheck disable=SC2012
	ls "$SM_DEB_CACHE/$1"_*.deb 2>/dev/null | sort -V | tail -n 1
}

# sm_fetch - make sure the .debs are in $SM_DEB_CACHE (apt-get download)
sm_fetch() {
	sm_missing=
	for sm_p in $SM_PACKAGES; do
		[ -n "$(_sm_deb "$sm_p")" ] || sm_missing="$sm_missing $sm_p"
	done
	[ -z "$sm_missing" ] && return 0
	command -v apt-get >/dev/null 2>&1 || return 1
	mkdir -p "$SM_DEB_CACHE" 2>/dev/null || return 1
	# shellcheck disable=SC2086
	(cd "$SM_DEB_CACHE" && apt-get download -qq $sm_missing) \
		>"${T:-/tmp}/sm-fetch.log" 2>&1 || return 1
	for sm_p in $SM_PACKAGES; do
		[ -n "$(_sm_deb "$sm_p")" ] || return 1
	done
}

# sm_require - print why a private Sendmail cannot run here, false then;
# else fetch (if needed) and unpack the .debs into $SM_DIR/root
sm_require() {
	if [ "$(id -u)" != 0 ]; then
		echo "the private Sendmail instance needs root"
		return 1
	fi
	for sm_c in dpkg-deb m4 python3 unshare hostname ldd ss; do
		if ! command -v "$sm_c" >/dev/null 2>&1; then
			echo "$sm_c is not installed (contrib/install-deps.sh installs what the tests need)"
			return 1
		fi
	done
	if ! unshare --uts true 2>/dev/null; then
		echo "UTS namespaces (unshare --uts) are not usable here"
		return 1
	fi
	if ! id nobody >/dev/null 2>&1 || ! getent group nogroup >/dev/null 2>&1; then
		echo "user nobody and group nogroup are needed"
		return 1
	fi
	_sm_paths
	if [ -z "${SM_DEB_CACHE:-}" ]; then
		SM_DEB_CACHE=/var/cache/milter-delist-tests/sendmail
		if ! mkdir -p "$SM_DEB_CACHE" 2>/dev/null || ! [ -w "$SM_DEB_CACHE" ]; then
			SM_DEB_CACHE=${T:?}/debs
		fi
	fi
	if ! sm_fetch; then
		echo "cannot fetch the Sendmail .debs ($SM_PACKAGES) into $SM_DEB_CACHE: apt-get download failed (run contrib/install-deps.sh)"
		return 1
	fi
	mkdir -p "$SM_ROOT" || { echo "cannot create $SM_ROOT"; return 1; }
	for sm_p in $SM_PACKAGES; do
		if ! dpkg-deb -x "$(_sm_deb "$sm_p")" "$SM_ROOT" 2>/dev/null; then
			echo "cannot unpack $(_sm_deb "$sm_p")"
			return 1
		fi
	done
	_sm_paths
	if ! [ -x "$SM_BIN" ] || ! [ -f "$SM_ROOT/usr/share/sendmail/cf/m4/cf.m4" ]; then
		echo "the unpacked .debs have no sendmail binary or no cf/m4/cf.m4"
		return 1
	fi
	# The binary is set-gid mail in the .deb; ours needs no privilege.
	chmod g-s "$SM_BIN"
	sm_libs=$(ldd "$SM_BIN" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
	if [ -n "$sm_libs" ]; then
		echo "libraries of the unpacked sendmail are missing: ${sm_libs% } (contrib/install-deps.sh installs them)"
		return 1
	fi
	return 0
}

# _sm_paths - set SM_DIR, SM_ROOT (the unpacked .debs) and SM_BIN; sm_require
# runs in a $(...) subshell, so sm_create calls this again
_sm_paths() {
	: "${SM_DIR:=${T:?}/sendmail}"
	SM_ROOT=$SM_DIR/root
	SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
	[ -x "$SM_BIN" ] || [ ! -x "$SM_ROOT/usr/lib/sm.bin/sendmail" ] ||
		SM_BIN=$SM_ROOT/usr/lib/sm.bin/sendmail # before bookworm
	export SM_DIR SM_ROOT SM_BIN
}

# sm_version - print the unpacked Sendmail's version (8.17.1.9)
sm_version() {
	sm_run "$SM_BIN" -d0.1 -bt -C /dev/null </dev/null 2>/dev/null | sed -n 's/^Version //p'
}

# sm_run COMMAND [ARGS...] - run COMMAND as the instance's host: in a UTS
# namespace with host name $SM_MYHOSTNAME and, when a syslog listener runs
# (syslog.sh), with /dev/log = $SYSLOG_SOCK. COMMAND keeps the caller's pid
# when sm_run is exec'd (every step execs).
sm_run() {
	if [ -n "${SYSLOG_SOCK:-}" ]; then
		ns_run -l "$SYSLOG_SOCK" -- unshare --uts sh -c "$SM_UTS" \
			"${SM_MYHOSTNAME:-mail.example.org}" "$@"
	else
		unshare --uts sh -c "$SM_UTS" "${SM_MYHOSTNAME:-mail.example.org}" "$@"
	fi
}

# sm_exec COMMAND [ARGS...] - sm_run, replacing the calling (sub)shell: for
# daemons started with "sm_exec daemon -f & PID=$!" ($! is the daemon)
sm_exec() {
	if [ -n "${SYSLOG_SOCK:-}" ]; then
		ns_exec -l "$SYSLOG_SOCK" -- unshare --uts sh -c "$SM_UTS" \
			"${SM_MYHOSTNAME:-mail.example.org}" "$@"
	else
		exec unshare --uts sh -c "$SM_UTS" "${SM_MYHOSTNAME:-mail.example.org}" "$@"
	fi
}

# sm_create - write a fresh instance under $SM_DIR (not started)
sm_create() {
	_sm_paths
	[ -x "$SM_BIN" ] || { echo "sm_create: no $SM_BIN (sm_require first)" >&2; return 1; }
	[ -n "${SM_SMART_PORT:-}" ] || { echo "sm_create: SM_SMART_PORT is not set" >&2; return 1; }
	: "${SM_PORT:=$(sm_free_port)}"
	: "${SM_MYHOSTNAME:=mail.example.org}"
	: "${SM_MYDOMAIN:=example.org}"
	: "${SM_BIND_ADDRESS:=127.0.0.2}"
	: "${SM_SMART_HOST:=[127.0.0.1]}"
	: "${SM_QUEUE_INTERVAL:=5s}"
	: "${SM_MAILBOXES:=postmaster admin sender root}"
	SM_ETC=$SM_DIR/etc
	SM_SPOOL=$SM_DIR/spool
	SM_MAILDIR=$SM_DIR/mail
	SM_MAILLOG=${SYSLOG_FILE:-$SM_DIR/maillog}
	export SM_ETC SM_SPOOL SM_MAILDIR SM_MAILLOG SM_PORT SM_MYHOSTNAME \
		SM_MYDOMAIN SM_BIND_ADDRESS SM_SMART_HOST SM_SMART_PORT

	mkdir -p "$SM_ETC" "$SM_SPOOL/mqueue" "$SM_SPOOL/clientmqueue" "$SM_MAILDIR" ||
		return 1
	chmod 755 "$SM_DIR" "$SM_ETC" "$SM_SPOOL"
	chmod 700 "$SM_SPOOL/mqueue"
	# The MSP runs as nobody (RunAsUser) and queues there first.
	chown nobody:nogroup "$SM_SPOOL/clientmqueue"
	chmod 770 "$SM_SPOOL/clientmqueue"
	# Alias programs run as nobody (DefaultUser) and write the mailboxes.
	chown nobody "$SM_MAILDIR"
	chmod 755 "$SM_MAILDIR"

	printf '%s\n' "$SM_MYHOSTNAME" "$SM_MYDOMAIN" localhost >"$SM_ETC/local-host-names"
	: >"$SM_ETC/trusted-users"
	: >"$SM_ETC/relay-domains"
	: >"$SM_ETC/helpfile"
	# Our own hosts file and no DNS: nothing is looked up outside.
	printf 'hosts files\naliases files\n' >"$SM_ETC/service.switch"
	printf '127.0.0.1 %s localhost\n' "$SM_MYHOSTNAME" >"$SM_ETC/hosts"
	echo dnl >"$SM_ETC/milter.m4"
	echo dnl >"$SM_ETC/local.m4"

	# deliver NAME: one file per message, written to tmp/, renamed into new/
	cat >"$SM_DIR/deliver" <<EOF
#!/bin/sh
# deliver NAME - store the message on stdin in $SM_MAILDIR/NAME/new
umask 022
d=$SM_MAILDIR/\$1
mkdir -p "\$d/tmp" "\$d/new" || exit 75
f=\$(date +%s).\$\$.\$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
cat >"\$d/tmp/\$f" && mv "\$d/tmp/\$f" "\$d/new/\$f" || exit 75
EOF
	chmod 755 "$SM_DIR/deliver"
	printf 'MAILER-DAEMON: postmaster\n' >"$SM_ETC/aliases"
	for sm_u in $SM_MAILBOXES; do
		sm_mailbox "$sm_u" || return 1
	done
	sm_build
}

# sm_build - (re)build sendmail.cf and submit.cf from the templates, and the
# aliases database (sm_restart to apply to a running daemon)
sm_build() {
	for sm_t in sendmail submit; do
		sed -e "s|@SM_CF_DIR@|$SM_ROOT/usr/share/sendmail/cf|g" \
			-e "s|@SM_DIR@|$SM_DIR|g" -e "s|@SM_ETC@|$SM_ETC|g" \
			-e "s|@SM_SPOOL@|$SM_SPOOL|g" \
			-e "s|@SM_MYHOSTNAME@|$SM_MYHOSTNAME|g" \
			-e "s|@SM_PORT@|$SM_PORT|g" \
			-e "s|@SM_BIND_ADDRESS@|$SM_BIND_ADDRESS|g" \
			-e "s|@SM_SMART_HOST@|$SM_SMART_HOST|g" \
			-e "s|@SM_SMART_PORT@|$SM_SMART_PORT|g" \
			"$(_sm_fixtures)/$sm_t.mc.in" >"$SM_ETC/$sm_t.mc" || return 1
		if ! m4 "$SM_ETC/$sm_t.mc" >"$SM_ETC/$sm_t.cf.new" 2>"$SM_DIR/m4.err" ||
			[ -s "$SM_DIR/m4.err" ]; then
			echo "sm_build: m4 $sm_t.mc failed:" >&2
			cat "$SM_DIR/m4.err" >&2
			return 1
		fi
		mv "$SM_ETC/$sm_t.cf.new" "$SM_ETC/$sm_t.cf"
	done
	sm_newaliases
}

# _sm_fixtures - the directory of the .mc templates
_sm_fixtures() {
	for sm_d in "${srcdir:-.}/tests/fixtures/sendmail" "${srcdir:-.}/fixtures/sendmail" \
		"$(dirname "$0")/fixtures/sendmail"; do
		if [ -f "$sm_d/sendmail.mc.in" ]; then
			echo "$sm_d"
			return 0
		fi
	done
	echo "sendmail.sh: tests/fixtures/sendmail not found" >&2
	echo /nonexistent
}

# sm_newaliases - rebuild aliases.db (sendmail -bi)
sm_newaliases() {
	sm_run "$SM_BIN" -C "$SM_ETC/sendmail.cf" -bi >"$SM_DIR/newaliases.out" 2>&1 ||
		{ cat "$SM_DIR/newaliases.out" >&2; return 1; }
}

# sm_mailbox NAME - local user NAME@$SM_MYDOMAIN gets $SM_MAILDIR/NAME/new
sm_mailbox() {
	printf '%s: "|%s/deliver %s"\n' "$1" "$SM_DIR" "$1" >>"$SM_ETC/aliases"
	[ -f "$SM_ETC/sendmail.cf" ] && sm_newaliases
	return 0
}

# sm_alias NAME VALUE - any other alias (takes effect at once)
sm_alias() {
	printf '%s: %s\n' "$1" "$2" >>"$SM_ETC/aliases"
	[ -f "$SM_ETC/sendmail.cf" ] && sm_newaliases
	return 0
}

# sm_milter SPEC - register milter-delist the way contrib/sendmail/
# milter-delist.mc documents it, with the socket SPEC ("local:/path",
# "inet:port@127.0.0.1"); sm_restart applies it to a running daemon
sm_milter() {
	sm_snippet=
	for sm_d in "${srcdir:-.}/contrib/sendmail" "${srcdir:-.}/../contrib/sendmail" \
		"$(dirname "$0")/../contrib/sendmail"; do
		if [ -f "$sm_d/milter-delist.mc" ]; then
			sm_snippet=$sm_d/milter-delist.mc
			break
		fi
	done
	[ -n "$sm_snippet" ] || { echo "sm_milter: contrib/sendmail/milter-delist.mc not found" >&2; return 1; }
	grep -q 'S=local:/run/milter-delist/milter-delist.sock' "$sm_snippet" ||
		{ echo "sm_milter: $sm_snippet names no S=local:/run/milter-delist/milter-delist.sock" >&2; return 1; }
	sed "s|S=local:/run/milter-delist/milter-delist.sock|S=$1|" "$sm_snippet" \
		>"$SM_ETC/milter.m4" || return 1
	sm_build
}

# sm_mc LINE... - add m4 lines to the MTA's .mc (before the MAILERs)
sm_mc() {
	printf '%s\n' "$@" >>"$SM_ETC/local.m4"
	sm_build
}

# sm_pid - the daemon's pid (first line of its pid file), empty if none
sm_pid() {
	[ -f "$SM_DIR/sendmail.pid" ] && head -n 1 "$SM_DIR/sendmail.pid" | tr -dc 0-9
}

# _sm_alive PID - the process exists and is no zombie
_sm_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	sm_state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
	[ -n "$sm_state" ] && [ "$sm_state" != Z ] && [ "$sm_state" != X ]
}

# sm_running - true when the daemon runs
sm_running() {
	sm_p=$(sm_pid)
	[ -n "$sm_p" ] && _sm_alive "$sm_p"
}

# _sm_listening - the MTA listens on its port (ss: a test connection would
# leave a "did not issue MAIL/EXPN/VRFY/ETRN" line in the log)
_sm_listening() {
	[ -n "$(ss -ltnH "sport = :$SM_PORT" 2>/dev/null)" ]
}

# sm_start - start the daemon (sm-mta -bd -q$SM_QUEUE_INTERVAL); sm_cleanup
# is registered with at_exit (common.sh) when that exists
sm_start() {
	if command -v at_exit >/dev/null 2>&1 && [ -z "${_SM_AT_EXIT:-}" ]; then
		at_exit sm_cleanup
		_SM_AT_EXIT=1
	fi
	if [ -z "${SYSLOG_SOCK:-}" ]; then
		echo "sm_start: no syslog listener (syslog_start first): Sendmail logs only through syslog" >&2
		return 1
	fi
	rm -f "$SM_DIR/sendmail.pid"
	# sendmail -bd forks the daemon and returns.
	if ! sm_run "$SM_BIN" -C "$SM_ETC/sendmail.cf" -L sm-mta -bd \
		-q"$SM_QUEUE_INTERVAL" >"$SM_DIR/start.out" 2>&1; then
		echo "sm_start: sendmail -bd failed:" >&2
		cat "$SM_DIR/start.out" >&2
		return 1
	fi
	sm_n=0
	until sm_running && _sm_listening; do
		sm_n=$((sm_n + 1))
		if [ "$sm_n" -gt 100 ]; then
			echo "sm_start: the daemon did not come up:" >&2
			cat "$SM_DIR/start.out" >&2
			tail -n 10 "$SM_MAILLOG" >&2
			return 1
		fi
		sleep 0.1
	done
}

# sm_stop - stop the daemon and every process of its session (idempotent)
sm_stop() {
	sm_p=$(sm_pid)
	[ -n "$sm_p" ] || return 0
	_sm_alive "$sm_p" && kill -TERM "$sm_p" 2>/dev/null
	sm_n=0
	while :; do
		sm_left=$(ps -e -o pid= -o sid= -o stat= |
			awk -v s="$sm_p" '($1 == s || $2 == s) && $3 !~ /^Z/ { print $1 }')
		[ -z "$sm_left" ] && break
		sm_n=$((sm_n + 1))
		if [ "$sm_n" -gt 80 ]; then
			echo "sm_stop: processes of $SM_DIR survive: $sm_left" >&2
			return 1
		fi
		# Half a second of grace for TERM, then KILL.
		# shellcheck disable=SC2086
		[ "$sm_n" -gt 5 ] && kill -9 $sm_left 2>/dev/null
		sleep 0.1
	done
	rm -f "$SM_DIR/sendmail.pid"
	return 0
}

# sm_restart - stop and start (a changed configuration takes effect)
sm_restart() {
	sm_stop && sm_start
}

# sm_cleanup - stop the daemon and remove the instance (kept when SM_KEEP)
sm_cleanup() {
	sm_stop
	if [ -n "${SM_DIR:-}" ] && [ -d "$SM_DIR" ] && [ -z "${SM_KEEP:-}" ]; then
		rm -rf "$SM_DIR"
	fi
}

# sm_sendmail ARGS... - the instance's submission program (Debian's
# /usr/sbin/sendmail: the MSP, relaying to the MTA over SMTP)
sm_sendmail() {
	sm_run "$SM_BIN" -C "$SM_ETC/submit.cf" "$@"
}

# sm_mta ARGS... - the MTA's own binary with its config (mailq: -bp,
# queue run: -q, ...)
sm_mta() {
	sm_run "$SM_BIN" -C "$SM_ETC/sendmail.cf" "$@"
}

# sm_send FROM TO [SUBJECT [BODY]] - submit a small message with the MSP;
# prints its Message-ID (without <>), unique, to find it with sm_qid later
sm_send() {
	submit_message sm_sendmail "${SM_MYHOSTNAME:-mail.example.org}" "$@"
}

# sm_swaks ARGS... - swaks against the MTA (127.0.0.1:$SM_PORT)
sm_swaks() {
	swaks --server "127.0.0.1:$SM_PORT" --helo client.example.net "$@"
}

# sm_re STRING - STRING as an ERE matching itself
sm_re() {
	ere_quote "$1"
}

# sm_qid MESSAGE-ID [TIMEOUT] - print the queue id the MTA (sm-mta) gave
# the message (the MSP logs its own queue id too: not that one)
sm_qid() {
	sm_wait_log "sm-mta\[[0-9]+\]: [A-Za-z0-9]+: from=.*msgid=<$(sm_re "$1")>" "${2:-20}" >/dev/null ||
		return 1
	grep -F "msgid=<$1>" "$SM_MAILLOG" | grep 'sm-mta\[' |
		sed -n '1s/.*: \([A-Za-z0-9]*\): from=.*/\1/p'
}

# sm_log_mark - the current length of the maillog (lines)
sm_log_mark() {
	log_mark "$SM_MAILLOG"
}

# sm_log_count ERE [MARK] - number of maillog lines matching ERE (after MARK)
sm_log_count() {
	log_count "$SM_MAILLOG" "$1" "${2:-0}"
}

# sm_wait_log ERE [TIMEOUT [MARK]] - wait for a matching line; print it
sm_wait_log() {
	sm_wait_log_count "$1" 1 "${2:-30}" "${3:-0}"
}

# sm_wait_log_count ERE N [TIMEOUT [MARK]] - wait for at least N lines
sm_wait_log_count() {
	wait_log "$SM_MAILLOG" "$1" "$2" "${3:-30}" "${4:-0}" sm_wait_log
}

# sm_queue - print the MTA's queue (mailq)
sm_queue() {
	sm_mta -bp
}

# sm_queue_empty - true when the MTA's queue is empty
sm_queue_empty() {
	sm_queue 2>/dev/null | grep -q 'is empty'
}

# sm_wait_queue_empty [TIMEOUT] - wait until the MTA's queue is empty
sm_wait_queue_empty() {
	wait_for "${1:-30}" sm_queue_empty && return 0
	echo "sm_wait_queue_empty: still queued after ${1:-30} s:" >&2
	sm_queue >&2
	return 1
}

# sm_flush - run the MTA's queue once now (sendmail -q)
sm_flush() {
	sm_mta -q
}

# sm_mail_files NAME - the messages delivered to local user NAME, oldest first
sm_mail_files() {
	maildir_files "$SM_MAILDIR/$1"
}

# sm_mail_count NAME - how many messages local user NAME has
sm_mail_count() {
	sm_mail_files "$1" | wc -l | tr -d ' '
}

# sm_wait_mail NAME N [TIMEOUT] - wait until NAME has at least N messages
sm_wait_mail() {
	wait_count "$2" "${3:-30}" "sm_wait_mail: messages of $1" sm_mail_count "$1"
}

# sm_mail_grep NAME FIXED-STRING - print the files of NAME's mail containing it
sm_mail_grep() {
	maildir_grep "$SM_MAILDIR/$1" "$2"
}
