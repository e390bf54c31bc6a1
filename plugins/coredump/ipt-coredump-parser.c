/* ipt-coredump-parser.c: parses an ELF core's program headers and notes, builds the piece index.
 *
 * Input is untrusted (fuzzed): every size and offset is checked against the
 * buffer before use, with overflow-free arithmetic; nothing here reads a
 * file, so the same code runs in the plugin and in the fuzz harness. 32- and
 * 64-bit cores of either byte order are accepted. */
#include "config.h"

#include <elf.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-coredump-parser.h"
#include "ipt-elf-reader.h"
#include "ipt-sorted.h"

/* NT_FILE page sizes above this are not a page size. */
#define MAX_NT_FILE_PAGE_SIZE (G_GUINT64_CONSTANT (1) << 30)

/* No Linux that cores come from has pages smaller than this: gdb's NT_FILE
 * (page size 1) holds page-aligned mappings as well. */
#define MIN_MAPPING_ALIGNMENT 4096u

void
ipt_core_info_free (IptCoreInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->segments);
  g_free (info->mappings);
  if (info->files != NULL)
    for (gsize i = 0; i < info->n_files; i++)
      g_free (info->files[i]);
  g_free (info->files);
  g_free (info);
}

/* The name of @m's first field that is not a multiple of @align, or NULL. */
static const char *
misaligned_field (const IptCoreMapping *m, guint64 align, guint64 *value)
{
  const struct { const char *name; guint64 value; } fields[] = {
    { "start", m->start }, { "end", m->end }, { "file offset", m->file_offset },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].value % align != 0)
      {
        *value = fields[i].value;
        return fields[i].name;
      }
  return NULL;
}

static gboolean
parse_nt_file (const IptElfReader *r, IptCoreInfo *info, guint64 note_offset, guint64 desc,
               guint64 descsz, const char *name, GError **error)
{
  guint w = r->is_64 ? 8 : 4;
  guint64 count, page_size, align, fit, strings, strings_end;
  g_autoptr (GHashTable) by_name = NULL;
  g_autoptr (GPtrArray) files = NULL;

  if (descsz < 2 * w)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: %" G_GUINT64_FORMAT
                   " bytes, too short for its count and page size",
                   name, note_offset, descsz);
      return FALSE;
    }
  count = ipt_elf_reader_get (r, desc, w);
  page_size = ipt_elf_reader_get (r, desc + w, w);
  if (page_size == 0 || (page_size & (page_size - 1)) != 0 || page_size > MAX_NT_FILE_PAGE_SIZE)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: page size %"
                   G_GUINT64_FORMAT " is not a power of two up to 1 GiB",
                   name, note_offset, page_size);
      return FALSE;
    }
  /* Each entry needs its three words and at least the NUL of its name. */
  fit = (descsz - 2 * w) / (3 * w + 1);
  if (count > fit)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: %" G_GUINT64_FORMAT
                   " entries declared, only %" G_GUINT64_FORMAT " fit",
                   name, note_offset, count, fit);
      return FALSE;
    }

  /* A mapping is made of whole pages: one that is not shifts every byte it
   * serves (a single corrupt byte in a start would go unnoticed otherwise). */
  align = MAX (page_size, MIN_MAPPING_ALIGNMENT);
  info->nt_file_page_size = page_size;
  info->nt_file_offset = note_offset;
  info->mappings = g_new0 (IptCoreMapping, count);
  info->n_mappings = count;
  by_name = g_hash_table_new (g_str_hash, g_str_equal);
  files = g_ptr_array_new_with_free_func (g_free);

  strings = desc + 2 * w + count * 3 * w;
  strings_end = desc + descsz;
  for (guint64 i = 0; i < count; i++)
    {
      guint64 at = desc + 2 * w + i * 3 * w;
      IptCoreMapping *m = &info->mappings[i];
      guint64 pgofs = ipt_elf_reader_get (r, at + 2 * w, w);
      const char *s = (const char *) r->data + strings;
      const char *nul, *what;
      guint64 value;
      gpointer idx;

      m->start = ipt_elf_reader_get (r, at, w);
      m->end = ipt_elf_reader_get (r, at + w, w);
      if (m->start > m->end)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: entry %"
                       G_GUINT64_FORMAT " at offset 0x%" G_GINT64_MODIFIER "x: start 0x%"
                       G_GINT64_MODIFIER "x is above end 0x%" G_GINT64_MODIFIER "x",
                       name, note_offset, i, at, m->start, m->end);
          return FALSE;
        }
      if (pgofs > G_MAXUINT64 / page_size)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: entry %"
                       G_GUINT64_FORMAT " at offset 0x%" G_GINT64_MODIFIER "x: file offset %"
                       G_GUINT64_FORMAT " pages of %" G_GUINT64_FORMAT " bytes overflows",
                       name, note_offset, i, at, pgofs, page_size);
          return FALSE;
        }
      m->file_offset = pgofs * page_size;
      if ((what = misaligned_field (m, align, &value)) != NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: entry %"
                       G_GUINT64_FORMAT " at offset 0x%" G_GINT64_MODIFIER "x: %s 0x%"
                       G_GINT64_MODIFIER "x is not aligned to a %" G_GUINT64_FORMAT "-byte page",
                       name, note_offset, i, at, what, value, align);
          return FALSE;
        }

      nul = strings < strings_end ? memchr (s, '\0', strings_end - strings) : NULL;
      if (nul == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: NT_FILE note at offset 0x%" G_GINT64_MODIFIER "x: the file name of"
                       " entry %" G_GUINT64_FORMAT " (at offset 0x%" G_GINT64_MODIFIER "x) runs"
                       " off the end of the note (at offset 0x%" G_GINT64_MODIFIER "x)",
                       name, note_offset, i, strings, strings_end);
          return FALSE;
        }
      if (!g_hash_table_lookup_extended (by_name, s, NULL, &idx))
        {
          idx = GUINT_TO_POINTER (files->len);
          g_ptr_array_add (files, g_strdup (s));
          g_hash_table_insert (by_name, files->pdata[files->len - 1], idx);
        }
      m->file = GPOINTER_TO_UINT (idx);
      strings += (nul - s) + 1;
    }

  info->n_files = files->len;
  info->files = (char **) g_ptr_array_steal (files, NULL);
  return TRUE;
}

