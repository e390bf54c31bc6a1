/* ipt-pagedump-provider.h: the memory provider of the pagedump plugin (kAFL/Nyx page dumps). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_PAGEDUMP_PROVIDER (ipt_pagedump_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptPagedumpProvider, ipt_pagedump_provider, IPT, PAGEDUMP_PROVIDER, GObject)

G_END_DECLS
