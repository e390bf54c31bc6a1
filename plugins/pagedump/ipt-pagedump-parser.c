/* ipt-pagedump-parser.c: parses a kAFL/Nyx page dump into a sorted, merged page index.
 *
 * Input is untrusted: every length and entry is checked before use, errors
 * name the file, the offset and the problem. Nothing here does I/O, and the
 * read path never allocates (the index is built once and then only read). */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-pagedump-parser.h"
#include "ipt-sorted.h"

typedef struct {
  guint64 address;
  gsize entry;
} PageEntry;

static int
compare_page_entries (gconstpointer a, gconstpointer b)
{
  const PageEntry *pa = a, *pb = b;

  if (pa->address != pb->address)
    return pa->address < pb->address ? -1 : 1;
  /* Equal addresses: the earlier entry first, so that it wins. */
  if (pa->entry != pb->entry)
    return pa->entry < pb->entry ? -1 : 1;
  return 0;
}

static guint64
read_le64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

/**
 * ipt_pagedump_parse:
 * @addr_data: (array length=addr_size): the bytes of the .addr file
 * @addr_size: size of @addr_data
 * @addr_name: the .addr file's name, for messages
 * @dump_size: size of the .dump file
 * @dump_name: the .dump file's name, for messages
 * @error: return location for an error
 *
 * Checks the .addr entries against each other and against the size of the
 * .dump, and builds the index of mapped pages. Only the .dump's size is
 * needed here; its bytes are read later by ipt_pagedump_index_read().
 *
 * Errors: %IPT_ERROR_CORRUPT for an empty .addr file or an unaligned
 * address; %IPT_ERROR_TRUNCATED when the .addr size is not a multiple of 8
 * or the .dump holds fewer pages than the .addr declares;
 * %IPT_ERROR_NOT_SUPPORTED for a page that ends at 2^64.
 *
 * Returns: (transfer full) (nullable): the index, or %NULL with @error set
 */
IptPagedumpIndex *
ipt_pagedump_parse (const guint8 *addr_data, gsize addr_size, const char *addr_name,
                    gsize dump_size, const char *dump_name, GError **error)
{
  g_autoptr (IptPagedumpIndex) index = NULL;
  g_autofree PageEntry *pages = NULL;
  gsize n_entries, n_valid = 0, first_unmapped = 0;
  guint64 needed;
  IptPagedumpRun *run = NULL;

  g_return_val_if_fail (addr_data != NULL || addr_size == 0, NULL);
  g_return_val_if_fail (addr_name != NULL && dump_name != NULL, NULL);

  if (addr_size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: file is empty: a page dump needs at least one page address",
                   addr_name);
      return NULL;
    }
  if (addr_size % sizeof (guint64) != 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: %" G_GSIZE_FORMAT
                   " trailing bytes do not form a whole 8-byte page address"
                   " (file size 0x%" G_GINT64_MODIFIER "x)",
                   addr_name, (guint64) (addr_size - addr_size % sizeof (guint64)),
                   addr_size % sizeof (guint64), (guint64) addr_size);
      return NULL;
    }

  n_entries = addr_size / sizeof (guint64);

  /* Checked before anything is allocated, so that the index is bounded by
   * the size of the dump. n_entries <= addr_size / 8, so the product cannot
   * overflow for a real file; checked anyway, the sizes come from outside. */
  if (!g_uint64_checked_mul (&needed, n_entries, IPT_PAGE_SIZE))
    needed = G_MAXUINT64;
  if (dump_size < needed)
    {
      gsize present = dump_size / IPT_PAGE_SIZE;

      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: truncated at offset 0x%" G_GINT64_MODIFIER "x: %s declares %"
                   G_GSIZE_FORMAT " pages, the dump holds %" G_GSIZE_FORMAT
                   " whole pages (0x%" G_GINT64_MODIFIER "x bytes, 0x%"
                   G_GINT64_MODIFIER "x needed)",
                   dump_name, (guint64) dump_size, addr_name, n_entries, present,
                   (guint64) dump_size, needed);
      return NULL;
    }
  index = g_new0 (IptPagedumpIndex, 1);
  index->n_entries = n_entries;
  index->warnings = g_ptr_array_new_with_free_func (g_free);

  pages = g_new (PageEntry, n_entries);
  for (gsize i = 0; i < n_entries; i++)
    {
      guint64 address = read_le64 (addr_data + i * sizeof (guint64));

      if (address == IPT_PAGEDUMP_UNMAPPED_ENTRY)
        {
          if (index->n_unmapped++ == 0)
            first_unmapped = i;
          continue;
        }
      if (address % IPT_PAGE_SIZE != 0)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: entry %" G_GSIZE_FORMAT
                       ": address 0x%" G_GINT64_MODIFIER "x is not aligned to a 4096-byte page",
                       addr_name, (guint64) (i * sizeof (guint64)), i, address);
          return NULL;
        }
      if (address > G_MAXUINT64 - IPT_PAGE_SIZE)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: entry %" G_GSIZE_FORMAT
                       ": page 0x%" G_GINT64_MODIFIER "x ends at 2^64, the top of the 64-bit"
                       " address space, which cannot be mapped",
                       addr_name, (guint64) (i * sizeof (guint64)), i, address);
          return NULL;
        }
      pages[n_valid].address = address;
      pages[n_valid].entry = i;
      n_valid++;
    }

  if (dump_size > needed)
    g_ptr_array_add (index->warnings,
                     g_strdup_printf ("%s: 0x%" G_GINT64_MODIFIER "x bytes from offset 0x%"
                                      G_GINT64_MODIFIER "x on are ignored: %s declares only %"
                                      G_GSIZE_FORMAT " pages",
                                      dump_name, (guint64) dump_size - needed, needed,
                                      addr_name, n_entries));
  if (index->n_unmapped > 0)
    g_ptr_array_add (index->warnings,
                     g_strdup_printf ("%s: %" G_GSIZE_FORMAT " entries are the unmapped-page"
                                      " marker 0xffffffffffffffff (first: entry %" G_GSIZE_FORMAT
                                      " at offset 0x%" G_GINT64_MODIFIER "x); they map nothing",
                                      addr_name, index->n_unmapped, first_unmapped,
                                      (guint64) (first_unmapped * sizeof (guint64))));

  qsort (pages, n_valid, sizeof *pages, compare_page_entries);

  /* At most one run per page; shrunk below. */
  index->runs = g_new (IptPagedumpRun, MAX (n_valid, 1));
  for (gsize i = 0; i < n_valid; i++)
    {
      guint64 dump_offset = (guint64) pages[i].entry * IPT_PAGE_SIZE;

      if (i > 0 && pages[i].address == pages[i - 1].address)
        {
          /* The first occurrence wins, as in Nyx's page cache. */
          if (index->n_duplicates++ == 0)
            {
              gsize first = i - 1;

              while (first > 0 && pages[first - 1].address == pages[i].address)
                first--;
              g_ptr_array_add (index->warnings,
                               g_strdup_printf ("%s: offset 0x%" G_GINT64_MODIFIER "x: entry %"
                                                G_GSIZE_FORMAT " repeats page 0x%"
                                                G_GINT64_MODIFIER "x of entry %" G_GSIZE_FORMAT
                                                "; the first occurrence of a page is used",
                                                addr_name,
                                                (guint64) (pages[i].entry * sizeof (guint64)),
                                                pages[i].entry, pages[i].address,
                                                pages[first].entry));
            }
          continue;
        }

      index->n_pages++;
      if (run != NULL
          && run->address + run->size == pages[i].address
          && run->dump_offset + run->size == dump_offset)
        {
          run->size += IPT_PAGE_SIZE;
          continue;
        }
      run = &index->runs[index->n_runs++];
      run->address = pages[i].address;
      run->size = IPT_PAGE_SIZE;
      run->dump_offset = dump_offset;
    }
  if (index->n_duplicates > 1)
    g_ptr_array_add (index->warnings,
                     g_strdup_printf ("%s: %" G_GSIZE_FORMAT " duplicate page addresses"
                                      " in all were ignored", addr_name, index->n_duplicates));
  index->runs = g_renew (IptPagedumpRun, index->runs, MAX (index->n_runs, 1));

  return g_steal_pointer (&index);
}

