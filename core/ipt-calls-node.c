/* ipt-calls-node.c: IptCallNode, one call path of the call tree, and the
 * list model of its children (a node is the GListModel of its children, so
 * a GtkTreeListModel can use the tree as it is). Nodes are made when a call
 * path is first entered and never removed while the analysis runs; their
 * counts are filled in by IptCalls, never here. */
#include "config.h"

#include "ipt-calls-private.h"

/**
 * IptCallNode:
 *
 * One call path of an #IptCalls call tree: a function called from the
 * path of its parent node, with how often it was entered that way and the
 * instructions (and time, when the trace is timed) spent in it. A node is
 * a #GListModel of its children (#IptCallNode items, in the order they
 * were first called), ready for a GtkTreeListModel.
 *
 * Since: 0.1
 */

enum {
  PROP_0,
  PROP_SYMBOL,
  PROP_ADDRESS,
  PROP_CALLS,
  PROP_SELF_INSNS,
  PROP_TOTAL_INSNS,
  PROP_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ipt_call_node_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptCallNode, ipt_call_node, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ipt_call_node_list_model_init))

static GType
ipt_call_node_get_item_type (GListModel *list)
{
  return IPT_TYPE_CALL_NODE;
}

static guint
ipt_call_node_get_n_items (GListModel *list)
{
  return IPT_CALL_NODE (list)->children->len;
}

static gpointer
ipt_call_node_get_item (GListModel *list, guint position)
{
  IptCallNode *self = IPT_CALL_NODE (list);

  if (position >= self->children->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->children, position));
}

static void
ipt_call_node_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ipt_call_node_get_item_type;
  iface->get_n_items = ipt_call_node_get_n_items;
  iface->get_item = ipt_call_node_get_item;
}

static void
ipt_call_node_finalize (GObject *object)
{
  IptCallNode *self = IPT_CALL_NODE (object);

  for (guint i = 0; i < self->children->len; i++)
    ((IptCallNode *) g_ptr_array_index (self->children, i))->parent = NULL;
  g_ptr_array_unref (self->children);
  g_free (self->symbol);

  G_OBJECT_CLASS (ipt_call_node_parent_class)->finalize (object);
}

