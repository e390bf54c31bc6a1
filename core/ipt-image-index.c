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

/* What the sweep knows about the regions: their links, and the epochs
 * [epoch_from, epoch_to) in which each is valid. */
typedef struct {
  const GArray *links;          /* IptImageLink per region */
  const guint *epoch_from;      /* per region */
  const guint *epoch_to;
  guint first_unindexed;
  GHashTable *file_sizes;
  GHashTable *usable;
  const gboolean *per_space;    /* per region: listed for an address space (list_regions_in) */
} SweepContext;

/* TRUE when no read can match both: each has a CR3 of its own, and they differ. */
static inline gboolean
asids_disjoint (const IptAsid *a, const IptAsid *b)
{
  return a->cr3 != IPT_ASID_NO_CR3 && b->cr3 != IPT_ASID_NO_CR3 && a->cr3 != b->cr3;
}

static gboolean
file_is_usable (const SweepContext *ctx, const IptRegion *region)
{
  gpointer known;

  if (!g_hash_table_lookup_extended (ctx->usable, region, NULL, &known))
    {
      known = GINT_TO_POINTER (region_file_is_usable (ctx->file_sizes, region));
      g_hash_table_insert (ctx->usable, (gpointer) region, known);
    }
  return GPOINTER_TO_INT (known);
}

/* Appends the claims of @regions (indices, priority order) to the
 * candidates: those whose asid a higher claim covers are dropped. Sets
 * *@first, *@n and whether the first is a libipt file section; a lower
 * claim is a section too when its address space is none of the higher
 * claims' (a machine snapshot's CR3s: the same addresses, other code). */
static void
append_claims (IptImageSnapshot *snap, const SweepContext *ctx, const guint *regions, guint len,
               guint *first, guint *n, gboolean *file_section)
{
  const IptRegion *top;
  const IptImageLink *top_link;
  gboolean top_alone = TRUE;
  gboolean higher_scanned = TRUE;   /* every claim kept so far was listed for a scanned CR3 */

  *first = snap->candidates->len;
  *n = 0;
  *file_section = FALSE;
  if (len == 0)
    return;

  top = g_ptr_array_index (snap->regions, regions[0]);
  top_link = &g_array_index (ctx->links, IptImageLink, regions[0]);

  for (guint i = 0; i < len; i++)
    {
      const IptRegion *region = g_ptr_array_index (snap->regions, regions[i]);
      const IptImageLink *link = &g_array_index (ctx->links, IptImageLink, regions[i]);
      IptImageCandidate cand = { *link, region, region->asid, FALSE };
      gboolean covered = FALSE, apart = *n > 0, scanned = ctx->per_space[regions[i]];

      /* A lower claim of the same provider with a file of its own, that a
       * read in the top's address space could reach, could make the
       * provider's answer come from either file; one without a file (a
       * fallback the provider serves itself, e.g. the qemu plugin's other
       * address spaces) cannot, nor can one of another CR3. */
      if (i > 0 && link->provider == top_link->provider && region->filename != NULL &&
          !asids_disjoint (&region->asid, &top->asid))
        top_alone = FALSE;

      for (guint k = 0; k < *n && !covered; k++)
        {
          const IptImageCandidate *higher = &g_array_index (snap->candidates, IptImageCandidate,
                                                            *first + k);

          covered = asid_covers (&higher->asid, &region->asid);
          apart = apart && asids_disjoint (&higher->asid, &region->asid);
        }
      if (covered)
        continue;

      /* libipt finds a section by address and asid: with distinct CR3s
       * the sections of one address do not compete (libipt keeps
       * overlapping sections of different asids whole). Only where the
       * claim or all above it were listed for the address spaces a trace
       * was scanned for (its PIP CR3s): a trace without PIP reads with a
       * wildcard asid, for which libipt's choice among overlapping
       * sections would not be the chain's. */
      cand.is_section = apart && (scanned || higher_scanned) && region->filename != NULL &&
                        link->priority < ctx->first_unindexed && file_is_usable (ctx, region);
      g_array_append_val (snap->candidates, cand);
      (*n)++;
      higher_scanned = higher_scanned && scanned;
    }

  /* Only the highest-priority claim can be a section where address spaces
   * overlap: libipt moves sections around as it reads, so with two
   * overlapping sections of overlapping asids the one it finds is not
   * defined. */
  if (top->filename != NULL && top_link->priority < ctx->first_unindexed && top_alone)
    *file_section = file_is_usable (ctx, top);
}

