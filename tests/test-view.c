/* test-view.c: the real ipt-view, under an X server (meson runs this
 * program under xvfb-run; without $DISPLAY it fails, it never skips), on
 * the demo (data/demo): what its widgets show, read back through its
 * hidden automation options, against what the real ipt-analyze prints for
 * the same command line — the listing's first rows, the call tree's main,
 * the regions table, the errors and their rows, go to —, a screenshot
 * PNG in the build tree, and the add-source forms built from the
 * plugins' options.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "test-support.h"

/* A dump (--dump-view): section name -> GPtrArray of rows, each a GStrv
 * of its cells. */
typedef GHashTable Dump;

static void
rows_free (gpointer data)
{
  g_ptr_array_unref (data);
}

static Dump *
parse_dump (const char *text)
{
  g_auto(GStrv) lines = test_split_lines (text);
  Dump *dump = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, rows_free);
  GPtrArray *rows = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      /* section headers are "[name]" lines without a tab; listing rows of
       * events have tabs before their "[...]" text */
      if (line[0] == '[' && strchr (line, '\t') == NULL)
        {
          rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
          g_hash_table_insert (dump, g_strndup (line + 1, strlen (line) - 2), rows);
        }
      else if (line[0] != '\0' && rows != NULL)
        g_ptr_array_add (rows, g_strsplit (line, "\t", -1));
    }
  return dump;
}

static GPtrArray *
section (Dump *dump, const char *name)
{
  GPtrArray *rows = g_hash_table_lookup (dump, name);

  if (rows == NULL)
    g_error ("the dump has no [%s] section", name);
  return rows;
}

static const char *
demo_path (const char *name)
{
  static GHashTable *paths;
  char *path;

  if (paths == NULL)
    paths = g_hash_table_new (g_str_hash, g_str_equal);
  path = g_hash_table_lookup (paths, name);
  if (path == NULL)
    {
      path = g_build_filename (test_env_path ("IPT_DEMO_DIR"), name, NULL);
      g_hash_table_insert (paths, (gpointer) name, path);
    }
  return path;
}

/* The demo's memory as the README decodes it. */
static char *
demo_plugin (void)
{
  return g_strdup_printf ("coredump:core=%s,search-path=%s", demo_path ("core"),
                          test_env_path ("IPT_DEMO_DIR"));
}

/* Runs ipt-view with @args (ipt-analyze's and the automation's) and
 * --dump-view; returns the dump. It must exit 0. */
static Dump *
run_view (const char *const *args, char **out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *dir = g_dir_make_tmp ("test-view-XXXXXX", NULL);
  g_autofree char *dump_file = g_build_filename (dir, "dump.txt", NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) argv = NULL;
  int status;

  g_assert_nonnull (g_getenv ("DISPLAY"));    /* meson runs the suite under xvfb-run */
  g_strv_builder_add (builder, test_env_path ("IPT_VIEW"));
  g_strv_builder_addv (builder, (const char **) args);
  g_strv_builder_add_many (builder, "--dump-view", dump_file, "--quit-when-loaded", NULL);
  argv = g_strv_builder_end (builder);
  status = test_spawn ((const char *const *) argv, out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_get_contents (dump_file, &text, NULL, NULL));
  test_remove_tree (dir);
  return parse_dump (text);
}

static char **
run_analyze_lines (const char *const *args)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (test_run_analyze (args, &out, NULL), ==, 0);
  return test_split_lines (out);
}

/* A listing row's cells (row, address, symbol, instruction) as the line
 * ipt-analyze prints for it. */
static char *
row_line (char **cells)
{
  g_assert_cmpuint (g_strv_length (cells), ==, 4);
  if (cells[1][0] == '\0')                    /* an event or an error */
    return g_strdup (cells[3]);
  if (cells[2][0] == '\0')
    return g_strdup_printf ("%s  %s", cells[1], cells[3]);
  return g_strdup_printf ("%s <%s>  %s", cells[1], cells[2], cells[3]);
}

/* The listing's visible rows are rows of ipt-analyze's listing, at their
 * positions; returns how many were checked. */
