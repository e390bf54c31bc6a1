/* ipt-record-memory.c: the code pages a traced process executed, each
 * captured the first time code on it runs, written as a kAFL/Nyx page dump
 * (pages.addr: little-endian u64 page addresses; pages.dump: page i at
 * offset i * 4096) for ipt-analyze's pagedump plugin.
 *
 * Pages are read once, through /proc/PID/mem: code modified after its first
 * execution (self-modifying or reused JIT code) is not seen again.  The
 * tracer decodes instructions from these captured bytes, so the trace and
 * the dump always agree with each other.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-memory.h"
#include "ipt-page.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct _IptRecordMemory {
  pid_t pid;
  int mem_fd;
  char *mem_path;
  GHashTable *index;   /* page address -> 1 + page number */
  GArray *addresses;   /* guint64, in capture order */
  GByteArray *pages;   /* IPT_PAGE_SIZE bytes per address */
  /* the last page looked up: most steps stay on it */
  guint64 last_page;
  const guint8 *last_data;
};

/**
 * ipt_record_memory_new:
 * @pid: the traced (ptrace-stopped) process
 * @error: return location for a #GError naming /proc/PID/mem
 *
 * Returns: (transfer full) (nullable): a capture with no pages yet.
 */
IptRecordMemory *
ipt_record_memory_new (pid_t pid, GError **error)
{
  g_autoptr(IptRecordMemory) self = g_new0 (IptRecordMemory, 1);

  self->pid = pid;
  self->mem_fd = -1;
  self->mem_path = g_strdup_printf ("/proc/%d/mem", (int) pid);
  self->index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->addresses = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->pages = g_byte_array_new ();
  self->last_page = G_MAXUINT64;
  self->mem_fd = open (self->mem_path, O_RDONLY | O_CLOEXEC);
  if (self->mem_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: cannot open: %s", self->mem_path, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* The captured copy of @page, capturing it now if it is new; NULL when the
 * process does not map it (errno kept for the caller). */
static const guint8 *
lookup_page (IptRecordMemory *self, guint64 page)
{
  gpointer value;
  guint8 data[IPT_PAGE_SIZE];
  ssize_t done;
  guint n;

  if (page == self->last_page)
    return self->last_data;

  if (!g_hash_table_lookup_extended (self->index, &page, NULL, &value))
    {
      done = pread (self->mem_fd, data, sizeof data, (off_t) page);
      if (done != (ssize_t) sizeof data)
        {
          if (done >= 0)
            errno = EIO;
          return NULL;
        }
      g_array_append_val (self->addresses, page);
      g_byte_array_append (self->pages, data, sizeof data);
      n = self->addresses->len;
      /* Keys point into the address array, which may move: index by copies. */
      g_hash_table_insert (self->index, g_memdup2 (&page, sizeof page), GUINT_TO_POINTER (n));
      value = GUINT_TO_POINTER (n);
    }

  self->last_page = page;
  self->last_data = self->pages->data + (gsize) (GPOINTER_TO_UINT (value) - 1) * IPT_PAGE_SIZE;
  return self->last_data;
}

/**
 * ipt_record_memory_fetch:
 * @self: a capture
 * @address: first byte wanted
 * @buffer: (out caller-allocates) (array length=size): where the bytes go
 * @size: how many bytes are wanted
 * @error: return location for a #GError
 *
 * Copies captured code bytes, capturing every page touched on first use.
 * The copy stops early at the first page the process does not map.
 *
 * Returns: the number of bytes copied; 0 with @error set when @address
 *   itself cannot be read.
 */
gsize
ipt_record_memory_fetch (IptRecordMemory *self,
                         guint64 address,
                         guint8 *buffer,
                         gsize size,
                         GError **error)
{
  gsize done = 0;

  while (done < size)
    {
      guint64 at = address + done;
      guint64 page = at & IPT_PAGE_MASK;
      gsize offset = at - page;
      gsize n = MIN (size - done, IPT_PAGE_SIZE - offset);
      const guint8 *data = lookup_page (self, page);

      if (data == NULL)
        {
          if (done == 0)
            {
              int saved_errno = errno;
              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           "%s: cannot read code at 0x%" G_GINT64_MODIFIER "x: %s",
                           self->mem_path, at, g_strerror (saved_errno));
            }
          break;
        }
      memcpy (buffer + done, data + offset, n);
      done += n;
    }
  return done;
}

/**
 * ipt_record_memory_read_live:
 * @self: a capture
 * @address: first byte wanted
 * @buffer: (out caller-allocates) (array length=size): where the bytes go
 * @size: how many bytes
 *
 * Reads the process's current memory, bypassing (and not adding to) the
 * capture: for data such as syscall arguments.
 *
 * Returns: %TRUE when all @size bytes were read.
 */
gboolean
ipt_record_memory_read_live (IptRecordMemory *self, guint64 address, guint8 *buffer, gsize size)
{
  return pread (self->mem_fd, buffer, size, (off_t) address) == (ssize_t) size;
}

guint
ipt_record_memory_get_n_pages (IptRecordMemory *self)
{
  return self->addresses->len;
}

static gboolean
write_file (const char *path, const void *data, gsize size, GError **error)
{
  FILE *file = fopen (path, "wb");
  int saved_errno;

  if (file == NULL)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: cannot create: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fwrite (data, 1, size, file) != size)
    {
      saved_errno = errno;
      fclose (file);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: write failed: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fclose (file) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: write failed: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * ipt_record_memory_write_pagedump:
 * @self: a capture
 * @addr_path: (type filename): the page address file to write
 * @dump_path: (type filename): the page contents file to write
 * @error: return location for a #GError naming the file that failed
 *
 * Returns: %FALSE with @error set when a file cannot be written.
 */
gboolean
ipt_record_memory_write_pagedump (IptRecordMemory *self,
                                  const char *addr_path,
                                  const char *dump_path,
                                  GError **error)
{
  g_autofree guint64 *le = g_new (guint64, MAX (self->addresses->len, 1));

  for (guint i = 0; i < self->addresses->len; i++)
    le[i] = GUINT64_TO_LE (g_array_index (self->addresses, guint64, i));
  return write_file (addr_path, le, self->addresses->len * sizeof (guint64), error) &&
         write_file (dump_path, self->pages->data, self->pages->len, error);
}

void
ipt_record_memory_free (IptRecordMemory *self)
{
  if (self == NULL)
    return;
  if (self->mem_fd >= 0)
    close (self->mem_fd);
  g_hash_table_destroy (self->index);
  g_array_unref (self->addresses);
  g_byte_array_unref (self->pages);
  g_free (self->mem_path);
  g_free (self);
}
