/* test-perf-data-threads.c: which thread ran when in a perf.data
 * (ipt_perf_data_lookup_thread), command names over time
 * (ipt_perf_data_get_comm) and the threads a recording names
 * (ipt_perf_data_list_threads), on synthetic files from perf-data-builder.c. */
#include <ipt-analyze/ipt-analyze.h>

#include "perf-data-builder.h"

#define ST_ALL (PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_CPU | PB_SAMPLE_IDENTIFIER)

static IptPerfData *
parse_ok (PerfBuilder *b)
{
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (GError) error = NULL;
  IptPerfData *data = ipt_perf_data_new_from_bytes (bytes, "threads.data", &error);

  g_assert_no_error (error);
  return data;
}

/* Per-CPU: on CPU 0 thread 10/11 starts tracing, is switched out for
 * 20/21 (CPU-wide switches), which gives way to the idle task; on CPU 1
 * the forked 10/12 runs between plain SWITCH in and out. The records are
 * not in time order, as perf writes them round by round. */
static IptPerfData *
build_per_cpu (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId synth = { 10, 11, 0, 1, 0 };
  const PbSampleId start = { 10, 11, 100, 1, 0 }, fork = { 10, 12, 120, 1, 1 };
  const PbSampleId out0 = { 10, 11, 200, 1, 0 }, in0 = { 20, 21, 205, 1, 0 };
  const PbSampleId out1 = { 20, 21, 300, 1, 0 }, idle = { 0, 0, 300, 1, 0 };
  const PbSampleId sh = { 20, 21, 10, 1, 0 }, exec = { 20, 21, 210, 1, 0 };
  const PbSampleId in1 = { 10, 12, 150, 1, 1 }, gone1 = { 10, 12, 250, 1, 1 };

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 1, 1);
  pb_comm (b, 10, 11, FALSE, "parent", &synth);
  pb_comm (b, 20, 21, FALSE, "sh", &sh);
  pb_itrace_start (b, 10, 11, &start);
  pb_fork (b, 10, 10, 12, 11, &fork);
  pb_switch (b, TRUE, TRUE, 20, 21, &out0);
  pb_switch (b, TRUE, TRUE, 0, 0, &out1);
  pb_switch (b, FALSE, TRUE, 20, 21, &idle);
  pb_switch (b, FALSE, TRUE, 10, 11, &in0);
  pb_comm (b, 20, 21, TRUE, "tool", &exec);
  pb_switch (b, FALSE, FALSE, 0, 0, &in1);
  pb_switch (b, TRUE, FALSE, 0, 0, &gone1);
  return parse_ok (b);
}

static void
assert_lookup (IptPerfData *data, gint cpu, guint64 time, gboolean known, gint64 pid,
               gint64 tid, guint64 until)
{
  gint64 got_pid = 7, got_tid = 7;
  guint64 got_until = 7;

  g_test_message ("cpu %d at %" G_GUINT64_FORMAT, cpu, time);
  g_assert_cmpint (ipt_perf_data_lookup_thread (data, cpu, -1, time, &got_pid, &got_tid,
                                                &got_until), ==, known);
  g_assert_cmpint (got_pid, ==, pid);
  g_assert_cmpint (got_tid, ==, tid);
  g_assert_cmpuint (got_until, ==, until);
}

static void
test_per_cpu_switches (void)
{
  g_autoptr (IptPerfData) data = build_per_cpu ();

  assert_lookup (data, 0, 0, FALSE, -1, -1, 100);
  assert_lookup (data, 0, 99, FALSE, -1, -1, 100);
  assert_lookup (data, 0, 100, TRUE, 10, 11, 200);
  assert_lookup (data, 0, 199, TRUE, 10, 11, 200);
  /* switched out: the next thread from then on, before its switch in */
  assert_lookup (data, 0, 200, TRUE, 20, 21, 205);
  assert_lookup (data, 0, 205, TRUE, 20, 21, 300);
  assert_lookup (data, 0, 300, TRUE, 0, 0, G_MAXUINT64);
  assert_lookup (data, 0, G_MAXUINT64, TRUE, 0, 0, G_MAXUINT64);
  /* plain SWITCH: in names the thread; out does not say who follows */
  assert_lookup (data, 1, 149, FALSE, -1, -1, 150);
  assert_lookup (data, 1, 150, TRUE, 10, 12, 250);
  assert_lookup (data, 1, 250, FALSE, -1, -1, G_MAXUINT64);
  /* a CPU without events, and one past them all */
  assert_lookup (data, 2, 150, FALSE, -1, -1, G_MAXUINT64);
  assert_lookup (data, 4096, 150, FALSE, -1, -1, G_MAXUINT64);
}

