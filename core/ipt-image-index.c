/* ipt-image-index.c: builds a snapshot of an IptImage's chain — the
 * resolved region index — and lists it back as mappings.
 *
 * Priority is cut in advance: a sweep over the regions' boundaries gives
 * sorted, disjoint segments, each with the claims of the providers that map
 * it in priority order, so that the read path (ipt-image-read.c) finds its
 * provider with one binary search and never compares priorities. Runs only
 * when the chain changes, under the image's lock; never on the read path. */
#include "config.h"

#include <glib/gstdio.h>

#include "ipt-image-snapshot-private.h"

static guint64 generation_counter;

/* Every asid that matches @low also matches @high: @high always wins over @low. */
static inline gboolean
asid_covers (const IptAsid *high, const IptAsid *low)
{
  return (high->cr3 == IPT_ASID_NO_CR3 || high->cr3 == low->cr3) &&
         (high->vmcs == IPT_ASID_NO_VMCS || high->vmcs == low->vmcs);
}

typedef struct {
  guint64 address;
  guint region;
  gboolean is_end;
} RegionEvent;

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const RegionEvent *ea = a, *eb = b;

  if (ea->address != eb->address)
    return ea->address < eb->address ? -1 : 1;
  return (int) ea->is_end - (int) eb->is_end;
}

/* Whether the bytes that @region claims really are in its file: a provider
 * bug or a file changed since it was opened must not put wrong bytes in a
 * section (libipt silently truncates sections at the end of the file). */
static gboolean
region_file_is_usable (GHashTable *file_sizes, const IptRegion *region)
{
  gpointer value;
  gint64 fsize;

  if (!g_hash_table_lookup_extended (file_sizes, region->filename, NULL, &value))
    {
      GStatBuf st;
      gint64 *stored = g_new (gint64, 1);

      *stored = g_stat (region->filename, &st) == 0 && S_ISREG (st.st_mode) ? (gint64) st.st_size : -1;
      g_hash_table_insert (file_sizes, g_strdup (region->filename), stored);
      value = stored;
    }

  fsize = *(gint64 *) value;
  if (fsize < 0)
    {
      g_warning ("%s: cannot use as a file section for 0x%" G_GINT64_MODIFIER "x: not a readable regular file",
                 region->filename, region->address);
      return FALSE;
    }
  if (region->file_offset > (guint64) fsize || region->size > (guint64) fsize - region->file_offset)
    {
      g_warning ("%s: region at 0x%" G_GINT64_MODIFIER "x needs bytes up to offset 0x%"
                 G_GINT64_MODIFIER "x but the file has 0x%" G_GINT64_MODIFIER "x bytes; "
                 "serving it through the callback",
                 region->filename, region->address, region->file_offset + region->size,
                 (guint64) fsize);
      return FALSE;
    }
  return TRUE;
}

