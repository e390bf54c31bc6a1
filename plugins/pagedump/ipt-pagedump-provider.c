/* ipt-pagedump-provider.c: serves a kAFL/Nyx page dump (.addr + .dump) as traced memory.
 *
 * Both files are mapped once at init and parsed into an immutable, sorted
 * index of page runs (ipt-pagedump-parser.c). A read is a binary search and
 * memcpy: no syscall, no allocation, no lock. Pages that are adjacent in
 * memory and in the .dump form one region, so libipt gets few, large file
 * sections. */
#include "config.h"

#include <gio/gio.h>

#include "ipt-pagedump-parser.h"
#include "ipt-pagedump-provider.h"
#include "ipt-plugin-file.h"
#include "ipt-provider-options.h"

/**
 * IptPagedumpProvider:
 *
 * Maps the pages of a kAFL/Nyx page dump: #IptPagedumpProvider:addr is an
 * array of little-endian 64-bit page addresses, page *i* is bytes
 * [*i*·4096, (*i*+1)·4096) of #IptPagedumpProvider:dump. The format and its
 * edge cases are described in `docs/format-pagedump.md`.
 *
 * Construction fails (g_initable_new()) with:
 * - %IPT_ERROR_INVALID_ARGUMENT when `addr` or `dump` is missing or not a
 *   regular file;
 * - %IPT_ERROR_NOT_FOUND when a file does not exist; %IPT_ERROR_IO when it
 *   cannot be opened or mapped;
 * - %IPT_ERROR_CORRUPT when the .addr file is empty or holds an address that
 *   is not page-aligned (other than Nyx's unmapped marker, all ones);
 * - %IPT_ERROR_TRUNCATED when the .addr size is not a multiple of 8, or the
 *   .dump holds fewer pages than the .addr declares;
 * - %IPT_ERROR_NOT_SUPPORTED for a page at 0xfffffffffffff000 (it would end
 *   at 2^64).
 *
 * It warns (g_warning(), naming the file) and goes on when the .dump is
 * longer than declared (the rest is ignored), when a page address repeats
 * (the first occurrence wins, as in Nyx) and when entries are Nyx's
 * unmapped-page marker (they map nothing).
 */
struct _IptPagedumpProvider {
  GObject parent_instance;

  /* options */
  char *addr;
  char *dump;
  guint64 cr3;

  /* state after init; never changes afterwards */
  char *addr_path;         /* absolute */
  char *dump_path;         /* absolute */
  GMappedFile *dump_file;
  const guint8 *dump_data;
  IptPagedumpIndex *index; /* NULL before a successful init */
  IptAsid asid;
};

enum {
  PROP_0,
  PROP_ADDR,
  PROP_DUMP,
  PROP_CR3,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* In the order init checks them. */
static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_ADDR, IptPagedumpProvider, addr, TRUE),
  IPT_PROVIDER_OPTION (PROP_DUMP, IptPagedumpProvider, dump, TRUE),
  IPT_PROVIDER_OPTION (PROP_CR3, IptPagedumpProvider, cr3, FALSE),
};

static void ipt_pagedump_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_pagedump_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptPagedumpProvider, ipt_pagedump_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_pagedump_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_pagedump_provider_initable_init))

static gssize
ipt_pagedump_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                            const IptAsid *asid, guint64 address, GError **error)
{
  IptPagedumpProvider *self = (IptPagedumpProvider *) provider;

  if (self->index == NULL || !ipt_asid_match (&self->asid, asid))
    return 0;
  return (gssize) ipt_pagedump_index_read (self->index, self->dump_data, buffer, size, address);
}

static GPtrArray *
ipt_pagedump_provider_list_regions (IptMemoryProvider *provider)
{
  IptPagedumpProvider *self = (IptPagedumpProvider *) provider;
  GPtrArray *regions;

  if (self->index == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);

  regions = g_ptr_array_new_full (self->index->n_runs, (GDestroyNotify) ipt_region_free);
  for (gsize i = 0; i < self->index->n_runs; i++)
    {
      const IptPagedumpRun *run = &self->index->runs[i];

      g_ptr_array_add (regions,
                       ipt_region_new (run->address, run->size, &self->asid,
                                       IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE,
                                       self->dump_path, run->dump_offset));
    }
  return regions;
}

static void
ipt_pagedump_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_pagedump_provider_read;
  iface->list_regions = ipt_pagedump_provider_list_regions;
}

