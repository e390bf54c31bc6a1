/* test-perf-data.c: the perf.data reader (IptPerfData) on synthetic files
 * built by perf-data-builder.c: file and pipe mode, sample_id trailers of
 * one layout and of several (found by id), AUXTRACE data into queues with
 * their gaps, sideband events, and bad input: every truncation, sizes that
 * run past their records or the file, attrs of unknown size, other magics. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "perf-data-builder.h"

#define ST_ALL (PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_CPU | PB_SAMPLE_IDENTIFIER)
#define NAME "test.data"

static const guint8 build_id[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                     11, 12, 13, 14, 15, 16 };

static IptPerfData *
parse_ok (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  IptPerfData *data = ipt_perf_data_new_from_bytes (bytes, NAME, &error);

  g_assert_no_error (error);
  g_assert_nonnull (data);
  return data;
}

static void
assert_fails (GBytes *bytes, gint code, const char *offset)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptPerfData) data = ipt_perf_data_new_from_bytes (bytes, NAME, &error);
  g_autofree char *prefix = g_strdup_printf (NAME ": offset %s: ", offset);

  g_assert_null (data);
  g_assert_error (error, IPT_ERROR, code);
  g_test_message ("%s", error->message);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("\"%s\" does not start with \"%s\"", error->message, prefix);
}

static void
fill_pt_priv (guint64 *priv)
{
  const guint64 values[17] = { 8, 31, 1789569706, 1000, 1, 0x400, 0x800, 3, 0, 1, 0x200,
                               0x3c000, 100, 2, 0x2, 12, 0 };

  memcpy (priv, values, sizeof values);
}

/* A recording of one thread (pid 42, tid 43) on CPUs 0 and 1, per-CPU
 * AUX areas; CPU 1's data comes in two records with a hole between them. */
static PerfBuilder *
build_recording (gboolean pipe, guint attr_size, const char *filter)
{
  PerfBuilder *b = pb_new (pipe, attr_size);
  const PbSampleId at0 = { 42, 43, 1000, 7, 0 }, at1 = { 42, 43, 2000, 7, 1 };
  const guint8 pt0[] = { 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82 };
  guint8 pt1[24];
  guint64 priv[17];

  for (guint i = 0; i < sizeof pt1; i++)
    pt1[i] = i;
  pb_add_attr (b, 8, 0x300e601, ST_ALL | 1, TRUE, 7, 2);
  pb_add_cpuid (b, "GenuineIntel,6,78,3");
  fill_pt_priv (priv);
  if (filter != NULL)
    priv[16] = strlen (filter);
  pb_auxtrace_info (b, 17, priv, filter);
  pb_comm (b, 42, 43, TRUE, "prog", &at0);
  pb_mmap2 (b, 42, 43, 0x400000, 0x1000, 0, build_id, 20, "/usr/bin/prog", &at0);
  pb_mmap2 (b, 42, 43, 0x7f0000000000, 0x2000, 0x1000, NULL, 0, "/lib/libc.so.6", &at1);
  pb_auxtrace (b, sizeof pt0, 0, 0, -1, 0, pt0, sizeof pt0);
  pb_auxtrace (b, 16, 0, 1, -1, 1, pt1, 16);
  pb_aux (b, 0, 16, 0, &at1);
  /* 0x100 bytes of CPU 1's AUX stream were lost */
  pb_auxtrace (b, 8, 0x110, 1, -1, 1, pt1 + 16, 8);
  pb_record (b, 68, 0, NULL, 0, NULL);  /* FINISHED_ROUND */
  return b;
}

