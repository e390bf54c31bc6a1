/* ipt-qemu-regions.h: what a qemu provider lists as its regions: the ranges
 * an address space's page tables map, each a file section of the snapshot
 * where its bytes lie there as one plain run, code whose pages lie apart
 * copied (translated) into a memfd so that it is a file section too, the
 * rest read through the callback; or, physical, the RAM mappings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qemu-paging.h"
#include "ipt-qemu-ram.h"

G_BEGIN_DECLS

/* What the regions came to, for the provider's summary. */
typedef struct {
  guint n_ranges;
  guint n_code;
  guint n_code_in_file;
  guint n_code_copied;
  guint64 bytes_mapped;
} IptQemuRegionStats;

/* The memfd code is copied into: made on first use, only grows (regions
 * listed before keep their offsets). */
typedef struct {
  int fd;                       /* -1 until the first copy */
  char *path;                   /* "/proc/self/fd/N": what libipt opens */
  guint64 size;
} IptQemuCodeCopy;

void ipt_qemu_code_copy_init (IptQemuCodeCopy *copy);
void ipt_qemu_code_copy_clear (IptQemuCodeCopy *copy);

/* Appends to @regions (of IptRegion) the ranges @cr3's page tables map,
 * listed with @asid; @who names the snapshot in messages. FALSE with
 * @error when the walk fails (too many tables) or a copy cannot be made. */
gboolean ipt_qemu_regions_add_virtual (GPtrArray *regions, IptQemuRam *ram,
                                       IptQemuPagingMode mode, guint64 cr3, const IptAsid *asid,
                                       IptQemuCodeCopy *copy, const char *who,
                                       IptQemuRegionStats *stats, GError **error);

/* Appends one region per RAM mapping, any address space. */
void ipt_qemu_regions_add_physical (GPtrArray *regions, IptQemuRam *ram,
                                    IptQemuRegionStats *stats);

G_END_DECLS
