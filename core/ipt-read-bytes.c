/* ipt-read-bytes.c: reads of a caller-given size into a GBytes, for the
 * language bindings' read_bytes methods. The buffer grows with what is
 * really read, so a size far beyond what is mapped (Image.read_bytes (1 << 50,
 * …)) allocates only what it gets, and a size that cannot be allocated is a
 * GError, not an abort. Not for the decoding hot path. */
#include "config.h"

#include <unistd.h>

#include "ipt-read-bytes-private.h"

#define FIRST_CHUNK (64 * 1024)
#define MAX_CHUNK (64 * 1024 * 1024)

/**
 * ipt_read_bytes:
 * @read: reads at most its size contiguous bytes, as ipt_image_read() does
 * @source: what @read reads from
 * @size: the most bytes to read, at least 1
 * @asid: (nullable): the address space of @address
 * @address: the first address to read
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the contiguous bytes from @address
 *   (empty when it is unmapped), or %NULL with @error set when @read fails
 *   at @address or the memory cannot be allocated (%IPT_ERROR_NO_MEMORY)
 */
GBytes *
ipt_read_bytes (IptReadIntoFunc read, gpointer source, gsize size, const IptAsid *asid,
                guint64 address, GError **error)
{
  static gsize limit;

  /* more than the machine's memory would be paged out or killed, not read */
  if (g_once_init_enter (&limit))
    {
      long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);

      g_once_init_leave (&limit, pages > 0 && page > 0 ? (gsize) pages * (gsize) page : G_MAXSIZE);
    }
  return ipt_read_bytes_with_limit (read, source, size, asid, address, limit, error);
}

/* ipt_read_bytes() that allocates at most @limit bytes. */
GBytes *
ipt_read_bytes_with_limit (IptReadIntoFunc read, gpointer source, gsize size,
                           const IptAsid *asid, guint64 address, gsize limit, GError **error)
{
  g_autofree guint8 *buffer = NULL;
  gsize done = 0, allocated = 0, chunk = FIRST_CHUNK;

  while (done < size)
    {
      gsize want = MIN (size - done, chunk);
      GError *local = NULL;
      guint8 *grown;
      gssize n;

      grown = done + want <= limit ? g_try_realloc (buffer, done + want) : NULL;
      if (grown == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_NO_MEMORY,
                       "reading %" G_GSIZE_FORMAT " bytes at 0x%" G_GINT64_MODIFIER "x: "
                       "cannot allocate %" G_GSIZE_FORMAT " bytes",
                       size, address, done + want);
          return NULL;
        }
      buffer = grown;
      allocated = done + want;

      n = read (source, buffer + done, want, asid, address + done, &local);
      if (n < 0)
        {
          if (done == 0)
            {
              g_propagate_error (error, local);
              return NULL;
            }
          g_error_free (local);   /* a short read; the next read there fails */
          break;
        }
      done += (gsize) n;
      if ((gsize) n < want || done - 1 >= G_MAXUINT64 - address)
        break;                  /* the contiguous bytes, or the address space, end */
      chunk = MIN (chunk * 2, (gsize) MAX_CHUNK);
    }

  if (done == 0)
    return g_bytes_new (NULL, 0);
  if (done < allocated)
    buffer = g_realloc (buffer, done);
  return g_bytes_new_take (g_steal_pointer (&buffer), done);
}
