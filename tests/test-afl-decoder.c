/* test-afl-decoder.c: IptAflDecoder on traces made with libipt's own
 * encoder over hand-assembled code served by a mock provider. Every
 * bitmap is compared with the one an IptCoverage computes from libipt's
 * block decoder on the same trace (the decoder's correctness contract),
 * and whether the fast walk decoded the trace itself or fell back (and
 * why) is asserted: return compression, a branch out of the traced range,
 * an interrupt or an asynchronous disable right after a branch, overflows,
 * the end of the trace after a branch, caches reused across traces, reset,
 * cancel, and each fall back reason. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "mock-provider.h"
#include "trace-builder.h"

#define EXIT_BASE TRACE_BUILDER_EXIT_BASE

/* Return compression:
 * 0x7000: call 0x7010; 0x7005: cmp rax,3; 0x7009: jne 0x7000; 0x700b: jmp rbx
 * 0x7010: test rax,rax; 0x7013: je 0x7016; 0x7015: nop; 0x7016: ret */
#define CALL_BASE G_GUINT64_CONSTANT (0x7000)
static const guint8 call_code[] = {
  0xe8, 0x0b, 0x00, 0x00, 0x00,
  0x48, 0x83, 0xf8, 0x03,
  0x75, 0xf5,
  0xff, 0xe3,
  0x90, 0x90, 0x90,
  0x48, 0x85, 0xc0,
  0x74, 0x01,
  0x90,
  0xc3,
};

/* 0x8000: nop; 0x8001: ud2 (an instruction the walk leaves to libipt) */
#define UD2_BASE G_GUINT64_CONSTANT (0x8000)
static const guint8 ud2_code[] = { 0x90, 0x0f, 0x0b };

static IptImage *
make_image (void)
{
  IptImage *image = ipt_image_new ("test");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_bytes (mock, TRACE_BUILDER_LOOP_BASE, trace_builder_loop_code,
                               trace_builder_loop_code_size, NULL);
  ipt_mock_provider_add_bytes (mock, EXIT_BASE, trace_builder_exit_code, trace_builder_exit_code_size, NULL);
  ipt_mock_provider_add_bytes (mock, CALL_BASE, call_code, sizeof (call_code), NULL);
  ipt_mock_provider_add_bytes (mock, UD2_BASE, ud2_code, sizeof (ud2_code), NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

static GBytes *
plain_bitmap (IptImage *image, GBytes *trace)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error));
  g_assert_no_error (error);
  return ipt_coverage_get_afl_bitmap (coverage);
}

static guint
n_counted (GBytes *bitmap)
{
  const guint8 *map = g_bytes_get_data (bitmap, NULL);
  guint n = 0;

  for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
    n += map[i];
  return n;
}

/* Decodes @trace with a fresh decoder: its bitmap equals the plain
 * decode's, with @fallback as the reason; returns the number of counts. */
static guint
assert_as_plain (GBytes *trace, IptAflFallback fallback)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptAflDecoder) afl = ipt_afl_decoder_new (image);
  g_autoptr(GBytes) expected = plain_bitmap (image, trace);
  g_autoptr(GBytes) bitmap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error));
  g_assert_no_error (error);
  bitmap = ipt_afl_decoder_get_bitmap (afl);
  g_assert_cmpuint (g_bytes_get_size (bitmap), ==, IPT_COVERAGE_AFL_MAP_SIZE);
  g_assert_true (g_bytes_equal (bitmap, expected));
  g_assert_cmpint (ipt_afl_decoder_get_last_fallback (afl), ==, fallback);
  g_assert_cmpuint (ipt_afl_decoder_get_n_fallbacks (afl), ==,
                    fallback == IPT_AFL_FALLBACK_NONE ? 0 : 1);
  return n_counted (bitmap);
}

/* A trace that starts with a PSB+ and enables tracing at @ip. */
static void
start_at (TraceBuilder *enc, guint64 ip)
{
  trace_builder_init (enc);
  trace_builder_put_psb_64bit (enc);
  trace_builder_put_ip (enc, ppt_tip_pge, pt_ipc_sext_48, ip);
}

static GBytes *
loop_trace (guint n_runs)
{
  TraceBuilder enc;

  trace_builder_init (&enc);
  for (guint i = 0; i < n_runs; i++)
    trace_builder_put_loop_run (&enc);
  return trace_builder_finish (&enc);
}

static void
test_loop (void)
{
  static const guint runs[] = { 1, 2, 255, 256, 300 };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(GBytes) trace = loop_trace (runs[i]);

      /* three jne edges per run (two to 0x1003, one to 0x100c), wrapping */
      g_assert_cmpuint (assert_as_plain (trace, IPT_AFL_FALLBACK_NONE), ==,
                        (2 * runs[i]) % 256 + runs[i] % 256);
    }
}

