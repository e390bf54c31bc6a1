/* record-guest.S: the guest of the qemu suite's ipt-record --qemu-log test
 * (test-qemu-record.py): a multiboot v1 ELF32 that turns on long mode and
 * then runs what a trace of a guest must get right, every privilege level
 * traced:
 *  - int $0x80 and iretq in the kernel; a #DE fault in the kernel, fixed by
 *    its handler and re-executed; rep movsb (one Intel PT instruction over
 *    three iterations); a counted loop (Jcc); an indirect call;
 *  - timer interrupts (PIT, PIC remapped to 0x20) arriving in hlt;
 *  - iretq to user space (CPL 3) at USER_VA under CR3 A; a #DE fault in
 *    user space (through the TSS's RSP0), re-executed; syscall;
 *  - in the kernel, CR3 := B and sysretq to USER_VA again: B's code there,
 *    other bytes at the same virtual address; syscall again; then it writes
 *    "record-guest: done" to the debugcon port 0xe9 and halts with
 *    interrupts off (cli; hlt), where the test takes its memory.
 * Guest-physical = virtual for the kernel (one 2 MiB page); USER_VA is a
 * 4 KiB page of user_a under A and of user_b under B.
 * Built with the C compiler: -m32 -nostdlib -ffreestanding -static.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00010000
    .set USER_VA, 0x40000000

    .section .text
    .code32
    .globl _start
mbheader:
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    .long mbheader, mbheader, _edata, _end, _start
_start:
    cli
    mov $kstack_top, %esp
    /* page tables: 0..2 MiB identity (user accessible), USER_VA per CR3 */
    movl $0x87, pd_k
    mov $pd_k, %eax; or $7, %eax; mov %eax, pdpt_a; mov %eax, pdpt_b
    mov $pd_ua, %eax; or $7, %eax; mov %eax, pdpt_a + 8
    mov $pd_ub, %eax; or $7, %eax; mov %eax, pdpt_b + 8
    mov $pt_ua, %eax; or $7, %eax; mov %eax, pd_ua
    mov $pt_ub, %eax; or $7, %eax; mov %eax, pd_ub
    mov $user_a, %eax; or $7, %eax; mov %eax, pt_ua
    mov $user_b, %eax; or $7, %eax; mov %eax, pt_ub
    mov $pdpt_a, %eax; or $7, %eax; mov %eax, pml4_a
    mov $pdpt_b, %eax; or $7, %eax; mov %eax, pml4_b
    /* the TSS: RSP0 for interrupts from user space */
    movl $kstack_top, tss + 4
    mov $tss, %eax
    mov %ax, gdt_tss + 2
    shr $16, %eax
    mov %al, gdt_tss + 4
    mov %ah, gdt_tss + 7
    mov %cr4, %eax; or $0x20, %eax; mov %eax, %cr4          /* PAE */
    mov $pml4_a, %eax; mov %eax, %cr3
    mov $0xC0000080, %ecx; rdmsr; or $0x101, %eax; wrmsr   /* EFER.LME, SCE */
    mov %cr0, %eax; or $0x80000001, %eax; mov %eax, %cr0
    lgdt gdtr
    ljmp $0x08, $long_start

    .code64
long_start:
    mov $0x10, %ax; mov %ax, %ds; mov %ax, %ss; mov %ax, %es
    mov $0x28, %ax; ltr %ax
    lea de_handler(%rip), %rax; mov $0x00, %edi; mov $0x8e00, %edx; call set_gate
    lea timer_handler(%rip), %rax; mov $0x20, %edi; mov $0x8e00, %edx; call set_gate
    lea int80_handler(%rip), %rax; mov $0x80, %edi; mov $0xee00, %edx; call set_gate
    lidt idtr(%rip)
    mov $0xC0000081, %ecx; xor %eax, %eax; mov $0x00100008, %edx; wrmsr   /* STAR */
    mov $0xC0000082, %ecx; lea syscall_entry(%rip), %rax; mov %rax, %rdx
    shr $32, %rdx; wrmsr                                                  /* LSTAR */
    mov $0xC0000084, %ecx; mov $0x200, %eax; xor %edx, %edx; wrmsr        /* FMASK: IF */
    xor %r15d, %r15d

    int $0x80
    xor %edx, %edx; mov $10, %eax; xor %ecx, %ecx
    div %ecx                        /* #DE: the handler sets ECX = 2 */
    lea buf(%rip), %rsi; lea buf + 16(%rip), %rdi; mov $3, %ecx
    rep movsb
    mov $3, %ecx