static void
check_recording (IptPerfData *data, const char *filter)
{
  const IptPerfPtInfo *info = ipt_perf_data_get_pt_info (data);
  GPtrArray *queues = ipt_perf_data_get_queues (data);
  GPtrArray *events = ipt_perf_data_get_events (data);
  const IptPerfQueue *q;
  const IptPerfEvent *e;
  guint64 config;

  g_assert_cmpstr (ipt_perf_data_get_cpuid (data), ==, "GenuineIntel,6,78,3");
  g_assert_cmpstr (ipt_perf_data_get_name (data), ==, NAME);
  g_assert_nonnull (info);
  g_assert_cmpuint (info->pmu_type, ==, 8);
  g_assert_cmpuint (info->time_mult, ==, 1789569706);
  g_assert_cmpuint (info->time_zero, ==, 1000);
  g_assert_true (info->per_cpu_mmaps);
  g_assert_cmpuint (info->tsc_ctc_ratio_n, ==, 100);
  g_assert_cmpuint (info->max_non_turbo_ratio, ==, 12);
  g_assert_cmpstr (info->filter, ==, filter);
  g_assert_true (ipt_perf_data_get_pt_attr_config (data, &config));
  g_assert_cmphex (config, ==, 0x300e601);
  /* the builder's attrs are intel_pt//u: exclude_kernel set */
  g_assert_false (ipt_perf_data_get_pt_traces_kernel (data));
  g_assert_false (ipt_perf_data_get_time_conv (data, NULL, NULL, NULL));

  g_assert_cmpuint (queues->len, ==, 2);
  q = g_ptr_array_index (queues, 0);
  g_assert_cmpuint (q->index, ==, 0);
  g_assert_cmpint (q->cpu, ==, 0);
  g_assert_cmpint (q->tid, ==, -1);
  g_assert_cmpint (q->pid, ==, -1);
  g_assert_cmpuint (g_bytes_get_size (q->data), ==, 8);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (q->data, NULL))[1], ==, 0x82);
  g_assert_cmpuint (q->n_gaps, ==, 0);
  q = g_ptr_array_index (queues, 1);
  g_assert_cmpint (q->cpu, ==, 1);
  g_assert_cmpuint (q->n_records, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (q->data), ==, 24);
  for (guint i = 0; i < 24; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (q->data, NULL))[i], ==, i);
  g_assert_cmpuint (q->n_gaps, ==, 1);
  g_assert_cmpuint (g_array_index (q->gap_offsets, guint64, 0), ==, 16);
  /* the hole between the records' AUX offsets */
  g_assert_cmpuint (q->gap_lost->len, ==, 1);
  g_assert_cmphex (g_array_index (q->gap_lost, guint64, 0), ==, 0x100);

  g_assert_cmpuint (events->len, ==, 4);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_COMM);
  g_assert_true (e->is_exec);
  g_assert_cmpstr (e->filename, ==, "prog");
  g_assert_cmpint (e->pid, ==, 42);
  g_assert_cmpint (e->tid, ==, 43);
  g_assert_cmpuint (e->time, ==, 1000);
  g_assert_cmpint (e->cpu, ==, 0);
  e = g_ptr_array_index (events, 1);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_MMAP);
  g_assert_cmphex (e->address, ==, 0x400000);
  g_assert_cmphex (e->length, ==, 0x1000);
  g_assert_cmpuint (e->prot, ==, 5);
  g_assert_cmpstr (e->filename, ==, "/usr/bin/prog");
  g_assert_nonnull (e->build_id);
  g_assert_cmpmem (g_bytes_get_data (e->build_id, NULL), g_bytes_get_size (e->build_id),
                   build_id, sizeof build_id);
  g_assert_false (e->is_kernel);
  e = g_ptr_array_index (events, 2);
  g_assert_null (e->build_id);
  g_assert_cmphex (e->offset, ==, 0x1000);
  g_assert_cmpuint (e->time, ==, 2000);
  g_assert_cmpint (e->cpu, ==, 1);
  e = g_ptr_array_index (events, 3);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_AUX);
  g_assert_cmpuint (e->length, ==, 16);

  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 71), ==, 3);
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 10), ==, 2);
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 68), ==, 1);
}

