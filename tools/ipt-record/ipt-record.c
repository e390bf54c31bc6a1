/* ipt-record: records an Intel PT trace of a program without PT hardware,
 * by single-stepping it with ptrace and encoding its control flow with
 * libipt's encoder.  It is the project's test oracle: decoding DIR/trace.pt
 * with the code pages in DIR/pages.*, or with the process's core DIR/core
 * and the files it maps, must list exactly DIR/ips.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ipt-record-core.h"
#include "ipt-record-encoder.h"
#include "ipt-record-memory.h"
#include "ipt-record-tracer.h"
#include "ipt-tool-log.h"

#define DEFAULT_PSB_PERIOD 4096

static char *opt_output;
static gint64 opt_psb_period = DEFAULT_PSB_PERIOD;
static gboolean opt_verbose;
static gboolean opt_no_core;
static gboolean opt_version;
static char **opt_argv;

static const GOptionEntry entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Write trace.pt, ips, core, pages.addr and pages.dump into DIR (created if needed)", "DIR" },
  { "no-core", 0, 0, G_OPTION_ARG_NONE, &opt_no_core,
    "Do not write DIR/core (the process's ELF core at its exit)", NULL },
  { "psb-period", 0, 0, G_OPTION_ARG_INT64, &opt_psb_period,
    "Trace bytes between PSB packets (default 4096)", "BYTES" },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    "Print what was recorded and how fast, on stderr", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_argv, NULL, "PROGRAM [ARGS…]" },
  { NULL }
};

typedef struct {
  const char *path;
  GError *error;
  gboolean written;
} CoreJob;

/* At the exit stop: the address space is complete for the last time. */
static void
write_core_at_exit (pid_t pid, const struct user_regs_struct *regs, gpointer user_data)
{
  CoreJob *job = user_data;

  job->written = ipt_record_write_core (pid, regs, job->path, &job->error);
}

static int
fail (const GError *error, int code)
{
  ipt_tool_error ("%s", error->message);
  return code;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IptRecordEncoder) encoder = NULL;
  g_autoptr(IptRecordTracer) tracer = NULL;
  g_autofree char *trace_path = NULL, *ips_path = NULL, *addr_path = NULL, *dump_path = NULL;
  g_autofree char *core_path = NULL;
  CoreJob core_job = { NULL, NULL, FALSE };
  IptRecordMemory *memory;
  int exit_code;
  gint64 start, elapsed;
  double seconds;

  setlocale (LC_ALL, "");
  ipt_tool_log_init ("ipt-record");

  context = g_option_context_new ("-o DIR [--] PROGRAM [ARGS…]");
  g_option_context_set_summary (context,
      "Record an Intel PT trace of PROGRAM by single-stepping it (no PT hardware needed).");
  g_option_context_set_description (context,
      "Exit status: PROGRAM's exit status, or 128+N when signal N killed it;\n"
      "125 when ipt-record fails (including when DIR/core cannot be written: the\n"
      "other files are complete then), 126 when PROGRAM cannot be executed,\n"
      "127 when it is not found.\n"
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
  if (opt_argv == NULL || opt_argv[0] == NULL)
    {
      ipt_tool_error ("missing PROGRAM (try --help)");
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (opt_psb_period < 64 || opt_psb_period > G_MAXINT32)
    {
      ipt_tool_error ("--psb-period %" G_GINT64_FORMAT ": must be between 64 and %d",
                      opt_psb_period, G_MAXINT32);
      return IPT_RECORD_EXIT_FAILURE;
    }

  if (g_mkdir_with_parents (opt_output, 0777) < 0)
    {
      int saved_errno = errno;
      ipt_tool_error ("%s: cannot create directory: %s", opt_output,
                      g_strerror (saved_errno));
      return IPT_RECORD_EXIT_FAILURE;
    }
  trace_path = g_build_filename (opt_output, "trace.pt", NULL);
  ips_path = g_build_filename (opt_output, "ips", NULL);
  addr_path = g_build_filename (opt_output, "pages.addr", NULL);
  dump_path = g_build_filename (opt_output, "pages.dump", NULL);
  core_path = g_build_filename (opt_output, "core", NULL);
  /* A core left from an earlier recording would not match this trace. */
  if (g_remove (core_path) < 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      ipt_tool_error ("%s: cannot remove the previous core: %s", core_path,
                      g_strerror (saved_errno));
      return IPT_RECORD_EXIT_FAILURE;
    }

  encoder = ipt_record_encoder_new (trace_path, ips_path, (gsize) opt_psb_period, &error);
  if (encoder == NULL)
    return fail (error, IPT_RECORD_EXIT_FAILURE);

  start = g_get_monotonic_time ();
  tracer = ipt_record_tracer_spawn (opt_argv, &exit_code, &error);
  if (tracer == NULL)
    return fail (error, exit_code);
  if (!opt_no_core)
    {
      core_job.path = core_path;
      ipt_record_tracer_set_exit_func (tracer, write_core_at_exit, &core_job);
    }
  if (!ipt_record_tracer_run (tracer, encoder, &error) ||
      !ipt_record_encoder_finish (encoder, &error))
    {
      g_clear_error (&core_job.error);
      return fail (error, IPT_RECORD_EXIT_FAILURE);
    }
  elapsed = g_get_monotonic_time () - start;

  memory = ipt_record_tracer_get_memory (tracer);
  if (!ipt_record_memory_write_pagedump (memory, addr_path, dump_path, &error))
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
      g_printerr ("ipt-record: %s: %u pages\n", dump_path,
                  ipt_record_memory_get_n_pages (memory));
      if (core_job.written)
        {
          GStatBuf st;

          if (g_stat (core_path, &st) == 0)
            g_printerr ("ipt-record: %s: %" G_GINT64_FORMAT " bytes\n", core_path,
                        (gint64) st.st_size);
        }
      g_printerr ("ipt-record: %s exited with status %d\n", opt_argv[0],
                  ipt_record_tracer_get_exit_status (tracer));
    }

  /* The trace and the page dump are complete either way: say what is
   * missing, and fail only for a core that was wanted and could be taken. */
  if (core_job.error != NULL)
    {
      ipt_tool_error ("%s: no core written: %s", core_path, core_job.error->message);
      g_clear_error (&core_job.error);
      return IPT_RECORD_EXIT_FAILURE;
    }
  if (!opt_no_core && !core_job.written)
    ipt_tool_warning ("%s: no core written: the program executed another "
                      "program, or ended without stopping at its exit", core_path);

  return ipt_record_tracer_get_exit_status (tracer);
}
