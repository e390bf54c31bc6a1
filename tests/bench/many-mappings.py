#!/usr/bin/env python3
"""Memory with very many mappings around a real one, for the many-mappings
benchmark (issue 12, item 6): large JVM, browser and fuzzing-target
processes have hundreds of thousands of mappings.

  many-mappings.py core IN_CORE OUT_CORE N
      IN_CORE plus N one-page dumped PT_LOADs, none adjacent to another,
      above the real ones (PN_XNUM program header count when needed). The
      extra pages are holes of a sparse file: the core is small on disk.

  many-mappings.py pagedump IN_CORE EXE OUT_PREFIX N
      OUT_PREFIX.addr/.dump: the pages of IN_CORE (dumped pages from the
      core, the others from the static program EXE), plus N scattered pages
      (a sparse .dump).

Only ELF64 little-endian cores, as ipt-record and Linux write them.
"""
import struct
import sys

PAGE = 4096
PT_LOAD = 1
PN_XNUM = 0xFFFF
EXTRA_BASE = 0x100000000000   # far above the demo's mappings, below the stack


def read_elf(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("%s: not an ELF64 little-endian file" % path)
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    phdrs = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
    return data, phdrs


def core(in_core, out_core, n):
    data, phdrs = read_elf(in_core)
    extra_at = (len(data) + PAGE - 1) // PAGE * PAGE
    phdrs = list(phdrs)
    for i in range(n):
        phdrs.append((PT_LOAD, 4, extra_at + i * PAGE, EXTRA_BASE + i * 2 * PAGE, 0, PAGE, PAGE, PAGE))
    phoff = extra_at + n * PAGE
    shoff = phoff + len(phdrs) * 56
    ehdr = bytearray(data[:64])
    struct.pack_into("<Q", ehdr, 0x20, phoff)
    struct.pack_into("<Q", ehdr, 0x28, shoff if len(phdrs) >= PN_XNUM else 0)
    struct.pack_into("<HHHH", ehdr, 0x36, 56, min(len(phdrs), PN_XNUM), 64 if len(phdrs) >= PN_XNUM else 0,
                     1 if len(phdrs) >= PN_XNUM else 0)
    struct.pack_into("<H", ehdr, 0x3E, 0)
    with open(out_core, "wb") as f:
        f.write(ehdr)
        f.write(data[64:])
        f.seek(phoff)
        for p in phdrs:
            f.write(struct.pack("<IIQQQQQQ", *p))
        if len(phdrs) >= PN_XNUM:
            # section header 0 carries the real count in sh_info (ELF's PN_XNUM rule)
            f.write(struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, len(phdrs), 0, 0))


def pagedump(in_core, exe, prefix, n):
    cdata, cphdrs = read_elf(in_core)
    edata, ephdrs = read_elf(exe)
    pages = {}
    for p_type, _, off, vaddr, _, filesz, memsz, _ in cphdrs:
        if p_type != PT_LOAD:
            continue
        for a in range(vaddr, vaddr + memsz, PAGE):
            if a - vaddr < filesz:
                pages[a] = cdata[off + a - vaddr:off + a - vaddr + PAGE]
    for p_type, _, off, vaddr, _, filesz, memsz, _ in ephdrs:
        if p_type != PT_LOAD:
            continue
        first = vaddr // PAGE * PAGE
        for a in range(first, vaddr + filesz, PAGE):
            if a in pages:
                continue
            page = bytearray(PAGE)
            lo = max(a, vaddr)
            hi = min(a + PAGE, vaddr + filesz)
            page[lo - a:hi - a] = edata[off + lo - vaddr:off + hi - vaddr]
            pages[a] = bytes(page)
    real = sorted(pages)
    with open(prefix + ".addr", "wb") as addr, open(prefix + ".dump", "wb") as dump:
        for a in real:
            addr.write(struct.pack("<Q", a))
            dump.write(pages[a])
        for i in range(n):
            addr.write(struct.pack("<Q", EXTRA_BASE + i * 2 * PAGE))
        dump.truncate((len(real) + n) * PAGE)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "core":
        core(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "pagedump":
        pagedump(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
