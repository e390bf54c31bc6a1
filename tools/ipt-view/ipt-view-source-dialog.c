/* ipt-view-source-dialog.c: the "add memory source" dialog: a plugin
 * chooser over the registry and the chosen plugin's form, one widget per
 * option from its GParamSpec (ipt_plugin_list_options(),
 * ipt-view-option.c), so a third-party plugin gets a form without GUI
 * code. Only options the user touched go
 * into the spec, so the others keep the provider's defaults, exactly as
 * on the command line; the spec is parsed by the registry as --plugin's
 * is, and the provider opens on a worker thread (a big core or snapshot
 * takes a while). */
#include "config.h"

#include "ipt-view-source-dialog.h"

#include "ipt-view-option.h"

struct _IptViewSourceDialog {
  GtkWindow parent_instance;

  IptPluginRegistry *registry;
  GtkDropDown *plugins;
  GtkGrid *form;
  GtkLabel *description;
  GtkLabel *message;
  GtkWidget *add;
  GCancellable *cancellable;
  GPtrArray *options;             /* IptViewOption, of the plugin shown */
};

enum {
  SIGNAL_PROVIDER_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IptViewSourceDialog, ipt_view_source_dialog, GTK_TYPE_WINDOW)

static void
clear_form (IptViewSourceDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->form))) != NULL)
    gtk_grid_remove (self->form, child);
  g_ptr_array_set_size (self->options, 0);
}

static IptPlugin *
selected_plugin (IptViewSourceDialog *self)
{
  return self->plugins != NULL ? gtk_drop_down_get_selected_item (self->plugins) : NULL;
}

static void
build_form (IptViewSourceDialog *self)
{
  IptPlugin *plugin = selected_plugin (self);
  g_autofree GParamSpec **specs = NULL;
  guint n = 0;

  clear_form (self);
  gtk_label_set_text (self->message, "");
  if (plugin == NULL)
    {
      gtk_label_set_text (self->description, "no plugins found");
      return;
    }
  gtk_label_set_text (self->description, ipt_plugin_get_description (plugin));
  specs = ipt_plugin_list_options (plugin, &n);
  for (guint i = 0; i < n; i++)
    {
      IptViewOption *option = ipt_view_option_new (specs[i]);
      GtkWidget *label = gtk_label_new (g_param_spec_get_nick (specs[i]));

      g_ptr_array_add (self->options, option);
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_set_tooltip_text (label, g_param_spec_get_blurb (specs[i]));
      gtk_grid_attach (self->form, label, 0, i, 1, 1);
      gtk_grid_attach (self->form, ipt_view_option_get_input (option), 1, i, 1, 1);
      if (ipt_view_option_get_chooser (option) != NULL)
        gtk_grid_attach (self->form, ipt_view_option_get_chooser (option), 2, i, 1, 1);
    }
}

/* @text as a --plugin value: ',' and '\' escaped. */
static void
append_escaped (GString *spec, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ',' || *p == '\\')
        g_string_append_c (spec, '\\');
      g_string_append_c (spec, *p);
    }
}

char *
ipt_view_source_dialog_get_spec (IptViewSourceDialog *self)
{
  IptPlugin *plugin = selected_plugin (self);
  GString *spec;
  gboolean first = TRUE;

  if (plugin == NULL)
    return NULL;
  spec = g_string_new (ipt_plugin_get_name (plugin));
  for (guint i = 0; i < self->options->len; i++)
    {
      const IptViewOption *option = g_ptr_array_index (self->options, i);
      g_autofree char *text = NULL;

      if (!ipt_view_option_is_set (option))
        continue;
      text = ipt_view_option_get_text (option);
      g_string_append_printf (spec, "%s%s=", first ? ":" : ",",
                              g_param_spec_get_name (ipt_view_option_get_pspec (option)));
      append_escaped (spec, text);
      first = FALSE;
    }
  return g_string_free (spec, FALSE);
}

/* ---- opening the provider on a worker thread ---- */

static void
open_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  IptViewSourceDialog *self = source;
  GError *error = NULL;
  IptMemoryProvider *provider;

  provider = ipt_plugin_registry_new_provider (self->registry, task_data, cancellable, &error);
  if (provider == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, provider, g_object_unref);
}

static void
opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  IptViewSourceDialog *self = IPT_VIEW_SOURCE_DIALOG (source);
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  provider = g_task_propagate_pointer (G_TASK (result), &error);
  /* the dialog was closed while the provider opened: its widgets are gone */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  gtk_widget_set_sensitive (self->add, TRUE);
  if (provider == NULL)
    {
      gtk_label_set_text (self->message, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_PROVIDER_ADDED], 0, provider, g_task_get_task_data (G_TASK (result)));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_add (GtkButton *button, gpointer user_data)
{
  IptViewSourceDialog *self = user_data;
  g_autoptr(GTask) task = NULL;
  char *spec = ipt_view_source_dialog_get_spec (self);

  if (spec == NULL)
    return;
  gtk_widget_set_sensitive (self->add, FALSE);
  gtk_label_set_text (self->message, "opening…");
  task = g_task_new (self, self->cancellable, opened, NULL);
  g_task_set_task_data (task, spec, g_free);
  g_task_run_in_thread (task, open_in_thread);
}

