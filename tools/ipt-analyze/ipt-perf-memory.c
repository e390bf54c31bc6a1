/* ipt-perf-memory.c: --perf's memory (see ipt-perf-memory.h): each
 * process's mappings over time (ipt_perf_data_list_mappings()) become raw
 * providers with the mapping's validity, so that code unmapped and
 * replaced at one address is read as it was when it ran; a JIT's marker
 * mmap becomes a jitmap provider on its jitdump. What is missing is said
 * once per file, with every address range that will fail.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-perf-memory.h"

#include <glib/gstdio.h>

#include <string.h>

#include "ipt-analyze-discovery.h"
#include "ipt-tool-log.h"

/* At most this many ranges are listed in a warning about a file. */
#define MAX_RANGES 8

struct _IptPerfMemory {
  IptPluginRegistry *registry;
  IptImage *base;
  IptPerfData *perf;
  IptPerfFileFinder finder;
  gpointer finder_data;
  GHashTable *images;        /* gint64 pid -> IptImage */
  GHashTable *warned;        /* file names (and other keys) said once */
  gboolean said_no_memory;
};

typedef struct {
  guint64 start, end;
} Range;

/* A file that cannot be read, and the ranges that will fail for it. */
typedef struct {
  guint order;               /* warnings come in the order files were met */
  char *reason;
  GArray *ranges;            /* Range */
  GArray *pids;              /* gint64 */
} Missing;

static void
missing_free (Missing *m)
{
  g_free (m->reason);
  g_array_unref (m->ranges);
  g_array_unref (m->pids);
  g_free (m);
}

static char *
default_finder (const IptPerfMapping *mapping, gpointer data, GError **error)
{
  if (!g_file_test (mapping->filename, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "not a file here (looked at its recorded path)");
      return NULL;
    }
  return g_strdup (mapping->filename);
}

IptPerfMemory *
ipt_perf_memory_new (IptPluginRegistry *registry, IptImage *base, IptPerfData *perf,
                     IptPerfFileFinder finder, gpointer finder_data)
{
  IptPerfMemory *self = g_new0 (IptPerfMemory, 1);

  self->registry = registry;
  self->base = g_object_ref (base);
  self->perf = g_object_ref (perf);
  self->finder = finder != NULL ? finder : default_finder;
  self->finder_data = finder_data;
  self->images = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
ipt_perf_memory_free (IptPerfMemory *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->base);
  g_object_unref (self->perf);
  g_hash_table_unref (self->images);
  g_hash_table_unref (self->warned);
  g_free (self);
}

/* Whether @key was said before; marks it said. */
static gboolean
said_before (IptPerfMemory *self, const char *key)
{
  if (g_hash_table_contains (self->warned, key))
    return TRUE;
  g_hash_table_add (self->warned, g_strdup (key));
  return FALSE;
}

/* perf's jitdump marker: a mapping of a file named jit-PID.dump. */
static gboolean
is_jit_marker (const char *filename)
{
  guint64 pid;

  return ipt_analyze_is_jitdump (filename, &pid);
}

static gboolean
is_anonymous (const char *filename)
{
  return strcmp (filename, "//anon") == 0 || g_str_has_prefix (filename, "[anon") ||
         g_str_has_prefix (filename, "/dev/zero") || g_str_has_prefix (filename, "/memfd:");
}

