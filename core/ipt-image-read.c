/* ipt-image-read.c: the read path of an IptImage, top-down — libipt's
 * read-memory callback, the per-thread page cache, stitching a read across
 * providers, the one piece a provider serves, the provider itself.
 *
 * Hot: libipt calls it for every instruction it cannot find in a file
 * section. It never allocates (but the page cache, once per thread), never
 * takes a lock (but when a provider fails, to keep its error) and never
 * looks up an interface: everything was resolved when the snapshot was
 * built (ipt-image-index.c). */
#include "config.h"

#include <string.h>

#include "ipt-asid-private.h"
#include "ipt-image-snapshot-private.h"
#include "ipt-page-cache-private.h"
#include "ipt-sorted.h"

static int view_callback_read (const IptImageView *view, uint8_t *buffer, size_t size,
                               const struct pt_asid *pasid, uint64_t ip);
static gssize read_cached (const IptImageView *view, guint8 *buffer, gsize size,
                           const IptAsid *asid, guint64 address, GError **error);
static gssize read_piece (const IptImageView *view, guint8 *buffer, gsize size,
                          const IptAsid *asid, guint64 address, gboolean external,
                          GError **error);
static gsize trim_for_unindexed (const IptImageView *view, guint n_higher, gsize n,
                                 const IptAsid *asid, guint64 address);
static gssize call_provider (const IptImageView *view, const IptImageLink *link,
                             const IptRegion *region, guint8 *buffer, gsize size,
                             const IptAsid *asid, guint64 address, GError **error);
static gssize call_external (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
                             const IptAsid *asid, guint64 address, GError **error);

/* ---- 1. the callbacks ------------------------------------------------ */

/* Bytes at @address that one entry of this thread's page cache holds for
 * @tag (IPT_IMAGE_VIEW_TAG): the whole read, or 0. No snapshot is touched. */
static inline gsize
page_cache_hit (guint64 tag, guint8 *buffer, gsize size, const IptAsid *asid,
                guint64 address)
{
  guint64 page = address & ~(guint64) (IPT_PAGE_CACHE_PAGE_SIZE - 1);
  guint32 off = (guint32) (address & (IPT_PAGE_CACHE_PAGE_SIZE - 1));
  const IptPageCacheEntry *e = ipt_page_cache_entry (page);

  if (!ipt_page_cache_entry_is (e, tag, page, asid->cr3, asid->vmcs) ||
      off < e->lo || off >= e->hi || e->hi - off < size)
    return 0;
  memcpy (buffer, e->data + off, size);
  return size;
}

/**
 * ipt_image_read_memory: (skip)
 * @buffer: the buffer to fill
 * @size: the size of @buffer
 * @asid: (nullable): the address space of @ip; %NULL matches every one
 * @ip: the address to read
 * @image: the #IptImage (the callback's context)
 *
 * A libipt `read_memory_callback_t` that reads @image's chain, as
 * pt_image_set_callback(3) describes: install it with
 * `pt_image_set_callback (pt_image, ipt_image_read_memory, image)`. Always
 * reads the current chain, at the image's time (ipt_image_set_time()). Reads are served from a small per-thread page
 * cache, filled through the chain and dropped when the chain changes.
 *
 * Thread-safe; never allocates (except once per thread for the page cache)
 * and never takes a lock, except when a provider fails.
 *
 * Returns: the number of bytes read (1..@size, 0 for @size 0); -pte_nomap
 *   when nothing maps @ip in @asid; -pte_invalid when @buffer or @image is
 *   %NULL; -pte_bad_image (the translation of the provider's error by
 *   ipt_error_to_pt_error_code()) when a provider fails, the error being
 *   kept for ipt_image_dup_last_error()
 *
 * Since: 0.1
 */
int
ipt_image_read_memory (uint8_t *buffer, size_t size, const struct pt_asid *asid,
                       uint64_t ip, void *image)
{
  IptImage *self = image;
  IptImageReadGuard guard;
  const IptImageSnapshot *snap;
  int status;

  if (buffer == NULL || self == NULL)
    return -pte_invalid;

  /* The common case, an instruction in a page read before, without
   * announcing a reader: it touches no snapshot. */
  if (G_LIKELY (size > 0 && size <= 64 && g_atomic_int_get (&self->page_cache_enabled)))
    {
      IptAsid a;

      ipt_asid_from_pt (&a, asid);
      if (page_cache_hit (__atomic_load_n (&self->read_tag, __ATOMIC_ACQUIRE),
                          buffer, size, &a, ip) == size)
        return (int) size;
    }

  snap = ipt_image_retire_enter (&self->snapshot, &self->lock, &guard);
  status = view_callback_read (ipt_image_snapshot_view_at (snap, ipt_image_get_time (self)),
                               buffer, size, asid, ip);
  ipt_image_retire_leave (&guard);
  return status;
}

