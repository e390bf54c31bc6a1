/* ipt-raw-provider.c: a file, or a window of one, mapped at a load address (ptxed's --raw).
 *
 * The file is mapped once at init (GMappedFile); a read is a bounds check
 * and a memcpy: no syscall, no allocation, no lock. All checks on the
 * options happen at init, so a read can never fail. */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "ipt-raw-provider.h"
#include "ipt-plugin-file.h"
#include "ipt-provider-options.h"

/**
 * IptRawProvider:
 *
 * Maps bytes [#IptRawProvider:offset, #IptRawProvider:offset +
 * #IptRawProvider:size) of #IptRawProvider:file at #IptRawProvider:base,
 * like ptxed's `--raw file:from-to:base`. Its one region carries the file's
 * absolute name and offset, so the image gives it to libipt as a file
 * section.
 *
 * Construction fails (g_initable_new()) with:
 * - %IPT_ERROR_BAD_OPTION when `file` or `base` is missing;
 * - %IPT_ERROR_INVALID_ARGUMENT when the file is empty or not a regular file, the window starts at or past the end of the
 *   file or extends past it, the mapping would reach 2^64, or `valid-from`
 *   is not before `valid-to`;
 * - %IPT_ERROR_NOT_FOUND when the file does not exist;
 * - %IPT_ERROR_IO when it cannot be opened or mapped.
 */
struct _IptRawProvider {
  GObject parent_instance;

  /* options */
  char *file;
  guint64 base;
  guint64 offset;
  guint64 size;
  guint64 cr3;
  guint64 valid_from;
  guint64 valid_to;

  /* state after init; never changes afterwards */
  char *path;              /* absolute */
  GMappedFile *mapped;
  const guint8 *data;      /* the window: file bytes from @offset */
  guint64 length;          /* length of the window, 0 before a successful init */
  IptAsid asid;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_BASE,
  PROP_OFFSET,
  PROP_SIZE,
  PROP_CR3,
  PROP_VALID_FROM,
  PROP_VALID_TO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* In the order init checks them. */
static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_FILE, IptRawProvider, file, TRUE),
  /* Required, checked at init: its default, IPT_RAW_PROVIDER_BASE_UNSET,
   * means "not given" and gets a message of its own. */
  IPT_PROVIDER_OPTION (PROP_BASE, IptRawProvider, base, FALSE),
  IPT_PROVIDER_OPTION (PROP_OFFSET, IptRawProvider, offset, FALSE),
  IPT_PROVIDER_OPTION (PROP_SIZE, IptRawProvider, size, FALSE),
  IPT_PROVIDER_OPTION (PROP_CR3, IptRawProvider, cr3, FALSE),
  IPT_PROVIDER_OPTION (PROP_VALID_FROM, IptRawProvider, valid_from, FALSE),
  IPT_PROVIDER_OPTION (PROP_VALID_TO, IptRawProvider, valid_to, FALSE),
};

static void ipt_raw_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_raw_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptRawProvider, ipt_raw_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_raw_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_raw_provider_initable_init))

static gssize
ipt_raw_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                       const IptAsid *asid, guint64 address, GError **error)
{
  IptRawProvider *self = (IptRawProvider *) provider;
  guint64 delta;
  gsize n;

  if (address < self->base)
    return 0;
  delta = address - self->base;
  if (delta >= self->length)
    return 0;
  if (!ipt_asid_match (&self->asid, asid))
    return 0;

  n = (gsize) MIN ((guint64) size, self->length - delta);
  memcpy (buffer, self->data + delta, n);
  return (gssize) n;
}

static GPtrArray *
ipt_raw_provider_list_regions (IptMemoryProvider *provider)
{
  IptRawProvider *self = (IptRawProvider *) provider;
  GPtrArray *regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);

  if (self->length > 0)
    {
      IptRegion *region = ipt_region_new (self->base, self->length, &self->asid,
                                          IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE,
                                          self->path, self->offset);

      ipt_region_set_validity (region, self->valid_from, self->valid_to);
      g_ptr_array_add (regions, region);
    }
  return regions;
}

static void
ipt_raw_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_raw_provider_read;
  iface->list_regions = ipt_raw_provider_list_regions;
}

