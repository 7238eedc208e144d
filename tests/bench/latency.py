#!/usr/bin/env python3
"""latency.py - detection latency of milter-delist under load (make bench)

    latency.py --port N --maillog FILE --events FILE [--rate R]
               [--seconds S] [--probes P] [--probe-domain D] [--sender A]

While a load of R messages/s (bounded: R*S messages, S seconds plus a grace
of 10 s) flows into Postfix on 127.0.0.1:N over 8 persistent SMTP sessions
(to user@example.net: routed to smtp-sink by the caller), P probes are
sent, evenly spread: probe k goes to probe<k>@D, which the caller routes
through its own transport (its own source address) to the fake Microsoft
MX, which refuses it with S3150 naming that address.  Postfix logs the
refusal (status=bounced) and returns a bounce to the sender through
non_smtpd_milters.  Two tailers poll the maillog and the daemon's stderr
(FILE --events) every millisecond and stamp each new line; per probe:

  log latency:    the event line with source=postfix-log and the probe's
                  queue id  -  the maillog line with its status=bounced
  bounce latency: the event line with source=dsn and the probe's queue id
                  -  the same maillog line (the bounce is made after it)

Prints one line: load_sent= load_rate= load_errors= probes= log_n=
log_p50_ms= log_p99_ms= log_max_ms= dsn_n= dsn_p50_ms= dsn_p99_ms=
dsn_max_ms= (percentiles by nearest rank).  Exit 1 when a probe got no
event of either kind, or the load could not be sent.
"""

import argparse
import math
import re
import smtplib
import sys
import threading
import time

SESSIONS = 8


class Tail(threading.Thread):
    """Stamp each new complete line of a growing file."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.lines = []  # (stamp, text)
        self.lock = threading.Lock()
        self.stop = False

    def run(self):
        with open(self.path, "rb") as f:
            f.seek(0, 2)
            part = b""
            while not self.stop:
                data = f.read()
                if not data:
                    time.sleep(0.001)
                    continue
                now = time.time()
                part += data
                *done, part = part.split(b"\n")
                with self.lock:
                    for line in done:
                        self.lines.append((now, line.decode("latin-1")))

    def snapshot(self):
        with self.lock:
            return list(self.lines)


def message(sender, rcpt, n):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: load %d\r\n"
            "Message-ID: <load.%d@bench.example>\r\n\r\n"
            "A small message of the latency bench, number %d.\r\n"
            % (sender, rcpt, n, n, n))


class Load:
    """R messages/s over SESSIONS persistent sessions, paced globally."""

    def __init__(self, port, rate, count, deadline, sender):
        self.port, self.rate, self.count = port, rate, count
        self.deadline, self.sender = deadline, sender
        self.next = 0
        self.sent = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.t0 = time.time() + 0.5
        self.t1 = self.t0

    def take(self):
        with self.lock:
            if self.next >= self.count:
                return None
            i = self.next
            self.next += 1
            return i

    def session(self):
        s = None
        while True:
            i = self.take()
            if i is None or time.time() > self.deadline:
                break
            due = self.t0 + i / self.rate
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            try:
                if s is None:
                    s = smtplib.SMTP("127.0.0.1", self.port, timeout=30)
                s.sendmail(self.sender, ["user%d@example.net" % (i % 50)],
                           message(self.sender, "user@example.net", i))
                with self.lock:
                    self.sent += 1
                    self.t1 = time.time()
            except (smtplib.SMTPException, OSError):
                with self.lock:
                    self.errors += 1
                try:
                    if s is not None:
                        s.close()
                except OSError:
                    pass
                s = None
        if s is not None:
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass

    def run(self):
        threads = [threading.Thread(target=self.session, daemon=True)
                   for _ in range(SESSIONS)]
        for t in threads:
            t.start()
        return threads


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[max(0, math.ceil(p / 100.0 * len(v)) - 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--maillog", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--rate", type=float, default=300.0)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--probes", type=int, default=100)
    ap.add_argument("--probe-domain", default="hotmail.com")
    ap.add_argument("--sender", required=True)
    a = ap.parse_args()

    mlog, ev = Tail(a.maillog), Tail(a.events)
    mlog.start()
    ev.start()
    time.sleep(0.2)
    count = int(a.rate * a.seconds)
    load = Load(a.port, a.rate, count, time.time() + a.seconds + 10,
                a.sender)
    threads = load.run()
    # The probes, evenly spread over the load, the first after a second.
    step = (a.seconds - 2.0) / max(1, a.probes)
    probe_errors = 0
    s = None
    for k in range(1, a.probes + 1):
        due = load.t0 + 1.0 + (k - 1) * step
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        rcpt = "probe%d@%s" % (k, a.probe_domain)
        try:
            if s is None:
                s = smtplib.SMTP("127.0.0.1", a.port, timeout=30)
            s.sendmail(a.sender, [rcpt], message(a.sender, rcpt, -k))
        except (smtplib.SMTPException, OSError):
            probe_errors += 1
            s = None
    if s is not None:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            pass
    for t in threads:
        t.join()
    load_rate = load.sent / max(1e-9, load.t1 - load.t0)

    # Wait for the events of every probe (at most 20 s more).
    want = a.probes - probe_errors
    to_re = re.compile(r" ([0-9A-F]{6,}): to=<probe(\d+)@[^>]*>.*"
                       r"status=bounced")
    end = time.time() + 20
    while True:
        ml = mlog.snapshot()
        el = ev.snapshot()
        qids = {}
        for stamp, line in ml:
            m = to_re.search(line)
            if m:
                qids[m.group(1)] = stamp
        got_log, got_dsn = {}, {}
        for stamp, line in el:
            if "event=" not in line:
                continue
            m = re.search(r" queue_id=([0-9A-F]+)", line)
            if not m or m.group(1) not in qids:
                continue
            q = m.group(1)
            if "source=postfix-log" in line:
                got_log.setdefault(q, stamp - qids[q])
            elif "source=dsn" in line:
                got_dsn.setdefault(q, stamp - qids[q])
        if (len(got_log) >= want and len(got_dsn) >= want) or \
                time.time() > end:
            break
        time.sleep(0.2)
    mlog.stop = ev.stop = True

    lat_log = [x * 1000 for x in got_log.values()]
    lat_dsn = [x * 1000 for x in got_dsn.values()]
    print("load_sent=%d load_rate=%.1f load_errors=%d probes=%d "
          "probe_errors=%d refusals=%d log_n=%d log_p50_ms=%.1f "
          "log_p99_ms=%.1f log_max_ms=%.1f dsn_n=%d dsn_p50_ms=%.1f "
          "dsn_p99_ms=%.1f dsn_max_ms=%.1f"
          % (load.sent, load_rate, load.errors, a.probes, probe_errors,
             len(qids), len(lat_log), pct(lat_log, 50), pct(lat_log, 99),
             max(lat_log or [float("nan")]), len(lat_dsn),
             pct(lat_dsn, 50), pct(lat_dsn, 99),
             max(lat_dsn or [float("nan")])))
    ok = (load.sent == count and len(lat_log) == a.probes and
          len(lat_dsn) == a.probes)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
