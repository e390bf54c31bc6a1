/* ipt-qemu-plugin.c: the plugin descriptor of the qemu provider. */
#include "config.h"

#include "ipt-qemu-provider.h"

IPT_PLUGIN_DEFINE ("qemu",
                   "QEMU snapshots (dump-guest-memory ELF, migration stream, qcow2 savevm): guest RAM through the guest's page tables",
                   ipt_qemu_provider_get_type)
