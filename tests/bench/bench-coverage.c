/* bench-coverage.c: one decode of a trace (repeated N times, as
 * bench-common's read_trace_repeated() concatenates it) into an
 * IptCoverage, and its AFL bitmap: what `ipt-analyze --coverage=afl`
 * does, as a whole process to count under callgrind against
 * `ipt-analyze --block-decoder --stat --quiet` (issue 10's comparison
 * with libxdc; tests/bench/callgrind-coverage.sh). Prints an FNV-1a hash
 * of the bitmap (64-bit words: cheap beside the decode, where SHA-256 of
 * 64 KiB costs 3.5 M instructions), so that runs can be checked against
 * each other.
 *
 *   bench-coverage TRACE REPEAT PLUGIN-SPEC [block|insn|afl] [JOBS]
 *
 * "afl" decodes with IptAflDecoder (the packet walk and its path cache)
 * instead, and prints the hash and the number of fallbacks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

static guint64
hash_bitmap (GBytes *bitmap)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bitmap, &size);
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (gsize i = 0; i + 8 <= size; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      h = (h ^ word) * G_GUINT64_CONSTANT (0x100000001b3);
    }
  return h;
}

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
      printf ("%016" G_GINT64_MODIFIER "x %u fallbacks\n", hash_bitmap (bitmap),
              ipt_afl_decoder_get_n_fallbacks (afl));
      return 0;
    }
  decoder = ipt_decoder_new (image, kind);
  if (argc > 5)
    ipt_decoder_set_jobs (decoder, (guint) atoi (argv[5]));
  if (!ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error))
    g_error ("decode: %s", error->message);
  bitmap = ipt_coverage_get_afl_bitmap (coverage);
  printf ("%016" G_GINT64_MODIFIER "x %u blocks %u edges\n", hash_bitmap (bitmap), ipt_coverage_get_n_blocks (coverage),
          ipt_coverage_get_n_edges (coverage));
  return 0;
}
