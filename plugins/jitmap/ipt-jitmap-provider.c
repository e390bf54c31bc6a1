/* ipt-jitmap-provider.c: serves JIT code from a perf jitdump, and names from
 * it and from a perf map.
 *
 * The dump stays mapped (the code bytes are served from the mapping) and is
 * parsed once at init into code versions with validity intervals
 * (ipt-jitdump-parser.c); the perf map into a name index
 * (ipt-perfmap-parser.c). A read or a lookup is a search in those immutable
 * arrays and a memcpy: no allocation, no lock, no syscall. */
#include "config.h"

#include <gio/gio.h>

#include "ipt-jitdump-parser.h"
#include "ipt-jitmap-provider.h"
#include "ipt-perfmap-parser.h"
#include "ipt-plugin-file.h"
#include "ipt-provider-options.h"

/**
 * IptJitmapProvider:
 *
 * JIT code as perf sees it. #IptJitmapProvider:dump is a perf jitdump
 * (`jit-PID.dump`): each JIT_CODE_LOAD record's code becomes a region of
 * the dump's bytes, valid from the record's time until a later LOAD or
 * MOVE puts other code over any part of it; JIT_CODE_MOVE moves code to a
 * new address from its time on; JIT_CODE_DEBUG_INFO gives line tables.
 * #IptJitmapProvider:map is a perf map (`perf-PID.map`): names only, for
 * another provider's bytes. The format, the time rule and every message
 * are described in `docs/plugin-jitmap.md`.
 *
 * Construction fails (g_initable_new()) with:
 * - %IPT_ERROR_BAD_OPTION when neither `dump` nor `map` is given;
 * - %IPT_ERROR_INVALID_ARGUMENT when a file is not a regular file;
 * - %IPT_ERROR_NOT_FOUND when a file does not exist; %IPT_ERROR_IO when it
 *   cannot be opened or mapped;
 * - %IPT_ERROR_TRUNCATED when the dump ends inside its header;
 * - %IPT_ERROR_NOT_SUPPORTED for a jitdump version other than 1;
 * - %IPT_ERROR_CORRUPT for a wrong magic or a record inconsistent with its
 *   size, or a map of which no line parses.
 *
 * It warns (g_warning()) and goes on when the dump's last record is cut
 * off (a JIT still writing), when its timestamps are the TSC and no
 * conversion was given, and for perf map lines that do not parse.
 */
struct _IptJitmapProvider {
  GObject parent_instance;

  /* options */
  char *dump;
  char *map;
  guint64 cr3;
  guint64 time_zero;
  guint64 time_mult;
  guint64 time_shift;

  /* state after init; never changes afterwards */
  char *dump_path;            /* absolute */
  GMappedFile *dump_file;
  const guint8 *dump_data;
  IptJitdump *jitdump;        /* NULL without a dump */
  IptPerfmap *perfmap;        /* NULL without a map */
  IptAsid asid;
  gboolean ready;             /* set last by a successful init */
};

enum {
  PROP_0,
  PROP_DUMP,
  PROP_MAP,
  PROP_CR3,
  PROP_TIME_ZERO,
  PROP_TIME_MULT,
  PROP_TIME_SHIFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Neither file is required alone: init checks that one is given. */
static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_DUMP, IptJitmapProvider, dump, FALSE),
  IPT_PROVIDER_OPTION (PROP_MAP, IptJitmapProvider, map, FALSE),
  IPT_PROVIDER_OPTION (PROP_CR3, IptJitmapProvider, cr3, FALSE),
  IPT_PROVIDER_OPTION (PROP_TIME_ZERO, IptJitmapProvider, time_zero, FALSE),
  IPT_PROVIDER_OPTION (PROP_TIME_MULT, IptJitmapProvider, time_mult, FALSE),
  IPT_PROVIDER_OPTION (PROP_TIME_SHIFT, IptJitmapProvider, time_shift, FALSE),
};

static void ipt_jitmap_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_jitmap_provider_symbol_source_init (IptSymbolSourceInterface *iface);
static void ipt_jitmap_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptJitmapProvider, ipt_jitmap_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_jitmap_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SYMBOL_SOURCE,
                                                      ipt_jitmap_provider_symbol_source_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_jitmap_provider_initable_init))

/* ---- memory ------------------------------------------------------------- */

