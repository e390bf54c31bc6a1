/* ipt-listing-model-private.h: the fields of IptListingModel, shared by
 * the model (ipt-listing-model.c) and its searches (ipt-listing-search.c). */
#pragma once

#include "ipt-listing-private.h"

G_BEGIN_DECLS

struct _IptListingModel {
  GObject parent_instance;

  IptDecoder *decoder;          /* the settings */
  GBytes *trace;
  char *name;
  IptSymbolResolver *symbols;   /* nullable */
  IptListingFormat format;

  IptListingSource source;      /* once indexed */
  IptImageSnapshot *snapshot;
  IptListingIndex *index;
  guint n_items;
  IptListingWindows *windows;

  gboolean indexing;
  gdouble progress;
  guint spacing;
};

G_END_DECLS
