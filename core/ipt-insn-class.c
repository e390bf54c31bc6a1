/* ipt-insn-class.c: an instruction's branch class from its opcode (see
 * ipt-insn-class-private.h). Only what tells branches apart is decoded:
 * prefixes, then the opcode and, for 0xff, the ModRM reg field. */
#include "config.h"

#include "ipt-insn-class-private.h"

static gboolean
is_prefix (guint8 byte, enum pt_exec_mode mode)
{
  switch (byte)
    {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
      return TRUE;
    default:
      return mode == ptem_64bit && (byte & 0xf0) == 0x40;   /* REX */
    }
}

/* The opcode after the prefixes, or NULL when the bytes are all prefix. */
static const guint8 *
skip_prefixes (const guint8 *raw, gsize size, enum pt_exec_mode mode)
{
  const guint8 *p = raw, *end = raw + size;

  while (p < end && is_prefix (*p, mode))
    p++;
  return p < end ? p : NULL;
}

enum pt_insn_class
ipt_insn_class_of (const guint8 *raw, gsize size, enum pt_exec_mode mode)
{
  const guint8 *p = skip_prefixes (raw, size, mode);
  const guint8 *end = raw + size;

  if (p == NULL)
    return ptic_other;
  switch (*p)
    {
    case 0xe8:
      return ptic_call;
    case 0xe9: case 0xeb: case 0xea:
      return ptic_jump;
    case 0xc2: case 0xc3:
      return ptic_return;
    case 0xca: case 0xcb: case 0xcf:
      return ptic_far_return;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
      return ptic_cond_jump;
    case 0x0f:
      return p + 1 < end && (p[1] & 0xf0) == 0x80 ? ptic_cond_jump : ptic_other;
    case 0xff:
      if (p + 1 < end)
        switch ((p[1] >> 3) & 7)
          {
          case 2: return ptic_call;
          case 3: return ptic_far_call;
          case 4: return ptic_jump;
          case 5: return ptic_far_jump;
          default: break;
          }
      return ptic_other;
    default:
      return (*p & 0xf0) == 0x70 ? ptic_cond_jump : ptic_other;
    }
}

/* A near call or jump with a relative target (e8, e9, eb). */
gboolean
ipt_insn_is_direct_branch (const guint8 *raw, gsize size, enum pt_exec_mode mode)
{
  const guint8 *p = skip_prefixes (raw, size, mode);

  return p != NULL && (*p == 0xe8 || *p == 0xe9 || *p == 0xeb);
}
