/* test-afl-decoder-record.c: IptAflDecoder on ipt-record recordings of
 * the project's test programs (tests/record/: recursion, qsort callbacks,
 * setjmp/longjmp, signals, threads; ipt-record compresses returns): the
 * fast walk decodes them itself (no fall back) and its bitmap equals the
 * one an IptCoverage computes from libipt's block decoder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-support.h"

static void
test_recording (gconstpointer data)
{
  const char *program = test_env_path (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("afl-record-XXXXXX", &error);
  const char *argv[] = { test_env_path ("IPT_RECORD"), "-o", dir, "--", program, NULL };
  g_autofree char *trace_path = g_build_filename (dir, "trace.pt", NULL);
  g_autofree char *spec = g_strdup_printf ("elf:file=%s", program);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptMemoryProvider) elf = NULL;
  g_autoptr(IptImage) image = ipt_image_new ("recording");
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(IptAflDecoder) afl = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) bitmap = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) trace = NULL;
  const guint8 *counters;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpint (test_spawn (argv, NULL, NULL), ==, 0);
  ipt_plugin_registry_scan_default_path (registry);
  elf = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  ipt_image_add_provider (image, elf);
  mapped = g_mapped_file_new (trace_path, FALSE, &error);
  g_assert_no_error (error);
  trace = g_mapped_file_get_bytes (mapped);

  decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error));
  g_assert_no_error (error);
  expected = ipt_coverage_get_afl_bitmap (coverage);

  afl = ipt_afl_decoder_new (image);
  g_assert_true (ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ipt_afl_decoder_get_last_fallback (afl), ==, IPT_AFL_FALLBACK_NONE);
  bitmap = ipt_afl_decoder_get_bitmap (afl);
  g_assert_true (g_bytes_equal (bitmap, expected));
  counters = g_bytes_get_data (bitmap, NULL);
  for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
    n += counters[i] != 0;
  g_assert_cmpuint (n, >, 10);
  test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  static const char *const programs[] = {
    "IPT_RECORD_PROGRAM_FLOW_STATIC", "IPT_RECORD_PROGRAM_CALLS_STATIC",
    "IPT_RECORD_PROGRAM_ASYNC_STATIC",
  };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *lower = g_ascii_strdown (programs[i] + strlen ("IPT_RECORD_PROGRAM_"), -1);
      g_autofree char *path = g_strdup_printf ("/afl-decoder/record/%s", lower);

      g_test_add_data_func (path, programs[i], test_recording);
    }
  return g_test_run ();
}