/* Whether reads and lookups in @asid get an answer. */
static inline gboolean
serves (IptJitmapProvider *self, const IptAsid *asid)
{
  return self->ready && ipt_asid_match (&self->asid, asid);
}

static gssize
ipt_jitmap_provider_read_at (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                             const IptAsid *asid, guint64 address, guint64 time, GError **error)
{
  IptJitmapProvider *self = (IptJitmapProvider *) provider;

  if (self->jitdump == NULL || !serves (self, asid))
    return 0;
  return (gssize) ipt_jitdump_read (self->jitdump, self->dump_data, buffer, size, address, time);
}

static gssize
ipt_jitmap_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                          const IptAsid *asid, guint64 address, GError **error)
{
  return ipt_jitmap_provider_read_at (provider, buffer, size, asid, address, IPT_TIME_END,
                                      error);
}

static GPtrArray *
ipt_jitmap_provider_list_regions (IptMemoryProvider *provider)
{
  IptJitmapProvider *self = (IptJitmapProvider *) provider;
  GPtrArray *regions;

  /* Empty, never NULL: a NULL list would make the image ask this provider
   * at every address. */
  if (!self->ready || self->jitdump == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);

  regions = g_ptr_array_new_full (self->jitdump->n_codes, (GDestroyNotify) ipt_region_free);
  for (gsize i = 0; i < self->jitdump->n_codes; i++)
    {
      const IptJitdumpCode *code = &self->jitdump->codes[i];
      IptRegion *region = ipt_region_new (code->span.start, code->span.end - code->span.start,
                                          &self->asid,
                                          IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE,
                                          self->dump_path, code->code_offset);

      ipt_region_set_validity (region, code->valid_from, code->valid_to);
      g_ptr_array_add (regions, region);
    }
  return regions;
}

static void
ipt_jitmap_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_jitmap_provider_read;
  iface->read_at = ipt_jitmap_provider_read_at;
  iface->list_regions = ipt_jitmap_provider_list_regions;
}

/* ---- symbols ------------------------------------------------------------ */

/* The dump's code valid at @time (by the rule), or NULL. */
static const IptJitdumpCode *
find_code (IptJitmapProvider *self, const IptAsid *asid, guint64 address, guint64 time)
{
  if (self->jitdump == NULL || !serves (self, asid))
    return NULL;
  return ipt_jitdump_find (self->jitdump, address, time);
}

static gboolean
ipt_jitmap_provider_lookup_at (IptSymbolSource *source, const IptAsid *asid, guint64 address,
                               guint64 time, const char **name, guint64 *start, guint64 *size)
{
  IptJitmapProvider *self = (IptJitmapProvider *) source;
  const IptJitdumpCode *code = find_code (self, asid, address, time);
  const IptPerfmapEntry *entry;

  /* The dump's names are timed; the map's, timeless, come second. */
  if (code != NULL && code->name[0] != '\0')
    {
      *name = code->name;
      *start = code->span.start;
      *size = code->span.end - code->span.start;
      return TRUE;
    }
  if (self->perfmap == NULL || !serves (self, asid))
    return FALSE;
  entry = ipt_perfmap_find (self->perfmap, address);
  if (entry == NULL)
    return FALSE;
  *name = entry->name;
  *start = entry->span.start;
  *size = entry->size;
  return TRUE;
}

static gboolean
ipt_jitmap_provider_lookup (IptSymbolSource *source, const IptAsid *asid, guint64 address,
                            const char **name, guint64 *start, guint64 *size)
{
  return ipt_jitmap_provider_lookup_at (source, asid, address, IPT_TIME_END, name, start, size);
}

static gboolean
ipt_jitmap_provider_lookup_line (IptSymbolSource *source, const IptAsid *asid, guint64 address,
                                 guint64 time, const char **file, guint *line)
{
  IptJitmapProvider *self = (IptJitmapProvider *) source;
  const IptJitdumpCode *code = find_code (self, asid, address, time);
  const IptJitdumpLine *entry;

  if (code == NULL)
    return FALSE;
  entry = ipt_jitdump_code_find_line (self->jitdump, code, address);
  if (entry == NULL)
    return FALSE;
  *file = entry->file;
  *line = entry->line;
  return TRUE;
}

