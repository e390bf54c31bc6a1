/* trace-builder.c: Intel PT packet streams for tests, through libipt's
 * encoder so that the bytes are exactly what libipt's decoder expects, and
 * the code they trace. */
#include "config.h"

#include <string.h>

#include "trace-builder.h"

void
trace_builder_init (TraceBuilder *builder)
{
  struct pt_config config;

  pt_config_init (&config);
  config.begin = builder->buffer;
  config.end = builder->buffer + sizeof (builder->buffer);
  builder->encoder = pt_alloc_encoder (&config);
  g_assert_nonnull (builder->encoder);
}

/* A packet without payload (PSB, PSBEND, PAD, ...). */
void
trace_builder_put (TraceBuilder *builder, enum pt_packet_type type)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = type;
  g_assert_cmpint (pt_enc_next (builder->encoder, &packet), >, 0);
}

/* TIP, TIP.PGE, TIP.PGD or FUP. */
void
trace_builder_put_ip (TraceBuilder *builder, enum pt_packet_type type,
                      enum pt_ip_compression ipc, guint64 ip)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = type;
  packet.payload.ip.ipc = ipc;
  packet.payload.ip.ip = ip;
  g_assert_cmpint (pt_enc_next (builder->encoder, &packet), >, 0);
}

/* A short TNT: @bits branches, the oldest in the highest bit of @payload. */
void
trace_builder_put_tnt (TraceBuilder *builder, guint8 bits, guint64 payload)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = ppt_tnt_8;
  packet.payload.tnt.bit_size = bits;
  packet.payload.tnt.payload = payload;
  g_assert_cmpint (pt_enc_next (builder->encoder, &packet), >, 0);
}

/* PSB, TSC when @tsc is not G_MAXUINT64, PIP when @cr3 is not
 * G_MAXUINT64, MODE.Exec (64-bit), PSBEND. */
static void
put_psb_plus_at (TraceBuilder *builder, guint64 cr3, guint64 tsc)
{
  struct pt_packet packet;

  trace_builder_put (builder, ppt_psb);
  if (tsc != G_MAXUINT64)
    trace_builder_put_tsc (builder, tsc);
  if (cr3 != G_MAXUINT64)
    trace_builder_put_pip (builder, cr3);
  memset (&packet, 0, sizeof (packet));
  packet.type = ppt_mode;
  packet.payload.mode.leaf = pt_mol_exec;
  packet.payload.mode.bits.exec.csl = 1;
  g_assert_cmpint (pt_enc_next (builder->encoder, &packet), >, 0);
  trace_builder_put (builder, ppt_psbend);
}

static void
put_psb_plus (TraceBuilder *builder, guint64 cr3)
{
  put_psb_plus_at (builder, cr3, G_MAXUINT64);
}

/* PSB, MODE.Exec (64-bit), PSBEND: where decoding can start. */
void
trace_builder_put_psb_64bit (TraceBuilder *builder)
{
  put_psb_plus (builder, G_MAXUINT64);
}

/* A PIP packet: the address space becomes @cr3 (bits 51:5 are kept). */
void
trace_builder_put_pip (TraceBuilder *builder, guint64 cr3)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = ppt_pip;
  packet.payload.pip.cr3 = cr3;
  g_assert_cmpint (pt_enc_next (builder->encoder, &packet), >, 0);
}

/* A TSC packet: the time moves to @tsc (56 bits). */
void
trace_builder_put_tsc (TraceBuilder *builder, guint64 tsc)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = ppt_tsc;
  packet.payload.tsc.tsc = tsc;
  g_assert_cmpint (pt_enc_next (builder->encoder, &packet), >, 0);
}

/* The number of bytes written so far. */
guint64
trace_builder_get_offset (TraceBuilder *builder)
{
  uint64_t offset = 0;

  g_assert_cmpint (pt_enc_get_offset (builder->encoder, &offset), ==, 0);
  return offset;
}

/* Frees the encoder and returns the trace. */
GBytes *
trace_builder_finish (TraceBuilder *builder)
{
  guint64 size = trace_builder_get_offset (builder);

  pt_free_encoder (builder->encoder);
  builder->encoder = NULL;
  return g_bytes_new (builder->buffer, size);
}

const guint8 trace_builder_loop_code[] = {
  0x48, 0x31, 0xc0,                     /* 0x1000 xor rax,rax */
  0x48, 0xff, 0xc0,                     /* 0x1003 inc rax */
  0x48, 0x83, 0xf8, 0x03,               /* 0x1006 cmp rax,3 */
  0x75, 0xf7,                           /* 0x100a jne 0x1003 */
  0xe8, 0x05, 0x00, 0x00, 0x00,         /* 0x100c call 0x1016 */
  0xeb, 0x0a,                           /* 0x1011 jmp 0x101d */
  0x90, 0x90, 0x90,
  0x48, 0x89, 0xc3,                     /* 0x1016 mov rbx,rax */
  0xc3,                                 /* 0x1019 ret */
  0x90, 0x90, 0x90,
  0xff, 0xe3,                           /* 0x101d jmp rbx */
};
const gsize trace_builder_loop_code_size = sizeof (trace_builder_loop_code);

const guint8 trace_builder_exit_code[] = {
  0x48, 0x83, 0xf8, 0x03,               /* 0x3000 cmp rax,3 */
  0x0f, 0x85, 0xf6, 0x1f, 0x00, 0x00,   /* 0x3004 jne 0x5000 */
  0x90,                                 /* 0x300a nop */
  0xc3,                                 /* 0x300b ret */
};
const gsize trace_builder_exit_code_size = sizeof (trace_builder_exit_code);

static void
put_loop_body (TraceBuilder *builder)
{
  trace_builder_put_ip (builder, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_tnt (builder, 3, 0x6);                      /* jne: taken, taken, not */
  trace_builder_put_ip (builder, ppt_tip, pt_ipc_sext_48, 0x1011);                /* ret */
  trace_builder_put_ip (builder, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);         /* jmp rbx */
}

/* PSB+, then one run of trace_builder_loop_code from TIP.PGE to a TIP.PGD:
 * jmp rbx leaves the traced range (as IP filtering records it). */
void
trace_builder_put_loop_run (TraceBuilder *builder)
{
  trace_builder_put_psb_64bit (builder);
  put_loop_body (builder);
}

/* The same run at time @tsc: its PSB+ holds a TSC. */
void
trace_builder_put_loop_run_at (TraceBuilder *builder, guint64 tsc)
{
  put_psb_plus_at (builder, G_MAXUINT64, tsc);
  put_loop_body (builder);
}

/* The same run in address space @cr3: its PSB+ holds a PIP. */
void
trace_builder_put_loop_run_in (TraceBuilder *builder, guint64 cr3)
{
  put_psb_plus (builder, cr3);
  put_loop_body (builder);
}
