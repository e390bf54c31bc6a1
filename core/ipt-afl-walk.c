/* ipt-afl-walk.c: the fast AFL decoder's own walk of an Intel PT packet
 * stream (Intel SDM vol. 3, ch. 32): sync at the first PSB, then TNT bits
 * move the flow through cached paths (ipt-afl-private.h), TIP/TIP.PGE/
 * TIP.PGD/FUP give targets and enables/disables, and everything else is
 * skipped by its length. Its result must be exactly the bitmap an
 * IptCoverage computes from libipt's decode of the same trace
 * (docs/coverage.md, "AFL bitmap"): where libipt's behaviour is not
 * modelled here (an overflow, VMCS, PTWRITE, TSX, a state libipt would
 * report as an error) the walk gives up and says why, and the caller
 * decodes the trace with libipt instead. Never allocates.
 *
 * The edge of a conditional branch counts once the flow executes at least
 * one instruction after it (libipt then delivers a block there), or when
 * tracing is disabled right after it; an interrupt right after it (FUP +
 * TIP at its successor), an enable or a fall back drop it: IptCoverage's
 * rules. So the last edge of a run of TNT bits stays pending. */
#include "config.h"

#include <string.h>

#include "ipt-afl-private.h"

/* Bounds the walk through direct calls and jumps without trace. */
#define AFL_MAX_STEPS 100000

typedef struct {
  AflCode *code;
  guint8 *map;
  const guint8 *begin;
  const guint8 *p;
  const guint8 *end;
  AflWalkResult *result;

  guint64 last_ip;
  guint64 ip;                   /* the next instruction to run */
  enum pt_exec_mode mode;
  enum pt_exec_mode next_mode;  /* from MODE.Exec: applies at the next TIP or PGE */
  guint64 cr3;
  guint64 vmcs;
  gboolean synced;
  gboolean in_psb;
  gboolean enabled;
  gboolean fup;                 /* a FUP waits for its TIP or TIP.PGD */
  gboolean overflow;            /* after an OVF, before tracing resumes */
  guint pending_index;          /* the counter of an edge waiting for its successor to run, or AFL_NO_EDGE */
  guint64 tag_base;             /* ipt_afl_path_tag_base() of the mode and the caches' epoch */

  guint64 ret[AFL_RETSTACK_SIZE];
  guint ret_top;
  guint ret_n;
} Walk;

static gboolean
fail (Walk *w, IptAflFallback reason, const char *what)
{
  w->result->reason = reason;
  w->result->offset = (guint64) (w->p - w->begin);
  w->result->what = what;
  return FALSE;
}

static inline void
commit (Walk *w)
{
  w->map[w->pending_index]++;
  w->pending_index = AFL_NO_EDGE;
}

static inline void
set_mode (Walk *w, enum pt_exec_mode mode)
{
  w->mode = mode;
  w->tag_base = ipt_afl_path_tag_base (w->code->epoch, mode);
}

/* The caches hold the code of one address space. */
static inline void
check_asid (Walk *w)
{
  ipt_afl_code_check (w->code, w->cr3, w->vmcs);
  set_mode (w, w->mode);
}

static inline void
push (Walk *w, guint64 ip)
{
  w->ret[w->ret_top] = ip;
  w->ret_top = (w->ret_top + 1) % AFL_RETSTACK_SIZE;
  if (w->ret_n < AFL_RETSTACK_SIZE)
    w->ret_n++;
}

static inline const AflBlock *
block (Walk *w, guint64 ip)
{
  return ipt_afl_code_block (w->code, ip, w->mode);
}

static const AflPath *
build_path (Walk *w, AflPath *path, guint64 tag, guint bits, guint len)
{
  guint64 at = w->ip;
  guint used = 0;

  path->n_pushes = 0;
  while (used < len)
    {
      const AflBlock *b = block (w, at);
      gboolean taken;

      if (b->kind == AFL_END_CALL && path->n_pushes < AFL_PATH_MAX_PUSHES)
        {
          path->pushes[path->n_pushes++] = b->next;
          at = b->taken;
          continue;
        }
      if (b->kind != AFL_END_COND)
        break;
      taken = (bits >> (len - 1 - used)) & 1;
      path->index[used] = taken ? b->taken_index : b->next_index;
      at = taken ? b->taken : b->next;
      used++;
    }
  if (used == 0)
    {
      /* nothing to replay: the walk takes the first block itself */
      path->n_pushes = 0;
      at = w->ip;
    }
  path->start = w->ip;
  path->tag = used == len ? tag : tag | AFL_PATH_PARTIAL;
  path->end = at;
  path->used = (guint8) used;
  return path;
}

