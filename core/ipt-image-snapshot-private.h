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

/* A provider as one snapshot reads it: its read vfunc looked up once. */
typedef struct {
  IptReadFunc read;
  IptMemoryProvider *provider;  /* reference held by the snapshot */
  guint priority;               /* its position in the chain, 0 = first = wins */
} IptImageLink;

/* One provider's claim on a segment, in priority order within the segment. */
typedef struct {
  IptImageLink link;
  const IptRegion *region;      /* owned by the snapshot */
  IptAsid asid;                 /* region->asid, beside the read vfunc */
} IptImageCandidate;

/* A maximal range over which the same candidates apply. */
typedef struct {
  guint64 start;
  guint64 last;                 /* inclusive, so that a range may end at 2^64 */
  guint first;                  /* index of the first candidate */
  guint n;
  gboolean file_section;        /* the first candidate is a libipt file section */
} IptImageSegment;

/* A range the index gives libipt as one file section: consecutive segments
 * [first_segment, first_segment + n_segments) that one region wins. */
typedef struct {
  const IptRegion *region;
  guint64 start;
  guint64 last;                 /* inclusive */
  guint first_segment;
  guint n_segments;
} IptImageSectionRun;

/* A range handed to libipt: a section of the image's section cache. */
typedef struct {
  int isid;
  IptAsid asid;
} IptImageSection;

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
  GArray *boundaries;           /* guint64, sorted, distinct: where epochs change */

  /* lifetime (ipt-image-retire.c) */
  gint ref_count;               /* decodes that hold it */
  gboolean pinned;              /* a pt_image of it was handed out: kept until finalize */

  /* built on first use, under the image's lock (ipt-image-sections.c) */
  GArray *sections;             /* IptImageSection */
  struct pt_image *pt_image;    /* ipt_image_get_pt_image()'s */
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
  GPtrArray *retired;           /* replaced snapshots still in use */
  struct pt_image_section_cache *iscache;
  gint page_cache_enabled;
  guint max_file_sections;
  gboolean warned_section_limit;
  guint64 time;                 /* atomic: the time image-level reads serve */

  GMutex error_lock;
  GError *last_error;
};

/* ipt-image-index.c: called with the image's lock held */
G_GNUC_INTERNAL
IptImageSnapshot *ipt_image_snapshot_build (IptImage *image, const gint *page_cache_enabled,
                                            GPtrArray *providers,
                                            read_memory_callback_t *callback, void *context,
                                            guint max_file_sections);
G_GNUC_INTERNAL
void ipt_image_snapshot_free (IptImageSnapshot *snap);
G_GNUC_INTERNAL
GPtrArray *ipt_image_snapshot_list_mappings (const IptImageSnapshot *snap);

/* ipt-image-read.c (and ipt_image_snapshot_read() in ipt-image-private.h) */
G_GNUC_INTERNAL
int ipt_image_snapshot_pt_callback (uint8_t *buffer, size_t size, const struct pt_asid *asid,
                                    uint64_t ip, void *snapshot);

/* ipt-image-sections.c: called with the image's lock held */
G_GNUC_INTERNAL
void ipt_image_snapshot_ensure_sections (IptImageSnapshot *snap,
                                         struct pt_image_section_cache *iscache);
G_GNUC_INTERNAL
struct pt_image *ipt_image_snapshot_new_pt_image (IptImageSnapshot *snap,
                                                  struct pt_image_section_cache *iscache,
                                                  const char *name);

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
