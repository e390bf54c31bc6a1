/* ipt-record-qemu.c: turns the instructions of a QEMU execution log into
 * Intel PT packets through ipt-record's encoder, tracing every privilege
 * level: the listing it writes is the log's sequence of instructions,
 * which decoding the trace against the guest's memory must reproduce.
 *
 * Each instruction's bytes are read from the image with the CR3 it ran
 * with (the log's), decoded with Zydis in its mode, and classified as the
 * tracer classifies them.  Then the next logged instruction says what it
 * did:
 *  - one it explains (the fall-through, a direct branch's target, either
 *    way of a Jcc, anything after an indirect or far branch): the
 *    instruction's own packets (TNT, TIP; PIP after a mov to CR3, PIP and
 *    MODE.Exec before the TIP of a far branch that changes them);
 *  - one it does not explain: an exception or interrupt.  Whether the
 *    instruction ran first is found where the handler returns: the first
 *    later iret with the handler's stack pointer (or 8 above it, an error
 *    code popped).  Returning to the instruction itself means it did not
 *    run (a fault, or a REP string op interrupted between iterations,
 *    which Intel PT reports the same way): FUP at it, TIP at the handler,
 *    and it is not listed.  Returning elsewhere means it ran and continued
 *    there: its packets, FUP there, TIP at the handler.  A handler that
 *    never returns (or code the log leaves out, -dfilter) counts the
 *    instruction as run when its bytes alone say where it continued, and
 *    as not run otherwise.
 * REP string ops, which QEMU logs once per iteration, are one instruction.
 * The last logged instruction counts when its bytes say where it
 * continued; the trace ends there with FUP and TIP.PGD.
 * With a CR3 filter, code of other address spaces is not traced, as with
 * Intel PT's CR3 filtering: a mov to CR3 or a far branch that leaves is
 * followed by TIP.PGD (after the PIP of a mov), anything else that leaves
 * by FUP and TIP.PGD; tracing resumes with PIP, MODE.Exec and TIP.PGE.
 * Instructions logged before the guest runs in long mode with paging are
 * skipped.  Nothing here writes a file but through the encoder.
 * Code the guest rewrote after it ran is not seen: the bytes are the
 * image's (the snapshot's).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-qemu.h"
#include "ipt-record-classify.h"
#include "ipt-record-qemu-log.h"

#include <Zydis/Zydis.h>

#define MAX_INSN_SIZE 15

typedef struct {
  const char *log_name;
  GArray *entries;
  IptRecordInsnInfo *infos;
  GHashTable *irets;     /* RSP → GArray of the indices of irets executed with it */
  guint64 cr3_filter;    /* IPT_ASID_NO_CR3: trace every address space */
} Converter;

static const IptRecordQemuEntry *
entry_at (Converter *c, guint i)
{
  return &g_array_index (c->entries, IptRecordQemuEntry, i);
}

static gboolean
in_long_mode (const IptRecordQemuEntry *entry)
{
  return (entry->efer & IPT_RECORD_QEMU_EFER_LMA) && (entry->cr0 & IPT_RECORD_QEMU_CR0_PG);
}

static IptRecordExecMode
exec_mode (const IptRecordQemuEntry *entry)
{
  if (entry->cs_flags & IPT_RECORD_QEMU_CS_L)
    return IPT_RECORD_MODE_64;
  return (entry->cs_flags & IPT_RECORD_QEMU_CS_D) ? IPT_RECORD_MODE_32 : IPT_RECORD_MODE_16;
}

static gboolean
fail (Converter *c, const IptRecordQemuEntry *entry, GError **error, int code,
      const char *format, ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail (Converter *c, const IptRecordQemuEntry *entry, GError **error, int code,
      const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, IPT_ERROR, code, "%s:%u: 0x%" G_GINT64_MODIFIER "x: %s",
               c->log_name, entry->line, entry->pc, what);
  return FALSE;
}

