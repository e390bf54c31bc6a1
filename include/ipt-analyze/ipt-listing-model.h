/* ipt-listing-model.h: a trace's decoded listing as a lazy GListModel, for
 * GUIs over traces of tens of millions of instructions. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-decoder.h>
#include <ipt-analyze/ipt-symbol-source.h>

G_BEGIN_DECLS

/**
 * IptListingRowKind:
 * @IPT_LISTING_ROW_INSN: an executed instruction
 * @IPT_LISTING_ROW_EVENT: an event of the trace ("[disabled]", "[overflow]",
 *   "[end of trace]", ...)
 * @IPT_LISTING_ROW_ERROR: a decode error ("[0x…, 0x…: error: …]"), or the
 *   "could not determine offset: …" line before an error that has no offset
 *
 * What a row of an #IptListingModel shows.
 *
 * Each row is one line of the listing `ipt-analyze` prints: instructions
 * with their disassembly, the trace's events and the decode's errors, in
 * the order the decoder delivers them. A view can colour rows by kind
 * (errors highlighted) without parsing their text.
 *
 * Since: 0.1
 */
typedef enum {
  IPT_LISTING_ROW_INSN,   /*< nick=insn >*/
  IPT_LISTING_ROW_EVENT,  /*< nick=event >*/
  IPT_LISTING_ROW_ERROR,  /*< nick=error >*/
} IptListingRowKind;

#define IPT_TYPE_LISTING_ROW (ipt_listing_row_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptListingRow, ipt_listing_row, IPT, LISTING_ROW, GObject)

IPT_AVAILABLE_IN_ALL
IptListingRowKind ipt_listing_row_get_kind (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
guint ipt_listing_row_get_position (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_listing_row_get_address (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_listing_row_get_symbol (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_listing_row_get_symbol_offset (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_listing_row_get_text (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_listing_row_get_line (IptListingRow *self);
IPT_AVAILABLE_IN_ALL
char *ipt_listing_row_to_line (IptListingRow *self);

#define IPT_TYPE_LISTING_MODEL (ipt_listing_model_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptListingModel, ipt_listing_model, IPT, LISTING_MODEL, GObject)

IPT_AVAILABLE_IN_ALL
IptListingModel *ipt_listing_model_new (IptDecoder *decoder, GBytes *trace, const char *name);
IPT_AVAILABLE_IN_ALL
IptListingModel *ipt_listing_model_new_for_file (IptDecoder *decoder, const char *path,
                                                 GError **error);
IPT_AVAILABLE_IN_ALL
void ipt_listing_model_set_symbols (IptListingModel *self, IptSymbolResolver *symbols);
IPT_AVAILABLE_IN_ALL
IptSymbolResolver *ipt_listing_model_get_symbols (IptListingModel *self);

IPT_AVAILABLE_IN_ALL
void ipt_listing_model_index_async (IptListingModel *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
IPT_AVAILABLE_IN_ALL
gboolean ipt_listing_model_index_finish (IptListingModel *self, GAsyncResult *result,
                                         GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_listing_model_index (IptListingModel *self, GCancellable *cancellable,
                                  GError **error);

IPT_AVAILABLE_IN_ALL
gboolean ipt_listing_model_is_indexed (IptListingModel *self);
IPT_AVAILABLE_IN_ALL
gdouble ipt_listing_model_get_progress (IptListingModel *self);
IPT_AVAILABLE_IN_ALL
guint64 ipt_listing_model_get_n_insns (IptListingModel *self);
IPT_AVAILABLE_IN_ALL
guint ipt_listing_model_get_n_checkpoints (IptListingModel *self);
IPT_AVAILABLE_IN_ALL
IptListingRow *ipt_listing_model_get_row (IptListingModel *self, guint position,
                                          GError **error);

IPT_AVAILABLE_IN_ALL
gboolean ipt_listing_model_find_address (IptListingModel *self, guint64 address, guint from,
                                         gboolean backward, GCancellable *cancellable,
                                         guint *position, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_listing_model_find_text (IptListingModel *self, const char *needle, guint from,
                                      gboolean backward, GCancellable *cancellable,
                                      guint *position, GError **error);
IPT_AVAILABLE_IN_ALL
void ipt_listing_model_find_address_async (IptListingModel *self, guint64 address, guint from,
                                           gboolean backward, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
IPT_AVAILABLE_IN_ALL
void ipt_listing_model_find_text_async (IptListingModel *self, const char *needle, guint from,
                                        gboolean backward, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
IPT_AVAILABLE_IN_ALL
gboolean ipt_listing_model_find_finish (IptListingModel *self, GAsyncResult *result,
                                        guint *position, GError **error);

G_END_DECLS
