/* ipt-qemu-paging.c: x86-64 page-table walks over guest-physical memory
 * (Intel SDM vol. 3, 4.5 "4-level paging and 5-level paging").
 *
 * Level 5 is the PML5 (LA57 only), 4 the PML4, 3 the PDPT, 2 the PD, 1 the
 * PT; each table is 512 little-endian 8-byte entries, indexed by 9 bits of
 * the virtual address from bit 12 + 9 * (level - 1). PS in a PDPT entry maps
 * a 1 GiB page, in a PD entry a 2 MiB page; in a PML4 or PML5 entry it is
 * reserved (the CPU faults): not mapped here. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qemu-paging.h"

#define ENTRY_PRESENT (G_GUINT64_CONSTANT (1) << 0)
#define ENTRY_WRITABLE (G_GUINT64_CONSTANT (1) << 1)
#define ENTRY_USER (G_GUINT64_CONSTANT (1) << 2)
#define ENTRY_PAGE_SIZE (G_GUINT64_CONSTANT (1) << 7)
#define ENTRY_NO_EXECUTE (G_GUINT64_CONSTANT (1) << 63)
#define ENTRIES 512
#define TABLE_SIZE (ENTRIES * 8)
#define ALL_FLAGS (IPT_QEMU_PAGE_WRITABLE | IPT_QEMU_PAGE_USER | IPT_QEMU_PAGE_EXECUTABLE)
/* A walk of everything reads at most this many tables (1 GiB of them,
 * enough for 512 GiB mapped with 4 KiB pages): a
 * wrong CR3, or tables that point back at themselves, would otherwise make
 * it read 512^3 tables or more. */
#define MAX_TABLES (1u << 18)

static inline guint
top_shift (IptQemuPagingMode mode)
{
  return 12 + 9 * ((guint) mode - 1);
}

/* Bits 63:47 (63:56 with LA57) all equal: the CPU faults on anything else. */
static inline gboolean
is_canonical (IptQemuPagingMode mode, guint64 vaddr)
{
  guint bits = top_shift (mode) + 9;
  gint64 high = (gint64) vaddr >> (bits - 1);

  return high == 0 || high == -1;
}

static inline IptQemuPageFlags
entry_flags (IptQemuPageFlags flags, guint64 entry)
{
  if (!(entry & ENTRY_WRITABLE))
    flags &= ~IPT_QEMU_PAGE_WRITABLE;
  if (!(entry & ENTRY_USER))
    flags &= ~IPT_QEMU_PAGE_USER;
  if (entry & ENTRY_NO_EXECUTE)
    flags &= ~IPT_QEMU_PAGE_EXECUTABLE;
  return flags;
}

/* 1 with *@entry, 0 when RAM does not hold it, -1 on error. */
static int
read_entry (IptQemuPhysReadFunc read, gpointer data, guint64 table, guint index,
            guint64 *entry, GError **error)
{
  guint8 bytes[8];
  gssize n = read (data, table + (guint64) index * 8, bytes, sizeof bytes, error);

  if (n < 0)
    return -1;
  if (n < (gssize) sizeof bytes)
    return 0;
  memcpy (entry, bytes, sizeof bytes);
  *entry = GUINT64_FROM_LE (*entry);
  return 1;
}

/**
 * ipt_qemu_paging_translate:
 * @mode: 4- or 5-level paging (the guest's CR4.LA57)
 * @cr3: the address space's CR3; its low 12 bits (PCID, PWT, PCD) and bits
 *   above 51 are ignored
 * @read: reads guest-physical memory
 * @user_data: for @read
 * @vaddr: the guest-virtual address
 * @out: (out): where it is, on success
 * @error: return location for @read's error
 *
 * Walks the page tables of @cr3 for @vaddr.
 *
 * Returns: 1 when @vaddr is mapped (*@out set); 0 when it is not — a
 *   non-present entry, a non-canonical address, a reserved page-size bit,
 *   or a table the snapshot's RAM does not hold; -1 with @error set when
 *   @read fails
 */
int
ipt_qemu_paging_translate (IptQemuPagingMode mode, guint64 cr3, IptQemuPhysReadFunc read,
                           gpointer user_data, guint64 vaddr, IptQemuTranslation *out,
                           GError **error)
{
  guint64 table = cr3 & IPT_QEMU_PAGING_ADDRESS_MASK;
  IptQemuPageFlags flags = ALL_FLAGS;
  guint shift = top_shift (mode);

  g_return_val_if_fail (mode == IPT_QEMU_PAGING_4_LEVEL || mode == IPT_QEMU_PAGING_5_LEVEL, -1);
  g_return_val_if_fail (read != NULL && out != NULL, -1);

  if (!is_canonical (mode, vaddr))
    return 0;

  for (guint level = (guint) mode; ; level--, shift -= 9)
    {
      guint64 entry, page;
      int status = read_entry (read, user_data, table, (guint) (vaddr >> shift) & (ENTRIES - 1),
                               &entry, error);

      if (status <= 0)
        return status;
      if (!(entry & ENTRY_PRESENT))
        return 0;
      flags = entry_flags (flags, entry);

      if (level > 1 && !(entry & ENTRY_PAGE_SIZE))
        {
          table = entry & IPT_QEMU_PAGING_ADDRESS_MASK;
          continue;
        }
      if (level > 3)
        return 0;               /* PS is reserved in PML4 and PML5 entries */

      page = G_GUINT64_CONSTANT (1) << shift;
      out->paddr = (entry & IPT_QEMU_PAGING_ADDRESS_MASK & ~(page - 1)) | (vaddr & (page - 1));
      out->page_size = page;
      out->flags = flags;
      return 1;
    }
}

