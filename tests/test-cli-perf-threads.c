/* test-cli-perf-threads.c: ipt-analyze --perf's threads on synthetic perf.data
 * files (perf-data-builder.c around trace-builder.c's loop): the
 * "[thread: …]" lines of a per-CPU queue split by its switch events,
 * --pid/--tid/--on-cpu, --fields columns, --stat per thread, filters that
 * match nothing, and a queue's gap decoded as two pieces. */
#include <string.h>

#include <glib/gstdio.h>

#include "perf-data-builder.h"
#include "test-support.h"
#include "trace-builder.h"

#define ST_ALL (PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_CPU | PB_SAMPLE_IDENTIFIER)

/* The loop's 15 instructions, as --no-inst lists them. */
#define LOOP_IPS \
  "0000000000001000\n" \
  "0000000000001003\n0000000000001006\n000000000000100a\n" \
  "0000000000001003\n0000000000001006\n000000000000100a\n" \
  "0000000000001003\n0000000000001006\n000000000000100a\n" \
  "000000000000100c\n0000000000001016\n0000000000001019\n0000000000001011\n" \
  "000000000000101d\n"

/* Its first 13, up to the ret. */
#define LOOP_UP_TO_RET \
  "0000000000001000\n" \
  "0000000000001003\n0000000000001006\n000000000000100a\n" \
  "0000000000001003\n0000000000001006\n000000000000100a\n" \
  "0000000000001003\n0000000000001006\n000000000000100a\n" \
  "000000000000100c\n0000000000001016\n0000000000001019\n"

typedef struct {
  char *dir;
  char *code;
  char *perf;
} Fixture;

/* AUXTRACE_INFO: intel_pt's PMU 8, the identity TSC conversion (time =
 * TSC), per-CPU or per-thread AUX areas. */
static void
put_info (PerfBuilder *b, gboolean per_cpu)
{
  const guint64 priv[17] = { 8, 0, 1, 0, 1, 0x400, 0x800, 3, 0, per_cpu, 0x200, 0x3c000, 100,
                             2, 0x2, 12, 0 };

  pb_add_attr (b, 8, 0x400, ST_ALL, TRUE, 1, 1);
  pb_auxtrace_info (b, 17, priv, NULL);
}

static void
write_file (const char *path, GBytes *bytes)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
}

/* CPU 0 runs 10/11 (alpha) from 50, switched out at 200 for 20/21
 * (beta); its trace holds one loop run at TSC 100 and one at 300. */
static GBytes *
build_per_cpu (void)
{
  g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
  const PbSampleId start = { 10, 11, 50, 1, 0 }, out = { 10, 11, 200, 1, 0 };
  const PbSampleId in = { 20, 21, 201, 1, 0 }, synth = { 0, 0, 0, 1, 0 };
  g_autoptr (GBytes) trace = NULL;
  TraceBuilder tb;

  trace_builder_init (&tb);
  trace_builder_put_loop_run_at (&tb, 100);
  trace_builder_put_loop_run_at (&tb, 300);
  trace = trace_builder_finish (&tb);

  put_info (b, TRUE);
  pb_comm (b, 10, 11, FALSE, "alpha", &synth);
  pb_comm (b, 20, 21, FALSE, "beta", &synth);
  pb_itrace_start (b, 10, 11, &start);
  pb_switch (b, TRUE, TRUE, 20, 21, &out);
  pb_switch (b, FALSE, TRUE, 10, 11, &in);
  pb_auxtrace (b, g_bytes_get_size (trace), 0, 0, 11, 0, g_bytes_get_data (trace, NULL),
               g_bytes_get_size (trace));
  return pb_finish (b);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) perf = build_per_cpu ();

  fixture->dir = g_dir_make_tmp ("test-cli-perf-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->code = g_build_filename (fixture->dir, "code.bin", NULL);
  fixture->perf = g_build_filename (fixture->dir, "perf.data", NULL);
  g_assert_true (g_file_set_contents (fixture->code, (const char *) trace_builder_loop_code,
                                      trace_builder_loop_code_size, &error));
  g_assert_no_error (error);
  write_file (fixture->perf, perf);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_unlink (fixture->code);
  g_unlink (fixture->perf);
  g_rmdir (fixture->dir);
  g_free (fixture->code);
  g_free (fixture->perf);
  g_free (fixture->dir);
}

