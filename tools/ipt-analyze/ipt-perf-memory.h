/* ipt-perf-memory.h: --perf's memory: per process, the image its queues
 * decode over, built from the perf.data's mappings over time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* Where to read @mapping's file from: a path, or NULL with @error set
 * saying where it looked. */
typedef char *(*IptPerfFileFinder) (const IptPerfMapping *mapping, gpointer data,
                                    GError **error);

typedef struct _IptPerfMemory IptPerfMemory;

/* @base: the image of --plugin/--elf/--raw, whose providers outrank the
 * recording's files. @finder NULL: the file at its recorded path. */
IptPerfMemory *ipt_perf_memory_new (IptPluginRegistry *registry, IptImage *base,
                                    IptPerfData *perf, IptPerfFileFinder finder,
                                    gpointer finder_data);

/* The image a process's queues decode over (@pid -1: all processes
 * together, for per-CPU queues): @base's providers, then a jitmap for each
 * JIT's marker mmap (jit-PID.dump), then a raw provider per mapped file,
 * valid over the mapping's time. Made on first use, then kept; what it
 * cannot serve is a warning per file. (transfer none) */
IptImage *ipt_perf_memory_get_image (IptPerfMemory *self, gint64 pid);

void ipt_perf_memory_free (IptPerfMemory *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfMemory, ipt_perf_memory_free)

G_END_DECLS
