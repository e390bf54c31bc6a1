/* ipt-view-listing.c: the listing view. Its rows are the lazy model's
 * (IptListingModel decodes a window of rows when one is asked for), so
 * the view asks only for the rows on screen; nothing here walks the
 * model. Columns: the row number, the address, the symbol+offset and the
 * instruction (or the event or error line); error rows carry the "error"
 * style class (red), event rows "dim-label". */
#include "config.h"

#include "ipt-view-listing.h"

#include <inttypes.h>

#include "ipt-view-columns.h"

struct _IptViewListing {
  GtkWidget parent_instance;

  GtkColumnView *view;
  GtkSingleSelection *selection;
  IptListingModel *model;
};

G_DEFINE_FINAL_TYPE (IptViewListing, ipt_view_listing, GTK_TYPE_WIDGET)

typedef enum {
  CELL_POSITION,
  CELL_ADDRESS,
  CELL_SYMBOL,
  CELL_TEXT,
  N_CELLS
} Cell;

static char *
cell_text (IptListingRow *row, Cell cell)
{
  char symbol[512];

  switch (cell)
    {
    case CELL_POSITION:
      return g_strdup_printf ("%u", ipt_listing_row_get_position (row));
    case CELL_ADDRESS:
      return ipt_listing_row_get_kind (row) == IPT_LISTING_ROW_INSN
             ? g_strdup_printf ("%016" PRIx64, ipt_listing_row_get_address (row))
             : g_strdup ("");
    case CELL_SYMBOL:
      if (ipt_listing_row_get_symbol (row) == NULL)
        return g_strdup ("");
      ipt_symbol_format (symbol, sizeof symbol, ipt_listing_row_get_symbol (row),
                         ipt_listing_row_get_symbol_offset (row));
      return g_strdup (symbol);
    case CELL_TEXT:
    case N_CELLS:
    default:
      return g_strdup (ipt_listing_row_get_text (row));
    }
}

static char *
column_text (gpointer item, guint column, gpointer user_data)
{
  return cell_text (item, column);
}

static const char *
row_style (gpointer item, gpointer user_data)
{
  switch (ipt_listing_row_get_kind (item))
    {
    case IPT_LISTING_ROW_ERROR:
      return "error";
    case IPT_LISTING_ROW_EVENT:
      return "dim-label";
    case IPT_LISTING_ROW_INSN:
    default:
      return NULL;
    }
}

char *
ipt_view_listing_row_cells (IptListingRow *row)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < N_CELLS; i++)
    {
      g_autofree char *cell = cell_text (row, i);

      g_string_append_printf (text, "%s%s", i > 0 ? "\t" : "", cell);
    }
  return g_string_free (text, FALSE);
}

static void
ipt_view_listing_dispose (GObject *object)
{
  IptViewListing *self = IPT_VIEW_LISTING (object);
  ipt_view_page_dispose (GTK_WIDGET (self));
  g_clear_object (&self->model);
  G_OBJECT_CLASS (ipt_view_listing_parent_class)->dispose (object);
}

static void
ipt_view_listing_class_init (IptViewListingClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_listing_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ipt_view_listing_init (IptViewListing *self)
{
  const IptViewColumn columns[N_CELLS] = {
    [CELL_POSITION] = { "Row", column_text, NULL, IPT_VIEW_COLUMN_NUMERIC | IPT_VIEW_COLUMN_MONOSPACE },
    [CELL_ADDRESS] = { "Address", column_text, NULL, IPT_VIEW_COLUMN_MONOSPACE },
    [CELL_SYMBOL] = { "Symbol", column_text, NULL, 0 },
    [CELL_TEXT] = { "Instruction", column_text, NULL, IPT_VIEW_COLUMN_EXPAND | IPT_VIEW_COLUMN_MONOSPACE },
  };

  self->view = ipt_view_column_view_new (NULL);
  self->selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (self->view));
  ipt_view_column_view_add_columns (self->view, columns, N_CELLS, row_style, NULL);
  ipt_view_page_set_view (GTK_WIDGET (self), self->view);
}

GtkWidget *
ipt_view_listing_new (void)
{
  return g_object_new (IPT_VIEW_TYPE_LISTING, NULL);
}

void
ipt_view_listing_set_model (IptViewListing *self, IptListingModel *model)
{
  g_set_object (&self->model, model);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (model));
}

IptListingModel *
ipt_view_listing_get_model (IptViewListing *self)
{
  return self->model;
}

GtkColumnView *
ipt_view_listing_get_column_view (IptViewListing *self)
{
  return self->view;
}

void
ipt_view_listing_show_row (IptViewListing *self, guint position)
{
  gtk_single_selection_set_selected (self->selection, position);
  ipt_view_column_view_scroll_to (self->view, position);
}

guint
ipt_view_listing_get_selected (IptViewListing *self)
{
  guint selected = gtk_single_selection_get_selected (self->selection);

  return selected == GTK_INVALID_LIST_POSITION ? 0 : selected;
}
