/* fuzz-afl-decoder.c: libFuzzer harness for IptAflDecoder's packet walk,
 * a differential one: the input (after a PSB+ that puts the walk in
 * 64-bit mode) is a trace over a small image (tests/trace-builder.c's
 * loop and a function with a call, a return and a jump table); the
 * decode must never crash and, when the fast walk did not fall back, its
 * bitmap must equal the one an IptCoverage computes from libipt's block
 * decoder. Each input is decoded twice by one decoder, so that the
 * second decode runs on warm caches. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "../mock-provider.h"
#include "../trace-builder.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* 0x4000: test edi,edi; je 0x4010; cmp edi,2; ja 0x4010; call 0x4020;
 * 0x400e: jmp 0x4000; 0x4010: jmp [rip+0] (to 0x4000 through 0x4018's
 * pointer: an indirect jump); 0x4020: dec edi; jne 0x4020; ret */
#define FUZZ_BASE G_GUINT64_CONSTANT (0x4000)
static const guint8 fuzz_code[] = {
  0x85, 0xff, 0x74, 0x0c, 0x83, 0xff, 0x02, 0x77, 0x07, 0xe8, 0x12, 0x00, 0x00, 0x00,
  0xeb, 0xf0,
  0xff, 0x25, 0x02, 0x00, 0x00, 0x00, 0x90, 0x90,
  0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xff, 0xcf, 0x75, 0xfc, 0xc3,
};

/* PSB, MODE.Exec 64-bit, PSBEND */
static const guint8 psb_plus[] = {
  0x02, 0x82, 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
  0x02, 0x82, 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
  0x99, 0x01,
  0x02, 0x23,
};

static IptImage *image;

static void
init_image (void)
{
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  image = ipt_image_new ("fuzz");
  ipt_mock_provider_add_bytes (mock, TRACE_BUILDER_LOOP_BASE, trace_builder_loop_code,
                               trace_builder_loop_code_size, NULL);
  ipt_mock_provider_add_bytes (mock, FUZZ_BASE, fuzz_code, sizeof fuzz_code, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(IptAflDecoder) afl = NULL;
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(IptCoverage) coverage = NULL;
  g_autoptr(GBytes) trace = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autofree guint8 *buffer = NULL;

  if (image == NULL)
    init_image ();
  buffer = g_malloc (sizeof psb_plus + size);
  memcpy (buffer, psb_plus, sizeof psb_plus);
  memcpy (buffer + sizeof psb_plus, data, size);
  trace = g_bytes_new (buffer, sizeof psb_plus + size);

  decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  coverage = ipt_coverage_new ();
  if (!ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, NULL))
    return 0;
  plain = ipt_coverage_get_afl_bitmap (coverage);

  afl = ipt_afl_decoder_new (image);
  for (guint round = 1; round <= 2; round++)
    {
      g_autoptr(GBytes) bitmap = NULL;
      const guint8 *ours, *theirs;

      if (!ipt_afl_decoder_decode_bytes (afl, trace, NULL, NULL))
        abort ();
      bitmap = ipt_afl_decoder_get_bitmap (afl);
      ours = g_bytes_get_data (bitmap, NULL);
      theirs = g_bytes_get_data (plain, NULL);
      for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
        if (ours[i] != (guint8) (round * theirs[i]))
          abort ();
    }
  return 0;
}
