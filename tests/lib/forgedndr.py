#!/usr/bin/env python3
"""forgedndr.py - the non-delivery report anyone on the Internet can mail
us: "your IP is on Microsoft's block list (S3150)", dressed up as our own
Postfix's notice (Reporting-MTA our host name, X-Postfix-Queue-ID).

    forgedndr.py write FILE IP           one NDR naming IP, to FILE
    forgedndr.py flood PORT RCPT N FIRST  N NDRs over SMTP to 127.0.0.1:PORT,
                                          MAIL FROM:<>, 20 per connection,
                                          NDR i naming 203.0.113.x, x made
                                          of FIRST + i

A flood prints "sent N".
"""

import smtplib
import sys
import time

HOST = "mail.example.org"


def ndr(ip, n, rcpt="sender@example.org"):
    reply = ("550 5.7.1 Unfortunately, messages from [%s] weren't sent. "
             "Please contact your Internet service provider since part of "
             "their network is on our block list (S3150)." % ip)
    qid = "4F%06X" % n
    return (
        "From: MAILER-DAEMON@%(h)s (Mail Delivery System)\r\n"
        "To: %(rcpt)s\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Date: %(date)s\r\n"
        "Message-ID: <forged.%(n)d.%(t)d@%(h)s>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        "\tboundary=\"%(qid)s.forged\"\r\n"
        "\r\n"
        "--%(qid)s.forged\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "<bob@hotmail.com>: host hotmail-com.olc.protection.outlook.com"
        "[104.47.1.1] said:\r\n    %(reply)s (in reply to MAIL FROM "
        "command)\r\n\r\n"
        "--%(qid)s.forged\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; %(h)s\r\n"
        "X-Postfix-Queue-ID: %(qid)s\r\n\r\n"
        "Final-Recipient: rfc822; bob@hotmail.com\r\n"
        "Action: failed\r\nStatus: 5.7.1\r\n"
        "Remote-MTA: dns; hotmail-com.olc.protection.outlook.com\r\n"
        "Diagnostic-Code: smtp; %(reply)s\r\n\r\n"
        "--%(qid)s.forged--\r\n"
        % {"h": HOST, "rcpt": rcpt, "reply": reply, "qid": qid, "n": n,
           "t": int(time.time()),
           "date": time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                 time.gmtime())})


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "write":
        with open(a[1], "w", newline="") as f:
            f.write(ndr(a[2], 0))
        return 0
    if len(a) == 5 and a[0] == "flood":
        port, rcpt, count, first = int(a[1]), a[2], int(a[3]), int(a[4])
        sent = 0
        while sent < count:
            with smtplib.SMTP("127.0.0.1", port, "client.example.net",
                              timeout=60) as s:
                for _ in range(min(20, count - sent)):
                    i = first + sent
                    ip = "203.0.113.%d" % (i % 250 + 1)
                    s.sendmail("", [rcpt], ndr(ip, i, rcpt).encode())
                    sent += 1
        print("sent %d" % sent)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
