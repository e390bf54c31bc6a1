/* ipt-listing-format.h: the lines of ipt-analyze's instruction listing
 * (ptxed's layout), written by hand into a caller's buffer: shared by the
 * CLI's listing sink (tools/ipt-analyze/ipt-listing-sink.c, which compiles
 * this file in) and IptListingModel, so that a GUI's rows are the CLI's
 * lines. Not installed, not ABI. */
#pragma once

#include <intel-pt.h>
#include <Zydis/Zydis.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-zydis.h"

G_BEGIN_DECLS

/* The longest line the functions below write, its newline included. */
#define IPT_LISTING_LINE_MAX 840

/* What the listing prints of ptxed's "[end of trace]" and of an error whose
 * offset libipt could not give (the line before the error's). */
#define IPT_LISTING_END_OF_TRACE_LINE "[end of trace]"

typedef struct {
  ZydisDecoder zydis[IPT_ZYDIS_N_MODES];   /* indexed by enum pt_exec_mode */
  gboolean zydis_ok[IPT_ZYDIS_N_MODES];
  ZydisFormatter formatter;
  IptSymbolResolver *symbols;             /* nullable */
  gboolean disassemble;
} IptListingFormat;

G_GNUC_INTERNAL
void ipt_listing_format_init (IptListingFormat *self, gboolean disassemble);
G_GNUC_INTERNAL
void ipt_listing_format_clear (IptListingFormat *self);
/* @symbols: nullable; kept only when it has sources. */
G_GNUC_INTERNAL
void ipt_listing_format_set_symbols (IptListingFormat *self, IptSymbolResolver *symbols);

/* An instruction's line, without its newline, at @p (room for
 * IPT_LISTING_LINE_MAX bytes): "? " when speculative, the address, and
 * with the disassembly " <name+0x12>", the instruction ("(bad) 0f ff"
 * when Zydis cannot decode it), a direct branch target's name and "  ;
 * file:line". Names as they were at @time in @asid. Returns the end;
 * *@text (optional) is where the disassembly begins (the end without). */
G_GNUC_INTERNAL
char *ipt_listing_format_insn (const IptListingFormat *self, char *p, const struct pt_insn *insn,
                               const IptAsid *asid, guint64 time, char **text);

/* Sets @asid from a paging or VMCS event (status updates too): the
 * address space the names are looked up in. */
G_GNUC_INTERNAL
void ipt_listing_format_track_asid (IptAsid *asid, const struct pt_event *event);

/* An event's line, without its newline, into @buffer (IPT_LISTING_LINE_MAX
 * bytes); returns its length, or 0 for an event the listing does not show
 * (a status update). */
G_GNUC_INTERNAL
gsize ipt_listing_format_event (char *buffer, const struct pt_event *event);

/* A decode error's line "[offset, ip: kind: message]", without its newline,
 * into @buffer (IPT_LISTING_LINE_MAX bytes); returns its length. An error
 * without an offset (@offset < 0) is "[?, ip: …]", and the listing puts
 * the line of ipt_listing_format_no_offset() before it. */
G_GNUC_INTERNAL
gsize ipt_listing_format_error (char *buffer, IptDecodeErrorKind kind, gint64 offset,
                                guint64 ip, int code);
/* "could not determine offset: …", without its newline, into @buffer. */
G_GNUC_INTERNAL
gsize ipt_listing_format_no_offset (char *buffer);

G_END_DECLS
