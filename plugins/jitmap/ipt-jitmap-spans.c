/* ipt-jitmap-spans.c: stabbing queries over overlapping ranges (see
 * ipt-jitmap-spans.h). Recursion depth is the tree's height, at most 64. */
#include "config.h"

#include "ipt-jitmap-spans.h"
#include "ipt-sorted.h"

static inline const IptJitmapSpan *
span_at (const IptJitmapSpans *spans, gsize i)
{
  return (const IptJitmapSpan *) (gconstpointer) (spans->base + i * spans->stride);
}

/* Fills max_end for the subtree of [lo, hi) and returns its greatest end. */
static guint64
build (IptJitmapSpans *spans, gsize lo, gsize hi)
{
  gsize mid;
  guint64 left, right, end;

  if (lo >= hi)
    return 0;
  mid = lo + (hi - lo) / 2;
  left = build (spans, lo, mid);
  right = build (spans, mid + 1, hi);
  end = MAX (span_at (spans, mid)->end, MAX (left, right));
  spans->max_end[mid] = end;
  return end;
}

/**
 * ipt_jitmap_spans_init:
 * @spans: the index to fill
 * @base: the elements, each starting with an #IptJitmapSpan, sorted by start;
 *   they must outlive @spans and not move
 * @n: their number
 * @stride: the size of one element
 *
 * Builds the index over @base.
 */
void
ipt_jitmap_spans_init (IptJitmapSpans *spans, gconstpointer base, gsize n, gsize stride)
{
  spans->base = base;
  spans->n = n;
  spans->stride = stride;
  spans->max_end = g_new (guint64, MAX (n, 1));
  spans->prefix_end = g_new (guint64, MAX (n, 1));
  spans->alone = g_new (guint8, MAX (n, 1));
  build (spans, 0, n);
  for (gsize i = 0; i < n; i++)
    {
      const IptJitmapSpan *span = span_at (spans, i);

      spans->prefix_end[i] = i > 0 ? MAX (spans->prefix_end[i - 1], span->end) : span->end;
      /* Sorted by start: an earlier range overlaps it iff the ends so far
       * pass its start, a later one iff the next one starts inside it. */
      spans->alone[i] = (i == 0 || spans->prefix_end[i - 1] <= span->start)
                        && (i + 1 == n || span_at (spans, i + 1)->start >= span->end);
    }
}

/**
 * ipt_jitmap_spans_clear:
 * @spans: an index
 *
 * Frees what ipt_jitmap_spans_init() allocated.
 */
void
ipt_jitmap_spans_clear (IptJitmapSpans *spans)
{
  g_clear_pointer (&spans->max_end, g_free);
  g_clear_pointer (&spans->prefix_end, g_free);
  g_clear_pointer (&spans->alone, g_free);
  spans->n = 0;
}

/* Returns TRUE when @visit asked to stop. */
static gboolean
visit_range (const IptJitmapSpans *spans, gsize lo, gsize hi, guint64 address,
             IptJitmapSpanVisit visit, gpointer user_data)
{
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      const IptJitmapSpan *span;

      if (spans->max_end[mid] <= address)
        return FALSE;
      if (visit_range (spans, lo, mid, address, visit, user_data))
        return TRUE;
      span = span_at (spans, mid);
      /* This one and everything on its right start after @address. */
      if (span->start > address)
        return FALSE;
      if (span->end > address && visit (span, user_data))
        return TRUE;
      lo = mid + 1;
    }
  return FALSE;
}

/**
 * ipt_jitmap_spans_visit:
 * @spans: an index
 * @address: an address
 * @visit: (scope call): called for every element that contains @address
 *   (in no particular order) until it returns %TRUE
 * @user_data: for @visit
 *
 * Visits the elements whose range contains @address.
 */
void
ipt_jitmap_spans_visit (const IptJitmapSpans *spans, guint64 address,
                        IptJitmapSpanVisit visit, gpointer user_data)
{
  gsize hi;

  if (spans->max_end == NULL)
    return;
  hi = ipt_sorted_upper_bound (spans->base, spans->n, spans->stride,
                               G_STRUCT_OFFSET (IptJitmapSpan, start), address);
  /* Nothing that starts at or below @address reaches it. */
  if (hi == 0 || spans->prefix_end[hi - 1] <= address)
    return;
  /* Any other range holding @address would overlap this one. */
  if (spans->alone[hi - 1] && span_at (spans, hi - 1)->end > address)
    {
      visit (span_at (spans, hi - 1), user_data);
      return;
    }
  /* The tree is over all n: its max_end values are for those subranges. */
  visit_range (spans, 0, spans->n, address, visit, user_data);
}
