/* ipt-provider-options.c: the options of a provider plugin, declared once
 * (see ipt-provider-options.h). */
#include "config.h"

#include "ipt-provider-options.h"

/**
 * ipt_plugin_param_spec_file:
 * @name: the property's name (a static string), such as "file" or "core"
 * @nick: its nick (static)
 * @blurb: its blurb (static), which `ipt-analyze --list-plugins` prints
 *
 * Makes a file option: a construct-only string property, default %NULL,
 * marked as a file name for GUIs (ipt_option_set_filename(), which
 * ipt-view's add-source form shows as a file chooser; docs/ipt-view.md).
 * Its doc comment in the provider says `(type filename)`.
 *
 * Returns: (transfer floating): the property's #GParamSpec
 */
GParamSpec *
ipt_plugin_param_spec_file (const char *name, const char *nick, const char *blurb)
{
  GParamSpec *pspec = g_param_spec_string (name, nick, blurb, NULL,
                                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                           G_PARAM_STATIC_STRINGS);

  ipt_option_set_filename (pspec);
  return pspec;
}

/**
 * ipt_plugin_param_spec_cr3:
 * @what: what the address space is of, for the blurb: "mapping", "pages",
 *   "process"
 *
 * Makes the `cr3` property: a construct-only guint64 (0 to %G_MAXUINT64),
 * %IPT_ASID_NO_CR3 (the default) for every address space. Its blurb, which
 * `ipt-analyze --list-plugins` prints, is "Address space (CR3) of the
 * WHAT, default: every address space".
 *
 * Returns: (transfer floating): the property's #GParamSpec
 */
GParamSpec *
ipt_plugin_param_spec_cr3 (const char *what)
{
  g_autofree char *blurb = g_strdup_printf ("Address space (CR3) of the %s, default: every"
                                            " address space", what);

  /* The blurb is built here: GObject copies it (no G_PARAM_STATIC_BLURB). */
  return g_param_spec_uint64 ("cr3", "CR3", blurb, 0, G_MAXUINT64, IPT_ASID_NO_CR3,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                | G_PARAM_STATIC_NAME | G_PARAM_STATIC_NICK);
}

/* The field of @object that holds option @prop_id, NULL when it is not one. */
static gpointer
find_field (GObject *object, const IptProviderOption *options, gsize n_options, guint prop_id)
{
  for (gsize i = 0; i < n_options; i++)
    if (options[i].prop_id == prop_id)
      return (guint8 *) object + options[i].offset;
  return NULL;
}

/**
 * ipt_provider_options_get_property:
 * @object: the provider
 * @options: (array length=n_options): its options
 * @n_options: their number
 * @prop_id: the property asked for
 * @value: where its value goes
 * @pspec: its #GParamSpec
 *
 * The get_property of the options: call it first, handle the rest.
 *
 * Returns: %TRUE when @prop_id is one of @options (@value is set)
 */
gboolean
ipt_provider_options_get_property (GObject *object, const IptProviderOption *options,
                                 gsize n_options, guint prop_id, GValue *value,
                                 GParamSpec *pspec)
{
  gpointer field = find_field (object, options, n_options, prop_id);

  if (field == NULL)
    return FALSE;
  if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
    g_value_set_string (value, *(char **) field);
  else if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_BOOLEAN)
    g_value_set_boolean (value, *(gboolean *) field);
  else
    {
      g_return_val_if_fail (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_UINT64, FALSE);
      g_value_set_uint64 (value, *(guint64 *) field);
    }
  return TRUE;
}

/**
 * ipt_provider_options_set_property:
 * @object: the provider
 * @options: (array length=n_options): its options
 * @n_options: their number
 * @prop_id: the property being set
 * @value: its new value
 * @pspec: its #GParamSpec
 *
 * The set_property of the options: a string is copied (the old one freed).
 *
 * Returns: %TRUE when @prop_id is one of @options (the field is set)
 */
gboolean
ipt_provider_options_set_property (GObject *object, const IptProviderOption *options,
                                 gsize n_options, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  gpointer field = find_field (object, options, n_options, prop_id);

  if (field == NULL)
    return FALSE;
  if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
    {
      g_free (*(char **) field);
      *(char **) field = g_value_dup_string (value);
    }
  else if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_BOOLEAN)
    *(gboolean *) field = g_value_get_boolean (value);
  else
    {
      g_return_val_if_fail (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_UINT64, FALSE);
      *(guint64 *) field = g_value_get_uint64 (value);
    }
  return TRUE;
}

/**
 * ipt_provider_options_check_required:
 * @object: the provider
 * @who: the plugin's name, the message's prefix
 * @options: (array length=n_options): its options, in the order to check
 * @n_options: their number
 * @pspecs: the provider's pspecs, indexed by property id
 * @error: return location for an error
 *
 * For the init of a provider: every required option was given. GObject
 * sets every construct property, given or not, so a number's default is
 * the only way to tell that it was not given.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_BAD_OPTION "WHO: option
 *   'NAME' is required" for the first one missing
 */
gboolean
ipt_provider_options_check_required (GObject *object, const char *who,
                                   const IptProviderOption *options, gsize n_options,
                                   GParamSpec **pspecs, GError **error)
{
  for (gsize i = 0; i < n_options; i++)
    {
      GParamSpec *pspec = pspecs[options[i].prop_id];
      const guint8 *field = (const guint8 *) object + options[i].offset;
      gboolean missing;

      /* a boolean always has a value: it is never missing */
      if (!options[i].required || G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_BOOLEAN)
        continue;
      if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
        {
          const char *string = *(char *const *) (gconstpointer) field;

          missing = string == NULL || string[0] == '\0';
        }
      else
        missing = *(const guint64 *) (gconstpointer) field
                  == G_PARAM_SPEC_UINT64 (pspec)->default_value;
      if (missing)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                       "%s: option '%s' is required", who, pspec->name);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * ipt_provider_options_finalize:
 * @object: the provider, being finalized
 * @options: (array length=n_options): its options
 * @n_options: their number
 * @pspecs: the provider's pspecs, indexed by property id
 *
 * Frees the options' strings.
 */
void
ipt_provider_options_finalize (GObject *object, const IptProviderOption *options, gsize n_options,
                             GParamSpec **pspecs)
{
  for (gsize i = 0; i < n_options; i++)
    if (G_PARAM_SPEC_VALUE_TYPE (pspecs[options[i].prop_id]) == G_TYPE_STRING)
      g_clear_pointer ((char **) (gpointer) ((guint8 *) object + options[i].offset), g_free);
}