/* ipt-analyze --perf PERF --raw CODE:0x1000 --no-inst ARGS…: its exit status */
static int
run (Fixture *fixture, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autofree char *raw = g_strdup_printf ("%s:0x1000", fixture->code);
  const char *arg;
  va_list ap;
  int status;

  g_ptr_array_add (args, "--perf");
  g_ptr_array_add (args, fixture->perf);
  g_ptr_array_add (args, "--raw");
  g_ptr_array_add (args, raw);
  g_ptr_array_add (args, "--no-inst");
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  status = test_run_analyze ((const char *const *) args->pdata, out, err);
  g_assert_cmpint (status, <, 128);   /* exited, not killed */
  return status;
}

/* With either decoder: the thread is looked up again where libipt reads
 * the trace (a block, an event, after a branch). */
static void
test_thread_lines (Fixture *fixture, gconstpointer data)
{
  const char *decoders[] = { "--block-decoder", "--insn-decoder" };

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run (fixture, &out, &err, decoders[i], NULL), ==, 0);
      g_assert_cmpstr (out, ==,
                       "[perf queue 0, cpu 0, tid 11: 100 bytes]\n"
                       "[thread: pid 10, tid 11, comm alpha]\n"
                       "[enabled]\n" LOOP_IPS "[disabled]\n"
                       "[thread: pid 20, tid 21, comm beta]\n"
                       "[enabled]\n" LOOP_IPS "[disabled]\n");
      g_assert_cmpstr (err, ==, "");
    }
}

static void
test_filters (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (fixture, &out, &err, "--tid", "21", NULL), ==, 0);
  g_assert_cmpstr (out, ==,
                   "[perf queue 0, cpu 0, tid 11: 100 bytes]\n"
                   "[thread: pid 20, tid 21, comm beta]\n"
                   "[enabled]\n" LOOP_IPS "[disabled]\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* pids and tids both hold; lists and repeated options add up */
  g_assert_cmpint (run (fixture, &out, &err, "--pid", "7,10", "--tid", "5", "--tid", "11",
                        "--on-cpu", "0", NULL), ==, 0);
  g_assert_cmpstr (out, ==,
                   "[perf queue 0, cpu 0, tid 11: 100 bytes]\n"
                   "[thread: pid 10, tid 11, comm alpha]\n"
                   "[enabled]\n" LOOP_IPS "[disabled]\n");
  g_assert_cmpstr (err, ==, "");
}

static void
test_fields (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (run (fixture, &out, &err, "--fields", "time,comm,tid,pid,cpu", NULL), ==, 0);
  lines = test_split_lines (out);
  /* the columns in their fixed order, whatever the order asked */
  g_assert_cmpstr (lines[3], ==, "[000]      10      11 alpha                0.000000100 "
                                 "0000000000001000");
  g_assert_cmpstr (lines[21], ==, "[000]      20      21 beta                 0.000000300 "
                                  "0000000000001000");
  g_assert_cmpstr (lines[35], ==, "[000]      20      21 beta                 0.000000300 "
                                  "000000000000101d");
  /* the event lines have none */
  g_assert_cmpstr (lines[2], ==, "[enabled]");
}

static void
test_stat_per_thread (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;

  /* the block decoder (the default) makes 6 blocks of the first run
   * (the first after the PSB+), 5 of the second */
  g_assert_cmpint (run (fixture, &out, &err, "--stat", "--quiet", NULL), ==, 0);
  g_assert_cmpstr (out, ==,
                   "[thread: pid 10, tid 11, comm alpha]\n"
                   "insn: 15.\nblocks:\t6.\nerrors: 0.\nevents: 2.\n"
                   "  enabled: 1.\n  disabled: 1.\n"
                   "[thread: pid 20, tid 21, comm beta]\n"
                   "insn: 15.\nblocks:\t5.\nerrors: 0.\nevents: 2.\n"
                   "  enabled: 1.\n  disabled: 1.\n"
                   "[total]\n"
                   "insn: 30.\nblocks:\t11.\nerrors: 0.\nevents: 4.\n"
                   "  enabled: 2.\n  disabled: 2.\n");
}

