/* ipt-record-memory.h: captures the code pages a traced process executes,
 * every version of them that executed, and writes them as a kAFL/Nyx page
 * dump (the last versions) and a perf jitdump (the versions of rewritten
 * pages, over time).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IptRecordMemory IptRecordMemory;

IptRecordMemory *ipt_record_memory_new          (pid_t pid,
                                                 GError **error);
gsize            ipt_record_memory_read_code    (IptRecordMemory *self,
                                                 guint64 address,
                                                 guint8 *buffer,
                                                 gsize size);
gboolean         ipt_record_memory_observe      (IptRecordMemory *self,
                                                 guint64 address,
                                                 const guint8 *bytes,
                                                 gsize size,
                                                 guint64 *rewritten_at,
                                                 GError **error);
gboolean         ipt_record_memory_read_live    (IptRecordMemory *self,
                                                 guint64 address,
                                                 guint8 *buffer,
                                                 gsize size);
guint            ipt_record_memory_get_n_pages  (IptRecordMemory *self);
guint            ipt_record_memory_get_n_rewritten (IptRecordMemory *self);
guint            ipt_record_memory_get_n_earlier_versions (IptRecordMemory *self);
gboolean         ipt_record_memory_write_pagedump (IptRecordMemory *self,
                                                   const char *addr_path,
                                                   const char *dump_path,
                                                   GError **error);
gboolean         ipt_record_memory_write_versions (IptRecordMemory *self,
                                                   const char *path,
                                                   GError **error);
void             ipt_record_memory_free         (IptRecordMemory *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRecordMemory, ipt_record_memory_free)

G_END_DECLS
