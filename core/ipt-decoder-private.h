/* ipt-decoder-private.h: the IptDecoder's state, shared by the object
 * (ipt-decoder.c) and the decode it runs (ipt-decoder-run.c). Not ABI. */
#pragma once

#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

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

  gint busy;                            /* atomic: a decode is running */
  struct pt_block_decoder *blk;         /* during a decode only */
  struct pt_insn_decoder *insn;
};

/* ipt-decoder-run.c: decodes @data with @self's settings into @sink. */
G_GNUC_INTERNAL
gboolean ipt_decoder_run (IptDecoder *self, const guint8 *data, gsize size, const char *name,
                          IptSink *sink, GCancellable *cancellable,
                          GMainContext *progress_context, GError **error);

/* ipt-decoder.c */
G_GNUC_INTERNAL
void ipt_decoder_emit_progress (IptDecoder *self, guint64 offset, guint64 size);
G_GNUC_INTERNAL
gboolean ipt_decoder_has_progress_handler (IptDecoder *self);

G_END_DECLS
