/* ipt-view-columns.h: text columns for the viewer's GtkColumnViews, one
 * label per cell whose text (and style class) a function of the item gives.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The text of @item's cell in @column (transfer full); @item is the
 * model's item (a GtkTreeListRow's item already unwrapped). */
typedef char *(*IptViewTextFunc) (gpointer item, guint column, gpointer user_data);
/* The style class of @item's cells, or NULL. */
typedef const char *(*IptViewClassFunc) (gpointer item, gpointer user_data);

typedef enum {
  IPT_VIEW_COLUMN_EXPAND = 1 << 0,      /* takes the width left over */
  IPT_VIEW_COLUMN_MONOSPACE = 1 << 1,
  IPT_VIEW_COLUMN_NUMERIC = 1 << 2,     /* right-aligned */
} IptViewColumnFlags;

/* One column of a table: its text from @text, or, when that is NULL,
 * the items' guint64 property @property in decimal. */
typedef struct {
  const char *title;
  IptViewTextFunc text;
  const char *property;
  IptViewColumnFlags flags;
} IptViewColumn;

/* Appends @n columns to @view; @style and @user_data go to every column. */
void ipt_view_column_view_add_columns (GtkColumnView *view, const IptViewColumn *columns, guint n,
                                       IptViewClassFunc style, gpointer user_data);

/* A column view over @model (transfer full) with single selection. */
GtkColumnView *ipt_view_column_view_new (GListModel *model);
/* Makes @view, in a scrolled window, the only child of @page (a widget
 * with a GtkBinLayout); ipt_view_page_dispose() takes it out. */
void ipt_view_page_set_view (GtkWidget *page, GtkColumnView *view);
void ipt_view_page_dispose (GtkWidget *page);

/* Scrolls @view so that row @position is shown (GTK 4.8 has no
 * gtk_column_view_scroll_to(): its list view's "list.scroll-to-item"). */
void ipt_view_column_view_scroll_to (GtkColumnView *view, guint position);

/* The texts of the rows @view shows now, top to bottom: one string per
 * row, its cells' label texts joined by tabs. Read back from the row
 * widgets, so it is what a person sees; rows scrolled out are left out. */
GPtrArray *ipt_view_column_view_visible_rows (GtkColumnView *view);

G_END_DECLS
