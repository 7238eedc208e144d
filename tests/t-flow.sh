#!/bin/sh
# t-flow.sh - the milter never hurts mail flow (issue 6, item 5).
#
# A private Postfix instance (tests/lib/postfix.sh) has milter-delist in
# smtpd_milters and non_smtpd_milters with the documented
# milter_default_action = accept, and relays example.net to smtp-sink
# (tests/lib/sink.sh), which counts what arrives.  In each phase smtp-source
# sends FLOW_N messages at concurrency FLOW_S over SMTP, while FLOW_M more
# are submitted with sendmail(1) (the non_smtpd_milters path), and one
# thing happens to the milter while the mail flows:
#
#   baseline  nothing: the milter is healthy throughout
#   kill      kill -9, mail flows without it, then a restart (stale socket)
#   term      a clean stop (SIGTERM), mail flows without it, then a restart
#   stop      SIGSTOP for longer than Postfix's milter timeouts, SIGCONT
#
# Checked per phase: smtp-source got no error reply (it aborts on one:
# no -A), every message reached smtp-sink exactly once (the count at the
# sink equals the number sent), the queue is empty; in the fault phases
# Postfix noticed the fault (a milter warning in the maillog, so the fault
# hit live traffic) and in the baseline it logged none; the milter survives
# SIGSTOP/SIGCONT.  Over the whole run the maillog has no reject, defer or
# bounce, and no milter-reject/-discard/-hold/tempfail.  The delivered
# counts per phase are printed.
#
# Needs root, Postfix with smtp-source and smtp-sink, python3.  Mount
# namespaces are used, when available, to keep the milter's syslog in a
# listener of ours.  FLOW_N (default 500), FLOW_S (15) and FLOW_M (20)
# change the load.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/sink.sh"
. "$here/lib/ns.sh"
. "$here/lib/syslog.sh"
export SYSLOG_PY="$here/lib/syslog-listener.py"

reason=$(pf_require) || skip "$reason"
need_cmd smtp-source smtp-sink
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir
t0=$(date +%s)

FLOW_N=${FLOW_N:-500}
FLOW_S=${FLOW_S:-15}
FLOW_M=${FLOW_M:-20}
# Short milter timeouts keep the SIGSTOP phase short; it stops the milter
# for STOP_SECONDS, longer than all of them.
# (Not shorter: on a loaded machine a healthy milter must never time out.)
PF_MILTER_CONNECT_TIMEOUT=3s
PF_MILTER_COMMAND_TIMEOUT=5s
PF_MILTER_CONTENT_TIMEOUT=6s
STOP_SECONDS=8

diag() {
	echo "--- milter stderr (tail)"
	tail -n 20 "$T/milter.err" 2>/dev/null
	echo "--- maillog (tail)"
	tail -n 30 "$PF_MAILLOG" 2>/dev/null
	echo "--- smtp-source stderr"
	tail -n 10 "$T/source.err" 2>/dev/null
	echo "--- smtp-sink stderr"
	tail -n 10 "$SINK_DIR/stderr" 2>/dev/null
	echo "--- queue"
	pf_queue 2>&1 | tail -n 20
}
die() {
	diag
	fail "$*"
}

# --- smtp-sink, Postfix, the milter
sink_start || hard_error "smtp-sink did not start"
pf_create || hard_error "pf_create failed"
pf_route example.net "smtp:[127.0.0.1]:$SINK_PORT"
mkdir -m 0755 "$T/milter"
chown nobody "$T/milter"
SOCK=$T/milter/milter.sock
pf_milter "unix:$SOCK"
pf_start || hard_error "the private Postfix instance did not start"
[ "$(pf_postconf -h milter_default_action)" = accept ] ||
	hard_error "milter_default_action is not accept"

CONF=$T/milter-delist.conf
cat >"$CONF" <<EOF
socket = "unix:$SOCK"
socket_owner = "nobody:postfix"
socket_mode = "0660"
user = "nobody"
state_file = "$T/state/state"
log_level = "info"
EOF
"$MILTER_DELIST" -t -c "$CONF" >/dev/null || fail "the test configuration does not check"

