/* ipt-elf-reader.c: the one reader of ELF headers, program headers and
 * notes over bytes in memory (see ipt-elf-reader.h for why not libelf).
 * Input is untrusted (fuzzed): every problem is a GError naming the file,
 * the offset and the field, or, where the caller only looks (build-ids),
 * simply nothing found. */
#include "config.h"

#include <elf.h>
#include <string.h>

#include "ipt-elf-reader.h"

/**
 * ipt_elf_reader_init:
 * @r: (out caller-allocates): the reader
 * @data: (array length=size): the bytes, from the start of the file
 * @size: how many there are
 *
 * Checks the ELF magic, class and byte order, quietly. It does not check
 * that the ELF header itself fits: callers compare @size with 52 or 64
 * bytes, or use ipt_elf_reader_open(), which says what is wrong.
 *
 * Returns: %TRUE when the bytes start with an ELF identification of a
 *   known class and byte order
 */
gboolean
ipt_elf_reader_init (IptElfReader *r, const guint8 *data, gsize size)
{
  if (size < 16 || memcmp (data, ELFMAG, SELFMAG) != 0)
    return FALSE;
  if (data[EI_CLASS] != ELFCLASS32 && data[EI_CLASS] != ELFCLASS64)
    return FALSE;
  if (data[EI_DATA] != ELFDATA2LSB && data[EI_DATA] != ELFDATA2MSB)
    return FALSE;
  r->data = data;
  r->size = size;
  r->is_64 = data[EI_CLASS] == ELFCLASS64;
  r->big_endian = data[EI_DATA] == ELFDATA2MSB;
  return TRUE;
}

/* Offsets of the e_ident fields, and of e_phoff, e_phentsize and e_phnum,
 * for messages that point at the bytes at fault. */
#define EI_CLASS_OFFSET 4
#define EI_DATA_OFFSET 5
#define EI_VERSION_OFFSET 6
#define EHDR_PHOFF_OFFSET(is_64) ((is_64) ? 0x20u : 0x1cu)
#define EHDR_PHENTSIZE_OFFSET(is_64) ((is_64) ? 0x36u : 0x2au)
#define EHDR_PHNUM_OFFSET(is_64) ((is_64) ? 0x38u : 0x2cu)

/* Sizes of the ELF header, a program header and a section header. */
#define EHDR_SIZE(is_64) ((is_64) ? 64u : 52u)
#define PHDR_SIZE(is_64) ((is_64) ? 56u : 32u)
#define SHDR_SIZE(is_64) ((is_64) ? 64u : 40u)

/**
 * ipt_elf_reader_ehdr:
 * @r: a reader whose buffer holds the whole ELF header
 * @header: (out caller-allocates): its fields; @header->phnum is e_phnum
 *   as written (PN_XNUM not resolved: ipt_elf_reader_open() does that)
 */
void
ipt_elf_reader_ehdr (const IptElfReader *r, IptElfHeader *header)
{
  guint w = r->is_64 ? 8 : 4;
  guint64 at = 24;   /* e_entry */

  memset (header, 0, sizeof *header);
  header->elf_class = r->is_64 ? 64 : 32;
  header->type = ipt_elf_reader_get (r, 16, 2);
  header->machine = ipt_elf_reader_get (r, 18, 2);
  header->entry = ipt_elf_reader_get (r, at, w);
  header->phoff = ipt_elf_reader_get (r, at + w, w);
  header->shoff = ipt_elf_reader_get (r, at + 2 * w, w);
  at += 3 * w + 4;   /* past e_flags */
  header->ehsize = ipt_elf_reader_get (r, at, 2);
  header->phentsize = ipt_elf_reader_get (r, at + 2, 2);
  header->phnum = ipt_elf_reader_get (r, at + 4, 2);
  header->shentsize = ipt_elf_reader_get (r, at + 6, 2);
  header->shnum = ipt_elf_reader_get (r, at + 8, 2);
}

