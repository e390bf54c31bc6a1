/* ipt-record-encoder.c: encodes the control flow of single-stepped user-space
 * instructions as a genuine Intel PT packet stream, the way CPL-filtered
 * hardware (user only, no return compression) would have written it; or,
 * for a QEMU guest's execution log, of every privilege level, with the
 * paging (PIP) and execution-mode (MODE.Exec) changes the guest made.
 *
 * It also writes the reference listing (every executed instruction address)
 * that decoding the trace must reproduce.  The packet rules follow what
 * libipt's insn and block decoders expect:
 *  - pending TNT bits are flushed before any other packet, so a RET always
 *    finds its TIP (never a TNT bit it would take for a compressed return);
 *  - a synchronous exit to the kernel (syscall, int n) is a TIP.PGD with the
 *    IP suppressed right after the instruction; an asynchronous one (signal,
 *    fault) is FUP at the not yet executed instruction + TIP.PGD;
 *  - tracing resumes with MODE.Exec + TIP.PGE at the next user instruction;
 *  - PSB+ (TSC, PIP once a CR3 is known, and while enabled MODE.Exec and
 *    FUP at the next instruction) at instruction boundaries, about every
 *    psb_period bytes;
 *  - a mov to CR3 is followed by its PIP (libipt binds it to the mov); a
 *    CR3 or mode changed by a far branch or an asynchronous branch goes
 *    out right before that branch's TIP (PIP, then MODE.Exec), where
 *    libipt binds them;
 *  - an asynchronous branch that stays traced (an interrupt or fault in a
 *    guest whose kernel is traced too) is FUP at the instruction that did
 *    not execute, then TIP at the handler.
 * TSC packets carry CLOCK_MONOTONIC nanoseconds: in PSB+, before every
 * TIP.PGD (so a syscall's time is in the trace before the code after it
 * runs), before every TIP.PGE, and where the tracer asks for one (a page
 * rewritten while running: ipt_record_encoder_timestamp()).
 * Never writes a packet in the middle of another one's meaning (between FUP
 * and its TIP.PGD, or with TNT bits pending).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-encoder.h"
#include "ipt-record-clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <intel-pt.h>

#define BUFFER_SIZE (64 * 1024)
/* Room for the largest group of packets written at once (PSB+ and an IP). */
#define BUFFER_SLACK 256
#define MAX_TNT_BITS 6
#define TSC_MASK ((G_GUINT64_CONSTANT (1) << 56) - 1)

struct _IptRecordEncoder {
  char *trace_path;
  char *ips_path;
  FILE *trace;
  FILE *ips;
  guint8 *buffer;
  struct pt_encoder *encoder;

  guint64 flushed;         /* bytes already written to trace_path */
  guint64 last_psb;        /* stream offset of the last PSB */
  gsize psb_period;
  guint64 n_psbs;
  guint64 n_insns;

  gboolean enabled;        /* PacketEn: user code is being traced */
  IptRecordExecMode mode;  /* the decoder's execution mode */
  IptRecordExecMode next_mode; /* the mode after the next branch */
  gboolean have_cr3;
  guint64 cr3;             /* the decoder's CR3, for PSB+ */
  gboolean pip_pending;    /* next_cr3 goes out with the next TIP or TIP.PGE */
  guint64 next_cr3;
  guint64 last_ip;         /* IP compression reference */
  gboolean have_last_ip;
  guint64 tnt;             /* pending TNT bits, oldest in the highest bit */
  guint n_tnt;
};

static guint64
stream_offset (IptRecordEncoder *self)
{
  guint64 offset = 0;

  pt_enc_get_offset (self->encoder, &offset);
  return self->flushed + offset;
}

static gboolean
set_write_error (GError **error, const char *path, int saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s: write failed: %s", path, g_strerror (saved_errno));
  return FALSE;
}

/* Writes the encoded bytes out and rewinds the encoder over its buffer. */
static gboolean
flush_buffer (IptRecordEncoder *self, GError **error)
{
  guint64 offset = 0;

  pt_enc_get_offset (self->encoder, &offset);
  if (offset == 0)
    return TRUE;
  if (fwrite (self->buffer, 1, offset, self->trace) != offset)
    return set_write_error (error, self->trace_path, errno);
  self->flushed += offset;
  pt_enc_sync_set (self->encoder, 0);
  return TRUE;
}

static gboolean
ensure_room (IptRecordEncoder *self, GError **error)
{
  guint64 offset = 0;

  pt_enc_get_offset (self->encoder, &offset);
  if (offset + BUFFER_SLACK <= BUFFER_SIZE)
    return TRUE;
  return flush_buffer (self, error);
}

