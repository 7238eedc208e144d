#!/bin/sh
# t-sources-journal.sh - maillog = "journal": the local journal, written by
# a real systemd-journald run in a private mount namespace (its sockets and
# /run/log/journal on tmpfs there, nothing of the host touched), as on a
# stock Debian 12 without rsyslog.  A daemon user outside the group
# systemd-journal is refused at start with the fix; in the group, a reload
# adding "journal" starts it at its end, what is logged afterwards is read
# once, also across a restart.

. "$(dirname "$0")/lib/common.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
JOURNALD=/lib/systemd/systemd-journald

if [ -z "${T_SOURCES_NS:-}" ]; then
	need_root
	need_cmd python3 unshare journalctl
	[ -x "$JOURNALD" ] || skip "$JOURNALD is not installed"
	getent group systemd-journal >/dev/null ||
		skip "no group systemd-journal on this system"
	unshare --mount --propagation private true 2>/dev/null ||
		skip "no private mount namespace here (unshare --mount failed)"
	T_SOURCES_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi

. "$here/lib/milterd.sh"
make_tmpdir
md_init
[ -n "$MD_USER" ] || hard_error "not root in the namespace"
PY=$here/lib
F=$T/mail.log
: >"$F" && chmod 644 "$F"
MD_LOG_LEVEL=debug

diag() {
	tail -n 30 "$MD_LOG"
}

# --- a journald of our own: its sockets, its runtime journal
mkdir -p /run/systemd /run/log
mount -t tmpfs md-test /run/systemd && mount -t tmpfs md-test /run/log &&
	mount -t tmpfs md-test /var/log/journal ||
	hard_error "cannot mount tmpfs in the namespace"
"$JOURNALD" >"$T/journald.log" 2>&1 &
JPID=$!
at_exit "kill $JPID"
wait_for 10 test -S /run/systemd/journal/socket ||
	hard_error "systemd-journald did not start: $(cat "$T/journald.log")"
python3 "$PY/journalexport.py" send a # before anything follows it
JDIR=/run/log/journal/$(cat /etc/machine-id)
wait_for 10 test -d "$JDIR" || hard_error "no $JDIR"
# What Debian's journald does with its group: files readable by it.
chgrp -R systemd-journal /run/log/journal && chmod g+rxs "$JDIR" /run/log/journal ||
	hard_error "chgrp"

qids() {
	q=$(echo "$1" | tr a-z A-Z)
	echo "${q}2B3C4D5E ${q}3C4D5E6F ${q}4D5E6F7A 4AKAxA0B00${q}201"
}
seen() {
	for id in $(qids "$1"); do
		[ "$(md_count "queue_id=$id ")" = "$2" ] || return 1
	done
}
want_seen() {
	md_wait_event "queue_id=4AKAxA0B00$(echo "$1" | tr a-z A-Z)201 " "$2" 20 ||
		die "$3: the entries of batch $1 were not read"
	sleep 0.5
	seen "$1" "$2" || die "$3: batch $1 not read exactly $2 time(s)"
}
conf() {
	{
		md_conf_base
		echo "maillog = {$1}"
		md_alert_conf
	} >"$MD_CONF"
}

# --- the daemon's user not in the group: refused at start, with the fix
conf '"journal"'
timeout 30 "$MILTER_DELIST" -f -c "$MD_CONF" >"$T/refused.log" 2>&1
rc=$?
grep -q 'built without journal support' "$T/refused.log" &&
	skip "this build has no libsystemd: $(cat "$T/refused.log")"
[ "$rc" = 77 ] || { cat "$T/refused.log"; die "not in the group: exit $rc, want 77 (EX_NOPERM)"; }
grep -q "maillog journal: .* is not readable by $MD_USER: .*fix: adduser $MD_USER systemd-journal" "$T/refused.log" ||
	{ cat "$T/refused.log"; die "the refusal does not say how to fix it"; }
ok "daemon user outside systemd-journal: refused at start, fix named"

# --- in the group (adduser, in this namespace only)
sed "s/^systemd-journal:\([^:]*\):\([^:]*\):\(.*\)\$/systemd-journal:\1:\2:\3,$MD_USER/; s/:,/:/" /etc/group >"$T/group"
mount --bind "$T/group" /etc/group || hard_error "cannot bind /etc/group"
id "$MD_USER" | grep -q systemd-journal || hard_error "the group did not take"

conf "\"$F\""
md_start
python3 "$PY/journalexport.py" send b # before the reload: not read
sleep 0.5
conf "\"$F\", \"journal\""
kill -USR1 "$MD_PID"
md_wait_event "following journal from its end (first start)" 1 10 ||
	die "the reload did not start the journal at its end"
python3 "$PY/journalexport.py" send c
want_seen c 1 "local journal"
grep -q 'event=block ip=203.0.113.5 .*queue_id=C2B3C4D5E ' "$MD_LOG" ||
	die "the journal's block raised no event=block"
seen a 0 && seen b 0 || die "entries from before the reload were read"
ok "reload adding \"journal\": a first start at its end, new entries read"

# --- restart: what was logged while down is read once
md_stop TERM # saves the cursor
python3 "$PY/journalexport.py" send d
md_start
grep -q "following journal from its saved cursor" "$MD_LOG" ||
	die "the journal did not resume at its cursor"
want_seen d 1 "after a restart"
seen c 1 || die "after a restart: read twice"
ok "restart: resumed at its cursor, nothing read twice, nothing lost"
md_stop TERM
