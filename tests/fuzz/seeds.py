#!/usr/bin/env python3
"""seeds.py - build the seed corpus of one fuzz target from the repo

usage: seeds.py TARGET OUTDIR [SRCDIR]

TARGET is dsn, maillog, scanlog, scanmsg, verdict, config, notice,
state, probe, addr, held or health.  OUTDIR is created
and filled with one file per seed (named by a hash of its content);
SRCDIR is the top of the source tree (default: two levels above this
script).  Seeds come from the fixtures (tests/fixtures), the tables of the
unit tests (every C string expression of 20 bytes or more, adjacent
literals and string macros joined), the shipped configuration, generated
inputs for the binary formats, and the regression inputs of
tests/fuzz/regress/fuzz-TARGET.  When $MILTER_DELIST_CORPUS names a
directory (the shared corpus), its bounces and log lines are added too.
Nothing is written outside OUTDIR.
"""
import glob
import hashlib
import os
import re
import struct
import sys

TARGETS = ("dsn", "maillog", "scanlog", "scanmsg", "verdict", "config",
           "notice", "state", "probe", "addr", "held", "health")


def c_strings(path, minlen=20):
    """Every string expression of a C file: adjacent literals and
    #define'd string macros joined, escapes decoded."""
    try:
        src = open(path, encoding="latin-1").read()
    except OSError:
        return []
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    src = re.sub(r"\\\n", " ", src)
    lit = r'"(?:[^"\\\n]|\\.)*"'
    macros = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+((?:%s[ \t]*)+)$"
                         % lit, src, flags=re.M):
        macros[m.group(1)] = "".join(
            unescape(s[1:-1]) for s in re.findall(lit, m.group(2)))
    tok = re.compile(r"(%s)|([A-Za-z_]\w*)|(\S)" % lit)
    out, cur, joined = [], [], False
    for m in tok.finditer(src):
        if m.group(1) is not None:
            cur.append(unescape(m.group(1)[1:-1]))
            joined = True
        elif m.group(2) is not None and m.group(2) in macros and joined:
            cur.append(macros[m.group(2)])
        elif m.group(2) is not None and m.group(2) in macros:
            cur, joined = [macros[m.group(2)]], True
        else:
            if cur:
                out.append("".join(cur))
            cur, joined = [], False
    if cur:
        out.append("".join(cur))
    return [s.encode("latin-1") for s in out if len(s) >= minlen]


def unescape(s):
    """C escapes of a string literal's body."""
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"',
              "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?"}
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x":
            m = re.match(r"[0-9A-Fa-f]+", s[i + 2:])
            out.append(chr(int(m.group(0), 16) & 0xFF) if m else "x")
            i += 2 + (len(m.group(0)) if m else 0)
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(chr(int(m.group(0), 8) & 0xFF))
            i += 1 + len(m.group(0))
        else:
            out.append(e)
            i += 2
    return "".join(out)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def corpus_dir():
    d = os.environ.get("MILTER_DELIST_CORPUS", "")
    return d if d and os.path.isdir(d) else None


def tsv_column(path, col):
    """One column of a TSV file with a header row."""
    try:
        rows = read(path).split(b"\n")[1:]
    except OSError:
        return []
    return [r.split(b"\t")[col] for r in rows if r.count(b"\t") > col]


def log_lines(top):
    out = []
    for p in sorted(glob.glob(os.path.join(top, "tests/fixtures/scan/*.log"))):
        out += [l for l in read(p).split(b"\n") if l]
    out += c_strings(os.path.join(top, "tests/t-maillog.c"))
    c = corpus_dir()
    if c:
        out += [l.replace(b"\\n", b"\n").replace(b"\\t", b"\t")
                for l in tsv_column(os.path.join(c, "maillog/real-lines.tsv"), 1)]
    return out


def log_files(top):
    """whole logs: the fixtures, and runs of their lines and the corpus's"""
    out = [read(p) for p in
           sorted(glob.glob(os.path.join(top, "tests/fixtures/scan/*.log")))]
    lines = log_lines(top)
    for i in range(0, len(lines), 16):
        out.append(b"\n".join(lines[i:i + 16]) + b"\n")
    return out


