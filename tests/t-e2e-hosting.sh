#!/bin/sh
# t-e2e-hosting.sh - milter-delist on a hosting box: several outbound IPs, two
# Postfix instances, their logs in the systemd journal and in rsyslog's
# RFC 3339 file, one daemon for all of it.
#
# The box (every address on 127.0.0.0/8):
#   instance A  two smtp transports bound to their own IPs, each with its
#               syslog name: out2 (127.0.0.2, postfix-out2) for hotmail.com,
#               out3 (127.0.0.3, postfix-out3) for outlook.com; its log is
#               shipped live into a journal directory written by
#               systemd-journal-remote (tests/lib/logfeed.py export);
#   instance B  syslog_name postfix-b, smtp_bind_address 127.0.0.4; its
#               log is shipped live into an RFC 3339 file (logfeed.py
#               rfc3339), rsyslog's form on Debian 12;
#   a fake Microsoft MX (tests/fakemx.py --blocked-clients) that names the
#   connecting client's IP in its S3150 reply and blocks 127.0.0.2 only;
#   one milter-delist on inet:PORT@127.0.0.1 in both instances' smtpd and
#   non_smtpd milters, maillog = {"journal:DIR", "RFC3339-FILE"},
#   outbound_ips and syslog_names for every IP; its alert mails stored by
#   the capture sendmail of tests/lib/milterd.sh.
#
# Shown:
#   1. one alert for 127.0.0.2, none for 127.0.0.3 and 127.0.0.4;
#   2. the other IPs' deliveries (status=sent logged under their own
#      syslog names, in both sources) clear nothing: a control incident
#      (10.77.7.250, syslog name postfix-ctl) is cleared by its own
#      delivery logged after theirs, while 127.0.0.2 stays open;
#   3. unblocked, 127.0.0.2 clears on its own delivery (postfix-out2, read
#      from the journal): exactly one "cleared" mail for it;
#   4. a mass block: 2,000 refusal lines naming 2,000 IPs of 10.77.0.0/21
#      (an outbound_ips range; text in the RFC 3339 log, no traffic) ->
#      at most 3 alert mails; the IPs and ranges their delisting requests
#      list cover exactly the 2,000 IPs, each in one mail only;
#   5. --scan of the journal directory, of the same entries as short-iso
#      and as RFC 3339 text (journalctl -o short-iso[-precise]): the same
#      findings (t-scan-journal.sh covers the forms with fixed lines; this
#      is what real Postfix wrote).
# The install path (--sysconfdir=/etc after a default build) is
# t-configpath.sh's; t-hosting.sh drives the same rules (digest, clearing
# per IP) through the daemon alone, with log lines it writes itself.
#
# Needs root (Postfix), python3, systemd-journal-remote and a build with
# journal support; skips with the reason otherwise.

. "$(dirname "$0")/lib/common.sh"
. "$here/lib/postfix.sh"
. "$here/lib/fakemx.sh"
. "$here/lib/milterd.sh"
export FAKEMX="$here/fakemx.py"
REMOTE=/lib/systemd/systemd-journal-remote
FEED=$here/lib/logfeed.py
IPCOVER=$here/lib/ipcover.py
LINES="python3 $here/lib/maillines.py"

