/* ipt-coverage-lcov.c: the coverage as an lcov tracefile (TN/SF/DA/LF/LH/
 * end_of_record), line coverage through DWARF line tables. A line's count
 * is the number of instructions of that line that ran (each run of each
 * instruction counts once): what any instruction listing gives, whatever
 * the blocks. Lines come from the symbol resolver when it has a line
 * table (JIT code), else from libdw over the image's file-backed ELF
 * mappings, which also lists the lines that never ran (count 0). The
 * resolver's interface answers only "which line is this address", so the
 * lines of a file that did not run need libdw here. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-coverage-private.h"

typedef struct {
  GHashTable *files;            /* canonical source path -> GArray of guint64, by line */
  GHashTable *by_name;          /* a line table's file name (libdw's string) -> the same */
  IptSymbolResolver *resolver;
  Dwfl *dwfl;
  guint64 count;                /* the runs of the block being walked */
  guint64 cr3;
} Lines;

/* The counts of a source file, by the name a line table gives it (made
 * absolute with its compilation unit's directory, as addr2line and genhtml
 * need it). @name's string is libdw's or the symbol source's, stable
 * while they live, so it is looked up by address first. */
static GArray *
file_lines (Lines *lines, const char *name, Dwarf_Die *cu)
{
  g_autofree char *path = NULL;
  GArray *counts = g_hash_table_lookup (lines->by_name, name);
  const char *dir = NULL;

  if (counts != NULL)
    return counts;
  if (!g_path_is_absolute (name) && cu != NULL)
    {
      Dwarf_Attribute attr;

      dir = dwarf_formstring (dwarf_attr (cu, DW_AT_comp_dir, &attr));
    }
  path = g_canonicalize_filename (name, dir);
  counts = g_hash_table_lookup (lines->files, path);
  if (counts == NULL)
    {
      counts = g_array_new (FALSE, TRUE, sizeof (guint64));
      g_hash_table_insert (lines->files, g_steal_pointer (&path), counts);
    }
  g_hash_table_insert (lines->by_name, (gpointer) name, counts);
  return counts;
}

/* The entry of @line, created (with count 0, "not run") when missing.
 * Counts are stored plus one, so that 0 means "no such line". */
static guint64 *
line_slot (GArray *counts, guint line)
{
  if (line >= counts->len)
    g_array_set_size (counts, line + 1);
  if (g_array_index (counts, guint64, line) == 0)
    g_array_index (counts, guint64, line) = 1;
  return &g_array_index (counts, guint64, line);
}

static void
count_insn (guint64 ip, guint size, gpointer user_data)
{
  Lines *lines = user_data;
  IptAsid asid = { lines->cr3, IPT_ASID_NO_VMCS };
  Dwarf_Die *cu = NULL;
  const char *file = NULL;
  guint line = 0;

  if (lines->resolver == NULL ||
      !ipt_symbol_resolver_lookup_line (lines->resolver, &asid, ip, IPT_TIME_END, &file, &line))
    {
      Dwfl_Module *module = lines->dwfl != NULL ? dwfl_addrmodule (lines->dwfl, ip) : NULL;
      Dwfl_Line *row = module != NULL ? dwfl_module_getsrc (module, ip) : NULL;
      int lineno = 0;

      if (row == NULL)
        return;
      file = dwfl_lineinfo (row, NULL, &lineno, NULL, NULL, NULL);
      line = lineno > 0 ? (guint) lineno : 0;
      cu = dwfl_linecu (row);
    }
  if (file == NULL || line == 0)
    return;
  *line_slot (file_lines (lines, file, cu), line) += lines->count;
}

/* The load bias of @path mapped at @address from @offset: the address
 * minus the link-time address of that file offset (0 for an executable
 * at its link address). FALSE when @path is no ELF file with such a
 * PT_LOAD. */
static gboolean
elf_bias (const char *path, guint64 address, guint64 offset, guint64 *bias)
{
  gboolean found = FALSE;
  Elf *elf;
  size_t n;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  elf = elf_begin (fd, ELF_C_READ_MMAP, NULL);
  if (elf != NULL && elf_kind (elf) == ELF_K_ELF && elf_getphdrnum (elf, &n) == 0)
    for (size_t i = 0; i < n && !found; i++)
      {
        GElf_Phdr phdr;

        if (gelf_getphdr (elf, (int) i, &phdr) == NULL || phdr.p_type != PT_LOAD)
          continue;
        /* regions start at page boundaries, segments anywhere in a page */
        if ((phdr.p_offset & ~(guint64) 0xfff) <= offset && offset < phdr.p_offset + phdr.p_filesz)
          {
            *bias = address - (phdr.p_vaddr - phdr.p_offset + offset);
            found = TRUE;
          }
      }
  if (elf != NULL)
    elf_end (elf);
  close (fd);
  return found;
}

static const Dwfl_Callbacks dwfl_callbacks = {
  .find_elf = dwfl_build_id_find_elf,
  .find_debuginfo = dwfl_standard_find_debuginfo,
  .section_address = dwfl_offline_section_address,
};

