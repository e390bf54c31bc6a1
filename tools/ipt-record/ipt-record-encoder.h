/* ipt-record-encoder.h: turns executed instructions (a process's user
 * space, or a QEMU guest's every level) into Intel PT packets (libipt's
 * encoder) and into the reference address listing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * How an instruction transfers control, as far as Intel PT is concerned.
 * Only what decides the packets matters: a direct jump or call needs none.
 */
typedef enum {
  IPT_RECORD_INSN_OTHER,        /* falls through, or direct jmp/call: no packet */
  IPT_RECORD_INSN_COND,         /* Jcc, JrCXZ, LOOP*: one TNT bit */
  IPT_RECORD_INSN_INDIRECT,     /* indirect jmp/call, near ret: TIP */
  IPT_RECORD_INSN_FAR,          /* far jmp/call/ret, iret staying in user space: TIP */
  IPT_RECORD_INSN_KERNEL_ENTRY, /* syscall, sysenter, int n, int3, into, int1: TIP.PGD */
} IptRecordInsnClass;

/* The execution mode of the code, as MODE.Exec tells it. */
typedef enum {
  IPT_RECORD_MODE_16,
  IPT_RECORD_MODE_32,
  IPT_RECORD_MODE_64,
} IptRecordExecMode;

typedef struct _IptRecordEncoder IptRecordEncoder;

IptRecordEncoder *ipt_record_encoder_new      (const char *trace_path,
                                               const char *ips_path,
                                               gsize psb_period,
                                               GError **error);
gboolean          ipt_record_encoder_insn     (IptRecordEncoder *self,
                                               guint64 ip,
                                               guint size,
                                               IptRecordInsnClass klass,
                                               guint64 next_ip,
                                               GError **error);
gboolean          ipt_record_encoder_timestamp (IptRecordEncoder *self,
                                                guint64 time,
                                                GError **error);
gboolean          ipt_record_encoder_interrupt (IptRecordEncoder *self,
                                                guint64 ip,
                                                GError **error);
gboolean          ipt_record_encoder_async_branch (IptRecordEncoder *self,
                                                   guint64 ip,
                                                   guint64 target,
                                                   GError **error);
gboolean          ipt_record_encoder_disable   (IptRecordEncoder *self,
                                                GError **error);
gboolean          ipt_record_encoder_enable    (IptRecordEncoder *self,
                                                guint64 ip,
                                                GError **error);
void              ipt_record_encoder_set_mode  (IptRecordEncoder *self,
                                                IptRecordExecMode mode);
void              ipt_record_encoder_set_cr3   (IptRecordEncoder *self,
                                                guint64 cr3);
gboolean          ipt_record_encoder_paging    (IptRecordEncoder *self,
                                                guint64 cr3,
                                                GError **error);
gboolean          ipt_record_encoder_finish   (IptRecordEncoder *self,
                                               GError **error);
guint64           ipt_record_encoder_get_n_insns   (IptRecordEncoder *self);
guint64           ipt_record_encoder_get_trace_size (IptRecordEncoder *self);
guint64           ipt_record_encoder_get_n_psbs    (IptRecordEncoder *self);
void              ipt_record_encoder_free     (IptRecordEncoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRecordEncoder, ipt_record_encoder_free)

G_END_DECLS
