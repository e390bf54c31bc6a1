#!/usr/bin/env python3
"""test-qemu-snapshots.py: the qemu suite's test of one guest's snapshots.

    test-qemu-snapshots.py --out DIR (tiny|linux) [qemu-fixtures.py options]

Boots the guest with qemu-fixtures.py into DIR (fixtures are made afresh on
every run, never kept in the repository), then checks, with TAP output:
  - the three snapshots have their formats' magics, the savevm snapshot is
    in the qcow2, and the registers are sane for where the guest stopped;
  - from the ELF dump, through the guest's page tables walked here in
    Python (an oracle independent of the plugin): the tiny guest's code at
    TINY_USER_VA differs under CR3 A and B and is the built guest's, and the
    Linux guest's user code at RIP is its program's and "Linux version" is
    at linux_banner;
  - the acceptance test: ipt-analyze --plugin qemu:snapshot=F --cr3 CR3
    --read ADDR:LEN gives the same, right bytes from all three snapshots.
Python 3 standard library only; $IPT_ANALYZE is the CLI to run.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import json
import mmap
import os
import struct
import subprocess
import sys

from tap import check, diag, done

HERE = os.path.dirname(os.path.abspath(__file__))


class PhysicalMemory:
    """Guest-physical reads from a dump-guest-memory ELF (its PT_LOADs' p_paddr)."""

    def __init__(self, path):
        self.file = open(path, "rb")
        self.map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        phoff, = struct.unpack_from("<Q", self.map, 32)
        phentsize, phnum = struct.unpack_from("<HH", self.map, 54)
        self.loads = []
        for i in range(phnum):
            p_type, _, offset, _, paddr, filesz, _ = struct.unpack_from(
                "<IIQQQQQ", self.map, phoff + i * phentsize)
            if p_type == 1:
                self.loads.append((paddr, filesz, offset))

    def read(self, address, size):
        for paddr, filesz, offset in self.loads:
            if paddr <= address and address + size <= paddr + filesz:
                start = offset + address - paddr
                return bytes(self.map[start:start + size])
        return None

    def translate(self, cr3, virtual, levels):
        """The guest-physical address of @virtual, or None where unmapped."""
        table = cr3 & 0x000ffffffffff000
        for level in range(levels, 0, -1):
            shift = 12 + 9 * (level - 1)
            entry_bytes = self.read(table + ((virtual >> shift) & 0x1ff) * 8, 8)
            if entry_bytes is None:
                return None
            entry, = struct.unpack("<Q", entry_bytes)
            if not entry & 1:
                return None
            address = entry & 0x000ffffffffff000
            if level == 1 or (level in (2, 3) and entry & 0x80):
                page = 1 << shift
                return (address & ~(page - 1)) + (virtual & (page - 1))
            table = address
        return None

    def read_virtual(self, cr3, virtual, size, levels):
        out = b""
        while len(out) < size:
            physical = self.translate(cr3, virtual + len(out), levels)
            if physical is None:
                return None
            chunk = min(size - len(out), 0x1000 - ((virtual + len(out)) & 0xfff))
            data = self.read(physical, chunk)
            if data is None:
                return None
            out += data
        return out


def plugin_read(facts, kind, cr3, address, size):
    """ipt-analyze --read through the qemu plugin: (bytes or None, error text).
    @cr3 None: no --cr3, the snapshot's own CR3."""
    spec = "qemu:snapshot=" + facts["snapshots"][kind]
    if kind == "qcow2":
        spec += ",tag=" + facts["savevm_tag"]
    command = [os.environ.get("IPT_ANALYZE", "ipt-analyze"), "--plugin", spec]
    if cr3 is not None:
        command += ["--cr3", "0x%x" % cr3]
    command += ["--read", "0x%x:%d" % (address, size)]
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out: %s" % " ".join(command)
    if result.returncode != 0:
        return None, "%s: exit %d: %s" % (" ".join(command), result.returncode,
                                          result.stderr.decode(errors="replace").strip())
    return result.stdout, ""


def list_regions(facts, kind, cr3):
    """ipt-analyze --list-regions through the qemu plugin, in CR3's address
    space: (lines or None, error text)."""
    spec = "qemu:snapshot=" + facts["snapshots"][kind]
    if kind == "qcow2":
        spec += ",tag=" + facts["savevm_tag"]
    command = [os.environ.get("IPT_ANALYZE", "ipt-analyze"), "--plugin", spec,
               "--cr3", "0x%x" % cr3, "--list-regions"]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    if result.returncode != 0:
        return None, "%s: exit %d: %s" % (" ".join(command), result.returncode,
                                          result.stderr.decode(errors="replace").strip())
    return result.stdout.decode().splitlines(), ""


def check_physical(facts):
    """physical=true: guest-physical reads, the same bytes from every format
    (A's and B's code at their physical pages)."""
    for kind in ("elf", "migration", "qcow2"):
        spec = "qemu:snapshot=%s,physical=true" % facts["snapshots"][kind]
        if kind == "qcow2":
            spec += ",tag=" + facts["savevm_tag"]
        ok = True
        error = ""
        for pa, code in ((facts["user_a_pa"], facts["user_code_a"]),
                         (facts["user_b_pa"], facts["user_code_b"])):
            command = [os.environ.get("IPT_ANALYZE", "ipt-analyze"), "--plugin", spec,
                       "--read", "0x%x:%d" % (pa, facts["user_size"])]
            result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                    timeout=60)
            if result.returncode != 0:
                ok = False
                error = result.stderr.decode(errors="replace").strip()
            elif result.stdout != bytes.fromhex(code):
                ok = False
                error = "other bytes at guest-physical 0x%x" % pa
        check(ok, "%s: physical=true reads A's and B's code at their guest-physical pages%s"
              % (kind, ": " + error if error else ""))


