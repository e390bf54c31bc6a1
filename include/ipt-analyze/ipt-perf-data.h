/* ipt-perf-data.h: a perf.data file (perf record -e intel_pt//) read: its
 * Intel PT data per queue and its sideband. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>

G_BEGIN_DECLS

/**
 * IptPerfPtInfo:
 * @pmu_type: the intel_pt PMU's perf event type
 * @time_shift: perf's TSC conversion: time = time_zero + (tsc * time_mult) >> time_shift
 * @time_mult: see @time_shift
 * @time_zero: see @time_shift
 * @cap_user_time_zero: whether @time_zero is valid
 * @tsc_bit: the config bit of TSC packets
 * @noretcomp_bit: the config bit of return compression off
 * @have_sched_switch: perf's sched_switch mode (0 none, 1 sched_switch
 *   tracepoint, 2 context-switch events, 3 CPU-wide context-switch events)
 * @snapshot_mode: recorded in snapshot mode (-S)
 * @per_cpu_mmaps: the AUX areas were per CPU (else per thread)
 * @mtc_bit: the config bit of MTC packets
 * @mtc_freq_bits: the config bits of the MTC frequency
 * @tsc_ctc_ratio_n: CPUID.15H EBX (TSC:CTC ratio numerator)
 * @tsc_ctc_ratio_d: CPUID.15H EAX (denominator)
 * @cyc_bit: the config bit of CYC packets
 * @max_non_turbo_ratio: the maximum non-turbo ratio (for CBR)
 * @filter: (nullable): the address filter perf was given, or %NULL
 *
 * The PERF_RECORD_AUXTRACE_INFO of an intel_pt recording: what a decoder
 * needs to know about how the trace was made.
 *
 * Since: 0.1
 */
typedef struct {
  guint32 pmu_type;
  guint64 time_shift;
  guint64 time_mult;
  guint64 time_zero;
  gboolean cap_user_time_zero;
  guint64 tsc_bit;
  guint64 noretcomp_bit;
  guint64 have_sched_switch;
  gboolean snapshot_mode;
  gboolean per_cpu_mmaps;
  guint64 mtc_bit;
  guint64 mtc_freq_bits;
  guint32 tsc_ctc_ratio_n;
  guint32 tsc_ctc_ratio_d;
  guint64 cyc_bit;
  guint64 max_non_turbo_ratio;
  gchar *filter;
} IptPerfPtInfo;

#define IPT_TYPE_PERF_PT_INFO (ipt_perf_pt_info_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_perf_pt_info_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptPerfPtInfo *ipt_perf_pt_info_copy (const IptPerfPtInfo *info);
IPT_AVAILABLE_IN_ALL
void ipt_perf_pt_info_free (IptPerfPtInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfPtInfo, ipt_perf_pt_info_free)

/**
 * IptPerfQueue:
 * @index: the AUX area's index (perf's idx)
 * @cpu: the CPU of a per-CPU queue, -1 for a per-thread one
 * @tid: the thread of a per-thread queue, -1 for a per-CPU one
 * @pid: the process of @tid, -1 when not known
 * @data: the queue's PT data, its AUXTRACE records' bytes in order
 * @n_records: how many PERF_RECORD_AUXTRACE records @data came from
 * @n_gaps: how many times data was lost between them (a PERF_RECORD_AUX
 *   with the truncated flag, or records whose offsets leave a hole): a
 *   decoder must resynchronize there
 * @gap_offsets: (element-type guint64): the offsets in @data where data
 *   continues after each gap, in order (@n_gaps of them)
 * @gap_lost: (element-type guint64): how many bytes of the AUX stream each
 *   gap lost (records whose offsets leave a hole say), 0 when that is not
 *   known (a truncated PERF_RECORD_AUX does not say)
 *
 * The Intel PT data of one queue of a recording.
 *
 * Since: 0.1
 */
typedef struct {
  guint index;
  gint cpu;
  gint64 tid;
  gint64 pid;
  GBytes *data;
  guint n_records;
  guint n_gaps;
  GArray *gap_offsets;
  GArray *gap_lost;
} IptPerfQueue;

#define IPT_TYPE_PERF_QUEUE (ipt_perf_queue_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_perf_queue_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptPerfQueue *ipt_perf_queue_copy (const IptPerfQueue *queue);
IPT_AVAILABLE_IN_ALL
void ipt_perf_queue_free (IptPerfQueue *queue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfQueue, ipt_perf_queue_free)

