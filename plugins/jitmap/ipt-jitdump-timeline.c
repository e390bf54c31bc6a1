/* ipt-jitdump-timeline.c: a jitdump's code over time — the parser's
 * events replayed in time order give every version of code its interval
 * (a LOAD or MOVE ends, at its time, every version whose range its new
 * range overlaps), then the index that the lookups (by address and time,
 * with the rule of ipt_image_set_time()) use. Lookups never allocate. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-jitdump-private.h"
#include "ipt-sorted.h"

typedef struct {
  IptJitdumpCode code;
  gsize name_at;
  gboolean live;
  gboolean dropped;
} Version;

typedef struct {
  guint64 start;
  gsize version;
} LiveKey;

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const Event *ea = a, *eb = b;

  if (ea->time != eb->time)
    return ipt_jitmap_compare_u64 (ea->time, eb->time);
  return ipt_jitmap_compare_u64 (ea->seq, eb->seq);
}

static int
compare_live_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const LiveKey *ka = a, *kb = b;

  return ipt_jitmap_compare_u64 (ka->start, kb->start);
}

typedef struct {
  GArray *versions;       /* Version */
  GTree *live;            /* LiveKey -> itself: the versions valid now, disjoint */
  GHashTable *by_index;   /* code_index -> the latest version's index + 1 */
} Timeline;

static Version *
version_at (Timeline *t, gsize i)
{
  return &g_array_index (t->versions, Version, i);
}

static void
end_version (IptJitdump *dump, Timeline *t, gsize i, guint64 time)
{
  Version *v = version_at (t, i);
  LiveKey probe = { v->code.span.start, i };

  g_tree_remove (t->live, &probe);
  v->live = FALSE;
  v->code.valid_to = time;
  /* Events are replayed in time order, so an empty interval means a later
   * record at the same time replaced it. */
  if (v->code.valid_from >= time)
    {
      v->dropped = TRUE;
      dump->n_replaced++;
    }
}

/* Ends, at @time, every live version that overlaps [@start, @end). */
static void
end_overlapping (IptJitdump *dump, Timeline *t, guint64 start, guint64 end, guint64 time)
{
  for (;;)
    {
      LiveKey probe = { end - 1, 0 };
      GTreeNode *node = g_tree_upper_bound (t->live, &probe);
      const LiveKey *key;

      node = node != NULL ? g_tree_node_previous (node) : g_tree_node_last (t->live);
      if (node == NULL)
        return;
      key = g_tree_node_key (node);
      /* Live versions are disjoint: once one ends before @start, all the
       * earlier ones do too. */
      if (version_at (t, key->version)->code.span.end <= start)
        return;
      end_version (dump, t, key->version, time);
    }
}

static void
add_version (Timeline *t, const Version *v)
{
  gsize i = t->versions->len;
  LiveKey *key = g_new (LiveKey, 1);
  guint64 *index_key = g_new (guint64, 1);

  g_array_append_val (t->versions, *v);
  key->start = v->code.span.start;
  key->version = i;
  g_tree_insert (t->live, key, key);
  *index_key = v->code.code_index;
  g_hash_table_replace (t->by_index, index_key, GSIZE_TO_POINTER (i + 1));
}

static void
replay_move (Parser *p, Timeline *t, const Event *ev, gsize *n_unknown, guint64 *first_unknown,
             gsize *n_mismatch, guint64 *first_mismatch)
{
  gpointer found = g_hash_table_lookup (t->by_index, &ev->code_index);
  Version moved;
  guint64 size;

  if (found == NULL)
    {
      if ((*n_unknown)++ == 0)
        *first_unknown = ev->record_offset;
      return;
    }
  moved = *version_at (t, GPOINTER_TO_SIZE (found) - 1);
  size = moved.code.span.end - moved.code.span.start;
  if (moved.live)
    end_version (p->dump, t, GPOINTER_TO_SIZE (found) - 1, ev->time);
  if (ev->old_address != moved.code.span.start || ev->size != size)
    {
      if ((*n_mismatch)++ == 0)
        *first_mismatch = ev->record_offset;
    }
  /* The bytes are the LOAD's: as many as it had. */
  if (ev->address > G_MAXUINT64 - size)
    return;
  end_overlapping (p->dump, t, ev->address, ev->address + size, ev->time);
  moved.code.span.start = ev->address;
  moved.code.span.end = ev->address + size;
  moved.code.valid_from = ev->time;
  moved.code.valid_to = G_MAXUINT64;
  moved.code.record_offset = ev->record_offset;
  moved.live = TRUE;
  moved.dropped = FALSE;
  add_version (t, &moved);
}

static int
compare_codes (gconstpointer a, gconstpointer b)
{
  const IptJitdumpCode *ca = a, *cb = b;

  if (ca->span.start != cb->span.start)
    return ipt_jitmap_compare_u64 (ca->span.start, cb->span.start);
  return ipt_jitmap_compare_u64 (ca->valid_from, cb->valid_from);
}