static guint
assert_listing_rows (GPtrArray *rows, char **cli)
{
  guint n_cli = g_strv_length (cli);

  for (guint i = 0; i < rows->len; i++)
    {
      char **cells = g_ptr_array_index (rows, i);
      guint64 position = g_ascii_strtoull (cells[0], NULL, 10);
      g_autofree char *line = row_line (cells);

      g_assert_cmpuint (position, <, n_cli);
      g_assert_cmpstr (line, ==, cli[position]);
    }
  return rows->len;
}

/* The regions table's rows are ipt-analyze --list-regions' lines
 * @regions, field by field, all of them. */
static void
assert_regions (GPtrArray *rows, char **regions)
{
  guint n_regions = 0;

  for (guint i = 0; regions[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *range = NULL;
      g_autofree char *cr3 = NULL;
      g_autofree char *vmcs = NULL;
      guint kept = 0;
      char **cells;

      if (regions[i][0] == '\0' || regions[i][0] == '#')
        continue;
      /* the columns, without the alignment's empty fields */
      fields = g_strsplit (regions[i], " ", -1);
      for (guint k = 0; fields[k] != NULL; k++)
        if (fields[k][0] != '\0')
          fields[kept++] = fields[k];
        else
          g_free (fields[k]);
      fields[kept] = NULL;
      g_assert_cmpuint (kept, >=, 9);
      g_assert_cmpuint (n_regions, <, rows->len);
      cells = g_ptr_array_index (rows, n_regions++);
      range = g_strdup_printf ("%s-%s", cells[0], cells[1]);
      cr3 = g_strconcat ("cr3=", cells[3], NULL);
      vmcs = g_strconcat ("vmcs=", cells[4], NULL);
      g_assert_cmpstr (range, ==, fields[0]);
      g_assert_cmpstr (cells[2], ==, fields[1]);
      g_assert_cmpstr (fields[2], ==, "bytes");
      g_assert_cmpstr (cr3, ==, fields[3]);
      g_assert_cmpstr (vmcs, ==, fields[4]);
      for (guint k = 5; k <= 8; k++)
        g_assert_cmpstr (cells[k], ==, fields[k]);
      /* timeless ranges: no "valid [...)" at the end of the line */
      if (fields[9] == NULL)
        g_assert_cmpstr (cells[9], ==, "always");
    }
  g_assert_cmpuint (n_regions, >, 0);
  g_assert_cmpuint (n_regions, ==, rows->len);
}

static void
test_demo (void)
{
  g_autofree char *plugin = demo_plugin ();
  g_autofree char *png = g_test_build_filename (G_TEST_BUILT, "ipt-view-demo.png", NULL);
  const char *const view_args[] = { "--pt", demo_path ("trace.pt"), "--plugin", plugin,
                                    "--screenshot", png, NULL };
  const char *const listing_args[] = { "--pt", demo_path ("trace.pt"), "--plugin", plugin, NULL };
  const char *const calls_args[] = { "--pt", demo_path ("trace.pt"), "--plugin", plugin,
                                     "--calls", NULL };
  const char *const regions_args[] = { "--plugin", plugin, "--list-regions", NULL };
  g_autoptr(GHashTable) dump = NULL;
  g_auto(GStrv) cli = run_analyze_lines (listing_args);
  g_auto(GStrv) calls = run_analyze_lines (calls_args);
  g_auto(GStrv) regions = run_analyze_lines (regions_args);
  g_autofree char *out = NULL;
  g_autofree char *main_return = NULL;
  g_autofree guint8 *png_data = NULL;
  GPtrArray *rows;
  gsize png_size = 0;
  gboolean saw_main = FALSE;

  g_remove (png);
  dump = run_view (view_args, &out);

  /* the listing: its first rows, from row 0, exactly ipt-analyze's */
  rows = section (dump, "listing");
  g_assert_cmpuint (rows->len, >=, 10);
  g_assert_cmpstr (((char **) g_ptr_array_index (rows, 0))[0], ==, "0");
  g_assert_cmpuint (assert_listing_rows (rows, cli), ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpuint (g_ascii_strtoull (((char **) g_ptr_array_index (rows, i))[0], NULL, 10), ==, i);

  /* the call tree shows main, with the counts of ipt-analyze --calls'
   * "return main ... insns N self M" */
  for (guint i = 0; calls[i] != NULL && main_return == NULL; i++)
    if (strstr (calls[i], "return main  to ") != NULL)
      main_return = g_strdup (strstr (calls[i], "insns "));
  g_assert_nonnull (main_return);
  rows = section (dump, "calls");
  for (guint i = 0; i < rows->len; i++)
    {
      char **cells = g_ptr_array_index (rows, i);
      g_autofree char *counts = NULL;

      if (!g_str_equal (cells[0], "main"))
        continue;
      saw_main = TRUE;
      counts = g_strdup_printf ("insns %s self %s", cells[3], cells[2]);
      g_assert_cmpstr (counts, ==, main_return);
      g_assert_cmpstr (cells[1], ==, "1");
    }
  g_assert_true (saw_main);

  /* the regions table: --list-regions' lines, field by field */
  assert_regions (section (dump, "regions"), regions);

  /* the screenshot: a PNG of the whole window */
  g_assert_nonnull (strstr (out, "ipt-view: screenshot: "));
  g_assert_true (g_file_get_contents (png, (char **) &png_data, &png_size, NULL));
  g_assert_cmpuint (png_size, >, 33);
  g_assert_cmpmem (png_data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (png_data + 12, 4, "IHDR", 4);
  /* width and height, big-endian, as the window's: several hundred pixels */
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (png_data + 16)), >=, 640);
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (png_data + 20)), >=, 400);
  g_test_message ("screenshot: %s (%" G_GSIZE_FORMAT " bytes)", png, png_size);
}