def check_list_regions(facts):
    """--cr3 B --list-regions: the summary names the RAM and B, B's code at
    TINY_USER_VA is a file section of the snapshot (or of the memfd of
    copied code), and no range of A is shown."""
    for kind in ("elf", "migration", "qcow2"):
        lines, error = list_regions(facts, kind, facts["cr3_b"])
        if lines is None:
            check(False, "%s: --cr3 B --list-regions: %s" % (kind, error))
            continue
        user = "%016x-%016x" % (facts["user_va"], facts["user_va"] + facts["user_size"])
        sections = [l for l in lines if l.startswith(user) and " section " in l
                    and "cr3=0x%x " % facts["cr3_b"] in l]
        others = [l for l in lines if "cr3=0x%x " % facts["cr3_a"] in l]
        summary = [l for l in lines if l.startswith("# qemu: ")]
        ok = (len(sections) == 1 and not others
              and any("RAM block" in l for l in summary)
              and any("CR3 0x%x (asked for)" % facts["cr3_b"] in l for l in summary))
        if not ok:
            diag("\n".join(lines[:40]))
        check(ok, "%s: --cr3 B --list-regions: RAM blocks, B's code at 0x%x a file section, "
              "nothing of A" % (kind, facts["user_va"]))


def read_exec_log(path):
    """(PC, CR3) of each instruction QEMU's -d exec,cpu,nochain log says ran:
    a block followed by "Stopped execution of TB chain" did not."""
    executed = []
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Trace "):
                executed.append([int(line.split("[", 1)[1].split("/")[1], 16), None])
            elif line.startswith("CR0=") and executed:
                executed[-1][1] = int(line.split("CR3=", 1)[1].split()[0], 16)
            elif line.startswith("Stopped execution of TB chain") and executed:
                executed.pop()
    return [tuple(e) for e in executed]


def acceptance(facts, cases):
    """Each case (what, cr3, address, expected bytes) read from every format:
    the same bytes from all three, and the expected ones. An expected int N
    instead: N bytes that the guest does not map, which must fail so."""
    for kind in ("elf", "migration", "qcow2"):
        for what, cr3, address, expected in cases:
            unmapped = isinstance(expected, int)
            data, error = plugin_read(facts, kind, cr3, address,
                                      expected if unmapped else len(expected))
            if unmapped:
                # compared as: nothing read, and the error says "not mapped"
                refused = "not mapped" in error
                data = b"" if refused else data or error.encode()
                expected = b""
                error = "" if refused else error
            if error:
                diag(error)
            elif data != expected:
                diag("got      %s\nexpected %s" % (data.hex(), expected.hex()))
            check(data == expected, "%s: %s (CR3 %s, 0x%x%s)"
                  % (kind, what, "the snapshot's" if cr3 is None else "0x%x" % cr3,
                     address, ": not mapped" if unmapped else ":%d" % len(expected)))