static void
test_comm_over_time (void)
{
  g_autoptr (IptPerfData) data = build_per_cpu ();

  g_assert_cmpstr (ipt_perf_data_get_comm (data, 11, 0), ==, "parent");
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 11, 1000), ==, "parent");
  g_assert_null (ipt_perf_data_get_comm (data, 21, 9));
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 21, 10), ==, "sh");
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 21, 209), ==, "sh");
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 21, 210), ==, "tool");
  /* no COMM of its own: its parent's name at the fork */
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 12, 130), ==, "parent");
  g_assert_null (ipt_perf_data_get_comm (data, 99, 0));
  g_assert_null (ipt_perf_data_get_comm (data, 0, 300));
}

static void
test_list_threads (void)
{
  g_autoptr (IptPerfData) data = build_per_cpu ();
  g_autoptr (GPtrArray) threads = ipt_perf_data_list_threads (data);
  const gint64 tids[] = { 0, 11, 12, 21 };
  const gint64 pids[] = { 0, 10, 10, 20 };
  const char *comms[] = { NULL, "parent", NULL, "tool" };
  const guint64 firsts[] = { 300, 0, 120, 10 }, lasts[] = { 300, 205, 250, 300 };
  g_autoptr (IptPerfThread) copy = NULL;

  g_assert_cmpuint (threads->len, ==, G_N_ELEMENTS (tids));
  for (guint i = 0; i < threads->len; i++)
    {
      const IptPerfThread *t = g_ptr_array_index (threads, i);

      g_assert_cmpint (t->tid, ==, tids[i]);
      g_assert_cmpint (t->pid, ==, pids[i]);
      g_assert_cmpstr (t->comm, ==, comms[i]);
      g_assert_cmpuint (t->first_time, ==, firsts[i]);
      g_assert_cmpuint (t->last_time, ==, lasts[i]);
    }
  /* the elements stay the recording's; a copy is the caller's */
  copy = ipt_perf_thread_copy (g_ptr_array_index (threads, 3));
  g_assert_cmpstr (copy->comm, ==, "tool");
  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_PERF_THREAD));
}

/* A per-thread queue is its own thread, whatever the time. */
static void
test_per_thread_queue (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId t = { 50, 51, 10, 1, 0 };
  const guint8 pt[16] = { 0 };
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GPtrArray) threads = NULL;
  gint64 pid, tid;
  guint64 until;

  pb_add_attr (b, 8, 0, ST_ALL, TRUE, 1, 1);
  pb_auxtrace (b, 16, 0, 0, 51, -1, pt, 16);
  pb_auxtrace (b, 16, 0, 1, 61, -1, pt, 16);
  pb_comm (b, 50, 51, FALSE, "worker", &t);
  data = parse_ok (b);
  g_assert_true (ipt_perf_data_lookup_thread (data, -1, 51, 5, &pid, &tid, &until));
  g_assert_cmpint (pid, ==, 50);
  g_assert_cmpint (tid, ==, 51);
  g_assert_cmpuint (until, ==, G_MAXUINT64);
  /* a queue's thread that no event names: its pid is not known */
  g_assert_true (ipt_perf_data_lookup_thread (data, -1, 61, 5, &pid, &tid, NULL));
  g_assert_cmpint (pid, ==, -1);
  g_assert_cmpint (tid, ==, 61);
  g_assert_false (ipt_perf_data_lookup_thread (data, -1, -1, 5, NULL, NULL, NULL));
  threads = ipt_perf_data_list_threads (data);
  g_assert_cmpuint (threads->len, ==, 2);
  g_assert_cmpint (((IptPerfThread *) g_ptr_array_index (threads, 1))->tid, ==, 61);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/perf-data/threads/per-cpu-switches", test_per_cpu_switches);
  g_test_add_func ("/perf-data/threads/comm-over-time", test_comm_over_time);
  g_test_add_func ("/perf-data/threads/list", test_list_threads);
  g_test_add_func ("/perf-data/threads/per-thread-queue", test_per_thread_queue);
  return g_test_run ();
}
