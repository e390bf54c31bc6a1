/* mock-provider.h: a configurable IptMemoryProvider for tests: byte regions
 * (in memory, or loaded from a file and listed as file-backed), with or
 * without list_regions, injected failures, short reads, and call counting. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_MOCK_PROVIDER (ipt_mock_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptMockProvider, ipt_mock_provider, IPT, MOCK_PROVIDER, GObject)

/* Properties (all construct-only, for option-parsing tests too):
 *   "label"        string   a name for messages
 *   "list-regions" boolean  implement list_regions (default TRUE); FALSE makes
 *                           the provider opaque to the image's index
 *   "base"         guint64  with "size" > 0: a region at "base"...
 *   "size"         guint64  ...of "size" bytes of "fill", or of "file"'s bytes
 *   "fill"         guint    the byte value of that region (0..255)
 *   "file"         string   (filename) the region's bytes come from this file,
 *                           at "offset", and the region is listed as file-backed
 *   "offset"       guint64  offset in "file"
 *   "permissions"  IptPermissions flags of the regions added from properties
 * The provider implements GInitable: a "file" that cannot be read or is too
 * short fails g_initable_new() with an IPT_ERROR. */
IptMockProvider *ipt_mock_provider_new (gboolean list_regions);

/* Regions are searched in the order they were added; the first that contains
 * the address (and matches the asid) serves it. */
void ipt_mock_provider_add_bytes (IptMockProvider *self, guint64 address,
                                  const guint8 *bytes, gsize size, const IptAsid *asid);
void ipt_mock_provider_add_fill (IptMockProvider *self, guint64 address, gsize size,
                                 guint8 fill, const IptAsid *asid);
/* Serves [offset, offset + size) of @filename at @address, listed with the filename. */
gboolean ipt_mock_provider_add_file (IptMockProvider *self, guint64 address,
                                     const char *filename, guint64 offset, gsize size,
                                     const IptAsid *asid, GError **error);
/* Lists a file-backed region whose served bytes are @bytes (which may differ
 * from the file: for tests that catch a wrong section). */
void ipt_mock_provider_add_file_region_with_bytes (IptMockProvider *self, guint64 address,
                                                   const char *filename, guint64 offset,
                                                   const guint8 *bytes, gsize size,
                                                   const IptAsid *asid);

/* Gives the region added last a validity interval; reads follow the rule
 * of ipt_image_set_time() (read_at), read serves the latest. */
void ipt_mock_provider_set_last_validity (IptMockProvider *self, guint64 valid_from,
                                          guint64 valid_to);

/* Reads whose first byte lies in [address, address + size) fail with
 * IPT_ERROR_IO; reads that start before stop short of it. */
void ipt_mock_provider_set_failure (IptMockProvider *self, guint64 address, gsize size);
void ipt_mock_provider_clear_failure (IptMockProvider *self);
/* Returns -1 without setting the error (a buggy provider). */
void ipt_mock_provider_set_fail_without_error (IptMockProvider *self, gboolean enabled);
/* At most @max bytes per read (0: no limit). */
void ipt_mock_provider_set_max_read (IptMockProvider *self, gsize max);

guint ipt_mock_provider_get_read_count (IptMockProvider *self);
void ipt_mock_provider_reset_read_count (IptMockProvider *self);

G_END_DECLS
