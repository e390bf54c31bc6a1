/* test-perf-data-mappings.c: ipt_perf_data_list_mappings() and
 * list_processes() on synthetic perf.data files (perf-data-builder.c):
 * what ends a mapping (a later overlapping mmap, split; exec; exit), what
 * a forked child inherits, time order against file order, untimed
 * recordings, kernel mappings. */
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "perf-data-builder.h"

#define ST_TIMED (PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_CPU | PB_SAMPLE_IDENTIFIER)
#define ST_UNTIMED (PB_SAMPLE_TID | PB_SAMPLE_CPU | PB_SAMPLE_IDENTIFIER)
#define LIB G_GUINT64_CONSTANT (0x7f0000000000)

static const guint8 build_id[20] = { 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                     14, 15, 16, 17, 18 };

static PbSampleId
at (guint32 pid, guint32 tid, guint64 time)
{
  PbSampleId sid = { pid, tid, time, 1, 0 };

  return sid;
}

static PerfBuilder *
new_builder (gboolean timed)
{
  PerfBuilder *b = pb_new (FALSE, 112);

  pb_add_attr (b, 8, 0, timed ? ST_TIMED : ST_UNTIMED, TRUE, 1, 1);
  return b;
}

static IptPerfData *
finish (PerfBuilder *b)
{
  g_autoptr (GBytes) bytes = pb_finish (b);
  g_autoptr (GError) error = NULL;
  IptPerfData *data = ipt_perf_data_new_from_bytes (bytes, "test.data", &error);

  g_assert_no_error (error);
  return data;
}

static void
mmap2 (PerfBuilder *b, guint32 pid, guint64 address, guint64 length, guint64 offset,
       const char *file, guint64 time)
{
  PbSampleId sid = at (pid, pid, time);

  pb_mmap2 (b, pid, pid, address, length, offset, NULL, 0, file, &sid);
}

static void
assert_mapping (GPtrArray *list, guint i, gint64 pid, guint64 address, guint64 length,
                guint64 offset, const char *file, guint64 from, guint64 to)
{
  const IptPerfMapping *m;

  g_assert_cmpuint (i, <, list->len);
  m = g_ptr_array_index (list, i);
  g_test_message ("mapping %u: pid %" G_GINT64_FORMAT " 0x%" G_GINT64_MODIFIER "x+0x%"
                  G_GINT64_MODIFIER "x %s [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")",
                  i, m->pid, m->address, m->length, m->filename, m->valid_from, m->valid_to);
  g_assert_cmpint (m->pid, ==, pid);
  g_assert_cmphex (m->address, ==, address);
  g_assert_cmphex (m->length, ==, length);
  g_assert_cmphex (m->offset, ==, offset);
  g_assert_cmpstr (m->filename, ==, file);
  g_assert_cmpuint (m->valid_from, ==, from);
  g_assert_cmpuint (m->valid_to, ==, to);
}

/* A later mmap ends only the part of an earlier one that it overlaps;
 * kernel mappings are pid -1, listed with every process's. */
static void
test_overlap_splits (void)
{
  g_autoptr (PerfBuilder) b = new_builder (TRUE);
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) all = NULL;
  PbSampleId sid = at (42, 42, 100);
  guint8 body[48] = { 0 };
  const IptPerfMapping *m;

  pb_mmap2 (b, 42, 42, 0x400000, 0x3000, 0, build_id, 20, "/bin/prog", &sid);
  mmap2 (b, 42, LIB, 0x3000, 0x1000, "/lib/one.so", 200);
  mmap2 (b, 42, LIB + 0x1000, 0x1000, 0, "/lib/two.so", 300);
  /* the kernel's: an MMAP with pid -1 and misc KERNEL */
  memset (body, 0xff, 8);
  body[8] = 0x00, body[9] = 0x00, body[10] = 0x00, body[11] = 0x81, memset (body + 12, 0xff, 4);
  body[18] = 0x10;
  memcpy (body + 32, "[kernel]", 9);
  sid = at (-1, 0, 50);
  pb_record (b, 1, 1, body, 48, &sid);
  data = finish (b);

  g_assert_true (ipt_perf_data_has_time (data));
  /* the middle of one.so, ended by two.so, is listed with its end */
  list = ipt_perf_data_list_mappings (data, 42);
  g_assert_cmpuint (list->len, ==, 5);
  assert_mapping (list, 0, 42, 0x400000, 0x3000, 0, "/bin/prog", 100, IPT_TIME_END);
  assert_mapping (list, 1, 42, LIB, 0x1000, 0x1000, "/lib/one.so", 200, IPT_TIME_END);
  assert_mapping (list, 2, 42, LIB + 0x1000, 0x1000, 0x2000, "/lib/one.so", 200, 300);
  assert_mapping (list, 3, 42, LIB + 0x2000, 0x1000, 0x3000, "/lib/one.so", 200, IPT_TIME_END);
  assert_mapping (list, 4, 42, LIB + 0x1000, 0x1000, 0, "/lib/two.so", 300, IPT_TIME_END);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ipt_perf_data_list_mappings (data, -1);
  g_assert_cmpuint (list->len, ==, 6);
  m = g_ptr_array_index (list, 0);
  g_assert_cmpint (m->pid, ==, -1);
  g_assert_true (m->is_kernel);
  g_assert_cmphex (m->address, ==, 0xffffffff81000000);
  g_assert_cmphex (m->length, ==, 0x100000);
  g_assert_cmpuint (m->valid_from, ==, 50);
  g_assert_cmpuint (m->prot, ==, 0);
  assert_mapping (list, 3, 42, LIB + 0x1000, 0x1000, 0x2000, "/lib/one.so", 200, 300);
  m = g_ptr_array_index (list, 1);
  g_assert_nonnull (m->build_id);
  g_assert_cmpmem (g_bytes_get_data (m->build_id, NULL), g_bytes_get_size (m->build_id),
                   build_id, 20);
  g_assert_cmpuint (m->prot, ==, 5);
  g_assert_null (((const IptPerfMapping *) g_ptr_array_index (list, 2))->build_id);
  all = ipt_perf_data_list_mappings (data, 7);
  g_assert_cmpuint (all->len, ==, 0);
}

