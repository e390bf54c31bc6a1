/* test-cli-coredump.c: the real ipt-analyze ($IPT_ANALYZE) over real cores
 * of a running program, through the command line a user types:
 *
 *   ipt-analyze --plugin coredump:core=CORE --read ADDRESS:SIZE
 *   ipt-analyze --plugin coredump:core=CORE --list-regions
 *   ipt-analyze --pt TRACE --plugin coredump:core=CORE,search-path=DIR
 *
 * The program is tests/core/jitlike (a dynamic PIE that writes code into an
 * RWX page and waits); its cores come from gdb's gcore and from the kernel.
 * The oracles are independent of the plugin: /proc/PID/maps taken while it
 * ran, the files on disk, and the bytes jitlike wrote. The listing case
 * decodes the committed demo (data/demo: an ipt-record trace, its core and
 * its program) and checks that the core alone names the code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "core/jitlike-driver.h"
#include "test-support.h"

typedef struct {
  char *dir;
  JitlikeChild child; /* the program that ran, its RWX page and maps */
  char *core;
  char *run_dir;         /* the program's cwd when not dir (JIT discovery); NULL: dir */
  char **envp;           /* ipt-analyze's environment; NULL: this one */
  const char *warning;   /* what stderr must say at every run; NULL: nothing */
  /* the last ipt-analyze run */
  char *out;
  gsize out_length;
  char *err;
  int status;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-cli-coredump-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  jitlike_child_clear (&f->child);
  if (f->run_dir != NULL)
    test_remove_tree (f->run_dir);
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->run_dir);
  g_strfreev (f->envp);
  g_free (f->core);
  g_free (f->out);
  g_free (f->err);
}

/* ipt-analyze --plugin coredump:core=CORE[,OPTIONS] ARGS... */
static void
analyze (Fixture *f, const char *const *args)
{
  g_autofree char *plugin = g_strdup_printf ("coredump:core=%s", f->core);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_env_path ("IPT_ANALYZE"));
  g_ptr_array_add (argv, (char *) "--plugin");
  g_ptr_array_add (argv, plugin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* --read's raw bytes: stdout with its length */
  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  f->status = test_spawn_raw ((const char *const *) argv->pdata, (const char *const *) f->envp,
                              &f->out, &f->out_length, &f->err);
}

/* stderr is empty, or only the expected warning about a file. */
static void
assert_stderr (Fixture *f)
{
  g_auto(GStrv) lines = NULL;

  if (f->warning == NULL)
    {
      g_assert_cmpstr (f->err, ==, "");
      return;
    }
  g_assert_nonnull (strstr (f->err, f->warning));
  lines = test_split_lines (f->err);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_assert_true (g_str_has_prefix (lines[i], "ipt-analyze: warning: "));
}

/* ipt-analyze --read ADDRESS:SIZE */
static void
read_memory (Fixture *f, guint64 address, gsize size)
{
  g_autofree char *spec = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:%" G_GSIZE_FORMAT,
                                           address, size);
  const char *args[] = { "--read", spec, NULL };

  analyze (f, args);
}

static const char *
mapped_path (Fixture *f, const char *part)
{
  for (guint i = 0; i < f->child.maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (f->child.maps, JitlikeMap, i);
      if (strstr (m->path, part) != NULL)
        return m->path;
    }
  g_error ("nothing mapped from a file named like %s", part);
  return NULL;
}

/* Every executable mapping of @path reads back through the CLI exactly as
 * the file holds it (up to the file's end). */
static void
assert_text_reads_as_file (Fixture *f, const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  guint checked = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < f->child.maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (f->child.maps, JitlikeMap, i);
      gsize want;

      if (strcmp (m->path, path) != 0 || m->perms[2] != 'x')
        continue;
      g_assert_cmpuint (m->offset, <, length);
      want = MIN (m->end - m->start, length - m->offset);
      read_memory (f, m->start, want);
      assert_stderr (f);
      g_assert_cmpint (f->status, ==, 0);
      g_assert_cmpuint (f->out_length, ==, want);
      g_assert_true (memcmp (f->out, contents + m->offset, want) == 0);
      g_test_message ("%s: 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x (%"
                      G_GSIZE_FORMAT " bytes) equal %s at 0x%" G_GINT64_MODIFIER "x",
                      f->core, m->start, m->start + want, want, path, m->offset);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
}

