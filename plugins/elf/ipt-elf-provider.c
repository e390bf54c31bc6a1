/* ipt-elf-provider.c: an ELF executable or shared object, its PT_LOAD
 * segments mapped at their addresses (or relocated to a load base), and its
 * symbols.
 *
 * Everything is parsed and checked at init: libelf maps the file read-only
 * once, plugins/common/ipt-elf-reader.c reads and checks its headers from
 * that mapping, libelf its symbol table, and the segment and symbol tables
 * are sorted arrays built then. A read or a symbol lookup is a binary
 * search and a memcpy: no libelf call, no allocation, no lock, no syscall;
 * both are safe from several threads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "ipt-elf-provider.h"
#include "ipt-elf-file.h"
#include "ipt-elf-reader.h"
#include "ipt-elf-symbols.h"
#include "ipt-plugin-file.h"
#include "ipt-provider-options.h"
#include "ipt-page.h"
#include "ipt-sorted.h"

/**
 * IptElfProvider:
 *
 * Serves the PT_LOAD segments of an ELF executable (ET_EXEC) or shared
 * object / PIE (ET_DYN), 32- or 64-bit, either byte order: the p_filesz
 * bytes of each segment from the file (regions with the file's absolute
 * name and offset, which the image turns into libipt file sections), the
 * rest up to p_memsz as zeros (regions without a file, served by read).
 *
 * Without #IptElfProvider:base the segments are at their p_vaddr. With it,
 * an ET_DYN file is relocated so that its first page (the lowest PT_LOAD's
 * p_vaddr rounded down to 4 KiB) is at base: the start address that
 * /proc/PID/maps and a core's NT_FILE note give for the mapping at file
 * offset 0. An ET_EXEC file cannot be relocated: a base other than its own
 * first page is an error.
 *
 * It implements #IptSymbolSource from `.symtab`, or `.dynsym` when the file
 * is stripped (a file with neither simply names nothing): defined
 * functions (STT_FUNC, STT_GNU_IFUNC) and untyped labels in executable
 * sections, relocated like the segments. A symbol without a size extends
 * to the next symbol or the end of its section.
 *
 * Construction fails (g_initable_new()) with:
 * - %IPT_ERROR_INVALID_ARGUMENT when `file` is missing, not a regular file,
 *   not an ELF file, or an ET_EXEC file is given another base, or a base
 *   puts a segment at or past 2^64;
 * - %IPT_ERROR_NOT_SUPPORTED for ET_REL, ET_CORE and other types;
 * - %IPT_ERROR_NOT_FOUND when the file does not exist; %IPT_ERROR_IO when
 *   it cannot be opened or mapped;
 * - %IPT_ERROR_TRUNCATED when the file ends inside its ELF header, its
 *   program header table or a segment's file bytes;
 * - %IPT_ERROR_CORRUPT for a bad class, byte order, version or
 *   e_phentsize, p_filesz > p_memsz, overlapping segments or a segment past
 *   the end of the address space (or ending at 2^64), or no PT_LOAD segment at all.
 * Every message names the file, and the program header's index and file
 * offset where one is at fault.
 */

typedef struct {
  guint64 start;              /* relocated p_vaddr */
  guint64 file_end;           /* start + p_filesz */
  guint64 end;                /* start + p_memsz, exclusive, never wraps (checked) */
  const guint8 *bytes;        /* the file bytes of [start, file_end) */
  guint64 file_offset;        /* p_offset */
  IptPermissions permissions;
} Segment;

struct _IptElfProvider {
  GObject parent_instance;

  /* options */
  char *file;
  guint64 base;
  guint64 cr3;

  /* state after init; never changes afterwards */
  char *path;                 /* absolute */
  Elf *elf;
  IptElfHeader header;
  guint64 bias;               /* added to every p_vaddr and st_value */
  char *build_id;
  GArray *segments;           /* of Segment, sorted, disjoint; NULL before init */
  IptElfSymbols *symbols;     /* relocated by bias */
  IptAsid asid;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_BASE,
  PROP_CR3,
  PROP_BUILD_ID,
  PROP_ELF_CLASS,
  PROP_ELF_TYPE,
  PROP_BIAS,
  PROP_SYMBOL_TABLE,
  PROP_N_SYMBOLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_FILE, IptElfProvider, file, TRUE),
  IPT_PROVIDER_OPTION (PROP_BASE, IptElfProvider, base, FALSE),
  IPT_PROVIDER_OPTION (PROP_CR3, IptElfProvider, cr3, FALSE),
};

