/* ipt-read-bytes-private.h: the one way core turns a buffer read into a
 * GBytes for bindings (ipt_image_read_bytes(), ipt_memory_provider_read_bytes()). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

typedef gssize (*IptReadIntoFunc) (gpointer source, guint8 *buffer, gsize size,
                                   const IptAsid *asid, guint64 address, GError **error);

G_GNUC_INTERNAL
GBytes *ipt_read_bytes (IptReadIntoFunc read, gpointer source, gsize size,
                        const IptAsid *asid, guint64 address, GError **error);

G_GNUC_INTERNAL
GBytes *ipt_read_bytes_with_limit (IptReadIntoFunc read, gpointer source, gsize size,
                                   const IptAsid *asid, guint64 address, gsize limit,
                                   GError **error);

G_END_DECLS