/* The RWX page reads back exactly as jitlike wrote it (tests/core/jitlike.c). */
static void
assert_jit_page (Fixture *f)
{
  guint8 want[JITLIKE_PAGE_SIZE];

  jitlike_expected_page (want);
  read_memory (f, f->child.page, JITLIKE_PAGE_SIZE);
  assert_stderr (f);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpuint (f->out_length, ==, JITLIKE_PAGE_SIZE);
  g_assert_true (memcmp (f->out, want, JITLIKE_PAGE_SIZE) == 0);
}

/* --list-regions: which range comes from the core, which from which file.
 * Returns how many ranges name @file (a path as the listing prints it). */
static guint
count_regions (Fixture *f, const char *file)
{
  const char *args[] = { "--list-regions", NULL };
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  analyze (f, args);
  g_assert_cmpint (f->status, ==, 0);
  assert_stderr (f);
  lines = test_split_lines (f->out);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *last = strrchr (lines[i], ' ');

      if (last != NULL && strcmp (last + 1, file) == 0)
        {
          g_assert_nonnull (strstr (lines[i], " coredump "));
          n++;
        }
    }
  return n;
}

static void
assert_regions_name_core_and_files (Fixture *f)
{
  g_autofree char *core = realpath (f->core, NULL);
  const char *files[] = { f->child.exe, mapped_path (f, "/libc.so"),
                          mapped_path (f, "/ld-linux") };
  guint n;

  g_assert_nonnull (core);
  n = count_regions (f, core);
  g_test_message ("%s: %u ranges from the core", core, n);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *real = realpath (files[i], NULL);

      g_assert_nonnull (real);
      n = count_regions (f, real);
      g_test_message ("%s: %u ranges from %s", core, n, real);
      g_assert_cmpuint (n, >, 0);
    }
}

static void
assert_core_serves_text_and_jit_page (Fixture *f)
{
  assert_text_reads_as_file (f, f->child.exe);
  assert_text_reads_as_file (f, mapped_path (f, "/libc.so"));
  assert_jit_page (f);
  assert_regions_name_core_and_files (f);
}

static void
test_gcore (Fixture *f, gconstpointer data)
{
  jitlike_child_start (&f->child, jitlike_get_program (), f->dir, TRUE);
  f->core = jitlike_child_gcore (&f->child, f->dir);
  jitlike_child_stop (&f->child, 0);
  assert_core_serves_text_and_jit_page (f);
}

static void
test_kernel_core (Fixture *f, gconstpointer data)
{
  const char *exe = jitlike_get_program ();
  g_autofree char *pattern = jitlike_read_core_pattern ();

  /* Only a plain name lands in the process's directory; changing the
   * system-wide setting is not a test's business. */
  if (pattern[0] == '\0' || !jitlike_core_pattern_is_plain (pattern))
    {
      g_autofree char *message =
        g_strdup_printf ("KERNEL CORES NOT TESTED: /proc/sys/kernel/core_pattern is '%s', not a "
                         "plain file name; the kernel would not write the core where this "
                         "test can find it", pattern);

      g_printerr ("test-cli-coredump: %s\n", message);
      g_test_skip (message);
      return;
    }

  jitlike_child_start (&f->child, exe, f->dir, TRUE);
  f->core = jitlike_child_dump_kernel_core (&f->child, f->dir, pattern);
  if (f->core == NULL)
    g_error ("the kernel wrote no core of %s (core_pattern '%s', RLIMIT_CORE raised)", exe,
             pattern);
  g_assert_true (g_file_test (f->core, G_FILE_TEST_IS_REGULAR));
  assert_core_serves_text_and_jit_page (f);
}

/* A copy of jitlike runs and is cored, then the copy is removed (or
 * replaced by @replacement): its text cannot come from anywhere. */
static void
core_of_vanished_copy (Fixture *f, const char *replacement)
{
  g_autofree char *copy = g_build_filename (f->dir, "jitlike-copy", NULL);

  jitlike_copy_file (jitlike_get_program (), copy);
  jitlike_child_start (&f->child, copy, f->dir, TRUE);
  f->core = jitlike_child_gcore (&f->child, f->dir);
  jitlike_child_stop (&f->child, 0);
  g_assert_cmpint (g_unlink (copy), ==, 0);
  if (replacement != NULL)
    jitlike_copy_file (replacement, copy);
}

