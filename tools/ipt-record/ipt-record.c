/* ipt-record: records an Intel PT trace of a program without PT hardware,
 * by single-stepping it with ptrace and encoding its control flow with
 * libipt's encoder.  It is the project's test oracle: decoding DIR/trace.pt
 * with the code pages in DIR/pages.*, or with the process's core DIR/core
 * and the files it maps, must list exactly DIR/ips; so must perf, from
 * DIR/perf.data (ipt-record-perf-data.c).
 *
 * With --qemu-log it records no program: it turns a QEMU guest's execution
 * log into a trace of the guest (every privilege level), reading the code
 * from the guest's snapshot through the qemu plugin (ipt-record-qemu.c).
 *
 * SIGINT, SIGTERM and SIGHUP stop the recording, not ipt-record: the trace
 * ends where the program was, every file is written, the program is
 * killed, and then ipt-record dies of the same signal, so that its caller
 * (a shell, a script, timeout) sees it was interrupted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ipt-record-clock.h"
#include "ipt-record-core.h"
#include "ipt-record-encoder.h"
#include "ipt-record-mappings.h"
#include "ipt-record-memory.h"
#include "ipt-record-output.h"
#include "ipt-record-perf-data.h"
#include "ipt-record-proc.h"
#include "ipt-record-qemu.h"
#include "ipt-record-qemu-log.h"
#include "ipt-record-tracer.h"
#include "ipt-tool-log.h"

#define DEFAULT_PSB_PERIOD 4096

static char *opt_output;
static gint64 opt_psb_period = DEFAULT_PSB_PERIOD;
static gboolean opt_verbose;
static gboolean opt_no_core;
static gboolean opt_version;
static char **opt_argv;
static char *opt_qemu_log;
static char *opt_snapshot;
static char **opt_plugins;
static char *opt_cr3;
static char *opt_perf_data;

static const GOptionEntry entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Write trace.pt, ips, core, pages.addr, pages.dump, perf.data (and pages.jitdump) into DIR "
    "(created if needed)", "DIR" },
  { "no-core", 0, 0, G_OPTION_ARG_NONE, &opt_no_core,
    "Do not write DIR/core (the process's ELF core at its exit)", NULL },
  { "perf-data", 0, 0, G_OPTION_ARG_STRING, &opt_perf_data,
    "DIR/perf.data, as perf record -e intel_pt//u --per-thread writes it: timed "
    "(default: samples carry the time, as with perf record -T), untimed, or none", "MODE" },
  { "psb-period", 0, 0, G_OPTION_ARG_INT64, &opt_psb_period,
    "Trace bytes between PSB packets (default 4096)", "BYTES" },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    "Print what was recorded and how fast, on stderr", NULL },
  { "qemu-log", 0, 0, G_OPTION_ARG_FILENAME, &opt_qemu_log,
    "Record no program: turn this QEMU execution log (-singlestep -d exec,cpu,nochain) "
    "into DIR/trace.pt and DIR/ips", "LOG" },
  { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &opt_snapshot,
    "With --qemu-log: the guest's memory, a snapshot the qemu plugin reads", "FILE" },
  { "plugin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_plugins,
    "With --qemu-log: more guest memory, from a plugin, as ipt-analyze --plugin "
    "(after --snapshot; repeatable)", "NAME[:KEY=VALUE,…]" },
  { "cr3", 0, 0, G_OPTION_ARG_STRING, &opt_cr3,
    "With --qemu-log: trace only the code that runs with this CR3, as Intel PT's "
    "CR3 filter", "CR3" },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_argv, NULL, "PROGRAM [ARGS…]" },
  { NULL }
};

/* The signal that asked to stop, 0 until one did. */
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal (int sig)
{
  if (stop_signal == 0)
    stop_signal = sig;
}

/* Without SA_RESTART: the tracer's waitpid() must return to look at the
 * flag.  A signal ignored when we started (nohup, a background job) stays
 * ignored. */
