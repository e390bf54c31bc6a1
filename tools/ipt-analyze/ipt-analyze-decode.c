/* ipt-analyze-decode.c: the decodes the command line runs, --pt FILE and
 * --perf FILE (each queue in turn), into one output: the listing on
 * stdout, --stat and the analyses beside it in one pass, then the
 * analyses' files, the statistics and what stopped the decode, as an exit
 * status. main() (ipt-analyze.c) builds the image and calls one of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-analyze-decode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <intel-pt.h>

#include "ipt-analyze-analyses.h"
#include "ipt-analyze-image.h"
#include "ipt-analyze-perf.h"
#include "ipt-listing-sink.h"
#include "ipt-stat-json.h"
#include "ipt-stat-print.h"
#include "ipt-tee-sink.h"
#include "ipt-tool-log.h"

static void
on_progress (IptDecoder *decoder, guint64 offset, guint64 size, gpointer user_data)
{
  guint percent = size > 0 ? (guint) (offset * 100 / size) : 100;

  fprintf (stderr, "\r" PROGRAM ": decoding %3u%% (%" PRIu64 " of %" PRIu64 " bytes)",
           MIN (percent, 100u), offset, size);
  fflush (stderr);
  *(gboolean *) user_data = TRUE;
}

static int
check_trace (const IptAnalyzeOptions *options)
{
  g_autoptr(GError) error = NULL;

  if (!ipt_analyze_check_trace (options, &error))
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "%s", error->message);
  return IPT_ANALYZE_EXIT_OK;
}

/* What a decode writes to: the listing (which prints decode errors even
 * under --quiet) and, with --stat and the analyses, their sinks beside it,
 * all fed in one pass. */
typedef struct {
  IptListingSink *listing;
  IptStatistics *stats;
  IptAnalyzeAnalyses *analyses;
  IptTeeSink *tee;
  IptSink *sink;
  IptPerfThreadSink *threads;   /* --perf: before the others, statistics per thread */
} Output;

static gboolean
has_analyses (const IptAnalyzeOptions *options)
{
  return ipt_analyze_options_call_analysis (options) != NULL || options->coverages->len > 0;
}

/* The analyses' files open before anything decodes: exit 1 naming one
 * that cannot be written. @analysis_image names the code the analyses see. */
static int
output_init (Output *out, IptImage *image, IptImage *analysis_image,
             const IptAnalyzeOptions *options)
{
  g_autoptr(GPtrArray) sinks = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  IptListingFlags flags = 0;

  memset (out, 0, sizeof *out);
  if (has_analyses (options))
    {
      out->analyses = ipt_analyze_analyses_new (options, analysis_image, &error);
      if (out->analyses == NULL)
        return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "%s", error->message);
    }

  if (!options->quiet)
    flags = IPT_LISTING_INSNS | IPT_LISTING_EVENTS |
            (options->no_inst ? 0 : IPT_LISTING_DISASSEMBLE);
  out->listing = ipt_listing_sink_new (stdout, flags);
  if (flags & IPT_LISTING_DISASSEMBLE)
    {
      g_autoptr(IptSymbolResolver) symbols =
        ipt_symbol_resolver_new_for_model (ipt_image_get_providers (image));

      ipt_listing_sink_set_symbols (out->listing, symbols);
    }
  if (options->stat)
    {
      out->stats = ipt_statistics_new ();
      g_ptr_array_add (sinks, out->stats);
    }
  if (out->analyses != NULL)
    ipt_analyze_analyses_add_sinks (out->analyses, sinks);
  g_ptr_array_add (sinks, out->listing);
  out->sink = IPT_SINK (out->listing);
  if (sinks->len > 1)
    {
      out->tee = ipt_tee_sink_new_for ((IptSink * const *) sinks->pdata, sinks->len);
      out->sink = IPT_SINK (out->tee);
    }
  return IPT_ANALYZE_EXIT_OK;
}

