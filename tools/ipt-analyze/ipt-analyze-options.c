/* ipt-analyze-options.c: parses ipt-analyze's command line into
 * IptAnalyzeOptions. Only syntax is checked here (every error is one line
 * and exit status 2); opening files and plugins happens later. --raw, --elf
 * and --plugin are GOption callbacks so that their order is kept: it is the
 * providers' priority. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ipt-analyze-options.h"
#include "ipt-echo.h"
#include "ipt-number.h"

#define EXIT_CODES_TEXT \
  "Memory sources (--raw, --elf, --kcore, --plugin) are consulted in command-line\n" \
  "order: the first one that maps an address wins. Numbers are decimal or 0x-hex.\n" \
  "\n" \
  "FILE:FROM-TO and FILE:BASE are split at the last ':' only when what follows is\n" \
  "entirely a range or number and no file of the whole name exists (that file wins).\n" \
  "A suffix that starts with a digit or '-' but is no range or number is an error.\n" \
  "\n" \
  "--elf FILE:BASE puts the page of FILE's lowest PT_LOAD at BASE (a PIE or shared\n" \
  "object; BASE 0 = FILE's own addresses). The disassembly listing names code that\n" \
  "an ELF file's symbol table names: '0000000000401136 <main+0x4>  mov eax, 0x00'.\n" \
  "\n" \
  "--calls, --folded, --chrome-trace, --coverage and --stat run in one decode; their\n" \
  "files are opened before it. 'ipt-analyze merge KIND:OUTPUT INPUT...' combines the\n" \
  "afl, blocks-json and stat-json results of separate runs (ipt-analyze merge --help).\n" \
  "\n" \
  "Exit status:\n" \
  "  0  success; decode errors are part of the listing and do not change it (as ptxed)\n" \
  "  1  runtime failure: a file or plugin could not be opened (or an output file\n" \
  "     written), the --pt file has no\n" \
  "     PSB (nothing decodes), is a perf.data or shorter than the range, --read hit\n" \
  "     unmapped memory or a file that changed, the output could not be written\n" \
  "  2  bad command line, a plugin option included (unknown, missing or malformed)\n" \
  "  3  incomplete result: the decode stopped before the end of the trace (a file\n" \
  "     changed under it, or the stall limit); what was decoded up to there is listed\n"

static const char * const coverage_kind_names[] = {
  [IPT_ANALYZE_COVERAGE_AFL] = "afl",
  [IPT_ANALYZE_COVERAGE_DRCOV] = "drcov",
  [IPT_ANALYZE_COVERAGE_LCOV] = "lcov",
  [IPT_ANALYZE_COVERAGE_BLOCKS] = "blocks",
  [IPT_ANALYZE_COVERAGE_BLOCKS_JSON] = "blocks-json",
};

const char *
ipt_analyze_coverage_kind_get_name (IptAnalyzeCoverageKind kind)
{
  return coverage_kind_names[kind];
}

gboolean
ipt_analyze_coverage_kind_from_name (const char *name, IptAnalyzeCoverageKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (coverage_kind_names); i++)
    if (g_str_equal (name, coverage_kind_names[i]))
      {
        *kind = (IptAnalyzeCoverageKind) i;
        return TRUE;
      }
  return FALSE;
}

static void
output_file_free (gpointer data)
{
  IptAnalyzeOutputFile *output = data;

  if (output == NULL)
    return;
  g_free (output->option);
  g_free (output->file);
  g_free (output);
}

static void
source_free (gpointer data)
{
  IptAnalyzeSource *source = data;

  g_free (source->option);
  g_free (source->file);
  g_free (source->spec);
  g_free (source);
}

/* Whether @suffix, the part after a ':' that did not parse, still looks
 * like a number or range the user meant: empty, or starting with a digit
 * or '-' ("0x", "-5", "1.pt"). Anything else belongs to the file name. */
static gboolean
looks_like_a_number (const char *suffix)
{
  return suffix[0] == '\0' || suffix[0] == '-' || g_ascii_isdigit (suffix[0]);
}

/* The last ':' of @arg when what follows may be a suffix: none when @arg,
 * whole, names an existing file (a name like "run:1-2.pt" wins over a
 * range). g_file_test() does not open, so a FIFO does not block here. */
