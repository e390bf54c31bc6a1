/* ipt-elf-file.c: opening an ELF file with libelf (see ipt-elf-file.h).
 *
 * The identification is checked by ipt-elf-reader.c first: libelf answers
 * a bad class or byte order only with ELF_K_NONE, and the user must learn
 * which byte is wrong. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "ipt-elf-file.h"
#include "ipt-elf-reader.h"

static gpointer
init_libelf (gpointer data)
{
  return GUINT_TO_POINTER (elf_version (EV_CURRENT) != EV_NONE);
}

/**
 * ipt_elf_file_init:
 * @error: return location for an error
 *
 * Performs libelf's version handshake, once per process, thread-safely.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_NOT_SUPPORTED when the libelf
 *   in use does not support the ELF version these helpers are built for
 */
gboolean
ipt_elf_file_init (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  if (!GPOINTER_TO_UINT (g_once (&once, init_libelf, NULL)))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "libelf does not support ELF version %d: %s", EV_CURRENT,
                   elf_errmsg (-1));
      return FALSE;
    }
  return TRUE;
}

static Elf *
check_kind (Elf *elf, const char *filename, GError **error)
{
  if (elf == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: libelf cannot open the file: %s",
                   filename, elf_errmsg (-1));
      return NULL;
    }
  if (elf_kind (elf) != ELF_K_ELF)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: offset 0x0: not an ELF file (%s)", filename,
                   elf_kind (elf) == ELF_K_AR ? "an ar archive" : "libelf does not take it");
      elf_end (elf);
      return NULL;
    }
  return elf;
}

/**
 * ipt_elf_file_open_fd:
 * @fd: a file descriptor open for reading; the caller keeps it
 * @file_size: the size of the file
 * @filename: the file's name, for messages
 * @error: return location for an error
 *
 * Checks the ELF identification (ipt_elf_reader_check_ident()), then opens
 * @fd with libelf (ELF_C_READ_MMAP: mapped read-only, never written).
 *
 * Returns: (transfer full): the Elf handle (free with elf_end()), or %NULL
 *   with an error of ipt_elf_reader_check_ident(), or %IPT_ERROR_IO when
 *   the file cannot be read
 */
Elf *
ipt_elf_file_open_fd (int fd, guint64 file_size, const char *filename, GError **error)
{
  guint8 prefix[sizeof (Elf64_Ehdr)];
  gssize n;

  if (!ipt_elf_file_init (error))
    return NULL;
  do
    n = pread (fd, prefix, sizeof prefix, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved_errno = errno;

      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: offset 0x0: %s", filename,
                   g_strerror (saved_errno));
      return NULL;
    }
  /* A prefix shorter than the ELF header is the whole file. */
  if (!ipt_elf_reader_check_ident (prefix, (gsize) MIN ((guint64) n, file_size), filename,
                                   error))
    return NULL;
  return check_kind (elf_begin (fd, ELF_C_READ_MMAP, NULL), filename, error);
}

/**
 * ipt_elf_file_open_memory:
 * @image: the ELF image; libelf may rewrite it in place (byte-order
 *   conversion), so pass a private, writable copy that outlives the handle
 * @size: the size of @image
 * @filename: a name for messages
 * @error: return location for an error
 *
 * Like ipt_elf_file_open_fd() for an image in memory (elf_memory()).
 *
 * Returns: (transfer full): the Elf handle, or %NULL with an error
 */
Elf *
ipt_elf_file_open_memory (void *image, gsize size, const char *filename, GError **error)
{
  if (!ipt_elf_file_init (error))
    return NULL;
  if (!ipt_elf_reader_check_ident (image, size, filename, error))
    return NULL;
  return check_kind (elf_memory (image, size), filename, error);
}
