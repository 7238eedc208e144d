#!/bin/sh
# t-icinga.sh - contrib/icinga2/milter-delist.conf is a valid Icinga 2
# CheckCommand: `icinga2 daemon -C` (as root, every Icinga directory in
# a temporary prefix given by -D constants) accepts a minimal config that
# includes it and a Service using it, and rejects the same config when the
# Service names a command the file does not define (so the file was read).
# The check's invocation itself is tested in t-status.sh.

. "${srcdir:-.}/tests/lib/common.sh"

need_cmd icinga2
make_tmpdir
CONF=$srcdir/contrib/icinga2/milter-delist.conf
[ -f "$CONF" ] || hard_error "$CONF missing"
mkdir -p "$T/data" "$T/log" "$T/cache" "$T/spool" "$T/run"
user=$(id -un)
group=$(id -gn)

# validate MAIN - icinga2 daemon -C on MAIN, output in $T/icinga.out
validate() {
	icinga2 daemon -C -c "$1" -DDataDir="$T/data" -DLogDir="$T/log" \
		-DCacheDir="$T/cache" -DSpoolDir="$T/spool" -DInitRunDir="$T/run" \
		-DRunAsUser="$user" -DRunAsGroup="$group" >"$T/icinga.out" 2>&1
}

# main COMMAND - a minimal configuration using CheckCommand COMMAND
main() {
	cat <<EOF2
include <itl>
include "$(cd "$(dirname "$CONF")" && pwd)/$(basename "$CONF")"
object Host "mail" {
	check_command = "dummy"
	address = "127.0.0.1"
}
object Service "milter-delist" {
	host_name = "mail"
	check_command = "$1"
	vars.milter_delist_config = "/etc/milter-delist.conf"
	vars.milter_delist_critical = 2
}
EOF2
}

main milter-delist >"$T/good.conf"
validate "$T/good.conf" || {
	cat "$T/icinga.out"
	# icinga2 itself failing to start (not our file) is a skip.
	grep -q "milter-delist" "$T/icinga.out" || skip "icinga2 cannot validate here: $(tail -n 1 "$T/icinga.out")"
	fail "icinga2 rejects contrib/icinga2/milter-delist.conf"
}
grep -q "Instantiated 1 Service" "$T/icinga.out" || fail "no Service instantiated: $(cat "$T/icinga.out")"
ok "icinga2 daemon -C accepts the CheckCommand and a Service using it"

main milter-delist-nosuch >"$T/bad.conf"
validate "$T/bad.conf" && fail "icinga2 accepts an undefined CheckCommand: the test proves nothing"
grep -q "milter-delist-nosuch" "$T/icinga.out" || fail "unexpected error: $(cat "$T/icinga.out")"
ok "an undefined command is rejected (the file was really read)"

# A syntax error in a copy of the file is caught too.
sed 's/arguments = {/arguments = {{/' "$CONF" >"$T/broken.conf"
sed "s|include \".*milter-delist.conf\"|include \"$T/broken.conf\"|" "$T/good.conf" >"$T/broken-main.conf"
validate "$T/broken-main.conf" && fail "icinga2 accepts a broken copy"
ok "a broken copy is rejected"
exit 0