/* A warning names the file and why; every read of its text fails as
 * unmapped at its first byte (no bytes out, not other bytes); libc's text
 * and the dumped RWX page are still served. */
static void
assert_unmapped_with_warning (Fixture *f, const char *reason)
{
  g_autofree char *warning = g_strdup_printf ("mapped file %s not usable", f->child.exe);
  guint checked = 0;

  for (guint i = 0; i < f->child.maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (f->child.maps, JitlikeMap, i);
      g_autofree char *unmapped = NULL;

      if (strcmp (m->path, f->child.exe) != 0 || m->perms[2] != 'x')
        continue;
      read_memory (f, m->start, 16);
      g_test_message ("--read 0x%" G_GINT64_MODIFIER "x:16: status %d, %s", m->start,
                      f->status, f->err);
      /* one command-line-style line, not GLib's "Ipt-WARNING **" layout */
      g_assert_nonnull (strstr (f->err, "ipt-analyze: warning: coredump: "));
      g_assert_null (strstr (f->err, "WARNING"));
      g_assert_nonnull (strstr (f->err, warning));
      g_assert_nonnull (strstr (f->err, reason));
      g_assert_nonnull (strstr (f->err, "are unmapped"));
      unmapped = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x: not mapped (read 0 of 16 bytes)",
                                  m->start);
      g_assert_nonnull (strstr (f->err, unmapped));
      g_assert_cmpint (f->status, !=, 0);
      g_assert_cmpuint (f->out_length, ==, 0);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);

  f->warning = warning;
  assert_text_reads_as_file (f, mapped_path (f, "/libc.so"));
  assert_jit_page (f);
  f->warning = NULL;
}

static void
test_missing_file (Fixture *f, gconstpointer data)
{
  core_of_vanished_copy (f, NULL);
  assert_unmapped_with_warning (f, "No such file");
}

static void
test_replaced_file (Fixture *f, gconstpointer data)
{
  /* Another ELF file, with another build-id, at the same path. */
  core_of_vanished_copy (f, test_env_path ("IPT_ANALYZE"));
  assert_unmapped_with_warning (f, "does not match the core's");
}

/* ---- JIT discovery: the jit-PID.dump a core maps ----------------------------------------- */

/* tests/core/jitdumper: its function as the dump records it and as the
 * core holds it after the patch. */
static const guint8 dumped_code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
static const guint8 patched_code[] = { 0xb8, 0x2b, 0x00, 0x00, 0x00, 0xc3 };

/* Runs jitdumper in DIR/run (its jit-PID.dump lands there), cores it into
 * DIR and ends it; returns the dump's path as NT_FILE names it, and where
 * beside the core a dump of that name would be. */
static char *
core_of_jitdumper (Fixture *f, GPid *pid, char **beside_core)
{
  g_autofree char *dump = NULL, *base = NULL;

  f->run_dir = g_build_filename (f->dir, "run", NULL);
  g_assert_cmpint (g_mkdir (f->run_dir, 0755), ==, 0);
  jitlike_child_start (&f->child, g_test_get_filename (G_TEST_BUILT, "jitdumper", NULL),
                       f->run_dir, FALSE);
  *pid = f->child.pid;
  f->core = jitlike_child_gcore (&f->child, f->dir);
  jitlike_child_stop (&f->child, 0);
  base = g_strdup_printf ("jit-%d.dump", *pid);
  dump = g_build_filename (f->run_dir, base, NULL);
  g_assert_true (g_file_test (dump, G_FILE_TEST_IS_REGULAR));
  *beside_core = g_build_filename (f->dir, base, NULL);
  return realpath (dump, NULL);
}

/* --read of jitdumper's function, with @extra (NULL-terminated) after it;
 * asserts exit 0 and returns whether the dump's bytes (not the core's) came. */
static gboolean
reads_dumped_code (Fixture *f, const char *extra)
{
  g_autofree char *spec = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:%" G_GSIZE_FORMAT,
                                           f->child.page, sizeof dumped_code);
  const char *args[] = { "--read", spec, extra, NULL };

  analyze (f, args);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpuint (f->out_length, ==, sizeof dumped_code);
  if (memcmp (f->out, dumped_code, sizeof dumped_code) == 0)
    return TRUE;
  g_assert_true (memcmp (f->out, patched_code, sizeof patched_code) == 0);
  return FALSE;
}