def magics(facts):
    snapshots = facts["snapshots"]
    with open(snapshots["elf"], "rb") as f:
        head = f.read(64)
    check(head[:4] == b"\x7fELF" and head[4] == 2 and struct.unpack_from("<HH", head, 16) == (4, 62),
          "dump.elf is an x86-64 ELF core")
    with open(snapshots["migration"], "rb") as f:
        head = f.read(8)
    check(head == b"QEVM\0\0\0\3", "migration.qevm is a QEVM v3 stream")
    with open(snapshots["qcow2"], "rb") as f:
        head = f.read(4)
    info = subprocess.run(["qemu-img", "info", "--output=json", snapshots["qcow2"]],
                          capture_output=True, text=True, timeout=30)
    tags = {s["name"]: s.get("vm-state-size", 0)
            for s in json.loads(info.stdout or "{}").get("snapshots", [])}
    check(head == b"QFI\xfb" and tags.get(facts["savevm_tag"], 0) > 0,
          "savevm.qcow2 is a qcow2 holding snapshot %r with its VM state" % facts["savevm_tag"])


def long_mode(registers, levels):
    check(registers["cr0"] & 0x80000001 == 0x80000001, "CR0.PE and CR0.PG set")
    check(registers["cr4"] & 0x20 and bool(registers["cr4"] & 0x1000) == (levels == 5),
          "CR4.PAE set, CR4.LA57 %s" % ("set" if levels == 5 else "clear"))
    check(registers["efer"] & 0x400, "EFER.LMA set")


def test_tiny(facts, out):
    levels = facts["paging_levels"]
    registers = facts["registers"]
    magics(facts)
    check(facts["cr3"] == facts["cr3_a"] != 0, "stopped with CR3 = A (0x%x)" % facts["cr3_a"])
    check(facts["kernel_va"] <= facts["rip"] < facts["kernel_va"] + facts["kernel_size"]
          and facts["cpl"] == 0, "stopped in the higher half at CPL 0 (RIP 0x%x)" % facts["rip"])
    long_mode(registers, levels)
    code_a = bytes.fromhex(facts["user_code_a"])
    code_b = bytes.fromhex(facts["user_code_b"])
    check(code_a != code_b and len(code_a) == facts["user_size"], "the built A and B code differ")

    memory = PhysicalMemory(facts["snapshots"]["elf"])
    at_a = memory.read_virtual(facts["cr3_a"], facts["user_va"], facts["user_size"], levels)
    at_b = memory.read_virtual(facts["cr3_b"], facts["user_va"], facts["user_size"], levels)
    check(at_a == code_a, "ELF dump, walked in Python: A's code at 0x%x" % facts["user_va"])
    check(at_b == code_b, "ELF dump, walked in Python: B's code at 0x%x" % facts["user_va"])
    gib = memory.read_virtual(facts["cr3_b"], facts["gib_va"] + facts["user_a_pa"], 64, levels)
    check(gib == code_a[:64], "ELF dump, walked in Python: A's code through the 1 GiB page")
    kernel_code = bytes.fromhex(facts["kernel_code_at_rip"])
    check(kernel_code[:2] == b"\xeb\xfc", "halted, at the halt loop's jmp")
    check(memory.read_virtual(facts["cr3_a"], facts["rip"], 16, levels) == kernel_code,
          "ELF dump, walked in Python: the built code at RIP")

    exec_log = os.path.join(out, "exec.log")
    if os.path.exists(exec_log):
        executed = read_exec_log(exec_log)
        in_range = all(facts["kernel_va"] <= pc < facts["kernel_va"] + facts["kernel_size"]
                       or facts["user_va"] <= pc < facts["user_va"] + facts["user_size"]
                       for pc, _ in executed)
        check(1000 <= len(executed) <= 20000 and in_range,
              "exec.log: %d instructions, all of the 64-bit code" % len(executed))
        calls = [cr3 for pc, cr3 in executed if pc == facts["user_va"]]
        check(calls == [facts["cr3_a"], facts["cr3_b"]] * facts["rounds"],
              "exec.log: TINY_USER_VA entered %d times under A then B, CR3 in the log"
              % facts["rounds"])

    cases = [("A's code at TINY_USER_VA", facts["cr3_a"], facts["user_va"], code_a),
             ("B's code at TINY_USER_VA", facts["cr3_b"], facts["user_va"], code_b),
             ("A's code at TINY_USER_VA, stopped under A", None, facts["user_va"], code_a[:64]),
             ("A's code through the 1 GiB page", facts["cr3_a"],
              facts["gib_va"] + facts["user_a_pa"], code_a[:256]),
             ("the higher-half code at RIP (2 MiB page)", facts["cr3_a"], facts["rip"],
              kernel_code),
             ("the page after TINY_USER_VA", facts["cr3_a"],
              facts["user_va"] + facts["user_size"], 16)]
    acceptance(facts, cases)
    check_list_regions(facts)
    check_physical(facts)