/* TRUE when the claims at @a and @b (@n each) are the same regions, each
 * a section or not alike. */
static gboolean
same_claims (const IptImageSnapshot *snap, guint a, guint b, guint n)
{
  for (guint k = 0; k < n; k++)
    {
      const IptImageCandidate *x = &g_array_index (snap->candidates, IptImageCandidate, a + k);
      const IptImageCandidate *y = &g_array_index (snap->candidates, IptImageCandidate, b + k);

      if (x->region != y->region || x->is_section != y->is_section)
        return FALSE;
    }
  return TRUE;
}

/* The regions of @active that claim a segment in @epoch, by the rule of
 * ipt_image_set_time(): per provider, those valid then (in its list
 * order); when none is, the one valid soonest after; none after its last
 * region ended. Writes at most active->len indices to @out. */
static guint
choose_at_epoch (const SweepContext *ctx, const GArray *active, guint epoch, guint *out)
{
  const guint *act = (const guint *) (gpointer) active->data;
  guint n = 0;

  for (guint i = 0; i < active->len;)
    {
      IptMemoryProvider *provider = g_array_index (ctx->links, IptImageLink, act[i]).provider;
      guint group_end = i, future = G_MAXUINT, n_valid = 0;

      while (group_end < active->len &&
             g_array_index (ctx->links, IptImageLink, act[group_end]).provider == provider)
        group_end++;

      for (guint k = i; k < group_end; k++)
        {
          guint r = act[k];

          if (ctx->epoch_from[r] <= epoch && epoch < ctx->epoch_to[r])
            {
              out[n++] = r;
              n_valid++;
            }
          else if (ctx->epoch_from[r] > epoch &&
                   (future == G_MAXUINT || ctx->epoch_from[r] < ctx->epoch_from[future]))
            future = r;
        }
      if (n_valid == 0 && future != G_MAXUINT)
        out[n++] = future;
      i = group_end;
    }
  return n;
}

static int
compare_guint (gconstpointer a, gconstpointer b)
{
  guint ua = *(const guint *) a, ub = *(const guint *) b;

  return ua < ub ? -1 : ua > ub;
}

/* A segment some region with a validity interval claims: its claims in
 * each range of epochs between the boundaries of its regions. Never merged
 * with its neighbours. */
static void
emit_timed_segment (IptImageSnapshot *snap, const SweepContext *ctx, guint64 start, guint64 last,
                    const GArray *active)
{
  IptImageSegment seg = { start, last, 0, 0, FALSE, snap->phases->len, 0 };
  g_autoptr(GArray) epochs = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *chosen = g_new (guint, active->len);
  guint zero = 0;

  g_array_append_val (epochs, zero);
  for (guint i = 0; i < active->len; i++)
    {
      guint r = g_array_index (active, guint, i);

      g_array_append_val (epochs, ctx->epoch_from[r]);
      if (ctx->epoch_to[r] < snap->n_epochs)
        g_array_append_val (epochs, ctx->epoch_to[r]);
    }
  g_array_sort (epochs, compare_guint);

  for (guint i = 0; i < epochs->len; i++)
    {
      guint epoch = g_array_index (epochs, guint, i);
      IptImagePhase phase = { epoch, snap->n_epochs, 0, 0, FALSE };
      IptImagePhase *prev;
      guint n_chosen;
      gboolean same;

      if (i > 0 && epoch == g_array_index (epochs, guint, i - 1))
        continue;

      n_chosen = choose_at_epoch (ctx, active, epoch, chosen);
      append_claims (snap, ctx, chosen, n_chosen, &phase.first, &phase.n, &phase.file_section);

      prev = seg.n_phases > 0 ? &g_array_index (snap->phases, IptImagePhase, snap->phases->len - 1) : NULL;
      same = prev != NULL && prev->n == phase.n && prev->file_section == phase.file_section &&
             same_claims (snap, prev->first, phase.first, phase.n);
      if (same)
        {
          g_array_set_size (snap->candidates, phase.first);
          continue;
        }
      if (prev != NULL)
        prev->epoch_to = epoch;
      g_array_append_val (snap->phases, phase);
      seg.n_phases++;
    }

  g_array_append_val (snap->segments, seg);
}

