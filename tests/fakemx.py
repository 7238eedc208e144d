#!/usr/bin/env python3
"""fakemx - a fake Microsoft MX for milter-delist's end-to-end tests.

An SMTP server (Python 3 standard library only) that answers the way the MX
hosts of Outlook.com/Hotmail and Microsoft 365 do, including their block,
rate-limit and ban replies, so that a real Postfix can be made to bounce and
defer mail exactly as it does when Microsoft blocks the server's IP.

Usage:
    fakemx.py --rules FILE [--listen ADDR] [--port N] [--port-file FILE]
              [--pid-file FILE] [--spool DIR] [--log FILE] [--hostname NAME]
              [--timeout SECONDS] [--lookahead SECONDS]
              [--blocked-clients FILE]
    fakemx.py --list-presets

--port 0 (the default) binds a free port; the port is printed on the ready
line "fakemx: ready addr=127.0.0.1 port=N pid=P" on stdout and written to
--port-file (atomically) once the socket listens.

Rules file (re-read for every connection and every MAIL FROM, so a test can
switch a domain from "blocked" to "accepting" while the server runs):

    # DOMAIN  STAGE     REPLY
    hotmail.com  mail   S3150
    outlook.com  mail   4.7.650
    contoso.com  rcpt   5.7.606
    *            accept

DOMAIN is a recipient domain (case-insensitive, exact) or "*". The rules of a
domain are the lines that name it; a domain that no line names uses the "*"
lines; without any rule a message is accepted. STAGE is one of
    greeting  the 220 banner is replaced by REPLY (per connection: only the
              "*" line counts, the domain is not known yet)
    mail      reply to MAIL FROM
    rcpt      reply to RCPT TO (per recipient)
    data      reply after the message content (end of DATA)
    accept    the message is accepted; REPLY (optional) is the final reply
REPLY is a preset name (see --list-presets) or a literal reply line starting
with a three-digit code. Placeholders: {ip} the client's IP (Microsoft names
the connecting IP this way), {host} our MX host name, {domain} the recipient
domain, {server} a Microsoft-like internal server name, {time} an ISO 8601
UTC time, {id} and {mxid} random hex ids, {msgid} the message's Message-ID,
{internalid} a random number, {size} the message size, {date} an RFC 5322
date. Unknown placeholders are left as they are.

The domain for a "mail" rule is the domain of the first RCPT TO that the
client pipelined after MAIL FROM (Postfix sends MAIL, RCPT and DATA in one
write when PIPELINING is offered). If the client does not pipeline, the
server waits --lookahead seconds for it and otherwise uses the "*" lines.

--blocked-clients FILE: the rules apply only to clients whose IP is listed
in FILE (one address per line, "#" comments; re-read like the rules); any
other client is accepted. Emptying FILE (or removing an IP from it) makes
the server accept that client again while it runs: "the MX accepts again".
A missing FILE lists nobody. The S3150 preset names the client's IP.

Accepted messages are saved one file each into --spool (written to a
temporary name, then renamed, so a counted file is always complete), with
X-FakeMX-Mail-From and X-FakeMX-Rcpt-To headers prepended. Every connection
and transaction is logged as one JSON object per line into --log.
"""

import argparse
import datetime
import json
import os
import random
import re
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback

# ---------------------------------------------------------------------------
# Real replies. Wording copied from observed Microsoft replies (see the corpus
# in shared/corpus/maillog); only the IP and the trailer ids are filled in.

PFA = "[Name=Protocol Filter Agent][AGT=PFA][MxId={mxid}] [{server} {time} {id}]"

