#!/bin/sh
# t-sources.sh - one daemon following two log sources: a directory of
# journal files (written by systemd-journal-remote from export format, as
# a fleet ships its logs to one place) and an RFC 3339 log (rsyslog on
# Debian 12).  Each source starts at its end, keeps its own cursor in the
# state file, resumes there after kill -9 and after TERM (nothing read
# twice, nothing lost), picks up a new journal file in the directory; a
# reload adding a source starts it at its end, one removing a source stops
# it, the others go on untouched.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/milterd.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
need_cmd python3
REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$REMOTE" ] || skip "$REMOTE is not installed (package systemd-journal-remote)"
make_tmpdir
md_init
J=$T/jd       # the journal directory followed
J2=$T/jd2     # another one, added by a reload
F=$T/mail.log # the RFC 3339 log
STAGE=$T/stage
mkdir "$J" "$J2" "$STAGE" && chmod 755 "$J" "$J2" && : >"$F" && chmod 644 "$F" ||
	hard_error "mkdir"
PY=$here/lib
# Repeats of an incident are logged at debug: every finding is a line.
MD_LOG_LEVEL=debug

diag() {
	tail -n 40 "$MD_LOG"
	cat "$MD_STATE" 2>/dev/null | cut -c 1-200
}

# batch TAG - the fixture lines of TAG (queue ids start with TAG in upper
# case), stamped after the batch before (a journal writer whose clock
# goes back starts a new file, which is another test); the boot's
# monotonic clock rises with the tag: tags are used in alphabetical order
STAMP=$(($(date +%s) - 600))
batch() {
	STAMP=$((STAMP + 20))
	python3 "$PY/journalexport.py" fixtures "$T/$1" "$1" "$STAMP" ||
		hard_error "journalexport.py $1"
}

# jbatch TAG [FILE] - TAG's entries into journal file FILE of $J (default
# remote-mx1.journal; a new file is written aside and moved in whole)
jbatch() {
	batch "$1"
	jb_f=${2:-remote-mx1.journal}
	jb_dir=${3:-$J}
	if [ -e "$jb_dir/$jb_f" ]; then
		"$REMOTE" -o "$jb_dir/$jb_f" - <"$T/$1/mail.export" 2>"$T/remote.err"
	else
		"$REMOTE" -o "$STAGE/$jb_f" - <"$T/$1/mail.export" 2>"$T/remote.err" &&
			chmod 644 "$STAGE/$jb_f" && mv "$STAGE/$jb_f" "$jb_dir/$jb_f"
	fi || hard_error "systemd-journal-remote: $(cat "$T/remote.err")"
}

# fbatch TAG - TAG's lines appended to the RFC 3339 log, the blocked IP
# 203.0.113.5 written 203.0.113.55: the file's own incident
fbatch() {
	batch "$1"
	sed 's/203\.0\.113\.5\]/203.0.113.55]/g' "$T/$1/rfc3339.log" >>"$F"
}

# qids TAG - the queue ids of TAG's four findings
qids() {
	q=$(echo "$1" | tr a-z A-Z)
	echo "${q}2B3C4D5E ${q}3C4D5E6F ${q}4D5E6F7A 4AKAxA0B00${q}201"
}

# seen TAG N - every finding of TAG logged N times (all runs)
seen() {
	for id in $(qids "$1"); do
		[ "$(md_count "queue_id=$id ")" = "$2" ] || return 1
	done
}

# want_seen TAG N WHAT - wait until TAG's findings are logged, then check
# each was logged exactly N times
want_seen() {
	md_wait_event "queue_id=4AKAxA0B00$(echo "$1" | tr a-z A-Z)201 " "$2" 20 ||
		die "$3: the findings of batch $1 were not read"
	sleep 0.5 # the four lines of a batch arrive together
	seen "$1" "$2" || die "$3: batch $1 not read exactly $2 time(s)"
}

# cursor SOURCE - the saved cursor of SOURCE
cursor() {
	python3 "$PY/statefile.py" --cursor "$1" "$MD_STATE"
}

# settled - both cursors saved at the end of what was written: the file's
# offset is its size, the journal's cursor is its last mail entry's
settled() {
	jc=$(journalctl -D "$J" -q --show-cursor -n 1 SYSLOG_FACILITY=2 -o cat |
		sed -n 's/^-- cursor: //p')
	[ "$(cursor "$F" | cut -d: -f4)" = "$(stat -c %s "$F")" ] &&
		[ "$(cursor "journal:$J")" = "journal:$jc" ]
}

conf() {
	{
		md_conf_base
		echo "maillog = {$1}"
		md_alert_conf
	} >"$MD_CONF"
}

# --- the journal engine can be built without: then say so, skip
jbatch a
if "$MILTER_DELIST" --scan "$J" 2>&1 | grep -q 'built without journal support'; then
	skip "this build has no libsystemd (journal sources cannot work)"
fi
need_cmd journalctl
fbatch b

# --- first start: old content is not read
conf "\"journal:$J\", \"$F\""
md_start
grep -q "following journal:$J from its end (first start)" "$MD_LOG" &&
	grep -q "following $F from its end (first start)" "$MD_LOG" ||
	die "both sources should start at their end"
