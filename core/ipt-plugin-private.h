/* ipt-plugin-private.h: internals shared by the plugin object, the registry
 * and the option-string parser. The parsers here take untrusted text (command
 * lines, GUI fields) and must never crash on it: they are fuzzed. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* IptPluginOptions: option values parsed from "KEY=VALUE,…", ready for
 * g_object_new_with_properties(). @names holds the pspecs' own (static)
 * names; @values holds initialised GValues of the pspecs' value types. */
typedef struct {
  GPtrArray *names;  /* element-type: const char * */
  GArray *values;    /* element-type: GValue */
} IptPluginOptions;

G_GNUC_INTERNAL
void ipt_plugin_options_free (IptPluginOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPluginOptions, ipt_plugin_options_free)

G_GNUC_INTERNAL
gboolean ipt_plugin_name_is_valid (const char *name);

G_GNUC_INTERNAL
gboolean ipt_plugin_spec_split (const char *spec, char **name, char **options,
                                GError **error);

G_GNUC_INTERNAL
IptPluginOptions *ipt_plugin_options_parse (const char *plugin_name,
                                            GParamSpec * const *pspecs,
                                            guint n_pspecs,
                                            const char *options,
                                            GError **error);

G_GNUC_INTERNAL
gboolean ipt_plugin_option_value_parse (GParamSpec *pspec, const char *text,
                                        GValue *value, GError **error);

G_GNUC_INTERNAL
IptPlugin *ipt_plugin_new_internal (GModule *module, const IptPluginInfo *info,
                                    GType provider_type, const char *path);

G_END_DECLS
