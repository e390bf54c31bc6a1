/* plugin-test.c: helpers for the tests of one built provider plugin. */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <gmodule.h>

#include "plugin-test.h"

/* Opens build/plugins/ipt-plugin-@name.so (made resident) and returns what
 * its ipt_plugin_query() describes, checked for our ABI and @name. */
const IptPluginInfo *
plugin_test_load (const char *name)
{
  g_autofree char *file = g_strdup_printf ("ipt-plugin-%s.so", name);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "plugins", file, NULL);
  const IptPluginInfo *info;
  IptPluginQueryFunc query;
  GModule *module;

  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    g_error ("%s: %s", path, g_module_error ());
  g_module_make_resident (module);
  if (!g_module_symbol (module, "ipt_plugin_query", (gpointer *) &query))
    g_error ("%s: %s", path, g_module_error ());
  info = query ();
  g_assert_nonnull (info);
  g_assert_cmpuint (info->abi_version, ==, IPT_PLUGIN_ABI_VERSION);
  g_assert_cmpstr (info->name, ==, name);
  return info;
}

/* Asserts @error and that its message names @plugin first, the file (when
 * given) and each of the NULL-terminated fragments. */
void
plugin_test_assert_error_names (const GError *error, int code, const char *plugin,
                                const char *file, ...)
{
  g_autofree char *prefix = g_strconcat (plugin, ": ", NULL);
  va_list ap;
  const char *fragment;

  g_assert_error (error, IPT_ERROR, code);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  if (file != NULL)
    {
      g_autofree char *abs = g_canonicalize_filename (file, NULL);

      if (strstr (error->message, abs) == NULL)
        g_error ("message '%s' does not name %s", error->message, abs);
    }
  va_start (ap, file);
  while ((fragment = va_arg (ap, const char *)) != NULL)
    if (strstr (error->message, fragment) == NULL)
      g_error ("message '%s' does not say '%s'", error->message, fragment);
  va_end (ap);
}
