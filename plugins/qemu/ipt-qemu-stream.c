/* ipt-qemu-stream.c: a snapshot's byte stream over its mapped file — the
 * whole file, or extents of it (a qcow2 vmstate). See ipt-qemu-stream.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ipt-qemu-stream.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct _IptQemuStream {
  gint ref_count;
  GMappedFile *file;
  const guint8 *data;
  gsize file_size;
  char *path;
  char *name;
  IptQemuExtent *extents;
  gsize n_extents;
  guint64 size;
};

static IptQemuStream *
stream_new (GMappedFile *file, const char *path, const char *name)
{
  IptQemuStream *self = g_new0 (IptQemuStream, 1);

  self->ref_count = 1;
  self->file = g_mapped_file_ref (file);
  self->data = (const guint8 *) g_mapped_file_get_contents (file);
  self->file_size = g_mapped_file_get_length (file);
  self->path = g_strdup (path);
  self->name = g_strdup (name != NULL ? name : path);
  return self;
}

IptQemuStream *
ipt_qemu_stream_new_file (GMappedFile *file, const char *path, const char *name)
{
  IptQemuStream *self = stream_new (file, path, name);

  self->extents = g_new (IptQemuExtent, 1);
  self->extents[0] = (IptQemuExtent) { 0, 0, self->file_size };
  self->n_extents = 1;
  self->size = self->file_size;
  return self;
}

IptQemuStream *
ipt_qemu_stream_new_extents (GMappedFile *file, const char *path, const char *name,
                             const IptQemuExtent *extents, gsize n_extents)
{
  IptQemuStream *self = stream_new (file, path, name);

  self->extents = g_memdup2 (extents, n_extents * sizeof (IptQemuExtent));
  self->n_extents = n_extents;
  for (gsize i = 0; i < n_extents; i++)
    {
      g_return_val_if_fail (extents[i].stream_offset == self->size, self);
      g_return_val_if_fail (extents[i].file_offset <= self->file_size &&
                            extents[i].size <= self->file_size - extents[i].file_offset, self);
      self->size += extents[i].size;
    }
  return self;
}

IptQemuStream *
ipt_qemu_stream_ref (IptQemuStream *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
ipt_qemu_stream_unref (IptQemuStream *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_mapped_file_unref (self->file);
  g_free (self->extents);
  g_free (self->path);
  g_free (self->name);
  g_free (self);
}

guint64
ipt_qemu_stream_get_size (IptQemuStream *self)
{
  return self->size;
}

const char *
ipt_qemu_stream_get_path (IptQemuStream *self)
{
  return self->path;
}

const char *
ipt_qemu_stream_get_name (IptQemuStream *self)
{
  return self->name;
}

/* The extent holding stream offset @offset (< size). */
static const IptQemuExtent *
find_extent (IptQemuStream *self, guint64 offset)
{
  gsize lo = 0, hi = self->n_extents;

  while (hi - lo > 1)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (self->extents[mid].stream_offset <= offset)
        lo = mid;
      else
        hi = mid;
    }
  return &self->extents[lo];
}

gsize
ipt_qemu_stream_read (IptQemuStream *self, guint64 offset, guint8 *buffer, gsize size)
{
  gsize done = 0;

  while (done < size && offset + done < self->size)
    {
      const IptQemuExtent *e = find_extent (self, offset + done);
      guint64 in = offset + done - e->stream_offset;
      gsize n = MIN (size - done, e->size - in);

      memcpy (buffer + done, self->data + e->file_offset + in, n);
      done += n;
    }
  return done;
}

gboolean
ipt_qemu_stream_file_offset (IptQemuStream *self, guint64 offset, guint64 size,
                             guint64 *file_offset)
{
  const IptQemuExtent *e;
  guint64 at, left;

  if (offset > self->size || size > self->size - offset)
    return FALSE;
  if (size == 0)
    return FALSE;
  e = find_extent (self, offset);
  at = e->file_offset + (offset - e->stream_offset);
  left = e->size - (offset - e->stream_offset);
  /* extents that follow each other in the file too are one run */
  for (const IptQemuExtent *next = e + 1; left < size; next++)
    {
      if (next >= self->extents + self->n_extents ||
          next->file_offset != (next - 1)->file_offset + (next - 1)->size)
        return FALSE;
      left += next->size;
    }
  *file_offset = at;
  return TRUE;
}

const guint8 *
ipt_qemu_stream_peek (IptQemuStream *self, guint64 offset, gsize size)
{
  guint64 at;

  if (!ipt_qemu_stream_file_offset (self, offset, size, &at))
    return NULL;
  return self->data + at;
}

void
ipt_qemu_stream_forget (IptQemuStream *self, guint64 offset, guint64 size)
{
  guint64 page = (guint64) sysconf (_SC_PAGESIZE);
  guint64 end = offset + MIN (size, self->size - MIN (offset, self->size));

  while (offset < end)
    {
      const IptQemuExtent *e = find_extent (self, offset);
      guint64 in = offset - e->stream_offset;
      guint64 n = MIN (end - offset, e->size - in);
      guint64 from = e->file_offset + in, to = from + n;

      /* whole pages only: the pages at the edges may hold bytes still read */
      from = (from + page - 1) / page * page;
      to = to / page * page;
      if (from < to)
        madvise ((void *) (self->data + from), to - from, MADV_DONTNEED);
      offset += n;
    }
}
