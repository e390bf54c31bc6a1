/* fuzz-mapped-input.h: a libFuzzer input as a GMappedFile (through a
 * memfd: define _GNU_SOURCE first), for harnesses of parsers that read
 * mapped snapshot files. */
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

static inline GMappedFile *
fuzz_map_input (const guint8 *data, size_t size)
{
  int fd = memfd_create ("fuzz-input", MFD_CLOEXEC);
  GMappedFile *file;

  g_assert (fd >= 0);
  g_assert (size == 0 || write (fd, data, size) == (ssize_t) size);
  file = g_mapped_file_new_from_fd (fd, FALSE, NULL);
  close (fd);
  g_assert (file != NULL);
  return file;
}
