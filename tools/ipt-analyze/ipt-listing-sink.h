/* ipt-listing-sink.h: the instruction listing of ipt-analyze (ptxed's layout). */
#pragma once

#include <stdio.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/**
 * IptListingFlags:
 * @IPT_LISTING_INSNS: print one line per instruction (its address)
 * @IPT_LISTING_DISASSEMBLE: add the disassembly (Intel syntax) to each line
 * @IPT_LISTING_EVENTS: print events ("[enabled]", "[disabled]", ...)
 *
 * What the listing prints. Errors are always printed, as ptxed does even
 * when quiet.
 */
typedef enum {
  IPT_LISTING_INSNS = 1 << 0,
  IPT_LISTING_DISASSEMBLE = 1 << 1,
  IPT_LISTING_EVENTS = 1 << 2,
} IptListingFlags;

#define IPT_TYPE_LISTING_SINK (ipt_listing_sink_get_type ())
G_DECLARE_FINAL_TYPE (IptListingSink, ipt_listing_sink, IPT, LISTING_SINK, GObject)

IptListingSink *ipt_listing_sink_new (FILE *out, IptListingFlags flags);
void ipt_listing_sink_set_symbols (IptListingSink *self, IptSymbolResolver *symbols);
gboolean ipt_listing_sink_has_begun (IptListingSink *self);
void ipt_listing_sink_set_prefix (IptListingSink *self, const char *prefix, gsize len);
void ipt_listing_sink_put_note (IptListingSink *self, const char *line);

G_END_DECLS