seen a 0 && seen b 0 || die "the content before the first start was read"
ok "first start: both sources at their end, nothing old read"

jbatch c
fbatch d
want_seen c 1 "journal"
want_seen d 1 "RFC 3339 log"
grep -q 'event=block ip=203.0.113.5 .*queue_id=C2B3C4D5E ' "$MD_LOG" ||
	die "the journal's block raised no event=block"
grep -q 'event=block ip=203.0.113.55 .*queue_id=D2B3C4D5E ' "$MD_LOG" ||
	die "the file's block raised no event=block"
ok "a block in the journal and one in the RFC 3339 log: each its event"
wait_for 20 settled || die "the cursors were not saved"
# the state file and its journal (state.log, state.log.new)
cat "$MD_STATE" "$MD_STATE".log* 2>/dev/null | grep -q "^cursor source=journal:$J at=journal:" &&
	cat "$MD_STATE" "$MD_STATE".log* 2>/dev/null | grep -q "^cursor source=$F at=file:" ||
	die "no cursor line per source in the state file"
ok "one cursor per source in the state file"

# --- kill -9, entries written while down, restart
md_stop KILL
jbatch e
fbatch f
md_start
want_seen e 1 "after kill -9, journal"
want_seen f 1 "after kill -9, file"
seen c 1 && seen d 1 || die "after kill -9: something read twice"
grep -q "following journal:$J from its saved cursor" "$MD_LOG" ||
	die "the journal did not resume at its cursor"
ok "kill -9: resumed at both cursors, what came meanwhile read once"

# --- TERM, restart
wait_for 20 settled || die "the cursors were not saved"
md_stop TERM
jbatch g
fbatch h
md_start
want_seen g 1 "after TERM, journal"
want_seen h 1 "after TERM, file"
for t in c d e f; do
	seen "$t" 1 || die "after TERM: batch $t read twice"
done
ok "TERM: resumed at both cursors, nothing read twice, nothing lost"

# --- the log rewritten in place while the daemon is stopped: read again
# from its start, its old lines (two days) not taken as current
md_stop TERM
python3 "$PY/journalexport.py" fixtures "$T/ha" ha || hard_error "journalexport.py ha"
batch hb
sed 's/203\.0\.113\.5\]/203.0.113.55]/g' "$T/ha/rfc3339.log" "$T/hb/rfc3339.log" >"$T/rewritten"
cat "$T/rewritten" >"$F" # same inode, other content
md_start
want_seen hb 1 "the rewritten log's new lines"
seen ha 0 || die "the rewritten log's two-day-old lines were taken as current"
grep -q "event=old-finding path=$F lines=" "$MD_LOG" ||
	die "the old lines skipped were not said"
ok "a log rewritten while stopped: read again, its old lines not taken as current"

# --- a new journal file in the directory
jbatch i remote-mx2.journal
want_seen i 1 "a new journal file"
ok "a journal file appearing in the directory is read"

# A journal file the daemon's user may not read (systemd-journal-remote
# creates them 0640): libsystemd skips it without a word; we do not.
if [ -n "$MD_USER" ]; then
	batch n
	"$REMOTE" -o "$J/remote-mx4.journal" - <"$T/n/mail.export" 2>"$T/remote.err" ||
		hard_error "systemd-journal-remote: $(cat "$T/remote.err")"
	chmod 600 "$J/remote-mx4.journal"
	jbatch o remote-mx2.journal # a change in the directory to look
	md_wait_event "event=warning what=maillog path=journal:$J reason=\"cannot read journal file $J/remote-mx4.journal" 1 20 ||
		die "an unreadable journal file in the directory was not said"
	rm -f "$J/remote-mx4.journal"
	want_seen o 1 "the readable file beside an unreadable one"
	ok "an unreadable journal file in the directory: an event=warning"
fi

# --- reload: add a journal directory that has entries (not read), drop
# the file (no longer read, its cursor gone), the journal goes on
jbatch p remote-mx3.journal "$J2"
conf "\"journal:$J\", \"journal:$J2\""
n=$(md_count "following journal:$J2 from its end (first start)")
kill -USR1 "$MD_PID"
md_wait_event "following journal:$J2 from its end (first start)" $((n + 1)) 10 ||
	die "the added source did not start at its end"
md_wait_event "stopped following $F" 1 10 || die "the removed source was not stopped"
fbatch q
jbatch r remote-mx3.journal "$J2"
jbatch s
want_seen r 1 "a journal added by a reload"
want_seen s 1 "the unchanged journal after a reload"
seen p 0 || die "reload: the old entries of the added journal were read"
sleep 1
seen q 0 || die "reload: the removed file is still read"
wait_for 20 sh -c "! python3 '$PY/statefile.py' --cursor '$F' '$MD_STATE' >/dev/null" ||
	die "the removed source's cursor is still saved"
[ "$(md_count "following journal:$J from")" = 4 ] ||
	die "the unchanged journal was restarted by the reload"
ok "reload: an added source starts at its end, a removed one stops, the other goes on"

# --- every finding once, in all
for t in c d e f g h hb i r s ${MD_USER:+o}; do
	seen "$t" 1 || die "batch $t not read exactly once"
done
ok "in all: 10 batches, each finding logged once"
md_stop TERM
