#!/usr/bin/env python3
"""alertinfo.py - take milter-delist's alert mail apart with a real MIME parser.

    alertinfo.py MESSAGE-FILE [BODY-OUT [ATTACHMENT-OUT]]

Prints one "key: value" line each, for shell tests to grep:

    header.Subject: [milter-delist] 127.0.0.2 blocked by Outlook.com (S3150): ...
    headers: From,To,Subject,Date,Message-ID,Auto-Submitted,MIME-Version,...
    recipients: admin@example.org
    part.1: multipart/mixed
    part.2: text/plain
    part.3: text/plain attachment delist-request-127.0.0.2.txt
    defects: 0

and writes the decoded text of the first text part (the body) and of the
attachment to the files given.  Exit 1 when the file does not parse as one
well-formed MIME message (any defect counts).
"""

import email
import email.policy
import email.utils
import sys

# Headers a delivering MTA adds in front of the message; not the alert's own.
TRANSPORT = {"return-path", "delivered-to", "received", "x-original-to"}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)

    own = [k for k in msg.keys() if k.lower() not in TRANSPORT]
    print("headers: " + ",".join(own))
    for k, v in msg.items():
        if k.lower() in TRANSPORT:
            continue
        print("header.%s: %s" % (k, " ".join(str(v).split())))
    rcpts = email.utils.getaddresses(
        msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("Bcc", [])
    )
    print("recipients: " + ",".join(a for _, a in rcpts))

    defects = len(msg.defects)
    body = attachment = None
    for n, part in enumerate(msg.walk(), 1):
        defects += len(part.defects)
        ctype = part.get_content_type()
        name = part.get_filename()
        if part.is_multipart():
            print("part.%d: %s" % (n, ctype))
            continue
        if name:
            print("part.%d: %s attachment %s" % (n, ctype, name))
            if attachment is None:
                attachment = part.get_content()
        else:
            print("part.%d: %s" % (n, ctype))
            if body is None and ctype == "text/plain":
                body = part.get_content()
    print("defects: %d" % defects)
    if len(sys.argv) > 2 and body is not None:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(body)
    if len(sys.argv) > 3 and attachment is not None:
        with open(sys.argv[3], "w", encoding="utf-8") as f:
            f.write(attachment)
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
