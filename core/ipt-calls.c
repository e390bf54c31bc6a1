/* ipt-calls.c: the call analysis. A sink that follows the instructions of
 * a decode and rebuilds the calls and returns: a stack of frames, a call
 * tree (one node per call path) and a log of the transitions that moved
 * the stack, which the writers (listing, folded stacks, Chrome trace)
 * replay. Per instruction it costs a couple of compares and two
 * increments; what the transitions do to the stack and the tree is in
 * ipt-calls-stack.c. This file holds the object, the sink that turns
 * instructions and events into transitions, the merge of segments and the
 * getters. */
#include "config.h"

#include <string.h>

#include "ipt-calls-private.h"
#include "ipt-insn-class-private.h"
#include "ipt-sink-lead-private.h"


/**
 * IptCalls:
 *
 * The call analysis: an #IptSink that rebuilds the calls and returns of
 * a decode, with the symbols of an #IptSymbolResolver. It keeps a call
 * tree (ipt_calls_get_roots(), one #IptCallNode per call path with its
 * calls and instructions) and writes an indented call/return listing,
 * folded stacks for flame graphs and a Chrome Trace Event file.
 *
 * What it makes of what traces hold:
 * - a jump to the first address of another function is a tail call: the
 *   frame is replaced (the new function is a sibling of the old one in the
 *   tree, and returns where the old one would have);
 * - a return (or a jump) to a frame further down the stack pops the frames
 *   above it, marked unwound (longjmp, exceptions); a return that matches
 *   no frame is counted (#IptCalls:n-unmatched-returns) and changes nothing;
 * - code entered without a call (tracing resumed somewhere else than where
 *   it stopped, an interrupt: signal handlers) gets an asynchronous frame,
 *   left when the interrupted code resumes; tracing that resumes at a
 *   frame's return address (IP filtering: untraced code returned) returns
 *   to that frame;
 * - the frame the trace starts in is a root; a return above it makes its
 *   caller the root (the stack grows upward);
 * - a decode error or an overflow ends every open frame (a gap) and the
 *   flow starts again in a new root: frames are never invented.
 *
 * With the block decoder it asks for instructions too (libipt's blocks do
 * not end at direct calls); both decoders give the same result.
 * Decodes into one #IptCalls continue each other, as ipt_calls_merge()
 * does, and a parallel decode (ipt_decoder_set_jobs()) splits the sink
 * into parts that merge so. The tree grows during a decode, in the
 * decoding thread (a worker thread for ipt_decoder_decode_file_async()),
 * with #GListModel::items-changed emitted there: bind it to a GUI once
 * the decode is over.
 *
 * Since: 0.1
 */

enum {
  PROP_0,
  PROP_SYMBOLS,
  PROP_N_INSNS,
  PROP_N_CALLS,
  PROP_N_UNMATCHED_RETURNS,
  PROP_N_GAPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ipt_calls_sink_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptCalls, ipt_calls, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_calls_sink_init))

/* ---- the hash tables' callbacks ---- */

static void
func_free (gpointer data)
{
  IptCallsFunc *func = data;

  g_free (func->name);
  g_free (func);
}

static guint
path_hash (gconstpointer key)
{
  const PathKey *path = key;

  return g_direct_hash (path->parent) * 31 + g_direct_hash (path->func);
}

static gboolean
path_equal (gconstpointer a, gconstpointer b)
{
  const PathKey *x = a, *y = b;

  return x->parent == y->parent && x->func == y->func;
}

/* ---- the sink ---- */

static gboolean
ipt_calls_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptCalls *self = (IptCalls *) sink;

  self->tsc_zero = 0;
  self->tsc_mult = 1;
  self->tsc_shift = 0;
  if (decoder != NULL)
    ipt_decoder_get_tsc_conversion (decoder, &self->tsc_zero, &self->tsc_mult, &self->tsc_shift);
  return TRUE;
}

static IptSinkNeeds
ipt_calls_get_needs (IptSink *sink)
{
  /* Blocks run through direct calls: only instructions show them all. */
  return IPT_SINK_NEEDS_INSNS;
}

