/* ipt-perf-data.c: IptPerfData, a perf.data read whole at construction
 * (ipt-perf-data-parser.c) and its public getters. The file is mapped;
 * queues of one AUXTRACE record share the mapping. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-data-private.h"

/**
 * IptPerfData:
 *
 * A perf.data file as `perf record -e intel_pt//` writes it, in file or
 * pipe mode: its Intel PT data per queue, its sideband events, the
 * intel_pt AUXTRACE_INFO, and header features (CPUID, build-ids).
 * Immutable once made.
 *
 * Since: 0.1
 */
struct _IptPerfData
{
  GObject parent_instance;

  char *name;
  IptPerfContents *contents;
};

G_DEFINE_FINAL_TYPE (IptPerfData, ipt_perf_data, G_TYPE_OBJECT)

static void
ipt_perf_data_finalize (GObject *object)
{
  IptPerfData *self = IPT_PERF_DATA (object);

  g_free (self->name);
  ipt_perf_contents_free (self->contents);
  G_OBJECT_CLASS (ipt_perf_data_parent_class)->finalize (object);
}

static void
ipt_perf_data_class_init (IptPerfDataClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ipt_perf_data_finalize;
}

static void
ipt_perf_data_init (IptPerfData *self)
{
}

/**
 * ipt_perf_data_new_from_bytes:
 * @bytes: the whole file
 * @name: the file's name, for messages
 * @error: return location for a #GError
 *
 * Reads a perf.data held in memory. Only little-endian files are read.
 *
 * Errors: %IPT_ERROR_TRUNCATED when a header, a record or AUXTRACE data
 * runs past the end of the file; %IPT_ERROR_CORRUPT when the file is
 * malformed (wrong magic, sizes that do not fit); %IPT_ERROR_NOT_SUPPORTED
 * for a big-endian file. Messages read "NAME: offset 0xOFF: problem".
 *
 * Returns: (transfer full): the recording, or %NULL with @error set
 *
 * Since: 0.1
 */
IptPerfData *
ipt_perf_data_new_from_bytes (GBytes *bytes, const char *name, GError **error)
{
  IptPerfContents *contents;
  IptPerfData *self;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = ipt_perf_data_parse (bytes, name, error);
  if (contents == NULL)
    return NULL;
  self = g_object_new (IPT_TYPE_PERF_DATA, NULL);
  self->name = g_strdup (name);
  self->contents = contents;
  return self;
}

/**
 * ipt_perf_data_new_from_file:
 * @path: (type filename): a perf.data
 * @error: return location for a #GError
 *
 * Maps and reads a perf.data (see ipt_perf_data_new_from_bytes()).
 *
 * Errors: %IPT_ERROR_IO when the file cannot be opened or mapped, else
 * those of ipt_perf_data_new_from_bytes().
 *
 * Returns: (transfer full): the recording, or %NULL with @error set
 *
 * Since: 0.1
 */
IptPerfData *
ipt_perf_data_new_from_file (const char *path, GError **error)
{
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: %s", path, local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (file);
  return ipt_perf_data_new_from_bytes (bytes, path, error);
}

/* For the files of the reader that answer questions about its contents. */
IptPerfContents *
ipt_perf_data_get_contents (IptPerfData *self)
{
  return self->contents;
}

/**
 * ipt_perf_data_is_pipe:
 * @self: an #IptPerfData
 *
 * Whether the attrs and features came as records.
 *
 * Returns: whether the file was written in pipe mode (`perf record -o -`)
 *
 * Since: 0.1
 */
gboolean
ipt_perf_data_is_pipe (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), FALSE);

  return self->contents->is_pipe;
}

/**
 * ipt_perf_data_get_name:
 * @self: an #IptPerfData
 *
 * The name messages use: the path, or the name given with the bytes.
 *
 * Returns: the name the file was read under
 *
 * Since: 0.1
 */
const char *
ipt_perf_data_get_name (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return self->name;
}

