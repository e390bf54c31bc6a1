/* test-statistics.c: IptStatistics, the statistics analysis, over traces made
 * with libipt's own encoder on hand-assembled code served by a mock
 * provider: exact counts from both decoders, the counting rules (status
 * updates, unknown events, error codes), accumulation and reset. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>
#include "mock-provider.h"
#include "trace-builder.h"

/* One run of trace_builder_loop_code: xor, 3 x (inc, cmp, jne), call, mov, ret,
 * jmp, jmp rbx. */
#define LOOP_INSNS 15

static IptImage *
make_image (void)
{
  IptImage *image = ipt_image_new ("test");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_bytes (mock, TRACE_BUILDER_LOOP_BASE, trace_builder_loop_code,
                               trace_builder_loop_code_size, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

/* Three PSB segments:
 *  1. and 2. the loop: 15 instructions, [enabled] and [disabled] each;
 *  3. tracing enabled at unmapped 0x5000: [enabled], then one decode error
 *     (-pte_nomap). Last, because libipt has read past the next PSB when
 *     it reports that error, so a segment after it would be skipped.
 * The MODE.Exec of each PSB+ is a status update, which is not counted. */
static GBytes *
make_trace (void)
{
  TraceBuilder enc;

  trace_builder_init (&enc);
  trace_builder_put_loop_run (&enc);
  trace_builder_put_loop_run (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, 0x5000);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
  return trace_builder_finish (&enc);
}

static void
decode (IptSink *sink, IptDecoderKind kind, GBytes *trace)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, sink, NULL, &error));
  g_assert_no_error (error);
}

/* ---- the blocks libipt delivers, counted by a sink of our own ---- */

#define TEST_TYPE_BLOCK_COUNTER (test_block_counter_get_type ())
G_DECLARE_FINAL_TYPE (TestBlockCounter, test_block_counter, TEST, BLOCK_COUNTER, GObject)

struct _TestBlockCounter {
  GObject parent_instance;
  guint64 blocks;
  guint64 block_insns;
};

static void test_block_counter_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBlockCounter, test_block_counter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK,
                                                      test_block_counter_iface_init))

static void
test_block_counter_block (IptSink *sink, const struct pt_block *block)
{
  TestBlockCounter *self = TEST_BLOCK_COUNTER (sink);

  self->blocks++;
  self->block_insns += block->ninsn;
}

static void
test_block_counter_iface_init (IptSinkInterface *iface)
{
  iface->block = test_block_counter_block;
}

static void
test_block_counter_class_init (TestBlockCounterClass *klass)
{
}

static void
test_block_counter_init (TestBlockCounter *self)
{
}

/* How libipt's block decoder cuts the trace over this image (it depends on
 * the memory path: the callback here, file sections in test-cli). */
static guint64
count_blocks (GBytes *trace)
{
  g_autoptr(TestBlockCounter) counter = g_object_new (TEST_TYPE_BLOCK_COUNTER, NULL);

  decode (IPT_SINK (counter), IPT_DECODER_KIND_BLOCK, trace);
  g_assert_cmpuint (counter->block_insns, ==, 2 * LOOP_INSNS);
  /* at least: xor..jne, 2 x inc..jne, inc..jne + call.. jmp rbx, per run */
  g_assert_cmpuint (counter->blocks, >=, 2 * 4);
  return counter->blocks;
}

static guint64
sum_events_of_kinds (IptStatistics *stats)
{
  guint64 sum = 0;

  for (guint k = IPT_EVENT_KIND_ENABLED; k <= IPT_EVENT_KIND_OTHER; k++)
    sum += ipt_statistics_get_n_events_of_kind (stats, (IptEventKind) k);
  return sum;
}

