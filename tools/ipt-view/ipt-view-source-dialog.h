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
/* Sets option @name's widget from @value (as --plugin's text would give
 * it), as a person would fill it in; FALSE with @error when there is no
 * such option or the value does not fit the widget. */
gboolean ipt_view_source_dialog_fill (IptViewSourceDialog *self, const char *name,
                                      const char *value, GError **error);
/* Presses Add. */
void ipt_view_source_dialog_press_add (IptViewSourceDialog *self);
/* What the form says under the fields (a provider that failed to open). */
const char *ipt_view_source_dialog_get_message (IptViewSourceDialog *self);
/* The form as its widgets are, one line per option:
 * "NAME\tWIDGET-TYPE[\tfile-chooser][\tmin=..\tmax=..][\tvalues=a,b]". */
void ipt_view_source_dialog_dump (IptViewSourceDialog *self, GString *out);

G_END_DECLS
