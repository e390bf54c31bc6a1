/* ipt-analyze-options.c: parses ipt-analyze's command line into
 * IptAnalyzeOptions. Only syntax is checked here (every error is one line
 * and exit status 2); opening files and plugins happens later. --raw, --elf
 * and --plugin are GOption callbacks so that their order is kept: it is the
 * providers' priority. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ipt-analyze-options.h"
#include "ipt-number.h"

#define EXIT_CODES_TEXT \
  "Memory sources (--raw, --elf, --plugin) are consulted in command-line order: the\n" \
  "first one that maps an address wins. Numbers are decimal or 0x-hex.\n" \
  "\n" \
  "--elf FILE:BASE puts the page of FILE's lowest PT_LOAD at BASE (a PIE or shared\n" \
  "object; BASE 0 = FILE's own addresses). The disassembly listing names code that\n" \
  "an ELF file's symbol table names: '0000000000401136 <main+0x4>  mov eax, 0x00'.\n" \
  "\n" \
  "Exit status:\n" \
  "  0  success; decode errors are part of the listing and do not change it (as ptxed)\n" \
  "  1  runtime failure: a file or plugin could not be opened, the --pt file has no\n" \
  "     PSB (nothing decodes) or is a perf.data, --read hit unmapped memory, the\n" \
  "     output could not be written\n" \
  "  2  bad command line\n"

static void
source_free (gpointer data)
{
  IptAnalyzeSource *source = data;

  g_free (source->option);
  g_free (source->file);
  g_free (source->spec);
  g_free (source);
}

/* ptxed's FILE[:FROM[-TO]]: when the part after the last ':' is a range, cut
 * it off @arg; otherwise the ':' belongs to the file name. Sets @bad for an
 * empty or reversed range. @to is 0 when no end was given. */
gboolean
ipt_analyze_split_range (char *arg, guint64 *from, guint64 *to, gboolean *bad)
{
  char *colon = strrchr (arg, ':');
  g_autofree char *range = NULL;
  char *dash;

  *from = 0;
  *to = 0;
  *bad = FALSE;
  if (colon == NULL)
    return FALSE;

  range = g_strdup (colon + 1);
  dash = strchr (range, '-');
  if (dash != NULL)
    *dash = '\0';
  if (!ipt_number_parse_full (range, from))
    return FALSE;
  if (dash != NULL)
    {
      if (!ipt_number_parse_full (dash + 1, to))
        return FALSE;
      if (*to <= *from)
        *bad = TRUE;
    }
  *colon = '\0';
  return TRUE;
}

/* ptxed's FILE[:BASE]: split at the last ':' only when what follows is a
 * number, as paths may contain ':'. A suffix that starts like a number but
 * is not one ("a.out:0x40zz", "a.out:") is a mistyped base unless the whole
 * argument names an existing file. BASE 0 means no relocation, as in ptxed.
 * Returns FALSE for a bad value. */
gboolean
ipt_analyze_split_elf (const char *arg, char **file, guint64 *base, gboolean *have_base)
{
  const char *colon = strrchr (arg, ':');

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
  if (colon != NULL && (colon[1] == '\0' || g_ascii_isdigit (colon[1])) &&
      !g_file_test (arg, G_FILE_TEST_EXISTS))
    return FALSE;
  *file = g_strdup (arg);
  return TRUE;
}

static gboolean
bad_value (GError **error, const char *option, const char *value, const char *expected)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s '%s': expected %s", option, value, expected);
  return FALSE;
}

static gboolean
on_pt (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  g_autofree char *file = g_strdup (value);
  gboolean bad;

  if (options->pt_file != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pt '%s': only one trace can be given (already '%s')", value,
                   options->pt_file);
      return FALSE;
    }
  ipt_analyze_split_range (file, &options->pt_from, &options->pt_to, &bad);
  if (bad || file[0] == '\0')
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
  gboolean bad;

  colon = strrchr (file, ':');
  if (colon == NULL || !ipt_number_parse_full (colon + 1, &base))
    return bad_value (error, "--raw", value, "FILE[:FROM[-TO]]:BASE");
  *colon = '\0';
  ipt_analyze_split_range (file, &from, &to, &bad);
  if (bad || file[0] == '\0')
    return bad_value (error, "--raw", value, "FILE[:FROM[-TO]]:BASE");

  source = g_new0 (IptAnalyzeSource, 1);
  source->option = g_strdup_printf ("--raw '%s'", value);
  source->kind = IPT_ANALYZE_SOURCE_RAW;
  source->file = g_steal_pointer (&file);
  source->offset = from;
  source->size = to != 0 ? to - from : 0;
  source->base = base;
  g_ptr_array_add (options->sources, source);
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

  source = g_new0 (IptAnalyzeSource, 1);
  source->option = g_strdup_printf ("--elf '%s'", value);
  source->kind = IPT_ANALYZE_SOURCE_ELF;
  source->file = g_steal_pointer (&file);
  source->base = base;
  source->have_base = have_base;
  g_ptr_array_add (options->sources, source);
  return TRUE;
}