/* The bits of one TNT packet, the oldest in the highest of @n bits. */
static gboolean
take_tnt (Walk *w, guint64 bits, guint n)
{
  if (G_UNLIKELY (!w->enabled || w->fup))
    return fail (w, IPT_AFL_FALLBACK_STATE, "TNT while tracing is disabled or after a FUP");

  while (n > 0)
    {
      guint len = MIN (n, AFL_PATH_MAX_BITS);
      guint chunk = (guint) (bits >> (n - len)) & ((1u << len) - 1);
      guint key = ipt_afl_path_key (chunk, len);
      guint64 tag = w->tag_base | key;
      AflPath *path = &w->code->paths[ipt_afl_path_slot (w->ip, tag)];
      const AflBlock *b;

      if (G_UNLIKELY (path->start != w->ip || (path->tag & ~AFL_PATH_PARTIAL) != tag))
        build_path (w, path, tag, chunk, len);
      if (G_LIKELY (path->used > 0))
        {
          guint last = path->used - 1u;

          commit (w);
          for (guint i = 0; i < last; i++)
            w->map[path->index[i]]++;
          for (guint i = 0; i < path->n_pushes; i++)
            push (w, path->pushes[i]);
          w->pending_index = path->index[last];
          w->ip = path->end;
          n -= path->used;
          continue;
        }

      /* the flow reached a block that is not a conditional branch */
      b = block (w, w->ip);
      switch (b->kind)
        {
        case AFL_END_CALL:
          commit (w);
          push (w, b->next);
          w->ip = b->taken;
          break;
        case AFL_END_RET:
          commit (w);
          /* a compressed return: libipt pops its return stack */
          if (!((bits >> (n - 1)) & 1))
            return fail (w, IPT_AFL_FALLBACK_STATE, "a compressed return not taken");
          if (w->ret_n == 0)
            return fail (w, IPT_AFL_FALLBACK_STATE, "a compressed return with an empty stack");
          w->ret_top = (w->ret_top + AFL_RETSTACK_SIZE - 1) % AFL_RETSTACK_SIZE;
          w->ret_n--;
          w->ip = w->ret[w->ret_top];
          n--;
          break;
        case AFL_END_INDIRECT:
          return fail (w, IPT_AFL_FALLBACK_STATE, "a TNT bit at an indirect branch");
        default:
          return fail (w, (IptAflFallback) b->error, "code the walk cannot follow");
        }
    }
  return TRUE;
}

/* From the flow's instruction through direct calls to the block that
 * needs the trace (whose instructions then run). */
static const AflBlock *
advance (Walk *w)
{
  for (guint i = 0; i < AFL_MAX_STEPS; i++)
    {
      const AflBlock *b = block (w, w->ip);

      if (b->kind != AFL_END_CALL)
        return b;
      commit (w);
      push (w, b->next);
      w->ip = b->taken;
    }
  return NULL;
}

static gboolean
take_tip (Walk *w, guint64 target)
{
  const AflBlock *b;

  if (G_UNLIKELY (!w->enabled))
    return fail (w, IPT_AFL_FALLBACK_STATE, "TIP while tracing is disabled");
  if (w->fup)
    {
      /* an asynchronous branch (an interrupt): the flow breaks off */
      w->fup = FALSE;
      w->pending_index = AFL_NO_EDGE;
      w->ip = target;
      set_mode (w, w->next_mode);
      return TRUE;
    }
  b = advance (w);
  if (b == NULL)
    return fail (w, IPT_AFL_FALLBACK_INSN, "no branch that needs the trace");
  switch (b->kind)
    {
    case AFL_END_RET:
      break;
    case AFL_END_INDIRECT:
      if (b->push)
        push (w, b->next);
      break;
    case AFL_END_COND:
      return fail (w, IPT_AFL_FALLBACK_STATE, "a TIP where a conditional branch needs a TNT bit");
    default:
      return fail (w, (IptAflFallback) b->error, "code the walk cannot follow");
    }
  commit (w);
  w->ip = target;
  set_mode (w, w->next_mode);
  return TRUE;
}