static char *
suffix_colon (const char *arg)
{
  char *colon = strrchr (arg, ':');

  if (colon == NULL || g_file_test (arg, G_FILE_TEST_EXISTS))
    return NULL;
  return colon;
}

/* ptxed's FILE[:FROM[-TO]]: cuts the range off @arg when the part after
 * the last ':' is one, entirely (both numbers, FROM < TO); otherwise the
 * ':' belongs to the file name, unless that part looks like a mistyped
 * range ("0x", "-5", "1-2.pt", "0x10-0x8"): then returns FALSE. An
 * existing file of the whole name is never cut. @to is 0 when no end was
 * given. */
gboolean
ipt_analyze_split_range (char *arg, guint64 *from, guint64 *to)
{
  char *colon = suffix_colon (arg);
  g_autofree char *range = NULL;
  guint64 f = 0, t = 0;
  char *dash;

  *from = 0;
  *to = 0;
  if (colon == NULL)
    return TRUE;

  range = g_strdup (colon + 1);
  dash = strchr (range, '-');
  if (dash != NULL)
    *dash = '\0';
  if (!ipt_number_parse_full (range, &f) ||
      (dash != NULL && (!ipt_number_parse_full (dash + 1, &t) || t <= f)))
    return !looks_like_a_number (colon + 1);
  *from = f;
  *to = t;
  *colon = '\0';
  return TRUE;
}

/* ptxed's FILE[:BASE], split as ipt_analyze_split_range() splits a range:
 * at the last ':' only when what follows is a number and the whole
 * argument names no existing file. A suffix that starts like a number but
 * is not one ("a.out:0x40zz", "a.out:") is a mistyped base. BASE 0 means
 * no relocation, as in ptxed. Returns FALSE for a bad value. */
gboolean
ipt_analyze_split_elf (const char *arg, char **file, guint64 *base, gboolean *have_base)
{
  const char *colon = suffix_colon (arg);

  *file = NULL;
  *base = 0;
  *have_base = FALSE;
  if (arg[0] == '\0')
    return FALSE;
  if (colon != NULL && ipt_number_parse_full (colon + 1, base))
    {
      if (colon == arg)
        return FALSE;
      *file = g_strndup (arg, (gsize) (colon - arg));
      *have_base = *base != 0;
      return TRUE;
    }
  if (colon != NULL && looks_like_a_number (colon + 1))
    return FALSE;
  *file = g_strdup (arg);
  return TRUE;
}

/* How much of a --plugin specification a message quotes: the library's
 * own message quotes the option at fault, and the file names whole. */
#define SPEC_CHARS 256

/* @value as a message quotes it: valid UTF-8 (a name's other bytes as
 * \xNN), cut with "…" past @max characters. */
static char *
echo (const char *value, gsize max)
{
  return ipt_echo (value, -1, max);
}

static gboolean
bad_value (GError **error, const char *option, const char *value, const char *expected)
{
  g_autofree char *shown = echo (value, IPT_ECHO_PATH_CHARS);

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s '%s': expected %s", option, shown, expected);
  return FALSE;
}

/* A FILE:SUFFIX whose suffix starts like a range but is none, and no file
 * of the whole name exists: say both, as either may be the typo. */
static gboolean
malformed_range (GError **error, const char *option, const char *value, const char *file,
                 const char *syntax)
{
  g_autofree char *shown = echo (value, IPT_ECHO_PATH_CHARS);
  g_autofree char *range = echo (strrchr (file, ':') + 1, IPT_ECHO_VALUE_CHARS);

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s '%s': malformed range '%s' (expected %s with FROM < TO, decimal or "
               "0x-hex), and no file of the whole name exists", option, shown, range, syntax);
  return FALSE;
}

/* A new memory source of @kind from @option @value, appended in
 * command-line order (its priority); @value is quoted in messages. */
static IptAnalyzeSource *
add_source (IptAnalyzeOptions *options, IptAnalyzeSourceKind kind, const char *option,
            const char *value, gsize max)
{
  IptAnalyzeSource *source = g_new0 (IptAnalyzeSource, 1);
  g_autofree char *shown = echo (value, max);

  source->option = g_strdup_printf ("%s '%s'", option, shown);
  source->kind = kind;
  g_ptr_array_add (options->sources, source);
  return source;
}

