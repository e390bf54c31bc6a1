/* ipt-qemu-stream.h: the bytes of a QEMU snapshot as its parsers see them.
 *
 * A snapshot is a byte stream: the whole file for a dump-guest-memory ELF or
 * a migration stream written by `migrate "exec:cat > FILE"`, or the vmstate
 * area of one internal snapshot of a qcow2 image (a migration stream stored
 * in clusters found through the snapshot's L1/L2 tables, ipt-qcow2.h).
 * Stream offsets are what the parsers and the RAM index (ipt-qemu-ram.h)
 * record; this layer turns them into bytes of the mapped file, so that RAM
 * pages are indexed, never copied, and ranges that lie in the file as plain
 * contiguous bytes can be handed to libipt as file sections.
 *
 * Immutable once made; safe to read from any thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IptQemuStream IptQemuStream;

/* One run of the stream that is contiguous in the file: stream offsets
 * [stream_offset, stream_offset + size) are file offsets
 * [file_offset, file_offset + size). A plain file is one extent. */
typedef struct {
  guint64 stream_offset;
  guint64 file_offset;
  guint64 size;
} IptQemuExtent;

/* The whole of @file (a mapped snapshot file at @path, referenced) as the
 * stream; @name (NULL: @path) names it in messages. */
IptQemuStream *ipt_qemu_stream_new_file (GMappedFile *file, const char *path,
                                         const char *name);

/* A stream made of @n_extents extents of @file (sorted by stream offset,
 * contiguous in the stream: each starts where the one before ends; copied).
 * @name says which stream it is in messages, e.g. "disk.qcow2: vmstate of
 * snapshot 'boot'". */
IptQemuStream *ipt_qemu_stream_new_extents (GMappedFile *file, const char *path,
                                            const char *name, const IptQemuExtent *extents,
                                            gsize n_extents);

IptQemuStream *ipt_qemu_stream_ref (IptQemuStream *self);
void ipt_qemu_stream_unref (IptQemuStream *self);

/* The stream's size in bytes. */
guint64 ipt_qemu_stream_get_size (IptQemuStream *self);
/* The snapshot file's path (what libipt opens for file sections). */
const char *ipt_qemu_stream_get_path (IptQemuStream *self);
/* How messages name the stream: the path, or the name given. */
const char *ipt_qemu_stream_get_name (IptQemuStream *self);

/* Copies [offset, offset + size) into @buffer: the number of bytes copied,
 * fewer only where the stream ends. Never fails: the file is mapped and its
 * truncation under a read is the sigbus guard's business (the caller's). */
gsize ipt_qemu_stream_read (IptQemuStream *self, guint64 offset, guint8 *buffer, gsize size);

/* The mapped bytes of [offset, offset + size) when they are contiguous in the
 * file, else NULL (past the end, or across two extents that are not
 * adjacent in the file). */
const guint8 *ipt_qemu_stream_peek (IptQemuStream *self, guint64 offset, gsize size);

/* TRUE with *file_offset set when [offset, offset + size) of the stream is
 * [*file_offset, *file_offset + size) of the file. */
gboolean ipt_qemu_stream_file_offset (IptQemuStream *self, guint64 offset, guint64 size,
                                      guint64 *file_offset);

/* Tells the kernel that [offset, offset + size) of the stream is not
 * needed in memory for now (madvise MADV_DONTNEED on the whole file pages
 * inside it): a parser that walks a big stream once calls it behind
 * itself, so that the process does not keep every page of the file it
 * touched. Later reads fault the bytes in again from the file. */
void ipt_qemu_stream_forget (IptQemuStream *self, guint64 offset, guint64 size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptQemuStream, ipt_qemu_stream_unref)

G_END_DECLS
