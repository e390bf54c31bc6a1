/* hexrec-provider.c: the bytes of a Motorola S-record or Intel HEX file —
 * what gdb's `dump srec memory` / `dump ihex memory` and objcopy's
 * `-O srec` / `-O ihex` write — served at the addresses its records give.
 *
 * An example of a third-party plugin: it uses only the installed headers
 * of ipt-analyze. The whole file is parsed and checked at init
 * (GInitable), so a bad file is a GError naming its line, never a failing
 * read later; after init nothing changes, and a read (called from several
 * decoder threads at once) is a binary search and a memcpy: no allocation,
 * no lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gio/gio.h>

#include "hexrec-provider.h"
#include "hexrec-parser.h"

struct _HexrecProvider {
  GObject parent_instance;

  /* options */
  char *file;
  guint64 base;
  guint64 cr3;

  /* after init; never changes afterwards */
  HexrecData *data;
  IptAsid asid;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_BASE,
  PROP_CR3,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void hexrec_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void hexrec_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HexrecProvider, hexrec_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      hexrec_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      hexrec_provider_initable_init))

/* The segment that holds @address, or NULL. */
static const HexrecSegment *
find_segment (const HexrecData *data, guint64 address)
{
  const HexrecSegment *segments = (const HexrecSegment *) (gconstpointer) data->segments->data;
  guint low = 0, high = data->segments->len;

  /* the first segment that starts after @address */
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (segments[middle].address <= address)
        low = middle + 1;
      else
        high = middle;
    }
  if (low == 0 || address - segments[low - 1].address >= segments[low - 1].length)
    return NULL;
  return &segments[low - 1];
}

static gssize
hexrec_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                      const IptAsid *asid, guint64 address, GError **error)
{
  HexrecProvider *self = (HexrecProvider *) provider;
  const HexrecSegment *segment;
  guint64 delta;
  gsize n;

  if (self->data == NULL || !ipt_asid_match (&self->asid, asid))
    return 0;
  segment = find_segment (self->data, address);
  if (segment == NULL)
    return 0;

  delta = address - segment->address;
  n = (gsize) MIN ((guint64) size, segment->length - delta);
  memcpy (buffer, self->data->data->data + segment->offset + delta, n);
  return (gssize) n;
}

/* One region per run of contiguous bytes. The bytes do not lie in the file
 * as they are (they are hex text), so no region names a file: the image
 * serves them through its read callback. */
static GPtrArray *
hexrec_provider_list_regions (IptMemoryProvider *provider)
{
  HexrecProvider *self = (HexrecProvider *) provider;
  GPtrArray *regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);

  for (guint i = 0; self->data != NULL && i < self->data->segments->len; i++)
    {
      const HexrecSegment *segment = &g_array_index (self->data->segments, HexrecSegment, i);

      g_ptr_array_add (regions, ipt_region_new (segment->address, segment->length, &self->asid,
                                                IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE,
                                                NULL, 0));
    }
  return regions;
}

static void
hexrec_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = hexrec_provider_read;
  iface->list_regions = hexrec_provider_list_regions;
}

/* The file's contents; a FIFO or a directory is refused before it is opened. */
static gboolean
load_file (const char *path, char **contents, gsize *length, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "hexrec: %s: not a regular file", path);
      return FALSE;
    }
  if (!g_file_get_contents (path, contents, length, &local_error))
    {
      /* GLib's message names the file already */
      g_set_error (error, IPT_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? IPT_ERROR_NOT_FOUND : IPT_ERROR_IO,
                   "hexrec: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
hexrec_provider_init_impl (GInitable *initable, GCancellable *cancellable, GError **error)
{
  HexrecProvider *self = HEXREC_PROVIDER (initable);
  g_autoptr (HexrecData) data = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (self->data != NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* GObject sets every construct property, so "not given" is the default */
  if (self->file == NULL || self->file[0] == '\0')
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION, "hexrec: option 'file' is required");
      return FALSE;
    }
  if (!load_file (self->file, &contents, &length, error))
    return FALSE;
  data = hexrec_parse (self->file, contents, length, error);
  if (data == NULL)
    return FALSE;
  if (self->base != HEXREC_PROVIDER_BASE_UNSET
      && !hexrec_data_relocate (data, self->file, self->base, error))
    return FALSE;

  self->asid.cr3 = self->cr3;
  self->asid.vmcs = IPT_ASID_NO_VMCS;
  /* last: a non-NULL data is what makes read() map anything */
  self->data = g_steal_pointer (&data);
  return TRUE;
}

static void
hexrec_provider_initable_init (GInitableIface *iface)
{
  iface->init = hexrec_provider_init_impl;
}

static void
hexrec_provider_finalize (GObject *object)
{
  HexrecProvider *self = HEXREC_PROVIDER (object);

  g_free (self->file);
  g_clear_pointer (&self->data, hexrec_data_free);

  G_OBJECT_CLASS (hexrec_provider_parent_class)->finalize (object);
}

static void
hexrec_provider_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HexrecProvider *self = HEXREC_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_string (value, self->file);
      break;
    case PROP_BASE:
      g_value_set_uint64 (value, self->base);
      break;
    case PROP_CR3:
      g_value_set_uint64 (value, self->cr3);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hexrec_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  HexrecProvider *self = HEXREC_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_free (self->file);
      self->file = g_value_dup_string (value);
      break;
    case PROP_BASE:
      self->base = g_value_get_uint64 (value);
      break;
    case PROP_CR3:
      self->cr3 = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hexrec_provider_class_init (HexrecProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hexrec_provider_finalize;
  object_class->get_property = hexrec_provider_get_property;
  object_class->set_property = hexrec_provider_set_property;

  /* The options, in the order --list-plugins shows them. */
  properties[PROP_FILE] =
    g_param_spec_string ("file", "File",
                         "S-record or Intel HEX file (gdb's dump srec/ihex memory; required)",
                         NULL, flags);
  /* a file name: front ends (ipt-view's add-source form) offer a file chooser */
  ipt_option_set_filename (properties[PROP_FILE]);
  properties[PROP_BASE] =
    g_param_spec_uint64 ("base", "Base address",
                         "Address of the file's lowest byte, default: the file's own addresses",
                         0, G_MAXUINT64, HEXREC_PROVIDER_BASE_UNSET, flags);
  properties[PROP_CR3] =
    g_param_spec_uint64 ("cr3", "CR3",
                         "Address space (CR3) of the bytes, default: every address space",
                         0, G_MAXUINT64, IPT_ASID_NO_CR3, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hexrec_provider_init (HexrecProvider *self)
{
  self->base = HEXREC_PROVIDER_BASE_UNSET;
  self->cr3 = IPT_ASID_NO_CR3;
}
