/* ipt-qemu-provider.c: a QEMU snapshot's guest memory as an
 * IptMemoryProvider.
 *
 * Reads are guest-virtual (or guest-physical with physical=true). The CR3
 * a read is translated through is, in this order: the `cr3` option (it
 * overrides everything), the CR3 of the read's asid (libipt's, from the
 * trace's PIP packets), the CR3 of the snapshot's vCPU `cpu` (default 0).
 * A vCPU whose paging is off reads guest-physical memory as virtual.
 *
 * Regions, built once at init for the snapshot's own address space (or the
 * `cr3` option's):
 *   - each range of virtual memory its page tables map, with the tables'
 *     permissions. A range whose bytes lie in the snapshot file as one
 *     plain run (a dump-guest-memory ELF mostly) names the snapshot file, so
 *     libipt serves it as a file section; an executable range that does not
 *     (a migration stream's page records have headers between them, zero
 *     pages are not stored) is copied once, translated, into a memfd and
 *     names that instead — so code is always a file section and libipt's
 *     block cache works; other ranges are read through the callback;
 *   - then one region of the whole address space, any asid: reads of other
 *     address spaces (CR3s that only the trace knows) are translated on
 *     demand, each (CR3, page) once (ipt-qemu-tlb.h).
 * The image also asks for the regions of each address space a trace uses
 * (list_regions_in, with the CR3s of its PIP packets, before a decode):
 * those are walked and indexed like the snapshot's own, so that code a
 * trace runs under any CR3 is a file section.
 * With physical=true: one region per RAM mapping, any asid.
 *
 * The read path allocates nothing and takes no lock: the snapshot's index
 * is immutable and the translation cache lock-free.
 */
#include "config.h"

#include "ipt-qemu-provider.h"

#include <string.h>

#include "ipt-plugin-file.h"
#include "ipt-provider-options.h"
#include "ipt-qemu-paging.h"
#include "ipt-qemu-regions.h"
#include "ipt-qemu-snapshot.h"
#include "ipt-qemu-tlb.h"

#define PAGE IPT_QEMU_RAM_PAGE_SIZE
#define PAGE_MASK (~(PAGE - 1))
#define CR0_PG (G_GUINT64_CONSTANT (1) << 31)
#define CR4_PAE (G_GUINT64_CONSTANT (1) << 5)
#define CR4_LA57 (G_GUINT64_CONSTANT (1) << 12)
/* 2^16 entries of 32 bytes: 2 MiB, enough for 256 MiB of code per CR3 */
#define TLB_ORDER 16

struct _IptQemuProvider {
  GObject parent_instance;

  /* options */
  char *snapshot;
  char *tag;
  guint64 cr3;
  guint64 cpu;
  guint64 ram_below_4g;
  gboolean physical;

  /* state after init; never changes afterwards */
  IptQemuSnapshot *snap;
  IptQemuRam *ram;
  gboolean translate;         /* FALSE: addresses are guest-physical */
  IptQemuPagingMode mode;
  guint64 own_cr3;            /* for reads without a CR3; IPT_ASID_NO_CR3: none */
  gboolean cr3_forced;        /* the cr3 option: every read goes through own_cr3 */
  IptQemuTlb *tlb;
  GPtrArray *regions;
  IptQemuCodeCopy copy;        /* code whose pages lie apart, for libipt */
  GStrv summary;
  gboolean initialized;

  /* other address spaces, indexed when the image asks (list_regions_in) */
  GMutex lock;                /* these, and the memfd's growth after init */
  GHashTable *spaces;         /* CR3 (guint64 *) -> GPtrArray of IptRegion */
  GPtrArray *space_lines;     /* the summary's lines about them */
};

enum {
  PROP_0,
  PROP_SNAPSHOT,
  PROP_TAG,
  PROP_CR3,
  PROP_CPU,
  PROP_RAM_BELOW_4G,
  PROP_PHYSICAL,
  PROP_FORMAT,
  PROP_SNAPSHOT_CR3,
  PROP_RIP,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_SNAPSHOT, IptQemuProvider, snapshot, TRUE),
  IPT_PROVIDER_OPTION (PROP_TAG, IptQemuProvider, tag, FALSE),
  IPT_PROVIDER_OPTION (PROP_CR3, IptQemuProvider, cr3, FALSE),
  IPT_PROVIDER_OPTION (PROP_CPU, IptQemuProvider, cpu, FALSE),
  IPT_PROVIDER_OPTION (PROP_RAM_BELOW_4G, IptQemuProvider, ram_below_4g, FALSE),
  IPT_PROVIDER_OPTION (PROP_PHYSICAL, IptQemuProvider, physical, FALSE),
};

