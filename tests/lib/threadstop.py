#!/usr/bin/env python3
"""threadstop.py - stop one thread of a process, the others running on.

    threadstop.py PID NAME

Finds the thread of PID named NAME (/proc/PID/task/*/comm), seizes it with
ptrace and interrupts it, while it waits in a sleeping system call (poll,
ppoll, nanosleep, clock_nanosleep, epoll_wait: so it holds no lock of ours,
taken only around short work); prints "stopped TID" and keeps it stopped
until SIGTERM, then lets it go on (PTRACE_DETACH).  Exits 1 when the
thread is not found or cannot be stopped (ptrace not allowed), printing
why.  Linux x86_64 or aarch64 only (system call numbers)."""
import ctypes
import os
import platform
import signal
import sys
import time

PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
WALL = 0x40000000
SLEEPING = {
    "x86_64": {7, 271, 35, 230, 232, 281},  # poll ppoll nanosleep clock_nanosleep epoll_wait epoll_pwait
    "aarch64": {73, 101, 115, 22},  # ppoll nanosleep clock_nanosleep epoll_pwait
}.get(platform.machine(), set())

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def ptrace(req, tid):
    if libc.ptrace(req, tid, None, None) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def find(pid, name):
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if f.read().strip() == name:
                    return int(tid)
        except OSError:
            pass
    return None


def main():
    pid, name = int(sys.argv[1]), sys.argv[2]
    if not SLEEPING:
        print("threadstop: no system call table for %s" % platform.machine())
        return 1
    tid = None
    for _ in range(100):
        tid = find(pid, name)
        if tid:
            break
        time.sleep(0.1)
    if not tid:
        print("threadstop: no thread %s in %d" % (name, pid))
        return 1
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    try:
        ptrace(PTRACE_SEIZE, tid)
    except OSError as e:
        print("threadstop: ptrace: %s" % e)
        return 1
    for _ in range(600):
        ptrace(PTRACE_INTERRUPT, tid)
        os.waitpid(tid, WALL)
        with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
            call = f.read().split()[0]
        if call.isdigit() and int(call) in SLEEPING:
            break
        ptrace(PTRACE_DETACH, tid)
        time.sleep(0.05)
        ptrace(PTRACE_SEIZE, tid)
    else:
        print("threadstop: %d never caught asleep" % tid)
        return 1
    print("stopped %d" % tid, flush=True)
    while not stop:
        time.sleep(0.1)
    ptrace(PTRACE_DETACH, tid)
    return 0


sys.exit(main())
