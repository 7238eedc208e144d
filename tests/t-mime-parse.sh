#!/bin/sh
# t-mime-parse.sh - the alert mails composed by notice/mime, checked by a
# real MIME parser (Python's email package, tests/mimecheck.py): header
# set, one recipient, two parts, the attachment's name and content, also
# when every bounce-derived value is hostile.  Exit 77 without python3.

. "$(dirname "$0")/lib/common.sh"

talert=${top_builddir:-$here/..}/tests/t-notice
check=$here/mimecheck.py

need_cmd python3
python3 -c 'import email.policy' 2>/dev/null || skip "python3 has no email package"
[ -x "$talert" ] || hard_error "$talert not built"
make_tmpdir
# What a shell running the hostile bounce text would create: unique to this
# run, so nothing another test leaves can fail or pass this check.
PWNED=$T/pwned.$$.$(date +%s%N)
status=0

# run CASE ARGS... - emit CASE, check it with ARGS
run() {
	name=$1
	shift
	marker=
	[ "$name" = hostile ] && marker=$PWNED
	# shellcheck disable=SC2086
	if ! "$talert" --emit "$name" $marker > "$T/$name.eml"; then
		echo "FAIL: t-notice --emit $name"
		status=1
		return
	fi
	if python3 "$check" "$T/$name.eml" --to postmaster@example.org "$@"; then
		echo "ok   $name"
	else
		status=1
	fi
}

sample='550 5.7.1 Unfortunately, messages from [203.0.113.5] weren'"'"'t sent.'

run alert --parts 2 --filename delist-request-203.0.113.5.txt \
	--contains 203.0.113.5 --contains "$sample" \
	--contains 'Server IP Listed / Non-Delivery Returned Mail'
run hostile --parts 2 --filename delist-request-203.0.113.5.txt \
	--contains 203.0.113.5 --contains "$sample"
run v6 --parts 2 --filename delist-request-2001-db8--25.txt \
	--contains 2001:db8::25 --contains 'https://sender.office.com/' \
	--contains '550 5.7.606 Access denied, banned sending IP [2001:db8::25].'
run cleared --parts 1 --contains 'accepted again since'

# The hostile case: nothing ran, no header came from the bounce (what
# "sendmail -t" reads is the block before the first empty line; a quoted
# "Bcc: x@evil" line inside a part is text).
# The payload is in the message as text (so it went through the
# composition), no file appeared; and the check can fail: the same text run
# by a shell (the positive control) does create the file.
payload=$(python3 -c '
import email, email.policy, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
want = "$(touch %s) `touch %s`" % (sys.argv[2], sys.argv[2])
for part in msg.walk():
    if not part.is_multipart():
        for line in part.get_content().splitlines():
            if want in line:
                print(line[line.index(want):][:len(want)])
                sys.exit(0)
' "$T/hostile.eml" "$PWNED")
if [ -z "$payload" ]; then
	echo "FAIL: the hostile payload naming $PWNED is not in hostile.eml"
	status=1
fi
[ ! -e "$PWNED" ] || { echo "FAIL: $PWNED exists: a shell ran the bounce text"; status=1; }
sh -c "$payload" >/dev/null 2>&1
if [ -e "$PWNED" ]; then
	echo "ok   the hostile text ran nothing (positive control: a shell running it creates the file)"
else
	echo "FAIL: positive control: a shell running the payload did not create $PWNED"
	status=1
fi
if sed '/^$/q' "$T/hostile.eml" | grep -qi '^\(bcc\|cc\|x-injected\):'
then
	echo "FAIL: injected header line in hostile.eml"
	status=1
fi
exit $status
