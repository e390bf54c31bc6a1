/* ipt-perf-data-private.h: what the perf.data parser fills in for
 * IptPerfData, and the parser's state shared by its files (the file
 * layout in ipt-perf-data-parser.c, the records in ipt-perf-data-records.c,
 * the AUXTRACE queues in ipt-perf-data-queues.c). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* perf's record types (linux/perf_event.h, tools/perf/util/event.h) */
enum {
  PERF_RECORD_MMAP = 1,
  PERF_RECORD_LOST = 2,
  PERF_RECORD_COMM = 3,
  PERF_RECORD_EXIT = 4,
  PERF_RECORD_FORK = 7,
  PERF_RECORD_SAMPLE = 9,
  PERF_RECORD_MMAP2 = 10,
  PERF_RECORD_AUX = 11,
  PERF_RECORD_ITRACE_START = 12,
  PERF_RECORD_LOST_SAMPLES = 13,
  PERF_RECORD_SWITCH = 14,
  PERF_RECORD_SWITCH_CPU_WIDE = 15,
  PERF_RECORD_KSYMBOL = 17,
  PERF_RECORD_TEXT_POKE = 20,
  PERF_RECORD_HEADER_ATTR = 64,
  PERF_RECORD_HEADER_TRACING_DATA = 66,
  PERF_RECORD_HEADER_BUILD_ID = 67,
  PERF_RECORD_FINISHED_ROUND = 68,
  PERF_RECORD_AUXTRACE_INFO = 70,
  PERF_RECORD_AUXTRACE = 71,
  PERF_RECORD_TIME_CONV = 79,
  PERF_RECORD_HEADER_FEATURE = 80,
};

#define PERF_RECORD_MISC_KERNEL 1
#define PERF_RECORD_MISC_CPUMODE_MASK 7
#define PERF_RECORD_MISC_COMM_EXEC (1 << 13)
#define PERF_RECORD_MISC_SWITCH_OUT (1 << 13)
#define PERF_RECORD_MISC_MMAP_BUILD_ID (1 << 14)
#define PERF_RECORD_MISC_BUILD_ID_SIZE (1 << 15)
#define PERF_AUX_FLAG_TRUNCATED 0x1
#define PERF_SAMPLE_TIME (1u << 2)

#define PERF_HEADER_SIZE 8
#define PERF_AUXTRACE_SIZE 48

typedef struct {
  guint32 type;
  guint64 config;
  guint64 sample_type;
  gboolean sample_id_all;
  gboolean exclude_kernel;
  guint64 file_offset;
} IptPerfAttr;

/* The threads' index (ipt-perf-data-threads.c), built at first use. */
typedef struct _IptPerfThreadIndex IptPerfThreadIndex;

/* What a reading yields; IptPerfData owns it. */
typedef struct {
  gboolean is_pipe;
  char *cpuid;
  IptPerfPtInfo *pt_info;
  gboolean have_time_conv;
  guint64 time_shift, time_mult, time_zero;
  GArray *attrs;            /* IptPerfAttr */
  GPtrArray *queues;        /* IptPerfQueue, by index */
  GPtrArray *events;        /* IptPerfEvent, in file order */
  GHashTable *build_ids;    /* filename -> GBytes */
  GHashTable *n_records;    /* type -> count */
  IptPerfThreadIndex *threads; /* NULL until a thread is looked up */
} IptPerfContents;

/* One AUXTRACE record's data: where it is in the file and in the AUX stream. */
typedef struct {
  guint64 file_offset;
  guint64 size;
  guint64 aux_offset;
} IptPerfChunk;

/* A PERF_RECORD_AUX with the truncated flag: data was lost after @aux_end
 * in the AUX stream of the queue of @cpu (per-CPU) or @tid (per-thread). */
typedef struct {
  gint64 cpu;
  gint64 tid;
  guint64 aux_end;
} IptPerfTruncation;

/* Data lost before @at in a queue's data: @lost bytes, 0 when not known. */
typedef struct {
  guint64 at;
  guint64 lost;
} IptPerfGap;

/* A queue being built: its AUXTRACE chunks, where they are in the file. */
typedef struct {
  IptPerfQueue *queue;
  GArray *chunks;           /* IptPerfChunk */
  GArray *gaps;             /* IptPerfGap, at offsets in the queue's data */
  guint64 total;            /* the chunks' bytes */
  guint64 next_aux_offset;
} IptPerfQueueBuilder;

typedef struct {
  const guint8 *data;
  gsize size;
  GBytes *bytes;
  const char *name;
  IptPerfContents *out;
  GHashTable *queues;       /* idx -> IptPerfQueueBuilder */
  GHashTable *attr_by_id;   /* sample id -> attr index + 1 */
  GArray *truncations;      /* IptPerfTruncation */
  /* how to find a non-sample record's attr (records.c), valid while layout_ready */
  gboolean layout_ready;
  gint id_pos;              /* -1: all attrs alike; 0: not findable; N: id N u64s from the end */
} IptPerfParser;

G_GNUC_INTERNAL
IptPerfContents *ipt_perf_contents_new (void);
G_GNUC_INTERNAL
void ipt_perf_contents_free (IptPerfContents *contents);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfContents, ipt_perf_contents_free)

G_GNUC_INTERNAL
void ipt_perf_thread_index_free (IptPerfThreadIndex *index);
G_GNUC_INTERNAL
IptPerfContents *ipt_perf_data_get_contents (IptPerfData *self);

G_GNUC_INTERNAL
IptPerfContents *ipt_perf_data_parse (GBytes *bytes, const char *name, GError **error);

/* the parser's helpers, for ipt-perf-data-records.c */
G_GNUC_INTERNAL
void ipt_perf_set_error (const IptPerfParser *p, GError **error, gint code, guint64 offset,
                         const char *format, ...) G_GNUC_PRINTF (5, 6);
G_GNUC_INTERNAL
guint64 ipt_perf_rd64 (const guint8 *at);
G_GNUC_INTERNAL
guint32 ipt_perf_rd32 (const guint8 *at);
G_GNUC_INTERNAL
gboolean ipt_perf_parse_feature (IptPerfParser *p, guint feature, guint64 offset, guint64 size,
                                 GError **error);
G_GNUC_INTERNAL
gboolean ipt_perf_add_attr (IptPerfParser *p, guint64 offset, guint64 attr_size,
                            const guint8 *ids, guint64 n_ids, GError **error);

/* one record at @offset of @size bytes (header included); AUXTRACE data
 * follows it, up to @end; *@extra says how many bytes of it it used */
G_GNUC_INTERNAL
gboolean ipt_perf_parse_record (IptPerfParser *p, guint64 offset, guint64 end,
                                guint64 *extra, GError **error);
G_GNUC_INTERNAL
gboolean ipt_perf_check_size (IptPerfParser *p, guint64 offset, guint64 size, guint64 fixed,
                              const char *what, GError **error);

/* ipt-perf-data-queues.c: an AUXTRACE record at @offset of @size bytes
 * (@r), its data after it inside @end; then the queues made at the end */
G_GNUC_INTERNAL
gboolean ipt_perf_parse_auxtrace (IptPerfParser *p, guint64 offset, const guint8 *r, guint64 size,
                                  guint64 end, guint64 *extra, GError **error);
G_GNUC_INTERNAL
void ipt_perf_finish_queues (IptPerfParser *p);

G_END_DECLS