reason=$(pf_require) || skip "$reason"
[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
[ -x "$REMOTE" ] || skip "$REMOTE is not installed (package systemd-journal-remote)"
need_cmd python3 setpriv journalctl
make_tmpdir
t0=$(date +%s)
md_init

CTL=10.77.7.250		# the control incident's IP (postfix-ctl)
MASS_FIRST=$((0x4D0018))	# maillines.py's line i names 10.a.b.c of i: 10.77.0.24
MASS_N=2000		# ... up to 10.77.7.231, all in 10.77.0.0/21
JDIR=$T/journal
RFCLOG=$T/log/mail-b.log

okt() {
	ok "$* [$(($(date +%s) - t0)) s]"
}
diag() {
	echo "--- milter-delist (tail)"
	tail -n 40 "$MD_LOG"
	for d in "$T/pfa" "$T/pfb"; do
		echo "--- maillog of $d (tail)"
		tail -n 15 "$d/maillog" 2>/dev/null
	done
	echo "--- journal (tail)"
	journalctl -D "$JDIR" -o short-iso 2>&1 | tail -n 10
	echo "--- $RFCLOG (tail)"
	tail -n 5 "$RFCLOG" 2>/dev/null | cut -c 1-300
	echo "--- alert mails"
	md_subjects
}

# events NAME TEXT - the daemon's event=NAME lines containing TEXT
events() {
	grep -F "event=$1 " "$MD_LOG" | grep -F -c -- "$2"
}
# wait_event NAME TEXT [N [SECONDS]] - wait for N such lines
wait_event() {
	wait_count "${3:-1}" "${4:-30}" "event=$1 $2" events "$1" "$2"
}
# mails TEXT - captured alert mails whose subject contains TEXT
mails() {
	md_alerts "$1"
}

# --- the fake MX: S3150 for 127.0.0.2, everyone else accepted ------------
FAKEMX_DIR=$T/fakemx
fakemx_block 127.0.0.2
fakemx_start --blocked-clients "$FAKEMX_DIR/blocked" ||
	hard_error "fakemx.py did not start"
fakemx_rules '* mail S3150'
MPORT=$(pf_free_port)

# --- instance A: transports out2 and out3, bound to their IPs -------------
PF_DIR=$T/pfa
pf_create || hard_error "pf_create (A) failed"
cat >>"$PF_ETC/master.cf" <<EOF
out2      unix  -       -       n       -       -       smtp
  -o smtp_bind_address=127.0.0.2 -o syslog_name=postfix-out2
out3      unix  -       -       n       -       -       smtp
  -o smtp_bind_address=127.0.0.3 -o syslog_name=postfix-out3
EOF
pf_route hotmail.com "out2:[127.0.0.1]:$FAKEMX_PORT"
pf_route outlook.com "out3:[127.0.0.1]:$FAKEMX_PORT"
pf_milter "inet:127.0.0.1:$MPORT"
pf_start || hard_error "instance A did not start"

# --- instance B: its own syslog name and IP -------------------------------
# shellcheck disable=SC2034 # read by pf_create (postfix.sh)
PF_DIR=$T/pfb PF_PORT='' PF_BIND_ADDRESS=127.0.0.4 PF_MYHOSTNAME=mail-b.example.org
pf_create || hard_error "pf_create (B) failed"
pf_set "syslog_name = postfix-b"
pf_route hotmail.com "smtp:[127.0.0.1]:$FAKEMX_PORT"
pf_milter "inet:127.0.0.1:$MPORT"
pf_start || hard_error "instance B did not start"
okt "instance A (out2 127.0.0.2, out3 127.0.0.3) on 127.0.0.1:$(pf_select "$T/pfa"; echo "$PF_PORT"), instance B (127.0.0.4) on 127.0.0.1:$(pf_select "$T/pfb"; echo "$PF_PORT")"

# --- the logs: A into a journal directory, B into an RFC 3339 file --------
# The daemon runs as nobody and must read them: systemd-journal-remote
# writes its files 0640, so it runs as nobody too.
mkdir -p "$JDIR" "$T/log"
chown nobody "$JDIR"
: >"$RFCLOG"
chmod 644 "$RFCLOG" "$T/pfa/maillog" "$T/pfb/maillog"
: >"$T/inject-a.log"
: >"$T/inject-b.log"
mkfifo "$T/feed-a"
python3 "$FEED" export "$T/pfa/maillog" "$T/inject-a.log" >"$T/feed-a" 2>"$T/feed-a.err" &
at_exit "kill $!"
setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- \
	"$REMOTE" -o "$JDIR/remote-a.journal" - <"$T/feed-a" >"$T/remote.out" 2>&1 &
at_exit "kill $!"
python3 "$FEED" rfc3339 "$RFCLOG" "$T/pfb/maillog" "$T/inject-b.log" 2>"$T/feed-b.err" &
at_exit "kill $!"
wait_for 10 test -s "$RFCLOG" || die "no RFC 3339 log from instance B"
wait_for 10 test -s "$JDIR/remote-a.journal" || die "no journal file from instance A"
grep -q -E '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2} mail-b postfix-b/' "$RFCLOG" ||
	die "the RFC 3339 log is not in rsyslog's form: $(head -n 1 "$RFCLOG")"
wait_for 10 sh -c "journalctl -D '$JDIR' -o short-iso | grep -q ' postfix/master\['" ||
	die "instance A's entries are not in the journal"
okt "logs: A in $JDIR (systemd-journal-remote), B in $RFCLOG (RFC 3339)"

# --- the daemon ------------------------------------------------------------
MD_SOCKET="inet:$MPORT@127.0.0.1"
DIGEST=5s
{
	md_conf_base
	cat <<EOF
maillog = {"journal:$JDIR", "$RFCLOG"}
outbound_ips = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "10.77.0.0/21"}
syslog_names = {"postfix-out2 = 127.0.0.2", "postfix-out3 = 127.0.0.3", "postfix-b = 127.0.0.4", "postfix-ctl = $CTL"}
alert {
	to = "admin@example.org"
	from = "milter-delist@example.org"
	sendmail = "$MD_CAPTURE -oi -t"
	retry = "1s"
	clear_after = "2s"
	digest = "$DIGEST"
}
contact {
	name = "Alex Admin"
	email = "alex@example.net"
	timezone = "(UTC+01:00) Berlin"
	sending_domain = "example.org"
	server_type = "shared"
}
EOF
} >"$MD_CONF"
"$MILTER_DELIST" -t -c "$MD_CONF" >"$T/check.out" 2>&1 || {
	if grep -q -i 'journal support\|without journal\|libsystemd' "$T/check.out"; then
		skip "this build cannot follow a journal: $(cat "$T/check.out")"
	fi
	cat "$T/check.out"
	fail "the test configuration does not check"
}
md_start
wait_for 10 grep_file "following journal:$JDIR" "$MD_LOG" ||
	die "not following journal:$JDIR"
