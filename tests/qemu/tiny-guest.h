/* tiny-guest.h: the memory layout of the project's own tiny QEMU guest
 * (tiny-guest.S), the one place that fixes it. Included by the guest's
 * assembly, by its linker script (both through the C preprocessor) and by
 * tests in C; qemu-fixtures.py reads the same #defines for the Python
 * tests. Only plain numbers here: every consumer must parse them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Guest-physical layout (the guest runs with -m 16: it uses 3 MiB). */
#define TINY_BOOT_PA        0x100000      /* multiboot header, 32-bit entry */
#define TINY_PAGING_PA      0x110000      /* the page tables, below */
#define TINY_KERNEL_PA      0x200000      /* the 64-bit code, stack and data */
#define TINY_USER_A_PA      0x300000      /* the code at TINY_USER_VA under CR3 A */
#define TINY_USER_B_PA      0x301000      /* ... and under CR3 B */
#define TINY_USER_SIZE      0x1000

/* The page tables, 4 KiB each, at TINY_PAGING_PA + these offsets: each
 * address space's own five, then the three of the higher half that both
 * share. */
#define TINY_SPACE_A_OFF    0x0000
#define TINY_SPACE_B_OFF    0x5000
#define TINY_PML5_OFF       0x0000        /* in a space; 5-level build only */
#define TINY_PML4_OFF       0x1000
#define TINY_PDPT_OFF       0x2000
#define TINY_PD_OFF         0x3000
#define TINY_PT_OFF         0x4000
#define TINY_PML4_HI_OFF    0xa000        /* 5-level build only: PML5[511] */
#define TINY_PDPT_HI_OFF    0xb000
#define TINY_PD_HI_OFF      0xc000
#define TINY_PAGING_SIZE    0xd000

/* The two address spaces: CR3 is the top table, PML4 (4-level) or PML5
 * (5-level, CR4.LA57). */
#define TINY_CR3_A_4LEVEL   (TINY_PAGING_PA + TINY_SPACE_A_OFF + TINY_PML4_OFF)  /* 0x111000 */
#define TINY_CR3_B_4LEVEL   (TINY_PAGING_PA + TINY_SPACE_B_OFF + TINY_PML4_OFF)  /* 0x116000 */
#define TINY_CR3_A_5LEVEL   (TINY_PAGING_PA + TINY_SPACE_A_OFF + TINY_PML5_OFF)  /* 0x110000 */
#define TINY_CR3_B_5LEVEL   (TINY_PAGING_PA + TINY_SPACE_B_OFF + TINY_PML5_OFF)  /* 0x115000 */

/* Guest-virtual layout, the same in both address spaces except
 * TINY_USER_VA:
 *   0 .. 2 MiB               identity, one 2 MiB page (the 32-bit boot code)
 *   TINY_USER_VA, 4 KiB      TINY_USER_A_PA under A, TINY_USER_B_PA under B
 *   TINY_GIB_VA, 1 GiB       guest-physical 0, one 1 GiB page
 *   TINY_KERNEL_VA, 2 MiB    TINY_KERNEL_PA, one 2 MiB page */
#define TINY_USER_VA        0x400000
#define TINY_GIB_VA         0x40000000
#define TINY_KERNEL_VA      0xffffffff80000000
#define TINY_KERNEL_SIZE    0x200000

/* How many times the guest calls TINY_USER_VA under A and then under B. */
#define TINY_ROUNDS         4

/* What the guest writes to the debugcon port (0xe9, -debugcon file:F):
 * TINY_DONE_MARKER then its checksum in hex and a newline when it is done
 * (halted, interrupts off, CR3 = A); TINY_ERROR_MARKER and a reason if the
 * CPU lacks what it needs (1 GiB pages, or LA57 for the 5-level build). */
#define TINY_DEBUGCON_PORT  0xe9
#define TINY_DONE_MARKER    "tiny-guest: done "
#define TINY_ERROR_MARKER   "tiny-guest: error "