/* libdw's view of the image's ELF files, each where it is mapped. */
static Dwfl *
open_dwfl (IptImage *image)
{
  g_autoptr(GPtrArray) mappings = ipt_image_list_mappings (image);
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Dwfl *dwfl;

  elf_version (EV_CURRENT);
  dwfl = dwfl_begin (&dwfl_callbacks);
  if (dwfl == NULL)
    return NULL;
  dwfl_report_begin (dwfl);
  for (guint i = 0; i < mappings->len; i++)
    {
      const IptRegion *region = ((const IptMapping *) g_ptr_array_index (mappings, i))->region;
      g_autofree char *key = NULL;
      guint64 bias;

      if (region->filename == NULL ||
          !elf_bias (region->filename, region->address, region->file_offset, &bias))
        continue;
      key = g_strdup_printf ("%s@%" G_GINT64_MODIFIER "x", region->filename, bias);
      if (g_hash_table_contains (reported, key))
        continue;
      if (dwfl_report_elf (dwfl, region->filename, region->filename, -1, bias, false) == NULL)
        g_debug ("lcov: %s: %s", region->filename, dwfl_errmsg (-1));
      g_hash_table_add (reported, g_steal_pointer (&key));
    }
  dwfl_report_end (dwfl, NULL, NULL);
  return dwfl;
}

static int
list_module_lines (Dwfl_Module *module, void **userdata, const char *name, Dwarf_Addr start,
                   void *arg)
{
  Lines *lines = arg;
  Dwarf_Die *cu = NULL;
  Dwarf_Addr bias;

  while ((cu = dwfl_module_nextcu (module, cu, &bias)) != NULL)
    {
      Dwarf_Lines *table;
      size_t n;

      if (dwarf_getsrclines (cu, &table, &n) != 0)
        continue;
      for (size_t i = 0; i < n; i++)
        {
          Dwarf_Line *row = dwarf_onesrcline (table, i);
          const char *file = dwarf_linesrc (row, NULL, NULL);
          bool end = false;
          int lineno = 0;

          if (file == NULL || dwarf_lineno (row, &lineno) != 0 || lineno <= 0 ||
              dwarf_lineendsequence (row, &end) != 0 || end)
            continue;
          line_slot (file_lines (lines, file, cu), (guint) lineno);
        }
    }
  return DWARF_CB_OK;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
counts_free (gpointer data)
{
  g_array_unref (data);
}

/**
 * ipt_coverage_write_lcov:
 * @self: an #IptCoverage
 * @image: the image the trace was decoded over: its code, and its
 *   file-backed ELF mappings whose DWARF line tables give the lines
 * @resolver: (nullable): symbol sources asked first for an address's line
 *   (#IptSymbolSourceInterface.lookup_line: a JIT's line table)
 * @stream: where to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes @self as an lcov tracefile for genhtml: per source file an SF
 * record with one `DA:LINE,COUNT` per line of its line table, LF and LH.
 * A line's count is the number of instructions of that line that ran
 * (docs/coverage.md says why); lines of the files' line tables that never
 * ran have count 0. Code without line information is left out. @stream
 * is not closed.
 *
 * Returns: %TRUE on success; %FALSE with @error set when writing to
 *   @stream fails or is cancelled (the stream's error)
 *
 * Since: 0.1
 */
gboolean
ipt_coverage_write_lcov (IptCoverage *self, IptImage *image, IptSymbolResolver *resolver,
                         GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  g_autoptr(GArray) blocks = NULL;
  g_autoptr(IptCoverageCode) code = NULL;
  g_autoptr(GHashTable) files = NULL;
  g_autoptr(GHashTable) by_name = NULL;
  g_autofree const char **paths = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  Lines lines;
  guint n_paths, n_failed = 0;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), FALSE);
  g_return_val_if_fail (IPT_IS_IMAGE (image), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, counts_free);
  by_name = g_hash_table_new (g_direct_hash, g_direct_equal);
  lines.files = files;
  lines.by_name = by_name;
  lines.resolver = resolver;
  lines.dwfl = open_dwfl (image);

  blocks = ipt_coverage_collect_blocks (self);
  code = ipt_coverage_code_new (image);
  for (guint i = 0; i < blocks->len; i++)
    {
      const IptCoverageBlock *block = &g_array_index (blocks, IptCoverageBlock, i);

      lines.count = block->count;
      lines.cr3 = block->cr3;
      if (ipt_coverage_code_walk (code, block, count_insn, &lines) < 0)
        n_failed++;
    }
  if (n_failed > 0)
    g_debug ("lcov: %u blocks whose code could not be read back: left out", n_failed);
  /* the lines that did not run: every row of the files' line tables */
  if (lines.dwfl != NULL)
    {
      dwfl_getmodules (lines.dwfl, list_module_lines, &lines, 0);
      dwfl_end (lines.dwfl);
    }

  paths = (const char **) g_hash_table_get_keys_as_array (files, &n_paths);
  qsort (paths, n_paths, sizeof (char *), compare_paths);
  for (guint i = 0; i < n_paths; i++)
    {
      GArray *counts = g_hash_table_lookup (files, paths[i]);
      guint n_lines = 0, n_hit = 0;

      g_string_append_printf (out, "TN:\nSF:%s\n", paths[i]);
      for (guint line = 1; line < counts->len; line++)
        {
          guint64 stored = g_array_index (counts, guint64, line);

          if (stored == 0)
            continue;
          g_string_append_printf (out, "DA:%u,%" G_GUINT64_FORMAT "\n", line, stored - 1);
          n_lines++;
          n_hit += stored > 1;
        }
      g_string_append_printf (out, "LF:%u\nLH:%u\nend_of_record\n", n_lines, n_hit);
      if (out->len >= 64 * 1024 || i + 1 == n_paths)
        {
          if (!g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error))
            return FALSE;
          g_string_truncate (out, 0);
        }
    }
  return TRUE;
}
