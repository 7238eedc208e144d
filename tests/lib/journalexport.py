#!/usr/bin/env python3
"""journalexport.py - the same mail log lines as a systemd journal export
stream and as text logs in four timestamp forms, for tests/t-journal.sh.

    journalexport.py fixtures DIR [TAG [BASE]]
        DIR/classic.log   "Dec  6 09:12:01 mx1 postfix/smtp[1104]: ..."
                          (local time of a zone one hour east of UTC: read
                          it with TZ=XXX-1)
        DIR/precise.log   journalctl -o short-precise: "Dec 06 09:12:01.114532"
        DIR/rfc3339.log   rsyslog on Debian 12: "2026-12-06T09:12:01.114532+01:00"
        DIR/shortiso.log  journalctl -o short-iso: "2026-12-06T09:12:01+0100"
        DIR/mail.export   the entries in journal export format, plus entries
                          that are not mail: one logged with the user
                          facility under a Postfix name (it must not be
                          read), one of sshd; and a mail entry with a binary
                          MESSAGE (a NUL and a newline in it)
    journalexport.py send TAG
        TAG's mail entries sent to the local systemd-journald (its native
        socket), the mail facility, in the order of the fixtures
    journalexport.py bench COUNT
        COUNT entries (every tenth not mail) in export format to stdout

TAG (default "a") makes queue ids, recipients and the boot's monotonic
clock of two runs distinct, so that two exports are two sets of entries.
The stamps are two days before now (so a classic stamp's year is right),
or from BASE (seconds since the epoch) on: the batches a daemon follows.
"""

import os
import struct
import sys
import time

BOOT = "0123456789abcdef0123456789abcdef"
HOST = "mx1"
OFFSET = 3600  # the text logs' zone: UTC+1

S3150 = ("550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. "
         "Please contact your Internet service provider since part of their "
         "network is on our block list (S3150). You can also refer your "
         "provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
         "[Name=Protocol Filter Agent][AGT=PFA][MxId=11BC000000000001] "
         "[AM0EPF0000000001.eurprd05.prod.outlook.com] (in reply to MAIL "
         "FROM command)")
S775 = ("451 4.7.650 The mail server [203.0.113.5] has been temporarily rate "
        "limited due to IP reputation. For e-mail delivery information, see "
        "https://aka.ms/postmaster (S775) [DB3PEPF0000000002.eurprd02.prod."
        "outlook.com] (in reply to MAIL FROM command)")
BAN = ("550 5.7.606 Access denied, banned sending IP [203.0.113.6]. To "
       "request removal from this list please visit https://sender.office.com/"
       " and follow the directions. (AS16012609) (in reply to RCPT TO "
       "command)")


def mail_lines(tag):
    """(ident, pid, message) of the mail entries, in time order."""
    q = tag.upper()
    return [
        ("postfix/smtpd", 1101, "connect from client.example.net[198.51.100.20]"),
        ("postfix-out1/smtp", 1103, "%s1A2B3C4D: to=<alice%s@gmail.com>, "
         "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=0.5, "
         "delays=0.01/0/0.2/0.29, dsn=2.0.0, status=sent (250 2.0.0 OK gsmtp)"
         % (q, tag)),
        ("postfix-out1/smtp", 1104, "%s2B3C4D5E: to=<bob%s@hotmail.com>, "
         "relay=hotmail-com.olc.protection.outlook.com[192.0.2.1]:25, "
         "delay=0.7, delays=0.01/0/0.4/0.29, dsn=5.7.1, status=bounced (host "
         "hotmail-com.olc.protection.outlook.com[192.0.2.1] said: %s)"
         % (q, tag, S3150)),
        ("postfix/smtp", 1105, "%s3C4D5E6F: to=<carol%s@outlook.com>, "
         "relay=outlook-com.olc.protection.outlook.com[192.0.2.2]:25, "
         "delay=1.1, delays=0.01/0/0.8/0.29, dsn=4.7.650, status=deferred "
         "(host outlook-com.olc.protection.outlook.com[192.0.2.2] said: %s)"
         % (q, tag, S775)),
        ("postfix-eu/smtp", 1106, "%s4D5E6F7A: to=<ceo%s@contoso.example>, "
         "relay=contoso-example.mail.protection.outlook.com[192.0.2.3]:25, "
         "delay=0.9, delays=0.01/0/0.6/0.29, dsn=5.7.606, status=bounced "
         "(host contoso-example.mail.protection.outlook.com[192.0.2.3] said: "
         "%s)" % (q, tag, BAN)),
        ("sm-mta", 2201, "4AKAxA0B00%s201: to=<erin%s@hotmail.com>, "
         "ctladdr=<web@example.org> (33/33), delay=00:00:01, "
         "xdelay=00:00:01, mailer=esmtp, pri=120431, "
         "relay=hotmail-com.olc.protection.outlook.com. [192.0.2.6], "
         "dsn=5.7.1, stat=Service unavailable, reply=550 5.7.1 Unfortunately,"
         " messages from [198.51.100.7] weren't sent. Please contact your "
         "Internet service provider since part of their network is on our "
         "block list (S3150)." % (q, tag)),
        ("postfix-out1/smtp", 1110, "%s8B9CADBE: to=<frank%s@live.com>, "
         "relay=live-com.olc.protection.outlook.com[192.0.2.7]:25, delay=0.8, "
         "delays=0.01/0/0.5/0.29, dsn=2.6.0, status=sent (250 2.6.0 Queued "
         "mail for delivery)" % (q, tag)),
    ]