static void
parse_prstatus (const IptElfReader *r, IptCoreInfo *info, guint64 desc, guint64 descsz)
{
  /* struct elf_prstatus: pr_pid after siginfo (12), cursig (2+2), sigpend, sighold;
   * pr_reg after pid, ppid, pgrp, sid and four timevals. */
  if (info->machine == EM_X86_64 && r->is_64 && descsz >= 248)
    {
      info->pid = (gint32) ipt_elf_reader_get (r, desc + 32, 4);
      info->ip = ipt_elf_reader_get (r, desc + 112 + 16 * 8, 8);   /* user_regs_struct.rip */
    }
  else if (info->machine == EM_386 && !r->is_64 && descsz >= 124)
    {
      info->pid = (gint32) ipt_elf_reader_get (r, desc + 24, 4);
      info->ip = ipt_elf_reader_get (r, desc + 72 + 12 * 4, 4);    /* user_regs_struct.eip */
    }
  else if (descsz >= (r->is_64 ? 36u : 28u))
    info->pid = (gint32) ipt_elf_reader_get (r, desc + (r->is_64 ? 32 : 24), 4);
}

static gboolean
parse_notes (const IptElfReader *r, IptCoreInfo *info, const IptElfPhdr *ph, const char *name,
             GError **error)
{
  IptElfNotes notes;
  IptElfNote note;
  int found;

  /* Core notes are padded to 4 bytes, whatever p_align says. */
  ipt_elf_notes_init (&notes, ph->offset, ph->filesz, 4);
  while ((found = ipt_elf_notes_next (r, &notes, &note)) > 0)
    {
      if (!ipt_elf_note_has_name (r, &note, "CORE"))
        continue;
      if (note.type == IPT_CORE_NT_FILE && info->nt_file_page_size == 0)
        {
          if (!parse_nt_file (r, info, note.offset, note.desc_offset, note.descsz, name, error))
            return FALSE;
        }
      else if (note.type == IPT_CORE_NT_PRSTATUS && info->pid < 0)
        parse_prstatus (r, info, note.desc_offset, note.descsz);
    }
  if (found < 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: note at offset 0x%" G_GINT64_MODIFIER "x: name of %" G_GUINT64_FORMAT
                   " and description of %" G_GUINT64_FORMAT " bytes run past the end of"
                   " PT_NOTE %u (at offset 0x%" G_GINT64_MODIFIER "x)",
                   name, note.offset, note.namesz, note.descsz, ph->index, notes.end);
      return FALSE;
    }
  return TRUE;
}

