/* ipt-zydis.h: one Zydis decoder per libipt execution mode, the table both
 * the block decoder's instruction walker (core) and the listing's
 * disassembler (tools) need. Header-only; never installed. */
#pragma once

#include <intel-pt.h>
#include <Zydis/Zydis.h>
#include <glib.h>

G_BEGIN_DECLS

/* Indexed by enum pt_exec_mode; ptem_unknown stays unusable. */
#define IPT_ZYDIS_N_MODES (ptem_64bit + 1)

/**
 * ipt_zydis_init_decoders:
 * @decoders: (array fixed-size=IPT_ZYDIS_N_MODES): one decoder per mode
 * @ok: (array fixed-size=IPT_ZYDIS_N_MODES): whether each one could be made
 * @minimal: only lengths and branch operands (Zydis' minimal mode)
 *
 * Sets up a decoder for each of libipt's 16-, 32- and 64-bit modes.
 */
static inline void
ipt_zydis_init_decoders (ZydisDecoder decoders[IPT_ZYDIS_N_MODES],
                         gboolean ok[IPT_ZYDIS_N_MODES], gboolean minimal)
{
  static const struct {
    enum pt_exec_mode mode;
    ZydisMachineMode machine;
    ZydisStackWidth stack;
  } modes[] = {
    { ptem_16bit, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16 },
    { ptem_32bit, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32 },
    { ptem_64bit, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64 },
  };

  for (gsize i = 0; i < IPT_ZYDIS_N_MODES; i++)
    ok[i] = FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      ZydisDecoder *decoder = &decoders[modes[i].mode];

      ok[modes[i].mode] =
        ZYAN_SUCCESS (ZydisDecoderInit (decoder, modes[i].machine, modes[i].stack)) &&
        (!minimal ||
         ZYAN_SUCCESS (ZydisDecoderEnableMode (decoder, ZYDIS_DECODER_MODE_MINIMAL, ZYAN_TRUE)));
    }
}

G_END_DECLS
