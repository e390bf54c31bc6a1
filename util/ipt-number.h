/* ipt-number.h: the one parser of the numbers users type (option values,
 * addresses and ranges on command lines): decimal or 0x-hex, unsigned, the
 * whole text or nothing. Shared by core, plugins and tools; never installed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  IPT_NUMBER_OK,
  IPT_NUMBER_SYNTAX,            /* empty, a sign, a stray character, "0x" alone */
  IPT_NUMBER_OVERFLOW,          /* digits only, but more than 2^64 - 1 */
} IptNumberResult;

G_GNUC_INTERNAL
IptNumberResult ipt_number_parse (const char *text, gssize length, guint64 *value);

G_GNUC_INTERNAL
gboolean ipt_number_parse_full (const char *text, guint64 *value);

G_END_DECLS
