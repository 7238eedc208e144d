# postfix.sh - a private, throw-away Postfix instance for end-to-end tests
# (POSIX sh; source it; needs root).
#
# Everything lives under one directory, $PF_DIR: etc/ (config_directory),
# spool/ (queue_directory), data/ (data_directory), maillog (maillog_file,
# written by postlogd: no syslog daemon needed) and mail/NAME/ (Maildir
# mailboxes of local users). The system instance (/etc/postfix) is neither
# read nor changed, and no /etc/postfix/main.cf is needed: as root,
# "postfix -c DIR" accepts any configuration directory.
#
#   . tests/lib/common.sh; . tests/lib/postfix.sh; make_tmpdir
#   reason=$(pf_require) || skip "$reason"
#   pf_create                       # write main.cf, master.cf, aliases, transport
#   pf_route hotmail.com "smtp:[127.0.0.1]:$FAKEMX_PORT"
#   pf_milter "unix:$T/milter.sock" # smtpd + non_smtpd milters, bounce+notify
#   pf_start                        # registers pf_cleanup with at_exit if defined
#   mid=$(pf_send sender@example.org user@hotmail.com "subject")
#   q=$(pf_qid "$mid")              # its queue id, from the maillog
#   pf_wait_log "$q: to=<user@hotmail.com>, .*status=bounced" 30 || fail "no bounce"
#   pf_wait_mail sender 1 30        # one message in mail/sender/new
#
# Functions (patterns are EREs, grep -E; quote literal text with pf_re):
#   setup    pf_require pf_create pf_set pf_postconf pf_route pf_mailbox
#            pf_alias pf_milter pf_free_port
#   control  pf_start pf_stop pf_reload pf_running pf_cleanup
#   several  pf_select (PF_DIR=DIR pf_create for each instance, then
#            pf_select DIR makes DIR the one the other functions act on)
#   submit   pf_sendmail (sendmail -C) pf_send pf_swaks (swaks to our smtpd);
#            a NON-ROOT submitter (e.g. a daemon that dropped privileges)
#            runs under "ns_run -p $PF_ETC" (ns.sh): Postfix's set-gid
#            postdrop/postqueue refuse -C/MAIL_CONFIG for non-root users
#            unless /etc/postfix/main.cf lists the directory.
#   maillog  pf_log_mark pf_log_count pf_wait_log pf_wait_log_count pf_qid pf_re
#   queue    pf_queue pf_queue_empty pf_wait_queue_empty pf_flush
#   mailbox  pf_mail_files pf_mail_count pf_wait_mail pf_mail_grep
# Short retry knobs are preset (queue_run_delay 1s, backoff 2s..4s); delay
# notices need e.g. pf_set "delay_warning_time = 3s" (bounce(8) then warns
# about the template's hour unit; harmless); lifetimes: pf_set
# "maximal_queue_lifetime = 30s" "bounce_queue_lifetime = 30s".
#
# Variables (set before pf_create to change them):
#   PF_DIR          instance directory (default: $T/postfix, or a new mktemp dir)
#   PF_PORT         smtpd port on 127.0.0.1 (default: a free port)
#   PF_MYHOSTNAME   myhostname (mail.example.org); PF_MYDOMAIN mydomain (example.org)
#   PF_BIND_ADDRESS smtp_bind_address (127.0.0.2; the IP the fake MX names)
#   PF_MAILBOXES    local users with a Maildir (postmaster admin sender root)
# Set by pf_create: PF_ETC PF_SPOOL PF_DATA PF_MAILLOG PF_MAILDIR.
#
# Why these choices:
#   - chroot = n for every service in our own master.cf: a private instance
#     then needs neither configure-instance.sh nor copies of /etc files in
#     the queue directory, and unix: milter sockets are plain absolute paths.
#   - maillog_file = $PF_DIR/maillog with maillog_file_prefixes = $PF_DIR
#     (postlogd refuses paths outside the prefixes; the default is /var).
#   - Local delivery through alias_maps = texthash:... with "NAME /dir/"
#     entries: a trailing slash means Maildir, one file per message, renamed
#     into new/ when complete, so a waiting test never reads half a message.
#     Deliveries to files named in aliases run as default_privs (nobody), so
#     mail/ belongs to nobody. texthash needs no postalias and takes
#     "key value" lines (no colon).
#   - default_transport = error: nothing can leave for the Internet; only
#     domains routed with pf_route go anywhere.

