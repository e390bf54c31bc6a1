/* ipt-plugin.h: what a provider plugin exports, and the loaded-plugin object. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gmodule.h>
#include <glib-object.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-version.h>
#include <ipt-analyze/ipt-memory-provider.h>

G_BEGIN_DECLS

/**
 * IPT_PLUGIN_ABI_VERSION:
 *
 * The version of #IptPluginInfo's layout and of the provider interface that
 * plugins are built against. The registry refuses plugins with another value.
 *
 * Since: 0.1
 */
#define IPT_PLUGIN_ABI_VERSION (1u)

/**
 * IptPluginInfo:
 * @abi_version: %IPT_PLUGIN_ABI_VERSION of the headers the plugin was built with; always first
 * @name: the plugin's name, as used in `--plugin NAME:…` (lower case, no ':' or ',')
 * @version: the plugin's version string
 * @description: one line saying what the plugin provides
 * @get_provider_type: returns the GType of the provider, which implements
 *   #IptMemoryProvider and #GInitable
 *
 * The descriptor a plugin returns from `ipt_plugin_query()`. Declare it with
 * IPT_PLUGIN_DEFINE().
 *
 * Since: 0.1
 */
typedef struct {
  guint32 abi_version;
  const char *name;
  const char *version;
  const char *description;
  GType (*get_provider_type) (void);

  /*< private >*/
  gpointer _ipt_reserved[8];
} IptPluginInfo;

/**
 * IPT_PLUGIN_DEFINE:
 * @name: the plugin's name, a string literal
 * @description: one line describing the plugin, a string literal
 * @provider_get_type: the `*_get_type` function of the plugin's provider
 *
 * Defines and exports `ipt_plugin_query()` for a plugin. Use it once, in one
 * source file of the plugin. The plugin's version is IPT_PLUGIN_VERSION when
 * defined before this macro, otherwise the ipt-analyze version.
 *
 * Since: 0.1
 */
#ifndef IPT_PLUGIN_VERSION
#define IPT_PLUGIN_VERSION IPT_ANALYZE_VERSION_STRING
#endif
#define IPT_PLUGIN_DEFINE(name, description, provider_get_type)           \
  G_MODULE_EXPORT const IptPluginInfo *ipt_plugin_query (void);           \
  G_MODULE_EXPORT const IptPluginInfo *                                   \
  ipt_plugin_query (void)                                                 \
  {                                                                       \
    static const IptPluginInfo info = {                                   \
      IPT_PLUGIN_ABI_VERSION, (name), IPT_PLUGIN_VERSION, (description),  \
      (provider_get_type), { NULL }                                       \
    };                                                                    \
    return &info;                                                         \
  }

/**
 * IptPluginQueryFunc:
 *
 * The type of `ipt_plugin_query()`, the one symbol a plugin exports.
 *
 * Returns: (transfer none) (nullable): the plugin's static descriptor
 *
 * Since: 0.1
 */
typedef const IptPluginInfo *(*IptPluginQueryFunc) (void);

#define IPT_TYPE_PLUGIN (ipt_plugin_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptPlugin, ipt_plugin, IPT, PLUGIN, GObject)

IPT_AVAILABLE_IN_ALL
const char *ipt_plugin_get_name (IptPlugin *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_plugin_get_version (IptPlugin *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_plugin_get_description (IptPlugin *self);
IPT_AVAILABLE_IN_ALL
const char *ipt_plugin_get_path (IptPlugin *self);
IPT_AVAILABLE_IN_ALL
GType ipt_plugin_get_provider_type (IptPlugin *self);
IPT_AVAILABLE_IN_ALL
GParamSpec **ipt_plugin_list_options (IptPlugin *self, guint *n_options);
IPT_AVAILABLE_IN_ALL
IptMemoryProvider *ipt_plugin_new_provider (IptPlugin *self, const char *options,
                                            GCancellable *cancellable, GError **error);
IPT_AVAILABLE_IN_ALL
IptMemoryProvider *ipt_plugin_new_provider_with_properties (IptPlugin *self,
                                                            guint n_properties,
                                                            const char * const *names,
                                                            const GValue *values,
                                                            GCancellable *cancellable,
                                                            GError **error);

IPT_AVAILABLE_IN_ALL
void ipt_option_set_filename (GParamSpec *pspec);
IPT_AVAILABLE_IN_ALL
gboolean ipt_option_is_filename (GParamSpec *pspec);

G_END_DECLS