/* Exactly what make_trace() holds, n times over. */
static void
assert_counts (IptStatistics *stats, IptDecoderKind kind, GBytes *trace, guint64 n)
{
  guint64 insns = 0, blocks = 0, errors = 0, events = 0;

  g_assert_cmpuint (ipt_statistics_get_n_insns (stats), ==, n * 2 * LOOP_INSNS);
  g_assert_cmpuint (ipt_statistics_get_n_blocks (stats), ==,
                    kind == IPT_DECODER_KIND_BLOCK ? n * count_blocks (trace) : 0);

  g_assert_cmpuint (ipt_statistics_get_n_errors (stats), ==, n);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, IPT_DECODE_ERROR_DECODE), ==, n);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, IPT_DECODE_ERROR_SYNC), ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, IPT_DECODE_ERROR_RECONSTRUCT),
                    ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_DECODE,
                                                           -pte_nomap), ==, n);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_DECODE,
                                                           -pte_bad_insn), ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_SYNC,
                                                           -pte_nomap), ==, 0);

  g_assert_cmpuint (ipt_statistics_get_n_events (stats), ==, n * 5);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_ENABLED), ==,
                    n * 3);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_DISABLED), ==,
                    n * 2);
  /* The PSB+'s MODE.Exec is a status update. */
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_EXEC_MODE), ==,
                    0);
  g_assert_cmpuint (sum_events_of_kinds (stats), ==, n * 5);

  /* The properties say the same. */
  g_object_get (stats, "n-insns", &insns, "n-blocks", &blocks, "n-errors", &errors,
                "n-events", &events, NULL);
  g_assert_cmpuint (insns, ==, ipt_statistics_get_n_insns (stats));
  g_assert_cmpuint (blocks, ==, ipt_statistics_get_n_blocks (stats));
  g_assert_cmpuint (errors, ==, ipt_statistics_get_n_errors (stats));
  g_assert_cmpuint (events, ==, ipt_statistics_get_n_events (stats));
}

static void
assert_all_zero (IptStatistics *stats)
{
  g_assert_cmpuint (ipt_statistics_get_n_insns (stats), ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_blocks (stats), ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors (stats), ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_events (stats), ==, 0);
  for (guint k = IPT_DECODE_ERROR_SYNC; k <= IPT_DECODE_ERROR_RECONSTRUCT; k++)
    {
      g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, (IptDecodeErrorKind) k), ==, 0);
      for (int code = pte_internal; code <= pte_bad_cpu; code++)
        g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, (IptDecodeErrorKind) k,
                                                                 -code), ==, 0);
    }
  g_assert_cmpuint (sum_events_of_kinds (stats), ==, 0);
}

/* ---- tests ---- */

static void
test_counts (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  g_autoptr(GBytes) trace = make_trace ();

  assert_all_zero (stats);
  decode (IPT_SINK (stats), kind, trace);
  assert_counts (stats, kind, trace, 1);
}

/* Counts add up over decodes; reset starts again from 0. */
static void
test_accumulate_and_reset (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  g_autoptr(GBytes) trace = make_trace ();

  decode (IPT_SINK (stats), kind, trace);
  decode (IPT_SINK (stats), kind, trace);
  assert_counts (stats, kind, trace, 2);

  ipt_statistics_reset (stats);
  assert_all_zero (stats);

  decode (IPT_SINK (stats), kind, trace);
  assert_counts (stats, kind, trace, 1);
}

/* The same object serves both decoders in turn, each counted its own way. */
static void
test_switch_decoder (void)
{
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  g_autoptr(GBytes) trace = make_trace ();

  decode (IPT_SINK (stats), IPT_DECODER_KIND_BLOCK, trace);
  decode (IPT_SINK (stats), IPT_DECODER_KIND_INSN, trace);
  g_assert_cmpuint (ipt_statistics_get_n_insns (stats), ==, 2 * 2 * LOOP_INSNS);
  g_assert_cmpuint (ipt_statistics_get_n_blocks (stats), ==, count_blocks (trace));
  g_assert_cmpuint (ipt_statistics_get_n_errors (stats), ==, 2);
}

/* Blocks only from the block decoder, so that counting never makes it walk
 * instructions; instructions from the instruction decoder. */
