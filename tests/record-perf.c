/* record-perf.c: perf decodes ipt-record's DIR/perf.data to exactly
 * DIR/ips: `perf script --itrace=i0ns -F ip` lists every executed user
 * instruction, `--itrace=e` reports no decode error, perf exits 0; and so
 * does `ipt-analyze --perf DIR/perf.data`.  A
 * missing perf fails the test (.ci/setup installs linux-perf): a silent
 * skip would hide that the second oracle never ran.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "record-perf.h"
#include "test-support.h"

#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <ipt-analyze/ipt-analyze.h>

/* perf @command -i @perf_data @arg @arg2…; returns its stdout, asserting
 * exit 0. */
static char *
run_perf (const char *perf, const char *command, const char *perf_data, const char *arg,
          const char *arg2, const char *arg3)
{
  char *out = NULL;
  const char *argv[] = { perf, command, "-i", perf_data, arg, arg2, arg3, NULL };

  g_assert_cmpint (test_spawn (argv, &out, NULL), ==, 0);
  return out;
}

static char *
find_perf (void)
{
  char *perf = g_find_program_in_path ("perf");

  if (perf == NULL)
    g_test_fail_printf ("perf is not on PATH: install linux-perf (.ci/setup does)");
  return perf;
}

/* perf's "   4014f0" lines in DIR/ips's format ("00000000004014f0"). */
static char *
to_ips_format (const char *listing)
{
  GString *result = g_string_new (NULL);
  const char *p = listing;

  while (*p != '\0')
    {
      char *end;
      guint64 ip;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      ip = g_ascii_strtoull (p, &end, 16);
      g_assert_true (end != p && *end == '\n');
      g_string_append_printf (result, "%016" G_GINT64_MODIFIER "x\n", ip);
      p = end + 1;
    }
  return g_string_free (result, FALSE);
}

/* The one attr's sample_type, read from the file header's attrs section. */
static guint64
sample_type (const char *contents, gsize length)
{
  guint64 attrs_offset, type;

  g_assert_cmpuint (length, >=, 104);
  g_assert_cmpmem (contents, 8, "PERFILE2", 8);
  memcpy (&attrs_offset, contents + 24, sizeof attrs_offset);
  g_assert_cmpuint (attrs_offset + 32, <=, length);
  memcpy (&type, contents + attrs_offset + 24, sizeof type);
  return type;
}

/* perf decodes DIR/@name to DIR/ips. */
static void
assert_file_decodes (const char *perf, const char *dir, const char *name, gboolean timed)
{
  g_autofree char *perf_data = g_build_filename (dir, name, NULL);
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *ips = NULL, *contents = NULL, *listing = NULL, *errors = NULL;
  g_autofree char *decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (perf_data, &contents, &length, &error);
  g_assert_no_error (error);
  /* Timed: samples carry the time, and perf decodes in time order. */
  g_assert_cmpint (!!(sample_type (contents, length) & PERF_SAMPLE_TIME), ==, !!timed);
  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);

  errors = run_perf (perf, "script", perf_data, "--itrace=e", NULL, NULL);
  g_assert_cmpstr (errors, ==, "");
  listing = run_perf (perf, "script", perf_data, "--itrace=i0ns", "-Fip", NULL);
  decoded = to_ips_format (listing);
  g_assert_cmpuint (strlen (decoded), ==, strlen (ips));
  g_assert_true (strcmp (decoded, ips) == 0);
}

/* ipt-analyze --perf DIR/perf.data --no-inst @extra…: the memory from
 * the files its mmaps name, the vDSO (and anything else not in a file)
 * from DIR/core when the recording has one and @with_core. Returns the listing minus its
 * "[...]" lines (the queue header, threads, events); @out and @err get
 * all of stdout and stderr. */
static char *
ipt_analyze_listing (const char *dir, gboolean with_core, const char *const *extra, char **out,
                     char **err)
{
  g_autofree char *perf_data = g_build_filename (dir, "perf.data", NULL);
  g_autofree char *core = g_build_filename (dir, "core", NULL);
  g_autofree char *core_spec = g_strdup_printf ("coredump:core=%s", core);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GString) listed = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (argv, (char *) test_env_path ("IPT_ANALYZE"));
  g_ptr_array_add (argv, "--perf");
  g_ptr_array_add (argv, perf_data);
  g_ptr_array_add (argv, "--no-inst");
  if (with_core && g_file_test (core, G_FILE_TEST_EXISTS))
    {
      g_ptr_array_add (argv, "--plugin");
      g_ptr_array_add (argv, core_spec);
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (test_spawn ((const char *const *) argv->pdata, out, err), ==, 0);
  lines = test_split_lines (*out);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && lines[i][0] != '[')
      g_string_append_printf (listed, "%s\n", lines[i]);
  return g_string_free (g_steal_pointer (&listed), FALSE);
}

/* ipt-analyze --perf DIR/perf.data --no-inst lists DIR/ips. */
static void
assert_ipt_analyze_decodes (const char *dir)
{
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *out = NULL, *err = NULL, *ips = NULL;
  g_autofree char *listed = ipt_analyze_listing (dir, TRUE, NULL, &out, &err);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (listed), ==, strlen (ips));
  g_assert_true (strcmp (listed, ips) == 0);
}

/* DIR/vdso.bin: the vDSO's bytes from DIR/core, where DIR/perf.data maps
 * it; returns "DIR/vdso.bin:ADDRESS" for --raw. */