def bounces(top):
    out = [read(p) for p in
           sorted(glob.glob(os.path.join(top, "tests/fixtures/dsn/*.eml")))]
    c = corpus_dir()
    if c:
        out += [read(p) for p in
                sorted(glob.glob(os.path.join(c, "sisimai/*.eml")))]
    return out


def mailboxes(top):
    """Files of a maildir or an mbox: the bounces alone, mboxes of 1 to 6
    of them (a "From " line before each, a blank line between), with CRLF
    endings too, a journal file's first bytes and the logs."""
    msgs = bounces(top)
    out = list(msgs)
    for n in (1, 2, 3, 5, 6):
        for i in range(0, len(msgs), 7):
            part = msgs[i:i + n]
            mbox = b"".join(b"From MAILER-DAEMON Sun Dec  6 09:12:01 2026\n"
                            + m.rstrip(b"\n") + b"\n\n" for m in part)
            out.append(mbox)
            if n == 2:
                out.append(mbox.replace(b"\n", b"\r\n"))
    out.append(b"LPKSHHRH" + bytes(248))
    out += log_files(top)
    return out


def reply_texts(top):
    """Reply texts: the unit test tables, the said: parts of log lines,
    the Diagnostic-Code fields of the bounces."""
    out = c_strings(os.path.join(top, "tests/t-verdict.c"))
    for l in log_lines(top):
        i = l.find(b" said: ")
        if i >= 0:
            out.append(l[i + 7:])
    for b in bounces(top):
        for m in re.finditer(rb"(?im)^Diagnostic-Code:[^\n]*(?:\n[ \t][^\n]*)*",
                             b):
            out.append(m.group(0).split(b":", 1)[1].strip())
    c = corpus_dir()
    if c:
        out += [t.replace(b"\\n", b"\n").replace(b"\\t", b"\t")
                for t in tsv_column(os.path.join(c, "maillog/dsn-snippets.tsv"), 1)]
    hosts = [b"hotmail-com.olc.protection.outlook.com",
             b"example-org.mail.protection.outlook.com", b"mx.example.net"]
    domains = [b"hotmail.com", b"example.org", b"outlook.de"]
    # Some with a remote MTA and a recipient domain ("TEXT\0MTA\0DOMAIN").
    out += [t + b"\0" + hosts[i % 3] + b"\0" + domains[i % 3]
            for i, t in enumerate(out[:40])]
    return out


def configs(top):
    conf = read(os.path.join(top, "conf/milter-delist.conf"))
    # The shipped file with every option uncommented.
    live = re.sub(rb"(?m)^#(\s*(?:[a-z_]+\s*=|[a-z_]+\s*\{|\}))", rb"\1", conf)
    out = [conf, live]
    out += [s for s in c_strings(os.path.join(top, "tests/t-config.c"), 8)
            if b"=" in s or b"{" in s]
    out.append(live + b"\0socket=inet:8890@127.0.0.1\0user=\0alert|to=x@y.example")
    return out


def states(top):
    inc = (b"incident id=2 ip=203.0.113.5 provider=microsoft-consumer "
           b"kind=block remedy=sender-support-form state=alerted inferred=0 "
           b"sources=2 first=1700000000 last=1700000300 alerted=1700000060 "
           b"reminded=0 cleared=0 notified=0 sent-since=0 count=2 bounced=2 "
           b"deferred=0 attempts=0 next-attempt=0 code=S3150 "
           b"domain=hotmail.com qid=4Xyz1 "
           b"sample=S3150,550%205.7.1%20Unfortunately%2C%20messages\n")
    inc2 = (b"incident id=7 ip=2001:db8::5 provider=microsoft-365 kind=ban "
            b"remedy=delist-portal state=cleared inferred=1 sources=1 "
            b"first=1700000000 last=1700000300 alerted=1700000060 "
            b"reminded=1700086460 cleared=1700090000 notified=0 "
            b"sent-since=1700089000 count=9 bounced=9 deferred=0 attempts=3 "
            b"next-attempt=1700091000 sending=1700090001 sending-due=3 "
            b"code=5.7.606 domain=example.org sample=5.7.606,banned\n")
    head = b"milter-delist-state 1\nstore next-id=8\n"
    cur = b"cursor dev=2049 ino=131 offset=80211\n"
    cur2 = (b"cursor dev=2049 ino=131 offset=80211 src=9113827351186 "
            b"sum=18446744073709551615\n")
    out = [head + cur + inc + b"end 1\n",
           head + cur2 + inc + b"end 1\n",
           head + inc + inc2 + b"end 2\n",
           head + inc2 + inc.replace(b"id=2 ", b"id=9 ") + b"end 2\n",
           head + b"end 0\n"]
    out += [s for s in c_strings(os.path.join(top, "tests/t-incident.c"))
            if s.startswith(b"milter-delist-state")]
    out.append(b"milter-delist-state 2\nstore next-id=8\n" + inc + b"end 1\n")

    # journals (fuzz-state replays an input that starts with their header)
    def rec(body):
        h = 0x811c9dc5
        for c in body:
            h = ((h ^ c) * 0x01000193) & 0xffffffff
        return body + b" check=%08x\n" % h
    jh = b"milter-delist-journal 2\n"
    r1, r2 = rec(inc[:-1]), rec(inc2[:-1])
    out += [jh + r1 + r2 + rec(b"gone id=2") + rec(b"store next-id=12") +
            rec(b"cursor dev=2049 ino=131 offset=80211"),
            jh + r1 + rec(inc[:-1].replace(b"state=alerted", b"state=cleared")),
            jh + r2 + r1[:-20],
            jh + r1.replace(b"S3150", b"S3151") + r2,
            jh + rec(b"later-version x=1") + r1,
            jh[:10]]
    return out


