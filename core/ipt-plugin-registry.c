/* ipt-plugin-registry.c: finds plugin files, loads them, checks them before
 * trusting them, and builds providers from "NAME:KEY=VALUE,…" specifications.
 * A bad plugin file is reported (path and reason) and skipped: it must never
 * take the host down or keep the good plugins from loading. Modules are made
 * resident and never unloaded: a plugin may have registered static types. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-plugin-private.h"

/**
 * IptPluginRegistry:
 *
 * Loads provider plugins and keeps them by name, in load order.
 *
 * ipt_plugin_registry_scan_default_path() scans, in this order, every
 * directory of the `IPT_PLUGIN_PATH` environment variable (separated by
 * colons), then the system directory: `IPT_PLUGIN_SYSTEM_PATH` when it is
 * set (an empty value means none, which test suites use so that installed
 * plugins never leak in), else the installed plugin directory
 * (ipt_plugin_registry_get_installed_dir(), the `pluginsdir` variable of
 * `ipt-analyze-1.pc`). When two plugins have the same name, the first one
 * loaded wins, so `IPT_PLUGIN_PATH` overrides installed plugins.
 *
 * A file that cannot be used as a plugin is skipped and reported as a
 * warning in the `Ipt` log domain, one each, in the form
 * `skipping plugin PATH: REASON` (programs choose how to print it);
 * the reports are also kept, see ipt_plugin_registry_get_failures().
 *
 * Loading is serialized by a lock, so a registry may be shared between
 * threads; a plugin must not call back into the registry while it is loaded.
 *
 * Since: 0.1
 */
struct _IptPluginRegistry {
  GObject parent_instance;

  GRecMutex lock;
  GListStore *plugins;       /* IptPlugin, in load order */
  GHashTable *by_name;       /* name -> IptPlugin (borrowed) */
  GHashTable *by_realpath;   /* canonical path -> IptPlugin (borrowed) */
  GHashTable *failed;        /* canonical paths a scan already reported */
  GPtrArray *failures;       /* GError, reported by scans */
};

G_DEFINE_FINAL_TYPE (IptPluginRegistry, ipt_plugin_registry, G_TYPE_OBJECT)

static void
ipt_plugin_registry_finalize (GObject *object)
{
  IptPluginRegistry *self = IPT_PLUGIN_REGISTRY (object);

  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->by_realpath, g_hash_table_unref);
  g_clear_pointer (&self->failed, g_hash_table_unref);
  g_clear_pointer (&self->failures, g_ptr_array_unref);
  g_clear_object (&self->plugins);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ipt_plugin_registry_parent_class)->finalize (object);
}

static void
ipt_plugin_registry_class_init (IptPluginRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ipt_plugin_registry_finalize;
}

static void
ipt_plugin_registry_init (IptPluginRegistry *self)
{
  g_rec_mutex_init (&self->lock);
  self->plugins = g_list_store_new (IPT_TYPE_PLUGIN);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_realpath = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
}

/**
 * ipt_plugin_registry_new:
 *
 * Creates an empty registry. Fill it with ipt_plugin_registry_scan_default_path(),
 * ipt_plugin_registry_scan_directory() or ipt_plugin_registry_load_file().
 * Most programs use ipt_plugin_registry_get_default() instead.
 *
 * Returns: (transfer full): a new, empty #IptPluginRegistry
 *
 * Since: 0.1
 */
IptPluginRegistry *
ipt_plugin_registry_new (void)
{
  return g_object_new (IPT_TYPE_PLUGIN_REGISTRY, NULL);
}

static gpointer
create_default (gpointer data)
{
  IptPluginRegistry *registry = ipt_plugin_registry_new ();

  ipt_plugin_registry_scan_default_path (registry);
  return registry;
}

/**
 * ipt_plugin_registry_get_default:
 *
 * Gets the process-wide registry. The first call creates it and scans the
 * default path (see ipt_plugin_registry_scan_default_path()); it is safe to
 * call from several threads at once.
 *
 * Returns: (transfer none): the default #IptPluginRegistry
 *
 * Since: 0.1
 */
IptPluginRegistry *
ipt_plugin_registry_get_default (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, create_default, NULL);
  return once.retval;
}

