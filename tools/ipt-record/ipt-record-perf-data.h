/* ipt-record-perf-data.h: writes a recording as the perf.data that
 * `perf record -e intel_pt//u --per-thread` would have written, for
 * decoders that read perf's format (perf itself, ipt-analyze --perf).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* What the writer knows of the recorded process. */
typedef struct {
  pid_t pid;                 /* the traced process; its main thread is the traced one */
  pid_t ppid;                /* its parent (ipt-record) */
  const char *comm;          /* its name, as /proc/PID/stat has it */
  GArray *vmas;              /* IptRecordVma: its mappings; the executable ones are written */
  GArray *vma_times;         /* guint64 for each of @vmas: when it was mapped, 0 for the
                              * start; NULL: all at the start */
  guint64 start_time;        /* ipt-record's clock before the trace's first packet */
  guint64 end_time;          /* after its last one */
  gboolean timed;            /* samples carry the time (perf record -T): timed decoding */
  const char *const *cmdline; /* HEADER_CMDLINE: ipt-record's own command line */
} IptRecordPerfDataInfo;

gboolean ipt_record_perf_data_write (const char *path,
                                     const char *trace_path,
                                     const IptRecordPerfDataInfo *info,
                                     GError **error);

G_END_DECLS