PF_COMMAND_DIR=/usr/sbin
PF_DAEMON_DIR=/usr/lib/postfix/sbin

# pf_require - print why a private Postfix cannot run here; false then
pf_require() {
	if [ "$(id -u)" != 0 ]; then
		echo "the private Postfix instance needs root"
		return 1
	fi
	for pf_c in postfix postconf postqueue sendmail; do
		if ! [ -x "$PF_COMMAND_DIR/$pf_c" ]; then
			echo "Postfix is not installed ($PF_COMMAND_DIR/$pf_c missing)"
			return 1
		fi
	done
	PF_DAEMON_DIR=$("$PF_COMMAND_DIR/postconf" -dh daemon_directory 2>/dev/null) ||
		{ echo "postconf does not work"; return 1; }
	if ! [ -x "$PF_DAEMON_DIR/master" ]; then
		echo "Postfix master not found in $PF_DAEMON_DIR"
		return 1
	fi
	if ! id postfix >/dev/null 2>&1 || ! id nobody >/dev/null 2>&1; then
		echo "users postfix and nobody are needed"
		return 1
	fi
	if ! command -v python3 >/dev/null 2>&1; then
		echo "python3 is not installed"
		return 1
	fi
	return 0
}

# pf_free_port - print a TCP port on 127.0.0.1 that is free right now
pf_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# pf_postconf ARGS... - run postconf on the private instance
pf_postconf() {
	"$PF_COMMAND_DIR/postconf" -c "$PF_ETC" "$@"
}

# pf_set 'name = value'... - set main.cf parameters (pf_reload to apply)
pf_set() {
	"$PF_COMMAND_DIR/postconf" -c "$PF_ETC" -e "$@"
}

# pf_create - write a fresh instance under $PF_DIR (not started)
pf_create() {
	if [ -z "${PF_DIR:-}" ]; then
		if [ -n "${T:-}" ]; then
			PF_DIR=$T/postfix
		else
			PF_DIR=$(mktemp -d "${TMPDIR:-/tmp}/milter-delist-pf.XXXXXX") || return 1
		fi
	fi
	: "${PF_PORT:=$(pf_free_port)}"
	: "${PF_MYHOSTNAME:=mail.example.org}"
	: "${PF_MYDOMAIN:=example.org}"
	: "${PF_BIND_ADDRESS:=127.0.0.2}"
	: "${PF_MAILBOXES:=postmaster admin sender root}"
	PF_ETC=$PF_DIR/etc
	PF_SPOOL=$PF_DIR/spool
	PF_DATA=$PF_DIR/data
	PF_MAILLOG=$PF_DIR/maillog
	PF_MAILDIR=$PF_DIR/mail
	export PF_DIR PF_ETC PF_SPOOL PF_DATA PF_MAILLOG PF_MAILDIR PF_PORT PF_MYHOSTNAME PF_MYDOMAIN

	# Every directory on the way must be searchable by postfix and nobody.
	mkdir -p "$PF_ETC" "$PF_SPOOL" "$PF_MAILDIR" || return 1
	chmod 755 "$PF_DIR" "$PF_ETC" "$PF_SPOOL"
	chown nobody "$PF_MAILDIR"
	chmod 755 "$PF_MAILDIR"
	: >"$PF_MAILLOG"
	# For commands run with /etc/postfix bound to $PF_ETC (ns_run -p).
	cp -p /etc/postfix/dynamicmaps.cf "$PF_ETC/" 2>/dev/null
	[ -d /etc/postfix/dynamicmaps.cf.d ] &&
		cp -pr /etc/postfix/dynamicmaps.cf.d "$PF_ETC/" 2>/dev/null

	cat >"$PF_ETC/main.cf" <<EOF
# private test instance of milter-delist's harness (tests/lib/postfix.sh)
compatibility_level = 3.6
queue_directory = $PF_SPOOL
data_directory = $PF_DATA
maillog_file = $PF_MAILLOG
maillog_file_prefixes = $PF_DIR
syslog_name = postfix
inet_protocols = ipv4
inet_interfaces = 127.0.0.1
myhostname = $PF_MYHOSTNAME
mydomain = $PF_MYDOMAIN
myorigin = \$mydomain
mydestination = \$myhostname, localhost.\$mydomain, localhost, \$mydomain
mynetworks = 127.0.0.0/8
alias_maps = texthash:$PF_ETC/aliases
alias_database =
local_recipient_maps = \$alias_maps
default_privs = nobody
biff = no
transport_maps = texthash:$PF_ETC/transport
default_transport = error:5.7.1 no external delivery from the test instance
smtp_bind_address = $PF_BIND_ADDRESS
smtp_connect_timeout = 5s
smtp_helo_timeout = 30s
smtp_mail_timeout = 30s
smtp_rcpt_timeout = 30s
smtp_data_done_timeout = 60s
smtp_tls_security_level = none
notify_classes = bounce, delay, resource, software
queue_run_delay = 1s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
EOF

	# No chroot anywhere (see above); only the services a test can need.
	cat >"$PF_ETC/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

	: >"$PF_ETC/aliases"
	: >"$PF_ETC/transport"
	for pf_u in $PF_MAILBOXES; do
		pf_mailbox "$pf_u"
	done
}

