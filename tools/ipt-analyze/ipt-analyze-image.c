/* ipt-analyze-image.c: the image and the decoder the command line asks
 * for, shared by ipt-analyze and ipt-view: --raw, --elf and --kcore as
 * their plugins' properties, --plugin through the registry, in the order
 * given (= priority); the decoder's --cpu and limits; the --pt file
 * checked before a decode. Never prints: every failure is a GError naming
 * the option or the file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-analyze-image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <intel-pt.h>

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

IptMemoryProvider *
ipt_analyze_new_source_provider (IptPluginRegistry *registry, const IptAnalyzeSource *source, GError **error)
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


IptImage *
ipt_analyze_build_image (IptPluginRegistry *registry, const char *name,
                         const IptAnalyzeOptions *options, gboolean *usage_error, GError **error)
{
  g_autoptr(IptImage) image = ipt_image_new (name);

  *usage_error = FALSE;
  for (guint i = 0; i < options->sources->len; i++)
    {
      const IptAnalyzeSource *source = g_ptr_array_index (options->sources, i);
      g_autoptr(IptMemoryProvider) provider = NULL;
      g_autoptr(GError) local_error = NULL;

      provider = ipt_analyze_new_source_provider (registry, source, &local_error);
      if (provider == NULL)
        {
          *usage_error = is_usage_error (source, local_error);
          g_set_error (error, local_error->domain, local_error->code, "%s: %s", source->option,
                       local_error->message);
          return NULL;
        }
      ipt_image_add_provider (image, provider);
    }
  return g_steal_pointer (&image);
}

IptDecoder *
ipt_analyze_new_decoder (IptImage *image, const IptAnalyzeOptions *options, GError **error)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, options->kind);

  if (options->cpu != NULL && !ipt_decoder_set_cpu (decoder, options->cpu, error))
    {
      g_prefix_error (error, "--");
      return NULL;
    }
  if (options->have_stall_limit)
    ipt_decoder_set_stall_limit (decoder, options->stall_limit);
  if (options->have_tsc_conversion)
    ipt_decoder_set_tsc_conversion (decoder, options->tsc_zero, options->tsc_mult,
                                    options->tsc_shift);
  return g_steal_pointer (&decoder);
}

const char *
ipt_analyze_provider_name (IptPluginRegistry *registry, IptMemoryProvider *provider)
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

void
ipt_analyze_format_asid_part (char *buffer, gsize size, guint64 value, guint64 none)
{
  if (value == none)
    g_strlcpy (buffer, "any", size);
  else
    g_snprintf (buffer, size, "0x%" PRIx64, value);
}

/* The magic that starts a perf.data file (perf record's output). */
#define PERF_DATA_MAGIC "PERFILE2"

gboolean
ipt_analyze_check_trace (const IptAnalyzeOptions *options, GError **error)
{
  g_autofree char *display = g_filename_display_name (options->pt_file);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) map_error = NULL;
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
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "--pt '%s': %s", display,
                   g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "--pt '%s': %s", display,
                   g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "--pt '%s': not a regular file",
                   display);
      return FALSE;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &map_error);
  close (fd);
  if (mapped == NULL)
    {
      g_set_error (error, map_error->domain, map_error->code, "--pt '%s': %s", display,
                   map_error->message);
      return FALSE;
    }

  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  to = options->pt_to != 0 ? options->pt_to : size;
  if (options->pt_from >= size || to <= options->pt_from || to > size)
    return TRUE;

  if (options->pt_from == 0 && size >= strlen (PERF_DATA_MAGIC) &&
      memcmp (data, PERF_DATA_MAGIC, strlen (PERF_DATA_MAGIC)) == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: a perf.data file (it starts with '" PERF_DATA_MAGIC "'), not a raw Intel "
                   "PT stream: decode it with --perf %s", display, display);
      return FALSE;
    }

  pt_config_init (&config);
  config.begin = (uint8_t *) data + options->pt_from;
  config.end = (uint8_t *) data + to;
  packets = pt_pkt_alloc_decoder (&config);
  status = packets != NULL ? pt_pkt_sync_forward (packets) : 0;
  pt_pkt_free_decoder (packets);
  if (status != -pte_eos)
    return TRUE;
  g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
               "%s: no PSB packet found%s: the file may not be a raw Intel PT trace", display,
               options->pt_from != 0 || options->pt_to != 0 ? " in the given range" : "");
  return FALSE;
}
