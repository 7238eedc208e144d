#!/usr/bin/env python3
"""formips.py - the IPs the captured alert mails ask to delist.

    formips.py MAIL...

Reads each mail's text attachment (the request), takes the value of the
form's field "Outbound IP(s) or range(s)" (entries separated by "; ", IPs
or CIDR ranges), expands ranges, and prints every IP once, one a line,
sorted.  Exit 1 when a mail has no such field.
"""

import email
import email.policy
import ipaddress
import sys


def field(text):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.endswith("Outbound IP(s) or range(s)") and i + 1 < len(lines):
            return lines[i + 1]
    return None


def main():
    ips = set()
    for path in sys.argv[1:]:
        with open(path, "rb") as fp:
            m = email.message_from_binary_file(fp, policy=email.policy.default)
        value = None
        for part in m.walk():
            if part.get_filename():
                value = field(part.get_content())
        if value is None:
            print("%s: no \"Outbound IP(s) or range(s)\" field" % path,
                  file=sys.stderr)
            return 1
        for entry in value.split(";"):
            net = ipaddress.ip_network(entry.strip(), strict=False)
            ips.update(str(a) for a in (net if net.num_addresses > 1
                                        else [net.network_address]))
    for ip in sorted(ips, key=ipaddress.ip_address):
        print(ip)
    return 0


if __name__ == "__main__":
    sys.exit(main())
