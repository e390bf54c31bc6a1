/* ipt-analyze.c: the command-line front end. Thin over core: it turns
 * options into providers (through the plugin registry), an IptImage, an
 * IptDecoder, the listing sink and core's IptStatistics. The listing and
 * --read bytes go to stdout; everything else (errors, warnings, progress) to
 * stderr.
 * Every failure is one line "ipt-analyze: error: ..." and a documented exit
 * status; what the library and plugins log prints as "ipt-analyze: warning:
 * ..." lines (tools/common/ipt-tool-log.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-analyses.h"
#include "ipt-analyze-discovery.h"
#include "ipt-analyze-merge.h"
#include "ipt-analyze-perf.h"
#include "ipt-perf-files.h"
#include "ipt-perf-memory.h"
#include "ipt-analyze-options.h"
#include "ipt-listing-sink.h"
#include "ipt-stat-json.h"
#include "ipt-stat-print.h"
#include "ipt-tee-sink.h"
#include "ipt-tool-log.h"

#define PROGRAM "ipt-analyze"

static int
fail (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);

static int
fail (int status, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ipt_tool_error ("%s", message);
  return status;
}

/* A GValue of @pspec's type from a number (integers of any width). */
static gboolean
value_from_number (GValue *value, GParamSpec *pspec, guint64 number)
{
  GValue source = G_VALUE_INIT;
  gboolean ok;

  g_value_init (&source, G_TYPE_UINT64);
  g_value_set_uint64 (&source, number);
  g_value_init (value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  ok = g_value_type_transformable (G_TYPE_UINT64, G_PARAM_SPEC_VALUE_TYPE (pspec)) &&
       g_value_transform (&source, value) && !g_param_value_validate (pspec, value);
  g_value_unset (&source);
  return ok;
}

/* --raw and --elf → the raw and elf plugins' properties, set directly so
 * that file names with ',' or '=' need no quoting. @names[0] is "file"; the
 * others are integers. */
static IptMemoryProvider *
new_shorthand_provider (IptPluginRegistry *registry, const char *plugin_name, const char *file,
                        guint n, const char * const *names, const guint64 *numbers,
                        GError **error)
{
  GValue values[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  g_autoptr(GTypeClass) klass = NULL;
  IptMemoryProvider *provider = NULL;
  IptPlugin *plugin;

  g_assert (n >= 1 && n <= G_N_ELEMENTS (values));

  plugin = ipt_plugin_registry_lookup (registry, plugin_name);
  if (plugin == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                   "the %s plugin was not found (searched IPT_PLUGIN_PATH and %s)",
                   plugin_name, ipt_plugin_registry_get_installed_dir ());
      return NULL;
    }

  klass = g_type_class_ref (ipt_plugin_get_provider_type (plugin));
  for (guint i = 0; i < n; i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), names[i]);

      if (pspec == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_PLUGIN,
                       "the %s plugin (%s) has no option '%s'", plugin_name,
                       ipt_plugin_get_path (plugin), names[i]);
          goto out;
        }
      if (i == 0)
        {
          g_value_init (&values[i], G_TYPE_STRING);
          g_value_set_string (&values[i], file);
        }
      else if (!value_from_number (&values[i], pspec, numbers[i]))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                       "%s: %s 0x%" PRIx64 " is out of range", plugin_name, names[i],
                       numbers[i]);
          goto out;
        }
    }
  provider = ipt_plugin_new_provider_with_properties (plugin, n, names, values,
                                                      NULL, error);
out:
  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
  return provider;
}

/* Whether @path is an ELF core (e_type ET_CORE in either byte order): a
 * copy of /proc/kcore, whose PT_LOADs sit at kernel addresses. Anything
 * else goes to the elf plugin, which says what is wrong with it. */
static gboolean
is_elf_core (const char *path)
{
  guint8 header[18];
  FILE *file = fopen (path, "rbe");
  gboolean core;

  if (file == NULL)
    return FALSE;
  core = fread (header, 1, sizeof header, file) == sizeof header &&
         memcmp (header, "\177ELF", 4) == 0 &&
         (header[5] == 2 ? header[16] == 0 && header[17] == 4     /* ELFDATA2MSB */
                         : header[16] == 4 && header[17] == 0);
  fclose (file);
  return core;
}