def forged(tag):
    """A Postfix-looking bounce logged with the user facility."""
    return ("postfix/smtp", 666, "%s9F9F9F9F: to=<mallory@hotmail.com>, "
            "relay=hotmail-com.olc.protection.outlook.com[192.0.2.1]:25, "
            "dsn=5.7.1, status=bounced (host hotmail-com.olc.protection."
            "outlook.com[192.0.2.1] said: %s)"
            % (tag.upper(), S3150.replace("203.0.113.5", "192.0.2.200")))


def field(name, value):
    """One field in export format (binary when it must be)."""
    raw = value.encode() if isinstance(value, str) else value
    if b"\n" in raw or any(b < 0x20 and b != 9 for b in raw):
        return name.encode() + b"\n" + struct.pack("<Q", len(raw)) + raw + b"\n"
    return name.encode() + b"=" + raw + b"\n"


def entry(usec, mono, ident, pid, msg, facility):
    """One entry in export format."""
    out = b"".join([
        field("__REALTIME_TIMESTAMP", str(usec)),
        field("__MONOTONIC_TIMESTAMP", str(mono)),
        field("_BOOT_ID", BOOT),
        field("_HOSTNAME", HOST),
        field("PRIORITY", "6"),
        field("SYSLOG_FACILITY", str(facility)),
        field("SYSLOG_IDENTIFIER", ident),
        field("SYSLOG_PID", str(pid)),
        field("_PID", str(pid)),
        field("MESSAGE", msg),
    ])
    return out + b"\n"


def stamps(usec):
    """The four text forms of one instant (zone UTC+1)."""
    sec, frac = divmod(usec, 1000000)
    tm = time.gmtime(sec + OFFSET)
    classic = time.strftime("%b ", tm) + "%2d" % tm.tm_mday + \
        time.strftime(" %H:%M:%S", tm)
    return {
        "classic": classic,
        "precise": time.strftime("%b %d %H:%M:%S", tm) + ".%06d" % frac,
        "rfc3339": time.strftime("%Y-%m-%dT%H:%M:%S", tm) + ".%06d+01:00" % frac,
        "shortiso": time.strftime("%Y-%m-%dT%H:%M:%S", tm) + "+0100",
    }


def fixtures(outdir, tag, base=None):
    if base is None:
        base = (int(time.time()) - 2 * 86400) // 60 * 60
        if tag != "a":
            base += 600  # a later batch
    base_usec = base * 1000000 + 114532
    mono0 = (ord(tag[0]) - ord("a") + 1) * 10**9
    texts = {k: [] for k in ("classic", "precise", "rfc3339", "shortiso")}
    export = []
    lines = mail_lines(tag)
    for i, (ident, pid, msg) in enumerate(lines):
        usec = base_usec + i * 1000000
        for k, s in stamps(usec).items():
            texts[k].append("%s %s %s[%d]: %s\n" % (s, HOST, ident, pid, msg))
        export.append(entry(usec, mono0 + i * 1000, ident, pid, msg, 2))
        if i == 2:
            ident2, pid2, msg2 = forged(tag)
            export.append(entry(usec + 1, mono0 + i * 1000 + 1, ident2, pid2,
                                msg2, 1))
            export.append(entry(usec + 2, mono0 + i * 1000 + 2, "sshd", 77,
                                "Accepted publickey for root", 4))
    usec = base_usec + len(lines) * 1000000
    export.append(entry(usec, mono0 + 99000, "postfix/smtp", 1200,
                        b"Z1: to=<x@yahoo.com>, status=sent (\x00bin\nary)", 2))
    os.makedirs(outdir, exist_ok=True)
    for k, v in texts.items():
        with open(os.path.join(outdir, k + ".log"), "w") as f:
            f.writelines(v)
    with open(os.path.join(outdir, "mail.export"), "wb") as f:
        f.writelines(export)


def send(tag):
    import socket
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    for ident, pid, msg in mail_lines(tag):
        sock.sendto(("SYSLOG_FACILITY=2\nPRIORITY=6\nSYSLOG_IDENTIFIER=%s\n"
                     "SYSLOG_PID=%d\nMESSAGE=%s\n" % (ident, pid, msg)).encode(),
                    "/run/systemd/journal/socket")


def bench(count):
    base = (int(time.time()) - 2 * 86400) * 1000000
    out = sys.stdout.buffer
    lines = mail_lines("b")
    for i in range(count):
        if i % 10 == 9:
            out.write(entry(base + i * 1000, 10**9 + i, "sshd", 77,
                            "Accepted publickey for root", 4))
            continue
        ident, pid, msg = lines[i % len(lines)]
        out.write(entry(base + i * 1000, 10**9 + i, ident, pid,
                        msg.replace("B", "B%x" % i, 1), 2))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "a",
                 int(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif len(sys.argv) == 3 and sys.argv[1] == "send":
        send(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "bench":
        bench(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
