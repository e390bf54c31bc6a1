/* ipt-view-source-dialog.c: the "add memory source" dialog. Everything in
 * the form comes from the plugins' GParamSpecs (ipt_plugin_list_options()),
 * so a third-party plugin gets a form without GUI code: a file chooser
 * for file names (a GFile property, or a string marked with the qdata
 * "ipt-option-filename"), a spin button for integers (hex for 64-bit
 * unsigned ones, the addresses), a drop down of nicks for enums, a switch
 * for booleans, an entry for the rest. Only options the user touched go
 * into the spec, so the others keep the provider's defaults, exactly as
 * on the command line; the spec is parsed by the registry as --plugin's
 * is, and the provider opens on a worker thread (a big core or snapshot
 * takes a while). */
#include "config.h"

#include "ipt-view-source-dialog.h"

#include <inttypes.h>

#include "ipt-number.h"

/* A spin button holds a double: integers beyond 2^53 cannot be shown. */
#define SPIN_LIMIT 9007199254740992.0

struct _IptViewSourceDialog {
  GtkWindow parent_instance;

  IptPluginRegistry *registry;
  GtkDropDown *plugins;
  GtkGrid *form;
  GtkLabel *description;
  GtkLabel *message;
  GtkWidget *add;
  GCancellable *cancellable;
  GPtrArray *options;             /* Option, of the plugin shown */
};

/* One option of the form. */
typedef struct {
  GParamSpec *pspec;              /* owned */
  GtkWidget *input;
  gboolean is_file;
  gboolean set;                   /* the user changed it */
  gboolean shows_default;         /* a spin button left empty: its default is not a number it holds */
} Option;

enum {
  SIGNAL_PROVIDER_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IptViewSourceDialog, ipt_view_source_dialog, GTK_TYPE_WINDOW)

static void
option_free (gpointer data)
{
  Option *option = data;

  g_param_spec_unref (option->pspec);
  g_free (option);
}

static gboolean
is_file_option (GParamSpec *pspec)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  return g_type_is_a (type, G_TYPE_FILE) ||
         (type == G_TYPE_STRING &&
          g_param_spec_get_qdata (pspec, g_quark_from_static_string ("ipt-option-filename")) != NULL);
}

static gboolean
is_integer (GType type)
{
  return type == G_TYPE_INT || type == G_TYPE_UINT || type == G_TYPE_INT64 ||
         type == G_TYPE_UINT64 || type == G_TYPE_LONG || type == G_TYPE_ULONG ||
         type == G_TYPE_CHAR || type == G_TYPE_UCHAR;
}

static gboolean
is_hex (GParamSpec *pspec)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  return type == G_TYPE_UINT64 || type == G_TYPE_ULONG;
}

/* An integer pspec's bounds and default as doubles (clamped to what a
 * spin button holds); FALSE when the default is outside them (a "not
 * given" marker such as all ones). */
static gboolean
integer_range (GParamSpec *pspec, double *min, double *max, double *def)
{
  GValue value = G_VALUE_INIT;
  gdouble lo, hi, d;

  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_transform (g_param_spec_get_default_value (pspec), &value);
  d = g_value_get_double (&value);
  g_value_unset (&value);
  if (G_IS_PARAM_SPEC_UINT64 (pspec))
    lo = (double) G_PARAM_SPEC_UINT64 (pspec)->minimum, hi = (double) G_PARAM_SPEC_UINT64 (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_INT64 (pspec))
    lo = (double) G_PARAM_SPEC_INT64 (pspec)->minimum, hi = (double) G_PARAM_SPEC_INT64 (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_UINT (pspec))
    lo = G_PARAM_SPEC_UINT (pspec)->minimum, hi = G_PARAM_SPEC_UINT (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_INT (pspec))
    lo = G_PARAM_SPEC_INT (pspec)->minimum, hi = G_PARAM_SPEC_INT (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_ULONG (pspec))
    lo = G_PARAM_SPEC_ULONG (pspec)->minimum, hi = G_PARAM_SPEC_ULONG (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_LONG (pspec))
    lo = G_PARAM_SPEC_LONG (pspec)->minimum, hi = G_PARAM_SPEC_LONG (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_UCHAR (pspec))
    lo = G_PARAM_SPEC_UCHAR (pspec)->minimum, hi = G_PARAM_SPEC_UCHAR (pspec)->maximum;
  else
    lo = G_PARAM_SPEC_CHAR (pspec)->minimum, hi = G_PARAM_SPEC_CHAR (pspec)->maximum;
  *min = MAX (lo, -SPIN_LIMIT);
  *max = MIN (hi, SPIN_LIMIT);
  *def = CLAMP (d, *min, *max);
  return d >= *min && d <= *max;
}

/* A spin button's text: hex for addresses, empty while it stands for a
 * default it cannot hold (all ones: "every address space"). */
