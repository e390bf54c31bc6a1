/* ipt-image.c: the traced memory image, a prioritised chain of memory
 * providers behind libipt's single read-memory callback.
 *
 * Every change of the chain (a provider added or removed, an external
 * callback set) builds a new immutable snapshot: the resolved region index
 * (priority cut in advance, provider read vfuncs looked up once), the
 * providers without list_regions, the external callback, and lazily the
 * libipt file sections. The snapshot is published with one atomic pointer
 * store and never freed before the image, so readers need no lock and no
 * reference count. The read path (ipt_image_read_memory() and the pt_image's
 * internal callback) never allocates, never locks and never looks up an
 * interface: a binary search in the index and a per-thread page cache. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-asid-private.h"
#include "ipt-image-private.h"

typedef gssize (*IptReadFunc) (IptMemoryProvider *self, guint8 *buffer, gsize size,
                               const IptAsid *asid, guint64 address, GError **error);

/* One provider's claim on a segment, in priority order within the segment. */
typedef struct {
  IptReadFunc read;
  IptMemoryProvider *provider;  /* reference held by the snapshot */
  const IptRegion *region;      /* owned by the snapshot */
  IptAsid asid;
  guint priority;               /* position of the provider in the chain */
} IptImageCandidate;

/* A maximal range over which the same candidates apply. */
typedef struct {
  guint64 start;
  guint64 last;                 /* inclusive, so that a range may end at 2^64 */
  guint first;                  /* index of the first candidate */
  guint n;
  gboolean file_section;        /* the first candidate is a libipt file section */
} IptImageSegment;

/* A provider without list_regions: asked address by address. */
typedef struct {
  IptReadFunc read;
  IptMemoryProvider *provider;
  guint priority;
} IptImageOpaque;

typedef struct {
  int isid;
  IptAsid asid;
} IptImageSection;

typedef struct {
  guint64 generation;           /* unique in the process, never 0 */
  IptImage *image;              /* unowned: a snapshot never outlives its image */
  GPtrArray *providers;         /* owned references, priority order */
  GPtrArray *regions;           /* IptRegion, owned */
  GArray *candidates;           /* IptImageCandidate */
  GArray *segments;             /* IptImageSegment, sorted and disjoint */
  GArray *opaque;               /* IptImageOpaque, priority order */
  read_memory_callback_t *callback;
  void *callback_context;
  guint n_file_segments;

  /* built on first use, under the image's lock */
  GArray *sections;             /* IptImageSection */
  struct pt_image *pt_image;
} IptImageSnapshot;

struct _IptImage {
  GObject parent_instance;

  char *name;

  GMutex lock;                  /* writers only: chain, snapshots, pt_images */
  GPtrArray *providers;
  GListStore *provider_store;
  read_memory_callback_t *callback;
  void *callback_context;
  IptImageSnapshot *snapshot;   /* current; read with atomics, no lock */
  GPtrArray *retired;           /* older snapshots, alive until finalize */
  struct pt_image_section_cache *iscache;
  gint page_cache_enabled;

  GMutex error_lock;
  GError *last_error;
};

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * IptImage:
 *
 * The traced memory image: an ordered chain of #IptMemoryProvider objects
 * (earlier added = higher priority), an optional external libipt callback as
 * the last link, and the libipt `struct pt_image` that serves file-backed
 * ranges as real file sections and everything else through the chain.
 *
 * Thread safety: reads (ipt_image_read(), ipt_image_read_memory(), decoders
 * using the pt_image) may run in any number of threads at once, also while
 * another thread adds or removes providers. Changing the chain is serialised
 * by an internal lock; the #GListModel of providers emits its signals in the
 * thread that changed the chain.
 *
 * Since: 0.1
 */