static void
emit_segment (IptImageSnapshot *snap, guint64 start, guint64 last,
                       const GArray *active, const GArray *links, guint first_unindexed,
                       GHashTable *file_sizes, GHashTable *usable)
{
  IptImageSegment seg = { start, last, snap->candidates->len, 0, FALSE };
  const guint *act = (const guint *) (gpointer) active->data;
  const IptRegion *top = g_ptr_array_index (snap->regions, act[0]);
  const IptImageLink *top_link = &g_array_index (links, IptImageLink, act[0]);
  gboolean top_alone = TRUE;

  for (guint i = 0; i < active->len; i++)
    {
      const IptRegion *region = g_ptr_array_index (snap->regions, act[i]);
      const IptImageLink *link = &g_array_index (links, IptImageLink, act[i]);
      IptImageCandidate cand = { *link, region, region->asid };
      gboolean covered = FALSE;

      if (i > 0 && link->provider == top_link->provider)
        top_alone = FALSE;

      for (guint k = 0; k < seg.n && !covered; k++)
        covered = asid_covers (&g_array_index (snap->candidates, IptImageCandidate, seg.first + k).asid,
                               &region->asid);
      if (covered)
        continue;

      g_array_append_val (snap->candidates, cand);
      seg.n++;
    }

  /* Only the highest-priority claim can be a section: libipt moves sections
   * around as it reads, so with two overlapping sections of different asids
   * the one it finds for a wildcard asid is not defined. */
  if (top->filename != NULL && top_link->priority < first_unindexed && top_alone)
    {
      gpointer known;

      if (!g_hash_table_lookup_extended (usable, top, NULL, &known))
        {
          known = GINT_TO_POINTER (region_file_is_usable (file_sizes, top));
          g_hash_table_insert (usable, (gpointer) top, known);
        }
      seg.file_section = GPOINTER_TO_INT (known);
    }

  if (snap->segments->len > 0)
    {
      IptImageSegment *prev = &g_array_index (snap->segments, IptImageSegment, snap->segments->len - 1);
      gboolean same = prev->last != G_MAXUINT64 && prev->last + 1 == start &&
                      prev->n == seg.n && prev->file_section == seg.file_section;

      for (guint k = 0; same && k < seg.n; k++)
        same = g_array_index (snap->candidates, IptImageCandidate, prev->first + k).region ==
               g_array_index (snap->candidates, IptImageCandidate, seg.first + k).region;
      if (same)
        {
          prev->last = last;
          g_array_set_size (snap->candidates, seg.first);
          return;
        }
    }

  g_array_append_val (snap->segments, seg);
}

/* Code, as far as the provider knows: libipt reads nothing else. */
static inline gboolean
run_may_be_code (const IptImageSectionRun *run)
{
  return run->region->permissions == IPT_PERMISSIONS_NONE ||
         (run->region->permissions & IPT_PERMISSIONS_EXECUTE) != 0;
}

/* Executable (or unknown) ranges first, then the largest: the ones libipt
 * reads most and whose blocks its block cache keeps. */