static void
test_file_mode (void)
{
  g_autoptr (PerfBuilder) b = build_recording (FALSE, 112, NULL);
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (IptPerfData) data = parse_ok (bytes);

  g_assert_false (ipt_perf_data_is_pipe (data));
  check_recording (data, NULL);
}

static void
test_pipe_mode (void)
{
  g_autoptr (PerfBuilder) b = build_recording (TRUE, 112, "filter 0x1000/0x200@/bin/x");
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (IptPerfData) data = parse_ok (bytes);

  g_assert_true (ipt_perf_data_is_pipe (data));
  check_recording (data, "filter 0x1000/0x200@/bin/x");
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 64), ==, 1);
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 80), ==, 1);
}

/* perf_event_attr grows: a reader must take the size the file gives */
static void
test_attr_unknown_size (void)
{
  g_autoptr (PerfBuilder) b = build_recording (FALSE, 160, NULL);
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (IptPerfData) data = parse_ok (bytes);
  g_autoptr (PerfBuilder) pipe = build_recording (TRUE, 160, NULL);
  g_autoptr (GBytes) pipe_bytes = pb_finish (pipe);
  g_autoptr (IptPerfData) pipe_data = parse_ok (pipe_bytes);
  g_autoptr (PerfBuilder) small = build_recording (FALSE, 48, NULL);
  g_autoptr (GBytes) small_bytes = pb_finish (small);

  check_recording (data, NULL);
  check_recording (pipe_data, NULL);
  assert_fails (small_bytes, IPT_ERROR_CORRUPT, "0x10");
}

/* Two attrs of different sample_id layouts: the record's id chooses. */
static void
test_sample_id_by_identifier (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId a = { 1, 2, 300, 10, 3 }, c = { 4, 5, 600, 20, 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (IptPerfData) data = NULL;
  GPtrArray *events;
  const IptPerfEvent *e;

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 10, 1);
  pb_add_attr (b, 0, 0, PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_IDENTIFIER, TRUE, 20, 1);
  pb_comm (b, 1, 2, FALSE, "one", &a);
  pb_comm (b, 4, 5, FALSE, "two", &c);
  bytes = pb_finish (b);
  data = parse_ok (bytes);
  events = ipt_perf_data_get_events (data);
  g_assert_cmpuint (events->len, ==, 2);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->filename, ==, "one");
  g_assert_cmpuint (e->time, ==, 300);
  g_assert_cmpint (e->cpu, ==, 3);
  e = g_ptr_array_index (events, 1);
  g_assert_cmpstr (e->filename, ==, "two");
  g_assert_cmpuint (e->time, ==, 600);
  g_assert_cmpint (e->cpu, ==, -1);
}

/* Older perf: PERF_SAMPLE_ID (no IDENTIFIER), at the same place from the end. */
static void
test_sample_id_by_id (void)
{
  g_autoptr (PerfBuilder) b = pb_new (TRUE, 112);
  const PbSampleId a = { 1, 2, 300, 10, 3 }, c = { 4, 5, 600, 20, 1 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (IptPerfData) data = NULL;
  GPtrArray *events;
  const IptPerfEvent *e;

  pb_add_attr (b, 8, 0, PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_ID | PB_SAMPLE_CPU, TRUE,
               10, 1);
  pb_add_attr (b, 0, 0, PB_SAMPLE_TIME | PB_SAMPLE_ID | PB_SAMPLE_CPU, TRUE, 20, 1);
  pb_aux (b, 0, 8, 1, &a);
  pb_aux (b, 0, 8, 0, &c);
  bytes = pb_finish (b);
  data = parse_ok (bytes);
  events = ipt_perf_data_get_events (data);
  g_assert_cmpuint (events->len, ==, 2);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->pid, ==, 1);
  g_assert_cmpuint (e->time, ==, 300);
  g_assert_cmpint (e->cpu, ==, 3);
  g_assert_cmpuint (e->flags, ==, 1);
  e = g_ptr_array_index (events, 1);
  g_assert_cmpint (e->pid, ==, -1);
  g_assert_cmpuint (e->time, ==, 600);
  g_assert_cmpint (e->cpu, ==, 1);
}

