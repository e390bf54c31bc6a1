/* ipt-abi-interfaces.c: the structs that plugins and other implementations
 * compile into their own code — the plugin descriptor and the vtables of
 * the interfaces they implement — for the ABI check (abi/check-abi.sh).
 *
 * No function the library exports takes them, so abidw would not see them
 * in libipt-analyze-1.so: this module's one function does. Built only for
 * the check, never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ipt-analyze/ipt-analyze.h>

G_MODULE_EXPORT void ipt_abi_interfaces (const IptPluginInfo *plugin,
                                         const IptMemoryProviderInterface *memory_provider,
                                         const IptSymbolSourceInterface *symbol_source,
                                         const IptSinkInterface *sink);

void
ipt_abi_interfaces (const IptPluginInfo *plugin,
                    const IptMemoryProviderInterface *memory_provider,
                    const IptSymbolSourceInterface *symbol_source,
                    const IptSinkInterface *sink)
{
}
