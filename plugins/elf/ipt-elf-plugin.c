/* ipt-elf-plugin.c: the elf plugin's descriptor; the provider is in ipt-elf-provider.c. */
#include "config.h"

#include "ipt-elf-provider.h"

IPT_PLUGIN_DEFINE ("elf",
                   "an ELF executable or shared object: PT_LOAD segments at their addresses"
                   " or at base=, and its symbols",
                   ipt_elf_provider_get_type)
