/* test-perf-files.c: finding the files a perf.data's mmaps name
 * (tools/ipt-analyze/ipt-perf-files.c), on real ELF files built by meson
 * (tests/record programs) whose build-ids `readelf -n` tells, in temporary
 * trees laid out as perf's build-id cache, a sysroot and search
 * directories; then end to end, ipt-analyze --perf on an ipt-record
 * recording whose program was moved away, with the build-ids Debian's
 * `perf inject -b` adds and the cache it fills.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ipt-perf-files.h"
#include "test-support.h"

static char *
make_tmp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-perf-files-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_path_get_dirname (to);
  g_autoptr(GError) error = NULL;
  gsize size;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_get_contents (from, &contents, &size, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, (gssize) size, &error);
  g_assert_no_error (error);
}

/* The build-id `readelf -n` prints for @path, in hex. */
static char *
readelf_build_id (const char *path)
{
  const char *argv[] = { "readelf", "-n", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *at;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  at = strstr (out, "Build ID: ");
  g_assert_nonnull (at);
  at += strlen ("Build ID: ");
  return g_strndup (at, strspn (at, "0123456789abcdef"));
}

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *bytes = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 |
                         g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_bytes_new_take (bytes, n);
}

/* The program's real path and its build-id (from readelf). */
static void
program (const char *env, char **path, char **hex)
{
  *path = g_canonicalize_filename (test_env_path (env), NULL);
  *hex = readelf_build_id (*path);
}

typedef struct {
  char *tmp;
  char *cache;                  /* an empty build-id cache, unless a test fills it */
  char *flow, *flow_hex;        /* record-flow-static */
  char *status, *status_hex;    /* record-status-static: another build-id */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = make_tmp ();
  f->cache = g_build_filename (f->tmp, "cache", NULL);
  g_assert_cmpint (g_mkdir (f->cache, 0755), ==, 0);
  program ("IPT_RECORD_PROGRAM_FLOW_STATIC", &f->flow, &f->flow_hex);
  program ("IPT_RECORD_PROGRAM_STATUS_STATIC", &f->status, &f->status_hex);
  g_assert_cmpstr (f->flow_hex, !=, f->status_hex);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->cache);
  g_free (f->flow);
  g_free (f->flow_hex);
  g_free (f->status);
  g_free (f->status_hex);
}

/* Finds @filename (with build-id @hex, or none) with @files. */
static char *
find (IptPerfFiles *files, const char *filename, const char *hex, GError **error)
{
  g_autoptr(GBytes) id = hex != NULL ? bytes_from_hex (hex) : NULL;
  IptPerfMapping m = { 0 };

  m.pid = 1;
  m.address = 0x401000;
  m.length = 0x1000;
  m.filename = (gchar *) filename;
  m.build_id = id;
  return ipt_perf_files_find (&m, files, error);
}

static IptPerfFiles *
files_new (Fixture *f, const char *sysroot, const char * const *search_path)
{
  g_autoptr(GError) error = NULL;
  IptPerfFiles *files = ipt_perf_files_new (sysroot, search_path, f->cache, &error);

  g_assert_no_error (error);
  g_assert_nonnull (files);
  return files;
}

/* libelf's reading of NT_GNU_BUILD_ID agrees with readelf's. */
static void
test_read_build_id (Fixture *f, gconstpointer data)
{
  const char *envs[] = { "IPT_RECORD_PROGRAM_FLOW_STATIC", "IPT_RECORD_PROGRAM_STATUS_STATIC",
                         "IPT_RECORD_PROGRAM_FLOW_DYNAMIC_PIE", "IPT_RECORD_PROGRAM_JIT_STATIC" };

  for (guint i = 0; i < G_N_ELEMENTS (envs); i++)
    {
      g_autofree char *path = NULL, *hex = NULL, *ours = NULL;
      g_autoptr(GBytes) id = NULL;
      g_autoptr(GError) error = NULL;

      program (envs[i], &path, &hex);
      g_assert_true (ipt_perf_files_read_build_id (path, &id, &error));
      g_assert_no_error (error);
      g_assert_nonnull (id);
      ours = ipt_perf_files_build_id_to_hex (id);
      g_assert_cmpstr (ours, ==, hex);
    }
}

