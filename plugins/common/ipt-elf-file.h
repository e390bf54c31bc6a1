/* ipt-elf-file.h: an ELF file opened with libelf, for what libelf reads
 * best (sections, symbol tables, string tables): the one-time version
 * handshake and the open calls, whose failures name the file. Shared by
 * the elf plugin and the symbol tables of ipt-elf-symbols.c (the coredump
 * plugin's mapped files). The headers are read by ipt-elf-reader.c. */
#pragma once

#include <gelf.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL
gboolean ipt_elf_file_init (GError **error);
G_GNUC_INTERNAL
Elf *ipt_elf_file_open_fd (int fd, guint64 file_size, const char *filename, GError **error);
G_GNUC_INTERNAL
Elf *ipt_elf_file_open_memory (void *image, gsize size, const char *filename, GError **error);

G_END_DECLS
