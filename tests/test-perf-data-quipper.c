/* test-perf-data-quipper.c: reads the real perf.data files of
 * $IPT_PERF_DATA_DIR/quipper (an intel_pt recording made on a Skylake, in
 * file and in pipe mode) and checks them against the facts of its
 * MANIFEST.md, which were read with Debian's `perf script -D`: the
 * AUXTRACE_INFO, each queue's size and sha256, the record counts per type
 * (parsed from the MANIFEST's tables), the traced thread and its mmaps.
 *
 * The files live outside the repository; meson registers this test only
 * when the directory exists, so a missing file here is a failure. */
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "test-support.h"

static const char *quipper_dir;
static char *manifest;

/* perf's names of the record types the MANIFEST counts */
static const struct { const char *name; guint32 type; } record_names[] = {
  { "MMAP", 1 }, { "LOST", 2 }, { "COMM", 3 }, { "EXIT", 4 }, { "FORK", 7 },
  { "SAMPLE", 9 }, { "MMAP2", 10 }, { "AUX", 11 }, { "ITRACE_START", 12 },
  { "SWITCH", 14 }, { "SWITCH_CPU_WIDE", 15 }, { "ATTR", 64 },
  { "FINISHED_ROUND", 68 }, { "AUXTRACE_INFO", 70 }, { "AUXTRACE", 71 },
  { "TIME_CONV", 79 }, { "FEATURE", 80 },
};

static guint32
record_type (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (record_names); i++)
    if (strcmp (record_names[i].name, name) == 0)
      return record_names[i].type;
  g_error ("MANIFEST.md names record type %s, unknown to this test", name);
}

static IptPerfData *
open_file (const char *name)
{
  g_autofree char *path = g_build_filename (quipper_dir, name, NULL);
  g_autoptr (GError) error = NULL;
  IptPerfData *data = ipt_perf_data_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (data);
  return data;
}

