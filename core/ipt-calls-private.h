/* ipt-calls-private.h: what the call analysis (ipt-calls.c, and
 * ipt-calls-stack.c for what a transition does), its call tree
 * (ipt-calls-node.c) and its writers (listing, folded, Chrome) share: the
 * log of transitions, the tree nodes, the analysis's state, the replay of
 * the log and a buffered output stream. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-sink-lead-private.h"

G_BEGIN_DECLS

#define IPT_CALLS_NO_TIME G_MAXUINT64

/* A function: a symbol, or an address no symbol names. Interned by start
 * address for the life of one IptCalls. */
typedef struct {
  guint64 start;
  guint64 end;            /* G_MAXUINT64: extent unknown (no symbol, or size 0) */
  char *name;
} IptCallsFunc;

/* What moved the flow between two instructions (the input of a log entry:
 * it does not depend on the call stack, so a segment's entries replay onto
 * the stack of the segment before it). */
typedef enum {
  IPT_CALLS_T_START,      /* the flow starts at @to with an unknown stack */
  IPT_CALLS_T_CALL,       /* a call at @from to @to, returning to @ret */
  IPT_CALLS_T_RET,        /* a return at @from to @to */
  IPT_CALLS_T_JUMP,       /* a jump at @from to @to, outside the current function */
  IPT_CALLS_T_FAR_RET,    /* a far return (iret, sysret) at @from to @to */
  IPT_CALLS_T_LAND,       /* the flow went to @to instead of @from (signal, interrupt) */
  IPT_CALLS_T_GAP,        /* a decode error or an overflow: the flow is lost */
} IptCallsTransition;

/* How a frame begins (pushed) and ends (popped). */
typedef enum {
  IPT_CALLS_OPEN_ROOT,    /* the flow started in it, entered before the trace */
  IPT_CALLS_OPEN_CALL,
  IPT_CALLS_OPEN_TAIL,    /* a jump to another function replaced the frame */
  IPT_CALLS_OPEN_ASYNC,   /* entered without a call: a signal handler, an interrupt */
} IptCallsOpen;

typedef enum {
  IPT_CALLS_CLOSE_RETURN,
  IPT_CALLS_CLOSE_UNWIND, /* left without its return: longjmp, an exception */
  IPT_CALLS_CLOSE_TAILED, /* replaced by a tail call */
  IPT_CALLS_CLOSE_RESUME, /* an async frame whose interrupted code resumed */
  IPT_CALLS_CLOSE_GAP,    /* the flow was lost */
} IptCallsClose;

enum {
  IPT_CALLS_FLAG_UPWARD = 1 << 0,     /* a return above the first frame: the new root is its caller */
  IPT_CALLS_FLAG_UNMATCHED = 1 << 1,  /* a return that matched no frame: nothing changed */
};

/* One transition and what it did: pop @n_pop frames (the deepest ends with
 * @close, those above it with UNWIND), then push @node (when not NULL). */
typedef struct {
  guint8 type;            /* IptCallsTransition */
  guint8 close;           /* IptCallsClose */
  guint8 open;            /* IptCallsOpen */
  guint8 flags;
  guint32 n_pop;
  guint64 index;          /* instructions before it, the branch included */
  guint64 time;           /* IPT_CALLS_NO_TIME when the trace had none yet */
  guint64 from;
  guint64 to;
  guint64 ret;
  IptCallNode *node;      /* owned by the tree */
} IptCallsEntry;

/* ---- the call tree (ipt-calls-node.c) ---- */

struct _IptCallNode {
  GObject parent_instance;

  IptCallNode *parent;            /* not owned; NULL for the invisible root */
  const IptCallsFunc *func;       /* the key under @parent; NULL once the IptCalls is gone */
  char *symbol;
  guint64 address;
  GPtrArray *children;            /* IptCallNode, owned, in the order they were first entered */
  guint64 calls;
  guint64 self_insns;
  guint64 self_time;
  guint64 total_insns;            /* self and below, summed by ipt_call_node_sum() */
  guint64 time;
};

G_GNUC_INTERNAL
IptCallNode *ipt_call_node_new (IptCallNode *parent, const IptCallsFunc *func);
G_GNUC_INTERNAL
void ipt_call_node_append (IptCallNode *self, IptCallNode *child);
G_GNUC_INTERNAL
IptCallNode *ipt_call_node_steal (IptCallNode *self, IptCallNode *child);
G_GNUC_INTERNAL
void ipt_call_node_sum (IptCallNode *self);

/* ---- the analysis's state (ipt-calls.c, ipt-calls-stack.c) ---- */

#define NO_ADDRESS G_MAXUINT64
/* ipt_calls_record(): the time of now (looked up only where a transition is logged) */
#define TIME_NOW (G_MAXUINT64 - 1)
#define FUNC_CACHE_SIZE 4096

/* What the last instruction leaves to resolve when the next one comes. */
typedef enum {
  PEND_NONE,
  PEND_START,       /* no flow yet, or lost: the next instruction starts a root frame */
  PEND_CALL,
  PEND_RET,
  PEND_JUMP,        /* a jump: a transition only if it leaves the function */
  PEND_FAR_RET,
  PEND_DISABLED,    /* tracing is off; pend_from is where the code would go on (0: unknown) */
} Pend;