/* Go to a function, then search from there: the rows selected are
 * ipt-analyze's first line of main and its first call after it. */
static void
test_go_to_search (void)
{
  g_autofree char *plugin = demo_plugin ();
  const char *const listing_args[] = { "--pt", demo_path ("trace.pt"), "--plugin", plugin, NULL };
  const char *const go_to_args[] = { "--pt", demo_path ("trace.pt"), "--plugin", plugin,
                                     "--go-to", "main", NULL };
  const char *const search_args[] = { "--pt", demo_path ("trace.pt"), "--plugin", plugin,
                                      "--go-to", "main", "--search", "call 0x", NULL };
  g_auto(GStrv) cli = run_analyze_lines (listing_args);
  g_autoptr(GHashTable) go_to = run_view (go_to_args, NULL);
  g_autoptr(GHashTable) search = run_view (search_args, NULL);
  guint first_main = G_MAXUINT, first_call = G_MAXUINT;
  char **selected;
  g_autofree char *line = NULL;
  g_autofree char *search_line = NULL;

  for (guint i = 0; cli[i] != NULL && first_call == G_MAXUINT; i++)
    {
      if (first_main == G_MAXUINT && strstr (cli[i], " <main>  ") != NULL)
        first_main = i;
      else if (first_main != G_MAXUINT && strstr (cli[i], "call 0x") != NULL)
        first_call = i;
    }
  g_assert_cmpuint (first_call, !=, G_MAXUINT);

  selected = g_ptr_array_index (section (go_to, "selected"), 0);
  line = row_line (selected);
  g_assert_cmpuint (g_ascii_strtoull (selected[0], NULL, 10), ==, first_main);
  g_assert_cmpstr (line, ==, cli[first_main]);
  /* the row gone to is on screen */
  assert_listing_rows (section (go_to, "listing"), cli);
  g_assert_true (g_ptr_array_find_with_equal_func (section (go_to, "listing"), selected,
                                                   (GEqualFunc) g_strv_equal, NULL));

  selected = g_ptr_array_index (section (search, "selected"), 0);
  search_line = row_line (selected);
  g_assert_cmpuint (g_ascii_strtoull (selected[0], NULL, 10), ==, first_call);
  g_assert_cmpstr (search_line, ==, cli[first_call]);
}

/* Memory for only the first page of the demo's text: the decode errors
 * (libipt's "no memory mapped") are listed as ipt-analyze lists them, and
 * activating one shows its row. */