static void
test_read_build_id_bad (Fixture *f, gconstpointer data)
{
  g_autofree char *text = g_build_filename (f->tmp, "text", NULL);
  g_autofree char *missing = g_build_filename (f->tmp, "missing", NULL);
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (text, "not an ELF file\n", -1, NULL));
  g_assert_false (ipt_perf_files_read_build_id (text, &id, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not an ELF file"));
  g_assert_null (id);
  g_clear_error (&error);
  g_assert_false (ipt_perf_files_read_build_id (missing, &id, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* perf's cache (DIR/.build-id/XX/REST/elf) comes first: it wins over a
 * file of another build at the recorded path, which is not even read. */
static void
test_find_cache (Fixture *f, gconstpointer data)
{
  g_autoptr(IptPerfFiles) files = files_new (f, NULL, NULL);
  g_autofree char *elf = g_strdup_printf ("%s/.build-id/%.2s/%s/elf", f->cache, f->flow_hex,
                                          f->flow_hex + 2);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  copy_file (f->flow, elf);
  found = find (files, f->status, f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, elf);
  g_clear_pointer (&found, g_free);
  found = find (files, "/no/such/dir/prog", f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, elf);
}

/* perf before 4.4 linked .build-id/XX/REST to the file itself. */
static void
test_find_cache_old_layout (Fixture *f, gconstpointer data)
{
  g_autoptr(IptPerfFiles) files = files_new (f, NULL, NULL);
  g_autofree char *link = g_strdup_printf ("%s/.build-id/%.2s/%s", f->cache, f->flow_hex,
                                           f->flow_hex + 2);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  copy_file (f->flow, link);
  found = find (files, "/no/such/dir/prog", f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, link);
}

/* The vDSO as perf caches it: DIR/[vdso]/ID/vdso. */
static void
test_find_vdso (Fixture *f, gconstpointer data)
{
  g_autoptr(IptPerfFiles) files = files_new (f, NULL, NULL);
  g_autofree char *vdso = g_strdup_printf ("%s/[vdso]/%s/vdso", f->cache, f->flow_hex);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  copy_file (f->flow, vdso);
  found = find (files, "[vdso]", f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, vdso);
  g_clear_pointer (&found, g_free);

  /* another vDSO's build-id: not this one; and without one, nothing to look for */
  found = find (files, "[vdso]", f->status_hex, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_null (found);
  g_assert_nonnull (strstr (error->message, "[vdso]/"));
  g_clear_error (&error);
  found = find (files, "[vdso]", NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "not a file, and no build-id"));
}

/* SYSROOT/PATH before PATH itself. */
static void
test_find_sysroot (Fixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->tmp, "root", NULL);
  g_autofree char *copy = g_build_filename (root, f->flow, NULL);
  g_autoptr(IptPerfFiles) files = NULL;
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  copy_file (f->flow, copy);
  files = files_new (f, root, NULL);
  found = find (files, f->flow, f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, copy);
  g_clear_pointer (&found, g_free);
  /* without a build-id too */
  found = find (files, f->flow, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, copy);
}

static void
test_find_recorded_path (Fixture *f, gconstpointer data)
{
  g_autoptr(IptPerfFiles) files = files_new (f, NULL, NULL);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  found = find (files, f->flow, f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, f->flow);
}

/* Each search directory by basename, colon-separated or repeated. */
static void
test_find_search_path (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_build_filename (f->tmp, "a", NULL);
  g_autofree char *b = g_build_filename (f->tmp, "b", NULL);
  g_autofree char *c = g_build_filename (f->tmp, "c", NULL);
  g_autofree char *ab = g_strdup_printf ("%s:%s", a, b);
  g_autofree char *in_b = g_build_filename (b, "prog", NULL);
  g_autofree char *in_c = g_build_filename (c, "other", NULL);
  const char *search[] = { ab, c, NULL };
  g_autoptr(IptPerfFiles) files = NULL;
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (a, 0755), ==, 0);
  copy_file (f->flow, in_b);
  copy_file (f->status, in_c);
  files = files_new (f, NULL, search);
  found = find (files, "/gone/bin/prog", f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, in_b);
  g_clear_pointer (&found, g_free);
  found = find (files, "/gone/lib/other", f->status_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, in_c);
}

/* A file by name with another build-id: refused with one warning, the
 * search goes on; when nothing matches, the error names every place. */
static void
test_find_mismatch (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->tmp, "dir", NULL);
  g_autofree char *right = g_build_filename (dir, "record-status-static", NULL);
  const char *search[] = { dir, NULL };
  g_autoptr(IptPerfFiles) files = NULL;
  g_autoptr(IptPerfFiles) without = NULL;
  g_autofree char *found = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  /* the recorded path holds record-status-static; the recording's was flow's */
  copy_file (f->flow, right);
  files = files_new (f, NULL, search);
  expected = g_strdup_printf ("*%s: not used: its build-id is %s, the recording's %s*",
                              f->status, f->status_hex, f->flow_hex);
  g_test_expect_message ("ipt-analyze", G_LOG_LEVEL_WARNING, expected);
  found = find (files, f->status, f->flow_hex, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, right);
  g_clear_pointer (&found, g_free);
  /* asked again (another mmap of the file): the answer, no second warning */
  found = find (files, f->status, f->flow_hex, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, right);
  g_clear_pointer (&found, g_free);

  without = files_new (f, NULL, NULL);
  g_test_expect_message ("ipt-analyze", G_LOG_LEVEL_WARNING, expected);
  found = find (without, f->status, f->flow_hex, &error);
  g_test_assert_expected_messages ();
  g_assert_null (found);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  {
    g_autofree char *cached = g_strdup_printf ("%s/.build-id/%.2s/%s/elf (missing)", f->cache,
                                               f->flow_hex, f->flow_hex + 2);
    g_autofree char *refused = g_strdup_printf ("%s (build-id %s)", f->status, f->status_hex);

    g_assert_nonnull (strstr (error->message, cached));
    g_assert_nonnull (strstr (error->message, refused));
    g_assert_nonnull (strstr (error->message, f->flow_hex));
  }
}

/* No build-id recorded: the first file by name, whatever its build. */
static void
test_find_no_build_id (Fixture *f, gconstpointer data)
{
  g_autoptr(IptPerfFiles) files = files_new (f, NULL, NULL);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  found = find (files, f->status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, f->status);
  g_clear_pointer (&found, g_free);
  found = find (files, "//anon", NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "not a file, and no build-id to look it up by");
  g_clear_error (&error);
  found = find (files, "/no/such/file", NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "looked in /no/such/file (missing)"));
}