# pf_select DIR - make the instance created (pf_create) in DIR the current
# one: a test runs several instances, each with its own PF_DIR, and
# switches between them; PF_PORT is read back from its master.cf
pf_select() {
	PF_DIR=$1
	PF_ETC=$PF_DIR/etc
	PF_SPOOL=$PF_DIR/spool
	PF_DATA=$PF_DIR/data
	PF_MAILLOG=$PF_DIR/maillog
	PF_MAILDIR=$PF_DIR/mail
	PF_PORT=$(sed -n 's/^127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$PF_ETC/master.cf" | head -n 1)
	PF_MYHOSTNAME=$(pf_postconf -h myhostname)
	PF_MYDOMAIN=$(pf_postconf -h mydomain)
	export PF_DIR PF_ETC PF_SPOOL PF_DATA PF_MAILLOG PF_MAILDIR PF_PORT PF_MYHOSTNAME PF_MYDOMAIN
}

# pf_running - true when the instance's master runs
pf_running() {
	[ -n "${PF_SPOOL:-}" ] && [ -f "$PF_SPOOL/pid/master.pid" ] || return 1
	pf_p=$(tr -dc 0-9 <"$PF_SPOOL/pid/master.pid")
	[ -n "$pf_p" ] && _pf_alive "$pf_p"
}

# _pf_alive PID - the process exists and is not a zombie (this machine's
# init reaps orphans late: kill -0 succeeds on a zombie master)
_pf_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	pf_state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
	[ -n "$pf_state" ] && [ "$pf_state" != Z ] && [ "$pf_state" != X ]
}

# pf_reload - apply changed main.cf / tables to a running instance
pf_reload() {
	pf_running || return 0
	"$PF_COMMAND_DIR/postfix" -c "$PF_ETC" reload >/dev/null 2>&1
}

# pf_mailbox NAME - local user NAME@$mydomain gets the Maildir $PF_MAILDIR/NAME/
pf_mailbox() {
	printf '%s %s/%s/\n' "$1" "$PF_MAILDIR" "$1" >>"$PF_ETC/aliases"
	pf_reload
}

# pf_alias NAME VALUE - any other alias (e.g. a pipe or a list of users)
pf_alias() {
	printf '%s %s\n' "$1" "$2" >>"$PF_ETC/aliases"
	pf_reload
}

# pf_route DOMAIN NEXTHOP - e.g. pf_route hotmail.com "smtp:[127.0.0.1]:2525"
pf_route() {
	printf '%s %s\n' "$1" "$2" >>"$PF_ETC/transport"
	pf_reload
}

