/* ipt-analyze-merge.c: `ipt-analyze merge KIND:OUTPUT INPUT...` combines
 * the results that separate runs (a fuzzing campaign's traces, a batch
 * under GNU parallel or a Slurm array) wrote: AFL bitmaps (afl),
 * --coverage=blocks-json files (blocks-json), --stat --json output
 * (stat-json) and --calls-json call trees (calls-json,
 * ipt-analyze-merge-calls.c). It reads files only, never a trace, and writes what one
 * run of the same kind writes, in the same order, so that merging one
 * file gives that file back. AFL counters add and saturate at 255 (an
 * edge any run hit stays hit; see docs/json.md for why not wrap). */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-merge.h"
#include "ipt-analyze-merge-calls.h"
#include "ipt-merge-json.h"
#include "ipt-analyze-options.h"
#include "ipt-stat-json.h"
#include "ipt-tool-log.h"
#include "ipt-tool-output.h"

#define USAGE \
  "Usage: ipt-analyze merge KIND:OUTPUT INPUT...\n" \
  "\n" \
  "Combines results of separate ipt-analyze runs into OUTPUT ('-': standard output).\n" \
  "KIND is one of:\n" \
  "  afl          AFL bitmaps of --coverage=afl: counters added, saturating at 255\n" \
  "  blocks-json  --coverage=blocks-json files: blocks and edges, counts added\n" \
  "  calls-json   --calls-json files: call trees, counts and times added by path\n" \
  "  stat-json    --stat --json output: counts added (per-thread lists are dropped)\n"

static int
usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ipt_tool_error ("merge: %s (see ipt-analyze merge --help)", message);
  return IPT_ANALYZE_EXIT_USAGE;
}

/* --- afl ------------------------------------------------------------ */

static gboolean
merge_afl (char **inputs, GString *out, GError **error)
{
  g_string_set_size (out, IPT_COVERAGE_AFL_MAP_SIZE);
  memset (out->str, 0, IPT_COVERAGE_AFL_MAP_SIZE);
  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autofree char *data = NULL;
      gsize size;

      if (!g_file_get_contents (inputs[i], &data, &size, error))
        return FALSE;
      if (size != IPT_COVERAGE_AFL_MAP_SIZE)
        {
          g_autofree char *display = g_filename_display_name (inputs[i]);

          g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                       "%s: not an AFL bitmap: %" G_GSIZE_FORMAT " bytes, expected %u", display,
                       size, IPT_COVERAGE_AFL_MAP_SIZE);
          return FALSE;
        }
      for (gsize k = 0; k < size; k++)
        {
          guint sum = (guint8) out->str[k] + (guint) (guint8) data[k];

          out->str[k] = (char) MIN (sum, 255u);
        }
    }
  return TRUE;
}

/* The keys or the values of @table, in no order. */
static GPtrArray *
table_items (GHashTable *table, gboolean keys)
{
  GPtrArray *items = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (items, keys ? key : value);
  return items;
}

/* --- blocks-json ------------------------------------------------------ */

/* A block or an edge: (cr3, a, b, extra) is the key, extra being a
 * block's instructions or an edge's flags. */
typedef struct {
  guint64 cr3, a, b;
  guint64 extra;
  guint64 count;
} Item;

static guint
item_hash (gconstpointer p)
{
  const Item *item = p;

  return g_int64_hash (&item->a) ^ (g_int64_hash (&item->b) * 31) ^ (guint) item->extra ^
         g_int64_hash (&item->cr3);
}

static gboolean
item_equal (gconstpointer x, gconstpointer y)
{
  const Item *a = x, *b = y;

  return a->cr3 == b->cr3 && a->a == b->a && a->b == b->b && a->extra == b->extra;
}

