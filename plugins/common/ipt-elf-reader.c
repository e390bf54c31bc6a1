/* ipt-elf-reader.c: bounds-checked reads of ELF headers and notes in memory,
 * without libelf (see ipt-elf-reader.h). Input is untrusted (fuzzed). */
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
 * Checks the ELF magic, class and byte order. It does not check that the
 * ELF header itself fits: callers compare @size with 52 or 64 bytes.
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

/**
 * ipt_elf_reader_ehdr:
 * @r: a reader whose buffer holds the whole ELF header
 * @e: (out caller-allocates): its fields
 */
void
ipt_elf_reader_ehdr (const IptElfReader *r, IptElfReaderEhdr *e)
{
  e->type = ipt_elf_reader_get (r, 16, 2);
  e->machine = ipt_elf_reader_get (r, 18, 2);
  if (r->is_64)
    {
      e->phoff = ipt_elf_reader_get (r, 32, 8);
      e->shoff = ipt_elf_reader_get (r, 40, 8);
      e->phentsize = ipt_elf_reader_get (r, 54, 2);
      e->phnum = ipt_elf_reader_get (r, 56, 2);
      e->shentsize = ipt_elf_reader_get (r, 58, 2);
      e->shnum = ipt_elf_reader_get (r, 60, 2);
    }
  else
    {
      e->phoff = ipt_elf_reader_get (r, 28, 4);
      e->shoff = ipt_elf_reader_get (r, 32, 4);
      e->phentsize = ipt_elf_reader_get (r, 42, 2);
      e->phnum = ipt_elf_reader_get (r, 44, 2);
      e->shentsize = ipt_elf_reader_get (r, 46, 2);
      e->shnum = ipt_elf_reader_get (r, 48, 2);
    }
}

/**
 * ipt_elf_reader_phdr:
 * @r: a reader
 * @at: offset of a program header (56 or 32 bytes) that lies inside the buffer
 * @p: (out caller-allocates): its fields
 */
void
ipt_elf_reader_phdr (const IptElfReader *r, guint64 at, IptElfReaderPhdr *p)
{
  p->type = ipt_elf_reader_get (r, at, 4);
  if (r->is_64)
    {
      p->flags = ipt_elf_reader_get (r, at + 4, 4);
      p->offset = ipt_elf_reader_get (r, at + 8, 8);
      p->vaddr = ipt_elf_reader_get (r, at + 16, 8);
      p->filesz = ipt_elf_reader_get (r, at + 32, 8);
      p->memsz = ipt_elf_reader_get (r, at + 40, 8);
      p->align = ipt_elf_reader_get (r, at + 48, 8);
    }
  else
    {
      p->offset = ipt_elf_reader_get (r, at + 4, 4);
      p->vaddr = ipt_elf_reader_get (r, at + 8, 4);
      p->filesz = ipt_elf_reader_get (r, at + 16, 4);
      p->memsz = ipt_elf_reader_get (r, at + 20, 4);
      p->flags = ipt_elf_reader_get (r, at + 24, 4);
      p->align = ipt_elf_reader_get (r, at + 28, 4);
    }
}

/* Looks for a GNU build-id note in [at, at + len) with the segment's alignment. */
static gboolean
find_build_id (const IptElfReader *r, guint64 at, guint64 len, guint64 align,
               IptElfFacts *facts)
{
  guint64 end, mask = align == 8 ? 7 : 3;

  if (!ipt_elf_fits (at, len, r->size))
    return FALSE;
  end = at + len;
  while (end - at >= 12)
    {
      guint64 namesz = ipt_elf_reader_get (r, at, 4);
      guint64 descsz = ipt_elf_reader_get (r, at + 4, 4);
      guint32 type = ipt_elf_reader_get (r, at + 8, 4);
      guint64 name_at = at + 12;
      guint64 desc_at = (name_at + namesz + mask) & ~mask;
      guint64 next = (desc_at + descsz + mask) & ~mask;

      if (!ipt_elf_fits (name_at, namesz, end) || desc_at < name_at
          || !ipt_elf_fits (desc_at, descsz, end))
        return FALSE;
      if (type == NT_GNU_BUILD_ID && namesz == sizeof ELF_NOTE_GNU
          && memcmp (r->data + name_at, ELF_NOTE_GNU, sizeof ELF_NOTE_GNU) == 0 && descsz > 0)
        {
          facts->build_id = r->data + desc_at;
          facts->build_id_len = descsz;
          return TRUE;
        }
      if (next <= at || next >= end)
        break;
      at = next;
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
  IptElfReaderEhdr e;
  guint64 phentsize, shentsize;

  memset (facts, 0, sizeof *facts);
  if (!ipt_elf_reader_init (&r, data, size) || size < (r.is_64 ? 64u : 52u))
    return;
  facts->is_elf = TRUE;
  ipt_elf_reader_ehdr (&r, &e);
  phentsize = r.is_64 ? 56 : 32;
  shentsize = r.is_64 ? 64 : 40;

  if (e.phentsize == phentsize && e.phnum != PN_XNUM)
    for (guint64 i = 0; i < e.phnum && facts->build_id == NULL; i++)
      {
        guint64 at = e.phoff + i * phentsize;
        IptElfReaderPhdr ph;

        if (!ipt_elf_fits (e.phoff, (i + 1) * phentsize, size))
          break;
        ipt_elf_reader_phdr (&r, at, &ph);
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
