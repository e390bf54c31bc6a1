/* ipt-view-regions.h: the image's resolved ranges as a table, what
 * `ipt-analyze --list-regions` prints.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_REGIONS (ipt_view_regions_get_type ())
G_DECLARE_FINAL_TYPE (IptViewRegions, ipt_view_regions, IPT_VIEW, REGIONS, GtkWidget)

/* Follows @image's providers as they are added. */
GtkWidget *ipt_view_regions_new (IptPluginRegistry *registry, IptImage *image);
GtkColumnView *ipt_view_regions_get_column_view (IptViewRegions *self);

G_END_DECLS
