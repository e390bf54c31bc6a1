/* ipt-coredump-provider.c: an ELF core dump and the files its NT_FILE note names.
 *
 * At init the core is mapped, parsed into a sorted piece index (dumped bytes
 * first, then the mapped files for what was not dumped), and every file that
 * has to serve something is looked up, checked against the build-id (or the
 * header page) the core holds, and mapped once; a file that is missing or
 * does not match is a warning naming it and its ranges, which stay unmapped.
 * A read is then a binary search and a memcpy: no syscall, no allocation,
 * no lock. Never serve bytes that were not verified to be the process's.
 *
 * Symbols are looked up in the mapped files, whose tables are built lazily:
 * the address index on the first lookup, each file's table on the first
 * lookup inside it (a core can name thousands of files, and opening it must
 * stay fast). Both are published through g_once_init_enter(): afterwards a
 * lookup is two binary searches, without lock or allocation. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>

#include "ipt-coredump-provider.h"
#include "ipt-coredump-parser.h"
#include "ipt-elf-reader.h"
#include "ipt-elf-symbols.h"
#include "ipt-plugin-file.h"
#include "ipt-provider-options.h"
#include "ipt-sorted.h"

/* At most this many ranges are listed in a warning about a file. */
#define MAX_RANGES_IN_WARNING 8

/* The granularity of mmap() that NT_FILE's mappings have (see the parser). */
#define PAGE_SIZE 4096u

typedef struct {
  char *path;            /* absolute, symlinks resolved; NULL when not served */
  GMappedFile *mapped;
  const guint8 *data;
  guint64 size;
  gboolean looked_up;    /* resolve_file() ran (at init, or lazily for symbols) */
} MappedFile;

/* An NT_FILE mapping as the symbol lookup sees it. */
typedef struct {
  guint64 start;
  guint64 end;
  guint64 file_offset;
  guint64 base;          /* start of the offset-0 mapping of this load of the file */
  guint file;
  gboolean has_base;     /* without one the load bias is unknown: no symbols */
} SymbolMapping;

/* A mapped file's symbols, built on the first lookup inside the file. */
typedef struct {
  gsize ready;           /* g_once_init_enter() guard */
  IptElfSymbols *table;  /* at the file's own addresses; NULL: names nothing */
  guint64 first_page;    /* lowest PT_LOAD p_vaddr, page-aligned */
} FileSymbols;

/**
 * IptCoredumpProvider:
 *
 * Serves the memory of a process from its ELF core dump (gdb's `gcore` or
 * the kernel's): the bytes the core holds (PT_LOAD contents), and for every
 * page that was not dumped, the file that NT_FILE says was mapped there. Both
 * kinds of region carry an absolute file name and offset, so the image gives
 * them to libipt as file sections.
 *
 * Construction fails (g_initable_new()) with:
 * - %IPT_ERROR_INVALID_ARGUMENT when `core` is missing, not a regular file,
 *   not ELF or not an ET_CORE;
 * - %IPT_ERROR_NOT_FOUND when the core does not exist; %IPT_ERROR_IO when it
 *   cannot be mapped;
 * - %IPT_ERROR_TRUNCATED when the core is shorter than its headers say;
 * - %IPT_ERROR_CORRUPT for impossible headers or notes (an NT_FILE entry
 *   that is not page-aligned, too);
 * - %IPT_ERROR_NOT_SUPPORTED for a PT_LOAD that ends at 2^64.
 *
 * A mapped file that cannot be found, or whose build-id differs from the
 * one in the core, is a g_warning() naming it and the ranges left unmapped.
 *
 * It implements #IptSymbolSource from the mapped files' symbol tables (as
 * the elf plugin reads them), each relocated by the load bias of its
 * offset-0 mapping and built on the first lookup inside the file. Only the
 * files accepted for reads (or, for files whose pages were all dumped,
 * accepted by the same rule at that first lookup) name anything.
 */
struct _IptCoredumpProvider {
  GObject parent_instance;

