/* ipt-plugin.c: a loaded, checked provider plugin, and the construction of its
 * providers from options. Only the registry creates plugins, after it has
 * checked the descriptor and the provider type; the module is resident, so the
 * descriptor and the type stay valid for the life of the process. */
#include "config.h"

#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-plugin-private.h"

/**
 * IptPlugin:
 *
 * A provider plugin loaded by an #IptPluginRegistry: its name, version,
 * description and path, and the provider type it contributes. The options of
 * a plugin are the construct properties of its provider type; they can be
 * listed with ipt_plugin_list_options() (e.g. to build a form) and set from a
 * string with ipt_plugin_new_provider().
 *
 * Since: 0.1
 */
struct _IptPlugin {
  GObject parent_instance;

  GModule *module;
  char *name;
  char *version;
  char *description;
  char *path;
  GType provider_type;
  GTypeClass *provider_class;  /* held so that the pspecs below stay alive */
  GParamSpec **options;        /* NULL-terminated, pspecs owned by the class */
  guint n_options;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_VERSION,
  PROP_DESCRIPTION,
  PROP_PATH,
  PROP_PROVIDER_TYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (IptPlugin, ipt_plugin, G_TYPE_OBJECT)

static void
ipt_plugin_finalize (GObject *object)
{
  IptPlugin *self = IPT_PLUGIN (object);

  g_free (self->name);
  g_free (self->version);
  g_free (self->description);
  g_free (self->path);
  g_free (self->options);
  g_clear_pointer (&self->provider_class, g_type_class_unref);
  /* The module is resident; closing only drops our reference. */
  g_clear_pointer (&self->module, g_module_close);

  G_OBJECT_CLASS (ipt_plugin_parent_class)->finalize (object);
}

static void
ipt_plugin_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptPlugin *self = IPT_PLUGIN (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_VERSION:
      g_value_set_string (value, self->version);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_PROVIDER_TYPE:
      g_value_set_gtype (value, self->provider_type);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_plugin_class_init (IptPluginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_plugin_finalize;
  object_class->get_property = ipt_plugin_get_property;

  /**
   * IptPlugin:name:
   *
   * The plugin's name, as used in `--plugin NAME:…`.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name", "The plugin's name", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptPlugin:version:
   *
   * The plugin's version string.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_string ("version", "Version", "The plugin's version", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptPlugin:description:
   *
   * One line saying what the plugin provides.
   *
   * Since: 0.1
   */
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", "Description", "What the plugin provides", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptPlugin:path:
   *
   * The file the plugin was loaded from.
   *
   * Since: 0.1
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", "Path", "The file the plugin was loaded from", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * IptPlugin:provider-type:
   *
   * The #GType of the plugin's provider.
   *
   * Since: 0.1
   */
  properties[PROP_PROVIDER_TYPE] =
    g_param_spec_gtype ("provider-type", "Provider type", "The GType of the provider",
                        IPT_TYPE_MEMORY_PROVIDER,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_plugin_init (IptPlugin *self)
{
}

/* @module: (transfer full); @info and @provider_type checked by the registry. */
IptPlugin *
ipt_plugin_new_internal (GModule *module, const IptPluginInfo *info,
                         GType provider_type, const char *path)
{
  IptPlugin *self;
  g_autofree GParamSpec **all = NULL;
  guint n_all = 0;
  GPtrArray *options;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (g_type_is_a (provider_type, IPT_TYPE_MEMORY_PROVIDER), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (IPT_TYPE_PLUGIN, NULL);
  self->module = module;
  self->name = g_strdup (info->name);
  self->version = g_strdup (info->version != NULL ? info->version : "");
  self->description = g_strdup (info->description != NULL ? info->description : "");
  self->path = g_strdup (path);
  self->provider_type = provider_type;
  self->provider_class = g_type_class_ref (provider_type);

  /* Options: the writable construct properties, in declaration order. */
  all = g_object_class_list_properties (G_OBJECT_CLASS (self->provider_class), &n_all);
  options = g_ptr_array_new ();
  for (guint i = 0; i < n_all; i++)
    {
      GParamFlags flags = all[i]->flags;

      if ((flags & G_PARAM_WRITABLE) != 0 &&
          (flags & (G_PARAM_CONSTRUCT | G_PARAM_CONSTRUCT_ONLY)) != 0)
        g_ptr_array_add (options, all[i]);
    }
  self->n_options = options->len;
  g_ptr_array_add (options, NULL);
  self->options = (GParamSpec **) g_ptr_array_free (options, FALSE);

  return self;
}

/**
 * ipt_plugin_get_name:
 * @self: an #IptPlugin
 *
 * Gets the plugin's name (#IptPlugin:name).
 *
 * Returns: (transfer none): the plugin's name, as used in `--plugin NAME:…`
 *
 * Since: 0.1
 */
const char *
ipt_plugin_get_name (IptPlugin *self)
{
  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);
  return self->name;
}

/**
 * ipt_plugin_get_version:
 * @self: an #IptPlugin
 *
 * Gets the plugin's version (#IptPlugin:version).
 *
 * Returns: (transfer none): the plugin's version string (may be empty)
 *
 * Since: 0.1
 */
const char *
ipt_plugin_get_version (IptPlugin *self)
{
  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);
  return self->version;
}

/**
 * ipt_plugin_get_description:
 * @self: an #IptPlugin
 *
 * Gets the plugin's description (#IptPlugin:description).
 *
 * Returns: (transfer none): one line describing the plugin (may be empty)
 *
 * Since: 0.1
 */
const char *
ipt_plugin_get_description (IptPlugin *self)
{
  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);
  return self->description;
}

/**
 * ipt_plugin_get_path:
 * @self: an #IptPlugin
 *
 * Gets the file the plugin was loaded from (#IptPlugin:path).
 *
 * Returns: (transfer none) (type filename): the file the plugin was loaded
 *   from, as it was given to the registry
 *
 * Since: 0.1
 */
const char *
ipt_plugin_get_path (IptPlugin *self)
{
  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);
  return self->path;
}

/**
 * ipt_plugin_get_provider_type:
 * @self: an #IptPlugin
 *
 * Gets the type of the providers the plugin creates
 * (#IptPlugin:provider-type).
 *
 * Returns: the #GType of the plugin's provider; it implements
 *   #IptMemoryProvider and is instantiatable
 *
 * Since: 0.1
 */
GType
ipt_plugin_get_provider_type (IptPlugin *self)
{
  g_return_val_if_fail (IPT_IS_PLUGIN (self), G_TYPE_INVALID);
  return self->provider_type;
}

/**
 * ipt_plugin_list_options:
 * @self: an #IptPlugin
 * @n_options: (out) (optional): return location for the number of options
 *
 * Lists the options of the plugin: the writable construct and construct-only
 * properties of its provider type, in declaration order. Their nicks, blurbs,
 * defaults and bounds describe them to users.
 *
 * Returns: (transfer container) (array length=n_options): a %NULL-terminated
 *   array of the options' #GParamSpecs; free it with g_free()
 *
 * Since: 0.1
 */
GParamSpec **
ipt_plugin_list_options (IptPlugin *self, guint *n_options)
{
  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);