/**
 * ipt_perf_data_get_cpuid:
 * @self: an #IptPerfData
 *
 * The HEADER_CPUID feature, e.g. `GenuineIntel,6,78,3` (vendor, family,
 * model, stepping): what a decoder needs for the CPU's errata.
 *
 * Returns: (nullable): the CPUID string, or %NULL when the file has none
 *
 * Since: 0.1
 */
const char *
ipt_perf_data_get_cpuid (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return self->contents->cpuid;
}

/**
 * ipt_perf_data_get_cpu_spec:
 * @self: an #IptPerfData
 *
 * The recording's CPU as ipt_decoder_set_cpu() takes it: the family,
 * model and stepping of a `GenuineIntel,6,78,3` CPUID as `6/78/3`.
 *
 * Returns: (transfer full) (nullable): the spec, or %NULL when the file
 *   has no CPUID or one of another vendor or form
 *
 * Since: 0.1
 */
char *
ipt_perf_data_get_cpu_spec (IptPerfData *self)
{
  g_auto (GStrv) parts = NULL;
  guint64 value;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  if (self->contents->cpuid == NULL)
    return NULL;
  parts = g_strsplit (self->contents->cpuid, ",", 0);
  if (g_strv_length (parts) != 4 || strcmp (parts[0], "GenuineIntel") != 0)
    return NULL;
  for (guint i = 1; i < 4; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT16, &value, NULL))
      return NULL;
  return g_strjoin ("/", parts[1], parts[2], parts[3], NULL);
}

/**
 * ipt_perf_data_get_pt_info:
 * @self: an #IptPerfData
 *
 * How the Intel PT trace was made: what libipt's pt_config needs.
 *
 * Returns: (nullable) (transfer none): the intel_pt AUXTRACE_INFO, or
 *   %NULL when the file has none
 *
 * Since: 0.1
 */
const IptPerfPtInfo *
ipt_perf_data_get_pt_info (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return self->contents->pt_info;
}

/**
 * ipt_perf_data_get_queues:
 * @self: an #IptPerfData
 *
 * The Intel PT data, one queue per AUX area, by index.
 *
 * Returns: (transfer none) (element-type IptPerfQueue): the queues
 *
 * Since: 0.1
 */
GPtrArray *
ipt_perf_data_get_queues (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return self->contents->queues;
}

/**
 * ipt_perf_data_get_events:
 * @self: an #IptPerfData
 *
 * The sideband, in the order of the file.
 *
 * Returns: (transfer none) (element-type IptPerfEvent): the events
 *
 * Since: 0.1
 */
GPtrArray *
ipt_perf_data_get_events (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return self->contents->events;
}

/**
 * ipt_perf_data_get_n_records:
 * @self: an #IptPerfData
 * @type: a perf record type (PERF_RECORD_MMAP is 1, AUXTRACE 71, …)
 *
 * Counts records by type, for statistics and checks.
 *
 * Returns: how many records of @type the data holds, known type or not
 *
 * Since: 0.1
 */
guint
ipt_perf_data_get_n_records (IptPerfData *self, guint32 type)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->contents->n_records,
                                                GUINT_TO_POINTER (type)));
}

/**
 * ipt_perf_data_get_time_conv:
 * @self: an #IptPerfData
 * @time_shift: (out) (optional): the shift
 * @time_mult: (out) (optional): the multiplier
 * @time_zero: (out) (optional): the offset
 *
 * The PERF_RECORD_TIME_CONV: perf time = time_zero + (tsc * time_mult) >>
 * time_shift (ipt_tsc_to_time()).
 *
 * Returns: whether the file has one
 *
 * Since: 0.1
 */
gboolean
ipt_perf_data_get_time_conv (IptPerfData *self, guint64 *time_shift, guint64 *time_mult,
                             guint64 *time_zero)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), FALSE);

  if (time_shift != NULL)
    *time_shift = self->contents->time_shift;
  if (time_mult != NULL)
    *time_mult = self->contents->time_mult;
  if (time_zero != NULL)
    *time_zero = self->contents->time_zero;
  return self->contents->have_time_conv;
}