static void
ipt_call_node_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptCallNode *self = IPT_CALL_NODE (object);

  switch (prop_id)
    {
    case PROP_SYMBOL:
      g_value_set_string (value, self->symbol);
      break;
    case PROP_ADDRESS:
      g_value_set_uint64 (value, self->address);
      break;
    case PROP_CALLS:
      g_value_set_uint64 (value, self->calls);
      break;
    case PROP_SELF_INSNS:
      g_value_set_uint64 (value, self->self_insns);
      break;
    case PROP_TOTAL_INSNS:
      g_value_set_uint64 (value, self->total_insns);
      break;
    case PROP_TIME:
      g_value_set_uint64 (value, self->time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_call_node_class_init (IptCallNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_call_node_finalize;
  object_class->get_property = ipt_call_node_get_property;

  /**
   * IptCallNode:symbol:
   *
   * The function's symbol, or its address as `0x…` when no symbol names it.
   *
   * Since: 0.1
   */
  properties[PROP_SYMBOL] =
    g_param_spec_string ("symbol", "Symbol", "The function's symbol", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallNode:address:
   *
   * The function's first address (the symbol's start).
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS] =
    g_param_spec_uint64 ("address", "Address", "The function's first address",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallNode:calls:
   *
   * How often the function was entered on this path (calls, tail calls and
   * asynchronous entries; the frame the trace started in counts 0).
   *
   * Since: 0.1
   */
  properties[PROP_CALLS] =
    g_param_spec_uint64 ("calls", "Calls", "How often the path was entered",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallNode:self-insns:
   *
   * The instructions executed in the function itself on this path.
   *
   * Since: 0.1
   */
  properties[PROP_SELF_INSNS] =
    g_param_spec_uint64 ("self-insns", "Self instructions", "Instructions in the function itself",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallNode:total-insns:
   *
   * The instructions executed in the function and everything it called.
   *
   * Since: 0.1
   */
  properties[PROP_TOTAL_INSNS] =
    g_param_spec_uint64 ("total-insns", "Total instructions",
                         "Instructions in the function and below",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallNode:time:
   *
   * The trace time spent in the function and below, in nanoseconds; 0
   * when the trace has no timing.
   *
   * Since: 0.1
   */
  properties[PROP_TIME] =
    g_param_spec_uint64 ("time", "Time", "Nanoseconds in the function and below",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_call_node_init (IptCallNode *self)
{
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
}

IptCallNode *
ipt_call_node_new (IptCallNode *parent, const IptCallsFunc *func)
{
  IptCallNode *self = g_object_new (IPT_TYPE_CALL_NODE, NULL);

  self->func = func;
  if (func != NULL)
    {
      self->symbol = g_strdup (func->name);
      self->address = func->start;
    }
  if (parent != NULL)
    ipt_call_node_append (parent, self);
  return self;
}

/* Takes @child (a new reference, or one stolen from its old parent). */
void
ipt_call_node_append (IptCallNode *self, IptCallNode *child)
{
  child->parent = self;
  g_ptr_array_add (self->children, child);
  g_list_model_items_changed (G_LIST_MODEL (self), self->children->len - 1, 0, 1);
}

/* Removes @child from @self; returns the reference @self held. */
IptCallNode *
ipt_call_node_steal (IptCallNode *self, IptCallNode *child)
{
  guint position;

  if (!g_ptr_array_find (self->children, child, &position))
    g_return_val_if_reached (NULL);
  g_ptr_array_steal_index (self->children, position);
  child->parent = NULL;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return child;
}

/* Fills in total-insns and time: a node's own counts plus its children's. */
void
ipt_call_node_sum (IptCallNode *self)
{
  self->total_insns = self->self_insns;
  self->time = self->self_time;
  for (guint i = 0; i < self->children->len; i++)
    {
      IptCallNode *child = g_ptr_array_index (self->children, i);

      ipt_call_node_sum (child);
      self->total_insns += child->total_insns;
      self->time += child->time;
    }
}

/**
 * ipt_call_node_get_symbol:
 * @self: an #IptCallNode
 *
 * Gets #IptCallNode:symbol.
 *
 * Returns: (transfer none): the function's symbol, or `0x…` when no
 *   symbol names it
 *
 * Since: 0.1
 */
const char *
ipt_call_node_get_symbol (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), NULL);

  return self->symbol;
}

/**
 * ipt_call_node_get_address:
 * @self: an #IptCallNode
 *
 * Gets #IptCallNode:address.
 *
 * Returns: the function's first address
 *
 * Since: 0.1
 */
guint64
ipt_call_node_get_address (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), 0);

  return self->address;
}

/**
 * ipt_call_node_get_calls:
 * @self: an #IptCallNode
 *
 * Gets #IptCallNode:calls.
 *
 * Returns: how often the function was entered on this path
 *
 * Since: 0.1
 */
guint64
ipt_call_node_get_calls (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), 0);

  return self->calls;
}

/**
 * ipt_call_node_get_self_insns:
 * @self: an #IptCallNode
 *
 * Gets #IptCallNode:self-insns.
 *
 * Returns: the instructions executed in the function itself
 *
 * Since: 0.1
 */
guint64
ipt_call_node_get_self_insns (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), 0);

  return self->self_insns;
}

/**
 * ipt_call_node_get_total_insns:
 * @self: an #IptCallNode
 *
 * Gets #IptCallNode:total-insns (up to date after each decode and merge).
 *
 * Returns: the instructions executed in the function and below
 *
 * Since: 0.1
 */
guint64
ipt_call_node_get_total_insns (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), 0);

  return self->total_insns;
}

/**
 * ipt_call_node_get_time:
 * @self: an #IptCallNode
 *
 * Gets #IptCallNode:time.
 *
 * Returns: nanoseconds of trace time in the function and below; 0 for an
 *   untimed trace
 *
 * Since: 0.1
 */
guint64
ipt_call_node_get_time (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), 0);

  return self->time;
}

/**
 * ipt_call_node_get_children:
 * @self: an #IptCallNode
 *
 * Gets the functions called on this path: @self itself, as the
 * #GListModel it is (what a GtkTreeListModel's create function returns).
 *
 * Returns: (transfer none): the children, #IptCallNode items
 *
 * Since: 0.1
 */
GListModel *
ipt_call_node_get_children (IptCallNode *self)
{
  g_return_val_if_fail (IPT_IS_CALL_NODE (self), NULL);

  return G_LIST_MODEL (self);
}
