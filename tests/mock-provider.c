/* mock-provider.c: a configurable memory provider for the tests; see
 * mock-provider.h. Configure it before adding it to an image: reads may then
 * run in several threads (only the counters and the failure switch change). */
#include "config.h"

#include <string.h>

#include "mock-provider.h"

typedef struct {
  IptRegion *region;
  guint8 *bytes;
} MockRegion;

struct _IptMockProvider {
  GObject parent_instance;

  char *label;
  gboolean list_regions;
  guint64 base;
  guint64 size;
  guint fill;
  char *file;
  guint64 offset;
  IptPermissions permissions;

  GArray *regions;              /* MockRegion */

  gint read_count;
  gint fail_enabled;
  guint64 fail_address;
  guint64 fail_size;
  gint fail_without_error;
  gsize max_read;
};

enum {
  PROP_0,
  PROP_LABEL,
  PROP_LIST_REGIONS,
  PROP_BASE,
  PROP_SIZE,
  PROP_FILL,
  PROP_FILE,
  PROP_OFFSET,
  PROP_PERMISSIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ipt_mock_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_mock_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptMockProvider, ipt_mock_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_mock_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_mock_provider_initable_init))

static void
mock_region_clear (gpointer data)
{
  MockRegion *r = data;

  ipt_region_free (r->region);
  g_free (r->bytes);
}

static gboolean
in_range (guint64 address, guint64 start, guint64 size)
{
  return address >= start && address - start < size;
}

/* The region that serves @address at @time: the first valid then, else the
 * one valid soonest after (the rule of ipt_image_set_time()). */
static const MockRegion *
find_region (IptMockProvider *self, const IptAsid *asid, guint64 address, guint64 time)
{
  const MockRegion *future = NULL;

  for (guint i = 0; i < self->regions->len; i++)
    {
      const MockRegion *r = &g_array_index (self->regions, MockRegion, i);

      if (!in_range (address, r->region->address, r->region->size) ||
          !ipt_asid_match (&r->region->asid, asid))
        continue;
      if (ipt_region_is_valid_at (r->region, time))
        return r;
      if (r->region->valid_from > time &&
          (future == NULL || r->region->valid_from < future->region->valid_from))
        future = r;
    }
  return future;
}

static gssize
ipt_mock_provider_read_at (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                           const IptAsid *asid, guint64 address, guint64 time, GError **error)
{
  IptMockProvider *self = IPT_MOCK_PROVIDER (provider);
  const MockRegion *r;
  guint64 avail;

  g_atomic_int_inc (&self->read_count);

  if (g_atomic_int_get (&self->fail_enabled))
    {
      if (in_range (address, self->fail_address, self->fail_size))
        {
          if (g_atomic_int_get (&self->fail_without_error))
            return -1;
          g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                       "mock %s: address 0x%" G_GINT64_MODIFIER "x: injected read failure",
                       self->label, address);
          return -1;
        }
      if (address < self->fail_address && self->fail_address - address < size)
        size = self->fail_address - address;
    }

  r = find_region (self, asid, address, time);
  if (r == NULL)
    return 0;

  avail = r->region->size - (address - r->region->address);
  if (avail < size)
    size = avail;
  if (self->max_read > 0 && self->max_read < size)
    size = self->max_read;
  memcpy (buffer, r->bytes + (address - r->region->address), size);
  return size;
}

static gssize
ipt_mock_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                        const IptAsid *asid, guint64 address, GError **error)
{
  return ipt_mock_provider_read_at (provider, buffer, size, asid, address, IPT_TIME_END, error);
}

void
ipt_mock_provider_set_last_validity (IptMockProvider *self, guint64 valid_from, guint64 valid_to)
{
  g_return_if_fail (self->regions->len > 0);

  ipt_region_set_validity (g_array_index (self->regions, MockRegion, self->regions->len - 1).region,
                           valid_from, valid_to);
}

