# sink.sh - Postfix's smtp-sink as a counting destination for load tests
# (POSIX sh; source it; root)
#
#   sink_start                     # sets SINK_PORT, SINK_PID, SINK_DIR
#   pf_route example.net "smtp:[127.0.0.1]:$SINK_PORT"
#   smtp-source -s 20 -m 20000 -f a@example.org -t b@example.net 127.0.0.1:$PF_PORT
#   sink_wait 20000 120            # every message arrived
#
# SINK_DUMP=no (set before sink_start) does not write one file per message
# (for benchmarks); count with pf_log_count 'status=sent' then.
# smtp-sink refuses to run as root without -u: it runs as nobody.

# sink_start [EXTRA-SMTP-SINK-ARGS...] - start smtp-sink on a free port
sink_start() {
	: "${SINK_DIR:=${T:?}/sink}"
	mkdir -p "$SINK_DIR/dump" || return 1
	chmod 755 "$SINK_DIR"
	chown nobody "$SINK_DIR/dump"
	SINK_PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
	if [ "${SINK_DUMP:-yes}" = yes ]; then
		set -- -d "$SINK_DIR/dump/%Y%m%d%H%M%S." "$@"
	fi
	smtp-sink -u nobody "$@" "127.0.0.1:$SINK_PORT" 256 \
		</dev/null >>"$SINK_DIR/stdout" 2>>"$SINK_DIR/stderr" &
	SINK_PID=$!
	if command -v at_exit >/dev/null 2>&1 && [ -z "${_SINK_AT_EXIT:-}" ]; then
		at_exit sink_stop
		_SINK_AT_EXIT=1
	fi
	sk_n=0
	until python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$SINK_PORT" 2>/dev/null; do
		sk_n=$((sk_n + 1))
		if [ "$sk_n" -gt 50 ] || ! kill -0 "$SINK_PID" 2>/dev/null; then
			echo "sink_start: smtp-sink did not start:" >&2
			cat "$SINK_DIR/stderr" >&2
			return 1
		fi
		sleep 0.1
	done
	export SINK_PORT SINK_PID SINK_DIR
}

# sink_stop - stop smtp-sink (idempotent)
sink_stop() {
	[ -n "${SINK_PID:-}" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
}

# sink_count - messages received (dump files)
sink_count() {
	find "$SINK_DIR/dump" -maxdepth 1 -type f | wc -l | tr -d ' '
}

# sink_wait N [TIMEOUT] - wait until at least N messages arrived
sink_wait() {
	wait_count "$1" "${2:-60}" "sink_wait: messages at the sink" sink_count
}
