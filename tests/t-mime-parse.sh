#!/bin/sh
# t-mime-parse.sh - the alert mails composed by notice/mime, checked by a
# real MIME parser (Python's email package, tests/mimecheck.py): header
# set, one recipient, two parts, the attachment's name and content, also
# when every bounce-derived value is hostile.  Exit 77 without python3.

here=$(dirname "$0")
talert=${top_builddir:-$here/..}/tests/t-notice
check=$here/mimecheck.py

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is missing"; exit 77; }
python3 -c 'import email.policy' 2>/dev/null ||
	{ echo "SKIP: python3 has no email package"; exit 77; }
[ -x "$talert" ] || { echo "ERROR: $talert not built"; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/t-mime-parse.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
status=0

# run CASE ARGS... - emit CASE, check it with ARGS
run() {
	name=$1
	shift
	if ! "$talert" --emit "$name" > "$T/$name.eml"; then
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
[ ! -e /tmp/pwned ] || { echo "FAIL: /tmp/pwned exists"; status=1; }
if sed '/^$/q' "$T/hostile.eml" | grep -qi '^\(bcc\|cc\|x-injected\):'
then
	echo "FAIL: injected header line in hostile.eml"
	status=1
fi
exit $status