/**
 * ipt_elf_reader_check_ident:
 * @data: (array length=size): the start of a file
 * @size: how many bytes there are (all of the file, or at least its ELF header)
 * @name: the file's name, for messages
 * @error: return location for an error
 *
 * Checks e_ident and that the ELF header fits, saying what is wrong.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_INVALID_ARGUMENT (no ELF
 *   magic), %IPT_ERROR_TRUNCATED (the file ends inside the identification
 *   or the ELF header) or %IPT_ERROR_CORRUPT (unknown class, byte order or
 *   version)
 */
gboolean
ipt_elf_reader_check_ident (const guint8 *data, gsize size, const char *name, GError **error)
{
  if (size < SELFMAG || memcmp (data, ELFMAG, SELFMAG) != 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: offset 0x0: not an ELF file (no ELF magic)", name);
      return FALSE;
    }
  if (size < EI_NIDENT)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x0: the file (size 0x%" G_GSIZE_MODIFIER "x) ends inside"
                   " the ELF identification (0x%x bytes)", name, size, EI_NIDENT);
      return FALSE;
    }
  if (data[EI_CLASS] != ELFCLASS32 && data[EI_CLASS] != ELFCLASS64)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: unknown ELF class %u (expected 1 for 32-bit or 2 for 64-bit)",
                   name, EI_CLASS_OFFSET, data[EI_CLASS]);
      return FALSE;
    }
  if (data[EI_DATA] != ELFDATA2LSB && data[EI_DATA] != ELFDATA2MSB)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: unknown ELF byte order %u (expected 1 for little or 2 for big endian)",
                   name, EI_DATA_OFFSET, data[EI_DATA]);
      return FALSE;
    }
  if (data[EI_VERSION] != EV_CURRENT)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: unknown ELF version %u (expected %u)",
                   name, EI_VERSION_OFFSET, data[EI_VERSION], EV_CURRENT);
      return FALSE;
    }
  if (size < EHDR_SIZE (data[EI_CLASS] == ELFCLASS64))
    {
      guint elf_class = data[EI_CLASS] == ELFCLASS64 ? 64 : 32;

      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x0: the file (size 0x%" G_GSIZE_MODIFIER "x) ends inside"
                   " the ELF%u header (0x%x bytes)", name, size, elf_class,
                   EHDR_SIZE (elf_class == 64));
      return FALSE;
    }
  return TRUE;
}

/**
 * ipt_elf_reader_open:
 * @r: (out caller-allocates): the reader
 * @data: (array length=size): the whole file
 * @size: its size
 * @name: the file's name, for messages
 * @header: (out caller-allocates): the checked header
 * @error: return location for an error
 *
 * Checks the identification and the ELF header, resolves PN_XNUM (the
 * count in section header 0's sh_info) and checks that the program header
 * table has entries of the class's size and lies inside the file. Nothing
 * else: e_type, e_ehsize and the section headers are the caller's business.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_INVALID_ARGUMENT (no ELF
 *   magic), %IPT_ERROR_TRUNCATED (the file ends inside the identification,
 *   the ELF header, section header 0 of a PN_XNUM file or the program
 *   header table) or %IPT_ERROR_CORRUPT (unknown class, byte order or
 *   version, wrong e_phentsize, an e_phoff inside the ELF header); each
 *   message names @name and the offset
 */
