/* ipt-analyze-merge.h: `ipt-analyze merge KIND:OUTPUT INPUT...`, which
 * combines results that separate runs wrote (docs/json.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ipt_analyze_merge (int argc, char **argv);

G_END_DECLS