static IptMemoryProvider *
new_source_provider (IptPluginRegistry *registry, const IptAnalyzeSource *source, GError **error)
{
  switch (source->kind)
    {
    case IPT_ANALYZE_SOURCE_RAW:
      {
        const char * const names[] = { "file", "base", "offset", "size" };
        const guint64 numbers[] = { 0, source->base, source->offset, source->size };

        return new_shorthand_provider (registry, "raw", source->file, G_N_ELEMENTS (names),
                                       names, numbers, error);
      }
    case IPT_ANALYZE_SOURCE_ELF:
      {
        const char * const names[] = { "file", "base" };
        const guint64 numbers[] = { 0, source->base };

        return new_shorthand_provider (registry, "elf", source->file,
                                       source->have_base ? 2 : 1, names, numbers, error);
      }
    case IPT_ANALYZE_SOURCE_KCORE:
      {
        /* a core without NT_FILE: the coredump plugin serves its PT_LOADs */
        gboolean core = is_elf_core (source->file);
        const char * const names[] = { core ? "core" : "file" };
        const guint64 numbers[] = { 0 };

        return new_shorthand_provider (registry, core ? "coredump" : "elf", source->file, 1,
                                       names, numbers, error);
      }
    case IPT_ANALYZE_SOURCE_PLUGIN:
    default:
      return ipt_plugin_registry_new_provider (registry, source->spec, NULL, error);
    }
}

/* Whether @error, from creating @source's provider, is a bad command line
 * (exit 2) rather than a file or plugin that failed (exit 1). */
static gboolean
is_usage_error (const IptAnalyzeSource *source, const GError *error)
{
  return source->kind == IPT_ANALYZE_SOURCE_PLUGIN &&
         g_error_matches (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
}

static int
build_image (IptPluginRegistry *registry, const IptAnalyzeOptions *options, IptImage **out)
{
  g_autoptr(IptImage) image = ipt_image_new (PROGRAM);

  for (guint i = 0; i < options->sources->len; i++)
    {
      const IptAnalyzeSource *source = g_ptr_array_index (options->sources, i);
      g_autoptr(IptMemoryProvider) provider = NULL;
      g_autoptr(GError) error = NULL;

      provider = new_source_provider (registry, source, &error);
      if (provider == NULL)
        return fail (is_usage_error (source, error) ? IPT_ANALYZE_EXIT_USAGE
                                                    : IPT_ANALYZE_EXIT_FAILURE,
                     "%s: %s", source->option, error->message);
      ipt_image_add_provider (image, provider);
    }

  *out = g_steal_pointer (&image);
  return IPT_ANALYZE_EXIT_OK;
}

static const char *
type_name (GType type)
{
  if (type == G_TYPE_STRING)
    return "string";
  if (type == G_TYPE_BOOLEAN)
    return "boolean";
  if (G_TYPE_IS_ENUM (type))
    return "enum";
  if (G_TYPE_IS_FLAGS (type))
    return "flags";
  if (type == G_TYPE_INT || type == G_TYPE_UINT || type == G_TYPE_INT64 ||
      type == G_TYPE_UINT64 || type == G_TYPE_LONG || type == G_TYPE_ULONG)
    return "integer";
  return g_type_name (type);
}

static int
list_plugins (IptPluginRegistry *registry)
{
  GListModel *plugins = ipt_plugin_registry_get_plugins (registry);
  guint n = g_list_model_get_n_items (plugins);

  if (n == 0)
    printf ("no plugins found (searched IPT_PLUGIN_PATH and %s)\n",
            ipt_plugin_registry_get_installed_dir ());

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IptPlugin) plugin = g_list_model_get_item (plugins, i);
      g_autofree GParamSpec **specs = NULL;
      guint n_specs = 0;

      printf ("%s %s\n", ipt_plugin_get_name (plugin), ipt_plugin_get_version (plugin));
      printf ("  %s\n", ipt_plugin_get_description (plugin));
      printf ("  path: %s\n", ipt_plugin_get_path (plugin));
      specs = ipt_plugin_list_options (plugin, &n_specs);
      printf ("  options:%s\n", n_specs == 0 ? " none" : "");
      for (guint j = 0; j < n_specs; j++)
        {
          GParamSpec *pspec = specs[j];
          const GValue *def = g_param_spec_get_default_value (pspec);
          g_autofree char *def_text = NULL;

          if (G_VALUE_HOLDS_STRING (def))
            def_text = g_strdup (g_value_get_string (def) != NULL ? g_value_get_string (def) : "none");
          else if (G_VALUE_HOLDS_ENUM (def))
            {
              GEnumValue *ev = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
                                                 g_value_get_enum (def));
              def_text = g_strdup (ev != NULL ? ev->value_nick : "?");
            }
          else if (G_VALUE_HOLDS_UINT64 (def))
            def_text = g_strdup_printf ("0x%" PRIx64, g_value_get_uint64 (def));
          else
            def_text = g_strdup_value_contents (def);

          printf ("    %-12s %-8s default: %-18s  %s\n", g_param_spec_get_name (pspec),
                  type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)), def_text,
                  g_param_spec_get_blurb (pspec) != NULL ? g_param_spec_get_blurb (pspec) : "");
          if (G_IS_PARAM_SPEC_ENUM (pspec))
            {
              GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
              g_autoptr(GString) nicks = g_string_new (NULL);

              for (guint k = 0; k < enum_class->n_values; k++)
                g_string_append_printf (nicks, "%s%s", k > 0 ? ", " : "",
                                        enum_class->values[k].value_nick);
              printf ("    %-12s          values: %s\n", "", nicks->str);
            }
        }
    }
  return IPT_ANALYZE_EXIT_OK;
}