/* Replays the events in time order into versions, then indexes them. */
void
ipt_jitdump_build_versions (Parser *p)
{
  IptJitdump *dump = p->dump;
  Timeline t;
  gsize n_unknown = 0, n_mismatch = 0, n = 0;
  guint64 first_unknown = 0, first_mismatch = 0;

  t.versions = g_array_sized_new (FALSE, FALSE, sizeof (Version), p->events->len);
  t.live = g_tree_new_full (compare_live_keys, NULL, g_free, NULL);
  t.by_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_array_sort (p->events, compare_events);
  for (guint i = 0; i < p->events->len; i++)
    {
      const Event *ev = &g_array_index (p->events, Event, i);
      Version v = { 0 };

      if (ev->move)
        {
          replay_move (p, &t, ev, &n_unknown, &first_unknown, &n_mismatch, &first_mismatch);
          continue;
        }
      end_overlapping (dump, &t, ev->address, ev->address + ev->size, ev->time);
      v.code.span.start = ev->address;
      v.code.span.end = ev->address + ev->size;
      v.code.code_offset = ev->code_offset;
      v.code.valid_from = ev->time;
      v.code.valid_to = G_MAXUINT64;
      v.code.code_index = ev->code_index;
      v.code.record_offset = ev->record_offset;
      v.code.first_line = ev->first_line;
      v.code.n_lines = ev->n_lines;
      v.name_at = ev->name_at;
      v.live = TRUE;
      add_version (&t, &v);
    }
  if (n_unknown > 0)
    ipt_jitdump_warn (p, first_unknown, "%" G_GSIZE_FORMAT " JIT_CODE_MOVE records move a"
                 " code_index that no earlier JIT_CODE_LOAD loaded: ignored (the first one"
                 " at this offset)", n_unknown);
  if (n_mismatch > 0)
    ipt_jitdump_warn (p, first_mismatch, "%" G_GSIZE_FORMAT " JIT_CODE_MOVE records give an"
                 " old_code_addr or code_size other than the code's: the code's are used"
                 " (the first one at this offset)", n_mismatch);

  dump->strings = g_string_free (g_steal_pointer (&p->strings), FALSE);
  dump->codes = g_new (IptJitdumpCode, MAX (t.versions->len, 1));
  for (guint i = 0; i < t.versions->len; i++)
    {
      Version *v = version_at (&t, i);

      if (v->dropped)
        continue;
      v->code.name = dump->strings + v->name_at;
      dump->codes[n++] = v->code;
    }
  dump->n_codes = n;
  qsort (dump->codes, dump->n_codes, sizeof *dump->codes, compare_codes);
  ipt_jitmap_spans_init (&dump->spans, dump->codes, dump->n_codes, sizeof *dump->codes);

  dump->n_lines = p->lines->len;
  dump->lines = g_new (IptJitdumpLine, MAX (dump->n_lines, 1));
  for (gsize i = 0; i < dump->n_lines; i++)
    {
      const BuildLine *bl = &g_array_index (p->lines, BuildLine, i);

      dump->lines[i].offset = bl->offset;
      dump->lines[i].file = dump->strings + bl->file_at;
      dump->lines[i].line = bl->line;
    }

  g_hash_table_unref (t.by_index);
  g_tree_unref (t.live);
  g_array_unref (t.versions);
}


typedef struct {
  guint64 time;
  const IptJitdumpCode *now;
  const IptJitdumpCode *next;
} FindState;

static gboolean
visit_code (gconstpointer element, gpointer user_data)
{
  const IptJitdumpCode *code = element;
  FindState *state = user_data;

  if (ipt_jitdump_code_is_valid_at (code, state->time))
    {
      /* Versions that share an address never share a time: it is the one. */
      state->now = code;
      return TRUE;
    }
  if (code->valid_from > state->time
      && (state->next == NULL || code->valid_from < state->next->valid_from))
    state->next = code;
  return FALSE;
}

/**
 * ipt_jitdump_find:
 * @dump: a dump
 * @address: an address
 * @time: a time (ns), %G_MAXUINT64 for the latest
 *
 * The time rule: the version at @address valid at @time; when none is,
 * the one there that becomes valid soonest after @time.
 *
 * Returns: (nullable): the version, or %NULL when none is valid at or
 *   after @time
 */
const IptJitdumpCode *
ipt_jitdump_find (const IptJitdump *dump, guint64 address, guint64 time)
{
  FindState state = { time, NULL, NULL };

  ipt_jitmap_spans_visit (&dump->spans, address, visit_code, &state);
  return state.now != NULL ? state.now : state.next;
}

/**
 * ipt_jitdump_read:
 * @dump: a dump
 * @data: the bytes of the dump that ipt_jitdump_parse() parsed
 * @buffer: (array length=size) (out caller-allocates): where the bytes go
 * @size: size of @buffer
 * @address: the first address to read
 * @time: a time (ns), %G_MAXUINT64 for the latest
 *
 * Copies up to @size contiguous bytes at @address as they were at @time
 * (each byte by the rule of ipt_jitdump_find()).
 *
 * Returns: the number of bytes read; 0 when @address is not mapped
 */
gsize
ipt_jitdump_read (const IptJitdump *dump, const guint8 *data, guint8 *buffer, gsize size,
                  guint64 address, guint64 time)
{
  gsize done = 0;

  while (done < size)
    {
      const IptJitdumpCode *code = ipt_jitdump_find (dump, address, time);
      gsize n;

      if (code == NULL)
        break;
      n = (gsize) MIN ((guint64) (size - done), code->span.end - address);
      memcpy (buffer + done, data + code->code_offset + (address - code->span.start), n);
      done += n;
      /* Code never reaches 2^64 (checked when parsing): no wrap. */
      address += n;
    }
  return done;
}

/**
 * ipt_jitdump_code_find_line:
 * @dump: a dump
 * @code: one of its versions
 * @address: an address inside @code
 *
 * Returns: (nullable): the line entry with the greatest address at or
 *   below @address, or %NULL when @code has none there
 */
const IptJitdumpLine *
ipt_jitdump_code_find_line (const IptJitdump *dump, const IptJitdumpCode *code,
                            guint64 address)
{
  const IptJitdumpLine *lines = dump->lines + code->first_line;
  gsize hi;

  if (address < code->span.start || address >= code->span.end)
    return NULL;
  hi = IPT_SORTED_UPPER_BOUND (lines, code->n_lines, IptJitdumpLine, offset,
                               address - code->span.start);
  return hi > 0 ? &lines[hi - 1] : NULL;
}