static void
ipt_calls_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptCalls *self = (IptCalls *) sink;
  enum pt_insn_class iclass;

  if (G_UNLIKELY (self->pend != PEND_NONE) &&
      (self->pend != PEND_JUMP || insn->ip - self->top_start >= self->top_span))
    ipt_calls_resolve (self, insn->ip, self->n_insns, TIME_NOW);
  self->pend = PEND_NONE;

  self->n_insns++;
  self->top->self_insns++;
  self->last_end = insn->ip + insn->size;

  /* the block decoder's walk knows only a block's last instruction's class */
  iclass = insn->iclass != ptic_error
             ? insn->iclass
             : ipt_insn_class_of (insn->raw, MIN (insn->size, sizeof insn->raw), insn->mode);
  switch (iclass)
    {
    case ptic_call:
      self->pend = PEND_CALL;
      self->pend_from = insn->ip;
      self->pend_ret = insn->ip + insn->size;
      break;
    case ptic_return:
      self->pend = PEND_RET;
      self->pend_from = insn->ip;
      break;
    case ptic_jump:
    case ptic_cond_jump:
    case ptic_far_jump:
      self->pend = PEND_JUMP;
      self->pend_from = insn->ip;
      break;
    case ptic_far_return:
      self->pend = PEND_FAR_RET;
      self->pend_from = insn->ip;
      break;
    default:
      break;
    }
}

/* Tracing stopped; the code would have gone on at @resume (0: unknown). */
static void
disable (IptCalls *self, guint64 resume)
{
  if (self->pend == PEND_START)
    return;
  self->pend = PEND_DISABLED;
  self->pend_from = resume;
}

static void
ipt_calls_event (IptSink *sink, const struct pt_event *event)
{
  IptCalls *self = (IptCalls *) sink;

  if (event->has_tsc)
    self->event_time = ipt_tsc_to_time (event->tsc, self->tsc_zero, self->tsc_mult,
                                        self->tsc_shift);
  /* restated after a PSB: nothing happened */
  if (event->status_update)
    return;
  if (G_UNLIKELY (self->is_part && self->n_insns == 0))
    {
      ipt_sink_lead_add_event (&self->lead, event);
      return;
    }

  switch (event->type)
    {
    case ptev_async_branch:
      if (self->pend == PEND_START)
        break;
      /* what the last instruction did reached @from, where the interrupt hit */
      if (self->pend != PEND_NONE)
        ipt_calls_resolve (self, event->variant.async_branch.from, self->n_insns, TIME_NOW);
      ipt_calls_record (self, IPT_CALLS_T_LAND, event->variant.async_branch.from,
              event->variant.async_branch.to, 0, self->n_insns, TIME_NOW);
      self->pend = PEND_NONE;
      break;
    case ptev_disabled:
      /* A call into untraced code comes back to its return address; a
       * syscall or any other instruction goes on after itself. */
      if (self->pend == PEND_CALL)
        disable (self, self->pend_ret);
      else if (self->pend == PEND_NONE)
        disable (self, self->last_end);
      else
        disable (self, 0);
      break;
    case ptev_async_disabled:
      if (self->pend != PEND_START && self->pend != PEND_NONE)
        ipt_calls_resolve (self, event->variant.async_disabled.at, self->n_insns, TIME_NOW);
      disable (self, event->variant.async_disabled.at);
      break;
    case ptev_enabled:
      if (self->pend == PEND_DISABLED)
        ipt_calls_resolve (self, event->variant.enabled.ip, self->n_insns, TIME_NOW);
      break;
    case ptev_overflow:
      ipt_calls_record (self, IPT_CALLS_T_GAP, 0, 0, 0, self->n_insns, TIME_NOW);
      break;
    default:
      break;
    }
}

static void
ipt_calls_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptCalls *self = (IptCalls *) sink;

  if (G_UNLIKELY (self->is_part && self->n_insns == 0))
    {
      ipt_sink_lead_add_error (&self->lead, kind, offset, ip, code);
      return;
    }
  ipt_calls_record (self, IPT_CALLS_T_GAP, 0, ip, 0, self->n_insns, TIME_NOW);
}