IptCoreInfo *
ipt_core_parse (const guint8 *data, gsize size, const char *name, GError **error)
{
  g_autoptr (IptCoreInfo) info = g_new0 (IptCoreInfo, 1);
  g_autoptr (GArray) segments = g_array_new (FALSE, FALSE, sizeof (IptElfPhdr));
  IptElfReader r;
  IptElfHeader e;

  info->pid = -1;
  if (!ipt_elf_reader_open (&r, data, size, name, &e, error))
    return NULL;
  info->is_64 = r.is_64;
  info->big_endian = r.big_endian;
  info->machine = e.machine;
  if (e.type != ET_CORE)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: offset 0x10: ELF type %u is not a core dump (ET_CORE = 4)%s",
                   name, e.type, e.type == ET_EXEC || e.type == ET_DYN
                                   ? "; use the elf plugin for it" : "");
      return NULL;
    }

  for (guint64 i = 0; i < e.phnum; i++)
    {
      IptElfPhdr ph;

      ipt_elf_reader_phdr (&r, &e, i, &ph);
      if (ph.type != PT_LOAD && ph.type != PT_NOTE)
        continue;
      if (!ipt_elf_fits (ph.offset, ph.filesz, size))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                       "x: %s contents [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER
                       "x) run past the end of the file (size 0x%" G_GSIZE_MODIFIER "x):"
                       " the core is truncated",
                       name, ph.index, ph.header_offset, ph.type == PT_LOAD ? "PT_LOAD" : "PT_NOTE",
                       ph.offset, ph.filesz, size);
          return NULL;
        }
      if (ph.type == PT_NOTE)
        {
          if (!parse_notes (&r, info, &ph, name, error))
            return NULL;
          continue;
        }
      if (ph.filesz > ph.memsz || ph.memsz - 1 > G_MAXUINT64 - ph.vaddr)
        {
          if (ph.memsz == 0 && ph.filesz == 0)
            continue;
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD at 0x%" G_GINT64_MODIFIER "x with %" G_GUINT64_FORMAT
                       " bytes in memory and %" G_GUINT64_FORMAT " in the file is not valid",
                       name, ph.index, ph.header_offset, ph.vaddr, ph.memsz, ph.filesz);
          return NULL;
        }
      if (ph.memsz == 0)
        continue;
      /* libipt computes a section's end, and so do the pieces: 2^64 is
       * not representable. The other plugins refuse such a range too. */
      if (ph.memsz - 1 == G_MAXUINT64 - ph.vaddr)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER
                       "x) ends at 2^64, the top of the 64-bit address space, which cannot be"
                       " mapped", name, ph.index, ph.header_offset, ph.vaddr, ph.memsz);
          return NULL;
        }
      g_array_append_val (segments, ph);
    }

  info->n_segments = segments->len;
  info->segments = (IptElfPhdr *) (void *) g_array_free (g_steal_pointer (&segments), FALSE);
  return g_steal_pointer (&info);
}

/* Sorting: by start, then core pieces first, then by the input order. */
static int
compare_pieces (gconstpointer a, gconstpointer b)
{
  const IptCorePiece *pa = a, *pb = b;

  if (pa->start != pb->start)
    return pa->start < pb->start ? -1 : 1;
  if ((pa->file < 0) != (pb->file < 0))
    return pa->file < 0 ? -1 : 1;
  return 0;
}

static int
compare_segments (gconstpointer a, gconstpointer b)
{
  const IptElfPhdr *sa = a, *sb = b;

  if (sa->vaddr != sb->vaddr)
    return sa->vaddr < sb->vaddr ? -1 : 1;
  return 0;
}

/* Flags of the (sorted) segment containing @address, 0 if none. */
static guint32
flags_at (const IptElfPhdr *segs, gsize n, guint64 address)
{
  gsize lo = IPT_SORTED_UPPER_BOUND (segs, n, IptElfPhdr, vaddr, address);

  if (lo > 0 && address - segs[lo - 1].vaddr < segs[lo - 1].memsz)
    return segs[lo - 1].flags;
  return 0;
}

static void
add_file_piece (GArray *out, const IptCoreMapping *m, guint64 start, guint64 end,
                const IptElfPhdr *segs, gsize n_segs)
{
  IptCorePiece p;

  if (start >= end || m->file_offset > G_MAXUINT64 - (start - m->start))
    return;
  p.start = start;
  p.end = end;
  p.offset = m->file_offset + (start - m->start);
  p.file = (gint32) m->file;
  p.flags = flags_at (segs, n_segs, start);
  g_array_append_val (out, p);
}

/**
 * ipt_core_build_pieces:
 * @info: a parsed core
 * @n_pieces: (out): number of pieces returned
 *
 * Builds the sorted, disjoint index of what serves each address: the dumped
 * bytes of every PT_LOAD, and for the rest of every NT_FILE mapping its file
 * (whether the file exists is the caller's business: it drops or clips the
 * file pieces). Dumped bytes win over files; where the core itself is
 * inconsistent (overlapping segments or mappings), the lower address and
 * then the earlier entry wins. O(n log n).
 *
 * Returns: (transfer full): the pieces, sorted by address
 */
