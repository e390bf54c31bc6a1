/* tiny-guest.S: the project's own tiny QEMU guest, for the snapshot tests.
 *
 * A multiboot (v1) ELF32 that qemu-system-x86_64 boots with -kernel. Its
 * 32-bit entry turns on long mode with 4-level paging (5-level with
 * -DTINY_LA57), jumps to its 64-bit code in the higher half (a 2 MiB page
 * at TINY_KERNEL_VA), then runs a fixed loop with interrupts off: TINY_ROUNDS
 * times, switch CR3 to address space A and call TINY_USER_VA, switch to B
 * and call TINY_USER_VA again; A and B map that address to different
 * physical pages holding different code (a loop with a conditional branch,
 * an indirect call, a return). It then reads through its 1 GiB page, sets
 * CR3 back to A, writes TINY_DONE_MARKER and a checksum of the results to
 * the debugcon port, and halts forever. Layout: tiny-guest.h; README.md.
 *
 * Everything is position-independent (RIP-relative) so that the ELF32 can
 * link the 64-bit code at its physical address while it runs in the
 * higher half.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tiny-guest.h"

#ifdef TINY_LA57
#define TINY_CR3_A TINY_CR3_A_5LEVEL
#define TINY_CR3_B TINY_CR3_B_5LEVEL
#else
#define TINY_CR3_A TINY_CR3_A_4LEVEL
#define TINY_CR3_B TINY_CR3_B_4LEVEL
#endif

#define PTE_P     0x001
#define PTE_RW    0x002
#define PTE_US    0x004
#define PTE_PS    0x080
#define TABLE(off) (TINY_PAGING_PA + (off) + PTE_P + PTE_RW + PTE_US)

#define MB_MAGIC  0x1badb002
#define MB_FLAGS  0

/* ---- 32-bit: multiboot entry, long-mode switch ---- */
        .section .boot, "ax"
        .code32
        .balign 4
multiboot_header:
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .globl _start
_start:
        cli
        mov     $(boot_stack_top), %esp
        /* CPUID: 1 GiB pages (and LA57) or a clear error */
        mov     $0x80000001, %eax
        cpuid
        bt      $26, %edx
        jnc     no_pdpe1gb
#ifdef TINY_LA57
        mov     $7, %eax
        xor     %ecx, %ecx
        cpuid
        bt      $16, %ecx
        jnc     no_la57
#endif
        /* CR4.PAE (and LA57, which may only change while paging is off) */
        mov     %cr4, %eax
        or      $0x20, %eax
#ifdef TINY_LA57
        or      $0x1000, %eax
#endif
        mov     %eax, %cr4
        mov     $TINY_CR3_A, %eax
        mov     %eax, %cr3
        /* EFER.LME */
        mov     $0xc0000080, %ecx
        rdmsr
        or      $0x100, %eax
        wrmsr
        /* CR0.PG: long mode, still in 32-bit code at identity addresses */
        mov     %cr0, %eax
        or      $0x80000000, %eax
        mov     %eax, %cr0
        lgdt    gdt_descriptor
        ljmp    $0x08, $start64

no_pdpe1gb:
        mov     $msg_no_pdpe1gb, %esi
        jmp     fail32
#ifdef TINY_LA57
no_la57:
        mov     $msg_no_la57, %esi
#endif
fail32:
        mov     $TINY_DEBUGCON_PORT, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        outb    %al, %dx
        jmp     1b
2:      cli
        hlt
        jmp     2b

        .balign 8
gdt:
        .quad   0
        .quad   0x00af9a000000ffff          /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff          /* 0x10: data */
gdt_end:
gdt_descriptor:
        .word   gdt_end - gdt - 1
        .long   gdt

msg_no_pdpe1gb:
        .ascii  TINY_ERROR_MARKER
        .asciz  "no 1 GiB pages (-cpu ...,+pdpe1gb)\n"
#ifdef TINY_LA57
msg_no_la57:
        .ascii  TINY_ERROR_MARKER
        .asciz  "no LA57 (-cpu ...,+la57)\n"
#endif

        .balign 16
        .fill   256, 1, 0
boot_stack_top:

        .code64
start64:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        /* to the higher half: kmain's offset in its 2 MiB page + its base */
        mov     $(kmain - TINY_KERNEL_PA), %eax
        movabs  $TINY_KERNEL_VA, %rdx
        add     %rdx, %rax
        jmp     *%rax

/* ---- the page tables ---- */
        .section .paging, "aw"
        .balign 4096
paging:

/* entry TABLE, INDEX, VALUE: entry INDEX of the table at offset TABLE
 * (entries in increasing order: .org only moves forward) */
        .macro  entry table, index, value
        .org    paging + \table + \index * 8
        .long   \value, 0
        .endm

/* One address space's own tables, at offset BASE, mapping TINY_USER_VA
 * to USER_PA; the higher half is shared. */
        .macro  address_space base, user_pa
#ifdef TINY_LA57
        /* PML5: [0] the low 256 TiB, [511] the higher half */
        entry   \base + TINY_PML5_OFF, 0, TABLE (\base + TINY_PML4_OFF)
        entry   \base + TINY_PML5_OFF, 511, TABLE (TINY_PML4_HI_OFF)
