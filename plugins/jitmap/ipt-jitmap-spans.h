/* ipt-jitmap-spans.h: which of many possibly overlapping address ranges
 * contain an address — the one search the jitdump's code versions and the
 * perf map's entries both need.
 *
 * JIT code reuses addresses, so the ranges of a dump overlap (in address,
 * at different times) and a plain binary search cannot find them all. The
 * ranges are kept in an array sorted by start, seen as an implicit balanced
 * tree (the middle element of each subrange is its root) whose nodes store
 * the greatest end of their subtree: a stabbing query visits O(log n + k)
 * elements for k hits. Most ranges of a real dump overlap no other one:
 * for those a plain binary search answers. Built once; the query never
 * allocates or locks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * IptJitmapSpan:
 * @start: first address
 * @end: first address after the range (> @start)
 *
 * The range at the head of every element a #IptJitmapSpans indexes.
 */
typedef struct {
  guint64 start;
  guint64 end;
} IptJitmapSpan;

/* Called for each element that contains the address; returns %TRUE to
 * stop the search. */
typedef gboolean (*IptJitmapSpanVisit) (gconstpointer element, gpointer user_data);

/**
 * IptJitmapSpans:
 * @base: the elements, each starting with an #IptJitmapSpan, sorted by start
 * @n: their number
 * @stride: the size of one element
 * @max_end: per element, the greatest end in the subtree it roots
 * @prefix_end: per element, the greatest end of it and all before it
 * @alone: per element, whether no other element overlaps it
 *
 * The index over an array of ranges.
 */
typedef struct {
  const guint8 *base;
  gsize n;
  gsize stride;
  guint64 *max_end;
  guint64 *prefix_end;
  guint8 *alone;
} IptJitmapSpans;

/* -1, 0 or 1 as @a is below, equal to or above @b: for the parsers' sorts. */
static inline int
ipt_jitmap_compare_u64 (guint64 a, guint64 b)
{
  return a < b ? -1 : a > b;
}

G_GNUC_INTERNAL
void ipt_jitmap_spans_init (IptJitmapSpans *spans, gconstpointer base, gsize n, gsize stride);
G_GNUC_INTERNAL
void ipt_jitmap_spans_clear (IptJitmapSpans *spans);
G_GNUC_INTERNAL
void ipt_jitmap_spans_visit (const IptJitmapSpans *spans, guint64 address,
                             IptJitmapSpanVisit visit, gpointer user_data);

G_END_DECLS
