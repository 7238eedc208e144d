#!/usr/bin/env python3
"""logcheck.py - are milter-delist's log lines one line each, clean, and
its event lines strict key=value?

    logcheck.py [--stderr] FILE

FILE is what tests/lib/syslog-listener.py wrote (one message per line,
"<PRI>Mon DD HH:MM:SS milter-delist[PID]: text", with CR, LF and NUL
inside a message written as \\r, \\n, \\0 and a backslash doubled), or with
--stderr the daemon's standard error in the foreground ("milter-delist:
text", one line per message).  Only milter-delist's own lines are looked
at.  Checked for each:

  - no byte below 0x20 and no DEL in the text, and (syslog) no escaped
    CR, LF or NUL: the message was one line when the daemon sent it;
  - the text is valid UTF-8 without C1 controls (U+0080-U+009F) or the
    line and paragraph separators U+2028, U+2029 (line breaks to some
    readers; journald shows invalid UTF-8 as a blob);
  - a text starting with "event=" is nothing but space-separated pairs
    key=value, key [a-z_]+, the value either bare (no space, quote,
    backslash or =) or double-quoted with \\" and \\\\ escapes.

Prints "lines N events M" and exits 0, or prints each bad line and exits 1.
"""

import re
import sys

SYSLOG = re.compile(rb"^<[0-9]{1,3}>[A-Z][a-z]{2} [ 0-9][0-9] "
                    rb"[0-9]{2}:[0-9]{2}:[0-9]{2} milter-delist\[[0-9]+\]: ")
STDERR = re.compile(rb"^milter-delist: ")
PAIR = rb'[a-z_]+=(?:"(?:[^"\\]|\\["\\])*"|[^ "\\=]+)'
EVENT = re.compile(rb"^event=[a-z-]+(?: " + PAIR + rb")*$")
ESCAPED = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\[rn0]")
CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
BREAKS = re.compile("[\x80-\x9f\u2028\u2029]")


def main():
    args = sys.argv[1:]
    head = SYSLOG
    if args and args[0] == "--stderr":
        head = STDERR
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    lines = events = bad = 0
    with open(args[0], "rb") as f:
        for raw in f:
            raw = raw.rstrip(b"\n")
            m = head.match(raw)
            if not m:
                continue
            msg = raw[m.end():]
            lines += 1
            why = None
            if CONTROL.search(msg):
                why = "raw control character"
            elif head is SYSLOG and ESCAPED.search(msg):
                why = "CR, LF or NUL inside one message"
            else:
                try:
                    if BREAKS.search(msg.decode("utf-8")):
                        why = "a C1 control or U+2028/U+2029"
                except UnicodeDecodeError:
                    why = "invalid UTF-8"
            if why is None and msg.startswith(b"event="):
                events += 1
                if not EVENT.match(msg):
                    why = "event line not in key=value form"
            if why:
                bad += 1
                print("bad line (%s): %r" % (why, raw[:300]))
    print("lines %d events %d" % (lines, events))
    return 1 if bad or not lines else 0


if __name__ == "__main__":
    sys.exit(main())
