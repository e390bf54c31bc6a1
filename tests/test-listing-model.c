/* test-listing-model.c: IptListingModel against the real ipt-analyze. Every
 * row's line equals the line the CLI prints, on the demo (both decoders,
 * with the symbols the CLI uses), on the demo repeated (a trace with a
 * checkpoint per copy), and on a demo whose trace was damaged (decode
 * errors are rows); rows in random order equal rows in order; async
 * indexing (progress to 1, one items-changed) and its cancellation; find
 * by address and by text against a scan of the CLI's lines. With --corpus
 * (corpus suite): every row of the corpus's mruby trace against the CLI,
 * and random windows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-support.h"

#define MRUBY_BASE 0x400000

/* A model's trace, as files the CLI reads too, and its memory. */
typedef struct {
  char *trace_path;
  char **memory_args;          /* ipt-analyze's options for the memory */
  IptImage *image;
  IptDecoderKind kind;
} Setup;

static char *scratch;

static void
setup_clear (Setup *setup)
{
  g_free (setup->trace_path);
  g_strfreev (setup->memory_args);
  g_clear_object (&setup->image);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Setup, setup_clear)

static IptImage *
image_from_spec (const char *spec)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  IptImage *image;

  ipt_plugin_registry_scan_default_path (registry);
  provider = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  image = ipt_image_new (spec);
  ipt_image_add_provider (image, provider);
  return image;
}

static char *
demo_file (const char *name)
{
  return g_build_filename (test_env_path ("IPT_DEMO_DIR"), name, NULL);
}

/* The demo's memory: its core and program, as the README decodes it. */
static void
setup_demo (Setup *setup, const char *trace_path, IptDecoderKind kind)
{
  g_autofree char *core = demo_file ("core");
  g_autofree char *spec = g_strdup_printf ("coredump:core=%s,search-path=%s", core,
                                           test_env_path ("IPT_DEMO_DIR"));
  const char *args[] = { "--plugin", spec, NULL };

  setup->trace_path = g_strdup (trace_path);
  setup->memory_args = g_strdupv ((char **) args);
  setup->image = image_from_spec (spec);
  setup->kind = kind;
}

/* A model over @setup with the CLI's symbols, indexed synchronously. */
static IptListingModel *
model_new (const Setup *setup, guint spacing)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (setup->image, setup->kind);
  g_autoptr(IptSymbolResolver) symbols =
    ipt_symbol_resolver_new_for_model (ipt_image_get_providers (setup->image));
  g_autoptr(GError) error = NULL;
  IptListingModel *model = ipt_listing_model_new_for_file (decoder, setup->trace_path, &error);

  g_assert_no_error (error);
  g_object_set (model, "checkpoint-spacing", spacing, NULL);
  ipt_listing_model_set_symbols (model, symbols);
  return model;
}

static void
index_model (IptListingModel *model)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_listing_model_index (model, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ipt_listing_model_is_indexed (model));
}

/* ipt-analyze over @setup (the CLI's default listing), started with its
 * standard output as a stream of lines: the corpus's listings are
 * hundreds of MB. */
static GSubprocess *
cli_start (const Setup *setup, GDataInputStream **lines)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) test_env_path ("IPT_ANALYZE"));
  g_ptr_array_add (argv, "--pt");
  g_ptr_array_add (argv, setup->trace_path);
  if (setup->kind == IPT_DECODER_KIND_INSN)
    g_ptr_array_add (argv, "--insn-decoder");
  for (guint i = 0; setup->memory_args[i] != NULL; i++)
    g_ptr_array_add (argv, setup->memory_args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  *lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (*lines), 1 << 20);
  return process;
}

static void
cli_finish (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

/* The CLI's lines, all in memory (for the demo's few hundred thousand). */
static GPtrArray *
cli_lines (const Setup *setup)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  char *line;

  process = cli_start (setup, &stream);
  while ((line = g_data_input_stream_read_line (stream, NULL, NULL, NULL)) != NULL)
    g_ptr_array_add (lines, line);
  cli_finish (process);
  return lines;
}

static char *
row_line (IptListingModel *model, guint position)
{
  g_autoptr(IptListingRow) row = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (row);
  g_assert_cmpuint (ipt_listing_row_get_position (row), ==, position);
  return ipt_listing_row_to_line (row);
}

