/* test-coverage-record.c: IptCoverage's lcov and drcov outputs on an
 * ipt-record recording of tests/record/flow.c built with -g (recursion,
 * qsort callbacks, setjmp/longjmp, signals): the lcov counts per line
 * equal what the recording's DIR/ips (every executed instruction) and
 * binutils' addr2line say, with both decoders, and Debian's genhtml
 * renders the file without warnings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-support.h"

/* Runs @argv; returns its stdout, its stderr in *@err, and its exit status. */
static char *
run (const char *const *argv, const char *input, char **err, int *status)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, &out, err, &error));
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  return out;
}

static char *
record (const char *program)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("coverage-record-XXXXXX", &error);
  const char *argv[] = { test_env_path ("IPT_RECORD"), "-o", dir, "--", program, NULL };

  g_assert_no_error (error);
  g_assert_cmpint (test_spawn (argv, NULL, NULL), ==, 0);
  return dir;
}


static IptImage *
elf_image (const char *program)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptMemoryProvider) elf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = g_strdup_printf ("elf:file=%s", program);
  IptImage *image = ipt_image_new ("flow");

  ipt_plugin_registry_scan_default_path (registry);
  elf = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  ipt_image_add_provider (image, elf);
  return image;
}

static char *
line_key (const char *file, guint line)
{
  g_autofree char *canonical = g_canonicalize_filename (file, NULL);

  return g_strdup_printf ("%s:%u", canonical, line);
}

/* (file:line) -> the number of executed instructions of that line, from
 * DIR/ips and addr2line: independent of the decoder and of libdw. */
static GHashTable *
expected_lines (const char *dir, const char *program)
{
  g_autofree char *ips_path = g_build_filename (dir, "ips", NULL);
  g_autofree char *ips = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) by_address = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GPtrArray) addresses = g_ptr_array_new ();
  g_auto(GStrv) ip_lines = NULL;
  g_auto(GStrv) answers = NULL;
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "addr2line", "-e", program, NULL };
  GHashTable *lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int status;

  g_assert_true (g_file_get_contents (ips_path, &ips, NULL, &error));
  g_assert_no_error (error);
  ip_lines = g_strsplit (ips, "\n", -1);
  for (guint i = 0; ip_lines[i] != NULL; i++)
    {
      gpointer count;

      if (ip_lines[i][0] == '\0')
        continue;
      if (!g_hash_table_lookup_extended (by_address, ip_lines[i], NULL, &count))
        {
          g_ptr_array_add (addresses, ip_lines[i]);
          g_string_append_printf (input, "0x%s\n", ip_lines[i]);
          count = GUINT_TO_POINTER (0);
        }
      g_hash_table_insert (by_address, ip_lines[i], GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
    }

  out = run (argv, input->str, &err, &status);
  g_assert_cmpint (status, ==, 0);
  answers = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (answers), ==, addresses->len + 1);
  for (guint i = 0; i < addresses->len; i++)
    {
      char *answer = answers[i], *colon, *space;
      guint64 line;

      /* "FILE:LINE", "FILE:LINE (discriminator N)", "??:0", "??:?" */
      if ((space = strstr (answer, " (discriminator")) != NULL)
        *space = '\0';
      colon = strrchr (answer, ':');
      g_assert_nonnull (colon);
      *colon = '\0';
      if (g_str_equal (answer, "??") ||
          !g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT, &line, NULL))
        continue;
      {
        char *key = line_key (answer, (guint) line);
        guint count = GPOINTER_TO_UINT (g_hash_table_lookup (by_address, addresses->pdata[i]));

        g_hash_table_insert (lines, key,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (lines, key)) +
                                               count));
      }
    }
  return lines;
}

