#!/usr/bin/env python3
"""Writes a QEMU snapshot — a dump-guest-memory ELF file (as QEMU 7.2 writes
one: e_ehsize 8, every p_vaddr 0, the RAM's address in p_paddr, an
NT_PRSTATUS and a "QEMU" CPU-state note), or with --format migration a
migration stream ("QEVM" v3: the configuration, a ram section whose pc.ram
holds every page as a page record or a zero record, no device state) —
whose guest maps given pages of virtual memory through x86-64 page tables,
so that a trace of those pages decodes through the qemu plugin.

The pages come from a kAFL/Nyx page dump (pages.addr: little-endian u64
virtual page addresses; pages.dump: the pages) or from a flat file loaded at
an address. Their guest-physical pages are scattered (a seeded shuffle), so
that the translation matters: nothing is where a flat reading would put it.
Each --cr3 gets its own page tables, at that guest-physical address, mapping
the same pages; the first is the vCPU's CR3.

  make-qemu-snapshot.py --pages pages.addr pages.dump --cr3 0x48c91000 \\
      --cr3 0x48c90000 -o guest.elf

Used by the corpus tests and the qemu benchmark (a real QEMU-PT trace over a
snapshot made from its page dump) and to make the fuzz seeds (--small).
"""
import argparse
import random
import struct
import sys

PAGE = 4096
P, RW, US = 0x1, 0x2, 0x4
PT_LOAD, PT_NOTE, ET_CORE, EM_X86_64 = 1, 4, 4, 62
NT_PRSTATUS = 1


def parse_int(text):
    return int(text, 0)


class Guest:
    """Guest-physical memory as a dict of 4 KiB pages, and page tables."""

    def __init__(self, levels, pool_base, seed):
        self.pages = {}
        self.levels = levels
        self.next_free = pool_base
        self.rng = random.Random(seed)

    def alloc(self):
        while self.next_free in self.pages:
            self.next_free += PAGE
        page = self.next_free
        self.pages[page] = bytearray(PAGE)
        self.next_free += PAGE
        return page

    def table(self, paddr):
        if paddr not in self.pages:
            self.pages[paddr] = bytearray(PAGE)
        return self.pages[paddr]

    def map(self, cr3, vaddr, paddr, flags):
        table = cr3 & ~0xFFF
        for level in range(self.levels, 1, -1):
            index = (vaddr >> (12 + 9 * (level - 1))) & 511
            (entry,) = struct.unpack_from("<Q", self.table(table), index * 8)
            if not entry & P:
                entry = self.alloc() | P | RW | US
                struct.pack_into("<Q", self.table(table), index * 8, entry)
            table = entry & 0x000FFFFFFFFFF000
        index = (vaddr >> 12) & 511
        struct.pack_into("<Q", self.table(table), index * 8, paddr | flags)


PSB = b"\x02\x82" * 8
# Sizes of the packets that follow 0x02 (Intel SDM vol. 3, 33.4.2), by their
# second byte: PSBEND, long TNT, PIP, CBR, VMCS, OVF, TraceStop, MNT, TMA,
# PWRE, PWRX, EXSTOP (IP bit clear and set), MWAIT.
EXT_SIZES = {0x23: 2, 0xA3: 8, 0x43: 8, 0x03: 4, 0xC8: 7, 0xF3: 2, 0x83: 2, 0xC3: 11,
             0x73: 7, 0x22: 4, 0xA2: 7, 0x62: 2, 0xE2: 2, 0xC2: 10}
IP_BYTES = {0: 0, 1: 2, 2: 4, 3: 6, 4: 6, 6: 8}


