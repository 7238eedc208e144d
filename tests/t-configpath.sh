#!/bin/sh
# t-configpath.sh - the built-in configuration path follows configure:
# build with the default prefix, reconfigure the same build directory with
# another --sysconfdir and run make; the daemon must then read the new
# path (-h, -t and event=start name it), not the one compiled first.
# Builds the daemon twice in a temporary directory (a minute or two).

. "${srcdir:-.}/tests/lib/common.sh"

need_cmd make cc
[ -n "$abs_top_builddir" ] || hard_error "abs_top_builddir is not set"
make_tmpdir

# A clean source tree, as a user unpacks it (make distdir; no MAKEFLAGS
# of the make check that runs us).
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$abs_top_builddir" \
	distdir distdir="$T/src" >"$T/distdir.log" 2>&1 ||
	hard_error "make distdir failed: $(tail -5 "$T/distdir.log")"

# build CONFIGURE-ARGS... - configure $T/build and make the daemon
build() {
	(cd "$T/build" && "$T/src/configure" -q CFLAGS=-O0 "$@" &&
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 \
			milter/milter-delist) >"$T/build.log" 2>&1 ||
		hard_error "build with $* failed: $(tail -20 "$T/build.log")"
}

mkdir -p "$T/build" "$T/etc" "$T/state"
build --prefix="$T/usr"
BIN="$T/build/milter/milter-delist"
"$BIN" -h | grep -qF "$T/usr/etc/milter-delist.conf" ||
	fail "the first build does not name $T/usr/etc/milter-delist.conf"
ok "default prefix: $T/usr/etc/milter-delist.conf"

# Reconfigure the same tree with the system's sysconfdir, as the README's
# "./configure --prefix=/usr --sysconfdir=/etc && make" does.
build --prefix="$T/usr" --sysconfdir="$T/etc"
NEW="$T/etc/milter-delist.conf"

"$BIN" -h >"$T/help"
grep -qF "$NEW" "$T/help" ||
	fail "after reconfiguring, -h names another file: $(grep -A1 -- '  -c FILE' "$T/help")"
grep -q "absent: no file, built-in defaults apply" "$T/help" ||
	fail "-h does not say the default file is absent"
ok "-h names $NEW and says it is absent"

"$BIN" -t >"$T/out" 2>"$T/err" || fail "-t: $(cat "$T/err")"
head -n 1 "$T/out" | grep -qF "(no file: built-in defaults (tried $NEW))" ||
	fail "-t without a file: $(head -n 1 "$T/out")"
ok "-t: $(head -n 1 "$T/out")"

if [ "$(id -u)" = 0 ]; then
	RUN_USER=nobody
	chown nobody "$T/state"
else
	RUN_USER=""
fi
cat >"$NEW" <<CONF
socket = "unix:$T/run/milter.sock"
state_file = "$T/state/state"
user = "$RUN_USER"
log_level = "notice"
CONF
"$BIN" -t >"$T/out" 2>"$T/err" || fail "-t with $NEW: $(cat "$T/err")"
head -n 1 "$T/out" | grep -qF "configuration ($NEW)" ||
	fail "-t does not name $NEW: $(head -n 1 "$T/out")"
grep -qF "socket = \"unix:$T/run/milter.sock\"" "$T/out" ||
	fail "-t did not read $NEW"
ok "-t reads and names $NEW"

"$BIN" -f >"$T/log" 2>&1 &
PID=$!
at_exit "kill -9 $PID"
wait_for 20 grep -q "event=start" "$T/log" || {
	cat "$T/log"
	fail "the daemon did not start"
}
grep "event=start" "$T/log" | grep -qF "config=$NEW" ||
	fail "event=start does not name $NEW: $(grep event=start "$T/log")"
ok "event=start names $NEW"
kill -TERM "$PID"
wait_for 20 pid_gone "$PID" || fail "the daemon did not stop"