static void ipt_qemu_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_qemu_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptQemuProvider, ipt_qemu_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_qemu_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_qemu_provider_initable_init))

/* ---- the read path ------------------------------------------------------ */

/* The physical page of @vpage in @cr3's address space: 1, 0 when not
 * mapped, -1 with @error when the walk failed. */
static int
translate_page (IptQemuProvider *self, guint64 cr3, guint64 vpage, guint64 *ppage,
                GError **error)
{
  IptQemuTranslation t;
  guint flags;
  int status;

  switch (ipt_qemu_tlb_lookup (self->tlb, cr3, vpage, ppage, &flags))
    {
    case IPT_QEMU_TLB_MAPPED:
      return 1;
    case IPT_QEMU_TLB_UNMAPPED:
      return 0;
    case IPT_QEMU_TLB_MISS:
      break;
    }
  status = ipt_qemu_paging_translate (self->mode, cr3, ipt_qemu_ram_read, self->ram, vpage, &t,
                                      error);
  if (status < 0)
    return -1;
  *ppage = t.paddr & PAGE_MASK;
  ipt_qemu_tlb_insert (self->tlb, cr3, vpage, status == 1, *ppage, status == 1 ? t.flags : 0);
  return status;
}

static gssize
ipt_qemu_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                        const IptAsid *asid, guint64 address, GError **error)
{
  IptQemuProvider *self = (IptQemuProvider *) provider;
  guint64 cr3;
  gsize done = 0;

  if (!self->translate)
    return ipt_qemu_ram_read (self->ram, address, buffer, size, error);

  cr3 = self->own_cr3;
  if (!self->cr3_forced && asid != NULL && asid->cr3 != IPT_ASID_NO_CR3)
    cr3 = asid->cr3;
  if (cr3 == IPT_ASID_NO_CR3)
    return 0;

  while (done < size)
    {
      guint64 vaddr = address + done, ppage;
      gsize n = MIN (size - done, PAGE - (vaddr & (PAGE - 1)));
      gssize got;
      int status;

      if (done > 0 && vaddr == 0)   /* wrapped around the top of the address space */
        break;
      status = translate_page (self, cr3, vaddr & PAGE_MASK, &ppage, error);
      if (status < 0)
        return -1;
      if (status == 0)
        break;
      got = ipt_qemu_ram_read (self->ram, ppage | (vaddr & (PAGE - 1)), buffer + done, n, error);
      done += (gsize) got;
      if ((gsize) got < n)
        break;
    }
  return (gssize) done;
}

static GPtrArray *
copy_regions (GPtrArray *regions)
{
  GPtrArray *copy = g_ptr_array_new_full (regions != NULL ? regions->len : 0,
                                          (GDestroyNotify) ipt_region_free);

  for (guint i = 0; regions != NULL && i < regions->len; i++)
    g_ptr_array_add (copy, ipt_region_copy (g_ptr_array_index (regions, i)));
  return copy;
}

static GPtrArray *
ipt_qemu_provider_list_regions (IptMemoryProvider *provider)
{
  return copy_regions (((IptQemuProvider *) provider)->regions);
}

static GPtrArray *copy_regions (GPtrArray *regions);
static GPtrArray *index_address_space (IptQemuProvider *self, guint64 cr3);

/* Another CR3 a trace uses: its tables walked once (and kept), its code a
 * file section like the snapshot's own. */
static GPtrArray *
ipt_qemu_provider_list_regions_in (IptMemoryProvider *provider, const IptAsid *asid)
{
  IptQemuProvider *self = (IptQemuProvider *) provider;
  GPtrArray *regions;

  if (!self->initialized || !self->translate || self->cr3_forced ||
      asid->cr3 == IPT_ASID_NO_CR3 || asid->cr3 == self->own_cr3)
    return NULL;
  g_mutex_lock (&self->lock);
  regions = g_hash_table_lookup (self->spaces, &asid->cr3);
  if (regions == NULL)
    regions = index_address_space (self, asid->cr3);
  regions = copy_regions (regions);
  g_mutex_unlock (&self->lock);
  return regions;
}

