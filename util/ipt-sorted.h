/* ipt-sorted.h: the one binary search over arrays sorted by a 64-bit start
 * address (region indexes, symbol tables, page lists). Header-only so that
 * hot paths (the read-memory callback) inline it; never installed. */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/**
 * ipt_sorted_upper_bound:
 * @base: the first element
 * @n: the number of elements
 * @stride: the size of one element
 * @key_offset: where the guint64 key is inside an element
 * @key: the key to look for
 *
 * The elements are sorted by their key, ascending. The element that may
 * contain @key (the last one that starts at or below it) is the one before
 * the returned index, when that index is not 0.
 *
 * Returns: the index of the first element whose key is greater than @key,
 *   or @n when there is none
 */
static inline gsize
ipt_sorted_upper_bound (const void *base, gsize n, gsize stride, gsize key_offset, guint64 key)
{
  const guint8 *p = base;
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      guint64 k;

      memcpy (&k, p + mid * stride + key_offset, sizeof k);
      if (k <= key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* ipt_sorted_upper_bound() over a C array of @type sorted by @field. */
#define IPT_SORTED_UPPER_BOUND(array, n, type, field, key) \
  ipt_sorted_upper_bound ((array), (n), sizeof (type), G_STRUCT_OFFSET (type, field), (key))

G_END_DECLS
