/* record-perf.c: perf decodes ipt-record's DIR/perf.data to exactly
 * DIR/ips: `perf script --itrace=i0ns -F ip` lists every executed user
 * instruction, `--itrace=e` reports no decode error, perf exits 0; and so
 * does `ipt-analyze --perf DIR/perf.data` (a JIT's too, from the jitdump
 * its marker mmap names).  A
 * missing perf fails the test (.ci/setup installs linux-perf): a silent
 * skip would hide that the second oracle never ran.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "record-perf.h"

#include <linux/perf_event.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <ipt-analyze/ipt-analyze.h>

/* perf @command -i @perf_data @arg @arg2…; returns its stdout, asserting
 * exit 0. */
static char *
run_perf (const char *perf, const char *command, const char *perf_data, const char *arg,
          const char *arg2, const char *arg3)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  char *out = NULL;
  const char *argv[] = { perf, command, "-i", perf_data, arg, arg2, arg3, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  line = g_strjoinv (" ", (char **) argv);
  g_test_message ("%s: stderr: %s", line, err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
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

/* ipt-analyze --perf DIR/perf.data --no-inst @memory lists DIR/ips;
 * returns its stderr. */
static char *
assert_ipt_analyze_lists_ips (const char *dir, const char *memory_option, const char *memory)
{
  g_autofree char *perf_data = g_build_filename (dir, "perf.data", NULL);
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *out = NULL, *ips = NULL;
  char *err = NULL;
  g_autoptr(GString) listed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { g_getenv ("IPT_ANALYZE"), "--perf", perf_data, "--no-inst",
                         memory_option, memory, NULL };
  int status;

  g_assert_nonnull (argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("ipt-analyze --perf %s %s %s: stderr: %s", perf_data,
                  memory_option != NULL ? memory_option : "", memory != NULL ? memory : "", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* the listing minus its "[...]" lines: the queue header, events */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && lines[i][0] != '[')
      g_string_append_printf (listed, "%s\n", lines[i]);
  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, strlen (ips));
  g_assert_true (strcmp (listed->str, ips) == 0);
  return err;
}

/* ipt-analyze --perf lists DIR/ips: the memory from the files its mmaps
 * name, the vDSO (and anything else not in a file) from DIR/core when the
 * recording has one. */
static void
assert_ipt_analyze_decodes (const char *dir)
{
  g_autofree char *core = g_build_filename (dir, "core", NULL);
  g_autofree char *core_spec = g_strdup_printf ("coredump:core=%s", core);
  gboolean have_core = g_file_test (core, G_FILE_TEST_EXISTS);

  g_free (assert_ipt_analyze_lists_ips (dir, have_core ? "--plugin" : NULL, core_spec));
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
  g_autofree char *out = NULL;

  g_autofree char *vdso = NULL, *err = NULL;

  if (perf != NULL)
    {
      out = run_perf (perf, "inject", perf_data, "--jit", "-o", injected);
      assert_file_decodes (perf, dir, "perf.jit.data", TRUE);
    }
  /* ipt-analyze's way: a jitmap on the jitdump the marker mmap names,
   * over the files; only the vDSO given (from the core: the core would
   * outrank the jitdump with the JIT code as it was at the end) */
  vdso = extract_vdso (dir);
  err = assert_ipt_analyze_lists_ips (dir, "--raw", vdso);
  g_assert_null (strstr (err, "warning"));
}