static char *
extract_vdso (const char *dir)
{
  g_autofree char *perf_path = g_build_filename (dir, "perf.data", NULL);
  g_autofree char *core = g_build_filename (dir, "core", NULL);
  g_autofree char *spec = g_strdup_printf ("coredump:core=%s", core);
  g_autofree char *out = g_build_filename (dir, "vdso.bin", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IptPerfData) perf = ipt_perf_data_new_from_file (perf_path, &error);
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GPtrArray) mappings = NULL;
  const IptPerfMapping *vdso = NULL;
  g_autofree guint8 *bytes = NULL;

  g_assert_no_error (error);
  mappings = ipt_perf_data_list_mappings (perf, -1);
  for (guint i = 0; i < mappings->len; i++)
    if (strcmp (((const IptPerfMapping *) mappings->pdata[i])->filename, "[vdso]") == 0)
      vdso = mappings->pdata[i];
  g_assert_nonnull (vdso);
  provider = ipt_plugin_registry_new_provider (ipt_plugin_registry_get_default (), spec, NULL,
                                               &error);
  g_assert_no_error (error);
  bytes = g_malloc (vdso->length);
  g_assert_cmpint (ipt_memory_provider_read (provider, bytes, vdso->length, NULL,
                                             vdso->address, &error), ==, vdso->length);
  g_assert_no_error (error);
  g_file_set_contents (out, (const char *) bytes, vdso->length, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x", out, vdso->address);
}

/* DIR/perf.data (timed or not) decodes with perf, and with ipt-analyze
 * --perf, to DIR/ips: three-way agreement, two decoders that share no code. */
void
record_perf_assert_decodes (const char *dir, gboolean timed)
{
  g_autofree char *perf = find_perf ();

  if (perf != NULL)
    assert_file_decodes (perf, dir, "perf.data", timed);
  assert_ipt_analyze_decodes (dir);
}

/* A JIT's recording, perf's way: `perf inject --jit` reads the jitdump
 * its marker mmap names (writing jitted-PID-N.so beside it) into
 * DIR/perf.jit.data, whose JIT code then decodes too. */
void
record_perf_assert_jit_decodes (const char *dir)
{
  g_autofree char *perf = find_perf ();
  g_autofree char *perf_data = g_build_filename (dir, "perf.data", NULL);
  g_autofree char *injected = g_build_filename (dir, "perf.jit.data", NULL);
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *out = NULL, *err = NULL, *ips = NULL, *vdso = NULL, *listed = NULL;
  g_autoptr(GError) error = NULL;

  if (perf != NULL)
    {
      g_autofree char *injected_out = run_perf (perf, "inject", perf_data, "--jit", "-o",
                                                injected);

      assert_file_decodes (perf, dir, "perf.jit.data", TRUE);
    }
  /* ipt-analyze's way: a jitmap on the jitdump the marker mmap names,
   * over the files; only the vDSO given (from the core: the core would
   * outrank the jitdump with the JIT code as it was at the end) */
  vdso = extract_vdso (dir);
  {
    const char *const extra[] = { "--raw", vdso, NULL };

    listed = ipt_analyze_listing (dir, FALSE, extra, &out, &err);
  }
  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (strcmp (listed, ips) == 0);
  g_assert_null (strstr (err, "warning"));
}

/* ipt-record traces one thread: its per-thread queue. --tid and --pid
 * of it list exactly DIR/ips under its "[thread: …]" line; another
 * thread lists nothing and the warning names the traced one. */
void
record_perf_assert_thread_filters (const char *dir)
{
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *out = NULL, *err = NULL, *ips = NULL, *listed = NULL;
  g_autofree char *tid_text = NULL, *pid_text = NULL, *other = NULL, *thread_line = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pid = -1, tid = -1;
  const char *at;

  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);
  g_free (ipt_analyze_listing (dir, TRUE, NULL, &out, &err));
  at = strstr (out, "[thread: pid ");
  g_assert_nonnull (at);
  g_assert_cmpint (sscanf (at, "[thread: pid %" G_GINT64_FORMAT ", tid %" G_GINT64_FORMAT,
                           &pid, &tid), ==, 2);
  g_assert_nonnull (strstr (out, "[perf queue 0, tid "));
  tid_text = g_strdup_printf ("%" G_GINT64_FORMAT, tid);
  pid_text = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  other = g_strdup_printf ("%" G_GINT64_FORMAT, tid + 100000);
  thread_line = g_strdup_printf ("[thread: pid %s, tid %s, comm ", pid_text, tid_text);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    const char *const by_tid[] = { "--tid", tid_text, NULL };

    listed = ipt_analyze_listing (dir, TRUE, by_tid, &out, &err);
    g_assert_true (strcmp (listed, ips) == 0);
    g_assert_nonnull (strstr (out, thread_line));
    g_clear_pointer (&listed, g_free);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *const by_pid[] = { "--pid", pid_text, "--quiet", "--stat", NULL };
    g_autofree char *count = NULL;
    guint n_ips = 0;

    for (const char *p = ips; *p != '\0'; p++)
      n_ips += *p == '\n';
    count = g_strdup_printf ("insn: %u.\n", n_ips);

    g_free (ipt_analyze_listing (dir, TRUE, by_pid, &out, &err));
    /* the thread's statistics, then the total: the same count */
    g_assert_true (g_str_has_prefix (out, thread_line));
    g_assert_nonnull (strstr (out, count));
    g_assert_nonnull (strstr (strstr (out, "[total]\n"), count));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *const by_other[] = { "--tid", other, NULL };
    g_autofree char *named = g_strdup_printf ("%s/%s", pid_text, tid_text);

    listed = ipt_analyze_listing (dir, TRUE, by_other, &out, &err);
    g_assert_cmpstr (listed, ==, "");
    g_assert_cmpstr (out, ==, "");
    g_assert_nonnull (strstr (err, "nothing these threads ran was decoded"));
    g_assert_nonnull (strstr (err, named));
  }
}
