/* ipt-perfmap-parser.h: the pure parser of a perf map (/tmp/perf-PID.map).
 *
 * A perf map names JIT code and holds no bytes: lines "START SIZE NAME",
 * START and SIZE in hex. Works on bytes in memory (the provider's mapped
 * file, the fuzz harness's input) and never touches a file; the names are
 * copied out, the index is immutable, lookups never allocate or lock. */
#pragma once

#include <glib.h>

#include "ipt-jitmap-spans.h"

G_BEGIN_DECLS

/* Bad lines warned about one by one; the rest are counted. */
#define IPT_PERFMAP_MAX_LINE_WARNINGS 10

/**
 * IptPerfmapEntry:
 * @span: the addresses the entry names: [START, START + SIZE), or for a
 *   SIZE of 0 (unknown) from START up to the next entry's START
 * @size: SIZE as the map gives it, 0 = unknown
 * @line: the entry's line number (from 1); a later line wins
 * @name: the name (in the map's string pool)
 *
 * One line of a perf map.
 */
typedef struct {
  IptJitmapSpan span;
  guint64 size;
  gsize line;
  const char *name;
} IptPerfmapEntry;

/**
 * IptPerfmap:
 * @entries: the entries, sorted by START, then by line
 * @n_entries: number of @entries
 * @n_lines: number of lines in the file
 * @n_bad: lines that do not parse (skipped)
 * @warnings: (element-type utf8): non-fatal problems, each naming the
 *   file and line; the caller decides how to report them
 *
 * The parsed map.
 */
typedef struct {
  IptPerfmapEntry *entries;
  gsize n_entries;
  gsize n_lines;
  gsize n_bad;
  GPtrArray *warnings;

  /*< private >*/
  IptJitmapSpans spans;
  char *strings;
} IptPerfmap;

G_GNUC_INTERNAL
IptPerfmap *ipt_perfmap_parse (const guint8 *data, gsize size, const char *name,
                               GError **error);
G_GNUC_INTERNAL
void ipt_perfmap_free (IptPerfmap *map);
G_GNUC_INTERNAL
const IptPerfmapEntry *ipt_perfmap_find (const IptPerfmap *map, guint64 address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfmap, ipt_perfmap_free)

G_END_DECLS