  /* options */
  char *core;
  char *sysroot;
  char *search_path;
  guint64 cr3;

  /* state after init; never changes afterwards */
  char *core_path;         /* absolute */
  GMappedFile *core_mapped;
  const guint8 *core_data;
  IptCoreInfo *info;
  MappedFile *files;       /* info->n_files */
  IptCorePiece *pieces;
  gsize n_pieces;
  IptAsid asid;
  gboolean initialized;

  /* symbols: built on demand, see the top of the file */
  gsize symbol_index_ready;        /* g_once_init_enter() guard */
  SymbolMapping *symbol_mappings;  /* sorted by start, disjoint */
  gsize n_symbol_mappings;
  FileSymbols *file_symbols;       /* info->n_files */
  gint n_symbol_tables;            /* atomic: files whose table was loaded (or tried) */
};

enum {
  PROP_0,
  PROP_CORE,
  PROP_SYSROOT,
  PROP_SEARCH_PATH,
  PROP_CR3,
  PROP_PID,
  PROP_RIP,
  PROP_MAPPED_FILES,
  PROP_SYMBOL_TABLES_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_CORE, IptCoredumpProvider, core, TRUE),
  IPT_PROVIDER_OPTION (PROP_SYSROOT, IptCoredumpProvider, sysroot, FALSE),
  IPT_PROVIDER_OPTION (PROP_SEARCH_PATH, IptCoredumpProvider, search_path, FALSE),
  IPT_PROVIDER_OPTION (PROP_CR3, IptCoredumpProvider, cr3, FALSE),
};

static void ipt_coredump_provider_memory_provider_init (IptMemoryProviderInterface *iface);
static void ipt_coredump_provider_symbol_source_init (IptSymbolSourceInterface *iface);
static void ipt_coredump_provider_initable_init (GInitableIface *iface);
static char *resolve_file (IptCoredumpProvider *self, guint f);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptCoredumpProvider, ipt_coredump_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER,
                                                      ipt_coredump_provider_memory_provider_init)
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SYMBOL_SOURCE,
                                                      ipt_coredump_provider_symbol_source_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ipt_coredump_provider_initable_init))

static inline const guint8 *
piece_bytes (IptCoredumpProvider *self, const IptCorePiece *p)
{
  return p->file < 0 ? self->core_data + p->offset : self->files[p->file].data + p->offset;
}

static gssize
ipt_coredump_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                            const IptAsid *asid, guint64 address, GError **error)
{
  IptCoredumpProvider *self = (IptCoredumpProvider *) provider;
  const IptCorePiece *p, *last;
  gsize done = 0;

  if (!ipt_asid_match (&self->asid, asid))
    return 0;
  p = ipt_core_pieces_lookup (self->pieces, self->n_pieces, address);
  if (p == NULL)
    return 0;
  last = self->pieces + self->n_pieces;

  /* Adjacent pieces (a patched page inside a file mapping) are stitched. */
  for (;;)
    {
      gsize n = (gsize) MIN ((guint64) (size - done), p->end - address);

      memcpy (buffer + done, piece_bytes (self, p) + (address - p->start), n);
      done += n;
      address += n;
      if (done == size || ++p == last || p->start != address)
        break;
    }
  return (gssize) done;
}

static GPtrArray *
ipt_coredump_provider_list_regions (IptMemoryProvider *provider)
{
  IptCoredumpProvider *self = (IptCoredumpProvider *) provider;
  GPtrArray *regions = g_ptr_array_new_full (self->n_pieces, (GDestroyNotify) ipt_region_free);

  for (gsize i = 0; i < self->n_pieces; i++)
    {
      const IptCorePiece *p = &self->pieces[i];

      g_ptr_array_add (regions,
                       ipt_region_new (p->start, p->end - p->start, &self->asid,
                                       ipt_elf_flags_to_permissions (p->flags),
                                       p->file < 0 ? self->core_path : self->files[p->file].path,
                                       p->offset));
    }
  return regions;
}

