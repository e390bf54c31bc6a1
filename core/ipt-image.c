/* ipt-image.c: IptImage, the traced memory image — a prioritised chain of
 * memory providers behind libipt's single read-memory callback. This file
 * is the GObject and its public API: it keeps the chain and, on every
 * change, builds a new immutable snapshot (ipt-image-index.c) and publishes
 * it with one atomic store, so that readers (ipt-image-read.c) need no lock.
 * A replaced snapshot lives on while a decode, a reader or a handed-out
 * pt_image uses it (ipt-image-retire.c); the libipt side of a snapshot is
 * in ipt-image-sections.c. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "ipt-image-snapshot-private.h"
#include "ipt-read-bytes-private.h"
#include "ipt-sigbus-private.h"

enum {
  PROP_0,
  PROP_NAME,
  PROP_TIME,
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

/* ---- snapshots --------------------------------------------------------- */

/* Called with self->lock held: the snapshot or the time changed. The page
 * cache's fast path compares this one word. */
static void
update_read_tag (IptImage *self)
{
  guint epoch = ipt_image_snapshot_epoch_of (self->snapshot, ipt_image_get_time (self));

  __atomic_store_n (&self->read_tag,
                    epoch < (1u << IPT_IMAGE_EPOCH_BITS)
                    ? IPT_IMAGE_VIEW_TAG (self->snapshot->generation, epoch) : 0,
                    __ATOMIC_RELEASE);
}

/* Called with self->lock held: the chain (or what its index asks the
 * providers for) changed. */
void
ipt_image_publish (IptImage *self)
{
  IptImageSnapshot *snap = ipt_image_snapshot_build (self, &self->page_cache_enabled,
                                                     self->providers, self->callback,
                                                     self->callback_context,
                                                     self->max_file_sections,
                                                     self->address_spaces);
  IptImageSnapshot *old = self->snapshot;

  /* Once per image (every change rebuilds the index), and only when code
   * loses its sections: data ranges are read as code only by a bad trace. */
  if (snap->n_code_runs_not_sections > 0 && !self->warned_section_limit)
    {
      g_warning ("image %s: %u file-backed ranges that may hold code, more than the %u "
                 "libipt file sections it gets; the %u smallest are read through the "
                 "callback, without libipt's block cache",
                 /* code sorts first: when code was left out, every section is code */
                 self->name, snap->section_runs->len + snap->n_code_runs_not_sections,
                 snap->section_runs->len, snap->n_code_runs_not_sections);
      self->warned_section_limit = TRUE;
    }

  __atomic_store_n (&self->snapshot, snap, __ATOMIC_SEQ_CST);
  __atomic_store_n (&self->generation, snap->generation, __ATOMIC_RELEASE);
  update_read_tag (self);
  if (old != NULL)
    {
      g_ptr_array_add (self->retired, old);
      ipt_image_retire_sweep (self->retired);
    }
}

void
ipt_image_take_error (IptImage *self, GError *error)
{
  g_mutex_lock (&self->error_lock);
  g_clear_error (&self->last_error);
  self->last_error = error;
  g_mutex_unlock (&self->error_lock);
}

/* ---- GObject ----------------------------------------------------------- */

static void
ipt_image_finalize (GObject *object)
{
  IptImage *self = IPT_IMAGE (object);

  g_ptr_array_unref (self->retired);
  ipt_image_snapshot_free (self->snapshot);
  pt_iscache_free (self->iscache);
  g_ptr_array_unref (self->providers);
  g_array_unref (self->address_spaces);
  g_clear_object (&self->provider_store);
  g_clear_error (&self->last_error);
  g_free (self->name);
  g_rec_mutex_clear (&self->write_lock);
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
    case PROP_TIME:
      g_value_set_uint64 (value, ipt_image_get_time (self));
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
    case PROP_TIME:
      ipt_image_set_time (self, g_value_get_uint64 (value));
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

  /**
   * IptImage:time:
   *
   * The time whose memory image-level reads serve (ipt_image_set_time()).
   *
   * Since: 0.1
   */
  properties[PROP_TIME] =
    g_param_spec_uint64 ("time", "Time", "The time (CLOCK_MONOTONIC ns) whose memory reads serve",
                         0, G_MAXUINT64, IPT_TIME_END,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_image_init (IptImage *self)
{
  g_rec_mutex_init (&self->write_lock);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->error_lock);
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->provider_store = g_list_store_new (IPT_TYPE_MEMORY_PROVIDER);
  self->address_spaces = g_array_new (FALSE, FALSE, sizeof (IptAsid));
  self->retired = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_image_snapshot_free);
  self->page_cache_enabled = TRUE;
  self->max_file_sections = IPT_IMAGE_MAX_FILE_SECTIONS;
  self->time = IPT_TIME_END;
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

  g_rec_mutex_lock (&self->write_lock);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->providers, g_object_ref (provider));
  ipt_image_publish (self);
  g_mutex_unlock (&self->lock);

  /* still in order with the chain: no other writer can come between */
  g_list_store_append (self->provider_store, provider);
  g_rec_mutex_unlock (&self->write_lock);
}