G_DEFINE_FINAL_TYPE (IptImage, ipt_image, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (IptMapping, ipt_mapping, ipt_mapping_copy, ipt_mapping_free)

/**
 * ipt_mapping_copy:
 * @mapping: an #IptMapping
 *
 * Copies @mapping, for bindings and for keeping an entry of
 * ipt_image_list_mappings() beyond its array.
 *
 * Returns: (transfer full): a deep copy of @mapping, holding its own
 *   reference on the provider
 *
 * Since: 0.1
 */
IptMapping *
ipt_mapping_copy (const IptMapping *mapping)
{
  IptMapping *copy;

  g_return_val_if_fail (mapping != NULL, NULL);

  copy = g_new0 (IptMapping, 1);
  copy->region = mapping->region != NULL ? ipt_region_copy (mapping->region) : NULL;
  copy->provider = mapping->provider != NULL ? g_object_ref (mapping->provider) : NULL;
  copy->is_file_section = mapping->is_file_section;
  return copy;
}

/**
 * ipt_mapping_free:
 * @mapping: (nullable): an #IptMapping
 *
 * Frees @mapping, its region and its reference on the provider.
 *
 * Since: 0.1
 */
void
ipt_mapping_free (IptMapping *mapping)
{
  if (mapping == NULL)
    return;
  ipt_region_free (mapping->region);
  g_clear_object (&mapping->provider);
  g_free (mapping);
}

/* ---- per-thread page cache ------------------------------------------- */

typedef struct {
  guint64 generation;           /* 0: empty */
  guint64 page;
  guint64 cr3;
  guint64 vmcs;
  guint32 lo;                   /* valid bytes are data[lo..hi) */
  guint32 hi;                   /* hi < page size: the byte at hi is unmapped or failed */
  guint8 data[IPT_PAGE_CACHE_PAGE_SIZE];
} IptPageCacheEntry;

/* One allocation per thread, on its first read; freed at thread exit. */
static __thread IptPageCacheEntry *ipt_page_cache;
static GPrivate ipt_page_cache_private = G_PRIVATE_INIT (g_free);

static guint64 ipt_image_generation_counter;

static inline IptPageCacheEntry *
ipt_page_cache_get (void)
{
  IptPageCacheEntry *cache = ipt_page_cache;

  if (G_UNLIKELY (cache == NULL))
    {
      cache = g_new0 (IptPageCacheEntry, IPT_PAGE_CACHE_ENTRIES);
      g_private_set (&ipt_page_cache_private, cache);
      ipt_page_cache = cache;
    }
  return cache;
}

/* ---- the chain --------------------------------------------------------- */

/* Every asid that matches @low also matches @high: @high always wins over @low. */
static inline gboolean
asid_covers (const IptAsid *high, const IptAsid *low)
{
  return (high->cr3 == IPT_ASID_NO_CR3 || high->cr3 == low->cr3) &&
         (high->vmcs == IPT_ASID_NO_VMCS || high->vmcs == low->vmcs);
}

/* min (size, span_minus_one + 1) without overflow; size >= 1 */
static inline gsize
clamp_size (gsize size, guint64 span_minus_one)
{
  return span_minus_one < (guint64) size - 1 ? (gsize) span_minus_one + 1 : size;
}

static inline gssize
call_provider (IptReadFunc read, IptMemoryProvider *provider, guint8 *buffer, gsize size,
               const IptAsid *asid, guint64 address, GError **error)
{
  GError *local = NULL;
  gssize n = read (provider, buffer, size, asid, address, &local);

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
                         G_OBJECT_TYPE_NAME (provider), address);
  g_propagate_error (error, local);
  return -1;
}

static gssize
call_external (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
               const IptAsid *asid, guint64 address, GError **error)
{
  struct pt_asid pasid;
  int status;

  pt_asid_init (&pasid);
  pasid.cr3 = asid->cr3;
  pasid.vmcs = asid->vmcs;

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

/* A provider without list_regions that comes before the one that served
 * [@address, @address + @n) may map any byte after the first: ask it byte by
 * byte and cut the piece where it takes over (or fails: the next read there
 * reports it). This is the price of an unindexed provider ahead of others. */
static gsize
trim_for_opaque (const IptImageSnapshot *snap, guint n_higher, gsize n,
                 const IptAsid *asid, guint64 address)
{
  const IptImageOpaque *opaque = (const IptImageOpaque *) (gpointer) snap->opaque->data;

  for (gsize j = 1; j < n; j++)
    for (guint k = 0; k < n_higher; k++)
      {
        GError *local = NULL;
        guint8 probe;
        gssize r = opaque[k].read (opaque[k].provider, &probe, 1, asid, address + j, &local);

        if (local != NULL)
          g_error_free (local);
        if (r != 0)
          return j;
      }
  return n;
}

/* Reads from the one link that wins at @address, without crossing the next
 * boundary of the index (where another provider may take over). The
 * external callback is skipped unless @external. */
static gssize
snapshot_read_piece (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
                     const IptAsid *asid, guint64 address, gboolean external, GError **error)
{
  const IptImageSegment *segs = (const IptImageSegment *) (gpointer) snap->segments->data;
  const IptImageCandidate *cands = (const IptImageCandidate *) (gpointer) snap->candidates->data;
  const IptImageOpaque *opaque = (const IptImageOpaque *) (gpointer) snap->opaque->data;
  guint n_opaque = snap->opaque->len;
  const IptImageSegment *seg = NULL;
  guint lo = 0, hi = snap->segments->len, oi = 0;
  gssize n;

  /* first segment that starts after @address */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (segs[mid].start <= address)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo > 0 && segs[lo - 1].last >= address)
    {
      seg = &segs[lo - 1];
      size = clamp_size (size, seg->last - address);
    }
  else if (lo < snap->segments->len)
    {
      size = clamp_size (size, segs[lo].start - address - 1);
    }

  if (seg != NULL)
    {
      for (guint k = 0; k < seg->n; k++)
        {
          const IptImageCandidate *c = &cands[seg->first + k];

          for (; oi < n_opaque && opaque[oi].priority < c->priority; oi++)
            {
              n = call_provider (opaque[oi].read, opaque[oi].provider, buffer, size,
                                 asid, address, error);
              if (n > 0 && oi > 0)
                n = trim_for_opaque (snap, oi, n, asid, address);
              if (n != 0)
                return n;
            }

          if (!ipt_asid_fields_match (&c->asid, asid))
            continue;

          /* 0 here means the provider listed more than it maps: go on */
          n = call_provider (c->read, c->provider, buffer, size, asid, address, error);
          if (n > 0 && oi > 0)
            n = trim_for_opaque (snap, oi, n, asid, address);
          if (n != 0)
            return n;
        }
    }

  for (; oi < n_opaque; oi++)
    {
      n = call_provider (opaque[oi].read, opaque[oi].provider, buffer, size,
                         asid, address, error);
      if (n > 0 && oi > 0)
        n = trim_for_opaque (snap, oi, n, asid, address);
      if (n != 0)
        return n;
    }

  if (external && snap->callback != NULL)
    {
      n = call_external (snap, buffer, size, asid, address, error);
      if (n > 0 && n_opaque > 0)
        n = trim_for_opaque (snap, n_opaque, n, asid, address);
      return n;
    }

  return 0;
}

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