def healths(top):
    """Health files as the daemon writes them (milter/actions/health.h)."""
    base = (b"milter-delist-health 1\npid=1\nversion=0.1.0\n"
            b"config=/etc/milter-delist.conf\n"
            b"state_file=/var/lib/milter-delist/state\n"
            b"started=1700000000\nupdated=1700000300\ninterval=60\n"
            b"state_saved=1700000290\nstate_save_failures=0\n"
            b"state_error=\nalert_error=\n")
    return [base,
            base + b"source=0 0 /var/log/mail.log\nsource=10 3 journal\n",
            base + b"source=- 42 journal:/var/log/journal/remote\n"
            b"source=-\nsource=-5 3 x\n",
            base.replace(b"state_error=", b"state_error=write: No space")
            + b"source=18446744073709551615 -1 a b c\n",
            base.replace(b"pid=1", b"pid=-5").replace(b"interval=60",
                                                       b"interval=1"),
            b"milter-delist-health 1\n", b"milter-delist-health 2\n", b""]


def alerts(top):
    """Inputs in the field order of fuzz-notice.c's alert_build()."""
    texts = [t for t in reply_texts(top) if b"\0" not in t][:12] or [b"550"]

    def s(v):
        return bytes([min(len(v), 0xFE)]) + v[:0xFE]

    def u(v, n):
        return struct.pack("<Q", v)[:n]

    out = []
    evil = [b"\r\nBcc: x@evil", b"\nX-Injected: 1",
            b"--=_milter-delist_0123456789ABCDEF01234567",
            b"\xff\xfe\xc3 invalid \xed\xa0\x80", b"$(touch /tmp/p) `id` ; |",
            b"Subject: x\r\n\r\n.\r\n"]
    for i in range(8):
        flags = (i * 37) & 0xFF | 2  # a fixed "now"
        e = evil[i % len(evil)]
        b = bytes([flags])
        b += u(7 + i, 8) + s(b"203.0.113.5" if i % 2 else b"2001:db8::" + e)
        b += bytes([1 + i % 2, 1 + i % 3, 1 + i % 6, i % 4, 2])
        for t in range(7):
            b += u(1714737000 - 600 * t, 5)
        b += u(14, 8) + u(12, 8) + u(2, 8)
        b += bytes([2]) + s(b"S3150") + s(b"5.7.1" + e)
        b += bytes([2]) + s(b"hotmail.com") + s(e)
        b += bytes([1]) + s(b"4Xyz1")
        b += bytes([2]) + s(texts[i % len(texts)]) + s(b"S3150")
        b += s(e + texts[(i + 1) % len(texts)]) + s(b"5.7.606")
        b += s(b"/etc/milter-delist.conf")
        b += bytes([2]) + s(b"203.0.113.5") + s(b"203.0.113.6")
        b += s(b"postmaster@example.org" + (e if i % 3 == 0 else b"")) \
            if flags >> 3 & 1 else bytes([i])
        b += s(b"milter-delist@example.org") if flags >> 4 & 1 else bytes([i])
        b += u(86400, 3) + u(3600, 3)
        for v in (b"Jane Admin", b"postmaster@example.org", e,
                  b"(UTC+01:00) Berlin", b"https://www.example.org/",
                  b"dedicated", b"example.org"):
            b += s(v)
        b += u(86400, 3) + u(870, 8) + u(842, 8) + u(14, 4) + u(3, 4)
        b += bytes([2]) + s(b"newsletter@example.org") + u(812, 8)
        b += s(e) + u(34, 8)
        b += bytes([1]) + s(b"newsletter") + u(812, 8)
        if flags >> 5 & 1:
            b += s(b"mx.example.org" + e)
        b += s(b"[milter-delist] 203.0.113.5 blocked " + e)
        b += s(b"delist-request-203.0.113.5.txt")
        b += u(1714737000, 5) + s(texts[i % len(texts)] + e)
        b += s(b"a request\r\nline two\n" + e)
        out.append(b)
    # A huge repeated sample (0xFE: repeat).
    out.append(out[0][:60] + b"\x03\xfe\x04x")
    return out


