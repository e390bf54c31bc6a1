/* ipt-afl-private.h: the fast AFL decoder's state, shared by its packet
 * walk (ipt-afl-walk.c), its code caches (ipt-afl-cache.c) and the object
 * (ipt-afl-decoder.c). The caches are fixed-size, direct-mapped tables
 * allocated once per decoder: nothing on the walk allocates. */
#pragma once

#include <Zydis/Zydis.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-zydis.h"

G_BEGIN_DECLS

#define IPT_AFL_MAP_SIZE 65536
/* The walk's map has one more counter, where an edge that is not pending
 * goes: committing costs no test. */
#define AFL_NO_EDGE IPT_AFL_MAP_SIZE

/* What ends a block of code: the first instruction whose successor the
 * trace tells, or a direct call (the walk pushes its return address). */
typedef enum {
  AFL_END_NONE,          /* an empty slot */
  AFL_END_COND,          /* a conditional branch: one TNT bit */
  AFL_END_CALL,          /* a direct call: push, go on at its target */
  AFL_END_RET,           /* a near return: a TNT bit (compressed) or a TIP */
  AFL_END_INDIRECT,      /* an indirect jump or call, a far transfer: a TIP */
  AFL_END_ERROR,         /* no block: decoding stops here (see fallback) */
} AflEndKind;

/* One instruction, as the walk needs it. */
typedef enum {
  AFL_INSN_OTHER,        /* goes on to the next instruction */
  AFL_INSN_COND,
  AFL_INSN_JUMP,         /* direct jump: to target */
  AFL_INSN_CALL,         /* direct call with a displacement: push, to target */
  AFL_INSN_RET,
  AFL_INSN_INDIRECT_CALL,
  AFL_INSN_INDIRECT,     /* indirect jump, far transfer */
  AFL_INSN_ERROR,
} AflInsnKind;

typedef struct {
  AflInsnKind kind;
  guint size;
  guint64 target;
  IptAflFallback error;  /* with AFL_INSN_ERROR */
} AflInsn;

typedef struct {
  guint64 start;         /* key, with mode */
  guint64 branch;        /* the address of the last instruction */
  guint64 taken;         /* COND: the target; CALL: the call's target */
  guint64 next;          /* COND: the fall-through; CALL, indirect call: the return address */
  guint16 taken_index;   /* COND: the AFL counters of both edges */
  guint16 next_index;
  guint32 epoch;         /* valid when the cache's */
  guint8 kind;           /* AflEndKind */
  guint8 mode;
  guint8 push;           /* INDIRECT: an indirect call, pushes next */
  guint8 error;          /* ERROR: the IptAflFallback */
  guint8 n_jumps;        /* direct jumps followed inside; AFL_MANY_JUMPS: more than jumps[] holds */
  guint64 jumps[2];      /* their targets (a TIP.PGD to one binds there) */
} AflBlock;

#define AFL_MANY_JUMPS 3

/* libxdc's path cache: from a block start and the next (up to 8) TNT
 * bits, the counters the path increments, the return addresses of the
 * direct calls it runs through, and where it ends. A path stops at the
 * first block that is neither a conditional branch nor a direct call (or
 * at a third call), or when the bits run out; its last edge stays pending
 * (see ipt-afl-walk.c). */
#define AFL_PATH_MAX_BITS 8

#define AFL_PATH_MAX_PUSHES 2

typedef struct {
  guint64 start;
  guint64 tag;           /* ipt_afl_path_tag(), | AFL_PATH_PARTIAL when the path stops early */
  guint64 end;           /* the next instruction after the path */
  guint8 used;           /* bits consumed, 0..len */
  guint8 n_pushes;       /* direct calls the path runs through */
  guint16 index[AFL_PATH_MAX_BITS];   /* the counters of the used edges */
  guint64 pushes[AFL_PATH_MAX_PUSHES];   /* their return addresses, in order */
} AflPath;

#define AFL_PATH_PARTIAL (G_GUINT64_CONSTANT (1) << 15)

/* The key of @len bits: a stop bit above them (a TNT-8 byte >> 1). */
static inline guint
ipt_afl_path_key (guint bits, guint len)
{
  return (1u << len) | bits;
}