/* The jobs of a decode into @out: --jobs, unless a result would differ
 * from the serial decode's: a sink that does not split (the decode would
 * be serial anyway), or --stat's block count, which depends on libipt's
 * block cache and so on how segments filled it (docs/parallel-decode.md). */
static void
output_set_jobs (Output *out, IptDecoder *decoder, const IptAnalyzeOptions *options)
{
  const char *why = NULL;

  if (!ipt_sink_can_split (out->sink) || (out->tee != NULL && !ipt_tee_sink_can_split (out->tee)))
    why = "an analysis asked for cannot merge segments yet";
  else if (out->stats != NULL && ipt_decoder_get_kind (decoder) == IPT_DECODER_KIND_BLOCK)
    why = "--stat's block count depends on libipt's block cache, which segments fill in "
          "another order (--insn-decoder --stat decodes in parallel)";
  if (why != NULL && options->have_jobs && options->jobs != 1)
    ipt_tool_note ("--jobs %u: decoding serially: %s", options->jobs, why);
  /* one job per core unless --jobs says otherwise (options->jobs is 0) */
  ipt_decoder_set_jobs (decoder, why != NULL ? 1 : options->jobs);
}

static void
output_clear (Output *out)
{
  g_clear_pointer (&out->analyses, ipt_analyze_analyses_free);
  g_clear_object (&out->threads);
  g_clear_object (&out->tee);
  g_clear_object (&out->stats);
  g_clear_object (&out->listing);
}

static int
new_decoder (IptImage *image, const IptAnalyzeOptions *options, IptDecoder **out)
{
  g_autoptr(GError) error = NULL;

  *out = ipt_analyze_new_decoder (image, options, &error);
  if (*out == NULL)
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_USAGE, "%s", error->message);
  return IPT_ANALYZE_EXIT_OK;
}

/* --stat --json: the totals, and with --perf a "threads" array. */
static void
print_stats_json (Output *out, IptDecoderKind kind)
{
  g_autoptr(JsonBuilder) builder = ipt_stat_json_begin (kind);
  g_autofree char *text = NULL;

  ipt_stat_json_add_counts (builder, out->stats, kind);
  if (out->threads != NULL)
    ipt_perf_thread_sink_add_stats_json (out->threads, kind, builder);
  text = ipt_stat_json_end (builder);
  fputs (text, stdout);
}

/* After the decode(s): the analyses, the statistics, then what stopped a
 * decode. */
static int
finish (Output *out, IptDecoder *decoder, gboolean json, gboolean ok, GError *error)
{
  /* Once the listing began, a decode that fails stopped before the end of
   * the trace (a file changed under it, the stall limit): what it decoded
   * is listed, and its statistics follow, before the message. A listing
   * that could not be written is a plain failure. */
  if (!ok && (!ipt_listing_sink_has_begun (out->listing) || error->domain == G_IO_ERROR))
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "%s", error->message);

  if (out->analyses != NULL)
    {
      g_autoptr(GError) write_error = NULL;

      if (!ipt_analyze_analyses_write (out->analyses, &write_error))
        return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "%s", write_error->message);
    }
  if (out->stats != NULL && json)
    print_stats_json (out, ipt_decoder_get_kind (decoder));
  else if (out->stats != NULL)
    {
      if (out->threads != NULL)
        {
          ipt_perf_thread_sink_print_stats (out->threads, ipt_decoder_get_kind (decoder), stdout);
          printf ("[total]\n");
        }
      ipt_stat_print (out->stats, ipt_decoder_get_kind (decoder), stdout);
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                             g_strerror (errno));
  if (!ok)
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_INCOMPLETE, "%s", error->message);
  return IPT_ANALYZE_EXIT_OK;
}

/* --coverage=afl alone, under -q (no listing, so no decode errors to
 * print), with nothing that changes libipt's decode (--cpu errata, the
 * stall limit): IptAflDecoder's own packet walk, which gives the same
 * bitmap in a fraction of the instructions (docs/coverage.md). */