gboolean
ipt_elf_reader_open (IptElfReader *r, const guint8 *data, gsize size, const char *name,
                     IptElfHeader *header, GError **error)
{
  guint64 phentsize;

  if (!ipt_elf_reader_check_ident (data, size, name, error))
    return FALSE;
  ipt_elf_reader_init (r, data, size);
  ipt_elf_reader_ehdr (r, header);
  phentsize = PHDR_SIZE (r->is_64);

  if (header->phnum == PN_XNUM)
    {
      /* More than 65534 program headers: the count is in section header 0. */
      if (header->shoff == 0 || !ipt_elf_fits (header->shoff, SHDR_SIZE (r->is_64), size))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                       "%s: offset 0x%x: e_phnum is PN_XNUM but section header 0 (e_shoff 0x%"
                       G_GINT64_MODIFIER "x), which holds the count, is not in the file (size 0x%"
                       G_GSIZE_MODIFIER "x)", name, EHDR_PHNUM_OFFSET (r->is_64),
                       header->shoff, size);
          return FALSE;
        }
      header->phnum = ipt_elf_reader_get (r, header->shoff + (r->is_64 ? 44 : 28), 4);
    }
  if (header->phnum == 0)
    return TRUE;
  if (header->phentsize != phentsize)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: e_phentsize is %u, expected %" G_GUINT64_FORMAT " for ELF%u",
                   name, EHDR_PHENTSIZE_OFFSET (r->is_64), header->phentsize, phentsize,
                   header->elf_class);
      return FALSE;
    }
  /* e_phoff 0 (or any offset inside the ELF header) would read the header
   * itself as program headers: garbage segments, accepted without a word. */
  if (header->phoff < EHDR_SIZE (r->is_64))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: e_phoff 0x%" G_GINT64_MODIFIER "x points into the ELF"
                   " header (%u bytes), but the file has %" G_GUINT64_FORMAT " program headers",
                   name, EHDR_PHOFF_OFFSET (r->is_64), header->phoff, EHDR_SIZE (r->is_64),
                   header->phnum);
      return FALSE;
    }
  /* phnum < 2^32 and phentsize <= 56: the product cannot overflow. */
  if (!ipt_elf_fits (header->phoff, header->phnum * phentsize, size))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: the program header table (%"
                   G_GUINT64_FORMAT " entries of %" G_GUINT64_FORMAT " bytes, e_phoff at offset 0x%x)"
                   " runs past the end of the file (size 0x%" G_GSIZE_MODIFIER "x)",
                   name, header->phoff, header->phnum, phentsize, EHDR_PHOFF_OFFSET (r->is_64),
                   size);
      return FALSE;
    }
  return TRUE;
}

/**
 * ipt_elf_reader_phdr:
 * @r: a reader
 * @header: its header; program header @index lies inside the buffer
 *   (ipt_elf_reader_open() checked the table, or the caller did)
 * @index: which program header
 * @phdr: (out caller-allocates): its fields
 */
void
ipt_elf_reader_phdr (const IptElfReader *r, const IptElfHeader *header, guint64 index,
                     IptElfPhdr *phdr)
{
  guint64 at = header->phoff + index * PHDR_SIZE (r->is_64);

  phdr->index = (guint) index;
  phdr->header_offset = at;
  phdr->type = ipt_elf_reader_get (r, at, 4);
  if (r->is_64)
    {
      phdr->flags = ipt_elf_reader_get (r, at + 4, 4);
      phdr->offset = ipt_elf_reader_get (r, at + 8, 8);
      phdr->vaddr = ipt_elf_reader_get (r, at + 16, 8);
      phdr->paddr = ipt_elf_reader_get (r, at + 24, 8);
      phdr->filesz = ipt_elf_reader_get (r, at + 32, 8);
      phdr->memsz = ipt_elf_reader_get (r, at + 40, 8);
      phdr->align = ipt_elf_reader_get (r, at + 48, 8);
    }
  else
    {
      phdr->offset = ipt_elf_reader_get (r, at + 4, 4);
      phdr->vaddr = ipt_elf_reader_get (r, at + 8, 4);
      phdr->paddr = ipt_elf_reader_get (r, at + 12, 4);
      phdr->filesz = ipt_elf_reader_get (r, at + 16, 4);
      phdr->memsz = ipt_elf_reader_get (r, at + 20, 4);
      phdr->flags = ipt_elf_reader_get (r, at + 24, 4);
      phdr->align = ipt_elf_reader_get (r, at + 28, 4);
    }
}

static gint
compare_loads (gconstpointer a, gconstpointer b)
{
  const IptElfPhdr *pa = a, *pb = b;

  if (pa->vaddr != pb->vaddr)
    return pa->vaddr < pb->vaddr ? -1 : 1;
  return pa->index < pb->index ? -1 : (pa->index > pb->index);
}