def trace_cr3s(path):
    """The CR3s of a raw PT stream's PIP packets, first seen first: a packet
    walk from each PSB; anything it does not know resumes at the next PSB."""
    with open(path, "rb") as f:
        data = f.read()
    found = []
    pos = data.find(PSB)
    while 0 <= pos < len(data):
        b = data[pos]
        size = None
        if b == 0x02 and pos + 1 < len(data):
            if data[pos + 1] == 0x82:
                size = 16
            elif data[pos + 1] == 0x12:              # PTW: 4 or 8 bytes of payload
                size = 2 + (8 if (data[pos + 1] >> 5) & 3 == 1 else 4)
            else:
                size = EXT_SIZES.get(data[pos + 1])
            if data[pos + 1] == 0x43 and pos + 8 <= len(data):
                payload = int.from_bytes(data[pos + 2:pos + 8], "little")
                cr3 = (payload >> 1) << 5
                if cr3 not in found:
                    found.append(cr3)
        elif b == 0x00 or (b & 1) == 0:              # PAD, short TNT
            size = 1
        elif b & 0x1F in (0x0D, 0x11, 0x01, 0x1D):   # TIP, TIP.PGE, TIP.PGD, FUP
            size = IP_BYTES.get(b >> 5)
            size = None if size is None else 1 + size
        elif b == 0x99 or b == 0x59:                 # MODE, MTC
            size = 2
        elif b == 0x19:                              # TSC
            size = 8
        elif b & 3 == 3:                             # CYC
            size = 1
            if b & 4:
                while pos + size < len(data) and data[pos + size] & 1:
                    size += 1
                size += 1
        if size is None:
            pos = data.find(PSB, pos + 1)
            continue
        pos += size
    return found


def qemu_cpu_note(cr3, la57, rip):
    state = bytearray(0x1B8)
    struct.pack_into("<II", state, 0, 1, len(state))
    struct.pack_into("<Q", state, 8 + 16 * 8, rip)
    struct.pack_into("<I", state, 8 + 18 * 8 + 8, 1 << 21)       # cs.flags: L
    cr = 8 + 18 * 8 + 10 * 24
    struct.pack_into("<QQQQQ", state, cr, 0x80050033, 0, 0, cr3, 0x20 | (0x1000 if la57 else 0))
    return bytes(state)