/* The callback of the snapshot's own pt_images, whose context is a view
 * of it: a decode holds its snapshot, so it is read without announcing it. */
int
ipt_image_snapshot_pt_callback (uint8_t *buffer, size_t size, const struct pt_asid *asid,
                                uint64_t ip, void *view)
{
  if (buffer == NULL || view == NULL)
    return -pte_invalid;
  return view_callback_read (view, buffer, size, asid, ip);
}

/* The read-memory callback contract of pt_image_set_callback(3) over one view. */
static int
view_callback_read (const IptImageView *view, uint8_t *buffer, size_t size,
                    const struct pt_asid *pasid, uint64_t ip)
{
  const IptImageSnapshot *snap = view->snap;
  GError *error = NULL;
  IptAsid asid;
  gssize n;
  int code;

  if (size == 0)
    return 0;
  if (size > G_MAXINT)
    size = G_MAXINT;

  ipt_asid_from_pt (&asid, pasid);

  if (G_LIKELY (g_atomic_int_get (snap->page_cache_enabled) &&
                view->epoch < (1u << IPT_IMAGE_EPOCH_BITS)))
    n = read_cached (view, buffer, size, &asid, ip, &error);
  else
    n = ipt_image_view_read (view, buffer, size, &asid, ip, TRUE, &error);

  if (G_LIKELY (n > 0))
    return (int) n;
  if (n == 0)
    return -pte_nomap;

  code = ipt_error_to_pt_error_code (error);
  ipt_image_take_error (snap->image, error);
  return code < 0 ? code : -pte_bad_image;
}

/* ---- 2. the page cache ------------------------------------------------- */

/* A failure after @done bytes is a short read of @done bytes (the next read
 * there reports it, @local is dropped); with nothing read, it is the error. */
static gssize
short_read_or_fail (gsize done, GError *local, GError **error)
{
  if (done > 0)
    {
      g_error_free (local);
      return (gssize) done;
    }
  g_propagate_error (error, local);
  return -1;
}

/* Refills @e for the read at @page + @off, from the providers only: the
 * external callback's bytes are never cached (it may be a live process).
 * Returns 1 when @off is now valid in @e, 0 when it is unmapped, -1 on
 * error; never caches a failure. */
static int
page_cache_fill (const IptImageView *view, IptPageCacheEntry *e, gboolean same_key,
                 guint64 page, guint32 off, const IptAsid *asid, GError **error)
{
  gssize n;

  if (same_key && off < e->lo)
    {
      /* extend downwards: a backward jump within a cached page */
      guint32 want = e->lo - off;

      n = ipt_image_view_read (view, e->data + off, want, asid, page + off, FALSE, error);
      if (n <= 0)
        return (int) n;
      if ((guint32) n < want)
        e->hi = off + (guint32) n;  /* a hole between: keep the lower part only */
      e->lo = off;
      return 1;
    }

  e->generation = 0;
  n = ipt_image_view_read (view, e->data + off, IPT_PAGE_CACHE_PAGE_SIZE - off, asid,
                           page + off, FALSE, error);
  if (n <= 0)
    return (int) n;

  e->page = page;
  e->cr3 = asid->cr3;
  e->vmcs = asid->vmcs;
  e->lo = off;
  e->hi = off + (guint32) n;
  e->generation = IPT_IMAGE_VIEW_TAG (view->snap->generation, view->epoch);
  return 1;
}