/**
 * ipt_image_remove_provider:
 * @self: an #IptImage
 * @provider: an #IptMemoryProvider
 *
 * Removes the first occurrence of @provider from the chain. Decodes that
 * run and pt_images that were returned before keep reading the chain they
 * were built from (and keep @provider alive as long as they do: a decode
 * until it ends, a pt_image until @self is finalized).
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

  g_rec_mutex_lock (&self->write_lock);
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
  g_rec_mutex_unlock (&self->write_lock);

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
 * next read at the failing address reports the error. A mapped file that
 * was truncated under the read fails it with %IPT_ERROR_IO naming the file
 * and the offset (no SIGBUS).
 *
 * Returns: the number of bytes read; 0 when the byte at @address is unmapped
 *   (not an error, as for a provider); -1 with @error set when a provider
 *   fails at @address
 *
 * Since: 0.1
 */
/* The read itself, in a frame of its own below the SIGBUS guard's. */
static gssize
read_current (IptImage *self, guint8 *buffer, gsize size, const IptAsid *asid,
              guint64 address, GError **error)
{
  IptImageReadGuard guard;
  const IptImageSnapshot *snap;
  gssize n;

  snap = ipt_image_retire_enter (&self->snapshot, &self->lock, &guard);
  n = ipt_image_view_read (ipt_image_snapshot_view_at (snap, ipt_image_get_time (self)), buffer,
                           MIN (size, (gsize) G_MAXSSIZE), asid, address, TRUE, error);
  ipt_image_retire_leave (&guard);
  return n;
}