/* The --list-regions provider of the range that starts at jitdumper's function. */
static char *
provider_of_jit_code (Fixture *f, const char *extra)
{
  g_autofree char *start = g_strdup_printf ("%016" G_GINT64_MODIFIER "x-", f->child.page);
  const char *args[] = { "--list-regions", extra, NULL };
  g_auto(GStrv) lines = NULL;

  analyze (f, args);
  g_assert_cmpint (f->status, ==, 0);
  lines = test_split_lines (f->out);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], start))
      {
        g_auto(GStrv) columns = g_strsplit_set (lines[i], " ", -1);
        guint k = 0;

        /* START-END SIZE bytes cr3= vmcs= PROVIDER */
        for (guint j = 0; columns[j] != NULL; j++)
          if (columns[j][0] != '\0' && ++k == 6)
            return g_strdup (columns[j]);
      }
  g_error ("--list-regions shows no range at 0x%" G_GINT64_MODIFIER "x:\n%s", f->child.page,
           f->out);
  return NULL;
}

/* How many lines of stderr contain @text. */
static guint
count_err_lines (Fixture *f, const char *text)
{
  g_auto(GStrv) lines = test_split_lines (f->err);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], text) != NULL)
      n++;
  return n;
}

static void
test_jit_discovery_chains_dump_and_map (Fixture *f, gconstpointer data)
{
  g_autofree char *dump = NULL, *map = NULL, *map_line = NULL, *note = NULL, *provider = NULL;
  g_autofree char *given = NULL, *near = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;

  dump = core_of_jitdumper (f, &pid, &near);
  /* A perf map beside the core: found before any /tmp/perf-PID.map. */
  map = g_strdup_printf ("%s/perf-%d.map", f->dir, pid);
  map_line = g_strdup_printf ("%" G_GINT64_MODIFIER "x 6 jitdumper_fn\n", f->child.page);
  g_file_set_contents (map, map_line, -1, &error);
  g_assert_no_error (error);
  note = g_strdup_printf ("ipt-analyze: note: %s: chained the JIT dump %s (NT_FILE) and the "
                          "perf map %s\n", f->core, dump, map);

  /* The dump's bytes over the core's: jitmap is chained before the core. */
  g_assert_true (reads_dumped_code (f, NULL));
  g_assert_cmpstr (f->err, ==, note);
  provider = provider_of_jit_code (f, NULL);
  g_assert_cmpstr (provider, ==, "jitmap");
  g_clear_pointer (&provider, g_free);

  /* --no-jit-discovery: the core alone, silently. */
  g_assert_false (reads_dumped_code (f, "--no-jit-discovery"));
  g_assert_cmpstr (f->err, ==, "");
  provider = provider_of_jit_code (f, "--no-jit-discovery");
  g_assert_cmpstr (provider, ==, "coredump");

  /* The dump already given (after the core: the user's order stays). */
  given = g_strdup_printf ("jitmap:dump=%s", dump);
  {
    const char *args[] = { "--plugin", given, "--read", NULL, NULL };
    g_autofree char *spec = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:6", f->child.page);

    args[3] = spec;
    analyze (f, args);
    g_assert_cmpint (f->status, ==, 0);
    g_assert_cmpstr (f->err, ==, "");
    g_assert_cmpuint (f->out_length, ==, sizeof patched_code);
    g_assert_true (memcmp (f->out, patched_code, sizeof patched_code) == 0);
  }
  g_unlink (map);
}

/* A core that maps no jitdump, with its JIT's perf map beside it (node
 * --perf-basic-prof writes only a map): the map is chained for its names;
 * the core still serves every byte; --no-jit-discovery leaves it out. */
