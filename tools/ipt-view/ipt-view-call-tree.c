/* ipt-view-call-tree.c: the call tree view. A GtkTreeListModel over the
 * IptCalls' nodes (each node is the GListModel of its children), every
 * level sorted hottest first (total instructions), the hottest path
 * expanded when the tree is set so that the program's main flow is in
 * view — the path to `main` when the tree has one near its top (the
 * program, under the C library's start-up), else the hottest path. The
 * function column indents by depth with a GtkTreeExpander. */
#include "config.h"

#include "ipt-view-call-tree.h"

#include "ipt-view-columns.h"

/* The levels expanded when a tree is shown, and the nodes searched for
 * the program's main. */
#define EXPAND_DEPTH 8
#define MAIN_SEARCH_NODES 4096

struct _IptViewCallTree {
  GtkWidget parent_instance;

  GtkColumnView *view;
  GtkSingleSelection *selection;
};

G_DEFINE_FINAL_TYPE (IptViewCallTree, ipt_view_call_tree, GTK_TYPE_WIDGET)

static GListModel *
sorted_by_total (GListModel *model)
{
  g_autoptr(GtkExpression) total = gtk_property_expression_new (IPT_TYPE_CALL_NODE, NULL,
                                                                "total-insns");
  GtkNumericSorter *sorter = gtk_numeric_sorter_new (g_steal_pointer (&total));

  gtk_numeric_sorter_set_sort_order (sorter, GTK_SORT_DESCENDING);
  return G_LIST_MODEL (gtk_sort_list_model_new (g_object_ref (model), GTK_SORTER (sorter)));
}

static GListModel *
create_children (gpointer item, gpointer user_data)
{
  GListModel *children = ipt_call_node_get_children (item);

  return g_list_model_get_n_items (children) > 0 ? sorted_by_total (children) : NULL;
}

static void
setup_function (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), label);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_function (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  g_autoptr(IptCallNode) node = gtk_tree_list_row_get_item (row);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_text (GTK_LABEL (gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander))),
                      ipt_call_node_get_symbol (node));
}

static void
ipt_view_call_tree_dispose (GObject *object)
{
  IptViewCallTree *self = IPT_VIEW_CALL_TREE (object);
  ipt_view_page_dispose (GTK_WIDGET (self));
  G_OBJECT_CLASS (ipt_view_call_tree_parent_class)->dispose (object);
}

static void
ipt_view_call_tree_class_init (IptViewCallTreeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_call_tree_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ipt_view_call_tree_init (IptViewCallTree *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *function;
  const IptViewColumn numbers[] = {
    { "Calls", NULL, "calls", IPT_VIEW_COLUMN_NUMERIC },
    { "Self insns", NULL, "self-insns", IPT_VIEW_COLUMN_NUMERIC },
    { "Total insns", NULL, "total-insns", IPT_VIEW_COLUMN_NUMERIC },
  };

  self->view = ipt_view_column_view_new (NULL);
  self->selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (self->view));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_function), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_function), NULL);
  function = gtk_column_view_column_new ("Function", factory);
  gtk_column_view_column_set_expand (function, TRUE);
  gtk_column_view_column_set_resizable (function, TRUE);
  gtk_column_view_append_column (self->view, function);
  g_object_unref (function);
  ipt_view_column_view_add_columns (self->view, numbers, G_N_ELEMENTS (numbers), NULL, NULL);
  ipt_view_page_set_view (GTK_WIDGET (self), self->view);
}

GtkWidget *
ipt_view_call_tree_new (void)
{
  return g_object_new (IPT_VIEW_TYPE_CALL_TREE, NULL);
}

/* Whether @node is main or has it below within @depth levels; then
 * @path gets the nodes from @node down to it. */
static gboolean
find_main (IptCallNode *node, guint depth, guint *budget, GPtrArray *path)
{
  GListModel *children = ipt_call_node_get_children (node);

  if (*budget == 0)
    return FALSE;
  (*budget)--;
  g_ptr_array_add (path, node);
  if (g_strcmp0 (ipt_call_node_get_symbol (node), "main") == 0)
    return TRUE;
  for (guint i = 0; depth > 0 && i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(IptCallNode) child = g_list_model_get_item (children, i);

      if (find_main (child, depth - 1, budget, path))
        return TRUE;
    }
  g_ptr_array_set_size (path, path->len - 1);
  return FALSE;
}

/* The row of @node among the children of the row at @parent (or the
 * roots for G_MAXUINT), G_MAXUINT if not there. */
static guint
find_child_row (GtkTreeListModel *tree, guint parent, IptCallNode *node)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (tree));
  guint depth = 0;

  if (parent != G_MAXUINT)
    {
      g_autoptr(GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, parent);

      depth = gtk_tree_list_row_get_depth (row) + 1;
    }
  for (guint i = parent == G_MAXUINT ? 0 : parent + 1; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);
      guint row_depth = gtk_tree_list_row_get_depth (row);

      if (row_depth < depth)
        break;
      if (row_depth == depth && item == G_OBJECT (node))
        return i;
    }
  return G_MAXUINT;
}

/* Expands the rows of @path (nodes from a root down), each but the last. */
static void
expand_path (GtkTreeListModel *tree, GPtrArray *path)
{
  guint row = G_MAXUINT;

  for (guint i = 0; i + 1 < path->len; i++)
    {
      g_autoptr(GtkTreeListRow) tree_row = NULL;

      row = find_child_row (tree, row, g_ptr_array_index (path, i));
      if (row == G_MAXUINT)
        return;
      tree_row = gtk_tree_list_model_get_row (tree, row);
      gtk_tree_list_row_set_expanded (tree_row, TRUE);
    }
}

void
ipt_view_call_tree_set_calls (IptViewCallTree *self, IptCalls *calls)
{
  g_autoptr(GPtrArray) path = g_ptr_array_new ();
  GListModel *roots;
  GtkTreeListModel *tree;
  guint budget = MAIN_SEARCH_NODES;

  if (calls == NULL)
    {
      gtk_single_selection_set_model (self->selection, NULL);
      return;
    }
  roots = ipt_calls_get_roots (calls);
  tree = gtk_tree_list_model_new (sorted_by_total (roots), FALSE, FALSE, create_children, NULL,
                                  NULL);
  for (guint i = 0; i < g_list_model_get_n_items (roots) && path->len == 0; i++)
    {
      g_autoptr(IptCallNode) root = g_list_model_get_item (roots, i);

      find_main (root, EXPAND_DEPTH, &budget, path);
    }
  if (path->len > 0)
    expand_path (tree, path);
  else
    /* the hottest path: the first row of each level, sorted hottest first */
    for (guint position = 0, depth = 0; depth < EXPAND_DEPTH; depth++)
      {
        g_autoptr(GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, position);

        if (row == NULL || !gtk_tree_list_row_is_expandable (row))
          break;
        gtk_tree_list_row_set_expanded (row, TRUE);
        position++;
      }
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (tree));
  g_object_unref (tree);
}

GtkColumnView *
ipt_view_call_tree_get_column_view (IptViewCallTree *self)
{
  return self->view;
}
