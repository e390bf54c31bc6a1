/* ipt-elf-util.h: ELF header and PT_LOAD helpers of the elf plugin, on top
 * of libelf (also compiled into tests/fuzz/fuzz-elf).
 *
 * Every function validates what it reads against the file size it is given
 * and reports problems as IPT_ERROR GErrors that name the file, the offset
 * and the problem. Plain functions, no GObject, no global state beyond
 * libelf's one-time version handshake. */
#pragma once

#include <gelf.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/**
 * IptElfHeader:
 * @elf_class: 32 or 64
 * @data: ELFDATA2LSB or ELFDATA2MSB
 * @type: e_type (ET_EXEC, ET_DYN, ET_CORE, ...)
 * @machine: e_machine (EM_X86_64, EM_386, ...)
 * @entry: e_entry
 * @phoff: e_phoff
 * @phentsize: e_phentsize
 * @phnum: the number of program headers (PN_XNUM resolved)
 *
 * The validated facts of an ELF header: the program header table lies
 * within the file and has entries of the right size.
 */
typedef struct {
  guint elf_class;
  guint data;
  guint type;
  guint machine;
  guint64 entry;
  guint64 phoff;
  guint phentsize;
  gsize phnum;
} IptElfHeader;

/**
 * IptElfSegment:
 * @index: the program header's index in the table
 * @header_offset: the file offset of the program header itself (for messages)
 * @flags: p_flags (PF_R, PF_W, PF_X)
 * @offset: p_offset
 * @vaddr: p_vaddr
 * @filesz: p_filesz (<= @memsz; [@offset, @offset + @filesz) lies in the file)
 * @memsz: p_memsz (> 0; @vaddr + @memsz does not overflow the ELF class)
 * @align: p_align
 *
 * A validated PT_LOAD program header.
 */
typedef struct {
  guint index;
  guint64 header_offset;
  guint32 flags;
  guint64 offset;
  guint64 vaddr;
  guint64 filesz;
  guint64 memsz;
  guint64 align;
} IptElfSegment;

G_GNUC_INTERNAL
gboolean ipt_elf_util_init (GError **error);
G_GNUC_INTERNAL
Elf *ipt_elf_open_fd (int fd, guint64 file_size, const char *filename, GError **error);
G_GNUC_INTERNAL
Elf *ipt_elf_open_memory (void *image, gsize size, const char *filename, GError **error);
G_GNUC_INTERNAL
gboolean ipt_elf_read_header (Elf *elf, guint64 file_size, const char *filename,
                              IptElfHeader *header, GError **error);
G_GNUC_INTERNAL
GArray *ipt_elf_read_loads (Elf *elf, const IptElfHeader *header, guint64 file_size,
                            const char *filename, GError **error);
G_GNUC_INTERNAL
const char *ipt_elf_type_to_string (guint type);

G_END_DECLS
