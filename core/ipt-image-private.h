/* ipt-image-private.h: internals of IptImage that the decoder, tests and
 * benchmarks reach; nothing here is ABI. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-page-cache-private.h"

G_BEGIN_DECLS

typedef struct _IptImageSnapshot IptImageSnapshot;
/* One epoch of a snapshot: the memory at a time (ipt-image-snapshot-private.h). */
typedef struct _IptImageView IptImageView;

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
/* The view of @snapshot at @time (nanoseconds, IPT_TIME_END = latest). */
G_GNUC_INTERNAL
const IptImageView *ipt_image_snapshot_get_view (const IptImageSnapshot *snapshot, guint64 time);
/* Whether the memory of @snapshot changes over time (it has boundaries). */
G_GNUC_INTERNAL
gboolean ipt_image_snapshot_is_timed (const IptImageSnapshot *snapshot);
G_GNUC_INTERNAL
guint ipt_image_snapshot_get_n_boundaries (const IptImageSnapshot *snapshot);
/* A new pt_image of @view (its sections, its callback), to be freed before
 * the snapshot is released. */
G_GNUC_INTERNAL
struct pt_image *ipt_image_snapshot_dup_pt_image (IptImage *self, const IptImageView *view);
/* Moves @image, a pt_image of @from, to the view @to of the same snapshot,
 * in place: its sections and its callback. */
G_GNUC_INTERNAL
void ipt_image_view_move_pt_image (IptImage *self, struct pt_image *image,
                                   const IptImageView *from, const IptImageView *to);
/* ipt_image_read() on one view of a snapshot instead of the current chain. */
G_GNUC_INTERNAL
gssize ipt_image_view_read (const IptImageView *view, guint8 *buffer, gsize size,
                            const IptAsid *asid, guint64 address, gboolean external,
                            GError **error);

G_END_DECLS
