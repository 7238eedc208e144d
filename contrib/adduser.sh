#!/bin/sh
# adduser.sh - the user milter-delist runs as, and the groups that let it
# work with the MTA (Debian; as root; idempotent).  Used by README.md's
# quick start and install, the same lines as the systemd unit's notes:
#
#   adduser --system --group --home /var/lib/milter-delist milter-delist
#   adduser postfix milter-delist    # Postfix may use the socket (0660,
#                                    # owned milter-delist:milter-delist)
#   adduser milter-delist postdrop   # its alerts' sendmail works (Postfix)
#   adduser milter-delist smmsp      # (the same for Sendmail)
#   adduser milter-delist adm        # it may read /var/log/mail.log
#
# A group or user that does not exist here (no Sendmail, no rsyslog) is
# left out.  Set MILTER_DELIST_USER for another name.
set -eu

user=${MILTER_DELIST_USER:-milter-delist}

if [ "$(id -u)" != 0 ]; then
	echo "adduser.sh: run as root" >&2
	exit 77
fi
if ! id "$user" >/dev/null 2>&1; then
	adduser --quiet --system --group --home /var/lib/milter-delist \
		--no-create-home "$user"
fi
# member USER GROUP - add USER to GROUP when both exist
member() {
	if id "$1" >/dev/null 2>&1 && getent group "$2" >/dev/null; then
		adduser --quiet "$1" "$2"
	fi
}
member postfix "$user"
member "$user" postdrop
member "$user" smmsp
member "$user" adm
echo "adduser.sh: user $user is ready ($(id "$user"))"
