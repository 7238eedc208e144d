# ns.sh - run a command in a private mount namespace (POSIX sh; source it;
# needs root and util-linux unshare/mount)
#
#   ns_run [-l SOCKET] [-p ETCDIR] [--] COMMAND [ARGS...]
#
#   -l SOCKET  /dev/log is SOCKET for COMMAND (and its children): their
#              syslog(3) goes to a test-owned listener (syslog.sh) and to
#              nothing else, so parallel tests never see each other's lines.
#   -p ETCDIR  /etc/postfix is ETCDIR (a private instance's config_directory,
#              $PF_ETC): sendmail/postdrop/postqueue without -C use that
#              instance, also after the command dropped root. (Postfix's
#              set-gid postdrop refuses a non-default config directory for a
#              non-root user unless /etc/postfix/main.cf lists it in
#              alternate_config_directories; this avoids touching /etc.)
#
# COMMAND keeps the caller's pid (unshare and sh exec it), so
# "ns_run ... daemon -f & PID=$!" gives the daemon's pid.
#
# When /dev/log does not exist there is nothing to mount over: then /dev is
# replaced, in the namespace only, by a tmpfs mirroring the real /dev (each
# entry bind-mounted) plus the socket as /dev/log. The real /dev is never
# changed, so nothing is left behind and concurrent tests cannot collide.

# shellcheck disable=SC2016
NS_SETUP='
set -e
log=$1 etc=$2 tmp=$3
shift 3
if [ -n "$etc" ]; then
	mount --bind "$etc" /etc/postfix
fi
if [ -n "$log" ]; then
	if [ -e /dev/log ]; then
		mount --bind "$log" /dev/log
	else
		old=$(mktemp -d "$tmp/ns-dev.XXXXXX")
		mount --rbind /dev "$old"
		mount -t tmpfs -o mode=755,size=1m ns-dev /dev
		for e in "$old"/* "$old"/.[!.]*; do
			n=${e##*/}
			[ "$n" = log ] && continue
			if [ -L "$e" ]; then
				cp -P "$e" "/dev/$n"
			elif [ -d "$e" ]; then
				mkdir "/dev/$n"
				mount --rbind "$e" "/dev/$n"
			elif [ -e "$e" ]; then
				: >"/dev/$n"
				mount --bind "$e" "/dev/$n"
			fi
		done
		umount -l "$old"
		rmdir "$old"
		: >/dev/log
		mount --bind "$log" /dev/log
	fi
fi
exec "$@"
'

# ns_run [-l SOCKET] [-p ETCDIR] [--] COMMAND [ARGS...]
ns_run() {
	ns_log=
	ns_etc=
	while [ $# -gt 0 ]; do
		case $1 in
		-l) ns_log=$2; shift 2 ;;
		-p) ns_etc=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	unshare --mount --propagation private sh -c "$NS_SETUP" ns_run \
		"$ns_log" "$ns_etc" "${T:-${TMPDIR:-/tmp}}" "$@"
}

# ns_exec [-l SOCKET] [-p ETCDIR] [--] COMMAND [ARGS...] - ns_run, but
# replacing the calling (sub)shell: for daemons started with
# "ns_exec ... daemon -f & PID=$!", where a plain function call in the
# background would leave $! naming the subshell instead of the daemon.
ns_exec() {
	ns_log=
	ns_etc=
	while [ $# -gt 0 ]; do
		case $1 in
		-l) ns_log=$2; shift 2 ;;
		-p) ns_etc=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	exec unshare --mount --propagation private sh -c "$NS_SETUP" ns_run \
		"$ns_log" "$ns_etc" "${T:-${TMPDIR:-/tmp}}" "$@"
}

# ns_usable - true when mount namespaces work here (root, unshare present)
ns_usable() {
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
		unshare --mount --propagation private true 2>/dev/null
}
