/* ipt-decoder.h: decodes an Intel PT trace over an IptImage and feeds an IptSink. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-image.h>
#include <ipt-analyze/ipt-sink.h>

G_BEGIN_DECLS

/**
 * IptDecoderKind:
 * @IPT_DECODER_KIND_BLOCK: libipt's block decoder (fast; the default)
 * @IPT_DECODER_KIND_INSN: libipt's instruction flow decoder
 *
 * Which libipt decoder an #IptDecoder uses. Both give the same instructions.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_DECODER_KIND_BLOCK, /*< nick=block >*/
  IPT_DECODER_KIND_INSN,  /*< nick=insn >*/
} IptDecoderKind;

#define IPT_TYPE_DECODER (ipt_decoder_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptDecoder, ipt_decoder, IPT, DECODER, GObject)

IPT_AVAILABLE_IN_ALL
IptDecoder *ipt_decoder_new (IptImage *image, IptDecoderKind kind);
IPT_AVAILABLE_IN_ALL
IptImage *ipt_decoder_get_image (IptDecoder *self);
IPT_AVAILABLE_IN_ALL
IptDecoderKind ipt_decoder_get_kind (IptDecoder *self);
IPT_AVAILABLE_IN_ALL
void ipt_decoder_set_kind (IptDecoder *self, IptDecoderKind kind);
IPT_AVAILABLE_IN_ALL
gboolean ipt_decoder_set_cpu (IptDecoder *self, const char *spec, GError **error);
IPT_AVAILABLE_IN_ALL
const char *ipt_decoder_get_cpu (IptDecoder *self);
IPT_AVAILABLE_IN_ALL
void ipt_decoder_set_stall_limit (IptDecoder *self, guint64 limit);
IPT_AVAILABLE_IN_ALL
guint64 ipt_decoder_get_stall_limit (IptDecoder *self);

/**
 * IPT_DECODER_DEFAULT_STALL_LIMIT:
 *
 * The default #IptDecoder:stall-limit: a million instructions without
 * reading any trace. Real code meets a conditional or indirect branch, a
 * return or an event (each of which needs trace) far sooner.
 *
 * Since: 0.1
 */
#define IPT_DECODER_DEFAULT_STALL_LIMIT G_GUINT64_CONSTANT (1000000)
IPT_AVAILABLE_IN_ALL
void ipt_decoder_set_jobs (IptDecoder *self, guint jobs);
IPT_AVAILABLE_IN_ALL
guint ipt_decoder_get_jobs (IptDecoder *self);
IPT_AVAILABLE_IN_ALL
guint ipt_decoder_get_n_segments (IptDecoder *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_decoder_get_offset (IptDecoder *self, guint64 *offset);
IPT_AVAILABLE_IN_ALL
void ipt_decoder_set_tsc_conversion (IptDecoder *self, guint64 time_zero, guint32 time_mult,
                                     guint16 time_shift);
IPT_AVAILABLE_IN_ALL
void ipt_decoder_get_tsc_conversion (IptDecoder *self, guint64 *time_zero, guint32 *time_mult,
                                     guint16 *time_shift);
IPT_AVAILABLE_IN_ALL
gboolean ipt_decoder_get_time (IptDecoder *self, guint64 *time);
IPT_AVAILABLE_IN_ALL
guint64 ipt_tsc_to_time (guint64 tsc, guint64 time_zero, guint32 time_mult, guint16 time_shift);

IPT_AVAILABLE_IN_ALL
gboolean ipt_decoder_decode_bytes (IptDecoder *self, GBytes *trace, IptSink *sink,
                                   GCancellable *cancellable, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_decoder_decode_file (IptDecoder *self, const char *path, guint64 from, guint64 to,
                                  IptSink *sink, GCancellable *cancellable, GError **error);
IPT_AVAILABLE_IN_ALL
void ipt_decoder_decode_file_async (IptDecoder *self, const char *path, guint64 from, guint64 to,
                                    IptSink *sink, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
IPT_AVAILABLE_IN_ALL
gboolean ipt_decoder_decode_file_finish (IptDecoder *self, GAsyncResult *result, GError **error);

G_END_DECLS
