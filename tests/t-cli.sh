#!/bin/sh
# t-cli.sh - the command line of the real binary: -t with and without a
# file (exit 0 / 78 with FILE:LINE), -V, -h, a bad option (64), and the
# refusal to keep root privileges without a user (77), before anything is
# created; an unknown user (78).

. "$(dirname "$0")/lib/common.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir

"$MILTER_DELIST" -t -c /dev/null >"$T/out" 2>"$T/err" && true
# /dev/null is not a regular file: a clear error, 78.
[ $? = 78 ] || fail "-t -c /dev/null: want exit 78"

# No file at all (the default path is optional): the defaults, exit 0.
"$MILTER_DELIST" -t >"$T/out" 2>"$T/err" || fail "-t without a config: exit $?"
grep -q '^socket = "local:/run/milter-delist/milter-delist.sock"$' "$T/out" ||
	fail "-t does not print the default socket"
grep -q '^	to = "postmaster"$' "$T/out" || fail "-t does not print alert.to"
ok "-t without a file prints the defaults and exits 0"

# It says which file it read, or that it read none and which it tried.
cp "$T/out" "$T/printed-src.conf"
"$MILTER_DELIST" -t -c "$T/printed-src.conf" | head -n 1 |
	grep -qF "effective configuration ($T/printed-src.conf)" ||
	fail "-t -c FILE does not name FILE"
default=$("$MILTER_DELIST" -h | sed -n 's/.*-c FILE .*(default \(.*\),$/\1/p')
[ -n "$default" ] || fail "-h does not name the default file"
if [ ! -e "$default" ]; then
	head -n 1 "$T/out" |
		grep -qF "(no file: built-in defaults (tried $default))" ||
		fail "-t without a file: $(head -n 1 "$T/out")"
	"$MILTER_DELIST" -h | grep -q "absent: no file, built-in defaults apply" ||
		fail "-h does not say $default is absent"
	ok "-t and -h: no file, built-in defaults, tried $default"
fi

# The printed configuration is itself a valid configuration file.
cp "$T/out" "$T/printed.conf"
"$MILTER_DELIST" -t -c "$T/printed.conf" >"$T/out2" 2>"$T/err" ||
	fail "the printed configuration does not parse: $(cat "$T/err")"
[ "$(tail -n +2 "$T/out")" = "$(tail -n +2 "$T/out2")" ] ||
	fail "printing the printed configuration changes it"
ok "-t output parses back to the same configuration"

# Command-line options are part of the effective configuration.
"$MILTER_DELIST" -t -p inet:8894@127.0.0.1 -d debug >"$T/out" ||
	fail "-t -p -d"
grep -q '^socket = "inet:8894@127.0.0.1"$' "$T/out" || fail "-p not shown by -t"
grep -q '^log_level = "debug"$' "$T/out" || fail "-d not shown by -t"
ok "-p and -d appear in the effective configuration"

# An error names file and line, exit 78 (EX_CONFIG).
printf 'socket = "inet:8894@127.0.0.1"\n\nalert {\n  reminder = "soon"\n}\n' >"$T/bad.conf"
"$MILTER_DELIST" -t -c "$T/bad.conf" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 78 ] || fail "-t with an error: exit $rc, want 78"
grep -q "$T/bad.conf:4: alert.reminder: expected a duration" "$T/err" ||
	fail "error does not name file and line: $(cat "$T/err")"
ok "-t with an error: $(cat "$T/err"), exit 78"

# A missing file given with -c is an error too.
"$MILTER_DELIST" -t -c "$T/missing.conf" >/dev/null 2>"$T/err"
[ $? = 78 ] || fail "-c missing file: want 78"
ok "-c with a missing file: exit 78"

"$MILTER_DELIST" -V | grep -q '^milter-delist [0-9]' || fail "-V"
"$MILTER_DELIST" -h | grep -q '^Usage: milter-delist' || fail "-h"
"$MILTER_DELIST" --no-such-option >/dev/null 2>&1
[ $? = 64 ] || fail "a bad option: want exit 64 (EX_USAGE)"
ok "-V, -h, bad option (64)"

if [ "$(id -u)" = 0 ]; then
	"$MILTER_DELIST" -f -p "unix:$T/s.sock" >"$T/out" 2>&1
	rc=$?
	[ "$rc" = 77 ] || fail "as root without a user: exit $rc, want 77"
	grep -q "refusing to run as root" "$T/out" || fail "no reason given"
	[ -e "$T/s.sock" ] && fail "socket created although refused"
	ok "as root without a user: refused (77)"

	# The same from a configuration file (user = "" spelled out): refused
	# before anything is created, pidfile included.
	printf 'socket = "unix:%s/run/s.sock"\nstate_file = "%s/state/state"\nuser = ""\npidfile = "%s/pid"\n' \
		"$T" "$T" "$T" >"$T/root.conf"
	"$MILTER_DELIST" -f -c "$T/root.conf" >"$T/out" 2>&1
	rc=$?
	[ "$rc" = 77 ] || fail "as root, config without a user: exit $rc, want 77"
	for f in run state pid; do
		[ -e "$T/$f" ] && fail "$T/$f created although refused"
	done
	ok "as root, config without a user: refused (77), nothing created"

	# An unknown user is a configuration error (78), nothing created either.
	"$MILTER_DELIST" -f -c "$T/root.conf" -u no-such-user-md >"$T/out" 2>&1
	rc=$?
	[ "$rc" = 78 ] || fail "-u unknown user: exit $rc, want 78"
	grep -q 'unknown user "no-such-user-md"' "$T/out" || fail "-u unknown user: no reason given"
	for f in run state pid; do
		[ -e "$T/$f" ] && fail "$T/$f created for an unknown user"
	done
	ok "-u unknown user: refused (78), nothing created"
fi
exit 0