static void
ipt_jitmap_provider_symbol_source_init (IptSymbolSourceInterface *iface)
{
  iface->lookup = ipt_jitmap_provider_lookup;
  iface->lookup_at = ipt_jitmap_provider_lookup_at;
  iface->lookup_line = ipt_jitmap_provider_lookup_line;
}

/* ---- init --------------------------------------------------------------- */

static void
log_warnings (GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    g_warning ("%s", (const char *) g_ptr_array_index (warnings, i));
}

static gboolean
conversion_given (IptJitmapProvider *self)
{
  return self->time_zero != 0 || self->time_mult != 1 || self->time_shift != 0;
}

static gboolean
open_dump (IptJitmapProvider *self, GError **error)
{
  g_autofree char *path = g_canonicalize_filename (self->dump, NULL);
  g_autofree char *shown = ipt_plugin_file_show (path);
  g_autoptr (GMappedFile) file = NULL;
  IptJitdumpTsc tsc = { self->time_zero, (guint32) self->time_mult, (guint16) self->time_shift };
  gboolean convert = conversion_given (self);
  IptJitdump *dump;

  file = ipt_plugin_file_map ("jitmap", path, error);
  if (file == NULL)
    return FALSE;
  dump = ipt_jitdump_parse ((const guint8 *) g_mapped_file_get_contents (file),
                            g_mapped_file_get_length (file), shown, convert ? &tsc : NULL,
                            error);
  if (dump == NULL)
    {
      g_prefix_error (error, "jitmap: ");
      return FALSE;
    }
  log_warnings (dump->warnings);
  if ((dump->flags & IPT_JITDUMP_FLAGS_ARCH_TIMESTAMP) && !convert)
    g_warning ("%s: the timestamps are the CPU's TSC (JITDUMP_FLAGS_ARCH_TIMESTAMP) and no"
               " conversion was given (time-zero, time-mult, time-shift): they are used as"
               " they are", shown);
  else if (!(dump->flags & IPT_JITDUMP_FLAGS_ARCH_TIMESTAMP) && convert)
    g_warning ("%s: the timestamps are CLOCK_MONOTONIC, not the TSC: time-zero, time-mult"
               " and time-shift are ignored", shown);

  self->jitdump = dump;
  self->dump_path = g_steal_pointer (&path);
  self->dump_data = (const guint8 *) g_mapped_file_get_contents (file);
  self->dump_file = g_steal_pointer (&file);
  return TRUE;
}

static gboolean
open_map (IptJitmapProvider *self, GError **error)
{
  g_autofree char *path = g_canonicalize_filename (self->map, NULL);
  g_autofree char *shown = ipt_plugin_file_show (path);
  g_autoptr (GMappedFile) file = NULL;

  file = ipt_plugin_file_map ("jitmap", path, error);
  if (file == NULL)
    return FALSE;
  self->perfmap = ipt_perfmap_parse ((const guint8 *) g_mapped_file_get_contents (file),
                                     g_mapped_file_get_length (file), shown, error);
  if (self->perfmap == NULL)
    {
      g_prefix_error (error, "jitmap: ");
      return FALSE;
    }
  log_warnings (self->perfmap->warnings);
  return TRUE;
}

static gboolean
has_value (const char *option)
{
  return option != NULL && option[0] != '\0';
}

static gboolean
ipt_jitmap_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable,
                                        GError **error)
{
  IptJitmapProvider *self = IPT_JITMAP_PROVIDER (initable);

  if (self->ready)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  /* A failed init may be retried: start from nothing. */
  g_clear_pointer (&self->jitdump, ipt_jitdump_free);
  g_clear_pointer (&self->perfmap, ipt_perfmap_free);
  g_clear_pointer (&self->dump_file, g_mapped_file_unref);
  g_clear_pointer (&self->dump_path, g_free);

  if (!has_value (self->dump) && !has_value (self->map))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "jitmap: option 'dump' or 'map' is required (or both)");
      return FALSE;
    }
  if (has_value (self->dump) && !open_dump (self, error))
    return FALSE;
  if (has_value (self->map) && !open_map (self, error))
    return FALSE;
  if (!has_value (self->dump) && conversion_given (self))
    g_warning ("time-zero, time-mult and time-shift are ignored: they convert the timestamps"
               " of a dump, and none was given");

  self->asid = ipt_plugin_asid_from_cr3 (self->cr3);
  /* Last: it is what makes reads and lookups answer. */
  self->ready = TRUE;
  return TRUE;
}