/* "NAME N, NAME N, ..." of @list: each count as the reader has it; returns how many */
static guint
check_counts (IptPerfData *data, const char *list)
{
  g_autoptr (GRegex) re = g_regex_new ("([A-Z_0-9]+)\\s+([0-9]+)", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  guint n = 0;

  g_regex_match (re, list, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *name = g_match_info_fetch (match, 1);
      g_autofree char *count = g_match_info_fetch (match, 2);

      g_test_message ("%s: %s", name, count);
      g_assert_cmpuint (ipt_perf_data_get_n_records (data, record_type (name)), ==,
                        g_ascii_strtoull (count, NULL, 10));
      n++;
      g_match_info_next (match, NULL);
    }
  return n;
}

static char *
manifest_find (const char *pattern, guint group)
{
  g_autoptr (GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (!g_regex_match (re, manifest, 0, &match))
    g_error ("MANIFEST.md has nothing like /%s/", pattern);
  return g_match_info_fetch (match, group);
}

static const IptPerfQueue *
queue_of_cpu (GPtrArray *queues, gint cpu)
{
  for (guint i = 0; i < queues->len; i++)
    {
      const IptPerfQueue *q = g_ptr_array_index (queues, i);

      if (q->cpu == cpu)
        return q;
    }
  g_error ("no queue of CPU %d", cpu);
}

static void
check_sha256 (const IptPerfQueue *queue)
{
  g_autofree char *pattern = g_strdup_printf ("CPU %d: ([0-9a-f]{64})", queue->cpu);
  g_autofree char *want = manifest_find (pattern, 1);
  g_autofree char *got = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, queue->data);

  g_assert_cmpstr (got, ==, want);
}

static void
test_file_info (void)
{
  g_autoptr (IptPerfData) data = open_file ("perf.data.intel_pt-4.14");
  const IptPerfPtInfo *info = ipt_perf_data_get_pt_info (data);
  guint64 shift, mult, zero, config;
  g_autofree char *cpu = NULL;

  g_assert_false (ipt_perf_data_is_pipe (data));
  g_assert_cmpstr (ipt_perf_data_get_cpuid (data), ==, "GenuineIntel,6,78,3");
  g_assert_nonnull (strstr (manifest, "cpuid `GenuineIntel,6,78,3`"));
  cpu = ipt_perf_data_get_cpu_spec (data);
  g_assert_cmpstr (cpu, ==, "6/78/3");
  g_assert_nonnull (info);
  g_assert_cmpuint (info->pmu_type, ==, 6);
  g_assert_cmpuint (info->time_shift, ==, 31);
  g_assert_cmpuint (info->time_mult, ==, 1789569706);
  g_assert_cmpuint (info->time_zero, ==, G_GUINT64_CONSTANT (18446744041015200657));
  g_assert_true (info->cap_user_time_zero);
  g_assert_cmphex (info->tsc_bit, ==, 0x400);
  g_assert_cmphex (info->noretcomp_bit, ==, 0x800);
  g_assert_cmpuint (info->have_sched_switch, ==, 3);
  g_assert_false (info->snapshot_mode);
  g_assert_true (info->per_cpu_mmaps);
  g_assert_cmphex (info->mtc_bit, ==, 0x200);
  g_assert_cmphex (info->mtc_freq_bits, ==, 0x3c000);
  g_assert_cmpuint (info->tsc_ctc_ratio_n, ==, 100);
  g_assert_cmpuint (info->tsc_ctc_ratio_d, ==, 2);
  g_assert_cmphex (info->cyc_bit, ==, 0x2);
  g_assert_cmpuint (info->max_non_turbo_ratio, ==, 12);
  g_assert_null (info->filter);
  g_assert_nonnull (strstr (manifest, "mult 1789569706, zero 18446744041015200657"));

  g_assert_true (ipt_perf_data_get_time_conv (data, &shift, &mult, &zero));
  g_assert_cmpuint (shift, ==, 31);
  g_assert_cmpuint (mult, ==, 1789569706);
  g_assert_cmpuint (zero, ==, G_GUINT64_CONSTANT (18446744041015200657));
  g_assert_true (ipt_perf_data_get_pt_attr_config (data, &config));
  /* intel_pt//, no u: kernel and user space */
  g_assert_true (ipt_perf_data_get_pt_traces_kernel (data));
  g_assert_cmphex (config, ==, 0x300e601);
}

static void
test_file_queues (void)
{
  g_autoptr (IptPerfData) data = open_file ("perf.data.intel_pt-4.14");
  GPtrArray *queues = ipt_perf_data_get_queues (data);
  const IptPerfQueue *q0, *q3;

  g_assert_cmpuint (queues->len, ==, 2);
  q0 = queue_of_cpu (queues, 0);
  q3 = queue_of_cpu (queues, 3);
  g_assert_cmpuint (q0->index, ==, 0);
  g_assert_cmpuint (q3->index, ==, 3);
  g_assert_cmpuint (g_bytes_get_size (q0->data), ==, 12240);
  g_assert_cmpuint (g_bytes_get_size (q3->data), ==, 137728);
  g_assert_nonnull (strstr (manifest, "size 0x2fd0 = 12,240 bytes"));
  g_assert_nonnull (strstr (manifest, "size 0x21a00 = 137,728 bytes"));
  g_assert_cmpuint (q0->n_records, ==, 1);
  g_assert_cmpuint (q3->n_records, ==, 1);
  g_assert_cmpuint (q0->n_gaps, ==, 0);
  g_assert_cmpuint (q3->n_gaps, ==, 0);
  /* perf 4.14 writes the traced thread into per-CPU AUXTRACE records too */
  g_assert_cmpint (q0->tid, ==, 3174);
  g_assert_cmpint (q0->pid, ==, 3174);
  check_sha256 (q0);
  check_sha256 (q3);
}

static void
test_file_records (void)
{
  g_autoptr (IptPerfData) data = open_file ("perf.data.intel_pt-4.14");
  g_autofree char *row = manifest_find ("\\| records \\| ([^|]*) \\|", 1);

  g_assert_cmpuint (check_counts (data, row), ==, 12);
  g_assert_cmpuint (ipt_perf_data_get_n_records (data, 9999), ==, 0);
}

static void
test_file_sideband (void)
{
  g_autoptr (IptPerfData) data = open_file ("perf.data.intel_pt-4.14");
  GPtrArray *events = ipt_perf_data_get_events (data);
  const char *want[] = { "/usr/bin/coreutils", "/lib64/ld-2.23.so", "[vdso]",
                         "/lib64/libselinux.so.1", "/lib64/libattr.so.1.1.0",
                         "/lib64/librt-2.23.so", "/lib64/libpthread-2.23.so",
                         "/lib64/libc-2.23.so", "/lib64/libpcre.so.1.2.8",
                         "/lib64/libdl-2.23.so" };
  guint n_mmaps = 0, n_exec = 0, n_switches = 0, n_aux = 0, n_itrace = 0, n_exit = 0;
  gboolean saw_ld = FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      const IptPerfEvent *e = g_ptr_array_index (events, i);

      switch (e->kind)
        {
        case IPT_PERF_EVENT_MMAP:
          if (e->pid != 3174)
            break;
          g_assert_cmpuint (n_mmaps, <, G_N_ELEMENTS (want));
          g_assert_cmpstr (e->filename, ==, want[n_mmaps]);
          g_assert_cmpint (e->tid, ==, 3174);
          g_assert_cmpint (e->cpu, ==, 3);
          g_assert_cmpuint (e->prot, ==, 5); /* r-x */
          if (strcmp (e->filename, "/lib64/ld-2.23.so") == 0)
            {
              saw_ld = TRUE;
              g_assert_cmphex (e->address, ==, 0x7fb36d08b000);
              g_assert_cmphex (e->length, ==, 0x227000);
              g_assert_cmpuint (e->time, ==, 641256890766);
              g_assert_cmphex (e->file_offset, ==, 0x6648);
            }
          n_mmaps++;
          break;
        case IPT_PERF_EVENT_COMM:
          if (e->is_exec)
            {
              g_assert_cmpstr (e->filename, ==, "echo");
              g_assert_cmpint (e->pid, ==, 3174);
              g_assert_cmpuint (e->time, ==, 641256847598);
              n_exec++;
            }
          break;
        case IPT_PERF_EVENT_SWITCH:
          g_assert_cmpint (e->cpu, >=, 0);
          g_assert_cmpint (e->cpu, <, 4);
          n_switches++;
          break;
        case IPT_PERF_EVENT_AUX:
          g_assert_cmpuint (e->flags, ==, 0);
          n_aux++;
          break;
        case IPT_PERF_EVENT_ITRACE_START:
          g_assert_cmpint (e->pid, ==, 3174);
          n_itrace++;
          break;
        case IPT_PERF_EVENT_EXIT:
          g_assert_cmpint (e->pid, ==, 3174);
          g_assert_cmpint (e->cpu, ==, 0);
          n_exit++;
          break;
        default:
          break;
        }
    }
  g_assert_cmpuint (n_mmaps, ==, G_N_ELEMENTS (want));
  g_assert_true (saw_ld);
  g_assert_cmpuint (n_exec, ==, 1);
  g_assert_cmpuint (n_switches, ==, 152);
  g_assert_cmpuint (n_aux, ==, 10);
  g_assert_cmpuint (n_itrace, ==, 2);
  g_assert_cmpuint (n_exit, ==, 1);
}