static gboolean
wants_fast_afl (const IptAnalyzeOptions *options)
{
  return !options->no_fast_afl && options->quiet && !options->stat && options->cpu == NULL &&
         !options->have_stall_limit && ipt_analyze_analyses_only_afl (options);
}

static int
decode_fast_afl (IptImage *image, const IptAnalyzeOptions *options)
{
  g_autoptr(IptAflDecoder) afl = ipt_afl_decoder_new (image);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) whole = NULL, trace = NULL, bitmap = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_filename_display_name (options->pt_file);
  Output out;
  gsize size, to;
  int status;

  mapped = g_mapped_file_new (options->pt_file, FALSE, &error);
  if (mapped == NULL)
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "--pt '%s': %s", display, error->message);
  whole = g_mapped_file_get_bytes (mapped);
  size = g_bytes_get_size (whole);
  to = options->pt_to != 0 ? (gsize) options->pt_to : size;
  if (options->pt_from > to || to > size)
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE,
                             "--pt '%s': the range 0x%" G_GINT64_MODIFIER "x-0x%" G_GSIZE_MODIFIER
                             "x is not inside the file (%" G_GSIZE_FORMAT " bytes)", display,
                             options->pt_from, to, size);
  trace = g_bytes_new_from_bytes (whole, (gsize) options->pt_from, to - (gsize) options->pt_from);
  if ((status = output_init (&out, image, image, options)) != IPT_ANALYZE_EXIT_OK)
    {
      output_clear (&out);
      return status;
    }
  if (!ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error))
    {
      output_clear (&out);
      return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "%s", error->message);
    }
  /* G_MESSAGES_DEBUG=ipt-analyze: which path decoded (tests) */
  g_debug ("fast AFL decode, %u fallbacks", ipt_afl_decoder_get_n_fallbacks (afl));
  bitmap = ipt_afl_decoder_get_bitmap (afl);
  ipt_analyze_analyses_set_afl_bitmap (out.analyses, bitmap);
  status = finish (&out, NULL, FALSE, TRUE, NULL);
  output_clear (&out);
  return status;
}

int
ipt_analyze_decode_pt (IptImage *image, const IptAnalyzeOptions *options)
{
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  Output out;
  gboolean progress_shown = FALSE;
  gboolean ok;
  int status;

  if ((status = new_decoder (image, options, &decoder)) != IPT_ANALYZE_EXIT_OK)
    return status;
  status = check_trace (options);
  if (status != IPT_ANALYZE_EXIT_OK)
    return status;
  if (wants_fast_afl (options))
    return decode_fast_afl (image, options);

  if ((status = output_init (&out, image, image, options)) != IPT_ANALYZE_EXIT_OK)
    {
      output_clear (&out);
      return status;
    }
  output_set_jobs (&out, decoder, options);
  /* A progress line only where it cannot mix with the listing. */
  if (isatty (STDERR_FILENO) && (options->quiet || !isatty (STDOUT_FILENO)))
    g_signal_connect (decoder, "progress", G_CALLBACK (on_progress), &progress_shown);

  ok = ipt_decoder_decode_file (decoder, options->pt_file, options->pt_from, options->pt_to,
                                out.sink, NULL, &error);
  if (progress_shown)
    fprintf (stderr, "\r\033[K");
  /* G_MESSAGES_DEBUG=ipt-analyze: whether --jobs took effect (tests) */
  g_debug ("decoded in %u segments", ipt_decoder_get_n_segments (decoder));
  status = finish (&out, decoder, options->json, ok, error);
  output_clear (&out);
  return status;
}

