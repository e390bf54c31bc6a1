/* ipt-view-window.h: ipt-view's main window: the listing beside the call
 * tree, hot functions, regions and errors, a progress bar with a cancel
 * button, go to, search and the add-source dialog.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ipt-view-source-dialog.h"
#include "ipt-view-trace.h"

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_WINDOW (ipt_view_window_get_type ())
G_DECLARE_FINAL_TYPE (IptViewWindow, ipt_view_window, IPT_VIEW, WINDOW, GtkApplicationWindow)

/* The pages beside the listing. */
typedef enum {
  IPT_VIEW_PAGE_CALLS,
  IPT_VIEW_PAGE_FUNCTIONS,
  IPT_VIEW_PAGE_REGIONS,
  IPT_VIEW_PAGE_ERRORS,
  IPT_VIEW_N_PAGES,
} IptViewPage;

/* Signal "loaded" (gboolean ok, const char *message): a load ended (ok:
 * decoded and shown; else @message says why). */
IptViewWindow *ipt_view_window_new (GtkApplication *app, IptViewTrace *trace);
/* Decodes the trace (again), with progress and cancel; without a trace
 * it is "loaded" at once. */
void ipt_view_window_load (IptViewWindow *self);
gboolean ipt_view_window_is_loaded (IptViewWindow *self);
/* Presses the Cancel button: FALSE when no load is running (it is hidden). */
gboolean ipt_view_window_press_cancel (IptViewWindow *self);

const char *ipt_view_page_get_name (IptViewPage page);
void ipt_view_window_show_page (IptViewWindow *self, IptViewPage page);
GtkColumnView *ipt_view_window_get_page_view (IptViewWindow *self, IptViewPage page);
/* The listing's column view, NULL while there is no listing. */
GtkColumnView *ipt_view_window_get_listing_view (IptViewWindow *self);
/* Scrolls the listing to its last row; returns that row's text as
 * ipt_view_column_view_visible_rows() reads it, NULL when there is none. */
char *ipt_view_window_scroll_to_end (IptViewWindow *self);
/* Go to (an address, or a function of the trace with an optional
 * +OFFSET) and search, as from the header bar's entries: the search runs
 * in a thread and ends with signal "find-done" (gboolean found); FALSE
 * when none started (no listing, a location that is no address). */
gboolean ipt_view_window_go_to (IptViewWindow *self, const char *location);
gboolean ipt_view_window_search (IptViewWindow *self, const char *needle);
/* Activates row @index of the errors view (as a double click): its row
 * is found as by a search; FALSE when there is no such error or listing. */
gboolean ipt_view_window_activate_error (IptViewWindow *self, guint index);
/* The listing's selected row as ipt_view_listing_row_cells() gives it,
 * NULL when none is selected. */
char *ipt_view_window_get_selected_cells (IptViewWindow *self);
/* Opens the add-source dialog, on @plugin's form when not NULL. */
IptViewSourceDialog *ipt_view_window_add_source (IptViewWindow *self, const char *plugin);

G_END_DECLS
