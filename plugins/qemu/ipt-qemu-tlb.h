/* ipt-qemu-tlb.h: the qemu provider's cache of page translations, per
 * (CR3, 4 KiB virtual page), so that reads through the callback do not walk
 * the guest's page tables again for every page.
 *
 * A snapshot never changes, so entries never go stale and are never
 * invalidated. Direct-mapped, fixed size, lock-free: each entry is guarded
 * by a sequence counter (readers retry nothing: a torn or busy entry is a
 * miss; a writer that finds an entry busy does not cache). No allocation
 * after creation, no lock: safe on libipt's read path from any thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IptQemuTlb IptQemuTlb;

/* What a lookup found. */
typedef enum {
  IPT_QEMU_TLB_MISS,      /* not cached: walk, then ipt_qemu_tlb_insert() */
  IPT_QEMU_TLB_MAPPED,    /* *ppage is the 4 KiB physical page, *flags its IptQemuPageFlags */
  IPT_QEMU_TLB_UNMAPPED,  /* the walk found nothing there */
} IptQemuTlbResult;

/* A cache of 2^@order_bits entries. */
IptQemuTlb *ipt_qemu_tlb_new (guint order_bits);
void ipt_qemu_tlb_free (IptQemuTlb *self);

IptQemuTlbResult ipt_qemu_tlb_lookup (IptQemuTlb *self, guint64 cr3, guint64 vpage,
                                      guint64 *ppage, guint *flags);
/* Caches a walk's result; @mapped FALSE caches "not mapped". */
void ipt_qemu_tlb_insert (IptQemuTlb *self, guint64 cr3, guint64 vpage, gboolean mapped,
                          guint64 ppage, guint flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptQemuTlb, ipt_qemu_tlb_free)

G_END_DECLS
