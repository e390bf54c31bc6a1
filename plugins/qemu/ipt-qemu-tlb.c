/* ipt-qemu-tlb.c: a direct-mapped, sequence-locked translation cache. See
 * ipt-qemu-tlb.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ipt-qemu-tlb.h"

#include <stdatomic.h>

/* value: the physical page (4 KiB aligned) | flags << 1 | 1 when mapped;
 * VALUE_UNMAPPED when not. An empty entry has seq 0 and a key no page has. */
#define VALUE_UNMAPPED G_GUINT64_CONSTANT (0)
#define KEY_EMPTY G_MAXUINT64   /* not 4 KiB aligned: never a vpage */

typedef struct {
  _Atomic guint64 seq;      /* odd while written */
  _Atomic guint64 cr3;
  _Atomic guint64 vpage;
  _Atomic guint64 value;
} Entry;

struct _IptQemuTlb {
  guint64 mask;
  Entry *entries;
};

IptQemuTlb *
ipt_qemu_tlb_new (guint order_bits)
{
  IptQemuTlb *self = g_new0 (IptQemuTlb, 1);
  gsize n = (gsize) 1 << order_bits;

  self->mask = n - 1;
  self->entries = g_new0 (Entry, n);
  for (gsize i = 0; i < n; i++)
    atomic_init (&self->entries[i].vpage, KEY_EMPTY);
  return self;
}

void
ipt_qemu_tlb_free (IptQemuTlb *self)
{
  if (self == NULL)
    return;
  g_free (self->entries);
  g_free (self);
}

static inline Entry *
slot (IptQemuTlb *self, guint64 cr3, guint64 vpage)
{
  guint64 h = (vpage >> 12) ^ (cr3 >> 12) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  return &self->entries[(h ^ (h >> 29)) & self->mask];
}

IptQemuTlbResult
ipt_qemu_tlb_lookup (IptQemuTlb *self, guint64 cr3, guint64 vpage, guint64 *ppage,
                     guint *flags)
{
  Entry *e = slot (self, cr3, vpage);
  guint64 s1, s2, k_cr3, k_vpage, value;

  s1 = atomic_load_explicit (&e->seq, memory_order_acquire);
  k_cr3 = atomic_load_explicit (&e->cr3, memory_order_relaxed);
  k_vpage = atomic_load_explicit (&e->vpage, memory_order_relaxed);
  value = atomic_load_explicit (&e->value, memory_order_relaxed);
  atomic_thread_fence (memory_order_acquire);
  s2 = atomic_load_explicit (&e->seq, memory_order_relaxed);

  if ((s1 & 1) != 0 || s1 != s2 || k_cr3 != cr3 || k_vpage != vpage)
    return IPT_QEMU_TLB_MISS;
  if (value == VALUE_UNMAPPED)
    return IPT_QEMU_TLB_UNMAPPED;
  *ppage = value & ~G_GUINT64_CONSTANT (0xfff);
  *flags = (guint) ((value & 0xffe) >> 1);
  return IPT_QEMU_TLB_MAPPED;
}

void
ipt_qemu_tlb_insert (IptQemuTlb *self, guint64 cr3, guint64 vpage, gboolean mapped,
                     guint64 ppage, guint flags)
{
  Entry *e = slot (self, cr3, vpage);
  guint64 s = atomic_load_explicit (&e->seq, memory_order_relaxed);

  g_return_if_fail ((ppage & 0xfff) == 0 && flags < 0x800);
  /* another writer has it: this result is simply not cached */
  if ((s & 1) != 0 ||
      !atomic_compare_exchange_strong_explicit (&e->seq, &s, s + 1, memory_order_acquire,
                                                memory_order_relaxed))
    return;
  atomic_store_explicit (&e->cr3, cr3, memory_order_relaxed);
  atomic_store_explicit (&e->vpage, vpage, memory_order_relaxed);
  atomic_store_explicit (&e->value, mapped ? ppage | (guint64) flags << 1 | 1 : VALUE_UNMAPPED,
                         memory_order_relaxed);
  atomic_store_explicit (&e->seq, s + 2, memory_order_release);
}
