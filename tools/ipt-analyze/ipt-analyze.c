/* ipt-analyze.c: the command-line front end. Thin over core: it turns
 * options into providers (through the plugin registry), an IptImage, an
 * IptDecoder, the listing sink and core's IptStatistics. The listing and
 * --read bytes go to stdout; everything else (errors, warnings, progress) to
 * stderr. main() builds the image; the decodes (--pt, --perf) are in
 * ipt-analyze-decode.c.
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
#include "ipt-analyze-decode.h"
#include "ipt-analyze-discovery.h"
#include "ipt-analyze-image.h"
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

int
ipt_analyze_fail (int status, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ipt_tool_error ("%s", message);
  return status;
}

static int
build_image (IptPluginRegistry *registry, const IptAnalyzeOptions *options, IptImage **out)
{
  g_autoptr(GError) error = NULL;
  gboolean usage_error;

  *out = ipt_analyze_build_image (registry, PROGRAM, options, &usage_error, &error);
  if (*out == NULL)
    return ipt_analyze_fail (usage_error ? IPT_ANALYZE_EXIT_USAGE : IPT_ANALYZE_EXIT_FAILURE,
                             "%s", error->message);
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
        printf ("# %s: %s\n", ipt_analyze_provider_name (registry, provider), lines[k]);
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

      name_width = MAX (name_width, (int) strlen (ipt_analyze_provider_name (registry, mapping->provider)));
    }

  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *mapping = g_ptr_array_index (mappings, i);
      const IptRegion *region = mapping->region;
      char cr3[32], vmcs[32], size[32];

      ipt_analyze_format_asid_part (cr3, sizeof (cr3), region->asid.cr3, IPT_ASID_NO_CR3);
      ipt_analyze_format_asid_part (vmcs, sizeof (vmcs), region->asid.vmcs, IPT_ASID_NO_VMCS);
      g_snprintf (size, sizeof (size), "0x%" PRIx64, region->size);
      printf ("%016" PRIx64 "-%016" PRIx64 " %12s bytes  cr3=%s vmcs=%s  %-*s  %-8s",
              region->address, region->address + region->size, size, cr3, vmcs,
              name_width, ipt_analyze_provider_name (registry, mapping->provider),
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
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
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
        return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE,
                                 "0x%" PRIx64 ": %s (read %" PRIu64 " of %" PRIu64 " bytes)",
                                 address, n < 0 ? error->message : "not mapped", done,
                                 options->read_size);
      if (fwrite (buffer, 1, (gsize) n, stdout) != (gsize) n)
        return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                                 g_strerror (errno));
      done += (guint64) n;
    }
  if (fflush (stdout) != 0)
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "cannot write to standard output: %s",
                             g_strerror (errno));
  return IPT_ANALYZE_EXIT_OK;
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
    return ipt_analyze_fail (IPT_ANALYZE_EXIT_USAGE, "%s", error->message);

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
        return ipt_analyze_fail (IPT_ANALYZE_EXIT_USAGE, "%s", error->message);
      perf = ipt_perf_data_new_from_file (options.perf_file, &error);
      if (perf == NULL)
        return ipt_analyze_fail (IPT_ANALYZE_EXIT_FAILURE, "--perf: %s", error->message);
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
    return ipt_analyze_decode_pt (image, &options);
  if (perf != NULL)
    return ipt_analyze_decode_perf (image, memory, perf, &options);
  return IPT_ANALYZE_EXIT_OK;
}
