/* ipt-calls-stack.c: what a transition does to the call analysis: the
 * functions (symbols looked up only where a frame begins, through a small
 * cache), the call paths of the tree, the stack of frames, and the log.
 * A transition is logged with what caused it, never with the stack it
 * met, so that a segment's log replays onto the stack of the segment
 * before it (ipt_calls_merge()). */
#include "config.h"

#include "ipt-calls-private.h"

/* ---- functions and call paths ---- */

static const IptCallsFunc *
lookup_func (IptCalls *self, guint64 address)
{
  guint slot = (guint) ((address ^ (address >> 12)) & (FUNC_CACHE_SIZE - 1));
  const char *name = NULL;
  guint64 start = address, size = 0;
  IptCallsFunc *func;

  if (self->func_cache[slot].func != NULL && self->func_cache[slot].address == address)
    return self->func_cache[slot].func;

  if (self->symbols == NULL ||
      !ipt_symbol_resolver_lookup (self->symbols, NULL, address, &name, NULL, &start, &size))
    {
      name = NULL;
      start = address;
      size = 0;
    }
  func = g_hash_table_lookup (self->funcs, &start);
  if (func == NULL)
    {
      func = g_new0 (IptCallsFunc, 1);
      func->start = start;
      /* Without a size the extent is unknown: no jump leaves it. */
      func->end = size != 0 && start + size > start ? start + size : G_MAXUINT64;
      func->name = name != NULL ? g_strdup (name)
                                : g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", start);
      g_hash_table_insert (self->funcs, &func->start, func);
    }
  self->func_cache[slot].address = address;
  self->func_cache[slot].func = func;
  return func;
}


static IptCallNode *
child_node (IptCalls *self, IptCallNode *parent, const IptCallsFunc *func)
{
  PathKey key = { parent, func };
  IptCallNode *node = g_hash_table_lookup (self->paths, &key);

  if (node == NULL)
    {
      node = ipt_call_node_new (parent, func);
      g_hash_table_insert (self->paths, g_memdup2 (&key, sizeof key), node);
    }
  return node;
}

static void
forget_paths (IptCalls *self, IptCallNode *node)
{
  PathKey key = { node->parent, node->func };

  g_hash_table_remove (self->paths, &key);
  for (guint i = 0; i < node->children->len; i++)
    forget_paths (self, g_ptr_array_index (node->children, i));
}

/* Adds the counts of @node's subtree into @into's (the same function). */
static void
absorb (IptCalls *self, IptCallNode *into, IptCallNode *node)
{
  into->calls += node->calls;
  into->self_insns += node->self_insns;
  into->self_time += node->self_time;
  for (guint i = 0; i < node->children->len; i++)
    {
      IptCallNode *child = g_ptr_array_index (node->children, i);

      absorb (self, child_node (self, into, child->func), child);
    }
}

/* A return above the root frame: @old, a root, becomes a child of the
 * root for @func (which may be @old's own function: recursion), made if
 * need be. Returns that root. */
static IptCallNode *
reparent_root (IptCalls *self, IptCallNode *old, const IptCallsFunc *func)
{
  IptCallNode *caller, *existing;
  PathKey key;

  forget_paths (self, old);
  old = ipt_call_node_steal (self->root, old);
  caller = child_node (self, self->root, func);
  key.parent = caller;
  key.func = old->func;
  existing = g_hash_table_lookup (self->paths, &key);
  if (existing != NULL)
    {
      absorb (self, existing, old);
      /* the log still names its nodes */
      g_ptr_array_add (self->absorbed, old);
      return caller;
    }
  ipt_call_node_append (caller, old);
  /* the moved subtree's keys: its top has a new parent */
  {
    GPtrArray *todo = g_ptr_array_new ();

    g_ptr_array_add (todo, old);
    while (todo->len > 0)
      {
        IptCallNode *node = g_ptr_array_steal_index (todo, todo->len - 1);
        PathKey moved = { node->parent, node->func };

        g_hash_table_insert (self->paths, g_memdup2 (&moved, sizeof moved), node);
        for (guint i = 0; i < node->children->len; i++)
          g_ptr_array_add (todo, g_ptr_array_index (node->children, i));
      }
    g_ptr_array_unref (todo);
  }
  return caller;
}

/* ---- the stack ---- */

static Frame *
frame_at (IptCalls *self, guint i)
{
  return &g_array_index (self->stack, Frame, i);
}

void
ipt_calls_update_top (IptCalls *self)
{
  if (self->stack->len == 0)
    {
      self->top = NULL;
      self->top_start = 0;
      self->top_span = G_MAXUINT64;
      return;
    }
  {
    const Frame *frame = frame_at (self, self->stack->len - 1);

    self->top = frame->node;
    if (frame->func->end == G_MAXUINT64)
      {
        self->top_start = 0;
        self->top_span = G_MAXUINT64;
      }
    else
      {
        self->top_start = frame->func->start;
        self->top_span = frame->func->end - frame->func->start;
      }
  }
}