static void
ipt_qemu_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_qemu_provider_read;
  iface->list_regions = ipt_qemu_provider_list_regions;
  iface->list_regions_in = ipt_qemu_provider_list_regions_in;
}

/* Walks @cr3's tables into regions, kept in self->spaces (a CR3 whose
 * tables cannot be walked keeps an empty list: it is read on demand, and
 * the summary says why). Called with self->lock held. */
static GPtrArray *
index_address_space (IptQemuProvider *self, guint64 cr3)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);
  IptAsid asid = ipt_plugin_asid_from_cr3 (cr3);
  IptQemuRegionStats stats = { 0 };
  guint64 copied_before = self->copy.size;

  if (!ipt_qemu_regions_add_virtual (regions, self->ram, self->mode, cr3, &asid, &self->copy,
                                     self->snapshot, &stats, &error))
    {
      g_ptr_array_set_size (regions, 0);
      g_ptr_array_add (self->space_lines,
                       g_strdup_printf ("CR3 0x%" G_GINT64_MODIFIER "x (asked for): not indexed, "
                                        "read on demand: %s", cr3, error->message));
      g_warning ("%s: the page tables of CR3 0x%" G_GINT64_MODIFIER "x cannot be walked (%s): "
                 "its memory is read on demand", self->snapshot, cr3, error->message);
    }
  else if (stats.n_ranges == 0)
    {
      /* a decode in this address space would fail at every read: say why */
      g_ptr_array_add (self->space_lines,
                       g_strdup_printf ("CR3 0x%" G_GINT64_MODIFIER "x (asked for): maps nothing",
                                        cr3));
      g_warning ("%s: CR3 0x%" G_GINT64_MODIFIER "x, an address space the trace uses, maps "
                 "nothing in this snapshot (no page tables there): its code cannot be read",
                 self->snapshot, cr3);
    }
  else
    g_ptr_array_add (self->space_lines,
                     g_strdup_printf ("CR3 0x%" G_GINT64_MODIFIER "x (asked for): %u ranges, %u "
                                      "of code: %u as they lie in the snapshot, %u copied into "
                                      "memory (%" G_GUINT64_FORMAT " KiB)", cr3, stats.n_ranges,
                                      stats.n_code, stats.n_code_in_file, stats.n_code_copied,
                                      (self->copy.size - copied_before) / 1024));
  g_hash_table_insert (self->spaces, g_memdup2 (&cr3, sizeof (cr3)), regions);
  return regions;
}

/* ---- init ---------------------------------------------------------------- */