static gint
item_compare (gconstpointer x, gconstpointer y)
{
  const Item *a = *(Item * const *) x, *b = *(Item * const *) y;

  if (a->cr3 != b->cr3)
    return a->cr3 < b->cr3 ? -1 : 1;
  if (a->a != b->a)
    return a->a < b->a ? -1 : 1;
  if (a->b != b->b)
    return a->b < b->b ? -1 : 1;
  return a->extra < b->extra ? -1 : a->extra > b->extra;
}

#define EDGE_CONDITIONAL 1
#define EDGE_EXIT 2

static void
add_item (GHashTable *table, const Item *item)
{
  Item *known = g_hash_table_lookup (table, item);

  if (known != NULL)
    {
      known->count = known->count + item->count < known->count ? G_MAXUINT64
                                                                : known->count + item->count;
      return;
    }
  known = g_memdup2 (item, sizeof *item);
  g_hash_table_add (table, known);
}

static gboolean
read_items (const char *path, JsonObject *top, gboolean has_cr3, gboolean edges,
            GHashTable *table, GError **error)
{
  JsonArray *array = ipt_merge_get_array (top, edges ? "edges" : "blocks");

  if (array == NULL)
    return ipt_merge_bad_json (error, path, edges ? "no \"edges\" array" : "no \"blocks\" array");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      Item item = { IPT_ASID_NO_CR3, 0, 0, 0, 0 };
      gboolean ok = o != NULL && ipt_merge_get_count (o, "count", &item.count) &&
                    (!has_cr3 || ipt_merge_get_hex (o, "cr3", &item.cr3));

      if (ok && edges)
        {
          ok = ipt_merge_get_hex (o, "from", &item.a) && ipt_merge_get_hex (o, "to", &item.b);
          item.extra = (json_object_get_boolean_member_with_default (o, "conditional", FALSE)
                        ? EDGE_CONDITIONAL : 0) |
                       (json_object_get_boolean_member_with_default (o, "exit", FALSE)
                        ? EDGE_EXIT : 0);
        }
      else if (ok)
        ok = ipt_merge_get_hex (o, "start", &item.a) && ipt_merge_get_hex (o, "end", &item.b) &&
             ipt_merge_get_count (o, "insns", &item.extra);
      if (!ok)
        {
          g_autofree char *what = g_strdup_printf ("%s %u: not an object of the fields of "
                                                   "docs/coverage.md", edges ? "edge" : "block",
                                                   i);
          return ipt_merge_bad_json (error, path, what);
        }
      add_item (table, &item);
    }
  return TRUE;
}

static GPtrArray *
sorted_items (GHashTable *table)
{
  GPtrArray *items = table_items (table, FALSE);

  g_ptr_array_sort (items, item_compare);
  return items;
}

/* The layout of ipt_coverage_write_blocks()'s JSON, byte for byte. */
static void
put_blocks_json (GString *out, gboolean has_cr3, GPtrArray *blocks, GPtrArray *edges)
{
  g_string_append_printf (out, "{\"format\":\"ipt-coverage\",\"version\":1,\"has_cr3\":%s,"
                          "\n\"blocks\":[", has_cr3 ? "true" : "false");
  for (guint i = 0; i < blocks->len; i++)
    {
      const Item *b = g_ptr_array_index (blocks, i);

      g_string_append_printf (out, "%s\n{\"start\":\"0x%" G_GINT64_MODIFIER "x\",\"end\":\"0x%"
                              G_GINT64_MODIFIER "x\",\"insns\":%" G_GUINT64_FORMAT ",\"count\":%"
                              G_GUINT64_FORMAT, i > 0 ? "," : "", b->a, b->b, b->extra, b->count);
      if (has_cr3)
        g_string_append_printf (out, ",\"cr3\":\"0x%" G_GINT64_MODIFIER "x\"", b->cr3);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\n\"edges\":[");
  for (guint i = 0; i < edges->len; i++)
    {
      const Item *e = g_ptr_array_index (edges, i);

      g_string_append_printf (out, "%s\n{\"from\":\"0x%" G_GINT64_MODIFIER "x\",\"to\":\"0x%"
                              G_GINT64_MODIFIER "x\",\"count\":%" G_GUINT64_FORMAT
                              ",\"conditional\":%s,\"exit\":%s", i > 0 ? "," : "", e->a, e->b,
                              e->count, (e->extra & EDGE_CONDITIONAL) ? "true" : "false",
                              (e->extra & EDGE_EXIT) ? "true" : "false");
      if (has_cr3)
        g_string_append_printf (out, ",\"cr3\":\"0x%" G_GINT64_MODIFIER "x\"", e->cr3);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}\n");
}

