#!/usr/bin/env python3
"""genlog.py - write a synthetic Postfix mail log for the log-scanning bench

    genlog.py [--lines N] [--seed S] [--dense] OUT

Writes at least N lines (default 2,000,000; whole messages, so a few more)
to OUT and prints one line of counts on stdout:

    lines=2000007 bytes=... status=... sent=... deferred=... bounced=...
    findings=1234 block=... ratelimit=... ban=...

findings is the reference: the number of lines in which Microsoft says our
IP is blocked, rate limited or banned.  `milter-delist --scan` must report
exactly that many "Microsoft finding(s)" and "block(s)" (every one of them
alerts); nothing else in the log may count.

The mix is a small business mail server's day: mail submitted by SASL
users and relayed out (a quarter of it to Microsoft: Outlook.com and
Microsoft 365 tenants), mail received from the Internet and delivered to
local mailboxes, postscreen, TLS and anvil chatter, rejected spam.  Of the
status= lines about 95% are sent, 4% deferred and 1% bounced; among the
deferred and bounced ones to Microsoft are blocks (S3150, S3140),
rate limits (4.7.650, 4.7.651), bans (5.7.606), and refusals that are not
about our IP (unknown recipients, 5.4.1).  Per-attempt "host X said:" lines
(no status=) appear where Postfix writes them: before it tries the next MX.
--dense writes a log of delivery records only (every line "status=", 1% of
them Microsoft refusals: blocks, rate limits, bans, unknown recipients),
the worst case for the parser.  Lines follow Postfix 3.x's wording, like tests/fixtures/scan/mail.log and
tests/t-maillog.c.

Deterministic: the same seed gives the same file, byte for byte, with any
Python 3 (a private xorshift generator, no `random`).
"""

import argparse
import sys

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
HOST = "mx1"
MYDOMAIN = "example.org"
# Our outbound IPs (documentation addresses), the ones Microsoft names.
OUR_IPS = ["203.0.113.5", "203.0.113.6", "198.51.100.7"]

CONSUMER = [("hotmail.com", "hotmail-com.olc.protection.outlook.com"),
            ("outlook.com", "outlook-com.olc.protection.outlook.com"),
            ("live.com", "live-com.olc.protection.outlook.com"),
            ("msn.com", "msn-com.olc.protection.outlook.com"),
            ("hotmail.co.uk", "hotmail-co-uk.olc.protection.outlook.com"),
            ("outlook.de", "outlook-de.olc.protection.outlook.com")]
M365 = [("contoso.example", "contoso-example.mail.protection.outlook.com"),
        ("fabrikam.example", "fabrikam-example.mail.protection.outlook.com"),
        ("tailspin.example", "tailspin-example.mail.protection.outlook.com")]
OTHER = [("gmail.com", "gmail-smtp-in.l.google.com"),
         ("yahoo.com", "mta5.am0.yahoodns.net"),
         ("gmx.de", "mx00.emig.gmx.net"),
         ("web.de", "mx-ha02.web.de"),
         ("orange.fr", "smtp-in.orange.fr"),
         ("example.net", "mail.example.net"),
         ("example.com", "mx.example.com"),
         ("partner.example", "smtp.partner.example")]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
         "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent",
         "victor", "walter", "info", "sales", "support", "billing"]
CLIENTS = [("unknown", "198.51.100.%d"), ("mail-%d.example.net", "192.0.2.%d"),
           ("smtp.example.com", "192.0.2.%d"),
           ("out.relay%d.example", "198.51.100.%d")]


class Rng:
    """xorshift64*: small, fast enough, identical everywhere"""

    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF or 1

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 27
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return (self.next() >> 11) % n

    def chance(self, p):
        return (self.next() >> 11) < p * (1 << 53)

    def pick(self, seq):
        return seq[self.below(len(seq))]


def mx_ip(r):
    return "192.0.2.%d" % (1 + r.below(250))


def ms_trailer(r, stamp):
    """Microsoft's "[Name=...][MxId=...] [SERVER date id]" trailer"""
    server = "%s%d%sEPF%010X.%s.prod.outlook.com" % (
        r.pick(["AM", "DB", "VI", "HE"]), r.below(9), r.pick(["", "P"]),
        r.below(1 << 32), r.pick(["eurprd05", "eurprd02", "namprd04"]))
    return ("[Name=Protocol Filter Agent][AGT=PFA][MxId=11BC%012X] "
            "[%s %s 08DE%012X]" % (r.below(1 << 48), server, stamp,
                                   r.below(1 << 48)))


