#!/usr/bin/env python3
"""hostile.py - bounces and mail log lines written by an attacker, for
tests/t-injection.sh.

    hostile.py bounces DIR TAG     write DIR/bounce.0 ... (bodies for
                                   miltertest's mt.bodyfile, boundary "b1")
                                   and print how many
    hostile.py loglines TAG        print the log lines (bytes) to stdout

Every case is a real Microsoft S3150 refusal naming its own IP (bounce i:
10.66.0.i, log line i: 10.67.0.i) so that each raises one incident and one
alert mail, with hostile bytes around and inside the reply, the recipient,
the host names and the queue id: CR, LF, CR LF followed by "Bcc:" and
other header names, the alert's own MIME boundary prefix, NULs, 1 MB lines,
invalid UTF-8, terminal escapes, and shell syntax ($(...), backticks, ;,
|, a leading -) that would create /tmp/pwned-TAG-* if any shell ran it.
"""

import os
import sys

MB = 1 << 20


def evil(tag):
    """shell syntax that creates /tmp/pwned-TAG-* when a shell runs it"""
    p = "/tmp/pwned-%s" % tag
    return ("$(touch %s-a) `touch %s-b` ; touch %s-c | touch %s-d "
            "&& touch %s-e" % (p, p, p, p, p)).encode()


def reply(ip, before=b"", inside=b"", after=b""):
    return (before + b"550 5.7.1 Unfortunately, messages from [" +
            ip.encode() + b"] weren't sent." + inside +
            b" Please contact your Internet service provider since part of"
            b" their network is on our block list (S3150)." + after)


HEADERS = (b"\r\nBcc: x@evil.example\r\nTo: victim@evil.example\r\n"
           b"Subject: pwned\r\nX-Injected: 1\r\nContent-Type: text/html\r\n")
BOUNDARY = (b"\r\n--=_milter-delist_00112233445566778899AABB\r\n"
            b"Content-Type: text/html\r\n\r\n<b>x</b>\r\n"
            b"--=_milter-delist_00112233445566778899AABB--\r\n=_milter-delist_")
BAD_UTF8 = b"\xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 \x80"
# C1 controls and the Unicode line and paragraph separators, in UTF-8: line
# breaks to some readers
BREAKS = b"a\xc2\x85b\xc2\x9bc\xe2\x80\xa8d\xe2\x80\xa9e"
ESCAPES = b"\x1b[31m\x1b]0;title\x07\x08\x7f\x0b\x0c"


def bounce(ip, tag, rcpt=b"user@hotmail.com", text_extra=b"",
           diag_before=b"", diag_inside=b"", diag_after=b"",
           remote=b"hotmail-com.olc.protection.outlook.com",
           reporting=b"mail.example.org", qid=None):
    # (each case its own queue id: (queue id, recipient) pairs seen twice
    # count once, as the postmaster copy of a bounce repeats it)
    if qid is None:
        qid = b"4XHOSTILE" + ip.encode().replace(b".", b"")
    r = reply(ip, diag_before, diag_inside, diag_after)
    return (b"--b1\r\nContent-Type: text/plain\r\n\r\n" + text_extra +
            b"\r\n<" + rcpt + b">: host " + remote + b"[104.47.1.1] said:\r\n"
            b"    " + r + b" (in reply to MAIL FROM command)\r\n\r\n"
            b"--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
            b"Reporting-MTA: dns; " + reporting + b"\r\n"
            b"X-Postfix-Queue-ID: " + qid + b"\r\n\r\n"
            b"Final-Recipient: rfc822; " + rcpt + b"\r\n"
            b"Action: failed\r\nStatus: 5.7.1\r\n"
            b"Remote-MTA: dns; " + remote + b"\r\n"
            b"Diagnostic-Code: smtp; " + r + b"\r\n\r\n--b1--\r\n")


