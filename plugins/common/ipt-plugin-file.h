/* ipt-plugin-file.h: opening a file a provider plugin is given (a mapped file
 * with the plugin's messages), shared by the provider plugins.
 *
 * Compiled into each plugin module that uses it (plugins/common/meson.build);
 * nothing here is exported from a module. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL
void ipt_plugin_file_set_error_from_errno (GError **error, const char *who, const char *path,
                                           int errsv);
G_GNUC_INTERNAL
gboolean ipt_plugin_file_check_regular (const char *who, const char *path, GError **error);
G_GNUC_INTERNAL
GMappedFile *ipt_plugin_file_map_regular (const char *who, const char *path, GError **error);
G_GNUC_INTERNAL
GMappedFile *ipt_plugin_file_map (const char *who, const char *path, GError **error);
G_GNUC_INTERNAL
char *ipt_plugin_file_show (const char *path);

G_END_DECLS