/* Stitches pieces until @size bytes or the first unmapped byte. */
static gssize
snapshot_read (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
               const IptAsid *asid, guint64 address, gboolean external, GError **error)
{
  gsize done = 0;

  while (done < size)
    {
      GError *local = NULL;
      gssize n = snapshot_read_piece (snap, buffer + done, size - done, asid,
                                      address + done, external, &local);

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

/* Refills @e for the read at @page + @off, from the providers only: the
 * external callback's bytes are never cached (it may be a live process). Returns 1 when @off is now valid
 * in @e, 0 when it is unmapped, -1 on error; never caches a failure. */
static int
page_cache_fill (const IptImageSnapshot *snap, IptPageCacheEntry *e, gboolean same_key,
                 guint64 page, guint32 off, const IptAsid *asid, GError **error)
{
  gssize n;

  if (same_key && off < e->lo)
    {
      /* extend downwards: a backward jump within a cached page */
      guint32 want = e->lo - off;

      n = snapshot_read (snap, e->data + off, want, asid, page + off, FALSE, error);
      if (n <= 0)
        return (int) n;
      if ((guint32) n < want)
        e->hi = off + (guint32) n;  /* a hole between: keep the lower part only */
      e->lo = off;
      return 1;
    }

  e->generation = 0;
  n = snapshot_read (snap, e->data + off, IPT_PAGE_CACHE_PAGE_SIZE - off, asid, page + off,
                     FALSE, error);
  if (n <= 0)
    return (int) n;

  e->page = page;
  e->cr3 = asid->cr3;
  e->vmcs = asid->vmcs;
  e->lo = off;
  e->hi = off + (guint32) n;
  e->generation = snap->generation;
  return 1;
}

static gssize
snapshot_read_cached (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
                      const IptAsid *asid, guint64 address, GError **error)
{
  IptPageCacheEntry *cache = ipt_page_cache_get ();
  gsize done = 0;

  while (done < size)
    {
      guint64 a = address + done;
      guint64 page = a & ~(guint64) (IPT_PAGE_CACHE_PAGE_SIZE - 1);
      guint32 off = (guint32) (a & (IPT_PAGE_CACHE_PAGE_SIZE - 1));
      IptPageCacheEntry *e = &cache[(page >> IPT_PAGE_CACHE_PAGE_SHIFT) % IPT_PAGE_CACHE_ENTRIES];
      gboolean same_key = e->generation == snap->generation && e->page == page &&
                          e->cr3 == asid->cr3 && e->vmcs == asid->vmcs;
      gsize n;

      if (G_UNLIKELY (!same_key || off < e->lo || off >= e->hi))
        {
          GError *local = NULL;
          int status = page_cache_fill (snap, e, same_key, page, off, asid, &local);

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
      gssize n = snapshot_read (snap, buffer + done, size - done, asid, address + done, TRUE, &local);

      if (n < 0)
        return short_read_or_fail (done, local, error);
      done += n;
    }

  return done;
}

static void
ipt_image_take_error (IptImage *self, GError *error)
{
  g_mutex_lock (&self->error_lock);
  g_clear_error (&self->last_error);
  self->last_error = error;
  g_mutex_unlock (&self->error_lock);
}

static inline void
asid_from_pt (IptAsid *out, const struct pt_asid *asid)
{
  out->cr3 = IPT_ASID_NO_CR3;
  out->vmcs = IPT_ASID_NO_VMCS;
  if (asid == NULL)
    return;
  if (asid->size >= G_STRUCT_OFFSET (struct pt_asid, cr3) + sizeof asid->cr3)
    out->cr3 = asid->cr3;
  if (asid->size >= G_STRUCT_OFFSET (struct pt_asid, vmcs) + sizeof asid->vmcs)
    out->vmcs = asid->vmcs;
}

/* The read-memory callback contract of pt_image_set_callback(3) over one snapshot. */
static int
snapshot_callback_read (const IptImageSnapshot *snap, uint8_t *buffer, size_t size,
                        const struct pt_asid *pasid, uint64_t ip)
{
  GError *error = NULL;
  IptAsid asid;
  gssize n;
  int code;

  if (size == 0)
    return 0;
  if (size > G_MAXINT)
    size = G_MAXINT;

  asid_from_pt (&asid, pasid);

  if (G_LIKELY (g_atomic_int_get (&snap->image->page_cache_enabled)))
    n = snapshot_read_cached (snap, buffer, size, &asid, ip, &error);
  else
    n = snapshot_read (snap, buffer, size, &asid, ip, TRUE, &error);

  if (G_LIKELY (n > 0))
    return (int) n;
  if (n == 0)
    return -pte_nomap;

  code = ipt_error_to_pt_error_code (error);
  ipt_image_take_error (snap->image, error);
  return code < 0 ? code : -pte_bad_image;
}

/* The callback installed on the snapshot's pt_images: context is the snapshot. */
static int
snapshot_pt_callback (uint8_t *buffer, size_t size, const struct pt_asid *asid,
                      uint64_t ip, void *context)
{
  if (buffer == NULL || context == NULL)
    return -pte_invalid;
  return snapshot_callback_read (context, buffer, size, asid, ip);
}

/* ---- snapshots --------------------------------------------------------- */

typedef struct {
  IptReadFunc read;
  IptMemoryProvider *provider;
  guint priority;
} RegionInfo;

typedef struct {
  guint64 address;
  guint region;
  gboolean is_end;
} RegionEvent;

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const RegionEvent *ea = a, *eb = b;

  if (ea->address != eb->address)
    return ea->address < eb->address ? -1 : 1;
  return (int) ea->is_end - (int) eb->is_end;
}

/* Whether the bytes that @region claims really are in its file: a provider
 * bug or a file changed since it was opened must not put wrong bytes in a
 * section (libipt silently truncates sections at the end of the file). */
static gboolean
region_file_is_usable (GHashTable *file_sizes, const IptRegion *region)
{
  gpointer value;
  gint64 fsize;

  if (!g_hash_table_lookup_extended (file_sizes, region->filename, NULL, &value))
    {
      GStatBuf st;
      gint64 *stored = g_new (gint64, 1);

      *stored = g_stat (region->filename, &st) == 0 && S_ISREG (st.st_mode) ? (gint64) st.st_size : -1;
      g_hash_table_insert (file_sizes, g_strdup (region->filename), stored);
      value = stored;
    }

  fsize = *(gint64 *) value;
  if (fsize < 0)
    {
      g_warning ("%s: cannot use as a file section for 0x%" G_GINT64_MODIFIER "x: not a readable regular file",
                 region->filename, region->address);
      return FALSE;
    }
  if (region->file_offset > (guint64) fsize || region->size > (guint64) fsize - region->file_offset)
    {
      g_warning ("%s: region at 0x%" G_GINT64_MODIFIER "x needs bytes up to offset 0x%"
                 G_GINT64_MODIFIER "x but the file has 0x%" G_GINT64_MODIFIER "x bytes; "
                 "serving it through the callback",
                 region->filename, region->address, region->file_offset + region->size,
                 (guint64) fsize);
      return FALSE;
    }
  return TRUE;
}

static void
snapshot_emit_segment (IptImageSnapshot *snap, guint64 start, guint64 last,
                       const GArray *active, const GArray *infos, guint first_opaque,
                       GHashTable *file_sizes, GHashTable *usable)
{
  IptImageSegment seg = { start, last, snap->candidates->len, 0, FALSE };
  const guint *act = (const guint *) (gpointer) active->data;
  const IptRegion *top = g_ptr_array_index (snap->regions, act[0]);
  const RegionInfo *top_info = &g_array_index (infos, RegionInfo, act[0]);
  gboolean top_alone = TRUE;

  for (guint i = 0; i < active->len; i++)
    {
      const IptRegion *region = g_ptr_array_index (snap->regions, act[i]);
      const RegionInfo *info = &g_array_index (infos, RegionInfo, act[i]);
      IptImageCandidate cand = { info->read, info->provider, region, region->asid, info->priority };
      gboolean covered = FALSE;

      if (i > 0 && info->provider == top_info->provider)
        top_alone = FALSE;

      for (guint k = 0; k < seg.n && !covered; k++)
        covered = asid_covers (&g_array_index (snap->candidates, IptImageCandidate, seg.first + k).asid,
                               &region->asid);
      if (covered)
        continue;

      g_array_append_val (snap->candidates, cand);
      seg.n++;
    }

  /* Only the highest-priority claim can be a section: libipt moves sections
   * around as it reads, so with two overlapping sections of different asids
   * the one it finds for a wildcard asid is not defined. */
  if (top->filename != NULL && top_info->priority < first_opaque && top_alone)
    {
      gpointer known;

      if (!g_hash_table_lookup_extended (usable, top, NULL, &known))
        {
          known = GINT_TO_POINTER (region_file_is_usable (file_sizes, top));
          g_hash_table_insert (usable, (gpointer) top, known);
        }
      seg.file_section = GPOINTER_TO_INT (known);
    }

  if (snap->segments->len > 0)
    {
      IptImageSegment *prev = &g_array_index (snap->segments, IptImageSegment, snap->segments->len - 1);
      gboolean same = prev->last != G_MAXUINT64 && prev->last + 1 == start &&
                      prev->n == seg.n && prev->file_section == seg.file_section;

      for (guint k = 0; same && k < seg.n; k++)
        same = g_array_index (snap->candidates, IptImageCandidate, prev->first + k).region ==
               g_array_index (snap->candidates, IptImageCandidate, seg.first + k).region;
      if (same)
        {
          prev->last = last;
          g_array_set_size (snap->candidates, seg.first);
          return;
        }
    }

  g_array_append_val (snap->segments, seg);
  if (seg.file_section)
    snap->n_file_segments++;
}

static void
snapshot_free (IptImageSnapshot *snap)
{
  if (snap == NULL)
    return;
  if (snap->pt_image != NULL)
    pt_image_free (snap->pt_image);
  g_clear_pointer (&snap->sections, g_array_unref);
  g_array_unref (snap->segments);
  g_array_unref (snap->candidates);
  g_array_unref (snap->opaque);
  g_ptr_array_unref (snap->regions);
  g_ptr_array_unref (snap->providers);
  g_free (snap);
}

/* Called with self->lock held. */
static IptImageSnapshot *
snapshot_new (IptImage *self)
{
  IptImageSnapshot *snap = g_new0 (IptImageSnapshot, 1);
  g_autoptr(GArray) infos = g_array_new (FALSE, FALSE, sizeof (RegionInfo));
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (RegionEvent));
  g_autoptr(GArray) active = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) file_sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) usable = g_hash_table_new (NULL, NULL);
  guint first_opaque = G_MAXUINT;

  snap->generation = __atomic_add_fetch (&ipt_image_generation_counter, 1, __ATOMIC_RELAXED);
  snap->image = self;
  snap->providers = g_ptr_array_new_with_free_func (g_object_unref);
  snap->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);
  snap->candidates = g_array_new (FALSE, FALSE, sizeof (IptImageCandidate));
  snap->segments = g_array_new (FALSE, FALSE, sizeof (IptImageSegment));
  snap->opaque = g_array_new (FALSE, FALSE, sizeof (IptImageOpaque));
  snap->callback = self->callback;
  snap->callback_context = self->callback_context;

  /* Regions are appended in priority order, so a region's index is its rank. */
  for (guint p = 0; p < self->providers->len; p++)
    {
      IptMemoryProvider *provider = g_ptr_array_index (self->providers, p);
      IptMemoryProviderInterface *iface = IPT_MEMORY_PROVIDER_GET_IFACE (provider);
      g_autoptr(GPtrArray) regions = NULL;

      g_ptr_array_add (snap->providers, g_object_ref (provider));

      if (iface->list_regions != NULL)
        regions = iface->list_regions (provider);

      if (regions == NULL)
        {
          IptImageOpaque opaque = { iface->read, provider, p };

          g_array_append_val (snap->opaque, opaque);
          first_opaque = MIN (first_opaque, p);
          continue;
        }

      for (guint r = 0; r < regions->len; r++)
        {
          const IptRegion *region = g_ptr_array_index (regions, r);
          RegionInfo info = { iface->read, provider, p };
          RegionEvent start = { region->address, snap->regions->len, FALSE };
          RegionEvent end = { 0, snap->regions->len, TRUE };
          IptRegion *copy;

          if (region->size == 0)
            continue;

          copy = ipt_region_copy (region);
          if (copy->size - 1 > G_MAXUINT64 - copy->address)
            copy->size = G_MAXUINT64 - copy->address + 1;  /* clip at the end of the address space */

          g_array_append_val (events, start);
          if (copy->address + (copy->size - 1) != G_MAXUINT64)
            {
              end.address = copy->address + copy->size;
              g_array_append_val (events, end);
            }
          g_ptr_array_add (snap->regions, copy);
          g_array_append_val (infos, info);
        }
    }

  g_array_sort (events, compare_events);

  /* Sweep: between two consecutive boundaries the set of active regions is constant. */
  for (guint i = 0; i < events->len;)
    {
      guint64 address = g_array_index (events, RegionEvent, i).address;
      guint64 last;

      for (; i < events->len && g_array_index (events, RegionEvent, i).address == address; i++)
        {
          const RegionEvent *ev = &g_array_index (events, RegionEvent, i);
          guint pos = 0;

          while (pos < active->len && g_array_index (active, guint, pos) < ev->region)
            pos++;
          if (ev->is_end)
            g_array_remove_index (active, pos);
          else
            g_array_insert_val (active, pos, ev->region);
        }

      if (active->len == 0)
        continue;

      last = i < events->len ? g_array_index (events, RegionEvent, i).address - 1 : G_MAXUINT64;
      snapshot_emit_segment (snap, address, last, active, infos, first_opaque, file_sizes, usable);
    }

  return snap;
}