static void
test_jit_discovery_perf_map_alone (Fixture *f, gconstpointer data)
{
  g_autofree char *map = NULL, *map_line = NULL, *note = NULL, *provider = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;

  jitlike_child_start (&f->child, jitlike_get_program (), f->dir, TRUE);
  pid = f->child.pid;
  f->core = jitlike_child_gcore (&f->child, f->dir);
  jitlike_child_stop (&f->child, 0);
  map = g_strdup_printf ("%s/perf-%d.map", f->dir, pid);
  map_line = g_strdup_printf ("%" G_GINT64_MODIFIER "x 40 jitlike_fn\n", f->child.page);
  g_file_set_contents (map, map_line, -1, &error);
  g_assert_no_error (error);
  note = g_strdup_printf ("ipt-analyze: note: %s: chained the perf map %s (beside the core; "
                          "names only, no JIT dump in NT_FILE)\n", f->core, map);

  {
    guint8 want[JITLIKE_PAGE_SIZE];

    jitlike_expected_page (want);
    read_memory (f, f->child.page, JITLIKE_PAGE_SIZE);
    g_assert_cmpint (f->status, ==, 0);
    g_assert_cmpstr (f->err, ==, note);
    g_assert_cmpuint (f->out_length, ==, JITLIKE_PAGE_SIZE);
    g_assert_true (memcmp (f->out, want, JITLIKE_PAGE_SIZE) == 0);
  }
  provider = provider_of_jit_code (f, NULL);
  g_assert_cmpstr (provider, ==, "coredump");   /* names only: the bytes stay the core's */
  {
    const char *args[] = { "--list-regions", "--no-jit-discovery", NULL };

    analyze (f, args);
    g_assert_cmpint (f->status, ==, 0);
    g_assert_cmpstr (f->err, ==, "");
  }
  g_unlink (map);
}

static void
test_jit_discovery_dump_beside_core (Fixture *f, gconstpointer data)
{
  g_autofree char *dump = NULL, *moved = NULL, *note = NULL;
  GPid pid;

  dump = core_of_jitdumper (f, &pid, &moved);
  g_assert_cmpint (g_rename (dump, moved), ==, 0);
  note = g_strdup_printf ("ipt-analyze: note: %s: chained the JIT dump %s (beside the core)",
                          f->core, moved);

  g_assert_true (reads_dumped_code (f, NULL));
  g_test_message ("%s", f->err);
  g_assert_cmpuint (count_err_lines (f, note), ==, 1);
  g_assert_cmpuint (count_err_lines (f, "ipt-analyze: note: "), ==, 1);
}

static void
test_jit_discovery_missing_dump_warns (Fixture *f, gconstpointer data)
{
  g_autofree char *dump = NULL, *near = NULL, *warning = NULL;
  GPid pid;

  dump = core_of_jitdumper (f, &pid, &near);
  g_assert_cmpint (g_unlink (dump), ==, 0);
  warning = g_strdup_printf ("ipt-analyze: warning: %s: the JIT dump %s that NT_FILE names is "
                             "gone, and %s beside the core does not exist: its JIT code is not "
                             "chained", f->core, dump, near);

  /* The core's own bytes still; the coredump plugin also warns that the
   * dump's mapping is unmapped. */
  g_assert_false (reads_dumped_code (f, NULL));
  g_test_message ("%s", f->err);
  g_assert_cmpuint (count_err_lines (f, warning), ==, 1);
  g_assert_cmpuint (count_err_lines (f, "JIT dump"), ==, 1);
  g_assert_cmpuint (count_err_lines (f, "ipt-analyze: note: "), ==, 0);

  g_assert_false (reads_dumped_code (f, "--no-jit-discovery"));
  g_assert_cmpuint (count_err_lines (f, "JIT dump"), ==, 0);
}

static void
test_jit_discovery_without_jitmap_warns (Fixture *f, gconstpointer data)
{
  g_autofree char *dump = NULL, *plugins = NULL, *link = NULL, *so = NULL, *warning = NULL;
  g_autofree char *near = NULL;
  GPid pid;

  dump = core_of_jitdumper (f, &pid, &near);
  /* A plugin path with the coredump plugin only. */
  plugins = g_build_filename (f->run_dir, "plugins", NULL);
  g_assert_cmpint (g_mkdir (plugins, 0755), ==, 0);
  so = g_build_filename (test_env_path ("IPT_PLUGIN_PATH"), "ipt-plugin-coredump.so", NULL);
  link = g_build_filename (plugins, "ipt-plugin-coredump.so", NULL);
  g_assert_cmpint (symlink (so, link), ==, 0);
  f->envp = g_environ_setenv (g_get_environ (), "IPT_PLUGIN_PATH", plugins, TRUE);
  warning = g_strdup_printf ("ipt-analyze: warning: %s: the core maps the JIT dump %s, but the "
                             "jitmap plugin was not found", f->core, dump);

  g_assert_false (reads_dumped_code (f, NULL));
  g_assert_true (g_str_has_prefix (f->err, warning));
  g_assert_cmpuint (count_err_lines (f, "ipt-analyze: "), ==, 1);
  g_assert_false (reads_dumped_code (f, "--no-jit-discovery"));
  g_assert_cmpstr (f->err, ==, "");
  g_unlink (link);
  g_rmdir (plugins);
}