/**
 * IptPerfEventKind:
 * @IPT_PERF_EVENT_MMAP: PERF_RECORD_MMAP or MMAP2: @address, @length,
 *   @offset, @filename, @prot and @flags (MMAP2 only, else 0), @build_id
 *   (MMAP2 with a build-id, else %NULL)
 * @IPT_PERF_EVENT_COMM: PERF_RECORD_COMM: @filename holds the command name;
 *   @is_exec when the thread exec'd
 * @IPT_PERF_EVENT_FORK: PERF_RECORD_FORK: @pid/@tid the child, @ppid/@ptid the parent
 * @IPT_PERF_EVENT_EXIT: PERF_RECORD_EXIT
 * @IPT_PERF_EVENT_ITRACE_START: PERF_RECORD_ITRACE_START: tracing starts for @pid/@tid
 * @IPT_PERF_EVENT_SWITCH: PERF_RECORD_SWITCH or SWITCH_CPU_WIDE: @is_out
 *   for a switch out; for CPU-wide ones @ppid/@ptid is the other thread
 * @IPT_PERF_EVENT_AUX: PERF_RECORD_AUX: @offset/@length of AUX data, @flags
 *   (PERF_AUX_FLAG_TRUNCATED 0x1, _OVERWRITE 0x2, _PARTIAL 0x4, _COLLISION 0x8)
 * @IPT_PERF_EVENT_LOST: PERF_RECORD_LOST or LOST_SAMPLES: @length events lost
 * @IPT_PERF_EVENT_KSYMBOL: PERF_RECORD_KSYMBOL: @address, @length, @filename the
 *   name, @flags (PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER 0x1)
 * @IPT_PERF_EVENT_TEXT_POKE: PERF_RECORD_TEXT_POKE: @address, the new bytes in
 *   @bytes (@length of them)
 *
 * Kinds of sideband events.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_PERF_EVENT_MMAP,
  IPT_PERF_EVENT_COMM,
  IPT_PERF_EVENT_FORK,
  IPT_PERF_EVENT_EXIT,
  IPT_PERF_EVENT_ITRACE_START,
  IPT_PERF_EVENT_SWITCH,
  IPT_PERF_EVENT_AUX,
  IPT_PERF_EVENT_LOST,
  IPT_PERF_EVENT_KSYMBOL,
  IPT_PERF_EVENT_TEXT_POKE,
} IptPerfEventKind;

/**
 * IptPerfEvent:
 * @kind: what happened
 * @time: the event's time (perf's clock, ns), from its sample_id; 0 when
 *   the recording has none
 * @cpu: the CPU from its sample_id, -1 when not recorded
 * @pid: the process
 * @tid: the thread
 * @ppid: see #IptPerfEventKind
 * @ptid: see #IptPerfEventKind
 * @address: see #IptPerfEventKind
 * @length: see #IptPerfEventKind
 * @offset: see #IptPerfEventKind
 * @prot: see #IptPerfEventKind
 * @flags: see #IptPerfEventKind
 * @is_out: see #IptPerfEventKind
 * @is_exec: see #IptPerfEventKind
 * @is_kernel: the record's misc says kernel (PERF_RECORD_MISC_KERNEL)
 * @filename: (nullable): see #IptPerfEventKind
 * @build_id: (nullable): see #IptPerfEventKind
 * @bytes: (nullable): see #IptPerfEventKind
 * @file_offset: where the record is in the file (for messages)
 *
 * One sideband event of a recording, in the order of the file.
 *
 * Since: 0.1
 */
typedef struct {
  IptPerfEventKind kind;
  guint64 time;
  gint cpu;
  gint64 pid;
  gint64 tid;
  gint64 ppid;
  gint64 ptid;
  guint64 address;
  guint64 length;
  guint64 offset;
  guint32 prot;
  guint64 flags;
  gboolean is_out;
  gboolean is_exec;
  gboolean is_kernel;
  gchar *filename;
  GBytes *build_id;
  GBytes *bytes;
  guint64 file_offset;
} IptPerfEvent;

#define IPT_TYPE_PERF_EVENT (ipt_perf_event_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_perf_event_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptPerfEvent *ipt_perf_event_copy (const IptPerfEvent *event);
IPT_AVAILABLE_IN_ALL
void ipt_perf_event_free (IptPerfEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfEvent, ipt_perf_event_free)

#define IPT_TYPE_PERF_DATA (ipt_perf_data_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptPerfData, ipt_perf_data, IPT, PERF_DATA, GObject)

IPT_AVAILABLE_IN_ALL
IptPerfData *ipt_perf_data_new_from_file (const char *path, GError **error);
IPT_AVAILABLE_IN_ALL
IptPerfData *ipt_perf_data_new_from_bytes (GBytes *bytes, const char *name, GError **error);