def probe_replies(top):
    """SMTP server streams: the parser's unit-test rows, a whole session,
    and the reply texts (as 550 replies, one line and folded)."""
    out = c_strings(os.path.join(top, "tests/t-probe.c"))
    out.append(b"220 mx ready\r\n250-mx Hello\r\n250-PIPELINING\r\n"
               b"250 8BITMIME\r\n250 2.1.0 Sender OK\r\n"
               b"250 2.1.5 Recipient OK\r\n250 2.0.0 Resetting\r\n"
               b"221 2.0.0 Bye\r\n")
    for t in reply_texts(top)[:200]:
        t = t.replace(b"\r", b" ").replace(b"\n", b" ")
        out.append(b"550 " + t + b"\r\n")
        out.append(b"550-" + t[:40] + b"\r\n550 " + t[40:] + b"\n")
    return out


def addresses(top):
    """Address lines: the strings of the unit test of addr.h, one per
    seed, and runs of them joined by newlines (collapse input)."""
    strs = [x for x in c_strings(os.path.join(top, "tests/t-addr.c"), 1)
            if len(x) < 64 and (b"." in x or b":" in x)]
    out = list(strs)
    out.append(b"\n".join(strs))
    out.append(b"\n".join(b"192.0.2.%d" % i for i in range(40)))
    out.append(b"\n".join(b"2001:db8::%x" % i for i in range(1, 20)))
    return out


def queue_listings(top):
    """postqueue -j output: the unit test's rows (tests/t-held.c), and a
    listing of every queue with escapes."""
    out = c_strings(os.path.join(top, "tests/t-held.c"))
    line = (b'{"queue_name": "%s", "queue_id": "4XyZ1", "sender": '
            b'"a\\"b@example.org", "recipients": [{"address": "%s", '
            b'"delay_reason": "550 5.7.1 (S3150)"}]}\n')
    out.append(b"".join(line % (q, a) for q in (b"deferred", b"active",
                                                b"incoming", b"hold")
                        for a in (b"bob@hotmail.com", b"x@Outlook.COM.",
                                  b"b\\u00e9@live.fr")))
    return out


def regressions(top, target):
    return [read(p) for p in sorted(glob.glob(
        os.path.join(top, "tests/fuzz/regress/fuzz-%s/*" % target)))]


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in TARGETS:
        sys.exit("usage: seeds.py %s OUTDIR [SRCDIR]" % "|".join(TARGETS))
    target, outdir = sys.argv[1], sys.argv[2]
    top = sys.argv[3] if len(sys.argv) == 4 else \
        os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
    seeds = {
        "dsn": bounces,
        "maillog": log_lines,
        "scanlog": log_files,
        "scanmsg": mailboxes,
        "verdict": reply_texts,
        "config": configs,
        "notice": alerts,
        "state": states,
        "probe": probe_replies,
        "addr": addresses,
        "held": queue_listings,
        "health": healths,
    }[target](top) + regressions(top, target)
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(outdir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            n += 1
    print("seeds.py: %s: %d seeds in %s" % (target, n, outdir))


if __name__ == "__main__":
    main()
