/* ipt-image-snapshot-private.h: one immutable version of an IptImage's
 * chain, and what the image's files do with it:
 *
 *   ipt-image-index.c     builds a snapshot from the chain: the region index
 *   ipt-image-read.c      the read path over a snapshot, top-down
 *   ipt-page-cache.c      the per-thread page cache the read path fills
 *   ipt-image-sections.c  the snapshot's libipt file sections and pt_images
 *   ipt-image-retire.c    when a replaced snapshot may be freed
 *   ipt-image.c           the GObject: the chain, publishing, the public API
 *
 * A snapshot never changes once published, except for its file sections,
 * built on first use under the image's lock. Nothing here is ABI. */
#pragma once

#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"

G_BEGIN_DECLS

typedef gssize (*IptReadFunc) (IptMemoryProvider *self, guint8 *buffer, gsize size,
                               const IptAsid *asid, guint64 address, GError **error);
typedef gssize (*IptReadAtFunc) (IptMemoryProvider *self, guint8 *buffer, gsize size,
                                 const IptAsid *asid, guint64 address, guint64 time,
                                 GError **error);

/* A provider as one snapshot reads it: its read vfuncs looked up once. */
typedef struct {
  IptReadFunc read;
  IptReadAtFunc read_at;        /* NULL: the provider's memory does not change */
  IptMemoryProvider *provider;  /* reference held by the snapshot */
  guint priority;               /* its position in the chain, 0 = first = wins */
} IptImageLink;

/* One provider's claim on a segment, in priority order within the segment. */
typedef struct {
  IptImageLink link;
  const IptRegion *region;      /* owned by the snapshot */
  IptAsid asid;                 /* region->asid, beside the read vfunc */
  gboolean is_section;          /* a claim below the first that is a libipt file section too
                                 * (its CR3 is none of the higher claims'); the first's is
                                 * the segment's or phase's file_section */
} IptImageCandidate;

/* A maximal range over which the same candidates apply. A segment that a
 * region with a validity interval claims has phases instead: its claims in
 * each range of epochs (n_phases > 0; first/n/file_section unused). */
typedef struct {
  guint64 start;
  guint64 last;                 /* inclusive, so that a range may end at 2^64 */
  guint first;                  /* index of the first candidate */
  guint n;
  gboolean file_section;        /* the first candidate is a libipt file section */
  guint first_phase;            /* index in snap->phases */
  guint n_phases;               /* 0: the same claims at every time */
} IptImageSegment;

/* The claims on a segment during epochs [epoch_from, epoch_to). */
typedef struct {
  guint epoch_from;
  guint epoch_to;
  guint first;
  guint n;
  gboolean file_section;
} IptImagePhase;

/* A range the index gives libipt as one file section, during epochs
 * [epoch_from, epoch_to): address-contiguous claims of one region. */
typedef struct {
  const IptRegion *region;
  guint64 start;
  guint64 last;                 /* inclusive */
  guint epoch_from;
  guint epoch_to;
} IptImageSectionRun;

/* A range handed to libipt: a section of the image's section cache. */
typedef struct {
  int isid;
  IptAsid asid;
  guint run;                    /* its index in snap->section_runs */
  guint64 start;
  guint64 last;                 /* inclusive */
  guint epoch_from;
  guint epoch_to;
} IptImageSection;

/* The memory of one epoch of a snapshot: what a read at a time reads.
 * A snapshot holds one per epoch (their addresses are stable), so that a
 * pt_image's callback context is a view. */
struct _IptImageView {
  const IptImageSnapshot *snap;
  guint epoch;
};

/* Page cache entries are tagged with the snapshot's generation and the
 * epoch; views of higher epochs are not cached. */
#define IPT_IMAGE_EPOCH_BITS 24
#define IPT_IMAGE_VIEW_TAG(generation, epoch) (((generation) << IPT_IMAGE_EPOCH_BITS) | (epoch))

struct _IptImageSnapshot {
  guint64 generation;           /* unique in the process, never 0 */
  IptImage *image;              /* unowned: a snapshot never outlives its image */
  const gint *page_cache_enabled;  /* the image's switch, read on every read */
  GPtrArray *providers;         /* owned references, priority order */
  GPtrArray *regions;           /* IptRegion, owned, in priority order */
  GArray *candidates;           /* IptImageCandidate */
  GArray *segments;             /* IptImageSegment, sorted and disjoint */
  GArray *unindexed;            /* IptImageLink: providers without list_regions */
  GArray *section_runs;         /* IptImageSectionRun: what libipt gets as file sections */
  guint n_runs_not_sections;    /* file-backed runs beyond IPT_IMAGE_MAX_FILE_SECTIONS */
  guint n_code_runs_not_sections;  /* those of them that may be code */
  read_memory_callback_t *callback;  /* the external last link, or NULL */
  void *callback_context;
  /* time: epoch e is [boundaries[e-1], boundaries[e]) with boundaries[-1] = 0
   * and boundaries[n] = IPT_TIME_END */
  GArray *boundaries;           /* guint64, sorted, distinct, neither 0 nor IPT_TIME_END */
  guint n_epochs;               /* boundaries->len + 1 */
  IptImageView *views;          /* n_epochs */
  GArray *phases;               /* IptImagePhase */

  /* lifetime (ipt-image-retire.c) */
  gint ref_count;               /* decodes that hold it */
  gboolean pinned;              /* a pt_image of it was handed out: kept until finalize */

  /* built on first use, under the image's lock (ipt-image-sections.c) */
  GArray *sections;             /* IptImageSection */
  GArray *timed_sections;       /* guint: indices of sections not live in every epoch */
  struct pt_image *pt_image;    /* ipt_image_get_pt_image()'s */
  guint pt_image_epoch;         /* the epoch whose sections pt_image has */
};