static void
test_needs (void)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptDecoder) block = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptDecoder) insn = ipt_decoder_new (image, IPT_DECODER_KIND_INSN);
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_sink_begin (IPT_SINK (stats), block, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ipt_sink_get_needs (IPT_SINK (stats)), ==, IPT_SINK_NEEDS_BLOCKS);
  g_assert_true (ipt_sink_end (IPT_SINK (stats), &error));

  g_assert_true (ipt_sink_begin (IPT_SINK (stats), insn, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ipt_sink_get_needs (IPT_SINK (stats)), ==, IPT_SINK_NEEDS_INSNS);
  g_assert_true (ipt_sink_end (IPT_SINK (stats), &error));
}

/* Whoever hands a block-decoder statistics both blocks and their walked
 * instructions (a sink in front of two) does not get them counted twice. */
static void
test_block_insns_not_counted_twice (void)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  struct pt_block block = { 0 };
  struct pt_insn insn = { 0 };

  g_assert_true (ipt_sink_begin (IPT_SINK (stats), decoder, NULL));
  block.ip = TRACE_BUILDER_LOOP_BASE;
  block.ninsn = 4;
  ipt_sink_block (IPT_SINK (stats), &block);
  for (guint i = 0; i < 4; i++)
    ipt_sink_insn (IPT_SINK (stats), &insn);
  g_assert_true (ipt_sink_end (IPT_SINK (stats), NULL));

  g_assert_cmpuint (ipt_statistics_get_n_insns (stats), ==, 4);
  g_assert_cmpuint (ipt_statistics_get_n_blocks (stats), ==, 1);
}

/* Status updates are not events; types a newer libipt may add are "other";
 * every event is counted under exactly one kind. */
static void
test_event_rules (void)
{
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  struct pt_event event = { 0 };

  event.type = ptev_exec_mode;
  event.status_update = 1;
  ipt_sink_event (IPT_SINK (stats), &event);
  g_assert_cmpuint (ipt_statistics_get_n_events (stats), ==, 0);

  event.status_update = 0;
  ipt_sink_event (IPT_SINK (stats), &event);
  event.type = ptev_async_branch;
  ipt_sink_event (IPT_SINK (stats), &event);
  event.type = ptev_mnt;
  ipt_sink_event (IPT_SINK (stats), &event);
  event.type = (enum pt_event_type) (ptev_mnt + 1);
  ipt_sink_event (IPT_SINK (stats), &event);
  event.type = (enum pt_event_type) 1000;
  ipt_sink_event (IPT_SINK (stats), &event);

  g_assert_cmpuint (ipt_statistics_get_n_events (stats), ==, 5);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_EXEC_MODE), ==, 1);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_ASYNC_BRANCH), ==, 1);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_MNT), ==, 1);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, IPT_EVENT_KIND_OTHER), ==, 2);
  g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (stats, (IptEventKind) 999), ==, 0);
  g_assert_cmpuint (sum_events_of_kinds (stats), ==, 5);
}

/* Every error counts in the total and its kind; the code breakdown keeps
 * libipt's negative codes only. */
static void
test_error_rules (void)
{
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  IptSink *sink = IPT_SINK (stats);

  ipt_sink_error (sink, IPT_DECODE_ERROR_RECONSTRUCT, 0x10, 0x1000, -pte_bad_insn);
  ipt_sink_error (sink, IPT_DECODE_ERROR_RECONSTRUCT, 0x10, 0x1000, -pte_bad_insn);
  ipt_sink_error (sink, IPT_DECODE_ERROR_SYNC, -1, 0, -pte_bad_opc);
  ipt_sink_error (sink, IPT_DECODE_ERROR_DECODE, 0x20, 0x1003, -pte_nomap);
  ipt_sink_error (sink, IPT_DECODE_ERROR_DECODE, 0x20, 0x1003, -1000);   /* not libipt's */
  ipt_sink_error (sink, IPT_DECODE_ERROR_DECODE, 0x20, 0x1003, 5);       /* not an error code */

  g_assert_cmpuint (ipt_statistics_get_n_errors (stats), ==, 6);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, IPT_DECODE_ERROR_RECONSTRUCT),
                    ==, 2);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, IPT_DECODE_ERROR_SYNC), ==, 1);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, IPT_DECODE_ERROR_DECODE), ==, 3);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_RECONSTRUCT,
                                                           -pte_bad_insn), ==, 2);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_SYNC,
                                                           -pte_bad_opc), ==, 1);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_DECODE,
                                                           -pte_nomap), ==, 1);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_DECODE,
                                                           -1000), ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_DECODE, 5),
                    ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (stats, IPT_DECODE_ERROR_DECODE, 0),
                    ==, 0);
  g_assert_cmpuint (ipt_statistics_get_n_errors_of_kind (stats, (IptDecodeErrorKind) 7), ==, 0);

  ipt_statistics_reset (stats);
  assert_all_zero (stats);
}

