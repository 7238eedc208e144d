# syslog.sh - a test-owned syslog listener and a way to run commands whose
# syslog(3) messages go to it (POSIX sh; source it after common.sh and
# ns.sh; root)
#
#   syslog_start                  # sets SYSLOG_SOCK, SYSLOG_FILE, SYSLOG_PID
#   syslog_run logger -t me hello # COMMAND with /dev/log = our socket
#   syslog_run "$MILTER_DELIST" -f -c "$CONF" &   # a daemon: $! is its pid
#   syslog_wait 'event=block' 1 20 || fail "no event=block"
#
# Each message is one line of $SYSLOG_FILE, as received:
# "<PRI>Mon DD HH:MM:SS tag[pid]: text" (CR, LF, NUL inside as \r \n \0 and
# a backslash doubled). Variables: SYSLOG_PY (path of syslog-listener.py;
# found through $srcdir by default), SYSLOG_DIR (default $T/syslog),
# SYSLOG_PLAIN=yes: lines as rsyslog writes its files instead ("Mon DD
# HH:MM:SS host tag[pid]: text", no <PRI>): an MTA's mail log for the
# milter to follow (maillog = "$SYSLOG_FILE"; see tests/lib/sendmail.sh).

# syslog_start [OUTFILE] - start the listener; registers syslog_stop with
# at_exit (common.sh) when that exists
syslog_start() {
	if [ -z "${SYSLOG_PY:-}" ]; then
		for sl_d in "${srcdir:-.}/tests/lib" "${srcdir:-.}/lib" "$(dirname "$0")/lib"; do
			if [ -f "$sl_d/syslog-listener.py" ]; then
				SYSLOG_PY=$sl_d/syslog-listener.py
				break
			fi
		done
	fi
	[ -f "${SYSLOG_PY:-}" ] || { echo "syslog_start: syslog-listener.py not found" >&2; return 1; }
	: "${SYSLOG_DIR:=${T:?}/syslog}"
	mkdir -p "$SYSLOG_DIR" || return 1
	chmod 755 "$SYSLOG_DIR"
	SYSLOG_SOCK=$SYSLOG_DIR/log.sock
	SYSLOG_FILE=${1:-$SYSLOG_DIR/messages}
	: >>"$SYSLOG_FILE"
	rm -f "$SYSLOG_DIR/pid"
	python3 "$SYSLOG_PY" --pid-file "$SYSLOG_DIR/pid" \
		${SYSLOG_PLAIN:+--plain} "$SYSLOG_SOCK" "$SYSLOG_FILE" \
		</dev/null >>"$SYSLOG_DIR/stderr" 2>&1 &
	SYSLOG_PID=$!
	if command -v at_exit >/dev/null 2>&1 && [ -z "${_SYSLOG_AT_EXIT:-}" ]; then
		at_exit syslog_stop
		_SYSLOG_AT_EXIT=1
	fi
	sl_n=0
	until [ -s "$SYSLOG_DIR/pid" ]; do
		sl_n=$((sl_n + 1))
		if [ "$sl_n" -gt 100 ] || ! kill -0 "$SYSLOG_PID" 2>/dev/null; then
			echo "syslog_start: syslog-listener.py did not start:" >&2
			cat "$SYSLOG_DIR/stderr" >&2
			return 1
		fi
		sleep 0.1
	done
	export SYSLOG_SOCK SYSLOG_FILE SYSLOG_PID
}

# syslog_stop - stop the listener (idempotent; it removes its socket)
syslog_stop() {
	[ -n "${SYSLOG_PID:-}" ] || return 0
	kill "$SYSLOG_PID" 2>/dev/null
	wait "$SYSLOG_PID" 2>/dev/null
	SYSLOG_PID=
}

# syslog_run COMMAND [ARGS...] - run COMMAND with /dev/log = $SYSLOG_SOCK
syslog_run() {
	ns_run -l "$SYSLOG_SOCK" -- "$@"
}

# syslog_count ERE - number of messages matching ERE
syslog_count() {
	log_count "$SYSLOG_FILE" "$1"
}

# syslog_wait ERE [N [TIMEOUT]] - wait for at least N (1) matching messages
syslog_wait() {
	wait_log "$SYSLOG_FILE" "$1" "${2:-1}" "${3:-20}" 0 syslog_wait >/dev/null
}