NS=no
if ns_usable; then
	syslog_start || hard_error "syslog listener did not start"
	NS=yes
fi
: >"$T/milter.err"
MPID=
start_milter() {
	sm_n=$(count_in "$T/milter.err" event=start)
	if [ "$NS" = yes ]; then
		ns_exec -l "$SYSLOG_SOCK" -- "$MILTER_DELIST" -f -c "$CONF" \
			>>"$T/milter.out" 2>>"$T/milter.err" &
	else
		"$MILTER_DELIST" -f -c "$CONF" >>"$T/milter.out" 2>>"$T/milter.err" &
	fi
	MPID=$!
	at_exit "kill -CONT $MPID; kill -9 $MPID"
	wait_for 20 sh -c "[ \$(grep -c event=start '$T/milter.err') -gt $sm_n ] && test -S '$SOCK'" ||
		die "the milter did not start"
}
stop_milter() { # SIGNAL
	kill "-$1" "$MPID" 2>/dev/null
	wait_gone 30 "$MPID" || die "the milter did not stop after SIG$1"
	wait "$MPID" 2>/dev/null
	MPID=
}

# submitted [MARK] - messages cleanup accepted since MARK (SMTP and local)
submitted() {
	pf_log_count 'cleanup\[[0-9]+\]: [0-9A-F]+: message-id=' "${1:-0}"
}
# wait_submitted N MARK - until N more messages entered the queue
wait_submitted() {
	ws_deadline=$(($(date +%s) + 60))
	until [ "$(submitted "$2")" -ge "$1" ]; do
		[ "$(date +%s)" -ge "$ws_deadline" ] &&
			die "only $(submitted "$2") of $1 messages submitted within 60 s"
		# smtp-source aborts on the first error reply (no -A).
		_pf_alive "$SRC_PID" || [ "$(submitted "$2")" -ge "$1" ] ||
			die "smtp-source ended after $(submitted "$2") messages: $(tail -n 3 "$T/source.err")"
		sleep 0.05
	done
}
milter_warnings() { # [MARK]
	pf_log_count 'warning: .*[Mm]ilter' "${1:-0}"
}
# wait_milter_warning MARK - Postfix noticed the milter's fault
wait_milter_warning() {
	pf_wait_log_count 'warning: .*[Mm]ilter' 1 30 "$1" >/dev/null ||
		die "Postfix logged no milter warning: the fault did not hit live mail"
}

start_milter
ok "milter running as $(ps -o user= -p "$MPID" | tr -d ' ') on $SOCK; Postfix 127.0.0.1:$PF_PORT -> smtp-sink 127.0.0.1:$SINK_PORT"
at_exit 'kill $SRC_PID $LOC_PID'

TOTAL=0
SUMMARY=""
# phase NAME ACTION - send FLOW_N + FLOW_M messages while ACTION runs
phase() {
	ph_name=$1
	ph_mark=$(pf_log_mark)
	ph_before=$(sink_count)
	ph_t0=$(date +%s)
	: >"$T/source.err"
	smtp-source -s "$FLOW_S" -m "$FLOW_N" -l 200 -M client.example.net \
		-f "sender@example.org" -t "rcpt@example.net" -S "flow $ph_name" \
		"127.0.0.1:$PF_PORT" >"$T/source.out" 2>"$T/source.err" &
	SRC_PID=$!
	(
		i=1
		while [ "$i" -le "$FLOW_M" ]; do
			pf_send "local@example.org" "local$i@example.net" "flow $ph_name local $i" >/dev/null ||
				echo "sendmail failed for local $i" >&2
			sleep 0.1
			i=$((i + 1))
		done
	) 2>"$T/local.err" &
	LOC_PID=$!
	"$2"
	wait "$SRC_PID"
	ph_rc=$?
	SRC_PID=
	wait "$LOC_PID"
	LOC_PID=
	[ "$ph_rc" = 0 ] || die "$ph_name: smtp-source failed (exit $ph_rc): $(tail -n 3 "$T/source.err")"
	[ -s "$T/source.err" ] && die "$ph_name: smtp-source complained: $(tail -n 3 "$T/source.err")"
	[ -s "$T/local.err" ] && die "$ph_name: local submission failed: $(cat "$T/local.err")"
	ph_want=$((FLOW_N + FLOW_M))
	sink_wait $((ph_before + ph_want)) 120 || die "$ph_name: not every message reached smtp-sink"
	pf_wait_queue_empty 60 || die "$ph_name: the queue did not empty"
	ph_got=$(($(sink_count) - ph_before))
	[ "$ph_got" = "$ph_want" ] || die "$ph_name: smtp-sink received $ph_got messages, sent $ph_want"
	ph_warn=$(milter_warnings "$ph_mark")
	TOTAL=$((TOTAL + ph_want))
	SUMMARY="$SUMMARY
  $ph_name: sent $ph_want ($FLOW_N smtp + $FLOW_M local), delivered $ph_got, milter warnings $ph_warn, $(($(date +%s) - ph_t0)) s"
	ok "$ph_name: $ph_got of $ph_want delivered ($ph_warn milter warnings in the maillog)${PH_NOTE:+; $PH_NOTE}"
	PH_NOTE=
}

