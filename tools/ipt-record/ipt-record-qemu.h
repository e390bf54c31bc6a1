/* ipt-record-qemu.h: turns a QEMU guest's execution log into an Intel PT
 * trace, reading the instructions' bytes from an image of the guest's
 * memory (a snapshot through the qemu plugin).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-record-encoder.h"

G_BEGIN_DECLS

typedef struct {
  guint64 n_entries;      /* logged instructions */
  guint64 n_skipped;      /* before long mode with paging: not traced */
  guint64 n_iterations;   /* repeated REP string iterations, one PT instruction */
  guint64 n_not_executed; /* logged, then an exception or interrupt before them */
  guint64 n_interrupts;   /* asynchronous branches after an executed instruction */
  guint64 n_filtered;     /* of other CR3s than the filter's: not traced */
} IptRecordQemuStats;

gboolean ipt_record_qemu_convert (const char *log_name,
                                  GArray *entries,
                                  IptImage *image,
                                  guint64 cr3_filter,
                                  IptRecordEncoder *encoder,
                                  IptRecordQemuStats *stats,
                                  GError **error);

G_END_DECLS
