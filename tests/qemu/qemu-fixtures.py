#!/usr/bin/env python3
"""qemu-fixtures.py: the qemu suite's guests, booted and snapshotted.

    qemu-fixtures.py tiny  --guest TINY_ELF [--la57] [--exec-log] --out DIR
    qemu-fixtures.py linux --kernel-dir DIR --busy PROG [--busybox PATH] --out DIR

Runs qemu-snapshots.py (beside this file) on one guest and writes, besides
its snapshots (dump.elf, migration.qevm, savevm.qcow2 with snapshot "ipt")
and registers.json, DIR/facts.json: what a test needs to know about the
guest, as plain JSON numbers and strings (addresses as integers).

tiny: the project's tiny guest (tiny-guest.S; its layout in tiny-guest.h,
read here from the header itself), 4-level paging or with --la57 5-level;
--exec-log adds DIR/exec.log, QEMU's log of every instruction of the
guest's 64-bit code (the higher half and TINY_USER_VA).

linux: Debian's kernel (from DIR/boot/vmlinuz-*, .ci/setup unpacks it) with
an initramfs made here from busybox and PROG (linux-busy.c), stopped while
PROG spins in user space. Kernel symbols come from the guest's own
/proc/kallsyms (Debian's System.map is a stub; the real one is in the
-dbg package); a real System.map, if there is one, must agree.

Python 3 standard library only. A failure prints one line and exits 1.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import argparse
import glob
import json
import os
import re
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


def read_defines(header):
    """tiny-guest.h's #defines, numbers evaluated, strings unquoted."""
    raw = {}
    with open(header) as f:
        for line in f:
            m = re.match(r"#define\s+(\w+)\s+(.+?)\s*(/\*.*)?$", line)
            if m:
                raw[m.group(1)] = m.group(2)
    values = {}

    def value(name):
        if name not in values:
            text = raw[name]
            if text.startswith('"'):
                values[name] = json.loads(text)
            else:
                text = re.sub(r"[A-Z_][A-Z0-9_]*", lambda m: str(value(m.group(0))), text)
                if not re.fullmatch(r"[0-9a-fx+\-*() ]+", text):
                    raise Failure("tiny-guest.h: cannot evaluate %s" % name)
                values[name] = eval(text, {"__builtins__": {}})
        return values[name]

    for name in raw:
        value(name)
    return values


