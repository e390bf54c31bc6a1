#!/usr/bin/env python3
"""test-qemu-record.py: the qemu suite's guest decode, end to end.

    test-qemu-record.py --out DIR

Boots the tiny guest with qemu-fixtures.py into DIR (its execution log
exec.log, QEMU's -singlestep -d exec,cpu,nochain, and its dump-guest-memory
dump.elf), turns the log into a trace with ipt-record --qemu-log, decodes
the trace with ipt-analyze --plugin qemu:snapshot=dump.elf, and checks,
with TAP output, that the decode lists exactly the log's instructions (the
truth, known independently of both tools: QEMU ran them), that DIR/ips does
too, and that the CR3 switches are in it: the same virtual address decoded
as A's code under CR3 A and B's under CR3 B; and with --cr3 A (Intel PT's
CR3 filter), exactly the log's instructions that ran under CR3 A.
Python 3 standard library only; $IPT_RECORD, $IPT_ANALYZE, $IPT_QEMU_FIXTURES
and $IPT_QEMU_TINY_GUEST come from the test environment.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import argparse
import json
import os
import re
import subprocess
import sys

count = 0
failed = 0


def check(ok, what):
    global count, failed
    count += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", count, what), flush=True)
    if not ok:
        failed += 1
    return ok


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, errors="replace")


def log_blocks(path):
    """(pc, CR3) of every block QEMU ran, from its Trace lines and register
    dumps, less those it says it stopped before (an exit request at the
    block's start: QEMU logs the block again when it runs it)."""
    trace = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    cr3 = re.compile(r"^CR0=\S+ CR2=\S+ CR3=([0-9a-f]+) ")
    stopped = re.compile(r"^Stopped execution of TB chain before \S+ \[([0-9a-f]+)\]")
    blocks = []
    with open(path, errors="replace") as f:
        for line in f:
            m = trace.match(line)
            if m:
                blocks.append([int(m.group(1), 16), None])
            m = cr3.match(line)
            if m and blocks:
                blocks[-1][1] = int(m.group(1), 16)
            m = stopped.match(line)
            if m and blocks and blocks[-1][0] == int(m.group(1), 16):
                blocks.pop()
    return blocks


def listing_ips(listing):
    return [int(line.split()[0], 16) for line in listing.splitlines()
            if line and not line.startswith("[")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)

    made = run([sys.executable, os.environ["IPT_QEMU_FIXTURES"], "tiny", "--guest",
                os.environ["IPT_QEMU_TINY_GUEST"], "--exec-log", "--out", out])
    if not check(made.returncode == 0, "the tiny guest's fixtures are made"):
        sys.stderr.write(made.stdout + made.stderr)
        print("1..%d" % count)
        return 1
    with open(os.path.join(out, "facts.json")) as f:
        facts = json.load(f)
    exec_log = os.path.join(out, "exec.log")
    dump = facts["snapshots"]["elf"]
    rec = os.path.join(out, "record")
    blocks = log_blocks(exec_log)
    truth = [pc for pc, _ in blocks]
    check(len(truth) > 1000, "exec.log: %d instructions" % len(truth))

    record = run([os.environ["IPT_RECORD"], "--verbose", "--qemu-log", exec_log,
                  "--snapshot", dump, "-o", rec])
    sys.stderr.write(record.stderr)
    check(record.returncode == 0, "ipt-record --qemu-log exec.log --snapshot dump.elf")
    with open(os.path.join(rec, "ips")) as f:
        ips = [int(line, 16) for line in f if line.strip()]
    check(ips == truth, "ips is the log's sequence of instructions (%d)" % len(ips))

    decode = run([os.environ["IPT_ANALYZE"], "--plugin", "qemu:snapshot=" + dump,
                  "--pt", os.path.join(rec, "trace.pt")])
    check(decode.returncode == 0 and decode.stderr == "",
          "ipt-analyze --plugin qemu:snapshot=dump.elf --pt trace.pt" +
          (": " + decode.stderr.strip() if decode.stderr else ""))
    lines = decode.stdout.splitlines()
    listed = listing_ips(decode.stdout)
    first_difference = next((i for i, (a, b) in enumerate(zip(listed, truth)) if a != b), None)
    check(listed == truth,
          "the decode lists exactly the log's instructions (%d of %d; first difference at %s)"
          % (len(listed), len(truth), first_difference))

    # The instruction at TINY_USER_VA after each switch: A's code, then B's.
    cr3 = None
    at_user_va = {}
    for line in lines:
        m = re.match(r"^\[paging, cr3: ([0-9a-f]+)\]", line)
        if m:
            cr3 = int(m.group(1), 16)
        elif line and not line.startswith("[") and int(line.split()[0], 16) == facts["user_va"]:
            at_user_va.setdefault(cr3, set()).add(line.split(None, 1)[1].strip())
    a, b = at_user_va.get(facts["cr3_a"], set()), at_user_va.get(facts["cr3_b"], set())
    check(len(a) == 1 and len(b) == 1 and a != b,
          "0x%x decodes to different code under CR3 A (%s) and B (%s)"
          % (facts["user_va"], ", ".join(sorted(a)), ", ".join(sorted(b))))
    switches = sum(1 for line in lines if line.startswith("[paging, cr3:"))
    check(switches >= 2 * 4, "the CR3 switches are in the trace (%d PIPs)" % switches)

    # Only A's address space, as Intel PT's CR3 filter would trace it.
    rec_a = os.path.join(out, "record-cr3-a")
    truth_a = [pc for pc, cr3 in blocks if cr3 == facts["cr3_a"]]
    record = run([os.environ["IPT_RECORD"], "--qemu-log", exec_log, "--snapshot", dump,
                  "--cr3", hex(facts["cr3_a"]), "-o", rec_a])
    sys.stderr.write(record.stderr)
    check(record.returncode == 0, "ipt-record --qemu-log --cr3 A")
    decode = run([os.environ["IPT_ANALYZE"], "--plugin", "qemu:snapshot=" + dump,
                  "--pt", os.path.join(rec_a, "trace.pt")])
    check(decode.returncode == 0 and 0 < len(truth_a) < len(truth) and
          listing_ips(decode.stdout) == truth_a,
          "with --cr3 A the decode lists exactly the log's instructions under CR3 A (%d)"
          % len(truth_a))

    print("1..%d" % count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
