/* fuzz-pagedump.c: libFuzzer harness for the pagedump parser (plugins/pagedump/ipt-pagedump-parser.c).
 *
 * Input layout: a little-endian u32 N, then N bytes of .addr file (clamped
 * to what is there), then the rest as the .dump file. Every index that
 * parses is checked against the raw bytes: each run's pages are in the dump,
 * runs are sorted and disjoint, and reads at run edges return exactly the
 * dump's bytes and never more than asked. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-pagedump-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_read (const IptPagedumpIndex *index, const guint8 *dump, guint64 address, gsize want)
{
  guint8 buffer[32];
  const IptPagedumpRun *run = ipt_pagedump_index_lookup (index, address);
  gsize n;

  g_assert (want <= sizeof buffer);
  n = ipt_pagedump_index_read (index, dump, buffer, want, address);
  g_assert (n <= want);
  if (run == NULL)
    {
      g_assert (n == 0);
      return;
    }
  g_assert (n > 0);
  /* The first bytes come from the run that holds @address. */
  {
    guint64 delta = address - run->address;
    gsize first = (gsize) MIN ((guint64) n, run->size - delta);

    g_assert (memcmp (buffer, dump + run->dump_offset + delta, first) == 0);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (IptPagedumpIndex) index = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *addr, *dump;
  gsize addr_size, dump_size;
  guint32 n;

  if (size < 4)
    return 0;
  memcpy (&n, data, 4);
  n = GUINT32_FROM_LE (n);
  addr = data + 4;
  addr_size = MIN ((gsize) n, size - 4);
  dump = addr + addr_size;
  dump_size = size - 4 - addr_size;

  index = ipt_pagedump_parse (addr, addr_size, "fuzz.addr", dump_size, "fuzz.dump", &error);
  if (index == NULL)
    {
      g_assert (error != NULL && error->domain == IPT_ERROR);
      g_assert (strstr (error->message, "fuzz.") != NULL);
      return 0;
    }
  g_assert (error == NULL);
  g_assert (index->n_pages + index->n_duplicates + index->n_unmapped == index->n_entries);

  for (gsize i = 0; i < index->n_runs; i++)
    {
      const IptPagedumpRun *run = &index->runs[i];

      g_assert (run->size > 0 && run->size % IPT_PAGE_SIZE == 0);
      g_assert (run->address % IPT_PAGE_SIZE == 0);
      g_assert (run->dump_offset + run->size <= dump_size);
      g_assert (run->address + run->size > run->address);
      if (i > 0)
        g_assert (index->runs[i - 1].address + index->runs[i - 1].size <= run->address);

      check_read (index, dump, run->address, 15);
      check_read (index, dump, run->address + run->size - 7, 15);
      check_read (index, dump, run->address + run->size, 15);
      check_read (index, dump, run->address - 1, 1);
    }
  return 0;
}
