#!/usr/bin/env python3
"""maillines.py - Postfix log lines of Microsoft refusals, for the storm and
crash tests to append to the mail log that milter-delist follows.

    maillines.py KIND COUNT [FIRST [AGE [same|named]]]

KIND: block (S3150 from hotmail.com), ban (5.7.606 from a Microsoft 365
tenant, contoso.com), sent (status=sent to hotmail.com: the block clears).
Each line gets its own queue id and recipient; line i names the IP
10.a.b.c made of i (FIRST + 0, 1, ...), 10.0.0.0/8 wrapped, so COUNT lines
name COUNT distinct IPs (up to 2^24); with "same", every line names the IP
of FIRST; with "named", line i is logged under the syslog name "out-IP"
(IP: the one line i names; "out-IP/smtp[4242]"), the name a transport
binding that IP would log under (syslog_names).  The syslog time stamp is now minus AGE seconds (default 0).
Lines go to standard output.
"""

import sys
import time

RELAY = {
    "block": ("hotmail.com", "hotmail-com.olc.protection.outlook.com"),
    "sent": ("hotmail.com", "hotmail-com.olc.protection.outlook.com"),
    "ban": ("contoso.com", "contoso-com.mail.protection.outlook.com"),
}
REPLY = {
    "block": ("5.7.1", "550 5.7.1 Unfortunately, messages from [%s] weren't "
              "sent. Please contact your Internet service provider since part "
              "of their network is on our block list (S3150). (in reply to "
              "MAIL FROM command)"),
    "ban": ("5.7.606", "550 5.7.606 Access denied, banned sending IP [%s]. "
            "To request removal from this list please visit "
            "https://sender.office.com/ and follow the directions. (in reply "
            "to RCPT TO command)"),
}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in RELAY:
        print(__doc__, file=sys.stderr)
        return 2
    kind, count = sys.argv[1], int(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    age = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    same = len(sys.argv) > 5 and sys.argv[5] == "same"
    named = len(sys.argv) > 5 and sys.argv[5] == "named"
    t = time.localtime(time.time() - age)
    stamp = time.strftime("%b ", t) + ("%2d" % t.tm_mday) + \
        time.strftime(" %H:%M:%S", t)
    domain, mx = RELAY[kind]
    out = []
    for i in range(first, first + count):
        j = (first if same else i) % (1 << 24)
        ip = "10.%d.%d.%d" % (j >> 16, (j >> 8) & 255, j & 255)
        name = "out-" + ip if named else "postfix"
        head = ("%s mx %s/smtp[4242]: %X: to=<u%d@%s>, relay=%s"
                "[104.47.1.1]:25, delay=0.7, delays=0.01/0/0.4/0.29, "
                % (stamp, name, 0x100000 + i, i, domain, mx))
        if kind == "sent":
            out.append(head + "dsn=2.0.0, status=sent (250 2.0.0 OK "
                       "<%d@example.org> [Hostname=AM0EPF0000000001])" % i)
        else:
            dsn, reply = REPLY[kind]
            out.append(head + "dsn=%s, status=bounced (host %s[104.47.1.1] "
                       "said: %s)" % (dsn, mx, reply % ip))
        if len(out) >= 4096:
            sys.stdout.write("\n".join(out) + "\n")
            out = []
    if out:
        sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