static GPtrArray *
ipt_mock_provider_list_regions (IptMemoryProvider *provider)
{
  IptMockProvider *self = IPT_MOCK_PROVIDER (provider);
  GPtrArray *result;

  if (!self->list_regions)
    return NULL;

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);
  for (guint i = 0; i < self->regions->len; i++)
    g_ptr_array_add (result, ipt_region_copy (g_array_index (self->regions, MockRegion, i).region));
  return result;
}

static void
ipt_mock_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_mock_provider_read;
  iface->read_at = ipt_mock_provider_read_at;
  iface->list_regions = ipt_mock_provider_list_regions;
}

static void
add_region (IptMockProvider *self, guint64 address, const char *filename, guint64 offset,
            guint8 *bytes, gsize size, const IptAsid *asid, IptPermissions permissions)
{
  MockRegion r;

  r.region = ipt_region_new (address, size, asid, permissions, filename, offset);
  r.bytes = bytes;
  g_array_append_val (self->regions, r);
}

static gboolean
ipt_mock_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable, GError **error)
{
  IptMockProvider *self = IPT_MOCK_PROVIDER (initable);

  if (self->size == 0)
    return TRUE;

  if (self->file != NULL)
    {
      g_autofree guint8 *bytes = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autoptr(GError) local = NULL;

      if (!g_file_get_contents (self->file, &contents, &length, &local))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "mock %s: %s", self->label, local->message);
          return FALSE;
        }
      if (self->offset > length || self->size > length - self->offset)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: %" G_GUINT64_FORMAT
                       " bytes wanted, the file has %" G_GSIZE_FORMAT,
                       self->file, self->offset, self->size, length);
          return FALSE;
        }
      bytes = g_memdup2 (contents + self->offset, self->size);
      add_region (self, self->base, self->file, self->offset, g_steal_pointer (&bytes),
                  self->size, NULL, self->permissions);
    }
  else
    {
      guint8 *bytes = g_malloc (self->size);

      memset (bytes, (int) self->fill, self->size);
      add_region (self, self->base, NULL, 0, bytes, self->size, NULL, self->permissions);
    }

  return TRUE;
}

static void
ipt_mock_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_mock_provider_initable_init_impl;
}

static void
ipt_mock_provider_finalize (GObject *object)
{
  IptMockProvider *self = IPT_MOCK_PROVIDER (object);

  g_array_unref (self->regions);
  g_free (self->label);
  g_free (self->file);

  G_OBJECT_CLASS (ipt_mock_provider_parent_class)->finalize (object);
}