/**
 * ipt_pagedump_index_free:
 * @index: (nullable): an index
 *
 * Frees @index.
 */
void
ipt_pagedump_index_free (IptPagedumpIndex *index)
{
  if (index == NULL)
    return;
  g_free (index->runs);
  g_clear_pointer (&index->warnings, g_ptr_array_unref);
  g_free (index);
}

/**
 * ipt_pagedump_index_lookup:
 * @index: an index
 * @address: an address
 *
 * Returns: (nullable): the run that contains @address, or %NULL
 */
const IptPagedumpRun *
ipt_pagedump_index_lookup (const IptPagedumpIndex *index, guint64 address)
{
  /* The last run starting at or below @address is the one before lo. */
  gsize lo = IPT_SORTED_UPPER_BOUND (index->runs, index->n_runs, IptPagedumpRun, address,
                                     address);

  if (lo == 0)
    return NULL;
  if (address - index->runs[lo - 1].address >= index->runs[lo - 1].size)
    return NULL;
  return &index->runs[lo - 1];
}

/**
 * ipt_pagedump_index_read:
 * @index: an index
 * @dump_data: the bytes of the .dump file (at least as many as ipt_pagedump_parse() checked)
 * @buffer: (array length=size) (out caller-allocates): where the bytes go
 * @size: size of @buffer
 * @address: the first address to read
 *
 * Copies up to @size contiguous bytes at @address, across runs that are
 * adjacent in the address space even when their dump offsets are not (an
 * instruction may straddle two pages stored far apart).
 *
 * Returns: the number of bytes read; 0 when @address is not mapped
 */
gsize
ipt_pagedump_index_read (const IptPagedumpIndex *index, const guint8 *dump_data,
                         guint8 *buffer, gsize size, guint64 address)
{
  const IptPagedumpRun *run = ipt_pagedump_index_lookup (index, address);
  const IptPagedumpRun *end = index->runs + index->n_runs;
  gsize done = 0;

  if (run == NULL)
    return 0;

  for (;;)
    {
      guint64 delta = address - run->address;
      gsize n = (gsize) MIN ((guint64) (size - done), run->size - delta);

      memcpy (buffer + done, dump_data + run->dump_offset + delta, n);
      done += n;
      /* Runs never reach 2^64 (checked when parsing), so this cannot wrap. */
      address += n;
      if (done == size)
        break;
      run++;
      if (run == end || run->address != address)
        break;
    }
  return done;
}