static void ipt_elf_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_elf_provider_symbol_source_init (IptSymbolSourceInterface *iface);
static void ipt_elf_provider_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptElfProvider, ipt_elf_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_elf_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SYMBOL_SOURCE,
                                                      ipt_elf_provider_symbol_source_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_elf_provider_initable_init))

/* ---- reads -------------------------------------------------------------- */

/* The segment containing @address, or NULL. */
static const Segment *
find_segment (const IptElfProvider *self, guint64 address, guint *index)
{
  const Segment *segs = (const Segment *) (gconstpointer) self->segments->data;
  /* lo: the first segment that starts after @address. */
  guint lo = (guint) IPT_SORTED_UPPER_BOUND (segs, self->segments->len, Segment, start, address);

  if (lo == 0 || address >= segs[lo - 1].end)
    return NULL;
  *index = lo - 1;
  return &segs[lo - 1];
}

static gssize
ipt_elf_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                       const IptAsid *asid, guint64 address, GError **error)
{
  IptElfProvider *self = (IptElfProvider *) provider;
  const Segment *seg;
  guint index = 0;
  gsize done = 0;

  if (self->segments == NULL || !ipt_asid_match (&self->asid, asid))
    return 0;
  seg = find_segment (self, address, &index);
  if (seg == NULL)
    return 0;

  /* Fill across the file part, the zero tail, and into the next segment
   * when it starts right where this one ends. */
  while (done < size)
    {
      guint64 cur = address + done;
      gsize n;

      if (cur < seg->file_end)
        {
          n = (gsize) MIN ((guint64) (size - done), seg->file_end - cur);
          memcpy (buffer + done, seg->bytes + (cur - seg->start), n);
        }
      else
        {
          n = (gsize) MIN ((guint64) (size - done), seg->end - cur);
          memset (buffer + done, 0, n);
        }
      done += n;
      if (done < size && address + done == seg->end)
        {
          if (index + 1 >= self->segments->len)
            break;
          seg = &g_array_index (self->segments, Segment, index + 1);
          if (seg->start != address + done)
            break;
          index++;
        }
    }
  return (gssize) done;
}

static GPtrArray *
ipt_elf_provider_list_regions (IptMemoryProvider *provider)
{
  IptElfProvider *self = (IptElfProvider *) provider;
  GPtrArray *regions = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_region_free);
  guint i;

  if (self->segments == NULL)
    return regions;
  for (i = 0; i < self->segments->len; i++)
    {
      const Segment *seg = &g_array_index (self->segments, Segment, i);

      if (seg->file_end > seg->start)
        g_ptr_array_add (regions,
                         ipt_region_new (seg->start, seg->file_end - seg->start, &self->asid,
                                         seg->permissions, self->path, seg->file_offset));
      if (seg->end > seg->file_end)
        g_ptr_array_add (regions,
                         ipt_region_new (seg->file_end, seg->end - seg->file_end, &self->asid,
                                         seg->permissions, NULL, 0));
    }
  return regions;
}

static void
ipt_elf_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_elf_provider_read;
  iface->list_regions = ipt_elf_provider_list_regions;
}

/* ---- symbols ------------------------------------------------------------ */

static gboolean
ipt_elf_provider_lookup (IptSymbolSource *source, const IptAsid *asid, guint64 address,
                         const char **name, guint64 *start, guint64 *size)
{
  IptElfProvider *self = (IptElfProvider *) source;

  if (self->symbols == NULL || !ipt_asid_match (&self->asid, asid))
    return FALSE;
  return ipt_elf_symbols_lookup (self->symbols, address, name, start, size);
}

static void
ipt_elf_provider_symbol_source_init (IptSymbolSourceInterface *iface)
{
  iface->lookup = ipt_elf_provider_lookup;
}

/* ---- init --------------------------------------------------------------- */

