/* ipt-record-mappings.h: the traced process's executable mappings over
 * the run, each with when it appeared, for perf.data's MMAP2 times (code
 * unmapped and replaced at one address during the run included).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "ipt-record-proc.h"

G_BEGIN_DECLS

typedef struct _IptRecordMappings IptRecordMappings;

/* @at_start (IptRecordVma, may be NULL): the mappings when tracing starts. */
IptRecordMappings *ipt_record_mappings_new (GArray *at_start);
/* After a syscall that may have mapped code: the executable mappings of
 * @now not there before appeared at @time. */
void ipt_record_mappings_update (IptRecordMappings *self, GArray *now, guint64 time);
/* Every executable mapping seen, in the order they appeared, those of the
 * start first (time 0) with those of @at_end (may be NULL) never seen
 * before; *@times (guint64 each) says when, 0 for the start. */
GArray *ipt_record_mappings_finish (IptRecordMappings *self, GArray *at_end, GArray **times);
void ipt_record_mappings_free (IptRecordMappings *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRecordMappings, ipt_record_mappings_free)

G_END_DECLS