# --- the phases' actions (they run while the mail flows)
act_baseline() {
	wait_submitted $((FLOW_N / 2)) "$ph_mark"
	PH_NOTE="milter alive at $(submitted "$ph_mark") submitted"
}
act_kill() {
	wait_submitted $((FLOW_N / 4)) "$ph_mark"
	at=$(submitted "$ph_mark")
	stop_milter KILL
	test -S "$SOCK" || die "no stale socket after kill -9 (test assumption)"
	wait_milter_warning "$ph_mark"
	wait_submitted $((FLOW_N / 2)) "$ph_mark"
	re=$(submitted "$ph_mark")
	start_milter
	PH_NOTE="kill -9 at $at submitted, restarted at $re"
}
act_term() {
	wait_submitted $((FLOW_N / 4)) "$ph_mark"
	at=$(submitted "$ph_mark")
	stop_milter TERM
	test -e "$SOCK" && die "socket left after SIGTERM"
	wait_milter_warning "$ph_mark"
	wait_submitted $((FLOW_N / 2)) "$ph_mark"
	re=$(submitted "$ph_mark")
	start_milter
	PH_NOTE="SIGTERM at $at submitted, restarted at $re"
}
act_stop() {
	wait_submitted $((FLOW_N / 4)) "$ph_mark"
	at=$(submitted "$ph_mark")
	kill -STOP "$MPID"
	sleep "$STOP_SECONDS"
	during=$(($(submitted "$ph_mark") - at))
	kill -CONT "$MPID"
	wait_milter_warning "$ph_mark"
	PH_NOTE="SIGSTOP at $at submitted for $STOP_SECONDS s ($during submitted meanwhile), SIGCONT"
}

phase baseline act_baseline
[ "$ph_warn" = 0 ] || die "baseline: $ph_warn milter warnings with a healthy milter"
phase kill act_kill
phase term act_term
phase stop act_stop
pid_gone "$MPID" && die "the milter died after SIGSTOP/SIGCONT"
# Still a working milter: a last healthy round, no new warnings.
phase after act_baseline
[ "$ph_warn" = 0 ] || die "after: $ph_warn milter warnings with a healthy milter"

# --- nothing was refused, deferred or bounced because of the milter
bad=$(grep -E 'milter-(reject|discard|hold)|: reject: |status=(deferred|bounced|expired)|451 4\.7\.1|Service unavailable' "$PF_MAILLOG")
[ -z "$bad" ] || { printf '%s\n' "$bad" | head -n 5; die "the maillog shows refused or deferred mail"; }
sent=$(pf_log_count 'status=sent')
[ "$sent" = "$TOTAL" ] || die "the maillog has $sent status=sent lines, want $TOTAL"
[ "$(sink_count)" = "$TOTAL" ] || die "smtp-sink has $(sink_count) messages in all, want $TOTAL"
ok "maillog: $sent status=sent, no reject, defer, bounce or milter tempfail"
stop_milter TERM

echo "delivered per phase:$SUMMARY"
echo "t-flow: $TOTAL messages, $(($(date +%s) - t0)) s"
exit 0