/* A filter that matches nothing is a warning naming what exists, never
 * a silent empty listing. */
static void
test_filters_matching_nothing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (fixture, &out, &err, "--tid", "99", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[perf queue 0, cpu 0, tid 11: 100 bytes]\n");
  g_assert_nonnull (strstr (err, "ipt-analyze: warning: "));
  g_assert_nonnull (strstr (err, "--tid 99: nothing these threads ran was decoded; the "
                                 "recording's threads (pid/tid): 10/11 (alpha), 20/21 (beta)\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (fixture, &out, &err, "--on-cpu", "3", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--on-cpu 3: no queue of these CPUs; the recording's CPUs: 0\n"));
}

static void
test_usage (Fixture *fixture, gconstpointer data)
{
  const char *const cases[][3] = {
    { "--tid", "5", "--tid only applies to --perf" },
    { "--pid", "5", "--pid only applies to --perf" },
    { "--on-cpu", "0", "--on-cpu only applies to --perf" },
    { "--fields", "tid", "--fields only applies to --perf" },
  };
  g_autofree char *raw = g_strdup_printf ("%s:0x1000", fixture->code);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "--pt", fixture->code, "--raw", raw, cases[i][0], cases[i][1],
                             NULL };
      g_autofree char *err = NULL;

      g_assert_cmpint (test_run_analyze (args, NULL, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i][2]));
    }
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run (fixture, &out, &err, "--fields", "tid,ip", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--fields 'tid,ip': expected a comma-separated list of cpu"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (fixture, &out, &err, "--tid", "1,x", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--tid '1,x': expected comma-separated decimal numbers"));
  }
}

/* A per-thread queue that lost AUX data: two pieces, each from a PSB; the
 * first cut inside its last packet. Each is decoded on its own after a
 * "[gap: …]" line: the cut packet is the first piece's end, not garbage in
 * front of the second's PSB. Records whose AUX offsets leave a hole say how
 * much was lost; a truncated PERF_RECORD_AUX does not. */
static void
test_gap (Fixture *fixture, gconstpointer data)
{
  const PbSampleId synth = { 50, 51, 0, 1, 0 };
  g_autoptr (GBytes) run1 = NULL, run2 = NULL;
  TraceBuilder tb;
  gsize cut;

  trace_builder_init (&tb);
  trace_builder_put_loop_run (&tb);
  run1 = trace_builder_finish (&tb);
  trace_builder_init (&tb);
  trace_builder_put_loop_run (&tb);
  run2 = trace_builder_finish (&tb);
  /* the TIP.PGD's last bytes lost */
  cut = g_bytes_get_size (run1) - 3;

  for (guint truncated = 0; truncated < 2; truncated++)
    {
      g_autoptr (PerfBuilder) b = pb_new (FALSE, 112);
      g_autoptr (GBytes) perf = NULL;
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *expected = NULL, *gap = NULL;

      put_info (b, FALSE);
      pb_comm (b, 50, 51, FALSE, "worker", &synth);
      pb_auxtrace (b, cut, 0, 0, 51, -1, g_bytes_get_data (run1, NULL), cut);
      if (truncated)
        pb_aux (b, 0, cut, 1, &synth);
      pb_auxtrace (b, g_bytes_get_size (run2), truncated ? cut : cut + 0x100, 0, 51, -1,
                   g_bytes_get_data (run2, NULL), g_bytes_get_size (run2));
      perf = pb_finish (b);
      write_file (fixture->perf, perf);

      g_assert_cmpint (run (fixture, &out, &err, NULL), ==, 0);
      gap = truncated ? g_strdup_printf ("[gap: data lost at offset 0x%" G_GSIZE_MODIFIER
                                         "x of the queue]\n", cut)
                      : g_strdup_printf ("[gap: 256 bytes lost at offset 0x%" G_GSIZE_MODIFIER
                                         "x of the queue]\n", cut);
      expected = g_strdup_printf ("[perf queue 0, tid 51: %" G_GSIZE_FORMAT " bytes, with gaps]\n"
                                  "[thread: pid 50, tid 51, comm worker]\n"
                                  /* the run up to the ret, whose TIP was cut off */
                                  "[enabled]\n" LOOP_UP_TO_RET "%s"
                                  /* the second piece whole: no error between */
                                  "[thread: pid 50, tid 51, comm worker]\n"
                                  "[enabled]\n" LOOP_IPS "[disabled]\n",
                                  cut + g_bytes_get_size (run2), gap);
      g_assert_cmpstr (out, ==, expected);
      g_assert_cmpstr (err, ==, "");
    }
}

