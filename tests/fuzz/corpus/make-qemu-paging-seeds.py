#!/usr/bin/env python3
# Writes the seeds of fuzz-qemu-paging into qemu-paging/: a mode byte, a
# little-endian CR3, then guest RAM holding 4-level (and 5-level) page
# tables with 4 KiB and 2 MiB pages. Run from this folder.
import struct

ram = bytearray(0x6000)


def put(table, index, entry):
    struct.pack_into('<Q', ram, table + index * 8, entry)


put(0x1000, 0, 0x2000 | 7)                        # PML4[0] -> PDPT, user, writable
put(0x1000, 511, 0x2000 | 3)                      # the upper half, supervisor
put(0x2000, 0, 0x3000 | 7)                        # PDPT[0] -> PD
put(0x3000, 2, 0x4000 | 7)                        # PD[2] -> PT: 0x400000
put(0x3000, 3, 0x200000 | 0x83 | (1 << 63))       # PD[3]: a 2 MiB page, XD
put(0x4000, 0, 0x5000 | 5)                        # a read-only 4 KiB page
put(0x4000, 1, 0x6000 | 7)
# the first bytes of RAM double as the harness's probe addresses
struct.pack_into('<Q', ram, 0, 0x400000)
struct.pack_into('<Q', ram, 8, 0x600123)
with open('qemu-paging/four-level', 'wb') as f:
    f.write(bytes([0]) + struct.pack('<Q', 0x1000) + bytes(ram))

ram5 = bytearray(ram) + bytearray(0x1000)
struct.pack_into('<Q', ram5, 0x6000, 0x1000 | 7)   # PML5[0] -> the PML4
with open('qemu-paging/five-level', 'wb') as f:
    f.write(bytes([1]) + struct.pack('<Q', 0x6000) + bytes(ram5))