def test_linux(facts, out):
    registers = facts["registers"]
    magics(facts)
    check(facts["cr3"] != 0, "CR3 nonzero (0x%x)" % facts["cr3"])
    check(facts["cpl"] == 3 and facts["rip"] < 0x800000000000,
          "stopped in user space (CPL %d, RIP 0x%x, after %d tries)"
          % (facts["cpl"], facts["rip"], facts["stop_attempts"]))
    long_mode(registers, 4)
    check(0xffffffff80000000 <= facts["stext"] < facts["linux_banner"],
          "_stext 0x%x and linux_banner 0x%x in the kernel's image"
          % (facts["stext"], facts["linux_banner"]))
    check(facts["boot_seconds"] < 60, "booted to user space in %.1f s" % facts["boot_seconds"])

    memory = PhysicalMemory(facts["snapshots"]["elf"])
    user_code = bytes.fromhex(facts["user_code_at_rip"])
    at_rip = memory.read_virtual(facts["cr3"], facts["rip"], len(user_code), 4)
    check(at_rip == user_code, "ELF dump, walked in Python: linux-busy's code at RIP")
    banner = memory.read_virtual(facts["cr3"], facts["linux_banner"], 64, 4)
    check(banner is not None and banner.startswith(b"Linux version " + facts["kernel_release"].encode()),
          "ELF dump, walked in Python: 'Linux version %s' at linux_banner" % facts["kernel_release"])
    if banner:
        diag(banner.split(b"\0")[0].decode(errors="replace"))
    stext = memory.read_virtual(facts["cr3"], facts["stext"], 64, 4)
    check(stext is not None and stext != bytes(64), "ELF dump, walked in Python: code at _stext")

    cases = [("user code at RIP", facts["cr3"], facts["rip"], user_code),
             ("user code at RIP", None, facts["rip"], user_code),
             ("the null page", facts["cr3"], 0, 16)]
    if banner:
        cases.append(("linux_banner", facts["cr3"], facts["linux_banner"], banner))
    if stext:
        cases.append(("kernel text at _stext", facts["cr3"], facts["stext"], stext))
    acceptance(facts, cases)


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--out" or args[2] not in ("tiny", "linux"):
        print("usage: test-qemu-snapshots.py --out DIR (tiny|linux) [options]", file=sys.stderr)
        return 2
    out, kind = args[1], args[2]
    fixtures = subprocess.run([sys.executable, os.path.join(HERE, "qemu-fixtures.py"), kind,
                               "--out", out] + args[3:],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=300)
    if not check(fixtures.returncode == 0, "%s guest booted and snapshotted into %s" % (kind, out)):
        diag(fixtures.stderr)
        return done()
    with open(os.path.join(out, "facts.json")) as f:
        facts = json.load(f)
    diag("QEMU %s, %.1f s, CR3 0x%x, RIP 0x%x" % (facts["qemu_version"], facts["seconds"],
                                                 facts["cr3"], facts["rip"]))
    if kind == "tiny":
        test_tiny(facts, out)
    else:
        test_linux(facts, out)
    return done()


if __name__ == "__main__":
    sys.exit(main())