/**
 * ipt_plugin_registry_get_installed_dir:
 *
 * Gets the directory where plugins are installed, `$libdir/ipt-analyze-1/plugins`;
 * the same as the `pluginsdir` variable of `ipt-analyze-1.pc`.
 *
 * Returns: (transfer none) (type filename): the installed plugin directory
 *
 * Since: 0.1
 */
const char *
ipt_plugin_registry_get_installed_dir (void)
{
  return IPT_PLUGINSDIR;
}

static void
report_failure (IptPluginRegistry *self, const GError *error)
{
  /* Logged, not printed: the program that uses the library decides how
   * (ipt-analyze prints "ipt-analyze: warning: skipping plugin ..."). */
  g_warning ("skipping plugin %s", error->message);
  g_ptr_array_add (self->failures, g_error_copy (error));
}

static void
scan_path_list (IptPluginRegistry *self, const char *list)
{
  g_auto(GStrv) dirs = g_strsplit (list, G_SEARCHPATH_SEPARATOR_S, -1);

  for (guint i = 0; dirs[i] != NULL; i++)
    if (dirs[i][0] != '\0')
      ipt_plugin_registry_scan_directory (self, dirs[i]);
}

/**
 * ipt_plugin_registry_scan_default_path:
 * @self: an #IptPluginRegistry
 *
 * Scans every directory of `IPT_PLUGIN_PATH` (colon-separated, in order,
 * empty entries ignored), then `IPT_PLUGIN_SYSTEM_PATH` if it is set (it may
 * also list several directories; empty means none) or else the installed
 * plugin directory. Directories that do not exist are skipped silently;
 * files that are not valid plugins are reported and skipped, as in
 * ipt_plugin_registry_scan_directory().
 *
 * Since: 0.1
 */
