/* ipt-view-columns.c: text columns for the viewer's GtkColumnViews, and
 * reading back what their row widgets show (the automation's --dump-view).
 * A cell is one GtkLabel; binding sets its text from the item and never
 * keeps the item.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-view-columns.h"

typedef struct {
  IptViewTextFunc text;
  const char *property;
  guint index;
  IptViewClassFunc style;
  gpointer user_data;
  IptViewColumnFlags flags;
} Column;

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  const Column *column = user_data;
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column->flags & IPT_VIEW_COLUMN_NUMERIC ? 1.0 : 0.0);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column->flags & IPT_VIEW_COLUMN_MONOSPACE)
    gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (list_item, label);
}

static gpointer
unwrap (gpointer item)
{
  return GTK_IS_TREE_LIST_ROW (item) ? gtk_tree_list_row_get_item (item) : g_object_ref (item);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  const Column *column = user_data;
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autoptr(GObject) item = unwrap (gtk_list_item_get_item (list_item));
  g_autofree char *text = NULL;
  const char *style = item != NULL && column->style != NULL ? column->style (item, column->user_data)
                                                            : NULL;
  const char *old = g_object_get_data (G_OBJECT (label), "ipt-view-style");

  if (item != NULL && column->text != NULL)
    text = column->text (item, column->index, column->user_data);
  else if (item != NULL)
    {
      guint64 value = 0;

      g_object_get (item, column->property, &value, NULL);
      text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
    }
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  if (old != NULL)
    gtk_widget_remove_css_class (label, old);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  g_object_set_data (G_OBJECT (label), "ipt-view-style", (gpointer) style);
}

static GtkColumnViewColumn *
new_column (const IptViewColumn *spec, guint index, IptViewClassFunc style, gpointer user_data)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  Column *column = g_new0 (Column, 1);
  GtkColumnViewColumn *result;

  column->text = spec->text;
  column->property = spec->property;
  column->index = index;
  column->style = style;
  column->user_data = user_data;
  column->flags = spec->flags;
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), column);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), column);
  g_object_set_data_full (G_OBJECT (factory), "ipt-view-column", column, g_free);
  result = gtk_column_view_column_new (spec->title, factory);
  gtk_column_view_column_set_expand (result, (spec->flags & IPT_VIEW_COLUMN_EXPAND) != 0);
  gtk_column_view_column_set_resizable (result, TRUE);
  return result;
}

void
ipt_view_column_view_add_columns (GtkColumnView *view, const IptViewColumn *columns, guint n,
                                  IptViewClassFunc style, gpointer user_data)
{
  for (guint i = 0; i < n; i++)
    {
      GtkColumnViewColumn *column = new_column (&columns[i], i, style, user_data);

      gtk_column_view_append_column (view, column);
      g_object_unref (column);
    }
}

GtkColumnView *
ipt_view_column_view_new (GListModel *model)
{
  GtkSingleSelection *selection = gtk_single_selection_new (model);
  GtkWidget *view;

  gtk_single_selection_set_autoselect (selection, FALSE);
  view = gtk_column_view_new (GTK_SELECTION_MODEL (selection));
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (view), TRUE);
  return GTK_COLUMN_VIEW (view);
}

void
ipt_view_page_set_view (GtkWidget *page, GtkColumnView *view)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_hexpand (scrolled, TRUE);
  gtk_widget_set_parent (scrolled, page);
}

void
ipt_view_page_dispose (GtkWidget *page)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (page)) != NULL)
    gtk_widget_unparent (child);
}

/* The label texts under @widget, in widget order, tab-separated. */
static void
collect_labels (GtkWidget *widget, GString *row, gboolean *first)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child))
        {
          if (!*first)
            g_string_append_c (row, '\t');
          *first = FALSE;
          g_string_append (row, gtk_label_get_text (GTK_LABEL (child)));
        }
      else
        collect_labels (child, row, first);
    }
}

typedef struct {
  double y;
  char *text;
} Row;

static gint
compare_rows (gconstpointer a, gconstpointer b)
{
  const Row *x = a, *y = b;

  return x->y < y->y ? -1 : x->y > y->y;
}

/* The list view inside @view that holds its rows (GtkColumnView's child
 * that is a GtkListView; GTK does not expose it). */
static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_VIEW (child))
        return child;
      if ((found = find_list_view (child)) != NULL)
        return found;
    }
  return NULL;
}

GPtrArray *
ipt_view_column_view_visible_rows (GtkColumnView *view)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (view));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (Row));
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);
  double height;

  if (list == NULL)
    return result;
  height = gtk_widget_get_height (list);
  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0), at;
      g_autoptr(GString) text = g_string_new (NULL);
      gboolean first = TRUE;
      Row row;

      if (!gtk_widget_get_child_visible (child) || !gtk_widget_get_mapped (child) ||
          !gtk_widget_compute_point (child, list, &origin, &at))
        continue;
      /* rows kept for recycling sit outside the visible area */
      if (at.y + gtk_widget_get_height (child) <= 0 || at.y >= height)
        continue;
      collect_labels (child, text, &first);
      if (first)
        continue;
      row.y = at.y;
      row.text = g_strdup (text->str);
      g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_rows);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (result, g_array_index (rows, Row, i).text);
  return result;
}

void
ipt_view_column_view_scroll_to (GtkColumnView *view, guint position)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (view));

  if (list != NULL)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", position);
}