static void
test_pipe (void)
{
  g_autoptr (IptPerfData) data = open_file ("perf.data.piped.intel_pt-4.14");
  g_autofree char *header_row = manifest_find ("as records\\s+\\(([^)]*)\\)", 1);
  g_autofree char *row = manifest_find ("pid/tid 3587;\\s+([^.]*)\\.", 1);
  g_autofree char *cpu0 = manifest_find ("CPU 0 (0x[0-9a-f]+)\\s+bytes", 1);
  g_autofree char *cpu3 = manifest_find ("CPU 3 (0x[0-9a-f]+)\\s+bytes", 1);
  GPtrArray *queues = ipt_perf_data_get_queues (data);
  GPtrArray *events = ipt_perf_data_get_events (data);
  guint n_traced = 0;

  g_assert_true (ipt_perf_data_is_pipe (data));
  g_assert_cmpstr (ipt_perf_data_get_cpuid (data), ==, "GenuineIntel,6,78,3");
  g_assert_nonnull (ipt_perf_data_get_pt_info (data));
  g_assert_cmpuint (ipt_perf_data_get_pt_info (data)->pmu_type, ==, 6);
  g_assert_cmpuint (check_counts (data, header_row), ==, 2);
  g_assert_cmpuint (check_counts (data, row), ==, 6);
  g_assert_cmpuint (queues->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (queue_of_cpu (queues, 0)->data), ==,
                    g_ascii_strtoull (cpu0, NULL, 16));
  g_assert_cmpuint (g_bytes_get_size (queue_of_cpu (queues, 3)->data), ==,
                    g_ascii_strtoull (cpu3, NULL, 16));
  for (guint i = 0; i < events->len; i++)
    {
      const IptPerfEvent *e = g_ptr_array_index (events, i);

      if (e->kind == IPT_PERF_EVENT_ITRACE_START)
        {
          g_assert_cmpint (e->pid, ==, 3587);
          g_assert_cmpint (e->tid, ==, 3587);
          n_traced++;
        }
    }
  g_assert_cmpuint (n_traced, >, 0);
}