/* Called with self->lock held. */
static void
snapshot_ensure_sections (IptImage *self, IptImageSnapshot *snap)
{
  const IptRegion *run_region = NULL;
  guint64 run_start = 0, run_last = 0;

  if (snap->sections != NULL)
    return;

  snap->sections = g_array_new (FALSE, FALSE, sizeof (IptImageSection));

  for (guint i = 0; i <= snap->segments->len; i++)
    {
      const IptImageSegment *seg = i < snap->segments->len ?
        &g_array_index (snap->segments, IptImageSegment, i) : NULL;
      const IptRegion *region = NULL;

      if (seg != NULL && seg->file_section)
        region = g_array_index (snap->candidates, IptImageCandidate, seg->first).region;

      if (run_region != NULL && region == run_region && run_last + 1 == seg->start)
        {
          run_last = seg->last;
          continue;
        }

      if (run_region != NULL)
        {
          guint64 offset = run_region->file_offset + (run_start - run_region->address);
          guint64 size = run_last - run_start + 1;
          IptImageSection section = { 0, run_region->asid };

          section.isid = pt_iscache_add_file (self->iscache, run_region->filename, offset, size, run_start);
          if (section.isid < 0)
            g_warning ("%s: offset 0x%" G_GINT64_MODIFIER "x: cannot add a file section at 0x%"
                       G_GINT64_MODIFIER "x: %s; serving it through the callback",
                       run_region->filename, offset, run_start, pt_errstr (pt_errcode (section.isid)));
          else
            g_array_append_val (snap->sections, section);
        }

      run_region = region;
      if (region != NULL)
        {
          run_start = seg->start;
          run_last = seg->last;
        }
    }
}