# Microsoft replies.  kind: the finding it is (None: not about our IP).
def ms_block(r, ip, stamp):
    code = r.pick(["S3150", "S3150", "S3140"])
    return ("550 5.7.1 Unfortunately, messages from [%s] weren't sent. "
            "Please contact your Internet service provider since part of "
            "their network is on our block list (%s). You can also refer "
            "your provider to http://mail.live.com/mail/troubleshooting.aspx"
            "#errors. %s" % (ip, code, ms_trailer(r, stamp)), "5.7.1",
            "block", "MAIL FROM")


def ms_ratelimit(r, ip, stamp):
    if r.chance(0.7):
        return ("451 4.7.650 The mail server [%s] has been temporarily rate "
                "limited due to IP reputation. For e-mail delivery "
                "information, see https://aka.ms/postmaster (S775) %s"
                % (ip, ms_trailer(r, stamp)), "4.7.650", "ratelimit",
                "MAIL FROM")
    return ("451 4.7.651 The mail server [%s] has been temporarily rate "
            "limited due to IP reputation. For e-mail delivery information, "
            "see https://postmaster.live.com (S844) [DM6NAM11FT%03d.eop-"
            "nam11.prod.protection.outlook.com %s 08DB%012X]"
            % (ip, r.below(1000), stamp, r.below(1 << 48)), "4.7.651",
            "ratelimit", "RCPT TO")


def ms_ban(r, ip, stamp):
    return ("550 5.7.606 Access denied, banned sending IP [%s]. To request "
            "removal from this list please visit https://sender.office.com/ "
            "and follow the directions. For more information please go to  "
            "http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)"
            % ip, "5.7.606", "ban", "RCPT TO")


def ms_unknown_rcpt(r, rcpt, stamp):
    return ("550 5.4.1 Recipient address rejected: Access denied. "
            "AS(201806281) [DB5EUR01FT%03d.eop-EUR01.prod.protection.outlook"
            ".com %s 08DB%012X]" % (r.below(1000), stamp, r.below(1 << 48)),
            "5.4.1", None, "RCPT TO")


def ms_mailbox_unavailable(r, rcpt, stamp):
    return ("550 5.5.0 Requested action not taken: mailbox unavailable "
            "(S2017062302). [AM0EUR02FT%03d.eop-EUR02.prod.protection.outlook"
            ".com %s 08DC%012X]" % (r.below(1000), stamp, r.below(1 << 48)),
            "5.5.0", None, "RCPT TO")


def ms_sent(r, qid, stamp):
    return ("250 2.6.0 <%s.%s@%s> [InternalId=%d, Hostname=%s%dPR%02dMB%04d."
            "eurprd%02d.prod.outlook.com] %d bytes in %d.%03d, %d.%03d KB/sec "
            "Queued mail for delivery -> 250 2.1.5"
            % (stamp.replace("-", "").replace(":", "")[:14], qid,
               "mail." + MYDOMAIN, r.below(1 << 47), r.pick(["AM", "DB", "VI"]),
               r.below(9), r.below(100), r.below(10000), r.below(20),
               2000 + r.below(60000), r.below(2), r.below(1000),
               r.below(100), r.below(1000)), "2.6.0")


def other_sent(r, domain, qid):
    if domain == "gmail.com":
        return ("250 2.0.0 OK  %d x%dsi%d%s.%d - gsmtp"
                % (1700000000 + r.below(10 ** 8), r.below(100),
                   r.below(10 ** 7), r.pick(["qkb", "ejc", "wrb"]),
                   r.below(1000)))
    if domain == "yahoo.com":
        return "250 ok dirdel"
    return ("250 2.0.0 Ok: queued as %s" % qid_str(r.next()))