PRESETS = {
    # Outlook.com consumer block list, refused at MAIL FROM.
    "S3150": "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. "
             "Please contact your Internet service provider since part of "
             "their network is on our block list (S3150). You can also refer "
             "your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
             + PFA,
    # The older variant of the same block, with the older trailer.
    "S3140": "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. "
             "Please contact your Internet service provider since part of "
             "their network is on our block list (S3140). You can also refer "
             "your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
             "[{server} {time} {id}]",
    # Outlook.com temporary rate limit due to IP reputation: a deferral.
    "4.7.650": "451 4.7.650 The mail server [{ip}] has been temporarily rate "
               "limited due to IP reputation. For e-mail delivery information, "
               "see https://aka.ms/postmaster (S775) " + PFA,
    "4.7.651": "451 4.7.651 The mail server [{ip}] has been temporarily rate "
               "limited due to IP reputation. For e-mail delivery information, "
               "see https://postmaster.live.com (S844) [{server} {time} {id}]",
    # Microsoft 365 (Exchange Online Protection) banned sending IP, at RCPT TO.
    # The double space before the URL is Microsoft's.
    "5.7.606": "550 5.7.606 Access denied, banned sending IP [{ip}]. To request "
               "removal from this list please visit https://sender.office.com/ "
               "and follow the directions. For more information please go to  "
               "http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)",
    # Microsoft 365 banned sender; delisting by mail, not by the portal.
    "5.7.511": "550 5.7.511 Access denied, banned sender[{ip}]. To request "
               "removal from this list please forward this message to "
               "delist@messaging.microsoft.com. For more information please go "
               "to  http://go.microsoft.com/fwlink/?LinkId=526653. AS(1410) "
               "[{server}]",
    # Outlook.com enforcing Spamhaus: a block, but not Microsoft's own list.
    "AS3130": "550 5.7.1 Service unavailable, Client host [{ip}] blocked using "
              "Spamhaus. To request removal from this list see "
              "https://www.spamhaus.org/query/ip/{ip} (AS3130). " + PFA,
    # Not a block: unknown recipient (a negative control).
    "5.1.10": "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found "
              "by SMTP address lookup",
    # Acceptance at end of DATA.
    "accept": "250 2.6.0 <{msgid}> [InternalId={internalid}, Hostname={server}] "
              "{size} bytes in 0.270, 36.199 KB/sec Queued mail for delivery",
}
ALIASES = {"650": "4.7.650", "S775": "4.7.650", "651": "4.7.651",
           "S844": "4.7.651", "606": "5.7.606", "AS16012609": "5.7.606",
           "511": "5.7.511", "spamhaus": "AS3130", "5.1.10": "5.1.10",
           "unknown-user": "5.1.10", "ok": "accept"}

STAGES = ("greeting", "mail", "rcpt", "data", "accept")
MAX_LINE = 4096             # RFC 5321 says 512 for commands; be generous
MAX_DATA_LINE = 1 << 20
MAX_MESSAGE = 64 << 20      # beyond this, the message is refused (552)
MAX_ERRORS = 50             # then the connection is closed


def preset(name):
    """Return the reply text for a preset name, or None."""
    name = ALIASES.get(name, name)
    return PRESETS.get(name)


def resolve_reply(text):
    """A REPLY field: a preset name or a literal reply."""
    if re.match(r"^[2-5][0-9][0-9]([ -]|$)", text):
        return text
    p = preset(text)
    if p is None:
        raise ValueError("unknown preset %r" % text)
    return p


def load_rules(path):
    """Parse the rules file into {domain: {stage: reply}}; errors -> stderr."""
    rules = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        if path:
            sys.stderr.write("fakemx: %s: %s\n" % (path, e.strerror))
        return rules
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 2 or parts[1].lower() not in STAGES:
            sys.stderr.write("fakemx: %s:%d: expected DOMAIN STAGE [REPLY]\n"
                             % (path, n))
            continue
        domain, stage = parts[0].lower(), parts[1].lower()
        reply = parts[2] if len(parts) > 2 else None
        try:
            if reply is None:
                if stage != "accept":
                    raise ValueError("stage %s needs a REPLY" % stage)
                reply = PRESETS["accept"]
            else:
                reply = resolve_reply(reply)
        except ValueError as e:
            sys.stderr.write("fakemx: %s:%d: %s\n" % (path, n, e))
            continue
        rules.setdefault(domain, {})[stage] = reply
    return rules


def rule_for(rules, domain, stage):
    """The reply configured for (domain, stage), or None."""
    table = rules.get((domain or "").lower())
    if table is None:
        table = rules.get("*", {})
    return table.get(stage)


def domain_of(addr):
    return addr.rpartition("@")[2].lower() if "@" in addr else ""


def hexid(n=16):
    return "".join(random.choice("0123456789ABCDEF") for _ in range(n))


def server_name():
    """A Microsoft-like internal host name, e.g. AMS0EPF0000019C.eurprd05..."""
    return "%s%s.%s.prod.outlook.com" % (
        random.choice(["AMS0EPF", "BN3PEPF", "DB3PEPF", "CH1PEPF", "SJ5PEPF"]),
        hexid(9), random.choice(["eurprd05", "namprd04", "eurprd02"]))


def fill(template, **values):
    """Replace {name} placeholders with values; leave unknown ones alone."""
    now = datetime.datetime.now(datetime.timezone.utc)
    base = {
        "server": server_name(),
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000),
        "id": hexid(16),
        "mxid": hexid(16),
        "internalid": str(random.randrange(10**13, 10**15)),
        "date": now.strftime("%a, %d %b %Y %H:%M:%S +0000"),
    }
    base.update({k: str(v) for k, v in values.items() if v is not None})
    out = template
    for key, val in base.items():
        out = out.replace("{" + key + "}", val)
    # A reply must stay one line, whatever the template or the values held.
    return re.sub(r"[\r\n\0]+", " ", out)


