#!/usr/bin/env python3
"""unitbox.py - run a command in the sandbox a systemd unit describes,
without systemd (for tests on machines where systemd does not run).

    unitbox.py --unit FILE [--map FROM=TO]... [--groups G1,G2] -- CMD ARGS...

Run as root inside a private mount namespace (tests/lib/ns.sh: ns_run).
What it applies from the unit's [Service] section, in systemd's order:

  ProtectSystem=strict  every mount is remounted read-only except the API
                        file systems (/dev, /proc, /sys); RuntimeDirectory=
                        (/run/NAME), StateDirectory= (/var/lib/NAME) and
                        ReadWritePaths= ("-" prefix: may be missing) are
                        bound writable again. --map FROM=TO relocates a
                        path of the unit (e.g. /var/spool/postfix=$PF_SPOOL)
  User=, Group=         setgroups (the user's groups from the group
                        database plus --groups, like SupplementaryGroups=
                        or a group membership), setgid, setuid; --user
                        overrides User= and Group= (a test runs as nobody)
  UMask=
  NoNewPrivileges=      yes if set, and also whenever a seccomp-based
                        option is used without CAP_SYS_ADMIN (systemd.exec(5):
                        "NoNewPrivileges=yes is implied")
  RestrictAddressFamilies=  socket() of any other family: EAFNOSUPPORT
  MemoryDenyWriteExecute=   mmap(PROT_WRITE|PROT_EXEC), mprotect/
                        pkey_mprotect(PROT_EXEC): EPERM
  SystemCallFilter=, SystemCallErrorNumber=
                        groups from "systemd-analyze syscall-filter";
                        an allow list gets @default; later lines add to or
                        remove from the first one's set, as systemd does;
                        the default action kills the process (SIGSYS)
                        unless SystemCallErrorNumber= is set

Exit status: that of CMD; 2 on a usage or unit error; 3 when this machine
cannot build the sandbox (mounts, libseccomp), for a test to skip.

Not emulated (reported on stderr): PrivateTmp=, PrivateDevices=, Protect*
of kernel objects, RestrictNamespaces=, RestrictRealtime=,
LockPersonality=, CapabilityBoundingSet= (the process is not root anyway),
IPAddressDeny=.
"""

import ctypes
import ctypes.util
import errno
import grp
import os
import pwd
import socket
import subprocess
import sys

ACT_KILL_PROCESS = 0x80000000
ACT_ALLOW = 0x7FFF0000
CMP_EQ = 4
CMP_GE = 5
CMP_MASKED_EQ = 7
PR_SET_NO_NEW_PRIVS = 38
PROT_WRITE = 0x2
PROT_EXEC = 0x4
AF_MAX = 46
SECCOMP_OPTIONS = ("SystemCallFilter", "RestrictAddressFamilies",
                   "MemoryDenyWriteExecute", "LockPersonality",
                   "PrivateDevices", "ProtectClock", "ProtectHostname",
                   "ProtectKernelLogs", "ProtectKernelModules",
                   "ProtectKernelTunables", "RestrictNamespaces",
                   "RestrictRealtime", "RestrictSUIDSGID",
                   "SystemCallArchitectures", "SystemCallLog")


def act_errno(n):
    return 0x00050000 | (n & 0xFFFF)


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def die(msg, status=2):
    print("unitbox: " + msg, file=sys.stderr)
    sys.exit(status)


def cannot(msg):
    """This machine cannot emulate the sandbox (exit 3: a test skips)."""
    die(msg, 3)


def read_unit(path):
    """[Service] settings: name -> list of values, in order."""
    out, section = {}, None
    with open(path, encoding="utf-8") as fp:
        text = fp.read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]" or "=" not in line:
            continue
        k, v = line.split("=", 1)
        out.setdefault(k.strip(), []).append(v.strip())
    return out


def yes(v):
    return v is not None and v.lower() in ("1", "yes", "true", "on")


def last(unit, key):
    v = unit.get(key)
    return v[-1] if v else None