wait_for 10 grep_file "following $RFCLOG" "$MD_LOG" || die "not following $RFCLOG"
okt "milter-delist on $MD_SOCKET as $MD_USER, following both sources"

# send INSTANCE FROM TO - submit one message through instance A or B
send() {
	pf_select "$T/pf$1"
	pf_send "$2" "$3" "hosting test" >/dev/null || die "sendmail ($1) failed"
}
# sent_lines INSTANCE SYSLOG-NAME DOMAIN - status=sent lines of the
# instance logged under SYSLOG-NAME for DOMAIN
sent_lines() {
	grep -E " $2/smtp\[[0-9]+\]: [0-9A-F]+: to=<[^>]*@$3>, .*status=sent " \
		"$T/pf$1/maillog" | wc -l | tr -d ' '
}
wait_sent() { # INSTANCE SYSLOG-NAME DOMAIN N
	wait_count "$4" 30 "$2 status=sent to $3" sent_lines "$1" "$2" "$3" ||
		die "no status=sent from $2 to $3"
}

# --- 1. 127.0.0.2 blocked: one alert, none for the others ------------------
ts=$(date +%s.%N)
send a sender@example.org user1@hotmail.com
wait_event block "ip=127.0.0.2 provider=microsoft-consumer" 1 30 ||
	die "no event=block for 127.0.0.2"
td=$(date +%s.%N)
detect=$(echo "$ts $td" | awk '{ printf "%.1f", $2 - $1 }')
send a sender@example.org user2@hotmail.com
send a sender@example.org user3@hotmail.com
pf_select "$T/pfa"
pf_wait_log_count ' postfix-out2/smtp\[[0-9]+\]: .*status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.7\.1 Unfortunately, messages from \[127\.0\.0\.2\]' 3 30 ||
	die "3 hotmail.com messages from 127.0.0.2 did not bounce"
send a sender@example.org bob@outlook.com
send b sender@example.org carol@hotmail.com
wait_sent a postfix-out3 outlook.com 1
wait_sent b postfix-b hotmail.com 1
wait_event alert-sent "ip=127.0.0.2 " 1 30 || die "no alert for 127.0.0.2"
wait_count 1 30 "alert mails for 127.0.0.2" mails '127.0.0.2 blocked by Outlook.com' ||
	die "no alert mail for 127.0.0.2"
src=$(grep -F 'event=block ip=127.0.0.2 ' "$MD_LOG" | sed -n 's/.* source=\([^ ]*\).*/\1/p')
okt "127.0.0.2 blocked: event=block (source=$src) ${detect} s after the first message was submitted, alert mailed"

# The control: its own refusal, in the RFC 3339 log.
$LINES block 1 $((0x4D07FA)) | sed 's| postfix/smtp\[| postfix-ctl/smtp[|' >>"$T/inject-b.log"
wait_event alert-sent "ip=$CTL " 1 30 || die "no alert for the control $CTL"

