/* bench-parallel.c: a parallel decode (ipt_decoder_set_jobs()) against the
 * serial one, in the same run: the corpus's mruby trace repeated 8x, over
 * the raw plugin's image of image.bin, into an IptStatistics and into an
 * IptCoverage (what `--coverage=afl` needs: its bitmap), with the block
 * and the insn decoder. Prints seconds (medians) and the ratio serial /
 * parallel per analysis and decoder. The first round warms the block cache and
 * the page cache and is not counted; the order alternates every round.
 * Environment: IPT_CORPUS_DIR, IPT_PLUGIN_PATH, IPT_BENCH_ROUNDS (measured
 * rounds, default 3), IPT_BENCH_REPEAT (copies of the trace, default 8),
 * IPT_BENCH_JOBS (the parallel decode's jobs, default 2). Not a test:
 * only different results (instructions, bitmaps) fail.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

typedef enum { ANALYSIS_STATISTICS, ANALYSIS_COVERAGE, N_ANALYSES } Analysis;

static const char *const analysis_names[N_ANALYSES] = { "statistics", "coverage (AFL)" };

/* One decode; *@result: what it found (instructions, or the bitmap's
 * digest), for the runs to agree on. */
static gdouble
decode_once (IptImage *image, IptDecoderKind kind, Analysis analysis, guint jobs, GBytes *trace,
             char **result, guint *segments, gdouble *cpu)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(IptSink) sink = analysis == ANALYSIS_COVERAGE ? IPT_SINK (ipt_coverage_new ())
                                                          : IPT_SINK (ipt_statistics_new ());
  g_autoptr(GError) error = NULL;
  gint64 start;
  gdouble seconds;

  ipt_decoder_set_jobs (decoder, jobs);
  *cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  if (!ipt_decoder_decode_bytes (decoder, trace, sink, NULL, &error))
    g_error ("decode: %s", error->message);
  if (analysis == ANALYSIS_COVERAGE)
    {
      /* the bitmap is part of the work, as for the CLI */
      g_autoptr(GBytes) bitmap = ipt_coverage_get_afl_bitmap (IPT_COVERAGE (sink));

      *result = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bitmap);
    }
  else
    *result = g_strdup_printf ("%" G_GUINT64_FORMAT,
                               ipt_statistics_get_n_insns (IPT_STATISTICS (sink)));
  *cpu = cpu_seconds () - *cpu;
  seconds = (g_get_monotonic_time () - start) / 1e6;
  *segments = ipt_decoder_get_n_segments (decoder);
  return seconds;
}

int
main (int argc, char **argv)
{
  guint repeat = env_uint ("IPT_BENCH_REPEAT", 8, 64);
  guint rounds = env_uint ("IPT_BENCH_ROUNDS", 3, 63);
  guint jobs = env_uint ("IPT_BENCH_JOBS", 2, 1024);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptImage) image = NULL;
  g_autoptr(GBytes) trace = NULL;
  const guint n_jobs[2] = { 1, jobs };
  gsize size;

  image = mruby_repeated (registry, repeat, &trace);
  size = g_bytes_get_size (trace);

  printf ("# mruby trace x%u (%" G_GSIZE_FORMAT " bytes), %u processors, "
          "%u measured rounds\n", repeat, size, g_get_num_processors (), rounds);
  printf ("| analysis | decoder | jobs 1 (s) | jobs %u (s) | segments | ratio | CPU s, jobs 1 | CPU s, jobs %u |\n"
          "|---|---|---|---|---|---|---|---|\n", jobs, jobs);
  for (int analysis = 0; analysis < N_ANALYSES; analysis++)
    for (int kind = IPT_DECODER_KIND_BLOCK; kind <= IPT_DECODER_KIND_INSN; kind++)
      {
        gdouble seconds[2][BENCH_MAX_ROUNDS], cpu[2][BENCH_MAX_ROUNDS];
        g_autofree char *results[2] = { NULL, NULL };
        guint segments = 0;

        for (guint r = 0; r <= rounds; r++)
          for (guint k = 0; k < 2; k++)
            {
              guint which = (k + r) % 2;
              guint n_segments;
              g_autofree char *result = NULL;
              gdouble c;
              gdouble s = decode_once (image, kind, analysis, n_jobs[which], trace, &result,
                                       &n_segments, &c);

              if (results[which] != NULL && g_strcmp0 (results[which], result) != 0)
                g_error ("jobs %u: %s, then %s", n_jobs[which], results[which], result);
              g_free (results[which]);
              results[which] = g_steal_pointer (&result);
              if (which == 1)
                segments = n_segments;
              if (r > 0)
                {
                  seconds[which][r - 1] = s;
                  cpu[which][r - 1] = c;
                }
            }
        if (g_strcmp0 (results[0], results[1]) != 0)
          g_error ("%s: jobs 1: %s, jobs %u: %s", analysis_names[analysis], results[0], jobs,
                   results[1]);
        printf ("| %s | %s | %.3f | %.3f | %u | %.2fx | %.3f | %.3f |\n",
                analysis_names[analysis], kind == IPT_DECODER_KIND_BLOCK ? "block" : "insn",
                median (seconds[0], rounds), median (seconds[1], rounds), segments,
                median (seconds[0], rounds) / median (seconds[1], rounds),
                median (cpu[0], rounds), median (cpu[1], rounds));
      }
  return 0;
}
