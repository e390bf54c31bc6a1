/* ipt-plugin-cr3.c: the `cr3` option of the provider plugins. */
#include "config.h"

#include "ipt-plugin-cr3.h"

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