/* Every row of @model, in order, against the CLI's lines as they come. */
static void
assert_rows_equal_cli (IptListingModel *model, const Setup *setup)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  guint64 n_insns = 0;
  guint position = 0;
  char *line;

  process = cli_start (setup, &stream);
  while ((line = g_data_input_stream_read_line (stream, NULL, NULL, NULL)) != NULL)
    {
      g_autofree char *expected = line;
      g_autofree char *got = NULL;

      if (position >= n)
        g_error ("the CLI lists more than the model's %u rows: %s", n, expected);
      got = row_line (model, position);
      if (strcmp (got, expected) != 0)
        g_error ("row %u: model '%s', CLI '%s'", position, got, expected);
      n_insns += expected[0] != '[' && strncmp (expected, "could not", 9) != 0;
      position++;
    }
  cli_finish (process);
  g_assert_cmpuint (position, ==, n);
  g_assert_cmpuint (ipt_listing_model_get_n_insns (model), ==, n_insns);
}

/* The CLI's lines at @positions (sorted), from its output as it comes:
 * position -> line. */
static GHashTable *
cli_lines_at (const Setup *setup, GArray *positions)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  GHashTable *lines = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  guint position = 0, next = 0;
  char *line;

  process = cli_start (setup, &stream);
  while ((line = g_data_input_stream_read_line (stream, NULL, NULL, NULL)) != NULL)
    {
      if (next < positions->len && g_array_index (positions, guint, next) == position)
        {
          g_hash_table_insert (lines, GUINT_TO_POINTER (position), line);
          while (next < positions->len && g_array_index (positions, guint, next) == position)
            next++;
        }
      else
        g_free (line);
      position++;
    }
  cli_finish (process);
  g_assert_cmpuint (next, ==, positions->len);
  return lines;
}

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* 50-row windows at @n_probes random positions of @models (all over the
 * same trace), in random order, against the CLI's lines there. */
static void
assert_random_windows (IptListingModel **models, guint n_models, const Setup *setup,
                       guint n_probes, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) lines = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (models[0]));

  for (guint i = 0; i < n_probes; i++)
    {
      guint at = g_rand_int_range (rand, 0, (gint32) n);

      g_array_append_val (starts, at);
      for (guint k = at; k < n && k < at + 50; k++)
        g_array_append_val (positions, k);
    }
  g_array_sort (positions, compare_uint);
  lines = cli_lines_at (setup, positions);
  for (guint m = 0; m < n_models; m++)
    {
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (models[m])), ==, n);
      for (guint i = 0; i < starts->len; i++)
        {
          guint at = g_array_index (starts, guint, i);

          for (guint k = at; k < n && k < at + 50; k++)
            {
              g_autofree char *got = row_line (models[m], k);

              g_assert_cmpstr (got, ==, g_hash_table_lookup (lines, GUINT_TO_POINTER (k)));
            }
        }
    }
}

/* @copies of the demo's trace back to back, in the scratch directory. */
static char *
demo_repeated (guint copies)
{
  g_autofree char *path = demo_file ("trace.pt");
  g_autofree char *data = NULL;
  g_autoptr(GString) repeated = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("demo-x%u.pt", copies);
  char *out = g_build_filename (scratch, name, NULL);
  gsize size;

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  for (guint i = 0; i < copies; i++)
    g_string_append_len (repeated, data, (gssize) size);
  g_assert_true (g_file_set_contents (out, repeated->str, (gssize) repeated->len, &error));
  g_assert_no_error (error);
  return out;
}

/* ---- the demo ---- */

static void
test_demo_rows (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autofree char *trace = demo_file ("trace.pt");
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;

  setup_demo (&setup, trace, kind);
  model = model_new (&setup, 1024);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));
  index_model (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >, 20423);
  assert_rows_equal_cli (model, &setup);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model),
                                        g_list_model_get_n_items (G_LIST_MODEL (model))));
}

/* Copies of the demo: a PSB at each copy's start that a decode can start
 * at, so rows come from many checkpoints. */