# pf_milter SPEC [both|smtpd|non_smtpd] - register a milter ("unix:/path",
# "inet:127.0.0.1:port") the way milter-delist documents it: bounces and
# delay notices pass through non_smtpd_milters, mail flows when it is down.
pf_milter() {
	pf_where=${2:-both}
	case $pf_where in
	both) pf_set "smtpd_milters = $1" "non_smtpd_milters = $1" ;;
	smtpd) pf_set "smtpd_milters = $1" ;;
	non_smtpd) pf_set "non_smtpd_milters = $1" ;;
	*) echo "pf_milter: where must be both, smtpd or non_smtpd" >&2; return 2 ;;
	esac
	pf_set "internal_mail_filter_classes = bounce, notify" \
		"milter_default_action = accept" \
		"milter_protocol = 6" \
		"milter_connect_timeout = ${PF_MILTER_CONNECT_TIMEOUT:-2s}" \
		"milter_command_timeout = ${PF_MILTER_COMMAND_TIMEOUT:-5s}" \
		"milter_content_timeout = ${PF_MILTER_CONTENT_TIMEOUT:-10s}"
	pf_reload
}

# pf_start - start the instance; pf_cleanup of it is registered with
# at_exit (common.sh) when that exists, once per instance directory. A
# port taken meanwhile is replaced once.
pf_start() {
	if command -v at_exit >/dev/null 2>&1; then
		case " ${_PF_AT_EXIT:-} " in
		*" $PF_DIR "*) ;;
		*)
			at_exit "pf_select '$PF_DIR'; pf_cleanup"
			_PF_AT_EXIT="${_PF_AT_EXIT:-} $PF_DIR"
			;;
		esac
	fi
	pf_try=0
	while [ "$pf_try" -lt 3 ]; do
		pf_try=$((pf_try + 1))
		pf_mark=$(wc -l <"$PF_MAILLOG")
		if "$PF_COMMAND_DIR/postfix" -c "$PF_ETC" start >"$PF_DIR/start.out" 2>&1; then
			return 0
		fi
		if tail -n +"$((pf_mark + 1))" "$PF_MAILLOG" | grep -q 'Address already in use'; then
			pf_old=$PF_PORT
			PF_PORT=$(pf_free_port)
			sed "s/^127\.0\.0\.1:$pf_old /127.0.0.1:$PF_PORT /" "$PF_ETC/master.cf" \
				>"$PF_ETC/master.cf.new" && mv "$PF_ETC/master.cf.new" "$PF_ETC/master.cf"
			continue
		fi
		break
	done
	echo "pf_start: postfix start failed (attempt $pf_try):" >&2
	cat "$PF_DIR/start.out" >&2
	tail -n 20 "$PF_MAILLOG" >&2
	return 1
}

# pf_stop - stop the instance and every process of it (idempotent)
pf_stop() {
	[ -n "${PF_SPOOL:-}" ] && [ -f "$PF_SPOOL/pid/master.pid" ] || return 0
	pf_p=$(tr -dc 0-9 <"$PF_SPOOL/pid/master.pid")
	[ -n "$pf_p" ] || return 0
	if _pf_alive "$pf_p"; then
		# Waits up to 5 s, then kills the master's process group.
		"$PF_COMMAND_DIR/postfix" -c "$PF_ETC" stop >/dev/null 2>&1
	fi
	# The master is a session leader (setsid); its children share the
	# session. Kill whatever of this session is left, and only that.
	pf_n=0
	while :; do
		pf_left=$(ps -e -o pid= -o sid= -o stat= |
			awk -v s="$pf_p" '$2 == s && $3 !~ /^Z/ { print $1 }')
		[ -z "$pf_left" ] && break
		pf_n=$((pf_n + 1))
		if [ "$pf_n" -gt 50 ]; then
			echo "pf_stop: processes of $PF_DIR survive: $pf_left" >&2
			return 1
		fi
		# shellcheck disable=SC2086
		kill -9 $pf_left 2>/dev/null
		sleep 0.1
	done
	rm -f "$PF_SPOOL/pid/master.pid"
	return 0
}

