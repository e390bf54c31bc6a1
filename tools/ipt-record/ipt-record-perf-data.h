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

/* The intel_pt PMU's config bits (/sys/bus/event_source/devices/intel_pt/format):
 * how a trace was recorded. */
#define IPT_RECORD_PT_CONFIG_PT        (G_GUINT64_CONSTANT (1) << 0)
#define IPT_RECORD_PT_CONFIG_CYC       (G_GUINT64_CONSTANT (1) << 1)
#define IPT_RECORD_PT_CONFIG_MTC       (G_GUINT64_CONSTANT (1) << 9)
#define IPT_RECORD_PT_CONFIG_TSC       (G_GUINT64_CONSTANT (1) << 10)
#define IPT_RECORD_PT_CONFIG_NORETCOMP (G_GUINT64_CONSTANT (1) << 11)
#define IPT_RECORD_PT_CONFIG_BRANCH    (G_GUINT64_CONSTANT (1) << 13)
#define IPT_RECORD_PT_CONFIG_MTC_FREQ  (G_GUINT64_CONSTANT (0xf) << 14)

/* A mapping given as such, for traces that ipt-record did not record
 * (tests/bench/wrap-perf-data): one MMAP2 record. */
typedef struct {
  guint64 start;
  guint64 end;
  guint64 offset;            /* in the file */
  const char *path;          /* the file perf reads the code from, or a name ("[vdso]") */
  gboolean is_file;          /* path is a file: its device and inode are recorded */
  gboolean read, write, shared;
} IptRecordPerfDataMmap;

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
  GArray *mmaps;             /* IptRecordPerfDataMmap: written after the vmas' */
  guint64 pt_config;         /* IPT_RECORD_PT_CONFIG_*: how the trace was recorded;
                              * 0: as ipt-record's encoder writes it */
  const char *cpuid;         /* HEADER_CPUID of another CPU ("" for none, both without
                              * CPUDESC); NULL: this machine's */
} IptRecordPerfDataInfo;

gboolean ipt_record_perf_data_write (const char *path,
                                     const char *trace_path,
                                     const IptRecordPerfDataInfo *info,
                                     GError **error);

G_END_DECLS
