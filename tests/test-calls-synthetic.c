/* test-calls-synthetic.c: the call analysis on hand-made traces (libipt's
 * encoder, tests/trace-builder.c) over hand-assembled code: what user-space
 * recordings do not hold, an interrupt (an asynchronous branch: FUP + TIP)
 * whose handler returns with iretq to the interrupted instruction, and an
 * overflow.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "mock-provider.h"
#include "trace-builder.h"

#define CODE 0x3000
#define HANDLER 0x3100

/* CODE: nop; nop; jmp rax.  HANDLER: nop; iretq. */
static const guint8 code[] = { 0x90, 0x90, 0xff, 0xe0 };
static const guint8 handler[] = { 0x90, 0x48, 0xcf };

static char *
listing_of (IptCalls *calls)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_calls_write_listing (calls, stream, &error));
  g_assert_true (g_output_stream_write_all (stream, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

static IptImage *
make_image (void)
{
  IptImage *image = ipt_image_new ("synthetic");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_bytes (mock, CODE, code, sizeof code, NULL);
  ipt_mock_provider_add_bytes (mock, HANDLER, handler, sizeof handler, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

/* Decodes @trace with both decoders; each listing must be @expected. */
static void
assert_listing (GBytes *trace, const char *expected, guint64 n_insns, guint64 n_async,
                guint64 n_gaps)
{
  g_autoptr(IptImage) image = make_image ();
  IptDecoderKind kinds[] = { IPT_DECODER_KIND_INSN, IPT_DECODER_KIND_BLOCK };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kinds[k]);
      g_autoptr(IptCalls) calls = ipt_calls_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *listing = NULL;

      ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (calls), NULL, &error);
      g_assert_no_error (error);
      listing = listing_of (calls);
      g_assert_cmpstr (listing, ==, expected);
      g_assert_cmpuint (ipt_calls_get_n_insns (calls), ==, n_insns);
      g_assert_cmpuint (ipt_calls_get_n_async (calls), ==, n_async);
      g_assert_cmpuint (ipt_calls_get_n_gaps (calls), ==, n_gaps);
      g_assert_cmpuint (ipt_calls_get_depth (calls), ==, 1);
    }
}

/* Tracing from CODE, interrupted at CODE + 1 by a branch to HANDLER. */
static void
put_interrupted (TraceBuilder *enc)
{
  trace_builder_init (enc);
  trace_builder_put_psb_64bit (enc);
  trace_builder_put_ip (enc, ppt_tip_pge, pt_ipc_sext_48, CODE);
  trace_builder_put_ip (enc, ppt_fup, pt_ipc_sext_48, CODE + 1);
  trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, HANDLER);
}

/* nop, [interrupt] nop, iretq, nop, jmp: the handler's frame is async,
 * and ends where the interrupted code resumes. */
static void
test_interrupt (void)
{
  g_autoptr(GBytes) trace = NULL;
  TraceBuilder enc;

  put_interrupted (&enc);
  trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, CODE + 1);       /* iretq */
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x4000);     /* jmp rax */
  trace = trace_builder_finish (&enc);

  assert_listing (trace,
                  "           0  start  0x3000\n"
                  "           1    async  0x3100  interrupting 0x3001\n"
                  "           3    resume 0x3100  insns 2 self 2\n", 5, 1, 0);
}

/* nop, [interrupt, overflow: the handler's nop is lost] iretq, nop, jmp
 * (decoding resumes at the FUP after the overflow): the gap ends every
 * frame; the flow starts again in a new root, and the iretq that follows
 * resumes no frame. */
static void
test_overflow (void)
{
  g_autoptr(GBytes) trace = NULL;
  TraceBuilder enc;

  put_interrupted (&enc);
  trace_builder_put (&enc, ppt_ovf);
  trace_builder_put_ip (&enc, ppt_fup, pt_ipc_sext_48, HANDLER + 1);   /* resumes at iretq */
  trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, CODE + 1);       /* iretq */
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x4000);     /* jmp rax */
  trace = trace_builder_finish (&enc);

  assert_listing (trace,
                  "           0  start  0x3000\n"
                  "           1    async  0x3100  interrupting 0x3001\n"
                  "           1    gap    0x3100  insns 0 self 0\n"
                  "           1  gap    0x3000  insns 1 self 1\n"
                  "           1  start  0x3101\n", 4, 1, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calls/synthetic/interrupt-iret", test_interrupt);
  g_test_add_func ("/calls/synthetic/overflow", test_overflow);
  return g_test_run ();
}