static void
test_errors (void)
{
  g_autofree char *raw = g_strdup_printf ("%s:0x1000-0x2000:0x401000", demo_path ("demo"));
  const char *const listing_args[] = { "--pt", demo_path ("trace.pt"), "--raw", raw, NULL };
  const char *const view_args[] = { "--pt", demo_path ("trace.pt"), "--raw", raw,
                                    "--activate-error", "2", NULL };
  g_auto(GStrv) cli = NULL;
  g_autoptr(GHashTable) dump = NULL;
  g_autoptr(GPtrArray) error_lines = g_ptr_array_new ();
  GPtrArray *errors;
  char **selected;
  guint n_cli;

  {
    g_autofree char *out = NULL;

    /* the decode is incomplete where memory is missing: exit 0 still (errors are rows) */
    test_run_analyze (listing_args, &out, NULL);
    cli = test_split_lines (out);
  }
  n_cli = g_strv_length (cli);
  for (guint i = 0; i < n_cli; i++)
    if (cli[i][0] == '[' && strstr (cli[i], ": error: ") != NULL)
      g_ptr_array_add (error_lines, GUINT_TO_POINTER (i));
  g_assert_cmpuint (error_lines->len, >=, 2);

  dump = run_view (view_args, NULL);
  errors = section (dump, "errors");
  g_assert_cmpuint (errors->len, >=, 2);
  /* each error row: offset and ip as the listing's line has them */
  for (guint i = 0; i < errors->len; i++)
    {
      char **cells = g_ptr_array_index (errors, i);
      const char *line = cli[GPOINTER_TO_UINT (g_ptr_array_index (error_lines, i))];
      g_autofree char *expected = g_strdup_printf ("[%s, %s: %s: %s]", cells[0] + 2, cells[1] + 2,
                                                   cells[2], cells[3]);

      g_assert_cmpstr (expected, ==, line);
    }
  /* all of them, when they all fit on the screen */
  if (errors->len < 15)
    g_assert_cmpuint (errors->len, ==, error_lines->len);

  selected = g_ptr_array_index (section (dump, "selected"), 0);
  g_assert_cmpuint (g_ascii_strtoull (selected[0], NULL, 10), ==,
                    GPOINTER_TO_UINT (g_ptr_array_index (error_lines, 1)));
  g_assert_cmpstr (selected[3], ==, cli[GPOINTER_TO_UINT (g_ptr_array_index (error_lines, 1))]);
}

/* The option of @form named @name: its cells (name, widget type, details). */
static char **
form_option (GPtrArray *form, const char *name)
{
  for (guint i = 0; i < form->len; i++)
    {
      char **cells = g_ptr_array_index (form, i);

      if (g_str_equal (cells[0], name))
        return cells;
    }
  g_error ("the form has no option '%s'", name);
}

static gboolean
has_cell (char **cells, const char *cell)
{
  return g_strv_contains ((const char *const *) cells, cell);
}

/* The add-source forms, from the plugins' GParamSpecs alone, over the
 * demo's memory without a trace (--list-regions): raw's file is a file chooser, its numbers spin buttons; qemu's
 * boolean a switch. Nothing filled in: the spec is the plugin alone. */
static void
test_forms (void)
{
  g_autofree char *plugin = demo_plugin ();
  const char *const raw_args[] = { "--plugin", plugin, "--list-regions", "--dump-form", "raw",
                                   NULL };
  const char *const qemu_args[] = { "--plugin", plugin, "--list-regions", "--dump-form", "qemu",
                                    NULL };
  g_autoptr(GHashTable) raw = run_view (raw_args, NULL);
  g_autoptr(GHashTable) qemu = run_view (qemu_args, NULL);
  GPtrArray *form = section (raw, "form raw");
  const char *const numbers[] = { "base", "offset", "size", "cr3" };

  g_assert_cmpstr (form_option (form, "spec")[1], ==, "raw");
  g_assert_cmpstr (form_option (form, "file")[1], ==, "GtkEntry");
  g_assert_true (has_cell (form_option (form, "file"), "file-chooser"));
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      char **cells = form_option (form, numbers[i]);

      g_assert_cmpstr (cells[1], ==, "GtkSpinButton");
      g_assert_false (has_cell (cells, "file-chooser"));
    }
  /* offset's default (0) shows in hex; base's "not given" shows empty */
  g_assert_true (has_cell (form_option (form, "offset"), "text=0x0"));
  g_assert_true (has_cell (form_option (form, "base"), "text="));

  form = section (qemu, "form qemu");
  g_assert_true (has_cell (form_option (form, "snapshot"), "file-chooser"));
  g_assert_cmpstr (form_option (form, "physical")[1], ==, "GtkSwitch");
  g_assert_cmpstr (form_option (form, "tag")[1], ==, "GtkEntry");
  g_assert_false (has_cell (form_option (form, "tag"), "file-chooser"));
}