static gboolean
ipt_calls_end (IptSink *sink, GError **error)
{
  IptCalls *self = (IptCalls *) sink;

  ipt_call_node_sum (self->root);
  return TRUE;
}

static IptSink *
ipt_calls_split (IptSink *sink)
{
  IptCalls *part = ipt_calls_new (((IptCalls *) sink)->symbols);

  part->is_part = TRUE;
  return IPT_SINK (part);
}

/* The part's leading events and errors act on our stack first, as they
 * did in the serial decode; then its transitions replay onto it. */
static gboolean
ipt_calls_merge_part (IptSink *sink, IptSink *part_sink, GError **error)
{
  IptCalls *self = (IptCalls *) sink;
  IptCalls *part;

  if (!IPT_IS_CALLS (part_sink) || part_sink == sink)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "IptCalls cannot merge a %s", G_OBJECT_TYPE_NAME (part_sink));
      return FALSE;
    }
  part = (IptCalls *) part_sink;
  ipt_sink_lead_replay (&part->lead, sink);
  ipt_calls_merge (self, part);
  return TRUE;
}

static void
ipt_calls_sink_init (IptSinkInterface *iface)
{
  iface->get_needs = ipt_calls_get_needs;
  iface->begin = ipt_calls_begin;
  iface->insn = ipt_calls_insn;
  iface->event = ipt_calls_event;
  iface->error = ipt_calls_error;
  iface->end = ipt_calls_end;
  iface->split = ipt_calls_split;
  iface->merge = ipt_calls_merge_part;
}

/* ---- merging ---- */

static void
add_insns (IptCalls *self, guint64 n)
{
  self->n_insns += n;
  if (self->top != NULL)
    self->top->self_insns += n;
}

/**
 * ipt_calls_merge:
 * @self: an #IptCalls
 * @next: the analysis of the part of the trace that follows @self's
 *
 * Appends @next to @self, as if @self had gone on decoding what @next
 * decoded: for a trace decoded in segments (split at PSBs, each into its
 * own #IptCalls, on several threads), merging the parts in trace order
 * gives what one decode of the whole gives, call tree, listing, folded
 * stacks and Chrome trace byte for byte. @next began with an unknown
 * stack; its transitions are replayed onto @self's stack, so its returns
 * above its first frame return from @self's open frames, and what @self's
 * last instruction left open (a call whose target is in @next) is
 * resolved by @next's first instruction. @next is not changed.
 *
 * The symbols are @self's; both should have the same.
 *
 * Since: 0.1
 */
void
ipt_calls_merge (IptCalls *self, IptCalls *next)
{
  guint64 base, previous = 0;

  g_return_if_fail (IPT_IS_CALLS (self));
  g_return_if_fail (IPT_IS_CALLS (next));
  g_return_if_fail (self != next);

  base = self->n_insns;
  for (guint i = 0; i < next->entries->len; i++)
    {
      const IptCallsEntry *entry = &g_array_index (next->entries, IptCallsEntry, i);

      add_insns (self, entry->index - previous);
      previous = entry->index;
      if (entry->type == IPT_CALLS_T_START)
        ipt_calls_resolve (self, entry->to, base + entry->index, entry->time);
      else
        ipt_calls_record (self, entry->type, entry->from, entry->to, entry->ret,
                          base + entry->index, entry->time);
      self->pend = self->stack->len == 0 ? PEND_START : PEND_NONE;
    }
  add_insns (self, next->n_insns - previous);

  if (next->event_time != IPT_CALLS_NO_TIME)
    self->event_time = next->event_time;
  if (next->entries->len > 0)
    {
      self->pend = next->pend;
      self->pend_from = next->pend_from;
      self->pend_ret = next->pend_ret;
      self->last_end = next->last_end;
    }
  /* the next instruction needs a frame to count in */
  if (self->stack->len == 0)
    self->pend = PEND_START;
  ipt_call_node_sum (self->root);
}

/* ---- for the writers ---- */

const IptCallsEntry *
ipt_calls_get_entries (IptCalls *self, guint *n_entries)
{
  *n_entries = self->entries->len;
  return (const IptCallsEntry *) (gconstpointer) self->entries->data;
}