/* Called with self->lock held; the result carries the snapshot's callback. */
static struct pt_image *
snapshot_build_pt_image (IptImage *self, IptImageSnapshot *snap)
{
  struct pt_image *image;

  snapshot_ensure_sections (self, snap);

  image = pt_image_alloc (self->name);
  g_assert (image != NULL);

  for (guint i = 0; i < snap->sections->len; i++)
    {
      const IptImageSection *section = &g_array_index (snap->sections, IptImageSection, i);
      struct pt_asid asid;
      int status;

      pt_asid_init (&asid);
      asid.cr3 = section->asid.cr3;
      asid.vmcs = section->asid.vmcs;
      status = pt_image_add_cached (image, self->iscache, section->isid, &asid);
      if (status < 0)
        g_warning ("image %s: cannot add section %d: %s", self->name, section->isid,
                   pt_errstr (pt_errcode (status)));
    }

  pt_image_set_callback (image, snapshot_pt_callback, snap);
  return image;
}

/* Called with self->lock held. */
static void
ipt_image_publish (IptImage *self)
{
  IptImageSnapshot *snap = snapshot_new (self);
  IptImageSnapshot *old = self->snapshot;

  if (old != NULL)
    g_ptr_array_add (self->retired, old);
  g_atomic_pointer_set (&self->snapshot, snap);
}