/* run_to() instruction by instruction, through direct jumps. */
static gboolean
run_to_slowly (Walk *w, guint64 to, gboolean *moved)
{
  for (guint i = 0; w->ip != to; i++)
    {
      AflInsn insn;

      if (i == AFL_MAX_STEPS)
        return fail (w, IPT_AFL_FALLBACK_INSN, "no way to a FUP's IP");
      ipt_afl_code_decode_insn (w->code, w->ip, w->mode, &insn);
      switch (insn.kind)
        {
        case AFL_INSN_OTHER:
          w->ip += insn.size;
          break;
        case AFL_INSN_JUMP:
          w->ip = insn.target;
          break;
        case AFL_INSN_CALL:
          push (w, w->ip + insn.size);
          w->ip = insn.target;
          break;
        case AFL_INSN_ERROR:
          return fail (w, insn.error, "code the walk cannot follow");
        default:
          return fail (w, IPT_AFL_FALLBACK_STATE, "a FUP beyond a branch that needs the trace");
        }
      *moved = TRUE;
    }
  return TRUE;
}

/* Runs the instructions from the flow's up to @to, which only direct
 * branches may separate; whether any ran in *moved. */
static gboolean
run_to (Walk *w, guint64 to, gboolean *moved)
{
  *moved = FALSE;
  for (guint i = 0; w->ip != to; i++)
    {
      const AflBlock *b = block (w, w->ip);

      if (i == AFL_MAX_STEPS)
        return fail (w, IPT_AFL_FALLBACK_INSN, "no way to a FUP's IP");
      if (b->n_jumps != 0)
        return run_to_slowly (w, to, moved);
      if (to > w->ip && to <= b->branch)
        {
          w->ip = to;
          *moved = TRUE;
          return TRUE;
        }
      if (b->kind == AFL_END_ERROR)
        return fail (w, (IptAflFallback) b->error, "code the walk cannot follow");
      if (b->kind != AFL_END_CALL)
        return fail (w, IPT_AFL_FALLBACK_STATE, "a FUP beyond a branch that needs the trace");
      push (w, b->next);
      w->ip = b->taken;
      *moved = TRUE;
    }
  return TRUE;
}

/* TIP.PGD with an IP, no FUP before: the branch out of the traced range
 * is the first instruction that needs the trace, or a direct branch to
 * that IP (libipt binds the disable there). */
static gboolean
take_disable_slowly (Walk *w, guint64 target)
{
  for (guint i = 0; i < AFL_MAX_STEPS; i++)
    {
      AflInsn insn;
      guint64 at = w->ip;

      ipt_afl_code_decode_insn (w->code, at, w->mode, &insn);
      if (insn.kind == AFL_INSN_ERROR)
        return fail (w, insn.error, "code the walk cannot follow");
      commit (w);
      switch (insn.kind)
        {
        case AFL_INSN_OTHER:
          w->ip += insn.size;
          continue;
        case AFL_INSN_JUMP:
        case AFL_INSN_CALL:
          if (insn.target == target)
            return TRUE;
          if (insn.kind == AFL_INSN_CALL)
            push (w, at + insn.size);
          w->ip = insn.target;
          continue;
        case AFL_INSN_COND:
          /* the branch left the traced range: the edge goes to the target */
          w->map[ipt_afl_edge_index (at, target)]++;
          return TRUE;
        default:
          return TRUE;
        }
    }
  return fail (w, IPT_AFL_FALLBACK_INSN, "no branch for a TIP.PGD");
}

