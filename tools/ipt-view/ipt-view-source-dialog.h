/* ipt-view-source-dialog.h: the "add memory source" dialog, a form built
 * from a plugin's options (its provider's construct properties).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_SOURCE_DIALOG (ipt_view_source_dialog_get_type ())
G_DECLARE_FINAL_TYPE (IptViewSourceDialog, ipt_view_source_dialog, IPT_VIEW, SOURCE_DIALOG,
                      GtkWindow)

/* Signal "provider-added" (IptMemoryProvider *provider, const char *spec):
 * the provider the form opened, and its --plugin spec. */
IptViewSourceDialog *ipt_view_source_dialog_new (GtkWindow *parent, IptPluginRegistry *registry);
/* Shows @name's form; FALSE if no plugin has that name. */
gboolean ipt_view_source_dialog_select (IptViewSourceDialog *self, const char *name);
/* The --plugin spec of the form as filled in: NAME[:KEY=VALUE,...], only
 * the options the user set. */
char *ipt_view_source_dialog_get_spec (IptViewSourceDialog *self);
/* The form as its widgets are, one line per option:
 * "NAME\tWIDGET-TYPE[\tfile-chooser][\tmin=..\tmax=..][\tvalues=a,b]". */
void ipt_view_source_dialog_dump (IptViewSourceDialog *self, GString *out);

G_END_DECLS
