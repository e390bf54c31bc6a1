/* ipt-qemu-ram.c: guest-physical RAM as an index into the snapshot's stream
 * (blocks, their pages' locations, their placement). See ipt-qemu-ram.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ipt-qemu-ram.h"

#include <ipt-analyze/ipt-analyze.h>
#include <string.h>

struct _IptQemuRamBlock {
  char *name;
  guint64 size;
  guint64 *pages;          /* per page location; NULL for a stored block */
  guint64 stream_offset;   /* a stored block: where its bytes start */
  guint64 stored;          /* a stored block: how many of them the stream holds */
};

struct _IptQemuRam {
  IptQemuStream *stream;
  GPtrArray *blocks;       /* of IptQemuRamBlock, owned */
  GArray *mappings;        /* of IptQemuRamMapping, sorted by paddr */
};

static void
block_free (gpointer data)
{
  IptQemuRamBlock *block = data;

  g_free (block->name);
  g_free (block->pages);
  g_free (block);
}

IptQemuRam *
ipt_qemu_ram_new (IptQemuStream *stream)
{
  IptQemuRam *self = g_new0 (IptQemuRam, 1);

  self->stream = ipt_qemu_stream_ref (stream);
  self->blocks = g_ptr_array_new_with_free_func (block_free);
  self->mappings = g_array_new (FALSE, FALSE, sizeof (IptQemuRamMapping));
  return self;
}

void
ipt_qemu_ram_free (IptQemuRam *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->mappings);
  g_ptr_array_unref (self->blocks);
  ipt_qemu_stream_unref (self->stream);
  g_free (self);
}

IptQemuStream *
ipt_qemu_ram_get_stream (IptQemuRam *self)
{
  return self->stream;
}

IptQemuRamBlock *
ipt_qemu_ram_find_block (IptQemuRam *self, const char *name)
{
  for (guint i = 0; i < self->blocks->len; i++)
    {
      IptQemuRamBlock *block = g_ptr_array_index (self->blocks, i);

      if (strcmp (block->name, name) == 0)
        return block;
    }
  return NULL;
}

static IptQemuRamBlock *
add_block (IptQemuRam *self, const char *name, guint64 size, GError **error)
{
  IptQemuRamBlock *block;

  if (ipt_qemu_ram_find_block (self, name) != NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT, "RAM block '%s' is given twice", name);
      return NULL;
    }
  if (size == 0 || size % IPT_QEMU_RAM_PAGE_SIZE != 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "RAM block '%s' has %" G_GUINT64_FORMAT " bytes, not a whole number of "
                   "4 KiB pages", name, size);
      return NULL;
    }
  block = g_new0 (IptQemuRamBlock, 1);
  block->name = g_strdup (name);
  block->size = size;
  g_ptr_array_add (self->blocks, block);
  return block;
}

IptQemuRamBlock *
ipt_qemu_ram_add_block (IptQemuRam *self, const char *name, guint64 size, GError **error)
{
  IptQemuRamBlock *block;
  guint64 n_pages = size / IPT_QEMU_RAM_PAGE_SIZE;

  /* The index costs 8 bytes a page; a block bigger than the stream could
   * hold (1 TiB here) is a corrupt size, not a reason to allocate. */
  if (size > (G_GUINT64_CONSTANT (1) << 40))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "RAM block '%s' claims %" G_GUINT64_FORMAT " bytes, more than the 1 TiB "
                   "that is supported", name, size);
      return NULL;
    }
  if ((block = add_block (self, name, size, error)) == NULL)
    return NULL;
  block->pages = g_try_new (guint64, n_pages);
  if (block->pages == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NO_MEMORY,
                   "no memory for the index of RAM block '%s' (%" G_GUINT64_FORMAT " pages)",
                   name, n_pages);
      g_ptr_array_remove (self->blocks, block);
      return NULL;
    }
  for (guint64 i = 0; i < n_pages; i++)
    block->pages[i] = IPT_QEMU_RAM_PAGE_ABSENT;
  return block;
}