static IptMemoryProvider *
new_raw (IptPlugin *raw, const char *path, const IptPerfMapping *m, GError **error)
{
  const char *names[] = { "file", "base", "offset", "size", "valid-from", "valid-to" };
  guint64 numbers[] = { m->address, m->offset, m->length, m->valid_from, m->valid_to };
  GValue values[G_N_ELEMENTS (names)] = { G_VALUE_INIT };
  IptMemoryProvider *provider;
  GStatBuf st;

  /* The kernel maps whole pages: the tail of a file's last page is in the
   * mapping but not in the file (the raw plugin refuses a window past the
   * end). No code runs there that the file could give. */
  if (g_stat (path, &st) == 0 && (guint64) st.st_size > m->offset &&
      m->length > (guint64) st.st_size - m->offset)
    numbers[2] = (guint64) st.st_size - m->offset;

  g_value_init (&values[0], G_TYPE_STRING);
  g_value_set_string (&values[0], path);
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    {
      g_value_init (&values[i], G_TYPE_UINT64);
      g_value_set_uint64 (&values[i], numbers[i - 1]);
    }
  provider = ipt_plugin_new_provider_with_properties (raw, G_N_ELEMENTS (names), names, values,
                                                      NULL, error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_value_unset (&values[i]);
  return provider;
}

static void
note_missing (GHashTable *missing, const IptPerfMapping *m, const char *reason)
{
  Missing *entry = g_hash_table_lookup (missing, m->filename);
  guint i;
  Range range = { m->address, m->address + m->length };

  if (entry == NULL)
    {
      entry = g_new0 (Missing, 1);
      entry->order = g_hash_table_size (missing);
      entry->reason = g_strdup (reason);
      entry->ranges = g_array_new (FALSE, FALSE, sizeof range);
      entry->pids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (missing, m->filename, entry);
    }
  for (i = 0; i < entry->ranges->len; i++)
    {
      const Range *r = &g_array_index (entry->ranges, Range, i);

      if (r->start == range.start && r->end == range.end)
        break;
    }
  if (i == entry->ranges->len)
    g_array_append_val (entry->ranges, range);
  for (i = 0; i < entry->pids->len; i++)
    if (g_array_index (entry->pids, gint64, i) == m->pid)
      return;
  g_array_append_val (entry->pids, m->pid);
}

static gint
by_start (gconstpointer a, gconstpointer b)
{
  const Range *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

static void
warn_missing (IptPerfMemory *self, const char *filename, Missing *entry)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) pids = g_string_new (NULL);
  g_autofree char *shown = g_filename_display_name (filename);

  if (said_before (self, filename))
    return;
  /* a mapping split by later ones is one range again */
  g_array_sort (entry->ranges, by_start);
  for (guint i = 1; i < entry->ranges->len;)
    {
      Range *before = &g_array_index (entry->ranges, Range, i - 1);
      const Range *range = &g_array_index (entry->ranges, Range, i);

      if (range->start > before->end)
        {
          i++;
          continue;
        }
      before->end = MAX (before->end, range->end);
      g_array_remove_index (entry->ranges, i);
    }
  for (guint i = 0; i < entry->ranges->len && i < MAX_RANGES; i++)
    {
      const Range *range = &g_array_index (entry->ranges, Range, i);

      g_string_append_printf (text, "%s0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x",
                              i > 0 ? ", " : "", range->start, range->end);
    }
  if (entry->ranges->len > MAX_RANGES)
    g_string_append_printf (text, " and %u more", entry->ranges->len - MAX_RANGES);
  for (guint i = 0; i < entry->pids->len; i++)
    g_string_append_printf (pids, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "",
                            g_array_index (entry->pids, gint64, i));
  ipt_tool_warning ("%s: %s, mapped at %s by pid %s: %s; reads there will fail (give its "
                    "memory with --plugin, e.g. a core)", ipt_perf_data_get_name (self->perf),
                    shown, text->str, pids->str, entry->reason);
}

/* Whether @a and @b hold other bytes over a common range at a common time. */
static gboolean
conflict (const IptPerfMapping *a, const IptPerfMapping *b, gboolean timed)
{
  if (a->address >= b->address + b->length || b->address >= a->address + a->length)
    return FALSE;
  if (timed && (a->valid_from >= b->valid_to || b->valid_from >= a->valid_to))
    return FALSE;
  return strcmp (a->filename, b->filename) != 0 ||
         a->offset - a->address != b->offset - b->address;
}

static gint
by_address (gconstpointer a, gconstpointer b)
{
  const IptPerfMapping *x = *(const IptPerfMapping *const *) a;
  const IptPerfMapping *y = *(const IptPerfMapping *const *) b;

  return x->address < y->address ? -1 : x->address > y->address;
}

typedef gboolean (*OverlapFunc) (IptPerfMemory *self, const IptPerfMapping *a,
                                 const IptPerfMapping *b);

/* @func on each pair of @mappings whose ranges overlap, until it returns
 * FALSE: a sweep in address order, not every pair. */
static void
for_each_overlap (IptPerfMemory *self, GPtrArray *mappings, OverlapFunc func)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  g_ptr_array_extend (sorted, mappings, NULL, NULL);
  g_ptr_array_sort (sorted, by_address);
  for (guint i = 0; i < sorted->len; i++)
    {
      const IptPerfMapping *a = g_ptr_array_index (sorted, i);

      for (guint j = i + 1; j < sorted->len; j++)
        {
          const IptPerfMapping *b = g_ptr_array_index (sorted, j);

          if (b->address >= a->address + a->length)
            break;
          if (!func (self, a, b))
            return;
        }
    }
}

/* Per-CPU queues decode over every process's memory at once: where two
 * processes map other code at one address, the first one's is read. Said
 * once. */
