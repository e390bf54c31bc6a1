/* ipt-view-text-row.h: a table row of ready-made texts, for tables whose
 * source is not a GObject (the image's mappings).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_TEXT_ROW (ipt_view_text_row_get_type ())
G_DECLARE_FINAL_TYPE (IptViewTextRow, ipt_view_text_row, IPT_VIEW, TEXT_ROW, GObject)

/* Takes @cells (a NULL-terminated array of strings). */
IptViewTextRow *ipt_view_text_row_new_take (char **cells);
/* Cell @column, "" past the last. */
const char *ipt_view_text_row_get (IptViewTextRow *self, guint column);

G_END_DECLS
