/* test-qemu-paging.c: x86-64 page-table walks (plugins/qemu/ipt-qemu-paging.c)
 * over page tables built by hand in a 16 MiB "guest RAM": 4 KiB, 2 MiB and
 * 1 GiB pages, 4- and 5-level paging, what is not mapped (non-present at
 * each level, non-canonical, reserved PS, a table outside RAM), CR3's PCID
 * bits and an entry's high bits ignored, read errors, and the walk of
 * everything as coalesced runs. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "../plugins/qemu/ipt-qemu-paging.h"

#define RAM_SIZE (16 * 1024 * 1024)
#define P 0x1                     /* present */
#define RW 0x2
#define US 0x4
#define PS 0x80
#define XD (G_GUINT64_CONSTANT (1) << 63)

typedef struct {
  guint8 *ram;
  guint64 fail_at;                /* reads that touch this address fail; 0: none */
} Guest;

static gssize
guest_read (gpointer user_data, guint64 paddr, guint8 *buffer, gsize size, GError **error)
{
  Guest *g = user_data;

  if (g->fail_at != 0 && paddr <= g->fail_at && g->fail_at < paddr + size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "guest RAM at 0x%" G_GINT64_MODIFIER "x: injected",
                   paddr);
      return -1;
    }
  if (paddr >= RAM_SIZE)
    return 0;
  size = MIN (size, RAM_SIZE - paddr);
  memcpy (buffer, g->ram + paddr, size);
  return (gssize) size;
}

static void
put (Guest *g, guint64 table, guint index, guint64 entry)
{
  entry = GUINT64_TO_LE (entry);
  memcpy (g->ram + table + index * 8, &entry, 8);
}

static guint
index_of (guint64 vaddr, guint level)
{
  return (guint) (vaddr >> (12 + 9 * (level - 1))) & 511;
}

/* CR3 at 0x1000. 4-level:
 *   0x0000000000400000 -> 0x10000  4 KiB, user, writable
 *   0x0000000000401000 -> 0x11000  4 KiB, read-only (the PT entry), user
 *   0x0000000040000000 -> 0x200000 2 MiB, supervisor, XD
 *   0x0000008000000000 -> 0x40000000 1 GiB
 *   0xffffffff80000000 -> 0x600000 4 KiB (upper half) */
static Guest *
guest_new (void)
{
  Guest *g = g_new0 (Guest, 1);

  g->ram = g_malloc0 (RAM_SIZE);
  /* 0x400000 and 0x401000: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 */
  put (g, 0x1000, index_of (0x400000, 4), 0x2000 | P | RW | US);
  put (g, 0x2000, index_of (0x400000, 3), 0x3000 | P | RW | US);
  put (g, 0x3000, index_of (0x400000, 2), 0x4000 | P | RW | US);
  put (g, 0x4000, index_of (0x400000, 1), 0x10000 | P | RW | US);
  put (g, 0x4000, index_of (0x401000, 1), 0x11000 | P | US);
  /* 2 MiB at 0x40000000: PDPT entry 1 -> PD 0x5000, PS */
  put (g, 0x2000, index_of (0x40000000, 3), 0x5000 | P | RW | US);
  put (g, 0x5000, index_of (0x40000000, 2), 0x200000 | P | RW | PS | XD);
  /* 1 GiB at 0x8000000000: PML4 entry 1 -> PDPT 0x6000, PS */
  put (g, 0x1000, index_of (0x8000000000, 4), 0x6000 | P | RW | US);
  put (g, 0x6000, index_of (0x8000000000, 3), 0x40000000 | P | RW | US | PS);
  /* the upper half: PML4 511 -> PDPT 0x7000 -> PD 0x8000 -> PT 0x9000 */
  put (g, 0x1000, index_of (0xffffffff80000000, 4), 0x7000 | P | RW);
  put (g, 0x7000, index_of (0xffffffff80000000, 3), 0x8000 | P | RW);
  put (g, 0x8000, index_of (0xffffffff80000000, 2), 0x9000 | P | RW);
  put (g, 0x9000, index_of (0xffffffff80000000, 1), 0x600000 | P | RW);
  return g;
}

static void
guest_free (Guest *g)
{
  g_free (g->ram);
  g_free (g);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Guest, guest_free)

static int
translate (Guest *g, IptQemuPagingMode mode, guint64 cr3, guint64 vaddr, IptQemuTranslation *t)
{
  g_autoptr(GError) error = NULL;
  int status = ipt_qemu_paging_translate (mode, cr3, guest_read, g, vaddr, t, &error);

  g_assert_no_error (error);
  return status;
}