static void
test_demo_repeated (void)
{
  g_autofree char *trace = demo_repeated (8);
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  guint n;

  setup_demo (&setup, trace, IPT_DECODER_KIND_BLOCK);
  model = model_new (&setup, 1024);
  index_model (model);
  g_assert_cmpuint (ipt_listing_model_get_n_checkpoints (model), >=, 8);
  lines = cli_lines (&setup);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, ==, lines->len);

  /* rows in random order (windows decoded again and again from their
   * checkpoints, the cache of windows evicted all the time) */
  for (guint i = 0; i < 3000; i++)
    {
      guint position = g_rand_int_range (rand, 0, (gint32) n);
      g_autofree char *got = row_line (model, position);

      if (strcmp (got, g_ptr_array_index (lines, position)) != 0)
        g_error ("row %u: model '%s', CLI '%s'", position, got,
                 (char *) g_ptr_array_index (lines, position));
    }
  /* and in order, from the last to the first */
  for (guint i = n; i-- > 0;)
    {
      g_autofree char *got = row_line (model, i);

      g_assert_cmpstr (got, ==, g_ptr_array_index (lines, i));
    }
}

/* The rows' columns agree with their lines. */
static void
test_demo_columns (void)
{
  g_autofree char *trace = demo_file ("trace.pt");
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;
  guint n, kinds[3] = { 0, 0, 0 }, named = 0;

  setup_demo (&setup, trace, IPT_DECODER_KIND_BLOCK);
  model = model_new (&setup, 1024);
  index_model (model);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IptListingRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      const char *line = ipt_listing_row_get_line (row);
      const char *symbol = ipt_listing_row_get_symbol (row);

      kinds[ipt_listing_row_get_kind (row)]++;
      if (ipt_listing_row_get_kind (row) != IPT_LISTING_ROW_INSN)
        {
          g_assert_cmpstr (ipt_listing_row_get_text (row), ==, line);
          g_assert_true (line[0] == '[');
          continue;
        }
      {
        g_autofree char *address = g_strdup_printf ("%016" G_GINT64_MODIFIER "x",
                                                    ipt_listing_row_get_address (row));

        g_assert_true (g_str_has_prefix (line, address));
        g_assert_true (g_str_has_suffix (line, ipt_listing_row_get_text (row)));
        g_assert_cmpstr (ipt_listing_row_get_text (row), !=, "");
      }
      if (symbol != NULL)
        {
          g_autofree char *named_as = ipt_listing_row_get_symbol_offset (row) == 0
            ? g_strdup_printf (" <%s>", symbol)
            : g_strdup_printf (" <%s+0x%" G_GINT64_MODIFIER "x>", symbol,
                               ipt_listing_row_get_symbol_offset (row));

        g_assert_nonnull (strstr (line, named_as));
        named++;
      }
    }
  g_assert_cmpuint (kinds[IPT_LISTING_ROW_INSN], ==, ipt_listing_model_get_n_insns (model));
  g_assert_cmpuint (kinds[IPT_LISTING_ROW_INSN], ==, 20423);
  g_assert_cmpuint (kinds[IPT_LISTING_ROW_EVENT], >, 0);
  g_assert_cmpuint (kinds[IPT_LISTING_ROW_ERROR], ==, 0);
  g_assert_cmpuint (named, >, 20000);
}

/* A damaged trace: bytes overwritten in the middle make decode errors,
 * which are rows like the CLI's error lines; the model still indexes. */
static void
test_decode_errors (void)
{
  g_autofree char *path = demo_file ("trace.pt");
  g_autofree char *damaged = g_build_filename (scratch, "damaged.pt", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;
  guint n, n_errors = 0;
  gsize size;

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  g_assert_cmpuint (size, >, 2400);
  memset (data + 1200, 0x55, 64);
  memset (data + 2200, 0xd9, 32);
  g_assert_true (g_file_set_contents (damaged, data, (gssize) size, &error));
  setup_demo (&setup, damaged, IPT_DECODER_KIND_BLOCK);
  model = model_new (&setup, 256);
  index_model (model);
  assert_rows_equal_cli (model, &setup);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IptListingRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      if (ipt_listing_row_get_kind (row) == IPT_LISTING_ROW_ERROR)
        {
          g_assert_true (strstr (ipt_listing_row_get_line (row), "error") != NULL);
          n_errors++;
        }
    }
  g_assert_cmpuint (n_errors, >, 0);
}

