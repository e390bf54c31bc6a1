#!/usr/bin/env python3
# Writes the seeds of fuzz-qemu-log into qemu-log/: QEMU 7.2 execution logs
# (-singlestep -d exec,cpu,nochain) in its exact layout, copied from a real
# log: 64-bit kernel and user blocks, a 32-bit block before long mode, a
# block QEMU stopped before it ran, -d int records. Run from this folder.

def entry(pc, cr3=0x103000, rsp=0x8000, user=False, cs_flags=None):
    cs = 0x23 if user else 0x08
    flags = cs_flags if cs_flags is not None else (0x0020fa00 if user else 0x00a09b00)
    dpl = 3 if user else 0
    return (
        f"Trace 0: 0x7f87982d5440 [0000000000000000/{pc:016x}/0000c0b0/ff000201] \n"
        "RAX=0000000000110000 RBX=0000000000009500 RCX=0000000000000002 RDX=0000000000000000\n"
        f"RSI=000000000010c800 RDI=0000000000000800 RBP=0000000000000000 RSP={rsp:016x}\n"
        "R8 =0000000000000000 R9 =0000000000000000 R10=0000000000000000 R11=0000000000000000\n"
        "R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000000\n"
        f"RIP={pc:016x} RFL=00000002 [-------] CPL={dpl} II=0 A20=1 SMM=0 HLT=0\n"
        "ES =0000 0000000000000000 00000000 00001300\n"
        f"CS ={cs:04x} 0000000000000000 00000000 {flags:08x} DPL={dpl} CS64 [-R-]\n"
        "SS =001b 0000000000000000 00000000 0000f200 DPL=3 DS   [-W-]\n"
        "DS =0000 0000000000000000 00000000 00001300\n"
        "FS =0000 0000000000000000 ffffffff 00cf1300\n"
        "GS =0000 0000000000000000 ffffffff 00cf1300\n"
        "LDT=0000 0000000000000000 0000ffff 00008200 DPL=0 LDT\n"
        "TR =0000 0000000000000000 0000ffff 00008b00 DPL=0 TSS64-busy\n"
        "GDT=     0000000000102010 00000027\n"
        "IDT=     000000000010c000 00000fff\n"
        f"CR0=80000011 CR2=0000000000000000 CR3={cr3:016x} CR4=00000020\n"
        "DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 \n"
        "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
        "CCS=0000000000000000 CCD=0000000000000000 CCO=EFLAGS\n"
        "EFER=0000000000000501\n")

real_mode = (
    "Trace 0: 0x7f3c982023c0 [00000000000f0000/00000000000fff53/00000040/ff000201] \n"
    "EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000000\n"
    "ESI=00000000 EDI=00000000 EBP=00000000 ESP=00006d10\n"
    "EIP=0000ff53 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n"
    "ES =0000 00000000 ffffffff 008f9300\n"
    "CS =f000 000f0000 ffffffff 008f9b00\n"
    "GDT=     00000000 00000000\n"
    "IDT=     00000000 000003ff\n"
    "CR0=00000010 CR2=00000000 CR3=00000000 CR4=00000000\n"
    "CCS=00000000 CCD=00000000 CCO=EFLAGS\n"
    "EFER=0000000000000000\n")

interrupt = (
    "check_exception old: 0xffffffff new 0x0\n"
    "     0: v=00 e=0000 i=0 cpl=0 IP=0008:0000000000100151 pc=0000000000100151 "
    "SP=0010:000000000010f000 env->regs[R_EAX]=000000000000000a\n"
    "RAX=000000000000000a RBX=0000000000009500 RCX=0000000000000000 RDX=0000000000000000\n"
    "RIP=0000000000100151 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\n")

seeds = {
    'kernel-user': entry(0x100164) + entry(0x40000000, user=True, rsp=0x110000) +
                   entry(0x40000005, user=True, rsp=0x110000),
    'cr3-switch': entry(0x100174) + entry(0x100177, cr3=0x104000),
    'before-long-mode': real_mode + entry(0x1000e2),
    'stopped-and-interrupt': entry(0x10014f) + entry(0x100151) +
        "Stopped execution of TB chain before 0x7f87982d5440 [0000000000100151] \n" +
        interrupt + entry(0x1001bb, rsp=0x10efd8),
    'bad-line': entry(0x100164) + "hello\n",
}
for name, text in seeds.items():
    with open('qemu-log/' + name, 'w') as f:
        f.write(text)