/**
 * ipt_elf_reader_read_loads:
 * @r: a reader
 * @header: its header, from ipt_elf_reader_open()
 * @name: the file's name, for messages
 * @error: return location for an error
 *
 * The loader's view of an executable or shared object: the PT_LOAD program
 * headers by p_vaddr. Skips those with p_memsz 0 (they map nothing) and
 * checks the rest: p_filesz <= p_memsz, the file bytes inside the file,
 * the address range inside the ELF class's address space, and no two
 * segments sharing an address.
 *
 * Returns: (transfer full) (element-type IptElfPhdr): the segments, sorted
 *   by p_vaddr (maybe empty), or %NULL with %IPT_ERROR_TRUNCATED (file
 *   bytes past the end of the file) or %IPT_ERROR_CORRUPT (anything else),
 *   naming the program header's index and file offset
 */
GArray *
ipt_elf_reader_read_loads (const IptElfReader *r, const IptElfHeader *header, const char *name,
                           GError **error)
{
  g_autoptr (GArray) loads = g_array_new (FALSE, TRUE, sizeof (IptElfPhdr));
  guint64 space_end = header->elf_class == 32 ? G_GUINT64_CONSTANT (0x100000000) : 0;
  guint64 file_size = r->size;

  for (guint64 i = 0; i < header->phnum; i++)
    {
      IptElfPhdr ph;

      ipt_elf_reader_phdr (r, header, i, &ph);
      if (ph.type != PT_LOAD)
        continue;
      if (ph.filesz > ph.memsz)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD p_filesz 0x%" G_GINT64_MODIFIER "x is larger than p_memsz 0x%"
                       G_GINT64_MODIFIER "x", name, ph.index, ph.header_offset, ph.filesz,
                       ph.memsz);
          return NULL;
        }
      if (ph.memsz == 0)
        continue;
      if (ph.filesz > 0 && !ipt_elf_fits (ph.offset, ph.filesz, file_size))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD file bytes at offset 0x%" G_GINT64_MODIFIER "x, size 0x%"
                       G_GINT64_MODIFIER "x, extend past the end of the file (size 0x%"
                       G_GINT64_MODIFIER "x)", name, ph.index, ph.header_offset, ph.offset,
                       ph.filesz, file_size);
          return NULL;
        }
      /* space_end 0 stands for 2^64; the end address itself must be
       * representable (libipt computes it). */
      if ((space_end == 0 && ph.memsz > G_MAXUINT64 - ph.vaddr)
          || (space_end != 0 && (ph.vaddr >= space_end || ph.memsz > space_end - ph.vaddr)))
        {
          gboolean ends_at_2_64 = space_end == 0 && ph.memsz - 1 == G_MAXUINT64 - ph.vaddr;

          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD at 0x%" G_GINT64_MODIFIER "x, size 0x%" G_GINT64_MODIFIER
                       "x, %s%u-bit address space%s", name, ph.index, ph.header_offset,
                       ph.vaddr, ph.memsz, ends_at_2_64 ? "ends at 2^64, the top of the "
                                                        : "reaches past the end of the ",
                       header->elf_class, ends_at_2_64 ? ", which cannot be mapped" : "");
          return NULL;
        }
      g_array_append_val (loads, ph);
    }

  g_array_sort (loads, compare_loads);
  for (guint i = 1; i < loads->len; i++)
    {
      const IptElfPhdr *prev = &g_array_index (loads, IptElfPhdr, i - 1);
      const IptElfPhdr *cur = &g_array_index (loads, IptElfPhdr, i);

      /* prev->vaddr + prev->memsz cannot overflow (checked above). */
      if (cur->vaddr < prev->vaddr + prev->memsz)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER "x: PT_LOAD"
                       " [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER "x) overlaps"
                       " program header %u's [0x%" G_GINT64_MODIFIER "x, +0x%"
                       G_GINT64_MODIFIER "x)", name, cur->index, cur->header_offset,
                       cur->vaddr, cur->memsz, prev->index, prev->vaddr, prev->memsz);
          return NULL;
        }
    }
  return g_steal_pointer (&loads);
}

