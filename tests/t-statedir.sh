#!/bin/sh
# t-statedir.sh - a state directory that breaks under the running daemon:
# the admin still hears about a block.
#
# In a private mount namespace the state directory is a small tmpfs.
#   1. Read-only (a read-only bind mount over it): the exactly-once
#      marker cannot be created; the alert of a new block is still
#      delivered to the capture sendmail, and an event=warning
#      what=state-dir line names the directory and the error, once for
#      the episode (two blocks, one warning).
#   2. Full (no block and no inode left): the same, with "No space left
#      on device"; the state cannot be saved either, and says so.
#   3. Space again: the marker is taken again (a notice), the state is
#      saved ("state saved ... again"), and after a kill -9 and a restart
#      none of those blocks is alerted a second time.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/ns.sh"
. "$here/lib/milterd.sh"

need_cmd miltertest python3 unshare mount
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
ns_usable || skip "needs root and mount namespaces (unshare -m) for a read-only and a full tmpfs"
if [ -z "${T_STATEDIR_NS:-}" ]; then
	T_STATEDIR_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
make_tmpdir
md_init
STATE_DIR=$MD_DIR/state
mkdir -p "$STATE_DIR"
mount -t tmpfs -o size=256k,nr_inodes=32,mode=0700,uid="$(id -u "${MD_USER:-root}")" \
	tmpfs "$STATE_DIR" || hard_error "cannot mount a tmpfs on $STATE_DIR"
at_exit "umount -l '$STATE_DIR'"
{
	md_conf_base
	md_alert_conf
} >"$MD_CONF"

die() {
	echo "--- log (tail)"
	tail -n 30 "$MD_LOG"
	fail "$*"
}

# block N - a bounce naming IP number N (10.0.x.y); wait for its mail
block() {
	md_bounces -D count=1 -D ip=seq -D first="$1" >/dev/null 2>&1 ||
		die "miltertest failed"
}
# ip_of N - the IP bounces.lua names for index N
ip_of() {
	echo "10.0.$(($1 / 256 % 256)).$(($1 % 256))"
}
# wait_mail IP - a captured alert names IP (10 s)
wait_mail() {
	wait_for 10 sh -c "grep -l -s '^Subject: .*$1 blocked' '$MD_MAILDIR'/*.eml" >/dev/null
}

md_start

# --- 1. read-only ------------------------------------------------------------
mount --bind "$STATE_DIR" "$STATE_DIR" &&
	mount -o remount,bind,ro "$STATE_DIR" || hard_error "cannot make $STATE_DIR read-only"
touch "$STATE_DIR/probe" 2>/dev/null && hard_error "$STATE_DIR is still writable"
block 1
wait_mail "$(ip_of 1)" || die "read-only state directory: no alert for $(ip_of 1) (the marker blocks it)"
md_wait_event "what=state-dir" 1 10 || die "read-only state directory: no warning"
grep "what=state-dir" "$MD_LOG" | grep -q -F "path=$STATE_DIR " ||
	die "the warning does not name the directory: $(grep 'what=state-dir' "$MD_LOG")"
grep "what=state-dir" "$MD_LOG" | grep -q "Read-only file system" ||
	die "the warning does not say why: $(grep 'what=state-dir' "$MD_LOG")"
block 2
wait_mail "$(ip_of 2)" || die "read-only state directory: no alert for the second block"
[ "$(md_count "what=state-dir")" = 1 ] || die "the warning is not once per episode: $(md_count "what=state-dir")"
ok "read-only state directory: both alerts delivered, one warning: $(grep 'what=state-dir' "$MD_LOG" | sed 's/.*reason=//' | sed "s|$T/||g")"
umount "$STATE_DIR" || hard_error "cannot undo the read-only bind mount"

# --- 2. full -----------------------------------------------------------------
dd if=/dev/zero of="$STATE_DIR/fill" bs=4k 2>/dev/null
i=0
while touch "$STATE_DIR/inode.$i" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 1000 ] || hard_error "the tmpfs does not fill up"
done
block 3
wait_mail "$(ip_of 3)" || die "full state directory: no alert"
md_wait_event "what=state-dir" 2 10 || die "full state directory: no warning"
grep "what=state-dir" "$MD_LOG" | tail -n 1 | grep -q "No space left on device" ||
	die "the warning does not say why: $(grep 'what=state-dir' "$MD_LOG" | tail -n 1)"
md_wait_event "cannot save state" 1 10 || die "full state directory: the failed save is not said"
ok "full state directory: alert delivered, warning and failed save logged"

# --- 3. space again: settled, nothing sent twice -------------------------------
rm -f "$STATE_DIR/fill" "$STATE_DIR"/inode.*
block 4
wait_mail "$(ip_of 4)" || die "no alert after the space came back"
md_wait_event "alerts are sent exactly once again" 1 10 || die "no notice that the marker works again"
md_wait_event "again" 2 10 || die "the state was not saved again"
wait_for 10 sh -c "python3 '$MD_PY/statefile.py' '$MD_STATE' | grep -c ' alerted ' | grep -qx 4" ||
	die "the state does not hold the 4 alerted incidents: $(python3 "$MD_PY/statefile.py" "$MD_STATE")"
md_stop KILL
md_start
sleep 3 # an alert owed again would go now
n=$(ls "$MD_MAILDIR" | grep -c '\.eml$')
[ "$n" = 4 ] || die "$n alert mails after the restart, want 4 (one per block)"
ok "space again: marker and state saves back, the state settled: no alert sent twice after kill -9"
md_stop TERM
exit 0