def parse_path(arg, keyword):
    """'FROM:<a@b> SIZE=1' -> ('a@b', True); malformed -> (None, False)."""
    m = re.match(r"^%s:\s*(<[^>]*>|[^\s<>]*)(\s.*)?$" % keyword, arg, re.I)
    if not m:
        return None, False
    addr = m.group(1)
    if addr.startswith("<"):
        addr = addr[1:-1]
    # Strip an RFC 5321 source route, "<@a,@b:user@c>".
    if addr.startswith("@") and ":" in addr:
        addr = addr.split(":", 1)[1]
    return addr, True


class Logger:
    """One JSON object per line, appended under a lock."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a", encoding="utf-8") if path else None

    def log(self, **rec):
        if not self.f:
            return
        rec = dict(time=time.time(), **rec)
        with self.lock:
            self.f.write(json.dumps(rec, sort_keys=True) + "\n")
            self.f.flush()


class Eof(Exception):
    pass


class Timeout(Exception):
    pass


class Conn:
    """Line reader over a socket with look-ahead for pipelined commands."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.timeout = timeout
        self.buf = bytearray()

    def _recv(self, timeout):
        if timeout <= 0:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                return False
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            raise Eof()
        self.buf += data
        return True

    def readline(self, limit):
        """Return one line without CRLF/LF; None if it was longer than limit."""
        deadline = time.monotonic() + self.timeout
        too_long = False
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 1]
                if line.endswith(b"\r"):
                    line = line[:-1]
                return None if too_long or len(line) > limit else line
            if len(self.buf) > limit:
                too_long = True      # keep reading up to the line's end
                del self.buf[:]
            left = deadline - time.monotonic()
            if left <= 0 or not self._recv(left):
                raise Timeout()

    def peek_rcpt_domain(self, wait):
        """Domain of the first pipelined RCPT TO after the current command."""
        deadline = time.monotonic() + wait
        while True:
            for raw in bytes(self.buf).split(b"\n")[:-1]:
                line = raw.rstrip(b"\r").decode("latin-1")
                verb = line[:4].upper()
                if verb == "RCPT":
                    addr, ok = parse_path(line[5:].strip(), "TO")
                    return domain_of(addr) if ok else None
                if verb in ("DATA", "QUIT", "RSET", "MAIL", "EHLO", "HELO"):
                    return None
            left = deadline - time.monotonic()
            try:
                if left <= 0 or not self._recv(left):
                    return None
            except (Eof, OSError):
                return None

    def send(self, text):
        self.sock.sendall(text.encode("utf-8", "replace") + b"\r\n")


