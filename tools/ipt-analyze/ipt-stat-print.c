/* ipt-stat-print.c: prints the counts of an IptStatistics as ipt-analyze
 * --stat does; the first lines are ptxed's --stat lines, byte for byte.
 * It only formats: the counting is IptStatistics' (core/). */
#include "config.h"

#include <inttypes.h>

#include "ipt-stat-print.h"

/**
 * ipt_stat_print:
 * @stats: the statistics of a decode
 * @kind: the decoder that produced them
 * @out: where to print
 *
 * Prints "insn: N." exactly as ptxed does, "blocks:\tN." for the block
 * decoder (ptxed's --stat:blocks line), then "errors: N." with one indented
 * line per error kind and libipt message, and "events: N." with one
 * indented line per event kind.
 */
void
ipt_stat_print (IptStatistics *stats, IptDecoderKind kind, FILE *out)
{
  fprintf (out, "insn: %" PRIu64 ".\n", ipt_statistics_get_n_insns (stats));
  if (kind == IPT_DECODER_KIND_BLOCK)
    fprintf (out, "blocks:\t%" PRIu64 ".\n", ipt_statistics_get_n_blocks (stats));

  fprintf (out, "errors: %" PRIu64 ".\n", ipt_statistics_get_n_errors (stats));
  for (guint k = IPT_DECODE_ERROR_SYNC; k <= IPT_DECODE_ERROR_RECONSTRUCT; k++)
    {
      if (ipt_statistics_get_n_errors_of_kind (stats, (IptDecodeErrorKind) k) == 0)
        continue;
      for (int code = 1; code < IPT_STATISTICS_N_ERROR_CODES; code++)
        {
          guint64 n = ipt_statistics_get_n_errors_with_code (stats, (IptDecodeErrorKind) k, -code);

          if (n > 0)
            fprintf (out, "  %s: %s: %" PRIu64 ".\n",
                     ipt_decode_error_kind_get_label ((IptDecodeErrorKind) k),
                     pt_errstr ((enum pt_error_code) code), n);
        }
    }

  fprintf (out, "events: %" PRIu64 ".\n", ipt_statistics_get_n_events (stats));
  for (guint k = IPT_EVENT_KIND_ENABLED; k <= IPT_EVENT_KIND_OTHER; k++)
    {
      guint64 n = ipt_statistics_get_n_events_of_kind (stats, (IptEventKind) k);

      if (n > 0)
        fprintf (out, "  %s: %" PRIu64 ".\n", ipt_event_kind_get_label ((IptEventKind) k), n);
    }
}
