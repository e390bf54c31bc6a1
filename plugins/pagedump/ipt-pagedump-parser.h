/* ipt-pagedump-parser.h: the pure parser of a kAFL/Nyx page dump (.addr + .dump).
 *
 * Works on bytes in memory (the provider hands it its mapped files, the fuzz
 * harness hands it fuzz input), needs no GObject and never touches a file.
 * The index it builds is immutable, so reads need no lock and never allocate.
 * The format and every edge case are described in docs/format-pagedump.md. */
#pragma once

#include <glib.h>

#include "ipt-page.h"

G_BEGIN_DECLS

/* The format fixes a page of the dump at 4096 bytes (kAFL/Nyx dump x86
 * pages): IPT_PAGE_SIZE. */

/* Nyx writes this value for a page it could not dump: its slot in the
 * .dump exists but holds no valid bytes. */
#define IPT_PAGEDUMP_UNMAPPED_ENTRY (G_GUINT64_CONSTANT (0xffffffffffffffff))

/**
 * IptPagedumpRun:
 * @address: first address of the run (page-aligned)
 * @size: size of the run in bytes, a multiple of %IPT_PAGE_SIZE
 * @dump_offset: offset in the .dump of the byte at @address
 *
 * Pages that are adjacent both in the address space and in the .dump,
 * merged into one range (one libipt file section).
 */
typedef struct {
  guint64 address;
  guint64 size;
  guint64 dump_offset;
} IptPagedumpRun;

/**
 * IptPagedumpIndex:
 * @runs: the runs, sorted by address, disjoint
 * @n_runs: number of @runs
 * @n_entries: number of entries in the .addr file
 * @n_pages: number of distinct pages mapped
 * @n_duplicates: entries ignored because an earlier entry maps the same page
 * @n_unmapped: entries equal to %IPT_PAGEDUMP_UNMAPPED_ENTRY
 * @warnings: (element-type utf8): non-fatal problems, each naming its file;
 *   the caller decides how to report them
 *
 * The parsed page dump.
 */
typedef struct {
  IptPagedumpRun *runs;
  gsize n_runs;
  gsize n_entries;
  gsize n_pages;
  gsize n_duplicates;
  gsize n_unmapped;
  GPtrArray *warnings;
} IptPagedumpIndex;

G_GNUC_INTERNAL
IptPagedumpIndex *ipt_pagedump_parse (const guint8 *addr_data, gsize addr_size,
                                      const char *addr_name,
                                      gsize dump_size, const char *dump_name,
                                      GError **error);
G_GNUC_INTERNAL
void ipt_pagedump_index_free (IptPagedumpIndex *index);
G_GNUC_INTERNAL
const IptPagedumpRun *ipt_pagedump_index_lookup (const IptPagedumpIndex *index,
                                                 guint64 address);
G_GNUC_INTERNAL
gsize ipt_pagedump_index_read (const IptPagedumpIndex *index, const guint8 *dump_data,
                               guint8 *buffer, gsize size, guint64 address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPagedumpIndex, ipt_pagedump_index_free)

G_END_DECLS