/* exec ends every mapping of the process, so does its main thread's EXIT;
 * another thread's exit does not. */
static void
test_exec_and_exit (void)
{
  g_autoptr (PerfBuilder) b = new_builder (TRUE);
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GPtrArray) list = NULL;
  PbSampleId sid;

  mmap2 (b, 42, 0x400000, 0x1000, 0, "/bin/sh", 100);
  sid = at (42, 42, 400);
  pb_comm (b, 42, 42, TRUE, "prog", &sid);
  sid = at (42, 42, 410);
  pb_comm (b, 42, 42, FALSE, "renamed", &sid);
  mmap2 (b, 42, 0x500000, 0x1000, 0, "/bin/prog", 450);
  sid = at (42, 43, 800);
  pb_task (b, TRUE, 42, 42, 43, 43, &sid);
  sid = at (42, 42, 900);
  pb_task (b, TRUE, 42, 1, 42, 1, &sid);
  data = finish (b);

  list = ipt_perf_data_list_mappings (data, 42);
  g_assert_cmpuint (list->len, ==, 2);
  assert_mapping (list, 0, 42, 0x400000, 0x1000, 0, "/bin/sh", 100, 400);
  assert_mapping (list, 1, 42, 0x500000, 0x1000, 0, "/bin/prog", 450, 900);
}

/* A forked child inherits what its parent has mapped at the fork, from
 * the fork on; its own mmaps then end only its copies. A new thread (pid
 * = ppid) is no new process. */
static void
test_fork_inherits (void)
{
  g_autoptr (PerfBuilder) b = new_builder (TRUE);
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GPtrArray) parent = NULL, child = NULL, thread = NULL;
  g_autoptr (GArray) pids = NULL;
  PbSampleId sid;

  mmap2 (b, 42, 0x400000, 0x1000, 0, "/bin/prog", 100);
  mmap2 (b, 42, LIB, 0x1000, 0, "/lib/one.so", 150);
  sid = at (42, 44, 300);
  pb_task (b, FALSE, 42, 42, 44, 42, &sid);
  sid = at (50, 50, 500);
  pb_task (b, FALSE, 50, 42, 50, 42, &sid);
  mmap2 (b, 50, LIB, 0x1000, 0, "/lib/two.so", 600);
  data = finish (b);

  parent = ipt_perf_data_list_mappings (data, 42);
  g_assert_cmpuint (parent->len, ==, 2);
  assert_mapping (parent, 0, 42, 0x400000, 0x1000, 0, "/bin/prog", 100, IPT_TIME_END);
  assert_mapping (parent, 1, 42, LIB, 0x1000, 0, "/lib/one.so", 150, IPT_TIME_END);
  child = ipt_perf_data_list_mappings (data, 50);
  g_assert_cmpuint (child->len, ==, 3);
  assert_mapping (child, 0, 50, 0x400000, 0x1000, 0, "/bin/prog", 500, IPT_TIME_END);
  assert_mapping (child, 1, 50, LIB, 0x1000, 0, "/lib/one.so", 500, 600);
  assert_mapping (child, 2, 50, LIB, 0x1000, 0, "/lib/two.so", 600, IPT_TIME_END);
  thread = ipt_perf_data_list_mappings (data, 44);
  g_assert_cmpuint (thread->len, ==, 0);

  pids = ipt_perf_data_list_processes (data);
  g_assert_cmpuint (pids->len, ==, 2);
  g_assert_cmpint (g_array_index (pids, gint64, 0), ==, 42);
  g_assert_cmpint (g_array_index (pids, gint64, 1), ==, 50);
}

/* Timed: the records' times order them, not the file (perf writes each
 * CPU's buffer in turn). */