def bounces(tag):
    e = evil(tag)
    ip = lambda i: "10.66.0.%d" % i
    return [
        # 0: CR LF and header names inside the reply and the text part
        bounce(ip(0), tag, text_extra=HEADERS, diag_inside=HEADERS.replace(
            b"\r\n", b"\r\n ")),
        # 1: bare LF and bare CR (after the reply: a bare LF ends the
        # Diagnostic-Code field, the rest would not be S3150 any more)
        bounce(ip(1), tag, diag_after=b"\nX-Injected: 1\rBcc: x@evil.example\n",
               text_extra=b"a\rBcc: x@evil.example\nX-Injected: 1\r"),
        # 2: the alert's MIME boundary prefix
        bounce(ip(2), tag, text_extra=BOUNDARY,
               diag_inside=b" =_milter-delist_ --=_milter-delist_00 ",
               diag_after=BOUNDARY.replace(b"\r\n", b"\r\n ")),
        # 3: NULs
        bounce(ip(3), tag, diag_inside=b" a\x00b \x00\r\n Bcc:\x00 x@evil.example",
               text_extra=b"\x00\x00Bcc: x@evil.example\x00\r\n"),
        # 4: 1 MB lines, in the text part and after the reply
        bounce(ip(4), tag, text_extra=b"A" * MB + b"\r\n",
               diag_after=b" " + b"B" * MB),
        # 5: invalid UTF-8, terminal escapes, C1 controls, U+2028
        bounce(ip(5), tag, diag_inside=b" " + BAD_UTF8 + ESCAPES + BREAKS,
               text_extra=BAD_UTF8 + ESCAPES + BREAKS + b"\r\n",
               rcpt=b"u\xc2\x85" + BAD_UTF8[:2] + b"@hotmail.com",
               qid=b"4X\xff\xfe\x1b[31m"),
        # 6: shell syntax everywhere, leading dashes
        bounce(ip(6), tag, rcpt=b"-oQ/tmp/pwned-" + tag.encode() +
               b"-f@hotmail.com", diag_inside=b" " + e,
               text_extra=e + b"\r\n", reporting=b"-X/tmp/pwned-" +
               tag.encode() + b"-g", qid=b"$(touch/tmp/pwned-" +
               tag.encode() + b"-h)"),
        # 7: everything at once in the recipient and host names
        bounce(ip(7), tag,
               rcpt=b"x\r\nBcc: y@evil.example\r\n@hotmail.com",
               remote=b"`touch /tmp/pwned-" + tag.encode() + b"-i`",
               diag_before=b"| touch /tmp/pwned-" + tag.encode() + b"-j ; "),
    ]


def logline(ip, tag, to=b"u@hotmail.com", inside=b"", after=b"",
            relay=b"hotmail-com.olc.protection.outlook.com", qid=b"4A1B2C3D"):
    return (b"Nov 27 10:00:00 mx postfix/smtp[4242]: " + qid + b": to=<" +
            to + b">, relay=" + relay + b"[104.47.1.1]:25, delay=0.7, "
            b"delays=0.01/0/0.4/0.29, dsn=5.7.1, status=bounced (host " +
            relay + b"[104.47.1.1] said: " + reply(ip, inside=inside) +
            b" (in reply to MAIL FROM command))" + after + b"\n")


def loglines(tag):
    e = evil(tag)
    t = tag.encode()
    ip = lambda i: "10.67.0.%d" % i
    return [
        # 0: CR and header names (LF ends the line)
        logline(ip(0), tag, inside=b"\rBcc: x@evil.example\r\rX-Injected: 1\r"),
        # 1: NULs
        logline(ip(1), tag, inside=b" \x00Bcc: x@evil.example\x00 ",
                to=b"u\x00@hotmail.com"),
        # 2: a 1 MB line (cut by the follower: the classification must
        # still find the reply in its first 64 KiB)
        logline(ip(2), tag, after=b" " + b"C" * MB),
        # 3: invalid UTF-8, escapes, C1 controls, U+2028
        logline(ip(3), tag, inside=b" " + BAD_UTF8 + ESCAPES + BREAKS,
                to=b"u\xff@hotmail.com"),
        # 4: shell syntax, a leading dash
        logline(ip(4), tag, inside=b" " + e, to=b"-oQ/tmp/pwned-" + t +
                b"-k@hotmail.com"),
        # 5: the MIME boundary prefix
        logline(ip(5), tag, inside=b" --=_milter-delist_00112233445566778899AABB--"
                b" =_milter-delist_"),
        # 6: host names carrying syntax
        logline(ip(6), tag, relay=b"$(touch/tmp/pwned-" + t + b"-l)"),
    ]


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "bounces":
        d, tag = sys.argv[2], sys.argv[3]
        bs = bounces(tag)
        for i, b in enumerate(bs):
            with open(os.path.join(d, "bounce.%d" % i), "wb") as f:
                f.write(b)
        print(len(bs))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "loglines":
        sys.stdout.buffer.write(b"".join(loglines(sys.argv[2])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