gboolean
ipt_calls_is_timed (IptCalls *self)
{
  return self->timed;
}

/* "name+0x12", or "0x401000" where no symbol names @address. */
gsize
ipt_calls_format_site (IptCalls *self, guint64 address, char *buffer, gsize size)
{
  const char *name;
  guint64 offset;

  if (self->symbols != NULL &&
      ipt_symbol_resolver_lookup (self->symbols, NULL, address, &name, &offset, NULL, NULL))
    return ipt_symbol_format (buffer, size, name, offset);
  return g_snprintf (buffer, size, "0x%" G_GINT64_MODIFIER "x", address);
}

/* ---- the object ---- */

static void
ipt_calls_finalize (GObject *object)
{
  IptCalls *self = IPT_CALLS (object);

  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
  g_hash_table_unref (self->paths);
  g_array_unref (self->stack);
  g_array_unref (self->entries);
  /* nodes a caller still holds outlive the functions they were keyed by */
  {
    GPtrArray *todo = g_ptr_array_new ();

    g_ptr_array_add (todo, self->root);
    while (todo->len > 0)
      {
        IptCallNode *node = g_ptr_array_steal_index (todo, todo->len - 1);

        node->func = NULL;
        for (guint i = 0; i < node->children->len; i++)
          g_ptr_array_add (todo, g_ptr_array_index (node->children, i));
      }
    g_ptr_array_unref (todo);
  }
  g_object_unref (self->root);
  g_ptr_array_unref (self->absorbed);
  g_hash_table_unref (self->funcs);
  g_free (self->func_cache);
  ipt_sink_lead_clear (&self->lead);

  G_OBJECT_CLASS (ipt_calls_parent_class)->finalize (object);
}

