/* ipt-coredump-parser.h: the pure parser of an ELF core dump (program headers, notes).
 *
 * Works on bytes in memory (the provider hands it the mapped core, the fuzz
 * harness hands it fuzz input), needs no GObject and never touches a file.
 * Every error names the core (a display name given by the caller), the
 * offset in it and the problem. The piece index it builds is immutable and
 * sorted, so reads need no lock and never allocate. The ELF reading itself
 * (headers, and the build-id notes of the mapped files) is in
 * plugins/common/ipt-elf-reader.c. */
#pragma once

#include <glib.h>

#include "ipt-elf-reader.h"

G_BEGIN_DECLS

/* NT_FILE's note type ("FILE"), NT_PRSTATUS. */
#define IPT_CORE_NT_FILE        0x46494c45u
#define IPT_CORE_NT_PRSTATUS    1u

/* The piece's bytes are in the core itself. */
#define IPT_CORE_PIECE_FROM_CORE (-1)

/**
 * IptCoreMapping:
 * @start: first address of the mapping
 * @end: address past the mapping
 * @file_offset: offset in bytes in the file of the byte at @start
 * @file: index in #IptCoreInfo.files of the mapped file's name
 *
 * One NT_FILE entry, with the file offset already converted to bytes.
 */
typedef struct {
  guint64 start;
  guint64 end;
  guint64 file_offset;
  guint file;
} IptCoreMapping;

/**
 * IptCorePiece:
 * @start: first address
 * @end: address past the piece
 * @offset: offset of the byte at @start in the core (@file < 0) or in the mapped file
 * @file: %IPT_CORE_PIECE_FROM_CORE, or the index of the mapped file in #IptCoreInfo.files
 * @flags: ELF p_flags of the PT_LOAD covering @start (0 if none)
 *
 * A range served from one place: the core, or one mapped file.
 */
typedef struct {
  guint64 start;
  guint64 end;
  guint64 offset;
  gint32 file;
  guint32 flags;
} IptCorePiece;

/**
 * IptCoreInfo:
 * @is_64: ELFCLASS64
 * @big_endian: ELFDATA2MSB
 * @machine: e_machine
 * @segments: the PT_LOADs with bytes in memory, in the core's order
   (p_paddr kept: a QEMU dump places guest-physical memory by it)
 * @n_segments: number of @segments
 * @mappings: the NT_FILE entries, in the note's order
 * @n_mappings: number of @mappings
 * @files: (array length=n_files): distinct file names of NT_FILE, first use first
 * @n_files: number of @files
 * @nt_file_page_size: NT_FILE's page size (1 for gdb, 4096 for the kernel), 0 without NT_FILE
 * @nt_file_offset: offset in the core of the NT_FILE note (header), 0 without
 * @pid: pid of the first NT_PRSTATUS, -1 without one
 * @ip: instruction pointer of the first NT_PRSTATUS (x86-64 and i386 only), 0 if unknown
 *
 * What a core says about the process's memory.
 */
typedef struct {
  gboolean is_64;
  gboolean big_endian;
  guint16 machine;
  IptElfPhdr *segments;
  gsize n_segments;
  IptCoreMapping *mappings;
  gsize n_mappings;
  char **files;
  gsize n_files;
  guint64 nt_file_page_size;
  guint64 nt_file_offset;
  gint64 pid;
  guint64 ip;
} IptCoreInfo;

G_GNUC_INTERNAL
IptCoreInfo *ipt_core_parse (const guint8 *data, gsize size, const char *name, GError **error);
G_GNUC_INTERNAL
void ipt_core_info_free (IptCoreInfo *info);
G_GNUC_INTERNAL
IptCorePiece *ipt_core_build_pieces (const IptCoreInfo *info, gsize *n_pieces);
G_GNUC_INTERNAL
const IptCorePiece *ipt_core_pieces_lookup (const IptCorePiece *pieces, gsize n_pieces,
                                            guint64 address);
G_GNUC_INTERNAL
guint32 ipt_core_elf_flags_at_offset (const guint8 *data, gsize size, guint64 offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptCoreInfo, ipt_core_info_free)

G_END_DECLS
