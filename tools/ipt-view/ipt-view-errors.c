/* ipt-view-errors.c: the errors view: every decode error with its trace
 * offset, instruction pointer, kind and libipt's message, in trace order;
 * activating a row (double click, Enter) emits "error-activated". */
#include "config.h"

#include "ipt-view-errors.h"

#include <inttypes.h>

#include "ipt-view-columns.h"

struct _IptViewErrors {
  GtkWidget parent_instance;

  GtkColumnView *view;
  GtkSingleSelection *selection;
};

enum {
  SIGNAL_ERROR_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IptViewErrors, ipt_view_errors, GTK_TYPE_WIDGET)

static char *
offset_text (gpointer item, guint column, gpointer user_data)
{
  gint64 offset = ipt_view_error_get_offset (item);

  return offset >= 0 ? g_strdup_printf ("0x%" PRIx64, (guint64) offset) : g_strdup ("?");
}

static char *
ip_text (gpointer item, guint column, gpointer user_data)
{
  return g_strdup_printf ("0x%" PRIx64, ipt_view_error_get_ip (item));
}

static char *
kind_text (gpointer item, guint column, gpointer user_data)
{
  return g_strdup (ipt_decode_error_kind_get_label (ipt_view_error_get_kind (item)));
}

static char *
message_text (gpointer item, guint column, gpointer user_data)
{
  return g_strdup (ipt_view_error_get_message (item));
}

static char *
insns_text (gpointer item, guint column, gpointer user_data)
{
  return g_strdup_printf ("%" PRIu64, ipt_view_error_get_insns_before (item));
}

static void
on_activate (GtkColumnView *view, guint position, gpointer user_data)
{
  IptViewErrors *self = user_data;
  GListModel *model = G_LIST_MODEL (self->selection);
  g_autoptr(IptViewError) error = g_list_model_get_item (model, position);

  if (error != NULL)
    g_signal_emit (self, signals[SIGNAL_ERROR_ACTIVATED], 0, error);
}

static void
ipt_view_errors_dispose (GObject *object)
{
  ipt_view_page_dispose (GTK_WIDGET (object));
  G_OBJECT_CLASS (ipt_view_errors_parent_class)->dispose (object);
}

static void
ipt_view_errors_class_init (IptViewErrorsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_errors_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  signals[SIGNAL_ERROR_ACTIVATED] =
    g_signal_new ("error-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, IPT_VIEW_TYPE_ERROR);
}

static void
ipt_view_errors_init (IptViewErrors *self)
{
  const IptViewColumn columns[] = {
    { "Trace offset", offset_text, NULL, IPT_VIEW_COLUMN_MONOSPACE },
    { "IP", ip_text, NULL, IPT_VIEW_COLUMN_MONOSPACE },
    { "Kind", kind_text, NULL, 0 },
    { "Message", message_text, NULL, IPT_VIEW_COLUMN_EXPAND },
    { "Insns before", insns_text, NULL, IPT_VIEW_COLUMN_NUMERIC },
  };

  self->view = ipt_view_column_view_new (NULL);
  self->selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (self->view));
  ipt_view_column_view_add_columns (self->view, columns, G_N_ELEMENTS (columns), NULL, NULL);
  g_signal_connect (self->view, "activate", G_CALLBACK (on_activate), self);
  ipt_view_page_set_view (GTK_WIDGET (self), self->view);
}

GtkWidget *
ipt_view_errors_new (void)
{
  return g_object_new (IPT_VIEW_TYPE_ERRORS, NULL);
}

void
ipt_view_errors_set_errors (IptViewErrors *self, GListModel *errors)
{
  gtk_single_selection_set_model (self->selection, errors);
}

GtkColumnView *
ipt_view_errors_get_column_view (IptViewErrors *self)
{
  return self->view;
}