static gboolean
spin_output (GtkSpinButton *spin, gpointer user_data)
{
  const Option *option = user_data;
  double value = gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  if (option->shows_default && !option->set)
    text = g_strdup ("");
  else if (is_hex (option->pspec))
    text = g_strdup_printf ("0x%" PRIx64, (guint64) value);
  else
    text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static gint
spin_input (GtkSpinButton *spin, double *value, gpointer user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  guint64 number;

  if (text[0] == '-')
    {
      gint64 negative;

      if (!g_ascii_string_to_signed (text, 10, G_MININT64, 0, &negative, NULL))
        return GTK_INPUT_ERROR;
      *value = (double) negative;
      return TRUE;
    }
  if (!ipt_number_parse_full (text, &number))
    return GTK_INPUT_ERROR;
  *value = (double) number;
  return TRUE;
}

static void
mark_set (Option *option)
{
  option->set = TRUE;
}

static void
spin_changed (GtkSpinButton *spin, gpointer user_data)
{
  Option *option = user_data;

  option->set = TRUE;
  spin_output (spin, option);     /* the text may have stood for the default */
}

static void
choose_done (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  Option *option = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (option->input), path);
    }
  g_object_unref (chooser);
}

static void
choose_file (GtkButton *button, gpointer user_data)
{
  Option *option = user_data;
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  g_autofree char *title = g_strdup_printf ("Choose %s", g_param_spec_get_nick (option->pspec));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, window,
                                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                                               "_Open", "_Cancel");

  g_signal_connect (chooser, "response", G_CALLBACK (choose_done), option);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The input widget of @option, set to its default. */
static GtkWidget *
new_input (Option *option)
{
  GParamSpec *pspec = option->pspec;
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  const GValue *def = g_param_spec_get_default_value (pspec);
  GtkWidget *input;

  if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    {
      input = gtk_switch_new ();
      gtk_switch_set_active (GTK_SWITCH (input), g_value_get_boolean (def));
      gtk_widget_set_halign (input, GTK_ALIGN_START);
      g_signal_connect_swapped (input, "notify::active", G_CALLBACK (mark_set), option);
    }
  else if (G_IS_PARAM_SPEC_ENUM (pspec))
    {
      GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
      g_autoptr(GtkStringList) nicks = gtk_string_list_new (NULL);
      guint selected = 0;

      for (guint i = 0; i < enum_class->n_values; i++)
        {
          gtk_string_list_append (nicks, enum_class->values[i].value_nick);
          if (enum_class->values[i].value == g_value_get_enum (def))
            selected = i;
        }
      input = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&nicks)), NULL);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (input), selected);
      g_signal_connect_swapped (input, "notify::selected", G_CALLBACK (mark_set), option);
    }
  else if (is_integer (type))
    {
      double min, max, value;

      option->shows_default = !integer_range (pspec, &min, &max, &value);
      input = gtk_spin_button_new_with_range (min, max, 1);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (input), 0);
      /* new_with_range makes it numeric, which refuses the 'x' of hex */
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (input), FALSE);
      g_signal_connect (input, "output", G_CALLBACK (spin_output), option);
      g_signal_connect (input, "input", G_CALLBACK (spin_input), NULL);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (input), value);
      spin_output (GTK_SPIN_BUTTON (input), option);    /* set_value does not when unchanged */
      g_signal_connect (input, "value-changed", G_CALLBACK (spin_changed), option);
    }
  else
    {
      g_autofree char *text = G_VALUE_HOLDS_STRING (def) ? g_value_dup_string (def) : NULL;

      input = gtk_entry_new ();
      if (text != NULL)
        gtk_editable_set_text (GTK_EDITABLE (input), text);
      else if (!G_VALUE_HOLDS_STRING (def))
        {
          /* flags, doubles: the default as a hint, typed as --plugin takes it */
          g_autofree char *contents = g_strdup_value_contents (def);

          gtk_entry_set_placeholder_text (GTK_ENTRY (input), contents);
        }
      gtk_widget_set_hexpand (input, TRUE);
      g_signal_connect_swapped (input, "changed", G_CALLBACK (mark_set), option);
    }
  return input;
}

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
  return gtk_drop_down_get_selected_item (self->plugins);
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
      Option *option = g_new0 (Option, 1);
      GtkWidget *label;

      option->pspec = g_param_spec_ref (specs[i]);
      option->is_file = is_file_option (specs[i]);
      g_ptr_array_add (self->options, option);

      label = gtk_label_new (g_param_spec_get_nick (specs[i]));
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_set_tooltip_text (label, g_param_spec_get_blurb (specs[i]));
      gtk_grid_attach (self->form, label, 0, i, 1, 1);

      option->input = new_input (option);
      gtk_widget_set_tooltip_text (option->input, g_param_spec_get_blurb (specs[i]));
      g_object_set_data (G_OBJECT (option->input), "ipt-view-option", option);
      gtk_grid_attach (self->form, option->input, 1, i, 1, 1);
      if (option->is_file)
        {
          GtkWidget *button = gtk_button_new_with_mnemonic ("_Choose…");

          g_signal_connect (button, "clicked", G_CALLBACK (choose_file), option);
          g_object_set_data (G_OBJECT (option->input), "ipt-view-file-chooser", button);
          gtk_grid_attach (self->form, button, 2, i, 1, 1);
        }
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