static int
compare_runs_by_value (gconstpointer a, gconstpointer b)
{
  const IptImageSectionRun *ra = a, *rb = b;
  gboolean xa = run_may_be_code (ra), xb = run_may_be_code (rb);
  guint64 sa = ra->last - ra->start, sb = rb->last - rb->start;

  if (xa != xb)
    return xa ? -1 : 1;
  if (sa != sb)
    return sa > sb ? -1 : 1;
  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

static int
compare_runs_by_address (gconstpointer a, gconstpointer b)
{
  const IptImageSectionRun *ra = a, *rb = b;

  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Joins consecutive file-section segments of one region into the runs
 * that become libipt's sections; beyond @max runs, keeps the most valuable
 * and serves the others through the callback. */
static void
find_section_runs (IptImageSnapshot *snap, guint max)
{
  GArray *runs = snap->section_runs;

  for (guint i = 0; i < snap->segments->len; i++)
    {
      const IptImageSegment *seg = &g_array_index (snap->segments, IptImageSegment, i);
      const IptRegion *region;
      IptImageSectionRun *prev;

      if (!seg->file_section)
        continue;
      region = g_array_index (snap->candidates, IptImageCandidate, seg->first).region;
      prev = runs->len > 0 ? &g_array_index (runs, IptImageSectionRun, runs->len - 1) : NULL;
      if (prev != NULL && prev->region == region && prev->last + 1 == seg->start &&
          prev->first_segment + prev->n_segments == i)
        {
          prev->last = seg->last;
          prev->n_segments++;
        }
      else
        {
          IptImageSectionRun run = { region, seg->start, seg->last, i, 1 };

          g_array_append_val (runs, run);
        }
    }

  if (runs->len <= max)
    return;

  g_array_sort (runs, compare_runs_by_value);
  for (guint r = max; r < runs->len; r++)
    {
      const IptImageSectionRun *run = &g_array_index (runs, IptImageSectionRun, r);

      for (guint k = 0; k < run->n_segments; k++)
        g_array_index (snap->segments, IptImageSegment, run->first_segment + k).file_section = FALSE;
      if (run_may_be_code (run))
        snap->n_code_runs_not_sections++;
    }
  snap->n_runs_not_sections = runs->len - max;
  g_array_set_size (runs, max);
  g_array_sort (runs, compare_runs_by_address);
}

/**
 * ipt_image_snapshot_build:
 * @image: the image the snapshot belongs to
 * @page_cache_enabled: the image's page cache switch
 * @providers: the chain, in priority order
 * @callback: (nullable): the external last link
 * @context: its context
 * @max_file_sections: how many ranges libipt gets as file sections at most
 *
 * Builds the region index of @providers: every region listed, clipped at
 * the end of the address space, swept into sorted, disjoint segments, each
 * with the claims on it in priority order and whether its first claim can
 * be a libipt file section. Called with the image's lock held.
 *
 * Returns: (transfer full): a new snapshot with no reference held
 */
IptImageSnapshot *
ipt_image_snapshot_build (IptImage *image, const gint *page_cache_enabled, GPtrArray *providers,
                          read_memory_callback_t *callback, void *context,
                          guint max_file_sections)
{
  IptImageSnapshot *snap = g_new0 (IptImageSnapshot, 1);
  g_autoptr(GArray) links = g_array_new (FALSE, FALSE, sizeof (IptImageLink));
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (RegionEvent));
  g_autoptr(GArray) active = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) file_sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) usable = g_hash_table_new (NULL, NULL);
  guint first_unindexed = G_MAXUINT;

  snap->generation = __atomic_add_fetch (&generation_counter, 1, __ATOMIC_RELAXED);
  snap->image = image;
  snap->page_cache_enabled = page_cache_enabled;
  snap->providers = g_ptr_array_new_with_free_func (g_object_unref);
  snap->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);
  snap->candidates = g_array_new (FALSE, FALSE, sizeof (IptImageCandidate));
  snap->segments = g_array_new (FALSE, FALSE, sizeof (IptImageSegment));
  snap->unindexed = g_array_new (FALSE, FALSE, sizeof (IptImageLink));
  snap->section_runs = g_array_new (FALSE, FALSE, sizeof (IptImageSectionRun));
  snap->boundaries = g_array_new (FALSE, FALSE, sizeof (guint64));
  snap->callback = callback;
  snap->callback_context = context;

  /* Regions are appended in priority order, so a region's index is its rank. */
  for (guint p = 0; p < providers->len; p++)
    {
      IptMemoryProvider *provider = g_ptr_array_index (providers, p);
      IptMemoryProviderInterface *iface = IPT_MEMORY_PROVIDER_GET_IFACE (provider);
      g_autoptr(GPtrArray) regions = NULL;

      g_ptr_array_add (snap->providers, g_object_ref (provider));

      if (iface->list_regions != NULL)
        regions = iface->list_regions (provider);

      if (regions == NULL)
        {
          IptImageLink link = { iface->read, provider, p };

          g_array_append_val (snap->unindexed, link);
          first_unindexed = MIN (first_unindexed, p);
          continue;
        }

      for (guint r = 0; r < regions->len; r++)
        {
          const IptRegion *region = g_ptr_array_index (regions, r);
          IptImageLink link = { iface->read, provider, p };
          RegionEvent start = { region->address, snap->regions->len, FALSE };
          RegionEvent end = { 0, snap->regions->len, TRUE };
          IptRegion *copy;

          if (region->size == 0)
            continue;

          copy = ipt_region_copy (region);
          if (copy->size - 1 > G_MAXUINT64 - copy->address)
            copy->size = G_MAXUINT64 - copy->address + 1;  /* clip at the end of the address space */

          g_array_append_val (events, start);
          if (copy->address + (copy->size - 1) != G_MAXUINT64)
            {
              end.address = copy->address + copy->size;
              g_array_append_val (events, end);
            }
          g_ptr_array_add (snap->regions, copy);
          g_array_append_val (links, link);
        }
    }

  g_array_sort (events, compare_events);

  /* Sweep: between two consecutive boundaries the set of active regions is constant. */
  for (guint i = 0; i < events->len;)
    {
      guint64 address = g_array_index (events, RegionEvent, i).address;
      guint64 last;

      for (; i < events->len && g_array_index (events, RegionEvent, i).address == address; i++)
        {
          const RegionEvent *ev = &g_array_index (events, RegionEvent, i);
          guint pos = 0;

          while (pos < active->len && g_array_index (active, guint, pos) < ev->region)
            pos++;
          if (ev->is_end)
            g_array_remove_index (active, pos);
          else
            g_array_insert_val (active, pos, ev->region);
        }

      if (active->len == 0)
        continue;

      last = i < events->len ? g_array_index (events, RegionEvent, i).address - 1 : G_MAXUINT64;
      emit_segment (snap, address, last, active, links, first_unindexed, file_sizes, usable);
    }

  find_section_runs (snap, max_file_sections);

  return snap;
}