static IptCallNode *
top_or_root (IptCalls *self)
{
  return self->top != NULL ? self->top : self->root;
}

static void
push (IptCalls *self, IptCallsEntry *entry, IptCallNode *node, const IptCallsFunc *func,
      guint64 ret, guint64 resume, IptCallsOpen open)
{
  Frame frame = { node, func, ret, resume, open };

  g_array_append_val (self->stack, frame);
  if (open != IPT_CALLS_OPEN_ROOT)
    node->calls++;
  entry->node = node;
  entry->open = open;
  ipt_calls_update_top (self);
}

/* Pops the frames from @keep up; the deepest of them ends with @close. */
static void
pop_to (IptCalls *self, IptCallsEntry *entry, guint keep, IptCallsClose close)
{
  entry->n_pop = self->stack->len - keep;
  entry->close = close;
  if (entry->n_pop == 0)
    return;
  if (close == IPT_CALLS_CLOSE_UNWIND)
    self->n_unwound += entry->n_pop;
  else if (close != IPT_CALLS_CLOSE_GAP)
    self->n_unwound += entry->n_pop - 1;
  g_array_set_size (self->stack, keep);
  ipt_calls_update_top (self);
}

/* The frame from the top down whose return address is @to, or -1. */
static gint
find_return (IptCalls *self, guint64 to)
{
  for (guint i = self->stack->len; i-- > 0;)
    if (frame_at (self, i)->ret == to)
      return (gint) i;
  return -1;
}

static gint
find_resume (IptCalls *self, guint64 to)
{
  for (guint i = self->stack->len; i-- > 0;)
    {
      const Frame *frame = frame_at (self, i);

      if (frame->open == IPT_CALLS_OPEN_ASYNC && frame->resume == to)
        return (gint) i;
    }
  return -1;
}

/* ---- the transitions ---- */

/* A return to the frame at @found: it and those above it end. */
static void
return_to (IptCalls *self, IptCallsEntry *entry, gint found)
{
  pop_to (self, entry, (guint) found, IPT_CALLS_CLOSE_RETURN);
  self->n_returns++;
}

static void
start_root (IptCalls *self, IptCallsEntry *entry, guint64 to)
{
  const IptCallsFunc *func = lookup_func (self, to);

  push (self, entry, child_node (self, self->root, func), func, NO_ADDRESS, NO_ADDRESS,
        IPT_CALLS_OPEN_ROOT);
}

/* The top frame is replaced by @func, keeping how it was entered. */
static void
replace_top (IptCalls *self, IptCallsEntry *entry, const IptCallsFunc *func, IptCallsOpen open)
{
  Frame old = *frame_at (self, self->stack->len - 1);

  pop_to (self, entry, self->stack->len - 1, IPT_CALLS_CLOSE_TAILED);
  if (old.open == IPT_CALLS_OPEN_CALL)
    old.open = open;
  push (self, entry, child_node (self, top_or_root (self), func), func, old.ret, old.resume,
        old.open);
}

static void
apply_ret (IptCalls *self, IptCallsEntry *entry)
{
  gint found = find_return (self, entry->to);
  const Frame *top;

  if (found >= 0)
    {
      return_to (self, entry, found);
      return;
    }
  top = self->stack->len > 0 ? frame_at (self, self->stack->len - 1) : NULL;
  if (top != NULL && top->open == IPT_CALLS_OPEN_ASYNC)
    {
      /* A handler returns to what the kernel put on its stack (the
       * signal trampoline), which runs in its place. */
      const IptCallsFunc *func = lookup_func (self, entry->to);
      Frame old = *top;

      pop_to (self, entry, self->stack->len - 1, IPT_CALLS_CLOSE_RETURN);
      push (self, entry, child_node (self, top_or_root (self), func), func, NO_ADDRESS,
            old.resume, IPT_CALLS_OPEN_ASYNC);
      self->n_returns++;
      return;
    }
  if (top != NULL && top->open == IPT_CALLS_OPEN_ROOT)
    {
      /* Above the first frame: what it returns to called it. */
      const IptCallsFunc *func = lookup_func (self, entry->to);
      IptCallNode *old = top->node;
      IptCallNode *caller;

      pop_to (self, entry, 0, IPT_CALLS_CLOSE_RETURN);
      caller = reparent_root (self, old, func);
      push (self, entry, caller, func, NO_ADDRESS, NO_ADDRESS, IPT_CALLS_OPEN_ROOT);
      entry->flags |= IPT_CALLS_FLAG_UPWARD;
      self->n_returns++;
      return;
    }
  entry->flags |= IPT_CALLS_FLAG_UNMATCHED;
  self->n_unmatched++;
}