static const char *
provider_name (IptPluginRegistry *registry, IptMemoryProvider *provider)
{
  GListModel *plugins = ipt_plugin_registry_get_plugins (registry);
  GType type = G_OBJECT_TYPE (provider);

  for (guint i = 0; i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(IptPlugin) plugin = g_list_model_get_item (plugins, i);

      if (ipt_plugin_get_provider_type (plugin) == type)
        return ipt_plugin_get_name (plugin);
    }
  return g_type_name (type);
}

/* --read and --list-regions without --time over memory that changes over
 * time show the latest: say so, or the listing looks complete. */
static void
note_time (IptImage *image)
{
  g_autoptr(GArray) boundaries = ipt_image_list_boundaries (image);

  if (boundaries->len == 0)
    return;
  ipt_tool_note ("the memory changes over time (%u boundaries, from %" PRIu64 " to %" PRIu64
                 " ns): shown as it is last; --time NS shows another time",
                 boundaries->len, g_array_index (boundaries, guint64, 0),
                 g_array_index (boundaries, guint64, boundaries->len - 1));
}

static void
format_asid_part (char *buffer, gsize size, guint64 value, guint64 none)
{
  if (value == none)
    g_strlcpy (buffer, "any", size);
  else
    g_snprintf (buffer, size, "0x%" PRIx64, value);
}

/* What a provider says it holds beyond its ranges (a QEMU snapshot's RAM
 * blocks and vCPUs): the lines of its "summary" property (a GStrv), if it
 * has one, as "# NAME: LINE" before the table. */
static void
print_summaries (IptPluginRegistry *registry, IptImage *image)
{
  GListModel *providers = ipt_image_get_providers (image);

  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(IptMemoryProvider) provider = g_list_model_get_item (providers, i);
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (provider), "summary");
      g_auto(GStrv) lines = NULL;

      if (pspec == NULL || pspec->value_type != G_TYPE_STRV || !(pspec->flags & G_PARAM_READABLE))
        continue;
      g_object_get (provider, "summary", &lines, NULL);
      for (guint k = 0; lines != NULL && lines[k] != NULL; k++)
        printf ("# %s: %s\n", provider_name (registry, provider), lines[k]);
    }
}

/* One line per resolved range, columns aligned so that a core's hundreds of
 * ranges read as a table; the file, of any length, comes last. With @only_cr3
 * (not IPT_ASID_NO_CR3), the map of that address space: providers that
 * serve address spaces on demand (a QEMU snapshot) index it first, and
 * ranges of other CR3s are left out. */