static gboolean
on_pt (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  g_autofree char *file = g_strdup (value);

  if (options->pt_file != NULL)
    {
      g_autofree char *shown = echo (value, IPT_ECHO_PATH_CHARS);
      g_autofree char *first = echo (options->pt_file, IPT_ECHO_PATH_CHARS);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pt '%s': only one trace can be given (already '%s')", shown, first);
      return FALSE;
    }
  if (!ipt_analyze_split_range (file, &options->pt_from, &options->pt_to))
    return malformed_range (error, "--pt", value, file, "FILE[:FROM[-TO]]");
  if (file[0] == '\0')
    return bad_value (error, "--pt", value, "FILE[:FROM[-TO]] with FROM < TO");
  options->pt_file = g_steal_pointer (&file);
  return TRUE;
}

static gboolean
on_raw (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  g_autofree char *file = g_strdup (value);
  IptAnalyzeSource *source;
  guint64 base, from, to;
  char *colon;

  colon = strrchr (file, ':');
  if (colon == NULL || !ipt_number_parse_full (colon + 1, &base))
    return bad_value (error, "--raw", value, "FILE[:FROM[-TO]]:BASE");
  *colon = '\0';
  if (!ipt_analyze_split_range (file, &from, &to))
    return malformed_range (error, "--raw", value, file, "FILE[:FROM[-TO]]:BASE");
  if (file[0] == '\0')
    return bad_value (error, "--raw", value, "FILE[:FROM[-TO]]:BASE");

  source = add_source (options, IPT_ANALYZE_SOURCE_RAW, "--raw", value, IPT_ECHO_PATH_CHARS);
  source->file = g_steal_pointer (&file);
  source->offset = from;
  source->size = to != 0 ? to - from : 0;
  source->base = base;
  return TRUE;
}

static gboolean
on_elf (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  IptAnalyzeSource *source;
  g_autofree char *file = NULL;
  guint64 base;
  gboolean have_base;

  if (!ipt_analyze_split_elf (value, &file, &base, &have_base))
    return bad_value (error, "--elf", value,
                      "FILE[:BASE] with BASE a decimal or 0x-hex number");

  source = add_source (options, IPT_ANALYZE_SOURCE_ELF, "--elf", value, IPT_ECHO_PATH_CHARS);
  source->file = g_steal_pointer (&file);
  source->base = base;
  source->have_base = have_base;
  return TRUE;
}

static gboolean
on_kcore (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  IptAnalyzeSource *source;

  if (value[0] == '\0')
    return bad_value (error, "--kcore", value, "a copy of /proc/kcore or a vmlinux");
  source = add_source (options, IPT_ANALYZE_SOURCE_KCORE, "--kcore", value,
                       IPT_ECHO_PATH_CHARS);
  source->file = g_strdup (value);
  return TRUE;
}

static gboolean
on_plugin (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  IptAnalyzeSource *source;

  if (value[0] == '\0' || value[0] == ':' || value[0] == ',')
    return bad_value (error, "--plugin", value, "NAME[:KEY=VALUE[,KEY=VALUE...]]");

  source = add_source (options, IPT_ANALYZE_SOURCE_PLUGIN, "--plugin", value, SPEC_CHARS);
  source->spec = g_strdup (value);
  return TRUE;
}

static gboolean
on_read (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  g_autofree char *text = g_strdup (value);
  char *colon = strrchr (text, ':');

  if (colon == NULL)
    return bad_value (error, "--read", value, "ADDRESS:SIZE");
  *colon = '\0';
  if (!ipt_number_parse_full (text, &options->read_address) ||
      !ipt_number_parse_full (colon + 1, &options->read_size) ||
      options->read_size == 0)
    return bad_value (error, "--read", value, "ADDRESS:SIZE with SIZE > 0");
  if (options->read_address + options->read_size - 1 < options->read_address)
    return bad_value (error, "--read", value, "a range that does not wrap around");
  options->have_read = TRUE;
  return TRUE;
}

