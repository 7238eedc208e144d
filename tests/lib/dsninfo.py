#!/usr/bin/env python3
"""dsninfo.py - print the structure of a delivery status notification.

    dsninfo.py MESSAGE-FILE

One "key: value" line each, folded headers unfolded, for shell tests to grep:

    header.Subject: Undelivered Mail Returned to Sender
    header.Content-Type: multipart/report; report-type=delivery-status; ...
    part.1: multipart/report
    part.2: text/plain
    part.3: message/delivery-status
    report.Reporting-MTA: dns; mail.example.org
    rcpt.1.Final-Recipient: rfc822; user@hotmail.com
    rcpt.1.Diagnostic-Code: smtp; 550 5.7.1 Unfortunately, ...

Parsed with Python's email package (a real MIME parser): exit 1 when the
file is not a message with a message/delivery-status part.
"""

import email
import email.policy
import re
import sys


def unfold(value):
    return re.sub(r"\r?\n[ \t]+", " ", str(value)).strip()


def main():
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    for k, v in msg.items():
        print("header.%s: %s" % (k, unfold(v)))
    found = False
    for n, part in enumerate(msg.walk(), 1):
        ctype = part.get_content_type()
        print("part.%d: %s" % (n, ctype))
        if ctype != "message/delivery-status":
            continue
        found = True
        blocks = part.get_payload()
        if not isinstance(blocks, list) or not blocks:
            continue
        for k, v in blocks[0].items():
            print("report.%s: %s" % (k, unfold(v)))
        for i, block in enumerate(blocks[1:], 1):
            for k, v in block.items():
                print("rcpt.%d.%s: %s" % (i, k, unfold(v)))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