/* ---- the demo's listing: names from the core alone --------------------------------------- */

/* Runs ipt-analyze from the source root with @args; returns stdout, asserts
 * exit 0 and an empty stderr. */
static char *
analyze_in_source_root (const char *const *args)
{
  g_autofree char *root = g_path_get_dirname (test_env_path ("G_TEST_SRCDIR"));
  char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = test_run_analyze_in (root, args, &out, &err);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  return out;
}

static gboolean
is_instruction_line (const char *line)
{
  return g_ascii_isxdigit (line[0]) && strlen (line) >= 16;
}

static void
test_demo_listing_names_symbols (void)
{
  static const char *const with_core[] = {
    "--pt", "data/demo/trace.pt", "--plugin", "coredump:core=data/demo/core,search-path=data/demo",
    NULL
  };
  static const char *const with_elf[] = {
    "--pt", "data/demo/trace.pt", "--elf", "data/demo/demo", NULL
  };
  static const char *const no_inst[] = {
    "--pt", "data/demo/trace.pt", "--plugin", "coredump:core=data/demo/core,search-path=data/demo",
    "--no-inst", NULL
  };
  g_autofree char *listing = analyze_in_source_root (with_core);
  g_autofree char *elf_listing = analyze_in_source_root (with_elf);
  g_autofree char *plain = analyze_in_source_root (no_inst);
  g_autofree char *ips_path = g_build_filename (test_env_path ("G_TEST_SRCDIR"), "..", "data", "demo",
                                                "ips", NULL);
  g_autofree char *ips = NULL;
  g_autoptr(GString) plain_ips = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = test_split_lines (listing);
  g_auto(GStrv) plain_lines = test_split_lines (plain);
  guint n_insns = 0, n_named = 0, n_lines = g_strv_length (lines), exit_line = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (!is_instruction_line (lines[i]))
        continue;
      n_insns++;
      if (strstr (lines[i], " <") != NULL)
        n_named++;
      if (g_str_has_suffix (lines[i], " <_exit+0x27>  syscall"))
        exit_line = i;
    }
  g_test_message ("demo listing: %u of %u instructions named", n_named, n_insns);
  /* The program's last instruction, named from the program file the core
   * names (a static non-PIE: ET_EXEC, bias 0). */
  g_assert_cmpuint (exit_line, >, 0);
  g_assert_cmpuint (exit_line + 5, >=, n_lines);
  g_assert_cmpuint (n_insns, >, 20000);
  g_assert_cmpuint (n_named, >=, n_insns * 99 / 100);
  /* The same names as the elf plugin gives for the same file. */
  g_assert_cmpstr (listing, ==, elf_listing);

  /* --no-inst carries no names: its instruction lines are exactly ips. */
  g_assert_null (strchr (plain, '<'));
  for (guint i = 0; plain_lines[i] != NULL; i++)
    if (is_instruction_line (plain_lines[i]))
      g_string_append_printf (plain_ips, "%s\n", plain_lines[i]);
  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain_ips->str, ==, ips);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cli/coredump/gcore/read-text-and-jit-page", test_gcore);
  ADD ("/cli/coredump/kernel-core/read-text-and-jit-page", test_kernel_core);
  ADD ("/cli/coredump/missing-file/warns-and-reads-unmapped", test_missing_file);
  ADD ("/cli/coredump/replaced-file/warns-and-reads-unmapped", test_replaced_file);
  ADD ("/cli/coredump/jit-discovery/chains-dump-and-map-before-the-core",
       test_jit_discovery_chains_dump_and_map);
  ADD ("/cli/coredump/jit-discovery/dump-beside-the-core", test_jit_discovery_dump_beside_core);
  ADD ("/cli/coredump/jit-discovery/missing-dump-warns", test_jit_discovery_missing_dump_warns);
  ADD ("/cli/coredump/jit-discovery/without-jitmap-plugin-warns",
       test_jit_discovery_without_jitmap_warns);
  ADD ("/cli/coredump/jit-discovery/perf-map-alone-beside-the-core",
       test_jit_discovery_perf_map_alone);
#undef ADD
  g_test_add_func ("/cli/coredump/demo/listing-names-symbols-from-the-core",
                   test_demo_listing_names_symbols);

  return g_test_run ();
}