static gboolean
on_cr3 (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;

  if (!ipt_number_parse_full (value, &options->cr3))
    return bad_value (error, "--cr3", value, "a number");
  options->have_cr3 = TRUE;
  return TRUE;
}

/* --pid, --tid, --on-cpu: comma-separated numbers, the option repeatable. */
static gboolean
on_number_list (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  g_auto (GStrv) items = g_strsplit (value, ",", 0);
  GArray **list = g_str_equal (name, "--pid") ? &options->pids
                  : g_str_equal (name, "--tid") ? &options->tids : &options->on_cpus;

  if (*list == NULL)
    *list = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; items[i] != NULL; i++)
    {
      guint64 number;
      gint64 item;

      if (!g_ascii_string_to_unsigned (items[i], 10, 0, G_MAXINT32, &number, NULL))
        return bad_value (error, name, value, "comma-separated decimal numbers");
      item = (gint64) number;
      g_array_append_val (*list, item);
    }
  return TRUE;
}

static gboolean
on_fields (const char *name, const char *value, gpointer data, GError **error)
{
  static const struct { const char *name; IptPerfFields field; } known[] = {
    { "cpu", IPT_PERF_FIELD_CPU }, { "pid", IPT_PERF_FIELD_PID }, { "tid", IPT_PERF_FIELD_TID },
    { "comm", IPT_PERF_FIELD_COMM }, { "time", IPT_PERF_FIELD_TIME },
  };
  IptAnalyzeOptions *options = data;
  g_auto (GStrv) items = g_strsplit (value, ",", 0);

  for (guint i = 0; items[i] != NULL; i++)
    {
      guint k;

      for (k = 0; k < G_N_ELEMENTS (known) && !g_str_equal (items[i], known[k].name); k++)
        ;
      if (k == G_N_ELEMENTS (known))
        return bad_value (error, "--fields", value, "a comma-separated list of cpu, pid, tid, "
                          "comm, time");
      options->fields |= known[k].field;
    }
  return TRUE;
}

static gboolean
on_stall_limit (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;

  if (!ipt_number_parse_full (value, &options->stall_limit))
    return bad_value (error, "--stall-limit", value, "a number of instructions (0: no limit)");
  options->have_stall_limit = TRUE;
  return TRUE;
}

static gboolean
on_time (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;

  if (g_strcmp0 (value, "latest") == 0)
    options->time = IPT_TIME_END;
  else if (!ipt_number_parse_full (value, &options->time))
    return bad_value (error, "--time", value, "nanoseconds of CLOCK_MONOTONIC, or 'latest'");
  options->have_time = TRUE;
  return TRUE;
}

/* perf's TSC conversion, as perf.data's TIME_CONV and `perf report
 * --header` show it: time_zero:time_mult:time_shift. */
static gboolean
on_tsc_conversion (const char *name, const char *value, gpointer data, GError **error)
{
  static const char expected[] = "ZERO:MULT:SHIFT (perf's time_zero, time_mult >= 1, time_shift < 64)";
  IptAnalyzeOptions *options = data;
  g_auto(GStrv) parts = g_strsplit (value, ":", -1);
  guint64 zero, mult, shift;

  if (g_strv_length (parts) != 3 || !ipt_number_parse_full (parts[0], &zero) ||
      !ipt_number_parse_full (parts[1], &mult) || !ipt_number_parse_full (parts[2], &shift) ||
      mult == 0 || mult > G_MAXUINT32 || shift > 63)
    return bad_value (error, "--tsc-conversion", value, expected);
  options->tsc_zero = zero;
  options->tsc_mult = (guint32) mult;
  options->tsc_shift = (guint16) shift;
  options->have_tsc_conversion = TRUE;
  return TRUE;
}

static gboolean
on_insn_decoder (const char *name, const char *value, gpointer data, GError **error)
{
  ((IptAnalyzeOptions *) data)->kind = IPT_DECODER_KIND_INSN;
  return TRUE;
}

static gboolean
on_block_decoder (const char *name, const char *value, gpointer data, GError **error)
{
  ((IptAnalyzeOptions *) data)->kind = IPT_DECODER_KIND_BLOCK;
  return TRUE;
}

