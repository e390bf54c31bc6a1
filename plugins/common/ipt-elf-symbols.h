/* ipt-elf-symbols.h: the function symbols of an ELF file as a sorted,
 * immutable address -> name table (libelf), shared by the elf plugin (its
 * one file) and the coredump plugin (each mapped file, on its first lookup).
 *
 * A table copies the names it keeps, so it outlives the Elf it was built
 * from. A lookup is a binary search: no libelf call, no allocation, no
 * lock; safe from several threads at once. */
#pragma once

#include <gelf.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/**
 * IptElfSymbols:
 *
 * The symbols of one ELF file, relocated by the bias given at build time.
 */
typedef struct _IptElfSymbols IptElfSymbols;

G_GNUC_INTERNAL
IptElfSymbols *ipt_elf_symbols_new (Elf *elf, guint64 bias, const char *path);
G_GNUC_INTERNAL
IptElfSymbols *ipt_elf_symbols_new_for_file (const char *path, const guint8 *verified,
                                             gsize verified_size, guint64 *first_page);
G_GNUC_INTERNAL
void ipt_elf_symbols_free (IptElfSymbols *self);
G_GNUC_INTERNAL
gboolean ipt_elf_symbols_lookup (const IptElfSymbols *self, guint64 address, const char **name,
                                 guint64 *start, guint64 *size);
G_GNUC_INTERNAL
guint ipt_elf_symbols_get_n_symbols (const IptElfSymbols *self);
G_GNUC_INTERNAL
const char *ipt_elf_symbols_get_table_name (const IptElfSymbols *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptElfSymbols, ipt_elf_symbols_free)

G_END_DECLS
