/* ipt-listing-private.h: the parts of IptListingModel (ipt-listing-model.c):
 * the compact record of one listing row, the sink that turns a decode's
 * calls into records (ipt-listing-collector.c), the index of checkpoints
 * (ipt-listing-index.c), the cache of decoded windows
 * (ipt-listing-window.c) and the row objects (ipt-listing-row.c). See
 * docs/listing-model.md. Not ABI. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-decoder-private.h"
#include "ipt-listing-format.h"

G_BEGIN_DECLS

/* What one line of the listing is. */
typedef enum {
  IPT_LISTING_RECORD_INSN,
  IPT_LISTING_RECORD_EVENT,
  IPT_LISTING_RECORD_ERROR,
  IPT_LISTING_RECORD_NO_OFFSET,   /* "could not determine offset", before its error */
  IPT_LISTING_RECORD_END_OF_TRACE,
} IptListingRecordKind;

/* One row, as a decoded window keeps it: enough to write its line later. */
typedef struct {
  guint64 ip;          /* insn, error: the instruction pointer */
  guint64 time;        /* insn: the decode's time (IPT_TIME_END: none) */
  IptAsid asid;        /* insn: the address space its names are looked up in */
  gint64 offset;       /* error: the trace offset (-1: unknown) */
  gint32 code;         /* error: libipt's code */
  guint32 text;        /* event: where its line starts in the window's text */
  guint8 kind;         /* IptListingRecordKind */
  guint8 size;         /* insn: bytes */
  guint8 mode;         /* insn: enum pt_exec_mode; error: IptDecodeErrorKind */
  guint8 speculative;
  guint8 raw[16];
} IptListingRecord;

/* Called for each row a decode lists; @text/@len: an event's line (not
 * NUL-terminated), else NULL/0. Return FALSE to stop the decode. */
typedef gboolean (*IptListingRowFunc) (gpointer user_data, const IptListingRecord *record,
                                       const char *text, gsize len);

/* Where a decode of the listing starts, and how its rows line up with the
 * serial decode's: the decode synced at @psb (G_MAXUINT64: from the
 * trace's start, like the serial decode) lists @skip rows of its own,
 * then exactly the serial decode's rows from @row on. */
typedef struct {
  guint64 psb;
  guint64 row;
  guint skip;
} IptListingCheckpoint;

/* What a decode of the listing runs on: the model's settings and data. */
typedef struct {
  IptDecoder *settings;          /* copied into each decode's own decoder */
  IptImageSnapshot *snapshot;    /* of settings' image, held by the model */
  const guint8 *data;
  gsize size;
  const char *name;
  gboolean want_time;            /* record each instruction's time (names over time) */
  gboolean hash_time;            /* and compare it (and the asid) in the index's check */
  guint spacing;                 /* the least rows between two checkpoints */
} IptListingSource;

/* How a decode ended. */
typedef enum {
  IPT_LISTING_DECODE_DONE,       /* the trace's end, or the stall limit */
  IPT_LISTING_DECODE_STOPPED,    /* the row function asked */
  IPT_LISTING_DECODE_FAILED,     /* *error set (cancelled: G_IO_ERROR_CANCELLED) */
} IptListingDecodeStatus;

/* ipt-listing-collector.c: decodes from @psb (G_MAXUINT64: the start),
 * calling @func for each row. @stall: apply the settings' stall limit (the
 * serial pass; decodes from checkpoints stop by row count instead). */
G_GNUC_INTERNAL
IptListingDecodeStatus ipt_listing_decode (const IptListingSource *source, guint64 psb,
                                           gboolean stall, IptListingRowFunc func,
                                           gpointer user_data,
                                           void (*offset_func) (gpointer user_data,
                                                                guint64 offset),
                                           GCancellable *cancellable, GError **error);

/* The hash of a row, as the index compares rows. */
G_GNUC_INTERNAL
guint64 ipt_listing_record_hash (const IptListingRecord *record, const char *text, gsize len,
                                 gboolean with_time);

/* ipt-listing-index.c */
typedef struct {
  GArray *checkpoints;           /* IptListingCheckpoint, by row; [0]: the trace's start */
  guint64 n_rows;
  guint64 n_insns;
  guint n_candidates;            /* PSBs tried as checkpoints */
} IptListingIndex;

/* Progress of an index, 0..1, from the indexing thread. */
typedef void (*IptListingProgressFunc) (gpointer user_data, gdouble fraction);

G_GNUC_INTERNAL
IptListingIndex *ipt_listing_index_build (const IptListingSource *source,
                                          IptListingProgressFunc progress, gpointer user_data,
                                          GCancellable *cancellable, GError **error);
G_GNUC_INTERNAL
void ipt_listing_index_free (IptListingIndex *index);
/* The last checkpoint at or before @row. */
G_GNUC_INTERNAL
guint ipt_listing_index_lookup (const IptListingIndex *index, guint64 row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptListingIndex, ipt_listing_index_free)

/* Calls @func for rows @first, @first+1, … (the row number, then as
 * IptListingRowFunc) from the checkpoint before @first on, until it
 * returns FALSE or the rows end. FALSE with @error when cancelled or the
 * decode failed. */
typedef gboolean (*IptListingScanFunc) (gpointer user_data, guint64 row,
                                        const IptListingRecord *record, const char *text,
                                        gsize len);
G_GNUC_INTERNAL
gboolean ipt_listing_index_scan (const IptListingIndex *index, const IptListingSource *source,
                                 guint64 first, IptListingScanFunc func, gpointer user_data,
                                 GCancellable *cancellable, GError **error);

/* ipt-listing-window.c: decoded windows of rows, the few used last. */
typedef struct _IptListingWindows IptListingWindows;

G_GNUC_INTERNAL
IptListingWindows *ipt_listing_windows_new (guint n_windows, guint rows_per_window);
G_GNUC_INTERNAL
void ipt_listing_windows_free (IptListingWindows *self);
G_GNUC_INTERNAL
void ipt_listing_windows_clear (IptListingWindows *self);
/* Copies row @row's record (and an event's line, into @text, at most
 * IPT_LISTING_LINE_MAX bytes, NUL-terminated) out of its window, decoding
 * the window first unless cached. FALSE with @error when that fails. */
G_GNUC_INTERNAL
gboolean ipt_listing_windows_get (IptListingWindows *self, const IptListingIndex *index,
                                  const IptListingSource *source, guint64 row,
                                  IptListingRecord *record, char *text, GError **error);

/* ipt-listing-row.c: a row object from its record. */
G_GNUC_INTERNAL
IptListingRow *ipt_listing_row_new (guint position, const IptListingRecord *record,
                                    const char *text, const IptListingFormat *format);
/* The line of @record (as ipt_listing_row_to_line()) into @buffer
 * (IPT_LISTING_LINE_MAX bytes); returns its length. */
G_GNUC_INTERNAL
gsize ipt_listing_record_format (const IptListingRecord *record, const char *text,
                                 const IptListingFormat *format, char *buffer);

G_END_DECLS
