#!/usr/bin/env python3
"""test-qemu-record.py: the qemu suite's guest decode, end to end.

    test-qemu-record.py --out DIR tiny
    test-qemu-record.py --out DIR record --guest record-guest.elf

Runs a real guest under qemu-system-x86_64 with its execution log
(-singlestep -d exec,cpu,nochain, and -d int for the record guest), takes
its dump-guest-memory, turns the log into a trace with ipt-record
--qemu-log, decodes the trace with ipt-analyze --plugin qemu:snapshot=…,
and checks, with TAP output, that the decode lists exactly what QEMU ran
(read from the log here, independently of both tools), that DIR/ips does
too, and that the CR3 switches are in it: the same virtual address decoded
as different code under each CR3.
  - tiny: the project's tiny guest (tests/qemu/README.md) through
    qemu-fixtures.py; also with --cr3 A (Intel PT's CR3 filter): exactly
    the instructions that ran under CR3 A.
  - record: record-guest.S, booted here: faults in kernel and user space
    (re-executed), timer interrupts, int, iret, syscall, sysret, rep movsb.
What QEMU ran, from the log: the pc of every Trace line, less a block
QEMU says it stopped before ("Stopped execution of TB chain before", it
logs the block again when it runs it), less a block an exception hit
before it completed (a -d int record, i=0, whose IP is the block's pc), and
a REP string instruction's repeated iterations once.
Python 3 standard library only; $IPT_RECORD and $IPT_ANALYZE (and for tiny
$IPT_QEMU_FIXTURES, $IPT_QEMU_TINY_GUEST) come from the test environment.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time

from tap import check, done


TRACE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
CR3 = re.compile(r"^CR0=([0-9a-f]+) CR2=\S+ CR3=([0-9a-f]+) ")
EFER = re.compile(r"^EFER=([0-9a-f]+)$")
STOPPED = re.compile(r"^Stopped execution of TB chain before \S+ \[([0-9a-f]+)\]")
INTERRUPT = re.compile(r"^ *\d+: v=([0-9a-f]+) e=[0-9a-f]+ i=(\d) cpl=\d IP=[0-9a-f]+:([0-9a-f]+) ")
RECORD_DFILTER = "0x100000..0x102fff,0x40000000..0x40000fff"
RECORD_USER_VA = 0x40000000


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, errors="replace")


def log_blocks(path, rep_pcs=()):
    """[pc, CR3] of every block QEMU ran in long mode with paging (see the
    top of the file), from the first such block on."""
    blocks = []
    with open(path, errors="replace") as f:
        for line in f:
            m = TRACE.match(line)
            if m:
                blocks.append([int(m.group(1), 16), None, None, None])
                continue
            m = CR3.match(line)
            if m and blocks and blocks[-1][1] is None:
                blocks[-1][1] = int(m.group(2), 16)
                blocks[-1][2] = int(m.group(1), 16)
                continue
            m = EFER.match(line.rstrip())
            if m and blocks and blocks[-1][3] is None:
                blocks[-1][3] = int(m.group(1), 16)
                continue
            m = STOPPED.match(line)
            if m and blocks and blocks[-1][0] == int(m.group(1), 16):
                blocks.pop()
                continue
            m = INTERRUPT.match(line)
            if m and m.group(2) == "0" and blocks and blocks[-1][0] == int(m.group(3), 16):
                blocks.pop()
    ran = []
    for pc, cr3, cr0, efer in blocks:
        long_mode = cr0 is not None and cr0 & (1 << 31) and efer is not None and efer & (1 << 10)
        if not ran and not long_mode:
            continue
        if ran and pc in rep_pcs and ran[-1][0] == pc:
            continue
        ran.append([pc, cr3])
    return ran


def listing_ips(listing):
    return [int(line.split()[0], 16) for line in listing.splitlines()
            if line and not line.startswith("[")]


def record_and_decode(out, name, exec_log, dump, truth, extra=()):
    """ipt-record, then ipt-analyze; checks both against @truth; returns
    the decode's lines."""
    rec = os.path.join(out, name)
    record = run([os.environ["IPT_RECORD"], "--verbose", "--qemu-log", exec_log,
                  "--snapshot", dump, "-o", rec] + list(extra))
    sys.stderr.write(record.stderr)
    check(record.returncode == 0, "ipt-record --qemu-log %s" % " ".join(extra))
    ips = []
    if os.path.exists(os.path.join(rec, "ips")):
        with open(os.path.join(rec, "ips")) as f:
            ips = [int(line, 16) for line in f if line.strip()]
    check(ips == truth, "ips is what QEMU ran (%d of %d)" % (len(ips), len(truth)))
    decode = run([os.environ["IPT_ANALYZE"], "--plugin", "qemu:snapshot=" + dump,
                  "--pt", os.path.join(rec, "trace.pt")])
    check(decode.returncode == 0 and decode.stderr == "",
          "ipt-analyze --plugin qemu:snapshot=%s --pt trace.pt%s"
          % (os.path.basename(dump), ": " + decode.stderr.strip() if decode.stderr else ""))
    listed = listing_ips(decode.stdout)
    first = next((i for i, (a, b) in enumerate(zip(listed, truth)) if a != b), None)
    check(listed == truth, "the decode lists exactly what QEMU ran (%d of %d; first "
          "difference at %s)" % (len(listed), len(truth), first))
    return decode.stdout.splitlines(), record.stderr