static gboolean
decode_entry (Converter *c, const ZydisDecoder *decoders, guint i, IptImage *image,
              GError **error)
{
  const IptRecordQemuEntry *entry = entry_at (c, i);
  IptAsid asid = { entry->cr3, IPT_ASID_NO_VMCS };
  g_autoptr(GError) local_error = NULL;
  guint8 bytes[MAX_INSN_SIZE];
  /* The image stitches the read across regions: short only at a hole. */
  gssize have = ipt_image_read (image, bytes, sizeof bytes, &asid, entry->pc, &local_error);

  if (have < 0)
    return fail (c, entry, error, IPT_ERROR_IO, "cannot read the code (CR3 0x%"
                 G_GINT64_MODIFIER "x): %s", entry->cr3, local_error->message);
  if (have == 0)
    return fail (c, entry, error, IPT_ERROR_UNMAPPED, "the memory does not map this "
                 "instruction (CR3 0x%" G_GINT64_MODIFIER "x)", entry->cr3);
  if (!ipt_record_classify (&decoders[exec_mode (entry)], bytes, (gsize) have, entry->pc,
                            IPT_RECORD_TRACE_ALL, &c->infos[i], NULL))
    return fail (c, entry, error, IPT_ERROR_CORRUPT, "the memory holds no valid instruction "
                 "here (CR3 0x%" G_GINT64_MODIFIER "x)", entry->cr3);
  return TRUE;
}

/* Where the instruction continues when its bytes alone say it. */
static gboolean
static_successor (const IptRecordInsnInfo *info, guint64 ip, guint64 *next)
{
  if (info->klass != IPT_RECORD_INSN_OTHER)
    return FALSE;
  *next = info->has_target ? info->target : ip + info->size;
  return TRUE;
}

/* Whether @next can follow @ip without an exception or interrupt. */
static gboolean
explains (const IptRecordInsnInfo *info, guint64 ip, guint64 next)
{
  guint64 successor;

  switch (info->klass)
    {
    case IPT_RECORD_INSN_COND:
      return next == ip + info->size || (info->has_target && next == info->target);
    case IPT_RECORD_INSN_OTHER:
      return static_successor (info, ip, &successor) && next == successor;
    default:
      return TRUE;
    }
}

static void
index_irets (Converter *c, guint start)
{
  c->irets = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify) g_array_unref);
  for (guint i = start; i < c->entries->len; i++)
    {
      GArray *list;

      if (!c->infos[i].iret)
        continue;
      list = g_hash_table_lookup (c->irets, &entry_at (c, i)->rsp);
      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (c->irets, g_memdup2 (&entry_at (c, i)->rsp, sizeof (guint64)),
                               list);
        }
      g_array_append_val (list, i);
    }
}

/* The first iret after @after executed with RSP @rsp, or G_MAXUINT. */
static guint
next_iret (Converter *c, guint64 rsp, guint after)
{
  GArray *list = g_hash_table_lookup (c->irets, &rsp);
  guint lo = 0, hi;

  if (list == NULL)
    return G_MAXUINT;
  hi = list->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (list, guint, mid) <= after)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < list->len ? g_array_index (list, guint, lo) : G_MAXUINT;
}

/* For the instruction @i followed by a handler at @i + 1: whether it ran,
 * and where it continued when it did. */
static gboolean
ran_before_handler (Converter *c, guint i, guint64 *next)
{
  const IptRecordQemuEntry *insn = entry_at (c, i), *handler = entry_at (c, i + 1);
  const IptRecordInsnInfo *info = &c->infos[i];
  guint k = MIN (next_iret (c, handler->rsp, i + 1), next_iret (c, handler->rsp + 8, i + 1));
  guint64 successor = 0;
  gboolean known = static_successor (info, insn->pc, &successor);

  if (k != G_MAXUINT && k + 1 < c->entries->len)
    {
      guint64 back = entry_at (c, k + 1)->pc;

      if (back == insn->pc && !(known && successor == insn->pc))
        return FALSE;
      if (explains (info, insn->pc, back) &&
          (info->klass == IPT_RECORD_INSN_COND || info->klass == IPT_RECORD_INSN_OTHER))
        {
          *next = back;
          return TRUE;
        }
      /* An indirect branch, or a return elsewhere: not this frame's. */
    }
  *next = successor;
  return known;
}

/* Whether the entry's code is traced: every CR3, or the filter's. */
static gboolean
traced (Converter *c, const IptRecordQemuEntry *entry)
{
  return c->cr3_filter == IPT_ASID_NO_CR3 || entry->cr3 == c->cr3_filter;
}

/* The instruction @i, which ran, followed by untraced code (another CR3):
 * its own packets, then the disable, as CR3 filtering would have it. */
