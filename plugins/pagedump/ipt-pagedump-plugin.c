/* ipt-pagedump-plugin.c: the pagedump plugin's descriptor; the provider is in ipt-pagedump-provider.c. */
#include "config.h"

#include "ipt-pagedump-provider.h"

IPT_PLUGIN_DEFINE ("pagedump", "kAFL/Nyx page dumps: a .addr file of page addresses and a .dump of 4 KiB pages",
                   ipt_pagedump_provider_get_type)
