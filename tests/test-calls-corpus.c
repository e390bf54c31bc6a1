/* test-calls-corpus.c: the call analysis on the real Intel PT traces of
 * $IPT_CORPUS_DIR (kAFL/Nyx's, IP-filtered: calls into and callbacks out
 * of untraced code), memory from image.bin, no symbols (functions named
 * by address): both decoders give the same outputs, every instruction is
 * counted once, and the trace decoded in pieces split at PSBs and merged
 * gives the whole's outputs byte for byte. Reports what the analysis costs
 * next to the statistics.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-calls-common.h"

/* A sink that takes every instruction and does nothing: what walking the
 * block decoder's blocks costs by itself. */
#define TEST_TYPE_NULL_SINK (test_null_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestNullSink, test_null_sink, TEST, NULL_SINK, GObject)

struct _TestNullSink {
  GObject parent_instance;
};

static void
null_insn (IptSink *sink, const struct pt_insn *insn)
{
}

static void
test_null_sink_iface_init (IptSinkInterface *iface)
{
  iface->insn = null_insn;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNullSink, test_null_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, test_null_sink_iface_init))

static void
test_null_sink_class_init (TestNullSinkClass *klass)
{
}

static void
test_null_sink_init (TestNullSink *self)
{
}

typedef struct {
  const char *name;
  const char *base;
  guint64 insns;          /* MANIFEST.md */
  guint every;            /* merge at every EVERY-th PSB */
} Trace;

static const Trace traces[] = {
  { "unzip", "0x400000", 149576, 7 },
  { "foo", "0x7ffff7819000", 117967, 1 },
  { "mruby", "0x400000", 6334131, 0 },
};

static IptStatistics *
statistics (IptImage *image, IptDecoderKind kind, const char *path, guint64 from, guint64 to)
{
  IptStatistics *stats = ipt_statistics_new ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(GError) error = NULL;

  ipt_decoder_decode_file (decoder, path, from, to, IPT_SINK (stats), NULL, &error);
  g_assert_no_error (error);
  return stats;
}

static guint64
count_insns (IptImage *image, IptDecoderKind kind, const char *path, guint64 from, guint64 to)
{
  g_autoptr(IptStatistics) stats = statistics (image, kind, path, from, to);

  return ipt_statistics_get_n_insns (stats);
}

static void
test_trace (gconstpointer data)
{
  const Trace *trace = data;
  g_autofree char *dir = g_build_filename (g_getenv ("IPT_CORPUS_DIR"), trace->name, NULL);
  g_autofree char *path = g_build_filename (dir, "trace.pt", NULL);
  g_autofree char *image_bin = g_build_filename (dir, "image.bin", NULL);
  g_autofree char *raw = g_strdup_printf ("raw:file=%s,base=%s", image_bin, trace->base);
  g_autoptr(IptMemoryProvider) provider = new_provider (raw);
  g_autoptr(IptImage) image = ipt_image_new (trace->name);
  g_autoptr(IptCalls) insn = NULL;
  g_autoptr(IptCalls) block = NULL;
  g_auto(Outputs) expected = { 0 };
  g_auto(Outputs) other = { 0 };
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(IptStatistics) stats = NULL;
  gdouble stats_seconds, walk_seconds, calls_seconds;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GArray) psbs = NULL;
  g_autoptr(GError) error = NULL;
  guint tested = 0;

  ipt_image_add_provider (image, provider);

  /* what the analysis costs: block decoder, statistics against calls */
  g_timer_start (timer);
  stats = statistics (image, IPT_DECODER_KIND_BLOCK, path, 0, 0);
  stats_seconds = g_timer_elapsed (timer, NULL);
  g_assert_cmpuint (ipt_statistics_get_n_insns (stats), ==, trace->insns);
  {
    g_autoptr(TestNullSink) null_sink = g_object_new (TEST_TYPE_NULL_SINK, NULL);
    g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);

    g_timer_start (timer);
    ipt_decoder_decode_file (decoder, path, 0, 0, IPT_SINK (null_sink), NULL, &error);
    walk_seconds = g_timer_elapsed (timer, NULL);
    g_assert_no_error (error);
  }
  g_timer_start (timer);
  block = calls_decode (image, NULL, IPT_DECODER_KIND_BLOCK, path, 0, 0);
  calls_seconds = g_timer_elapsed (timer, NULL);
  g_test_message ("%s: block decoder, statistics %.3f s, every instruction to a sink "
                  "that does nothing %.3f s, calls %.3f s (%.1fx); %"
                  G_GUINT64_FORMAT " calls, %" G_GUINT64_FORMAT " returns, %" G_GUINT64_FORMAT
                  " tail calls, %" G_GUINT64_FORMAT " unwound, %" G_GUINT64_FORMAT
                  " unmatched returns, %" G_GUINT64_FORMAT " async",
                  trace->name, stats_seconds, walk_seconds, calls_seconds,
                  calls_seconds / stats_seconds,
                  ipt_calls_get_n_calls (block), ipt_calls_get_n_returns (block),
                  ipt_calls_get_n_tail_calls (block), ipt_calls_get_n_unwound (block),
                  ipt_calls_get_n_unmatched_returns (block), ipt_calls_get_n_async (block));
  g_assert_cmpuint (ipt_calls_get_n_insns (block), ==, trace->insns);
  /* a gap for each decode error and overflow (mruby has an overflow) */
  g_assert_cmpuint (ipt_calls_get_n_gaps (block), ==,
                    ipt_statistics_get_n_errors (stats) +
                    ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_OVERFLOW));
  g_assert_cmpuint (ipt_calls_get_n_calls (block), >, 100);
  /* calls into untraced code return where tracing resumes */
  g_assert_cmpuint (ipt_calls_get_n_unmatched_returns (block), ==, 0);

  insn = calls_decode (image, NULL, IPT_DECODER_KIND_INSN, path, 0, 0);
  outputs_get (&expected, insn);
  outputs_get (&other, block);
  assert_same_outputs (&expected, &other);

  if (trace->every == 0)
    return;
  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  psbs = test_find_psbs ((const guint8 *) g_mapped_file_get_contents (mapped),
                    g_mapped_file_get_length (mapped));
  for (guint i = 1; i < psbs->len; i += trace->every)
    {
      guint64 split = g_array_index (psbs, guint64, i);
      g_autoptr(IptCalls) head = NULL;
      g_autoptr(IptCalls) tail = NULL;
      g_auto(Outputs) merged = { 0 };

      if (count_insns (image, IPT_DECODER_KIND_INSN, path, 0, split) +
          count_insns (image, IPT_DECODER_KIND_INSN, path, split, 0) != trace->insns)
        continue;
      head = calls_decode (image, NULL, IPT_DECODER_KIND_INSN, path, 0, split);
      tail = calls_decode (image, NULL, IPT_DECODER_KIND_INSN, path, split, 0);
      ipt_calls_merge (head, tail);
      outputs_get (&merged, head);
      assert_same_outputs (&expected, &merged);
      tested++;
    }
  g_test_message ("%s: merged at %u of %u PSBs", trace->name, tested, psbs->len);
  g_assert_cmpuint (tested, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("IPT_CORPUS_DIR") == NULL)
    g_error ("IPT_CORPUS_DIR is not set: run this test through meson");
  for (guint i = 0; i < G_N_ELEMENTS (traces); i++)
    {
      g_autofree char *path = g_strdup_printf ("/calls/corpus/%s", traces[i].name);

      g_test_add_data_func (path, &traces[i], test_trace);
    }
  return g_test_run ();
}
