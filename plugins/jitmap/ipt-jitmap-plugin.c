/* ipt-jitmap-plugin.c: the jitmap plugin's descriptor; the provider is in ipt-jitmap-provider.c. */
#include "config.h"

#include "ipt-jitmap-provider.h"

IPT_PLUGIN_DEFINE ("jitmap",
                   "JIT code: bytes and names from a perf jitdump (jit-PID.dump), names from a perf map (perf-PID.map)",
                   ipt_jitmap_provider_get_type)
