/* ipt-statistics.h: the statistics analysis, a sink that counts instructions, blocks, errors and events. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <glib-object.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-sink.h>

G_BEGIN_DECLS

/**
 * IptEventKind:
 * @IPT_EVENT_KIND_ENABLED: tracing was enabled (libipt's `ptev_enabled`)
 * @IPT_EVENT_KIND_DISABLED: tracing was disabled (`ptev_disabled`)
 * @IPT_EVENT_KIND_ASYNC_DISABLED: tracing was disabled asynchronously
 *   (`ptev_async_disabled`)
 * @IPT_EVENT_KIND_ASYNC_BRANCH: an asynchronous branch such as an interrupt
 *   (`ptev_async_branch`; ptxed prints "interrupt")
 * @IPT_EVENT_KIND_PAGING: a synchronous paging event, a new CR3
 *   (`ptev_paging`)
 * @IPT_EVENT_KIND_ASYNC_PAGING: an asynchronous paging event
 *   (`ptev_async_paging`)
 * @IPT_EVENT_KIND_OVERFLOW: the trace overflowed (`ptev_overflow`)
 * @IPT_EVENT_KIND_EXEC_MODE: the execution mode changed (`ptev_exec_mode`)
 * @IPT_EVENT_KIND_TSX: the transactional execution state changed
 *   (`ptev_tsx`)
 * @IPT_EVENT_KIND_STOP: tracing stopped (`ptev_stop`)
 * @IPT_EVENT_KIND_VMCS: a synchronous VMCS event (`ptev_vmcs`)
 * @IPT_EVENT_KIND_ASYNC_VMCS: an asynchronous VMCS event (`ptev_async_vmcs`)
 * @IPT_EVENT_KIND_EXSTOP: execution stopped (`ptev_exstop`)
 * @IPT_EVENT_KIND_MWAIT: an MWAIT completed (`ptev_mwait`)
 * @IPT_EVENT_KIND_PWRE: a power state was entered (`ptev_pwre`)
 * @IPT_EVENT_KIND_PWRX: a power state was exited (`ptev_pwrx`)
 * @IPT_EVENT_KIND_PTWRITE: a PTWRITE payload (`ptev_ptwrite`)
 * @IPT_EVENT_KIND_TICK: a timing event (`ptev_tick`)
 * @IPT_EVENT_KIND_CBR: a core:bus ratio event (`ptev_cbr`)
 * @IPT_EVENT_KIND_MNT: a maintenance event (`ptev_mnt`)
 * @IPT_EVENT_KIND_OTHER: an event type this library does not know (a newer
 *   libipt's)
 *
 * The kinds of libipt events (`enum pt_event_type`), for bindings that
 * cannot see libipt's own enum. The values are libipt 2.0's; newer event
 * types map to %IPT_EVENT_KIND_OTHER.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_EVENT_KIND_ENABLED,
  IPT_EVENT_KIND_DISABLED,
  IPT_EVENT_KIND_ASYNC_DISABLED,
  IPT_EVENT_KIND_ASYNC_BRANCH,
  IPT_EVENT_KIND_PAGING,
  IPT_EVENT_KIND_ASYNC_PAGING,
  IPT_EVENT_KIND_OVERFLOW,
  IPT_EVENT_KIND_EXEC_MODE,
  IPT_EVENT_KIND_TSX,
  IPT_EVENT_KIND_STOP,
  IPT_EVENT_KIND_VMCS,
  IPT_EVENT_KIND_ASYNC_VMCS,
  IPT_EVENT_KIND_EXSTOP,
  IPT_EVENT_KIND_MWAIT,
  IPT_EVENT_KIND_PWRE,
  IPT_EVENT_KIND_PWRX,
  IPT_EVENT_KIND_PTWRITE,
  IPT_EVENT_KIND_TICK,
  IPT_EVENT_KIND_CBR,
  IPT_EVENT_KIND_MNT,
  IPT_EVENT_KIND_OTHER,
} IptEventKind;

IPT_AVAILABLE_IN_ALL
const char *ipt_event_kind_get_label (IptEventKind kind);

#define IPT_TYPE_STATISTICS (ipt_statistics_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptStatistics, ipt_statistics, IPT, STATISTICS, GObject)

/**
 * IPT_STATISTICS_N_ERROR_CODES:
 *
 * ipt_statistics_get_n_errors_with_code() counts libipt's error codes -1
 * down to -(IPT_STATISTICS_N_ERROR_CODES - 1); errors with a code beyond
 * (none in libipt 2.0) are counted in the totals only.
 *
 * Since: 0.1
 */
#define IPT_STATISTICS_N_ERROR_CODES 64

IPT_AVAILABLE_IN_ALL
IptStatistics *ipt_statistics_new (void);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_insns (IptStatistics *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_blocks (IptStatistics *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_errors (IptStatistics *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_errors_of_kind (IptStatistics *self, IptDecodeErrorKind kind);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_errors_with_code (IptStatistics *self, IptDecodeErrorKind kind,
                                               int code);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_events (IptStatistics *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_statistics_get_n_events_of_kind (IptStatistics *self, IptEventKind kind);
IPT_AVAILABLE_IN_ALL
void ipt_statistics_reset (IptStatistics *self);

G_END_DECLS
