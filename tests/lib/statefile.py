#!/usr/bin/env python3
"""statefile.py - read milter-delist's state file as strictly as the daemon.

    statefile.py FILE                 print one line per incident
    statefile.py --watch STOP FILE    poll FILE until the file STOP exists
    statefile.py --cursor SOURCE FILE the saved cursor of log source SOURCE

FILE is the state file; its journals FILE.log and FILE.log.new (when
there) are replayed over it, as the daemon does at start (load()).

The format (milter/core/incident.h): "milter-delist-state 2" (or 1), a "store
next-id=N count=N" line, a "cursor source=S at=A" line per log source
(an older file: one "cursor dev= ino= offset=" line), one "incident
key=value ..." line per incident (values percent-encoded, ids unique and
rising), and "end N" with N the number of incidents.  Anything else, a
missing end line (a cut file) or a missing final newline is corrupt.

Without --watch, prints for each incident

    id ip provider kind state last-seen count

and exits 0; corrupt: prints "corrupt: why" and exits 1.

With --watch, reads FILE every 10 ms until STOP exists (a missing FILE is
skipped: not written yet), then prints "reads N max M" (M the most
incidents seen in one read) and exits 1 when any read was corrupt.
"""

import os
import sys
import time
import urllib.parse

REQUIRED = ("id", "ip", "provider", "state")


class Corrupt(Exception):
    pass


def parse(data):
    """the incidents of a state file's bytes, as dicts; Corrupt if bad"""
    if not data.endswith(b"\n"):
        raise Corrupt("no final newline (cut?)")
    lines = data[:-1].split(b"\n")
    if lines[0] not in (b"milter-delist-state 1", b"milter-delist-state 2"):
        raise Corrupt("bad version line %r" % lines[0][:60])
    if len(lines) < 3 or not lines[1].startswith(b"store "):
        raise Corrupt("no store line")
    store = dict(kv.split(b"=", 1) for kv in lines[1].split()[1:])
    if b"next-id" not in store or b"count" not in store:
        raise Corrupt("store line without next-id or count")
    end = lines[-1].split()
    if len(end) != 2 or end[0] != b"end" or not end[1].isdigit():
        raise Corrupt("no end line (cut?): %r" % lines[-1][:60])
    incidents, last_id = [], 0
    for n, line in enumerate(lines[2:-1], 3):
        words = line.split(b" ")
        if words[0] == b"cursor" and not incidents:
            continue
        if words[0] != b"incident":
            raise Corrupt("line %d: unknown line %r" % (n, line[:60]))
        inc = {}
        for w in words[1:]:
            if b"=" not in w:
                raise Corrupt("line %d: field without '=': %r" % (n, w[:60]))
            k, v = w.split(b"=", 1)
            v = urllib.parse.unquote_to_bytes(v)
            inc.setdefault(k.decode("ascii", "replace"), v)
        for k in REQUIRED:
            if k not in inc:
                raise Corrupt("line %d: no %s" % (n, k))
        try:
            ident = int(inc["id"])
        except ValueError:
            raise Corrupt("line %d: bad id" % n)
        if ident <= last_id:
            raise Corrupt("line %d: id %d not rising" % (n, ident))
        last_id = ident
        incidents.append(inc)
    if int(end[1]) != len(incidents):
        raise Corrupt("end says %s, %d incident lines" % (end[1].decode(),
                                                         len(incidents)))
    if int(store[b"count"]) != len(incidents):
        raise Corrupt("store count %s, %d incident lines" %
                      (store[b"count"].decode(), len(incidents)))
    return incidents


JOURNAL_HEADER = b"milter-delist-journal 2\n"


def fnv1a32(data):
    h = 0x811c9dc5
    for c in data:
        h = ((h ^ c) * 0x01000193) & 0xffffffff
    return h


def fields(words):
    inc = {}
    for w in words:
        if b"=" not in w:
            raise Corrupt("field without '=': %r" % w[:60])
        k, v = w.split(b"=", 1)
        inc.setdefault(k.decode("ascii", "replace"), urllib.parse.unquote_to_bytes(v))
    return inc


def replay(incidents, data):
    """apply a journal's bytes to {id: incident}; stops at a cut or bad
    record (as the daemon does); Corrupt when it is not a journal"""
    if not data:
        return
    if not data.startswith(JOURNAL_HEADER):
        if JOURNAL_HEADER.startswith(data):
            return
        raise Corrupt("not a journal: %r" % data[:40])
    for line in data[len(JOURNAL_HEADER):].split(b"\n")[:-1]:
        body, sep, s = line.rpartition(b" check=")
        if not sep or len(s) != 8 or int(s, 16) != fnv1a32(body):
            return
        words = body.split(b" ")
        rec = fields(words[1:])
        if words[0] == b"incident":
            incidents[int(rec["id"])] = rec
        elif words[0] == b"gone":
            incidents.pop(int(rec["id"]), None)


def load(path):
    """the incidents of the state file at path and its journals"""
    try:
        with open(path, "rb") as f:
            incs = parse(f.read())
    except FileNotFoundError:
        incs = []
    byid = dict((int(i["id"]), i) for i in incs)
    for j in (path + ".log", path + ".log.new"):
        try:
            with open(j, "rb") as f:
                replay(byid, f.read())
        except FileNotFoundError:
            pass
    return [byid[k] for k in sorted(byid)]


def text(v):
    return v.decode("utf-8", "replace")


def watch(stop, path):
    reads = most = bad = 0
    while not os.path.exists(stop):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            time.sleep(0.01)
            continue
        reads += 1
        try:
            most = max(most, len(parse(data)))
        except Corrupt as e:
            bad += 1
            print("corrupt read: %s" % e)
        time.sleep(0.01)
    print("reads %d max %d" % (reads, most))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--watch":
        return watch(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "--cursor":
        return cursor(sys.argv[2], sys.argv[3])
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        incidents = load(sys.argv[1])
    except Corrupt as e:
        print("corrupt: %s" % e)
        return 1
    for inc in incidents:
        print(" ".join(text(inc.get(k, b"-")) for k in
                       ("id", "ip", "provider", "kind", "state", "last",
                        "count")))
    return 0


def cursors_of(lines, cur):
    """apply "cursor source= at=" lines to the dict cur"""
    for line in lines:
        kv = dict(w.split(b"=", 1) for w in line.split(b" ")[1:]
                  if line.startswith(b"cursor ") and b"=" in w)
        if b"at" in kv:
            src = urllib.parse.unquote_to_bytes(kv.get(b"source", b""))
            cur[src] = urllib.parse.unquote_to_bytes(kv[b"at"])


def cursor(source, path):
    """print the saved cursor of source (the state file, then its
    journals); 1 when there is none"""
    cur = {}
    with open(path, "rb") as f:
        cursors_of(f.read().split(b"\n"), cur)
    for j in (path + ".log", path + ".log.new"):
        try:
            with open(j, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue
        if not data.startswith(JOURNAL_HEADER):
            continue
        for line in data[len(JOURNAL_HEADER):].split(b"\n")[:-1]:
            body, sep, s = line.rpartition(b" check=")
            if not sep or len(s) != 8 or int(s, 16) != fnv1a32(body):
                break
            if body == b"cursors":
                cur = {}
            cursors_of([body], cur)
    if source.encode() in cur:
        print(cur[source.encode()].decode())
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
