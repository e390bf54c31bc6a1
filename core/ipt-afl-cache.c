/* ipt-afl-cache.c: the fast AFL decoder's code: instructions decoded with
 * Zydis and classified as libipt classifies them (what ends a block, what
 * libipt pushes on its return stack), and the block cache built from
 * them. Only the cold path is here: a cached block is looked up inline
 * (ipt-afl-private.h). Anything whose treatment by libipt is not modelled
 * exactly becomes an AFL_END_ERROR block, so that the trace falls back. */
#include "config.h"

#include <string.h>

#include "ipt-afl-private.h"
#include "ipt-image-private.h"

/* A block runs through at most this many instructions: a longer run (a
 * jump to itself, say) falls back to libipt. */
#define AFL_MAX_BLOCK_INSNS 4096

static guint32 new_epoch (AflCode *code);

void
ipt_afl_code_init (AflCode *code, IptImage *image)
{
  memset (code, 0, sizeof *code);
  code->image = g_object_ref (image);
  code->blocks = g_new0 (AflBlock, 1u << AFL_BLOCK_BITS);
  code->paths = g_new0 (AflPath, 1u << AFL_PATH_BITS);
  code->generation = ipt_image_get_generation (image);
  code->cr3 = IPT_ASID_NO_CR3;
  code->vmcs = IPT_ASID_NO_VMCS;
  code->epoch = new_epoch (code);
  code->spaces[0] = (AflSpace) { code->cr3, code->vmcs, code->epoch };
  code->next_space = 1;
  ipt_zydis_init_decoders (code->zydis, code->zydis_ok, FALSE);
}

void
ipt_afl_code_clear (AflCode *code)
{
  g_clear_object (&code->image);
  g_clear_pointer (&code->blocks, g_free);
  g_clear_pointer (&code->paths, g_free);
}

/* A fresh epoch: no entry carries it yet. */
static guint32
new_epoch (AflCode *code)
{
  if (++code->last_epoch == 0)
    {
      /* wrapped: entries of old epochs would look valid again */
      memset (code->blocks, 0, sizeof (AflBlock) << AFL_BLOCK_BITS);
      memset (code->paths, 0, sizeof (AflPath) << AFL_PATH_BITS);
      memset (code->spaces, 0, sizeof code->spaces);
      code->last_epoch = 1;
    }
  return code->last_epoch;
}

void
ipt_afl_code_check (AflCode *code, guint64 cr3, guint64 vmcs)
{
  guint64 generation = ipt_image_get_generation (code->image);
  AflSpace *space;

  if (G_LIKELY (generation == code->generation && cr3 == code->cr3 && vmcs == code->vmcs))
    return;
  code->window_valid = FALSE;
  if (generation != code->generation)
    {
      /* new memory: nothing cached holds */
      memset (code->spaces, 0, sizeof code->spaces);
      code->generation = generation;
    }
  code->cr3 = cr3;
  code->vmcs = vmcs;
  for (guint i = 0; i < AFL_N_SPACES; i++)
    if (code->spaces[i].epoch != 0 && code->spaces[i].cr3 == cr3 && code->spaces[i].vmcs == vmcs)
      {
        code->epoch = code->spaces[i].epoch;
        return;
      }
  code->epoch = new_epoch (code);
  space = &code->spaces[code->next_space++ % AFL_N_SPACES];
  space->cr3 = cr3;
  space->vmcs = vmcs;
  space->epoch = code->epoch;
}

/* Up to 15 bytes of code at @ip, through a window read from the image;
 * returns how many. */
static gsize
fetch (AflCode *code, guint64 ip, const guint8 **bytes)
{
  IptAsid asid = { code->cr3, code->vmcs };
  gssize n;

  if (code->window_valid && ip >= code->window_start &&
      ip - code->window_start + 15 <= code->window_len)
    {
      *bytes = code->window + (ip - code->window_start);
      return 15;
    }
  n = ipt_image_read (code->image, code->window, sizeof code->window, &asid, ip, NULL);
  if (n <= 0)
    {
      code->window_valid = FALSE;
      return 0;
    }
  code->window_start = ip;
  code->window_len = (gsize) n;
  code->window_valid = TRUE;
  *bytes = code->window;
  return MIN ((gsize) n, 15);
}