static int
list_regions (IptPluginRegistry *registry, IptImage *image, guint64 only_cr3)
{
  g_autoptr(GPtrArray) mappings = NULL;
  int name_width = 0;

  if (only_cr3 != IPT_ASID_NO_CR3)
    {
      IptAsid asid = { only_cr3, IPT_ASID_NO_VMCS };
      guint kept = 0;

      ipt_image_add_address_spaces (image, &asid, 1);
      mappings = ipt_image_list_mappings (image);
      for (guint i = 0; i < mappings->len; i++)
        {
          const IptMapping *m = g_ptr_array_index (mappings, i);

          if (m->region->asid.cr3 == IPT_ASID_NO_CR3 || m->region->asid.cr3 == only_cr3)
            mappings->pdata[kept++] = mappings->pdata[i];
          else
            ipt_mapping_free (mappings->pdata[i]);
        }
      mappings->len = kept;
    }
  else
    mappings = ipt_image_list_mappings (image);

  print_summaries (registry, image);

  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *mapping = g_ptr_array_index (mappings, i);

      name_width = MAX (name_width, (int) strlen (provider_name (registry, mapping->provider)));
    }

  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *mapping = g_ptr_array_index (mappings, i);
      const IptRegion *region = mapping->region;
      char cr3[32], vmcs[32], size[32];

      format_asid_part (cr3, sizeof (cr3), region->asid.cr3, IPT_ASID_NO_CR3);
      format_asid_part (vmcs, sizeof (vmcs), region->asid.vmcs, IPT_ASID_NO_VMCS);
      g_snprintf (size, sizeof (size), "0x%" PRIx64, region->size);
      printf ("%016" PRIx64 "-%016" PRIx64 " %12s bytes  cr3=%s vmcs=%s  %-*s  %-8s",
              region->address, region->address + region->size, size, cr3, vmcs,
              name_width, provider_name (registry, mapping->provider),
              mapping->is_file_section ? "section" : "callback");
      if (region->filename != NULL)
        printf ("  0x%08" PRIx64 "  %s", region->file_offset, region->filename);
      else
        printf ("  %-10s  -", "-");
      if (!ipt_region_is_timeless (region))
        {
          if (region->valid_to == IPT_TIME_END)
            printf ("  valid [%" PRIu64 ", end) ns", region->valid_from);
          else
            printf ("  valid [%" PRIu64 ", %" PRIu64 ") ns", region->valid_from, region->valid_to);
        }
      printf ("\n");
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    return fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                 g_strerror (errno));
  return IPT_ANALYZE_EXIT_OK;
}

static int
read_memory (IptImage *image, const IptAnalyzeOptions *options)
{
  IptAsid asid = IPT_ASID_INIT_ANY;
  g_autofree guint8 *buffer = NULL;
  const gsize chunk = 64 * 1024;
  guint64 done = 0;

  if (options->have_cr3)
    asid.cr3 = options->cr3;

  buffer = g_malloc (chunk);
  while (done < options->read_size)
    {
      g_autoptr(GError) error = NULL;
      guint64 address = options->read_address + done;
      gsize want = (gsize) MIN ((guint64) chunk, options->read_size - done);
      gssize n = ipt_image_read (image, buffer, want, &asid, address, &error);

      if (n <= 0)
        return fail (IPT_ANALYZE_EXIT_FAILURE,
                     "0x%" PRIx64 ": %s (read %" PRIu64 " of %" PRIu64 " bytes)", address,
                     n < 0 ? error->message : "not mapped", done, options->read_size);
      if (fwrite (buffer, 1, (gsize) n, stdout) != (gsize) n)
        return fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                     g_strerror (errno));
      done += (guint64) n;
    }
  if (fflush (stdout) != 0)
    return fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                 g_strerror (errno));
  return IPT_ANALYZE_EXIT_OK;
}

static void
on_progress (IptDecoder *decoder, guint64 offset, guint64 size, gpointer user_data)
{
  guint percent = size > 0 ? (guint) (offset * 100 / size) : 100;

  fprintf (stderr, "\r" PROGRAM ": decoding %3u%% (%" PRIu64 " of %" PRIu64 " bytes)",
           MIN (percent, 100u), offset, size);
  fflush (stderr);
  *(gboolean *) user_data = TRUE;
}

/* The magic that starts a perf.data file (perf record's output). */
#define PERF_DATA_MAGIC "PERFILE2"

/* The --pt file before decoding: a regular file (mapping a device or a
 * directory fails with an mmap() error that does not say why), not a
 * perf.data from its start (its AUX data holds PSBs, but between perf's
 * own records: decoding it whole would list garbage), and one with a PSB
 * in the range to decode: libipt decodes nothing before the first PSB, so
 * a file without one (random bytes, an ELF) would list nothing and look
 * like an empty trace. A bad range is left to the decoder, which names it. */