static IptAnalyzeOutputFile *
new_output_file (const char *option, const char *value, const char *file)
{
  IptAnalyzeOutputFile *output = g_new0 (IptAnalyzeOutputFile, 1);
  g_autofree char *shown = echo (value, IPT_ECHO_PATH_CHARS);

  output->option = g_strdup_printf ("%s '%s'", option, shown);
  output->file = g_strdup (file);
  return output;
}

static gboolean
on_coverage (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  const char *colon = strchr (value, ':');
  g_autofree char *kind_name = NULL;
  IptAnalyzeOutputFile *output;
  IptAnalyzeCoverageKind kind;

  if (colon == NULL || colon[1] == '\0')
    return bad_value (error, "--coverage", value,
                      "KIND:FILE with KIND afl, drcov, lcov, blocks or blocks-json");
  kind_name = g_strndup (value, (gsize) (colon - value));
  if (!ipt_analyze_coverage_kind_from_name (kind_name, &kind))
    {
      g_autofree char *shown = echo (kind_name, IPT_ECHO_VALUE_CHARS);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--coverage: unknown kind '%s' (expected afl, drcov, lcov, blocks or "
                   "blocks-json)", shown);
      return FALSE;
    }
  output = new_output_file ("--coverage", value, colon + 1);
  output->kind = kind;
  g_ptr_array_add (options->coverages, output);
  return TRUE;
}

/* --folded alone writes to standard output, --folded=FILE to FILE. */
static gboolean
on_folded (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;

  if (value != NULL && value[0] == '\0')
    return bad_value (error, "--folded", value, "--folded or --folded=FILE");
  output_file_free (options->folded);
  options->folded = new_output_file ("--folded", value != NULL ? value : "-",
                                     value != NULL ? value : "-");
  return TRUE;
}

/* --chrome-trace FILE, --calls-json FILE: a file the call analysis writes. */
static gboolean
set_calls_file (IptAnalyzeOutputFile **slot, const char *option, const char *value,
                GError **error)
{
  if (value[0] == '\0')
    return bad_value (error, option, value, "a FILE to write");
  output_file_free (*slot);
  *slot = new_output_file (option, value, value);
  return TRUE;
}

static gboolean
on_chrome_trace (const char *name, const char *value, gpointer data, GError **error)
{
  return set_calls_file (&((IptAnalyzeOptions *) data)->chrome_trace, "--chrome-trace", value,
                         error);
}

static gboolean
on_calls_json (const char *name, const char *value, gpointer data, GError **error)
{
  return set_calls_file (&((IptAnalyzeOptions *) data)->calls_json, "--calls-json", value, error);
}

/**
 * ipt_analyze_options_call_analysis:
 * @options: parsed options
 *
 * Returns: (nullable): the first option that asks for the call analysis
 *   (without its dashes: "calls", "folded", "chrome-trace", "calls-json"),
 *   or %NULL when none does
 */
const char *
ipt_analyze_options_call_analysis (const IptAnalyzeOptions *options)
{
  return options->calls ? "calls" : options->folded != NULL ? "folded"
         : options->chrome_trace != NULL ? "chrome-trace"
         : options->calls_json != NULL ? "calls-json" : NULL;
}

static gboolean
on_jobs (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  guint64 jobs;

  if (!g_ascii_string_to_unsigned (value, 10, 0, 4096, &jobs, NULL))
    return bad_value (error, "--jobs", value, "a number of threads, 1 to 4096 (0: one per core)");
  options->jobs = (guint) jobs;
  options->have_jobs = TRUE;
  return TRUE;
}

