/* ipt-record-tracer.h: runs a program under ptrace and single-steps every
 * user-space instruction of its main thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

#include <glib.h>

#include "ipt-record-encoder.h"
#include "ipt-record-memory.h"

G_BEGIN_DECLS

/* Exit codes of ipt-record itself, as env(1) and timeout(1) use them. */
#define IPT_RECORD_EXIT_FAILURE   125
#define IPT_RECORD_EXIT_CANNOT_EXEC 126
#define IPT_RECORD_EXIT_NOT_FOUND 127

typedef struct _IptRecordTracer IptRecordTracer;

/* Called at the exit stop (PTRACE_EVENT_EXIT), while the whole address
 * space is still there: the last moment a core of it can be taken; or at
 * the stop where a stop request ended the trace. */
typedef void (*IptRecordExitFunc) (pid_t pid,
                                   const struct user_regs_struct *regs,
                                   gpointer user_data);

/* Called after an mmap or mprotect that succeeded (code may have been
 * mapped), with the time just after it ran, before any packet after it. */
typedef void (*IptRecordMapFunc) (pid_t pid, guint64 time, gpointer user_data);

IptRecordTracer *ipt_record_tracer_spawn           (char **argv,
                                                    int *exit_code,
                                                    GError **error);
gboolean         ipt_record_tracer_run             (IptRecordTracer *self,
                                                    IptRecordEncoder *encoder,
                                                    GError **error);
void             ipt_record_tracer_set_exit_func   (IptRecordTracer *self,
                                                    IptRecordExitFunc func,
                                                    gpointer user_data);
void             ipt_record_tracer_set_map_func    (IptRecordTracer *self,
                                                    IptRecordMapFunc func,
                                                    gpointer user_data);
void             ipt_record_tracer_set_stop_flag   (IptRecordTracer *self,
                                                    const volatile sig_atomic_t *flag);
gboolean         ipt_record_tracer_was_stopped     (IptRecordTracer *self);
IptRecordMemory *ipt_record_tracer_get_memory      (IptRecordTracer *self);
int              ipt_record_tracer_get_exit_status (IptRecordTracer *self);
guint64          ipt_record_tracer_get_n_steps     (IptRecordTracer *self);
guint64          ipt_record_tracer_get_n_signals   (IptRecordTracer *self);
pid_t            ipt_record_tracer_get_pid         (IptRecordTracer *self);
void             ipt_record_tracer_free            (IptRecordTracer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRecordTracer, ipt_record_tracer_free)

G_END_DECLS