def check_cr3_switches(lines, va, cr3s):
    """The instruction at @va after each PIP: one per CR3, all different."""
    cr3 = None
    seen = {}
    for line in lines:
        m = re.match(r"^\[paging, cr3: ([0-9a-f]+)\]", line)
        if m:
            cr3 = int(m.group(1), 16)
        elif line and not line.startswith("[") and int(line.split()[0], 16) == va:
            seen.setdefault(cr3, set()).add(line.split(None, 1)[1].strip())
    code = [seen.get(c, set()) for c in cr3s]
    check(all(len(c) == 1 for c in code) and len(set(next(iter(c), "") for c in code)) ==
          len(cr3s), "0x%x decodes to different code under each CR3: %s"
          % (va, "; ".join(", ".join(sorted(c)) for c in code)))


def tiny(out):
    made = run([sys.executable, os.environ["IPT_QEMU_FIXTURES"], "tiny", "--guest",
                os.environ["IPT_QEMU_TINY_GUEST"], "--exec-log", "--out", out])
    if not check(made.returncode == 0, "the tiny guest's fixtures are made"):
        sys.stderr.write(made.stdout + made.stderr)
        return
    with open(os.path.join(out, "facts.json")) as f:
        facts = json.load(f)
    exec_log = os.path.join(out, "exec.log")
    dump = facts["snapshots"]["elf"]
    blocks = log_blocks(exec_log)
    truth = [pc for pc, _ in blocks]
    check(len(truth) > 1000, "exec.log: %d instructions" % len(truth))

    lines, _ = record_and_decode(out, "record", exec_log, dump, truth)
    check_cr3_switches(lines, facts["user_va"], [facts["cr3_a"], facts["cr3_b"]])
    # The same trace over the guest's other snapshots: the same listing.
    for kind, spec in (("migration", facts["snapshots"]["migration"]),
                       ("qcow2", facts["snapshots"]["qcow2"] + ",tag=" + facts["savevm_tag"])):
        other = run([os.environ["IPT_ANALYZE"], "--plugin", "qemu:snapshot=" + spec,
                     "--pt", os.path.join(out, "record", "trace.pt")])
        check(other.returncode == 0 and other.stderr == "" and other.stdout.splitlines() == lines,
              "the trace decodes to the same listing over the %s snapshot%s"
              % (kind, ": " + other.stderr.strip() if other.stderr else ""))
    switches = sum(1 for line in lines if line.startswith("[paging, cr3:"))
    check(switches >= 2 * 4, "the CR3 switches are in the trace (%d PIPs)" % switches)

    # Only A's address space, as Intel PT's CR3 filter would trace it.
    truth_a = [pc for pc, cr3 in blocks if cr3 == facts["cr3_a"]]
    check(0 < len(truth_a) < len(truth), "%d instructions ran under CR3 A" % len(truth_a))
    record_and_decode(out, "record-cr3-a", exec_log, dump, truth_a,
                      ["--cr3", hex(facts["cr3_a"])])


