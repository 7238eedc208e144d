#!/bin/sh
# t-confdoc.sh - the option table (as "milter-delist -t" prints it), the
# shipped conf/milter-delist.conf and the man page milter-delist.conf(5)
# name the same options, in the same sections, with the same defaults.

. "${srcdir:-.}/tests/lib/common.sh"

[ -x "$MILTER_DELIST" ] || hard_error "$MILTER_DELIST not built"
make_tmpdir

CONF="$srcdir/conf/milter-delist.conf"
MAN="$srcdir/conf/milter-delist.conf.5.in"
[ -r "$CONF" ] && [ -r "$MAN" ] || hard_error "cannot read $CONF or $MAN"

# options AWK-INPUT - "section.name value" lines (top level: ".name") from
# the file syntax; values unquoted.  Commented-out options ("#name = ",
# "#	name = ", "#alert {", "#}") count, prose ("# ...") does not.
options() {
	sed -n 's/^#\([^ #-]\)/\1/; p' "$1" | awk '
		/^[a-z_]+ \{$/ { sec = $1; next }
		/^\}$/ { sec = ""; next }
		/^\t?[a-z_]+ = / {
			line = $0
			sub(/^\t/, "", line)
			name = line; sub(/ = .*/, "", name)
			value = line; sub(/^[a-z_]+ = /, "", value)
			if (value ~ /^".*"$/)
				value = substr(value, 2, length(value) - 2)
			print sec "." name " " value
		}' | LC_ALL=C sort
}

# man_options - the same from the OPTIONS part of the man page: ".TP",
# ".B name", then "Default empty." or "Default" and ".BR value ."
man_options() {
	awk '
		/^\.SH OPTIONS/ { on = 1; next }
		/^\.SH / { on = 0 }
		!on { next }
		/^\.SS "Section / { sec = $3; sub(/"$/, "", sec); next }
		prev == ".TP" && /^\.B [a-z_]+$/ {
			if (name != "") print sec "." name " (no default given)"
			name = $2
		}
		name != "" && /^Default empty\.$/ {
			print sec "." name " "; name = ""
		}
		name != "" && prev == "Default" && /^\.BR / {
			value = $0
			sub(/^\.BR /, "", value); sub(/ \.$/, "", value)
			if (value ~ /^".*"$/)
				value = substr(value, 2, length(value) - 2)
			gsub(/\\-/, "-", value)
			print sec "." name " " value; name = ""
		}
		{ prev = $0 }
		END { if (name != "") print sec "." name " (no default given)" }
	' "$MAN" | LC_ALL=C sort
}

: >"$T/empty.conf"
"$MILTER_DELIST" -t -c "$T/empty.conf" >"$T/printed" 2>"$T/err" ||
	hard_error "-t failed: $(cat "$T/err")"
options "$T/printed" >"$T/table"
options "$CONF" >"$T/conf"
man_options >"$T/man"

n=$(wc -l <"$T/table")
[ "$n" -ge 20 ] || fail "only $n options read from -t: the parser is broken"

diff -u "$T/table" "$T/conf" >"$T/diff1" ||
	fail "conf/milter-delist.conf disagrees with the option table (- table, + conf):
$(cat "$T/diff1")"
ok "conf/milter-delist.conf: the same $n options and defaults as the table"

diff -u "$T/table" "$T/man" >"$T/diff2" ||
	fail "milter-delist.conf(5) disagrees with the option table (- table, + man page):
$(cat "$T/diff2")"
ok "milter-delist.conf(5): the same $n options and defaults as the table"