void
ipt_image_snapshot_free (IptImageSnapshot *snap)
{
  if (snap == NULL)
    return;
  if (snap->pt_image != NULL)
    pt_image_free (snap->pt_image);
  g_clear_pointer (&snap->sections, g_array_unref);
  g_array_unref (snap->segments);
  g_array_unref (snap->candidates);
  g_array_unref (snap->unindexed);
  g_array_unref (snap->section_runs);
  g_array_unref (snap->boundaries);
  g_ptr_array_unref (snap->regions);
  g_ptr_array_unref (snap->providers);
  g_free (snap);
}

static int
compare_mappings (gconstpointer a, gconstpointer b)
{
  const IptMapping *ma = *(IptMapping * const *) a;
  const IptMapping *mb = *(IptMapping * const *) b;

  if (ma->region->address != mb->region->address)
    return ma->region->address < mb->region->address ? -1 : 1;
  return 0;
}

/* The resolved address map of @snap: ipt_image_list_mappings(). */
GPtrArray *
ipt_image_snapshot_list_mappings (const IptImageSnapshot *snap)
{
  GPtrArray *result;
  g_autoptr(GHashTable) open = NULL;  /* region -> its last mapping, for merging */

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_mapping_free);
  open = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < snap->segments->len; i++)
    {
      const IptImageSegment *seg = &g_array_index (snap->segments, IptImageSegment, i);

      for (guint k = 0; k < seg->n; k++)
        {
          const IptImageCandidate *c = &g_array_index (snap->candidates, IptImageCandidate, seg->first + k);
          gboolean is_section = k == 0 && seg->file_section;
          IptMapping *prev = g_hash_table_lookup (open, c->region);
          IptMapping *mapping;
          guint64 size;

          size = seg->last - seg->start + 1;
          if (size == 0)
            size = G_MAXUINT64;  /* the whole address space does not fit */

          if (prev != NULL && prev->is_file_section == is_section &&
              prev->region->address + prev->region->size == seg->start)
            {
              prev->region->size += size;
              continue;
            }

          mapping = g_new0 (IptMapping, 1);
          mapping->region = ipt_region_copy (c->region);
          mapping->region->address = seg->start;
          mapping->region->size = size;
          if (c->region->filename != NULL)
            mapping->region->file_offset = c->region->file_offset + (seg->start - c->region->address);
          mapping->provider = g_object_ref (c->link.provider);
          mapping->is_file_section = is_section;
          g_ptr_array_add (result, mapping);
          g_hash_table_insert (open, (gpointer) c->region, mapping);
        }
    }

  /* stable: equal addresses keep priority order */
  g_ptr_array_sort (result, compare_mappings);
  return result;
}

