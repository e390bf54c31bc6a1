/* ipt-memory-provider.c: the IptMemoryProvider interface and its checked wrappers.
 * The image resolves the vfuncs once per provider; these wrappers are for
 * everybody else and check their arguments. The interface's default read
 * serves providers written in other languages through their read_bytes:
 * it allocates, and C providers, which implement read, never reach it. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-read-bytes-private.h"
#include "ipt-sigbus-private.h"

/**
 * IptMemoryProvider:
 *
 * A source of traced memory: a file, a core dump, a snapshot, JIT code.
 * Implementations also implement #GInitable and are created with
 * g_initable_new(), so a bad input fails at open time with a #GError.
 *
 * Since: 0.1
 */
G_DEFINE_INTERFACE (IptMemoryProvider, ipt_memory_provider, G_TYPE_OBJECT)

/* The bytes of @self's read_bytes at @address, at most @max of them, or
 * NULL with @error set. */
static GBytes *
read_through_bytes (IptMemoryProvider *self, IptMemoryProviderInterface *iface, gsize max,
                    const IptAsid *asid, guint64 address, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (iface->read_bytes == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s implements neither read nor read_bytes of IptMemoryProvider",
                   G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  bytes = iface->read_bytes (self, max, asid, address, &local_error);
  if (bytes == NULL)
    {
      if (local_error == NULL)
        g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                     "%s: read_bytes at 0x%" G_GINT64_MODIFIER "x failed without an error",
                     G_OBJECT_TYPE_NAME (self), address);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (g_bytes_get_size (bytes) > max)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                   "%s: read_bytes at 0x%" G_GINT64_MODIFIER "x returned %" G_GSIZE_FORMAT
                   " bytes, more than the %" G_GSIZE_FORMAT " asked for",
                   G_OBJECT_TYPE_NAME (self), address, g_bytes_get_size (bytes), max);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

/* The default read: through read_bytes, for providers that bindings implement. */
static gssize
ipt_memory_provider_real_read (IptMemoryProvider *self, guint8 *buffer, gsize size,
                               const IptAsid *asid, guint64 address, GError **error)
{
  g_autoptr (GBytes) bytes = read_through_bytes (self, IPT_MEMORY_PROVIDER_GET_IFACE (self), size,
                                                 asid, address, error);
  gsize n;

  if (bytes == NULL)
    return -1;
  n = g_bytes_get_size (bytes);
  if (n > 0)
    memcpy (buffer, g_bytes_get_data (bytes, NULL), n);
  return (gssize) n;
}

static gint
compare_region_addresses (gconstpointer a, gconstpointer b)
{
  const IptRegion *x = *(const IptRegion *const *) a, *y = *(const IptRegion *const *) b;

  return x->address < y->address ? -1 : x->address > y->address;
}

/* The default list_regions: the list of dup_regions, for providers that
 * bindings implement; NULL (asked address by address) without it, as
 * before there was a default. */
static GPtrArray *
ipt_memory_provider_real_list_regions (IptMemoryProvider *self)
{
  IptMemoryProviderInterface *iface = IPT_MEMORY_PROVIDER_GET_IFACE (self);
  GPtrArray *regions;
  GList *list;

  if (iface->dup_regions == NULL)
    return NULL;
  list = iface->dup_regions (self);
  regions = g_ptr_array_new_full (g_list_length (list), (GDestroyNotify) ipt_region_free);
  for (GList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (regions, l->data);
  g_list_free (list);
  g_ptr_array_sort (regions, compare_region_addresses);
  return regions;
}

static void
ipt_memory_provider_default_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_memory_provider_real_read;
  iface->list_regions = ipt_memory_provider_real_list_regions;
}

/**
 * ipt_memory_provider_read:
 * @self: an #IptMemoryProvider
 * @buffer: (array length=size) (element-type guint8) (out caller-allocates): where the bytes go
 * @size: (in): the size of @buffer, at least 1
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the first address to read
 * @error: return location for an error
 *
 * Reads up to @size contiguous bytes at @address. A short read is not an
 * error: it means the provider's mapping ends there.
 *
 * Returns: the number of bytes read (1..@size); 0 when @self does not map
 *   @address (not an error); -1 with @error set when @self maps @address
 *   but cannot deliver its bytes
 *
 * Since: 0.1
 */
gssize
ipt_memory_provider_read (IptMemoryProvider *self, guint8 *buffer, gsize size,
                          const IptAsid *asid, guint64 address, GError **error)
{
  return ipt_memory_provider_read_at (self, buffer, size, asid, address, IPT_TIME_END, error);
}

/**
 * ipt_memory_provider_read_at:
 * @self: an #IptMemoryProvider
 * @buffer: (array length=size) (element-type guint8) (out caller-allocates): where the bytes go
 * @size: (in): the size of @buffer, at least 1
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the first address to read
 * @time: the time (nanoseconds of CLOCK_MONOTONIC) whose bytes to read, or
 *   %IPT_TIME_END for the latest
 * @error: return location for an error
 *
 * Like ipt_memory_provider_read(), with the bytes that @self held at @time:
 * for a provider whose memory changes over time (JIT code), the region
 * valid at @time. Providers without @read_at serve the same bytes at every
 * time.
 *
 * Returns: the number of bytes read (1..@size); 0 when @self does not map
 *   @address at @time (not an error); -1 with @error set
 *
 * Since: 0.1
 */
gssize
ipt_memory_provider_read_at (IptMemoryProvider *self, guint8 *buffer, gsize size,
                             const IptAsid *asid, guint64 address, guint64 time,
                             GError **error)
{
  IptMemoryProviderInterface *iface;
  IptSigbusGuard guard;
  gssize n;

  g_return_val_if_fail (IPT_IS_MEMORY_PROVIDER (self), -1);
  g_return_val_if_fail (buffer != NULL, -1);
  g_return_val_if_fail (size > 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  iface = IPT_MEMORY_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->read != NULL, -1);

  /* a provider's mapped file truncated under the read: an error, no SIGBUS */
  ipt_sigbus_guard_enter (&guard);
  if (sigsetjmp (guard.env, 0) == 0)
    n = iface->read_at != NULL ? iface->read_at (self, buffer, size, asid, address, time, error)
                               : iface->read (self, buffer, size, asid, address, error);
  else
    {
      ipt_sigbus_guard_set_error (&guard, error);
      n = -1;
    }
  ipt_sigbus_guard_leave (&guard);

  g_return_val_if_fail (n <= (gssize) size, (gssize) size);
  return n;
}

/**
 * ipt_memory_provider_read_bytes:
 * @self: an #IptMemoryProvider
 * @size: the most bytes to read, at least 1
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the first address to read
 * @error: return location for an error
 *
 * Like ipt_memory_provider_read(), for callers that cannot pass a buffer
 * (language bindings, GUIs). Not for the decoding hot path: it allocates.
 * It is also the vfunc that providers written in other languages implement
 * (#IptMemoryProviderInterface.read_bytes).
 *
 * Only what is read is allocated: @size may be far larger than the mapping
 * (a provider's own read_bytes is asked for @size and must allocate only
 * what it maps, too).
 *
 * Returns: (transfer full) (nullable): the contiguous bytes read from
 *   @address, empty when @self does not map @address, or %NULL with @error
 *   set when @self maps it but cannot deliver its bytes, or when the bytes
 *   do not fit in memory (%IPT_ERROR_NO_MEMORY)
 *
 * Since: 0.1
 */
GBytes *
ipt_memory_provider_read_bytes (IptMemoryProvider *self, gsize size, const IptAsid *asid,
                                guint64 address, GError **error)
{
  IptMemoryProviderInterface *iface;

  g_return_val_if_fail (IPT_IS_MEMORY_PROVIDER (self), NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = IPT_MEMORY_PROVIDER_GET_IFACE (self);
  if (iface->read == ipt_memory_provider_real_read)
    return read_through_bytes (self, iface, size, asid, address, error);
  return ipt_read_bytes ((IptReadIntoFunc) ipt_memory_provider_read, self, size, asid, address,
                         error);
}

/**
 * ipt_memory_provider_list_regions:
 * @self: an #IptMemoryProvider
 *
 * Lists the regions that @self maps, if it can tell.
 *
 * Returns: (transfer container) (element-type IptRegion) (nullable): the
 *   regions, sorted by address, in an array whose free function frees them
 *   (callers unref only the array), or %NULL when @self does not implement
 *   list_regions (it can then only be asked address by address)
 *
 * Since: 0.1
 */
GPtrArray *
ipt_memory_provider_list_regions (IptMemoryProvider *self)
{
  IptMemoryProviderInterface *iface;

  g_return_val_if_fail (IPT_IS_MEMORY_PROVIDER (self), NULL);

  iface = IPT_MEMORY_PROVIDER_GET_IFACE (self);
  if (iface->list_regions == NULL)
    return NULL;
  return iface->list_regions (self);
}

/**
 * ipt_memory_provider_list_regions_in:
 * @self: an #IptMemoryProvider
 * @asid: an address space
 *
 * Lists the regions that @self maps in @asid beyond those of
 * ipt_memory_provider_list_regions(): what a provider that can serve
 * address spaces it does not know in advance (the qemu plugin: a whole
 * machine's memory, translated through each CR3's page tables) maps there.
 *
 * Returns: (transfer container) (element-type IptRegion) (nullable): the
 *   regions, in an array whose free function frees them, or %NULL when
 *   @self has none there or does not implement list_regions_in
 *
 * Since: 0.1
 */
GPtrArray *
ipt_memory_provider_list_regions_in (IptMemoryProvider *self, const IptAsid *asid)
{
  IptMemoryProviderInterface *iface;

  g_return_val_if_fail (IPT_IS_MEMORY_PROVIDER (self), NULL);
  g_return_val_if_fail (asid != NULL, NULL);

  iface = IPT_MEMORY_PROVIDER_GET_IFACE (self);
  if (iface->list_regions_in == NULL)
    return NULL;
  return iface->list_regions_in (self, asid);
}