static gboolean
ipt_raw_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable,
                                     GError **error)
{
  IptRawProvider *self = IPT_RAW_PROVIDER (initable);
  g_autoptr (GMappedFile) mapped = NULL;
  g_autofree char *path = NULL;
  g_autofree char *shown = NULL;
  guint64 file_size, length;

  if (self->mapped != NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!ipt_provider_options_check_required (G_OBJECT (self), "raw", options,
                                          G_N_ELEMENTS (options), properties, error))
    return FALSE;
  /* GObject sets a construct property that was not given to its default, so
   * whoever gave this value cannot be told apart from whoever gave none:
   * say why it cannot be a base either. */
  if (self->base == IPT_RAW_PROVIDER_BASE_UNSET)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "raw: option 'base' is required (0x%" G_GINT64_MODIFIER "x stands for"
                   " not given: no mapping can start there)", IPT_RAW_PROVIDER_BASE_UNSET);
      return FALSE;
    }

  if (self->valid_from >= self->valid_to)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "raw: valid-from %" G_GUINT64_FORMAT " is not before valid-to %"
                   G_GUINT64_FORMAT ": the mapping would never be valid",
                   self->valid_from, self->valid_to);
      return FALSE;
    }

  /* libipt opens sections by name, maybe after the cwd changed. */
  path = g_canonicalize_filename (self->file, NULL);
  mapped = ipt_plugin_file_map ("raw", path, error);
  if (mapped == NULL)
    return FALSE;

  shown = ipt_plugin_file_show (path);
  file_size = g_mapped_file_get_length (mapped);
  if (file_size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "raw: %s: the file is empty, there is nothing to map", shown);
      return FALSE;
    }
  if (self->offset >= file_size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "raw: %s: offset 0x%" G_GINT64_MODIFIER "x is at or past the end"
                   " of the file (size 0x%" G_GINT64_MODIFIER "x)",
                   shown, self->offset, file_size);
      return FALSE;
    }
  if (self->size == 0)
    length = file_size - self->offset;
  else if (self->size > file_size - self->offset)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "raw: %s: offset 0x%" G_GINT64_MODIFIER "x: 0x%" G_GINT64_MODIFIER
                   "x bytes extend past the end of the file (size 0x%"
                   G_GINT64_MODIFIER "x)",
                   shown, self->offset, self->size, file_size);
      return FALSE;
    }
  else
    length = self->size;

  /* The end address must be representable (libipt computes it too). */
  if (length > G_MAXUINT64 - self->base)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "raw: %s: 0x%" G_GINT64_MODIFIER "x bytes at base 0x%"
                   G_GINT64_MODIFIER "x %s", shown, length, self->base,
                   length - 1 == G_MAXUINT64 - self->base
                     ? "end at 2^64, the top of the 64-bit address space, which cannot be mapped"
                     : "reach past the end of the 64-bit address space");
      return FALSE;
    }

  self->path = g_steal_pointer (&path);
  self->data = (const guint8 *) g_mapped_file_get_contents (mapped) + self->offset;
  self->mapped = g_steal_pointer (&mapped);
  self->asid = ipt_plugin_asid_from_cr3 (self->cr3);
  /* Last: a non-zero length is what makes read() map anything. */
  self->length = length;
  return TRUE;
}

static void
ipt_raw_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_raw_provider_initable_init_impl;
}

static void
ipt_raw_provider_finalize (GObject *object)
{
  IptRawProvider *self = IPT_RAW_PROVIDER (object);

  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);
  g_free (self->path);
  g_clear_pointer (&self->mapped, g_mapped_file_unref);

  G_OBJECT_CLASS (ipt_raw_provider_parent_class)->finalize (object);
}

static void
ipt_raw_provider_get_property (GObject *object, guint prop_id, GValue *value,
                               GParamSpec *pspec)
{
  if (!ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id,
                                        value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_raw_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  if (!ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options), prop_id,
                                        value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_raw_provider_class_init (IptRawProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ipt_raw_provider_finalize;
  object_class->get_property = ipt_raw_provider_get_property;
  object_class->set_property = ipt_raw_provider_set_property;

  /**
   * IptRawProvider:file: (type filename)
   *
   * The file whose bytes are mapped (required).
   */
  properties[PROP_FILE] =
    ipt_plugin_param_spec_file ("file", "File", "File whose bytes are mapped (required)");

  /**
   * IptRawProvider:base:
   *
   * The address at which the byte at #IptRawProvider:offset is mapped
   * (required). Its default, %IPT_RAW_PROVIDER_BASE_UNSET, means "not
   * given": no mapping of one byte or more can start there.
   */
  properties[PROP_BASE] =
    g_param_spec_uint64 ("base", "Base address",
                         "Load address of the first mapped byte (required)",
                         0, G_MAXUINT64, IPT_RAW_PROVIDER_BASE_UNSET, flags);

  /**
   * IptRawProvider:offset:
   *
   * Offset in the file of the first mapped byte (ptxed's FROM).
   */
  properties[PROP_OFFSET] =
    g_param_spec_uint64 ("offset", "File offset",
                         "Offset in the file of the first mapped byte",
                         0, G_MAXUINT64, 0, flags);

  /**
   * IptRawProvider:size:
   *
   * Number of bytes mapped; 0 maps up to the end of the file (ptxed's TO - FROM).
   */
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", "Size",
                         "Number of bytes mapped, 0 = up to the end of the file",
                         0, G_MAXUINT64, 0, flags);

  /**
   * IptRawProvider:cr3:
   *
   * The address space (CR3) the mapping belongs to; %IPT_ASID_NO_CR3 (the
   * default) maps it in every address space.
   */
  properties[PROP_CR3] = ipt_plugin_param_spec_cr3 ("mapping");

  /**
   * IptRawProvider:valid-from:
   *
   * The first time (ns, perf's clock) at which the file's bytes are
   * mapped; 0 (the default) = always. With #IptRawProvider:valid-to, the
   * region's validity interval: a library unmapped and another mapped at
   * its address are two providers over one range at different times.
   */
  properties[PROP_VALID_FROM] =
    g_param_spec_uint64 ("valid-from", "Valid from",
                         "First time (ns) at which the bytes are mapped, 0 = always",
                         0, G_MAXUINT64, 0, flags);

  /**
   * IptRawProvider:valid-to:
   *
   * The time (ns, exclusive) from which the bytes are no longer mapped;
   * %IPT_TIME_END (the default) = never ends. Must be greater than
   * #IptRawProvider:valid-from.
   */
  properties[PROP_VALID_TO] =
    g_param_spec_uint64 ("valid-to", "Valid to",
                         "Time (ns) from which the bytes are no longer mapped, exclusive",
                         0, G_MAXUINT64, IPT_TIME_END, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_raw_provider_init (IptRawProvider *self)
{
  self->base = IPT_RAW_PROVIDER_BASE_UNSET;
  self->cr3 = IPT_ASID_NO_CR3;
  self->valid_to = IPT_TIME_END;
  self->asid = ipt_plugin_asid_from_cr3 (IPT_ASID_NO_CR3);
}