static gboolean
open_file (IptElfProvider *self, guint64 *file_size, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  struct stat st;
  int fd;

  /* libelf maps the file itself (ELF_C_READ_MMAP) from a descriptor, so
   * only the check is shared; it also keeps a FIFO from blocking the open. */
  if (!ipt_plugin_file_check_regular ("elf", self->path, error))
    return FALSE;
  fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      ipt_plugin_file_set_error_from_errno (error, "elf", self->path, errno);
      return FALSE;
    }
  /* fstat on the open file: no window for a swap between check and use;
   * a file swapped for a FIFO or a device is refused before libelf reads
   * from it. */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "elf: %s: not a regular file", self->path);
      close (fd);
      return FALSE;
    }
  *file_size = (guint64) st.st_size;
  if (*file_size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "elf: %s: offset 0x0: the file is empty, not an ELF file", self->path);
      close (fd);
      return FALSE;
    }

  self->elf = ipt_elf_file_open_fd (fd, *file_size, self->path, &local_error);
  if (self->elf == NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "elf: ");
  /* Make libelf independent of the descriptor (it has the file mapped, or
   * reads it all now), so that no descriptor is held per provider. */
  if (self->elf != NULL && elf_cntl (self->elf, ELF_C_FDREAD) != 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "elf: %s: cannot read the file: %s",
                   self->path, elf_errmsg (-1));
      g_clear_pointer (&self->elf, elf_end);
    }
  close (fd);
  return self->elf != NULL;
}

static gboolean
ipt_elf_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable,
                                     GError **error)
{
  IptElfProvider *self = IPT_ELF_PROVIDER (initable);
  g_autoptr (GArray) loads = NULL;
  g_autoptr (GArray) segments = NULL;
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  const guint8 *raw;
  size_t raw_size = 0;
  guint64 file_size = 0, first_page;
  IptElfReader reader;
  IptElfFacts facts;
  guint i;

  if (self->segments != NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (self->elf != NULL)
    {
      /* A failed init left state behind; a GInitable fails the same way again. */
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED, "elf: %s: an earlier open failed",
                   self->path);
      return FALSE;
    }

  if (!ipt_provider_options_check_required (G_OBJECT (self), "elf", options,
                                          G_N_ELEMENTS (options), properties, error))
    return FALSE;

  /* libipt opens sections by name, maybe after the cwd changed. */
  g_free (self->path);
  self->path = g_canonicalize_filename (self->file, NULL);
  shown = ipt_plugin_file_show (self->path);
  if (!open_file (self, &file_size, error))
    return FALSE;

  raw = (const guint8 *) elf_rawfile (self->elf, &raw_size);
  if (raw == NULL || raw_size < file_size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "elf: %s: cannot map the file: %s",
                   shown, elf_errmsg (-1));
      return FALSE;
    }
  /* The messages say "elf: PATH: ...". */
  name = g_strconcat ("elf: ", shown, NULL);
  if (!ipt_elf_reader_open (&reader, raw, (gsize) file_size, name, &self->header, error))
    return FALSE;
  switch (self->header.type)
    {
    case ET_EXEC:
    case ET_DYN:
      break;
    case ET_REL:
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "elf: %s: offset 0x10: a relocatable object (ET_REL) has no load"
                   " addresses; link it first", shown);
      return FALSE;
    case ET_CORE:
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "elf: %s: offset 0x10: a core dump (ET_CORE); open it with the"
                   " coredump plugin", shown);
      return FALSE;
    default:
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "elf: %s: offset 0x10: ELF type %u is not an executable or shared"
                   " object", shown, self->header.type);
      return FALSE;
    }

  loads = ipt_elf_reader_read_loads (&reader, &self->header, name, error);
  if (loads == NULL)
    return FALSE;
  if (loads->len == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "elf: %s: offset 0x%" G_GINT64_MODIFIER "x: no PT_LOAD segment among the"
                   " %" G_GUINT64_FORMAT " program headers: nothing to map",
                   shown, self->header.phoff, self->header.phnum);
      return FALSE;
    }

  /* The kernel maps ELF files in x86 pages (all PT is x86). */
  first_page = g_array_index (loads, IptElfPhdr, 0).vaddr & IPT_PAGE_MASK;
  if (self->base == IPT_ELF_PROVIDER_BASE_UNSET)
    self->bias = 0;
  else if (self->header.type == ET_DYN)
    self->bias = self->base - first_page;   /* modulo 2^64, like the loader's */
  else if (self->base != first_page)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "elf: %s: an executable (ET_EXEC) linked at 0x%" G_GINT64_MODIFIER "x"
                   " cannot be loaded at base 0x%" G_GINT64_MODIFIER "x; give its own"
                   " address or no base", shown, first_page, self->base);
      return FALSE;
    }
  else
    self->bias = 0;

  segments = g_array_sized_new (FALSE, TRUE, sizeof (Segment), loads->len);
  for (i = 0; i < loads->len; i++)
    {
      const IptElfPhdr *load = &g_array_index (loads, IptElfPhdr, i);
      guint64 from_base, load_address;
      Segment seg;

      /* Relocated, a segment must neither wrap around nor end at 2^64 (the
       * end must be representable, libipt computes it too). */
      from_base = load->vaddr - first_page;
      load_address = first_page + self->bias;
      seg.start = load->vaddr + self->bias;
      if (from_base > G_MAXUINT64 - load_address
          || load->memsz > G_MAXUINT64 - load_address - from_base)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                       "elf: %s: program header %u at offset 0x%" G_GINT64_MODIFIER "x:"
                       " at base 0x%" G_GINT64_MODIFIER "x the segment [0x%"
                       G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER "x) %s", shown,
                       load->index, load->header_offset, self->base, load->vaddr, load->memsz,
                       load->memsz - 1 == G_MAXUINT64 - load_address - from_base
                         ? "ends at 2^64, the top of the 64-bit address space, which cannot be"
                           " mapped"
                         : "reaches past the end of the 64-bit address space");
          return FALSE;
        }
      seg.end = seg.start + load->memsz;
      seg.file_end = seg.start + load->filesz;
      seg.bytes = raw + load->offset;
      seg.file_offset = load->offset;
      seg.permissions = ipt_elf_flags_to_permissions (load->flags);
      g_array_append_val (segments, seg);
    }

  ipt_elf_inspect (raw, (gsize) file_size, &facts);
  if (facts.build_id != NULL)
    self->build_id = ipt_elf_build_id_to_hex (facts.build_id, facts.build_id_len);
  self->asid = ipt_plugin_asid_from_cr3 (self->cr3);
  self->symbols = ipt_elf_symbols_new (self->elf, self->bias, self->path);
  /* Last: a segment table is what makes read() map anything. */
  self->segments = g_steal_pointer (&segments);
  return TRUE;
}