/* Exact and plain ASCII (g_format_size() rounds and puts a no-break space). */
static char *
format_size (guint64 bytes)
{
  if (bytes != 0 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", bytes / (1024 * 1024));
  if (bytes != 0 && bytes % 1024 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " KiB", bytes / 1024);
  return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", bytes);
}

static void G_GNUC_PRINTF (2, 3)
add_line (GStrvBuilder *builder, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_strv_builder_add (builder, line);
}

static void
build_summary (IptQemuProvider *self, const IptQemuRegionStats *stats)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  const IptQemuRamBlock *const *blocks;
  const IptQemuRamMapping *maps;
  gsize n_blocks, n_maps;

  add_line (b, "%s%s%s%s%s%s", ipt_qemu_format_to_string (self->snap->format),
                                           self->snap->tag != NULL ? ", snapshot '" : "",
                                           self->snap->tag != NULL ? self->snap->tag : "",
                                           self->snap->tag != NULL ? "'" : "",
                                           self->snap->machine != NULL ? ", machine " : "",
                                           self->snap->machine != NULL ? self->snap->machine : "");
  blocks = ipt_qemu_ram_get_blocks (self->ram, &n_blocks);
  maps = ipt_qemu_ram_get_mappings (self->ram, &n_maps);
  for (gsize i = 0; i < n_blocks; i++)
    {
      g_autoptr (GString) line = g_string_new (NULL);
      g_autofree char *size = format_size (ipt_qemu_ram_block_get_size (blocks[i]));
      guint64 stored, zero, absent;

      ipt_qemu_ram_block_count_pages (blocks[i], &stored, &zero, &absent);
      g_string_append_printf (line, "RAM block '%s', %s:", ipt_qemu_ram_block_get_name (blocks[i]),
                              size);
      for (gsize k = 0; k < n_maps; k++)
        if (maps[k].block == blocks[i])
          g_string_append_printf (line, " guest-physical 0x%" G_GINT64_MODIFIER "x-0x%"
                                  G_GINT64_MODIFIER "x", maps[k].paddr,
                                  maps[k].paddr + maps[k].size);
      if (line->str[line->len - 1] == ':')
        g_string_append (line, " not mapped");
      g_string_append_printf (line, "; %" G_GUINT64_FORMAT " %s stored, %" G_GUINT64_FORMAT
                              " zero, %" G_GUINT64_FORMAT " absent", stored,
                              stored == 1 ? "page" : "pages", zero, absent);
      g_strv_builder_add (b, line->str);
    }
  for (guint i = 0; i < self->snap->cpus->len; i++)
    {
      const IptQemuCpu *c = &g_array_index (self->snap->cpus, IptQemuCpu, i);

      add_line (b, "vCPU %u: RIP 0x%" G_GINT64_MODIFIER "x CR0 0x%"
                                               G_GINT64_MODIFIER "x CR3 0x%" G_GINT64_MODIFIER
                                               "x CR4 0x%" G_GINT64_MODIFIER "x%s", c->index,
                                               c->rip, c->cr0, c->cr3, c->cr4,
                                               c->long_mode ? ", long mode" : "");
    }
  if (!self->translate)
    add_line (b, "addresses are guest-physical%s",
                                             self->physical ? " (physical=true)"
                                                            : ": the vCPU's paging is off");
  else if (self->own_cr3 != IPT_ASID_NO_CR3)
    {
      g_autofree char *mapped = format_size (stats->bytes_mapped);

      add_line (b, 
        "guest-virtual through CR3 0x%" G_GINT64_MODIFIER "x (%s, %d-level paging): %u ranges "
        "(%s) mapped, %u of code: %u as they lie in the snapshot, %u copied into memory "
        "(%" G_GUINT64_FORMAT " KiB); other CR3s are translated on read", self->own_cr3,
        self->cr3_forced ? "option cr3" : "the snapshot's vCPU", (int) self->mode,
        stats->n_ranges, mapped, stats->n_code, stats->n_code_in_file, stats->n_code_copied,
        self->copy.size / 1024);
    }
  else
    add_line (b, "guest-virtual: the snapshot has no vCPU state, so only reads that carry "
                 "a CR3 are translated (give cr3=)");
  self->summary = g_strv_builder_end (b);
}

static gboolean
choose_translation (IptQemuProvider *self, GError **error)
{
  const IptQemuCpu *cpu = NULL;

  if (self->cpu < self->snap->cpus->len)
    cpu = &g_array_index (self->snap->cpus, IptQemuCpu, self->cpu);
  else if (self->cpu > 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "qemu: option 'cpu' is %" G_GUINT64_FORMAT ", but %s has %u vCPUs",
                   self->cpu, self->snapshot, self->snap->cpus->len);
      return FALSE;
    }

  self->mode = cpu != NULL && (cpu->cr4 & CR4_LA57) ? IPT_QEMU_PAGING_5_LEVEL
                                                    : IPT_QEMU_PAGING_4_LEVEL;
  self->own_cr3 = IPT_ASID_NO_CR3;
  if (self->physical)
    return TRUE;
  self->translate = TRUE;
  if (self->cr3 != IPT_ASID_NO_CR3)
    {
      self->own_cr3 = self->cr3;
      self->cr3_forced = TRUE;
      return TRUE;
    }
  if (cpu == NULL)
    return TRUE;
  if (!(cpu->cr0 & CR0_PG))
    {
      self->translate = FALSE;
      return TRUE;
    }
  if (!cpu->long_mode || !(cpu->cr4 & CR4_PAE))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "qemu: %s: vCPU %u is not in long mode (CR0 0x%" G_GINT64_MODIFIER "x, CR4 0x%"
                   G_GINT64_MODIFIER "x): only x86-64 4- and 5-level paging is supported; "
                   "physical=true reads guest-physical memory", self->snapshot, cpu->index,
                   cpu->cr0, cpu->cr4);
      return FALSE;
    }
  self->own_cr3 = cpu->cr3;
  return TRUE;
}