void
ipt_afl_code_decode_insn (AflCode *code, guint64 ip, enum pt_exec_mode mode, AflInsn *insn)
{
  ZydisDecoderContext context;
  ZydisDecodedInstruction zi;
  const guint8 *bytes = NULL;
  gsize n;
  gboolean relative;

  insn->kind = AFL_INSN_ERROR;
  insn->size = 0;
  insn->target = 0;
  insn->error = IPT_AFL_FALLBACK_INSN;
  if (mode <= ptem_unknown || mode >= IPT_ZYDIS_N_MODES || !code->zydis_ok[mode])
    return;
  n = fetch (code, ip, &bytes);
  if (n == 0)
    {
      insn->error = IPT_AFL_FALLBACK_MEMORY;
      return;
    }
  if (!ZYAN_SUCCESS (ZydisDecoderDecodeInstruction (&code->zydis[mode], &context, bytes, n, &zi)))
    {
      /* a short read at the end of a region is libipt's error too, but
       * which one it reports is not ours to guess */
      insn->error = n < 15 ? IPT_AFL_FALLBACK_MEMORY : IPT_AFL_FALLBACK_INSN;
      return;
    }
  insn->size = zi.length;
  /* a relative branch target, not a rip-relative memory operand */
  relative = zi.raw.imm[0].is_relative;
  if (relative)
    insn->target = ip + zi.length + (guint64) zi.raw.imm[0].value.s;

  switch (zi.mnemonic)
    {
    /* libipt binds events or PIPs to these, or they branch in ways the
     * walk does not model: libipt decodes such traces */
    case ZYDIS_MNEMONIC_XBEGIN:
    case ZYDIS_MNEMONIC_XABORT:
    case ZYDIS_MNEMONIC_XEND:
    case ZYDIS_MNEMONIC_PTWRITE:
    case ZYDIS_MNEMONIC_INT1:
    case ZYDIS_MNEMONIC_UD0:
    case ZYDIS_MNEMONIC_UD1:
    case ZYDIS_MNEMONIC_UD2:
      return;
    case ZYDIS_MNEMONIC_MOV:
      if (zi.opcode_map == ZYDIS_OPCODE_MAP_0F && zi.opcode == 0x22)
        return;   /* mov to a control register (cr3: a PIP binds to it) */
      break;
    default:
      break;
    }

  switch (zi.meta.category)
    {
    case ZYDIS_CATEGORY_COND_BR:
      insn->kind = relative ? AFL_INSN_COND : AFL_INSN_ERROR;
      return;
    case ZYDIS_CATEGORY_UNCOND_BR:
      insn->kind = relative && zi.meta.branch_type != ZYDIS_BRANCH_TYPE_FAR ? AFL_INSN_JUMP
                                                                              : AFL_INSN_INDIRECT;
      return;
    case ZYDIS_CATEGORY_CALL:
      if (zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
        insn->kind = AFL_INSN_INDIRECT;
      else if (!relative)
        insn->kind = AFL_INSN_INDIRECT_CALL;
      else
        /* libipt does not push for a call to the next instruction (the
         * way position-independent code reads its IP) */
        insn->kind = zi.raw.imm[0].value.s != 0 ? AFL_INSN_CALL : AFL_INSN_OTHER;
      return;
    case ZYDIS_CATEGORY_RET:
      insn->kind = zi.mnemonic == ZYDIS_MNEMONIC_RET && zi.meta.branch_type != ZYDIS_BRANCH_TYPE_FAR
                     ? AFL_INSN_RET : AFL_INSN_INDIRECT;
      return;
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_INTERRUPT:
      insn->kind = AFL_INSN_INDIRECT;
      return;
    case ZYDIS_CATEGORY_VTX:
    case ZYDIS_CATEGORY_UINTR:
    case ZYDIS_CATEGORY_SGX:
      return;
    default:
      insn->kind = AFL_INSN_OTHER;
      return;
    }
}

/* The block that starts at @ip: its instructions up to the first that
 * needs the trace or is a direct call, through direct jumps. */
const AflBlock *
ipt_afl_code_build_block (AflCode *code, guint64 ip, enum pt_exec_mode mode)
{
  AflBlock *block = &code->blocks[ipt_afl_block_slot (ip, code->epoch)];
  AflBlock b = { 0 };
  guint64 at = ip;

  b.start = ip;
  b.epoch = code->epoch;
  b.mode = (guint8) mode;
  b.kind = AFL_END_ERROR;
  b.error = IPT_AFL_FALLBACK_INSN;
  for (guint i = 0; i < AFL_MAX_BLOCK_INSNS; i++)
    {
      AflInsn insn;

      ipt_afl_code_decode_insn (code, at, mode, &insn);
      b.branch = at;
      switch (insn.kind)
        {
        case AFL_INSN_OTHER:
          at += insn.size;
          continue;
        case AFL_INSN_JUMP:
          if (b.n_jumps < G_N_ELEMENTS (b.jumps))
            b.jumps[b.n_jumps++] = insn.target;
          else
            b.n_jumps = AFL_MANY_JUMPS;
          at = insn.target;
          continue;
        case AFL_INSN_COND:
          b.kind = AFL_END_COND;
          b.taken = insn.target;
          b.next = at + insn.size;
          b.taken_index = ipt_afl_edge_index (at, b.taken);
          b.next_index = ipt_afl_edge_index (at, b.next);
          break;
        case AFL_INSN_CALL:
          b.kind = AFL_END_CALL;
          b.taken = insn.target;
          b.next = at + insn.size;
          break;
        case AFL_INSN_RET:
          b.kind = AFL_END_RET;
          break;
        case AFL_INSN_INDIRECT_CALL:
          b.kind = AFL_END_INDIRECT;
          b.push = TRUE;
          b.next = at + insn.size;
          break;
        case AFL_INSN_INDIRECT:
          b.kind = AFL_END_INDIRECT;
          break;
        case AFL_INSN_ERROR:
        default:
          b.error = (guint8) insn.error;
          break;
        }
      break;
    }
  *block = b;
  return block;
}
