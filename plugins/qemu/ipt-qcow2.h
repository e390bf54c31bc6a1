/* ipt-qcow2.h: the vmstate of an internal snapshot (`savevm`) in a qcow2
 * image, as a stream (ipt-qemu-stream.h).
 *
 * qcow2 (version 2 and 3): the header, the snapshot table (id, name, L1
 * table, vm_state_size, date), and the snapshot's L1/L2 tables: the vmstate
 * is stored at guest offsets from the disk size on (QEMU's
 * qcow2_vm_state_offset()), in clusters the tables point at. Uncompressed,
 * unencrypted clusters only; a compressed cluster, an encrypted image, an
 * external data file or extended L2 entries are a clear error
 * (IPT_ERROR_NOT_SUPPORTED naming the file and the offset of the entry),
 * and so is an unallocated or zero cluster inside the vmstate (savevm
 * writes every byte of it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "ipt-qemu-stream.h"

G_BEGIN_DECLS

#define IPT_QCOW2_MAGIC "QFI\xfb"

typedef struct {
  char *id;               /* "1", "2", ... */
  char *name;             /* the savevm tag */
  guint64 vm_state_size;  /* bytes of vmstate (0: a disk-only snapshot) */
  guint64 date_sec;
  guint64 vm_clock_nsec;
} IptQcow2Snapshot;

void ipt_qcow2_snapshot_free (IptQcow2Snapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptQcow2Snapshot, ipt_qcow2_snapshot_free)

/* The internal snapshots of the qcow2 image in @data (of @size bytes, named
 * @path in messages), in table order: a GPtrArray of IptQcow2Snapshot. */
GPtrArray *ipt_qcow2_list_snapshots (const guint8 *data, gsize size, const char *path,
                                     GError **error);

/* The vmstate stream of snapshot @tag (its name, or its id; NULL: the newest
 * one that has vmstate) of the qcow2 image @file. *chosen (may be NULL) gets
 * the name of the snapshot read. An error names the snapshots there are when
 * @tag is not one of them. */
IptQemuStream *ipt_qcow2_open_vmstate (GMappedFile *file, const char *path, const char *tag,
                                       char **chosen, GError **error);

G_END_DECLS
