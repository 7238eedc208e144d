#!/usr/bin/env python3
"""mimecheck.py - check one alert mail of milter-delist with Python's email
package (a real MIME parser, not ours).

    mimecheck.py FILE --to ADDR [--parts N] [--filename NAME]
                 [--contains TEXT]... [--subject-prefix TEXT]

Checks: no parser defects; exactly the alert's own header set, in order;
exactly one recipient (To, no Cc/Bcc), equal to ADDR; the marker header;
a valid Date; with --parts 2 a multipart/mixed of exactly two text/plain
UTF-8 parts, the second an attachment named NAME; every --contains TEXT in
the decoded attachment (or, with one part, in the body).  Exit 0 when all
hold, 1 otherwise (each failure on its own line).
"""

import argparse
import email
import email.policy
import email.utils
import sys

HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
           "X-Milter-Delist", "MIME-Version", "Content-Type"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--to", required=True)
    ap.add_argument("--parts", type=int, default=2)
    ap.add_argument("--filename")
    ap.add_argument("--contains", action="append", default=[])
    ap.add_argument("--subject-prefix", default="[milter-delist] ")
    a = ap.parse_args()

    with open(a.file, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    bad = []

    def check(cond, what):
        if not cond:
            bad.append(what)

    want = HEADERS + (["Content-Transfer-Encoding"] if a.parts == 1 else [])
    check(list(msg.keys()) == want, "headers %r, want %r" % (msg.keys(), want))
    rcpts = email.utils.getaddresses(
        msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("Bcc", [])
        + msg.get_all("Resent-To", []))
    check([r for _, r in rcpts] == [a.to], "recipients %r" % rcpts)
    check(msg.get("X-Milter-Delist") == "alert", "marker header")
    check(msg.get("Auto-Submitted") == "auto-generated", "Auto-Submitted")
    try:
        check(email.utils.parsedate_to_datetime(msg["Date"]) is not None,
              "Date")
    except (TypeError, ValueError):
        bad.append("Date does not parse: %r" % msg["Date"])
    subject = str(msg.get("Subject", ""))
    check(subject.startswith(a.subject_prefix), "subject %r" % subject)
    check("\n" not in subject and "\r" not in subject, "subject has a line")
    check(max((len(l) for l in raw.split(b"\n")), default=0) <= 998,
          "a line longer than 998 bytes")
    check(all(b < 0x80 for b in raw), "8-bit bytes in the message")

    defects = list(msg.defects)
    for part in msg.walk():
        defects += part.defects
    check(not defects, "parser defects: %r" % defects)

    if a.parts == 1:
        check(not msg.is_multipart(), "single part expected")
        check(msg.get_content_type() == "text/plain", "text/plain expected")
        text = msg.get_content()
    else:
        check(msg.get_content_type() == "multipart/mixed", "multipart/mixed")
        parts = list(msg.iter_parts()) if msg.is_multipart() else []
        check(len(parts) == a.parts, "%d parts, want %d" % (len(parts),
                                                            a.parts))
        text = ""
        for i, p in enumerate(parts):
            check(p.get_content_type() == "text/plain",
                  "part %d is %s" % (i + 1, p.get_content_type()))
            check(p.get_content_charset() == "utf-8",
                  "part %d charset" % (i + 1))
            check(not p.is_multipart(), "part %d nested" % (i + 1))
        if len(parts) >= 2:
            att = parts[1]
            check(att.get_content_disposition() == "attachment",
                  "part 2 is not an attachment")
            check(att.get_filename() == a.filename,
                  "filename %r, want %r" % (att.get_filename(), a.filename))
            check(parts[0].get_filename() is None, "part 1 has a name")
            text = att.get_content()
    for t in a.contains:
        check(t in text, "decoded text lacks %r" % t)

    for b in bad:
        print("FAIL: %s: %s" % (a.file, b))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
