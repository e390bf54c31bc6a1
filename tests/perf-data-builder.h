/* perf-data-builder.h: builds synthetic perf.data files, in file or pipe
 * mode, for the reader's tests: attrs, records with their sample_id
 * trailers (laid out by the attr whose id they carry), features. */
#pragma once

#include <glib.h>

#define PB_SAMPLE_TID (1u << 1)
#define PB_SAMPLE_TIME (1u << 2)
#define PB_SAMPLE_ID (1u << 6)
#define PB_SAMPLE_CPU (1u << 7)
#define PB_SAMPLE_STREAM_ID (1u << 9)
#define PB_SAMPLE_IDENTIFIER (1u << 16)

typedef struct {
  guint32 pid, tid;
  guint64 time;
  guint64 id;
  guint32 cpu;
} PbSampleId;

typedef struct _PerfBuilder PerfBuilder;

PerfBuilder *pb_new (gboolean pipe, guint attr_size);
void pb_free (PerfBuilder *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PerfBuilder, pb_free)

void pb_add_attr (PerfBuilder *b, guint32 type, guint64 config, guint64 sample_type,
                  gboolean sample_id_all, guint64 first_id, guint n_ids);
void pb_add_feature (PerfBuilder *b, guint bit, const void *payload, gsize size);
void pb_add_cpuid (PerfBuilder *b, const char *cpuid);
/* a record of @type: header, @body, then a sample_id trailer for @sid's id */
void pb_record (PerfBuilder *b, guint32 type, guint16 misc, const void *body, gsize size,
                const PbSampleId *sid);
void pb_raw (PerfBuilder *b, const void *bytes, gsize size);
void pb_auxtrace_info (PerfBuilder *b, guint n_priv, const guint64 *priv, const char *filter);
void pb_auxtrace (PerfBuilder *b, guint64 size, guint64 offset, guint32 idx, guint32 tid,
                  guint32 cpu, const guint8 *data, gsize data_size);
void pb_mmap2 (PerfBuilder *b, guint32 pid, guint32 tid, guint64 addr, guint64 len,
               guint64 pgoff, const guint8 *build_id, guint build_id_size, const char *filename,
               const PbSampleId *sid);
void pb_comm (PerfBuilder *b, guint32 pid, guint32 tid, gboolean exec, const char *comm,
              const PbSampleId *sid);
/* FORK (@exit FALSE) or EXIT (@exit TRUE): pid, ppid, tid, ptid and the body's time */
void pb_task (PerfBuilder *b, gboolean exit, guint32 pid, guint32 ppid, guint32 tid,
              guint32 ptid, const PbSampleId *sid);
void pb_aux (PerfBuilder *b, guint64 offset, guint64 size, guint64 flags, const PbSampleId *sid);
/* SWITCH (or SWITCH_CPU_WIDE with the next/previous thread) in or out */
void pb_switch (PerfBuilder *b, gboolean out, gboolean cpu_wide, guint32 next_prev_pid,
                guint32 next_prev_tid, const PbSampleId *sid);
void pb_fork (PerfBuilder *b, guint32 pid, guint32 ppid, guint32 tid, guint32 ptid,
              const PbSampleId *sid);
void pb_itrace_start (PerfBuilder *b, guint32 pid, guint32 tid, const PbSampleId *sid);
GBytes *pb_finish (PerfBuilder *b);