static int
check_trace (const IptAnalyzeOptions *options)
{
  g_autofree char *display = g_filename_display_name (options->pt_file);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) error = NULL;
  struct pt_packet_decoder *packets;
  struct pt_config config;
  const guint8 *data;
  guint64 size, to;
  struct stat st;
  int fd, status;

  /* O_NONBLOCK: opening a FIFO (or a file swapped for one after a stat)
   * must not wait for a writer; fstat then refuses it. */
  fd = g_open (options->pt_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    return fail (IPT_ANALYZE_EXIT_FAILURE, "--pt '%s': %s", display, g_strerror (errno));
  if (fstat (fd, &st) != 0)
    status = fail (IPT_ANALYZE_EXIT_FAILURE, "--pt '%s': %s", display, g_strerror (errno));
  else if (!S_ISREG (st.st_mode))
    status = fail (IPT_ANALYZE_EXIT_FAILURE, "--pt '%s': not a regular file", display);
  else
    status = IPT_ANALYZE_EXIT_OK;
  if (status != IPT_ANALYZE_EXIT_OK)
    {
      close (fd);
      return status;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &error);
  close (fd);
  if (mapped == NULL)
    return fail (IPT_ANALYZE_EXIT_FAILURE, "--pt '%s': %s", display, error->message);

  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  to = options->pt_to != 0 ? options->pt_to : size;
  if (options->pt_from >= size || to <= options->pt_from || to > size)
    return IPT_ANALYZE_EXIT_OK;

  if (options->pt_from == 0 && size >= strlen (PERF_DATA_MAGIC) &&
      memcmp (data, PERF_DATA_MAGIC, strlen (PERF_DATA_MAGIC)) == 0)
    return fail (IPT_ANALYZE_EXIT_FAILURE,
                 "%s: a perf.data file (it starts with '" PERF_DATA_MAGIC "'), not a raw Intel PT "
                 "stream: decode it with --perf %s", display, display);

  pt_config_init (&config);
  config.begin = (uint8_t *) data + options->pt_from;
  config.end = (uint8_t *) data + to;
  packets = pt_pkt_alloc_decoder (&config);
  status = packets != NULL ? pt_pkt_sync_forward (packets) : 0;
  pt_pkt_free_decoder (packets);
  if (status != -pte_eos)
    return IPT_ANALYZE_EXIT_OK;
  return fail (IPT_ANALYZE_EXIT_FAILURE,
               "%s: no PSB packet found%s: the file may not be a raw Intel PT trace", display,
               options->pt_from != 0 || options->pt_to != 0 ? " in the given range" : "");
}

/* What a decode writes to: the listing (which prints decode errors even
 * under --quiet) and, with --stat and the analyses, their sinks beside it,
 * all fed in one pass. */
typedef struct {
  IptListingSink *listing;
  IptStatistics *stats;
  IptAnalyzeAnalyses *analyses;
  IptTeeSink *tee;
  IptSink *sink;
  IptPerfThreadSink *threads;   /* --perf: before the others, statistics per thread */
} Output;

static gboolean
has_analyses (const IptAnalyzeOptions *options)
{
  return options->calls || options->folded != NULL || options->chrome_trace != NULL ||
         options->coverages->len > 0;
}

/* The analyses' files open before anything decodes: exit 1 naming one
 * that cannot be written. @analysis_image names the code the analyses see. */
static int
output_init (Output *out, IptImage *image, IptImage *analysis_image,
             const IptAnalyzeOptions *options)
{
  g_autoptr(GPtrArray) sinks = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  IptListingFlags flags = 0;

  memset (out, 0, sizeof *out);
  if (has_analyses (options))
    {
      out->analyses = ipt_analyze_analyses_new (options, analysis_image, &error);
      if (out->analyses == NULL)
        return fail (IPT_ANALYZE_EXIT_FAILURE, "%s", error->message);
    }

  if (!options->quiet)
    flags = IPT_LISTING_INSNS | IPT_LISTING_EVENTS |
            (options->no_inst ? 0 : IPT_LISTING_DISASSEMBLE);
  out->listing = ipt_listing_sink_new (stdout, flags);
  if (flags & IPT_LISTING_DISASSEMBLE)
    {
      g_autoptr(IptSymbolResolver) symbols =
        ipt_symbol_resolver_new_for_model (ipt_image_get_providers (image));

      ipt_listing_sink_set_symbols (out->listing, symbols);
    }
  if (options->stat)
    {
      out->stats = ipt_statistics_new ();
      g_ptr_array_add (sinks, out->stats);
    }
  if (out->analyses != NULL)
    ipt_analyze_analyses_add_sinks (out->analyses, sinks);
  g_ptr_array_add (sinks, out->listing);
  out->sink = IPT_SINK (out->listing);
  if (sinks->len > 1)
    {
      out->tee = ipt_tee_sink_new_for ((IptSink * const *) sinks->pdata, sinks->len);
      out->sink = IPT_SINK (out->tee);
    }
  return IPT_ANALYZE_EXIT_OK;
}

/* The jobs of a decode into @out: --jobs, unless a result would differ
 * from the serial decode's: a sink that does not split (the decode would
 * be serial anyway), or --stat's block count, which depends on libipt's
 * block cache and so on how segments filled it (docs/parallel-decode.md). */