static gboolean
warn_processes_overlap (IptPerfMemory *self, const IptPerfMapping *a, const IptPerfMapping *b)
{
  const IptPerfMapping *first = a->valid_from <= b->valid_from ? a : b;

  if (a->pid == b->pid || !conflict (a, b, TRUE))
    return TRUE;
  if (!said_before (self, "\n processes overlap"))
    ipt_tool_warning ("%s: mappings of different processes overlap (pid %" G_GINT64_FORMAT
                      "'s %s at 0x%" G_GINT64_MODIFIER "x, pid %" G_GINT64_FORMAT "'s %s at 0x%"
                      G_GINT64_MODIFIER "x): the per-CPU queues are decoded over all "
                      "processes' memory, where code is read from the first (pid %"
                      G_GINT64_FORMAT "'s)", ipt_perf_data_get_name (self->perf), a->pid,
                      a->filename, a->address, b->pid, b->filename, b->address, first->pid);
  return FALSE;
}

/* Untimed, an ended mapping's interval is empty: the last one mapped at an
 * address serves it for the whole trace, right or not. */
static gboolean
warn_untimed_replacement (IptPerfMemory *self, const IptPerfMapping *a, const IptPerfMapping *b)
{
  const IptPerfMapping *gone = a->valid_from >= a->valid_to ? a : b;
  const IptPerfMapping *last = gone == a ? b : a;
  g_autofree char *key = NULL;

  if (gone->valid_from < gone->valid_to || last->valid_to != IPT_TIME_END ||
      last->pid != gone->pid || !conflict (gone, last, FALSE))
    return TRUE;
  key = g_strdup_printf ("\n untimed %" G_GINT64_FORMAT " %" G_GINT64_MODIFIER "x", last->pid,
                         last->address);
  if (!said_before (self, key))
    ipt_tool_warning ("%s: the recording has no time (untimed), and 0x%" G_GINT64_MODIFIER
                      "x-0x%" G_GINT64_MODIFIER "x of pid %" G_GINT64_FORMAT " was mapped to "
                      "several files over time (%s, later %s): its code is read from the last "
                      "one for the whole trace, so what ran there before may decode wrong",
                      ipt_perf_data_get_name (self->perf), last->address,
                      last->address + last->length, last->pid, gone->filename, last->filename);
  return TRUE;
}

static gint
by_time (gconstpointer a, gconstpointer b)
{
  const IptPerfMapping *x = *(const IptPerfMapping *const *) a;
  const IptPerfMapping *y = *(const IptPerfMapping *const *) b;

  return x->valid_from < y->valid_from ? -1 : x->valid_from > y->valid_from;
}

/* @pid's user-space mappings (-1: every process's), in time order: the
 * image's rule then serves a range, between two mappings of it, by the
 * later one (a provider whose region ended no longer claims it). */
static GPtrArray *
user_mappings (IptPerfMemory *self, gint64 pid)
{
  g_autoptr(GPtrArray) all = ipt_perf_data_list_mappings (self->perf, pid);
  GPtrArray *user = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_mapping_free);

  for (guint i = 0; i < all->len; i++)
    {
      IptPerfMapping *m = g_ptr_array_index (all, i);

      if (!m->is_kernel && m->pid >= 0 && m->length > 0)
        g_ptr_array_add (user, g_steal_pointer (&all->pdata[i]));
    }
  g_ptr_array_sort (user, by_time);
  return user;
}

static gboolean
base_serves (IptPerfMemory *self, guint64 address)
{
  guint8 byte;

  return ipt_image_read (self->base, &byte, 1, NULL, address, NULL) == 1;
}

/* A jitmap for @m's jitdump, once per dump; FALSE when none could be made. */
static gboolean
add_jitmap (IptPerfMemory *self, IptImage *image, GHashTable *dumps, const IptPerfMapping *m,
            GHashTable *missing)
{
  IptPlugin *jitmap = ipt_plugin_registry_lookup (self->registry, "jitmap");
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *reason = NULL;

  if (g_hash_table_contains (dumps, m->filename))
    return TRUE;
  g_hash_table_add (dumps, m->filename);
  if (jitmap == NULL)
    reason = g_strdup ("a JIT's jitdump, but the jitmap plugin is not loaded");
  else if ((path = self->finder (m, self->finder_data, &error)) == NULL)
    reason = g_strdup_printf ("a JIT's jitdump: %s", error->message);
  else if ((provider = ipt_analyze_new_jitmap (jitmap, path, NULL, &error)) == NULL)
    reason = g_strdup_printf ("a JIT's jitdump: %s", error->message);
  if (reason != NULL)
    {
      note_missing (missing, m, reason);
      return FALSE;
    }
  ipt_image_add_provider (image, provider);
  return TRUE;
}

