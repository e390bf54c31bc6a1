#!/usr/bin/env python3
# Writes the seeds of fuzz-perf-data (tests/fuzz/corpus/perf-data/): small
# synthetic perf.data files in file and pipe mode, each reaching one part of
# the reader (attrs and their ids, sample_id layouts, AUXTRACE_INFO,
# AUXTRACE queues and gaps, every sideband record, features). Run from
# anywhere; it overwrites them.
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
MAGIC = b'PERFILE2'
TID, TIME, ID, CPU, STREAM_ID, IDENTIFIER = 1 << 1, 1 << 2, 1 << 6, 1 << 7, 1 << 9, 1 << 16
ALL = TID | TIME | CPU | IDENTIFIER


def pad8(b):
    return b + b'\0' * (-len(b) % 8)


class Perf:
    def __init__(self, pipe, attr_size=112):
        self.pipe, self.attr_size = pipe, attr_size
        self.attrs, self.data, self.features = [], bytearray(), {}

    def attr_bytes(self, typ, config, st, id_all):
        a = struct.pack('<IIQQQQQ', typ, self.attr_size, config, 1, st, 0,
                        (1 << 18) if id_all else 0)
        return a + b'\0' * (self.attr_size - len(a))

    def attr(self, typ, config, st, id_all, ids):
        self.attrs.append((typ, config, st, id_all, ids))
        if self.pipe:
            self.record(64, 0, self.attr_bytes(typ, config, st, id_all)
                        + b''.join(struct.pack('<Q', i) for i in ids))

    def feature(self, bit, payload):
        if self.pipe:
            self.record(80, 0, struct.pack('<Q', bit) + payload)
        else:
            self.features[bit] = payload

    def trailer(self, sid):
        if sid is None:
            return b''
        pid, tid, time, ident, cpu = sid
        st, id_all = 0, False
        for typ, config, s, a, ids in self.attrs:
            if ident in ids or not st:
                st, id_all = s, a
                if ident in ids:
                    break
        if not id_all:
            return b''
        t = b''
        if st & TID:
            t += struct.pack('<II', pid, tid)
        if st & TIME:
            t += struct.pack('<Q', time)
        if st & ID:
            t += struct.pack('<Q', ident)
        if st & STREAM_ID:
            t += struct.pack('<Q', ident)
        if st & CPU:
            t += struct.pack('<II', cpu, 0)
        if st & IDENTIFIER:
            t += struct.pack('<Q', ident)
        return t

    def record(self, typ, misc, body, sid=None, after=b''):
        body = pad8(body) + self.trailer(sid)
        self.data += struct.pack('<IHH', typ, misc, 8 + len(body)) + body + after

    def file(self):
        out = bytearray(MAGIC + struct.pack('<Q', 16)) if self.pipe else None
        if self.pipe:
            return bytes(out + self.data)
        entry = self.attr_size + 16
        ids_at = 104
        attrs_at = ids_at + 8 * sum(len(a[4]) for a in self.attrs)
        data_at = attrs_at + entry * len(self.attrs)
        bits = 0
        for b in self.features:
            bits |= 1 << b
        out = bytearray(MAGIC + struct.pack('<QQQQQQQQ', 104, entry, attrs_at,
                                            entry * len(self.attrs), data_at, len(self.data),
                                            0, 0))
        out += bits.to_bytes(32, 'little')
        for a in self.attrs:
            out += b''.join(struct.pack('<Q', i) for i in a[4])
        at = ids_at
        for typ, config, st, id_all, ids in self.attrs:
            out += self.attr_bytes(typ, config, st, id_all) + struct.pack('<QQ', at, 8 * len(ids))
            at += 8 * len(ids)
        out += self.data
        payload_at = len(out) + 16 * len(self.features)
        for b in sorted(self.features):
            out += struct.pack('<QQ', payload_at, len(self.features[b]))
            payload_at += len(self.features[b])
        for b in sorted(self.features):
            out += self.features[b]
        return bytes(out)


def cpuid(p, s=b'GenuineIntel,6,78,3'):
    p.feature(9, struct.pack('<I', 64) + s + b'\0' * (64 - len(s)))


def build_id_event(name, bid=b'\xaa' * 20):
    body = struct.pack('<i', -1) + bid + b'\0' * 4 + pad8(name + b'\0')
    return struct.pack('<IHH', 67, 0, 8 + len(body)) + body


def pt_info(p, n=17, filt=None):
    priv = [6, 31, 1789569706, 1000, 1, 0x400, 0x800, 3, 0, 1, 0x200, 0x3c000, 100, 2, 2, 12,
            len(filt) if filt else 0][:n]
    body = struct.pack('<II', 1, 0) + b''.join(struct.pack('<Q', v) for v in priv)
    if filt:
        body += pad8(filt + b'\0')
    p.record(70, 0, body)