static void
test_time_order (void)
{
  g_autoptr (PerfBuilder) b = new_builder (TRUE);
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GPtrArray) list = NULL;

  mmap2 (b, 42, LIB, 0x1000, 0, "/lib/two.so", 300);
  mmap2 (b, 42, LIB, 0x1000, 0, "/lib/one.so", 200);
  data = finish (b);

  list = ipt_perf_data_list_mappings (data, 42);
  g_assert_cmpuint (list->len, ==, 2);
  assert_mapping (list, 0, 42, LIB, 0x1000, 0, "/lib/one.so", 200, 300);
  assert_mapping (list, 1, 42, LIB, 0x1000, 0, "/lib/two.so", 300, IPT_TIME_END);
}

/* Untimed: file order decides, every time is 0: what ended is [0, 0);
 * EXIT ends nothing. */
static void
test_untimed (void)
{
  g_autoptr (PerfBuilder) b = new_builder (FALSE);
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GPtrArray) list = NULL;
  PbSampleId sid = at (42, 42, 0);

  mmap2 (b, 42, 0x400000, 0x1000, 0, "/bin/prog", 0);
  mmap2 (b, 42, LIB, 0x1000, 0, "/lib/one.so", 0);
  mmap2 (b, 42, LIB, 0x1000, 0, "/lib/two.so", 0);
  /* a FORK's body has a time even untimed: not used */
  sid.time = 777;
  pb_task (b, FALSE, 50, 42, 50, 42, &sid);
  /* an exit ends nothing untimed: the trace has no time to be before it */
  pb_task (b, TRUE, 42, 1, 42, 1, &sid);
  data = finish (b);

  g_assert_false (ipt_perf_data_has_time (data));
  list = ipt_perf_data_list_mappings (data, -1);
  g_assert_cmpuint (list->len, ==, 5);
  assert_mapping (list, 0, 42, 0x400000, 0x1000, 0, "/bin/prog", 0, IPT_TIME_END);
  assert_mapping (list, 1, 42, LIB, 0x1000, 0, "/lib/one.so", 0, 0);
  assert_mapping (list, 2, 42, LIB, 0x1000, 0, "/lib/two.so", 0, IPT_TIME_END);
  assert_mapping (list, 3, 50, 0x400000, 0x1000, 0, "/bin/prog", 0, IPT_TIME_END);
  assert_mapping (list, 4, 50, LIB, 0x1000, 0, "/lib/two.so", 0, IPT_TIME_END);
}

/* Processes: from COMM, FORK, user MMAPs and queues; not the kernel's -1. */
static void
test_processes (void)
{
  g_autoptr (PerfBuilder) b = new_builder (TRUE);
  g_autoptr (IptPerfData) data = NULL;
  g_autoptr (GArray) pids = NULL;
  const guint8 pt[8] = { 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82 };
  PbSampleId sid = at (7, 7, 10);
  guint8 body[8];
  g_autoptr (IptPerfMapping) copy = NULL;
  g_autoptr (GPtrArray) list = NULL;

  pb_comm (b, 7, 7, TRUE, "seven", &sid);
  mmap2 (b, 30, 0x400000, 0x1000, 0, "/bin/thirty", 20);
  sid = at (5, 5, 30);
  pb_task (b, FALSE, 5, 3, 5, 3, &sid);
  pb_auxtrace (b, sizeof pt, 0, 0, 9, -1, pt, sizeof pt);
  /* only the queue names 9 (its tid's pid, from the ITRACE_START) */
  sid = at (9, 9, 40);
  memcpy (body, "\x09\0\0\0\x09\0\0\0", 8);
  pb_record (b, 12, 0, body, 8, &sid);
  data = finish (b);

  pids = ipt_perf_data_list_processes (data);
  g_assert_cmpuint (pids->len, ==, 5);
  g_assert_cmpint (g_array_index (pids, gint64, 0), ==, 3);
  g_assert_cmpint (g_array_index (pids, gint64, 1), ==, 5);
  g_assert_cmpint (g_array_index (pids, gint64, 2), ==, 7);
  g_assert_cmpint (g_array_index (pids, gint64, 3), ==, 9);
  g_assert_cmpint (g_array_index (pids, gint64, 4), ==, 30);

  list = ipt_perf_data_list_mappings (data, 30);
  copy = ipt_perf_mapping_copy (g_ptr_array_index (list, 0));
  g_assert_cmpstr (copy->filename, ==, "/bin/thirty");
  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_PERF_MAPPING));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/perf-data/mappings/later-overlap-splits-and-ends", test_overlap_splits);
  g_test_add_func ("/perf-data/mappings/exec-and-main-thread-exit-end", test_exec_and_exit);
  g_test_add_func ("/perf-data/mappings/fork-child-inherits", test_fork_inherits);
  g_test_add_func ("/perf-data/mappings/time-order-not-file-order", test_time_order);
  g_test_add_func ("/perf-data/mappings/untimed-file-order", test_untimed);
  g_test_add_func ("/perf-data/processes/from-comm-fork-mmap-queues", test_processes);
  return g_test_run ();
}