static inline IptImageSnapshot *
ipt_image_current (IptImage *self)
{
  return g_atomic_pointer_get (&self->snapshot);
}

/* ---- GObject ----------------------------------------------------------- */

static void
ipt_image_finalize (GObject *object)
{
  IptImage *self = IPT_IMAGE (object);

  g_ptr_array_unref (self->retired);
  snapshot_free (self->snapshot);
  pt_iscache_free (self->iscache);
  g_ptr_array_unref (self->providers);
  g_clear_object (&self->provider_store);
  g_clear_error (&self->last_error);
  g_free (self->name);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->error_lock);

  G_OBJECT_CLASS (ipt_image_parent_class)->finalize (object);
}

static void
ipt_image_constructed (GObject *object)
{
  IptImage *self = IPT_IMAGE (object);

  G_OBJECT_CLASS (ipt_image_parent_class)->constructed (object);

  if (self->name == NULL)
    self->name = g_strdup ("image");

  self->iscache = pt_iscache_alloc (self->name);
  g_assert (self->iscache != NULL);

  g_mutex_lock (&self->lock);
  ipt_image_publish (self);
  g_mutex_unlock (&self->lock);
}

static void
ipt_image_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptImage *self = IPT_IMAGE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_image_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IptImage *self = IPT_IMAGE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_image_class_init (IptImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_image_finalize;
  object_class->constructed = ipt_image_constructed;
  object_class->get_property = ipt_image_get_property;
  object_class->set_property = ipt_image_set_property;

  /**
   * IptImage:name:
   *
   * The name of the image, also given to the libipt image and section cache.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name", "The name of the image",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_image_init (IptImage *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->error_lock);
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->provider_store = g_list_store_new (IPT_TYPE_MEMORY_PROVIDER);
  self->retired = g_ptr_array_new_with_free_func ((GDestroyNotify) snapshot_free);
  self->page_cache_enabled = TRUE;
}

/* ---- public API -------------------------------------------------------- */

/**
 * ipt_image_new:
 * @name: (nullable): a name for the image, used in messages; %NULL for "image"
 *
 * Creates an empty image: every address is unmapped until providers are added.
 *
 * Returns: (transfer full): a new #IptImage
 *
 * Since: 0.1
 */
IptImage *
ipt_image_new (const char *name)
{
  return g_object_new (IPT_TYPE_IMAGE, "name", name, NULL);
}

/**
 * ipt_image_get_name:
 * @self: an #IptImage
 *
 * Gets the name of @self (#IptImage:name), "image" when none was given.
 *
 * Returns: (transfer none): the name of @self
 *
 * Since: 0.1
 */
const char *
ipt_image_get_name (IptImage *self)
{
  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  return self->name;
}

/**
 * ipt_image_add_provider:
 * @self: an #IptImage
 * @provider: an #IptMemoryProvider
 *
 * Appends @provider to the chain with the lowest priority so far: it serves
 * only addresses that no earlier provider maps. @self takes a reference.
 *
 * The provider's regions (from its list_regions method) are read now and
 * indexed; a provider without list_regions is asked address by address,
 * after every higher-priority provider, and no lower-priority provider's
 * bytes are given to libipt as file sections (it might map them itself).
 * Since it cannot say where its ranges start, bytes that lower-priority
 * links serve are checked against it byte by byte: add such providers last
 * unless they must win.
 *
 * Readers that already run keep reading the chain as it was
 * (ipt_image_read_memory() sees the change on its next call). Safe to call
 * while other threads read.
 *
 * Since: 0.1
 */
void
ipt_image_add_provider (IptImage *self, IptMemoryProvider *provider)
{
  g_return_if_fail (IPT_IS_IMAGE (self));
  g_return_if_fail (IPT_IS_MEMORY_PROVIDER (provider));
  g_return_if_fail (IPT_MEMORY_PROVIDER_GET_IFACE (provider)->read != NULL);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->providers, g_object_ref (provider));
  ipt_image_publish (self);
  g_mutex_unlock (&self->lock);

  g_list_store_append (self->provider_store, provider);
}

/**
 * ipt_image_remove_provider:
 * @self: an #IptImage
 * @provider: an #IptMemoryProvider
 *
 * Removes the first occurrence of @provider from the chain. pt_images that
 * were returned before keep reading the chain they were built from (and keep
 * @provider alive until @self is finalized).
 *
 * Returns: %TRUE when @provider was in the chain
 *
 * Since: 0.1
 */
gboolean
ipt_image_remove_provider (IptImage *self, IptMemoryProvider *provider)
{
  guint index;
  gboolean found;

  g_return_val_if_fail (IPT_IS_IMAGE (self), FALSE);
  g_return_val_if_fail (IPT_IS_MEMORY_PROVIDER (provider), FALSE);

  g_mutex_lock (&self->lock);
  found = g_ptr_array_find (self->providers, provider, &index);
  if (found)
    {
      g_ptr_array_remove_index (self->providers, index);
      ipt_image_publish (self);
    }
  g_mutex_unlock (&self->lock);

  if (found)
    g_list_store_remove (self->provider_store, index);

  return found;
}