/**
 * ipt_elf_notes_init:
 * @notes: (out caller-allocates): the walk
 * @offset: file offset of a PT_NOTE segment or SHT_NOTE section
 * @size: its size; the caller checked that it lies inside the buffer
 * @align: its p_align or sh_addralign: 8 aligns descriptions and notes to
 *   8 bytes from the start of the segment (as gelf_getnote() reads
 *   ELF_T_NHDR8: GNU property notes), anything else to 4
 */
void
ipt_elf_notes_init (IptElfNotes *notes, guint64 offset, guint64 size, guint64 align)
{
  notes->start = offset;
  notes->at = offset;
  notes->end = offset + size;
  notes->mask = align == 8 ? 7 : 3;
}

/**
 * ipt_elf_notes_next:
 * @r: a reader
 * @notes: the walk
 * @note: (out caller-allocates): the next note
 *
 * Returns: 1 with @note filled, 0 when no note header is left, or -1 when
 *   the note at @note->offset (whose header @note holds) runs past the end
 *   of the segment; the walk ends there
 */
int
ipt_elf_notes_next (const IptElfReader *r, IptElfNotes *notes, IptElfNote *note)
{
  guint64 at = notes->at, end = notes->end, start = notes->start, mask = notes->mask, next;

  if (end - at < 12)
    return 0;
  note->offset = at;
  note->namesz = ipt_elf_reader_get (r, at, 4);
  note->descsz = ipt_elf_reader_get (r, at + 4, 4);
  note->type = ipt_elf_reader_get (r, at + 8, 4);
  /* Sizes are below 2^32 and @at below the buffer's size: no overflow. */
  note->name_offset = at + 12;
  note->desc_offset = start + ((note->name_offset + note->namesz - start + mask) & ~mask);
  next = start + ((note->desc_offset + note->descsz - start + mask) & ~mask);
  if (!ipt_elf_fits (note->name_offset, note->namesz, end)
      || !ipt_elf_fits (note->desc_offset, note->descsz, end))
    {
      notes->at = end;
      return -1;
    }
  notes->at = MIN (next, end);
  return 1;
}

/**
 * ipt_elf_note_has_name:
 * @r: a reader
 * @note: a note from ipt_elf_notes_next()
 * @name: its expected owner, such as "CORE" or "GNU"
 *
 * Returns: whether @note's name is @name with its NUL
 */
gboolean
ipt_elf_note_has_name (const IptElfReader *r, const IptElfNote *note, const char *name)
{
  gsize len = strlen (name) + 1;

  return note->namesz == len && memcmp (r->data + note->name_offset, name, len) == 0;
}

/* Looks for a GNU build-id among the notes in [at, at + len). */
static gboolean
find_build_id (const IptElfReader *r, guint64 at, guint64 len, guint64 align,
               IptElfFacts *facts)
{
  IptElfNotes notes;
  IptElfNote note;

  if (!ipt_elf_fits (at, len, r->size))
    return FALSE;
  ipt_elf_notes_init (&notes, at, len, align);
  while (ipt_elf_notes_next (r, &notes, &note) > 0)
    if (note.type == NT_GNU_BUILD_ID && note.descsz > 0
        && ipt_elf_note_has_name (r, &note, ELF_NOTE_GNU))
      {
        facts->build_id = r->data + note.desc_offset;
        facts->build_id_len = note.descsz;
        return TRUE;
      }
  return FALSE;
}

/**
 * ipt_elf_inspect:
 * @data: (array length=size): the start of an ELF file, or all of it
 * @size: number of bytes in @data
 * @facts: (out caller-allocates): what was found
 *
 * Finds the GNU build-id of an ELF file from its program headers' PT_NOTEs
 * (and its section headers' notes), looking only at what lies inside
 * @data: given the one header page that a core holds, it finds the build-id
 * when the note is in that page. Never fails: what is not there is not found.
 */