static gboolean
merge_blocks_json (char **inputs, GString *out, GError **error)
{
  g_autoptr(GHashTable) blocks = g_hash_table_new_full (item_hash, item_equal, g_free, NULL);
  g_autoptr(GHashTable) edges = g_hash_table_new_full (item_hash, item_equal, g_free, NULL);
  g_autoptr(GPtrArray) sorted_blocks = NULL, sorted_edges = NULL;
  gboolean any_cr3 = FALSE;

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonObject *top = ipt_merge_load_object (parser, inputs[i], "ipt-coverage", error);
      gboolean has_cr3;

      if (top == NULL)
        return FALSE;
      has_cr3 = json_object_get_boolean_member_with_default (top, "has_cr3", FALSE);
      any_cr3 |= has_cr3;
      if (!read_items (inputs[i], top, has_cr3, FALSE, blocks, error) ||
          !read_items (inputs[i], top, has_cr3, TRUE, edges, error))
        return FALSE;
    }
  sorted_blocks = sorted_items (blocks);
  sorted_edges = sorted_items (edges);
  put_blocks_json (out, any_cr3, sorted_blocks, sorted_edges);
  return TRUE;
}

/* --- stat-json -------------------------------------------------------- */

typedef struct {
  guint rank;                   /* the order --stat --json prints them in */
  char *kind;
  gint64 code;
  char *message;
  guint64 count;
} ErrorCount;

static void
error_count_free (gpointer data)
{
  ErrorCount *e = data;

  g_free (e->kind);
  g_free (e->message);
  g_free (e);
}

static guint
error_kind_rank (const char *label)
{
  for (guint k = IPT_DECODE_ERROR_SYNC; k <= IPT_DECODE_ERROR_RECONSTRUCT; k++)
    if (g_str_equal (label, ipt_decode_error_kind_get_label ((IptDecodeErrorKind) k)))
      return k;
  return IPT_DECODE_ERROR_RECONSTRUCT + 1;
}

static gint
error_count_compare (gconstpointer x, gconstpointer y)
{
  const ErrorCount *a = *(ErrorCount * const *) x, *b = *(ErrorCount * const *) y;

  if (a->rank != b->rank)
    return a->rank < b->rank ? -1 : 1;
  if (a->code != b->code)
    return a->code > b->code ? -1 : 1;      /* -1, -2, ...: as printed */
  return strcmp (a->kind, b->kind);
}

static guint
event_rank (const char *label)
{
  for (guint k = IPT_EVENT_KIND_ENABLED; k <= IPT_EVENT_KIND_OTHER; k++)
    if (g_str_equal (label, ipt_event_kind_get_label ((IptEventKind) k)))
      return k;
  return IPT_EVENT_KIND_OTHER + 1;
}

static gint
event_compare (gconstpointer x, gconstpointer y)
{
  const char *a = *(const char * const *) x, *b = *(const char * const *) y;
  guint ra = event_rank (a), rb = event_rank (b);

  return ra != rb ? (ra < rb ? -1 : 1) : strcmp (a, b);
}

typedef struct {
  char *decoder;
  guint64 insns, blocks, errors, events;
  GPtrArray *error_codes;       /* ErrorCount */
  GHashTable *event_kinds;      /* label -> guint64 * */
} StatSum;