static gboolean
ipt_qemu_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable,
                                      GError **error)
{
  IptQemuProvider *self = IPT_QEMU_PROVIDER (initable);
  g_autofree char *path = NULL;
  IptQemuRegionStats stats = { 0 };
  IptAsid any = IPT_ASID_INIT_ANY;

  if (self->initialized)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!ipt_provider_options_check_required (G_OBJECT (self), "qemu", options,
                                            G_N_ELEMENTS (options), properties, error))
    return FALSE;

  /* libipt opens sections by name, maybe after the cwd changed. */
  path = g_canonicalize_filename (self->snapshot, NULL);
  self->snap = ipt_qemu_snapshot_open (path, self->tag, self->ram_below_4g, error);
  if (self->snap == NULL)
    return FALSE;
  self->ram = self->snap->ram;
  if (!choose_translation (self, error))
    return FALSE;
  self->tlb = ipt_qemu_tlb_new (TLB_ORDER);
  self->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);

  if (!self->translate)
    ipt_qemu_regions_add_physical (self->regions, self->ram, &stats);
  else
    {
      if (self->own_cr3 != IPT_ASID_NO_CR3)
        {
          IptAsid asid = ipt_plugin_asid_from_cr3 (self->cr3_forced ? IPT_ASID_NO_CR3
                                                                    : self->own_cr3);

          if (!ipt_qemu_regions_add_virtual (self->regions, self->ram, self->mode, self->own_cr3,
                                             &asid, &self->copy, self->snapshot, &stats, error))
            {
              g_prefix_error (error, "qemu: %s: ", self->snapshot);
              return FALSE;
            }
        }
      /* every other address space, translated on read; G_MAXUINT64 bytes
       * from 0: all but the top byte, which no code can end in */
      g_ptr_array_add (self->regions,
                       ipt_region_new (0, G_MAXUINT64, &any, IPT_PERMISSIONS_NONE, NULL, 0));
    }
  build_summary (self, &stats);
  self->initialized = TRUE;
  return TRUE;
}

static void
ipt_qemu_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_qemu_provider_initable_init_impl;
}

static void
ipt_qemu_provider_finalize (GObject *object)
{
  IptQemuProvider *self = IPT_QEMU_PROVIDER (object);

  g_clear_pointer (&self->regions, g_ptr_array_unref);
  g_hash_table_unref (self->spaces);
  g_ptr_array_unref (self->space_lines);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->tlb, ipt_qemu_tlb_free);
  g_clear_pointer (&self->snap, ipt_qemu_snapshot_free);
  ipt_qemu_code_copy_clear (&self->copy);
  g_strfreev (self->summary);
  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);

  G_OBJECT_CLASS (ipt_qemu_provider_parent_class)->finalize (object);
}