void
ipt_plugin_registry_scan_default_path (IptPluginRegistry *self)
{
  const char *user, *system;

  g_return_if_fail (IPT_IS_PLUGIN_REGISTRY (self));

  user = g_getenv ("IPT_PLUGIN_PATH");
  if (user != NULL)
    scan_path_list (self, user);

  system = g_getenv ("IPT_PLUGIN_SYSTEM_PATH");
  if (system == NULL)
    system = ipt_plugin_registry_get_installed_dir ();
  scan_path_list (self, system);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static IptPlugin *load_locked (IptPluginRegistry *self, const char *path,
                               gboolean *was_loaded, char **real_out, GError **error);

/**
 * ipt_plugin_registry_scan_directory:
 * @self: an #IptPluginRegistry
 * @directory: (type filename): a directory of plugins
 *
 * Loads every file of @directory whose name ends in `.so`, in byte order of
 * their names, so that the result does not depend on the file system. A file
 * that fails to load is logged as a warning (`Ipt` domain)
 * `skipping plugin PATH: REASON`, kept in
 * ipt_plugin_registry_get_failures() and skipped; the other files still load.
 * Files already loaded (also through another path to the same file) are
 * skipped silently, as are failures that an earlier scan already reported.
 * A directory that does not exist is not an error; one that cannot be read
 * is reported like a bad plugin.
 *
 * Returns: the number of plugins newly loaded from @directory
 *
 * Since: 0.1
 */
guint
ipt_plugin_registry_scan_directory (IptPluginRegistry *self, const char *directory)
{
  g_autoptr(GPtrArray) names = NULL;
  struct dirent *entry;
  DIR *dir;
  guint loaded = 0;

  g_return_val_if_fail (IPT_IS_PLUGIN_REGISTRY (self), 0);
  g_return_val_if_fail (directory != NULL, 0);

  g_rec_mutex_lock (&self->lock);

  dir = opendir (directory);
  if (dir == NULL)
    {
      int saved = errno;

      if (saved != ENOENT)
        {
          g_autoptr(GError) failure =
            g_error_new (IPT_ERROR, IPT_ERROR_IO, "%s: cannot read the plugin directory (%s)",
                         directory, g_strerror (saved));
          report_failure (self, failure);
        }
      g_rec_mutex_unlock (&self->lock);
      return 0;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  while ((entry = readdir (dir)) != NULL)
    if (g_str_has_suffix (entry->d_name, ".so"))
      g_ptr_array_add (names, g_strdup (entry->d_name));
  closedir (dir);
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (directory, g_ptr_array_index (names, i), NULL);
      g_autofree char *real = NULL;
      g_autoptr(GError) load_error = NULL;
      gboolean was_loaded = FALSE;

      if (load_locked (self, path, &was_loaded, &real, &load_error) != NULL)
        {
          if (!was_loaded)
            loaded++;
          continue;
        }

      if (real != NULL && g_hash_table_contains (self->failed, real))
        continue;
      if (real != NULL)
        g_hash_table_add (self->failed, g_steal_pointer (&real));
      report_failure (self, load_error);
    }

  g_rec_mutex_unlock (&self->lock);
  return loaded;
}

static void
set_plugin_error (GError **error, IptError code, const char *path, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static void
set_plugin_error (GError **error, IptError code, const char *path, const char *format, ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, IPT_ERROR, code, "%s: %s", path, reason);
}

/* dlerror() messages start with the path; ours already does. */
static const char *
strip_path (const char *message, const char *path)
{
  gsize len = strlen (path);

  if (strncmp (message, path, len) == 0 && message[len] == ':')
    {
      message += len + 1;
      while (*message == ' ')
        message++;
    }
  return message;
}

static IptPlugin *
load_locked (IptPluginRegistry *self, const char *path, gboolean *was_loaded,
             char **real_out, GError **error)
{
  g_autoptr(GError) module_error = NULL;
  g_autofree char *real = NULL;
  GModule *module;
  gpointer symbol = NULL;
  const IptPluginInfo *info;
  IptPlugin *existing;
  GType type;
  g_autoptr(IptPlugin) plugin = NULL;

  *was_loaded = FALSE;

  real = realpath (path, NULL);
  if (real == NULL)
    {
      int saved = errno;

      set_plugin_error (error, saved == ENOENT ? IPT_ERROR_NOT_FOUND : IPT_ERROR_IO,
                        path, "%s", g_strerror (saved));
      return NULL;
    }
  if (real_out != NULL)
    *real_out = g_strdup (real);

  /* dlopen() hands back the same module for the same file: not a duplicate. */
  existing = g_hash_table_lookup (self->by_realpath, real);
  if (existing != NULL)
    {
      *was_loaded = TRUE;
      return existing;
    }

  if (!g_file_test (real, G_FILE_TEST_IS_REGULAR))
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path, "not a regular file");
      return NULL;
    }

  /* Open the canonical path: a name without '/' would make dlopen() search
   * the library path instead. */
  module = g_module_open_full (real, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, &module_error);
  if (module == NULL)
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "not a loadable shared object (%s)",
                        strip_path (strip_path (module_error->message, real), path));
      return NULL;
    }
  /* A plugin may register static types: it must never be unloaded. */
  g_module_make_resident (module);

  if (!g_module_symbol (module, "ipt_plugin_query", &symbol) || symbol == NULL)
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "no ipt_plugin_query symbol (not an ipt-analyze plugin, "
                        "or built without IPT_PLUGIN_DEFINE)");
      g_module_close (module);
      return NULL;
    }

  info = ((IptPluginQueryFunc) symbol) ();
  if (info == NULL)
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path, "ipt_plugin_query() returned NULL");
      g_module_close (module);
      return NULL;
    }

  /* The ABI version is the only field that may be read before it is checked. */
  if (info->abi_version != IPT_PLUGIN_ABI_VERSION)
    {
      set_plugin_error (error, IPT_ERROR_ABI_MISMATCH, path,
                        "plugin ABI version %u, expected %u (rebuild the plugin "
                        "against this version of ipt-analyze)",
                        (guint) info->abi_version, (guint) IPT_PLUGIN_ABI_VERSION);
      g_module_close (module);
      return NULL;
    }

  if (info->name == NULL || info->name[0] == '\0')
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path, "the plugin has no name");
      g_module_close (module);
      return NULL;
    }
  if (!ipt_plugin_name_is_valid (info->name))
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "plugin name '%s' is not valid (lower-case letters, digits, "
                        "'-' and '_', starting with a letter)", info->name);
      g_module_close (module);
      return NULL;
    }

  existing = g_hash_table_lookup (self->by_name, info->name);
  if (existing != NULL)
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "a plugin named '%s' is already loaded from %s",
                        info->name, ipt_plugin_get_path (existing));
      g_module_close (module);
      return NULL;
    }

  if (info->get_provider_type == NULL)
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "plugin '%s' has no get_provider_type function", info->name);
      g_module_close (module);
      return NULL;
    }

  type = info->get_provider_type ();
  if (type == G_TYPE_INVALID)
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "plugin '%s': registering its provider type failed "
                        "(get_provider_type() returned G_TYPE_INVALID)", info->name);
      g_module_close (module);
      return NULL;
    }
  if (!g_type_is_a (type, G_TYPE_OBJECT) || !G_TYPE_IS_INSTANTIATABLE (type) ||
      G_TYPE_IS_ABSTRACT (type))
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "plugin '%s': provider type %s is not an instantiatable "
                        "GObject type", info->name, g_type_name (type));
      g_module_close (module);
      return NULL;
    }
  if (!g_type_is_a (type, IPT_TYPE_MEMORY_PROVIDER))
    {
      set_plugin_error (error, IPT_ERROR_PLUGIN, path,
                        "plugin '%s': provider type %s does not implement IptMemoryProvider",
                        info->name, g_type_name (type));
      g_module_close (module);
      return NULL;
    }

  plugin = ipt_plugin_new_internal (module, info, type, path);
  g_list_store_append (self->plugins, plugin);
  g_hash_table_insert (self->by_name, (gpointer) ipt_plugin_get_name (plugin), plugin);
  g_hash_table_insert (self->by_realpath, g_steal_pointer (&real), plugin);
  return plugin;  /* the store holds the reference */
}

