/* ipt-plugin-cr3.h: the `cr3` option every provider plugin has: which
 * address space its memory belongs to. Shared by the provider plugins. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL
GParamSpec *ipt_plugin_param_spec_cr3 (const char *what);

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