static void
output_set_jobs (Output *out, IptDecoder *decoder, const IptAnalyzeOptions *options)
{
  const char *why = NULL;

  if (!ipt_sink_can_split (out->sink) || (out->tee != NULL && !ipt_tee_sink_can_split (out->tee)))
    why = "an analysis asked for cannot merge segments yet";
  else if (out->stats != NULL && ipt_decoder_get_kind (decoder) == IPT_DECODER_KIND_BLOCK)
    why = "--stat's block count depends on libipt's block cache, which segments fill in "
          "another order (--insn-decoder --stat decodes in parallel)";
  if (why != NULL && options->have_jobs && options->jobs != 1)
    ipt_tool_note ("--jobs %u: decoding serially: %s", options->jobs, why);
  /* Serial unless asked: on these 2-core machines a parallel decode is not
   * yet faster (docs/parallel-decode.md, "Speed") */
  ipt_decoder_set_jobs (decoder, why != NULL || !options->have_jobs ? 1 : options->jobs);
}

static void
output_clear (Output *out)
{
  g_clear_pointer (&out->analyses, ipt_analyze_analyses_free);
  g_clear_object (&out->threads);
  g_clear_object (&out->tee);
  g_clear_object (&out->stats);
  g_clear_object (&out->listing);
}

static int
new_decoder (IptImage *image, const IptAnalyzeOptions *options, IptDecoder **out)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, options->kind);
  g_autoptr(GError) error = NULL;

  if (options->cpu != NULL && !ipt_decoder_set_cpu (decoder, options->cpu, &error))
    return fail (IPT_ANALYZE_EXIT_USAGE, "--%s", error->message);
  if (options->have_stall_limit)
    ipt_decoder_set_stall_limit (decoder, options->stall_limit);
  if (options->have_tsc_conversion)
    ipt_decoder_set_tsc_conversion (decoder, options->tsc_zero, options->tsc_mult,
                                    options->tsc_shift);
  *out = g_steal_pointer (&decoder);
  return IPT_ANALYZE_EXIT_OK;
}

/* --stat --json: the totals, and with --perf a "threads" array. */
static void
print_stats_json (Output *out, IptDecoderKind kind)
{
  g_autoptr(JsonBuilder) builder = ipt_stat_json_begin (kind);
  g_autofree char *text = NULL;

  ipt_stat_json_add_counts (builder, out->stats, kind);
  if (out->threads != NULL)
    ipt_perf_thread_sink_add_stats_json (out->threads, kind, builder);
  text = ipt_stat_json_end (builder);
  fputs (text, stdout);
}

/* After the decode(s): the analyses, the statistics, then what stopped a
 * decode. */
static int
finish (Output *out, IptDecoder *decoder, gboolean json, gboolean ok, GError *error)
{
  /* Once the listing began, a decode that fails stopped before the end of
   * the trace (a file changed under it, the stall limit): what it decoded
   * is listed, and its statistics follow, before the message. A listing
   * that could not be written is a plain failure. */
  if (!ok && (!ipt_listing_sink_has_begun (out->listing) || error->domain == G_IO_ERROR))
    return fail (IPT_ANALYZE_EXIT_FAILURE, "%s", error->message);

  if (out->analyses != NULL)
    {
      g_autoptr(GError) write_error = NULL;

      if (!ipt_analyze_analyses_write (out->analyses, &write_error))
        return fail (IPT_ANALYZE_EXIT_FAILURE, "%s", write_error->message);
    }
  if (out->stats != NULL && json)
    print_stats_json (out, ipt_decoder_get_kind (decoder));
  else if (out->stats != NULL)
    {
      if (out->threads != NULL)
        {
          ipt_perf_thread_sink_print_stats (out->threads, ipt_decoder_get_kind (decoder), stdout);
          printf ("[total]\n");
        }
      ipt_stat_print (out->stats, ipt_decoder_get_kind (decoder), stdout);
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    return fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                 g_strerror (errno));
  if (!ok)
    return fail (IPT_ANALYZE_EXIT_INCOMPLETE, "%s", error->message);
  return IPT_ANALYZE_EXIT_OK;
}