static void
test_page_sizes (void)
{
  g_autoptr(Guest) g = guest_new ();
  IptQemuTranslation t;

  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x400123, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x10123);
  g_assert_cmphex (t.page_size, ==, IPT_QEMU_PAGE_4K);
  g_assert_cmpint (t.flags, ==, IPT_QEMU_PAGE_WRITABLE | IPT_QEMU_PAGE_USER | IPT_QEMU_PAGE_EXECUTABLE);

  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x401fff, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x11fff);
  g_assert_cmpint (t.flags, ==, IPT_QEMU_PAGE_USER | IPT_QEMU_PAGE_EXECUTABLE);

  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x40000000 + 0x1abcde, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x200000 + 0x1abcde);
  g_assert_cmphex (t.page_size, ==, IPT_QEMU_PAGE_2M);
  g_assert_cmpint (t.flags, ==, IPT_QEMU_PAGE_WRITABLE);   /* supervisor, XD */

  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x8000000000 + 0x3abcdef1, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x40000000 + 0x3abcdef1);
  g_assert_cmphex (t.page_size, ==, IPT_QEMU_PAGE_1G);

  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0xffffffff80000042, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x600042);
  g_assert_cmpint (t.flags, ==, IPT_QEMU_PAGE_WRITABLE | IPT_QEMU_PAGE_EXECUTABLE);   /* supervisor */
}

static void
test_not_mapped (void)
{
  g_autoptr(Guest) g = guest_new ();
  IptQemuTranslation t = { 0x5a5a, 0, 0 };

  /* non-present at each level: PML4, PDPT, PD, PT */
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x10000000000, &t), ==, 0);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x80000000, &t), ==, 0);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x600000, &t), ==, 0);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x402000, &t), ==, 0);
  /* non-canonical: bit 47 clear, bit 48 set */
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x0001000000400000, &t), ==, 0);
  /* PS in a PML4 entry is reserved */
  put (g, 0x1000, 2, 0x80000000 | P | PS);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, G_GUINT64_CONSTANT (2) << 39, &t), ==, 0);
  /* a table outside the guest's RAM */
  put (g, 0x1000, 3, G_GUINT64_CONSTANT (0x100000000) | P);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, G_GUINT64_CONSTANT (3) << 39, &t), ==, 0);
  /* *out is left alone */
  g_assert_cmphex (t.paddr, ==, 0x5a5a);
}

static void
test_cr3_and_entry_bits_ignored (void)
{
  g_autoptr(Guest) g = guest_new ();
  IptQemuTranslation t;

  /* PCID 0x123 in CR3's low bits; bits 62:52 of an entry are the OS's */
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000 | 0x123, 0x400010, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x10010);
  put (g, 0x4000, index_of (0x400000, 1), 0x10000 | P | RW | US | (G_GUINT64_CONSTANT (0x7ff) << 52));
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, 0x400010, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x10010);
}

static void
test_five_level (void)
{
  g_autoptr(Guest) g = guest_new ();
  IptQemuTranslation t;
  guint64 high = G_GUINT64_CONSTANT (0x00ff000000400000);   /* needs LA57: bits 56:48 */

  /* PML5 at 0xa000: entry 0 -> the 4-level PML4 at 0x1000, entry 0xff -> it too */
  put (g, 0xa000, 0, 0x1000 | P | RW | US);
  put (g, 0xa000, index_of (high, 5), 0x1000 | P | RW | US);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_5_LEVEL, 0xa000, 0x400123, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x10123);
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_5_LEVEL, 0xa000, high + 0x123, &t), ==, 1);
  g_assert_cmphex (t.paddr, ==, 0x10123);
  /* not canonical with 4 levels */
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, high, &t), ==, 0);
  /* and with 5 levels, bit 57 set without bit 56 is not canonical either */
  g_assert_cmpint (translate (g, IPT_QEMU_PAGING_5_LEVEL, 0xa000, G_GUINT64_CONSTANT (1) << 57, &t), ==, 0);
}

static void
test_read_error (void)
{
  g_autoptr(Guest) g = guest_new ();
  g_autoptr(GError) error = NULL;
  IptQemuTranslation t;

  g->fail_at = 0x3000 + index_of (0x400000, 2) * 8;   /* the PD entry */
  g_assert_cmpint (ipt_qemu_paging_translate (IPT_QEMU_PAGING_4_LEVEL, 0x1000, guest_read, g,
                                              0x400000, &t, &error), ==, -1);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
}

