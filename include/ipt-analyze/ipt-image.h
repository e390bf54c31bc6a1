/* ipt-image.h: the traced memory image, a prioritised chain of providers behind libipt's one callback. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <stdint.h>
#include <intel-pt.h>
#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-asid.h>
#include <ipt-analyze/ipt-region.h>
#include <ipt-analyze/ipt-memory-provider.h>

G_BEGIN_DECLS

/**
 * IptMapping:
 * @region: the resolved range: the part of a provider's region where that
 *   provider wins (higher-priority providers already cut away)
 * @provider: the provider that serves the range
 * @is_file_section: %TRUE when the range is handed to libipt as a file section
 *
 * One entry of an image's resolved address map, as ipt_image_list_mappings()
 * returns it.
 *
 * Since: 0.1
 */
typedef struct {
  IptRegion *region;
  IptMemoryProvider *provider;
  gboolean is_file_section;
} IptMapping;

#define IPT_TYPE_MAPPING (ipt_mapping_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_mapping_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptMapping *ipt_mapping_copy (const IptMapping *mapping);
IPT_AVAILABLE_IN_ALL
void ipt_mapping_free (IptMapping *mapping);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptMapping, ipt_mapping_free)

#define IPT_TYPE_IMAGE (ipt_image_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptImage, ipt_image, IPT, IMAGE, GObject)

IPT_AVAILABLE_IN_ALL
IptImage *ipt_image_new (const char *name);
IPT_AVAILABLE_IN_ALL
const char *ipt_image_get_name (IptImage *self);
IPT_AVAILABLE_IN_ALL
void ipt_image_add_provider (IptImage *self, IptMemoryProvider *provider);
IPT_AVAILABLE_IN_ALL
gboolean ipt_image_remove_provider (IptImage *self, IptMemoryProvider *provider);
IPT_AVAILABLE_IN_ALL
guint ipt_image_add_address_spaces (IptImage *self, const IptAsid *asids, guint n_asids);
IPT_AVAILABLE_IN_ALL
guint ipt_image_add_trace_address_spaces (IptImage *self, const guint8 *trace, gsize size);
IPT_AVAILABLE_IN_ALL
gboolean ipt_image_serves_address_spaces (IptImage *self);
IPT_AVAILABLE_IN_ALL
GListModel *ipt_image_get_providers (IptImage *self);
IPT_AVAILABLE_IN_ALL
gssize ipt_image_read (IptImage *self, guint8 *buffer, gsize size,
                       const IptAsid *asid, guint64 address, GError **error);
IPT_AVAILABLE_IN_ALL
GBytes *ipt_image_read_bytes (IptImage *self, gsize size, const IptAsid *asid,
                              guint64 address, GError **error);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_image_list_mappings (IptImage *self);
IPT_AVAILABLE_IN_ALL
void ipt_image_set_time (IptImage *self, guint64 time);
IPT_AVAILABLE_IN_ALL
guint64 ipt_image_get_time (IptImage *self);
IPT_AVAILABLE_IN_ALL
GArray *ipt_image_list_boundaries (IptImage *self);
IPT_AVAILABLE_IN_ALL
struct pt_image *ipt_image_get_pt_image (IptImage *self);
IPT_AVAILABLE_IN_ALL
struct pt_image *ipt_image_dup_pt_image (IptImage *self);
IPT_AVAILABLE_IN_ALL
int ipt_image_read_memory (uint8_t *buffer, size_t size, const struct pt_asid *asid,
                           uint64_t ip, void *image);
IPT_AVAILABLE_IN_ALL
int ipt_image_set_callback (IptImage *self, read_memory_callback_t *callback, void *context);
IPT_AVAILABLE_IN_ALL
GError *ipt_image_dup_last_error (IptImage *self);
IPT_AVAILABLE_IN_ALL
void ipt_image_clear_last_error (IptImage *self);

G_END_DECLS