static int
decode (IptImage *image, const IptAnalyzeOptions *options)
{
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  Output out;
  gboolean progress_shown = FALSE;
  gboolean ok;
  int status;

  if ((status = new_decoder (image, options, &decoder)) != IPT_ANALYZE_EXIT_OK)
    return status;
  status = check_trace (options);
  if (status != IPT_ANALYZE_EXIT_OK)
    return status;

  if ((status = output_init (&out, image, image, options)) != IPT_ANALYZE_EXIT_OK)
    {
      output_clear (&out);
      return status;
    }
  output_set_jobs (&out, decoder, options);
  /* A progress line only where it cannot mix with the listing. */
  if (isatty (STDERR_FILENO) && (options->quiet || !isatty (STDOUT_FILENO)))
    g_signal_connect (decoder, "progress", G_CALLBACK (on_progress), &progress_shown);

  ok = ipt_decoder_decode_file (decoder, options->pt_file, options->pt_from, options->pt_to,
                                out.sink, NULL, &error);
  if (progress_shown)
    fprintf (stderr, "\r\033[K");
  /* G_MESSAGES_DEBUG=ipt-analyze: whether --jobs took effect (tests) */
  g_debug ("decoded in %u segments", ipt_decoder_get_n_segments (decoder));
  status = finish (&out, decoder, options->json, ok, error);
  output_clear (&out);
  return status;
}

static gboolean
has_kcore (const IptAnalyzeOptions *options)
{
  for (guint i = 0; i < options->sources->len; i++)
    if (((const IptAnalyzeSource *) g_ptr_array_index (options->sources, i))->kind ==
        IPT_ANALYZE_SOURCE_KCORE)
      return TRUE;
  return FALSE;
}

/* A decoder over @image set up for @perf's trace. */
static int
new_perf_decoder (IptImage *image, IptPerfData *perf, const IptAnalyzeOptions *options,
                  IptDecoder **out)
{
  g_autoptr(GError) error = NULL;
  int status;

  if ((status = new_decoder (image, options, out)) != IPT_ANALYZE_EXIT_OK)
    return status;
  if (!ipt_analyze_perf_configure (*out, perf, options->have_tsc_conversion,
                                   options->cpu != NULL, &error))
    {
      g_clear_object (out);
      return fail (IPT_ANALYZE_EXIT_FAILURE, "%s: %s", ipt_perf_data_get_name (perf),
                   error->message);
    }
  return IPT_ANALYZE_EXIT_OK;
}

/* A per-thread queue decodes over its process's memory, a per-CPU one
 * over every process's. */
static IptImage *
queue_image (IptPerfMemory *memory, const IptPerfQueue *queue)
{
  return ipt_perf_memory_get_image (memory, queue->cpu < 0 ? queue->pid : -1);
}

/* --perf: each queue of the recording in turn (--on-cpu's, and per-thread
 * ones of the threads asked for), one listing (each queue after a "[perf
 * queue …]" line, a "[thread: …]" line where the thread changes) and
 * statistics per thread and over all of them. */
static int
decode_perf (IptImage *image, IptPerfMemory *memory, IptPerfData *perf,
             const IptAnalyzeOptions *options)
{
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *queues = ipt_perf_data_get_queues (perf);
  IptImage *decoder_image = image;
  Output out;
  gboolean ok = TRUE;
  guint n_decoded = 0;
  int status;

  if ((status = new_perf_decoder (image, perf, options, &decoder)) != IPT_ANALYZE_EXIT_OK)
    return status;
  if (queues == NULL || queues->len == 0)
    return fail (IPT_ANALYZE_EXIT_FAILURE,
                 "%s: the recording holds no Intel PT data (no PERF_RECORD_AUXTRACE): was it "
                 "recorded with -e intel_pt//?", ipt_perf_data_get_name (perf));

  /* the analyses over every process's memory (made only for them: it
   * says where processes overlap): each queue adds to them */
  if ((status = output_init (&out, queue_image (memory, g_ptr_array_index (queues, 0)),
                             has_analyses (options) ? ipt_perf_memory_get_image (memory, -1)
                                                    : NULL, options)) != IPT_ANALYZE_EXIT_OK)
    {
      output_clear (&out);
      return status;
    }
  out.threads = ipt_perf_thread_sink_new (perf, out.sink, out.listing, options->fields,
                                          options->stat);
  ipt_perf_thread_sink_set_filter (out.threads, options->pids, options->tids);
  for (guint q = 0; q < queues->len && ok; q++)
    {
      const IptPerfQueue *queue = g_ptr_array_index (queues, q);
      IptImage *wanted;

      if (!ipt_analyze_perf_wants_queue (perf, queue, options->on_cpus, out.threads))
        continue;
      if ((wanted = queue_image (memory, queue)) != decoder_image)
        {
          g_clear_object (&decoder);
          if ((status = new_perf_decoder (wanted, perf, options, &decoder)) != IPT_ANALYZE_EXIT_OK)
            {
              output_clear (&out);
              return status;
            }
          decoder_image = wanted;
        }
      n_decoded++;
      if (!options->quiet)
        {
          printf ("[perf queue %u", queue->index);
          if (queue->cpu >= 0)
            printf (", cpu %d", queue->cpu);
          if (queue->tid >= 0)
            printf (", tid %" G_GINT64_FORMAT, queue->tid);
          printf (": %" G_GSIZE_FORMAT " bytes%s]\n", g_bytes_get_size (queue->data),
                  queue->n_gaps > 0 ? ", with gaps" : "");
        }
      ipt_perf_thread_sink_set_queue (out.threads, queue);
      ok = ipt_analyze_perf_decode_queue (decoder, queue, IPT_SINK (out.threads),
                                          options->quiet, &error);
    }
  if (ok)
    ipt_analyze_perf_check_filters (perf, options->pids, options->tids, options->on_cpus,
                                    n_decoded, out.threads);
  status = finish (&out, decoder, options->json, ok, error);
  output_clear (&out);
  return status;
}

