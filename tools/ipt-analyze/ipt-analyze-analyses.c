/* ipt-analyze-analyses.c: the analyses of one decode, thin over core's
 * IptCalls and IptCoverage: it makes the sinks the decode feeds (one
 * IptCalls for --calls, --folded and --chrome-trace, one IptCoverage for
 * every --coverage), opens every output file before the decode, so that a
 * file that cannot be written fails before a long decode, not after it,
 * and writes the results after the decode. An empty result is written as
 * it is, with a warning that says why. Standard output is written only
 * here and after the listing's own flush, never beside it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>

#include "ipt-analyze-analyses.h"
#include "ipt-tool-log.h"
#include "ipt-tool-output.h"

typedef struct {
  const IptAnalyzeOutputFile *output;
  GOutputStream *stream;          /* NULL for standard output: made at writing time */
} Output;

struct _IptAnalyzeAnalyses {
  IptImage *image;
  IptSymbolResolver *symbols;
  IptCalls *calls;                /* nullable */
  IptCoverage *coverage;          /* nullable */
  GBytes *afl_bitmap;             /* the AFL decoder's, instead of the coverage's; nullable */
  gboolean call_listing;
  const char *call_analysis;      /* the option that asked for calls, for messages */
  Output folded, chrome_trace, calls_json;
  GArray *coverages;              /* Output */
};