static char *
option_text (const Option *option)
{
  GtkWidget *input = option->input;

  if (GTK_IS_SWITCH (input))
    return g_strdup (gtk_switch_get_active (GTK_SWITCH (input)) ? "true" : "false");
  if (GTK_IS_DROP_DOWN (input))
    {
      GtkStringObject *nick = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (input));

      return g_strdup (nick != NULL ? gtk_string_object_get_string (nick) : "");
    }
  if (GTK_IS_SPIN_BUTTON (input))
    {
      double value;

      gtk_spin_button_update (GTK_SPIN_BUTTON (input));
      value = gtk_spin_button_get_value (GTK_SPIN_BUTTON (input));
      return is_hex (option->pspec) ? g_strdup_printf ("0x%" PRIx64, (guint64) value)
                                    : g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
    }
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (input)));
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
      const Option *option = g_ptr_array_index (self->options, i);
      g_autofree char *text = NULL;

      if (!option->set)
        continue;
      text = option_text (option);
      g_string_append_printf (spec, "%s%s=", first ? ":" : ",",
                              g_param_spec_get_name (option->pspec));
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

static gboolean
parse_boolean (const char *text, gboolean *value)
{
  const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0 || g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *value = g_ascii_strcasecmp (text, yes[i]) == 0;
        return TRUE;
      }
  return FALSE;
}

gboolean
ipt_view_source_dialog_fill (IptViewSourceDialog *self, const char *name, const char *value,
                             GError **error)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      Option *option = g_ptr_array_index (self->options, i);
      GtkWidget *input = option->input;
      gboolean fits = TRUE;

      if (!g_str_equal (g_param_spec_get_name (option->pspec), name))
        continue;
      if (GTK_IS_SWITCH (input))
        {
          gboolean active;

          if ((fits = parse_boolean (value, &active)))
            gtk_switch_set_active (GTK_SWITCH (input), active);
        }
      else if (GTK_IS_DROP_DOWN (input))
        {
          GtkStringList *nicks = GTK_STRING_LIST (gtk_drop_down_get_model (GTK_DROP_DOWN (input)));

          fits = FALSE;
          for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (nicks)); k++)
            if (g_str_equal (gtk_string_list_get_string (nicks, k), value))
              {
                gtk_drop_down_set_selected (GTK_DROP_DOWN (input), k);
                fits = TRUE;
              }
        }
      else if (GTK_IS_SPIN_BUTTON (input))
        {
          double number;

          gtk_editable_set_text (GTK_EDITABLE (input), value);
          if ((fits = spin_input (GTK_SPIN_BUTTON (input), &number, NULL) == TRUE))
            {
              gtk_spin_button_set_value (GTK_SPIN_BUTTON (input), number);
              spin_changed (GTK_SPIN_BUTTON (input), option);   /* also when the value was the default */
            }
        }
      else
        gtk_editable_set_text (GTK_EDITABLE (input), value);
      if (!fits)
        g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "option '%s': '%s' does not fit a %s",
                     name, value, G_OBJECT_TYPE_NAME (input));
      return fits;
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
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->form)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const Option *option = g_object_get_data (G_OBJECT (child), "ipt-view-option");

      if (option == NULL)
        continue;
      g_string_append_printf (out, "%s\t%s", g_param_spec_get_name (option->pspec),
                              G_OBJECT_TYPE_NAME (child));
      if (g_object_get_data (G_OBJECT (child), "ipt-view-file-chooser") != NULL)
        g_string_append (out, "\tfile-chooser");
      if (GTK_IS_SPIN_BUTTON (child))
        {
          GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (child));

          g_string_append_printf (out, "\tmin=%.0f\tmax=%.0f\ttext=%s",
                                  gtk_adjustment_get_lower (adjustment),
                                  gtk_adjustment_get_upper (adjustment),
                                  gtk_editable_get_text (GTK_EDITABLE (child)));
        }
      if (GTK_IS_DROP_DOWN (child))
        {
          GListModel *nicks = gtk_drop_down_get_model (GTK_DROP_DOWN (child));

          g_string_append (out, "\tvalues=");
          for (guint i = 0; i < g_list_model_get_n_items (nicks); i++)
            g_string_append_printf (out, "%s%s", i > 0 ? "," : "",
                                    gtk_string_list_get_string (GTK_STRING_LIST (nicks), i));
        }
      g_string_append_c (out, '\n');
    }
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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->registry);
  g_clear_pointer (&self->options, g_ptr_array_unref);
  G_OBJECT_CLASS (ipt_view_source_dialog_parent_class)->dispose (object);
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
  self->options = g_ptr_array_new_with_free_func (option_free);
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