  if (n_options != NULL)
    *n_options = self->n_options;
  return g_memdup2 (self->options, (self->n_options + 1) * sizeof (GParamSpec *));
}

/**
 * ipt_plugin_new_provider:
 * @self: an #IptPlugin
 * @options: (nullable): the options as `KEY=VALUE[,KEY=VALUE…]`, or %NULL or
 *   "" for none
 * @cancellable: (nullable): a #GCancellable, passed to g_initable_init()
 * @error: return location for an error
 *
 * Creates a provider of @self's type with its options set from @options.
 * Keys are option (property) names; values are parsed according to the
 * option's type: strings and paths as written; integers in decimal or with a
 * `0x` prefix in hexadecimal, range-checked; booleans as `true`/`false`,
 * `yes`/`no`, `on`/`off` or `1`/`0`; enumerations by nick; flags as nicks
 * joined with `|`; floating-point numbers in C notation. In a value, write
 * `\,` for a comma and `\\` for a backslash.
 *
 * Errors: %IPT_ERROR_BAD_OPTION for an unknown key, a key given twice,
 * an element without `=` or without a key, or a value that does not parse or
 * is out of range, with a message such as
 * `plugin 'raw': option 'base': '0xzz' is not an unsigned integer`;
 * %IPT_ERROR_NOT_SUPPORTED for an option whose type cannot be written as text;
 * otherwise whatever the provider's g_initable_init() reports, unchanged
 * (providers start their messages with their plugin's name or their file).
 *
 * Returns: (transfer full) (nullable): the new provider, or %NULL with
 *   @error set
 *
 * Since: 0.1
 */
IptMemoryProvider *
ipt_plugin_new_provider (IptPlugin *self, const char *options,
                         GCancellable *cancellable, GError **error)
{
  g_autoptr(IptPluginOptions) parsed = NULL;

  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = ipt_plugin_options_parse (self->name, self->options, self->n_options,
                                     options, error);
  if (parsed == NULL)
    return NULL;

  return ipt_plugin_new_provider_with_properties (self, parsed->names->len,
                                                  (const char * const *) parsed->names->pdata,
                                                  (const GValue *) parsed->values->data,
                                                  cancellable, error);
}

static GParamSpec *
find_option (IptPlugin *self, const char *name)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (self->provider_class), name);

  for (guint i = 0; pspec != NULL && i < self->n_options; i++)
    if (self->options[i] == pspec)
      return pspec;
  return NULL;
}

