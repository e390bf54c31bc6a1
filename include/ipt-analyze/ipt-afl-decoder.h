/* ipt-afl-decoder.h: the AFL edge bitmap of kAFL/Nyx straight from a trace's packets, with caches that persist across decodes. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-image.h>

G_BEGIN_DECLS

/**
 * IptAflFallback:
 * @IPT_AFL_FALLBACK_NONE: the fast walk decoded the trace itself
 * @IPT_AFL_FALLBACK_PACKET: a packet the fast walk does not handle (OVF,
 *   VMCS, PTWRITE, power events, TraceStop, a TSX abort, a reserved IP
 *   compression) or a malformed or truncated packet
 * @IPT_AFL_FALLBACK_STATE: a packet in a state where libipt would report a
 *   decode error or bind it in a way the fast walk does not reproduce
 *   (a TIP where a conditional branch needs a TNT bit, a TNT bit while
 *   tracing is disabled, a wrong compressed return, an empty return stack)
 * @IPT_AFL_FALLBACK_MEMORY: code the image cannot serve, or an image
 *   whose memory changes over time (ipt_image_list_boundaries())
 * @IPT_AFL_FALLBACK_INSN: an instruction Zydis rejects, or one whose
 *   treatment by libipt the fast walk does not model (VMX, TSX, PTWRITE,
 *   control register writes), or a run of code without a branch that
 *   needs the trace
 *
 * Why ipt_afl_decoder_decode_bytes() decoded the last trace with libipt
 * instead of with its own packet walk. The bitmap is the same either way
 * (the fallback exists so that it always is); only the cost differs.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_AFL_FALLBACK_NONE,
  IPT_AFL_FALLBACK_PACKET,
  IPT_AFL_FALLBACK_STATE,
  IPT_AFL_FALLBACK_MEMORY,
  IPT_AFL_FALLBACK_INSN,
} IptAflFallback;

#define IPT_TYPE_AFL_DECODER (ipt_afl_decoder_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptAflDecoder, ipt_afl_decoder, IPT, AFL_DECODER, GObject)

IPT_AVAILABLE_IN_ALL
IptAflDecoder *ipt_afl_decoder_new (IptImage *image);
IPT_AVAILABLE_IN_ALL
IptImage *ipt_afl_decoder_get_image (IptAflDecoder *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_afl_decoder_decode_bytes (IptAflDecoder *self, GBytes *trace,
                                       GCancellable *cancellable, GError **error);
IPT_AVAILABLE_IN_ALL
GBytes *ipt_afl_decoder_get_bitmap (IptAflDecoder *self);
IPT_AVAILABLE_IN_ALL
void ipt_afl_decoder_reset (IptAflDecoder *self);
IPT_AVAILABLE_IN_ALL
guint ipt_afl_decoder_get_n_fallbacks (IptAflDecoder *self);
IPT_AVAILABLE_IN_ALL
IptAflFallback ipt_afl_decoder_get_last_fallback (IptAflDecoder *self);

G_END_DECLS