static void
ipt_coredump_provider_memory_provider_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_coredump_provider_read;
  iface->list_regions = ipt_coredump_provider_list_regions;
}

/* ---- symbols ------------------------------------------------------------ */

static gint
compare_symbol_mappings (gconstpointer a, gconstpointer b)
{
  const SymbolMapping *ma = a, *mb = b;

  if (ma->start != mb->start)
    return ma->start < mb->start ? -1 : 1;
  /* Same start (a corrupt note): the lower file index, so the result is deterministic. */
  return ma->file < mb->file ? -1 : ma->file > mb->file;
}

/* Sorts the NT_FILE mappings and gives each the start of its load of the
 * file: the nearest mapping at or below it of the same file at offset 0
 * (ld.so maps a file's first page lowest). */
static void
build_symbol_index (IptCoredumpProvider *self)
{
  const IptCoreInfo *info = self->info;
  g_autofree guint64 *last_base = g_new0 (guint64, MAX (info->n_files, 1));
  g_autofree gboolean *has_base = g_new0 (gboolean, MAX (info->n_files, 1));
  SymbolMapping *maps = g_new (SymbolMapping, MAX (info->n_mappings, 1));
  gsize n = 0;

  for (gsize i = 0; i < info->n_mappings; i++)
    {
      const IptCoreMapping *m = &info->mappings[i];

      if (m->start == m->end || m->file >= info->n_files)
        continue;
      maps[n].start = m->start;
      maps[n].end = m->end;
      maps[n].file = m->file;
      maps[n].file_offset = m->file_offset;
      maps[n].base = 0;
      maps[n].has_base = FALSE;
      n++;
    }
  if (n > 1)
    qsort (maps, n, sizeof (SymbolMapping), compare_symbol_mappings);

  /* Overlapping mappings (a corrupt note): the lower one wins, like reads. */
  {
    gsize w = 0;

    for (gsize i = 0; i < n; i++)
      if (w == 0 || maps[i].start >= maps[w - 1].end)
        maps[w++] = maps[i];
    n = w;
  }
  for (gsize i = 0; i < n; i++)
    {
      SymbolMapping *m = &maps[i];

      if (m->file_offset == 0)
        {
          last_base[m->file] = m->start;
          has_base[m->file] = TRUE;
        }
      m->base = last_base[m->file];
      m->has_base = has_base[m->file];
    }

  self->symbol_mappings = maps;
  self->n_symbol_mappings = n;
  self->file_symbols = g_new0 (FileSymbols, MAX (info->n_files, 1));
}

static const SymbolMapping *
find_symbol_mapping (IptCoredumpProvider *self, guint64 address)
{
  const SymbolMapping *maps = self->symbol_mappings;
  gsize lo = IPT_SORTED_UPPER_BOUND (maps, self->n_symbol_mappings, SymbolMapping, start,
                                     address);

  if (lo == 0 || address >= maps[lo - 1].end)
    return NULL;
  return &maps[lo - 1];
}

/* Builds file @f's table. Only a file that was accepted (build-id checked,
 * or unverified by the rule of resolve_file()) names anything; a file that
 * served nothing was not looked up at init and is looked up now, quietly:
 * its pages all came from the core, no range is lost. */
static void
load_file_symbols (IptCoredumpProvider *self, guint f, FileSymbols *fs)
{
  MappedFile *mf = &self->files[f];

  if (!mf->looked_up)
    {
      g_autofree char *reason = resolve_file (self, f);

      if (reason != NULL)
        g_debug ("%s: mapped file %s not usable for symbols (%s)", self->core,
                 self->info->files[f], reason);
    }
  if (mf->path != NULL)
    fs->table = ipt_elf_symbols_new_for_file (mf->path, mf->data, (gsize) mf->size,
                                              &fs->first_page);
  g_atomic_int_inc (&self->n_symbol_tables);
}