/**
 * ipt_plugin_new_provider_with_properties:
 * @self: an #IptPlugin
 * @n_properties: the number of properties
 * @names: (array length=n_properties): the names of the options to set
 * @values: (array length=n_properties): the values of the options
 * @cancellable: (nullable): a #GCancellable, passed to g_initable_init()
 * @error: return location for an error
 *
 * Creates a provider of @self's type with the given options, and initialises
 * it with g_initable_init() when it implements #GInitable, for callers that
 * already hold typed values (a GUI form, a binding). Each name must be one of
 * ipt_plugin_list_options(), at most once, and each value must hold (or be
 * transformable into) the option's type.
 *
 * Errors: %IPT_ERROR_BAD_OPTION for an unknown or repeated name or a
 * value of the wrong type; otherwise whatever the provider's
 * g_initable_init() reports, unchanged.
 *
 * Returns: (transfer full) (nullable): the new provider, or %NULL with
 *   @error set
 *
 * Since: 0.1
 */
IptMemoryProvider *
ipt_plugin_new_provider_with_properties (IptPlugin *self, guint n_properties,
                                         const char * const *names,
                                         const GValue *values,
                                         GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(GError) local_error = NULL;
  GObject *object;

  g_return_val_if_fail (IPT_IS_PLUGIN (self), NULL);
  g_return_val_if_fail (n_properties == 0 || (names != NULL && values != NULL), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* GObject would only g_critical() on these; they are caller errors that a
   * form or a binding can make, so report them. */
  seen = g_ptr_array_new ();
  for (guint i = 0; i < n_properties; i++)
    {
      GParamSpec *pspec = names[i] != NULL ? find_option (self, names[i]) : NULL;
      GType have = G_VALUE_TYPE (&values[i]);

      if (pspec == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                       "plugin '%s': unknown option '%s'", self->name,
                       names[i] != NULL ? names[i] : "(null)");
          return NULL;
        }
      if (g_ptr_array_find (seen, pspec, NULL))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                       "plugin '%s': option '%s' is given twice", self->name, pspec->name);
          return NULL;
        }
      g_ptr_array_add (seen, pspec);
      if (have == G_TYPE_INVALID ||
          (!g_value_type_compatible (have, pspec->value_type) &&
           !g_value_type_transformable (have, pspec->value_type)))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                       "plugin '%s': option '%s' needs a %s, not a %s", self->name,
                       pspec->name, g_type_name (pspec->value_type),
                       have != G_TYPE_INVALID ? g_type_name (have) : "unset value");
          return NULL;
        }
    }

  /* g_initable_new_with_properties() is newer than our GLib baseline. */
  object = g_object_new_with_properties (self->provider_type, n_properties,
                                         (const char **) names, values);
  if (G_IS_INITABLE (object) &&
      !g_initable_init (G_INITABLE (object), cancellable, &local_error))
    g_clear_object (&object);

  if (object == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new (IPT_ERROR, IPT_ERROR_FAILED,
                                   "%s: the provider failed without saying why", self->name);
      /* The provider's own message names its file and problem (and, by
       * convention, starts with the plugin's name): passed on unchanged. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return IPT_MEMORY_PROVIDER (object);
}

/* The mark of a string option that names a file (GParamSpec qdata). */
#define FILENAME_MARK "ipt-option-filename"

/**
 * ipt_option_set_filename:
 * @pspec: a string property of a provider, one of its options
 *
 * Marks an option as a file name, for front ends that build a form from a
 * plugin's options (ipt_plugin_list_options()): ipt-view shows a file
 * chooser for it. Call it in the provider's class_init on the property's
 * #GParamSpec before installing it; the value stays a string (a path, as
 * the command line gives it). A #GFile property needs no mark.
 *
 * Since: 0.1
 */
void
ipt_option_set_filename (GParamSpec *pspec)
{
  g_return_if_fail (G_IS_PARAM_SPEC_STRING (pspec));

  g_param_spec_set_qdata (pspec, g_quark_from_static_string (FILENAME_MARK),
                          GINT_TO_POINTER (TRUE));
}

/**
 * ipt_option_is_filename:
 * @pspec: an option of a plugin (ipt_plugin_list_options())
 *
 * Tells a front end building a form whether to offer a file chooser for
 * the option.
 *
 * Returns: whether the option names a file: a #GFile property, or a
 *   string one marked with ipt_option_set_filename()
 *
 * Since: 0.1
 */
gboolean
ipt_option_is_filename (GParamSpec *pspec)
{
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);

  return g_type_is_a (G_PARAM_SPEC_VALUE_TYPE (pspec), G_TYPE_FILE) ||
         (G_IS_PARAM_SPEC_STRING (pspec) &&
          g_param_spec_get_qdata (pspec, g_quark_from_static_string (FILENAME_MARK)) != NULL);
}