static gboolean
leave_traced (Converter *c, guint i, IptRecordEncoder *encoder, IptRecordQemuStats *stats,
              GError **error)
{
  const IptRecordQemuEntry *insn = entry_at (c, i), *after = entry_at (c, i + 1);
  const IptRecordInsnInfo *info = &c->infos[i];
  guint64 next;

  if (explains (info, insn->pc, after->pc))
    {
      /* A synchronous disable, bound to the mov to CR3 or the far branch. */
      if (info->klass == IPT_RECORD_INSN_FAR)
        return ipt_record_encoder_insn (encoder, insn->pc, info->size,
                                        IPT_RECORD_INSN_KERNEL_ENTRY, 0, error);
      if (info->mov_cr3)
        return ipt_record_encoder_insn (encoder, insn->pc, info->size, info->klass,
                                        after->pc, error) &&
               ipt_record_encoder_paging (encoder, after->cr3, error) &&
               ipt_record_encoder_disable (encoder, error);
    }
  /* Anything else leaves asynchronously: FUP where it did, TIP.PGD. */
  if (ran_before_handler (c, i, &next))
    {
      stats->n_interrupts++;
      return ipt_record_encoder_insn (encoder, insn->pc, info->size, info->klass, next, error) &&
             ipt_record_encoder_interrupt (encoder, next, error);
    }
  stats->n_not_executed++;
  return ipt_record_encoder_interrupt (encoder, insn->pc, error);
}