/**
 * ipt_plugin_registry_load_file:
 * @self: an #IptPluginRegistry
 * @path: (type filename): a plugin file
 *
 * Loads one plugin file: opens it as a module (made resident), calls its
 * `ipt_plugin_query()`, and checks the descriptor and the provider type
 * before adding the plugin. Loading a file that is already loaded (also
 * through another path, e.g. a symbolic link) returns the plugin loaded
 * before. Failures are returned, not reported on standard error.
 *
 * Errors, each with a message that starts with @path and gives the reason:
 * %IPT_ERROR_NOT_FOUND if @path does not exist;
 * %IPT_ERROR_ABI_MISMATCH if the plugin was built for another
 * %IPT_PLUGIN_ABI_VERSION (the message says "ABI");
 * %IPT_ERROR_PLUGIN if the file is not a loadable shared object, does not
 * export `ipt_plugin_query`, whose result is %NULL, has no or an invalid
 * name, a name already loaded from another file (naming that file), no type
 * getter, or a provider type that is invalid, abstract, not a #GObject or
 * does not implement #IptMemoryProvider; %IPT_ERROR_IO for other file errors.
 *
 * Returns: (transfer none) (nullable): the plugin, owned by @self, or %NULL
 *   with @error set
 *
 * Since: 0.1
 */