/* The analyses over all queues, after the thread filters: --stat --json
 * per thread and in total, coverage of what the kept threads ran. */
static void
test_analyses (Fixture *fixture, gconstpointer data)
{
  g_autofree char *blocks = g_build_filename (fixture->dir, "blocks.txt", NULL);
  g_autofree char *arg = g_strdup_printf ("--coverage=blocks:%s", blocks);
  g_autofree char *out = NULL, *all = NULL, *alpha = NULL;

  g_assert_cmpint (run (fixture, &out, NULL, "--stat", "--json", "--quiet", arg, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"threads\" : ["));
  g_assert_nonnull (strstr (out, "\"comm\" : \"alpha\""));
  g_assert_nonnull (strstr (out, "\"comm\" : \"beta\""));
  g_assert_nonnull (strstr (out, "\"insns\" : 30"));
  g_assert_true (g_file_get_contents (blocks, &all, NULL, NULL));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (fixture, &out, NULL, "--stat", "--json", "--quiet", "--pid", "10", arg,
                        NULL), ==, 0);
  g_assert_null (strstr (out, "\"comm\" : \"beta\""));
  g_assert_nonnull (strstr (out, "\"insns\" : 15"));
  g_assert_true (g_file_get_contents (blocks, &alpha, NULL, NULL));
  /* the loop ran twice, once per thread: the same blocks, half the counts */
  g_assert_cmpstr (all, ==,
                   "blocks 4\nblock 0x1000 0x100a 4 2\nblock 0x1003 0x100a 3 4\n"
                   "block 0x100c 0x1019 3 2\nblock 0x1011 0x101d 2 2\n"
                   "edges 4\nedge 0x100a 0x1003 4 conditional\nedge 0x100a 0x100c 2 conditional\n"
                   "edge 0x1019 0x1011 2\nedge 0x101d 0x2000 2 exit\n");
  g_assert_cmpstr (alpha, ==,
                   "blocks 4\nblock 0x1000 0x100a 4 1\nblock 0x1003 0x100a 3 2\n"
                   "block 0x100c 0x1019 3 1\nblock 0x1011 0x101d 2 1\n"
                   "edges 4\nedge 0x100a 0x1003 2 conditional\nedge 0x100a 0x100c 1 conditional\n"
                   "edge 0x1019 0x1011 1\nedge 0x101d 0x2000 1 exit\n");
  g_unlink (blocks);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cli/perf/threads/lines-where-the-thread-changes", test_thread_lines);
  ADD ("/cli/perf/threads/filters", test_filters);
  ADD ("/cli/perf/threads/fields", test_fields);
  ADD ("/cli/perf/threads/stat-per-thread", test_stat_per_thread);
  ADD ("/cli/perf/threads/filters-matching-nothing", test_filters_matching_nothing);
  ADD ("/cli/perf/threads/usage", test_usage);
  ADD ("/cli/perf/gap-decoded-as-two-pieces", test_gap);
  ADD ("/cli/perf/threads/analyses", test_analyses);
  return g_test_run ();
}