static void
install_stop_handlers (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      struct sigaction action = { 0 }, old;

      if (sigaction (signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        continue;
      action.sa_handler = on_stop_signal;
      sigemptyset (&action.sa_mask);
      sigaction (signals[i], &action, NULL);
    }
}

static const char *
stop_signal_name (int sig)
{
  switch (sig)
    {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

/* Ends as the signal would have ended us without the handler. */
static int
die_of_stop_signal (void)
{
  int sig = stop_signal;

  signal (sig, SIG_DFL);
  raise (sig);
  return 128 + sig;
}

typedef struct {
  const char *path;       /* the core, or NULL for none */
  GError *error;
  gboolean written;
  GArray *vmas;           /* for perf.data: the mappings, NULL until read */
} CoreJob;

/* The mappings perf.data's MMAP2 records describe; NULL when unreadable. */
static GArray *
read_vmas (pid_t pid)
{
  IptRecordProc proc;
  GArray *vmas;

  if (!ipt_record_proc_open (&proc, pid, NULL))
    return NULL;
  vmas = ipt_record_proc_read_vmas (&proc, NULL);
  ipt_record_proc_close (&proc);
  return vmas;
}

/* At the exit stop: the address space is complete for the last time. */
static void
write_core_at_exit (pid_t pid, const struct user_regs_struct *regs, gpointer user_data)
{
  CoreJob *job = user_data;
  GArray *vmas = read_vmas (pid);

  /* Every library is mapped by now; else keep those at the start. */
  if (vmas != NULL)
    {
      g_clear_pointer (&job->vmas, g_array_unref);
      job->vmas = vmas;
    }
  if (job->path != NULL)
    job->written = ipt_record_write_core (pid, regs, job->path, &job->error);
}

/* After an mmap or mprotect: which code appeared, and when. */
static void
note_mappings (pid_t pid, guint64 time, gpointer user_data)
{
  g_autoptr(GArray) vmas = read_vmas (pid);

  ipt_record_mappings_update (user_data, vmas, time);
}

/* DIR/perf.data from the finished trace and what the tracer saw. */
static gboolean
write_perf_data (IptRecordTracer *tracer, GArray *vmas, GArray *vma_times, const char *path,
                 const char *trace_path, guint64 start_time, guint64 end_time,
                 char **cmdline, GError **error)
{
  IptRecordPerfDataInfo info = { 0 };
  g_autofree char *comm = NULL;

  info.pid = ipt_record_tracer_get_pid (tracer);
  info.ppid = getpid ();
  /* /proc/PID is gone by now: the name exec gives (TASK_COMM_LEN - 1). */
  comm = g_path_get_basename (opt_argv[0]);
  if (strlen (comm) > 15)
    comm[15] = '\0';
  info.comm = comm;
  info.vmas = vmas;
  info.vma_times = vma_times;
  info.start_time = start_time;
  info.end_time = end_time;
  info.timed = g_strcmp0 (opt_perf_data, "untimed") != 0;
  info.cmdline = (const char *const *) cmdline;
  return ipt_record_perf_data_write (path, trace_path, &info, error);
}

static int
fail (const GError *error, int code)
{
  ipt_tool_error ("%s", error->message);
  return code;
}

/* The guest's memory: --snapshot through the qemu plugin (its path set
 * directly, so that it needs no quoting), then every --plugin. */
static IptImage *
build_guest_image (GError **error)
{
  IptPluginRegistry *registry = ipt_plugin_registry_get_default ();
  g_autoptr(IptImage) image = ipt_image_new ("ipt-record");

  if (opt_snapshot != NULL)
    {
      IptPlugin *plugin = ipt_plugin_registry_lookup (registry, "qemu");
      const char *names[] = { "snapshot" };
      GValue values[1] = { G_VALUE_INIT };
      g_autoptr(IptMemoryProvider) provider = NULL;

      if (plugin == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                       "--snapshot: the qemu plugin was not found (searched IPT_PLUGIN_PATH and %s)",
                       ipt_plugin_registry_get_installed_dir ());
          return NULL;
        }
      g_value_init (&values[0], G_TYPE_STRING);
      g_value_set_string (&values[0], opt_snapshot);
      provider = ipt_plugin_new_provider_with_properties (plugin, 1, names, values, NULL, error);
      g_value_unset (&values[0]);
      if (provider == NULL)
        return NULL;
      ipt_image_add_provider (image, provider);
    }
  for (guint i = 0; opt_plugins != NULL && opt_plugins[i] != NULL; i++)
    {
      g_autoptr(IptMemoryProvider) provider =
        ipt_plugin_registry_new_provider (registry, opt_plugins[i], NULL, error);

      if (provider == NULL)
        {
          g_prefix_error (error, "--plugin %s: ", opt_plugins[i]);
          return NULL;
        }
      ipt_image_add_provider (image, provider);
    }
  return g_steal_pointer (&image);
}

/* ipt-record --qemu-log LOG: a guest's trace from its execution log. */
static int
record_qemu_log (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IptImage) image = NULL;
  g_autoptr(GArray) log_entries = NULL;
  g_autoptr(IptRecordOutput) output = NULL;
  g_autoptr(IptRecordEncoder) encoder = NULL;
  g_autofree char *trace_temp = NULL, *ips_temp = NULL, *trace_path = NULL;
  IptRecordQemuStats stats;
  guint64 cr3_filter = IPT_ASID_NO_CR3;

  if (opt_cr3 != NULL)
    {
      gboolean hex = g_str_has_prefix (opt_cr3, "0x") || g_str_has_prefix (opt_cr3, "0X");

      if (!g_ascii_string_to_unsigned (opt_cr3 + (hex ? 2 : 0), hex ? 16 : 10, 0,
                                       G_MAXUINT64 - 1, &cr3_filter, NULL))
        {
          ipt_tool_error ("--cr3 %s: not a number (decimal or 0x-hex)", opt_cr3);
          return IPT_RECORD_EXIT_FAILURE;
        }
    }
  if (opt_argv != NULL && opt_argv[0] != NULL)
    {
      ipt_tool_error ("--qemu-log records no PROGRAM (%s given)", opt_argv[0]);
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (opt_snapshot == NULL && opt_plugins == NULL)
    {
      ipt_tool_error ("--qemu-log needs the guest's memory: --snapshot FILE or --plugin");
      return IPT_RECORD_EXIT_FAILURE;
    }

  image = build_guest_image (&error);
  if (image == NULL)
    return fail (error, IPT_RECORD_EXIT_FAILURE);
  log_entries = ipt_record_qemu_log_load (opt_qemu_log, &error);
  if (log_entries == NULL)
    return fail (error, IPT_RECORD_EXIT_FAILURE);

  output = ipt_record_output_new (opt_output, &error);
  if (output == NULL)
    return fail (error, IPT_RECORD_EXIT_FAILURE);
  trace_path = ipt_record_output_get_path (output, "trace.pt");
  trace_temp = ipt_record_output_get_temp_path (output, "trace.pt");
  ips_temp = ipt_record_output_get_temp_path (output, "ips");
  encoder = ipt_record_encoder_new (trace_temp, ips_temp, (gsize) opt_psb_period, &error);
  if (encoder == NULL ||
      !ipt_record_qemu_convert (opt_qemu_log, log_entries, image, cr3_filter, encoder, &stats,
                                &error) ||
      !ipt_record_encoder_finish (encoder, &error) ||
      !ipt_record_output_commit (output, &error))
    return fail (error, IPT_RECORD_EXIT_FAILURE);

  if (opt_verbose)
    {
      g_printerr ("ipt-record: %s: %" G_GUINT64_FORMAT " logged instructions, %"
                  G_GUINT64_FORMAT " before long mode (not traced), %" G_GUINT64_FORMAT
                  " REP iterations, %" G_GUINT64_FORMAT " not executed (faults), %"
                  G_GUINT64_FORMAT " interrupts, %" G_GUINT64_FORMAT " of other CR3s\n",
                  opt_qemu_log, stats.n_entries, stats.n_skipped, stats.n_iterations,
                  stats.n_not_executed, stats.n_interrupts, stats.n_filtered);
      g_printerr ("ipt-record: %s: %" G_GUINT64_FORMAT " instructions, %" G_GUINT64_FORMAT
                  " bytes, %" G_GUINT64_FORMAT " PSBs\n", trace_path,
                  ipt_record_encoder_get_n_insns (encoder),
                  ipt_record_encoder_get_trace_size (encoder),
                  ipt_record_encoder_get_n_psbs (encoder));
    }
  return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IptRecordEncoder) encoder = NULL;
  g_autoptr(IptRecordTracer) tracer = NULL;
  g_autoptr(IptRecordOutput) output = NULL;
  g_autofree char *trace_path = NULL, *dump_path = NULL, *versions_path = NULL;
  g_autofree char *core_path = NULL, *core_temp = NULL;
  g_autofree char *trace_temp = NULL, *ips_temp = NULL, *addr_temp = NULL, *dump_temp = NULL;
  g_autofree char *versions_temp = NULL;
  CoreJob core_job = { NULL, NULL, FALSE, NULL };
  g_autofree char *perf_temp = NULL;
  g_auto(GStrv) cmdline = g_strdupv (argv);
  g_autoptr(GArray) vmas = NULL;
  g_autoptr(GArray) vma_times = NULL;
  g_autoptr(IptRecordMappings) mappings = NULL;
  guint64 start_time, end_time;
  IptRecordMemory *memory;
  gboolean core_failed;
  int exit_code;
  gint64 start, elapsed;
  double seconds;

  setlocale (LC_ALL, "");
  ipt_tool_log_init ("ipt-record");

  context = g_option_context_new ("-o DIR [--] PROGRAM [ARGS…] | "
                                   "--qemu-log LOG --snapshot FILE [--cr3 CR3] -o DIR");
  g_option_context_set_summary (context,
      "Record an Intel PT trace of PROGRAM by single-stepping it (no PT hardware needed).");
  g_option_context_set_description (context,
      "Exit status: PROGRAM's exit status, or 128+N when signal N killed it;\n"
      "125 when ipt-record fails (including when DIR/core cannot be written: the\n"
      "other files are complete then), 126 when PROGRAM cannot be executed,\n"
      "127 when it is not found.  Stopped by SIGINT, SIGTERM or SIGHUP, it writes\n"
      "what was recorded, kills PROGRAM, and dies of that signal (130 for SIGINT).\n"
      "See ipt-record(1).");
  g_option_context_add_main_entries (context, entries, NULL);
  /* PROGRAM's own options are not ours: stop at the first non-option. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (error, IPT_RECORD_EXIT_FAILURE);

  if (opt_version)
    {
      g_print ("ipt-record %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (opt_output == NULL)
    {
      ipt_tool_error ("missing -o DIR (try --help)");
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (opt_psb_period < 64 || opt_psb_period > G_MAXINT32)
    {
      ipt_tool_error ("--psb-period %" G_GINT64_FORMAT ": must be between 64 and %d",
                      opt_psb_period, G_MAXINT32);
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (opt_perf_data != NULL && strcmp (opt_perf_data, "timed") != 0 &&
      strcmp (opt_perf_data, "untimed") != 0 && strcmp (opt_perf_data, "none") != 0)
    {
      ipt_tool_error ("--perf-data %s: must be timed, untimed or none", opt_perf_data);
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (opt_qemu_log != NULL)
    return record_qemu_log ();
  if (opt_snapshot != NULL || opt_plugins != NULL || opt_cr3 != NULL)
    {
      ipt_tool_error ("--snapshot, --plugin and --cr3 go with --qemu-log");
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (opt_argv == NULL || opt_argv[0] == NULL)
    {
      ipt_tool_error ("missing PROGRAM (try --help)");
      return IPT_RECORD_EXIT_FAILURE;
    }

  /* From here on a stop signal ends the recording, not us. */
  install_stop_handlers ();
  /* Files go to DIR only when complete: until then the earlier run stays. */
  output = ipt_record_output_new (opt_output, &error);
  if (output == NULL)
    return fail (error, IPT_RECORD_EXIT_FAILURE);
  trace_path = ipt_record_output_get_path (output, "trace.pt");
  dump_path = ipt_record_output_get_path (output, "pages.dump");
  versions_path = ipt_record_output_get_path (output, "pages.jitdump");
  core_path = ipt_record_output_get_path (output, "core");
  trace_temp = ipt_record_output_get_temp_path (output, "trace.pt");
  ips_temp = ipt_record_output_get_temp_path (output, "ips");
  addr_temp = ipt_record_output_get_temp_path (output, "pages.addr");
  dump_temp = ipt_record_output_get_temp_path (output, "pages.dump");
  versions_temp = ipt_record_output_get_temp_path (output, "pages.jitdump");
  core_temp = ipt_record_output_get_temp_path (output, "core");
  perf_temp = ipt_record_output_get_temp_path (output, "perf.data");

  encoder = ipt_record_encoder_new (trace_temp, ips_temp, (gsize) opt_psb_period, &error);
  if (encoder == NULL)
    return fail (error, IPT_RECORD_EXIT_FAILURE);

  start = g_get_monotonic_time ();
  tracer = ipt_record_tracer_spawn (opt_argv, &exit_code, &error);
  if (tracer == NULL)
    return fail (error, exit_code);
  ipt_record_tracer_set_stop_flag (tracer, &stop_signal);
  if (!opt_no_core)
    core_job.path = core_temp;
  /* The mappings at the start stand in when there is no exit stop (exec). */
  core_job.vmas = read_vmas (ipt_record_tracer_get_pid (tracer));
  ipt_record_tracer_set_exit_func (tracer, write_core_at_exit, &core_job);
  mappings = ipt_record_mappings_new (core_job.vmas);
  if (g_strcmp0 (opt_perf_data, "none") != 0)
    ipt_record_tracer_set_map_func (tracer, note_mappings, mappings);
  /* Before the first packet: perf.data's sideband precedes the trace. */
  start_time = ipt_record_clock_now ();
  if (!ipt_record_tracer_run (tracer, encoder, &error) ||
      !ipt_record_encoder_finish (encoder, &error))
    {
      g_clear_error (&core_job.error);
      g_clear_pointer (&core_job.vmas, g_array_unref);
      return fail (error, IPT_RECORD_EXIT_FAILURE);
    }
  end_time = ipt_record_clock_now ();
  vmas = ipt_record_mappings_finish (mappings, core_job.vmas, &vma_times);
  g_clear_pointer (&core_job.vmas, g_array_unref);
  elapsed = g_get_monotonic_time () - start;

  memory = ipt_record_tracer_get_memory (tracer);
  if (!ipt_record_memory_write_pagedump (memory, addr_temp, dump_temp, &error))
    return fail (error, IPT_RECORD_EXIT_FAILURE);
  /* Only when code was rewritten: else an earlier run's is removed. */
  if (ipt_record_memory_get_n_rewritten (memory) > 0 &&
      !ipt_record_memory_write_versions (memory, versions_temp, &error))
    return fail (error, IPT_RECORD_EXIT_FAILURE);
  if (g_strcmp0 (opt_perf_data, "none") != 0 &&
      !write_perf_data (tracer, vmas, vma_times, perf_temp, trace_temp, start_time, end_time,
                        cmdline, &error))
    {
      g_clear_error (&core_job.error);
      return fail (error, IPT_RECORD_EXIT_FAILURE);
    }
  /* The other files are complete even when the core failed. */
  if (!ipt_record_output_commit (output, &error))
    return fail (error, IPT_RECORD_EXIT_FAILURE);

  if (opt_verbose)
    {
      guint64 n_insns = ipt_record_encoder_get_n_insns (encoder);
      guint64 n_steps = ipt_record_tracer_get_n_steps (tracer);

      seconds = MAX (elapsed, 1) / 1e6;
      g_printerr ("ipt-record: %s: %" G_GUINT64_FORMAT " instructions, %" G_GUINT64_FORMAT
                  " steps, %" G_GUINT64_FORMAT " signals in %.3f s (%.0f steps/s)\n",
                  opt_argv[0], n_insns, n_steps, ipt_record_tracer_get_n_signals (tracer),
                  seconds, n_steps / seconds);
      g_printerr ("ipt-record: %s: %" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " PSBs\n",
                  trace_path, ipt_record_encoder_get_trace_size (encoder),
                  ipt_record_encoder_get_n_psbs (encoder));
      if (ipt_record_memory_get_n_rewritten (memory) == 0)
        g_printerr ("ipt-record: %s: %u pages\n", dump_path,
                    ipt_record_memory_get_n_pages (memory));
      else
        g_printerr ("ipt-record: %s: %u pages (their last versions); %u rewritten while "
                    "running, earlier versions: %u, every version in %s\n", dump_path,
                    ipt_record_memory_get_n_pages (memory),
                    ipt_record_memory_get_n_rewritten (memory),
                    ipt_record_memory_get_n_earlier_versions (memory), versions_path);
      if (core_job.written)
        {
          GStatBuf st;

          if (g_stat (core_path, &st) == 0)
            g_printerr ("ipt-record: %s: %" G_GINT64_FORMAT " bytes\n", core_path,
                        (gint64) st.st_size);
        }
      if (!ipt_record_tracer_was_stopped (tracer))
        g_printerr ("ipt-record: %s exited with status %d\n", opt_argv[0],
                    ipt_record_tracer_get_exit_status (tracer));
    }

  /* The trace and the page dump are complete either way: say what is
   * missing, and fail only for a core that was wanted and could be taken. */
  core_failed = core_job.error != NULL;
  if (core_failed)
    {
      ipt_tool_error ("%s: no core written: %s", core_path, core_job.error->message);
      g_clear_error (&core_job.error);
    }
  else if (!opt_no_core && !core_job.written)
    ipt_tool_warning ("%s: no core written: the program executed another "
                      "program, or ended without stopping at its exit", core_path);

  if (stop_signal != 0)
    {
      ipt_tool_warning ("stopped by %s after %" G_GUINT64_FORMAT " instructions%s; "
                        "the recording is complete up to there",
                        stop_signal_name (stop_signal), ipt_record_encoder_get_n_insns (encoder),
                        ipt_record_tracer_was_stopped (tracer) ? " (the program was killed)" : "");
      /* raise() does not return: the temporary folder goes first. */
      g_clear_pointer (&output, ipt_record_output_free);
      return die_of_stop_signal ();
    }
  if (core_failed)
    return IPT_RECORD_EXIT_FAILURE;
  return ipt_record_tracer_get_exit_status (tracer);
}