/* The image's fields that the read path reaches (ipt-image.c owns them). */
struct _IptImage {
  GObject parent_instance;

  char *name;

  GRecMutex write_lock;         /* one writer at a time: chain and list model in step */
  GMutex lock;                  /* the chain, snapshots, pt_images; never held by readers */
  GPtrArray *providers;
  GListStore *provider_store;   /* changed under write_lock, right after the chain */
  read_memory_callback_t *callback;
  void *callback_context;
  IptImageSnapshot *snapshot;   /* current; read with atomics, no lock */
  guint64 generation;           /* the current snapshot's, read with atomics */
  guint64 read_tag;             /* atomic: IPT_IMAGE_VIEW_TAG of the current snapshot and time */
  GPtrArray *retired;           /* replaced snapshots still in use */
  struct pt_image_section_cache *iscache;
  gint page_cache_enabled;
  guint max_file_sections;
  gboolean warned_section_limit;
  guint64 time;                 /* atomic: the time image-level reads serve */
  GArray *address_spaces;       /* IptAsid: what traces use (ipt_image_add_address_spaces) */

  GMutex error_lock;
  GError *last_error;
};

/* ipt-image.c: rebuilds and publishes the snapshot; with the image's lock held */
G_GNUC_INTERNAL
void ipt_image_publish (IptImage *self);

/* ipt-image-index.c: called with the image's lock held */
G_GNUC_INTERNAL
IptImageSnapshot *ipt_image_snapshot_build (IptImage *image, const gint *page_cache_enabled,
                                            GPtrArray *providers,
                                            read_memory_callback_t *callback, void *context,
                                            guint max_file_sections,
                                            const GArray *address_spaces);
G_GNUC_INTERNAL
void ipt_image_snapshot_free (IptImageSnapshot *snap);
G_GNUC_INTERNAL
GPtrArray *ipt_image_snapshot_list_mappings (const IptImageView *view);
/* The epoch of @time in @snap, and its view. */
G_GNUC_INTERNAL
guint ipt_image_snapshot_epoch_of (const IptImageSnapshot *snap, guint64 time);
static inline const IptImageView *
ipt_image_snapshot_view_at (const IptImageSnapshot *snap, guint64 time)
{
  return &snap->views[ipt_image_snapshot_epoch_of (snap, time)];
}
/* The claims on @seg in @epoch. */
static inline void
ipt_image_segment_claims (const IptImageSnapshot *snap, const IptImageSegment *seg, guint epoch,
                          guint *first, guint *n, gboolean *file_section)
{
  const IptImagePhase *phase;

  if (G_LIKELY (seg->n_phases == 0))
    {
      *first = seg->first;
      *n = seg->n;
      *file_section = seg->file_section;
      return;
    }
  phase = &((const IptImagePhase *) (gpointer) snap->phases->data)[seg->first_phase];
  for (guint i = 1; i < seg->n_phases && phase->epoch_to <= epoch; i++)
    phase++;
  if (epoch < phase->epoch_from || epoch >= phase->epoch_to)
    {
      *first = *n = 0;          /* nobody claims the segment then */
      *file_section = FALSE;
      return;
    }
  *first = phase->first;
  *n = phase->n;
  *file_section = phase->file_section;
}

/* ipt-image-read.c (and ipt_image_snapshot_read() in ipt-image-private.h) */
G_GNUC_INTERNAL
int ipt_image_snapshot_pt_callback (uint8_t *buffer, size_t size, const struct pt_asid *asid,
                                    uint64_t ip, void *view);

/* ipt-image-sections.c: called with the image's lock held */
G_GNUC_INTERNAL
void ipt_image_snapshot_ensure_sections (IptImageSnapshot *snap,
                                         struct pt_image_section_cache *iscache);
G_GNUC_INTERNAL
struct pt_image *ipt_image_snapshot_new_pt_image (IptImageSnapshot *snap,
                                                  struct pt_image_section_cache *iscache,
                                                  const char *name, guint epoch);
/* Changes @image (of @snap, with the sections of @from) to the sections
 * and the view of epoch @to, in place. Needs no lock once the sections
 * exist (ipt_image_snapshot_ensure_sections()). */
G_GNUC_INTERNAL
void ipt_image_snapshot_switch_pt_image (IptImageSnapshot *snap,
                                                     struct pt_image_section_cache *iscache,
                                         struct pt_image *image, const char *name,
                                         guint from, guint to);

/* ipt-image-retire.c: lock-free readers of an image's current snapshot
 * announce it (a per-thread hazard slot), so that a writer frees a replaced
 * snapshot only when no reader, decode or handed-out pt_image uses it. */
typedef struct {
  IptImageSnapshot *snapshot;
  gpointer slot;                /* the hazard slot, or NULL when a reference is held */
} IptImageReadGuard;

G_GNUC_INTERNAL
IptImageSnapshot *ipt_image_retire_enter (IptImageSnapshot **current, GMutex *lock,
                                          IptImageReadGuard *guard);
G_GNUC_INTERNAL
void ipt_image_retire_leave (IptImageReadGuard *guard);
G_GNUC_INTERNAL
void ipt_image_retire_sweep (GPtrArray *retired);
G_GNUC_INTERNAL
guint ipt_image_retire_get_depth (void);
G_GNUC_INTERNAL
void ipt_image_retire_unwind (guint depth);

/* ipt-image.c */
G_GNUC_INTERNAL
void ipt_image_take_error (IptImage *self, GError *error);

G_END_DECLS
