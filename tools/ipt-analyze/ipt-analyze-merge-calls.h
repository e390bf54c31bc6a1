/* ipt-analyze-merge-calls.h: `ipt-analyze merge calls-json:…`, the sum
 * of --calls-json call trees (ipt-analyze-merge.c dispatches to it). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ipt_analyze_merge_calls_json (char **inputs, GString *out, GError **error);

G_END_DECLS
