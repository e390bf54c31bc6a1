/* ipt-insn-walker.c: walks a libipt block (start ip, end ip, count) into its
 * instructions, reading code from the decode's view of the image (the
 * memory libipt reads, whatever changes meanwhile) and measuring each
 * instruction with Zydis. Only used when a sink wants every instruction from
 * the block decoder; it must stay cheap: a cache of measured instructions,
 * one image read per 256 bytes of new code, no allocation per block. */
#include "config.h"

#include <string.h>

#include "ipt-insn-walker-private.h"

void
ipt_insn_walker_init (IptInsnWalker *self, const IptImageView *view)
{
  memset (self, 0, sizeof (*self));
  self->view = view;
  /* Lengths and branch displacements are all we need. */
  ipt_zydis_init_decoders (self->zydis, self->zydis_ok, TRUE);
}

void
ipt_insn_walker_clear (IptInsnWalker *self)
{
  g_clear_pointer (&self->cache, g_free);
}

/* Forgets what was read: after errors and resynchronization. */
void
ipt_insn_walker_invalidate (IptInsnWalker *self)
{
  self->window_start = 0;
  self->window_len = 0;
  if (self->cache != NULL)
    memset (self->cache, 0, IPT_INSN_WALKER_CACHE_SIZE * sizeof (IptInsnWalkerEntry));
}

void
ipt_insn_walker_set_view (IptInsnWalker *self, const IptImageView *view)
{
  if (self->view == view)
    return;
  self->view = view;
  ipt_insn_walker_invalidate (self);
}

static inline IptInsnWalkerEntry *
cache_slot (IptInsnWalker *self, guint64 ip)
{
  if (G_UNLIKELY (self->cache == NULL))
    self->cache = g_new0 (IptInsnWalkerEntry, IPT_INSN_WALKER_CACHE_SIZE);
  return &self->cache[(ip ^ (ip >> 14)) & (IPT_INSN_WALKER_CACHE_SIZE - 1)];
}

/* Points @bytes at up to pt_max_insn_size bytes of code at @ip. */
static int
window_get (IptInsnWalker *self, const IptAsid *asid, guint64 ip,
            const guint8 **bytes, gsize *avail)
{
  g_autoptr(GError) error = NULL;
  gssize n;

  if (self->window_len > 0 &&
      self->window_asid.cr3 == asid->cr3 && self->window_asid.vmcs == asid->vmcs &&
      ip >= self->window_start && ip - self->window_start < self->window_len &&
      self->window_len - (ip - self->window_start) >= pt_max_insn_size)
    {
      *bytes = self->window + (ip - self->window_start);
      *avail = pt_max_insn_size;
      return 0;
    }

  self->window_len = 0;
  n = ipt_image_view_read (self->view, self->window, sizeof (self->window), asid, ip,
                           TRUE, &error);
  if (n <= 0)
    return error != NULL ? ipt_error_to_pt_error_code (error) : -pte_nomap;

  self->window_start = ip;
  self->window_len = (gsize) n;
  self->window_asid = *asid;
  *bytes = self->window;
  *avail = MIN ((gsize) n, (gsize) pt_max_insn_size);
  return 0;
}

/* Fetches and measures the instruction at @ip of @block. Returns 0 or a
 * negative pt_error_code: -pte_nomap (or the provider's code) when the
 * bytes cannot be read, -pte_bad_insn when they are not an instruction. */
int
ipt_insn_walker_fetch (IptInsnWalker *self, const struct pt_block *block,
                       const IptAsid *asid, guint64 ip, struct pt_insn *insn,
                       guint64 *next_ip)
{
  ZydisDecodedInstruction zi;
  IptInsnWalkerEntry *entry = NULL;
  const guint8 *bytes = NULL;
  gsize avail = 0;
  int mode = block->mode;

  memset (insn, 0, sizeof (*insn));
  insn->ip = ip;
  insn->isid = block->isid;
  insn->mode = block->mode;
  insn->iclass = ptic_error;
  insn->speculative = block->speculative;

  /* libipt hands the last instruction's bytes over when it straddles sections. */
  if (ip == block->end_ip && block->truncated)
    {
      if (block->size == 0 || block->size > sizeof (insn->raw))
        return -pte_bad_insn;
      bytes = block->raw;
      avail = block->size;
      insn->truncated = 1;
    }
  else
    {
      int status;

      entry = cache_slot (self, ip);
      if (entry->ip == ip && entry->size != 0 && entry->mode == (guint8) mode &&
          entry->cr3 == asid->cr3 && entry->vmcs == asid->vmcs)
        {
          memcpy (insn->raw, entry->raw, sizeof (insn->raw));
          insn->size = entry->size;
          *next_ip = entry->next_ip;
          return 0;
        }

      status = window_get (self, asid, ip, &bytes, &avail);
      if (status < 0)
        return status;
    }

  if (mode < 0 || mode >= (int) G_N_ELEMENTS (self->zydis) || !self->zydis_ok[mode])
    return -pte_bad_insn;
  if (!ZYAN_SUCCESS (ZydisDecoderDecodeInstruction (&self->zydis[mode], NULL, bytes, avail, &zi)))
    return -pte_bad_insn;

  memcpy (insn->raw, bytes, zi.length);
  insn->size = zi.length;

  *next_ip = ip + zi.length;
  /* Direct near jumps and calls do not end a block; follow them as libipt
   * does (jcc and loop end blocks; xbegin is no branch for libipt). */
  if ((zi.attributes & ZYDIS_ATTRIB_IS_RELATIVE) && zi.raw.imm[0].is_relative &&
      zi.mnemonic != ZYDIS_MNEMONIC_XBEGIN)
    *next_ip += (guint64) zi.raw.imm[0].value.s;

  if (entry != NULL)
    {
      entry->ip = ip;
      entry->next_ip = *next_ip;
      entry->cr3 = asid->cr3;
      entry->vmcs = asid->vmcs;
      memcpy (entry->raw, insn->raw, sizeof (entry->raw));
      entry->size = insn->size;
      entry->mode = (guint8) mode;
    }
  return 0;
}

/* Calls @func for each instruction of @block. Returns 0, or a negative
 * pt_error_code with @error_ip set to the instruction that could not be
 * fetched, or -pte_nosync when the walk did not end at block->end_ip. */
int
ipt_insn_walker_walk (IptInsnWalker *self, const struct pt_block *block,
                      const IptAsid *asid, IptInsnWalkerFunc func, gpointer user_data,
                      guint64 *error_ip)
{
  struct pt_insn insn;
  guint64 ip = block->ip;
  guint n = block->ninsn;

  if (n == 0)
    return 0;

  for (;;)
    {
      guint64 next_ip = 0;
      int status = ipt_insn_walker_fetch (self, block, asid, ip, &insn, &next_ip);

      if (status < 0)
        {
          *error_ip = ip;
          return status;
        }
      if (n == 1)
        insn.iclass = block->iclass;
      func (&insn, user_data);
      if (--n == 0)
        break;
      ip = next_ip;
    }

  if (ip != block->end_ip)
    {
      *error_ip = ip;
      return -pte_nosync;
    }
  return 0;
}
