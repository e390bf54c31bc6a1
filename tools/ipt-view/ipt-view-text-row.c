/* ipt-view-text-row.c: a table row of ready-made texts. */
#include "config.h"

#include "ipt-view-text-row.h"

struct _IptViewTextRow {
  GObject parent_instance;

  char **cells;
  guint n_cells;
};

G_DEFINE_FINAL_TYPE (IptViewTextRow, ipt_view_text_row, G_TYPE_OBJECT)

static void
ipt_view_text_row_finalize (GObject *object)
{
  g_strfreev (IPT_VIEW_TEXT_ROW (object)->cells);
  G_OBJECT_CLASS (ipt_view_text_row_parent_class)->finalize (object);
}

static void
ipt_view_text_row_class_init (IptViewTextRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ipt_view_text_row_finalize;
}

static void
ipt_view_text_row_init (IptViewTextRow *self)
{
}

IptViewTextRow *
ipt_view_text_row_new_take (char **cells)
{
  IptViewTextRow *self = g_object_new (IPT_VIEW_TYPE_TEXT_ROW, NULL);

  self->cells = cells;
  self->n_cells = g_strv_length (cells);
  return self;
}

const char *
ipt_view_text_row_get (IptViewTextRow *self, guint column)
{
  return column < self->n_cells ? self->cells[column] : "";
}
