/* ipt-coredump-plugin.c: the plugin descriptor of the coredump provider. */
#include "config.h"

#include "ipt-coredump-provider.h"

IPT_PLUGIN_DEFINE ("coredump",
                   "ELF core dumps (gdb gcore, kernel): dumped memory, and the mapped files named by NT_FILE",
                   ipt_coredump_provider_get_type)
