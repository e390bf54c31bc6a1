/* ipt-memory-provider.h: the interface every source of traced memory implements. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <glib-object.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-asid.h>
#include <ipt-analyze/ipt-region.h>

G_BEGIN_DECLS

#define IPT_TYPE_MEMORY_PROVIDER (ipt_memory_provider_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (IptMemoryProvider, ipt_memory_provider, IPT, MEMORY_PROVIDER, GObject)

/**
 * IptMemoryProviderInterface:
 * @parent_iface: the parent interface
 * @read: reads up to @size contiguous bytes at @address in @asid; returns the
 *   number read (1..@size), 0 when the provider does not map @address, or -1
 *   with @error set when it maps it but cannot deliver the bytes
 * @list_regions: optional; the regions the provider maps, sorted by address, in a new
 *   #GPtrArray whose free function is ipt_region_free()
 * @read_at: optional, for providers whose regions have validity intervals
 *   (memory that changes over time): like @read, with the bytes as they were
 *   at @time. The image calls it with a time at which the region it chose
 *   is valid; @read then serves the latest bytes (%IPT_TIME_END).
 * @list_regions_in: optional, for providers that can serve address spaces
 *   they do not know in advance (a snapshot of a whole machine, whose page
 *   tables give every CR3 its memory): the regions the provider maps in
 *   @asid beyond those @list_regions lists, in the same form, or %NULL for
 *   none. The image asks for each address space it is told a trace uses
 *   (ipt_image_add_address_spaces()); these regions rank above the
 *   provider's @list_regions ones. Called with the image's lock held: it
 *   must not call back into the image. Since: 0.1
 * @read_bytes: for providers written in other languages (bindings cannot
 *   fill a caller's buffer): like @read, with the bytes in a new #GBytes —
 *   empty when the provider does not map @address, %NULL with @error set
 *   when it cannot deliver them. A provider implements @read or
 *   @read_bytes; when it leaves @read alone, the interface's default @read
 *   serves it through @read_bytes (an allocation per read: C providers
 *   implement @read). Since: 0.1
 * @dup_regions: for providers written in other languages: the regions, as
 *   a list; the default @list_regions serves them. Since: 0.1
 *
 * The memory-provider interface. Providers are constructed from properties
 * and opened with #GInitable, so that a bad input is a #GError at open time.
 *
 * From Python (PyGObject), a provider is a class that derives from
 * `GObject.Object` and `Ipt.MemoryProvider` and defines `do_read_bytes
 * (self, size, asid, address)` (returning `GLib.Bytes`, raising
 * `GLib.Error` for a failure) and `do_dup_regions (self)` (returning a
 * list of #IptRegion).
 *
 * Since: 0.1
 */
/**
 * IptMemoryProviderInterface::dup_regions:
 * @self: an #IptMemoryProvider
 *
 * The regions @self maps, for providers written in other languages: a
 * #GPtrArray with a free function cannot come from a binding, a list can.
 * When a provider leaves @list_regions alone, the interface's default
 * @list_regions returns these regions (sorted by address), or %NULL when
 * the provider does not implement @dup_regions either.
 *
 * Returns: (transfer full) (element-type IptRegion) (nullable): the regions
 *
 * Since: 0.1
 */
struct _IptMemoryProviderInterface {
  GTypeInterface parent_iface;

  gssize (*read) (IptMemoryProvider *self, guint8 *buffer, gsize size,
                  const IptAsid *asid, guint64 address, GError **error);
  GPtrArray *(*list_regions) (IptMemoryProvider *self);

  gssize (*read_at) (IptMemoryProvider *self, guint8 *buffer, gsize size,
                     const IptAsid *asid, guint64 address, guint64 time, GError **error);

  GPtrArray *(*list_regions_in) (IptMemoryProvider *self, const IptAsid *asid);

  GBytes *(*read_bytes) (IptMemoryProvider *self, gsize size, const IptAsid *asid,
                         guint64 address, GError **error);
  GList *(*dup_regions) (IptMemoryProvider *self);

  /*< private >*/
  gpointer padding[4];
};

IPT_AVAILABLE_IN_ALL
gssize ipt_memory_provider_read (IptMemoryProvider *self, guint8 *buffer, gsize size,
                                 const IptAsid *asid, guint64 address, GError **error);
IPT_AVAILABLE_IN_ALL
gssize ipt_memory_provider_read_at (IptMemoryProvider *self, guint8 *buffer, gsize size,
                                    const IptAsid *asid, guint64 address, guint64 time,
                                    GError **error);
IPT_AVAILABLE_IN_ALL
GBytes *ipt_memory_provider_read_bytes (IptMemoryProvider *self, gsize size, const IptAsid *asid,
                                        guint64 address, GError **error);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_memory_provider_list_regions (IptMemoryProvider *self);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_memory_provider_list_regions_in (IptMemoryProvider *self, const IptAsid *asid);

G_END_DECLS