static gboolean
take_disable (Walk *w, guint64 target)
{
  for (guint i = 0; i < AFL_MAX_STEPS; i++)
    {
      const AflBlock *b = block (w, w->ip);

      if (b->n_jumps == AFL_MANY_JUMPS ||
          (b->n_jumps > 0 && b->jumps[0] == target) || (b->n_jumps > 1 && b->jumps[1] == target))
        return take_disable_slowly (w, target);
      if (b->kind == AFL_END_ERROR)
        return fail (w, (IptAflFallback) b->error, "code the walk cannot follow");
      commit (w);
      switch (b->kind)
        {
        case AFL_END_CALL:
          if (b->taken == target)
            return TRUE;
          push (w, b->next);
          w->ip = b->taken;
          continue;
        case AFL_END_COND:
          w->map[ipt_afl_edge_index (b->branch, target)]++;
          return TRUE;
        default:
          return TRUE;
        }
    }
  return fail (w, IPT_AFL_FALLBACK_INSN, "no branch for a TIP.PGD");
}

/* ---- packets ---- */

/* @n (1..8) little-endian bytes at @p, which has @avail bytes. */
static inline guint64
le (const guint8 *p, guint n, gsize avail)
{
  guint64 v = 0;

  if (G_LIKELY (avail >= 8))
    {
      memcpy (&v, p, 8);
      v = GUINT64_FROM_LE (v);
      return n == 8 ? v : v & ((G_GUINT64_CONSTANT (1) << (8 * n)) - 1);
    }
  for (guint i = n; i > 0; i--)
    v = (v << 8) | p[i - 1];
  return v;
}

#define LE(p, n) le ((p), (n), (gsize) (w->end - (p)))

/* An IP packet at w->p (header byte included); advances w->p. */
static gboolean
read_ip (Walk *w, guint64 *ip, gboolean *suppressed)
{
  static const guint8 sizes[8] = { 0, 2, 4, 6, 6, 0xff, 8, 0xff };
  guint ipc = w->p[0] >> 5;
  guint n = sizes[ipc];
  guint64 payload;

  if (n == 0xff)
    return fail (w, IPT_AFL_FALLBACK_PACKET, "a reserved IP compression");
  if ((gsize) (w->end - w->p) < 1u + n)
    return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated IP packet");
  payload = n == 0 ? 0 : LE (w->p + 1, n);
  w->p += 1 + n;
  *suppressed = ipc == 0;
  switch (ipc)
    {
    case 0:
      return TRUE;
    case 1:
      *ip = (w->last_ip & ~G_GUINT64_CONSTANT (0xffff)) | payload;
      break;
    case 2:
      *ip = (w->last_ip & ~G_GUINT64_CONSTANT (0xffffffff)) | payload;
      break;
    case 3:
      *ip = (guint64) (((gint64) (payload << 16)) >> 16);
      break;
    case 4:
      *ip = (w->last_ip & G_GUINT64_CONSTANT (0xffff000000000000)) | payload;
      break;
    default:
      *ip = payload;
      break;
    }
  w->last_ip = *ip;
  return TRUE;
}

static const guint8 psb_pattern[16] = {
  0x02, 0x82, 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
  0x02, 0x82, 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
};

static gboolean
take_psb (Walk *w)
{
  if ((gsize) (w->end - w->p) < sizeof psb_pattern ||
      memcmp (w->p, psb_pattern, sizeof psb_pattern) != 0)
    return fail (w, IPT_AFL_FALLBACK_PACKET, "a malformed PSB");
  if (w->fup)
    return fail (w, IPT_AFL_FALLBACK_STATE, "a PSB after a FUP");
  w->p += sizeof psb_pattern;
  w->in_psb = TRUE;
  w->last_ip = 0;
  return TRUE;
}

static gboolean
take_pip (Walk *w, guint64 payload)
{
  w->cr3 = (payload & ~G_GUINT64_CONSTANT (1)) << 4;
  if (!w->in_psb)
    check_asid (w);
  return TRUE;
}