# --- 2. the other IPs' deliveries clear nothing ----------------------------
# While 127.0.0.2 is still refused: 127.0.0.3 (journal) and 127.0.0.4 (RFC
# 3339 file) deliver to Outlook.com.  A marker in the journal (a 5.7.515
# refusal: event=auth, no incident) shows the daemon read the journal up
# to there; the control's delivery, logged in the file after 127.0.0.4's,
# clears the control after clear_after: by then a delivery of another IP
# that counted for 127.0.0.2 would have cleared it too.
AUTH="550 5.7.515 Access denied, sending domain example.org doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender. To learn more, see https://go.microsoft.com/fwlink/?linkid=2300710"
marker() { # INJECT-FILE QUEUE-ID SYSLOG-NAME
	printf '%s mx %s/smtp[99]: %s: to=<m@outlook.com>, relay=outlook-com.olc.protection.outlook.com[104.47.1.1]:25, delay=0.7, delays=0.01/0/0.4/0.29, dsn=5.7.515, status=bounced (host outlook-com.olc.protection.outlook.com[104.47.1.1] said: %s (in reply to end of DATA command))\n' \
		"$(date '+%b %e %H:%M:%S')" "$3" "$2" "$AUTH" >>"$1"
}
send a sender@example.org bob2@outlook.com
send b sender@example.org carol2@hotmail.com
wait_sent a postfix-out3 outlook.com 2
wait_sent b postfix-b hotmail.com 2
marker "$T/inject-a.log" 4A00000001 postfix-out3
wait_event auth "queue_id=4A00000001" 1 30 || die "the journal marker was not read"
$LINES sent 1 $((0x4D07FA)) | sed 's| postfix/smtp\[| postfix-ctl/smtp[|' >>"$T/inject-b.log"
wait_event cleared "ip=$CTL " 1 30 || die "the control $CTL was not cleared by its own delivery"
[ "$(events cleared 'ip=127.0.0.2 ')" = 0 ] ||
	die "127.0.0.2 was cleared by the deliveries of 127.0.0.3 and 127.0.0.4"
for ip in 127.0.0.3 127.0.0.4; do
	n=$(grep -F "ip=$ip " "$MD_LOG" | grep -c 'event=')
	[ "$n" = 0 ] || die "$n event lines name $ip, want none"
	n=$(mails "$ip")
	[ "$n" = 0 ] || die "$n mails name $ip, want none"
done
n=$(mails '127.0.0.2 blocked by Outlook.com')
[ "$n" = 1 ] || die "$n alert mails for 127.0.0.2, want 1"
okt "deliveries of 127.0.0.3 (postfix-out3, journal) and 127.0.0.4 (postfix-b, RFC 3339) cleared nothing; the control cleared on its own; 1 alert for 127.0.0.2, nothing for 127.0.0.3 or 127.0.0.4"

# --- 3. unblocked, 127.0.0.2 clears on its own delivery --------------------
fakemx_block
send a sender@example.org bob3@outlook.com
send b sender@example.org carol3@hotmail.com
wait_sent a postfix-out3 outlook.com 3
wait_sent b postfix-b hotmail.com 3
marker "$T/inject-a.log" 4A00000002 postfix-out3
marker "$T/inject-b.log" 4B00000002 postfix-b
wait_event auth "queue_id=4A00000002" 1 30 || die "the journal marker was not read"
wait_event auth "queue_id=4B00000002" 1 30 || die "the file marker was not read"
[ "$(events cleared 'ip=127.0.0.2 ')" = 0 ] ||
	die "127.0.0.2 was cleared by another IP's delivery after the unblock"
mark=$(log_mark "$MD_LOG")
send a sender@example.org user4@hotmail.com
wait_sent a postfix-out2 hotmail.com 1
wait_event cleared "ip=127.0.0.2 provider=microsoft-consumer" 1 30 ||
	die "127.0.0.2 did not clear on its own delivery"
wait_count 1 30 "cleared mails for 127.0.0.2" mails '127.0.0.2 cleared' ||
	die "no cleared mail for 127.0.0.2"
n=$(log_count "$MD_LOG" 'event=cleared ip=127\.0\.0\.2 ' 0)
[ "$n" = 1 ] || die "$n event=cleared lines for 127.0.0.2, want 1"
[ "$(log_count "$MD_LOG" 'event=cleared ip=127\.0\.0\.2 ' "$mark")" = 1 ] ||
	die "127.0.0.2 cleared before its own delivery"
n=$(mails '127.0.0.2 cleared')
[ "$n" = 1 ] || die "$n cleared mails for 127.0.0.2, want 1"
# Both instances reached the milter all along.
for d in "$T/pfa" "$T/pfb"; do
	grep -F 'Milter service' "$d/maillog" && die "$d: Postfix could not reach the milter"
