#!/usr/bin/env python3
# Writes the seeds of fuzz-jitdump and fuzz-perfmap (tests/fuzz/corpus/jitdump/
# and perfmap/): small synthetic jitdumps in both byte orders and perf maps,
# each reaching one part of the parsers. Run from anywhere; it overwrites them.
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


class Dump:
    def __init__(self, big=False, header_size=40, flags=0):
        self.e = '>' if big else '<'
        self.b = bytearray(struct.pack(self.e + 'IIIIIIQQ', 0x4A695444, 1, header_size,
                                       62, 0, 4242, 123456789, flags))
        self.b += b'\xee' * (header_size - 40)

    def record(self, rid, ts, body):
        self.b += struct.pack(self.e + 'IIQ', rid, 16 + len(body), ts) + body

    def load(self, ts, addr, code, index, name):
        self.record(0, ts, struct.pack(self.e + 'IIQQQQ', 4242, 4243, addr, addr, len(code),
                                       index) + name + b'\0' + code)

    def move(self, ts, old, new, size, index):
        self.record(1, ts, struct.pack(self.e + 'IIQQQQQ', 4242, 4243, new, old, new, size,
                                       index))

    def debug(self, ts, addr, entries):
        body = struct.pack(self.e + 'QQ', addr, len(entries))
        for a, line, name in entries:
            body += struct.pack(self.e + 'QII', a, line, 0) + name + b'\0'
        self.record(2, ts, body)

    def unwinding(self, ts):
        self.record(4, ts, struct.pack(self.e + 'QQQ', 8, 0, 8) + b'\x01' * 8)

    def close(self, ts):
        self.record(3, ts, b'')


def code(seed, n):
    return bytes((seed * 41 + i * 7 + 1) & 0xff for i in range(n))


def write(folder, name, data):
    with open(os.path.join(here, folder, name), 'wb') as f:
        f.write(data)


for big in (False, True):
    order = 'be' if big else 'le'
    d = Dump(big)
    d.debug(90, 0x1000, [(0x1000, 10, b'/src/x.js'), (0x1008, 11, b'\xff'),
                         (0x1010, 20, b'/src/y.js')])
    d.load(100, 0x1000, code(1, 0x20), 1, b'JS:*first /src/x.js:1:1')
    d.unwinding(101)
    d.load(200, 0x1000, code(2, 0x10), 2, b'JS:*second /src/x.js:5:1')
    d.load(200, 0x1008, code(3, 0x10), 3, b'JS:~same-time')
    d.move(300, 0x1008, 0x2000, 0x10, 3)
    d.close(400)
    write('jitdump', order + '-reuse-move-lines', d.b)

    d = Dump(big, header_size=64, flags=1)
    d.load(5, 0x7f0000001000, code(4, 0x30), 9, b'tsc')
    d.record(99, 6, b'future record')
    d.load(4, 0x7f0000001010, code(5, 0x8), 10, b'earlier time, later record')
    write('jitdump', order + '-tsc-header-64-unknown-id', d.b)

d = Dump()
d.load(100, 0x1000, code(6, 0x40), 1, b'whole')
d.load(200, 0x2000, code(7, 0x40), 2, b'cut')
write('jitdump', 'le-partial-last-record', d.b[:-20])

d = Dump()
d.load(100, 0x1000, code(8, 0x10), 1, b'f')
d.close(120)
write('jitdump', 'le-close-then-garbage', d.b + b'garbage')

write('jitdump', 'header-only', Dump().b)

write('perfmap', 'node-like',
      b'18c4000 300 Builtin:DeoptimizationEntry_Eager\n'
      b'7f191a7e3b80 378 JS:~hotLoop /tmp/hot.js:1:17\n'
      b'2314a1b51c0e 2a JS:~hotLoop /tmp/hot.js:1:17\n'
      b'7f191a7e3b80 128 JS:^hotLoop /tmp/hot.js:1:17\n')
write('perfmap', 'sizes-and-syntax',
      b'0x1000 0x10 with prefix\n'
      b'\n'
      b'2000 0 unknown size\r\n'
      b'  3000\t8\tname with  spaces \n'
      b'ffffffffffffffff 0 top\n')
write('perfmap', 'bad-lines',
      b'1000 10 good\nzz 10 bad\n2000\n3000 10 \n' + b'x\n' * 12 + b'12345678901234567 1 long\n')
write('perfmap', 'not-a-map', b'\x7fELF\x02\x01\x01\0\nnothing here\n')