IPT_AVAILABLE_IN_ALL
gboolean ipt_perf_data_is_pipe (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_perf_data_get_name (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_perf_data_get_cpuid (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
const IptPerfPtInfo *ipt_perf_data_get_pt_info (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_perf_data_get_queues (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_perf_data_get_events (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
guint ipt_perf_data_get_n_records (IptPerfData *self, guint32 type);
IPT_AVAILABLE_IN_ALL
gboolean ipt_perf_data_get_time_conv (IptPerfData *self, guint64 *time_shift,
                                      guint64 *time_mult, guint64 *time_zero);
IPT_AVAILABLE_IN_ALL
gboolean ipt_perf_data_get_pt_attr_config (IptPerfData *self, guint64 *config);
IPT_AVAILABLE_IN_ALL
char *ipt_perf_data_get_cpu_spec (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_perf_data_get_pt_traces_kernel (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
GBytes *ipt_perf_data_lookup_build_id (IptPerfData *self, const char *filename);
IPT_AVAILABLE_IN_ALL
GHashTable *ipt_perf_data_get_build_ids (IptPerfData *self);

IPT_AVAILABLE_IN_ALL
gboolean ipt_perf_data_has_time (IptPerfData *self);

/**
 * IptPerfMapping:
 * @pid: the process, -1 for a kernel mapping (@is_kernel)
 * @address: the first address mapped
 * @length: how many bytes are mapped (> 0)
 * @offset: the offset in @filename of the byte at @address
 * @prot: PROT_* of an MMAP2 (PROT_EXEC is 4); 0 when not known (MMAP)
 * @is_kernel: a kernel mapping (the kernel, a module)
 * @filename: (type filename): the mapped file as the record names it
 *   ("//anon", "[vdso]" and the like included)
 * @build_id: (nullable): the MMAP2's build-id, else HEADER_BUILD_ID's for
 *   @filename, else %NULL
 * @valid_from: when it was mapped (the mmap's time, or the fork's for a
 *   mapping a child inherited); perf's clock, ns
 * @valid_to: when it stopped being mapped (exclusive), or %IPT_TIME_END
 *
 * A range of a process's address space and the file it showed, over the
 * time it did: what ipt_perf_data_list_mappings() makes of the sideband.
 *
 * Since: 0.1
 */
typedef struct {
  gint64 pid;
  guint64 address;
  guint64 length;
  guint64 offset;
  guint32 prot;
  gboolean is_kernel;
  gchar *filename;
  GBytes *build_id;
  guint64 valid_from;
  guint64 valid_to;
} IptPerfMapping;

#define IPT_TYPE_PERF_MAPPING (ipt_perf_mapping_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_perf_mapping_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptPerfMapping *ipt_perf_mapping_copy (const IptPerfMapping *mapping);
IPT_AVAILABLE_IN_ALL
void ipt_perf_mapping_free (IptPerfMapping *mapping);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfMapping, ipt_perf_mapping_free)

IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_perf_data_list_mappings (IptPerfData *self, gint64 pid);
IPT_AVAILABLE_IN_ALL
GArray *ipt_perf_data_list_processes (IptPerfData *self);

/**
 * IptPerfThread:
 * @pid: the process, -1 when the recording does not say
 * @tid: the thread
 * @comm: (nullable): its latest command name (COMM), or %NULL
 * @first_time: the time of the first event naming it (perf's clock, ns)
 * @last_time: the time of the last one
 *
 * A thread a recording names (ipt_perf_data_list_threads()).
 *
 * Since: 0.1
 */
typedef struct {
  gint64 pid;
  gint64 tid;
  gchar *comm;
  guint64 first_time;
  guint64 last_time;
} IptPerfThread;

#define IPT_TYPE_PERF_THREAD (ipt_perf_thread_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_perf_thread_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptPerfThread *ipt_perf_thread_copy (const IptPerfThread *thread);
IPT_AVAILABLE_IN_ALL
void ipt_perf_thread_free (IptPerfThread *thread);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfThread, ipt_perf_thread_free)

IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_perf_data_list_threads (IptPerfData *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_perf_data_lookup_thread (IptPerfData *self, gint cpu, gint64 queue_tid,
                                      guint64 time, gint64 *pid, gint64 *tid, guint64 *until);
IPT_AVAILABLE_IN_ALL
const char *ipt_perf_data_get_comm (IptPerfData *self, gint64 tid, guint64 time);

G_END_DECLS