/* A directory option that names no directory is an error, not silence. */
static void
test_new_bad_dirs (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->tmp, "missing", NULL);
  g_autofree char *both = g_strdup_printf ("%s:%s", f->tmp, missing);
  const char *search[] = { both, NULL };
  IptPerfFiles *files;
  g_autoptr(GError) error = NULL;

  files = ipt_perf_files_new (missing, NULL, NULL, &error);
  g_assert_null (files);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "--sysroot"));
  g_clear_error (&error);
  files = ipt_perf_files_new (NULL, search, NULL, &error);
  g_assert_null (files);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "--search-path"));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  files = ipt_perf_files_new (NULL, NULL, missing, &error);
  g_assert_null (files);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "--buildid-dir"));
}

/* The cache: --buildid-dir, else $PERF_BUILDID_DIR, else ~/.debug (a
 * subprocess: the environment is global). */
static void
test_new_buildid_dir (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(IptPerfFiles) given = NULL, env = NULL, home = NULL;
      g_autofree char *debug = g_build_filename (g_get_home_dir (), ".debug", NULL);

      g_setenv ("PERF_BUILDID_DIR", "/from/env", TRUE);
      given = ipt_perf_files_new (NULL, NULL, f->cache, NULL);
      g_assert_cmpstr (ipt_perf_files_get_buildid_dir (given), ==, f->cache);
      env = ipt_perf_files_new (NULL, NULL, NULL, NULL);
      g_assert_cmpstr (ipt_perf_files_get_buildid_dir (env), ==, "/from/env");
      g_unsetenv ("PERF_BUILDID_DIR");
      home = ipt_perf_files_new (NULL, NULL, NULL, NULL);
      g_assert_cmpstr (ipt_perf_files_get_buildid_dir (home), ==, debug);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ipt-analyze --perf's listing without its "[perf queue ...]" lines. */
static char *
addresses (const char *listing)
{
  g_auto(GStrv) lines = test_split_lines (listing);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && lines[i][0] != '[')
      g_string_append_printf (out, "%s\n", lines[i]);
  return g_string_free (out, FALSE);
}