def other_deferred(r, domain, rcpt, ip):
    c = r.below(4)
    if c == 0 and domain == "yahoo.com":
        return ("421 4.7.0 [TSS04] Messages from %s temporarily deferred due "
                "to unexpected volume or user complaints - 4.16.55.1; see "
                "https://postmaster.yahooinc.com/error-codes" % ip, "4.7.0",
                "MAIL FROM")
    if c <= 1:
        return ("450 4.2.0 <%s>: Recipient address rejected: Greylisted, see "
                "http://postgrey.schweikert.ch/help/%s.html" % (rcpt, domain),
                "4.2.0", "RCPT TO")
    if c == 2:
        return ("452 4.2.2 The email account that you tried to reach is over "
                "quota. Please direct the recipient to https://support.google"
                ".com/mail/?p=OverQuotaTemp %s - gsmtp" % qid_str(r.next()),
                "4.2.2", "RCPT TO")
    return ("421 4.3.0 Temporary System Problem.  Try again later (10). "
            "x%dsi%d" % (r.below(100), r.below(10 ** 7)), "4.3.0",
            "end of DATA")


def other_bounced(r, rcpt):
    if r.chance(0.5):
        return ("550 5.1.1 <%s>: Recipient address rejected: User unknown in "
                "virtual mailbox table" % rcpt, "5.1.1", "RCPT TO")
    return ("550-5.1.1 The email account that you tried to reach does not "
            "exist. Please try double-checking the recipient's email address "
            "for typos or unnecessary spaces. https://support.google.com/mail/"
            "?p=NoSuchUser x%dsi%d - gsmtp" % (r.below(100), r.below(10 ** 7)),
            "5.1.1", "RCPT TO")


def qid_str(n):
    return "%010X" % (n & 0xFFFFFFFFFF)


