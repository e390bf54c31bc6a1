/* trace-builder.h: test helper that writes Intel PT packet streams with
 * libipt's own encoder (pt_enc_next), shared by test-decoder and test-cli.
 * Every failure is a test assertion. */
#pragma once

#include <glib.h>
#include <intel-pt.h>

G_BEGIN_DECLS

typedef struct {
  guint8 buffer[64 * 1024];
  struct pt_encoder *encoder;
} TraceBuilder;

void trace_builder_init (TraceBuilder *builder);
void trace_builder_put (TraceBuilder *builder, enum pt_packet_type type);
void trace_builder_put_ip (TraceBuilder *builder, enum pt_packet_type type,
                           enum pt_ip_compression ipc, guint64 ip);
void trace_builder_put_tnt (TraceBuilder *builder, guint8 bits, guint64 payload);
void trace_builder_put_psb_64bit (TraceBuilder *builder);
guint64 trace_builder_get_offset (TraceBuilder *builder);
GBytes *trace_builder_finish (TraceBuilder *builder);

G_END_DECLS
