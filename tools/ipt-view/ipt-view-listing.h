/* ipt-view-listing.h: the listing view, a GtkColumnView over an
 * IptListingModel (row, address, symbol, instruction), errors highlighted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_LISTING (ipt_view_listing_get_type ())
G_DECLARE_FINAL_TYPE (IptViewListing, ipt_view_listing, IPT_VIEW, LISTING, GtkWidget)

GtkWidget *ipt_view_listing_new (void);
void ipt_view_listing_set_model (IptViewListing *self, IptListingModel *model);
IptListingModel *ipt_view_listing_get_model (IptViewListing *self);
GtkColumnView *ipt_view_listing_get_column_view (IptViewListing *self);
/* Selects row @position and scrolls it into view. */
void ipt_view_listing_show_row (IptViewListing *self, guint position);
/* The selected row, or 0 when none. */
guint ipt_view_listing_get_selected (IptViewListing *self);
/* @row's cells as the view shows them, tab-separated (what
 * ipt_view_column_view_visible_rows() reads back for it). */
char *ipt_view_listing_row_cells (IptListingRow *row);

G_END_DECLS