/* Without sample_id_all there is no trailer: no time, no CPU. */
static void
test_sample_id_none (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId a = { 1, 2, 300, 10, 3 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (IptPerfData) data = NULL;
  const IptPerfEvent *e;
  guint8 fork[24] = { 0 };

  pb_add_attr (b, 8, 0, ST_ALL, FALSE, 10, 1);
  pb_comm (b, 1, 2, FALSE, "one", &a);
  fork[16] = 0x09;                      /* time 0x309 */
  fork[17] = 0x03;
  pb_record (b, 7, 0, fork, sizeof fork, &a);
  bytes = pb_finish (b);
  data = parse_ok (bytes);
  e = g_ptr_array_index (ipt_perf_data_get_events (data), 1);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_FORK);
  g_assert_cmpuint (e->time, ==, 0x309);  /* no sample_id: the record's own time */
  e = g_ptr_array_index (ipt_perf_data_get_events (data), 0);
  g_assert_cmpstr (e->filename, ==, "one");
  g_assert_cmpuint (e->time, ==, 0);
  g_assert_cmpint (e->cpu, ==, -1);
  g_assert_cmpint (e->pid, ==, 1);
}

/* Per-thread queues: the pid from the sideband; gaps from truncated AUX. */
static void
test_per_thread_gaps (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId t = { 50, 51, 10, 1, 0 };
  const guint8 pt[32] = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (IptPerfData) data = NULL;
  const IptPerfQueue *q;

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 1, 1);
  pb_comm (b, 50, 51, FALSE, "worker", &t);
  pb_auxtrace (b, 16, 0, 0, 51, -1, pt, 16);
  /* data lost after 8 bytes (inside the first record) and after 16 */
  pb_aux (b, 0, 8, 1, &t);
  pb_aux (b, 8, 8, 1, &t);
  pb_auxtrace (b, 16, 16, 0, 51, -1, pt, 16);
  /* a truncation at the very end is no gap: nothing follows it */
  pb_aux (b, 16, 16, 1, &t);
  bytes = pb_finish (b);
  data = parse_ok (bytes);
  q = g_ptr_array_index (ipt_perf_data_get_queues (data), 0);
  g_assert_cmpint (q->tid, ==, 51);
  g_assert_cmpint (q->pid, ==, 50);
  g_assert_cmpint (q->cpu, ==, -1);
  g_assert_cmpuint (g_bytes_get_size (q->data), ==, 32);
  g_assert_cmpuint (q->n_gaps, ==, 2);
  g_assert_cmpuint (g_array_index (q->gap_offsets, guint64, 0), ==, 8);
  g_assert_cmpuint (g_array_index (q->gap_offsets, guint64, 1), ==, 16);
  /* truncations do not say how much was lost */
  g_assert_cmpuint (g_array_index (q->gap_lost, guint64, 0), ==, 0);
  g_assert_cmpuint (g_array_index (q->gap_lost, guint64, 1), ==, 0);
}

static void
put_u32 (guint8 *at, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (at, &v, 4);
}

static void
put_u64 (guint8 *at, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (at, &v, 8);
}

