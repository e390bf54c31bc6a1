/* fuzz-qemu-paging.c: libFuzzer harness for the x86-64 page-table walker
 * (plugins/qemu/ipt-qemu-paging.c), over page tables that a snapshot's RAM
 * holds: untrusted input.
 *
 * Input layout: a byte of mode (bit 0: 5-level), a little-endian u64 CR3,
 * then the guest's RAM from physical address 0. Every run the walk of
 * everything reports must translate back, page by page at its edges, to
 * the same physical addresses and flags; translations of a few addresses
 * must agree with the runs. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qemu-paging.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  const guint8 *ram;
  gsize size;
} Ram;

static gssize
ram_read (gpointer user_data, guint64 paddr, guint8 *buffer, gsize size, GError **error)
{
  const Ram *ram = user_data;

  if (paddr >= ram->size)
    return 0;
  size = MIN (size, ram->size - (gsize) paddr);
  memcpy (buffer, ram->ram + paddr, size);
  return (gssize) size;
}

typedef struct {
  IptQemuPagingMode mode;
  guint64 cr3;
  Ram *ram;
  guint n;
} Check;

static gboolean
check_run (guint64 vaddr, guint64 paddr, guint64 size, IptQemuPageFlags flags, gpointer user_data)
{
  Check *c = user_data;
  guint64 probes[2] = { vaddr, vaddr + size - 1 };

  g_assert (size > 0 && size % IPT_QEMU_PAGE_4K == 0);
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      IptQemuTranslation t;
      int status = ipt_qemu_paging_translate (c->mode, c->cr3, ram_read, c->ram, probes[i], &t, NULL);

      g_assert (status == 1);
      g_assert (t.paddr == paddr + (probes[i] - vaddr));
      g_assert (t.flags == flags);
    }
  /* bound the work per input: runs of a fuzzed table tree can be many */
  return ++c->n < 4096;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  Ram ram;
  Check check;
  guint64 cr3;
  GError *error = NULL;

  if (size < 9)
    return 0;
  memcpy (&cr3, data + 1, 8);
  cr3 = GUINT64_FROM_LE (cr3);
  ram.ram = data + 9;
  ram.size = size - 9;
  check.mode = (data[0] & 1) ? IPT_QEMU_PAGING_5_LEVEL : IPT_QEMU_PAGING_4_LEVEL;
  check.cr3 = cr3;
  check.ram = &ram;
  check.n = 0;

  if (!ipt_qemu_paging_foreach (check.mode, cr3, ram_read, &ram, check_run, &check, &error))
    {
      g_assert (error != NULL);
      g_error_free (error);
    }

  /* a few addresses straight from the input */
  for (gsize at = 9; at + 8 <= size && at < 9 + 64; at += 8)
    {
      IptQemuTranslation t;
      guint64 vaddr;
      int status;

      memcpy (&vaddr, data + at, 8);
      status = ipt_qemu_paging_translate (check.mode, cr3, ram_read, &ram, vaddr, &t, NULL);
      g_assert (status == 0 || status == 1);
      if (status == 1)
        g_assert (t.page_size == IPT_QEMU_PAGE_4K || t.page_size == IPT_QEMU_PAGE_2M ||
                  t.page_size == IPT_QEMU_PAGE_1G);
    }
  return 0;
}
