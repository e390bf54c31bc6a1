/* ipt-trace-asids-private.h: the address spaces a raw Intel PT stream uses,
 * from its packets alone (no memory needed): the CR3s of its PIP packets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include <ipt-analyze/ipt-asid.h>

G_BEGIN_DECLS

/* How many address spaces a trace's scan keeps: beyond that, memory of the
 * others is read through the callback. */
#define IPT_TRACE_MAX_ADDRESS_SPACES 64

/* The distinct CR3s of the PIP packets of [data, data + size), first seen
 * first, each as an asid of any VMCS; at most @max of them (*truncated says
 * whether there were more). Packets libipt cannot decode are skipped to the
 * next PSB, as a decode would. */
G_GNUC_INTERNAL
GArray *ipt_trace_scan_address_spaces (const guint8 *data, gsize size, guint max,
                                       gboolean *truncated);

G_END_DECLS
