/* ipt-view-errors.h: the decode errors as a table; activating one asks
 * the window to show it in the listing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ipt-view-error-sink.h"

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_ERRORS (ipt_view_errors_get_type ())
G_DECLARE_FINAL_TYPE (IptViewErrors, ipt_view_errors, IPT_VIEW, ERRORS, GtkWidget)

/* Signal "error-activated" (IptViewError *error). */
GtkWidget *ipt_view_errors_new (void);
void ipt_view_errors_set_errors (IptViewErrors *self, GListModel *errors);
GtkColumnView *ipt_view_errors_get_column_view (IptViewErrors *self);

G_END_DECLS