IptPlugin *
ipt_plugin_registry_load_file (IptPluginRegistry *self, const char *path, GError **error)
{
  IptPlugin *plugin;
  gboolean was_loaded;

  g_return_val_if_fail (IPT_IS_PLUGIN_REGISTRY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_rec_mutex_lock (&self->lock);
  plugin = load_locked (self, path, &was_loaded, NULL, error);
  g_rec_mutex_unlock (&self->lock);
  return plugin;
}

/**
 * ipt_plugin_registry_lookup:
 * @self: an #IptPluginRegistry
 * @name: a plugin name
 *
 * Finds a loaded plugin by its name.
 *
 * Returns: (transfer none) (nullable): the plugin called @name, or %NULL
 *
 * Since: 0.1
 */
IptPlugin *
ipt_plugin_registry_lookup (IptPluginRegistry *self, const char *name)
{
  IptPlugin *plugin;

  g_return_val_if_fail (IPT_IS_PLUGIN_REGISTRY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_rec_mutex_lock (&self->lock);
  plugin = g_hash_table_lookup (self->by_name, name);
  g_rec_mutex_unlock (&self->lock);
  return plugin;
}

/**
 * ipt_plugin_registry_get_plugins:
 * @self: an #IptPluginRegistry
 *
 * Gets the loaded plugins in load order. The model grows as more plugins
 * are loaded; it never shrinks.
 *
 * Returns: (transfer none): a #GListModel of #IptPlugin
 *
 * Since: 0.1
 */
GListModel *
ipt_plugin_registry_get_plugins (IptPluginRegistry *self)
{
  g_return_val_if_fail (IPT_IS_PLUGIN_REGISTRY (self), NULL);
  return G_LIST_MODEL (self->plugins);
}

/**
 * ipt_plugin_registry_get_failures:
 * @self: an #IptPluginRegistry
 *
 * Gets the failures that scanning reported and skipped so far, in the order
 * they happened: each error's message starts with the file's path and gives
 * the reason, as in the logged warning. Failures of
 * ipt_plugin_registry_load_file() are returned to its caller instead.
 *
 * Returns: (transfer container) (element-type GError): copies of the errors; the array frees them
 *
 * Since: 0.1
 */
GPtrArray *
ipt_plugin_registry_get_failures (IptPluginRegistry *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (IPT_IS_PLUGIN_REGISTRY (self), NULL);

  g_rec_mutex_lock (&self->lock);
  copy = g_ptr_array_new_full (self->failures->len, (GDestroyNotify) g_error_free);
  for (guint i = 0; i < self->failures->len; i++)
    g_ptr_array_add (copy, g_error_copy (g_ptr_array_index (self->failures, i)));
  g_rec_mutex_unlock (&self->lock);
  return copy;
}

/**
 * ipt_plugin_registry_new_provider:
 * @self: an #IptPluginRegistry
 * @spec: a specification `NAME[:KEY=VALUE[,KEY=VALUE…]]`, as given to `--plugin`
 * @cancellable: (nullable): a #GCancellable, passed to g_initable_init()
 * @error: return location for an error
 *
 * Creates a provider from a plugin specification: the plugin called NAME,
 * with the options after the first ':' (see ipt_plugin_new_provider() for
 * their syntax, including `\,` for a comma inside a value).
 *
 * Errors: %IPT_ERROR_INVALID_ARGUMENT if @spec has no name or its options are
 * malformed; %IPT_ERROR_NOT_FOUND if no plugin of that name is loaded (the
 * message lists the loaded ones); otherwise as ipt_plugin_new_provider().
 *
 * Returns: (transfer full) (nullable): the new provider, or %NULL with
 *   @error set
 *
 * Since: 0.1
 */
IptMemoryProvider *
ipt_plugin_registry_new_provider (IptPluginRegistry *self, const char *spec,
                                  GCancellable *cancellable, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *options = NULL;
  IptPlugin *plugin;

  g_return_val_if_fail (IPT_IS_PLUGIN_REGISTRY (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ipt_plugin_spec_split (spec, &name, &options, error))
    return NULL;

  g_rec_mutex_lock (&self->lock);
  plugin = g_hash_table_lookup (self->by_name, name);
  if (plugin == NULL)
    {
      GListModel *model = G_LIST_MODEL (self->plugins);
      guint n = g_list_model_get_n_items (model);
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(IptPlugin) p = g_list_model_get_item (model, i);

          g_string_append_printf (known, "%s%s", i ? ", " : "", ipt_plugin_get_name (p));
        }
      g_rec_mutex_unlock (&self->lock);
      if (n == 0)
        g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                     "unknown plugin '%s' (no plugins are loaded; they are searched "
                     "in IPT_PLUGIN_PATH and %s)", name,
                     ipt_plugin_registry_get_installed_dir ());
      else
        g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                     "unknown plugin '%s' (plugins: %s)", name, known->str);
      return NULL;
    }
  g_rec_mutex_unlock (&self->lock);

  /* Plugins are never removed, so @plugin stays valid without the lock. */
  return ipt_plugin_new_provider (plugin, options, cancellable, error);
}
