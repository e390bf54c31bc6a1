/* ipt-image-sections.c: a snapshot's libipt side — the ranges whose
 * winning provider's bytes live in a file become real file sections of the
 * image's one pt_image_section_cache (so that libipt's block decoder can
 * cache its blocks there), and pt_images carry those sections plus the
 * snapshot's callback for everything else. Built on first use, under the
 * image's lock; never on the read path. */
#include "config.h"

#include "ipt-asid-private.h"
#include "ipt-image-snapshot-private.h"

/* Adds a section to @iscache for each maximal run of segments that one
 * region wins as a file section. Called with the image's lock held. */
void
ipt_image_snapshot_ensure_sections (IptImageSnapshot *snap, struct pt_image_section_cache *iscache)
{
  const IptRegion *run_region = NULL;
  guint64 run_start = 0, run_last = 0;

  if (snap->sections != NULL)
    return;

  snap->sections = g_array_new (FALSE, FALSE, sizeof (IptImageSection));

  for (guint i = 0; i <= snap->segments->len; i++)
    {
      const IptImageSegment *seg = i < snap->segments->len ?
        &g_array_index (snap->segments, IptImageSegment, i) : NULL;
      const IptRegion *region = NULL;

      if (seg != NULL && seg->file_section)
        region = g_array_index (snap->candidates, IptImageCandidate, seg->first).region;

      if (run_region != NULL && region == run_region && run_last + 1 == seg->start)
        {
          run_last = seg->last;
          continue;
        }

      if (run_region != NULL)
        {
          guint64 offset = run_region->file_offset + (run_start - run_region->address);
          guint64 size = run_last - run_start + 1;
          IptImageSection section = { 0, run_region->asid };

          section.isid = pt_iscache_add_file (iscache, run_region->filename, offset, size, run_start);
          if (section.isid < 0)
            g_warning ("%s: offset 0x%" G_GINT64_MODIFIER "x: cannot add a file section at 0x%"
                       G_GINT64_MODIFIER "x: %s; serving it through the callback",
                       run_region->filename, offset, run_start, pt_errstr (pt_errcode (section.isid)));
          else
            g_array_append_val (snap->sections, section);
        }

      run_region = region;
      if (region != NULL)
        {
          run_start = seg->start;
          run_last = seg->last;
        }
    }
}

/* A new libipt image of @snap: its file sections, and its callback for the
 * rest. Called with the image's lock held. */
struct pt_image *
ipt_image_snapshot_new_pt_image (IptImageSnapshot *snap, struct pt_image_section_cache *iscache,
                                 const char *name)
{
  struct pt_image *image;

  ipt_image_snapshot_ensure_sections (snap, iscache);

  image = pt_image_alloc (name);
  g_assert (image != NULL);

  for (guint i = 0; i < snap->sections->len; i++)
    {
      const IptImageSection *section = &g_array_index (snap->sections, IptImageSection, i);
      struct pt_asid asid;
      int status;

      ipt_asid_to_pt (&asid, &section->asid);
      status = pt_image_add_cached (image, iscache, section->isid, &asid);
      if (status < 0)
        g_warning ("image %s: cannot add section %d: %s", name, section->isid,
                   pt_errstr (pt_errcode (status)));
    }

  pt_image_set_callback (image, ipt_image_snapshot_pt_callback, snap);
  return image;
}