static gssize
read_cached (const IptImageView *view, guint8 *buffer, gsize size,
             const IptAsid *asid, guint64 address, GError **error)
{
  const IptImageSnapshot *snap = view->snap;
  guint64 tag = IPT_IMAGE_VIEW_TAG (snap->generation, view->epoch);
  gsize done = 0;

  while (done < size)
    {
      guint64 a = address + done;
      guint64 page = a & ~(guint64) (IPT_PAGE_CACHE_PAGE_SIZE - 1);
      guint32 off = (guint32) (a & (IPT_PAGE_CACHE_PAGE_SIZE - 1));
      IptPageCacheEntry *e = ipt_page_cache_entry (page);
      gboolean same_key = ipt_page_cache_entry_is (e, tag, page, asid->cr3, asid->vmcs);
      gsize n;

      if (G_UNLIKELY (!same_key || off < e->lo || off >= e->hi))
        {
          GError *local = NULL;
          int status = page_cache_fill (view, e, same_key, page, off, asid, &local);

          if (status < 0)
            return short_read_or_fail (done, local, error);
          if (status == 0)
            break;
        }

      n = MIN (size - done, (gsize) (e->hi - off));
      memcpy (buffer + done, e->data + off, n);
      done += n;

      if (page + IPT_PAGE_CACHE_PAGE_SIZE == 0)
        return done;
      if (e->hi < IPT_PAGE_CACHE_PAGE_SIZE)
        break;
    }

  /* what the providers do not map may come from the external callback */
  if (done < size && snap->callback != NULL)
    {
      GError *local = NULL;
      gssize n = ipt_image_view_read (view, buffer + done, size - done, asid,
                                      address + done, TRUE, &local);

      if (n < 0)
        return short_read_or_fail (done, local, error);
      done += n;
    }

  return done;
}

/* ---- 3. stitching -------------------------------------------------------- */

/* Stitches pieces until @size bytes or the first unmapped byte. The
 * external callback is asked only when @external. */
gssize
ipt_image_view_read (const IptImageView *view, guint8 *buffer, gsize size,
                     const IptAsid *asid, guint64 address, gboolean external,
                     GError **error)
{
  gsize done = 0;

  while (done < size)
    {
      GError *local = NULL;
      gssize n = read_piece (view, buffer + done, size - done, asid, address + done,
                             external, &local);

      if (G_UNLIKELY (n < 0))
        return short_read_or_fail (done, local, error);
      if (n == 0)
        break;

      done += n;
      if (done > G_MAXUINT64 - address)
        break;                  /* the end of the address space */
    }

  return done;
}

/* ---- 4. one piece ---------------------------------------------------------- */

/* min (size, span_minus_one + 1) without overflow; size >= 1 */
static inline gsize
clamp_size (gsize size, guint64 span_minus_one)
{
  return span_minus_one < (guint64) size - 1 ? (gsize) span_minus_one + 1 : size;
}

/* The time a view stands for: the start of its epoch. */
static inline guint64
view_time (const IptImageView *view)
{
  return view->epoch == 0 ? 0 : g_array_index (view->snap->boundaries, guint64, view->epoch - 1);
}

/* Asks @link (for @region: its bytes of the time it is valid; NULL: of
 * @time), then cuts what it gave where one of the @n_higher unindexed
 * providers before it takes over. */
static inline gssize
ask (const IptImageView *view, const IptImageLink *link, const IptRegion *region, guint n_higher,
     guint8 *buffer, gsize size, const IptAsid *asid, guint64 address, GError **error)
{
  gssize n = call_provider (view, link, region, buffer, size, asid, address, error);

  if (n > 0 && n_higher > 0)
    n = trim_for_unindexed (view, n_higher, n, asid, address);
  return n;
}

/* Reads from the one link that wins at @address, without crossing the next
 * boundary of the index (where another provider may take over). Unindexed
 * providers are asked in their place in the priority order. */
