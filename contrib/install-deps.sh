#!/bin/sh
# install-deps.sh - install what milter-delist needs to build and to run its
# whole test suite on Debian 12 (bookworm).  Run as root; non-interactive
# and idempotent.  Used by README.md's quick start and by .ci/run.
#
# Note: installing postfix replaces another MTA (exim4) if one is installed.
# The tests run their own private Postfix instance; the system instance is
# installed with "No configuration" and is not started or changed.
set -eu

export DEBIAN_FRONTEND=noninteractive

BUILD="build-essential autoconf automake pkg-config libmilter-dev libconfuse-dev"
# The journal reader (maillog = "journal", --scan of journal files).
BUILD="$BUILD libsystemd-dev"
TEST="miltertest postfix swaks python3 procps iproute2 util-linux clang"
# tests/t-privilege.sh traces the daemon (strace); tests/t-systemd.sh needs
# systemd-analyze (package systemd; it is not started) and libseccomp.
TEST="$TEST strace systemd libseccomp2"
# tests/t-journal and t-scan-journal.sh write real journal files with
# /lib/systemd/systemd-journal-remote.
TEST="$TEST systemd-journal-remote"
# contrib/adduser.sh (the quick start, tests/t-install.sh) uses adduser.
TEST="$TEST adduser"
# A daemon that does not stop is shown with its threads' stacks (gdb).
TEST="$TEST gdb"
# make bench's peers (BENCHMARKS.md): Sisimai and pflogsumm.
TEST="$TEST libsisimai-perl pflogsumm"
# libFuzzer and the sanitizer runtimes of clang (tests/fuzz): only a
# Recommends of clang, which --no-install-recommends skips.
FUZZ="libclang-rt-14-dev"
# tests/t-e2e-sendmail.sh runs Sendmail unpacked from its .debs (the
# sendmail package conflicts with postfix): m4 builds its configuration,
# and the libraries are those sendmail-bin depends on.
SENDMAIL_TEST="m4 libwrap0 liblockfile1 libldap-2.5-0 libnsl2 libsasl2-2 libdb5.3 libssl3"
SENDMAIL_DEBS="sendmail-bin sendmail-base sendmail-cf"
SENDMAIL_CACHE=/var/cache/milter-delist-tests/sendmail

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root" >&2
	exit 77
fi

# Postfix without questions and without a configuration of its own.
if ! dpkg -s postfix >/dev/null 2>&1; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
fi

missing=""
for p in $BUILD $TEST $FUZZ $SENDMAIL_TEST; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Only downloaded, never installed; the test unpacks them itself.
mkdir -p "$SENDMAIL_CACHE"
missing=""
for p in $SENDMAIL_DEBS; do
	ls "$SENDMAIL_CACHE/${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	(cd "$SENDMAIL_CACHE" && { apt-get download -qq $missing 2>/dev/null ||
		{ apt-get update -qq && apt-get download -qq $missing; }; })
fi
echo "install-deps.sh: build and test dependencies are installed"