static GOptionContext *
new_context (IptAnalyzeOptions *options)
{
  const GOptionEntry entries[] = {
    { "pt", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_pt,
      "Decode the Intel PT trace in FILE, optionally only bytes [FROM, TO)", "FILE[:FROM[-TO]]" },
    { "perf", 0, 0, G_OPTION_ARG_FILENAME, &options->perf_file,
      "Decode the Intel PT data of a perf.data (perf record -e intel_pt//), over the files its "
      "mmaps name and the memory given", "FILE" },
    { "raw", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_raw,
      "Map FILE (or bytes [FROM, TO) of it) at address BASE (the raw plugin)",
      "FILE[:FROM[-TO]]:BASE" },
    { "elf", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_elf,
      "Map ELF FILE's PT_LOAD segments, its first page at BASE for a PIE or shared object "
      "(the elf plugin); its symbols name the listing's code", "FILE[:BASE]" },
    { "kcore", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_kcore,
      "Map the kernel's code from FILE: a copy of /proc/kcore (perf record --kcore writes "
      "DIR/kcore_dir/kcore; the coredump plugin) or a vmlinux (the elf plugin)", "FILE" },
    { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, &options->sysroot,
      "With --perf: look for the files the recording mapped under DIR (after perf's "
      "build-id cache, before their recorded paths)", "DIR" },
    { "search-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->search_path,
      "With --perf: then look for them by name in each DIR (repeatable, or DIR:DIR...)",
      "DIRS" },
    { "buildid-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->buildid_dir,
      "With --perf: perf's build-id cache (default $PERF_BUILDID_DIR, else ~/.debug)", "DIR" },
    { "plugin", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_plugin,
      "Add the memory of plugin NAME with options KEY=VALUE (see --list-plugins)",
      "NAME[:KEY=VALUE,...]" },
    { "cpu", 0, 0, G_OPTION_ARG_STRING, &options->cpu,
      "Work around the errata of this processor, as ptxed: none (default; with --perf the "
      "recording's own), auto (this machine), or FAMILY/MODEL[/STEPPING]; not a CPU filter "
      "(that is --on-cpu)", "none|auto|F/M[/S]" },
    { "pid", 0, 0, G_OPTION_ARG_CALLBACK, on_number_list,
      "With --perf: list only what these processes ran", "PID[,PID...]" },
    { "tid", 0, 0, G_OPTION_ARG_CALLBACK, on_number_list,
      "With --perf: list only what these threads ran", "TID[,TID...]" },
    { "on-cpu", 0, 0, G_OPTION_ARG_CALLBACK, on_number_list,
      "With --perf: decode only the queues of these CPUs (per-CPU recordings)", "CPU[,CPU...]" },
    { "fields", 0, 0, G_OPTION_ARG_CALLBACK, on_fields,
      "With --perf: columns before each listed instruction, of cpu, pid, tid, comm, time "
      "(the trace's time in s.ns of perf's clock)", "FIELD[,FIELD...]" },
    { "insn-decoder", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_insn_decoder,
      "Use libipt's instruction flow decoder", NULL },
    { "block-decoder", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_block_decoder,
      "Use libipt's block decoder (default)", NULL },
    { "stall-limit", 0, 0, G_OPTION_ARG_CALLBACK, on_stall_limit,
      "Stop the decode after N instructions that read no trace (a loop of direct branches "
      "the trace never leaves: memory that does not match the trace); default 1000000, "
      "0 for no limit", "N" },
    { "tsc-conversion", 0, 0, G_OPTION_ARG_CALLBACK, on_tsc_conversion,
      "Convert the trace's TSC to the providers' clock (CLOCK_MONOTONIC ns) as perf does: "
      "time_zero + tsc * time_mult >> time_shift (default 0:1:0, the identity: ipt-record's "
      "TSC is in ns)", "ZERO:MULT:SHIFT" },
    { "no-inst", 0, 0, G_OPTION_ARG_NONE, &options->no_inst,
      "Print only instruction addresses, not their disassembly (ptxed --no-inst)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet,
      "Print no listing (decode errors are still printed)", NULL },
    { "stat", 0, 0, G_OPTION_ARG_NONE, &options->stat,
      "After decoding, print statistics: instructions, blocks, errors, events", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json,
      "With --stat: print the statistics as one JSON object (docs/json.md)", NULL },
    { "calls", 0, 0, G_OPTION_ARG_NONE, &options->calls,
      "Print the indented call/return listing (with instruction counts) instead of the "
      "instruction listing", NULL },
    { "folded", 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK,
      on_folded, "Write folded stacks 'a;b;c COUNT' (instructions) for flamegraph.pl, inferno, "
      "speedscope to FILE, or with no FILE to standard output instead of the instruction "
      "listing", "[=FILE]" },
    { "chrome-trace", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_chrome_trace,
      "Write the calls as a Chrome Trace Event JSON to FILE (Perfetto, chrome://tracing, "
      "speedscope)", "FILE" },
    { "calls-json", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_calls_json,
      "Write the call tree (calls and instructions per function and path) as JSON to FILE "
      "(docs/json.md)", "FILE" },
    { "coverage", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_coverage,
      "Write coverage to FILE, KIND one of afl (libxdc's AFL bitmap), drcov (Lighthouse), "
      "lcov (genhtml), blocks (text), blocks-json; repeatable", "KIND:FILE" },
    { "no-fast-afl", 0, 0, G_OPTION_ARG_NONE, &options->no_fast_afl,
      "With -q and only --coverage=afl: decode with libipt, not with the AFL decoder's own "
      "packet walk (the bitmap is the same; docs/coverage.md)", NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_CALLBACK, on_jobs,
      "Decode on N threads, the trace cut at PSBs (default 0: one per core; 1: serial); "
      "the output is the same", "N" },
    { "read", 0, 0, G_OPTION_ARG_CALLBACK, on_read,
      "Write SIZE bytes of the image at ADDRESS to standard output, raw", "ADDRESS:SIZE" },
    { "cr3", 0, 0, G_OPTION_ARG_CALLBACK, on_cr3,
      "Address space (CR3) for --read (default: any), and the one --list-regions shows (default: all)", "VALUE" },
    { "time", 0, 0, G_OPTION_ARG_CALLBACK, on_time,
      "For --read and --list-regions: the memory as it was at this time (memory that "
      "changes over time, e.g. JIT code); default: latest", "NS|latest" },
    { "list-regions", 0, 0, G_OPTION_ARG_NONE, &options->list_regions,
      "List which provider serves which address range, and which ranges are file sections",
      NULL },
    { "no-jit-discovery", 0, 0, G_OPTION_ARG_NONE, &options->no_jit_discovery,
      "Do not chain the JIT dump (jit-N.dump) and perf map that a core names through the "
      "jitmap plugin before the core", NULL },
    { "list-plugins", 0, 0, G_OPTION_ARG_NONE, &options->list_plugins,
      "List the plugins found, with their options", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version,
      "Print the version and exit", NULL },
    { NULL }
  };
  GOptionContext *context;
  GOptionGroup *group;

  context = g_option_context_new ("- decode and analyse Intel Processor Trace");
  group = g_option_group_new ("ipt-analyze", "ipt-analyze options", "Show ipt-analyze options",
                              options, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
    "Decodes a raw Intel PT trace over a memory image assembled from provider\n"
    "plugins, like libipt's ptxed, and prints a listing, statistics or analyses.\n"
    "\n"
    "  ipt-analyze --pt trace.pt --raw image.bin:0x400000\n"
    "  ipt-analyze --pt trace.pt --elf ./a.out --elf libc.so.6:0x7ffff7d80000\n"
    "  ipt-analyze --pt trace.pt --plugin pagedump:addr=pages.addr,dump=pages.dump --stat --quiet\n"
    "  ipt-analyze --plugin raw:file=image.bin,base=0x400000 --read 0x400000:64 | xxd\n"
    "  ipt-analyze --pt trace.pt --elf ./a.out -q --coverage=afl:a.afl --folded=a.folded");
  g_option_context_set_description (context, EXIT_CODES_TEXT);
  return context;
}

