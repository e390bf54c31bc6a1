/* record-perf.c: perf decodes ipt-record's DIR/perf.data to exactly
 * DIR/ips: `perf script --itrace=i0ns -F ip` lists every executed user
 * instruction, `--itrace=e` reports no decode error, perf exits 0.  A
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

/* perf @args… on @perf_data; returns its stdout, asserting exit 0. */
static char *
run_perf (const char *perf, const char *perf_data, const char *itrace, const char *fields)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *argv[] = { perf, "script", "-i", perf_data, itrace, fields, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("%s script %s %s: stderr: %s", perf, itrace, fields != NULL ? fields : "",
                  err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return out;
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

void
record_perf_assert_decodes (const char *dir, gboolean timed)
{
  g_autofree char *perf = g_find_program_in_path ("perf");
  g_autofree char *perf_data = g_build_filename (dir, "perf.data", NULL);
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *ips = NULL, *contents = NULL, *listing = NULL, *errors = NULL;
  g_autofree char *decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (perf == NULL)
    {
      g_test_fail_printf ("perf is not on PATH: install linux-perf (.ci/setup does)");
      return;
    }
  g_file_get_contents (perf_data, &contents, &length, &error);
  g_assert_no_error (error);
  /* Timed: samples carry the time, and perf decodes in time order. */
  g_assert_cmpint (!!(sample_type (contents, length) & PERF_SAMPLE_TIME), ==, !!timed);
  g_file_get_contents (ips_path, &ips, NULL, &error);
  g_assert_no_error (error);

  errors = run_perf (perf, perf_data, "--itrace=e", NULL);
  g_assert_cmpstr (errors, ==, "");
  listing = run_perf (perf, perf_data, "--itrace=i0ns", "-Fip");
  decoded = to_ips_format (listing);
  g_assert_cmpuint (strlen (decoded), ==, strlen (ips));
  g_assert_true (strcmp (decoded, ips) == 0);
}