1:  dec %ecx
    jnz 1b
    lea leaf(%rip), %rax
    call *%rax

    /* PIC: IRQ 0 only, at vector 0x20; the PIT runs as the BIOS set it */
    mov $0x11, %al; out %al, $0x20; mov $0x20, %al; out %al, $0x21
    mov $0x04, %al; out %al, $0x21; mov $0x01, %al; out %al, $0x21
    mov $0xfe, %al; out %al, $0x21; mov $0xff, %al; out %al, $0xa1
    sti
2:  hlt
    cmpl $2, ticks(%rip)
    jb 2b
    cli

    /* to user space, A's code */
    push $0x1b
    mov $ustack_top, %eax; push %rax
    push $0x2
    push $0x23
    push $USER_VA
    iretq

syscall_entry:
    inc %r15
    cmp $1, %r15
    jne 3f
    mov $pml4_b, %eax; mov %rax, %cr3
    mov $USER_VA, %ecx
    mov $0x2, %r11d
    sysretq
3:  lea done(%rip), %rsi       /* the marker the test waits for, on debugcon */
4:  lodsb
    test %al, %al
    jz 5f
    out %al, $0xe9
    jmp 4b
5:  cli
    hlt
    jmp 5b

leaf:
    ret

/* %rax: handler, %edi: vector, %edx: type and DPL */
set_gate:
    shl $4, %edi
    lea idt(%rip), %rsi; add %rdi, %rsi
    mov %ax, (%rsi); movw $0x08, 2(%rsi); mov %dx, 4(%rsi)
    shr $16, %rax; mov %ax, 6(%rsi); shr $16, %rax; mov %eax, 8(%rsi)
    ret

de_handler:
    mov $2, %ecx
    iretq

timer_handler:
    push %rax
    incl ticks(%rip)
    mov $0x20, %al
    out %al, $0x20
    pop %rax
    iretq

int80_handler:
    nop
    iretq

    .section .data
    .align 16
gdt:
    .quad 0
    .quad 0x00209a0000000000        /* 0x08 kernel code, 64-bit */
    .quad 0x0000920000000000        /* 0x10 kernel data */
    .quad 0x0000f20000000000        /* 0x18 user data */
    .quad 0x0020fa0000000000        /* 0x20 user code, 64-bit */
gdt_tss:
    .quad 0x0000890000000067        /* 0x28 the TSS (base filled in) */
    .quad 0
gdtr:
    .word gdtr - gdt - 1
    .long gdt
    .align 16
idtr:
    .word 4095
    .long idt, 0
ticks:
    .long 0
buf:
    .skip 32
done:
    .asciz "record-guest: done\n"

    .section .bss
    .align 4096
pml4_a: .skip 4096
pml4_b: .skip 4096
pdpt_a: .skip 4096
pdpt_b: .skip 4096
pd_k:   .skip 4096
pd_ua:  .skip 4096
pd_ub:  .skip 4096
pt_ua:  .skip 4096
pt_ub:  .skip 4096
idt:    .skip 4096
tss:    .skip 4096
    .skip 8192
kstack_top:
    .skip 4096
ustack_top:

    .section .user, "ax"
    .align 4096
user_a:
    mov $1, %eax
    add $2, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    div %ecx                        /* #DE from user space: ECX = 2 then */
    syscall
    .align 4096
user_b:
    mov $3, %ebx
    nop
    syscall
