/* ipt-plugin-registry.h: finds, loads and checks provider plugins. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-plugin.h>

G_BEGIN_DECLS

#define IPT_TYPE_PLUGIN_REGISTRY (ipt_plugin_registry_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptPluginRegistry, ipt_plugin_registry, IPT, PLUGIN_REGISTRY, GObject)

IPT_AVAILABLE_IN_ALL
IptPluginRegistry *ipt_plugin_registry_new (void);
IPT_AVAILABLE_IN_ALL
IptPluginRegistry *ipt_plugin_registry_get_default (void);
IPT_AVAILABLE_IN_ALL
const char *ipt_plugin_registry_get_installed_dir (void);
IPT_AVAILABLE_IN_ALL
void ipt_plugin_registry_scan_default_path (IptPluginRegistry *self);
IPT_AVAILABLE_IN_ALL
guint ipt_plugin_registry_scan_directory (IptPluginRegistry *self, const char *directory);
IPT_AVAILABLE_IN_ALL
IptPlugin *ipt_plugin_registry_load_file (IptPluginRegistry *self, const char *path,
                                          GError **error);
IPT_AVAILABLE_IN_ALL
IptPlugin *ipt_plugin_registry_lookup (IptPluginRegistry *self, const char *name);
IPT_AVAILABLE_IN_ALL
GListModel *ipt_plugin_registry_get_plugins (IptPluginRegistry *self);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_plugin_registry_get_failures (IptPluginRegistry *self);
IPT_AVAILABLE_IN_ALL
IptMemoryProvider *ipt_plugin_registry_new_provider (IptPluginRegistry *self,
                                                     const char *spec,
                                                     GCancellable *cancellable,
                                                     GError **error);

G_END_DECLS