def syscall_groups():
    """@group -> [names] from systemd-analyze syscall-filter."""
    r = subprocess.run(["systemd-analyze", "syscall-filter"],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        die("systemd-analyze syscall-filter failed: " + r.stderr.strip())
    groups, cur = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("@"):
            cur = groups.setdefault(line.strip(), [])
        elif line.startswith("    ") and cur is not None:
            item = line.strip()
            if item and not item.startswith("#"):
                cur.append(item)
        elif not line.strip():
            cur = None
    return groups


def expand(items, groups, seen=None):
    seen = set() if seen is None else seen
    out = set()
    for it in items:
        if it.startswith("@"):
            if it in seen:
                continue
            seen.add(it)
            if it not in groups:
                die("unknown syscall group " + it)
            out |= expand(groups[it], groups, seen)
        elif it:
            out.add(it)
    return out


def syscall_filter(unit, groups):
    """(allow_list, names) as systemd merges the SystemCallFilter= lines."""
    allow_list, names = None, set()
    for v in unit.get("SystemCallFilter", []):
        if not v:
            allow_list, names = None, set()  # an empty line resets
            continue
        deny = v.startswith("~")
        items = expand(v.lstrip("~").split(), groups)
        if allow_list is None:
            allow_list = not deny
            names = set(items)
            if allow_list:
                names |= expand(["@default"], groups)
        elif allow_list != deny:
            names |= items  # same sense as the first line
        else:
            names -= items
    return allow_list, names


def remount_strict(unit, maps):
    """ProtectSystem=strict in this (private) mount namespace."""
    def mapped(p):
        for src, dst in maps:
            if p == src or p.startswith(src + "/"):
                return dst + p[len(src):]
        return p

    rw = []
    for d in " ".join(unit.get("RuntimeDirectory", [])).split():
        rw.append(("", "/run/" + d))
    for d in " ".join(unit.get("StateDirectory", [])).split():
        rw.append(("", "/var/lib/" + d))
    for v in unit.get("ReadWritePaths", []):
        for p in v.split():
            rw.append(("-", p[1:]) if p.startswith("-") else ("", p))
    with open("/proc/self/mountinfo", encoding="utf-8") as fp:
        mounts = [ln.split()[4] for ln in fp]
    api = ("/proc", "/sys", "/dev")
    for mp in sorted(set(mounts), key=len):
        mp = mp.encode().decode("unicode_escape")
        if any(mp == a or mp.startswith(a + "/") for a in api):
            continue
        r = subprocess.run(["mount", "-o", "remount,bind,ro", mp],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            cannot("cannot make %s read-only: %s" % (mp, r.stderr.strip()))
    done = []
    for opt, p in rw:
        real = mapped(p)
        if not os.path.exists(real):
            if opt == "-":
                continue
            die("%s (%s) does not exist" % (p, real))
        for cmd in (["mount", "--bind", real, real],
                    ["mount", "-o", "remount,bind,rw", real]):
            r = subprocess.run(cmd, capture_output=True, text=True,
                               check=False)
            if r.returncode != 0:
                cannot("%s: %s" % (" ".join(cmd), r.stderr.strip()))
        done.append(real)
    return done


def main(argv):
    unit_path, maps, extra_groups, user = None, [], [], None
    i = 1
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        if a in ("--unit", "--map", "--groups", "--user") and i + 1 < len(argv):
            v = argv[i + 1]
            if a == "--unit":
                unit_path = v
            elif a == "--map":
                if "=" not in v:
                    die("--map FROM=TO")
                maps.append(tuple(v.split("=", 1)))
            elif a == "--groups":
                extra_groups += [g for g in v.split(",") if g]
            else:
                user = v
            i += 2
        else:
            die("usage: unitbox.py --unit FILE [--map FROM=TO] [--groups G,..] [--user U] -- CMD...")
    cmd = argv[i + 1:]
    if not unit_path or not cmd:
        die("usage: unitbox.py --unit FILE [--map FROM=TO] [--groups G,..] [--user U] -- CMD...")
    if os.geteuid() != 0:
        cannot("needs root (and a private mount namespace)")
    unit = read_unit(unit_path)
    group = None if user else last(unit, "Group")  # --user: its own group
    user = user or last(unit, "User") or "root"

    skipped = [k for k in ("PrivateTmp", "RestrictNamespaces",
                           "RestrictRealtime", "LockPersonality",
                           "IPAddressDeny", "ProtectKernelTunables")
               if yes(last(unit, k)) or (k == "IPAddressDeny" and k in unit)]
    if skipped:
        print("unitbox: not emulated: " + " ".join(skipped), file=sys.stderr)

    if last(unit, "ProtectSystem") == "strict":
        rw = remount_strict(unit, maps)
        print("unitbox: read-only file system; writable: " + " ".join(rw),
              file=sys.stderr)

    groups = syscall_groups()
    allow_list, names = syscall_filter(unit, groups)
    errno_name = last(unit, "SystemCallErrorNumber")
    families = " ".join(unit.get("RestrictAddressFamilies", [])).split()
    mdwe = yes(last(unit, "MemoryDenyWriteExecute"))

    # Become the user: the group database's memberships, plus --groups.
    pw = pwd.getpwnam(user)
    gid = pw.pw_gid
    if group:
        gid = grp.getgrnam(group).gr_gid
    gids = set(os.getgrouplist(pw.pw_name, gid))
    gids |= {grp.getgrnam(g).gr_gid for g in extra_groups}
    os.setgroups(sorted(gids))
    os.setgid(gid)
    os.setuid(pw.pw_uid)
    if last(unit, "UMask"):
        os.umask(int(last(unit, "UMask"), 8))

    libc = ctypes.CDLL(None, use_errno=True)
    nnp = yes(last(unit, "NoNewPrivileges")) or \
        any(k in unit and (k == "RestrictAddressFamilies" or
                           k == "SystemCallFilter" or
                           yes(last(unit, k)))
            for k in SECCOMP_OPTIONS)
    if nnp and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        cannot("prctl(PR_SET_NO_NEW_PRIVS) failed")
    print("unitbox: user %s, groups %s, NoNewPrivileges %s" %
          (user, ",".join(str(g) for g in sorted(gids)), "yes" if nnp else "no"),
          file=sys.stderr)

    if allow_list is not None or families or mdwe:
        name = ctypes.util.find_library("seccomp")
        if not name:
            cannot("libseccomp is not installed")
        sc = ctypes.CDLL(name)
        sc.seccomp_init.restype = ctypes.c_void_p
        sc.seccomp_init.argtypes = [ctypes.c_uint32]
        sc.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        sc.seccomp_rule_add_array.argtypes = [
            ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
            ctypes.POINTER(ArgCmp)]
        sc.seccomp_load.argtypes = [ctypes.c_void_p]

        def nr(n):
            return sc.seccomp_syscall_resolve_name(n.encode())

        def rule(ctx, act, call, *cmps):
            num = nr(call)
            if num < 0:
                return
            arr = (ArgCmp * max(1, len(cmps)))(*cmps)
            sc.seccomp_rule_add_array(ctx, act, num, len(cmps), arr)

        def load(ctx, what):
            if not ctx or sc.seccomp_load(ctx) != 0:
                cannot("cannot load the %s filter" % what)

        if families:
            ctx = sc.seccomp_init(ACT_ALLOW)
            allowed = set()
            for f in families:
                if f.startswith("~"):
                    die("deny-list RestrictAddressFamilies= not emulated")
                allowed.add(getattr(socket, f))
            for af in range(AF_MAX):
                if af not in allowed:
                    rule(ctx, act_errno(errno.EAFNOSUPPORT), "socket",
                         ArgCmp(0, CMP_EQ, af, 0))
            rule(ctx, act_errno(errno.EAFNOSUPPORT), "socket",
                 ArgCmp(0, CMP_GE, AF_MAX, 0))
            load(ctx, "address family")
        if mdwe:
            ctx = sc.seccomp_init(ACT_ALLOW)
            wx = PROT_WRITE | PROT_EXEC
            rule(ctx, act_errno(errno.EPERM), "mmap",
                 ArgCmp(2, CMP_MASKED_EQ, wx, wx))
            for call in ("mprotect", "pkey_mprotect"):
                rule(ctx, act_errno(errno.EPERM), call,
                     ArgCmp(2, CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC))
            load(ctx, "MemoryDenyWriteExecute")
        if allow_list is not None:
            deny_act = act_errno(getattr(errno, errno_name)) \
                if errno_name else ACT_KILL_PROCESS
            if allow_list:
                ctx = sc.seccomp_init(deny_act)
                for n in sorted(names):
                    rule(ctx, ACT_ALLOW, n)
            else:
                ctx = sc.seccomp_init(ACT_ALLOW)
                for n in sorted(names):
                    rule(ctx, deny_act, n)
            load(ctx, "system call")
    sys.stderr.flush()
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv)
