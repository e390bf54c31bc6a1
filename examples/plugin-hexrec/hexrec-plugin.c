/* hexrec-plugin.c: the descriptor of the hexrec example plugin, the one
 * symbol (ipt_plugin_query) the shared object exports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define IPT_PLUGIN_VERSION "1.0"

#include "hexrec-provider.h"

IPT_PLUGIN_DEFINE ("hexrec",
                   "Motorola S-record and Intel HEX files at their addresses"
                   " (gdb's dump srec/ihex memory, objcopy -O srec/ihex)",
                   hexrec_provider_get_type)
