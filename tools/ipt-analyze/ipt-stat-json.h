/* ipt-stat-json.h: an IptStatistics as --stat --json prints it (docs/json.md). */
#pragma once

#include <json-glib/json-glib.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_STAT_JSON_FORMAT "ipt-statistics"
#define IPT_STAT_JSON_VERSION 1

void ipt_stat_json_add_counts (JsonBuilder *builder, IptStatistics *stats, IptDecoderKind kind);
JsonBuilder *ipt_stat_json_begin (IptDecoderKind kind);
char *ipt_stat_json_end (JsonBuilder *builder);

G_END_DECLS