#endif
        /* PML4: [0] the low 512 GiB, [511] the higher half */
        entry   \base + TINY_PML4_OFF, 0, TABLE (\base + TINY_PDPT_OFF)
        entry   \base + TINY_PML4_OFF, 511, TABLE (TINY_PDPT_HI_OFF)
        /* PDPT: [0] the first GiB, [1] TINY_GIB_VA, a 1 GiB page onto 0 */
        entry   \base + TINY_PDPT_OFF, 0, TABLE (\base + TINY_PD_OFF)
        entry   \base + TINY_PDPT_OFF, 1, PTE_P + PTE_RW + PTE_PS
        /* PD: [0] the identity 2 MiB page, [2] TINY_USER_VA's 4 KiB pages */
        entry   \base + TINY_PD_OFF, 0, PTE_P + PTE_RW + PTE_PS
        entry   \base + TINY_PD_OFF, 2, TABLE (\base + TINY_PT_OFF)
        /* PT: [0] TINY_USER_VA */
        entry   \base + TINY_PT_OFF, 0, \user_pa + PTE_P + PTE_RW + PTE_US
        .endm

        address_space TINY_SPACE_A_OFF, TINY_USER_A_PA
        address_space TINY_SPACE_B_OFF, TINY_USER_B_PA
        /* shared: PML4 HI (5-level: PML5[511]) [511], PDPT HI [510] =
         * 0xffffffff80000000, PD HI [0] the kernel's 2 MiB page */
#ifdef TINY_LA57
        entry   TINY_PML4_HI_OFF, 511, TABLE (TINY_PDPT_HI_OFF)
#endif
        entry   TINY_PDPT_HI_OFF, 510, TABLE (TINY_PD_HI_OFF)
        entry   TINY_PD_HI_OFF, 0, TINY_KERNEL_PA + PTE_P + PTE_RW + PTE_PS
        .org    paging + TINY_PAGING_SIZE

/* ---- 64-bit, in the higher half ---- */
        .section .kernel, "ax"
        .code64
kmain:
        lea     kernel_stack_top(%rip), %rsp
        xor     %r12d, %r12d                /* checksum */
        mov     $TINY_ROUNDS, %r13d
        mov     $TINY_CR3_A, %r14
        mov     $TINY_CR3_B, %r15
        mov     $TINY_USER_VA, %ebx
round:
        mov     %r14, %cr3
        call    *%rbx
        add     %rax, %r12
        mov     %r15, %cr3
        call    *%rbx
        xor     %rax, %r12
        rol     $7, %r12
        dec     %r13d
        jnz     round
        /* the first bytes of A's code through the 1 GiB page */
        movabs  $(TINY_GIB_VA + TINY_USER_A_PA), %rax
        add     (%rax), %r12
        mov     %r14, %cr3
        /* TINY_DONE_MARKER, then the checksum in hex */
        mov     $TINY_DEBUGCON_PORT, %dx
        lea     msg_done(%rip), %rsi
1:      lodsb
        test    %al, %al
        jz      2f
        outb    %al, %dx
        jmp     1b
2:      mov     $16, %ecx
3:      rol     $4, %r12
        mov     %r12d, %eax
        and     $0xf, %eax
        lea     hex_digits(%rip), %rdi
        movb    (%rdi,%rax), %al
        outb    %al, %dx
        dec     %ecx
        jnz     3b
        mov     $'\n', %al
        outb    %al, %dx
halt:
        cli
        hlt
        jmp     halt

msg_done:
        .asciz  TINY_DONE_MARKER
hex_digits:
        .ascii  "0123456789abcdef"

        .balign 16
        .fill   4096, 1, 0
kernel_stack_top:

/* ---- the code at TINY_USER_VA: A ---- */
        .section .user_a, "ax"
        .code64
user_a:
        /* sum of 1..40, doubled through an indirect call on odd steps */
        push    %rbx
        xor     %eax, %eax
        mov     $40, %ecx
        lea     double_a(%rip), %rbx
1:      add     %rcx, %rax
        test    $1, %cl
        jz      2f
        call    *%rbx
2:      dec     %ecx
        jnz     1b
        pop     %rbx
        ret
double_a:
        add     %rax, %rax
        ret
        /* whole pages, so that the ELF holds all that the page maps */
        .org    user_a + TINY_USER_SIZE

/* ---- the code at TINY_USER_VA: B ---- */
        .section .user_b, "ax"
        .code64
user_b:
        /* a xorshift over 32 steps, mixed in through an indirect call
         * when the carry comes out set */
        push    %rbp
        mov     $0x2545f491, %eax
        mov     $32, %ebp
        lea     mix_b(%rip), %rdx
1:      mov     %rax, %rcx
        shl     $13, %rcx
        xor     %rcx, %rax
        mov     %rax, %rcx
        shr     $7, %rcx
        xor     %rcx, %rax
        bt      $3, %eax
        jnc     2f
        call    *%rdx
2:      sub     $1, %ebp
        ja      1b
        pop     %rbp
        ret
mix_b:
        imul    $0x45d9f3b, %rax, %rax
        ret
        .org    user_b + TINY_USER_SIZE
