/* ipt-perfmap-parser.c: parses a perf map into a sorted index of names.
 *
 * The syntax is perf's (tools/perf/util/symbol.c reads START and SIZE with
 * strtoull base 16, so a 0x prefix is accepted): a line that does not parse
 * is skipped with a warning naming FILE:LINE, as perf skips it. A file in
 * which no line parses but some are bad is an error: it is not a perf map.
 * Nothing here does I/O; lookups never allocate. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perfmap-parser.h"

typedef struct {
  IptPerfmapEntry entry;
  gsize name_at;
} BuildEntry;

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* A hex number (perf's strtoull base 16: an optional 0x) at *@at. */
static gboolean
parse_hex (const char **at, const char *end, guint64 *value)
{
  const char *s = *at;
  guint64 v = 0;
  int digits = 0;

  if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  for (; s < end && g_ascii_isxdigit (*s); s++, digits++)
    {
      if (v >> 60 != 0)
        return FALSE;
      v = (v << 4) | (guint64) g_ascii_xdigit_value (*s);
    }
  if (digits == 0)
    return FALSE;
  *at = s;
  *value = v;
  return TRUE;
}

/* Parses the line [@s, @end); on failure returns what is wrong. */
static const char *
parse_line (const char *s, const char *end, guint64 *start, guint64 *size,
            const char **name, gsize *name_len)
{
  if (memchr (s, '\0', (gsize) (end - s)) != NULL)
    return "it holds a NUL byte";
  while (s < end && is_blank (*s))
    s++;
  if (!parse_hex (&s, end, start))
    return "START is not a hexadecimal number of at most 16 digits";
  if (s == end || !is_blank (*s))
    return "START is not followed by a space";
  while (s < end && is_blank (*s))
    s++;
  if (!parse_hex (&s, end, size))
    return "SIZE is not a hexadecimal number of at most 16 digits";
  if (s == end || !is_blank (*s))
    return "SIZE is not followed by a space";
  while (s < end && is_blank (*s))
    s++;
  if (s == end)
    return "the name is missing";
  if (*size > G_MAXUINT64 - *start)
    return "START + SIZE reaches the end of the 64-bit address space";
  *name = s;
  *name_len = (gsize) (end - s);
  return NULL;
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const BuildEntry *ea = a, *eb = b;

  if (ea->entry.span.start != eb->entry.span.start)
    return ipt_jitmap_compare_u64 (ea->entry.span.start, eb->entry.span.start);
  return ipt_jitmap_compare_u64 (ea->entry.line, eb->entry.line);
}

/**
 * ipt_perfmap_parse:
 * @data: (array length=size): the bytes of the map
 * @size: size of @data
 * @name: the map's name, for messages
 * @error: return location for an error
 *
 * Parses the map. Blank lines are skipped; a line that does not parse is
 * skipped with a warning (the first %IPT_PERFMAP_MAX_LINE_WARNINGS one by
 * one, then a count). An empty map is valid.
 *
 * Errors: %IPT_ERROR_CORRUPT when lines are bad and none is good.
 *
 * Returns: (transfer full) (nullable): the map, or %NULL with @error set
 */