static gboolean
take_extended (Walk *w)
{
  guint8 op;
  gsize left = (gsize) (w->end - w->p);

  if (left < 2)
    return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated packet");
  op = w->p[1];
  switch (op)
    {
    case 0x82:
      return take_psb (w);
    case 0x23:                  /* PSBEND */
      if (w->in_psb)
        {
          w->in_psb = FALSE;
          w->synced = TRUE;
          set_mode (w, w->next_mode);
          check_asid (w);
        }
      w->p += 2;
      return TRUE;
    case 0xa3:                  /* TNT-64 */
      {
        guint64 payload;
        guint n;

        if (left < 8)
          return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated TNT-64");
        payload = LE (w->p + 2, 6);
        w->p += 8;
        if (payload == 0)
          return fail (w, IPT_AFL_FALLBACK_PACKET, "a TNT-64 without a stop bit");
        n = (guint) (63 - __builtin_clzll (payload));
        if (n == 0)
          return TRUE;
        return take_tnt (w, payload & ((G_GUINT64_CONSTANT (1) << n) - 1), n);
      }
    case 0x43:                  /* PIP */
      if (left < 8)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated PIP");
      w->p += 8;
      return take_pip (w, LE (w->p - 6, 6));
    case 0x03:                  /* CBR */
      if (left < 4)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated CBR");
      w->p += 4;
      return TRUE;
    case 0x73:                  /* TMA */
      if (left < 7)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated TMA");
      w->p += 7;
      return TRUE;
    case 0xc3:                  /* MNT */
      if (left < 11 || w->p[2] != 0x88)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a malformed MNT");
      w->p += 11;
      return TRUE;
    case 0xf3:                  /* OVF */
      if (w->fup)
        return fail (w, IPT_AFL_FALLBACK_STATE, "an overflow after a FUP");
      /* the flow breaks off; a FUP says where tracing resumes, else it
       * resumes disabled. libipt's return stack is not ours to guess
       * after a gap: a compressed return before the next call falls back */
      w->overflow = TRUE;
      w->enabled = FALSE;
      w->pending_index = AFL_NO_EDGE;
      w->ret_n = 0;
      w->p += 2;
      return TRUE;
    case 0x83:
      return fail (w, IPT_AFL_FALLBACK_PACKET, "TraceStop");
    case 0xc8:                  /* VMCS */
      if (left < 7)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a truncated VMCS");
      /* a PSB+ states the VMCS of the guest being traced (kAFL's traces
       * are a guest's); elsewhere libipt binds it to a VM entry */
      if (!w->in_psb)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a VMCS packet outside a PSB+");
      w->vmcs = LE (w->p + 2, 5) << 12;
      w->p += 7;
      return TRUE;
    default:
      if ((op & 0x1f) == 0x12)
        return fail (w, IPT_AFL_FALLBACK_PACKET, "a PTWRITE packet");
      return fail (w, IPT_AFL_FALLBACK_PACKET, "a power, EXSTOP or unknown packet");
    }
}

static gboolean
take_ip_packet (Walk *w)
{
  guint8 kind = w->p[0] & 0x1f;
  gboolean suppressed;
  guint64 ip = 0;
  gboolean moved;

  if (!read_ip (w, &ip, &suppressed))
    return FALSE;
  if (G_UNLIKELY (!w->synced && !w->in_psb))
    return TRUE;
  if (G_UNLIKELY (w->in_psb && kind != 0x1d))
    return fail (w, IPT_AFL_FALLBACK_STATE, "a TIP inside a PSB+");
  switch (kind)
    {
    case 0x0d:                  /* TIP */
      if (suppressed)
        return fail (w, IPT_AFL_FALLBACK_STATE, "a TIP without an IP");
      return take_tip (w, ip);
    case 0x11:                  /* TIP.PGE */
      if (w->enabled || w->fup || suppressed)
        return fail (w, IPT_AFL_FALLBACK_STATE, "a TIP.PGE while enabled or without an IP");
      w->enabled = TRUE;
      w->overflow = FALSE;
      w->pending_index = AFL_NO_EDGE;
      w->ip = ip;
      set_mode (w, w->next_mode);
      return TRUE;
    case 0x01:                  /* TIP.PGD */
      if (!w->enabled)
        return fail (w, IPT_AFL_FALLBACK_STATE, "a TIP.PGD while disabled");
      w->enabled = FALSE;
      if (w->fup)
        {
          /* asynchronous: right after a branch, the edge goes to the
           * interrupted instruction, which is w->ip */
          w->fup = FALSE;
          commit (w);
          return TRUE;
        }
      if (suppressed)
        {
          /* libipt decodes at least the flow's next instruction to bind
           * it: that one must be readable code */
          const AflBlock *b = block (w, w->ip);

          if (b->kind == AFL_END_ERROR && b->branch == w->ip)
            return fail (w, (IptAflFallback) b->error, "code the walk cannot follow");
          commit (w);
          return TRUE;
        }
      w->enabled = TRUE;
      if (!take_disable (w, ip))
        return FALSE;
      w->enabled = FALSE;
      w->pending_index = AFL_NO_EDGE;
      return TRUE;
    case 0x1d:                  /* FUP */
      if (suppressed)
        return fail (w, IPT_AFL_FALLBACK_STATE, "a FUP without an IP");
      if (w->in_psb)
        {
          if (!w->synced)
            {
              w->enabled = TRUE;
              w->ip = ip;
              return TRUE;
            }
          if (w->overflow)
            return fail (w, IPT_AFL_FALLBACK_STATE, "a PSB+ with an IP after an overflow");
          /* a restatement of the IP: libipt's flow goes on to it */
          if (!w->enabled)
            return TRUE;
          if (!run_to (w, ip, &moved))
            return FALSE;
          if (moved)
            commit (w);
          return TRUE;
        }
      if (w->overflow)
        {
          /* tracing resumes here after the overflow */
          w->overflow = FALSE;
          w->enabled = TRUE;
          w->ip = ip;
          set_mode (w, w->next_mode);
          return TRUE;
        }
      if (!w->enabled || w->fup)
        return fail (w, IPT_AFL_FALLBACK_STATE, "a FUP while disabled");
      if (!run_to (w, ip, &moved))
        return FALSE;
      if (moved)
        commit (w);
      w->fup = TRUE;
      return TRUE;
    default:
      return fail (w, IPT_AFL_FALLBACK_PACKET, "an unknown packet");
    }
}