/* Who ran on CPU 3 (CPU-wide switch events; the times as `perf script
 * --ns --show-switch-events` prints them), and the traced thread's name
 * changing from perf to echo at its exec. */
static void
test_file_threads (void)
{
  g_autoptr (IptPerfData) data = open_file ("perf.data.intel_pt-4.14");
  g_autoptr (GPtrArray) threads = ipt_perf_data_list_threads (data);
  const IptPerfThread *traced = NULL;
  gint64 pid, tid;
  guint64 until;

  /* 641.256442729 swapper out, next 3174; 641.256445024 3174 in;
   * 641.256472308 3174 out, next 0 */
  g_assert_true (ipt_perf_data_lookup_thread (data, 3, -1, 641256442728, &pid, &tid, &until));
  g_assert_cmpint (tid, ==, 0);
  g_assert_cmpuint (until, ==, 641256442729);
  g_assert_true (ipt_perf_data_lookup_thread (data, 3, -1, 641256442729, &pid, &tid, &until));
  g_assert_cmpint (pid, ==, 3174);
  g_assert_cmpint (tid, ==, 3174);
  g_assert_cmpuint (until, ==, 641256445024);
  g_assert_true (ipt_perf_data_lookup_thread (data, 3, -1, 641256450000, &pid, &tid, &until));
  g_assert_cmpint (pid, ==, 3174);
  g_assert_cmpint (tid, ==, 3174);
  g_assert_cmpuint (until, ==, 641256472308);
  /* 641.256825226 3174 out, next 1760 */
  g_assert_true (ipt_perf_data_lookup_thread (data, 3, -1, 641256826000, &pid, &tid, NULL));
  g_assert_cmpint (tid, ==, 1760);
  /* before CPU 3's first switch (641.255848) nobody is known */
  g_assert_false (ipt_perf_data_lookup_thread (data, 3, -1, 641255000000, &pid, &tid, &until));

  /* the COMM perf synthesized at time 0, then the exec at 641.256847598 */
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 3174, 641256847597), ==, "perf");
  g_assert_cmpstr (ipt_perf_data_get_comm (data, 3174, 641256847598), ==, "echo");

  for (guint i = 0; i < threads->len; i++)
    if (((const IptPerfThread *) g_ptr_array_index (threads, i))->tid == 3174)
      traced = g_ptr_array_index (threads, i);
  g_assert_nonnull (traced);
  g_assert_cmpint (traced->pid, ==, 3174);
  g_assert_cmpstr (traced->comm, ==, "echo");
  /* its last switch out (after its EXIT), seen as the idle task's prev */
  g_assert_cmpuint (traced->last_time, ==, 641258055404);
}