/* A decoder over @image set up for @perf's trace. */
static int
new_perf_decoder (IptImage *image, IptPerfData *perf, const IptAnalyzeOptions *options,
                  IptDecoder **out)
{
  g_autoptr(GError) error = NULL;
  int status;

  if ((status = new_decoder (image, options, out)) != IPT_ANALYZE_EXIT_OK)
    return status;
  if (!ipt_analyze_perf_configure (*out, perf, options->have_tsc_conversion,
                                   options->cpu != NULL, &error))
    {
      g_clear_object (out);
      return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "%s: %s", ipt_perf_data_get_name (perf),
                               error->message);
    }
  return IPT_ANALYZE_EXIT_OK;
}

/* A per-thread queue decodes over its process's memory, a per-CPU one
 * over every process's. */
static IptImage *
queue_image (IptPerfMemory *memory, const IptPerfQueue *queue)
{
  return ipt_perf_memory_get_image (memory, queue->cpu < 0 ? queue->pid : -1);
}

/* --perf: each queue of the recording in turn (--on-cpu's, and per-thread
 * ones of the threads asked for), one listing (each queue after a "[perf
 * queue …]" line, a "[thread: …]" line where the thread changes) and
 * statistics per thread and over all of them. */
int
ipt_analyze_decode_perf (IptImage *image, IptPerfMemory *memory, IptPerfData *perf,
                         const IptAnalyzeOptions *options)
{
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *queues = ipt_perf_data_get_queues (perf);
  IptImage *decoder_image = image;
  Output out;
  gboolean ok = TRUE;
  guint n_decoded = 0;
  int status;

  if ((status = new_perf_decoder (image, perf, options, &decoder)) != IPT_ANALYZE_EXIT_OK)
    return status;
  if (queues == NULL || queues->len == 0)
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE,
                             "%s: the recording holds no Intel PT data (no PERF_RECORD_AUXTRACE): "
                             "was it recorded with -e intel_pt//?", ipt_perf_data_get_name (perf));

  /* the analyses over every process's memory (made only for them: it
   * says where processes overlap): each queue adds to them */
  if ((status = output_init (&out, queue_image (memory, g_ptr_array_index (queues, 0)),
                             has_analyses (options) ? ipt_perf_memory_get_image (memory, -1)
                                                    : NULL, options)) != IPT_ANALYZE_EXIT_OK)
    {
      output_clear (&out);
      return status;
    }
  out.threads = ipt_perf_thread_sink_new (perf, out.sink, out.listing, options->fields,
                                          options->stat);
  ipt_perf_thread_sink_set_filter (out.threads, options->pids, options->tids);
  for (guint q = 0; q < queues->len && ok; q++)
    {
      const IptPerfQueue *queue = g_ptr_array_index (queues, q);
      IptImage *wanted;

      if (!ipt_analyze_perf_wants_queue (perf, queue, options->on_cpus, out.threads))
        continue;
      if ((wanted = queue_image (memory, queue)) != decoder_image)
        {
          g_clear_object (&decoder);
          if ((status = new_perf_decoder (wanted, perf, options, &decoder)) != IPT_ANALYZE_EXIT_OK)
            {
              output_clear (&out);
              return status;
            }
          decoder_image = wanted;
        }
      n_decoded++;
      if (!options->quiet)
        {
          printf ("[perf queue %u", queue->index);
          if (queue->cpu >= 0)
            printf (", cpu %d", queue->cpu);
          if (queue->tid >= 0)
            printf (", tid %" G_GINT64_FORMAT, queue->tid);
          printf (": %" G_GSIZE_FORMAT " bytes%s]\n", g_bytes_get_size (queue->data),
                  queue->n_gaps > 0 ? ", with gaps" : "");
        }
      ipt_perf_thread_sink_set_queue (out.threads, queue);
      ok = ipt_analyze_perf_decode_queue (decoder, queue, IPT_SINK (out.threads),
                                          options->quiet, &error);
    }
  if (ok)
    ipt_analyze_perf_check_filters (perf, options->pids, options->tids, options->on_cpus,
                                    n_decoded, out.threads);
  status = finish (&out, decoder, options->json, ok, error);
  output_clear (&out);
  return status;
}