static gssize
read_piece (const IptImageView *view, guint8 *buffer, gsize size,
            const IptAsid *asid, guint64 address, gboolean external, GError **error)
{
  const IptImageSnapshot *snap = view->snap;
  const IptImageSegment *segs = (const IptImageSegment *) (gpointer) snap->segments->data;
  const IptImageCandidate *cands = (const IptImageCandidate *) (gpointer) snap->candidates->data;
  const IptImageLink *unindexed = (const IptImageLink *) (gpointer) snap->unindexed->data;
  guint n_unindexed = snap->unindexed->len;
  guint first = 0, n_cands = 0;
  gboolean file_section;
  guint ui = 0;
  gsize next;
  gssize n;

  next = IPT_SORTED_UPPER_BOUND (segs, snap->segments->len, IptImageSegment, start, address);
  if (next > 0 && segs[next - 1].last >= address)
    {
      const IptImageSegment *seg = &segs[next - 1];

      size = clamp_size (size, seg->last - address);
      ipt_image_segment_claims (snap, seg, view->epoch, &first, &n_cands, &file_section);
    }
  else if (next < snap->segments->len)
    {
      size = clamp_size (size, segs[next].start - address - 1);
    }

  for (guint k = 0; k < n_cands; k++)
    {
      const IptImageCandidate *c = &cands[first + k];

      for (; ui < n_unindexed && unindexed[ui].priority < c->link.priority; ui++)
        if ((n = ask (view, &unindexed[ui], NULL, ui, buffer, size, asid, address, error)) != 0)
          return n;

      if (!ipt_asid_fields_match (&c->asid, asid))
        continue;

      /* 0 here means the provider listed more than it maps: go on */
      if ((n = ask (view, &c->link, c->region, ui, buffer, size, asid, address, error)) != 0)
        return n;
    }

  for (; ui < n_unindexed; ui++)
    if ((n = ask (view, &unindexed[ui], NULL, ui, buffer, size, asid, address, error)) != 0)
      return n;

  if (external && snap->callback != NULL)
    {
      n = call_external (snap, buffer, size, asid, address, error);
      if (n > 0 && n_unindexed > 0)
        n = trim_for_unindexed (view, n_unindexed, n, asid, address);
      return n;
    }

  return 0;
}

/* An unindexed provider that comes before the one that served
 * [@address, @address + @n) may map any byte after the first: ask it byte by
 * byte and cut the piece where it takes over (or fails: the next read there
 * reports it). This is the price of an unindexed provider ahead of others. */
static gsize
trim_for_unindexed (const IptImageView *view, guint n_higher, gsize n,
                    const IptAsid *asid, guint64 address)
{
  const IptImageLink *unindexed = (const IptImageLink *) (gpointer) view->snap->unindexed->data;
  guint64 time = view_time (view);

  for (gsize j = 1; j < n; j++)
    for (guint k = 0; k < n_higher; k++)
      {
        GError *local = NULL;
        guint8 probe;
        gssize r = unindexed[k].read_at != NULL
                   ? unindexed[k].read_at (unindexed[k].provider, &probe, 1, asid, address + j, time, &local)
                   : unindexed[k].read (unindexed[k].provider, &probe, 1, asid, address + j, &local);

        if (local != NULL)
          g_error_free (local);
        if (r != 0)
          return j;
      }
  return n;
}

/* ---- 5. the provider ----------------------------------------------------- */

/* A provider whose memory changes over time is asked for the bytes of the
 * time its region is valid (@region chose it), or of @view's time. */
static gssize
call_provider (const IptImageView *view, const IptImageLink *link, const IptRegion *region,
               guint8 *buffer, gsize size, const IptAsid *asid, guint64 address, GError **error)
{
  GError *local = NULL;
  gssize n;

  if (G_LIKELY (link->read_at == NULL))
    n = link->read (link->provider, buffer, size, asid, address, &local);
  else
    n = link->read_at (link->provider, buffer, size, asid, address,
                       region != NULL ? region->valid_from : view_time (view), &local);

  if (G_LIKELY (n > 0))
    {
      if (G_UNLIKELY (local != NULL))
        g_error_free (local);
      return (gsize) n > size ? (gssize) size : n;
    }

  if (n == 0)
    {
      if (G_UNLIKELY (local != NULL))
        g_error_free (local);
      return 0;
    }

  if (local == NULL)
    local = g_error_new (IPT_ERROR, IPT_ERROR_FAILED,
                         "%s: reading address 0x%" G_GINT64_MODIFIER "x failed without an error",
                         G_OBJECT_TYPE_NAME (link->provider), address);
  g_propagate_error (error, local);
  return -1;
}

/* The external callback (ipt_image_set_callback()), the chain's last link. */
static gssize
call_external (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
               const IptAsid *asid, guint64 address, GError **error)
{
  struct pt_asid pasid;
  int status;

  ipt_asid_to_pt (&pasid, asid);
  if (size > G_MAXINT)
    size = G_MAXINT;

  status = snap->callback (buffer, size, &pasid, address, snap->callback_context);
  if (status > 0)
    return (gsize) status > size ? (gssize) size : status;
  if (status == 0 || status == -pte_nomap)
    return 0;

  ipt_set_error_from_pt_error_code (error, status,
                                    "read-memory callback at address 0x%" G_GINT64_MODIFIER "x",
                                    address);
  return -1;
}
