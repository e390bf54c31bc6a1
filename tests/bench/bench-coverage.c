/* bench-coverage.c: one decode of a trace (repeated N times, as
 * bench-common's read_trace_repeated() concatenates it) into an
 * IptCoverage, and its AFL bitmap: what `ipt-analyze --coverage=afl`
 * does, as a whole process to count under callgrind against
 * `ipt-analyze --block-decoder --stat --quiet` (issue 10's comparison
 * with libxdc; tests/bench/callgrind-coverage.sh). Prints the bitmap's
 * SHA-256, so that runs can be checked against each other.
 *
 *   bench-coverage TRACE REPEAT PLUGIN-SPEC [block|insn|afl] [JOBS]
 *
 * "afl" decodes with IptAflDecoder (the packet walk and its path cache)
 * instead, and prints the bitmap's SHA-256 and the number of fallbacks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

int
main (int argc, char **argv)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptImage) image = NULL;
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(GBytes) trace = NULL;
  g_autoptr(GBytes) bitmap = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = NULL;
  IptDecoderKind kind = IPT_DECODER_KIND_BLOCK;
  guint8 *data;
  gsize size;

  if (argc < 4)
    {
      fprintf (stderr, "usage: %s TRACE REPEAT PLUGIN-SPEC [block|insn|afl] [JOBS]\n", argv[0]);
      return 2;
    }
  if (argc > 4 && g_str_equal (argv[4], "insn"))
    kind = IPT_DECODER_KIND_INSN;
  data = read_trace_repeated (argv[1], (guint) atoi (argv[2]), &size);
  trace = g_bytes_new_take (data, size);
  ipt_plugin_registry_scan_default_path (registry);
  image = image_from_plugin (registry, argv[3]);
  if (argc > 4 && g_str_equal (argv[4], "afl"))
    {
      g_autoptr(IptAflDecoder) afl = ipt_afl_decoder_new (image);

      if (!ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error))
        g_error ("decode: %s", error->message);
      bitmap = ipt_afl_decoder_get_bitmap (afl);
      sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bitmap);
      printf ("%s %u fallbacks\n", sum, ipt_afl_decoder_get_n_fallbacks (afl));
      return 0;
    }
  decoder = ipt_decoder_new (image, kind);
  if (argc > 5)
    ipt_decoder_set_jobs (decoder, (guint) atoi (argv[5]));
  if (!ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error))
    g_error ("decode: %s", error->message);
  bitmap = ipt_coverage_get_afl_bitmap (coverage);
  sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bitmap);
  printf ("%s %u blocks %u edges\n", sum, ipt_coverage_get_n_blocks (coverage),
          ipt_coverage_get_n_edges (coverage));
  return 0;
}