/**
 * ipt_perf_data_get_pt_attr_config:
 * @self: an #IptPerfData
 * @config: (out) (optional): the intel_pt event's attr config
 *
 * The config of the event of the intel_pt PMU (its type in the
 * AUXTRACE_INFO): which packets were enabled (the bits of #IptPerfPtInfo).
 *
 * Returns: whether the file has such an event
 *
 * Since: 0.1
 */
gboolean
ipt_perf_data_get_pt_attr_config (IptPerfData *self, guint64 *config)
{
  GArray *attrs;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), FALSE);

  attrs = self->contents->attrs;
  for (guint i = 0; self->contents->pt_info != NULL && i < attrs->len; i++)
    if (g_array_index (attrs, IptPerfAttr, i).type == self->contents->pt_info->pmu_type)
      {
        if (config != NULL)
          *config = g_array_index (attrs, IptPerfAttr, i).config;
        return TRUE;
      }
  return FALSE;
}

/**
 * ipt_perf_data_get_pt_traces_kernel:
 * @self: an #IptPerfData
 *
 * Whether the intel_pt event traced the kernel too (its attr's
 * exclude_kernel is clear: `-e intel_pt//`, not `intel_pt//u`): then
 * decoding needs the kernel's code (a copy of /proc/kcore or a vmlinux).
 *
 * Returns: %TRUE if the file has an intel_pt event that traced the kernel
 *
 * Since: 0.1
 */
gboolean
ipt_perf_data_get_pt_traces_kernel (IptPerfData *self)
{
  GArray *attrs;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), FALSE);

  attrs = self->contents->attrs;
  for (guint i = 0; self->contents->pt_info != NULL && i < attrs->len; i++)
    if (g_array_index (attrs, IptPerfAttr, i).type == self->contents->pt_info->pmu_type &&
        !g_array_index (attrs, IptPerfAttr, i).exclude_kernel)
      return TRUE;
  return FALSE;
}

/**
 * ipt_perf_data_lookup_build_id:
 * @self: an #IptPerfData
 * @filename: (type filename): a mapped file's name as the sideband has it
 *
 * The build-id the HEADER_BUILD_ID feature gives for @filename.
 *
 * Returns: (nullable) (transfer none): the build-id's bytes, or %NULL
 *
 * Since: 0.1
 */
GBytes *
ipt_perf_data_lookup_build_id (IptPerfData *self, const char *filename)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  return g_hash_table_lookup (self->contents->build_ids, filename);
}

/**
 * ipt_perf_data_get_build_ids:
 * @self: an #IptPerfData
 *
 * The HEADER_BUILD_ID feature (or pipe mode's HEADER_BUILD_ID records):
 * the build-id of each file perf saw mapped.
 *
 * Returns: (transfer none) (element-type utf8 GBytes): file name to build-id
 *
 * Since: 0.1
 */
GHashTable *
ipt_perf_data_get_build_ids (IptPerfData *self)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return self->contents->build_ids;
}

/**
 * ipt_perf_data_has_time:
 * @self: an #IptPerfData
 *
 * Whether the records carry their time (an attr with PERF_SAMPLE_TIME and
 * sample_id_all, the default of `perf record -e intel_pt//`): without it the events'
 * times are 0 and only their order in the file says what came first.
 *
 * Returns: whether the recording is timed
 *
 * Since: 0.1
 */
gboolean
ipt_perf_data_has_time (IptPerfData *self)
{
  GArray *attrs;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), FALSE);

  attrs = self->contents->attrs;
  for (guint i = 0; i < attrs->len; i++)
    {
      const IptPerfAttr *attr = &g_array_index (attrs, IptPerfAttr, i);

      /* the sideband's times come from the sample_id trailer */
      if ((attr->sample_type & PERF_SAMPLE_TIME) && attr->sample_id_all)
        return TRUE;
    }
  return FALSE;
}