/* ---- walking everything ---- */

typedef struct {
  IptQemuPagingMode mode;
  IptQemuPhysReadFunc read;
  gpointer read_data;
  IptQemuPagingFunc func;
  gpointer func_data;
  guint8 (*tables)[TABLE_SIZE];  /* one per level, indexed by level */
  guint n_tables;                /* read so far */
  guint64 cr3;
  gboolean have_run;             /* a run is pending */
  guint64 run_vaddr, run_paddr, run_size;
  IptQemuPageFlags run_flags;
  gboolean stopped;
} Walk;

/* Adds a page to the pending run, or hands the run over and starts anew. */
static void
emit (Walk *w, guint64 vaddr, guint64 paddr, guint64 size, IptQemuPageFlags flags)
{
  if (w->have_run && w->run_flags == flags && w->run_vaddr + w->run_size == vaddr &&
      w->run_paddr + w->run_size == paddr)
    {
      w->run_size += size;
      return;
    }
  if (w->have_run && !w->func (w->run_vaddr, w->run_paddr, w->run_size, w->run_flags, w->func_data))
    w->stopped = TRUE;
  w->have_run = TRUE;
  w->run_vaddr = vaddr;
  w->run_paddr = paddr;
  w->run_size = size;
  w->run_flags = flags;
}

static gboolean
walk_table (Walk *w, guint64 table, guint level, guint64 vbase, IptQemuPageFlags flags,
            GError **error)
{
  guint shift = 12 + 9 * (level - 1);
  guint8 *bytes = w->tables[level];
  gssize n;

  if (++w->n_tables > MAX_TABLES)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "the page tables of CR3 0x%" G_GINT64_MODIFIER "x reach more than %u tables "
                   "(the one at guest-physical 0x%" G_GINT64_MODIFIER "x among them): a wrong "
                   "CR3, or tables that point back at themselves", w->cr3, MAX_TABLES, table);
      return FALSE;
    }
  n = w->read (w->read_data, table, bytes, TABLE_SIZE, error);
  if (n < 0)
    return FALSE;
  /* entries the snapshot's RAM does not hold map nothing */
  for (guint i = 0; i < (guint) n / 8 && !w->stopped; i++)
    {
      guint64 entry, vaddr = vbase + ((guint64) i << shift);
      IptQemuPageFlags f;

      memcpy (&entry, bytes + i * 8, 8);
      entry = GUINT64_FROM_LE (entry);
      if (!(entry & ENTRY_PRESENT))
        continue;
      if (level == (guint) w->mode && (vaddr >> (shift + 8)) & 1)
        vaddr |= ~((G_GUINT64_CONSTANT (1) << (shift + 9)) - 1);   /* the upper half: canonical */
      f = entry_flags (flags, entry);
      if (level > 1 && !(entry & ENTRY_PAGE_SIZE))
        {
          if (!walk_table (w, entry & IPT_QEMU_PAGING_ADDRESS_MASK, level - 1, vaddr, f, error))
            return FALSE;
          /* the deeper walk overwrote nothing of this table: each level has its own buffer */
          continue;
        }
      if (level > 3)
        continue;               /* reserved PS: the CPU faults */
      emit (w, vaddr, entry & IPT_QEMU_PAGING_ADDRESS_MASK & ~((G_GUINT64_CONSTANT (1) << shift) - 1),
            G_GUINT64_CONSTANT (1) << shift, f);
    }
  return TRUE;
}

/**
 * ipt_qemu_paging_foreach:
 * @mode: 4- or 5-level paging
 * @cr3: the address space's CR3 (low 12 bits ignored)
 * @read: reads guest-physical memory
 * @read_data: for @read
 * @func: called for each run of mapped memory, in virtual-address order
 *   (the lower half first); returns %FALSE to stop
 * @func_data: for @func
 * @error: return location for @read's error
 *
 * Walks every present entry of @cr3's page tables and hands over the
 * mapped memory as runs: pages that are contiguous both virtually and
 * physically, with the same flags, are one run.
 *
 * Returns: %FALSE with @error set when @read fails, or (%IPT_ERROR_CORRUPT)
 *   when the tables reach more than 2^18 tables (1 GiB of page tables: a
 *   wrong CR3, or tables pointing back at themselves)
 */
gboolean
ipt_qemu_paging_foreach (IptQemuPagingMode mode, guint64 cr3, IptQemuPhysReadFunc read,
                         gpointer read_data, IptQemuPagingFunc func, gpointer func_data,
                         GError **error)
{
  g_autofree guint8 *buffers = g_malloc (((gsize) mode + 1) * TABLE_SIZE);
  Walk w = { mode, read, read_data, func, func_data, (guint8 (*)[TABLE_SIZE]) (gpointer) buffers,
             0, cr3, FALSE, 0, 0, 0, 0, FALSE };

  g_return_val_if_fail (mode == IPT_QEMU_PAGING_4_LEVEL || mode == IPT_QEMU_PAGING_5_LEVEL, FALSE);
  g_return_val_if_fail (read != NULL && func != NULL, FALSE);

  if (!walk_table (&w, cr3 & IPT_QEMU_PAGING_ADDRESS_MASK, (guint) mode, 0, ALL_FLAGS, error))
    return FALSE;
  if (w.have_run && !w.stopped)
    func (w.run_vaddr, w.run_paddr, w.run_size, w.run_flags, func_data);
  return TRUE;
}
