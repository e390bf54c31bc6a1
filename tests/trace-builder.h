/* trace-builder.h: test helper that writes Intel PT packet streams with
 * libipt's own encoder (pt_enc_next), and the hand-assembled code they trace;
 * shared by test-decoder, test-statistics and test-cli. Every failure is a
 * test assertion. */
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
void trace_builder_put_tsc (TraceBuilder *builder, guint64 tsc);
void trace_builder_put_pip (TraceBuilder *builder, guint64 cr3);
guint64 trace_builder_get_offset (TraceBuilder *builder);
GBytes *trace_builder_finish (TraceBuilder *builder);

/* x86-64 code to be mapped at TRACE_BUILDER_LOOP_BASE:
 *   0x1000 xor rax,rax; 0x1003 inc rax; 0x1006 cmp rax,3; 0x100a jne 0x1003;
 *   0x100c call 0x1016; 0x1011 jmp 0x101d; 0x1013 nop x3; 0x1016 mov rbx,rax;
 *   0x1019 ret; 0x101a nop x3; 0x101d jmp rbx
 * One run executes 15 instructions: xor, 3 x (inc, cmp, jne), call, mov, ret,
 * jmp, jmp rbx. */
#define TRACE_BUILDER_LOOP_BASE G_GUINT64_CONSTANT (0x1000)
extern const guint8 trace_builder_loop_code[];
extern const gsize trace_builder_loop_code_size;

/* Code whose conditional branch may leave the traced range:
 *   0x3000 cmp rax,3; 0x3004 jne 0x5000; 0x300a nop; 0x300b ret */
#define TRACE_BUILDER_EXIT_BASE G_GUINT64_CONSTANT (0x3000)
extern const guint8 trace_builder_exit_code[];
extern const gsize trace_builder_exit_code_size;

void trace_builder_put_loop_run (TraceBuilder *builder);
void trace_builder_put_loop_run_at (TraceBuilder *builder, guint64 tsc);
void trace_builder_put_loop_run_in (TraceBuilder *builder, guint64 cr3);

G_END_DECLS
