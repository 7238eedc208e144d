#!/usr/bin/env python3
"""logfeed.py - ship a Postfix instance's log live, the way a hosting box's
logs reach milter-delist: as rsyslog's RFC 3339 file, or into the systemd
journal (an export stream for systemd-journal-remote).

    logfeed.py rfc3339 OUT INPUT...     append lines to the file OUT
    logfeed.py export INPUT...          export entries to standard output

Each INPUT is a text log that grows (Postfix's maillog_file, or a file a
test appends whole lines to); it is read from its start and followed (every
20 ms) until the process is killed; a missing INPUT is waited for.  A line
"STAMP HOST IDENT[PID]: MESSAGE" (STAMP the classic "Dec  6 19:27:07",
with or without fractions of seconds) becomes, stamped with the time it
was read (as journald or rsyslog stamp the time a line arrives):

    rfc3339   "2026-12-06T19:27:07.114532+00:00 HOST IDENT[PID]: MESSAGE"
              (rsyslog's RSYSLOG_FileFormat on Debian 12, local zone)
    export    one entry: __REALTIME_TIMESTAMP, SYSLOG_IDENTIFIER=IDENT,
              SYSLOG_PID, SYSLOG_FACILITY=2 (mail), MESSAGE, _HOSTNAME
              (journalexport.py's entry())

A line that is not of that form is copied as it is (rfc3339) or skipped
(export).  Output is flushed after each batch of lines read, so a follower
sees a line within some 20 ms of Postfix logging it.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journalexport  # noqa: E402

LINE = re.compile(r"^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"
                  r"(?:\.[0-9]+)? (\S+) ([^\s\[]+)\[([0-9]+)\]: (.*)$", re.S)


def rfc3339(usec):
    """usec since the epoch in rsyslog's high-precision local form."""
    sec, frac = divmod(usec, 1000000)
    tm = time.localtime(sec)
    off = tm.tm_gmtoff // 60
    sign = "+" if off >= 0 else "-"
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + ".%06d%s%02d:%02d" % (
        frac, sign, abs(off) // 60, abs(off) % 60)


class Input:
    """One followed file: whole lines as they are appended."""

    def __init__(self, path):
        self.path = path
        self.f = None
        self.rest = b""

    def lines(self):
        if self.f is None:
            try:
                self.f = open(self.path, "rb")
            except FileNotFoundError:
                return []
        data = self.f.read()
        if not data:
            return []
        data = self.rest + data
        cut = data.rfind(b"\n") + 1
        self.rest = data[cut:]
        return data[:cut].splitlines()


def convert(mode, raw, usec, mono):
    text = raw.decode("utf-8", "replace")
    m = LINE.match(text)
    if mode == "rfc3339":
        if not m:
            return (text + "\n").encode()
        return ("%s %s %s[%s]: %s\n" % (rfc3339(usec), m.group(1), m.group(2),
                                         m.group(3), m.group(4))).encode()
    if not m:
        return b""
    journalexport.HOST = m.group(1)
    return journalexport.entry(usec, mono, m.group(2), int(m.group(3)),
                               m.group(4), 2)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("rfc3339", "export") or \
            (sys.argv[1] == "rfc3339" and len(sys.argv) < 4):
        sys.exit(__doc__)
    mode = sys.argv[1]
    if mode == "rfc3339":
        out = open(sys.argv[2], "ab")
        inputs = [Input(p) for p in sys.argv[3:]]
    else:
        out = sys.stdout.buffer
        inputs = [Input(p) for p in sys.argv[2:]]
    last = 0
    while True:
        chunk = []
        for i in inputs:
            for raw in i.lines():
                # Distinct, rising stamps, even within one batch.
                usec = max(int(time.time() * 1000000), last + 1)
                last = usec
                mono = int(time.monotonic() * 1000000)
                chunk.append(convert(mode, raw, usec, mono))
        if chunk:
            out.write(b"".join(chunk))
            out.flush()
        else:
            time.sleep(0.02)


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