int
main (int argc, char **argv)
{
  g_auto(IptAnalyzeOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IptImage) image = NULL;
  g_autoptr(IptPerfData) perf = NULL;
  g_autoptr(IptPerfFiles) files = NULL;
  g_autoptr(IptPerfMemory) memory = NULL;
  IptImage *shown;
  IptPluginRegistry *registry;
  int status;

  setlocale (LC_ALL, "");
  ipt_tool_log_init (PROGRAM);

  if (argc >= 2 && g_str_equal (argv[1], "merge"))
    return ipt_analyze_merge (argc - 1, argv + 1);

  if (!ipt_analyze_options_parse (&options, argc, argv, &error))
    return fail (IPT_ANALYZE_EXIT_USAGE, "%s", error->message);

  if (options.version)
    {
      struct pt_version v = pt_library_version ();

      printf (PROGRAM " %s (libipt %u.%u.%u)\n", IPT_ANALYZE_VERSION_STRING,
              v.major, v.minor, v.patch);
      return IPT_ANALYZE_EXIT_OK;
    }

  registry = ipt_plugin_registry_get_default ();
  if (options.list_plugins)
    return list_plugins (registry);

  status = build_image (registry, &options, &image);
  if (status != IPT_ANALYZE_EXIT_OK)
    return status;
  if (!options.no_jit_discovery)
    ipt_analyze_discover_jit (registry, image);
  shown = image;
  if (options.perf_file != NULL)
    {
      files = ipt_perf_files_new (options.sysroot, (const char * const *) options.search_path,
                                  options.buildid_dir, &error);
      if (files == NULL)
        return fail (IPT_ANALYZE_EXIT_USAGE, "%s", error->message);
      perf = ipt_perf_data_new_from_file (options.perf_file, &error);
      if (perf == NULL)
        return fail (IPT_ANALYZE_EXIT_FAILURE, "--perf: %s", error->message);
      if (!has_kcore (&options) && ipt_perf_data_get_pt_traces_kernel (perf))
        ipt_tool_warning ("%s: the kernel was traced, but its code cannot be read: give it with "
                          "--kcore FILE (a copy of /proc/kcore, as perf record --kcore writes "
                          "in DIR/kcore_dir/kcore, or a vmlinux)", ipt_perf_data_get_name (perf));
      /* decoded anyway: each queue then says where its memory is missing */
      memory = ipt_perf_memory_new (registry, image, perf, ipt_perf_files_find, files);
      /* what --list-regions, --read and --time show: the process of a
       * single --pid, else every process's */
      if (options.list_regions || options.have_read || options.have_time)
        shown = ipt_perf_memory_get_image (memory, options.pids != NULL && options.pids->len == 1
                                                     ? g_array_index (options.pids, gint64, 0)
                                                     : -1);
    }

  if (options.have_time)
    ipt_image_set_time (shown, options.time);
  else if (options.list_regions || options.have_read)
    note_time (shown);

  if (options.list_regions)
    {
      status = list_regions (registry, shown, options.have_cr3 ? options.cr3 : IPT_ASID_NO_CR3);
      if (status != IPT_ANALYZE_EXIT_OK)
        return status;
    }
  if (options.have_read)
    return read_memory (shown, &options);
  if (options.pt_file != NULL)
    return decode (image, &options);
  if (perf != NULL)
    return decode_perf (image, memory, perf, &options);
  return IPT_ANALYZE_EXIT_OK;
}