static gboolean
ipt_pagedump_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable,
                                          GError **error)
{
  IptPagedumpProvider *self = IPT_PAGEDUMP_PROVIDER (initable);
  g_autoptr (GMappedFile) addr_file = NULL;
  g_autoptr (GMappedFile) dump_file = NULL;
  g_autoptr (IptPagedumpIndex) index = NULL;
  g_autofree char *addr_path = NULL;
  g_autofree char *dump_path = NULL;
  g_autofree char *addr_shown = NULL, *dump_shown = NULL;

  if (self->index != NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!ipt_provider_options_check_required (G_OBJECT (self), "pagedump", options,
                                          G_N_ELEMENTS (options), properties, error))
    return FALSE;

  /* libipt opens sections by name, maybe after the cwd changed. */
  addr_path = g_canonicalize_filename (self->addr, NULL);
  dump_path = g_canonicalize_filename (self->dump, NULL);

  addr_file = ipt_plugin_file_map ("pagedump", addr_path, error);
  if (addr_file == NULL)
    return FALSE;
  dump_file = ipt_plugin_file_map ("pagedump", dump_path, error);
  if (dump_file == NULL)
    return FALSE;

  addr_shown = ipt_plugin_file_show (addr_path);
  dump_shown = ipt_plugin_file_show (dump_path);
  index = ipt_pagedump_parse ((const guint8 *) g_mapped_file_get_contents (addr_file),
                              g_mapped_file_get_length (addr_file), addr_shown,
                              g_mapped_file_get_length (dump_file), dump_shown, error);
  if (index == NULL)
    {
      g_prefix_error (error, "pagedump: ");
      return FALSE;
    }
  for (guint i = 0; i < index->warnings->len; i++)
    g_warning ("%s", (const char *) g_ptr_array_index (index->warnings, i));

  self->addr_path = g_steal_pointer (&addr_path);
  self->dump_path = g_steal_pointer (&dump_path);
  self->dump_data = (const guint8 *) g_mapped_file_get_contents (dump_file);
  self->dump_file = g_steal_pointer (&dump_file);
  self->asid = ipt_plugin_asid_from_cr3 (self->cr3);
  /* Last: a non-NULL index is what makes read() map anything. */
  self->index = g_steal_pointer (&index);
  return TRUE;
}

static void
ipt_pagedump_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_pagedump_provider_initable_init_impl;
}

static void
ipt_pagedump_provider_finalize (GObject *object)
{
  IptPagedumpProvider *self = IPT_PAGEDUMP_PROVIDER (object);

  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);
  g_free (self->addr_path);
  g_free (self->dump_path);
  g_clear_pointer (&self->index, ipt_pagedump_index_free);
  g_clear_pointer (&self->dump_file, g_mapped_file_unref);

  G_OBJECT_CLASS (ipt_pagedump_provider_parent_class)->finalize (object);
}

static void
ipt_pagedump_provider_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  if (!ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id,
                                        value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_pagedump_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  if (!ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options), prop_id,
                                        value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_pagedump_provider_class_init (IptPagedumpProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_pagedump_provider_finalize;
  object_class->get_property = ipt_pagedump_provider_get_property;
  object_class->set_property = ipt_pagedump_provider_set_property;

  /**
   * IptPagedumpProvider:addr: (type filename)
   *
   * The .addr file: little-endian 64-bit page addresses, one per page of
   * #IptPagedumpProvider:dump (required).
   */
  properties[PROP_ADDR] =
    ipt_plugin_param_spec_file ("addr", "Address file",
                                "The .addr file: little-endian u64 page addresses (required)");

  /**
   * IptPagedumpProvider:dump: (type filename)
   *
   * The .dump file: page *i* of #IptPagedumpProvider:addr at offset *i*·4096
   * (required).
   */
  properties[PROP_DUMP] =
    ipt_plugin_param_spec_file ("dump", "Dump file",
                                "The .dump file: page i at offset i*4096 (required)");

  /**
   * IptPagedumpProvider:cr3:
   *
   * The address space (CR3) the pages belong to; %IPT_ASID_NO_CR3 (the
   * default) maps them in every address space.
   */
  properties[PROP_CR3] = ipt_plugin_param_spec_cr3 ("pages");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_pagedump_provider_init (IptPagedumpProvider *self)
{
  self->cr3 = IPT_ASID_NO_CR3;
  self->asid = ipt_plugin_asid_from_cr3 (IPT_ASID_NO_CR3);
}
