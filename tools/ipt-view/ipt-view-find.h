/* ipt-view-find.h: finding a row of the listing in a thread, from the
 * selected row on, wrapping around once, as the go-to and search entries
 * and the errors view ask.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* What to find: an instruction at an address, or a row whose line has a text. */
typedef struct {
  gboolean by_address;
  guint64 address;
  const char *needle;         /* copied */
} IptViewFindWhat;

/* Finds @what in @model: with @after, from the row after @after (before,
 * when @backward) to the end, then from the other end (wrapping around
 * once); without, the first row from the start. */
void ipt_view_find_async (IptListingModel *model, const IptViewFindWhat *what, gboolean after,
                          guint selected, gboolean backward, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data);
/* TRUE with @position when found; FALSE when not (@error unset), or with
 * @error set when cancelled or the decode failed. */
gboolean ipt_view_find_finish (GAsyncResult *result, guint *position, GError **error);

G_END_DECLS