static void
ipt_qemu_provider_get_property (GObject *object, guint prop_id, GValue *value,
                                GParamSpec *pspec)
{
  IptQemuProvider *self = IPT_QEMU_PROVIDER (object);
  const IptQemuCpu *cpu = NULL;

  if (ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id, value,
                                         pspec))
    return;
  if (self->snap != NULL && self->cpu < self->snap->cpus->len)
    cpu = &g_array_index (self->snap->cpus, IptQemuCpu, self->cpu);
  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_string (value, self->snap != NULL ? ipt_qemu_format_to_string (self->snap->format)
                                                    : NULL);
      break;
    case PROP_SNAPSHOT_CR3:
      g_value_set_uint64 (value, cpu != NULL ? cpu->cr3 : IPT_ASID_NO_CR3);
      break;
    case PROP_RIP:
      g_value_set_uint64 (value, cpu != NULL ? cpu->rip : 0);
      break;
    case PROP_SUMMARY:
      {
        g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

        if (self->summary != NULL)
          g_strv_builder_addv (b, (const char **) self->summary);
        g_mutex_lock (&self->lock);
        for (guint i = 0; i < self->space_lines->len; i++)
          g_strv_builder_add (b, g_ptr_array_index (self->space_lines, i));
        g_mutex_unlock (&self->lock);
        g_value_take_boxed (value, g_strv_builder_end (b));
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_qemu_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  if (!ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options), prop_id,
                                          value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_qemu_provider_class_init (IptQemuProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags read_only = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ipt_qemu_provider_finalize;
  object_class->get_property = ipt_qemu_provider_get_property;
  object_class->set_property = ipt_qemu_provider_set_property;

  /**
   * IptQemuProvider:snapshot: (type filename)
   *
   * The QEMU snapshot (required): a dump-guest-memory ELF, a migration
   * stream file, or a qcow2 image with internal snapshots (savevm).
   */
  properties[PROP_SNAPSHOT] =
    ipt_plugin_param_spec_file ("snapshot", "Snapshot",
                                "QEMU snapshot: dump-guest-memory ELF, migration stream or qcow2 "
                                "image (required)");

  /**
   * IptQemuProvider:tag:
   *
   * Which internal snapshot of a qcow2 image: its name or id (default: the
   * newest one with VM state).
   */
  properties[PROP_TAG] =
    g_param_spec_string ("tag", "Tag",
                         "Internal snapshot of a qcow2 image, by name or id (default: the newest)",
                         NULL, flags);

  /**
   * IptQemuProvider:cr3:
   *
   * Translate every read through this CR3, whatever the read's address
   * space; %IPT_ASID_NO_CR3 (the default): the read's CR3, else the
   * snapshot vCPU's.
   */
  properties[PROP_CR3] =
    g_param_spec_uint64 ("cr3", "CR3",
                         "Page tables (CR3) to translate every read through, default: the "
                         "read's address space, else the snapshot vCPU's CR3",
                         0, G_MAXUINT64, IPT_ASID_NO_CR3, flags);

  /**
   * IptQemuProvider:cpu:
   *
   * The vCPU whose state (CR3, paging mode) is the default.
   */
  properties[PROP_CPU] =
    g_param_spec_uint64 ("cpu", "vCPU", "vCPU whose CR3 and paging mode are the default",
                         0, G_MAXUINT32, 0, flags);

  /**
   * IptQemuProvider:ram-below-4g:
   *
   * For a migration stream or qcow2 snapshot: how many bytes of "pc.ram"
   * lie below 4 GiB (0, the default: QEMU's rule for the machine type).
   */
  properties[PROP_RAM_BELOW_4G] =
    g_param_spec_uint64 ("ram-below-4g", "RAM below 4 GiB",
                         "Bytes of pc.ram below 4 GiB in a migration stream (0: the machine "
                         "type's rule)", 0, G_GUINT64_CONSTANT (0x100000000), 0, flags);

  /**
   * IptQemuProvider:physical:
   *
   * Serve guest-physical addresses, untranslated.
   */
  properties[PROP_PHYSICAL] =
    g_param_spec_boolean ("physical", "Physical", "Serve guest-physical addresses (no paging)",
                          FALSE, flags);

  /**
   * IptQemuProvider:format:
   *
   * The snapshot's format, once initialized ("dump-guest-memory ELF",
   * "migration stream", "qcow2 internal snapshot").
   */
  properties[PROP_FORMAT] =
    g_param_spec_string ("format", "Format", "The snapshot's format", NULL, read_only);

  /**
   * IptQemuProvider:snapshot-cr3:
   *
   * The CR3 of vCPU #IptQemuProvider:cpu in the snapshot,
   * %IPT_ASID_NO_CR3 when the snapshot has no vCPU state.
   */
  properties[PROP_SNAPSHOT_CR3] =
    g_param_spec_uint64 ("snapshot-cr3", "Snapshot CR3", "CR3 of the vCPU in the snapshot",
                         0, G_MAXUINT64, IPT_ASID_NO_CR3, read_only);

  /**
   * IptQemuProvider:rip:
   *
   * The RIP of vCPU #IptQemuProvider:cpu in the snapshot, 0 if unknown.
   */
  properties[PROP_RIP] =
    g_param_spec_uint64 ("rip", "RIP", "Instruction pointer of the vCPU in the snapshot",
                         0, G_MAXUINT64, 0, read_only);

  /**
   * IptQemuProvider:summary:
   *
   * What the snapshot holds, one line each: the format, the RAM blocks
   * (size, guest-physical placement, pages stored/zero/absent), the vCPUs
   * and the translation used. `ipt-analyze --list-regions` prints it.
   */
  properties[PROP_SUMMARY] =
    g_param_spec_boxed ("summary", "Summary", "What the snapshot holds, one line each",
                        G_TYPE_STRV, read_only);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_qemu_provider_init (IptQemuProvider *self)
{
  self->cr3 = IPT_ASID_NO_CR3;
  ipt_qemu_code_copy_init (&self->copy);
  g_mutex_init (&self->lock);
  self->spaces = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  self->space_lines = g_ptr_array_new_with_free_func (g_free);
}
