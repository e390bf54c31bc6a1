/* ipt-analyze-discovery.h: JIT code a core names but the command line does
 * not: the jitdump a JIT mapped (jit-N.dump in NT_FILE) and the perf map of
 * the core's process, chained as a jitmap provider before the core. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

void ipt_analyze_discover_jit (IptPluginRegistry *registry, IptImage *image);

G_END_DECLS