/* The labels are ptxed's event words; the enum is registered for bindings. */
static void
test_event_kind_labels (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (IPT_TYPE_EVENT_KIND);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (ipt_event_kind_get_label (IPT_EVENT_KIND_ENABLED), ==, "enabled");
  g_assert_cmpstr (ipt_event_kind_get_label (IPT_EVENT_KIND_ASYNC_DISABLED), ==, "async disabled");
  g_assert_cmpstr (ipt_event_kind_get_label (IPT_EVENT_KIND_ASYNC_BRANCH), ==, "interrupt");
  g_assert_cmpstr (ipt_event_kind_get_label (IPT_EVENT_KIND_EXEC_MODE), ==, "exec mode");
  g_assert_cmpstr (ipt_event_kind_get_label (IPT_EVENT_KIND_STOP), ==, "stopped");
  g_assert_cmpstr (ipt_event_kind_get_label (IPT_EVENT_KIND_OTHER), ==, "other");
  g_assert_cmpstr (ipt_event_kind_get_label ((IptEventKind) 1000), ==, "other");

  g_assert_cmpuint (klass->n_values, ==, IPT_EVENT_KIND_OTHER + 1);
  for (guint k = IPT_EVENT_KIND_ENABLED; k <= IPT_EVENT_KIND_OTHER; k++)
    {
      const char *label = ipt_event_kind_get_label ((IptEventKind) k);

      g_assert_nonnull (g_enum_get_value (klass, (int) k));
      g_assert_false (g_hash_table_contains (seen, label));
      g_hash_table_add (seen, (gpointer) label);
    }
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "exec-mode")->value, ==,
                   IPT_EVENT_KIND_EXEC_MODE);
}

static void
test_properties_read_only (void)
{
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  const char * const names[] = { "n-insns", "n-blocks", "n-errors", "n-events" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (stats), names[i]);

      g_assert_nonnull (pspec);
      g_assert_true (pspec->value_type == G_TYPE_UINT64);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
    }
  g_assert_true (IPT_IS_SINK (stats));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/statistics/block/exact-counts", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK),
                        test_counts);
  g_test_add_data_func ("/statistics/insn/exact-counts", GINT_TO_POINTER (IPT_DECODER_KIND_INSN),
                        test_counts);
  g_test_add_data_func ("/statistics/block/accumulate-then-reset",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_accumulate_and_reset);
  g_test_add_data_func ("/statistics/insn/accumulate-then-reset",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_accumulate_and_reset);
  g_test_add_func ("/statistics/one-object-both-decoders", test_switch_decoder);
  g_test_add_func ("/statistics/needs-blocks-only-from-the-block-decoder", test_needs);
  g_test_add_func ("/statistics/block/walked-insns-not-counted-twice",
                   test_block_insns_not_counted_twice);
  g_test_add_func ("/statistics/events/status-updates-and-unknown-types", test_event_rules);
  g_test_add_func ("/statistics/errors/by-kind-and-libipt-code", test_error_rules);
  g_test_add_func ("/statistics/event-kind/labels-and-enum-type", test_event_kind_labels);
  g_test_add_func ("/statistics/properties-are-read-only-uint64", test_properties_read_only);

  return g_test_run ();
}
