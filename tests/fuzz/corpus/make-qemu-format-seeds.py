#!/usr/bin/env python3
# Writes the seeds of fuzz-qemu-migration (qemu-migration/) and fuzz-qemu-qcow2
# (qemu-qcow2/): small QEMU migration streams shaped as QEMU 7.2 writes them
# (configuration, the ram section's block list and page records in START,
# PART and END sections with footers, device sections, EOF, the
# VMDESCRIPTION) and qcow2 version 2 and 3 images whose internal snapshots
# hold such a stream as their vmstate. Run from this folder.
import json
import os
import struct

PAGE = 4096
ZERO, MEM_SIZE, PAGE_F, EOS, CONT = 0x02, 0x04, 0x08, 0x10, 0x20


def name(s):
    return bytes([len(s)]) + s.encode()


def section(kind, sid, idstr=None, instance=0, version=0):
    b = bytes([kind]) + struct.pack('>I', sid)
    if idstr is not None:
        b += name(idstr) + struct.pack('>II', instance, version)
    return b


def footer(sid):
    return b'\x7e' + struct.pack('>I', sid)


def page(addr, flags, block=None, fill=0):
    b = struct.pack('>Q', addr | flags)
    if not flags & CONT:
        b += name(block)
    return b + (bytes([fill]) * PAGE if flags & PAGE_F else bytes([fill]))


def cpu_state(k):
    s = bytearray(1000)
    for off, v in ((32, 0x7000 + k), (128, 0xffffffff81000000 + k), (456, 0x80050033),
                   (472, 0x1234000 + k * 0x1000), (480, 0x3406f0), (816, 0xd01)):
        struct.pack_into('>Q', s, off, v)
    return bytes(s) + b'\x05' + name('cpu/test') + struct.pack('>II', 1, 0xdeadbeef)


def cpu_desc(k):
    fields = [('env.regs', 8, 16), ('env.eip', 8, 1), ('pad', 320, 1), ('env.cr[0]', 8, 1),
              ('env.cr[2]', 8, 1), ('env.cr[3]', 8, 1), ('env.cr[4]', 8, 1), ('pad', 328, 1),
              ('env.efer', 8, 1), ('pad', 176, 1)]
    return {'name': 'cpu', 'instance_id': k, 'vmsd_name': 'cpu', 'version': 12,
            'fields': [dict({'name': n, 'type': 'uint64', 'size': s},
                            **({'array_len': a} if a > 1 else {})) for n, s, a in fields],
            'subsections': [{'vmsd_name': 'cpu/test', 'version': 1,
                             'fields': [{'name': 'x', 'type': 'uint32', 'size': 4}]}]}


def stream(machine='pc-i440fx-7.2', vmdesc=True, capabilities=False):
    b = b'QEVM' + struct.pack('>I', 3)
    b += b'\x07' + struct.pack('>I', len(machine)) + machine.encode()
    if capabilities:
        b += b'\x05' + name('configuration/capabilities') + struct.pack('>II', 1, 1) + name('x-ignore-shared')
    b += section(1, 2, 'ram', 0, 4) + struct.pack('>Q', 0x12000 | MEM_SIZE)
    for block, size in (('pc.ram', 0x10000), ('pc.bios', 0x2000)):
        b += name(block) + struct.pack('>Q', size)
        if capabilities:
            b += struct.pack('>Q', 0)
    b += struct.pack('>Q', EOS) + footer(2)
    b += section(2, 2) + page(0, PAGE_F, 'pc.ram', 0xa1) + page(0x1000, ZERO | CONT)
    b += struct.pack('>Q', EOS) + footer(2)
    b += section(2, 2) + page(0x2000, PAGE_F | CONT, fill=0xa2) + page(0, PAGE_F | CONT, fill=0xa3)
    b += struct.pack('>Q', EOS) + footer(2)
    b += section(3, 2) + page(0x1000, PAGE_F, 'pc.bios', 0xb1) + page(0, ZERO | CONT)
    b += struct.pack('>Q', EOS) + footer(2)
    b += section(4, 3, 'timer', 0, 2) + bytes(24) + footer(3)
    b += section(4, 4, 'cpu', 0, 12) + cpu_state(0) + footer(4)
    b += b'\x00'
    if vmdesc:
        desc = json.dumps({'page_size': PAGE, 'devices': [
            {'name': 'timer', 'instance_id': 0, 'vmsd_name': 'timer', 'version': 2,
             'fields': [{'name': 't', 'type': 'int64', 'size': 8, 'array_len': 3}]},
            cpu_desc(0)]}, separators=(',', ':')).encode()
        b += b'\x06' + struct.pack('>I', len(desc)) + desc
    return b


def qcow2(vmstate, version=3, cluster_bits=9, disk_size=4096):
    cs = 1 << cluster_bits
    n = (len(vmstate) + cs - 1) // cs
    shift = 2 * cluster_bits - 3
    l1_index = (disk_size + (1 << shift) - 1) >> shift
    table, l1, l2, data = cs, 2 * cs, 3 * cs, 4 * cs
    img = bytearray(data + n * cs)
    struct.pack_into('>4sIQIIQIIQQIIQ', img, 0, b'QFI\xfb', version, 0, 0, cluster_bits,
                     disk_size, 0, 0, 0, 0, 0, 1, table)
    if version == 3:
        struct.pack_into('>QQQII', img, 72, 0, 0, 0, 4, 104)
    extra = struct.pack('>QQ', len(vmstate), disk_size) if version == 3 else b''
    entry = struct.pack('>QIHHIIQII', l1, l1_index + 1, 1, 4, 1700000000, 0, 0, len(vmstate),
                        len(extra)) + extra + b'1' + b'boot'
    img[table:table + len(entry)] = entry
    struct.pack_into('>Q', img, l1 + 8 * l1_index, l2 | 1 << 63)
    for i in range(n):
        struct.pack_into('>Q', img, l2 + 8 * i, (data + i * cs) | 1 << 63)
        chunk = vmstate[i * cs:(i + 1) * cs]
        img[data + i * cs:data + i * cs + len(chunk)] = chunk
    return bytes(img)


def write(folder, file, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, file), 'wb') as f:
        f.write(data)


write('qemu-migration', 'i440fx-vmdesc', stream())
write('qemu-migration', 'q35-no-vmdesc', stream('pc-q35-7.2', vmdesc=False))
write('qemu-migration', 'ignore-shared', stream(capabilities=True))
write('qemu-qcow2', 'v3-boot', qcow2(stream()))
write('qemu-qcow2', 'v2-boot', qcow2(stream(vmdesc=False), version=2, cluster_bits=12))
