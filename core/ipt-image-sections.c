/* ipt-image-sections.c: a snapshot's libipt side — the ranges whose
 * winning provider's bytes live in a file become real file sections of the
 * image's one pt_image_section_cache (so that libipt's block decoder can
 * cache its blocks there), and pt_images carry those sections plus the
 * snapshot's callback for everything else. Built on first use, under the
 * image's lock; never on the read path. */
#include "config.h"

#include <string.h>

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
  snap->timed_sections = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < snap->section_runs->len; i++)
    {
      const IptImageSectionRun *run = &g_array_index (snap->section_runs, IptImageSectionRun, i);
      guint64 offset = run->region->file_offset + (run->start - run->region->address);
      IptImageSection section = { 0, run->region->asid, i, run->start, run->last,
                                  run->epoch_from, run->epoch_to };

      section.isid = pt_iscache_add_file (iscache, run->region->filename, offset,
                                          run->last - run->start + 1, run->start);
      if (section.isid >= 0)
        {
          guint index = snap->sections->len;

          g_array_append_val (snap->sections, section);
          if (section.epoch_from != 0 || section.epoch_to != snap->n_epochs)
            g_array_append_val (snap->timed_sections, index);
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

static inline gboolean
section_live (const IptImageSection *section, guint epoch)
{
  return section->epoch_from <= epoch && epoch < section->epoch_to;
}

static void
add_section (struct pt_image *image, struct pt_image_section_cache *iscache,
             const IptImageSection *section, const char *name)
{
  struct pt_asid asid;
  int status;

  ipt_asid_to_pt (&asid, &section->asid);
  status = pt_image_add_cached (image, iscache, section->isid, &asid);
  if (status < 0)
    g_warning ("image %s: cannot add section %d: %s", name, section->isid,
               pt_errstr (pt_errcode (status)));
}

/* A new libipt image of @snap in @epoch: the file sections live then, and
 * its callback (bound to the epoch's view) for the rest. Called with the
 * image's lock held. */
struct pt_image *
ipt_image_snapshot_new_pt_image (IptImageSnapshot *snap, struct pt_image_section_cache *iscache,
                                 const char *name, guint epoch)
{
  struct pt_image *image;

  ipt_image_snapshot_ensure_sections (snap, iscache);

  image = pt_image_alloc (name);
  g_assert (image != NULL);

  for (guint i = 0; i < snap->sections->len; i++)
    {
      const IptImageSection *section = &g_array_index (snap->sections, IptImageSection, i);

      if (section_live (section, epoch))
        add_section (image, iscache, section, name);
    }

  pt_image_set_callback (image, ipt_image_snapshot_pt_callback, &snap->views[epoch]);
  return image;
}

/* The same file under another name: "dir/./base". */
static char *
alias_of (const char *filename)
{
  g_autofree char *dir = g_path_get_dirname (filename);
  g_autofree char *base = g_path_get_basename (filename);

  return g_strconcat (dir, strstr (filename, "/./") != NULL ? "/././" : "/./", base, NULL);
}

/* Takes @section's range out of @image. libipt removes sections only by
 * file name or asid, and the file of a section usually holds others (a
 * jitdump holds all the JIT code): so the range is covered with a section
 * of the same bytes under an alias of the file's name (adding cuts what it
 * overlaps), and the alias is removed by name. Costs two walks of the
 * image's section list, instead of rebuilding it. */
static void
punch_section (struct pt_image *image, const IptImageSnapshot *snap, const IptImageSection *section,
               const char *name)
{
  const IptImageSectionRun *run = &g_array_index (snap->section_runs, IptImageSectionRun, section->run);
  g_autofree char *alias = NULL;
  struct pt_asid asid;
  int status;

  alias = alias_of (run->region->filename);
  ipt_asid_to_pt (&asid, &section->asid);
  status = pt_image_add_file (image, alias,
                              run->region->file_offset + (run->start - run->region->address),
                              run->last - run->start + 1, &asid, run->start);
  if (status >= 0)
    status = pt_image_remove_by_filename (image, alias, &asid);
  if (status < 0)
    g_warning ("image %s: %s: cannot take the section at 0x%" G_GINT64_MODIFIER "x out of a "
               "decoder's image: %s", name, run->region->filename, run->start,
               pt_errstr (pt_errcode (status)));
}

/* Moves @image from the sections of epoch @from to those of @to, in
 * place (a decoder or a caller holds it): timeless sections stay, the
 * sections that stop being live are taken out, those that start are added. */
void
ipt_image_snapshot_switch_pt_image (IptImageSnapshot *snap, struct pt_image_section_cache *iscache,
                                    struct pt_image *image, const char *name, guint from, guint to)
{
  const guint *timed = (const guint *) (gpointer) snap->timed_sections->data;
  const IptImageSection *sections = (const IptImageSection *) (gpointer) snap->sections->data;

  if (from == to)
    return;

  for (guint i = 0; i < snap->timed_sections->len; i++)
    if (section_live (&sections[timed[i]], from) && !section_live (&sections[timed[i]], to))
      punch_section (image, snap, &sections[timed[i]], name);
  for (guint i = 0; i < snap->timed_sections->len; i++)
    if (section_live (&sections[timed[i]], to) && !section_live (&sections[timed[i]], from))
      add_section (image, iscache, &sections[timed[i]], name);
  pt_image_set_callback (image, ipt_image_snapshot_pt_callback, &snap->views[to]);
}