gssize
ipt_image_read (IptImage *self, guint8 *buffer, gsize size,
                const IptAsid *asid, guint64 address, GError **error)
{
  static const IptAsid any = IPT_ASID_INIT_ANY;
  IptSigbusGuard guard;
  gssize n;

  g_return_val_if_fail (IPT_IS_IMAGE (self), -1);
  g_return_val_if_fail (buffer != NULL || size == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (size == 0)
    return 0;

  ipt_sigbus_guard_enter (&guard);
  if (sigsetjmp (guard.env, 0) == 0)
    n = read_current (self, buffer, size, asid != NULL ? asid : &any, address, error);
  else
    {
      ipt_sigbus_guard_set_error (&guard, error);
      n = -1;
    }
  ipt_sigbus_guard_leave (&guard);
  return n;
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
 * bindings, GUIs). Not for the decoding hot path: it allocates. Only what
 * is read is allocated: @size may be far larger than what is mapped.
 *
 * Returns: (transfer full) (nullable): the bytes read from @address up to
 *   the first unmapped byte (empty when @address itself is unmapped), or
 *   %NULL with @error set when a provider fails, or when the bytes do not
 *   fit in memory (%IPT_ERROR_NO_MEMORY)
 *
 * Since: 0.1
 */
GBytes *
ipt_image_read_bytes (IptImage *self, gsize size, const IptAsid *asid, guint64 address,
                      GError **error)
{
  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return ipt_read_bytes ((IptReadIntoFunc) ipt_image_read, self, size, asid, address, error);
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
  IptImageReadGuard guard;
  const IptImageSnapshot *snap;
  GPtrArray *result;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  snap = ipt_image_retire_enter (&self->snapshot, &self->lock, &guard);
  result = ipt_image_snapshot_list_mappings (ipt_image_snapshot_view_at (snap, ipt_image_get_time (self)));
  ipt_image_retire_leave (&guard);
  return result;
}

/**
 * ipt_image_set_time:
 * @self: an #IptImage
 * @time: nanoseconds of CLOCK_MONOTONIC (the clock of perf and jitdumps),
 *   or %IPT_TIME_END for the latest memory
 *
 * Sets the time whose memory ipt_image_read(), ipt_image_read_memory(),
 * ipt_image_list_mappings() and the pt_images made from now on serve, for
 * providers whose regions have validity intervals (#IptRegion). A decode
 * (#IptDecoder) keeps a time of its own, from the trace.
 *
 * At time t, a provider's claim on an address is its first region there
 * (in its list order) that is valid at t; when none is valid at t, the one
 * that becomes valid soonest after t. After its last region at an address
 * has ended, the address falls through to the next provider. The second
 * rule is for decoding: a decoder's time only moves at timing packets, so
 * it lags behind the code that runs — code loaded at T may run before the
 * decoder's time reaches T, and then its bytes must be the ones loaded at T.
 * At a boundary the later region wins: a region valid from T is read at T.
 *
 * The default, %IPT_TIME_END, reads the latest memory.
 *
 * Since: 0.1
 */
void
ipt_image_set_time (IptImage *self, guint64 time)
{
  g_return_if_fail (IPT_IS_IMAGE (self));

  guint64 old;

  g_mutex_lock (&self->lock);
  old = __atomic_exchange_n (&self->time, time, __ATOMIC_RELEASE);
  if (self->snapshot != NULL)
    update_read_tag (self);
  g_mutex_unlock (&self->lock);

  if (old != time)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
}

/**
 * ipt_image_get_time:
 * @self: an #IptImage
 *
 * Gets the time set with ipt_image_set_time().
 *
 * Returns: the time in nanoseconds, or %IPT_TIME_END
 *
 * Since: 0.1
 */
guint64
ipt_image_get_time (IptImage *self)
{
  g_return_val_if_fail (IPT_IS_IMAGE (self), IPT_TIME_END);

  return __atomic_load_n (&self->time, __ATOMIC_ACQUIRE);
}

/**
 * ipt_image_list_boundaries:
 * @self: an #IptImage
 *
 * The times at which the memory of the current chain changes: the starts
 * and ends of its providers' validity intervals at which some address
 * reads differently (by the rule of ipt_image_set_time(), code loaded at
 * a fresh address reads the same before its load). Between two
 * consecutive boundaries (an epoch) every address reads the same.
 *
 * Returns: (transfer full) (element-type guint64): the boundaries, sorted
 *   and distinct; empty when no region has a validity interval
 *
 * Since: 0.1
 */
GArray *
ipt_image_list_boundaries (IptImage *self)
{
  IptImageReadGuard guard;
  const IptImageSnapshot *snap;
  GArray *result;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  snap = ipt_image_retire_enter (&self->snapshot, &self->lock, &guard);
  result = g_array_sized_new (FALSE, FALSE, sizeof (guint64), snap->boundaries->len);
  g_array_append_vals (result, snap->boundaries->data, snap->boundaries->len);
  ipt_image_retire_leave (&guard);
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
 * Memory that changes over time is served as it is at the image's time
 * (ipt_image_set_time(), default the latest): a decoder of this image reads
 * that time only. Calling again after the time changed moves the same
 * pt_image to the new time's sections in place. #IptDecoder follows the
 * trace's own time instead.
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
  guint epoch;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  g_mutex_lock (&self->lock);
  snap = self->snapshot;
  epoch = ipt_image_snapshot_epoch_of (snap, ipt_image_get_time (self));
  if (snap->pt_image == NULL)
    snap->pt_image = ipt_image_snapshot_new_pt_image (snap, self->iscache, self->name, epoch);
  else if (snap->pt_image_epoch != epoch)
    ipt_image_snapshot_switch_pt_image (snap, self->iscache, snap->pt_image, self->name,
                                        snap->pt_image_epoch, epoch);
  snap->pt_image_epoch = epoch;
  snap->pinned = TRUE;
  g_mutex_unlock (&self->lock);

  return snap->pt_image;
}

/**
 * ipt_image_dup_pt_image: (skip)
 * @self: an #IptImage
 *
 * Like ipt_image_get_pt_image(), but a new libipt image each time, for one
 * more decoder thread, at the image's time when it is made. Its sections
 * share the image's section cache.
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
  image = ipt_image_snapshot_new_pt_image (self->snapshot, self->iscache, self->name,
                                           ipt_image_snapshot_epoch_of (self->snapshot,
                                                                        ipt_image_get_time (self)));
  self->snapshot->pinned = TRUE;
  g_mutex_unlock (&self->lock);

  return image;
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

  g_rec_mutex_lock (&self->write_lock);
  g_mutex_lock (&self->lock);
  self->callback = callback;
  self->callback_context = callback != NULL ? context : NULL;
  ipt_image_publish (self);
  g_mutex_unlock (&self->lock);
  g_rec_mutex_unlock (&self->write_lock);

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

  return __atomic_load_n (&self->generation, __ATOMIC_ACQUIRE);
}

void
ipt_image_set_page_cache_enabled (IptImage *self, gboolean enabled)
{
  g_return_if_fail (IPT_IS_IMAGE (self));

  g_atomic_int_set (&self->page_cache_enabled, enabled ? 1 : 0);
}

void
ipt_image_set_max_file_sections (IptImage *self, guint max)
{
  g_return_if_fail (IPT_IS_IMAGE (self));

  g_rec_mutex_lock (&self->write_lock);
  g_mutex_lock (&self->lock);
  self->max_file_sections = max;
  ipt_image_publish (self);
  g_mutex_unlock (&self->lock);
  g_rec_mutex_unlock (&self->write_lock);
}

guint
ipt_image_get_n_retired (IptImage *self)
{
  guint n;

  g_return_val_if_fail (IPT_IS_IMAGE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->retired->len;
  g_mutex_unlock (&self->lock);

  return n;
}

IptImageSnapshot *
ipt_image_acquire_snapshot (IptImage *self)
{
  IptImageSnapshot *snap;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);

  g_mutex_lock (&self->lock);
  snap = self->snapshot;
  g_atomic_int_inc (&snap->ref_count);
  g_mutex_unlock (&self->lock);

  return snap;
}

void
ipt_image_release_snapshot (IptImage *self, IptImageSnapshot *snapshot)
{
  g_return_if_fail (IPT_IS_IMAGE (self));
  g_return_if_fail (snapshot != NULL && snapshot->image == self);

  if (!g_atomic_int_dec_and_test (&snapshot->ref_count))
    return;

  /* the last decode of a replaced snapshot ends: free it now */
  g_mutex_lock (&self->lock);
  if (snapshot != self->snapshot)
    ipt_image_retire_sweep (self->retired);
  g_mutex_unlock (&self->lock);
}

