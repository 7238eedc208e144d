#!/usr/bin/env python3
"""tracecheck.py - what a daemon did, from an strace -f log.

    tracecheck.py [options] TRACE

TRACE is written by "strace -f -qq -y -s 256 -o TRACE PROGRAM ...". The
processes are split in two: the daemon (the process that exec'd PROGRAM,
its threads, and the children it forked, until they exec something else)
and its children (every process from its exec of another program on, and
all that descends from it: sendmail, postdrop).

Options:
  --program NAME     basename of the daemon's executable (milter-delist)
  --cwd DIR          the daemon's working directory (for relative paths)
  --allow PATH       the daemon may write PATH; with a trailing / the
                     directory and everything below it (repeatable)
  --child-allow PATH the same for the children (without any, the
                     children's writes are listed but not judged)
  --socket PATH      report the umask in force when PATH was bound

Prints, one per line:
  write daemon|child SYSCALL PATH        each distinct write access
  violation daemon|child PID SYSCALL PATH  a write outside the allowed set
  anon daemon|child SYSCALL ARG          anonymous files (memfd, O_TMPFILE)
  exec PATH                              programs the children ran
  syscalls daemon|child NAME...          every syscall seen (sorted)
  families daemon|child AF_...           socket address families used
  bind-umask PATH MODE                   (with --socket)
  order NAME...                          the daemon's privilege and socket
                                         steps in order (bind, chown, chmod
                                         of --socket, setgroups, setgid,
                                         setuid)
Exit status: 0, 1 when there is a violation, 2 on a usage or read error.

A write is an attempt, successful or not: open/openat/openat2/creat with
O_WRONLY, O_RDWR, O_CREAT, O_TRUNC or O_APPEND; rename*, link*, symlink*
(both names), unlink*, rmdir, mkdir*, mknod*, chmod/chown/truncate and
their f-/at- forms (the fd's path from strace -y), bind of a UNIX socket.
"""

import os
import re
import sys

WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+|\?)")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
FDPATH = re.compile(r"^(\d+)<([^>]*)>")


def unescape(s):
    """strace's C-style string escapes, as far as paths need them."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


class Result:
    """The last "= N" of a call line, like a re.Match (group(1))."""

    def __init__(self, value):
        self.value = value

    def group(self, _):
        return self.value


def result(tail):
    found = RESULT.findall(tail)
    return Result(found[-1]) if found else None


def split_args(args):
    """Top-level comma-separated arguments (strings, [], {} respected)."""
    out, depth, cur, quote, esc = [], 0, [], False, False
    for ch in args:
        if quote:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            if depth == 0:
                break  # the call's closing parenthesis
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def path_of(arg, base):
    """The path named by a string argument, made absolute against base."""
    m = STRING.search(arg)
    if not m:
        return None
    p = unescape(m.group(1))
    if not p.startswith("/"):
        p = os.path.join(base, p)
    return os.path.normpath(p)


def dir_of(arg, cwd):
    """The directory an *at() call's dirfd names (strace -y)."""
    if arg.startswith("AT_FDCWD"):
        return cwd
    m = FDPATH.match(arg)
    return m.group(2) if m else cwd


def fd_path(arg):
    m = FDPATH.match(arg)
    return m.group(2) if m else None


