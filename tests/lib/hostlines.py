#!/usr/bin/env python3
"""hostlines.py - Postfix log lines of a host with several outbound IPs,
in the RFC 3339 form Debian 12's rsyslog writes
("2026-12-06T09:12:01.114532+01:00 mx1 NAME/smtp[pid]: ..."), stamped now.

    hostlines.py block NAME IP...     a refusal by Hotmail (S3150) naming
                                      each IP, logged under syslog name NAME
    hostlines.py sent NAME            one delivery to Hotmail under NAME
    hostlines.py mass COUNT           COUNT refusals naming 10.a.b.c (i = 0,
                                      1, ...), under "postfix"
    hostlines.py ips COUNT            the IPs of "mass COUNT", one a line

Lines go to standard output.
"""

import datetime
import sys

MX = "hotmail-com.olc.protection.outlook.com"
seq = [0x200000]


def head(name):
    stamp = datetime.datetime.now().astimezone().isoformat(
        timespec="microseconds")
    seq[0] += 1
    return ("%s mx1 %s/smtp[4242]: %X: to=<u%d@hotmail.com>, relay=%s"
            "[104.47.1.1]:25, delay=0.7, delays=0.01/0/0.4/0.29, "
            % (stamp, name, seq[0], seq[0], MX))


def block(name, ip):
    return head(name) + (
        "dsn=5.7.1, status=bounced (host %s[104.47.1.1] said: 550 5.7.1 "
        "Unfortunately, messages from [%s] weren't sent. Please contact "
        "your Internet service provider since part of their network is on "
        "our block list (S3150). (in reply to MAIL FROM command))" % (MX, ip))


def mass_ip(i):
    return "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255)


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__, file=sys.stderr)
        return 2
    out = []
    if a[0] == "block" and len(a) >= 3:
        out = [block(a[1], ip) for ip in a[2:]]
    elif a[0] == "sent" and len(a) == 2:
        out = [head(a[1]) + "dsn=2.0.0, status=sent (250 2.0.0 OK "
               "<x@example.org> [Hostname=AM0EPF0000000001])"]
    elif a[0] == "mass" and len(a) == 2:
        out = [block("postfix", mass_ip(i)) for i in range(int(a[1]))]
    elif a[0] == "ips" and len(a) == 2:
        out = [mass_ip(i) for i in range(int(a[1]))]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
