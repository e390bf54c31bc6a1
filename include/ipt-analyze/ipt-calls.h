/* ipt-calls.h: the call analysis, a sink that rebuilds calls and returns into a call tree, a
 * listing, folded stacks and a Chrome trace. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-sink.h>
#include <ipt-analyze/ipt-symbol-source.h>

G_BEGIN_DECLS

#define IPT_TYPE_CALL_NODE (ipt_call_node_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptCallNode, ipt_call_node, IPT, CALL_NODE, GObject)

IPT_AVAILABLE_IN_ALL
const char *ipt_call_node_get_symbol (IptCallNode *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_node_get_address (IptCallNode *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_node_get_calls (IptCallNode *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_node_get_self_insns (IptCallNode *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_node_get_total_insns (IptCallNode *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_node_get_time (IptCallNode *self);
IPT_AVAILABLE_IN_ALL
GListModel *ipt_call_node_get_children (IptCallNode *self);

#define IPT_TYPE_CALL_FUNCTION (ipt_call_function_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptCallFunction, ipt_call_function, IPT, CALL_FUNCTION, GObject)

IPT_AVAILABLE_IN_ALL
const char *ipt_call_function_get_symbol (IptCallFunction *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_function_get_address (IptCallFunction *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_function_get_calls (IptCallFunction *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_function_get_self_insns (IptCallFunction *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_call_function_get_total_insns (IptCallFunction *self);

#define IPT_TYPE_CALLS (ipt_calls_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptCalls, ipt_calls, IPT, CALLS, GObject)

IPT_AVAILABLE_IN_ALL
IptCalls *ipt_calls_new (IptSymbolResolver *symbols);
IPT_AVAILABLE_IN_ALL
GListModel *ipt_calls_get_roots (IptCalls *self);
IPT_AVAILABLE_IN_ALL
GListModel *ipt_calls_get_functions (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_insns (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_calls (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_returns (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_tail_calls (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_unwound (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_unmatched_returns (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_async (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_calls_get_n_gaps (IptCalls *self);
IPT_AVAILABLE_IN_ALL
guint ipt_calls_get_depth (IptCalls *self);
IPT_AVAILABLE_IN_ALL
void ipt_calls_merge (IptCalls *self, IptCalls *next);

IPT_AVAILABLE_IN_ALL
gboolean ipt_calls_write_listing (IptCalls *self, GOutputStream *stream, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_calls_write_folded (IptCalls *self, GOutputStream *stream, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_calls_write_chrome_trace (IptCalls *self, GOutputStream *stream, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_calls_write_json (IptCalls *self, GOutputStream *stream, GError **error);

G_END_DECLS