static void
check_lcov (const char *info, GHashTable *expected)
{
  g_auto(GStrv) records = g_strsplit (info, "\n", -1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *file = NULL;
  guint n_da = 0, n_lf = 0, n_lh = 0, n_hit = 0, n_files = 0;

  for (guint i = 0; records[i] != NULL; i++)
    {
      const char *r = records[i];

      if (g_str_has_prefix (r, "SF:"))
        {
          g_free (file);
          file = g_strdup (r + 3);
          n_da = n_hit = 0;
          n_files++;
        }
      else if (g_str_has_prefix (r, "DA:"))
        {
          guint line;
          guint64 count;
          g_autofree char *key = NULL;

          g_assert_nonnull (file);
          g_assert_cmpint (sscanf (r, "DA:%u,%" G_GUINT64_FORMAT, &line, &count), ==, 2);
          key = line_key (file, line);
          if (count != GPOINTER_TO_UINT (g_hash_table_lookup (expected, key)))
            g_test_message ("%s: lcov %" G_GUINT64_FORMAT ", addr2line %u", key, count,
                            GPOINTER_TO_UINT (g_hash_table_lookup (expected, key)));
          g_assert_cmpuint (count, ==, GPOINTER_TO_UINT (g_hash_table_lookup (expected, key)));
          g_assert_false (g_hash_table_contains (seen, key));
          g_hash_table_add (seen, g_steal_pointer (&key));
          n_da++;
          n_hit += count > 0;
        }
      else if (sscanf (r, "LF:%u", &n_lf) == 1)
        g_assert_cmpuint (n_lf, ==, n_da);
      else if (sscanf (r, "LH:%u", &n_lh) == 1)
        g_assert_cmpuint (n_lh, ==, n_hit);
      else
        g_assert_true (r[0] == '\0' || g_str_equal (r, "TN:") || g_str_equal (r, "end_of_record"));
    }
  g_assert_cmpuint (n_files, >, 0);
  /* every line the listing ran is in the file */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (seen, key))
        g_test_message ("%s: not in the lcov file", (const char *) key);
    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_assert_true (g_hash_table_contains (seen, key));
  }
  g_test_message ("%u source files, %u lines ran", n_files, g_hash_table_size (expected));
}

static void
test_lcov_flow (void)
{
  const char *program = test_env_path ("IPT_RECORD_PROGRAM_FLOW_STATIC_G");
  g_autofree char *dir = record (program);
  g_autofree char *trace = g_build_filename (dir, "trace.pt", NULL);
  g_autofree char *info_path = g_build_filename (dir, "coverage.info", NULL);
  g_autofree char *html = g_build_filename (dir, "html", NULL);
  g_autoptr(IptImage) image = elf_image (program);
  g_autoptr(GHashTable) expected = expected_lines (dir, program);
  g_autofree char *block_info = NULL;

  g_assert_cmpuint (g_hash_table_size (expected), >, 20);
  for (IptDecoderKind kind = IPT_DECODER_KIND_BLOCK; kind <= IPT_DECODER_KIND_INSN; kind++)
    {
      g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
      g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GError) error = NULL;
      g_autofree char *info = NULL;

      g_assert_true (ipt_decoder_decode_file (decoder, trace, 0, 0, IPT_SINK (coverage), NULL,
                                              &error));
      g_assert_no_error (error);
      g_assert_true (ipt_coverage_write_lcov (coverage, image, NULL, out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
      g_assert_true (g_output_stream_close (out, NULL, &error));
      info = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
      check_lcov (info, expected);
      if (block_info == NULL)
        block_info = g_steal_pointer (&info);
      else
        g_assert_cmpstr (info, ==, block_info);
    }

  g_assert_true (g_file_set_contents (info_path, block_info, -1, NULL));
  {
    const char *argv[] = { "genhtml", "--quiet", "-o", html, info_path, NULL };
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *index = g_build_filename (html, "index.html", NULL);
    int status;

    out = run (argv, NULL, &err, &status);
    g_test_message ("genhtml: %s%s", out, err);
    g_assert_cmpint (status, ==, 0);
    g_assert_null (strstr (err, "WARNING"));
    g_assert_null (strstr (out, "WARNING"));
    g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  }
  test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/coverage/record/lcov-equals-addr2line", test_lcov_flow);

  return g_test_run ();
}