IptCorePiece *
ipt_core_build_pieces (const IptCoreInfo *info, gsize *n_pieces)
{
  g_autoptr (GArray) core = g_array_new (FALSE, FALSE, sizeof (IptCorePiece));
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (IptCorePiece));
  g_autofree IptElfPhdr *segs = g_memdup2 (info->segments,
                                               info->n_segments * sizeof (IptElfPhdr));
  guint64 last_end = 0;
  gboolean any = FALSE;
  IptCorePiece *cp;
  gsize n_core = 0;

  if (info->n_segments > 1)   /* qsort's base must not be NULL, even for 0 elements */
    qsort (segs, info->n_segments, sizeof (IptElfPhdr), compare_segments);

  /* Dumped parts, clipped so that they do not overlap. */
  for (gsize i = 0; i < info->n_segments; i++)
    {
      IptCorePiece p = { segs[i].vaddr, segs[i].vaddr + segs[i].filesz, segs[i].offset, -1,
                         segs[i].flags };
      if (segs[i].filesz == 0)
        continue;
      if (any && p.start < last_end)
        {
          if (p.end <= last_end)
            continue;
          p.offset += last_end - p.start;
          p.start = last_end;
        }
      g_array_append_val (core, p);
      last_end = p.end;
      any = TRUE;
    }
  cp = (IptCorePiece *) (void *) core->data;
  n_core = core->len;
  g_array_append_vals (all, cp, n_core);

  /* Each mapping minus the dumped parts. */
  for (gsize i = 0; i < info->n_mappings; i++)
    {
      const IptCoreMapping *m = &info->mappings[i];
      guint64 at = m->start;

      /* The core pieces are disjoint, so sorted by end too: start at the
       * first one that ends above the mapping's start. */
      for (gsize j = IPT_SORTED_UPPER_BOUND (cp, n_core, IptCorePiece, end, m->start);
           j < n_core && cp[j].start < m->end && at < m->end; j++)
        {
          add_file_piece (all, m, at, MIN (cp[j].start, m->end), segs, info->n_segments);
          at = MAX (at, cp[j].end);
        }
      if (at < m->end)
        add_file_piece (all, m, at, m->end, segs, info->n_segments);
    }

  /* Overlapping mappings (a corrupt note): first after sorting wins. */
  g_array_sort (all, compare_pieces);
  {
    IptCorePiece *p = (IptCorePiece *) (void *) all->data;
    gsize w = 0;

    for (gsize i = 0; i < all->len; i++)
      {
        IptCorePiece q = p[i];
        if (w > 0 && q.start < p[w - 1].end)
          {
            if (q.end <= p[w - 1].end)
              continue;
            q.offset += p[w - 1].end - q.start;
            q.start = p[w - 1].end;
          }
        p[w++] = q;
      }
    g_array_set_size (all, w);
  }

  *n_pieces = all->len;
  return (IptCorePiece *) (void *) g_array_free (g_steal_pointer (&all), FALSE);
}

/**
 * ipt_core_pieces_lookup:
 * @pieces: (array length=n_pieces): sorted, disjoint pieces
 * @n_pieces: their number
 * @address: an address
 *
 * Returns: (nullable): the piece containing @address; a binary search, no allocation
 */
const IptCorePiece *
ipt_core_pieces_lookup (const IptCorePiece *pieces, gsize n_pieces, guint64 address)
{
  gsize lo = IPT_SORTED_UPPER_BOUND (pieces, n_pieces, IptCorePiece, start, address);

  if (lo > 0 && address < pieces[lo - 1].end)
    return &pieces[lo - 1];
  return NULL;
}

/**
 * ipt_core_elf_flags_at_offset:
 * @data: (array length=size): an ELF file
 * @size: its size
 * @offset: an offset in the file
 *
 * Returns: the p_flags of the file's PT_LOAD holding @offset, 0 if none
 * (not ELF, or no segment there): the permissions of a mapping that the
 * core has no program header for (gdb writes none for undumped text).
 */
guint32
ipt_core_elf_flags_at_offset (const guint8 *data, gsize size, guint64 offset)
{
  IptElfReader r;
  IptElfHeader e;

  if (!ipt_elf_reader_open (&r, data, size, "", &e, NULL))
    return 0;
  for (guint64 i = 0; i < e.phnum; i++)
    {
      IptElfPhdr ph;

      ipt_elf_reader_phdr (&r, &e, i, &ph);
      if (ph.type == PT_LOAD && offset >= ph.offset && offset - ph.offset < ph.filesz)
        return ph.flags;
    }
  return 0;
}
