/* ipt-qemu-provider.h: the memory provider of the qemu plugin (a QEMU
 * snapshot's RAM, read through the guest's page tables). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_QEMU_PROVIDER (ipt_qemu_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptQemuProvider, ipt_qemu_provider, IPT, QEMU_PROVIDER, GObject)

G_END_DECLS