/* The same decoder over and over: its caches give what a fresh one gives,
 * counts add up until reset. */
static void
test_reuse_reset (void)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptAflDecoder) afl = ipt_afl_decoder_new (image);
  g_autoptr(GBytes) trace = loop_trace (3);
  g_autoptr(GBytes) six = loop_trace (6);
  g_autoptr(GBytes) once = plain_bitmap (image, trace);
  g_autoptr(GBytes) twice = plain_bitmap (image, six);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_afl_decoder_get_image (afl) == image);
  g_assert_true (ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error));
  {
    g_autoptr(GBytes) bitmap = ipt_afl_decoder_get_bitmap (afl);
    g_assert_true (g_bytes_equal (bitmap, once));
  }
  g_assert_true (ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error));
  {
    g_autoptr(GBytes) bitmap = ipt_afl_decoder_get_bitmap (afl);
    g_assert_true (g_bytes_equal (bitmap, twice));
  }
  ipt_afl_decoder_reset (afl);
  {
    g_autoptr(GBytes) bitmap = ipt_afl_decoder_get_bitmap (afl);
    g_assert_cmpuint (n_counted (bitmap), ==, 0);
  }
  g_assert_true (ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) bitmap = ipt_afl_decoder_get_bitmap (afl);
    g_assert_true (g_bytes_equal (bitmap, once));
  }
  g_assert_cmpuint (ipt_afl_decoder_get_n_fallbacks (afl), ==, 0);
}

/* call, je, compressed ret, jne back: twice, then jmp rbx leaves. */
static void
test_return_compression (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, CALL_BASE);
  /* je taken, ret (compressed), jne taken; je not taken, ret, jne not */
  trace_builder_put_tnt (&enc, 6, 0x3a);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x9000);
  trace = trace_builder_finish (&enc);

  /* je twice, jne twice */
  g_assert_cmpuint (assert_as_plain (trace, IPT_AFL_FALLBACK_NONE), ==, 4);
}

/* A compressed return with nothing on the return stack: libipt's error. */
static void
test_return_empty_stack (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, CALL_BASE + 0x10);
  trace_builder_put_tnt (&enc, 2, 0x3);
  trace = trace_builder_finish (&enc);

  assert_as_plain (trace, IPT_AFL_FALLBACK_STATE);
}

/* jne taken out of the traced range: TIP.PGD with its target. */
static void
test_branch_leaves (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, EXIT_BASE);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x5000);
  trace = trace_builder_finish (&enc);

  g_assert_cmpuint (assert_as_plain (trace, IPT_AFL_FALLBACK_NONE), ==, 1);
}

/* jne not taken, then a FUP right at its successor or one instruction
 * later, and then TIP.PGD (an asynchronous disable: the edge counts) or
 * TIP (an interrupt: the edge counts only when the nop ran). */
static void
test_fup_after_branch (void)
{
  for (guint interrupt = 0; interrupt < 2; interrupt++)
    for (guint later = 0; later < 2; later++)
      {
        TraceBuilder enc;
        g_autoptr(GBytes) trace = NULL;

        start_at (&enc, EXIT_BASE);
        trace_builder_put_tnt (&enc, 1, 0x0);
        trace_builder_put_ip (&enc, ppt_fup, pt_ipc_sext_48, 0x300a + later);
        if (interrupt)
          {
            trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
            trace_builder_put_tnt (&enc, 3, 0x6);
            trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, 0x1011);
            trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);
          }
        else
          {
            trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
            trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, 0x300a + later);
            trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x6000);
          }
        trace = trace_builder_finish (&enc);

        g_assert_cmpuint (assert_as_plain (trace, IPT_AFL_FALLBACK_NONE), ==,
                          interrupt ? 3 + later : 1);
      }
}

/* OVF: the flow breaks off; tracing resumes at a FUP, or disabled (a PSB+
 * without one, then TIP.PGE). */
static void
test_overflow (void)
{
  for (guint with_fup = 0; with_fup < 2; with_fup++)
    {
      TraceBuilder enc;
      g_autoptr(GBytes) trace = NULL;

      start_at (&enc, TRACE_BUILDER_LOOP_BASE);
      trace_builder_put_tnt (&enc, 2, 0x3);
      trace_builder_put (&enc, ppt_ovf);
      if (with_fup)
        trace_builder_put_ip (&enc, ppt_fup, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
      else
        {
          trace_builder_put_psb_64bit (&enc);
          trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
        }
      trace_builder_put_tnt (&enc, 3, 0x6);
      trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, 0x1011);
      trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);
      trace = trace_builder_finish (&enc);

      g_assert_cmpuint (assert_as_plain (trace, IPT_AFL_FALLBACK_NONE), >=, 4);
    }
}