struct pt_image *
ipt_image_snapshot_dup_pt_image (IptImage *self, const IptImageView *view)
{
  struct pt_image *image;

  g_return_val_if_fail (IPT_IS_IMAGE (self), NULL);
  g_return_val_if_fail (view != NULL && view->snap->image == self, NULL);

  g_mutex_lock (&self->lock);
  image = ipt_image_snapshot_new_pt_image ((IptImageSnapshot *) view->snap, self->iscache,
                                           self->name, view->epoch);
  g_mutex_unlock (&self->lock);

  return image;
}

void
ipt_image_view_move_pt_image (IptImage *self, struct pt_image *image, const IptImageView *from,
                              const IptImageView *to)
{
  g_return_if_fail (from->snap == to->snap);

  /* the sections exist (the image was made from them): no lock */
  ipt_image_snapshot_switch_pt_image ((IptImageSnapshot *) to->snap, self->iscache, image,
                                      self->name, from->epoch, to->epoch);
}

const IptImageView *
ipt_image_snapshot_get_view (const IptImageSnapshot *snapshot, guint64 time)
{
  return ipt_image_snapshot_view_at (snapshot, time);
}

gboolean
ipt_image_snapshot_is_timed (const IptImageSnapshot *snapshot)
{
  return snapshot->n_epochs > 1;
}

guint
ipt_image_snapshot_get_n_boundaries (const IptImageSnapshot *snapshot)
{
  return snapshot->boundaries->len;
}

guint
ipt_image_get_n_file_sections (IptImage *self)
{
  guint n;

  g_return_val_if_fail (IPT_IS_IMAGE (self), 0);

  g_mutex_lock (&self->lock);
  ipt_image_snapshot_ensure_sections (self->snapshot, self->iscache);
  n = self->snapshot->sections->len;
  g_mutex_unlock (&self->lock);

  return n;
}