static gboolean
add_stat_file (StatSum *sum, const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *top = ipt_merge_load_object (parser, path, IPT_STAT_JSON_FORMAT, error);
  const char *decoder;
  JsonArray *codes;
  JsonObject *events;

  if (top == NULL)
    return FALSE;
  decoder = json_object_get_string_member_with_default (top, "decoder", "");
  if (sum->decoder == NULL)
    sum->decoder = g_strdup (decoder);
  else if (!g_str_equal (sum->decoder, decoder))
    {
      g_autofree char *what = g_strdup_printf ("decoded with the %s decoder, the files before "
                                               "with the %s decoder: their counts differ",
                                               decoder, sum->decoder);
      return ipt_merge_bad_json (error, path, what);
    }
  if (!ipt_merge_add_count (top, "insns", &sum->insns, path, error) ||
      (g_str_equal (decoder, "block") && !ipt_merge_add_count (top, "blocks", &sum->blocks, path, error)) ||
      !ipt_merge_add_count (top, "errors", &sum->errors, path, error) ||
      !ipt_merge_add_count (top, "events", &sum->events, path, error))
    return FALSE;

  codes = ipt_merge_get_array (top, "error_codes");
  events = ipt_merge_get_object (top, "event_kinds");
  if (codes == NULL || events == NULL)
    return ipt_merge_bad_json (error, path, "no \"error_codes\" array or \"event_kinds\" object");
  for (guint i = 0; i < json_array_get_length (codes); i++)
    {
      JsonNode *node = json_array_get_element (codes, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *kind = o != NULL ? json_object_get_string_member_with_default (o, "kind", NULL)
                                   : NULL;
      gint64 code = o != NULL ? json_object_get_int_member_with_default (o, "code", 0) : 0;
      guint64 count = 0;
      ErrorCount *known = NULL;

      if (kind == NULL || code >= 0 || !ipt_merge_get_count (o, "count", &count))
        return ipt_merge_bad_json (error, path, "an \"error_codes\" entry without kind, code or count");
      for (guint k = 0; k < sum->error_codes->len && known == NULL; k++)
        {
          ErrorCount *e = g_ptr_array_index (sum->error_codes, k);

          if (e->code == code && g_str_equal (e->kind, kind))
            known = e;
        }
      if (known == NULL)
        {
          known = g_new0 (ErrorCount, 1);
          known->rank = error_kind_rank (kind);
          known->kind = g_strdup (kind);
          known->code = code;
          known->message = g_strdup (json_object_get_string_member_with_default (o, "message",
                                                                                   ""));
          g_ptr_array_add (sum->error_codes, known);
        }
      known->count += count;
    }
  {
    g_autoptr(GList) names = json_object_get_members (events);

    for (GList *l = names; l != NULL; l = l->next)
      {
        guint64 *known = g_hash_table_lookup (sum->event_kinds, l->data);
        guint64 count;

        if (!ipt_merge_get_count (events, l->data, &count))
          return ipt_merge_bad_json (error, path, "an \"event_kinds\" member that is no count");
        if (known == NULL)
          {
            known = g_new0 (guint64, 1);
            g_hash_table_insert (sum->event_kinds, g_strdup (l->data), known);
          }
        *known += count;
      }
  }
  return TRUE;
}

static void
set_int (JsonBuilder *builder, const char *name, guint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) value);
}