static gboolean
convert (Converter *c, guint start, IptRecordEncoder *encoder, IptRecordQemuStats *stats,
         GError **error)
{
  guint n = c->entries->len;

  for (; start < n && !traced (c, entry_at (c, start)); start++)
    stats->n_filtered++;
  if (start == n)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                   "%s: no instruction logged with CR3 0x%" G_GINT64_MODIFIER "x",
                   c->log_name, c->cr3_filter);
      return FALSE;
    }
  ipt_record_encoder_set_cr3 (encoder, entry_at (c, start)->cr3);
  ipt_record_encoder_set_mode (encoder, exec_mode (entry_at (c, start)));
  if (!ipt_record_encoder_enable (encoder, entry_at (c, start)->pc, error))
    return FALSE;

  for (guint i = start; i < n; i++)
    {
      const IptRecordQemuEntry *insn = entry_at (c, i), *after;
      const IptRecordInsnInfo *info = &c->infos[i];
      guint64 next;

      if (!traced (c, insn))
        {
          stats->n_filtered++;
          /* Tracing resumes at the next traced one: PIP and MODE.Exec with it. */
          if (i + 1 < n && traced (c, entry_at (c, i + 1)))
            {
              ipt_record_encoder_set_cr3 (encoder, entry_at (c, i + 1)->cr3);
              ipt_record_encoder_set_mode (encoder, exec_mode (entry_at (c, i + 1)));
            }
          continue;
        }

      if (i + 1 == n)
        {
          /* The last one: ran if it is known where to. */
          if (static_successor (info, insn->pc, &next))
            return ipt_record_encoder_insn (encoder, insn->pc, info->size, info->klass, next,
                                            error) &&
                   ipt_record_encoder_interrupt (encoder, next, error);
          stats->n_not_executed++;
          return ipt_record_encoder_interrupt (encoder, insn->pc, error);
        }

      after = entry_at (c, i + 1);
      if (!in_long_mode (after))
        return fail (c, after, error, IPT_ERROR_NOT_SUPPORTED,
                     "the guest left long mode with paging: only its code there is traced");
      if (info->rep_string && after->pc == insn->pc)
        {
          stats->n_iterations++;
          continue;
        }
      if (!traced (c, after))
        {
          if (!leave_traced (c, i, encoder, stats, error))
            return FALSE;
          continue;
        }

      if (explains (info, insn->pc, after->pc))
        {
          if (info->klass == IPT_RECORD_INSN_FAR)
            {
              ipt_record_encoder_set_cr3 (encoder, after->cr3);
              ipt_record_encoder_set_mode (encoder, exec_mode (after));
            }
          else if (after->cr3 != insn->cr3 && !info->mov_cr3)
            return fail (c, insn, error, IPT_ERROR_NOT_SUPPORTED,
                         "CR3 changed by an instruction that is neither a mov to CR3 nor "
                         "a far branch");
          else if (exec_mode (after) != exec_mode (insn))
            return fail (c, insn, error, IPT_ERROR_NOT_SUPPORTED,
                         "the execution mode changed without a far branch");
          if (!ipt_record_encoder_insn (encoder, insn->pc, info->size, info->klass,
                                        after->pc, error))
            return FALSE;
          if (info->mov_cr3 && !ipt_record_encoder_paging (encoder, after->cr3, error))
            return FALSE;
          continue;
        }

      /* An exception or interrupt between this instruction and the next. */
      if (ran_before_handler (c, i, &next))
        {
          stats->n_interrupts++;
          if (!ipt_record_encoder_insn (encoder, insn->pc, info->size, info->klass, next, error))
            return FALSE;
          if (info->mov_cr3 && !ipt_record_encoder_paging (encoder, after->cr3, error))
            return FALSE;
        }
      else
        {
          stats->n_not_executed++;
          next = insn->pc;
        }
      ipt_record_encoder_set_cr3 (encoder, after->cr3);
      ipt_record_encoder_set_mode (encoder, exec_mode (after));
      if (!ipt_record_encoder_async_branch (encoder, next, after->pc, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * ipt_record_qemu_convert:
 * @log_name: the log's name, for messages
 * @entries: (element-type IptRecordQemuEntry): the logged instructions
 * @image: the guest's memory (guest-virtual, through the CR3 of each read)
 * @cr3_filter: trace only the code that runs with this CR3 (as Intel PT's
 *   CR3 filter), or %IPT_ASID_NO_CR3 for all of it
 * @encoder: where the packets and the listing go
 * @stats: (out caller-allocates): what was converted
 * @error: return location for a #GError naming the log line
 *
 * Returns: %FALSE with @error set when an instruction's bytes cannot be
 *   read or decoded, the guest leaves long mode, or a file cannot be written.
 */
gboolean
ipt_record_qemu_convert (const char *log_name,
                         GArray *entries,
                         IptImage *image,
                         guint64 cr3_filter,
                         IptRecordEncoder *encoder,
                         IptRecordQemuStats *stats,
                         GError **error)
{
  static const ZydisMachineMode machine_modes[] = {
    [IPT_RECORD_MODE_16] = ZYDIS_MACHINE_MODE_LONG_COMPAT_16,
    [IPT_RECORD_MODE_32] = ZYDIS_MACHINE_MODE_LONG_COMPAT_32,
    [IPT_RECORD_MODE_64] = ZYDIS_MACHINE_MODE_LONG_64,
  };
  static const ZydisStackWidth stack_widths[] = {
    [IPT_RECORD_MODE_16] = ZYDIS_STACK_WIDTH_16,
    [IPT_RECORD_MODE_32] = ZYDIS_STACK_WIDTH_32,
    [IPT_RECORD_MODE_64] = ZYDIS_STACK_WIDTH_64,
  };
  ZydisDecoder decoders[G_N_ELEMENTS (machine_modes)];
  g_autofree IptRecordInsnInfo *infos = NULL;
  Converter c = { log_name, entries, NULL, NULL, cr3_filter };
  guint start = 0;
  gboolean ok;

  memset (stats, 0, sizeof *stats);
  stats->n_entries = entries->len;
  for (guint m = 0; m < G_N_ELEMENTS (machine_modes); m++)
    if (ZYAN_FAILED (ZydisDecoderInit (&decoders[m], machine_modes[m], stack_widths[m])))
      {
        g_set_error_literal (error, IPT_ERROR, IPT_ERROR_FAILED,
                             "cannot initialise the Zydis decoder");
        return FALSE;
      }

  while (start < entries->len && !in_long_mode (entry_at (&c, start)))
    start++;
  stats->n_skipped = start;
  if (start == entries->len)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                   "%s: no instruction logged in long mode with paging", log_name);
      return FALSE;
    }

  infos = g_new0 (IptRecordInsnInfo, entries->len);
  c.infos = infos;
  for (guint i = start; i < entries->len; i++)
    if (in_long_mode (entry_at (&c, i)) && traced (&c, entry_at (&c, i)) &&
        !decode_entry (&c, decoders, i, image, error))
      return FALSE;
  index_irets (&c, start);
  ok = convert (&c, start, encoder, stats, error);
  g_hash_table_unref (c.irets);
  return ok;
}
