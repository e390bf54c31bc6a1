/* ipt-raw-plugin.c: the raw plugin's descriptor; the provider is in ipt-raw-provider.c. */
#include "config.h"

#include "ipt-raw-provider.h"

IPT_PLUGIN_DEFINE ("raw", "a file, or part of one, at a load address (ptxed --raw)",
                   ipt_raw_provider_get_type)
