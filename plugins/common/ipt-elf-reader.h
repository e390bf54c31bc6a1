/* ipt-elf-reader.h: bounds-checked reads of ELF headers and notes in memory,
 * without libelf, and what a segment's p_flags mean. Shared by the coredump plugin (its core parser, the
 * header pages a core keeps, the mapped files it checks) and the elf plugin
 * (the build-id of its mapped file); fuzzed by tests/fuzz/fuzz-coredump.c
 * and tests/fuzz/fuzz-elf.c.
 *
 * The bytes are untrusted and may be cut short (a core's copy of a file's
 * first page): every offset and size is checked against the buffer, with
 * overflow-free arithmetic, before it is used. 32- and 64-bit, either byte
 * order. Plain functions, no GObject, no allocation but where said. */
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
 * IptElfReaderEhdr:
 *
 * The fields of an ELF header that the readers use, in host order.
 */
typedef struct {
  guint16 type;
  guint16 machine;
  guint64 phoff;
  guint64 shoff;
  guint16 phentsize;
  guint16 phnum;
  guint16 shentsize;
  guint16 shnum;
} IptElfReaderEhdr;

/**
 * IptElfReaderPhdr:
 *
 * A program header, in host order.
 */
typedef struct {
  guint32 type;
  guint32 flags;
  guint64 offset;
  guint64 vaddr;
  guint64 filesz;
  guint64 memsz;
  guint64 align;
} IptElfReaderPhdr;

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
void ipt_elf_reader_ehdr (const IptElfReader *r, IptElfReaderEhdr *e);
G_GNUC_INTERNAL
void ipt_elf_reader_phdr (const IptElfReader *r, guint64 at, IptElfReaderPhdr *p);

G_GNUC_INTERNAL
void ipt_elf_inspect (const guint8 *data, gsize size, IptElfFacts *facts);
G_GNUC_INTERNAL
char *ipt_elf_build_id_to_hex (const guint8 *build_id, gsize len);
G_GNUC_INTERNAL
IptPermissions ipt_elf_flags_to_permissions (guint32 flags);

G_END_DECLS