/* Every sideband kind but MMAP2 and COMM (above), and TIME_CONV. */
static void
test_sideband_kinds (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId sid = { 42, 43, 5000, 1, 2 };
  guint8 body[64] = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (IptPerfData) data = NULL;
  GPtrArray *events;
  const IptPerfEvent *e;
  guint64 shift, mult, zero;

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 1, 1);
  put_u64 (body, 10);
  put_u64 (body + 8, 20);
  put_u64 (body + 16, 30);
  pb_record (b, 79, 0, body, 24, NULL);                       /* TIME_CONV */
  memset (body, 0, sizeof body);
  put_u32 (body, 50);                                         /* FORK: pid ppid tid ptid time */
  put_u32 (body + 4, 42);
  put_u32 (body + 8, 51);
  put_u32 (body + 12, 43);
  put_u64 (body + 16, 777);
  pb_record (b, 7, 0, body, 24, &sid);
  pb_record (b, 4, 0, body, 24, &sid);                        /* EXIT */
  pb_record (b, 14, 1 << 13, NULL, 0, &sid);                  /* SWITCH out */
  put_u32 (body, 60);
  put_u32 (body + 4, 61);
  pb_record (b, 15, 0, body, 8, &sid);                        /* SWITCH_CPU_WIDE in */
  put_u64 (body, 9);
  put_u64 (body + 8, 3);
  pb_record (b, 2, 0, body, 16, &sid);                        /* LOST */
  pb_record (b, 13, 0, body, 8, &sid);                        /* LOST_SAMPLES */
  memset (body, 0, sizeof body);
  put_u64 (body, 0xffffffffa0000000);                         /* KSYMBOL */
  put_u32 (body + 8, 0x80);
  memcpy (body + 16, "bpf_prog_1", 11);
  pb_record (b, 17, 0, body, 32, &sid);
  memset (body, 0, sizeof body);
  put_u64 (body, 0xffffffff81000000);                         /* TEXT_POKE: 2 old, 3 new */
  body[8] = 2;
  body[10] = 3;
  memcpy (body + 12, "\x90\x90\xcc\xcd\xce", 5);
  pb_record (b, 20, 1, body, 17, &sid);
  put_u32 (body, 42);                                         /* ITRACE_START */
  put_u32 (body + 4, 43);
  pb_record (b, 12, 0, body, 8, &sid);
  memset (body, 0, sizeof body);
  put_u32 (body, 42);                                         /* MMAP */
  put_u32 (body + 4, 43);
  put_u64 (body + 8, 0x1000);
  put_u64 (body + 16, 0x2000);
  put_u64 (body + 24, 0x3000);
  memcpy (body + 32, "/bin/x", 7);
  pb_record (b, 1, 1, body, 40, &sid);
  bytes = pb_finish (b);
  data = parse_ok (bytes);

  g_assert_true (ipt_perf_data_get_time_conv (data, &shift, &mult, &zero));
  g_assert_cmpuint (shift, ==, 10);
  g_assert_cmpuint (mult, ==, 20);
  g_assert_cmpuint (zero, ==, 30);
  events = ipt_perf_data_get_events (data);
  g_assert_cmpuint (events->len, ==, 10);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_FORK);
  g_assert_cmpint (e->pid, ==, 50);
  g_assert_cmpint (e->ppid, ==, 42);
  g_assert_cmpint (e->tid, ==, 51);
  g_assert_cmpint (e->ptid, ==, 43);
  g_assert_cmpuint (e->time, ==, 5000);  /* the sample_id's, not the record's own */
  e = g_ptr_array_index (events, 1);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_EXIT);
  g_assert_cmpuint (e->time, ==, 5000);
  g_assert_cmpint (e->cpu, ==, 2);
  e = g_ptr_array_index (events, 2);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_SWITCH);
  g_assert_true (e->is_out);
  g_assert_cmpint (e->tid, ==, 43);
  g_assert_cmpint (e->ptid, ==, -1);
  e = g_ptr_array_index (events, 3);
  g_assert_false (e->is_out);
  g_assert_cmpint (e->ppid, ==, 60);
  g_assert_cmpint (e->ptid, ==, 61);
  e = g_ptr_array_index (events, 4);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_LOST);
  g_assert_cmpuint (e->length, ==, 3);
  e = g_ptr_array_index (events, 5);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_LOST);
  g_assert_cmpuint (e->length, ==, 9);
  e = g_ptr_array_index (events, 6);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_KSYMBOL);
  g_assert_cmphex (e->address, ==, 0xffffffffa0000000);
  g_assert_cmpuint (e->length, ==, 0x80);
  g_assert_cmpstr (e->filename, ==, "bpf_prog_1");
  e = g_ptr_array_index (events, 7);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_TEXT_POKE);
  g_assert_true (e->is_kernel);
  g_assert_cmpmem (g_bytes_get_data (e->bytes, NULL), g_bytes_get_size (e->bytes), "\xcc\xcd\xce", 3);
  e = g_ptr_array_index (events, 8);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_ITRACE_START);
  g_assert_cmpint (e->tid, ==, 43);
  e = g_ptr_array_index (events, 9);
  g_assert_cmpint (e->kind, ==, IPT_PERF_EVENT_MMAP);
  g_assert_cmphex (e->offset, ==, 0x3000);
  g_assert_cmpuint (e->prot, ==, 0);
  g_assert_cmpstr (e->filename, ==, "/bin/x");
  g_assert_true (e->is_kernel);
}

