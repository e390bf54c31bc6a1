/* ipt-insn-walker-private.h: turns a libipt block into its instructions. */
#pragma once

#include <Zydis/Zydis.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "ipt-zydis.h"

G_BEGIN_DECLS

/* A small read window over the image, so that walking a block costs one
 * image read per 256 bytes of code rather than one per instruction. */
#define IPT_INSN_WALKER_WINDOW 256

/* Decoded instructions by address (direct-mapped): traces revisit the same
 * code over and over, and measuring an instruction with Zydis costs more
 * than everything else the walk does. Valid for one decode (one snapshot of
 * the image) in one epoch. */
#define IPT_INSN_WALKER_CACHE_SIZE 16384

typedef struct {
  guint64 ip;
  guint64 next_ip;
  guint64 cr3;
  guint64 vmcs;
  guint8 raw[15];
  guint8 size;                       /* 0: empty */
  guint8 mode;
} IptInsnWalkerEntry;

typedef struct {
  const IptImageView *view;          /* the decode's snapshot at its time; held by the decoder */
  IptInsnWalkerEntry *cache;         /* IPT_INSN_WALKER_CACHE_SIZE entries */
  ZydisDecoder zydis[IPT_ZYDIS_N_MODES];  /* indexed by enum pt_exec_mode */
  gboolean zydis_ok[IPT_ZYDIS_N_MODES];
  guint8 window[IPT_INSN_WALKER_WINDOW];
  guint64 window_start;
  gsize window_len;
  IptAsid window_asid;
} IptInsnWalker;

typedef void (*IptInsnWalkerFunc) (const struct pt_insn *insn, gpointer user_data);

G_GNUC_INTERNAL
void ipt_insn_walker_init (IptInsnWalker *self, const IptImageView *view);
/* The decode's time moved to another epoch: read @view, forget the rest. */
G_GNUC_INTERNAL
void ipt_insn_walker_set_view (IptInsnWalker *self, const IptImageView *view);
G_GNUC_INTERNAL
void ipt_insn_walker_clear (IptInsnWalker *self);
G_GNUC_INTERNAL
void ipt_insn_walker_invalidate (IptInsnWalker *self);
G_GNUC_INTERNAL
int ipt_insn_walker_fetch (IptInsnWalker *self, const struct pt_block *block,
                           const IptAsid *asid, guint64 ip, struct pt_insn *insn,
                           guint64 *next_ip);
G_GNUC_INTERNAL
int ipt_insn_walker_walk (IptInsnWalker *self, const struct pt_block *block,
                          const IptAsid *asid, IptInsnWalkerFunc func, gpointer user_data,
                          guint64 *error_ip);

G_END_DECLS
