/* hexrec-parser.h: Motorola S-record and Intel HEX text into address-sorted
 * segments of bytes. Knows nothing of ipt-analyze but its error domain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HEXREC_FORMAT_SREC,
  HEXREC_FORMAT_IHEX,
} HexrecFormat;

/* A run of contiguous bytes: [address, address + length) are
 * data[offset, offset + length) of its HexrecData. */
typedef struct {
  guint64 address;
  guint64 length;
  gsize offset;
} HexrecSegment;

typedef struct {
  HexrecFormat format;
  GArray *segments;        /* HexrecSegment, sorted, disjoint and never adjacent */
  GByteArray *data;
} HexrecData;

HexrecData *hexrec_parse (const char *name, const char *text, gsize length, GError **error);
gboolean hexrec_data_relocate (HexrecData *data, const char *name, guint64 base,
                               GError **error);
void hexrec_data_free (HexrecData *data);
const char *hexrec_format_to_string (HexrecFormat format);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HexrecData, hexrec_data_free)

G_END_DECLS