static void
test_cpu_spec (void)
{
  const char *cpuids[][2] = {
    { "GenuineIntel,6,78,3", "6/78/3" },
    { "GenuineIntel,6,143,8", "6/143/8" },
    { "AuthenticAMD,25,33,0", NULL },
    { "GenuineIntel,6,78", NULL },
    { "GenuineIntel,6,x,3", NULL },
    { "GenuineIntel,6,99999999,3", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cpuids); i++)
    {
      g_autoptr (PerfBuilder) b = pb_new (i % 2, 112);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (IptPerfData) data = NULL;
      g_autofree char *spec = NULL;

      pb_add_cpuid (b, cpuids[i][0]);
      bytes = pb_finish (b);
      data = parse_ok (bytes);
      g_assert_cmpstr (ipt_perf_data_get_cpuid (data), ==, cpuids[i][0]);
      spec = ipt_perf_data_get_cpu_spec (data);
      g_assert_cmpstr (spec, ==, cpuids[i][1]);
    }
}

static void
test_unknown_records (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const guint8 body[16] = { 1, 2, 3 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (IptPerfData) data = NULL;

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 1, 1);
  pb_record (b, 1234, 0, body, sizeof body, NULL);
  pb_record (b, 1234, 0, NULL, 0, NULL);
  pb_record (b, 9, 0, body, sizeof body, NULL);
  bytes = pb_finish (b);
  data = parse_ok (bytes);
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 1234), ==, 2);
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 9), ==, 1);
  g_assert_cmpuint (ipt_perf_data_get_events (data)->len, ==, 0);
  g_assert_cmpuint (ipt_perf_data_get_queues (data)->len, ==, 0);
  g_assert_null (ipt_perf_data_get_pt_info (data));
  g_assert_null (ipt_perf_data_get_cpuid (data));
  g_assert_null (ipt_perf_data_get_cpu_spec (data));
}

/* Every prefix of a file-mode file is an error with an offset; of a pipe
 * one, an error or (cut between records) a shorter recording. */
static void
test_truncated (void)
{
  for (int pipe = 0; pipe < 2; pipe++)
    {
      g_autoptr (PerfBuilder) b = build_recording (pipe, 112, "f");
      g_autoptr (GBytes) bytes = pb_finish (b);
      gsize size = g_bytes_get_size (bytes);
      guint n_errors = 0;

      for (gsize cut = 0; cut < size; cut++)
        {
          g_autoptr (GBytes) part = g_bytes_new_from_bytes (bytes, 0, cut);
          g_autoptr (GError) error = NULL;
          g_autoptr (IptPerfData) data = ipt_perf_data_new_from_bytes (part, NAME, &error);

          if (data == NULL)
            {
              g_assert_nonnull (error);
              g_assert_true (error->domain == IPT_ERROR);
              g_assert_true (g_str_has_prefix (error->message, NAME ": offset 0x"));
              n_errors++;
            }
          else
            g_assert_true (pipe);
        }
      g_test_message ("%s mode: %u of %" G_GSIZE_FORMAT " prefixes refused",
                      pipe ? "pipe" : "file", n_errors, size);
      g_assert_cmpuint (n_errors, >, size / 2);
    }
}

