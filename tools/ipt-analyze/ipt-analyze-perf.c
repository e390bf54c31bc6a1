/* ipt-analyze-perf.c: what --perf adds to a decode (see ipt-analyze-perf.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-analyze-perf.h"


#include "ipt-tool-log.h"

static IptMemoryProvider *
raw_mapping (IptPlugin *raw, const IptPerfEvent *ev, const char *path, GError **error)
{
  const char *names[] = { "file", "base", "offset", "size" };
  GValue values[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  IptMemoryProvider *provider;

  g_value_init (&values[0], G_TYPE_STRING);
  g_value_set_string (&values[0], path);
  for (guint i = 1; i < 4; i++)
    g_value_init (&values[i], G_TYPE_UINT64);
  g_value_set_uint64 (&values[1], ev->address);
  g_value_set_uint64 (&values[2], ev->offset);
  g_value_set_uint64 (&values[3], ev->length);
  provider = ipt_plugin_new_provider_with_properties (raw, G_N_ELEMENTS (names), names, values,
                                                      NULL, error);
  for (guint i = 0; i < 4; i++)
    g_value_unset (&values[i]);
  return provider;
}

guint
ipt_analyze_perf_add_mappings (IptPluginRegistry *registry, IptImage *image, IptPerfData *perf,
                               IptPerfFiles *files)
{
  IptPlugin *raw = ipt_plugin_registry_lookup (registry, "raw");
  GPtrArray *events = ipt_perf_data_get_events (perf);
  g_autoptr(GHashTable) warned = g_hash_table_new (g_str_hash, g_str_equal);
  guint added = 0;

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const IptPerfEvent *ev = g_ptr_array_index (events, i);
      g_autoptr(IptMemoryProvider) provider = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = NULL;
      g_autofree char *path = NULL;
      IptPerfMapping m = { 0 };

      if (ev->kind != IPT_PERF_EVENT_MMAP || ev->is_kernel || ev->filename == NULL ||
          ev->length == 0)
        continue;
      shown = g_filename_display_name (ev->filename);
      m.filename = ev->filename;
      m.build_id = ev->build_id != NULL ? ev->build_id
                                        : ipt_perf_data_lookup_build_id (perf, ev->filename);
      if ((path = ipt_perf_files_find (&m, files, &error)) == NULL)
        {
          guint8 byte;

          /* "//anon", "[vdso]", "[stack]", a file no longer there: said
           * once, unless the memory given (a core) serves it */
          if (!g_hash_table_contains (warned, ev->filename) &&
              ipt_image_read (image, &byte, 1, NULL, ev->address, NULL) != 1)
            ipt_tool_warning ("%s: %s, mapped at 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
                              "x by pid %" G_GINT64_FORMAT ", has no file here: reads there "
                              "will fail (give its memory with --plugin, e.g. a core): %s",
                              ipt_perf_data_get_name (perf), shown, ev->address,
                              ev->address + ev->length, ev->pid, error->message);
          g_hash_table_add (warned, ev->filename);
          continue;
        }
      if (raw == NULL || (provider = raw_mapping (raw, ev, path, &error)) == NULL)
        {
          ipt_tool_warning ("%s: %s at 0x%" G_GINT64_MODIFIER "x: %s",
                            ipt_perf_data_get_name (perf), shown, ev->address,
                            raw == NULL ? "the raw plugin is not loaded" : error->message);
          continue;
        }
      ipt_image_add_provider (image, provider);
      added++;
    }
  return added;
}

gboolean
ipt_analyze_perf_configure (IptDecoder *decoder, IptPerfData *perf, gboolean keep_tsc_conversion,
                            gboolean keep_cpu, GError **error)
{
  const IptPerfPtInfo *info = ipt_perf_data_get_pt_info (perf);
  g_autofree char *spec = NULL;

  if (info != NULL && !keep_tsc_conversion && info->cap_user_time_zero)
    ipt_decoder_set_tsc_conversion (decoder, info->time_zero, (guint32) info->time_mult,
                                    (guint) info->time_shift);
  if (!keep_cpu && (spec = ipt_perf_data_get_cpu_spec (perf)) != NULL &&
      !ipt_decoder_set_cpu (decoder, spec, error))
    return FALSE;
  return TRUE;
}