static gboolean
ipt_coredump_provider_lookup (IptSymbolSource *source, const IptAsid *asid, guint64 address,
                              const char **name, guint64 *start, guint64 *size)
{
  IptCoredumpProvider *self = (IptCoredumpProvider *) source;
  const SymbolMapping *m;
  FileSymbols *fs;
  guint64 bias, sym_start;

  if (!self->initialized || !ipt_asid_match (&self->asid, asid))
    return FALSE;
  if (g_once_init_enter (&self->symbol_index_ready))
    {
      build_symbol_index (self);
      g_once_init_leave (&self->symbol_index_ready, 1);
    }
  m = find_symbol_mapping (self, address);
  if (m == NULL || !m->has_base)
    return FALSE;
  fs = &self->file_symbols[m->file];
  if (g_once_init_enter (&fs->ready))
    {
      load_file_symbols (self, m->file, fs);
      g_once_init_leave (&fs->ready, 1);
    }
  if (fs->table == NULL)
    return FALSE;
  /* The elf plugin's rule for `base`: the offset-0 mapping is the file's
   * first page; relocation is modulo 2^64, like the loader's. */
  bias = m->base - fs->first_page;
  if (!ipt_elf_symbols_lookup (fs->table, address - bias, name, &sym_start, size))
    return FALSE;
  *start = sym_start + bias;
  return TRUE;
}

static void
ipt_coredump_provider_symbol_source_init (IptSymbolSourceInterface *iface)
{
  iface->lookup = ipt_coredump_provider_lookup;
}

/* ---- finding the mapped files --------------------------------------------- */

/* The bytes the core holds at the start of file @f's offset-0 mapping (its
 * ELF header page when the dumper kept it), or NULL. */
static const guint8 *
core_header_bytes (IptCoredumpProvider *self, guint f, gsize *len)
{
  const IptCoreInfo *info = self->info;

  for (gsize i = 0; i < info->n_mappings; i++)
    {
      const IptCoreMapping *m = &info->mappings[i];
      const IptCorePiece *p;

      if (m->file != f || m->file_offset != 0 || m->start == m->end)
        continue;
      p = ipt_core_pieces_lookup (self->pieces, self->n_pieces, m->start);
      if (p == NULL || p->file >= 0)
        continue;
      *len = (gsize) MIN (p->end - m->start, m->end - m->start);
      return self->core_data + p->offset + (m->start - p->start);
    }
  return NULL;
}

typedef enum {
  CHECK_OK,
  CHECK_MISSING,
  CHECK_REJECTED,
} CheckResult;

/* Opens @candidate and checks it against what the core says about the file.
 * On success fills @out (the mapping is kept for reads). */
static CheckResult
check_candidate (const char *candidate, const guint8 *header, gsize header_len,
                 const IptElfFacts *expected, MappedFile *out, char **reason)
{
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *real = NULL;
  IptElfFacts found;
  const guint8 *data;
  gsize size;

  /* A file that is not there is the reason only when no candidate is
   * known better; one that is there but unusable always is. */
  if (!ipt_plugin_file_check_regular (NULL, candidate, &local_error))
    {
      if (g_error_matches (local_error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT))
        {
          g_free (*reason);
          *reason = g_strdup (local_error->message);
          return CHECK_REJECTED;
        }
      if (*reason == NULL)
        *reason = g_strdup (local_error->message);
      return CHECK_MISSING;
    }
  mapped = ipt_plugin_file_map_regular (NULL, candidate, &local_error);
  if (mapped == NULL)
    {
      g_free (*reason);
      *reason = g_strdup (local_error->message);
      return CHECK_REJECTED;
    }
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);

  ipt_elf_inspect (data, size, &found);
  if (found.code_is_nobits)
    {
      g_free (*reason);
      *reason = g_strdup_printf ("%s: a separate debug-info file, without the code", candidate);
      return CHECK_REJECTED;
    }
  if (expected->build_id != NULL)
    {
      if (found.build_id == NULL || found.build_id_len != expected->build_id_len
          || memcmp (found.build_id, expected->build_id, found.build_id_len) != 0)
        {
          g_autofree char *want = ipt_elf_build_id_to_hex (expected->build_id,
                                                           expected->build_id_len);
          g_autofree char *got = found.build_id != NULL
                                   ? ipt_elf_build_id_to_hex (found.build_id, found.build_id_len)
                                   : g_strdup ("(none)");

          g_free (*reason);
          *reason = g_strdup_printf ("%s: build-id %s does not match the core's %s", candidate,
                                     got, want);
          return CHECK_REJECTED;
        }
    }
  else if (header != NULL)
    {
      /* No build-id in the core's copy of the first page: that copy itself
       * must be what the file holds. */
      if (size < header_len || memcmp (data, header, header_len) != 0)
        {
          g_free (*reason);
          *reason = g_strdup_printf ("%s: its first %" G_GSIZE_FORMAT " bytes differ from the"
                                     " copy in the core", candidate, header_len);
          return CHECK_REJECTED;
        }
    }

  real = realpath (candidate, NULL);
  if (real == NULL)
    real = g_canonicalize_filename (candidate, NULL);
  out->path = g_steal_pointer (&real);
  out->data = data;
  out->size = size;
  out->mapped = g_steal_pointer (&mapped);
  return CHECK_OK;
}