static gint
by_order (gconstpointer a, gconstpointer b, gpointer missing)
{
  const Missing *x = g_hash_table_lookup (missing, a);
  const Missing *y = g_hash_table_lookup (missing, b);

  return x->order < y->order ? -1 : x->order > y->order;
}

static IptImage *
build_image (IptPerfMemory *self, gint64 pid)
{
  IptPlugin *raw = ipt_plugin_registry_lookup (self->registry, "raw");
  GListModel *given = ipt_image_get_providers (self->base);
  g_autoptr(GPtrArray) mappings = user_mappings (self, pid);
  g_autoptr(GHashTable) missing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) missing_free);
  g_autoptr(GHashTable) dumps = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) unfound = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *name = pid >= 0 ? g_strdup_printf ("perf pid %" G_GINT64_FORMAT, pid)
                                   : g_strdup ("perf all processes");
  IptImage *image = ipt_image_new (name);
  gboolean timed = ipt_perf_data_has_time (self->perf);
  gboolean have_jit = FALSE;
  guint added = 0;

  for (guint i = 0; i < g_list_model_get_n_items (given); i++)
    {
      g_autoptr(IptMemoryProvider) provider = g_list_model_get_item (given, i);

      ipt_image_add_provider (image, provider);
    }
  if (pid < 0)
    for_each_overlap (self, mappings, warn_processes_overlap);
  if (!timed)
    for_each_overlap (self, mappings, warn_untimed_replacement);

  /* the JIT's code first: it lives in anonymous memory no file serves */
  for (guint i = 0; i < mappings->len; i++)
    {
      const IptPerfMapping *m = g_ptr_array_index (mappings, i);

      if (is_jit_marker (m->filename))
        have_jit |= add_jitmap (self, image, dumps, m, missing);
    }

  for (guint i = 0; i < mappings->len; i++)
    {
      const IptPerfMapping *m = g_ptr_array_index (mappings, i);
      g_autoptr(IptMemoryProvider) provider = NULL;
      g_autoptr(GError) error = NULL;
      const char *path;

      /* untimed, what a later mapping replaced is never valid */
      if (m->valid_from >= m->valid_to || is_jit_marker (m->filename))
        continue;
      /* the finder once per file: its answer, or why not */
      if (!g_hash_table_lookup_extended (paths, m->filename, NULL, (gpointer *) &path))
        {
          char *found = self->finder (m, self->finder_data, &error);

          if (found == NULL)
            {
              g_hash_table_add (unfound, m->filename);
              found = g_strdup (error->message);
            }
          g_hash_table_insert (paths, m->filename, found);
          path = found;
        }
      if (g_hash_table_contains (unfound, m->filename))
        {
          /* "//anon", "[vdso]", "[stack]", a file not here: unless the
           * memory given (a core) or a jitdump serves it */
          if (!base_serves (self, m->address) && !(have_jit && is_anonymous (m->filename)))
            note_missing (missing, m, path);
          continue;
        }
      if (raw == NULL || (provider = new_raw (raw, path, m, &error)) == NULL)
        {
          note_missing (missing, m, raw == NULL ? "the raw plugin is not loaded"
                                                : error->message);
          continue;
        }
      ipt_image_add_provider (image, provider);
      added++;
    }

  {
    g_autoptr(GList) files = g_list_sort_with_data (g_hash_table_get_keys (missing), by_order,
                                                    missing);

    for (GList *l = files; l != NULL; l = l->next)
      warn_missing (self, l->data, g_hash_table_lookup (missing, l->data));
  }
  if (added == 0 && !have_jit && g_list_model_get_n_items (given) == 0 && !self->said_no_memory)
    {
      self->said_no_memory = TRUE;
      ipt_tool_warning ("%s: no memory: none of the files its mmaps name is here; give the "
                        "memory with --plugin, --elf or --raw", ipt_perf_data_get_name (self->perf));
    }
  return image;
}

IptImage *
ipt_perf_memory_get_image (IptPerfMemory *self, gint64 pid)
{
  IptImage *image;

  if (pid < 0)
    pid = -1;
  image = g_hash_table_lookup (self->images, &pid);
  if (image == NULL)
    {
      image = build_image (self, pid);
      g_hash_table_insert (self->images, g_memdup2 (&pid, sizeof pid), image);
    }
  return image;
}
