/* ipt-qemu-regions.c: the regions a qemu provider lists — an address
 * space's page tables walked into ranges of one permission, each served
 * from the snapshot file where its bytes lie there as one run, else (code)
 * copied once, translated, into a memfd; or guest-physical RAM. See
 * ipt-qemu-regions.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE   /* memfd_create */
#include "config.h"

#include "ipt-qemu-regions.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE IPT_QEMU_RAM_PAGE_SIZE

void
ipt_qemu_code_copy_init (IptQemuCodeCopy *copy)
{
  copy->fd = -1;
  copy->path = NULL;
  copy->size = 0;
}

void
ipt_qemu_code_copy_clear (IptQemuCodeCopy *copy)
{
  if (copy->fd >= 0)
    close (copy->fd);
  g_clear_pointer (&copy->path, g_free);
  ipt_qemu_code_copy_init (copy);
}

typedef struct {
  guint64 vaddr;
  guint64 paddr;
  guint64 size;
  IptQemuPageFlags flags;
} Run;

static gboolean
collect_run (guint64 vaddr, guint64 paddr, guint64 size, IptQemuPageFlags flags, gpointer data)
{
  Run run = { vaddr, paddr, size, flags };

  g_array_append_val ((GArray *) data, run);
  return TRUE;
}

/* What the walk's runs become regions with. */
typedef struct {
  GPtrArray *regions;
  IptQemuRam *ram;
  IptQemuCodeCopy *copy;
  const char *who;
  IptQemuRegionStats *stats;
} Ctx;

static IptPermissions
permissions_of (IptQemuPageFlags flags)
{
  return IPT_PERMISSIONS_READ | ((flags & IPT_QEMU_PAGE_WRITABLE) ? IPT_PERMISSIONS_WRITE : 0) |
         ((flags & IPT_QEMU_PAGE_EXECUTABLE) ? IPT_PERMISSIONS_EXECUTE : 0);
}

static gboolean
ensure_memfd (Ctx *x, GError **error)
{
  IptQemuCodeCopy *copy = x->copy;

  if (copy->fd >= 0)
    return TRUE;
  copy->fd = memfd_create ("ipt-qemu-code", MFD_CLOEXEC);
  if (copy->fd < 0)
    {
      int errsv = errno;

      g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                   "qemu: cannot make a memfd for the guest's code of %s: %s", x->who,
                   g_strerror (errsv));
      return FALSE;
    }
  /* libipt opens sections by name */
  copy->path = g_strdup_printf ("/proc/self/fd/%d", copy->fd);
  return TRUE;
}

/* Copies the translated bytes of [vaddr, vaddr + size) (whose runs are
 * @runs[0..n_runs)) to the end of the memfd: where they start there. Zero
 * pages are left as holes. */