static void
add_search_candidates (GPtrArray *candidates, const char *dir, const char *name,
                       const IptElfFacts *expected)
{
  g_autofree char *base = g_path_get_basename (name);

  if (expected->build_id != NULL && expected->build_id_len >= 2)
    {
      g_autofree char *xx = ipt_elf_build_id_to_hex (expected->build_id, 1);
      g_autofree char *rest = ipt_elf_build_id_to_hex (expected->build_id + 1,
                                                       expected->build_id_len - 1);
      g_autofree char *debug = g_strconcat (rest, ".debug", NULL);

      /* The executable first: a .debug file is often debug info only. */
      g_ptr_array_add (candidates, g_build_filename (dir, ".build-id", xx, rest, NULL));
      g_ptr_array_add (candidates, g_build_filename (dir, ".build-id", xx, debug, NULL));
    }
  g_ptr_array_add (candidates, g_build_filename (dir, base, NULL));
}

/* Finds, checks and maps file @f; on failure returns the reason. */
static char *
resolve_file (IptCoredumpProvider *self, guint f)
{
  const char *name = self->info->files[f];
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  const guint8 *header;
  gsize header_len = 0;
  IptElfFacts expected;
  char *reason = NULL;
  static const char deleted[] = " (deleted)";
  gsize len = strlen (name);

  self->files[f].looked_up = TRUE;
  header = core_header_bytes (self, f, &header_len);
  memset (&expected, 0, sizeof expected);
  if (header != NULL)
    ipt_elf_inspect (header, header_len, &expected);

  if (g_path_is_absolute (name))
    {
      g_ptr_array_add (candidates, self->sysroot != NULL && self->sysroot[0] != '\0'
                                     ? g_build_filename (self->sysroot, name, NULL)
                                     : g_strdup (name));
      /* The kernel marks files deleted since they were mapped. */
      if (len > strlen (deleted) && g_str_has_suffix (name, deleted))
        {
          g_autofree char *stem = g_strndup (name, len - strlen (deleted));
          g_ptr_array_add (candidates, self->sysroot != NULL && self->sysroot[0] != '\0'
                                         ? g_build_filename (self->sysroot, stem, NULL)
                                         : g_strdup (stem));
        }
    }
  if (self->search_path != NULL)
    {
      g_auto (GStrv) dirs = g_strsplit (self->search_path, G_SEARCHPATH_SEPARATOR_S, -1);
      for (guint i = 0; dirs[i] != NULL; i++)
        if (dirs[i][0] != '\0')
          add_search_candidates (candidates, dirs[i], name, &expected);
    }

  for (guint i = 0; i < candidates->len; i++)
    if (check_candidate (candidates->pdata[i], header, header_len, &expected,
                         &self->files[f], &reason) == CHECK_OK)
      {
        if (expected.build_id == NULL && header == NULL)
          g_debug ("%s: %s: the core holds neither a build-id nor a header page of"
                   " this file, serving %s unverified", self->core, name, self->files[f].path);
        g_free (reason);
        return NULL;
      }
  if (reason == NULL)
    reason = g_strdup ("no place to look for it");
  return reason;
}

