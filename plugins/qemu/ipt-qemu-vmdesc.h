/* ipt-qemu-vmdesc.h: a migration stream's VMDESCRIPTION — the JSON that QEMU
 * appends after the EOF marker, describing each device section's fields and
 * subsections — found from the stream's end, and what it says about a
 * device's state: its size in the stream, and where its fields lie. Device
 * sections carry no length of their own; this is how the migration parser
 * (ipt-qemu-migration.c) steps over them and finds the vCPUs' registers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ipt-qemu-stream.h"

G_BEGIN_DECLS

typedef struct {
  JsonParser *json;
  JsonArray *devices;           /* the "devices" array, in stream order */
  guint64 offset;               /* where the VMDESCRIPTION section starts (the EOF byte before it) */
} IptQemuVmdesc;

/* Finds the VMDESCRIPTION that ends @stream (EOF, 0x06, be32 length, the
 * JSON up to the stream's end) and parses it into @vmdesc. TRUE with
 * vmdesc->json NULL when the stream has none; FALSE with @error (naming
 * @stream and the offset) when it is malformed. */
gboolean ipt_qemu_vmdesc_load (IptQemuVmdesc *vmdesc, IptQemuStream *stream, GError **error);
void ipt_qemu_vmdesc_clear (IptQemuVmdesc *vmdesc);

/* Device @index's description, or NULL when it is not an object; its
 * "name" (NULL if none) and "instance_id" (-1 if none). */
JsonObject *ipt_qemu_vmdesc_device (const IptQemuVmdesc *vmdesc, guint index);
const char *ipt_qemu_vmdesc_name (JsonObject *device);
gint64 ipt_qemu_vmdesc_instance (JsonObject *device);

/* The bytes a device's state takes in the stream: its fields, then each
 * subsection with its header (0x05, name, be32 version). FALSE when the
 * description is malformed or larger than @limit. */
gboolean ipt_qemu_vmdesc_state_size (JsonObject *device, guint64 limit, guint64 *size);

/* Called for each field of a device's main part, in stream order: its
 * name (may be NULL), the size of one element, and its offset and size
 * in bytes from the state's start. Returns FALSE to stop. */
typedef gboolean (*IptQemuVmdescFieldFunc) (const char *name, gint64 element_size,
                                            guint64 offset, guint64 size, gpointer data);

/* Walks the fields of @device (whose state size ipt_qemu_vmdesc_state_size()
 * checked). */
void ipt_qemu_vmdesc_foreach_field (JsonObject *device, IptQemuVmdescFieldFunc func,
                                    gpointer data);

G_END_DECLS
