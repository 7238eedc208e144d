#!/usr/bin/env python3
"""syslog-listener.py - a test-owned syslog listener.

    syslog-listener.py SOCKET OUTFILE [--pid-file FILE] [--mode 0666]
                       [--plain [--hostname NAME]]

Binds a unix datagram socket at SOCKET (what syslog(3) and logger(1) write
to when SOCKET is mounted over /dev/log: see ns.sh) and appends every
message to OUTFILE as exactly one line, as received ("<PRI>Mon DD HH:MM:SS
tag[pid]: text"), with CR, LF and NUL inside a message written as \\r, \\n
and \\0 (a backslash doubled) so that one message can never look like two.
With --plain, each line is written the way a syslog daemon (rsyslog) writes
its files instead: "Mon DD HH:MM:SS host tag[pid]: text", without <PRI>
and with the host name (default: this machine's) after the timestamp; a
message without a timestamp of its own gets the time of arrival.  That is
an MTA log such as Debian's /var/log/mail.log, for a reader that follows
it.  The pid file is written once the socket is bound. SIGTERM/SIGINT/SIGHUP:
remove SOCKET (ours) and exit 0.
"""

import argparse
import os
import re
import signal
import socket
import stat
import sys
import time

# "<PRI>" and a classic stamp "Mon DD HH:MM:SS " as syslog(3) sends them
PRI = re.compile(rb"<[0-9]{1,3}>")
STAMP = re.compile(rb"[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} ")


def plain(data, host):
    """data as a line of a syslog daemon's file: no <PRI>, a host name"""
    m = PRI.match(data)
    if m:
        data = data[m.end():]
    m = STAMP.match(data)
    if m:
        return data[:m.end()] + host + b" " + data[m.end():]
    now = time.strftime("%b %d %H:%M:%S", time.localtime()).encode()
    if now[4:5] == b"0":
        now = now[:4] + b" " + now[5:]
    return now + b" " + host + b" " + data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("outfile")
    ap.add_argument("--pid-file")
    ap.add_argument("--mode", default="0666",
                    help="socket mode (a daemon that dropped root must write)")
    ap.add_argument("--plain", action="store_true",
                    help="write syslog-file lines (no <PRI>, with a host)")
    ap.add_argument("--hostname", default=socket.gethostname(),
                    help="host name for --plain lines")
    opts = ap.parse_args()

    try:
        if stat.S_ISSOCK(os.lstat(opts.socket).st_mode):
            os.unlink(opts.socket)          # a stale socket of an earlier run
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(opts.socket)
    os.chmod(opts.socket, int(opts.mode, 8))
    out = open(opts.outfile, "ab", buffering=0)

    def stop(signum, frame):
        try:
            os.unlink(opts.socket)
        except OSError:
            pass
        os._exit(0)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)

    if opts.pid_file:
        tmp = opts.pid_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(tmp, opts.pid_file)

    host = opts.hostname.encode("utf-8", "replace")
    while True:
        data = sock.recv(1 << 17)
        data = data.rstrip(b"\n\0")
        if opts.plain:
            data = plain(data, host)
        data = (data.replace(b"\\", b"\\\\").replace(b"\r", b"\\r")
                .replace(b"\n", b"\\n").replace(b"\0", b"\\0"))
        out.write(data + b"\n")


if __name__ == "__main__":
    sys.exit(main())
