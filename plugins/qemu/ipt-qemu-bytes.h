/* ipt-qemu-bytes.h: what the qemu plugin's parsers of big-endian formats
 * (the migration stream, qcow2) share: reading integers from bytes, and
 * their error messages, "NAME: offset 0xOFF: problem".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdarg.h>

#include <glib.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

static inline guint16
ipt_qemu_be16 (const guint8 *b)
{
  return (guint16) (b[0] << 8 | b[1]);
}

static inline guint32
ipt_qemu_be32 (const guint8 *b)
{
  return (guint32) b[0] << 24 | (guint32) b[1] << 16 | (guint32) b[2] << 8 | b[3];
}

static inline guint64
ipt_qemu_be64 (const guint8 *b)
{
  return (guint64) ipt_qemu_be32 (b) << 32 | ipt_qemu_be32 (b + 4);
}

/* Sets @error (IPT_ERROR, @code) to "NAME: offset 0xOFF: problem"; FALSE,
 * for `return ipt_qemu_fail (...)`. */
G_GNUC_PRINTF (5, 6)
static inline gboolean
ipt_qemu_fail (GError **error, gint code, const char *name, guint64 offset, const char *format,
               ...)
{
  g_autofree char *problem = NULL;
  va_list ap;

  va_start (ap, format);
  problem = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPT_ERROR, code, "%s: offset 0x%" G_GINT64_MODIFIER "x: %s", name, offset,
               problem);
  return FALSE;
}

G_END_DECLS
