/* hexrec-provider.h: the memory provider of the hexrec example plugin:
 * the bytes of a Motorola S-record or Intel HEX file at their addresses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define HEXREC_TYPE_PROVIDER (hexrec_provider_get_type ())
G_DECLARE_FINAL_TYPE (HexrecProvider, hexrec_provider, HEXREC, PROVIDER, GObject)

/* The default of HexrecProvider:base: the file's own addresses. No mapping
 * of one byte or more can start there, so it hides no real base. */
#define HEXREC_PROVIDER_BASE_UNSET G_MAXUINT64

G_END_DECLS
