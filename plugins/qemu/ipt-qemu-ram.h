/* ipt-qemu-ram.h: a guest's physical memory as a QEMU snapshot holds it.
 *
 * RAM *blocks* are QEMU's RAMBlocks ("pc.ram", "pc.bios", "vga.vram", ...) or,
 * for a dump-guest-memory ELF, one per PT_LOAD. A block knows where each of
 * its 4 KiB pages lies in the snapshot's stream (ipt-qemu-stream.h), or that
 * the page is zero, or that the snapshot does not hold it. *Mappings* place
 * blocks (or parts of them) at guest-physical addresses; a block that is not
 * mapped (vga.vram, option ROMs) is still listed.
 *
 * Built once by a format parser, then immutable: reads take no lock and
 * allocate nothing. Errors (IPT_ERROR_CORRUPT) say what is wrong with the
 * block; the parser prefixes the file and the offset (g_prefix_error).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "ipt-qemu-stream.h"

G_BEGIN_DECLS

#define IPT_QEMU_RAM_PAGE_SIZE  G_GUINT64_CONSTANT (4096)

/* Page locations other than a stream offset. */
#define IPT_QEMU_RAM_PAGE_ZERO    G_MAXUINT64                          /* all zero bytes */
#define IPT_QEMU_RAM_PAGE_ABSENT  (G_MAXUINT64 - 1)                    /* not in the snapshot */

typedef struct _IptQemuRam IptQemuRam;
typedef struct _IptQemuRamBlock IptQemuRamBlock;

typedef struct {
  guint64 paddr;                 /* guest-physical start */
  guint64 size;                  /* bytes (a multiple of the page size) */
  const IptQemuRamBlock *block;
  guint64 block_offset;          /* where in @block it starts */
} IptQemuRamMapping;

IptQemuRam *ipt_qemu_ram_new (IptQemuStream *stream);
void ipt_qemu_ram_free (IptQemuRam *self);
IptQemuStream *ipt_qemu_ram_get_stream (IptQemuRam *self);

/* A block of @size bytes whose pages are all ABSENT until set (migration
 * streams). @size must be a multiple of the page size; a second block of
 * the same name is an error (IPT_ERROR_CORRUPT, naming the block). */
IptQemuRamBlock *ipt_qemu_ram_add_block (IptQemuRam *self, const char *name, guint64 size,
                                         GError **error);
/* A block whose first @stored bytes lie contiguously at @stream_offset and
 * whose rest (up to @size) is zero (a PT_LOAD with p_filesz <= p_memsz). */
IptQemuRamBlock *ipt_qemu_ram_add_stored_block (IptQemuRam *self, const char *name,
                                                guint64 size, guint64 stream_offset,
                                                guint64 stored, GError **error);
IptQemuRamBlock *ipt_qemu_ram_find_block (IptQemuRam *self, const char *name);
const char *ipt_qemu_ram_block_get_name (const IptQemuRamBlock *block);
guint64 ipt_qemu_ram_block_get_size (const IptQemuRamBlock *block);
/* Sets where page @page_index of an add_block() block lies: a stream
 * offset, or IPT_QEMU_RAM_PAGE_ZERO. The last record of a page wins, as
 * when QEMU loads the stream (a page sent twice during live migration). */
void ipt_qemu_ram_block_set_page (IptQemuRamBlock *block, guint64 page_index, guint64 location);
/* Where page @page_index lies (a stream offset, ZERO or ABSENT). */
guint64 ipt_qemu_ram_block_get_page (const IptQemuRamBlock *block, guint64 page_index);
/* The number of pages of each kind, for --list-regions and the notes. */
void ipt_qemu_ram_block_count_pages (const IptQemuRamBlock *block, guint64 *n_stored,
                                     guint64 *n_zero, guint64 *n_absent);

/* Places [block_offset, block_offset + size) of @block at @paddr. Page
 * aligned, inside the block, not overlapping another mapping (errors name
 * the block and the addresses). */
gboolean ipt_qemu_ram_map (IptQemuRam *self, IptQemuRamBlock *block, guint64 block_offset,
                           guint64 paddr, guint64 size, GError **error);

/* The blocks in the order they were added; the mappings sorted by address. */
const IptQemuRamBlock *const *ipt_qemu_ram_get_blocks (IptQemuRam *self, gsize *n_blocks);
const IptQemuRamMapping *ipt_qemu_ram_get_mappings (IptQemuRam *self, gsize *n_mappings);

/* Reads guest-physical memory (an IptQemuPhysReadFunc, user data @self):
 * the number of bytes read, stopping at the first byte no mapping holds or
 * that lies in an ABSENT page (0 when that is the first). Never fails. */
gssize ipt_qemu_ram_read (gpointer self, guint64 paddr, guint8 *buffer, gsize size,
                          GError **error);

/* How much of guest-physical [paddr, paddr + size), from its start, lies
 * in the snapshot file as plain contiguous bytes (stored pages without gaps
 * between their records), with *file_offset set where it starts; 0 when the
 * byte at @paddr is not stored (zero, absent, not RAM). */
guint64 ipt_qemu_ram_file_run (IptQemuRam *self, guint64 paddr, guint64 size,
                               guint64 *file_offset);

/* How much of guest-physical [paddr, paddr + size), from its start, the
 * snapshot holds (@held TRUE: stored or zero pages) or does not hold (@held
 * FALSE: absent pages, or no RAM there — device memory). */
guint64 ipt_qemu_ram_held_run (IptQemuRam *self, guint64 paddr, guint64 size, gboolean held);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptQemuRam, ipt_qemu_ram_free)

G_END_DECLS