static gboolean
on_plugin (const char *name, const char *value, gpointer data, GError **error)
{
  IptAnalyzeOptions *options = data;
  IptAnalyzeSource *source;

  if (value[0] == '\0' || value[0] == ':' || value[0] == ',')
    return bad_value (error, "--plugin", value, "NAME[:KEY=VALUE[,KEY=VALUE...]]");

  source = g_new0 (IptAnalyzeSource, 1);
  source->option = g_strdup_printf ("--plugin '%s'", value);
  source->kind = IPT_ANALYZE_SOURCE_PLUGIN;
  source->spec = g_strdup (value);
  g_ptr_array_add (options->sources, source);
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

static GOptionContext *
new_context (IptAnalyzeOptions *options)
{
  const GOptionEntry entries[] = {
    { "pt", 0, 0, G_OPTION_ARG_CALLBACK, on_pt,
      "Decode the Intel PT trace in FILE, optionally only bytes [FROM, TO)", "FILE[:FROM[-TO]]" },
    { "raw", 0, 0, G_OPTION_ARG_CALLBACK, on_raw,
      "Map FILE (or bytes [FROM, TO) of it) at address BASE (the raw plugin)",
      "FILE[:FROM[-TO]]:BASE" },
    { "elf", 0, 0, G_OPTION_ARG_CALLBACK, on_elf,
      "Map ELF FILE's PT_LOAD segments, its first page at BASE for a PIE or shared object "
      "(the elf plugin); its symbols name the listing's code", "FILE[:BASE]" },
    { "plugin", 0, 0, G_OPTION_ARG_CALLBACK, on_plugin,
      "Add the memory of plugin NAME with options KEY=VALUE (see --list-plugins)",
      "NAME[:KEY=VALUE,...]" },
    { "cpu", 0, 0, G_OPTION_ARG_STRING, &options->cpu,
      "Work around the errata of this cpu: none (default), auto (this machine), or "
      "FAMILY/MODEL[/STEPPING]", "none|auto|F/M[/S]" },
    { "insn-decoder", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_insn_decoder,
      "Use libipt's instruction flow decoder", NULL },
    { "block-decoder", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_block_decoder,
      "Use libipt's block decoder (default)", NULL },
    { "no-inst", 0, 0, G_OPTION_ARG_NONE, &options->no_inst,
      "Print only instruction addresses, not their disassembly (ptxed --no-inst)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet,
      "Print no listing (decode errors are still printed)", NULL },
    { "stat", 0, 0, G_OPTION_ARG_NONE, &options->stat,
      "After decoding, print statistics: instructions, blocks, errors, events", NULL },
    { "read", 0, 0, G_OPTION_ARG_CALLBACK, on_read,
      "Write SIZE bytes of the image at ADDRESS to standard output, raw", "ADDRESS:SIZE" },
    { "cr3", 0, 0, G_OPTION_ARG_CALLBACK, on_cr3,
      "Address space (CR3) for --read (default: any)", "VALUE" },
    { "list-regions", 0, 0, G_OPTION_ARG_NONE, &options->list_regions,
      "List which provider serves which address range, and which ranges are file sections",
      NULL },
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
    "plugins, like libipt's ptxed, and prints a listing or statistics.\n"
    "\n"
    "  ipt-analyze --pt trace.pt --raw image.bin:0x400000\n"
    "  ipt-analyze --pt trace.pt --elf ./a.out --elf libc.so.6:0x7ffff7d80000\n"
    "  ipt-analyze --pt trace.pt --plugin pagedump:addr=pages.addr,dump=pages.dump --stat --quiet\n"
    "  ipt-analyze --plugin raw:file=image.bin,base=0x400000 --read 0x400000:64 | xxd");
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
  if (options->have_cr3 && !options->have_read)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--cr3 only applies to --read");
      return FALSE;
    }
  if (options->pt_file == NULL && !options->have_read && !options->list_regions)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pt FILE is required (or --read, --list-regions, --list-plugins; see --help)");
      return FALSE;
    }
  if ((options->pt_file != NULL || options->have_read) && options->sources->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "no memory given: use --raw FILE:BASE, --elf FILE[:BASE] or --plugin NAME:OPTIONS");
      return FALSE;
    }
  return TRUE;
}

void
ipt_analyze_options_clear (IptAnalyzeOptions *options)
{
  g_clear_pointer (&options->pt_file, g_free);
  g_clear_pointer (&options->sources, g_ptr_array_unref);
  g_clear_pointer (&options->cpu, g_free);
}