void
ipt_elf_inspect (const guint8 *data, gsize size, IptElfFacts *facts)
{
  IptElfReader r;
  IptElfHeader e;
  guint64 phentsize, shentsize;

  memset (facts, 0, sizeof *facts);
  if (!ipt_elf_reader_init (&r, data, size) || size < EHDR_SIZE (r.is_64))
    return;
  facts->is_elf = TRUE;
  ipt_elf_reader_ehdr (&r, &e);
  phentsize = PHDR_SIZE (r.is_64);
  shentsize = SHDR_SIZE (r.is_64);

  /* Only the program headers that lie inside @data: a header page may
   * end inside the table. */
  if (e.phentsize == phentsize && e.phnum != PN_XNUM)
    for (guint64 i = 0; i < e.phnum && facts->build_id == NULL; i++)
      {
        IptElfPhdr ph;

        if (!ipt_elf_fits (e.phoff, (i + 1) * phentsize, size))
          break;
        ipt_elf_reader_phdr (&r, &e, i, &ph);
        if (ph.type == PT_NOTE)
          find_build_id (&r, ph.offset, ph.filesz, ph.align, facts);
      }

  if (e.shentsize == shentsize && e.shoff != 0
      && ipt_elf_fits (e.shoff, (guint64) e.shnum * shentsize, size))
    for (guint64 i = 0; i < e.shnum; i++)
      {
        guint64 at = e.shoff + i * shentsize;
        guint w = r.is_64 ? 8 : 4;
        guint32 type = ipt_elf_reader_get (&r, at + 4, 4);
        guint64 flags = ipt_elf_reader_get (&r, at + 8, w);
        guint64 off = ipt_elf_reader_get (&r, at + (r.is_64 ? 24 : 16), w);
        guint64 sz = ipt_elf_reader_get (&r, at + (r.is_64 ? 32 : 20), w);
        guint64 align = ipt_elf_reader_get (&r, at + (r.is_64 ? 48 : 32), w);

        if (type == SHT_NOBITS && (flags & SHF_EXECINSTR) != 0 && sz > 0)
          facts->code_is_nobits = TRUE;
        else if (type == SHT_NOTE && facts->build_id == NULL)
          find_build_id (&r, off, sz, align, facts);
      }
}

/**
 * ipt_elf_build_id_to_hex:
 * @build_id: (array length=len): a build-id
 * @len: its length
 *
 * Returns: (transfer full): @build_id as lower-case hex, as `readelf -n`
 *   and the `.build-id/xx/rest` directories spell it
 */
char *
ipt_elf_build_id_to_hex (const guint8 *build_id, gsize len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_new (char, 2 * len + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[build_id[i] >> 4];
      hex[2 * i + 1] = digits[build_id[i] & 0xf];
    }
  hex[2 * len] = '\0';
  return hex;
}

/**
 * ipt_elf_flags_to_permissions:
 * @flags: p_flags of a program header
 *
 * Returns: the #IptPermissions of a segment with @flags
 */
IptPermissions
ipt_elf_flags_to_permissions (guint32 flags)
{
  IptPermissions permissions = IPT_PERMISSIONS_NONE;

  if (flags & PF_R)
    permissions |= IPT_PERMISSIONS_READ;
  if (flags & PF_W)
    permissions |= IPT_PERMISSIONS_WRITE;
  if (flags & PF_X)
    permissions |= IPT_PERMISSIONS_EXECUTE;
  return permissions;
}

/**
 * ipt_elf_type_to_string:
 * @type: an e_type value
 *
 * Returns: a short name for @type ("exec", "dyn", "rel", "core") or "unknown"
 */
const char *
ipt_elf_type_to_string (guint type)
{
  switch (type)
    {
    case ET_EXEC:
      return "exec";
    case ET_DYN:
      return "dyn";
    case ET_REL:
      return "rel";
    case ET_CORE:
      return "core";
    default:
      return "unknown";
    }
}