class Handler(socketserver.BaseRequestHandler):
    """One SMTP session."""

    def setup(self):
        self.srv = self.server
        self.ip = self.client_address[0]
        self.conn = Conn(self.request, self.srv.opts.timeout)
        self.helo = None
        self.reset()

    def reset(self):
        self.mail_from = None
        self.mail_reply = None
        self.rcpts = []          # [{"to", "reply"}]
        self.domain = None

    def reply(self, text):
        self.conn.send(text)
        return text

    def rules(self):
        if self.srv.opts.blocked_clients and \
                self.ip not in self.srv.blocked_clients():
            return {}
        return self.srv.rules()

    def fill(self, template, **kw):
        return fill(template, ip=self.ip, host=self.srv.opts.hostname, **kw)

    def log_transaction(self, result, **extra):
        if self.mail_from is None:
            return
        self.srv.logger.log(event="transaction", peer=self.ip, helo=self.helo,
                            mail_from=self.mail_from, mail_reply=self.mail_reply,
                            rcpts=self.rcpts, result=result, **extra)
        self.reset()

    def handle(self):
        log = self.srv.logger
        rules = self.rules()
        greeting = rule_for(rules, "*", "greeting")
        if greeting:
            banner = self.fill(greeting, domain="")
        else:
            banner = self.fill("220 {host} Microsoft ESMTP MAIL Service ready at {date}")
        log.log(event="connect", peer=self.ip, greeting=banner)
        self.reply(banner)
        refused = not banner.startswith("2")
        errors = 0
        try:
            while errors < MAX_ERRORS:
                raw = self.conn.readline(MAX_LINE)
                if raw is None:
                    self.reply("500 5.5.6 Line too long")
                    errors += 1
                    continue
                line = raw.decode("utf-8", "replace")
                verb, _, arg = line.strip().partition(" ")
                verb = verb.upper()
                arg = arg.strip()
                if verb == "QUIT":
                    self.reply("221 2.0.0 Service closing transmission channel")
                    break
                if refused:
                    self.reply("503 5.5.1 Bad sequence of commands")
                    errors += 1
                    continue
                ok = self.command(verb, arg)
                if not ok:
                    errors += 1
            else:
                self.reply("421 4.7.0 Too many errors on this connection, closing transmission channel")
        except Timeout:
            try:
                self.reply("421 4.4.2 {} Connection timed out".format(self.srv.opts.hostname))
            except OSError:
                pass
            log.log(event="timeout", peer=self.ip)
        except (Eof, OSError):
            pass
        finally:
            self.log_transaction("aborted")
            log.log(event="disconnect", peer=self.ip)

    def command(self, verb, arg):
        """Run one command; return False when it counts as an error."""
        host = self.srv.opts.hostname
        if verb == "EHLO" or verb == "HELO":
            if not arg:
                self.reply("501 5.5.4 Invalid domain name")
                return False
            self.helo = arg
            self.reset()
            if verb == "HELO":
                self.reply("250 %s Hello [%s]" % (host, self.ip))
            else:
                for ext in ("%s Hello [%s]" % (host, self.ip), "SIZE 157286400",
                            "PIPELINING", "ENHANCEDSTATUSCODES"):
                    self.conn.send("250-" + ext)
                self.reply("250 8BITMIME")
            return True
        if verb == "NOOP":
            self.reply("250 2.0.0 OK")
            return True
        if verb == "RSET":
            self.log_transaction("reset")
            self.reply("250 2.0.0 Resetting")
            return True
        if verb == "MAIL":
            return self.cmd_mail(arg)
        if verb == "RCPT":
            return self.cmd_rcpt(arg)
        if verb == "DATA":
            return self.cmd_data(arg)
        if verb == "VRFY":
            self.reply("252 2.1.5 Cannot VRFY user, but will accept message for delivery")
            return True
        self.reply("500 5.3.3 Unrecognized command")
        return False

    def cmd_mail(self, arg):
        if self.helo is None:
            self.reply("503 5.5.1 Send hello first")
            return False
        if self.mail_from is not None:
            self.reply("503 5.5.2 Sender already specified")
            return False
        addr, ok = parse_path(arg, "FROM")
        if not ok:
            self.reply("501 5.5.4 Invalid arguments")
            return False
        rules = self.rules()
        has_mail_rules = any("mail" in t for t in rules.values())
        domain = None
        if has_mail_rules:
            domain = self.conn.peek_rcpt_domain(self.srv.opts.lookahead)
        self.domain = domain
        text = rule_for(rules, domain, "mail")
        self.mail_from = addr
        if text and not text.startswith("2"):
            self.mail_reply = self.reply(self.fill(text, domain=domain or ""))
            self.log_transaction("rejected-mail", domain=domain)
            return True
        self.mail_reply = self.reply(
            self.fill(text) if text else "250 2.1.0 Sender OK")
        return True

    def cmd_rcpt(self, arg):
        if self.mail_from is None:
            self.reply("503 5.5.2 Need mail command")
            return False
        addr, ok = parse_path(arg, "TO")
        if not ok or not addr:
            self.reply("501 5.5.4 Invalid arguments")
            return False
        if len(self.rcpts) >= 500:
            self.reply("452 4.5.3 Too many recipients")
            return True
        domain = domain_of(addr)
        text = rule_for(self.rules(), domain, "rcpt")
        if text:
            r = self.reply(self.fill(text, domain=domain))
        else:
            r = self.reply("250 2.1.5 Recipient OK")
        self.rcpts.append({"to": addr, "reply": r})
        return True

    def cmd_data(self, arg):
        if self.mail_from is None:
            self.reply("503 5.5.1 Bad sequence of commands")
            return False
        good = [r["to"] for r in self.rcpts if r["reply"].startswith("2")]
        if not good:
            self.reply("554 5.5.1 Error: no valid recipients")
            self.log_transaction("rejected-rcpt")
            return True
        self.reply("354 Start mail input; end with <CRLF>.<CRLF>")
        spool = self.srv.opts.spool
        tmp = None
        f = None
        if spool:
            tmp = os.path.join(spool, "tmp.%d.%d" % (os.getpid(), threading.get_ident()))
            f = open(tmp, "wb")
            f.write(b"X-FakeMX-Mail-From: <%s>\r\n" % self.mail_from.encode("utf-8", "replace"))
            f.write(b"X-FakeMX-Rcpt-To: %s\r\n" % ", ".join(
                "<%s>" % a for a in good).encode("utf-8", "replace"))
        size = 0
        msgid = None
        in_headers = True
        try:
            while True:
                line = self.conn.readline(MAX_DATA_LINE)
                if line is None:
                    line = b""          # overlong line: dropped, size capped below
                    size = MAX_MESSAGE + 1
                if line == b".":
                    break
                if line.startswith(b"."):
                    line = line[1:]
                size += len(line) + 2
                if in_headers:
                    if line == b"":
                        in_headers = False
                    elif msgid is None and line[:11].lower() == b"message-id:":
                        m = re.search(rb"<([^<>\s]+)>", line)
                        if m:
                            msgid = m.group(1).decode("latin-1")
                if f and size <= MAX_MESSAGE:
                    f.write(line + b"\r\n")
        except BaseException:
            if f:
                f.close()
                os.unlink(tmp)
            raise
        domain = domain_of(good[0])
        rules = self.rules()
        if size > MAX_MESSAGE:
            text = "552 5.3.4 Message size exceeds fixed maximum message size"
        else:
            text = rule_for(rules, domain, "data") or rule_for(rules, domain, "accept") \
                or PRESETS["accept"]
        if not msgid:
            msgid = "%s@%s" % (hexid(12).lower(), self.srv.opts.hostname)
        r = self.fill(text, domain=domain, msgid=msgid, size=size)
        saved = None
        if f:
            f.close()
            if r.startswith("2"):
                saved = os.path.join(spool, "%d.%06d.eml" % (time.time_ns(), self.srv.next_seq()))
                os.rename(tmp, saved)
            else:
                os.unlink(tmp)
        self.reply(r)
        self.log_transaction("accepted" if r.startswith("2") else "rejected-data",
                             data_reply=r, size=size, message_id=msgid, file=saved)
        return True


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, opts):
        self.opts = opts
        self.logger = Logger(opts.log)
        self.seq = 0
        self.seq_lock = threading.Lock()
        self.rules_lock = threading.Lock()
        self.rules_key = ()
        self.rules_cache = {}
        super().__init__((opts.listen, opts.port), Handler)

    def rules(self):
        """The rules, parsed again whenever the file was replaced or changed."""
        path = self.opts.rules
        try:
            st = os.stat(path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        with self.rules_lock:
            if key != self.rules_key or key is None:
                self.rules_cache = load_rules(path) if key else {}
                self.rules_key = key
            return self.rules_cache

    def blocked_clients(self):
        """The client IPs the rules apply to (--blocked-clients)."""
        try:
            with open(self.opts.blocked_clients, encoding="utf-8",
                      errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return set()
        return {l.split("#", 1)[0].strip() for l in lines} - {""}

    def next_seq(self):
        with self.seq_lock:
            self.seq += 1
            return self.seq

    def handle_error(self, request, client_address):
        # Never die on one bad session; say what happened on stderr.
        sys.stderr.write("fakemx: error in session from %s:\n" % (client_address,))
        traceback.print_exc(file=sys.stderr)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="A fake Microsoft MX for tests.")
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--pid-file")
    ap.add_argument("--rules", default="")
    ap.add_argument("--spool", help="directory for accepted messages")
    ap.add_argument("--log", help="JSON Lines transaction log")
    ap.add_argument("--hostname", default="hotmail-com.olc.protection.outlook.com")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--lookahead", type=float, default=0.5)
    ap.add_argument("--blocked-clients",
                    help="apply the rules only to the client IPs in this file")
    ap.add_argument("--list-presets", action="store_true")
    ap.add_argument("--check-rules", action="store_true",
                    help="parse --rules, print them and exit (1 on errors)")
    opts = ap.parse_args()

    if opts.list_presets:
        for name, text in PRESETS.items():
            print("%-8s %s" % (name, text))
        return 0
    if opts.check_rules:
        rules = load_rules(opts.rules)
        print(json.dumps(rules, indent=1, sort_keys=True))
        return 0
    if opts.spool:
        os.makedirs(opts.spool, exist_ok=True)

    srv = Server(opts)
    port = srv.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)

    if opts.pid_file:
        write_atomic(opts.pid_file, "%d\n" % os.getpid())
    if opts.port_file:
        write_atomic(opts.port_file, "%d\n" % port)
    print("fakemx: ready addr=%s port=%d pid=%d" % (opts.listen, port, os.getpid()),
          flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
