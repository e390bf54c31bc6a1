/* ipt-coredump-provider.h: the memory provider of the coredump plugin (an ELF core and its mapped files). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_COREDUMP_PROVIDER (ipt_coredump_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptCoredumpProvider, ipt_coredump_provider, IPT, COREDUMP_PROVIDER, GObject)

G_END_DECLS