static gboolean
copy_to_memfd (Ctx *x, const Run *runs, guint n_runs, guint64 *offset, GError **error)
{
  guint8 page[PAGE];
  guint64 at = x->copy->size;

  if (!ensure_memfd (x, error))
    return FALSE;
  *offset = at;
  for (guint i = 0; i < n_runs; i++)
    for (guint64 done = 0; done < runs[i].size; done += PAGE)
      {
        static const guint8 zero[PAGE];
        gssize got = ipt_qemu_ram_read (x->ram, runs[i].paddr + done, page, PAGE, NULL);

        if (got < (gssize) PAGE)
          memset (page + MAX (got, 0), 0, PAGE - MAX (got, 0));
        if (memcmp (page, zero, PAGE) != 0 && pwrite (x->copy->fd, page, PAGE, at) != PAGE)
          {
            int errsv = errno;

            g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                         "qemu: cannot copy the guest's code of %s into a memfd: %s",
                         x->who, g_strerror (errsv));
            return FALSE;
          }
        at += PAGE;
      }
  x->copy->size = at;
  if (ftruncate (x->copy->fd, (off_t) at) != 0)
    {
      int errsv = errno;

      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "qemu: cannot size the memfd for %s: %s",
                   x->who, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* One region for the virtually contiguous, same-permission runs
 * @runs[0..n_runs) (all held by the snapshot). */
static gboolean
add_range (Ctx *x, const IptAsid *asid, const Run *runs, guint n_runs, GError **error)
{
  guint64 size = 0, first_offset = 0, offset;
  gboolean in_file = TRUE, code = (runs[0].flags & IPT_QEMU_PAGE_EXECUTABLE) != 0;
  const char *filename = NULL;

  for (guint i = 0; i < n_runs; i++)
    {
      guint64 run_offset;

      size += runs[i].size;
      if (in_file &&
          (ipt_qemu_ram_file_run (x->ram, runs[i].paddr, runs[i].size, &run_offset)
             != runs[i].size ||
           (i > 0 && run_offset != first_offset + (size - runs[i].size))))
        in_file = FALSE;
      if (i == 0)
        first_offset = run_offset;
    }
  offset = first_offset;
  if (in_file)
    filename = ipt_qemu_stream_get_path (ipt_qemu_ram_get_stream (x->ram));
  else if (code)
    {
      if (!copy_to_memfd (x, runs, n_runs, &offset, error))
        return FALSE;
      filename = x->copy->path;
    }
  g_ptr_array_add (x->regions, ipt_region_new (runs[0].vaddr, size, asid,
                                             permissions_of (runs[0].flags), filename,
                                             filename != NULL ? offset : 0));
  x->stats->n_ranges++;
  x->stats->bytes_mapped += size;
  if (code)
    {
      x->stats->n_code++;
      if (in_file)
        x->stats->n_code_in_file++;
      else
        x->stats->n_code_copied++;
    }
  return TRUE;
}

/* Splits the walk's runs where the snapshot does not hold the physical
 * memory (device memory, absent pages: those addresses stay unmapped), then
 * groups them into ranges of contiguous virtual memory of one permission. */
static gboolean
add_virtual_regions (Ctx *x, const IptAsid *asid, GArray *walk, GError **error)
{
  g_autoptr (GArray) held = g_array_new (FALSE, FALSE, sizeof (Run));
  guint start = 0;

  for (guint i = 0; i < walk->len; i++)
    {
      const Run *r = &g_array_index (walk, Run, i);
      guint64 done = 0;

      while (done < r->size)
        {
          guint64 n = ipt_qemu_ram_held_run (x->ram, r->paddr + done, r->size - done, TRUE);

          if (n > 0)
            {
              Run piece = { r->vaddr + done, r->paddr + done, n, r->flags };

              g_array_append_val (held, piece);
              done += n;
            }
          done += ipt_qemu_ram_held_run (x->ram, r->paddr + done, r->size - done, FALSE);
        }
    }

  for (guint i = 1; i <= held->len; i++)
    {
      const Run *prev = &g_array_index (held, Run, i - 1);
      const Run *cur = i < held->len ? &g_array_index (held, Run, i) : NULL;

      if (cur != NULL && cur->vaddr == prev->vaddr + prev->size &&
          permissions_of (cur->flags) == permissions_of (prev->flags))
        continue;
      if (!add_range (x, asid, &g_array_index (held, Run, start), i - start, error))
        return FALSE;
      start = i;
    }
  return TRUE;
}

gboolean
ipt_qemu_regions_add_virtual (GPtrArray *regions, IptQemuRam *ram, IptQemuPagingMode mode,
                              guint64 cr3, const IptAsid *asid, IptQemuCodeCopy *copy,
                              const char *who, IptQemuRegionStats *stats, GError **error)
{
  g_autoptr (GArray) walk = g_array_new (FALSE, FALSE, sizeof (Run));
  Ctx x = { regions, ram, copy, who, stats };

  return ipt_qemu_paging_foreach (mode, cr3, ipt_qemu_ram_read, ram, collect_run, walk, error) &&
         add_virtual_regions (&x, asid, walk, error);
}

void
ipt_qemu_regions_add_physical (GPtrArray *regions, IptQemuRam *ram, IptQemuRegionStats *stats)
{
  IptAsid any = IPT_ASID_INIT_ANY;
  const IptQemuRamMapping *m;
  gsize n;

  m = ipt_qemu_ram_get_mappings (ram, &n);
  for (gsize i = 0; i < n; i++)
    {
      guint64 offset = 0;
      gboolean in_file = ipt_qemu_ram_file_run (ram, m[i].paddr, m[i].size, &offset)
                         == m[i].size;

      g_ptr_array_add (regions,
                       ipt_region_new (m[i].paddr, m[i].size, &any,
                                       IPT_PERMISSIONS_READ | IPT_PERMISSIONS_WRITE
                                         | IPT_PERMISSIONS_EXECUTE,
                                       in_file ? ipt_qemu_stream_get_path (ipt_qemu_ram_get_stream (ram))
                                               : NULL,
                                       offset));
      stats->n_ranges++;
      stats->bytes_mapped += m[i].size;
    }
}