/* ipt-analyze --perf on the real file, whose binaries and kernel are not
 * here: each queue is decoded after its header line, each missing file is
 * one warning naming it and its addresses, the decode reports where its
 * memory is missing — no crash, no silent empty result. */
static void
test_cli_decode (void)
{
  g_autofree char *path = g_build_filename (quipper_dir, "perf.data.intel_pt-4.14", NULL);
  const char *args[] = { "--perf", path, "--no-inst", "--stat", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (test_run_analyze (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "[perf queue 0, cpu 0, tid 3174: 12240 bytes]"));
  g_assert_nonnull (strstr (out, "[perf queue 3, cpu 3, tid 3174: 137728 bytes]"));
  g_assert_nonnull (strstr (out, "error: no memory mapped at this address"));
  g_assert_nonnull (strstr (err, "/lib64/ld-2.23.so, mapped at 0x7fb36d08b000-"));
  g_assert_nonnull (strstr (err, "/usr/bin/coreutils, mapped at "));
  g_assert_null (strstr (err, "error:"));
}

/* --on-cpu 3 --tid 3174: CPU 3's queue only, attributed to the traced
 * thread (under its name before the exec: the queue starts in perf's
 * child), with its statistics and the total. */
static void
test_cli_threads (void)
{
  g_autofree char *path = g_build_filename (quipper_dir, "perf.data.intel_pt-4.14", NULL);
  const char *args[] = { "--perf", path, "--no-inst", "--stat", "--on-cpu", "3", "--tid", "3174",
                         NULL };
  g_autofree char *out = NULL, *err = NULL;
  const char *stats;

  g_assert_cmpint (test_run_analyze (args, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "[perf queue 3, cpu 3, tid 3174: 137728 bytes]\n"
                                        "[thread: pid 3174, tid 3174, comm perf]\n"
                                        "[enabled]\n"));
  g_assert_null (strstr (out, "[perf queue 0"));
  g_assert_null (strstr (out, "tid 1760"));
  stats = strstr (out, "\n[thread: pid 3174, tid 3174, comm echo]\ninsn: 0.\n");
  g_assert_nonnull (stats);
  g_assert_nonnull (strstr (stats, "\n[total]\ninsn: 0.\n"));
  g_assert_null (strstr (err, "nothing these threads ran"));
}

int
main (int argc, char **argv)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  quipper_dir = g_getenv ("IPT_PERF_DATA_DIR");
  g_assert_nonnull (quipper_dir);
  quipper_dir = g_build_filename (quipper_dir, "quipper", NULL);
  path = g_build_filename (quipper_dir, "MANIFEST.md", NULL);
  g_file_get_contents (path, &manifest, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/perf-data/quipper/file/auxtrace-info", test_file_info);
  g_test_add_func ("/perf-data/quipper/file/queues", test_file_queues);
  g_test_add_func ("/perf-data/quipper/file/record-counts", test_file_records);
  g_test_add_func ("/perf-data/quipper/file/sideband", test_file_sideband);
  g_test_add_func ("/perf-data/quipper/file/threads", test_file_threads);
  g_test_add_func ("/perf-data/quipper/pipe", test_pipe);
  g_test_add_func ("/perf-data/quipper/cli/decode-without-the-binaries", test_cli_decode);
  g_test_add_func ("/perf-data/quipper/cli/threads", test_cli_threads);
  return g_test_run ();
}