static void
test_auxtrace_past_end (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  g_autoptr (PerfBuilder) p = pb_new (TRUE, 112);
  const guint8 pt[8] = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) pipe_bytes = NULL;
  g_autofree char *at = NULL;

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 1, 1);
  /* says 4 GiB follow, 8 bytes do */
  pb_auxtrace (b, G_GUINT64_CONSTANT (1) << 32, 0, 0, -1, 0, pt, sizeof pt);
  bytes = pb_finish (b);
  /* header 104, one id, one attr entry of 112 + 16: the data starts at 0xf0 */
  assert_fails (bytes, IPT_ERROR_TRUNCATED, "0xf0");

  pb_add_attr (p, 8, 0, ST_ALL, TRUE, 1, 1);
  pb_auxtrace (p, G_MAXUINT64, 0, 0, -1, 0, pt, sizeof pt);
  pipe_bytes = pb_finish (p);
  at = g_strdup_printf ("0x%x", 16 + 8 + 112 + 8);
  assert_fails (pipe_bytes, IPT_ERROR_TRUNCATED, at);
}

static void
test_bad_records (void)
{
  const guint8 tiny[8] = { 1, 0, 0, 0, 0, 0, 4, 0 };   /* MMAP of size 4 */
  const guint8 body[8] = { 0 };

  {
    g_autoptr (PerfBuilder) b = pb_new (TRUE, 112);
    g_autoptr (GBytes) bytes = NULL;

    pb_raw (b, tiny, sizeof tiny);
    bytes = pb_finish (b);
    assert_fails (bytes, IPT_ERROR_CORRUPT, "0x10");
  }
  {
    /* an MMAP2 of 16 bytes: too small for its fields */
    g_autoptr (PerfBuilder) b = pb_new (TRUE, 112);
    g_autoptr (GBytes) bytes = NULL;

    pb_record (b, 10, 0, body, sizeof body, NULL);
    bytes = pb_finish (b);
    assert_fails (bytes, IPT_ERROR_CORRUPT, "0x10");
  }
  {
    /* AUXTRACE_INFO of intel_pt with 3 values */
    g_autoptr (PerfBuilder) b = pb_new (TRUE, 112);
    const guint64 priv[3] = { 0 };
    g_autoptr (GBytes) bytes = NULL;

    pb_auxtrace_info (b, 3, priv, NULL);
    bytes = pb_finish (b);
    assert_fails (bytes, IPT_ERROR_CORRUPT, "0x10");
  }
  {
    /* a filter string longer than its record */
    g_autoptr (PerfBuilder) b = pb_new (TRUE, 112);
    guint64 priv[17];
    g_autoptr (GBytes) bytes = NULL;

    fill_pt_priv (priv);
    priv[16] = 100;
    pb_auxtrace_info (b, 17, priv, "short");
    bytes = pb_finish (b);
    assert_fails (bytes, IPT_ERROR_CORRUPT, "0x10");
  }
  {
    /* one queue, two CPUs */
    g_autoptr (PerfBuilder) b = pb_new (TRUE, 112);
    g_autoptr (GBytes) bytes = NULL;

    pb_auxtrace (b, 8, 0, 0, -1, 0, body, 8);
    pb_auxtrace (b, 8, 8, 0, -1, 1, body, 8);
    bytes = pb_finish (b);
    assert_fails (bytes, IPT_ERROR_CORRUPT, "0x48");
  }
}