static void
emit_segment (IptImageSnapshot *snap, const SweepContext *ctx, guint64 start, guint64 last,
              const GArray *active)
{
  IptImageSegment seg = { start, last, 0, 0, FALSE, 0, 0 };
  const guint *act = (const guint *) (gpointer) active->data;

  for (guint i = 0; i < active->len; i++)
    if (ctx->epoch_from[act[i]] != 0 || ctx->epoch_to[act[i]] != snap->n_epochs)
      {
        emit_timed_segment (snap, ctx, start, last, active);
        return;
      }

  append_claims (snap, ctx, act, active->len, &seg.first, &seg.n, &seg.file_section);

  if (snap->segments->len > 0)
    {
      IptImageSegment *prev = &g_array_index (snap->segments, IptImageSegment, snap->segments->len - 1);
      gboolean same = prev->n_phases == 0 && prev->last != G_MAXUINT64 && prev->last + 1 == start &&
                      prev->n == seg.n && prev->file_section == seg.file_section &&
                      same_claims (snap, prev->first, seg.first, seg.n);
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
  if (ra->start != rb->start)
    return ra->start < rb->start ? -1 : 1;
  return ra->epoch_from < rb->epoch_from ? -1 : ra->epoch_from > rb->epoch_from;
}

static int
compare_run_indices_by_value (gconstpointer a, gconstpointer b, gpointer runs)
{
  return compare_runs_by_value (&g_array_index ((GArray *) runs, IptImageSectionRun, *(const guint *) a),
                                &g_array_index ((GArray *) runs, IptImageSectionRun, *(const guint *) b));
}

static int
compare_runs_by_address (gconstpointer a, gconstpointer b)
{
  const IptImageSectionRun *ra = a, *rb = b;

  if (ra->start != rb->start)
    return ra->start < rb->start ? -1 : 1;
  return ra->epoch_from < rb->epoch_from ? -1 : ra->epoch_from > rb->epoch_from;
}

/* One claim that may become (part of) a file section: a segment's, or one
 * phase's of a timed segment. */
typedef struct {
  IptImageSectionRun run;
  gboolean *file_section;       /* where to take the section back */
} SectionPiece;

/* Same region and epochs, then by address: mergeable pieces are adjacent. */
static int
compare_pieces (gconstpointer a, gconstpointer b)
{
  const IptImageSectionRun *ra = &((const SectionPiece *) a)->run;
  const IptImageSectionRun *rb = &((const SectionPiece *) b)->run;

  if (ra->region != rb->region)
    return (guintptr) ra->region < (guintptr) rb->region ? -1 : 1;
  if (ra->epoch_from != rb->epoch_from)
    return ra->epoch_from < rb->epoch_from ? -1 : 1;
  if (ra->epoch_to != rb->epoch_to)
    return ra->epoch_to < rb->epoch_to ? -1 : 1;
  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

static void
add_piece (GArray *pieces, const IptImageSnapshot *snap, guint first, guint64 start, guint64 last,
           guint epoch_from, guint epoch_to, gboolean *file_section)
{
  SectionPiece piece = { { g_array_index (snap->candidates, IptImageCandidate, first).region,
                           start, last, epoch_from, epoch_to }, file_section };

  g_array_append_val (pieces, piece);
}

/* The claims below the first that are sections too (other CR3s). The
 * candidates do not move any more: pointers into them stay valid. */
static void
add_lower_pieces (GArray *pieces, IptImageSnapshot *snap, guint first, guint n, guint64 start,
                  guint64 last, guint epoch_from, guint epoch_to)
{
  for (guint k = 1; k < n; k++)
    {
      IptImageCandidate *c = &g_array_index (snap->candidates, IptImageCandidate, first + k);

      if (c->is_section)
        add_piece (pieces, snap, first + k, start, last, epoch_from, epoch_to, &c->is_section);
    }
}

/* Joins the address-contiguous file-section claims of one region in the
 * same epochs into the runs that become libipt's sections; beyond @max
 * runs, keeps the most valuable and serves the others through the
 * callback. */
static void
find_section_runs (IptImageSnapshot *snap, guint max)
{
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (SectionPiece));
  g_autoptr(GArray) run_pieces = g_array_new (FALSE, FALSE, sizeof (guint));  /* first piece of each run */
  GArray *runs = snap->section_runs;

  for (guint i = 0; i < snap->segments->len; i++)
    {
      IptImageSegment *seg = &g_array_index (snap->segments, IptImageSegment, i);

      if (seg->n_phases == 0)
        {
          if (seg->file_section)
            add_piece (pieces, snap, seg->first, seg->start, seg->last, 0, snap->n_epochs,
                       &seg->file_section);
          add_lower_pieces (pieces, snap, seg->first, seg->n, seg->start, seg->last, 0,
                            snap->n_epochs);
          continue;
        }
      for (guint p = 0; p < seg->n_phases; p++)
        {
          IptImagePhase *phase = &g_array_index (snap->phases, IptImagePhase, seg->first_phase + p);

          if (phase->file_section)
            add_piece (pieces, snap, phase->first, seg->start, seg->last, phase->epoch_from,
                       phase->epoch_to, &phase->file_section);
          add_lower_pieces (pieces, snap, phase->first, phase->n, seg->start, seg->last,
                            phase->epoch_from, phase->epoch_to);
        }
    }

  g_array_sort (pieces, compare_pieces);
  for (guint i = 0; i < pieces->len; i++)
    {
      const IptImageSectionRun *piece = &g_array_index (pieces, SectionPiece, i).run;
      IptImageSectionRun *prev = runs->len > 0 ? &g_array_index (runs, IptImageSectionRun, runs->len - 1) : NULL;

      if (prev != NULL && prev->region == piece->region && prev->epoch_from == piece->epoch_from &&
          prev->epoch_to == piece->epoch_to && prev->last != G_MAXUINT64 && prev->last + 1 == piece->start)
        {
          prev->last = piece->last;
          continue;
        }
      g_array_append_val (runs, *piece);
      g_array_append_val (run_pieces, i);
    }

  if (runs->len > max)
    {
      guint n_runs = runs->len, kept = 0;
      g_autofree guint *order = g_new (guint, n_runs);
      g_autofree gboolean *dropped = g_new0 (gboolean, n_runs);

      for (guint r = 0; r < n_runs; r++)
        order[r] = r;
      g_qsort_with_data (order, n_runs, sizeof (guint), compare_run_indices_by_value, runs);

      for (guint k = max; k < n_runs; k++)
        {
          guint r = order[k];
          guint from = g_array_index (run_pieces, guint, r);
          guint to = r + 1 < n_runs ? g_array_index (run_pieces, guint, r + 1) : pieces->len;

          if (run_may_be_code (&g_array_index (runs, IptImageSectionRun, r)))
            snap->n_code_runs_not_sections++;
          for (guint p = from; p < to; p++)
            *g_array_index (pieces, SectionPiece, p).file_section = FALSE;
          dropped[r] = TRUE;
        }
      for (guint r = 0; r < n_runs; r++)
        if (!dropped[r])
          g_array_index (runs, IptImageSectionRun, kept++) = g_array_index (runs, IptImageSectionRun, r);
      snap->n_runs_not_sections = n_runs - max;
      g_array_set_size (runs, max);
    }
  g_array_sort (runs, compare_runs_by_address);
}

static int
compare_guint64 (gconstpointer a, gconstpointer b)
{
  guint64 ua = *(const guint64 *) a, ub = *(const guint64 *) b;

  return ua < ub ? -1 : ua > ub;
}

/* The epoch of @time: the number of boundaries at or before it. */
guint
ipt_image_snapshot_epoch_of (const IptImageSnapshot *snap, guint64 time)
{
  const guint64 *b = (const guint64 *) (gpointer) snap->boundaries->data;
  guint lo = 0, hi = snap->boundaries->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (b[mid] <= time)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The boundaries of the regions' validity intervals, the epochs between
 * them, and in which epochs [from, to) each region is valid. */
static void
find_epochs (IptImageSnapshot *snap, guint **epoch_from, guint **epoch_to)
{
  guint n = snap->regions->len;

  for (guint r = 0; r < n; r++)
    {
      const IptRegion *region = g_ptr_array_index (snap->regions, r);

      if (region->valid_from != 0)
        g_array_append_val (snap->boundaries, region->valid_from);
      if (region->valid_to != IPT_TIME_END)
        g_array_append_val (snap->boundaries, region->valid_to);
    }
  g_array_sort (snap->boundaries, compare_guint64);
  if (snap->boundaries->len > 1)
    {
      guint64 *b = (guint64 *) (gpointer) snap->boundaries->data;
      guint kept = 1;

      for (guint i = 1; i < snap->boundaries->len; i++)
        if (b[i] != b[kept - 1])
          b[kept++] = b[i];
      g_array_set_size (snap->boundaries, kept);
    }
  snap->n_epochs = snap->boundaries->len + 1;

  snap->views = g_new (IptImageView, snap->n_epochs);
  for (guint e = 0; e < snap->n_epochs; e++)
    {
      snap->views[e].snap = snap;
      snap->views[e].epoch = e;
    }

  *epoch_from = g_new (guint, MAX (n, 1));
  *epoch_to = g_new (guint, MAX (n, 1));
  for (guint r = 0; r < n; r++)
    {
      const IptRegion *region = g_ptr_array_index (snap->regions, r);

      (*epoch_from)[r] = region->valid_from == 0 ? 0 : ipt_image_snapshot_epoch_of (snap, region->valid_from);
      (*epoch_to)[r] = region->valid_to == IPT_TIME_END ? snap->n_epochs
                                                         : ipt_image_snapshot_epoch_of (snap, region->valid_to);
    }
}

/* Keeps only the boundaries where some claim changes: a JIT loading code
 * at a fresh address starts a region (a boundary) that reads the same
 * before and after (the rule's "soonest valid after"), and an epoch switch
 * that changes nothing would still cost the decoder its caches. Renumbers
 * the phases' epochs. */
static void
compact_epochs (IptImageSnapshot *snap)
{
  g_autofree guint *map = NULL;
  g_autofree gboolean *used = NULL;
  guint n = snap->n_epochs, kept = 0;

  if (n == 1)
    return;

  used = g_new0 (gboolean, n + 1);
  for (guint i = 0; i < snap->phases->len; i++)
    {
      const IptImagePhase *phase = &g_array_index (snap->phases, IptImagePhase, i);

      used[phase->epoch_from] = TRUE;
      used[phase->epoch_to] = TRUE;
    }

  /* new epoch of old epoch e: the used boundaries in (0, e] */
  map = g_new (guint, n + 1);
  map[0] = 0;
  for (guint e = 1; e < n; e++)
    {
      if (used[e])
        g_array_index (snap->boundaries, guint64, kept++) = g_array_index (snap->boundaries, guint64, e - 1);
      map[e] = kept;
    }
  map[n] = kept + 1;
  g_array_set_size (snap->boundaries, kept);
  snap->n_epochs = kept + 1;

  for (guint i = 0; i < snap->phases->len; i++)
    {
      IptImagePhase *phase = &g_array_index (snap->phases, IptImagePhase, i);

      phase->epoch_from = map[phase->epoch_from];
      phase->epoch_to = map[phase->epoch_to];
    }
  for (guint e = 0; e < snap->n_epochs; e++)
    snap->views[e].epoch = e;
}

/* A provider's regions: those it has in each of @address_spaces
 * (list_regions_in, ranking first), then its list_regions ones. */
static GPtrArray *
list_provider_regions (IptMemoryProvider *provider, IptMemoryProviderInterface *iface,
                       const GArray *address_spaces, guint *n_per_space)
{
  GPtrArray *regions = iface->list_regions (provider);
  g_autoptr(GPtrArray) all = NULL;

  *n_per_space = 0;
  if (regions == NULL || iface->list_regions_in == NULL || address_spaces == NULL ||
      address_spaces->len == 0)
    return regions;
  all = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);
  for (guint a = 0; a < address_spaces->len; a++)
    {
      g_autoptr(GPtrArray) in = iface->list_regions_in (provider,
                                                        &g_array_index (address_spaces, IptAsid, a));

      for (guint r = 0; in != NULL && r < in->len; r++)
        g_ptr_array_add (all, ipt_region_copy (g_ptr_array_index (in, r)));
    }
  *n_per_space = all->len;
  for (guint r = 0; r < regions->len; r++)
    g_ptr_array_add (all, ipt_region_copy (g_ptr_array_index (regions, r)));
  g_ptr_array_unref (regions);
  return g_steal_pointer (&all);
}

/**
 * ipt_image_snapshot_build:
 * @image: the image the snapshot belongs to
 * @page_cache_enabled: the image's page cache switch
 * @providers: the chain, in priority order
 * @callback: (nullable): the external last link
 * @context: its context
 * @max_file_sections: how many ranges libipt gets as file sections at most
 * @address_spaces: (element-type IptAsid): the address spaces traces use,
 *   for providers that list regions per address space
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
                          guint max_file_sections, const GArray *address_spaces)
{
  IptImageSnapshot *snap = g_new0 (IptImageSnapshot, 1);
  g_autoptr(GArray) links = g_array_new (FALSE, FALSE, sizeof (IptImageLink));
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (RegionEvent));
  g_autoptr(GArray) active = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) file_sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) usable = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) per_space = g_array_new (FALSE, FALSE, sizeof (gboolean));
  guint first_unindexed = G_MAXUINT;
  g_autofree guint *epoch_from = NULL;
  g_autofree guint *epoch_to = NULL;
  SweepContext ctx;

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
  snap->phases = g_array_new (FALSE, FALSE, sizeof (IptImagePhase));
  snap->callback = callback;
  snap->callback_context = context;

  /* Regions are appended in priority order, so a region's index is its rank. */
  for (guint p = 0; p < providers->len; p++)
    {
      IptMemoryProvider *provider = g_ptr_array_index (providers, p);
      IptMemoryProviderInterface *iface = IPT_MEMORY_PROVIDER_GET_IFACE (provider);
      g_autoptr(GPtrArray) regions = NULL;
      guint n_per_space = 0;

      g_ptr_array_add (snap->providers, g_object_ref (provider));

      if (iface->list_regions != NULL)
        regions = list_provider_regions (provider, iface, address_spaces, &n_per_space);

      if (regions == NULL)
        {
          IptImageLink link = { iface->read, iface->read_at, provider, p };

          g_array_append_val (snap->unindexed, link);
          first_unindexed = MIN (first_unindexed, p);
          continue;
        }

      for (guint r = 0; r < regions->len; r++)
        {
          const IptRegion *region = g_ptr_array_index (regions, r);
          IptImageLink link = { iface->read, iface->read_at, provider, p };
          RegionEvent start = { region->address, snap->regions->len, FALSE };
          RegionEvent end = { 0, snap->regions->len, TRUE };
          IptRegion *copy;

          if (region->size == 0 || region->valid_from >= region->valid_to)
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
          g_array_append_val (per_space, (gboolean) { r < n_per_space });
        }
    }

  find_epochs (snap, &epoch_from, &epoch_to);
  ctx.links = links;
  ctx.epoch_from = epoch_from;
  ctx.epoch_to = epoch_to;
  ctx.first_unindexed = first_unindexed;
  ctx.file_sizes = file_sizes;
  ctx.usable = usable;
  ctx.per_space = (const gboolean *) (gpointer) per_space->data;

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
      emit_segment (snap, &ctx, address, last, active);
    }

  compact_epochs (snap);
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
  g_array_unref (snap->phases);
  g_clear_pointer (&snap->timed_sections, g_array_unref);
  g_free (snap->views);
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
ipt_image_snapshot_list_mappings (const IptImageView *view)
{
  const IptImageSnapshot *snap = view->snap;
  GPtrArray *result;
  g_autoptr(GHashTable) open = NULL;  /* region -> its last mapping, for merging */

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_mapping_free);
  open = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < snap->segments->len; i++)
    {
      const IptImageSegment *seg = &g_array_index (snap->segments, IptImageSegment, i);
      guint first, n;
      gboolean file_section;

      ipt_image_segment_claims (snap, seg, view->epoch, &first, &n, &file_section);
      for (guint k = 0; k < n; k++)
        {
          const IptImageCandidate *c = &g_array_index (snap->candidates, IptImageCandidate, first + k);
          gboolean is_section = k == 0 ? file_section : c->is_section;
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