/* The raw form filled in and added, as a person would: the spec it opens
 * is the one typed on a command line, and the regions table then equals
 * ipt-analyze --list-regions with both sources. */
static void
test_add_source (void)
{
  g_autofree char *plugin = demo_plugin ();
  g_autofree char *file = g_strdup_printf ("file=%s", demo_path ("demo"));
  g_autofree char *spec = g_strdup_printf ("raw:file=%s,base=0x10000000,size=0x1000",
                                           demo_path ("demo"));
  const char *const view_args[] = { "--plugin", plugin, "--list-regions", "--dump-form", "raw",
                                    "--form-set", file, "--form-set", "base=0x10000000",
                                    "--form-set", "size=0x1000", NULL };
  const char *const regions_args[] = { "--plugin", plugin, "--plugin", spec, "--list-regions",
                                       NULL };
  g_autoptr(GHashTable) dump = run_view (view_args, NULL);
  g_auto(GStrv) regions = run_analyze_lines (regions_args);

  g_assert_cmpstr (((char **) g_ptr_array_index (section (dump, "form filled"), 0))[1], ==, spec);
  assert_regions (section (dump, "regions after add"), regions);
}

/* Cancel pressed as the decode starts: the load ends cancelled (exit 1,
 * one error line), nothing crashes, nothing is dumped. */
static void
test_cancel (void)
{
  g_autofree char *plugin = demo_plugin ();
  g_autofree char *dir = g_dir_make_tmp ("test-view-XXXXXX", NULL);
  g_autofree char *dump = g_build_filename (dir, "dump.txt", NULL);
  const char *const argv[] = { test_env_path ("IPT_VIEW"), "--pt", demo_path ("trace.pt"),
                               "--plugin", plugin, "--cancel-load", "--dump-view", dump,
                               "--quit-when-loaded", NULL };
  g_autofree char *err = NULL;

  g_assert_nonnull (g_getenv ("DISPLAY"));
  g_assert_cmpint (test_spawn (argv, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "ipt-view: error: Operation was cancelled\n"));
  g_assert_false (g_file_test (dump, G_FILE_TEST_EXISTS));
  test_remove_tree (dir);
}

/* Command-line failures before any window: a bad plugin option (exit 2),
 * a file that is no raw trace (exit 1), one line each, ipt-analyze's. */
static void
test_command_line (void)
{
  g_autofree char *raw = g_strdup_printf ("%s:0x400000", demo_path ("demo"));
  const char *const bad_option[] = { test_env_path ("IPT_VIEW"), "--pt", demo_path ("trace.pt"),
                                     "--plugin", "raw:bsae=1", NULL };
  const char *const not_trace[] = { test_env_path ("IPT_VIEW"), "--pt", demo_path ("core"),
                                    "--raw", raw, NULL };
  const char *const analyze[] = { "--pt", demo_path ("core"), "--raw", raw, NULL };
  g_autofree char *err = NULL;
  g_autofree char *view_err = NULL;
  g_autofree char *analyze_err = NULL;

  g_assert_cmpint (test_spawn (bad_option, NULL, &err), ==, 2);
  g_assert_true (g_str_has_prefix (err, "ipt-view: error: --plugin 'raw:bsae=1': "));
  g_assert_cmpint (test_spawn (not_trace, NULL, &view_err), ==, 1);
  g_assert_cmpint (test_run_analyze (analyze, NULL, &analyze_err), ==, 1);
  g_assert_true (g_str_has_prefix (analyze_err, "ipt-analyze: error: "));
  g_assert_true (g_str_has_prefix (view_err, "ipt-view: error: "));
  g_assert_cmpstr (view_err + strlen ("ipt-view"), ==, analyze_err + strlen ("ipt-analyze"));
}