gboolean
ipt_view_source_dialog_fill (IptViewSourceDialog *self, const char *name, const char *value,
                             GError **error)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      IptViewOption *option = g_ptr_array_index (self->options, i);

      if (g_str_equal (g_param_spec_get_name (ipt_view_option_get_pspec (option)), name))
        return ipt_view_option_fill (option, value, error);
    }
  g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND, "the form has no option '%s'", name);
  return FALSE;
}

void
ipt_view_source_dialog_press_add (IptViewSourceDialog *self)
{
  g_signal_emit_by_name (self->add, "clicked");
}

const char *
ipt_view_source_dialog_get_message (IptViewSourceDialog *self)
{
  return gtk_label_get_text (self->message);
}

void
ipt_view_source_dialog_dump (IptViewSourceDialog *self, GString *out)
{
  for (guint i = 0; i < self->options->len; i++)
    ipt_view_option_dump (g_ptr_array_index (self->options, i), out);
}

static void
on_cancel (GtkButton *button, gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
}

static void
ipt_view_source_dialog_dispose (GObject *object)
{
  IptViewSourceDialog *self = IPT_VIEW_SOURCE_DIALOG (object);

  /* the plugin chooser goes with the widgets: no form is built any more */
  if (self->plugins != NULL)
    g_signal_handlers_disconnect_by_data (self->plugins, self);
  self->plugins = NULL;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (ipt_view_source_dialog_parent_class)->dispose (object);
  /* after the form's widgets are gone: their handlers point at the options */
  g_clear_pointer (&self->options, g_ptr_array_unref);
}

static void
ipt_view_source_dialog_class_init (IptViewSourceDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_source_dialog_dispose;
  signals[SIGNAL_PROVIDER_ADDED] =
    g_signal_new ("provider-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, IPT_TYPE_MEMORY_PROVIDER, G_TYPE_STRING);
}

static char *
plugin_name (IptPlugin *plugin)
{
  return g_strdup (plugin != NULL ? ipt_plugin_get_name (plugin) : "");
}

static void
ipt_view_source_dialog_init (IptViewSourceDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *cancel = gtk_button_new_with_mnemonic ("_Cancel");

  self->cancellable = g_cancellable_new ();
  self->options = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_view_option_free);
  gtk_window_set_title (GTK_WINDOW (self), "Add memory source");
  gtk_window_set_default_size (GTK_WINDOW (self), 560, -1);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);

  self->plugins = GTK_DROP_DOWN (gtk_drop_down_new (NULL, gtk_cclosure_expression_new (
    G_TYPE_STRING, NULL, 0, NULL, G_CALLBACK (plugin_name), NULL, NULL)));
  self->description = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->description, TRUE);
  gtk_label_set_xalign (self->description, 0.0);
  self->form = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (self->form, 6);
  gtk_grid_set_column_spacing (self->form, 12);
  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_xalign (self->message, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
  self->add = gtk_button_new_with_mnemonic ("_Add");
  gtk_widget_add_css_class (self->add, "suggested-action");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->plugins));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->description));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->form));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->message));
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), self->add);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_window_set_child (GTK_WINDOW (self), box);

  g_signal_connect (cancel, "clicked", G_CALLBACK (on_cancel), self);
  g_signal_connect (self->add, "clicked", G_CALLBACK (on_add), self);
  g_signal_connect_swapped (self->plugins, "notify::selected", G_CALLBACK (build_form), self);
}

IptViewSourceDialog *
ipt_view_source_dialog_new (GtkWindow *parent, IptPluginRegistry *registry)
{
  IptViewSourceDialog *self = g_object_new (IPT_VIEW_TYPE_SOURCE_DIALOG,
                                            "transient-for", parent, "modal", TRUE, NULL);

  self->registry = g_object_ref (registry);
  gtk_drop_down_set_model (self->plugins, ipt_plugin_registry_get_plugins (registry));
  build_form (self);
  return self;
}

gboolean
ipt_view_source_dialog_select (IptViewSourceDialog *self, const char *name)
{
  GListModel *plugins = ipt_plugin_registry_get_plugins (self->registry);

  for (guint i = 0; i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(IptPlugin) plugin = g_list_model_get_item (plugins, i);

      if (g_str_equal (ipt_plugin_get_name (plugin), name))
        {
          gtk_drop_down_set_selected (self->plugins, i);
          build_form (self);
          return TRUE;
        }
    }
  return FALSE;
}
