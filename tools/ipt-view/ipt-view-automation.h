/* ipt-view-automation.h: hidden options that let tests and benchmarks
 * drive ipt-view: dump what the widgets show, save a screenshot, scroll
 * to the end and time it, dump the add-source form, quit when done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ipt-view-window.h"

G_BEGIN_DECLS

typedef struct {
  char *screenshot;           /* --screenshot FILE.png */
  char *dump;                 /* --dump-view FILE ("-": stdout) */
  char *form;                 /* --dump-form PLUGIN: its add-source form into the dump */
  char **form_set;            /* --form-set KEY=VALUE...: filled into that form, then Add */
  char *go_to;                /* --go-to LOCATION: as typed into the go-to entry */
  char *search;               /* --search TEXT: as typed into the search entry */
  int activate_error;         /* --activate-error N: as a double click on the errors view's row N (from 1) */
  gboolean scroll_to_end;     /* --scroll-to-end: time showing the listing's last row */
  gboolean quit;              /* --quit-when-loaded */
  gboolean cancel;            /* --cancel-load: press Cancel as soon as the load starts */
  int status;                 /* the exit status the automation asks for */
  gint64 attached;            /* when the window's load began (monotonic us) */
} IptViewAutomation;

/* Takes the automation options out of @argv (the rest is ipt-analyze's). */
gboolean ipt_view_automation_parse (IptViewAutomation *self, int *argc, char ***argv,
                                    GError **error);
void ipt_view_automation_clear (IptViewAutomation *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IptViewAutomation, ipt_view_automation_clear)

gboolean ipt_view_automation_is_active (const IptViewAutomation *self);
/* Runs the automation on @window once its load ends; call before the
 * load starts, and ipt_view_automation_started() after. */
void ipt_view_automation_attach (IptViewAutomation *self, IptViewWindow *window);
void ipt_view_automation_started (IptViewAutomation *self, IptViewWindow *window);

G_END_DECLS
