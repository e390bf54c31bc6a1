/* ipt-tool-output.h: an output file named on a tool's command line. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GOutputStream *ipt_tool_open_output (const char *path, GError **error);

G_END_DECLS
