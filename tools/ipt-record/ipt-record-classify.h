/* ipt-record-classify.h: what an x86 instruction means for Intel PT (its
 * packet class, a direct branch's target, mov cr3, iret), from its bytes.
 * Shared by the ptrace tracer and the QEMU log converter so that both
 * encode the same instruction the same way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <Zydis/Zydis.h>

#include "ipt-record-encoder.h"

G_BEGIN_DECLS

/* Which code is traced: user space only (the tracer: a kernel entry
 * disables tracing), or every privilege level (a guest's kernel and user
 * code: a kernel entry is a far branch like any other). */
typedef enum {
  IPT_RECORD_TRACE_USER,
  IPT_RECORD_TRACE_ALL,
} IptRecordTraceScope;

typedef struct {
  guint size;
  IptRecordInsnClass klass;
  gboolean rep_string;    /* REP-prefixed string op: one PT instruction, many iterations */
  gboolean has_target;    /* a direct (relative) jmp, call or Jcc */
  guint64 target;         /* its target when has_target */
  gboolean mov_cr3;       /* mov to CR3: a PIP follows it */
  gboolean iret;          /* iret/iretd/iretq */
} IptRecordInsnInfo;

gboolean ipt_record_classify (const ZydisDecoder *decoder,
                              const guint8 *bytes,
                              gsize n_bytes,
                              guint64 ip,
                              IptRecordTraceScope scope,
                              IptRecordInsnInfo *info,
                              ZyanStatus *status);

G_END_DECLS
