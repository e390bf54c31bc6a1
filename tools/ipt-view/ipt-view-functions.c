/* ipt-view-functions.c: the hot functions view, ipt_calls_get_functions()
 * as a table, hottest first: function, calls, self and total
 * instructions, and the self share of all instructions. */
#include "config.h"

#include "ipt-view-functions.h"

#include "ipt-view-columns.h"

struct _IptViewFunctions {
  GtkWidget parent_instance;

  GtkColumnView *view;
  GtkSingleSelection *selection;
  guint64 n_insns;
};

G_DEFINE_FINAL_TYPE (IptViewFunctions, ipt_view_functions, GTK_TYPE_WIDGET)

static char *
symbol_text (gpointer item, guint column, gpointer user_data)
{
  return g_strdup (ipt_call_function_get_symbol (item));
}

static char *
share_text (gpointer item, guint column, gpointer user_data)
{
  IptViewFunctions *self = user_data;

  return g_strdup_printf ("%.1f%%", self->n_insns > 0
                                    ? 100.0 * (double) ipt_call_function_get_self_insns (item) /
                                      (double) self->n_insns
                                    : 0.0);
}

static void
ipt_view_functions_dispose (GObject *object)
{
  ipt_view_page_dispose (GTK_WIDGET (object));
  G_OBJECT_CLASS (ipt_view_functions_parent_class)->dispose (object);
}

static void
ipt_view_functions_class_init (IptViewFunctionsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_functions_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ipt_view_functions_init (IptViewFunctions *self)
{
  const IptViewColumn columns[] = {
    { "Function", symbol_text, NULL, IPT_VIEW_COLUMN_EXPAND },
    { "Calls", NULL, "calls", IPT_VIEW_COLUMN_NUMERIC },
    { "Self insns", NULL, "self-insns", IPT_VIEW_COLUMN_NUMERIC },
    { "Self", share_text, NULL, IPT_VIEW_COLUMN_NUMERIC },
    { "Total insns", NULL, "total-insns", IPT_VIEW_COLUMN_NUMERIC },
  };

  self->view = ipt_view_column_view_new (NULL);
  self->selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (self->view));
  ipt_view_column_view_add_columns (self->view, columns, G_N_ELEMENTS (columns), NULL, self);
  ipt_view_page_set_view (GTK_WIDGET (self), self->view);
}

GtkWidget *
ipt_view_functions_new (void)
{
  return g_object_new (IPT_VIEW_TYPE_FUNCTIONS, NULL);
}

void
ipt_view_functions_set_calls (IptViewFunctions *self, IptCalls *calls)
{
  g_autoptr(GListModel) functions = calls != NULL ? ipt_calls_get_functions (calls) : NULL;

  self->n_insns = calls != NULL ? ipt_calls_get_n_insns (calls) : 0;
  gtk_single_selection_set_model (self->selection, functions);
}

GtkColumnView *
ipt_view_functions_get_column_view (IptViewFunctions *self)
{
  return self->view;
}