static gboolean
emit (IptRecordEncoder *self, const struct pt_packet *packet, GError **error)
{
  int status = pt_enc_next (self->encoder, packet);

  if (status < 0)
    {
      /* Only a bug here can make libipt refuse a packet. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: cannot encode packet type %d: %s",
                   self->trace_path, stream_offset (self), packet->type,
                   pt_errstr (pt_errcode (status)));
      return FALSE;
    }
  return TRUE;
}

static gboolean
emit_simple (IptRecordEncoder *self, enum pt_packet_type type, GError **error)
{
  struct pt_packet packet = { .type = type };

  return emit (self, &packet, error);
}

static gboolean
emit_tsc_at (IptRecordEncoder *self, guint64 time, GError **error)
{
  struct pt_packet packet = { .type = ppt_tsc };

  packet.payload.tsc.tsc = time & TSC_MASK;
  return emit (self, &packet, error);
}

static gboolean
emit_tsc (IptRecordEncoder *self, GError **error)
{
  return emit_tsc_at (self, ipt_record_clock_now (), error);
}

static gboolean
emit_mode_exec (IptRecordEncoder *self, IptRecordExecMode mode, GError **error)
{
  struct pt_packet packet = { .type = ppt_mode };

  packet.payload.mode.leaf = pt_mol_exec;
  packet.payload.mode.bits.exec.csl = mode == IPT_RECORD_MODE_64;
  packet.payload.mode.bits.exec.csd = mode == IPT_RECORD_MODE_32;
  return emit (self, &packet, error);
}

static gboolean
emit_pip (IptRecordEncoder *self, GError **error)
{
  struct pt_packet packet = { .type = ppt_pip };

  packet.payload.pip.cr3 = self->cr3;
  return emit (self, &packet, error);
}

/* The CR3 announced for the next branch becomes the decoder's. */
static gboolean
emit_pending_pip (IptRecordEncoder *self, GError **error)
{
  if (!self->pip_pending)
    return TRUE;
  self->pip_pending = FALSE;
  self->have_cr3 = TRUE;
  self->cr3 = self->next_cr3;
  return emit_pip (self, error);
}

static gboolean
is_sext_48 (guint64 ip)
{
  guint64 upper = ip >> 47;

  return upper == 0 || upper == (G_GUINT64_CONSTANT (1) << 17) - 1;
}

/* An IP packet with the smallest compression the last-IP rules allow. */
static gboolean
emit_ip (IptRecordEncoder *self, enum pt_packet_type type, guint64 ip, GError **error)
{
  struct pt_packet packet = { .type = type };
  guint64 diff = ip ^ self->last_ip;

  if (self->have_last_ip && (diff >> 16) == 0)
    {
      packet.payload.ip.ipc = pt_ipc_update_16;
      packet.payload.ip.ip = ip & 0xffff;
    }
  else if (self->have_last_ip && (diff >> 32) == 0)
    {
      packet.payload.ip.ipc = pt_ipc_update_32;
      packet.payload.ip.ip = ip & 0xffffffff;
    }
  else if (is_sext_48 (ip))
    {
      packet.payload.ip.ipc = pt_ipc_sext_48;
      packet.payload.ip.ip = ip & G_GUINT64_CONSTANT (0xffffffffffff);
    }
  else if (self->have_last_ip && (diff >> 48) == 0)
    {
      packet.payload.ip.ipc = pt_ipc_update_48;
      packet.payload.ip.ip = ip & G_GUINT64_CONSTANT (0xffffffffffff);
    }
  else
    {
      packet.payload.ip.ipc = pt_ipc_full;
      packet.payload.ip.ip = ip;
    }

  if (!emit (self, &packet, error))
    return FALSE;
  self->last_ip = ip;
  self->have_last_ip = TRUE;
  return TRUE;
}

static gboolean
emit_pgd (IptRecordEncoder *self, GError **error)
{
  struct pt_packet packet = { .type = ppt_tip_pgd };

  packet.payload.ip.ipc = pt_ipc_suppressed;
  return emit (self, &packet, error);
}

static gboolean
flush_tnt (IptRecordEncoder *self, GError **error)
{
  struct pt_packet packet = { .type = ppt_tnt_8 };

  if (self->n_tnt == 0)
    return TRUE;
  packet.payload.tnt.bit_size = (uint8_t) self->n_tnt;
  packet.payload.tnt.payload = self->tnt;
  self->tnt = 0;
  self->n_tnt = 0;
  return emit (self, &packet, error);
}

/* PSB+; @ip is the next instruction to execute when tracing is enabled. */
static gboolean
emit_psb (IptRecordEncoder *self, guint64 ip, GError **error)
{
  if (!flush_tnt (self, error) || !ensure_room (self, error))
    return FALSE;
  self->last_psb = stream_offset (self);
  self->n_psbs++;
  /* PSB resets the decoder's last IP. */
  self->have_last_ip = FALSE;
  if (!emit_simple (self, ppt_psb, error) || !emit_tsc (self, error))
    return FALSE;
  if (self->have_cr3 && !emit_pip (self, error))
    return FALSE;
  if (self->enabled &&
      (!emit_mode_exec (self, self->mode, error) || !emit_ip (self, ppt_fup, ip, error)))
    return FALSE;
  return emit_simple (self, ppt_psbend, error);
}

/**
 * ipt_record_encoder_new:
 * @trace_path: (type filename): where the PT stream goes
 * @ips_path: (type filename): where the executed addresses go, one per line
 * @psb_period: approximate number of trace bytes between PSBs
 * @error: return location for a #GError naming the file that failed
 *
 * Creates both files and writes the initial PSB+ (tracing not yet enabled).
 *
 * Returns: (transfer full) (nullable): a new encoder, or %NULL on error.
 */
IptRecordEncoder *
ipt_record_encoder_new (const char *trace_path,
                        const char *ips_path,
                        gsize psb_period,
                        GError **error)
{
  g_autoptr(IptRecordEncoder) self = g_new0 (IptRecordEncoder, 1);
  struct pt_config config;

  g_return_val_if_fail (trace_path != NULL && ips_path != NULL, NULL);

  self->trace_path = g_strdup (trace_path);
  self->ips_path = g_strdup (ips_path);
  self->psb_period = MAX (psb_period, (gsize) 64);
  self->mode = self->next_mode = IPT_RECORD_MODE_64;
  self->buffer = g_malloc (BUFFER_SIZE);

  self->trace = fopen (trace_path, "wb");
  if (self->trace == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: cannot create: %s", trace_path, g_strerror (saved_errno));
      return NULL;
    }
  self->ips = fopen (ips_path, "w");
  if (self->ips == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: cannot create: %s", ips_path, g_strerror (saved_errno));
      return NULL;
    }

  pt_config_init (&config);
  config.begin = self->buffer;
  config.end = self->buffer + BUFFER_SIZE;
  self->encoder = pt_alloc_encoder (&config);
  if (self->encoder == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s: cannot allocate the Intel PT encoder", trace_path);
      return NULL;
    }

  if (!emit_psb (self, 0, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* TIP at @target, preceded by what changed with the branch: PIP for a new
 * CR3, MODE.Exec for a new mode (libipt binds both to the TIP). */
static gboolean
emit_branch_tip (IptRecordEncoder *self, guint64 target, GError **error)
{
  if (!emit_pending_pip (self, error))
    return FALSE;
  if (self->next_mode != self->mode)
    {
      self->mode = self->next_mode;
      if (!emit_mode_exec (self, self->mode, error))
        return FALSE;
    }
  return emit_ip (self, ppt_tip, target, error);
}

/* Called before an instruction at @ip is accounted: starts tracing again
 * after a kernel entry, or refreshes PSB+ when one is due. */
static gboolean
prepare_insn (IptRecordEncoder *self, guint64 ip, GError **error)
{
  gboolean psb_due = stream_offset (self) - self->last_psb >= self->psb_period;

  if (!ensure_room (self, error))
    return FALSE;

  if (!self->enabled)
    {
      if (psb_due && !emit_psb (self, ip, error))
        return FALSE;
      self->mode = self->next_mode;
      if (!emit_tsc (self, error) || !emit_pending_pip (self, error) ||
          !emit_mode_exec (self, self->mode, error) || !emit_ip (self, ppt_tip_pge, ip, error))
        return FALSE;
      self->enabled = TRUE;
      return TRUE;
    }

  if (psb_due)
    return emit_psb (self, ip, error);
  return TRUE;
}

/**
 * ipt_record_encoder_disable:
 * @self: an encoder
 * @error: return location for a #GError
 *
 * Stops tracing right after the instruction accounted last (a synchronous
 * disable: TSC and TIP.PGD with the IP suppressed, which libipt binds to a
 * far branch or a mov to CR3).  Nothing is written when tracing is off.
 *
 * Returns: %FALSE with @error set when the trace cannot be written.
 */
gboolean
ipt_record_encoder_disable (IptRecordEncoder *self, GError **error)
{
  if (!self->enabled)
    return TRUE;
  if (!ensure_room (self, error) || !flush_tnt (self, error) || !emit_tsc (self, error) ||
      !emit_pgd (self, error))
    return FALSE;
  self->enabled = FALSE;
  return TRUE;
}

/**
 * ipt_record_encoder_insn:
 * @self: an encoder
 * @ip: address of the instruction that completed
 * @size: its length in bytes
 * @klass: how it transfers control
 * @next_ip: the address user execution continued at (ignored for
 *   %IPT_RECORD_INSN_KERNEL_ENTRY and %IPT_RECORD_INSN_OTHER)
 * @error: return location for a #GError
 *
 * Accounts one executed user-space instruction: appends its address to the
 * listing and the packets it produces to the trace.
 *
 * Returns: %FALSE with @error set when a file cannot be written.
 */
gboolean
ipt_record_encoder_insn (IptRecordEncoder *self,
                         guint64 ip,
                         guint size,
                         IptRecordInsnClass klass,
                         guint64 next_ip,
                         GError **error)
{
  if (!prepare_insn (self, ip, error))
    return FALSE;

  self->n_insns++;
  if (fprintf (self->ips, "%016" G_GINT64_MODIFIER "x\n", ip) < 0)
    return set_write_error (error, self->ips_path, errno);

  switch (klass)
    {
    case IPT_RECORD_INSN_OTHER:
      return TRUE;

    case IPT_RECORD_INSN_COND:
      self->tnt = (self->tnt << 1) | (next_ip != ip + size ? 1 : 0);
      if (++self->n_tnt == MAX_TNT_BITS)
        return flush_tnt (self, error);
      return TRUE;

    case IPT_RECORD_INSN_INDIRECT:
    case IPT_RECORD_INSN_FAR:
      return flush_tnt (self, error) && emit_branch_tip (self, next_ip, error);

    case IPT_RECORD_INSN_KERNEL_ENTRY:
      return ipt_record_encoder_disable (self, error);

    default:
      g_assert_not_reached ();
    }
}

/**
 * ipt_record_encoder_timestamp:
 * @self: an encoder
 * @time: CLOCK_MONOTONIC nanoseconds, not before the last TSC written
 * @error: return location for a #GError
 *
 * Writes a TSC packet of @time now, between two instructions' packets,
 * when tracing is on.  When it is off nothing is written: tracing resumes
 * with a TSC taken later than @time.
 *
 * Returns: %FALSE with @error set when the trace cannot be written.
 */
gboolean
ipt_record_encoder_timestamp (IptRecordEncoder *self, guint64 time, GError **error)
{
  if (!self->enabled)
    return TRUE;
  return ensure_room (self, error) && flush_tnt (self, error) && emit_tsc_at (self, time, error);
}

/**
 * ipt_record_encoder_interrupt:
 * @self: an encoder
 * @ip: the user instruction that was interrupted before it executed
 * @error: return location for a #GError
 *
 * Accounts an asynchronous kernel entry (signal delivery, fault, kill):
 * FUP at @ip and TIP.PGD.  Nothing is written when tracing is already
 * disabled (the process was in the kernel anyway).
 *
 * Returns: %FALSE with @error set when the trace cannot be written.
 */
gboolean
ipt_record_encoder_interrupt (IptRecordEncoder *self, guint64 ip, GError **error)
{
  if (!self->enabled)
    return TRUE;
  if (!ensure_room (self, error) || !flush_tnt (self, error) || !emit_tsc (self, error) ||
      !emit_ip (self, ppt_fup, ip, error) || !emit_pgd (self, error))
    return FALSE;
  self->enabled = FALSE;
  return TRUE;
}

/**
 * ipt_record_encoder_async_branch:
 * @self: an encoder
 * @ip: the instruction that was interrupted before it executed (or the
 *   one after the last that did)
 * @target: where execution continued: the handler
 * @error: return location for a #GError
 *
 * Accounts an asynchronous branch that stays traced (an interrupt or a
 * fault in a guest whose kernel is traced too): FUP at @ip, then what
 * changed (PIP, MODE.Exec) and TIP at @target.
 *
 * Returns: %FALSE with @error set when the trace cannot be written.
 */
gboolean
ipt_record_encoder_async_branch (IptRecordEncoder *self, guint64 ip, guint64 target,
                                 GError **error)
{
  if (!prepare_insn (self, ip, error))
    return FALSE;
  return flush_tnt (self, error) && emit_ip (self, ppt_fup, ip, error) &&
         emit_branch_tip (self, target, error);
}

/**
 * ipt_record_encoder_enable:
 * @self: an encoder
 * @ip: the next instruction to account
 * @error: return location for a #GError
 *
 * Starts tracing at @ip now (TIP.PGE with the CR3 and mode announced so
 * far), so that what is announced next belongs to @ip's own branch.
 * Nothing is written when tracing is on.
 *
 * Returns: %FALSE with @error set when the trace cannot be written.
 */
gboolean
ipt_record_encoder_enable (IptRecordEncoder *self, guint64 ip, GError **error)
{
  return prepare_insn (self, ip, error);
}

/**
 * ipt_record_encoder_set_mode:
 * @self: an encoder
 * @mode: the execution mode of the code the next branch goes to
 *
 * Announces a mode change made by the next far or asynchronous branch
 * (or the next start of tracing): its MODE.Exec goes right before that
 * branch's TIP.  The encoder starts in 64-bit mode.
 */
void
ipt_record_encoder_set_mode (IptRecordEncoder *self, IptRecordExecMode mode)
{
  self->next_mode = mode;
}

/**
 * ipt_record_encoder_set_cr3:
 * @self: an encoder
 * @cr3: the CR3 of the code the next branch goes to
 *
 * Announces an address-space change made by the next far or asynchronous
 * branch (or the first CR3 before tracing starts): its PIP goes right
 * before that branch's TIP, and every PSB+ after it carries it (the PSB+
 * before it still carries the CR3 the branch itself runs with).
 */
void
ipt_record_encoder_set_cr3 (IptRecordEncoder *self, guint64 cr3)
{
  if (self->pip_pending ? self->next_cr3 == cr3 : self->have_cr3 && self->cr3 == cr3)
    return;
  self->next_cr3 = cr3;
  self->pip_pending = TRUE;
}

/**
 * ipt_record_encoder_paging:
 * @self: an encoder
 * @cr3: the value the instruction just accounted wrote to CR3
 * @error: return location for a #GError
 *
 * Accounts a mov to CR3: PIP with @cr3 now (libipt binds it to the mov),
 * even when the value did not change, as the hardware does.  While tracing
 * is off it goes out when tracing starts again.
 *
 * Returns: %FALSE with @error set when the trace cannot be written.
 */
gboolean
ipt_record_encoder_paging (IptRecordEncoder *self, guint64 cr3, GError **error)
{
  self->next_cr3 = cr3;
  self->pip_pending = TRUE;
  if (!self->enabled)
    return TRUE;
  return ensure_room (self, error) && flush_tnt (self, error) && emit_pending_pip (self, error);
}

/**
 * ipt_record_encoder_finish:
 * @self: an encoder
 * @error: return location for a #GError
 *
 * Flushes pending TNT bits and closes both files.  Call it once, after the
 * process's last kernel entry.
 *
 * Returns: %FALSE with @error set when a file cannot be written.
 */
gboolean
ipt_record_encoder_finish (IptRecordEncoder *self, GError **error)
{
  FILE *trace, *ips;

  if (!flush_tnt (self, error) || !flush_buffer (self, error))
    return FALSE;

  trace = g_steal_pointer (&self->trace);
  ips = g_steal_pointer (&self->ips);
  if (fclose (trace) != 0)
    {
      int saved_errno = errno;
      fclose (ips);
      return set_write_error (error, self->trace_path, saved_errno);
    }
  if (fclose (ips) != 0)
    return set_write_error (error, self->ips_path, errno);
  return TRUE;
}

guint64
ipt_record_encoder_get_n_insns (IptRecordEncoder *self)
{
  return self->n_insns;
}

guint64
ipt_record_encoder_get_trace_size (IptRecordEncoder *self)
{
  return stream_offset (self);
}

guint64
ipt_record_encoder_get_n_psbs (IptRecordEncoder *self)
{
  return self->n_psbs;
}

void
ipt_record_encoder_free (IptRecordEncoder *self)
{
  if (self == NULL)
    return;
  if (self->trace != NULL)
    fclose (self->trace);
  if (self->ips != NULL)
    fclose (self->ips);
  if (self->encoder != NULL)
    pt_free_encoder (self->encoder);
  g_free (self->buffer);
  g_free (self->trace_path);
  g_free (self->ips_path);
  g_free (self);
}