/* The trace ends after a branch (its successor ran, up to the next
 * branch that needs the trace), and mid-run. */
static void
test_end_of_trace (void)
{
  for (guint bits = 1; bits <= 3; bits++)
    {
      TraceBuilder enc;
      g_autoptr(GBytes) trace = NULL;

      start_at (&enc, TRACE_BUILDER_LOOP_BASE);
      trace_builder_put_tnt (&enc, (guint8) bits, 0x6 >> (3 - bits));
      trace = trace_builder_finish (&enc);

      assert_as_plain (trace, IPT_AFL_FALLBACK_NONE);
    }
}

/* PSBs between the packets restate the state (an IP in their FUP): the
 * flow goes on through them. */
static void
test_psb_plus (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_tnt (&enc, 1, 0x1);
  trace_builder_put (&enc, ppt_psb);
  trace_builder_put_ip (&enc, ppt_fup, pt_ipc_sext_48, 0x1006);
  trace_builder_put_tsc (&enc, 1234);
  trace_builder_put (&enc, ppt_psbend);
  trace_builder_put_tnt (&enc, 2, 0x2);
  trace_builder_put_ip (&enc, ppt_tip, pt_ipc_update_16, 0x1011);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_update_32, 0x2000);
  trace = trace_builder_finish (&enc);

  g_assert_cmpuint (assert_as_plain (trace, IPT_AFL_FALLBACK_NONE), ==, 3);
}

static void
test_fallback_packet (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_tnt (&enc, 3, 0x6);
  trace_builder_put (&enc, ppt_stop);
  trace = trace_builder_finish (&enc);

  assert_as_plain (trace, IPT_AFL_FALLBACK_PACKET);
}

/* A TIP where jne needs a TNT bit: libipt's decode error. */
static void
test_fallback_state (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, EXIT_BASE);
  trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_tnt (&enc, 3, 0x6);
  trace = trace_builder_finish (&enc);

  assert_as_plain (trace, IPT_AFL_FALLBACK_STATE);
}

static void
test_fallback_memory (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, 0x20000);
  trace_builder_put_tnt (&enc, 1, 0x1);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  trace = trace_builder_finish (&enc);

  assert_as_plain (trace, IPT_AFL_FALLBACK_MEMORY);
}

/* A TIP.PGD without an IP: libipt reads the code at the flow's IP to
 * bind it, here unmapped (a case the fuzzer found). */
static void
test_fallback_memory_at_disable (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  start_at (&enc, 0x294023);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_tnt (&enc, 3, 0x6);
  trace = trace_builder_finish (&enc);

  assert_as_plain (trace, IPT_AFL_FALLBACK_MEMORY);
}

static void
test_fallback_insn (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_loop_run (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, UD2_BASE);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x9000);
  trace = trace_builder_finish (&enc);

  assert_as_plain (trace, IPT_AFL_FALLBACK_INSN);
}

/* A cancelled decode leaves the bitmap as it was. */
static void
test_cancel (void)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptAflDecoder) afl = ipt_afl_decoder_new (image);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) trace = loop_trace (2);
  g_autoptr(GBytes) bitmap = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (ipt_afl_decoder_decode_bytes (afl, trace, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  bitmap = ipt_afl_decoder_get_bitmap (afl);
  g_assert_cmpuint (n_counted (bitmap), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/afl-decoder/loop/equals-plain", test_loop);
  g_test_add_func ("/afl-decoder/reuse-and-reset", test_reuse_reset);
  g_test_add_func ("/afl-decoder/return-compression", test_return_compression);
  g_test_add_func ("/afl-decoder/return-empty-stack", test_return_empty_stack);
  g_test_add_func ("/afl-decoder/branch-leaves-range", test_branch_leaves);
  g_test_add_func ("/afl-decoder/fup-after-branch", test_fup_after_branch);
  g_test_add_func ("/afl-decoder/overflow", test_overflow);
  g_test_add_func ("/afl-decoder/end-of-trace", test_end_of_trace);
  g_test_add_func ("/afl-decoder/psb-plus", test_psb_plus);
  g_test_add_func ("/afl-decoder/fallback/packet", test_fallback_packet);
  g_test_add_func ("/afl-decoder/fallback/state", test_fallback_state);
  g_test_add_func ("/afl-decoder/fallback/memory", test_fallback_memory);
  g_test_add_func ("/afl-decoder/fallback/memory-at-disable", test_fallback_memory_at_disable);
  g_test_add_func ("/afl-decoder/fallback/insn", test_fallback_insn);
  g_test_add_func ("/afl-decoder/cancel", test_cancel);

  return g_test_run ();
}
