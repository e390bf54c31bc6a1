/* fuzz-perfmap.c: libFuzzer harness for the perf map parser (plugins/jitmap/ipt-perfmap-parser.c).
 *
 * The input is the map. Every map that parses is checked: entries are
 * sorted, their ranges are not empty and do not wrap, sized entries span
 * exactly their size, names are valid UTF-8, each entry is found at its
 * start unless a later line there wins, the index answers as a scan of
 * all entries would, and bad lines are all counted.
 * Seeds: tests/fuzz/corpus/perfmap/, written by tests/fuzz/corpus/make-jitmap-seeds.py. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perfmap-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Beyond this many entries, the scans would dominate the run. */
#define MAX_SCANNED 256

/* Of the entries that hold @address, the latest line, by brute force. */
static const IptPerfmapEntry *
scan_find (const IptPerfmap *map, guint64 address)
{
  const IptPerfmapEntry *best = NULL;

  for (gsize i = 0; i < map->n_entries; i++)
    {
      const IptPerfmapEntry *entry = &map->entries[i];

      if (address >= entry->span.start && address < entry->span.end
          && (best == NULL || entry->line > best->line))
        best = entry;
    }
  return best;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (IptPerfmap) map = NULL;
  g_autoptr (GError) error = NULL;

  map = ipt_perfmap_parse (data, size, "fuzz.map", &error);
  if (map == NULL)
    {
      g_assert (error != NULL && error->domain == IPT_ERROR && error->code == IPT_ERROR_CORRUPT);
      g_assert (g_str_has_prefix (error->message, "fuzz.map:"));
      return 0;
    }
  g_assert (error == NULL);
  g_assert (map->n_entries + map->n_bad <= map->n_lines);
  g_assert (map->warnings->len == MIN (map->n_bad, IPT_PERFMAP_MAX_LINE_WARNINGS)
                                  + (map->n_bad > IPT_PERFMAP_MAX_LINE_WARNINGS));

  for (gsize i = 0; i < map->n_entries; i++)
    {
      const IptPerfmapEntry *entry = &map->entries[i];
      const IptPerfmapEntry *found;

      g_assert (entry->span.start < entry->span.end);
      g_assert (entry->size == 0 || entry->span.end - entry->span.start == entry->size);
      g_assert (entry->line >= 1 && entry->line <= map->n_lines);
      g_assert (entry->name != NULL && entry->name[0] != '\0');
      g_assert (g_utf8_validate (entry->name, -1, NULL));
      if (i > 0)
        g_assert (map->entries[i - 1].span.start < entry->span.start
                  || (map->entries[i - 1].span.start == entry->span.start
                      && map->entries[i - 1].line < entry->line));

      found = ipt_perfmap_find (map, entry->span.start);
      g_assert (found != NULL && found->line >= entry->line);
      g_assert (found->span.start <= entry->span.start && entry->span.start < found->span.end);
      if (map->n_entries <= MAX_SCANNED)
        {
          const guint64 addresses[] = {
            entry->span.start, entry->span.end - 1, entry->span.start - 1, entry->span.end,
          };

          for (gsize a = 0; a < G_N_ELEMENTS (addresses); a++)
            g_assert (ipt_perfmap_find (map, addresses[a]) == scan_find (map, addresses[a]));
        }
    }
  return 0;
}