/* The ranges a warning lists: the first few, then how many more. */
typedef struct {
  GString *text;
  guint n;
} RangeList;

static void
range_list_add (RangeList *list, guint64 start, guint64 end)
{
  if (list->text == NULL)
    list->text = g_string_new (NULL);
  if (list->n < MAX_RANGES_IN_WARNING)
    g_string_append_printf (list->text, "%s0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x",
                            list->n > 0 ? ", " : "", start, end);
  list->n++;
}

static char *
range_list_free_to_string (RangeList *list)
{
  if (list->n > MAX_RANGES_IN_WARNING)
    g_string_append_printf (list->text, " and %u more", list->n - MAX_RANGES_IN_WARNING);
  return g_string_free (list->text, FALSE);
}

static void
warn_unserved (IptCoredumpProvider *self, guint f, const char *reason)
{
  RangeList ranges = { NULL, 0 };
  g_autofree char *text = NULL;

  for (gsize i = 0; i < self->n_pieces; i++)
    if (self->pieces[i].file == (gint32) f)
      range_list_add (&ranges, self->pieces[i].start, self->pieces[i].end);
  text = range_list_free_to_string (&ranges);
  g_warning ("%s: mapped file %s not usable (%s): its ranges %s are unmapped",
             self->core, self->info->files[f], reason, text);
}

/* Drops the pieces of unusable files and clips the rest to their file's end
 * (the process would have got SIGBUS there). Bytes past the end in the
 * file's last page are lost quietly (they were zeros in the process, and a
 * mapping of a file that is not a whole number of pages is normal); whole
 * pages past it mean the file is shorter than when it was mapped: a
 * warning names the file, its size and what stays unmapped. */