/* A plugin that knows nothing of ipt-view (the registry tests' "testgood",
 * plain GObject properties: string, guint64, gint, boolean, enum, double)
 * gets its form: each type its widget, the defaults shown, and the form
 * filled in opens the provider, or shows why it cannot. */
static void
test_third_party_form (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-view-plugins-XXXXXX", NULL);
  g_autofree char *good = g_test_build_filename (G_TEST_BUILT, "plugins", "good.so", NULL);
  g_autofree char *link = g_build_filename (dir, "good.so", NULL);
  g_autofree char *path = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("IPT_PLUGIN_PATH"));
  g_autofree char *plugin = demo_plugin ();
  g_autofree char *err = NULL;
  g_autofree char *dump_file = g_build_filename (dir, "dump.txt", NULL);
  const char *const form_args[] = { "--plugin", plugin, "--list-regions", "--dump-form", "testgood",
                                    "--form-set", "file=a.bin", "--form-set", "mode=careful",
                                    "--form-set", "count=32", "--form-set", "base=0x5000",
                                    "--form-set", "verbose=true", NULL };
  const char *const failing[] = { test_env_path ("IPT_VIEW"), "--plugin", plugin, "--list-regions",
                                  "--dump-form", "testgood", "--form-set", "file=fail",
                                  "--dump-view", dump_file, "--quit-when-loaded", NULL };
  g_autoptr(GHashTable) dump = NULL;
  GPtrArray *form;
  char **cells;

  g_assert_cmpint (symlink (good, link), ==, 0);
  path = g_strdup_printf ("%s:%s", dir, saved);
  g_setenv ("IPT_PLUGIN_PATH", path, TRUE);
  dump = run_view (form_args, NULL);
  g_assert_cmpint (test_spawn (failing, NULL, &err), ==, 1);
  g_setenv ("IPT_PLUGIN_PATH", saved, TRUE);
  test_remove_tree (dir);

  form = section (dump, "form testgood");
  g_assert_cmpstr (form_option (form, "spec")[1], ==, "testgood");
  g_assert_cmpstr (form_option (form, "file")[1], ==, "GtkEntry");
  g_assert_false (has_cell (form_option (form, "file"), "file-chooser"));   /* a plain string */
  cells = form_option (form, "count");
  g_assert_cmpstr (cells[1], ==, "GtkSpinButton");
  g_assert_true (has_cell (cells, "min=-5") && has_cell (cells, "max=100"));
  g_assert_true (has_cell (cells, "text=16"));
  g_assert_true (has_cell (form_option (form, "base"), "text=0x0"));
  g_assert_cmpstr (form_option (form, "verbose")[1], ==, "GtkSwitch");
  g_assert_cmpstr (form_option (form, "mode")[1], ==, "GtkDropDown");
  g_assert_true (has_cell (form_option (form, "mode"), "values=fast,careful"));
  g_assert_cmpstr (form_option (form, "ratio")[1], ==, "GtkEntry");
  /* the read-only and the non-construct properties are no options */
  for (guint i = 0; i < form->len; i++)
    {
      const char *name = ((char **) g_ptr_array_index (form, i))[0];

      g_assert_cmpstr (name, !=, "label");
      g_assert_cmpstr (name, !=, "tag");
    }

  /* in declaration order, only what was set */
  g_assert_cmpstr (((char **) g_ptr_array_index (section (dump, "form filled"), 0))[1], ==,
                   "testgood:file=a.bin,base=0x5000,count=32,verbose=true,mode=careful");
  g_assert_nonnull (g_hash_table_lookup (dump, "regions after add"));
  g_assert_nonnull (strstr (err, "ipt-view: error: --form-set: no provider was added: "
                                 "testgood: fail: cannot open (asked to fail)\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/view/demo/listing-calls-regions-screenshot", test_demo);
  g_test_add_func ("/view/demo/go-to-search", test_go_to_search);
  g_test_add_func ("/view/demo/errors", test_errors);
  g_test_add_func ("/view/demo/cancel", test_cancel);
  g_test_add_func ("/view/command-line", test_command_line);
  g_test_add_func ("/view/forms", test_forms);
  g_test_add_func ("/view/forms/add-source", test_add_source);
  g_test_add_func ("/view/forms/third-party", test_third_party_form);
  return g_test_run ();
}