/* --perf over @perf_data with @extra options: exit status, stderr and
 * whether the instructions decoded are ipt-record's. */
static int
analyze (const char *perf_data, const char * const *extra, const char *ips, char **err,
         gboolean *same)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *listed = NULL;
  int status;

  g_ptr_array_add (argv, (char *) "--perf");
  g_ptr_array_add (argv, (char *) perf_data);
  g_ptr_array_add (argv, (char *) "--no-inst");
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);
  status = test_run_analyze ((const char * const *) argv->pdata, &out, err);
  listed = addresses (out);
  *same = g_strcmp0 (listed, ips) == 0;
  return status;
}

/* A recording whose program has moved: found in perf's own cache (filled
 * by perf inject -b), under --sysroot, in a --search-path; a file of
 * another build at the recorded path is refused with a warning. */
static void
test_cli_moved_program (Fixture *f, gconstpointer data)
{
  g_autofree char *perf = g_find_program_in_path ("perf");
  g_autofree char *bin = g_build_filename (f->tmp, "bin", "prog", NULL);
  g_autofree char *out_dir = g_build_filename (f->tmp, "out", NULL);
  g_autofree char *plain = g_build_filename (out_dir, "perf.data", NULL);
  g_autofree char *injected = g_build_filename (out_dir, "perf-bid.data", NULL);
  g_autofree char *ips_path = g_build_filename (out_dir, "ips", NULL);
  g_autofree char *perf_cache = g_build_filename (f->tmp, "perf-cache", NULL);
  g_autofree char *root = g_build_filename (f->tmp, "root", NULL);
  g_autofree char *in_root = g_build_filename (root, bin, NULL);
  g_autofree char *search = g_build_filename (f->tmp, "search", NULL);
  g_autofree char *in_search = g_build_filename (search, "prog", NULL);
  g_autofree char *search_arg = g_strdup_printf ("%s:%s", f->tmp, search);
  g_autofree char *ips = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  gboolean same;

  if (perf == NULL)
    {
      g_test_skip ("no perf (linux-perf) to add the build-ids");
      return;
    }
  copy_file (f->flow, bin);
  g_assert_cmpint (g_chmod (bin, 0755), ==, 0);
  {
    const char *argv[] = { test_env_path ("IPT_RECORD"), "--no-core", "-o", out_dir, "--", bin, NULL };

    g_assert_cmpint (test_spawn (argv, NULL, NULL), ==, 0);
  }
  {
    const char *argv[] = { perf, "--buildid-dir", perf_cache, "inject", "-b", "-i", plain,
                           "-o", injected, NULL };

    g_assert_cmpint (g_mkdir (perf_cache, 0755), ==, 0);
    g_assert_cmpint (test_spawn (argv, NULL, NULL), ==, 0);
  }
  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);
  copy_file (bin, in_root);
  copy_file (bin, in_search);
  g_assert_cmpint (g_unlink (bin), ==, 0);

  /* perf's own cache */
  g_assert_cmpint (analyze (injected, (const char *[]) { "--buildid-dir", perf_cache, NULL },
                            ips, &err, &same), ==, 0);
  g_assert_true (same);
  g_assert_null (strstr (err, bin));
  /* ipt-record's is intel_pt//u: no kernel to ask --kcore for */
  g_assert_null (strstr (err, "kernel was traced"));
  g_clear_pointer (&err, g_free);
  /* --sysroot; and --search-path, without build-ids too */
  g_assert_cmpint (analyze (injected, (const char *[]) { "--buildid-dir", f->cache, "--sysroot",
                                                         root, NULL }, ips, &err, &same), ==, 0);
  g_assert_true (same);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (analyze (plain, (const char *[]) { "--buildid-dir", f->cache, "--search-path",
                                                      search_arg, NULL }, ips, &err, &same), ==, 0);
  g_assert_true (same);
  g_clear_pointer (&err, g_free);

  /* another build at the recorded path: refused, named, not decoded from */
  copy_file (f->status, bin);
  g_assert_cmpint (analyze (injected, (const char *[]) { "--buildid-dir", f->cache, NULL }, ips,
                            &err, &same), ==, 0);
  g_assert_false (same);
  {
    g_autofree char *warning = g_strdup_printf ("ipt-analyze: warning: %s: not used: its "
                                                "build-id is %s, the recording's %s", bin,
                                                f->status_hex, f->flow_hex);

    g_assert_nonnull (strstr (err, warning));
  }
  g_clear_pointer (&err, g_free);
  /* the same without build-ids in the recording: taken, and it decodes wrong */
  g_assert_cmpint (analyze (plain, (const char *[]) { "--buildid-dir", f->cache, NULL }, ips,
                            &err, &same), ==, 0);
  g_assert_false (same);
  g_assert_null (strstr (err, "not used"));
}