def note(name, ntype, desc):
    name = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def write_elf(path, guest, cr3, la57, rip):
    notes = note("CORE", NT_PRSTATUS, bytes(336)) + note("QEMU", 0, qemu_cpu_note(cr3, la57, rip))
    runs = []
    for page in sorted(guest.pages):
        if runs and runs[-1][0] + len(runs[-1][1]) == page:
            runs[-1][1].extend(guest.pages[page])
        else:
            runs.append([page, bytearray(guest.pages[page])])
    phnum = 1 + len(runs)
    offset = 64 + 56 * phnum
    phdrs = struct.pack("<IIQQQQQQ", PT_NOTE, 0, offset, 0, 0, len(notes), len(notes), 0)
    offset += len(notes)
    for paddr, data in runs:
        phdrs += struct.pack("<IIQQQQQQ", PT_LOAD, 0, offset, 0, paddr, len(data), len(data), 0)
        offset += len(data)
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header = ident + struct.pack("<HHIQQQIHHHHHH", ET_CORE, EM_X86_64, 1, 0, 64, 0, 0,
                                 8, 56, phnum, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(header + phdrs + notes)
        for _, data in runs:
            out.write(data)


def write_migration(path, guest):
    """pc.ram from 0 to the last page in use, every page a record: the pages
    in use as PAGE records (4096 bytes after a header, so not contiguous in
    the file: the plugin copies code into a memfd), the others ZERO."""
    be32 = lambda v: struct.pack(">I", v)
    be64 = lambda v: struct.pack(">Q", v)
    name = lambda text: bytes([len(text)]) + text.encode()
    size = (max(guest.pages) + PAGE + 0xFFFFF) & ~0xFFFFF     # whole MiBs
    ram_id = 2
    with open(path, "wb") as out:
        out.write(b"QEVM" + be32(3))
        out.write(b"\x07" + be32(len("pc-i440fx-7.2")) + b"pc-i440fx-7.2")
        out.write(b"\x01" + be32(ram_id) + name("ram") + be32(0) + be32(4))
        out.write(be64(size | 0x04) + name("pc.ram") + be64(size) + be64(0x10) +
                  b"\x7e" + be32(ram_id))
        out.write(b"\x02" + be32(ram_id))
        for i, addr in enumerate(range(0, size, PAGE)):
            continue_flag = 0x20 if i > 0 else 0
            header = be64(addr | continue_flag | (0x08 if addr in guest.pages else 0x02))
            if not continue_flag:
                header += name("pc.ram")
            out.write(header + (bytes(guest.pages[addr]) if addr in guest.pages else b"\0"))
        out.write(be64(0x10) + b"\x7e" + be32(ram_id))
        out.write(b"\x03" + be32(ram_id) + be64(0x10) + b"\x7e" + be32(ram_id))
        out.write(b"\x00")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs=2, metavar=("ADDR", "DUMP"),
                        help="a kAFL/Nyx page dump: page addresses and pages")
    parser.add_argument("--flat", nargs=2, metavar=("FILE", "ADDRESS"),
                        help="a flat memory image and where it is loaded")
    parser.add_argument("--cr3", action="append", type=parse_int, default=[],
                        help="a CR3 whose tables map the pages (repeat; the first is the vCPU's)")
    parser.add_argument("--cr3-from-trace", metavar="TRACE",
                        help="also every CR3 of the PIP packets of this raw PT stream")
    parser.add_argument("--la57", action="store_true", help="5-level paging")
    parser.add_argument("--format", choices=("elf", "migration"), default="elf",
                        help="dump-guest-memory ELF (with the vCPU's state) or a migration "
                        "stream (RAM only: the CR3s come from the trace)")
    parser.add_argument("--pool", type=parse_int, default=0x1000000,
                        help="guest-physical address from which pages are allocated")
    parser.add_argument("--seed", type=int, default=8, help="the shuffle of the physical pages")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    contents = {}
    if args.pages:
        with open(args.pages[0], "rb") as f:
            addrs = f.read()
        with open(args.pages[1], "rb") as f:
            dump = f.read()
        for i in range(len(addrs) // 8):
            (vaddr,) = struct.unpack_from("<Q", addrs, i * 8)
            contents[vaddr] = dump[i * PAGE:(i + 1) * PAGE].ljust(PAGE, b"\0")
    if args.flat:
        with open(args.flat[0], "rb") as f:
            data = f.read()
        base = parse_int(args.flat[1])
        for off in range(0, len(data), PAGE):
            contents[base + off] = data[off:off + PAGE].ljust(PAGE, b"\0")
    if not contents:
        sys.exit("make-qemu-snapshot.py: give --pages or --flat")
    if args.cr3_from_trace:
        args.cr3 += [cr3 for cr3 in trace_cr3s(args.cr3_from_trace) if cr3 not in args.cr3]
    if not args.cr3:
        sys.exit("make-qemu-snapshot.py: no CR3: give --cr3, or --cr3-from-trace with a trace "
                 "that has PIP packets")

    guest = Guest(5 if args.la57 else 4, args.pool, args.seed)
    for cr3 in args.cr3:
        guest.table(cr3 & ~0xFFF)
    vpages = sorted(contents)
    physical = [guest.alloc() for _ in vpages]
    guest.rng.shuffle(physical)
    for vaddr, paddr in zip(vpages, physical):
        guest.pages[paddr][:] = contents[vaddr]
        for cr3 in args.cr3:
            guest.map(cr3, vaddr, paddr, P | US)
    if args.format == "migration":
        write_migration(args.output, guest)
    else:
        write_elf(args.output, guest, args.cr3[0], args.la57, vpages[0])


if __name__ == "__main__":
    main()
