# fakemx.sh - run tests/fakemx.py, the fake Microsoft MX (POSIX sh; source it)
#
#   FAKEMX_DIR=$T/fakemx fakemx_start     # sets FAKEMX_PORT, FAKEMX_PID
#   fakemx_rules 'hotmail.com mail S3150' 'outlook.com mail 4.7.650'
#   pf_route hotmail.com "smtp:[127.0.0.1]:$FAKEMX_PORT"
#   ... later: fakemx_rules '* accept'   # takes effect at the next MAIL FROM
#   fakemx_count                          # messages accepted so far
#
# Variables: FAKEMX (path of fakemx.py; default: next to this directory,
# found through $srcdir), FAKEMX_DIR (default $T/fakemx). Files in it:
# rules, spool/ (accepted messages, one file each), log (JSON Lines, one
# transaction per line), stderr, port, pid.

# fakemx_start [ARGS...] - start the server on a free port; extra ARGS go
# to fakemx.py (e.g. --hostname outlook-com.olc.protection.outlook.com)
fakemx_start() {
	if [ -z "${FAKEMX:-}" ]; then
		for fm_d in "${srcdir:-.}/tests" "${srcdir:-.}" "$(dirname "$0")"; do
			if [ -f "$fm_d/fakemx.py" ]; then
				FAKEMX=$fm_d/fakemx.py
				break
			fi
		done
	fi
	[ -f "${FAKEMX:-}" ] || { echo "fakemx_start: fakemx.py not found" >&2; return 1; }
	: "${FAKEMX_DIR:=${T:?}/fakemx}"
	mkdir -p "$FAKEMX_DIR/spool" || return 1
	[ -f "$FAKEMX_DIR/rules" ] || : >"$FAKEMX_DIR/rules"
	rm -f "$FAKEMX_DIR/port"
	python3 "$FAKEMX" --rules "$FAKEMX_DIR/rules" --spool "$FAKEMX_DIR/spool" \
		--log "$FAKEMX_DIR/log" --port-file "$FAKEMX_DIR/port" \
		--pid-file "$FAKEMX_DIR/pid" "$@" \
		>>"$FAKEMX_DIR/stdout" 2>>"$FAKEMX_DIR/stderr" </dev/null &
	FAKEMX_PID=$!
	if command -v at_exit >/dev/null 2>&1 && [ -z "${_FAKEMX_AT_EXIT:-}" ]; then
		at_exit fakemx_stop
		_FAKEMX_AT_EXIT=1
	fi
	fm_n=0
	until [ -s "$FAKEMX_DIR/port" ]; do
		fm_n=$((fm_n + 1))
		if [ "$fm_n" -gt 100 ] || ! kill -0 "$FAKEMX_PID" 2>/dev/null; then
			echo "fakemx_start: fakemx.py did not start:" >&2
			cat "$FAKEMX_DIR/stderr" >&2
			return 1
		fi
		sleep 0.1
	done
	FAKEMX_PORT=$(cat "$FAKEMX_DIR/port")
	export FAKEMX_PORT FAKEMX_PID FAKEMX_DIR
}

# fakemx_stop - stop the server (idempotent)
fakemx_stop() {
	[ -n "${FAKEMX_PID:-}" ] || return 0
	kill "$FAKEMX_PID" 2>/dev/null
	fm_n=0
	while kill -0 "$FAKEMX_PID" 2>/dev/null && [ "$fm_n" -lt 30 ]; do
		sleep 0.1
		fm_n=$((fm_n + 1))
	done
	kill -9 "$FAKEMX_PID" 2>/dev/null
	wait "$FAKEMX_PID" 2>/dev/null
	FAKEMX_PID=
}

# fakemx_rules LINE... - replace the rules (atomically: write, then rename)
fakemx_rules() {
	printf '%s\n' "$@" >"$FAKEMX_DIR/rules.new" &&
		mv "$FAKEMX_DIR/rules.new" "$FAKEMX_DIR/rules"
}

# fakemx_count - number of messages accepted (files in the spool)
fakemx_count() {
	find "$FAKEMX_DIR/spool" -maxdepth 1 -name '*.eml' | wc -l | tr -d ' '
}

# fakemx_grep FIXED-STRING - print the accepted messages containing it
fakemx_grep() {
	find "$FAKEMX_DIR/spool" -maxdepth 1 -name '*.eml' -exec grep -F -l -- "$1" {} +
}

# fakemx_log_count FIXED-STRING - transaction log lines containing it
fakemx_log_count() {
	fm_c=$(grep -F -c -- "$1" "$FAKEMX_DIR/log" 2>/dev/null)
	echo "${fm_c:-0}"
}

# fakemx_block [IP...] - with fakemx_start --blocked-clients "$FAKEMX_DIR/blocked":
# the rules apply only to these client IPs; none given = the MX accepts
# every client again (takes effect at the next command)
fakemx_block() {
	: "${FAKEMX_DIR:=${T:?}/fakemx}"
	mkdir -p "$FAKEMX_DIR" || return 1
	printf '%s\n' "$@" >"$FAKEMX_DIR/blocked.new" &&
		mv "$FAKEMX_DIR/blocked.new" "$FAKEMX_DIR/blocked"
}
