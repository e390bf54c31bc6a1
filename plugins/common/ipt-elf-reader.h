/* ipt-elf-reader.h: the one reader of ELF headers, program headers and
 * notes, over bytes in memory. Shared by the elf plugin (its file, as
 * libelf mapped it), the coredump plugin (the core, the header pages a core
 * keeps, the mapped files it checks) and, later, the jitmap and qemu
 * plugins; fuzzed by tests/fuzz/fuzz-elf.c and tests/fuzz/fuzz-coredump.c.
 *
 * Hand-written rather than libelf: the bytes may be a read-only mapping of
 * a core of many GiB (elf_memory() wants a writable image it may convert
 * in place), or a cut-short copy of a file's first page, and every problem
 * must be a message naming the file, the offset and the field (libelf's
 * elf_getphdrnum() quietly clamps a table that runs off the end). Sections
 * and symbol tables are read with libelf (ipt-elf-symbols.c).
 *
 * The bytes are untrusted: every offset and size is checked against the
 * buffer, with overflow-free arithmetic, before it is used. 32- and 64-bit,
 * either byte order. Nothing is assumed that only executables satisfy
 * (e_ehsize, section headers and p_paddr are left to the caller: a QEMU
 * dump-guest-memory core places its PT_LOADs by p_paddr). Plain functions,
 * no GObject, no allocation but where said. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/**
 * IptElfReader:
 * @data: the bytes, from the start of the ELF file
 * @size: how many there are
 * @is_64: ELFCLASS64
 * @big_endian: ELFDATA2MSB
 *
 * An ELF image in memory whose identification was checked.
 */
typedef struct {
  const guint8 *data;
  gsize size;
  gboolean is_64;
  gboolean big_endian;
} IptElfReader;

/**
 * IptElfHeader:
 * @elf_class: 32 or 64
 * @type: e_type (ET_EXEC, ET_DYN, ET_CORE, ...)
 * @machine: e_machine
 * @entry: e_entry
 * @phoff: e_phoff
 * @shoff: e_shoff
 * @ehsize: e_ehsize (not checked: producers disagree)
 * @phentsize: e_phentsize
 * @shentsize: e_shentsize
 * @shnum: e_shnum as written (0 when the count is in section header 0)
 * @phnum: the number of program headers, PN_XNUM resolved
 *
 * The fields of an ELF header, in host order.
 */
typedef struct {
  guint elf_class;
  guint16 type;
  guint16 machine;
  guint64 entry;
  guint64 phoff;
  guint64 shoff;
  guint16 ehsize;
  guint16 phentsize;
  guint16 shentsize;
  guint16 shnum;
  guint64 phnum;
} IptElfHeader;

/**
 * IptElfPhdr:
 * @index: the program header's index in the table
 * @header_offset: the file offset of the program header itself (for messages)
 * @type: p_type
 * @flags: p_flags (PF_R, PF_W, PF_X)
 * @offset: p_offset
 * @vaddr: p_vaddr
 * @paddr: p_paddr (a guest-physical address in a QEMU dump)
 * @filesz: p_filesz
 * @memsz: p_memsz
 * @align: p_align
 *
 * A program header, in host order.
 */
typedef struct {
  guint index;
  guint64 header_offset;
  guint32 type;
  guint32 flags;
  guint64 offset;
  guint64 vaddr;
  guint64 paddr;
  guint64 filesz;
  guint64 memsz;
  guint64 align;
} IptElfPhdr;

/**
 * IptElfNote:
 * @offset: file offset of the note's header
 * @type: n_type
 * @name_offset: file offset of its name
 * @namesz: n_namesz (with the NUL)
 * @desc_offset: file offset of its description
 * @descsz: n_descsz
 *
 * One note of a PT_NOTE segment or SHT_NOTE section; name and description
 * lie inside the segment.
 */
typedef struct {
  guint64 offset;
  guint32 type;
  guint64 name_offset;
  guint64 namesz;
  guint64 desc_offset;
  guint64 descsz;
} IptElfNote;

/**
 * IptElfNotes:
 * @start: offset of the segment
 * @at: offset of the next note
 * @end: end of the segment
 * @mask: alignment of descriptions and notes, minus one (3 or 7), counted
 *   from @start
 *
 * Where a walk through notes is; set up by ipt_elf_notes_init().
 */
typedef struct {
  guint64 start;
  guint64 at;
  guint64 end;
  guint64 mask;
} IptElfNotes;

/**
 * IptElfFacts:
 * @is_elf: the bytes start with an ELF header of a known class and byte order
 * @build_id: (nullable): the GNU build-id found in the bytes, pointing into them
 * @build_id_len: length of @build_id
 * @code_is_nobits: an executable section has no bytes in the file (a separate
 *   debug-info file: its code would be wrong bytes)
 *
 * What ipt_elf_inspect() learns about an ELF file or its header page.
 */
typedef struct {
  gboolean is_elf;
  const guint8 *build_id;
  gsize build_id_len;
  gboolean code_is_nobits;
} IptElfFacts;

/* TRUE when [offset, offset + len) lies inside [0, limit). */
static inline gboolean
ipt_elf_fits (guint64 offset, guint64 len, guint64 limit)
{
  return offset <= limit && len <= limit - offset;
}

/* The @n-byte (n <= 8) unsigned field at @offset, in the file's byte order;
 * the caller checked that it lies inside the buffer. */
static inline guint64
ipt_elf_reader_get (const IptElfReader *r, guint64 offset, guint n)
{
  const guint8 *p = r->data + offset;
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    v |= (guint64) p[r->big_endian ? n - 1 - i : i] << (8 * i);
  return v;
}

G_GNUC_INTERNAL
gboolean ipt_elf_reader_init (IptElfReader *r, const guint8 *data, gsize size);
G_GNUC_INTERNAL
void ipt_elf_reader_ehdr (const IptElfReader *r, IptElfHeader *header);
G_GNUC_INTERNAL
gboolean ipt_elf_reader_check_ident (const guint8 *data, gsize size, const char *name,
                                     GError **error);
G_GNUC_INTERNAL
gboolean ipt_elf_reader_open (IptElfReader *r, const guint8 *data, gsize size,
                              const char *name, IptElfHeader *header, GError **error);
G_GNUC_INTERNAL
void ipt_elf_reader_phdr (const IptElfReader *r, const IptElfHeader *header, guint64 index,
                          IptElfPhdr *phdr);
G_GNUC_INTERNAL
GArray *ipt_elf_reader_read_loads (const IptElfReader *r, const IptElfHeader *header,
                                   const char *name, GError **error);

G_GNUC_INTERNAL
void ipt_elf_notes_init (IptElfNotes *notes, guint64 offset, guint64 size, guint64 align);
G_GNUC_INTERNAL
int ipt_elf_notes_next (const IptElfReader *r, IptElfNotes *notes, IptElfNote *note);
G_GNUC_INTERNAL
gboolean ipt_elf_note_has_name (const IptElfReader *r, const IptElfNote *note, const char *name);

G_GNUC_INTERNAL
void ipt_elf_inspect (const guint8 *data, gsize size, IptElfFacts *facts);
G_GNUC_INTERNAL
char *ipt_elf_build_id_to_hex (const guint8 *build_id, gsize len);
G_GNUC_INTERNAL
IptPermissions ipt_elf_flags_to_permissions (guint32 flags);
G_GNUC_INTERNAL
const char *ipt_elf_type_to_string (guint type);

G_END_DECLS