static void
ipt_calls_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IptCalls *self = IPT_CALLS (object);

  switch (prop_id)
    {
    case PROP_SYMBOLS:
      self->symbols = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_calls_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptCalls *self = IPT_CALLS (object);

  switch (prop_id)
    {
    case PROP_SYMBOLS:
      g_value_set_boxed (value, self->symbols);
      break;
    case PROP_N_INSNS:
      g_value_set_uint64 (value, self->n_insns);
      break;
    case PROP_N_CALLS:
      g_value_set_uint64 (value, self->n_calls);
      break;
    case PROP_N_UNMATCHED_RETURNS:
      g_value_set_uint64 (value, self->n_unmatched);
      break;
    case PROP_N_GAPS:
      g_value_set_uint64 (value, self->n_gaps);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_calls_class_init (IptCallsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_calls_finalize;
  object_class->set_property = ipt_calls_set_property;
  object_class->get_property = ipt_calls_get_property;

  /**
   * IptCalls:symbols:
   *
   * What names the functions; %NULL names them by address.
   *
   * Since: 0.1
   */
  properties[PROP_SYMBOLS] =
    g_param_spec_boxed ("symbols", "Symbols", "What names the functions",
                        IPT_TYPE_SYMBOL_RESOLVER,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * IptCalls:n-insns:
   *
   * The instructions the analysis saw.
   *
   * Since: 0.1
   */
  properties[PROP_N_INSNS] =
    g_param_spec_uint64 ("n-insns", "Instructions", "The instructions the analysis saw",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCalls:n-calls:
   *
   * The calls (call instructions) followed.
   *
   * Since: 0.1
   */
  properties[PROP_N_CALLS] =
    g_param_spec_uint64 ("n-calls", "Calls", "The calls followed",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCalls:n-unmatched-returns:
   *
   * The returns that matched no frame (and changed nothing).
   *
   * Since: 0.1
   */
  properties[PROP_N_UNMATCHED_RETURNS] =
    g_param_spec_uint64 ("n-unmatched-returns", "Unmatched returns",
                         "The returns that matched no frame",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCalls:n-gaps:
   *
   * The gaps: decode errors and overflows, each of which ended every open
   * frame.
   *
   * Since: 0.1
   */
  properties[PROP_N_GAPS] =
    g_param_spec_uint64 ("n-gaps", "Gaps", "Decode errors and overflows",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_calls_init (IptCalls *self)
{
  self->func_cache = g_new0 (FuncSlot, FUNC_CACHE_SIZE);
  self->funcs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, func_free);
  self->paths = g_hash_table_new_full (path_hash, path_equal, g_free, NULL);
  self->root = ipt_call_node_new (NULL, NULL);
  self->absorbed = g_ptr_array_new_with_free_func (g_object_unref);
  self->stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  self->entries = g_array_new (FALSE, FALSE, sizeof (IptCallsEntry));
  self->pend = PEND_START;
  self->last_time = IPT_CALLS_NO_TIME;
  self->event_time = IPT_CALLS_NO_TIME;
  ipt_calls_update_top (self);
}

/**
 * ipt_calls_new:
 * @symbols: (nullable): what names the functions, e.g.
 *   ipt_symbol_resolver_new_for_model() over the image's providers
 *
 * Creates an empty call analysis. Give it to ipt_decoder_decode_file() or
 * another decode as the sink.
 *
 * Returns: (transfer full): a new #IptCalls
 *
 * Since: 0.1
 */
IptCalls *
ipt_calls_new (IptSymbolResolver *symbols)
{
  return g_object_new (IPT_TYPE_CALLS, "symbols", symbols, NULL);
}

/**
 * ipt_calls_get_roots:
 * @self: an #IptCalls
 *
 * Gets the call tree: the functions the flow started in (one per start:
 * the trace's, and each after a gap), each an #IptCallNode whose items
 * are the functions it called.
 *
 * Returns: (transfer none): the roots, #IptCallNode items
 *
 * Since: 0.1
 */
GListModel *
ipt_calls_get_roots (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), NULL);

  return G_LIST_MODEL (self->root);
}

/**
 * ipt_calls_get_n_insns:
 * @self: an #IptCalls
 *
 * Gets #IptCalls:n-insns.
 *
 * Returns: the instructions the analysis saw
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_insns (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_insns;
}

/**
 * ipt_calls_get_n_calls:
 * @self: an #IptCalls
 *
 * Gets #IptCalls:n-calls.
 *
 * Returns: the calls followed
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_calls (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_calls;
}

/**
 * ipt_calls_get_n_returns:
 * @self: an #IptCalls
 *
 * Counts the returns that left a frame: to its return address, from a
 * signal handler, or above the first frame.
 *
 * Returns: the returns that matched
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_returns (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_returns;
}

/**
 * ipt_calls_get_n_tail_calls:
 * @self: an #IptCalls
 *
 * Counts the jumps into another function that replaced a frame.
 *
 * Returns: the tail calls
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_tail_calls (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_tail_calls;
}

/**
 * ipt_calls_get_n_unwound:
 * @self: an #IptCalls
 *
 * Counts the frames left without their own return: skipped by a return
 * or a jump to a frame further down (longjmp, exceptions), or above an
 * asynchronous frame whose interrupted code resumed.
 *
 * Returns: the frames unwound
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_unwound (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_unwound;
}

/**
 * ipt_calls_get_n_unmatched_returns:
 * @self: an #IptCalls
 *
 * Gets #IptCalls:n-unmatched-returns.
 *
 * Returns: the returns that matched no frame
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_unmatched_returns (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_unmatched;
}

/**
 * ipt_calls_get_n_async:
 * @self: an #IptCalls
 *
 * Counts the frames entered without a call (signal handlers, interrupts).
 *
 * Returns: the asynchronous entries
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_async (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_async;
}

/**
 * ipt_calls_get_n_gaps:
 * @self: an #IptCalls
 *
 * Gets #IptCalls:n-gaps.
 *
 * Returns: the decode errors and overflows
 *
 * Since: 0.1
 */
guint64
ipt_calls_get_n_gaps (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->n_gaps;
}

/**
 * ipt_calls_get_depth:
 * @self: an #IptCalls
 *
 * Gets the depth of the stack where the analysis stands: the frames open
 * now, the root included.
 *
 * Returns: the open frames
 *
 * Since: 0.1
 */
guint
ipt_calls_get_depth (IptCalls *self)
{
  g_return_val_if_fail (IPT_IS_CALLS (self), 0);

  return self->stack->len;
}