def main(argv):
    opts = {"program": "milter-delist", "cwd": os.getcwd(), "allow": [],
            "child-allow": [], "socket": None}
    trace = None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and a[2:] in opts:
            if i + 1 >= len(argv):
                print("tracecheck: %s needs a value" % a, file=sys.stderr)
                return 2
            k = a[2:]
            if isinstance(opts[k], list):
                opts[k].append(argv[i + 1])
            else:
                opts[k] = argv[i + 1]
            i += 2
        elif trace is None:
            trace = a
            i += 1
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if trace is None:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(trace, encoding="utf-8", errors="replace") as fp:
            lines = fp.read().splitlines()
    except OSError as e:
        print("tracecheck: %s" % e, file=sys.stderr)
        return 2

    # Join "<unfinished ...>" calls with their "<... resumed>" ends.
    events = []  # (pid, name, args-text, result-text)
    pending = {}
    for ln in lines:
        m = LINE.match(ln)
        if not m:
            continue
        pid, rest = int(m.group(1)), m.group(2)
        r = RESUMED.match(rest)
        if r:
            name, tail = r.group(1), r.group(2)
            if pid in pending and pending[pid][0] == name:
                _, head = pending.pop(pid)
                events.append((pid, name, head, tail))
            else:
                events.append((pid, name, "", tail))
            continue
        c = CALL.match(rest)
        if not c:
            continue  # signals, "+++ exited", etc.
        name, body = c.group(1), c.group(2)
        if body.endswith("<unfinished ...>"):
            pending[pid] = (name, body[: -len("<unfinished ...>")])
            continue
        events.append((pid, name, body, body))

    # Who forked whom (a child's first calls may be logged before its
    # parent's clone() returns).
    parent = {}
    for pid, name, args, tail in events:
        res = result(tail)
        if name in ("clone", "clone3", "fork", "vfork") and res and \
                res.group(1).isdigit():
            parent.setdefault(int(res.group(1)), pid)

    # The daemon is the process that exec'd the program, its threads and
    # the processes it forked; one that execs anything else, and all it
    # forks from then on, are children.
    allow = {"daemon": opts["allow"], "child": opts["child-allow"]}
    seen_writes, violations, anon = set(), [], set()
    syscalls = {"daemon": set(), "child": set()}
    families = {"daemon": set(), "child": set()}
    umask_now, bind_umask, order = {}, None, []
    cur = {}
    cwd = {}
    execs = []
    started = False

    def allowed(who, path):
        for a in allow[who]:
            if a.endswith("/"):
                d = a.rstrip("/")
                if path == d or path.startswith(d + "/"):
                    return True
            elif path == os.path.normpath(a):
                return True
        return False

    def write(who, pid, name, path):
        if path is None:
            return
        seen_writes.add((who, name, path))
        if (who == "daemon" or allow["child"]) and not allowed(who, path):
            violations.append((who, pid, name, path))

    for pid, name, args, tail in events:
        res = result(tail)
        ok = res is not None and res.group(1) == "0"
        if pid not in cur and parent.get(pid) in cur:
            cur[pid] = cur[parent[pid]]
            cwd[pid] = cwd.get(parent[pid], opts["cwd"])
        if name == "execve" and ok:
            prog = path_of(args, opts["cwd"]) or "?"
            if not started and os.path.basename(prog) == opts["program"]:
                cur[pid] = "daemon"
                started = True
                continue
            if pid in cur:
                cur[pid] = "child"
                execs.append(prog)
        elif name in ("clone", "clone3", "fork", "vfork") and res and \
                res.group(1).isdigit() and pid in cur:
            if int(res.group(1)) not in cur:
                cur[int(res.group(1))] = cur[pid]
                cwd[int(res.group(1))] = cwd.get(pid, opts["cwd"])
        if pid not in cur:
            continue  # before the daemon's exec
        base = cwd.get(pid, opts["cwd"])
        if name == "chdir" and ok:
            cwd[pid] = path_of(args, base)
        elif name == "fchdir" and ok and fd_path(args):
            cwd[pid] = fd_path(args)
        who = cur[pid]
        syscalls[who].add(name)
        a = split_args(args)
        if name in ("open", "creat"):
            flags = a[1] if len(a) > 1 else ""
            if name == "creat" or any(f in flags for f in WRITE_FLAGS):
                write(who, pid, name, path_of(a[0], base) if a else None)
        elif name in ("openat", "openat2"):
            flags = a[2] if len(a) > 2 else ""
            p = path_of(a[1], dir_of(a[0], base)) if len(a) > 1 else None
            if "O_TMPFILE" in flags:
                anon.add((who, name, "O_TMPFILE " + str(p)))
            elif any(f in flags for f in WRITE_FLAGS):
                write(who, pid, name, p)
        elif name == "memfd_create":
            anon.add((who, name, a[0] if a else ""))
        elif name in ("rename", "link", "symlink"):
            for x in a[:2]:
                if name != "symlink" or x is a[1]:
                    write(who, pid, name, path_of(x, base))
        elif name in ("renameat", "renameat2", "linkat"):
            if len(a) >= 4:
                if name != "linkat":
                    write(who, pid, name, path_of(a[1], dir_of(a[0], base)))
                write(who, pid, name, path_of(a[3], dir_of(a[2], base)))
        elif name == "symlinkat":
            if len(a) >= 3:
                write(who, pid, name, path_of(a[2], dir_of(a[1], base)))
        elif name in ("unlink", "rmdir", "mkdir", "mknod", "chmod", "chown",
                      "lchown", "truncate", "utime", "utimes"):
            write(who, pid, name, path_of(a[0], base) if a else None)
        elif name in ("unlinkat", "mkdirat", "mknodat", "fchmodat",
                      "fchownat", "utimensat", "futimesat"):
            if len(a) >= 2 and STRING.search(a[1]):
                write(who, pid, name, path_of(a[1], dir_of(a[0], base)))
            elif a and name == "utimensat":
                write(who, pid, name, fd_path(a[0]))
        elif name in ("fchmod", "fchown", "ftruncate"):
            p = fd_path(a[0]) if a else None
            # sockets and pipes show as "socket:[n]", "pipe:[n]"
            if p and p.startswith("/"):
                write(who, pid, name, p)
            if who == "daemon" and p == opts["socket"] and name != "ftruncate":
                order.append(name.lstrip("f"))
        elif name == "bind":
            m = re.search(r'sun_path="((?:[^"\\]|\\.)*)"', args)
            if m:
                p = os.path.normpath(os.path.join(base, unescape(m.group(1))))
                write(who, pid, name, p)
                if who == "daemon" and p == opts["socket"]:
                    bind_umask = umask_now.get("proc", "?")
                    order.append("bind")
        elif name == "umask" and who == "daemon":
            umask_now["proc"] = a[0] if a else "?"
        elif name in ("socket", "socketpair"):
            if a:
                families[who].add(a[0])
        if who == "daemon" and ok and name in ("setgroups", "setgid",
                                                "setuid", "setresuid",
                                                "setresgid"):
            order.append(name)
        if who == "daemon" and name in ("chmod", "chown", "fchmodat",
                                        "fchownat", "lchown"):
            p = path_of(a[1] if name.endswith("at") else a[0],
                        dir_of(a[0], base) if name.endswith("at") else base)
            if p == opts["socket"]:
                order.append("chown" if "chown" in name else "chmod")

    if not started:
        print("tracecheck: no execve of %s in %s" % (opts["program"], trace),
              file=sys.stderr)
        return 2
    for who, name, path in sorted(seen_writes):
        print("write %s %s %s" % (who, name, path))
    for who, name, arg in sorted(anon):
        print("anon %s %s %s" % (who, name, arg))
    for prog in execs:
        print("exec %s" % prog)
    for who in ("daemon", "child"):
        print("syscalls %s %s" % (who, " ".join(sorted(syscalls[who]))))
        print("families %s %s" % (who, " ".join(sorted(families[who]))))
    if opts["socket"]:
        print("bind-umask %s %s" % (opts["socket"], bind_umask))
    print("order %s" % " ".join(order))
    for who, pid, name, path in violations:
        print("violation %s %d %s %s" % (who, pid, name, path))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