static void
ipt_jitmap_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_jitmap_provider_initable_init_impl;
}

/* ---- GObject ------------------------------------------------------------ */

static void
ipt_jitmap_provider_finalize (GObject *object)
{
  IptJitmapProvider *self = IPT_JITMAP_PROVIDER (object);

  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);
  g_free (self->dump_path);
  g_clear_pointer (&self->jitdump, ipt_jitdump_free);
  g_clear_pointer (&self->perfmap, ipt_perfmap_free);
  g_clear_pointer (&self->dump_file, g_mapped_file_unref);

  G_OBJECT_CLASS (ipt_jitmap_provider_parent_class)->finalize (object);
}

static void
ipt_jitmap_provider_get_property (GObject *object, guint prop_id, GValue *value,
                                  GParamSpec *pspec)
{
  if (!ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id,
                                          value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_jitmap_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  if (!ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options), prop_id,
                                          value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static GParamSpec *
param_spec_number (const char *name, const char *nick, const char *blurb, guint64 maximum,
                   guint64 default_value)
{
  return g_param_spec_uint64 (name, nick, blurb, default_value == 1 ? 1 : 0, maximum,
                              default_value,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
}

static void
ipt_jitmap_provider_class_init (IptJitmapProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_jitmap_provider_finalize;
  object_class->get_property = ipt_jitmap_provider_get_property;
  object_class->set_property = ipt_jitmap_provider_set_property;

  /**
   * IptJitmapProvider:dump: (type filename)
   *
   * A perf jitdump (`jit-PID.dump`): the JIT's code bytes, names and line
   * tables, with times. At least one of `dump` and #IptJitmapProvider:map
   * is required.
   */
  properties[PROP_DUMP] =
    ipt_plugin_param_spec_file ("dump", "Jitdump",
                                "A perf jitdump (jit-PID.dump): code, names, lines, with times");

  /**
   * IptJitmapProvider:map: (type filename)
   *
   * A perf map (`perf-PID.map`): names only, for code whose bytes another
   * provider serves (or the dump's code without a name).
   */
  properties[PROP_MAP] =
    ipt_plugin_param_spec_file ("map", "Perf map",
                                "A perf map (perf-PID.map): lines START SIZE NAME, names only");

  /**
   * IptJitmapProvider:cr3:
   *
   * The address space (CR3) of the JIT's process; %IPT_ASID_NO_CR3 (the
   * default) maps the code in every address space.
   */
  properties[PROP_CR3] = ipt_plugin_param_spec_cr3 ("process");

  /**
   * IptJitmapProvider:time-zero:
   *
   * perf's `time_zero`, for a dump whose timestamps are the TSC
   * (JITDUMP_FLAGS_ARCH_TIMESTAMP): with #IptJitmapProvider:time-mult and
   * #IptJitmapProvider:time-shift, converts them to CLOCK_MONOTONIC as
   * ipt_tsc_to_time() does. The defaults (0, 1, 0) are the identity.
   */
  properties[PROP_TIME_ZERO] =
    param_spec_number ("time-zero", "TSC time_zero",
                       "time_zero of perf's TSC conversion, for a dump with TSC timestamps",
                       G_MAXUINT64, 0);

  /**
   * IptJitmapProvider:time-mult:
   *
   * perf's `time_mult` (see #IptJitmapProvider:time-zero).
   */
  properties[PROP_TIME_MULT] =
    param_spec_number ("time-mult", "TSC time_mult",
                       "time_mult of perf's TSC conversion (1..2^32-1)", G_MAXUINT32, 1);

  /**
   * IptJitmapProvider:time-shift:
   *
   * perf's `time_shift` (see #IptJitmapProvider:time-zero).
   */
  properties[PROP_TIME_SHIFT] =
    param_spec_number ("time-shift", "TSC time_shift",
                       "time_shift of perf's TSC conversion (0..63)", 63, 0);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_jitmap_provider_init (IptJitmapProvider *self)
{
  self->cr3 = IPT_ASID_NO_CR3;
  self->time_mult = 1;
  self->asid = ipt_plugin_asid_from_cr3 (IPT_ASID_NO_CR3);
}