static void
test_magic (void)
{
  guint8 header[104] = "PERFILE2";
  g_autoptr (GBytes) le = NULL;
  g_autoptr (GBytes) be = NULL;
  g_autoptr (GBytes) other = NULL;
  g_autoptr (GBytes) v1 = NULL;

  header[8] = 104;
  le = g_bytes_new (header, sizeof header);
  {
    /* an empty file-mode file: no attrs, no data */
    g_autoptr (IptPerfData) data = parse_ok (le);

    g_assert_cmpuint (ipt_perf_data_get_queues (data)->len, ==, 0);
  }
  memcpy (header, "2ELIFREP", 8);
  be = g_bytes_new (header, sizeof header);
  assert_fails (be, IPT_ERROR_NOT_SUPPORTED, "0x0");
  memcpy (header, "PERFFILE", 8);
  v1 = g_bytes_new (header, sizeof header);
  assert_fails (v1, IPT_ERROR_CORRUPT, "0x0");
  other = g_bytes_new ("\177ELF", 4);
  assert_fails (other, IPT_ERROR_TRUNCATED, "0x0");
}

static void
test_from_file (void)
{
  g_autoptr (PerfBuilder) b = build_recording (FALSE, 112, NULL);
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("perf-XXXXXX.data", &path, &error);
  g_autoptr (IptPerfData) data = NULL;

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  data = ipt_perf_data_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ipt_perf_data_get_name (data), ==, path);
  g_assert_cmpuint (ipt_perf_data_get_queues (data)->len, ==, 2);
  g_unlink (path);
  g_assert_null (ipt_perf_data_new_from_file (path, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
}

static void
test_boxed_copies (void)
{
  g_autoptr (PerfBuilder) b = build_recording (FALSE, 112, "x");
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (IptPerfData) data = parse_ok (bytes);
  g_autoptr (IptPerfPtInfo) info = ipt_perf_pt_info_copy (ipt_perf_data_get_pt_info (data));
  g_autoptr (IptPerfQueue) queue = ipt_perf_queue_copy (g_ptr_array_index (ipt_perf_data_get_queues (data), 1));
  g_autoptr (IptPerfEvent) event = ipt_perf_event_copy (g_ptr_array_index (ipt_perf_data_get_events (data), 1));
  GEnumClass *kinds = g_type_class_ref (IPT_TYPE_PERF_EVENT_KIND);

  g_assert_cmpstr (info->filter, ==, "x");
  g_assert_cmpuint (queue->n_gaps, ==, queue->gap_offsets->len);
  g_assert_cmpuint (g_bytes_get_size (queue->data), ==, 24);
  g_assert_cmpstr (event->filename, ==, "/usr/bin/prog");
  g_assert_nonnull (event->build_id);
  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_PERF_QUEUE));
  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_PERF_EVENT));
  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_PERF_PT_INFO));
  g_assert_cmpstr (g_enum_get_value (kinds, IPT_PERF_EVENT_TEXT_POKE)->value_nick, ==, "text-poke");
  g_type_class_unref (kinds);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/perf-data/file-mode", test_file_mode);
  g_test_add_func ("/perf-data/pipe-mode", test_pipe_mode);
  g_test_add_func ("/perf-data/from-file", test_from_file);
  g_test_add_func ("/perf-data/attr/unknown-size", test_attr_unknown_size);
  g_test_add_func ("/perf-data/sample-id/by-identifier", test_sample_id_by_identifier);
  g_test_add_func ("/perf-data/sample-id/by-id-position", test_sample_id_by_id);
  g_test_add_func ("/perf-data/sample-id/none", test_sample_id_none);
  g_test_add_func ("/perf-data/queues/per-thread-gaps", test_per_thread_gaps);
  g_test_add_func ("/perf-data/records/unknown-counted", test_unknown_records);
  g_test_add_func ("/perf-data/features/cpu-spec", test_cpu_spec);
  g_test_add_func ("/perf-data/records/sideband-kinds", test_sideband_kinds);
  g_test_add_func ("/perf-data/bad/truncated-everywhere", test_truncated);
  g_test_add_func ("/perf-data/bad/auxtrace-past-end", test_auxtrace_past_end);
  g_test_add_func ("/perf-data/bad/records", test_bad_records);
  g_test_add_func ("/perf-data/bad/magic", test_magic);
  g_test_add_func ("/perf-data/types/boxed-copies", test_boxed_copies);
  return g_test_run ();
}