/* The options are for --perf only, and a directory that is none is a
 * command-line error (exit 2). */
static void
test_cli_options (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->tmp, "missing", NULL);
  g_autofree char *perf_data = g_build_filename (f->tmp, "perf.data", NULL);
  struct {
    const char *args[7];          /* NULL-terminated */
    int status;
    const char *message;
  } cases[] = {
    { { "--read", "0:1", "--elf", f->flow, "--sysroot", f->tmp }, 2,
      "--sysroot only applies to --perf" },
    { { "--read", "0:1", "--elf", f->flow, "--search-path", f->tmp }, 2,
      "--search-path only applies to --perf" },
    { { "--read", "0:1", "--elf", f->flow, "--buildid-dir", f->tmp }, 2,
      "--buildid-dir only applies to --perf" },
    { { "--perf", perf_data, "--buildid-dir", missing }, 2, "--buildid-dir" },
  };

  /* a perf.data to get that far: the header of one, refused later if read */
  g_assert_true (g_file_set_contents (perf_data, "PERFILE2", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (test_run_analyze (cases[i].args, NULL, &err), ==, cases[i].status);
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_nonnull (strstr (err, "ipt-analyze: error: "));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/perf-files/build-id/read-matches-readelf", test_read_build_id);
  ADD ("/perf-files/build-id/not-elf-or-missing", test_read_build_id_bad);
  ADD ("/perf-files/find/build-id-cache-first", test_find_cache);
  ADD ("/perf-files/find/build-id-cache-old-layout", test_find_cache_old_layout);
  ADD ("/perf-files/find/vdso-in-cache", test_find_vdso);
  ADD ("/perf-files/find/sysroot-before-recorded-path", test_find_sysroot);
  ADD ("/perf-files/find/recorded-path", test_find_recorded_path);
  ADD ("/perf-files/find/search-path-by-basename", test_find_search_path);
  ADD ("/perf-files/find/build-id-mismatch-refused", test_find_mismatch);
  ADD ("/perf-files/find/no-build-id", test_find_no_build_id);
  ADD ("/perf-files/new/bad-directories", test_new_bad_dirs);
  ADD ("/perf-files/new/buildid-dir-default", test_new_buildid_dir);
  ADD ("/perf-files/cli/moved-program", test_cli_moved_program);
  ADD ("/perf-files/cli/options", test_cli_options);
#undef ADD
  return g_test_run ();
}