static void
ipt_mock_provider_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptMockProvider *self = IPT_MOCK_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_LIST_REGIONS: g_value_set_boolean (value, self->list_regions); break;
    case PROP_BASE: g_value_set_uint64 (value, self->base); break;
    case PROP_SIZE: g_value_set_uint64 (value, self->size); break;
    case PROP_FILL: g_value_set_uint (value, self->fill); break;
    case PROP_FILE: g_value_set_string (value, self->file); break;
    case PROP_OFFSET: g_value_set_uint64 (value, self->offset); break;
    case PROP_PERMISSIONS: g_value_set_flags (value, self->permissions); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_mock_provider_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IptMockProvider *self = IPT_MOCK_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_LABEL: g_free (self->label); self->label = g_value_dup_string (value); break;
    case PROP_LIST_REGIONS: self->list_regions = g_value_get_boolean (value); break;
    case PROP_BASE: self->base = g_value_get_uint64 (value); break;
    case PROP_SIZE: self->size = g_value_get_uint64 (value); break;
    case PROP_FILL: self->fill = g_value_get_uint (value); break;
    case PROP_FILE: g_free (self->file); self->file = g_value_dup_string (value); break;
    case PROP_OFFSET: self->offset = g_value_get_uint64 (value); break;
    case PROP_PERMISSIONS: self->permissions = g_value_get_flags (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_mock_provider_class_init (IptMockProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ipt_mock_provider_finalize;
  object_class->get_property = ipt_mock_provider_get_property;
  object_class->set_property = ipt_mock_provider_set_property;

  properties[PROP_LABEL] = g_param_spec_string ("label", "Label", "A name for messages", "mock", flags);
  properties[PROP_LIST_REGIONS] = g_param_spec_boolean ("list-regions", "List regions",
                                                        "Whether the provider lists its regions",
                                                        TRUE, flags);
  properties[PROP_BASE] = g_param_spec_uint64 ("base", "Base", "Address of the region",
                                               0, G_MAXUINT64, 0, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", "Size", "Size of the region (0: none)",
                                               0, G_MAXUINT64, 0, flags);
  properties[PROP_FILL] = g_param_spec_uint ("fill", "Fill", "Byte value of the region",
                                             0, 255, 0, flags);
  properties[PROP_FILE] = g_param_spec_string ("file", "File", "File holding the region's bytes",
                                               NULL, flags);
  properties[PROP_OFFSET] = g_param_spec_uint64 ("offset", "Offset", "Offset of the region in the file",
                                                 0, G_MAXUINT64, 0, flags);
  properties[PROP_PERMISSIONS] = g_param_spec_flags ("permissions", "Permissions",
                                                     "Permissions of the region",
                                                     IPT_TYPE_PERMISSIONS,
                                                     IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE,
                                                     flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_mock_provider_init (IptMockProvider *self)
{
  self->regions = g_array_new (FALSE, FALSE, sizeof (MockRegion));
  g_array_set_clear_func (self->regions, mock_region_clear);
  self->list_regions = TRUE;
  self->label = g_strdup ("mock");
}

IptMockProvider *
ipt_mock_provider_new (gboolean list_regions)
{
  return g_initable_new (IPT_TYPE_MOCK_PROVIDER, NULL, NULL, "list-regions", list_regions, NULL);
}

void
ipt_mock_provider_add_bytes (IptMockProvider *self, guint64 address, const guint8 *bytes,
                             gsize size, const IptAsid *asid)
{
  add_region (self, address, NULL, 0, g_memdup2 (bytes, size), size, asid,
              IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
}

void
ipt_mock_provider_add_fill (IptMockProvider *self, guint64 address, gsize size,
                            guint8 fill, const IptAsid *asid)
{
  guint8 *bytes = g_malloc (size);

  memset (bytes, fill, size);
  add_region (self, address, NULL, 0, bytes, size, asid,
              IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
}

gboolean
ipt_mock_provider_add_file (IptMockProvider *self, guint64 address, const char *filename,
                            guint64 offset, gsize size, const IptAsid *asid, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (filename, &contents, &length, error))
    return FALSE;
  if (offset > length || size > length - offset)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: %" G_GSIZE_FORMAT
                   " bytes wanted, the file has %" G_GSIZE_FORMAT,
                   filename, offset, size, length);
      return FALSE;
    }
  add_region (self, address, filename, offset, g_memdup2 (contents + offset, size), size, asid,
              IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
  return TRUE;
}

void
ipt_mock_provider_add_file_region_with_bytes (IptMockProvider *self, guint64 address,
                                              const char *filename, guint64 offset,
                                              const guint8 *bytes, gsize size,
                                              const IptAsid *asid)
{
  add_region (self, address, filename, offset, g_memdup2 (bytes, size), size, asid,
              IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
}

void
ipt_mock_provider_set_failure (IptMockProvider *self, guint64 address, gsize size)
{
  self->fail_address = address;
  self->fail_size = size;
  g_atomic_int_set (&self->fail_enabled, 1);
}

void
ipt_mock_provider_clear_failure (IptMockProvider *self)
{
  g_atomic_int_set (&self->fail_enabled, 0);
}

void
ipt_mock_provider_set_fail_without_error (IptMockProvider *self, gboolean enabled)
{
  g_atomic_int_set (&self->fail_without_error, enabled ? 1 : 0);
}

void
ipt_mock_provider_set_max_read (IptMockProvider *self, gsize max)
{
  self->max_read = max;
}

guint
ipt_mock_provider_get_read_count (IptMockProvider *self)
{
  return (guint) g_atomic_int_get (&self->read_count);
}

void
ipt_mock_provider_reset_read_count (IptMockProvider *self)
{
  g_atomic_int_set (&self->read_count, 0);
}