static gboolean
merge_stat_json (char **inputs, GString *out, GError **error)
{
  StatSum sum = { 0, };
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text = NULL;
  gboolean ok = TRUE;

  sum.error_codes = g_ptr_array_new_with_free_func (error_count_free);
  sum.event_kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; inputs[i] != NULL && ok; i++)
    ok = add_stat_file (&sum, inputs[i], error);
  if (ok)
    {
      builder = ipt_stat_json_begin (g_str_equal (sum.decoder, "block") ? IPT_DECODER_KIND_BLOCK
                                                                        : IPT_DECODER_KIND_INSN);
      set_int (builder, "insns", sum.insns);
      if (g_str_equal (sum.decoder, "block"))
        set_int (builder, "blocks", sum.blocks);
      set_int (builder, "errors", sum.errors);
      json_builder_set_member_name (builder, "error_codes");
      json_builder_begin_array (builder);
      g_ptr_array_sort (sum.error_codes, error_count_compare);
      for (guint i = 0; i < sum.error_codes->len; i++)
        {
          const ErrorCount *e = g_ptr_array_index (sum.error_codes, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, e->kind);
          set_int (builder, "code", (guint64) e->code);
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, e->message);
          set_int (builder, "count", e->count);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      set_int (builder, "events", sum.events);
      json_builder_set_member_name (builder, "event_kinds");
      json_builder_begin_object (builder);
      events = table_items (sum.event_kinds, TRUE);
      g_ptr_array_sort (events, event_compare);
      for (guint i = 0; i < events->len; i++)
        set_int (builder, g_ptr_array_index (events, i),
                 *(guint64 *) g_hash_table_lookup (sum.event_kinds, g_ptr_array_index (events, i)));
      json_builder_end_object (builder);
      text = ipt_stat_json_end (builder);
      g_string_append (out, text);
    }
  g_free (sum.decoder);
  g_ptr_array_unref (sum.error_codes);
  g_hash_table_unref (sum.event_kinds);
  return ok;
}

/* --- the command ------------------------------------------------------ */

static gboolean
write_result (const char *path, const GString *data, GError **error)
{
  if (g_str_equal (path, "-"))
    {
      if (fwrite (data->str, 1, data->len, stdout) != data->len || fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "cannot write to standard output");
          return FALSE;
        }
      return TRUE;
    }
  {
    g_autoptr(GOutputStream) stream = NULL;
    g_autoptr(GError) local = NULL;

    stream = ipt_tool_open_output (path, &local);
    if (stream == NULL || !g_output_stream_write_all (stream, data->str, data->len, NULL, NULL,
                                                      &local) ||
        !g_output_stream_close (stream, NULL, &local))
      {
        g_autofree char *display = g_filename_display_name (path);

        g_set_error (error, G_IO_ERROR, local->code, "cannot write '%s': %s", display,
                     local->message);
        return FALSE;
      }
    return TRUE;
  }
}

int
ipt_analyze_merge (int argc, char **argv)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *kind = NULL;
  const char *colon;
  gboolean ok;

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      fputs (USAGE, stdout);
      return IPT_ANALYZE_EXIT_OK;
    }
  if (argc < 3)
    return usage_error ("expected KIND:OUTPUT and at least one INPUT");
  colon = strchr (argv[1], ':');
  if (colon == NULL || colon[1] == '\0')
    return usage_error ("'%s': expected KIND:OUTPUT", argv[1]);
  kind = g_strndup (argv[1], (gsize) (colon - argv[1]));
  for (int i = 2; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return usage_error ("unknown option '%s'", argv[i]);

  if (g_str_equal (kind, "afl"))
    ok = merge_afl (argv + 2, out, &error);
  else if (g_str_equal (kind, "blocks-json"))
    ok = merge_blocks_json (argv + 2, out, &error);
  else if (g_str_equal (kind, "stat-json"))
    ok = merge_stat_json (argv + 2, out, &error);
  else if (g_str_equal (kind, "calls-json"))
    ok = ipt_analyze_merge_calls_json (argv + 2, out, &error);
  else
    return usage_error ("unknown kind '%s' (expected afl, blocks-json, stat-json or calls-json)", kind);
  if (!ok)
    {
      ipt_tool_error ("merge: %s", error->message);
      return IPT_ANALYZE_EXIT_FAILURE;
    }
  if (!write_result (colon + 1, out, &error))
    {
      ipt_tool_error ("merge: %s", error->message);
      return IPT_ANALYZE_EXIT_FAILURE;
    }
  return IPT_ANALYZE_EXIT_OK;
}