static gboolean
open_output (Output *out, const IptAnalyzeOutputFile *output, GError **error)
{
  g_autoptr(GError) local = NULL;

  out->output = output;
  if (g_str_equal (output->file, "-"))
    return TRUE;
  out->stream = ipt_tool_open_output (output->file, &local);
  if (out->stream == NULL)
    {
      g_autofree char *display = g_filename_display_name (output->file);

      g_set_error (error, G_IO_ERROR, local->code, "%s: cannot write '%s': %s", output->option,
                   display, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
output_clear (Output *out)
{
  g_clear_object (&out->stream);
}

void
ipt_analyze_analyses_free (IptAnalyzeAnalyses *self)
{
  if (self == NULL)
    return;
  output_clear (&self->folded);
  output_clear (&self->chrome_trace);
  output_clear (&self->calls_json);
  for (guint i = 0; self->coverages != NULL && i < self->coverages->len; i++)
    output_clear (&g_array_index (self->coverages, Output, i));
  g_clear_pointer (&self->coverages, g_array_unref);
  g_clear_object (&self->calls);
  g_clear_object (&self->coverage);
  g_clear_pointer (&self->afl_bitmap, g_bytes_unref);
  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
  g_clear_object (&self->image);
  g_free (self);
}

/**
 * ipt_analyze_analyses_new:
 * @options: the command line
 * @image: the image whose providers name code (calls, lcov) and whose
 *   file mappings are drcov's modules
 * @error: where an output file that cannot be written is reported
 *
 * Returns: (transfer full) (nullable): the analyses, with their files
 *   open; %NULL with @error set when a file cannot be written
 */
IptAnalyzeAnalyses *
ipt_analyze_analyses_new (const IptAnalyzeOptions *options, IptImage *image, GError **error)
{
  g_autoptr(IptAnalyzeAnalyses) self = g_new0 (IptAnalyzeAnalyses, 1);

  self->image = g_object_ref (image);
  self->symbols = ipt_symbol_resolver_new_for_model (ipt_image_get_providers (image));
  self->coverages = g_array_new (FALSE, TRUE, sizeof (Output));
  self->call_listing = options->calls;
  if (options->folded != NULL && !open_output (&self->folded, options->folded, error))
    return NULL;
  if (options->chrome_trace != NULL &&
      !open_output (&self->chrome_trace, options->chrome_trace, error))
    return NULL;
  if (options->calls_json != NULL && !open_output (&self->calls_json, options->calls_json, error))
    return NULL;
  for (guint i = 0; i < options->coverages->len; i++)
    {
      Output out = { 0, };

      if (!open_output (&out, g_ptr_array_index (options->coverages, i), error))
        return NULL;
      g_array_append_val (self->coverages, out);
    }
  self->call_analysis = ipt_analyze_options_call_analysis (options);
  if (self->call_analysis != NULL)
    self->calls = ipt_calls_new (self->symbols);
  if (options->coverages->len > 0)
    self->coverage = ipt_coverage_new ();
  return g_steal_pointer (&self);
}

/* Appends the sinks of the analyses asked for to @sinks (IptSink). */
void
ipt_analyze_analyses_add_sinks (IptAnalyzeAnalyses *self, GPtrArray *sinks)
{
  if (self->coverage != NULL)
    g_ptr_array_add (sinks, self->coverage);
  if (self->calls != NULL)
    g_ptr_array_add (sinks, self->calls);
}

/* Whether the AFL decoder can do the decode's work alone: only AFL
 * bitmaps are asked for (every other output needs the decode's blocks). */
gboolean
ipt_analyze_analyses_only_afl (const IptAnalyzeOptions *options)
{
  if (options->calls || options->folded != NULL || options->chrome_trace != NULL ||
      options->coverages->len == 0)
    return FALSE;
  for (guint i = 0; i < options->coverages->len; i++)
    {
      const IptAnalyzeOutputFile *output = g_ptr_array_index (options->coverages, i);

      if (output->kind != IPT_ANALYZE_COVERAGE_AFL)
        return FALSE;
    }
  return TRUE;
}

/* The bitmap an IptAflDecoder computed: what --coverage=afl writes. */
void
ipt_analyze_analyses_set_afl_bitmap (IptAnalyzeAnalyses *self, GBytes *bitmap)
{
  g_clear_pointer (&self->afl_bitmap, g_bytes_unref);
  self->afl_bitmap = g_bytes_ref (bitmap);
}

static gboolean
write_coverage (IptAnalyzeAnalyses *self, IptAnalyzeCoverageKind kind, GOutputStream *stream,
                GError **error)
{
  switch (kind)
    {
    case IPT_ANALYZE_COVERAGE_AFL:
      {
        g_autoptr(GBytes) bitmap = self->afl_bitmap != NULL
                                     ? g_bytes_ref (self->afl_bitmap)
                                     : ipt_coverage_get_afl_bitmap (self->coverage);

        return g_output_stream_write_all (stream, g_bytes_get_data (bitmap, NULL),
                                          g_bytes_get_size (bitmap), NULL, NULL, error);
      }
    case IPT_ANALYZE_COVERAGE_DRCOV:
      return ipt_coverage_write_drcov (self->coverage, self->image, stream, NULL, error);
    case IPT_ANALYZE_COVERAGE_LCOV:
      return ipt_coverage_write_lcov (self->coverage, self->image, self->symbols, stream, NULL,
                                      error);
    case IPT_ANALYZE_COVERAGE_BLOCKS:
      return ipt_coverage_write_blocks (self->coverage, stream, IPT_COVERAGE_FORMAT_TEXT, NULL,
                                        error);
    case IPT_ANALYZE_COVERAGE_BLOCKS_JSON:
    default:
      return ipt_coverage_write_blocks (self->coverage, stream, IPT_COVERAGE_FORMAT_JSON, NULL,
                                        error);
    }
}

typedef gboolean (*WriteFunc) (IptAnalyzeAnalyses *self, const Output *out,
                               GOutputStream *stream, GError **error);

static gboolean
write_calls_listing (IptAnalyzeAnalyses *self, const Output *out, GOutputStream *stream,
                     GError **error)
{
  return ipt_calls_write_listing (self->calls, stream, error);
}

static gboolean
write_folded (IptAnalyzeAnalyses *self, const Output *out, GOutputStream *stream, GError **error)
{
  return ipt_calls_write_folded (self->calls, stream, error);
}

static gboolean
write_chrome_trace (IptAnalyzeAnalyses *self, const Output *out, GOutputStream *stream,
                    GError **error)
{
  return ipt_calls_write_chrome_trace (self->calls, stream, error);
}

static gboolean
write_calls_json (IptAnalyzeAnalyses *self, const Output *out, GOutputStream *stream,
                  GError **error)
{
  return ipt_calls_write_json (self->calls, stream, error);
}

static gboolean
write_one_coverage (IptAnalyzeAnalyses *self, const Output *out, GOutputStream *stream,
                    GError **error)
{
  if (!write_coverage (self, out->output->kind, stream, error))
    return FALSE;
  /* lcov has lines only where DWARF has them: an empty file needs a why */
  if (out->output->kind == IPT_ANALYZE_COVERAGE_LCOV && G_IS_SEEKABLE (stream) &&
      g_seekable_tell (G_SEEKABLE (stream)) == 0 &&
      ipt_coverage_get_n_blocks (self->coverage) > 0)
    ipt_tool_warning ("%s: no line of the code covered is known: it has no DWARF line table "
                      "(build with -g, or give the files with their debug info)",
                      out->output->option);
  return TRUE;
}

/* Writes one output through @func into its file (closed, so that the
 * replace completes) or standard output; @out NULL: standard output. */
static gboolean
write_output (IptAnalyzeAnalyses *self, const Output *out, WriteFunc func, GError **error)
{
  g_autoptr(GOutputStream) stdout_stream = NULL;
  g_autoptr(GError) local = NULL;
  GOutputStream *stream = out != NULL ? out->stream : NULL;
  const char *what = out != NULL ? out->output->option : "--calls";

  if (stream == NULL)
    {
      /* what stdio buffered (the listing's errors) goes first */
      if (fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "cannot write to standard output: %s", g_strerror (errno));
          return FALSE;
        }
      stdout_stream = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
      stream = stdout_stream;
    }
  if (!func (self, out, stream, &local) ||
      (stdout_stream == NULL && !g_output_stream_close (stream, NULL, &local)))
    {
      g_set_error (error, G_IO_ERROR, local->domain == G_IO_ERROR ? local->code : G_IO_ERROR_FAILED,
                   "%s: %s", what, local->message);
      return FALSE;
    }
  return TRUE;
}

/* Says why a result is empty: it is still written (an empty bitmap is a
 * valid one), but an empty file must not pass for a real one silently. */
static void
check_empty (IptAnalyzeAnalyses *self)
{
  if (self->afl_bitmap != NULL)
    {
      gsize size;
      const guint8 *map = g_bytes_get_data (self->afl_bitmap, &size);
      gsize i = 0;

      while (i < size && map[i] == 0)
        i++;
      if (i == size)
        ipt_tool_warning ("--coverage: the AFL bitmap is empty: the decode gave no conditional "
                          "branch (see the memory given; --no-fast-afl lists decode errors)");
    }
  else if (self->coverage != NULL && ipt_coverage_get_n_blocks (self->coverage) == 0)
    ipt_tool_warning ("--coverage: no block was decoded, the coverage is empty: the decode "
                      "gave no instructions (see its errors, the memory given, or the "
                      "--pid/--tid filters)");
  if (self->calls == NULL)
    return;
  if (ipt_calls_get_n_insns (self->calls) == 0)
    ipt_tool_warning ("--%s: no instructions were decoded, there are no calls: see the decode's "
                      "errors, the memory given, or the --pid/--tid filters",
                      self->call_analysis);
  else if (ipt_calls_get_n_calls (self->calls) == 0 && ipt_calls_get_n_returns (self->calls) == 0)
    ipt_tool_warning ("no call or return in the %" G_GUINT64_FORMAT " instructions decoded: the "
                      "calls show one frame", ipt_calls_get_n_insns (self->calls));
}

/**
 * ipt_analyze_analyses_write:
 * @self: the analyses, after the decode
 * @error: where a write failure is reported, naming the output
 *
 * Writes the call listing (standard output), the folded stacks, the Chrome
 * trace, the call tree's JSON and the coverage files, in that order.
 *
 * Returns: %TRUE when every output was written
 */
gboolean
ipt_analyze_analyses_write (IptAnalyzeAnalyses *self, GError **error)
{
  check_empty (self);
  if (self->call_listing && !write_output (self, NULL, write_calls_listing, error))
    return FALSE;
  if (self->folded.output != NULL && !write_output (self, &self->folded, write_folded, error))
    return FALSE;
  if (self->chrome_trace.output != NULL &&
      !write_output (self, &self->chrome_trace, write_chrome_trace, error))
    return FALSE;
  if (self->calls_json.output != NULL &&
      !write_output (self, &self->calls_json, write_calls_json, error))
    return FALSE;
  for (guint i = 0; i < self->coverages->len; i++)
    if (!write_output (self, &g_array_index (self->coverages, Output, i), write_one_coverage,
                       error))
      return FALSE;
  return TRUE;
}
