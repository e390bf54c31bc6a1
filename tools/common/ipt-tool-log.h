/* ipt-tool-log.h: how the tools report on stderr, one line per message,
 * the way command-line tools do:
 *
 *   PROG: error: MESSAGE
 *   PROG: warning: DOMAIN: MESSAGE
 *   PROG: note: MESSAGE
 *
 * GLib's messages go through a log writer that prints them so, instead
 * of the "(PROG:PID): Ipt-WARNING **: time: MESSAGE" layout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ipt_tool_log_init (const char *program);

void ipt_tool_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
void ipt_tool_warning (const char *format, ...) G_GNUC_PRINTF (1, 2);
void ipt_tool_note (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
