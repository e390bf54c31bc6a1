/* ipt-sink.h: the analysis sink a decoder feeds (listing, statistics, coverage, ...). */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <intel-pt.h>
#include <glib-object.h>
#include <ipt-analyze/ipt-macros.h>

G_BEGIN_DECLS

typedef struct _IptDecoder IptDecoder;

/**
 * IptSinkNeeds:
 * @IPT_SINK_NEEDS_NONE: only events, errors and the begin/end calls
 * @IPT_SINK_NEEDS_INSNS: every instruction; with the block decoder the
 *   decoder walks each block (reads its bytes, measures each instruction)
 *   and calls #IptSinkInterface.insn once per instruction
 * @IPT_SINK_NEEDS_BLOCKS: every block of the block decoder, as libipt
 *   returns it (cheap: no per-instruction work)
 *
 * What a sink wants the decoder to deliver. Asked once per decode, so that
 * a sink that only counts (statistics) keeps the block decoder fast.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  IPT_SINK_NEEDS_NONE = 0,
  IPT_SINK_NEEDS_INSNS = 1 << 0,
  IPT_SINK_NEEDS_BLOCKS = 1 << 1,
} IptSinkNeeds;

/**
 * IptDecodeErrorKind:
 * @IPT_DECODE_ERROR_SYNC: synchronizing onto the trace failed
 *   (ptxed: "sync error")
 * @IPT_DECODE_ERROR_DECODE: decoding failed after synchronizing; the decoder
 *   resynchronizes at the next PSB (ptxed: "error")
 * @IPT_DECODE_ERROR_RECONSTRUCT: walking a block into instructions did not
 *   reach the block's end (ptxed: "reconstruct error")
 *
 * The kinds of decode errors a sink is told about.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_DECODE_ERROR_SYNC,    /*< nick=sync >*/
  IPT_DECODE_ERROR_DECODE,  /*< nick=decode >*/
  IPT_DECODE_ERROR_RECONSTRUCT, /*< nick=reconstruct >*/
} IptDecodeErrorKind;

IPT_AVAILABLE_IN_ALL
const char *ipt_decode_error_kind_get_label (IptDecodeErrorKind kind);

#define IPT_TYPE_SINK (ipt_sink_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (IptSink, ipt_sink, IPT, SINK, GObject)

/**
 * IptSinkInterface:
 * @parent_iface: the parent interface
 * @get_needs: optional; what the sink wants delivered. The default is
 *   %IPT_SINK_NEEDS_INSNS when @insn is set, plus %IPT_SINK_NEEDS_BLOCKS when
 *   @block is set.
 * @begin: optional; called once before decoding starts. Returning %FALSE
 *   (with the error set) aborts the decode with that error.
 * @insn: optional; one decoded instruction. With the insn decoder it is
 *   libipt's own instruction; with the block decoder a walked instruction
 *   whose @iclass is only known for the last instruction of a block
 *   (ptic_error otherwise). The pointer is valid during the call only.
 * @block: optional; one block of the block decoder (libipt's struct). When a
 *   sink needs both, @block is called before the block's instructions.
 * @event: optional; one libipt event, including status updates
 *   (`event->status_update`), which ptxed does not print.
 * @error: optional; one decode error: its kind, the trace offset where
 *   libipt reported it (-1 when libipt could not tell), the instruction
 *   pointer and libipt's negative error code (see pt_errstr()).
 * @end_of_trace: optional; the trace ended with a known IP (ptxed prints
 *   "[end of trace]"); @offset is the trace offset.
 * @end: optional; called once after decoding, also after an error or
 *   cancellation. Returning %FALSE (with the error set) makes the decode fail
 *   (e.g. the listing could not be written).
 * @split: optional, with @merge; a new, empty sink of the same configuration
 *   as @self, for one segment of a parallel decode (ipt_decoder_set_jobs()).
 * @merge: optional, with @split; folds @part, a sink that @split made and a
 *   decode fed with the segment that follows everything @self has seen, into
 *   @self. Called in trace order. Returning %FALSE (with the error set) fails
 *   the decode.
 *
 * An analysis sink. The decoder resolves the vfuncs once per decode, so a
 * sink pays no dispatch cost per instruction beyond one indirect call.
 * All calls of one decode come from the thread that runs the decode.
 *
 * A sink that implements @split and @merge can be decoded in parallel: the
 * decoder cuts the trace into segments at PSBs, gives each segment a part
 * made by @split (its @begin gets the decoder of that segment; it never gets
 * @end), and merges the parts into the sink in trace order, between the
 * sink's own @begin and @end. A part may get the last few calls of its
 * segment from the merging thread, after its decode; the decoder's offset
 * and time are those of the call then too. The calls that all parts
 * together get are exactly those one serial decode makes, in the same order.
 *
 * Since: 0.1
 */
struct _IptSinkInterface {
  GTypeInterface parent_iface;

  IptSinkNeeds (*get_needs)    (IptSink *self);
  gboolean     (*begin)        (IptSink *self, IptDecoder *decoder, GError **error);
  void         (*insn)         (IptSink *self, const struct pt_insn *insn);
  void         (*block)        (IptSink *self, const struct pt_block *block);
  void         (*event)        (IptSink *self, const struct pt_event *event);
  void         (*error)        (IptSink *self, IptDecodeErrorKind kind, gint64 offset,
                                guint64 ip, int code);
  void         (*end_of_trace) (IptSink *self, gint64 offset);
  gboolean     (*end)          (IptSink *self, GError **error);
  IptSink     *(*split)        (IptSink *self);
  gboolean     (*merge)        (IptSink *self, IptSink *part, GError **error);

  /*< private >*/
  gpointer padding[6];
};

IPT_AVAILABLE_IN_ALL
IptSinkNeeds ipt_sink_get_needs (IptSink *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_sink_begin (IptSink *self, IptDecoder *decoder, GError **error);
IPT_AVAILABLE_IN_ALL
void ipt_sink_insn (IptSink *self, const struct pt_insn *insn);
IPT_AVAILABLE_IN_ALL
void ipt_sink_block (IptSink *self, const struct pt_block *block);
IPT_AVAILABLE_IN_ALL
void ipt_sink_event (IptSink *self, const struct pt_event *event);
IPT_AVAILABLE_IN_ALL
void ipt_sink_error (IptSink *self, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code);
IPT_AVAILABLE_IN_ALL
void ipt_sink_end_of_trace (IptSink *self, gint64 offset);
IPT_AVAILABLE_IN_ALL
gboolean ipt_sink_end (IptSink *self, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_sink_can_split (IptSink *self);
IPT_AVAILABLE_IN_ALL
IptSink *ipt_sink_split (IptSink *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_sink_merge (IptSink *self, IptSink *part, GError **error);

G_END_DECLS
