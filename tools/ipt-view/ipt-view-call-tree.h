/* ipt-view-call-tree.h: the call tree of an IptCalls as an expandable
 * table (function, calls, self and total instructions).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_CALL_TREE (ipt_view_call_tree_get_type ())
G_DECLARE_FINAL_TYPE (IptViewCallTree, ipt_view_call_tree, IPT_VIEW, CALL_TREE, GtkWidget)

GtkWidget *ipt_view_call_tree_new (void);
/* Shows @calls (NULL: nothing), the hottest path expanded. */
void ipt_view_call_tree_set_calls (IptViewCallTree *self, IptCalls *calls);
GtkColumnView *ipt_view_call_tree_get_column_view (IptViewCallTree *self);

G_END_DECLS
