/* wrap-perf-data.c: wraps a raw Intel PT trace and its memory files into
 * the perf.data that `perf record -e intel_pt//u --per-thread` would have
 * written, so that perf and ipt-analyze --perf decode a trace that was not
 * recorded by perf (the corpus's) from the same file.  ipt-record's writer
 * writes it: one per-thread queue, COMM, one MMAP2 per memory file at its
 * address, ITRACE_START, the AUXTRACE, EXIT.
 *
 *   wrap-perf-data [--timed] [--comm NAME] [--pid PID] [--noretcomp]
 *       -o OUT TRACE FILE:ADDRESS[:OFFSET]...
 *
 * The config (TSC, MTC, CYC packets) is the trace's own: its packets are
 * counted, and a trace with MTC packets is refused, as their frequency
 * and the TSC:CTC ratio are not in the trace.  Return compression cannot
 * be seen in the packets: it is allowed unless --noretcomp.  The CPU is
 * unknown: the perf.data has no CPUID.  Timed (--timed, and TSC packets),
 * the TSC is taken for perf's time (the writer's identity conversion,
 * right for ipt-record's traces); the sideband is stamped before any TSC
 * and EXIT after all, so the order is right whatever the clock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-perf-data.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <intel-pt.h>

static char *opt_output;
static char *opt_comm = "wrapped";
static gint opt_pid = 4242;
static gboolean opt_timed;
static gboolean opt_noretcomp;

static const GOptionEntry entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "The perf.data to write", "OUT" },
  { "comm", 0, 0, G_OPTION_ARG_STRING, &opt_comm, "The process's name", "NAME" },
  { "pid", 0, 0, G_OPTION_ARG_INT, &opt_pid, "The process's pid and tid", "PID" },
  { "timed", 0, 0, G_OPTION_ARG_NONE, &opt_timed, "Samples carry the time (perf record -T)",
    NULL },
  { "noretcomp", 0, 0, G_OPTION_ARG_NONE, &opt_noretcomp,
    "The trace was recorded without return compression", NULL },
  { NULL }
};

static gboolean
parse_number (const char *begin, const char *end, guint64 *value)
{
  g_autofree char *text = g_strndup (begin, end - begin);
  char *rest;

  /* 0x... or decimal */
  errno = 0;
  *value = g_ascii_strtoull (text, &rest, 0);
  return text[0] != '\0' && *rest == '\0' && errno == 0;
}

/* FILE:ADDRESS[:OFFSET], the file mapped from OFFSET to its end. */
static gboolean
parse_mmap (const char *arg, IptRecordPerfDataMmap *m, GError **error)
{
  const char *last = strrchr (arg, ':'), *first = NULL;
  g_autofree char *file = NULL;
  guint64 address, offset = 0;
  GStatBuf st;

  if (last != NULL && last > arg)
    first = g_strrstr_len (arg, last - arg, ":");
  if (first != NULL && first > arg && parse_number (first + 1, last, &address) &&
      parse_number (last + 1, last + strlen (last), &offset))
    ;
  else if (last != NULL && last > arg && parse_number (last + 1, last + strlen (last), &address))
    first = last;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: not FILE:ADDRESS[:OFFSET]", arg);
      return FALSE;
    }
  file = g_strndup (arg, first - arg);
  if (g_stat (file, &st) < 0 || (guint64) st.st_size <= offset)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "%s: missing, or not longer than offset 0x%" G_GINT64_MODIFIER "x",
                   file, offset);
      return FALSE;
    }
  /* perf opens the file at the recorded path, from any directory. */
  m->path = g_canonicalize_filename (file, NULL);
  m->is_file = TRUE;
  m->start = address;
  /* To the file's end, not page-rounded as a kernel's vma: ipt-analyze
   * --perf maps a vma's whole length from the file and refuses one past
   * the end of the file. */
  m->end = address + (guint64) st.st_size - offset;
  m->offset = offset;
  m->read = TRUE;
  return TRUE;
}

static void
clear_mmap (gpointer data)
{
  IptRecordPerfDataMmap *m = data;

  g_free ((char *) m->path);
}

/* The config bits that the trace's packets show were on. */
static gboolean
trace_config (const char *trace_path, guint64 *config, GError **error)
{
  g_autofree guint8 *data = NULL;
  gsize size;
  struct pt_config c;
  struct pt_packet_decoder *decoder;
  struct pt_packet packet;
  gboolean mtc = FALSE;
  int status;

  if (!g_file_get_contents (trace_path, (char **) &data, &size, error))
    return FALSE;
  pt_config_init (&c);
  c.begin = data;
  c.end = data + size;
  decoder = pt_pkt_alloc_decoder (&c);
  if (decoder == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a trace (empty?)",
                   trace_path);
      return FALSE;
    }
  for (status = pt_pkt_sync_forward (decoder); status >= 0; )
    {
      status = pt_pkt_next (decoder, &packet, sizeof packet);
      if (status < 0)
        {
          /* Past a bad packet, on at the next PSB. */
          status = status == -pte_eos ? status : pt_pkt_sync_forward (decoder);
          continue;
        }
      if (packet.type == ppt_tsc)
        *config |= IPT_RECORD_PT_CONFIG_TSC;
      else if (packet.type == ppt_cyc)
        *config |= IPT_RECORD_PT_CONFIG_CYC;
      else if (packet.type == ppt_mtc)
        mtc = TRUE;
    }
  pt_pkt_free_decoder (decoder);
  if (mtc)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: MTC packets: their frequency and the TSC:CTC ratio are not "
                   "in the trace", trace_path);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("TRACE FILE:ADDRESS[:OFFSET]...");
  g_autoptr(GArray) mmaps = g_array_new (FALSE, TRUE, sizeof (IptRecordPerfDataMmap));
  g_autoptr(GError) error = NULL;
  /* HEADER_CMDLINE: the command line as given, before the options are taken out. */
  g_auto(GStrv) cmdline = g_strdupv (argv);
  IptRecordPerfDataInfo info = { 0 };

  g_array_set_clear_func (mmaps, clear_mmap);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (opt_output == NULL || argc < 3)
    {
      g_printerr ("wrap-perf-data: usage: wrap-perf-data -o OUT TRACE FILE:ADDRESS[:OFFSET]...\n");
      return 2;
    }
  for (int i = 2; i < argc; i++)
    {
      IptRecordPerfDataMmap m = { 0 };

      if (!parse_mmap (argv[i], &m, &error))
        goto fail;
      g_array_append_val (mmaps, m);
    }
  info.pt_config = IPT_RECORD_PT_CONFIG_PT | IPT_RECORD_PT_CONFIG_BRANCH |
                   (opt_noretcomp ? IPT_RECORD_PT_CONFIG_NORETCOMP : 0);
  if (!trace_config (argv[1], &info.pt_config, &error))
    goto fail;
  info.pid = opt_pid;
  info.ppid = 1;
  info.comm = opt_comm;
  info.mmaps = mmaps;
  /* The trace's time is unknown: the sideband comes first, EXIT last. */
  info.start_time = 1;
  info.end_time = G_MAXINT64;
  info.timed = opt_timed;
  info.cmdline = (const char *const *) cmdline;
  info.cpuid = "";
  if (!ipt_record_perf_data_write (opt_output, argv[1], &info, &error))
    goto fail;
  return 0;

fail:
  g_printerr ("wrap-perf-data: %s\n", error->message);
  return 1;
}
