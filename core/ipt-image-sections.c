/* ipt-image-sections.c: a snapshot's libipt side — the ranges whose
 * winning provider's bytes live in a file become real file sections of the
 * image's one pt_image_section_cache (so that libipt's block decoder can
 * cache its blocks there), and pt_images carry those sections plus the
 * snapshot's callback for everything else. Built on first use, under the
 * image's lock; never on the read path. */
#include "config.h"

#include "ipt-asid-private.h"
#include "ipt-image-snapshot-private.h"

/* Adds a section to @iscache for each of the index's section runs. A run
 * libipt refuses is read through the callback (the same bytes, without
 * the block cache); one warning says how many. Called with the image's
 * lock held. */
void
ipt_image_snapshot_ensure_sections (IptImageSnapshot *snap, struct pt_image_section_cache *iscache)
{
  const IptImageSectionRun *first_failed = NULL;
  guint n_failed = 0;
  int first_status = 0;

  if (snap->sections != NULL)
    return;

  snap->sections = g_array_sized_new (FALSE, FALSE, sizeof (IptImageSection), snap->section_runs->len);

  for (guint i = 0; i < snap->section_runs->len; i++)
    {
      const IptImageSectionRun *run = &g_array_index (snap->section_runs, IptImageSectionRun, i);
      guint64 offset = run->region->file_offset + (run->start - run->region->address);
      IptImageSection section = { 0, run->region->asid };

      section.isid = pt_iscache_add_file (iscache, run->region->filename, offset,
                                          run->last - run->start + 1, run->start);
      if (section.isid >= 0)
        {
          g_array_append_val (snap->sections, section);
          continue;
        }
      if (n_failed++ == 0)
        {
          first_failed = run;
          first_status = section.isid;
        }
    }

  if (n_failed > 0)
    g_warning ("%s: offset 0x%" G_GINT64_MODIFIER "x: cannot add a file section at 0x%"
               G_GINT64_MODIFIER "x: %s; %u range%s served through the callback instead",
               first_failed->region->filename,
               first_failed->region->file_offset + (first_failed->start - first_failed->region->address),
               first_failed->start, pt_errstr (pt_errcode (first_status)), n_failed,
               n_failed == 1 ? " is" : "s are");
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

