/* ipt-image-private.h: internals of IptImage that the decoder, tests and
 * benchmarks reach; nothing here is ABI. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-page-cache-private.h"

G_BEGIN_DECLS

typedef struct _IptImageSnapshot IptImageSnapshot;

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

/* libipt's section cache numbers its sections with 16 bits and searches
 * them linearly, and its images keep theirs in a list: beyond a few
 * thousand sections, adding them costs more than the block cache saves.
 * Past this many, the executable and largest ranges are sections, the
 * others are read through the callback. */
#define IPT_IMAGE_MAX_FILE_SECTIONS 4096

/* How many ranges libipt gets as file sections at most (default
 * IPT_IMAGE_MAX_FILE_SECTIONS); for tests of the limit. */
G_GNUC_INTERNAL
void ipt_image_set_max_file_sections (IptImage *self, guint max);

/* Number of replaced snapshots still alive (in use, or pinned by a
 * handed-out pt_image). */
G_GNUC_INTERNAL
guint ipt_image_get_n_retired (IptImage *self);

/* A decode's hold on the chain as it was when the decode started (DESIGN
 * §3.3): libipt and the decoder's own reads (the block walker) read this
 * snapshot, whatever is added or removed meanwhile. */
G_GNUC_INTERNAL
IptImageSnapshot *ipt_image_acquire_snapshot (IptImage *self);
G_GNUC_INTERNAL
void ipt_image_release_snapshot (IptImage *self, IptImageSnapshot *snapshot);
/* A new pt_image of @snapshot, to be freed before it is released. */
G_GNUC_INTERNAL
struct pt_image *ipt_image_snapshot_dup_pt_image (IptImage *self, IptImageSnapshot *snapshot);
/* ipt_image_read() on @snapshot instead of the current chain. */
G_GNUC_INTERNAL
gssize ipt_image_snapshot_read (const IptImageSnapshot *snap, guint8 *buffer, gsize size,
                                const IptAsid *asid, guint64 address, gboolean external,
                                GError **error);

G_END_DECLS
