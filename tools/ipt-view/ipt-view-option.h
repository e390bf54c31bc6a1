/* ipt-view-option.h: one plugin option (a provider's construct property)
 * as the widget of a form.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

typedef struct _IptViewOption IptViewOption;

/* The option's widgets, set to @pspec's default. */
IptViewOption *ipt_view_option_new (GParamSpec *pspec);
void ipt_view_option_free (IptViewOption *option);

GParamSpec *ipt_view_option_get_pspec (const IptViewOption *option);
/* The input widget, for the form to place. */
GtkWidget *ipt_view_option_get_input (const IptViewOption *option);
/* File options: the button that opens a file chooser into the input; else NULL. */
GtkWidget *ipt_view_option_get_chooser (const IptViewOption *option);
/* Whether the user changed it (only those go into a spec). */
gboolean ipt_view_option_is_set (const IptViewOption *option);
/* The value as --plugin's text takes it (not escaped). */
char *ipt_view_option_get_text (const IptViewOption *option);
/* Sets the widget from @value as a person would; FALSE with @error when
 * it does not fit the widget. */
gboolean ipt_view_option_fill (IptViewOption *option, const char *value, GError **error);
/* One line: "NAME\tWIDGET-TYPE[\tfile-chooser][\tmin=..\tmax=..\ttext=..][\tvalues=a,b]". */
void ipt_view_option_dump (const IptViewOption *option, GString *out);

G_END_DECLS