static void
ipt_elf_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_elf_provider_initable_init_impl;
}

/* ---- GObject ------------------------------------------------------------ */

static void
ipt_elf_provider_finalize (GObject *object)
{
  IptElfProvider *self = IPT_ELF_PROVIDER (object);

  g_clear_pointer (&self->segments, g_array_unref);
  g_clear_pointer (&self->symbols, ipt_elf_symbols_free);
  g_clear_pointer (&self->elf, elf_end);
  g_free (self->build_id);
  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);
  g_free (self->path);

  G_OBJECT_CLASS (ipt_elf_provider_parent_class)->finalize (object);
}

static void
ipt_elf_provider_get_property (GObject *object, guint prop_id, GValue *value,
                               GParamSpec *pspec)
{
  IptElfProvider *self = IPT_ELF_PROVIDER (object);
  gboolean ready = self->segments != NULL;

  if (ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id, value,
                                       pspec))
    return;
  switch (prop_id)
    {
    case PROP_BUILD_ID:
      g_value_set_string (value, self->build_id);
      break;
    case PROP_ELF_CLASS:
      g_value_set_uint (value, ready ? self->header.elf_class : 0);
      break;
    case PROP_ELF_TYPE:
      g_value_set_string (value, ready ? ipt_elf_type_to_string (self->header.type) : NULL);
      break;
    case PROP_BIAS:
      g_value_set_uint64 (value, self->bias);
      break;
    case PROP_SYMBOL_TABLE:
      g_value_set_string (value, self->symbols != NULL
                                   ? ipt_elf_symbols_get_table_name (self->symbols) : NULL);
      break;
    case PROP_N_SYMBOLS:
      g_value_set_uint (value, self->symbols != NULL
                                 ? ipt_elf_symbols_get_n_symbols (self->symbols) : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_elf_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  if (!ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options), prop_id,
                                        value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_elf_provider_class_init (IptElfProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ipt_elf_provider_finalize;
  object_class->get_property = ipt_elf_provider_get_property;
  object_class->set_property = ipt_elf_provider_set_property;

  /**
   * IptElfProvider:file: (type filename)
   *
   * The ELF executable or shared object (required).
   */
  properties[PROP_FILE] =
    ipt_plugin_param_spec_file ("file", "File",
                                "ELF executable or shared object to map (required)");

  /**
   * IptElfProvider:base:
   *
   * Load address of an ET_DYN file (PIE or shared object): where its first
   * page goes, as /proc/PID/maps and NT_FILE show it.
   * %IPT_ELF_PROVIDER_BASE_UNSET (the default) maps the file at its own
   * addresses. An ET_EXEC file only accepts its own address.
   */
  properties[PROP_BASE] =
    g_param_spec_uint64 ("base", "Base address",
                         "Load address of the file's first page, for a PIE or shared"
                         " object (default: the file's own addresses)",
                         0, G_MAXUINT64, IPT_ELF_PROVIDER_BASE_UNSET, flags);

  /**
   * IptElfProvider:cr3:
   *
   * The address space (CR3) the file is mapped in; %IPT_ASID_NO_CR3 (the
   * default) maps it in every address space.
   */
  properties[PROP_CR3] = ipt_plugin_param_spec_cr3 ("mapping");

  /**
   * IptElfProvider:build-id: (nullable)
   *
   * The file's GNU build-id as lower-case hex, %NULL when it has none.
   */
  properties[PROP_BUILD_ID] =
    g_param_spec_string ("build-id", "Build ID",
                         "GNU build-id of the file as hex, if it has one",
                         NULL, ro);

  /**
   * IptElfProvider:elf-class:
   *
   * 32 or 64 (0 before a successful init).
   */
  properties[PROP_ELF_CLASS] =
    g_param_spec_uint ("elf-class", "ELF class",
                       "32 or 64 for a 32- or 64-bit ELF file",
                       0, 64, 0, ro);

  /**
   * IptElfProvider:elf-type: (nullable)
   *
   * "exec" for an ET_EXEC executable, "dyn" for an ET_DYN PIE or shared
   * object (%NULL before a successful init).
   */
  properties[PROP_ELF_TYPE] =
    g_param_spec_string ("elf-type", "ELF type",
                         "exec (ET_EXEC) or dyn (ET_DYN: PIE or shared object)",
                         NULL, ro);

  /**
   * IptElfProvider:bias:
   *
   * What is added to the file's addresses (p_vaddr, symbol values) to get
   * the mapped ones: 0 without #IptElfProvider:base.
   */
  properties[PROP_BIAS] =
    g_param_spec_uint64 ("bias", "Load bias",
                         "Added to the file's addresses to get the mapped ones",
                         0, G_MAXUINT64, 0, ro);

  /**
   * IptElfProvider:symbol-table: (nullable)
   *
   * ".symtab" or ".dynsym": where the symbols come from; %NULL for a file
   * without either.
   */
  properties[PROP_SYMBOL_TABLE] =
    g_param_spec_string ("symbol-table", "Symbol table",
                         "Section the symbols come from (.symtab or .dynsym)",
                         NULL, ro);

  /**
   * IptElfProvider:n-symbols:
   *
   * The number of addresses the provider can name.
   */
  properties[PROP_N_SYMBOLS] =
    g_param_spec_uint ("n-symbols", "Symbols",
                       "Number of function symbols loaded",
                       0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_elf_provider_init (IptElfProvider *self)
{
  self->base = IPT_ELF_PROVIDER_BASE_UNSET;
  self->cr3 = IPT_ASID_NO_CR3;
  self->asid = ipt_plugin_asid_from_cr3 (IPT_ASID_NO_CR3);
}
