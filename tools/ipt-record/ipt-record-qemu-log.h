/* ipt-record-qemu-log.h: the instructions of a QEMU execution log
 * (qemu-system-x86_64 -singlestep -d exec,cpu,nochain), one entry each,
 * with the CPU state they started in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IPT_RECORD_QEMU_EFER_LMA  (G_GUINT64_CONSTANT (1) << 10)
#define IPT_RECORD_QEMU_CR0_PG    (G_GUINT64_CONSTANT (1) << 31)
#define IPT_RECORD_QEMU_CS_L      (1u << 21)
#define IPT_RECORD_QEMU_CS_D      (1u << 22)

/* One logged translation block = one instruction (with -singlestep), and
 * the CPU state before it ran. */
typedef struct {
  guint64 pc;        /* linear address: CS base + RIP */
  guint64 rsp;
  guint64 cr0;
  guint64 cr3;
  guint64 efer;
  guint32 cs_flags;  /* the CS descriptor's flags word as QEMU prints it */
  guint32 line;      /* line number of its "Trace" line, from 1 */
} IptRecordQemuEntry;

GArray  *ipt_record_qemu_log_parse (const char *name,
                                    const char *text,
                                    gsize length,
                                    GError **error);
GArray  *ipt_record_qemu_log_load  (const char *path,
                                    GError **error);

G_END_DECLS