def elf_loads(path):
    """(vaddr, paddr, bytes) of each PT_LOAD of an ELF32 or ELF64 file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise Failure("%s: not an ELF file" % path)
    if data[4] == 1:
        phoff, phentsize, phnum = (struct.unpack_from("<I", data, 28)[0],
                                   *struct.unpack_from("<HH", data, 42))
        fields = lambda o: struct.unpack_from("<IIIIII", data, o)  # type off vaddr paddr filesz memsz
    else:
        phoff, phentsize, phnum = (struct.unpack_from("<Q", data, 32)[0],
                                   *struct.unpack_from("<HH", data, 54))
        fields = lambda o: (lambda t, fl, off, va, pa, fs, ms: (t, off, va, pa, fs, ms))(
            *struct.unpack_from("<IIQQQQQ", data, o))
    loads = []
    for i in range(phnum):
        p_type, offset, vaddr, paddr, filesz, _ = fields(phoff + i * phentsize)
        if p_type == 1:
            loads.append((vaddr, paddr, data[offset:offset + filesz]))
    return loads


def elf_bytes(path, address, size, physical=False):
    for vaddr, paddr, data in elf_loads(path):
        base = paddr if physical else vaddr
        if base <= address and address + size <= base + len(data):
            return data[address - base:address - base + size]
    raise Failure("%s: 0x%x+%d is not in its file" % (path, address, size))


def snapshots(out, marker_args, qemu_args, timeout, extra=()):
    command = [sys.executable, os.path.join(HERE, "qemu-snapshots.py"), "--out", out,
               "--timeout", str(timeout)] + marker_args + list(extra) + ["--"] + qemu_args
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=timeout + 30)
    if result.returncode != 0:
        raise Failure((result.stderr.strip() or "qemu-snapshots.py failed")
                      + " (QEMU's messages: %s)" % os.path.join(out, "qemu.log"))
    with open(os.path.join(out, "registers.json")) as f:
        return json.load(f)


def tiny(args):
    layout = read_defines(os.path.join(HERE, "tiny-guest.h"))
    levels = 5 if args.la57 else 4
    extra = []
    if args.exec_log:
        # the 64-bit code only: the higher half and the code at TINY_USER_VA
        extra = ["--exec-log", "0x%x+0x%x,0x%x+0x%x" % (
            layout["TINY_KERNEL_VA"], layout["TINY_KERNEL_SIZE"],
            layout["TINY_USER_VA"], layout["TINY_USER_SIZE"])]
    run = snapshots(args.out, ["--debugcon-marker", layout["TINY_DONE_MARKER"],
                               "--fail-marker", layout["TINY_ERROR_MARKER"], "--halted"],
                    ["-cpu", "qemu64,+pdpe1gb" + (",+la57" if args.la57 else ""),
                     "-m", "16", "-kernel", os.path.abspath(args.guest)],
                    args.timeout, extra)
    suffix = "_%dLEVEL" % levels
    facts = {
        "guest": "tiny",
        "paging_levels": levels,
        "cr3_a": layout["TINY_CR3_A" + suffix],
        "cr3_b": layout["TINY_CR3_B" + suffix],
        "user_va": layout["TINY_USER_VA"],
        "user_size": layout["TINY_USER_SIZE"],
        "user_a_pa": layout["TINY_USER_A_PA"],
        "user_b_pa": layout["TINY_USER_B_PA"],
        "kernel_va": layout["TINY_KERNEL_VA"],
        "kernel_pa": layout["TINY_KERNEL_PA"],
        "kernel_size": layout["TINY_KERNEL_SIZE"],
        "gib_va": layout["TINY_GIB_VA"],
        "rounds": layout["TINY_ROUNDS"],
        "guest_elf": os.path.abspath(args.guest),
        "checksum": run["marker_line"].split(layout["TINY_DONE_MARKER"], 1)[1].strip(),
    }
    # The halt loop at RIP, as built: the 64-bit code is linked at its
    # physical address.
    rip = run["registers"]["rip"]
    if not facts["kernel_va"] <= rip < facts["kernel_va"] + facts["kernel_size"]:
        raise Failure("stopped at RIP 0x%x, not in the higher half" % rip)
    facts["kernel_code_at_rip"] = elf_bytes(args.guest, facts["kernel_pa"] + rip - facts["kernel_va"],
                                            16, physical=True).hex()
    # The code at TINY_USER_VA as built, for each address space (whole
    # pages: the guest pads them).
    for space in ("a", "b"):
        facts["user_code_%s" % space] = elf_bytes(args.guest, facts["user_%s_pa" % space],
                                                  facts["user_size"], physical=True).hex()
    return run, facts


def cpio_newc(entries):
    """An uncompressed newc cpio archive of (name, mode, data, rdev) entries:
    written here, so that /dev/console needs no mknod and no root."""
    out = bytearray()
    for ino, (name, mode, data, rdev) in enumerate(entries + [("TRAILER!!!", 0, b"", (0, 0))], 1):
        encoded = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(data),
                  0, 0, rdev[0], rdev[1], len(encoded), 0)
        out += b"070701" + b"".join(b"%08x" % v for v in fields) + encoded
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


INIT = """#!/bin/sh
# the qemu suite's Linux guest: what the test needs, then the busy program
export PATH=/bin
mount -t proc proc /proc
echo "ipt-guest: release $(uname -r)"
grep -E ' (_stext|linux_banner)$' /proc/kallsyms | sed 's/^/ipt-guest: kallsyms /'
exec /bin/linux-busy
"""


def linux(args):
    kernels = sorted(glob.glob(os.path.join(args.kernel_dir, "boot", "vmlinuz-*")))
    if not kernels:
        raise Failure("no Debian kernel in %s/boot (bash .ci/setup BUILD_DIR unpacks it)"
                      % args.kernel_dir)
    kernel = kernels[-1]
    release = os.path.basename(kernel)[len("vmlinuz-"):]
    os.makedirs(args.out, exist_ok=True)
    initramfs = os.path.join(args.out, "initramfs.cpio")
    with open(args.busybox, "rb") as f:
        busybox = f.read()
    with open(args.busy, "rb") as f:
        busy = f.read()
    directory, executable, symlink = 0o040755, 0o100755, 0o120777
    with open(initramfs, "wb") as f:
        f.write(cpio_newc([
            ("bin", directory, b"", (0, 0)),
            ("dev", directory, b"", (0, 0)),
            ("dev/console", 0o020600, b"", (5, 1)),
            ("proc", directory, b"", (0, 0)),
            ("bin/busybox", executable, busybox, (0, 0)),
            ("bin/sh", symlink, b"busybox", (0, 0)),
            ("bin/mount", symlink, b"busybox", (0, 0)),
            ("bin/uname", symlink, b"busybox", (0, 0)),
            ("bin/grep", symlink, b"busybox", (0, 0)),
            ("bin/sed", symlink, b"busybox", (0, 0)),
            ("bin/linux-busy", executable, busy, (0, 0)),
            ("init", executable, INIT.encode(), (0, 0)),
        ]))
    run = snapshots(args.out, ["--serial-marker", "ipt-busy: spinning",
                               "--fail-marker", "Kernel panic", "--user-mode", "20"],
                    ["-m", "128", "-kernel", kernel, "-initrd", initramfs,
                     "-append", "console=ttyS0 nokaslr panic=-1 quiet"],
                    args.timeout)
    with open(os.path.join(args.out, "serial.log"), errors="replace") as f:
        serial = f.read()
    symbols = {m.group(2): int(m.group(1), 16) for m in
               re.finditer(r"ipt-guest: kallsyms ([0-9a-f]+) \w (\w+)", serial)}
    uname = re.search(r"ipt-guest: release (\S+)", serial)
    if "_stext" not in symbols or "linux_banner" not in symbols or not uname:
        raise Failure("the guest did not print its release and symbols: see %s"
                      % os.path.join(args.out, "serial.log"))
    if uname.group(1) != release:
        raise Failure("the guest runs %s, not %s" % (uname.group(1), release))
    system_map = os.path.join(args.kernel_dir, "boot", "System.map-" + release)
    map_symbols = {}
    if os.path.exists(system_map):
        with open(system_map) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] in symbols:
                    map_symbols[parts[2]] = int(parts[0], 16)
    for name, address in map_symbols.items():
        if address != symbols[name]:
            raise Failure("%s: %s at 0x%x, the guest says 0x%x"
                          % (system_map, name, address, symbols[name]))
    rip = run["registers"]["rip"]
    facts = {
        "guest": "linux",
        "kernel": kernel,
        "kernel_release": release,
        "stext": symbols["_stext"],
        "linux_banner": symbols["linux_banner"],
        "symbols_from": "System.map and /proc/kallsyms" if map_symbols else "/proc/kallsyms",
        "busy_program": os.path.abspath(args.busy),
        "boot_seconds": run["marker_seconds"],
    }
    # The user code at the stopped RIP, as the busy program's file has it.
    try:
        facts["user_code_at_rip"] = elf_bytes(args.busy, rip, 16).hex()
    except Failure:
        raise Failure("stopped at RIP 0x%x, not in %s's text" % (rip, args.busy))
    return run, facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("guest_kind", choices=("tiny", "linux"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=90)
    parser.add_argument("--guest", help="tiny: the guest ELF")
    parser.add_argument("--la57", action="store_true", help="tiny: the 5-level build")
    parser.add_argument("--exec-log", action="store_true", help="tiny: write exec.log")
    parser.add_argument("--kernel-dir", help="linux: where boot/vmlinuz-* is")
    parser.add_argument("--busy", help="linux: the busy program")
    parser.add_argument("--busybox", default="/bin/busybox", help="linux: a static busybox")
    args = parser.parse_args()
    try:
        if args.guest_kind == "tiny":
            if not args.guest:
                raise Failure("tiny needs --guest")
            run, facts = tiny(args)
        else:
            if not args.kernel_dir or not args.busy:
                raise Failure("linux needs --kernel-dir and --busy")
            run, facts = linux(args)
        facts.update({
            "cr3": run["registers"]["cr3"],
            "rip": run["registers"]["rip"],
            "cpl": run["registers"]["cpl"],
            "registers": run["registers"],
            "stop_attempts": run["stop_attempts"],
            "qemu_version": run["qemu_version"],
            "seconds": run["seconds"],
            "snapshots": {kind: os.path.join(os.path.abspath(args.out), name) for kind, name in
                          (("elf", "dump.elf"), ("migration", "migration.qevm"),
                           ("qcow2", "savevm.qcow2"))},
            "savevm_tag": "ipt",
        })
        with open(os.path.join(args.out, "facts.json"), "w") as f:
            json.dump(facts, f, indent=2, sort_keys=True)
            f.write("\n")
    except Exception as e:  # one line, whatever went wrong
        print("qemu-fixtures: %s: %s" % (args.guest_kind, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
