/* ipt-provider-options.h: the options of a provider plugin, declared once.
 *
 * A provider's options are construct-only properties of its instance:
 * files (strings, most of them required), numbers (guint64) and the `cr3`
 * every provider has. Each provider lists them in a table of
 * #IptProviderOption (property id, field of the instance, required or not);
 * these helpers then make the file and cr3 pspecs, do get_property and
 * set_property for the listed ones, check at init that the required ones
 * were given, and free the strings at finalize. Shared by the provider
 * plugins; nothing here is exported from a module. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/**
 * IptProviderOption:
 * @prop_id: the property's id in the provider's class
 * @offset: where the option's value is in the instance: a `char *` for a
 *   string property, a `guint64` for a guint64 one, a `gboolean` for a boolean
 * @required: init fails when the option keeps its default (a string that
 *   is %NULL or empty, a number equal to the pspec's default, which then
 *   means "not given")
 *
 * One option of a provider; see IPT_PROVIDER_OPTION().
 */
typedef struct {
  guint prop_id;
  gsize offset;
  gboolean required;
} IptProviderOption;

/* An #IptProviderOption for @field of the instance struct @type. */
#define IPT_PROVIDER_OPTION(prop_id, type, field, required) \
  { (prop_id), G_STRUCT_OFFSET (type, field), (required) }

G_GNUC_INTERNAL
GParamSpec *ipt_plugin_param_spec_file (const char *name, const char *nick, const char *blurb);
G_GNUC_INTERNAL
GParamSpec *ipt_plugin_param_spec_cr3 (const char *what);

G_GNUC_INTERNAL
gboolean ipt_provider_options_get_property (GObject *object, const IptProviderOption *options,
                                          gsize n_options, guint prop_id, GValue *value,
                                          GParamSpec *pspec);
G_GNUC_INTERNAL
gboolean ipt_provider_options_set_property (GObject *object, const IptProviderOption *options,
                                          gsize n_options, guint prop_id, const GValue *value,
                                          GParamSpec *pspec);
G_GNUC_INTERNAL
gboolean ipt_provider_options_check_required (GObject *object, const char *who,
                                            const IptProviderOption *options, gsize n_options,
                                            GParamSpec **pspecs, GError **error);
G_GNUC_INTERNAL
void ipt_provider_options_finalize (GObject *object, const IptProviderOption *options,
                                  gsize n_options, GParamSpec **pspecs);

/**
 * ipt_plugin_asid_from_cr3:
 * @cr3: the value of a provider's `cr3` option
 *
 * Returns: the address space of the provider's regions: @cr3, any VMCS
 */
static inline IptAsid
ipt_plugin_asid_from_cr3 (guint64 cr3)
{
  IptAsid asid = { cr3, IPT_ASID_NO_VMCS };

  return asid;
}

G_END_DECLS