static void
apply_jump (IptCalls *self, IptCallsEntry *entry)
{
  const IptCallsFunc *func = lookup_func (self, entry->to);

  if (self->stack->len == 0)
    {
      start_root (self, entry, entry->to);
      return;
    }
  if (entry->to != func->start)
    {
      /* Into the middle of a function further down: longjmp. */
      for (guint i = self->stack->len - 1; i-- > 0;)
        if (frame_at (self, i)->func == func)
          {
            pop_to (self, entry, i + 1, IPT_CALLS_CLOSE_UNWIND);
            return;
          }
    }
  replace_top (self, entry, func, IPT_CALLS_OPEN_TAIL);
  self->n_tail_calls++;
}

static void
apply_land (IptCalls *self, IptCallsEntry *entry)
{
  gint found = find_resume (self, entry->to);
  const IptCallsFunc *func;

  if (found >= 0)
    {
      pop_to (self, entry, (guint) found, IPT_CALLS_CLOSE_RESUME);
      return;
    }
  if (entry->type == IPT_CALLS_T_FAR_RET)
    return;
  /* Untraced code (IP filtering: a PLT jump into a library) returned. */
  found = find_return (self, entry->to);
  if (found >= 0)
    {
      return_to (self, entry, found);
      return;
    }
  /* Where the code would have gone on is unknown: nothing to say. */
  if (entry->from == 0)
    return;
  if (self->stack->len == 0)
    {
      start_root (self, entry, entry->to);
      return;
    }
  func = lookup_func (self, entry->to);
  push (self, entry, child_node (self, self->top, func), func, NO_ADDRESS, entry->from,
        IPT_CALLS_OPEN_ASYNC);
  self->n_async++;
}

/* The time of the last event that had one, not libipt's running time:
 * the block decoder's runs ahead of the instructions walked from its
 * blocks, and both decoders must agree. PSBs restate it. */
static guint64
current_time (IptCalls *self)
{
  return self->event_time;
}

/* Logs one transition and moves the stack by it. */
void
ipt_calls_record (IptCalls *self, IptCallsTransition type, guint64 from, guint64 to, guint64 ret,
        guint64 index, guint64 time)
{
  IptCallsEntry entry = { 0 };

  if (time == TIME_NOW)
    time = current_time (self);
  entry.type = type;
  entry.from = from;
  entry.to = to;
  entry.ret = ret;
  entry.index = index;
  entry.time = time;

  /* the time since the last transition went to the top frame */
  if (time != IPT_CALLS_NO_TIME)
    {
      if (self->last_time != IPT_CALLS_NO_TIME && self->top != NULL && time > self->last_time)
        self->top->self_time += time - self->last_time;
      self->last_time = time;
      self->timed = TRUE;
    }

  switch (type)
    {
    case IPT_CALLS_T_START:
      if (self->stack->len == 0)
        start_root (self, &entry, to);
      break;
    case IPT_CALLS_T_CALL:
      {
        const IptCallsFunc *func = lookup_func (self, to);

        push (self, &entry, child_node (self, top_or_root (self), func), func, ret, NO_ADDRESS,
              IPT_CALLS_OPEN_CALL);
        self->n_calls++;
      }
      break;
    case IPT_CALLS_T_RET:
      apply_ret (self, &entry);
      break;
    case IPT_CALLS_T_JUMP:
      apply_jump (self, &entry);
      break;
    case IPT_CALLS_T_FAR_RET:
    case IPT_CALLS_T_LAND:
      apply_land (self, &entry);
      break;
    case IPT_CALLS_T_GAP:
      pop_to (self, &entry, 0, IPT_CALLS_CLOSE_GAP);
      self->n_gaps++;
      self->pend = PEND_START;
      break;
    default:
      g_assert_not_reached ();
    }
  g_array_append_val (self->entries, entry);
}

/* The flow reached @to: resolves what the last instruction left pending. */
void
ipt_calls_resolve (IptCalls *self, guint64 to, guint64 index, guint64 time)
{
  Pend pend = self->pend;

  self->pend = PEND_NONE;
  if (self->stack->len == 0)
    {
      ipt_calls_record (self, IPT_CALLS_T_START, 0, to, 0, index, time);
      return;
    }
  switch (pend)
    {
    case PEND_CALL:
      ipt_calls_record (self, IPT_CALLS_T_CALL, self->pend_from, to, self->pend_ret, index, time);
      break;
    case PEND_RET:
      ipt_calls_record (self, IPT_CALLS_T_RET, self->pend_from, to, 0, index, time);
      break;
    case PEND_JUMP:
      if (to - self->top_start >= self->top_span)
        ipt_calls_record (self, IPT_CALLS_T_JUMP, self->pend_from, to, 0, index, time);
      break;
    case PEND_FAR_RET:
      ipt_calls_record (self, IPT_CALLS_T_FAR_RET, self->pend_from, to, 0, index, time);
      break;
    case PEND_DISABLED:
      if (to != self->pend_from)
        ipt_calls_record (self, IPT_CALLS_T_LAND, self->pend_from, to, 0, index, time);
      break;
    case PEND_NONE:
    case PEND_START:
    default:
      break;
    }
}