def auxtrace(p, data, offset, idx, tid, cpu):
    data = pad8(data)
    p.record(71, 0, struct.pack('<QQQIIII', len(data), offset, 1, idx, tid & 0xffffffff,
                                cpu & 0xffffffff, 0), after=data)


def sideband(p, s0, s1):
    p.record(79, 0, struct.pack('<QQQ', 31, 1789569706, 1000))
    p.record(3, 1 << 13, struct.pack('<II', 42, 43) + b'prog\0', s0)
    p.record(7, 0, struct.pack('<IIIIQ', 42, 41, 43, 41, 5), s0)
    p.record(12, 0, struct.pack('<II', 42, 43), s0)
    p.record(1, 1, struct.pack('<IIQQQ', -1 & 0xffffffff, 0, 0xffffffff81000000, 0x100000,
                               0) + b'[kernel.kallsyms]_text\0', s0)
    p.record(10, 2 | (1 << 14), struct.pack('<IIQQQ', 42, 43, 0x400000, 0x1000, 0)
             + bytes([20, 0, 0, 0]) + b'\x11' * 20 + struct.pack('<II', 5, 2)
             + b'/usr/bin/prog\0', s0)
    p.record(10, 2, struct.pack('<IIQQQ', 42, 43, 0x7f0000000000, 0x2000, 0x1000)
             + b'\0' * 24 + struct.pack('<II', 5, 2) + b'/lib/libc.so.6\0', s1)
    p.record(14, 1 << 13, b'', s0)
    p.record(15, 0, struct.pack('<II', 7, 8), s1)
    p.record(11, 0, struct.pack('<QQQ', 0, 16, 1), s1)
    p.record(2, 0, struct.pack('<QQ', 1, 3), s0)
    p.record(13, 0, struct.pack('<Q', 4), s0)
    p.record(17, 0, struct.pack('<QIHH', 0xffffffffa0000000, 0x100, 1, 0) + b'bpf_prog\0', s0)
    p.record(20, 0, struct.pack('<QHH', 0xffffffff81001000, 2, 2) + b'\x90\x90\xcc\xcc', s0)
    p.record(9, 0, b'\0' * 24)
    p.record(4242, 0, b'unknown')
    p.record(4, 0, struct.pack('<IIIIQ', 42, 41, 43, 41, 9), s1)
    p.record(68, 0, b'')


def recording(pipe, attr_size=112, filt=None, two_attrs=False):
    p = Perf(pipe, attr_size)
    p.attr(6, 0x300e601, ALL | 1, True, [7, 8])
    if two_attrs:
        p.attr(1, 9, TID | TIME | IDENTIFIER, True, [20])
    cpuid(p)
    if pipe:
        p.data += build_id_event(b'/usr/bin/prog')
        p.record(66, 0, struct.pack('<II', 8, 0), after=b'tracing!')
    else:
        p.feature(2, build_id_event(b'/usr/bin/prog') + build_id_event(b'/lib/libc.so.6'))
    pt_info(p, filt=filt)
    s0, s1 = (42, 43, 1000, 7, 0), (42, 43, 2000, 20 if two_attrs else 8, 1)
    sideband(p, s0, s1)
    auxtrace(p, b'\x02\x82' * 8, 0, 0, -1, 0)
    auxtrace(p, bytes(range(16)), 0, 1, -1, 1)
    auxtrace(p, bytes(range(16, 24)), 0x100, 1, -1, 1)
    return p.file()


def per_thread():
    p = Perf(False)
    p.attr(6, 0x300e601, TID | TIME | ID | CPU, True, [1])
    pt_info(p, n=10)
    p.record(3, 0, struct.pack('<II', 50, 51) + b'worker\0', (50, 51, 10, 1, 0))
    auxtrace(p, b'\x00' * 16, 0, 0, 51, -1)
    p.record(11, 0, struct.pack('<QQQ', 0, 8, 1), (50, 51, 11, 1, 0))
    auxtrace(p, b'\x00' * 16, 16, 0, 51, -1)
    return p.file()


seeds = {
    'file-mode': recording(False),
    'file-mode-filter-attr-136': recording(False, 136, b'filter 0x1000/0x100@/bin/x'),
    'file-mode-two-attrs': recording(False, two_attrs=True),
    'pipe-mode': recording(True),
    'pipe-mode-two-attrs-attr-128': recording(True, 128, two_attrs=True),
    'per-thread-gaps': per_thread(),
    'header-only': MAGIC + struct.pack('<Q', 104) + b'\0' * 88,
    'pipe-header-only': MAGIC + struct.pack('<Q', 16),
}

out_dir = os.path.join(here, 'perf-data')
os.makedirs(out_dir, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out_dir, name), 'wb') as f:
        f.write(data)