static void
test_empty_trace (void)
{
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(IptListingModel) model = NULL;
  g_autoptr(GError) error = NULL;

  setup_demo (&setup, "unused", IPT_DECODER_KIND_BLOCK);
  decoder = ipt_decoder_new (setup.image, IPT_DECODER_KIND_BLOCK);
  model = ipt_listing_model_new (decoder, empty, "empty.pt");
  g_assert_false (ipt_listing_model_index (model, NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "empty.pt"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_false (ipt_listing_model_is_indexed (model));
}

/* ---- async, progress, cancel ---- */

typedef struct {
  GMainLoop *loop;
  gboolean done;
  gboolean ok;
  GError *error;
  GArray *progress;            /* gdouble */
  GArray *changes;             /* guint triples */
  GCancellable *cancel_at_progress;
} AsyncRun;

static void
on_progress (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  AsyncRun *run = user_data;
  gdouble progress = ipt_listing_model_get_progress (IPT_LISTING_MODEL (object));

  g_array_append_val (run->progress, progress);
  if (run->cancel_at_progress != NULL && progress > 0 && progress < 1)
    g_cancellable_cancel (run->cancel_at_progress);
}

static void
on_items_changed (GListModel *list, guint position, guint removed, guint added,
                  gpointer user_data)
{
  AsyncRun *run = user_data;
  guint triple[3] = { position, removed, added };

  g_array_append_vals (run->changes, triple, 3);
}

static void
on_indexed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncRun *run = user_data;

  run->ok = ipt_listing_model_index_finish (IPT_LISTING_MODEL (source), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

static void
async_run_init (AsyncRun *run, IptListingModel *model)
{
  memset (run, 0, sizeof *run);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->progress = g_array_new (FALSE, FALSE, sizeof (gdouble));
  run->changes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (model, "notify::progress", G_CALLBACK (on_progress), run);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), run);
}

static void
async_run_clear (AsyncRun *run, IptListingModel *model)
{
  g_signal_handlers_disconnect_by_data (model, run);
  g_main_loop_unref (run->loop);
  g_array_unref (run->progress);
  g_array_unref (run->changes);
  g_clear_error (&run->error);
}

static void
test_async (void)
{
  g_autofree char *trace = demo_repeated (40);
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;
  AsyncRun run;
  guint n;

  setup_demo (&setup, trace, IPT_DECODER_KIND_BLOCK);
  model = model_new (&setup, 4096);
  async_run_init (&run, model);
  ipt_listing_model_index_async (model, NULL, on_indexed, &run);
  /* a second index while the first runs is refused */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (ipt_listing_model_index (model, NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_FAILED);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_main_loop_run (run.loop);
  g_assert_true (run.done);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, >, 40 * 20423);
  /* one items-changed: from nothing to every row, before the callback */
  g_assert_cmpuint (run.changes->len, ==, 3);
  g_assert_cmpuint (g_array_index (run.changes, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (run.changes, guint, 1), ==, 0);
  g_assert_cmpuint (g_array_index (run.changes, guint, 2), ==, n);
  /* progress rises to 1 */
  g_assert_cmpuint (run.progress->len, >, 0);
  for (guint i = 1; i < run.progress->len; i++)
    g_assert_cmpfloat (g_array_index (run.progress, gdouble, i), >=,
                       g_array_index (run.progress, gdouble, i - 1));
  g_assert_cmpfloat (g_array_index (run.progress, gdouble, run.progress->len - 1), ==, 1.0);
  g_assert_cmpfloat (ipt_listing_model_get_progress (model), ==, 1.0);
  async_run_clear (&run, model);

  /* indexed: another index completes at once, nothing changes */
  async_run_init (&run, model);
  ipt_listing_model_index_async (model, NULL, on_indexed, &run);
  g_main_loop_run (run.loop);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.changes->len, ==, 0);
  async_run_clear (&run, model);
}

/* Cancelled before it starts and in the middle (at its first progress):
 * G_IO_ERROR_CANCELLED, the model stays empty, and can be indexed later. */
static void
test_cancel (void)
{
  g_autofree char *trace = demo_repeated (300);
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  AsyncRun run;

  setup_demo (&setup, trace, IPT_DECODER_KIND_BLOCK);
  model = model_new (&setup, 16384);

  g_cancellable_cancel (cancellable);
  async_run_init (&run, model);
  ipt_listing_model_index_async (model, cancellable, on_indexed, &run);
  g_main_loop_run (run.loop);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (run.ok);
  g_assert_cmpuint (run.changes->len, ==, 0);
  async_run_clear (&run, model);

  g_cancellable_reset (cancellable);
  async_run_init (&run, model);
  run.cancel_at_progress = cancellable;
  ipt_listing_model_index_async (model, cancellable, on_indexed, &run);
  g_main_loop_run (run.loop);
  g_assert_cmpuint (run.progress->len, >, 0);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (run.changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_false (ipt_listing_model_is_indexed (model));
  g_assert_cmpfloat (ipt_listing_model_get_progress (model), ==, 0.0);
  async_run_clear (&run, model);

  /* the sync index, cancelled the same way */
  g_cancellable_reset (cancellable);
  async_run_init (&run, model);
  run.cancel_at_progress = cancellable;
  g_assert_false (ipt_listing_model_index (model, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (run.progress->len, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  async_run_clear (&run, model);

  g_clear_error (&error);
  index_model (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >, 300 * 20423);
}

/* ---- search ---- */

static gboolean
line_has_address (const char *line, guint64 address)
{
  g_autofree char *prefix = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", address);

  return g_str_has_prefix (line, prefix);
}

typedef struct {
  GMainLoop *loop;
  gboolean found;
  guint position;
  GError *error;
} FindRun;

static void
on_found (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FindRun *run = user_data;

  run->found = ipt_listing_model_find_finish (IPT_LISTING_MODEL (source), result,
                                              &run->position, &run->error);
  g_main_loop_quit (run->loop);
}

static void
test_find (void)
{
  g_autofree char *trace = demo_repeated (3);
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  const char *needles[] = { "syscall", "<main", "[disabled]", "call", "no such text", NULL };
  guint n, position;

  setup_demo (&setup, trace, IPT_DECODER_KIND_BLOCK);
  model = model_new (&setup, 1024);
  /* not indexed: nothing to find, no error */
  g_assert_false (ipt_listing_model_find_text (model, "call", 0, FALSE, NULL, &position, &error));
  g_assert_no_error (error);
  index_model (model);
  lines = cli_lines (&setup);
  n = lines->len;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);

  for (guint k = 0; needles[k] != NULL; k++)
    for (guint from = 0; from < n; from += n / 7)
      for (int backward = 0; backward <= 1; backward++)
        {
          gint64 expected = -1;
          gboolean found;

          for (gint64 i = from; i >= 0 && i < n; i += backward ? -1 : 1)
            if (strstr (g_ptr_array_index (lines, i), needles[k]) != NULL)
              {
                expected = i;
                break;
              }
          found = ipt_listing_model_find_text (model, needles[k], from, backward, NULL,
                                               &position, &error);
          g_assert_no_error (error);
          g_assert_cmpint (found, ==, expected >= 0);
          if (found)
            g_assert_cmpuint (position, ==, expected);
        }

  /* addresses: the last row's, the 1000th instruction's */
  {
    guint64 addresses[] = { 0, 0x1234 };

    for (guint i = n; i-- > 0 && addresses[0] == 0;)
      if (((char *) g_ptr_array_index (lines, i))[0] != '[')
        addresses[0] = g_ascii_strtoull (g_ptr_array_index (lines, i), NULL, 16);
    for (guint a = 0; a < G_N_ELEMENTS (addresses); a++)
      for (guint from = 0; from < n; from += n / 5)
        for (int backward = 0; backward <= 1; backward++)
          {
            gint64 expected = -1;
            gboolean found;

            for (gint64 i = from; i >= 0 && i < n; i += backward ? -1 : 1)
              if (line_has_address (g_ptr_array_index (lines, i), addresses[a]))
                {
                  expected = i;
                  break;
                }
            found = ipt_listing_model_find_address (model, addresses[a], from, backward, NULL,
                                                    &position, &error);
            g_assert_no_error (error);
            g_assert_cmpint (found, ==, expected >= 0);
            if (found)
              g_assert_cmpuint (position, ==, expected);
          }
  }

  /* in a thread: the same answers, on this main context */
  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    FindRun run = { loop, 0, };

    ipt_listing_model_find_text_async (model, "syscall", n - 1, TRUE, NULL, on_found, &run);
    g_main_loop_run (loop);
    g_assert_no_error (run.error);
    g_assert_true (ipt_listing_model_find_text (model, "syscall", n - 1, TRUE, NULL, &position,
                                                &error));
    g_assert_true (run.found);
    g_assert_cmpuint (run.position, ==, position);

    ipt_listing_model_find_address_async (model, 0x1234, 0, FALSE, NULL, on_found, &run);
    g_main_loop_run (loop);
    g_assert_no_error (run.error);
    g_assert_false (run.found);

    g_cancellable_cancel (cancelled);
    ipt_listing_model_find_text_async (model, "no such text", 0, FALSE, cancelled, on_found, &run);
    g_main_loop_run (loop);
    g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (run.found);
    g_clear_error (&run.error);
  }

  /* cancelled: an error, not "not found" */
  g_cancellable_cancel (cancelled);
  g_assert_false (ipt_listing_model_find_text (model, "no such text", 0, FALSE, cancelled,
                                               &position, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- the corpus ---- */

static void
setup_mruby (Setup *setup)
{
  const char *dir = test_env_path ("IPT_CORPUS_DIR");
  g_autofree char *image = g_build_filename (dir, "mruby", "image.bin", NULL);
  g_autofree char *raw = g_strdup_printf ("%s:0x%x", image, MRUBY_BASE);
  g_autofree char *spec = g_strdup_printf ("raw:file=%s,base=0x%x", image, MRUBY_BASE);
  const char *args[] = { "--raw", raw, NULL };

  setup->trace_path = g_build_filename (dir, "mruby", "trace.pt", NULL);
  setup->memory_args = g_strdupv ((char **) args);
  setup->image = image_from_spec (spec);
  setup->kind = IPT_DECODER_KIND_BLOCK;
}

static void
test_corpus_mruby (void)
{
  g_auto(Setup) setup = { 0, };
  g_autoptr(IptListingModel) model = NULL;

  setup_mruby (&setup);
  model = model_new (&setup, 16384);
  index_model (model);
  /* MANIFEST.md: 6,334,131 instructions, no errors */
  g_assert_cmpuint (ipt_listing_model_get_n_insns (model), ==, 6334131);
  g_assert_cmpuint (ipt_listing_model_get_n_checkpoints (model), >, 50);
  assert_rows_equal_cli (model, &setup);
}

/* Random windows, the cache cold and warm, from a model with many
 * checkpoints and one with few. */
static void
test_corpus_mruby_random (void)
{
  g_auto(Setup) setup = { 0, };
  IptListingModel *models[2];

  setup_mruby (&setup);
  models[0] = model_new (&setup, 4096);
  models[1] = model_new (&setup, 200000);
  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    index_model (models[m]);
  g_assert_cmpuint (ipt_listing_model_get_n_checkpoints (models[0]), >,
                    ipt_listing_model_get_n_checkpoints (models[1]));
  assert_random_windows (models, G_N_ELEMENTS (models), &setup, 200, 7);
  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    g_object_unref (models[m]);
}

int
main (int argc, char **argv)
{
  gboolean corpus = FALSE;
  int status;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--corpus") == 0)
      corpus = TRUE;
  g_test_init (&argc, &argv, NULL);
  scratch = g_dir_make_tmp ("test-listing-model-XXXXXX", NULL);
  g_assert_nonnull (scratch);

  if (corpus)
    {
      g_test_add_func ("/listing-model/corpus/mruby/rows", test_corpus_mruby);
      g_test_add_func ("/listing-model/corpus/mruby/random-windows", test_corpus_mruby_random);
    }
  else
    {
      g_test_add_data_func ("/listing-model/demo/rows-equal-cli/block",
                            GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_demo_rows);
      g_test_add_data_func ("/listing-model/demo/rows-equal-cli/insn",
                            GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_demo_rows);
      g_test_add_func ("/listing-model/demo/columns", test_demo_columns);
      g_test_add_func ("/listing-model/repeated/random-order", test_demo_repeated);
      g_test_add_func ("/listing-model/errors/are-rows", test_decode_errors);
      g_test_add_func ("/listing-model/errors/empty-trace", test_empty_trace);
      g_test_add_func ("/listing-model/index/async", test_async);
      g_test_add_func ("/listing-model/index/cancel", test_cancel);
      g_test_add_func ("/listing-model/find", test_find);
    }
  status = g_test_run ();
  test_remove_tree (scratch);
  g_free (scratch);
  return status;
}