/* Whether the next packet after @p (PADs skipped) is a TIP or TIP.PGE. */
static gboolean
before_tip (const guint8 *p, const guint8 *end)
{
  while (p < end && *p == 0x00)
    p++;
  return p < end && ((*p & 0x1f) == 0x0d || (*p & 0x1f) == 0x11);
}

static enum pt_exec_mode
exec_mode (guint8 payload)
{
  gboolean csl = (payload & 1) != 0, csd = (payload & 2) != 0;

  if (csl)
    return csd ? ptem_unknown : ptem_64bit;
  return csd ? ptem_32bit : ptem_16bit;
}

gboolean
ipt_afl_walk (AflCode *code, const guint8 *trace, gsize size, guint8 *map,
              GCancellable *cancellable, AflWalkResult *result)
{
  Walk w = { 0 };
  const guint8 *sync;

  w.code = code;
  w.map = map;
  w.begin = trace;
  w.end = trace + size;
  w.result = result;
  w.mode = ptem_unknown;
  w.next_mode = ptem_unknown;
  w.cr3 = IPT_ASID_NO_CR3;
  result->reason = IPT_AFL_FALLBACK_NONE;
  w.vmcs = IPT_ASID_NO_VMCS;
  w.pending_index = AFL_NO_EDGE;
  set_mode (&w, ptem_unknown);

  /* libipt starts decoding at the first PSB */
  sync = NULL;
  for (gsize i = 0; i + sizeof psb_pattern <= size && sync == NULL; i++)
    if (trace[i] == 0x02 && memcmp (trace + i, psb_pattern, sizeof psb_pattern) == 0)
      sync = trace + i;
  if (sync == NULL)
    return TRUE;
  w.p = sync;

  while (w.p < w.end)
    {
      guint8 b;

      /* the hot path: PADs and TNT-8s along paths seen before, with the
       * flow's state in registers */
      if (G_LIKELY (w.enabled && !w.fup))
        {
          const guint8 *p = w.p, *end = w.end;
          guint64 ip = w.ip, tag_base = w.tag_base;
          guint pending = w.pending_index;

          for (; p < end; p++)
            {
              guint64 tag;
              const AflPath *path;
              const guint16 *index;

              b = *p;
              if (b == 0x00)
                continue;
              if ((b & 1) != 0 || b == 0x02)
                break;
              tag = tag_base | (b >> 1);
              path = &code->paths[ipt_afl_path_slot (ip, tag)];
              if (G_UNLIKELY (path->start != ip || path->tag != tag))
                break;
              index = path->index;
              map[pending]++;
              /* a TNT-8 has at most 6 bits: all but the last edge count */
              switch (path->used)
                {
                case 6: map[index[4]]++; G_GNUC_FALLTHROUGH;
                case 5: map[index[3]]++; G_GNUC_FALLTHROUGH;
                case 4: map[index[2]]++; G_GNUC_FALLTHROUGH;
                case 3: map[index[1]]++; G_GNUC_FALLTHROUGH;
                case 2: map[index[0]]++; G_GNUC_FALLTHROUGH;
                default: break;
                }
              for (guint i = 0; i < path->n_pushes; i++)
                push (&w, path->pushes[i]);
              pending = index[path->used - 1u];
              ip = path->end;
            }
          w.p = p;
          w.ip = ip;
          w.pending_index = pending;
          if (p == end)
            break;
        }
      b = *w.p;
      if (b == 0x00)            /* PAD */
        {
          w.p++;
          continue;
        }
      if ((b & 1) == 0)
        {
          guint n;

          if (b == 0x02)
            {
              if (!take_extended (&w))
                return FALSE;
              if (G_UNLIKELY (w.in_psb && cancellable != NULL &&
                              g_cancellable_is_cancelled (cancellable)))
                return TRUE;    /* the caller reports the cancel */
              continue;
            }
          /* TNT-8: the bits below the stop bit, oldest first */
          w.p++;
          n = (guint) (31 - __builtin_clz (b)) - 1;
          if (!w.synced)
            continue;
          if (!take_tnt (&w, (b >> 1) & ((1u << n) - 1), n))
            return FALSE;
          continue;
        }
      if ((b & 3) == 3)         /* CYC */
        {
          const guint8 *start = w.p++;

          if (b & 4)
            {
              while (w.p < w.end && (*w.p & 1))
                w.p++;
              /* libipt refuses a payload of more than 64 bits */
              if (w.p == w.end || w.p - start > 8)
                return fail (&w, IPT_AFL_FALLBACK_PACKET, "a truncated or oversized CYC");
              w.p++;
            }
          continue;
        }
      switch (b & 0x1f)
        {
        case 0x01: case 0x0d: case 0x11: case 0x1d:
          if (!take_ip_packet (&w))
            return FALSE;
          continue;
        default:
          break;
        }
      switch (b)
        {
        case 0x19:              /* TSC */
          if (w.end - w.p < 8)
            return fail (&w, IPT_AFL_FALLBACK_PACKET, "a truncated TSC");
          w.p += 8;
          continue;
        case 0x59:              /* MTC */
          if (w.end - w.p < 2)
            return fail (&w, IPT_AFL_FALLBACK_PACKET, "a truncated MTC");
          w.p += 2;
          continue;
        case 0x99:              /* MODE */
          if (w.end - w.p < 2)
            return fail (&w, IPT_AFL_FALLBACK_PACKET, "a truncated MODE");
          if ((w.p[1] & 0xe0) == 0x00)
            {
              /* outside a PSB+ it announces the mode of the next TIP or
               * TIP.PGE; libipt refuses it before other packets */
              if (!w.in_psb && !before_tip (w.p + 2, w.end))
                return fail (&w, IPT_AFL_FALLBACK_PACKET, "a MODE.Exec not before a TIP");
              w.next_mode = exec_mode (w.p[1]);
            }
          else if ((w.p[1] & 0xe0) == 0x20)
            {
              /* a PSB+ restating "no transaction" changes nothing */
              if (!w.in_psb || (w.p[1] & 0x03) != 0)
                return fail (&w, IPT_AFL_FALLBACK_PACKET, "a MODE.TSX packet (a transaction)");
            }
          else
            return fail (&w, IPT_AFL_FALLBACK_PACKET, "an unknown MODE packet");
          w.p += 2;
          continue;
        default:
          return fail (&w, IPT_AFL_FALLBACK_PACKET, "an unknown packet");
        }
    }
  if (w.fup)
    return fail (&w, IPT_AFL_FALLBACK_STATE, "a FUP at the end of the trace");
  /* at the end of the trace libipt stops at the next branch that needs
   * the trace, without delivering the instructions up to it: a pending
   * edge does not count (tests/test-afl-decoder.c, end-of-trace) */
  return TRUE;
}