static void
clip_to_files (IptCoredumpProvider *self)
{
  g_autofree RangeList *lost = g_new0 (RangeList, MAX (self->info->n_files, 1));
  gsize w = 0;

  for (gsize i = 0; i < self->n_pieces; i++)
    {
      IptCorePiece p = self->pieces[i];

      if (p.file >= 0)
        {
          const MappedFile *mf = &self->files[p.file];
          guint64 page_end = (mf->size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;

          if (mf->path == NULL)
            continue;
          if (p.end - p.start > page_end - MIN (p.offset, page_end))
            range_list_add (&lost[p.file],
                            p.offset >= page_end ? p.start : p.start + (page_end - p.offset),
                            p.end);
          if (p.offset >= mf->size)
            continue;
          if (p.end - p.start > mf->size - p.offset)
            p.end = p.start + (mf->size - p.offset);
          /* gdb writes no program header for text it did not dump: the
           * file's own segments say what the mapping was. */
          if (p.flags == 0)
            p.flags = ipt_core_elf_flags_at_offset (mf->data, mf->size, p.offset);
          if (p.flags == 0)
            p.flags = 4;
        }
      self->pieces[w++] = p;
    }
  self->n_pieces = w;

  for (guint f = 0; f < self->info->n_files; f++)
    if (lost[f].n > 0)
      {
        g_autofree char *text = range_list_free_to_string (&lost[f]);

        g_warning ("%s: mapped file %s is shorter than the core maps it (%s has 0x%"
                   G_GINT64_MODIFIER "x bytes): its ranges %s are unmapped",
                   self->core, self->info->files[f], self->files[f].path, self->files[f].size,
                   text);
      }
}

static gboolean
ipt_coredump_provider_initable_init_impl (GInitable *initable, GCancellable *cancellable,
                                          GError **error)
{
  IptCoredumpProvider *self = IPT_COREDUMP_PROVIDER (initable);
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (IptCoreInfo) info = NULL;
  g_autofree char *path = NULL;
  g_autofree gboolean *needed = NULL;
  g_autofree char *shown = NULL;

  if (self->initialized)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!ipt_provider_options_check_required (G_OBJECT (self), "coredump", options,
                                          G_N_ELEMENTS (options), properties, error))
    return FALSE;
  /* libipt opens sections by name, maybe after the cwd changed. */
  path = g_canonicalize_filename (self->core, NULL);
  mapped = ipt_plugin_file_map ("coredump", path, error);
  if (mapped == NULL)
    return FALSE;

  shown = ipt_plugin_file_show (self->core);
  info = ipt_core_parse ((const guint8 *) g_mapped_file_get_contents (mapped),
                         g_mapped_file_get_length (mapped), shown, error);
  if (info == NULL)
    return FALSE;

  self->core_path = g_steal_pointer (&path);
  self->core_data = (const guint8 *) g_mapped_file_get_contents (mapped);
  self->core_mapped = g_steal_pointer (&mapped);
  self->info = g_steal_pointer (&info);
  self->files = g_new0 (MappedFile, self->info->n_files);
  self->pieces = ipt_core_build_pieces (self->info, &self->n_pieces);

  /* Only files that serve something are looked up: all-dumped ones are not needed. */
  needed = g_new0 (gboolean, self->info->n_files);
  for (gsize i = 0; i < self->n_pieces; i++)
    if (self->pieces[i].file >= 0)
      needed[self->pieces[i].file] = TRUE;
  for (guint f = 0; f < self->info->n_files; f++)
    if (needed[f])
      {
        g_autofree char *reason = NULL;

        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          return FALSE;
        reason = resolve_file (self, f);
        if (reason != NULL)
          warn_unserved (self, f, reason);
      }

  clip_to_files (self);

  self->asid = ipt_plugin_asid_from_cr3 (self->cr3);
  self->initialized = TRUE;
  return TRUE;
}

static void
ipt_coredump_provider_initable_init (GInitableIface *iface)
{
  iface->init = ipt_coredump_provider_initable_init_impl;
}

static void
ipt_coredump_provider_finalize (GObject *object)
{
  IptCoredumpProvider *self = IPT_COREDUMP_PROVIDER (object);

  if (self->files != NULL)
    for (gsize i = 0; i < self->info->n_files; i++)
      {
        g_free (self->files[i].path);
        g_clear_pointer (&self->files[i].mapped, g_mapped_file_unref);
      }
  g_free (self->files);
  g_free (self->pieces);
  if (self->file_symbols != NULL)
    for (gsize i = 0; i < self->info->n_files; i++)
      g_clear_pointer (&self->file_symbols[i].table, ipt_elf_symbols_free);
  g_free (self->file_symbols);
  g_free (self->symbol_mappings);
  g_clear_pointer (&self->info, ipt_core_info_free);
  g_clear_pointer (&self->core_mapped, g_mapped_file_unref);
  g_free (self->core_path);
  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);

  G_OBJECT_CLASS (ipt_coredump_provider_parent_class)->finalize (object);
}

/* NT_FILE's names as a GStrv (the parser keeps a counted array). */
static GStrv
mapped_files_strv (IptCoredumpProvider *self)
{
  gsize n = self->info != NULL ? self->info->n_files : 0;
  GStrv files = g_new0 (char *, n + 1);

  for (gsize i = 0; i < n; i++)
    files[i] = g_strdup (self->info->files[i]);
  return files;
}