/* What a path's tag is in @epoch and @mode, without its key. */
static inline guint64
ipt_afl_path_tag_base (guint32 epoch, enum pt_exec_mode mode)
{
  return ((guint64) epoch << 32) | ((guint64) mode << 24);
}

#define AFL_BLOCK_BITS 16
#define AFL_PATH_BITS 17
#define AFL_RETSTACK_SIZE 64    /* libipt's */

/* The address spaces seen last, each with the epoch its cache entries
 * carry: a trace that switches between a few CR3s (a kernel's two page
 * tables, say) keeps the code of each. */
#define AFL_N_SPACES 8

typedef struct {
  guint64 cr3;
  guint64 vmcs;
  guint32 epoch;         /* 0: an empty slot */
} AflSpace;

typedef struct {
  IptImage *image;
  guint64 generation;    /* of the image the caches hold code of */
  guint64 cr3;           /* the address space read now */
  guint64 vmcs;
  guint32 epoch;         /* ... its entries' stamp: entries of other epochs do not match */
  guint32 last_epoch;    /* the last one handed out */
  AflSpace spaces[AFL_N_SPACES];
  guint next_space;
  AflBlock *blocks;      /* 1 << AFL_BLOCK_BITS */
  AflPath *paths;        /* 1 << AFL_PATH_BITS */
  ZydisDecoder zydis[IPT_ZYDIS_N_MODES];
  gboolean zydis_ok[IPT_ZYDIS_N_MODES];
  /* a read window over the image, for building blocks */
  guint8 window[512];
  guint64 window_start;
  gsize window_len;
  gboolean window_valid;
} AflCode;

G_GNUC_INTERNAL
void ipt_afl_code_init (AflCode *code, IptImage *image);
G_GNUC_INTERNAL
void ipt_afl_code_clear (AflCode *code);
/* Forgets every block and path when the image or the address space changed. */
G_GNUC_INTERNAL
void ipt_afl_code_check (AflCode *code, guint64 cr3, guint64 vmcs);
G_GNUC_INTERNAL
void ipt_afl_code_decode_insn (AflCode *code, guint64 ip, enum pt_exec_mode mode, AflInsn *insn);
G_GNUC_INTERNAL
const AflBlock *ipt_afl_code_build_block (AflCode *code, guint64 ip, enum pt_exec_mode mode);

static inline guint
ipt_afl_block_slot (guint64 ip, guint32 epoch)
{
  return (guint) (((ip ^ ((guint64) epoch << 24)) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >>
                  (64 - AFL_BLOCK_BITS));
}

static inline const AflBlock *
ipt_afl_code_block (AflCode *code, guint64 ip, enum pt_exec_mode mode)
{
  const AflBlock *block = &code->blocks[ipt_afl_block_slot (ip, code->epoch)];

  if (G_LIKELY (block->start == ip && block->epoch == code->epoch && block->mode == mode))
    return block;
  return ipt_afl_code_build_block (code, ip, mode);
}

/* @tag: the path's ipt_afl_path_tag_base() | its key */
static inline guint
ipt_afl_path_slot (guint64 ip, guint64 tag)
{
  return (guint) (((ip ^ (tag * G_GUINT64_CONSTANT (0xff51afd7ed558ccd))) *
                   G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> (64 - AFL_PATH_BITS));
}

/* libxdc's 64-bit mix of an address, and the counter of an edge */
static inline guint64
ipt_afl_mix (guint64 v)
{
  v ^= v >> 31;
  v *= G_GUINT64_CONSTANT (0x7fb5d329728ea185);
  return v;
}

static inline guint16
ipt_afl_edge_index (guint64 from, guint64 to)
{
  return (guint16) ((ipt_afl_mix (to) ^ (ipt_afl_mix (from) >> 1)) & (IPT_AFL_MAP_SIZE - 1));
}

/* ---- ipt-afl-walk.c: one trace's packets ---- */

typedef struct {
  IptAflFallback reason;
  guint64 offset;        /* where in the trace */
  const char *what;
} AflWalkResult;

/* Walks @trace, adding its edges to @map; returns FALSE with *result set
 * when the trace needs libipt (the map then holds a partial count). */
G_GNUC_INTERNAL
gboolean ipt_afl_walk (AflCode *code, const guint8 *trace, gsize size, guint8 *map,
                       GCancellable *cancellable, AflWalkResult *result);

G_END_DECLS
