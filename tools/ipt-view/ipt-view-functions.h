/* ipt-view-functions.h: the hot functions of an IptCalls as a table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_FUNCTIONS (ipt_view_functions_get_type ())
G_DECLARE_FINAL_TYPE (IptViewFunctions, ipt_view_functions, IPT_VIEW, FUNCTIONS, GtkWidget)

GtkWidget *ipt_view_functions_new (void);
void ipt_view_functions_set_calls (IptViewFunctions *self, IptCalls *calls);
GtkColumnView *ipt_view_functions_get_column_view (IptViewFunctions *self);

G_END_DECLS