typedef struct {
  IptCallNode *node;
  const IptCallsFunc *func;
  guint64 ret;              /* NO_ADDRESS for root and async frames */
  guint64 resume;           /* async frames: where the interrupted code goes on */
  IptCallsOpen open;
} Frame;

typedef struct {
  guint64 address;
  const IptCallsFunc *func;
} FuncSlot;

typedef struct {
  IptCallNode *parent;
  const IptCallsFunc *func;
} PathKey;

struct _IptCalls {
  GObject parent_instance;

  IptSymbolResolver *symbols;     /* nullable */
  guint64 tsc_zero;               /* the decode's TSC conversion */
  guint32 tsc_mult;
  guint16 tsc_shift;
  guint64 event_time;             /* of the last event with a timestamp */

  GHashTable *funcs;              /* &func->start -> IptCallsFunc, owned */
  FuncSlot *func_cache;            /* FUNC_CACHE_SIZE, by address */
  GHashTable *paths;              /* PathKey -> IptCallNode (the tree owns it) */
  IptCallNode *root;              /* invisible; its children are the roots */
  GPtrArray *absorbed;            /* subtrees merged into others, kept for the log */

  GArray *stack;                  /* Frame */
  IptCallNode *top;               /* the top frame's node, NULL when the stack is empty */
  guint64 top_start;              /* the top frame's function: [top_start, top_start + top_span) */
  guint64 top_span;

  Pend pend;
  guint64 pend_from;
  guint64 pend_ret;
  guint64 last_end;               /* the end of the last instruction */

  GArray *entries;                /* IptCallsEntry */
  guint64 n_insns;
  guint64 last_time;
  gboolean timed;

  guint64 n_calls;
  guint64 n_returns;
  guint64 n_tail_calls;
  guint64 n_unwound;
  guint64 n_unmatched;
  guint64 n_async;
  guint64 n_gaps;

  /* a part of a parallel decode (ipt_calls_split()): what came before its
   * first instruction acts on the stack of the part before it */
  gboolean is_part;
  IptSinkLead lead;
};

G_GNUC_INTERNAL
void ipt_calls_update_top (IptCalls *self);
/* Logs one transition and moves the stack by it. */
G_GNUC_INTERNAL
void ipt_calls_record (IptCalls *self, IptCallsTransition type, guint64 from, guint64 to,
                       guint64 ret, guint64 index, guint64 time);
/* The flow reached @to: resolves what the last instruction left pending. */
G_GNUC_INTERNAL
void ipt_calls_resolve (IptCalls *self, guint64 to, guint64 index, guint64 time);

/* ---- reading the analysis back (ipt-calls.c) ---- */

G_GNUC_INTERNAL
const IptCallsEntry *ipt_calls_get_entries (IptCalls *self, guint *n_entries);
G_GNUC_INTERNAL
gboolean ipt_calls_is_timed (IptCalls *self);
G_GNUC_INTERNAL
gsize ipt_calls_format_site (IptCalls *self, guint64 address, char *buffer, gsize size);

/* ---- replaying the log (ipt-calls-replay.c) ---- */

/* A frame as the writers see it, replaying the log from an empty stack. */
typedef struct {
  IptCallNode *node;
  IptCallsOpen open;
  guint64 start_index;
  guint64 start_time;
  guint64 child_insns;            /* instructions of the calls it made */
} IptCallsReplayFrame;

typedef struct {
  /* @frame is popped by @entry (@close: how), at depth @depth (0: the root) */
  gboolean (*close) (gpointer user_data, const IptCallsEntry *entry,
                     const IptCallsReplayFrame *frame, IptCallsClose close, guint depth,
                     GError **error);
  /* @frame was pushed by @entry at depth @depth */
  gboolean (*open) (gpointer user_data, const IptCallsEntry *entry,
                    const IptCallsReplayFrame *frame, guint depth, GError **error);
  /* @entry is a return that matched no frame, @depth frames open */
  gboolean (*unmatched) (gpointer user_data, const IptCallsEntry *entry, guint depth,
                         GError **error);
} IptCallsReplayFuncs;

/* The words the listing and the Chrome trace use for how a frame began
 * (for the frame @entry pushed) and how one ended. */
G_GNUC_INTERNAL
const char *ipt_calls_open_word (const IptCallsEntry *entry);
G_GNUC_INTERNAL
const char *ipt_calls_close_word (IptCallsClose close);

G_GNUC_INTERNAL
gboolean ipt_calls_replay (IptCalls *calls, const IptCallsReplayFuncs *funcs, gpointer user_data,
                           GArray **open_frames, GError **error);

/* A buffered writer over a GOutputStream: the outputs are big, and a
 * write per line would cost a syscall per call. */
typedef struct {
  GOutputStream *stream;
  GString *buffer;
} IptCallsOut;

G_GNUC_INTERNAL
void ipt_calls_out_init (IptCallsOut *out, GOutputStream *stream);
G_GNUC_INTERNAL
void ipt_calls_append_json_string (GString *buffer, const char *text);
G_GNUC_INTERNAL
gboolean ipt_calls_out_maybe_flush (IptCallsOut *out, GError **error);
G_GNUC_INTERNAL
gboolean ipt_calls_out_finish (IptCallsOut *out, gboolean ok, GError **error);

G_END_DECLS