IptQemuRamBlock *
ipt_qemu_ram_add_stored_block (IptQemuRam *self, const char *name, guint64 size,
                               guint64 stream_offset, guint64 stored, GError **error)
{
  IptQemuRamBlock *block;

  g_return_val_if_fail (stored <= size, NULL);
  if ((block = add_block (self, name, size, error)) == NULL)
    return NULL;
  block->stream_offset = stream_offset;
  block->stored = stored;
  return block;
}

const char *
ipt_qemu_ram_block_get_name (const IptQemuRamBlock *block)
{
  return block->name;
}

guint64
ipt_qemu_ram_block_get_size (const IptQemuRamBlock *block)
{
  return block->size;
}

void
ipt_qemu_ram_block_set_page (IptQemuRamBlock *block, guint64 page_index, guint64 location)
{
  g_return_if_fail (block->pages != NULL);
  g_return_if_fail (page_index < block->size / IPT_QEMU_RAM_PAGE_SIZE);
  block->pages[page_index] = location;
}

guint64
ipt_qemu_ram_block_get_page (const IptQemuRamBlock *block, guint64 page_index)
{
  guint64 at = page_index * IPT_QEMU_RAM_PAGE_SIZE;

  if (block->pages != NULL)
    return block->pages[page_index];
  /* a stored block's page that the stream holds only in part is reported
   * as stored: its tail reads as zero (ipt_qemu_ram_read) */
  return at < block->stored ? block->stream_offset + at : IPT_QEMU_RAM_PAGE_ZERO;
}

void
ipt_qemu_ram_block_count_pages (const IptQemuRamBlock *block, guint64 *n_stored,
                                guint64 *n_zero, guint64 *n_absent)
{
  guint64 n_pages = block->size / IPT_QEMU_RAM_PAGE_SIZE, stored = 0, zero = 0, absent = 0;

  for (guint64 i = 0; i < n_pages; i++)
    {
      guint64 loc = ipt_qemu_ram_block_get_page (block, i);

      if (loc == IPT_QEMU_RAM_PAGE_ZERO)
        zero++;
      else if (loc == IPT_QEMU_RAM_PAGE_ABSENT)
        absent++;
      else
        stored++;
    }
  if (n_stored != NULL)
    *n_stored = stored;
  if (n_zero != NULL)
    *n_zero = zero;
  if (n_absent != NULL)
    *n_absent = absent;
}

static gint
compare_mappings (gconstpointer a, gconstpointer b)
{
  const IptQemuRamMapping *x = a, *y = b;

  return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

gboolean
ipt_qemu_ram_map (IptQemuRam *self, IptQemuRamBlock *block, guint64 block_offset,
                  guint64 paddr, guint64 size, GError **error)
{
  IptQemuRamMapping m = { paddr, size, block, block_offset };
  if (size == 0 || (paddr | size | block_offset) % IPT_QEMU_RAM_PAGE_SIZE != 0 ||
      block_offset > block->size || size > block->size - block_offset ||
      paddr + size - 1 < paddr)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "RAM block '%s' (%" G_GUINT64_FORMAT " bytes) cannot be placed at "
                   "0x%" G_GINT64_MODIFIER "x from its offset 0x%" G_GINT64_MODIFIER "x for "
                   "%" G_GUINT64_FORMAT " bytes", block->name, block->size, paddr,
                   block_offset, size);
      return FALSE;
    }
  for (guint i = 0; i < self->mappings->len; i++)
    {
      const IptQemuRamMapping *o = &g_array_index (self->mappings, IptQemuRamMapping, i);

      if (paddr < o->paddr + o->size && o->paddr < paddr + size)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "RAM block '%s' at guest-physical 0x%" G_GINT64_MODIFIER "x-0x%"
                       G_GINT64_MODIFIER "x overlaps '%s' at 0x%" G_GINT64_MODIFIER "x-0x%"
                       G_GINT64_MODIFIER "x", block->name, paddr, paddr + size,
                       o->block->name, o->paddr, o->paddr + o->size);
          return FALSE;
        }
    }
  g_array_append_val (self->mappings, m);
  g_array_sort (self->mappings, compare_mappings);
  return TRUE;
}