def boot_record_guest(out, guest):
    """Boots record-guest.elf with its log until its marker, then takes its
    memory through the monitor.  Returns (exec.log, dump.elf) or None."""
    paths = {name: os.path.join(out, name)
             for name in ("exec.log", "dump.elf", "debugcon.log", "monitor.sock")}
    for path in paths.values():
        if os.path.exists(path):
            os.unlink(path)
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg", "-singlestep", "-smp", "1", "-m", "16",
         "-d", "exec,cpu,int,nochain", "-dfilter", RECORD_DFILTER, "-D", paths["exec.log"],
         "-kernel", guest, "-display", "none", "-nodefaults", "-no-reboot",
         "-debugcon", "file:" + paths["debugcon.log"],
         "-monitor", "unix:%s,server,nowait" % paths["monitor.sock"]],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        done = False
        while time.monotonic() < deadline and qemu.poll() is None and not done:
            time.sleep(0.1)
            if os.path.exists(paths["debugcon.log"]):
                with open(paths["debugcon.log"], errors="replace") as f:
                    done = "record-guest: done" in f.read()
        if not check(done, "the record guest ran to its end"):
            return None
        monitor = socket.socket(socket.AF_UNIX)
        monitor.settimeout(30)
        monitor.connect(paths["monitor.sock"])
        # HMP runs the commands in order; quit returns once the dump is written.
        monitor.sendall(b"stop\ndump-guest-memory " + paths["dump.elf"].encode() + b"\nquit\n")
        try:
            while monitor.recv(4096):
                pass
        except OSError:
            pass
        monitor.close()
        qemu.wait(30)
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
    ok = os.path.exists(paths["dump.elf"]) and os.path.getsize(paths["dump.elf"]) > 0
    check(ok, "dump-guest-memory wrote dump.elf")
    return (paths["exec.log"], paths["dump.elf"]) if ok else None


def symbols(elf):
    nm = run(["nm", elf])
    return {f[2]: int(f[0], 16) for f in (line.split() for line in nm.stdout.splitlines())
            if len(f) == 3}


def record(out, guest):
    booted = boot_record_guest(out, guest)
    if booted is None:
        return
    exec_log, dump = booted
    syms = symbols(guest)
    with open(exec_log, errors="replace") as f:
        lines_log = f.read()
    objdump = run(["objdump", "-d", guest])
    rep_pcs = {int(line.split(":")[0], 16) for line in objdump.stdout.splitlines()
               if re.search(r"\trep[a-z]* ", line)}
    check(len(rep_pcs) == 1, "the guest has one REP string instruction")
    blocks = log_blocks(exec_log, rep_pcs)
    truth = [pc for pc, _ in blocks]
    faults = len(re.findall(r"^ *\d+: v=00 e=0000 i=0 ", lines_log, re.M))
    timer = len(re.findall(r"^ *\d+: v=20 e=0000 i=0 ", lines_log, re.M))
    check(faults == 2 and timer >= 2, "QEMU took 2 #DE faults (%d) and the timer "
          "interrupts (%d)" % (faults, timer))
    lines, report = record_and_decode(out, "record", exec_log, dump, truth)
    m = re.search(r"(\d+) not executed \(faults\), (\d+) interrupts", report)
    check(m is not None and int(m.group(1)) == faults and int(m.group(2)) >= 1,
          "ipt-record found the faults and the interrupts: %s" % (m.group(0) if m else report))
    cr3s = sorted({cr3 for _, cr3 in blocks if cr3})
    check(len(cr3s) == 2, "two address spaces: %s" % ", ".join(hex(c) for c in cr3s))
    check_cr3_switches(lines, RECORD_USER_VA, cr3s)
    check(syms.get("syscall_entry") in truth and syms.get("de_handler") in truth and
          syms.get("timer_handler") in truth, "the syscall entry and both handlers ran")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--guest")
    parser.add_argument("which", choices=["tiny", "record"])
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.which == "tiny":
        tiny(args.out)
    else:
        record(args.out, args.guest)
    return done()


if __name__ == "__main__":
    sys.exit(main())