static void
ipt_coredump_provider_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  IptCoredumpProvider *self = IPT_COREDUMP_PROVIDER (object);

  if (ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id, value,
                                       pspec))
    return;
  switch (prop_id)
    {
    case PROP_PID:
      g_value_set_int64 (value, self->info != NULL ? self->info->pid : -1);
      break;
    case PROP_RIP:
      g_value_set_uint64 (value, self->info != NULL ? self->info->ip : 0);
      break;
    case PROP_MAPPED_FILES:
      g_value_take_boxed (value, mapped_files_strv (self));
      break;
    case PROP_SYMBOL_TABLES_LOADED:
      g_value_set_uint (value, (guint) g_atomic_int_get (&self->n_symbol_tables));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_coredump_provider_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  if (!ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options), prop_id,
                                        value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ipt_coredump_provider_class_init (IptCoredumpProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ipt_coredump_provider_finalize;
  object_class->get_property = ipt_coredump_provider_get_property;
  object_class->set_property = ipt_coredump_provider_set_property;

  /**
   * IptCoredumpProvider:core: (type filename)
   *
   * The ELF core dump (ET_CORE) to serve (required).
   */
  properties[PROP_CORE] =
    ipt_plugin_param_spec_file ("core", "Core dump",
                                "ELF core dump of the traced process (required)");

  /**
   * IptCoredumpProvider:sysroot: (type filename)
   *
   * A directory prefixed to the mapped files' paths, for a core from another machine.
   */
  properties[PROP_SYSROOT] =
    ipt_plugin_param_spec_file ("sysroot", "System root",
                                "Directory prefixed to the paths of the mapped files");

  /**
   * IptCoredumpProvider:search-path:
   *
   * Colon-separated directories where mapped files are also looked up, by
   * build-id (`DIR/.build-id/xx/rest`, then `DIR/.build-id/xx/rest.debug`)
   * and by base name, when the path named by the core does not hold them.
   */
  properties[PROP_SEARCH_PATH] =
    g_param_spec_string ("search-path", "Search path",
                         "Colon-separated directories to look up mapped files by build-id or name",
                         NULL, flags);

  /**
   * IptCoredumpProvider:cr3:
   *
   * The address space (CR3) of the process; %IPT_ASID_NO_CR3 (the default)
   * maps the memory in every address space.
   */
  properties[PROP_CR3] = ipt_plugin_param_spec_cr3 ("process");

  /**
   * IptCoredumpProvider:pid:
   *
   * The process id from the core's first NT_PRSTATUS, -1 if it has none.
   */
  properties[PROP_PID] =
    g_param_spec_int64 ("pid", "Process id",
                        "Process id of the first thread in the core (-1: unknown)",
                        -1, G_MAXINT64, -1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * IptCoredumpProvider:rip:
   *
   * The instruction pointer of the core's first thread (x86-64 and i386), 0 if unknown.
   */
  properties[PROP_RIP] =
    g_param_spec_uint64 ("rip", "Instruction pointer",
                         "Instruction pointer of the first thread in the core (0: unknown)",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * IptCoredumpProvider:mapped-files:
   *
   * The paths of the files the core's NT_FILE note maps, each once, in the
   * order of their first mapping in the note (as the kernel or gdb wrote
   * them, " (deleted)" included); empty without NT_FILE. A tool reads it
   * to find what else the process had mapped (a JIT's jitdump) without
   * parsing the core again.
   */
  properties[PROP_MAPPED_FILES] =
    g_param_spec_boxed ("mapped-files", "Mapped files",
                        "Paths of the files NT_FILE maps, in note order, each once",
                        G_TYPE_STRV, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * IptCoredumpProvider:symbol-tables-loaded:
   *
   * How many mapped files' symbol tables were loaded so far: each on the
   * first symbol lookup inside the file (whether or not the file turns out
   * to name anything), never at open.
   */
  properties[PROP_SYMBOL_TABLES_LOADED] =
    g_param_spec_uint ("symbol-tables-loaded", "Symbol tables loaded",
                       "Number of mapped files whose symbols were loaded (on first lookup)",
                       0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_coredump_provider_init (IptCoredumpProvider *self)
{
  self->cr3 = IPT_ASID_NO_CR3;
  self->asid = ipt_plugin_asid_from_cr3 (IPT_ASID_NO_CR3);
}