const IptQemuRamBlock *const *
ipt_qemu_ram_get_blocks (IptQemuRam *self, gsize *n_blocks)
{
  *n_blocks = self->blocks->len;
  return (const IptQemuRamBlock *const *) self->blocks->pdata;
}

const IptQemuRamMapping *
ipt_qemu_ram_get_mappings (IptQemuRam *self, gsize *n_mappings)
{
  *n_mappings = self->mappings->len;
  return (const IptQemuRamMapping *) self->mappings->data;
}

static const IptQemuRamMapping *
find_mapping (IptQemuRam *self, guint64 paddr)
{
  const IptQemuRamMapping *m = (const IptQemuRamMapping *) self->mappings->data;
  gsize lo = 0, hi = self->mappings->len;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (paddr < m[mid].paddr)
        hi = mid;
      else if (paddr - m[mid].paddr >= m[mid].size)
        lo = mid + 1;
      else
        return &m[mid];
    }
  return NULL;
}

/* The run that starts at @paddr: its length (up to @size, 0 when nothing
 * holds @paddr) and where it lies: *location is a stream offset, or ZERO. A
 * run never leaves its mapping, nor, in a page-indexed block, its page. */
static guint64
piece (IptQemuRam *self, guint64 paddr, guint64 size, guint64 *location)
{
  const IptQemuRamMapping *m = find_mapping (self, paddr);
  const IptQemuRamBlock *b;
  guint64 at, len;

  if (m == NULL)
    return 0;
  b = m->block;
  at = m->block_offset + (paddr - m->paddr);
  len = MIN (size, m->size - (paddr - m->paddr));
  if (b->pages != NULL)
    {
      guint64 loc = b->pages[at / IPT_QEMU_RAM_PAGE_SIZE];
      guint64 off = at % IPT_QEMU_RAM_PAGE_SIZE;

      if (loc == IPT_QEMU_RAM_PAGE_ABSENT)
        return 0;
      *location = loc == IPT_QEMU_RAM_PAGE_ZERO ? loc : loc + off;
      return MIN (len, IPT_QEMU_RAM_PAGE_SIZE - off);
    }
  if (at < b->stored)
    {
      *location = b->stream_offset + at;
      return MIN (len, b->stored - at);
    }
  *location = IPT_QEMU_RAM_PAGE_ZERO;
  return len;
}

gssize
ipt_qemu_ram_read (gpointer data, guint64 paddr, guint8 *buffer, gsize size,
                   G_GNUC_UNUSED GError **error)
{
  IptQemuRam *self = data;
  gsize done = 0;

  while (done < size)
    {
      guint64 location, n = piece (self, paddr + done, size - done, &location);

      if (n == 0)
        break;
      if (location == IPT_QEMU_RAM_PAGE_ZERO)
        memset (buffer + done, 0, n);
      else
        {
          gsize got = ipt_qemu_stream_read (self->stream, location, buffer + done, n);

          if (got < n)   /* the stream ends inside the page: the page is not all there */
            return done + got;
        }
      done += n;
    }
  return done;
}

guint64
ipt_qemu_ram_file_run (IptQemuRam *self, guint64 paddr, guint64 size, guint64 *file_offset)
{
  guint64 done = 0, next = 0;

  while (done < size)
    {
      guint64 location, at, n = piece (self, paddr + done, size - done, &location);

      if (n == 0 || location == IPT_QEMU_RAM_PAGE_ZERO ||
          !ipt_qemu_stream_file_offset (self->stream, location, n, &at) ||
          (done > 0 && at != next))
        break;
      if (done == 0)
        *file_offset = at;
      next = at + n;
      done += n;
    }
  return done;
}

guint64
ipt_qemu_ram_held_run (IptQemuRam *self, guint64 paddr, guint64 size, gboolean held)
{
  guint64 done = 0;

  while (done < size)
    {
      guint64 location, n = piece (self, paddr + done, size - done, &location);

      if ((n > 0) != held)
        break;
      if (n == 0)
        {
          /* not held: up to the next page (an absent page, or a page of no mapping) */
          n = MIN (size - done, IPT_QEMU_RAM_PAGE_SIZE - ((paddr + done) % IPT_QEMU_RAM_PAGE_SIZE));
        }
      done += n;
    }
  return done;
}
