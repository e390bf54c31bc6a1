/* ipt-decoder-private.h: the IptDecoder's state, shared by the object
 * (ipt-decoder.c), its entry points (ipt-decoder-decode.c) and the decode
 * they run (ipt-decoder-run.c, -parallel.c, -outcome.c). Not ABI. */
#pragma once

#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>
#include "ipt-image-private.h"

G_BEGIN_DECLS

struct _IptDecoder {
  GObject parent_instance;

  IptImage *image;
  IptDecoderKind kind;
  struct pt_cpu cpu;
  struct pt_errata errata;
  char *cpu_spec;

  guint64 stall_limit;                  /* 0: none */

  /* perf's TSC -> CLOCK_MONOTONIC conversion (identity by default) */
  guint64 tsc_zero;
  guint32 tsc_mult;
  guint16 tsc_shift;

  guint jobs;                           /* 1: serial; 0: one per processor */
  guint n_segments;                     /* of the last decode */

  gint busy;                            /* atomic: a decode is running */
  struct pt_block_decoder *blk;         /* during a decode only */
  struct pt_insn_decoder *insn;
  const struct _IptDecodeItem *replay;  /* a recorded call being replayed: its offset, time */
};

/* One sink call a segment recorded instead of making it (see
 * ipt-decoder-parallel.c): what the call got, and the decoder's offset and
 * time at the call, so that a replay can answer ipt_decoder_get_offset(). */
typedef enum {
  IPT_DECODE_ITEM_INSN,
  IPT_DECODE_ITEM_BLOCK,
  IPT_DECODE_ITEM_EVENT,
  IPT_DECODE_ITEM_ERROR,
  IPT_DECODE_ITEM_END_OF_TRACE,
} IptDecodeItemKind;

typedef struct _IptDecodeItem {
  IptDecodeItemKind kind;
  gboolean has_offset;
  gboolean has_tsc;
  guint64 offset;
  guint64 tsc;
  union {
    struct pt_insn insn;
    struct pt_block block;
    struct pt_event event;
    struct {
      IptDecodeErrorKind kind;
      int code;
      gint64 offset;
      guint64 ip;
    } error;
    gint64 eot_offset;
  } u;
} IptDecodeItem;

/* What a decode of one segment does besides feeding its sink. Offsets are
 * absolute in the trace buffer. */
typedef struct {
  guint64 start;        /* the PSB to sync at; G_MAXUINT64: sync forward from the start */
  guint64 head_end;     /* record the calls (and make them) until the offset reaches this */
  guint64 cut;          /* from this offset on, record the calls instead of making them */
  guint64 tail_end;     /* and stop once the offset reaches this */
  GArray *head;         /* element-type IptDecodeItem */
  GArray *tail;         /* element-type IptDecodeItem */
} IptDecodeSegment;

/* How a decode ended, beside the sink's calls. */
typedef struct {
  gboolean cancelled;
  gboolean stalled;
  guint64 stall_offset;
  guint64 stall_insns;
  guint64 stall_ip;
  GError *fault;                        /* a mapped file vanished */
  guint64 fault_offset;
  gboolean saw_time;
} IptDecodeOutcome;

/* ipt-decoder-run.c: decodes @data with @self's settings into @sink. */
G_GNUC_INTERNAL
gboolean ipt_decoder_run (IptDecoder *self, const guint8 *data, gsize size, const char *name,
                          IptSink *sink, GCancellable *cancellable,
                          GMainContext *progress_context, GError **error);
/* One decode over @snapshot: begins @sink with @self, feeds it (and
 * @segment, when not NULL); never ends it. FALSE with @error when libipt
 * or the sink's begin fail; how the decode ended goes to @outcome. */
G_GNUC_INTERNAL
gboolean ipt_decoder_run_segment (IptDecoder *self, IptImageSnapshot *snapshot,
                                  const guint8 *data, gsize size, const char *name,
                                  IptSink *sink, IptDecodeSegment *segment,
                                  GCancellable *cancellable, GMainContext *progress_context,
                                  IptDecodeOutcome *outcome, GError **error);
/* Providers that serve address spaces on demand learn the trace's CR3s
 * (before a decode takes its snapshot); FALSE with @error when the trace
 * cannot be read. */
G_GNUC_INTERNAL
gboolean ipt_decoder_learn_address_spaces (IptImage *image, const guint8 *data, gsize size,
                                           const char *name, GError **error);
/* Ends @sink, then FALSE with the error a decode's @outcome ends it with. */
G_GNUC_INTERNAL
gboolean ipt_decode_outcome_check (IptDecodeOutcome *outcome, IptDecoder *self,
                                   IptImageSnapshot *snapshot, const char *name, IptSink *sink,
                                   GError **error);
G_GNUC_INTERNAL
void ipt_decode_outcome_clear (IptDecodeOutcome *outcome);
/* Makes @item's call on @sink, as the decode did not. */
G_GNUC_INTERNAL
void ipt_decode_item_replay (const IptDecodeItem *item, IptDecoder *decoder, IptSink *sink);
G_GNUC_INTERNAL
gboolean ipt_decode_item_equal (const IptDecodeItem *a, const IptDecodeItem *b);
G_GNUC_INTERNAL
void ipt_decoder_report_progress (IptDecoder *self, GMainContext *context, guint64 offset,
                                  guint64 size);

/* ipt-decoder-parallel.c: decodes in segments on @self->jobs threads over
 * @snapshot; FALSE with *@fell_back set when it cannot (too few PSBs). */
G_GNUC_INTERNAL
IptDecoder *ipt_decoder_dup_settings (IptDecoder *self);
G_GNUC_INTERNAL
gboolean ipt_decoder_run_parallel (IptDecoder *self, IptImageSnapshot *snapshot,
                                   const guint8 *data, gsize size, const char *name,
                                   IptSink *sink, GCancellable *cancellable,
                                   GMainContext *progress_context, gboolean *fell_back,
                                   GError **error);

/* ipt-decoder.c */
G_GNUC_INTERNAL
void ipt_decoder_emit_progress (IptDecoder *self, guint64 offset, guint64 size);
G_GNUC_INTERNAL
gboolean ipt_decoder_has_progress_handler (IptDecoder *self);

G_END_DECLS
