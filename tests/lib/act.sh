# act.sh - what the tests of acting on a block share (t-act-postfix.sh,
# t-act-e2e.sh): a private Postfix (postfix.sh) that sends from 127.0.0.2
# to a fake Microsoft MX (fakemx.sh) refusing 127.0.0.2 with S3150 and
# accepting every other client, smtp-sink (sink.sh) as the backup relay,
# and their helpers.  Source after common.sh, postfix.sh, fakemx.sh and
# sink.sh; the test defines diag_more (more to print when it fails).

# act_start - the fake MX, the relay and the instance (created, routed,
# not started: the test adds its main.cf lines first)
act_start() {
	FAKEMX_DIR=$T/fakemx
	mkdir -p "$FAKEMX_DIR"
	fakemx_block 127.0.0.2
	fakemx_start --blocked-clients "$FAKEMX_DIR/blocked" ||
		hard_error "fakemx.py did not start"
	# Microsoft refuses a listed IP at MAIL FROM whatever the recipient
	# (the probe does not pipeline its RCPT TO): a "*" rule.
	fakemx_rules '* mail S3150'
	sink_start || hard_error "smtp-sink did not start"
	pf_create || hard_error "pf_create failed"
	pf_route hotmail.com "smtp:[127.0.0.1]:$FAKEMX_PORT"
}

# diag - what a failure shows: the maillog, the queue, then diag_more
diag() {
	echo "--- maillog (tail)"
	tail -n 30 "$PF_MAILLOG" 2>/dev/null
	echo "--- queue"
	pf_queue 2>&1 | tail -n 20
	diag_more
}
die() {
	diag
	fail "$*"
}
now() {
	date +%s.%N
}
# secs FROM TO - seconds between two now() stamps, one decimal
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}
# sent_line QID [SECONDS] - wait for the message's delivery line, print it
sent_line() {
	pf_wait_log "$1: to=<[^>]*>, relay=.*status=sent" "${2:-30}"
}
# changed MARK - wait until trivial-rewrite picked up a new $TABLE
changed() {
	pf_wait_log "table hash:$(pf_re "$TABLE")\(.*\) has changed -- restarting" \
		30 "$1" >/dev/null
}