class Gen:
    def __init__(self, seed, out):
        self.r = Rng(seed)
        self.out = out
        self.t = 0.0  # seconds since Nov 20 00:00:00
        self.lines = 0
        self.bytes = 0
        self.counts = {"sent": 0, "deferred": 0, "bounced": 0,
                       "block": 0, "ratelimit": 0, "ban": 0, "findings": 0}
        self.qmgr_pid = 1200 + self.r.below(800)
        self.buf = []

    def stamp(self):
        t = int(self.t)
        day = 20 + t // 86400
        return "Nov %2d %02d:%02d:%02d" % (day, t // 3600 % 24, t // 60 % 60,
                                          t % 60)

    def iso(self):
        t = int(self.t)
        return "2026-11-%02dT%02d:%02d:%02d.%03dZ" % (
            20 + t // 86400, t // 3600 % 24, t // 60 % 60, t % 60,
            self.r.below(1000))

    def emit(self, prog, pid, msg):
        line = "%s %s postfix/%s[%d]: %s\n" % (self.stamp(), HOST, prog, pid,
                                               msg)
        self.buf.append(line)
        self.lines += 1
        self.bytes += len(line)
        if len(self.buf) >= 4096:
            self.flush()

    def flush(self):
        self.out.write("".join(self.buf))
        self.buf = []

    def tick(self):
        self.t += 0.05 + self.r.below(300) / 1000.0

    def pid(self):
        return 2000 + self.r.below(60000)

    def status(self):
        """95% sent, 4% deferred, 1% bounced"""
        x = self.r.below(1000)
        return "sent" if x < 950 else "deferred" if x < 990 else "bounced"

    def count(self, status, kind):
        self.counts[status] += 1
        if kind:
            self.counts[kind] += 1
            self.counts["findings"] += 1

    # --- a message submitted by one of our users, relayed out
    def outbound(self):
        r = self.r
        user = r.pick(USERS)
        sender = "%s@%s" % (user, MYDOMAIN)
        cname, cip = r.pick(CLIENTS)
        cip = cip % (1 + r.below(250))
        if "%d" in cname:
            cname = cname % r.below(100)
        spid = self.pid()
        qid = qid_str(r.next())
        self.emit("submission/smtpd", spid, "connect from %s[%s]" % (cname, cip))
        self.emit("submission/smtpd", spid,
                  "Anonymous TLS connection established from %s[%s]: TLSv1.3 "
                  "with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
                  % (cname, cip))
        self.emit("submission/smtpd", spid,
                  "%s: client=%s[%s], sasl_method=PLAIN, sasl_username=%s"
                  % (qid, cname, cip, sender))
        self.emit("cleanup", self.pid(), "%s: message-id=<%d.%s@%s>"
                  % (qid, r.below(10 ** 9), qid.lower(), MYDOMAIN))
        nrcpt = 1 + (r.below(10) == 0) * r.below(4)
        self.emit("qmgr", self.qmgr_pid, "%s: from=<%s>, size=%d, nrcpt=%d "
                  "(queue active)" % (qid, sender, 800 + r.below(60000), nrcpt))
        self.tick()
        ip = r.pick(OUR_IPS)
        for _ in range(nrcpt):
            self.delivery(qid, ip)
        self.emit("submission/smtpd", spid,
                  "disconnect from %s[%s] ehlo=1 starttls=1 auth=1 mail=1 "
                  "rcpt=%d data=1 quit=1 commands=%d"
                  % (cname, cip, nrcpt, 6 + nrcpt))
        self.emit("qmgr", self.qmgr_pid, "%s: removed" % qid)

    def delivery(self, qid, ip):
        r = self.r
        x = r.below(100)
        if x < 18:
            domain, mx = r.pick(CONSUMER)
            ms = True
        elif x < 25:
            domain, mx = r.pick(M365)
            ms = True
        else:
            domain, mx = r.pick(OTHER)
            ms = False
        rcpt = "%s%d@%s" % (r.pick(USERS), r.below(1000), domain)
        status = self.status()
        mip = mx_ip(r)
        pid = self.pid()
        d1 = r.below(3000) / 1000.0
        delays = "%.2f/%.2f/%.2f/%.2f" % (r.below(100) / 1000.0,
                                          r.below(20) / 1000.0,
                                          r.below(900) / 1000.0,
                                          r.below(500) / 1000.0)
        kind = None
        if status == "sent":
            if ms:
                text, dsn = ms_sent(r, qid, self.iso())
            else:
                text, dsn = other_sent(r, domain, qid), "2.0.0"
            self.emit("smtp", pid, "%s: to=<%s>, relay=%s[%s]:25, delay=%.1f, "
                      "delays=%s, dsn=%s, status=sent (%s)"
                      % (qid, rcpt, mx, mip, d1, delays, dsn, text))
            self.count(status, None)
            return
        if not ms:
            if status == "deferred":
                if r.chance(0.3):
                    self.emit("smtp", pid, "connect to %s[%s]:25: Connection "
                              "timed out" % (mx, mip))
                    self.emit("smtp", pid, "%s: to=<%s>, relay=none, delay=%d,"
                              " delays=%s, dsn=4.4.1, status=deferred (connect"
                              " to %s[%s]:25: Connection timed out)"
                              % (qid, rcpt, 30 + r.below(9000), delays, mx,
                                 mip))
                    self.count(status, None)
                    return
                text, dsn, cmd = other_deferred(r, domain, rcpt, ip)
            else:
                text, dsn, cmd = other_bounced(r, rcpt)
        else:
            stamp = self.iso()
            if status == "deferred":
                if r.below(10) < 7:
                    text, dsn, kind, cmd = ms_ratelimit(r, ip, stamp)
                else:
                    self.emit("smtp", pid, "%s: to=<%s>, relay=%s[%s]:25, "
                              "delay=%d, delays=%s, dsn=4.4.2, status=deferred"
                              " (conversation with %s[%s] timed out while "
                              "receiving the initial server greeting)"
                              % (qid, rcpt, mx, mip, 300 + r.below(9000),
                                 delays, mx, mip))
                    self.count(status, None)
                    return
            else:
                c = r.below(10)
                if domain in dict(M365):
                    if c < 5:
                        text, dsn, kind, cmd = ms_ban(r, ip, stamp)
                    else:
                        text, dsn, kind, cmd = ms_unknown_rcpt(r, rcpt, stamp)
                elif c < 7:
                    text, dsn, kind, cmd = ms_block(r, ip, stamp)
                else:
                    text, dsn, kind, cmd = ms_mailbox_unavailable(r, rcpt,
                                                                  stamp)
            if kind == "ratelimit" and r.chance(0.3):
                # the first MX deferred too: Postfix logs the attempt,
                # then tries the next one
                mip2 = mx_ip(r)
                self.emit("smtp", pid, "%s: host %s[%s] said: %s (in reply "
                          "to %s command)" % (qid, mx, mip2, text, cmd))
                self.counts["ratelimit"] += 1
                self.counts["findings"] += 1
        self.emit("smtp", pid, "%s: to=<%s>, relay=%s[%s]:25, delay=%.1f, "
                  "delays=%s, dsn=%s, status=%s (host %s[%s] said: %s (in "
                  "reply to %s command))" % (qid, rcpt, mx, mip, d1, delays,
                                              dsn, status, mx, mip, text, cmd))
        self.count(status, kind)
        if status == "bounced":
            self.emit("bounce", self.pid(), "%s: sender non-delivery "
                      "notification: %s" % (qid, qid_str(r.next())))

    # --- a message from the Internet to a local mailbox
    def inbound(self):
        r = self.r
        cname, cip = r.pick(CLIENTS)
        cip = cip % (1 + r.below(250))
        if "%d" in cname:
            cname = cname % r.below(100)
        ppid = self.pid()
        self.emit("postscreen", ppid, "CONNECT from [%s]:%d to [203.0.113.5]:25"
                  % (cip, 1024 + r.below(60000)))
        if r.chance(0.15):
            self.emit("postscreen", ppid, "PREGREET 11 after 0.%02d from [%s]:"
                      "%d: EHLO User\\r\\n" % (r.below(100), cip,
                                                1024 + r.below(60000)))
            self.emit("postscreen", ppid, "DISCONNECT [%s]:%d"
                      % (cip, 1024 + r.below(60000)))
            return
        self.emit("postscreen", ppid, "PASS OLD [%s]:%d"
                  % (cip, 1024 + r.below(60000)))
        spid = self.pid()
        self.emit("smtpd", spid, "connect from %s[%s]" % (cname, cip))
        if r.chance(0.1):
            self.emit("smtpd", spid, "NOQUEUE: reject: RCPT from %s[%s]: 554 "
                      "5.7.1 Service unavailable; Client host [%s] blocked "
                      "using zen.spamhaus.org; https://www.spamhaus.org/query/"
                      "ip/%s; from=<x%d@spam.example> to=<%s@%s> proto=ESMTP "
                      "helo=<%s>" % (cname, cip, cip, cip, r.below(10 ** 6),
                                     r.pick(USERS), MYDOMAIN, cname))
            self.emit("smtpd", spid, "disconnect from %s[%s] ehlo=1 mail=1 "
                      "rcpt=0/1 quit=1 commands=3/4" % (cname, cip))
            return
        qid = qid_str(r.next())
        self.emit("smtpd", spid, "%s: client=%s[%s]" % (qid, cname, cip))
        self.emit("cleanup", self.pid(), "%s: message-id=<%s@%s>"
                  % (qid, qid_str(r.next()).lower(), cname))
        self.emit("qmgr", self.qmgr_pid, "%s: from=<%s@%s>, size=%d, nrcpt=1 "
                  "(queue active)" % (qid, r.pick(USERS), r.pick(OTHER)[0],
                                      1500 + r.below(90000)))
        self.emit("smtpd", spid, "disconnect from %s[%s] ehlo=1 mail=1 rcpt=1 "
                  "data=1 quit=1 commands=5" % (cname, cip))
        self.tick()
        user = r.pick(USERS)
        status = self.status()
        if status == "sent":
            text = "delivered to maildir"
        elif status == "deferred":
            text = ("temporary failure. Command output: /usr/lib/dovecot/"
                    "deliver: Error: Quota exceeded (mailbox for user is full)")
        else:
            text = "unknown user: \"%s%d\"" % (user, r.below(100))
        self.emit("local", self.pid(), "%s: to=<%s@%s>, relay=local, "
                  "delay=%.2f, delays=0.1/0/0/0.01, dsn=%s, status=%s (%s)"
                  % (qid, user, MYDOMAIN, r.below(2000) / 1000.0,
                     "2.0.0" if status == "sent" else
                     "4.3.0" if status == "deferred" else "5.1.1",
                     status, text))
        self.count(status, None)
        if status != "deferred":
            self.emit("qmgr", self.qmgr_pid, "%s: removed" % qid)

    def noise(self):
        r = self.r
        c = r.below(4)
        if c == 0:
            self.emit("anvil", 900, "statistics: max connection rate %d/60s "
                      "for (smtp:%s) at %s" % (1 + r.below(9),
                                               "192.0.2.%d" % r.below(250),
                                               self.stamp()))
        elif c == 1:
            self.emit("smtp", self.pid(), "Trusted TLS connection established "
                      "to %s[%s]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
                      " (256/256 bits)" % (r.pick(OTHER)[1], mx_ip(r)))
        elif c == 2:
            self.emit("smtpd", self.pid(), "warning: hostname %s does not "
                      "resolve to address 198.51.100.%d: Name or service not "
                      "known" % (r.pick(["bad.example", "x.invalid"]),
                                 r.below(250)))
        else:
            self.emit("scache", 901, "statistics: start interval %s"
                      % self.stamp())

    # --- dense: every line a delivery record, ~1% Microsoft refusals
    def dense(self):
        r = self.r
        qid = qid_str(r.next())
        ip = r.pick(OUR_IPS)
        rcpt_user = "%s%d" % (r.pick(USERS), r.below(1000))
        mip = mx_ip(r)
        pid = self.pid()
        delays = "%.2f/%.2f/%.2f/%.2f" % (r.below(100) / 1000.0,
                                          r.below(20) / 1000.0,
                                          r.below(900) / 1000.0,
                                          r.below(500) / 1000.0)
        d1 = r.below(3000) / 1000.0
        if r.below(100) == 0:
            stamp = self.iso()
            c = r.below(10)
            if c < 3:
                domain, mx = r.pick(CONSUMER)
                text, dsn, kind, cmd = ms_block(r, ip, stamp)
                status = "bounced"
            elif c < 6:
                domain, mx = r.pick(CONSUMER + M365)
                text, dsn, kind, cmd = ms_ratelimit(r, ip, stamp)
                status = "deferred"
            elif c < 7:
                domain, mx = r.pick(M365)
                text, dsn, kind, cmd = ms_ban(r, ip, stamp)
                status = "bounced"
            else:
                domain, mx = r.pick(M365)
                text, dsn, kind, cmd = ms_unknown_rcpt(
                    r, rcpt_user + "@" + domain, stamp)
                status = "bounced"
            self.emit("smtp", pid, "%s: to=<%s@%s>, relay=%s[%s]:25, "
                      "delay=%.1f, delays=%s, dsn=%s, status=%s (host %s[%s] "
                      "said: %s (in reply to %s command))"
                      % (qid, rcpt_user, domain, mx, mip, d1, delays, dsn,
                         status, mx, mip, text, cmd))
            self.count(status, kind)
        else:
            x = r.below(100)
            if x < 25:
                domain, mx = r.pick(CONSUMER + M365)
                text, dsn = ms_sent(r, qid, self.iso())
            else:
                domain, mx = r.pick(OTHER)
                text, dsn = other_sent(r, domain, qid), "2.0.0"
            self.emit("smtp", pid, "%s: to=<%s@%s>, relay=%s[%s]:25, "
                      "delay=%.1f, delays=%s, dsn=%s, status=sent (%s)"
                      % (qid, rcpt_user, domain, mx, mip, d1, delays, dsn,
                         text))
            self.count("sent", None)
        self.tick()

    def run(self, nlines, dense=False):
        r = self.r
        while dense and self.lines < nlines:
            self.dense()
        while self.lines < nlines:
            x = r.below(100)
            if x < 55:
                self.outbound()
            elif x < 93:
                self.inbound()
            else:
                self.noise()
            self.tick()
        self.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=2000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dense", action="store_true",
                    help="every line a delivery record, ~1%% of them "
                    "Microsoft refusals")
    ap.add_argument("out")
    a = ap.parse_args()
    with open(a.out, "w", encoding="ascii", newline="\n") as f:
        g = Gen(a.seed, f)
        g.run(a.lines, a.dense)
    c = g.counts
    print("lines=%d bytes=%d status=%d sent=%d deferred=%d bounced=%d "
          "findings=%d block=%d ratelimit=%d ban=%d"
          % (g.lines, g.bytes, c["sent"] + c["deferred"] + c["bounced"],
             c["sent"], c["deferred"], c["bounced"], c["findings"],
             c["block"], c["ratelimit"], c["ban"]))


if __name__ == "__main__":
    sys.exit(main())
