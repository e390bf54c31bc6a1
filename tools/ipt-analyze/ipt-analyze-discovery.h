/* ipt-analyze-discovery.h: JIT code a core names but the command line does
 * not: the jitdump a JIT mapped (jit-N.dump in NT_FILE) and the perf map of
 * the core's process, chained as a jitmap provider before the core. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

void ipt_analyze_discover_jit (IptPluginRegistry *registry, IptImage *image);

/* Whether @path's base name is jit-N.dump (perf's name for a jitdump);
 * then @n is N (the pid of the process that wrote it, in its namespace). */
gboolean ipt_analyze_is_jitdump (const char *path, guint64 *n);
/* A jitmap of @dump and @map, either of which may be NULL. */
IptMemoryProvider *ipt_analyze_new_jitmap (IptPlugin *plugin, const char *dump, const char *map,
                                           GError **error);

G_END_DECLS