/**
 * ipt_image_get_providers:
 * @self: an #IptImage
 *
 * The chain as a list model, in priority order (highest first), kept in sync
 * by ipt_image_add_provider() and ipt_image_remove_provider(); a GUI can
 * bind it. Do not modify it.
 *
 * Returns: (transfer none): a #GListModel of #IptMemoryProvider
 *
 * Since: 0.1
 */
GListModel *
ipt_image_get_providers (IptImage *self)
{
  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  return G_LIST_MODEL (self->provider_store);
}

/**
 * ipt_image_read:
 * @self: an #IptImage
 * @buffer: (array length=size) (element-type guint8) (out caller-allocates): where the bytes go
 * @size: the size of @buffer
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the first address to read
 * @error: return location for an error
 *
 * Reads up to @size bytes at @address through the chain: each byte comes
 * from the highest-priority provider that maps it in @asid (libipt's asid
 * matching), then from the external callback (ipt_image_set_callback()).
 * The read is stitched across providers and regions until @size bytes or
 * the first unmapped byte. The page cache is not used.
 *
 * A provider that fails after some bytes were read makes a short read; the
 * next read at the failing address reports the error.
 *
 * Returns: the number of bytes read; 0 when the byte at @address is unmapped
 *   (not an error, as for a provider); -1 with @error set when a provider
 *   fails at @address
 *
 * Since: 0.1
 */
gssize
ipt_image_read (IptImage *self, guint8 *buffer, gsize size,
                const IptAsid *asid, guint64 address, GError **error)
{
  static const IptAsid any = IPT_ASID_INIT_ANY;

  g_return_val_if_fail (IPT_IS_IMAGE (self), -1);
  g_return_val_if_fail (buffer != NULL || size == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (size == 0)
    return 0;
  if (size > G_MAXSSIZE)
    size = G_MAXSSIZE;

  return snapshot_read (ipt_image_current (self), buffer, size,
                        asid != NULL ? asid : &any, address, TRUE, error);
}

static int
compare_mappings (gconstpointer a, gconstpointer b)
{
  const IptMapping *ma = *(IptMapping * const *) a;
  const IptMapping *mb = *(IptMapping * const *) b;

  if (ma->region->address != mb->region->address)
    return ma->region->address < mb->region->address ? -1 : 1;
  return 0;
}

/**
 * ipt_image_read_bytes:
 * @self: an #IptImage
 * @size: the most bytes to read, at least 1
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the first address to read
 * @error: return location for an error
 *
 * Like ipt_image_read(), for callers that cannot pass a buffer (language
 * bindings, GUIs). Not for the decoding hot path: it allocates.
 *
 * Returns: (transfer full) (nullable): the bytes read from @address up to
 *   the first unmapped byte (empty when @address itself is unmapped), or
 *   %NULL with @error set when a provider fails
 *
 * Since: 0.1
 */
GBytes *
ipt_image_read_bytes (IptImage *self, gsize size, const IptAsid *asid, guint64 address,
                      GError **error)
{
  g_autofree guint8 *buffer = NULL;
  gssize n;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  buffer = g_malloc (size);
  n = ipt_image_read (self, buffer, size, asid, address, error);
  if (n < 0)
    return NULL;
  return g_bytes_new_take (g_realloc (g_steal_pointer (&buffer), MAX (n, 1)), n);
}

/**
 * ipt_image_list_mappings:
 * @self: an #IptImage
 *
 * The resolved address map of the current chain: for each range, which
 * provider serves it (higher-priority providers already cut away) and
 * whether libipt reads it as a file section. Ranges of different address
 * spaces may overlap; they are listed in address order, then by priority.
 * Providers without list_regions cannot be listed.
 *
 * Returns: (transfer container) (element-type IptMapping): the mappings; the array frees
 *   its elements (it has a free function), so callers unref only the array
 *
 * Since: 0.1
 */
GPtrArray *
ipt_image_list_mappings (IptImage *self)
{
  IptImageSnapshot *snap;
  GPtrArray *result;
  g_autoptr(GHashTable) open = NULL;  /* region -> its last mapping, for merging */

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  snap = ipt_image_current (self);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_mapping_free);
  open = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < snap->segments->len; i++)
    {
      const IptImageSegment *seg = &g_array_index (snap->segments, IptImageSegment, i);

      for (guint k = 0; k < seg->n; k++)
        {
          const IptImageCandidate *c = &g_array_index (snap->candidates, IptImageCandidate, seg->first + k);
          gboolean is_section = k == 0 && seg->file_section;
          IptMapping *prev = g_hash_table_lookup (open, c->region);
          IptMapping *mapping;
          guint64 size;

          size = seg->last - seg->start + 1;
          if (size == 0)
            size = G_MAXUINT64;  /* the whole address space does not fit */

          if (prev != NULL && prev->is_file_section == is_section &&
              prev->region->address + prev->region->size == seg->start)
            {
              prev->region->size += size;
              continue;
            }

          mapping = g_new0 (IptMapping, 1);
          mapping->region = ipt_region_copy (c->region);
          mapping->region->address = seg->start;
          mapping->region->size = size;
          if (c->region->filename != NULL)
            mapping->region->file_offset = c->region->file_offset + (seg->start - c->region->address);
          mapping->provider = g_object_ref (c->provider);
          mapping->is_file_section = is_section;
          g_ptr_array_add (result, mapping);
          g_hash_table_insert (open, (gpointer) c->region, mapping);
        }
    }

  /* stable: equal addresses keep priority order */
  g_ptr_array_sort (result, compare_mappings);
  return result;
}

