/* ipt-view-option.c: one plugin option as a form's widget, chosen from
 * its GParamSpec alone (so a third-party plugin needs no GUI code): a
 * file chooser for file names (a GFile property, or a string marked with
 * ipt_option_set_filename()), a spin button for integers (hex for
 * 64-bit unsigned ones, the addresses), a drop down of nicks for enums, a
 * switch for booleans, an entry for the rest. It reads back as the text
 * --plugin takes, and knows whether the user changed it: untouched, the
 * option keeps the provider's default. */
#include "config.h"

#include "ipt-view-option.h"

#include <inttypes.h>

#include "ipt-number.h"

/* A spin button holds a double: integers beyond 2^53 cannot be shown. */
#define SPIN_LIMIT 9007199254740992.0

struct _IptViewOption {
  GParamSpec *pspec;              /* owned */
  GtkWidget *input;               /* in the form, not owned */
  GtkWidget *chooser;             /* file options: the Choose… button, not owned */
  gboolean is_file;
  gboolean set;                   /* the user changed it */
  gboolean shows_default;         /* a spin button left empty: its default is not a number it holds */
};

void
ipt_view_option_free (IptViewOption *option)
{
  g_param_spec_unref (option->pspec);
  g_free (option);
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
  const IptViewOption *option = user_data;
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
mark_set (IptViewOption *option)
{
  option->set = TRUE;
}

static void
spin_changed (GtkSpinButton *spin, gpointer user_data)
{
  IptViewOption *option = user_data;

  option->set = TRUE;
  spin_output (spin, option);     /* the text may have stood for the default */
}

static void
choose_done (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  IptViewOption *option = user_data;

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
  IptViewOption *option = user_data;
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
new_input (IptViewOption *option)
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

IptViewOption *
ipt_view_option_new (GParamSpec *pspec)
{
  IptViewOption *option = g_new0 (IptViewOption, 1);

  option->pspec = g_param_spec_ref (pspec);
  option->is_file = ipt_option_is_filename (pspec);
  option->input = new_input (option);
  gtk_widget_set_tooltip_text (option->input, g_param_spec_get_blurb (pspec));
  if (option->is_file)
    {
      option->chooser = gtk_button_new_with_mnemonic ("_Choose…");
      g_signal_connect (option->chooser, "clicked", G_CALLBACK (choose_file), option);
    }
  return option;
}

GParamSpec *
ipt_view_option_get_pspec (const IptViewOption *option)
{
  return option->pspec;
}

GtkWidget *
ipt_view_option_get_input (const IptViewOption *option)
{
  return option->input;
}

GtkWidget *
ipt_view_option_get_chooser (const IptViewOption *option)
{
  return option->chooser;
}

gboolean
ipt_view_option_is_set (const IptViewOption *option)
{
  return option->set;
}

char *
ipt_view_option_get_text (const IptViewOption *option)
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
ipt_view_option_fill (IptViewOption *option, const char *value, GError **error)
{
  GtkWidget *input = option->input;
  gboolean fits = TRUE;

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
                 g_param_spec_get_name (option->pspec), value, G_OBJECT_TYPE_NAME (input));
  return fits;
}

void
ipt_view_option_dump (const IptViewOption *option, GString *out)
{
  GtkWidget *input = option->input;

  g_string_append_printf (out, "%s\t%s", g_param_spec_get_name (option->pspec),
                          G_OBJECT_TYPE_NAME (input));
  if (option->chooser != NULL)
    g_string_append (out, "\tfile-chooser");
  if (GTK_IS_SPIN_BUTTON (input))
    {
      GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (input));

      g_string_append_printf (out, "\tmin=%.0f\tmax=%.0f\ttext=%s",
                              gtk_adjustment_get_lower (adjustment),
                              gtk_adjustment_get_upper (adjustment),
                              gtk_editable_get_text (GTK_EDITABLE (input)));
    }
  if (GTK_IS_DROP_DOWN (input))
    {
      GListModel *nicks = gtk_drop_down_get_model (GTK_DROP_DOWN (input));

      g_string_append (out, "\tvalues=");
      for (guint i = 0; i < g_list_model_get_n_items (nicks); i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "," : "",
                                gtk_string_list_get_string (GTK_STRING_LIST (nicks), i));
    }
  g_string_append_c (out, '\n');
}
