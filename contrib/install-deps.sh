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
TEST="miltertest postfix swaks python3 procps iproute2 util-linux clang"

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
for p in $BUILD $TEST; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "install-deps.sh: build and test dependencies are installed"