typedef struct {
  guint64 vaddr, paddr, size;
  IptQemuPageFlags flags;
} Run;

static gboolean
collect (guint64 vaddr, guint64 paddr, guint64 size, IptQemuPageFlags flags, gpointer user_data)
{
  Run run = { vaddr, paddr, size, flags };

  g_array_append_val ((GArray *) user_data, run);
  return TRUE;
}

static void
test_foreach_runs (void)
{
  g_autoptr(Guest) g = guest_new ();
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_autoptr(GError) error = NULL;
  const Run *r;

  /* a third 4 KiB page right after the second, physically too, same flags: one run */
  put (g, 0x4000, index_of (0x402000, 1), 0x12000 | P | US);
  g_assert_true (ipt_qemu_paging_foreach (IPT_QEMU_PAGING_4_LEVEL, 0x1000, guest_read, g, collect,
                                          runs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 5);
  r = &g_array_index (runs, Run, 0);
  g_assert_cmphex (r->vaddr, ==, 0x400000);
  g_assert_cmphex (r->size, ==, 0x1000);        /* writable: its own run */
  r = &g_array_index (runs, Run, 1);
  g_assert_cmphex (r->vaddr, ==, 0x401000);
  g_assert_cmphex (r->paddr, ==, 0x11000);
  g_assert_cmphex (r->size, ==, 0x2000);        /* two read-only pages */
  r = &g_array_index (runs, Run, 2);
  g_assert_cmphex (r->vaddr, ==, 0x40000000);
  g_assert_cmphex (r->size, ==, IPT_QEMU_PAGE_2M);
  r = &g_array_index (runs, Run, 3);
  g_assert_cmphex (r->vaddr, ==, 0x8000000000);
  g_assert_cmphex (r->size, ==, IPT_QEMU_PAGE_1G);
  r = &g_array_index (runs, Run, 4);
  g_assert_cmphex (r->vaddr, ==, 0xffffffff80000000);   /* sign-extended */
  g_assert_cmphex (r->paddr, ==, 0x600000);

  /* every run translates back */
  for (guint i = 0; i < runs->len; i++)
    {
      IptQemuTranslation t;

      r = &g_array_index (runs, Run, i);
      g_assert_cmpint (translate (g, IPT_QEMU_PAGING_4_LEVEL, 0x1000, r->vaddr + r->size - 1, &t), ==, 1);
      g_assert_cmphex (t.paddr, ==, r->paddr + r->size - 1);
      g_assert_cmpint (t.flags, ==, r->flags);
    }

  g->fail_at = 0x9000;
  g_assert_false (ipt_qemu_paging_foreach (IPT_QEMU_PAGING_4_LEVEL, 0x1000, guest_read, g, collect,
                                           runs, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
}

static gboolean
count_runs (guint64 vaddr, guint64 paddr, guint64 size, IptQemuPageFlags flags, gpointer user_data)
{
  (*(guint64 *) user_data)++;
  return TRUE;
}

/* Tables whose every entry points back at the top table: 512^3 tables to
 * walk. The walk stops at its bound with an error naming the CR3. */
static void
test_foreach_self_referencing (void)
{
  g_autoptr(Guest) g = guest_new ();
  g_autoptr(GError) error = NULL;
  guint64 n = 0;

  for (guint i = 0; i < 512; i++)
    put (g, 0xb000, i, 0xb000 | P | RW);
  g_assert_false (ipt_qemu_paging_foreach (IPT_QEMU_PAGING_4_LEVEL, 0xb000, guest_read, g,
                                           count_runs, &n, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "CR3 0xb000"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qemu-paging/4-level/4k-2m-1g-pages-and-flags", test_page_sizes);
  g_test_add_func ("/qemu-paging/4-level/not-mapped", test_not_mapped);
  g_test_add_func ("/qemu-paging/4-level/cr3-pcid-and-entry-high-bits-ignored",
                   test_cr3_and_entry_bits_ignored);
  g_test_add_func ("/qemu-paging/5-level/la57-addresses", test_five_level);
  g_test_add_func ("/qemu-paging/read-error-is-an-error", test_read_error);
  g_test_add_func ("/qemu-paging/foreach/coalesced-runs-translate-back", test_foreach_runs);
  g_test_add_func ("/qemu-paging/foreach/self-referencing-tables-stop-with-an-error",
                   test_foreach_self_referencing);

  return g_test_run ();
}
