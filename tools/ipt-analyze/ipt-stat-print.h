/* ipt-stat-print.h: ipt-analyze's --stat report of an IptStatistics. */
#pragma once

#include <stdio.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

void ipt_stat_print (IptStatistics *stats, IptDecoderKind kind, FILE *out);

G_END_DECLS
