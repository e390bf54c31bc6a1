/* ipt-calls-functions.c: IptCallFunction, one function of a call tree
 * summed over every path it was called on, and ipt_calls_get_functions(),
 * the hot-functions list a GUI binds. Reads the tree once, when asked;
 * never changes it. */
#include "config.h"

#include "ipt-calls-private.h"

/**
 * IptCallFunction:
 *
 * One function of an #IptCalls call tree, over all the call paths it
 * appears on: how often it was entered, the instructions executed in it
 * and in it with everything it called. A recursive function's total
 * counts each instruction once (only its outermost frames are summed).
 *
 * Since: 0.1
 */
struct _IptCallFunction {
  GObject parent_instance;

  char *symbol;
  guint64 address;
  guint64 calls;
  guint64 self_insns;
  guint64 total_insns;
};

enum {
  PROP_0,
  PROP_SYMBOL,
  PROP_ADDRESS,
  PROP_CALLS,
  PROP_SELF_INSNS,
  PROP_TOTAL_INSNS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (IptCallFunction, ipt_call_function, G_TYPE_OBJECT)

static void
ipt_call_function_finalize (GObject *object)
{
  g_free (IPT_CALL_FUNCTION (object)->symbol);
  G_OBJECT_CLASS (ipt_call_function_parent_class)->finalize (object);
}

static void
ipt_call_function_get_property (GObject *object, guint prop_id, GValue *value,
                                GParamSpec *pspec)
{
  IptCallFunction *self = IPT_CALL_FUNCTION (object);

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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_call_function_class_init (IptCallFunctionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_call_function_finalize;
  object_class->get_property = ipt_call_function_get_property;

  /**
   * IptCallFunction:symbol:
   *
   * The function's symbol, or its address as `0x…` when no symbol names it.
   *
   * Since: 0.1
   */
  properties[PROP_SYMBOL] =
    g_param_spec_string ("symbol", "Symbol", "The function's symbol", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallFunction:address:
   *
   * The function's first address (the symbol's start).
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS] =
    g_param_spec_uint64 ("address", "Address", "The function's first address",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallFunction:calls:
   *
   * How often the function was entered, on all paths (calls, tail calls
   * and asynchronous entries; a frame the flow started in counts 0).
   *
   * Since: 0.1
   */
  properties[PROP_CALLS] =
    g_param_spec_uint64 ("calls", "Calls", "How often the function was entered",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallFunction:self-insns:
   *
   * The instructions executed in the function itself, on all paths.
   *
   * Since: 0.1
   */
  properties[PROP_SELF_INSNS] =
    g_param_spec_uint64 ("self-insns", "Self instructions", "Instructions in the function itself",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptCallFunction:total-insns:
   *
   * The instructions executed in the function and everything it called,
   * each counted once even when the function is recursive.
   *
   * Since: 0.1
   */
  properties[PROP_TOTAL_INSNS] =
    g_param_spec_uint64 ("total-insns", "Total instructions",
                         "Instructions in the function and below",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_call_function_init (IptCallFunction *self)
{
}

/**
 * ipt_call_function_get_symbol:
 * @self: an #IptCallFunction
 *
 * Gets #IptCallFunction:symbol.
 *
 * Returns: (transfer none): the function's symbol, or `0x…` when no
 *   symbol names it
 *
 * Since: 0.1
 */
const char *
ipt_call_function_get_symbol (IptCallFunction *self)
{
  g_return_val_if_fail (IPT_IS_CALL_FUNCTION (self), NULL);

  return self->symbol;
}

/**
 * ipt_call_function_get_address:
 * @self: an #IptCallFunction
 *
 * Gets #IptCallFunction:address.
 *
 * Returns: the function's first address
 *
 * Since: 0.1
 */
guint64
ipt_call_function_get_address (IptCallFunction *self)
{
  g_return_val_if_fail (IPT_IS_CALL_FUNCTION (self), 0);

  return self->address;
}

/**
 * ipt_call_function_get_calls:
 * @self: an #IptCallFunction
 *
 * Gets #IptCallFunction:calls.
 *
 * Returns: how often the function was entered
 *
 * Since: 0.1
 */
guint64
ipt_call_function_get_calls (IptCallFunction *self)
{
  g_return_val_if_fail (IPT_IS_CALL_FUNCTION (self), 0);

  return self->calls;
}

/**
 * ipt_call_function_get_self_insns:
 * @self: an #IptCallFunction
 *
 * Gets #IptCallFunction:self-insns.
 *
 * Returns: the instructions executed in the function itself
 *
 * Since: 0.1
 */
guint64
ipt_call_function_get_self_insns (IptCallFunction *self)
{
  g_return_val_if_fail (IPT_IS_CALL_FUNCTION (self), 0);

  return self->self_insns;
}

/**
 * ipt_call_function_get_total_insns:
 * @self: an #IptCallFunction
 *
 * Gets #IptCallFunction:total-insns.
 *
 * Returns: the instructions executed in the function and below it
 *
 * Since: 0.1
 */
guint64
ipt_call_function_get_total_insns (IptCallFunction *self)
{
  g_return_val_if_fail (IPT_IS_CALL_FUNCTION (self), 0);

  return self->total_insns;
}

/* The walk: @functions maps an address to its IptCallFunction, @open to
 * how many frames of that function are on the current path. */
typedef struct {
  GHashTable *functions;
  GHashTable *open;
} Walk;

static void
walk_node (Walk *walk, IptCallNode *node)
{
  gpointer key = &node->address;
  IptCallFunction *function = g_hash_table_lookup (walk->functions, key);
  guint open;

  if (function == NULL)
    {
      function = g_object_new (IPT_TYPE_CALL_FUNCTION, NULL);
      function->symbol = g_strdup (node->symbol);
      function->address = node->address;
      g_hash_table_insert (walk->functions, &function->address, function);
    }
  function->calls += node->calls;
  function->self_insns += node->self_insns;
  open = GPOINTER_TO_UINT (g_hash_table_lookup (walk->open, &function->address));
  if (open == 0)
    function->total_insns += node->total_insns;     /* outermost: its total holds the inner ones */

  g_hash_table_insert (walk->open, &function->address, GUINT_TO_POINTER (open + 1));
  for (guint i = 0; i < node->children->len; i++)
    walk_node (walk, g_ptr_array_index (node->children, i));
  if (open == 0)
    g_hash_table_remove (walk->open, &function->address);
  else
    g_hash_table_insert (walk->open, &function->address, GUINT_TO_POINTER (open));
}

/* Hottest first: most instructions in the function itself, then most
 * below it, then by address (a stable order for equal counts). */
static gint
compare_hotter (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const IptCallFunction *x = *(IptCallFunction * const *) a, *y = *(IptCallFunction * const *) b;

  if (x->self_insns != y->self_insns)
    return x->self_insns > y->self_insns ? -1 : 1;
  if (x->total_insns != y->total_insns)
    return x->total_insns > y->total_insns ? -1 : 1;
  return x->address < y->address ? -1 : x->address > y->address;
}

/**
 * ipt_calls_get_functions:
 * @self: an #IptCalls
 *
 * Gets the hot functions: every function of the call tree
 * (ipt_calls_get_roots()) once, summed over all the paths it was called
 * on, sorted hottest first: by #IptCallFunction:self-insns, then by
 * #IptCallFunction:total-insns, both descending, then by address. The
 * list is a snapshot of the analysis when called (after the decode, the
 * whole trace's); it does not change as the analysis goes on.
 *
 * Returns: (transfer full): a new list of #IptCallFunction items
 *
 * Since: 0.1
 */
GListModel *
ipt_calls_get_functions (IptCalls *self)
{
  g_autoptr(GHashTable) functions = NULL;
  g_autoptr(GHashTable) open = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  GListStore *store;
  GHashTableIter iter;
  gpointer value;
  Walk walk;

  g_return_val_if_fail (IPT_IS_CALLS (self), NULL);

  functions = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  open = g_hash_table_new (g_int64_hash, g_int64_equal);
  walk.functions = functions;
  walk.open = open;
  for (guint i = 0; i < self->root->children->len; i++)
    walk_node (&walk, g_ptr_array_index (self->root->children, i));

  sorted = g_ptr_array_new_full (g_hash_table_size (functions), NULL);
  g_hash_table_iter_init (&iter, functions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort_with_data (sorted, compare_hotter, NULL);

  store = g_list_store_new (IPT_TYPE_CALL_FUNCTION);
  g_list_store_splice (store, 0, 0, sorted->pdata, sorted->len);
  return G_LIST_MODEL (store);
}
