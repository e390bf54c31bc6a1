/* ipt-image-private.h: internals of IptImage that tests, benchmarks and the
 * decoder reach; nothing here is ABI. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* Size of one page of the per-thread read cache (the software TLB). */
#define IPT_PAGE_CACHE_PAGE_SHIFT 12
#define IPT_PAGE_CACHE_PAGE_SIZE (1u << IPT_PAGE_CACHE_PAGE_SHIFT)
#define IPT_PAGE_CACHE_ENTRIES 64

/* The generation of the image's current snapshot: unique across all images of
 * the process, bumped by every change of the chain (providers, callback). */
G_GNUC_INTERNAL
guint64 ipt_image_get_generation (IptImage *self);

/* Turns the per-thread page cache of ipt_image_read_memory() and of the
 * pt_image's internal callback on or off (default on); for measurements. */
G_GNUC_INTERNAL
void ipt_image_set_page_cache_enabled (IptImage *self, gboolean enabled);

/* Number of file sections the current snapshot hands to libipt. */
G_GNUC_INTERNAL
guint ipt_image_get_n_file_sections (IptImage *self);

G_END_DECLS