# pf_cleanup - stop and remove the instance (kept when PF_KEEP is set)
pf_cleanup() {
	pf_stop
	if [ -n "${PF_DIR:-}" ] && [ -d "$PF_DIR" ] && [ -z "${PF_KEEP:-}" ]; then
		rm -rf "$PF_DIR"
	fi
}

# pf_sendmail ARGS... - the instance's sendmail(1); the message on stdin
pf_sendmail() {
	"$PF_COMMAND_DIR/sendmail" -C "$PF_ETC" "$@"
}

# pf_send FROM TO [SUBJECT [BODY]] - submit a small message with sendmail;
# prints its Message-ID (without <>), unique, to find it with pf_qid later
pf_send() {
	submit_message pf_sendmail "${PF_MYHOSTNAME:-mail.example.org}" "$@"
}

# pf_swaks ARGS... - swaks against the instance's smtpd (127.0.0.1:$PF_PORT)
pf_swaks() {
	swaks --server "127.0.0.1:$PF_PORT" --helo client.example.net "$@"
}

# pf_re STRING - STRING as an ERE matching itself (for pf_wait_log patterns)
pf_re() {
	ere_quote "$1"
}

# pf_qid MESSAGE-ID [TIMEOUT] - print the queue id cleanup gave the message
pf_qid() {
	pf_wait_log "message-id=<$(pf_re "$1")>" "${2:-20}" >/dev/null || return 1
	grep -F "message-id=<$1>" "$PF_MAILLOG" | sed -n '1s/.*: \([0-9A-F]*\): message-id=.*/\1/p'
}

# pf_log_mark - print the current length of the maillog (lines), to match
# only what is logged afterwards: pf_wait_log PATTERN TIMEOUT MARK
pf_log_mark() {
	log_mark "$PF_MAILLOG"
}

# pf_log_count ERE [MARK] - number of maillog lines matching ERE (after MARK)
pf_log_count() {
	log_count "$PF_MAILLOG" "$1" "${2:-0}"
}

# pf_wait_log ERE [TIMEOUT [MARK]] - wait until the maillog has a matching
# line (after line MARK); print it; on timeout say so and show the log tail
pf_wait_log() {
	pf_wait_log_count "$1" 1 "${2:-30}" "${3:-0}"
}

# pf_wait_log_count ERE N [TIMEOUT [MARK]] - wait for at least N lines
pf_wait_log_count() {
	wait_log "$PF_MAILLOG" "$1" "$2" "${3:-30}" "${4:-0}" pf_wait_log
}

# pf_queue - print the queue (postqueue -p)
pf_queue() {
	"$PF_COMMAND_DIR/postqueue" -c "$PF_ETC" -p
}

# pf_queue_empty - true when nothing is queued
pf_queue_empty() {
	pf_queue 2>/dev/null | grep -q '^Mail queue is empty'
}

# pf_wait_queue_empty [TIMEOUT] - wait until the queue is empty
pf_wait_queue_empty() {
	wait_for "${1:-30}" pf_queue_empty && return 0
	echo "pf_wait_queue_empty: still queued after ${1:-30} s:" >&2
	pf_queue >&2
	return 1
}

# pf_flush - attempt to deliver all queued mail now (postqueue -f)
pf_flush() {
	"$PF_COMMAND_DIR/postqueue" -c "$PF_ETC" -f
}

# pf_mail_files NAME - the messages delivered to local user NAME, oldest first
pf_mail_files() {
	maildir_files "$PF_MAILDIR/$1"
}

# pf_mail_count NAME - how many messages local user NAME has
pf_mail_count() {
	pf_mail_files "$1" | wc -l | tr -d ' '
}

# pf_wait_mail NAME N [TIMEOUT] - wait until NAME has at least N messages
pf_wait_mail() {
	wait_count "$2" "${3:-30}" "pf_wait_mail: messages of $1" pf_mail_count "$1"
}

# pf_mail_grep NAME FIXED-STRING - print the files of NAME's mail containing it
pf_mail_grep() {
	maildir_grep "$PF_MAILDIR/$1" "$2"
}