done
okt "unblocked: 127.0.0.2 cleared only after its own delivery (postfix-out2, from the journal), one cleared mail"

# --- 4. a mass block: 2,000 IPs at once ------------------------------------
md_mails >"$T/mails-before"
python3 -c '
import sys
first, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(first, first + n):
    print("10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))' "$MASS_FIRST" "$MASS_N" >"$T/mass-ips"
tm=$(date +%s)
$LINES block "$MASS_N" "$MASS_FIRST" >"$T/mass.log"
cat "$T/mass.log" >>"$T/inject-b.log"
wait_event block "ip=10.77." $((MASS_N + 1)) 60 || die "not every mass-block line became an incident"
# Every incident of the mass block alerted: no mail is owed any more.
mass_alerted() {
	python3 "$here/lib/statefile.py" "$MD_STATE" >"$T/incidents" &&
		[ "$(awk -v c="$CTL" '$2 ~ /^10\.77\./ && $2 != c && $5 == "alerted"' \
			"$T/incidents" | wc -l)" -eq "$MASS_N" ]
}
wait_for 120 mass_alerted ||
	die "not every mass-block incident alerted: $(awk '{ print $5 }' "$T/incidents" | sort | uniq -c | tr '\n' ' ')"
tc=$(date +%s)
md_mails | grep -v -x -F -f "$T/mails-before" >"$T/mass-mails"
n=$(wc -l <"$T/mass-mails" | tr -d ' ')
# shellcheck disable=SC2046 # file names without spaces, made by md_init
python3 "$IPCOVER" --collapsed "$T/mass-ips" $(cat "$T/mass-mails") >"$T/cover.out" 2>&1 ||
	{ cat "$T/cover.out"; die "the mass-block alerts do not list exactly the $MASS_N IPs"; }
[ "$n" -le 3 ] || { cat "$T/cover.out"; die "$n alert mails for the mass block, want at most 3"; }
sed 's/^/# /' "$T/cover.out"
okt "mass block of $MASS_N IPs: $n alert mail(s) in $((tc - tm)) s (alert.digest $DIGEST); their requests list $(awk '/ entries=/ { sub(/.* entries=/, ""); sub(/ .*/, ""); e += $0 } END { print e }' "$T/cover.out") IPs or ranges covering exactly the $MASS_N IPs, each once"

# --- 5. --scan of the same entries as journal, short-iso and RFC 3339 ------
findings() {
	"$MILTER_DELIST" --scan "$@" 2>>"$T/scan.err" | sed 's/ file=[^ ]*//; s/ line=[0-9]*//'
}
# journalctl's short-iso-precise is RFC 3339 but for the colon in the zone
# ("+0000"); rsyslog writes "+00:00".
journalctl -D "$JDIR" -o short-iso SYSLOG_FACILITY=2 >"$T/a-shortiso.log"
journalctl -D "$JDIR" -o short-iso-precise SYSLOG_FACILITY=2 |
	sed 's/^\([0-9-]*T[0-9:]*\.[0-9]*[+-][0-9][0-9]\)\([0-9][0-9]\) /\1:\2 /' >"$T/a-rfc3339.log"
grep -q -E '^20[0-9-]+T[0-9:]{8}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2} mail postfix-out2/smtp\[' "$T/a-rfc3339.log" ||
	die "not rsyslog's RFC 3339 form: $(head -n 1 "$T/a-rfc3339.log")"
findings "$JDIR" >"$T/scan-journal"
findings "$T/a-shortiso.log" >"$T/scan-shortiso"
findings "$T/a-rfc3339.log" >"$T/scan-rfc3339"
grep -q 'event=block ip=127.0.0.2 ' "$T/scan-journal" ||
	{ cat "$T/scan-journal" "$T/scan.err"; die "--scan of the journal: no block of 127.0.0.2"; }
for f in shortiso rfc3339; do
	diff "$T/scan-journal" "$T/scan-$f" >"$T/diff" ||
		{ cat "$T/diff"; die "--scan: $f findings differ from the journal's"; }
done
okt "--scan: the journal directory, its short-iso and RFC 3339 text give the same $(grep -c '^event=' "$T/scan-journal") findings"

echo "t-e2e-hosting: detect ${detect} s, mass block $MASS_N IPs -> $n mail(s), $(($(date +%s) - t0)) s in all"
exit 0