/**
 * ipt_image_get_pt_image: (skip)
 * @self: an #IptImage
 *
 * The libipt image of the current chain, for pt_insn_set_image() or
 * pt_blk_set_image(): every range whose winning provider's bytes live in a
 * file is a real file section from the image's one
 * `pt_image_section_cache` (so the block decoder can cache its blocks),
 * with priority already resolved; everything else goes through an internal
 * read-memory callback bound to this version of the chain. Both paths give
 * the same bytes.
 *
 * The returned pointer is owned by @self and stays valid until @self is
 * finalized, also after the chain changes: a decoder keeps the chain it
 * started with. Call again after a change to get an image of the new chain.
 *
 * libipt reorders a pt_image's sections as it reads, so one pt_image must
 * not be used by decoders in several threads at once: use
 * ipt_image_dup_pt_image() for each further thread.
 *
 * Returns: (transfer none): the libipt image
 *
 * Since: 0.1
 */
struct pt_image *
ipt_image_get_pt_image (IptImage *self)
{
  IptImageSnapshot *snap;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  g_mutex_lock (&self->lock);
  snap = self->snapshot;
  if (snap->pt_image == NULL)
    snap->pt_image = snapshot_build_pt_image (self, snap);
  g_mutex_unlock (&self->lock);

  return snap->pt_image;
}

/**
 * ipt_image_dup_pt_image: (skip)
 * @self: an #IptImage
 *
 * Like ipt_image_get_pt_image(), but a new libipt image each time, for one
 * more decoder thread. Its sections share the image's section cache.
 *
 * Returns: (transfer full): a new libipt image; free it with pt_image_free()
 *   before @self is finalized
 *
 * Since: 0.1
 */
struct pt_image *
ipt_image_dup_pt_image (IptImage *self)
{
  struct pt_image *image;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  g_mutex_lock (&self->lock);
  image = snapshot_build_pt_image (self, self->snapshot);
  g_mutex_unlock (&self->lock);

  return image;
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
 * reads the current chain. Reads are served from a small per-thread page
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

  if (buffer == NULL || self == NULL)
    return -pte_invalid;

  return snapshot_callback_read (ipt_image_current (self), buffer, size, asid, ip);
}

/**
 * ipt_image_set_callback: (skip)
 * @self: (nullable): an #IptImage
 * @callback: (nullable): a libipt read-memory callback, or %NULL to remove it
 * @context: the callback's context
 *
 * Makes @callback the last link of the chain, consulted after every
 * provider, as libipt consults its callback after its sections
 * (pt_image_set_callback(3)). A later call replaces it; %NULL removes it.
 * The callback returns bytes read, 0 or -pte_nomap for unmapped, or another
 * negative pt_error_code, which the chain reports as a provider failure.
 * It may be called from several threads at once.
 *
 * Returns: 0, or -pte_invalid when @self is %NULL
 *
 * Since: 0.1
 */
int
ipt_image_set_callback (IptImage *self, read_memory_callback_t *callback, void *context)
{
  if (self == NULL)
    return -pte_invalid;
  g_return_val_if_fail (IPT_IS_IMAGE (self), -pte_invalid);

  g_mutex_lock (&self->lock);
  self->callback = callback;
  self->callback_context = callback != NULL ? context : NULL;
  ipt_image_publish (self);
  g_mutex_unlock (&self->lock);

  return 0;
}

/**
 * ipt_image_dup_last_error:
 * @self: an #IptImage
 *
 * The most recent provider failure reported through a read-memory callback
 * of @self (ipt_image_read_memory() or the pt_image's callback), from any
 * thread; libipt only sees -pte_bad_image, this is the full error.
 *
 * Returns: (transfer full) (nullable): a copy of the error, or %NULL
 *
 * Since: 0.1
 */
GError *
ipt_image_dup_last_error (IptImage *self)
{
  GError *error;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  g_mutex_lock (&self->error_lock);
  error = self->last_error != NULL ? g_error_copy (self->last_error) : NULL;
  g_mutex_unlock (&self->error_lock);

  return error;
}

/**
 * ipt_image_clear_last_error:
 * @self: an #IptImage
 *
 * Forgets the error that ipt_image_dup_last_error() returns.
 *
 * Since: 0.1
 */
void
ipt_image_clear_last_error (IptImage *self)
{
  g_return_if_fail (IPT_IS_IMAGE (self));

  g_mutex_lock (&self->error_lock);
  g_clear_error (&self->last_error);
  g_mutex_unlock (&self->error_lock);
}

/* ---- private ----------------------------------------------------------- */

guint64
ipt_image_get_generation (IptImage *self)
{
  g_return_val_if_fail (IPT_IS_IMAGE (self), 0);

  return ipt_image_current (self)->generation;
}

void
ipt_image_set_page_cache_enabled (IptImage *self, gboolean enabled)
{
  g_return_if_fail (IPT_IS_IMAGE (self));

  g_atomic_int_set (&self->page_cache_enabled, enabled ? 1 : 0);
}

guint
ipt_image_get_n_file_sections (IptImage *self)
{
  guint n;

  g_return_val_if_fail (IPT_IS_IMAGE (self), 0);

  g_mutex_lock (&self->lock);
  snapshot_ensure_sections (self, self->snapshot);
  n = self->snapshot->sections->len;
  g_mutex_unlock (&self->lock);

  return n;
}