IptPerfmap *
ipt_perfmap_parse (const guint8 *data, gsize size, const char *name, GError **error)
{
  g_autoptr (IptPerfmap) map = g_new0 (IptPerfmap, 1);
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (BuildEntry));
  g_autoptr (GString) strings = g_string_new (NULL);
  const char *text = (const char *) data, *text_end = text + size;
  gsize first_bad = 0, n = 0;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  map->warnings = g_ptr_array_new_with_free_func (g_free);
  for (const char *s = text; s < text_end;)
    {
      const char *nl = memchr (s, '\n', (gsize) (text_end - s));
      const char *end = nl != NULL ? nl : text_end;
      const char *line_name = NULL, *problem, *p;
      gsize name_len = 0;
      BuildEntry e = { 0 };

      map->n_lines++;
      if (end > s && end[-1] == '\r')
        end--;
      for (p = s; p < end && is_blank (*p); p++)
        ;
      if (p < end)
        {
          problem = parse_line (s, end, &e.entry.span.start, &e.entry.size, &line_name,
                                &name_len);
          if (problem != NULL)
            {
              if (map->n_bad++ == 0)
                first_bad = map->n_lines;
              if (map->n_bad <= IPT_PERFMAP_MAX_LINE_WARNINGS)
                g_ptr_array_add (map->warnings,
                                 g_strdup_printf ("%s:%" G_GSIZE_FORMAT ": not a perf map line"
                                                  " (START SIZE NAME, in hex): %s; skipped",
                                                  name, map->n_lines, problem));
            }
          else
            {
              g_autofree char *valid = g_utf8_make_valid (line_name, (gssize) name_len);

              e.entry.line = map->n_lines;
              e.name_at = strings->len;
              g_string_append_len (strings, valid, (gssize) strlen (valid) + 1);
              g_array_append_val (entries, e);
            }
        }
      s = nl != NULL ? nl + 1 : text_end;
    }

  if (map->n_bad > 0 && entries->len == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s:%" G_GSIZE_FORMAT ": not a perf map: none of its %" G_GSIZE_FORMAT
                   " non-blank lines is START SIZE NAME (in hex); the first bad one is this",
                   name, first_bad, map->n_bad);
      return NULL;
    }
  if (map->n_bad > IPT_PERFMAP_MAX_LINE_WARNINGS)
    g_ptr_array_add (map->warnings,
                     g_strdup_printf ("%s: %" G_GSIZE_FORMAT " lines in all are not perf map"
                                      " lines and were skipped", name, map->n_bad));

  g_array_sort (entries, compare_entries);
  map->strings = g_string_free (g_steal_pointer (&strings), FALSE);
  map->entries = g_new (IptPerfmapEntry, MAX (entries->len, 1));
  for (guint i = 0; i < entries->len; i++)
    {
      BuildEntry *e = &g_array_index (entries, BuildEntry, i);

      if (e->entry.size != 0)
        e->entry.span.end = e->entry.span.start + e->entry.size;
      else
        {
          /* Unknown size: up to the next entry's start, or one byte. */
          guint j = i + 1;

          while (j < entries->len
                 && g_array_index (entries, BuildEntry, j).entry.span.start == e->entry.span.start)
            j++;
          if (j < entries->len)
            e->entry.span.end = g_array_index (entries, BuildEntry, j).entry.span.start;
          else if (e->entry.span.start < G_MAXUINT64)
            e->entry.span.end = e->entry.span.start + 1;
          else
            continue;   /* 2^64 - 1, size unknown: names nothing */
        }
      e->entry.name = map->strings + e->name_at;
      map->entries[n++] = e->entry;
    }
  map->n_entries = n;
  ipt_jitmap_spans_init (&map->spans, map->entries, map->n_entries, sizeof *map->entries);
  return g_steal_pointer (&map);
}

/**
 * ipt_perfmap_free:
 * @map: (nullable): a map
 *
 * Frees @map.
 */
void
ipt_perfmap_free (IptPerfmap *map)
{
  if (map == NULL)
    return;
  ipt_jitmap_spans_clear (&map->spans);
  g_free (map->entries);
  g_free (map->strings);
  g_clear_pointer (&map->warnings, g_ptr_array_unref);
  g_free (map);
}

static gboolean
visit_entry (gconstpointer element, gpointer user_data)
{
  const IptPerfmapEntry *entry = element;
  const IptPerfmapEntry **best = user_data;

  if (*best == NULL || entry->line > (*best)->line)
    *best = entry;
  return FALSE;
}

/**
 * ipt_perfmap_find:
 * @map: a map
 * @address: an address
 *
 * Returns: (nullable): of the entries that contain @address, the one of
 *   the latest line, or %NULL
 */
const IptPerfmapEntry *
ipt_perfmap_find (const IptPerfmap *map, guint64 address)
{
  const IptPerfmapEntry *best = NULL;

  ipt_jitmap_spans_visit (&map->spans, address, visit_entry, &best);
  return best;
}
