/* ipt-record-classify.c: decodes one instruction with Zydis and says what
 * it means for Intel PT.  Nothing here reads memory or writes packets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-classify.h"

#include <string.h>

static gboolean
is_mov_cr3 (const ZydisDecodedInstruction *insn, const ZydisDecodedOperand *operands)
{
  return insn->mnemonic == ZYDIS_MNEMONIC_MOV && insn->operand_count_visible >= 1 &&
         operands[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
         operands[0].reg.value == ZYDIS_REGISTER_CR3;
}

/**
 * ipt_record_classify:
 * @decoder: a Zydis decoder for the code's mode
 * @bytes: (array length=n_bytes): the instruction's bytes (up to 15)
 * @n_bytes: how many bytes there are
 * @ip: the instruction's address (for a direct branch's target)
 * @scope: which privilege levels are traced
 * @info: (out caller-allocates): what the instruction is
 * @status: (out) (optional): Zydis's status when it fails
 *
 * Returns: %FALSE when the bytes are not an instruction Zydis knows (or
 *   too few of them): @info then says a one-byte %IPT_RECORD_INSN_OTHER.
 */
gboolean
ipt_record_classify (const ZydisDecoder *decoder,
                     const guint8 *bytes,
                     gsize n_bytes,
                     guint64 ip,
                     IptRecordTraceScope scope,
                     IptRecordInsnInfo *info,
                     ZyanStatus *status)
{
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
  ZyanStatus zstatus;

  memset (info, 0, sizeof *info);
  info->size = 1;
  info->klass = IPT_RECORD_INSN_OTHER;
  zstatus = ZydisDecoderDecodeFull (decoder, bytes, n_bytes, &insn, operands);
  if (status != NULL)
    *status = zstatus;
  if (ZYAN_FAILED (zstatus))
    return FALSE;

  info->size = insn.length;
  info->rep_string = insn.meta.category == ZYDIS_CATEGORY_STRINGOP &&
                     (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                                         ZYDIS_ATTRIB_HAS_REPNE)) != 0;
  info->mov_cr3 = is_mov_cr3 (&insn, operands);
  info->iret = insn.mnemonic == ZYDIS_MNEMONIC_IRET || insn.mnemonic == ZYDIS_MNEMONIC_IRETD ||
               insn.mnemonic == ZYDIS_MNEMONIC_IRETQ;

  switch (insn.meta.category)
    {
    case ZYDIS_CATEGORY_COND_BR:
      info->klass = IPT_RECORD_INSN_COND;
      break;
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
      if (insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
        info->klass = IPT_RECORD_INSN_FAR;
      else if (insn.raw.imm[0].size != 0 && insn.raw.imm[0].is_relative)
        /* rel8/rel32 target: no packet (RIP-relative memory is indirect) */
        info->klass = IPT_RECORD_INSN_OTHER;
      else
        info->klass = IPT_RECORD_INSN_INDIRECT;
      break;
    case ZYDIS_CATEGORY_RET:
      info->klass = insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR ?
                    IPT_RECORD_INSN_FAR : IPT_RECORD_INSN_INDIRECT;
      break;
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_INTERRUPT:
      info->klass = scope == IPT_RECORD_TRACE_USER ? IPT_RECORD_INSN_KERNEL_ENTRY
                                                   : IPT_RECORD_INSN_FAR;
      break;
    case ZYDIS_CATEGORY_SYSRET:
      /* iret returns within user space; sysret/sysexit fault at CPL 3. */
      info->klass = IPT_RECORD_INSN_FAR;
      break;
    default:
      info->klass = IPT_RECORD_INSN_OTHER;
      break;
    }

  /* Zydis files iret under its returns: for Intel PT it is a far branch. */
  if (info->iret)
    info->klass = IPT_RECORD_INSN_FAR;

  if ((info->klass == IPT_RECORD_INSN_COND || info->klass == IPT_RECORD_INSN_OTHER) &&
      insn.raw.imm[0].size != 0 && insn.raw.imm[0].is_relative &&
      insn.operand_count_visible >= 1 && operands[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
    {
      ZyanU64 target;

      if (ZYAN_SUCCESS (ZydisCalcAbsoluteAddress (&insn, &operands[0], ip, &target)))
        {
          info->has_target = TRUE;
          info->target = target;
        }
    }
  return TRUE;
}
