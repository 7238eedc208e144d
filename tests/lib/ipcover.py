#!/usr/bin/env python3
"""ipcover.py - do milter-delist's alert mails ask to delist exactly these IPs?

    ipcover.py [--collapsed] WANT MAIL...

WANT holds the IPs that were blocked, one per line.  Each MAIL is an alert
file (as the capture sendmail stores it); its delisting request (the
attachment delist-request-*.txt) gives the form's field "[8] Outbound
IP(s) or range(s)": the lines under that label up to the next field, read
until a line opening with "(" (the note naming the site's other IPs, not a
part of the value), entries separated by ";", each an IP or a CIDR range.

Prints one line per mail, "FILE entries=N ips=M", and a summary "covered
N want M missing K extra E twice T"; exits 0 when the IPs the entries
cover are exactly WANT, no IP is listed by two mails (or twice in one),
and every entry parses; 1 otherwise, saying why.  With --collapsed, each
mail's entries must also be the fewest CIDR ranges that cover its IPs
(the form's "range(s)": a /24 is one entry, not 256 IPs).
"""

import email
import email.policy
import ipaddress
import re
import sys

FIELD = re.compile(r"^\[8\] Outbound IP\(s\) or range\(s\)\s*$")
NEXT = re.compile(r"^\[[0-9]+\] ")


def request_of(path):
    """the text of the mail's delisting request attachment, or None"""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    for part in msg.walk():
        name = part.get_filename() or ""
        if name.startswith("delist-request-") and not part.is_multipart():
            return part.get_content()
    return None


def entries_of(text):
    """the field's entries (strings), or None when the field is missing"""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if FIELD.match(line):
            break
    else:
        return None
    value = []
    for line in lines[i + 1:]:
        if NEXT.match(line) or line.strip().startswith("("):
            break
        value.append(line.strip())
    return [e.strip() for e in " ".join(value).split(";") if e.strip()]


def main():
    args = sys.argv[1:]
    collapsed = bool(args) and args[0] == "--collapsed"
    if collapsed:
        args = args[1:]
    if len(args) < 1:
        sys.exit(__doc__)
    with open(args[0]) as f:
        want = {ipaddress.ip_address(x.strip()) for x in f if x.strip()}
    bad = []
    seen = {}
    twice = set()
    for path in args[1:]:
        text = request_of(path)
        ents = entries_of(text) if text is not None else None
        if ents is None:
            bad.append("%s: no delisting request with the field \"Outbound "
                       "IP(s) or range(s)\"" % path)
            continue
        nets = []
        for e in ents:
            try:
                nets.append(ipaddress.ip_network(e, strict=True))
            except ValueError:
                bad.append("%s: entry %r is neither an IP nor a range"
                           % (path, e[:80]))
        ips = set()
        for n in nets:
            for a in n:
                if a in ips or a in seen:
                    twice.add(a)
                ips.add(a)
                seen.setdefault(a, path)
        print("%s entries=%d ips=%d" % (path, len(ents), len(ips)))
        if collapsed:
            best = list(ipaddress.collapse_addresses(
                ipaddress.ip_network(a) for a in ips))
            if sorted(nets) != sorted(best):
                bad.append("%s: %d entries where %d ranges cover the same "
                           "IPs" % (path, len(nets), len(best)))
    covered = set(seen)
    missing = want - covered
    extra = covered - want
    print("covered %d want %d missing %d extra %d twice %d"
          % (len(covered), len(want), len(missing), len(extra), len(twice)))
    for what, s in (("missing", missing), ("extra", extra),
                    ("listed twice", twice)):
        if s:
            bad.append("%s: %s" % (what, " ".join(
                str(a) for a in sorted(s)[:10]) + (" ..." if len(s) > 10 else "")))
    for b in bad:
        print("ipcover: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