char *
ipt_analyze_options_get_help (void)
{
  IptAnalyzeOptions options = { 0 };
  g_autoptr(GOptionContext) context = new_context (&options);

  return g_option_context_get_help (context, TRUE, NULL);
}

/* Parses @argv; on failure @error holds one line without the program name. */
gboolean
ipt_analyze_options_parse (IptAnalyzeOptions *options, int argc, char **argv, GError **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) args = NULL;

  memset (options, 0, sizeof (*options));
  options->sources = g_ptr_array_new_with_free_func (source_free);
  options->coverages = g_ptr_array_new_with_free_func (output_file_free);
  options->kind = IPT_DECODER_KIND_BLOCK;

  context = new_context (options);
  /* GOption on a copy: argv keeps the caller's strings. */
  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  if (!g_option_context_parse_strv (context, &args, error))
    return FALSE;

  if (args[0] != NULL && args[1] != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "unexpected argument '%s' (options take the form --name VALUE)", args[1]);
      return FALSE;
    }
  if (options->version || options->list_plugins)
    return TRUE;
  if (options->have_read && options->pt_file != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--read cannot be combined with --pt");
      return FALSE;
    }
  if (options->have_cr3 && !options->have_read && !options->list_regions)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--cr3 only applies to --read and --list-regions");
      return FALSE;
    }
  if (options->have_time && options->pt_file != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--time applies to --read and --list-regions: a decode follows the trace's "
                   "own time (see --tsc-conversion)");
      return FALSE;
    }
  if (options->perf_file != NULL && options->pt_file != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--perf cannot be combined with --pt");
      return FALSE;
    }
  if (options->have_tsc_conversion && options->pt_file == NULL && options->perf_file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--tsc-conversion only applies to --pt and --perf");
      return FALSE;
    }
  if ((options->sysroot != NULL || options->search_path != NULL || options->buildid_dir != NULL) &&
      options->perf_file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s only applies to --perf (where the files a recording mapped are)",
                   options->sysroot != NULL ? "--sysroot"
                   : options->search_path != NULL ? "--search-path" : "--buildid-dir");
      return FALSE;
    }
  if (options->perf_file == NULL &&
      (options->pids != NULL || options->tids != NULL || options->on_cpus != NULL ||
       options->fields != 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s only applies to --perf (a raw trace has no threads or CPUs)",
                   options->pids != NULL ? "pid" : options->tids != NULL ? "tid"
                   : options->on_cpus != NULL ? "on-cpu" : "fields");
      return FALSE;
    }
  if (options->json && !options->stat)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--json applies to --stat (the other JSON outputs are files: "
                   "--coverage=blocks-json:FILE, --chrome-trace FILE, --calls-json FILE)");
      return FALSE;
    }
  if ((ipt_analyze_options_call_analysis (options) != NULL || options->coverages->len > 0) &&
      options->pt_file == NULL && options->perf_file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s analyses a decode: give --pt or --perf",
                   ipt_analyze_options_call_analysis (options) != NULL
                     ? ipt_analyze_options_call_analysis (options) : "coverage");
      return FALSE;
    }
  /* The call listing and folded stacks on stdout take the instruction
   * listing's place: what is left of it is what --quiet leaves. */
  if (options->calls || (options->folded != NULL && g_str_equal (options->folded->file, "-")))
    options->quiet = TRUE;
  if (options->pt_file == NULL && options->perf_file == NULL && !options->have_read &&
      !options->list_regions)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pt FILE is required (or --perf, --read, --list-regions, --list-plugins; "
                   "see --help)");
      return FALSE;
    }
  /* a perf.data names its memory (its mmaps): more is optional */
  if ((options->pt_file != NULL || (options->have_read && options->perf_file == NULL)) &&
      options->sources->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "no memory given: use --raw FILE:BASE, --elf FILE[:BASE], --kcore FILE or "
                   "--plugin NAME:OPTIONS");
      return FALSE;
    }
  return TRUE;
}

void
ipt_analyze_options_clear (IptAnalyzeOptions *options)
{
  g_clear_pointer (&options->pt_file, g_free);
  g_clear_pointer (&options->perf_file, g_free);
  g_clear_pointer (&options->sysroot, g_free);
  g_clear_pointer (&options->search_path, g_strfreev);
  g_clear_pointer (&options->buildid_dir, g_free);
  g_clear_pointer (&options->sources, g_ptr_array_unref);
  g_clear_pointer (&options->coverages, g_ptr_array_unref);
  g_clear_pointer (&options->folded, output_file_free);
  g_clear_pointer (&options->chrome_trace, output_file_free);
  g_clear_pointer (&options->calls_json, output_file_free);
  g_clear_pointer (&options->cpu, g_free);
  g_clear_pointer (&options->pids, g_array_unref);
  g_clear_pointer (&options->tids, g_array_unref);
  g_clear_pointer (&options->on_cpus, g_array_unref);
}
