/* corewriter-target.c: a dynamically linked program with one mapping of
 * each kind the coredump filter tells apart, for tests/test-record-core.c.
 *
 * Usage: corewriter-target exit|stop DIR
 * Creates DIR/data.bin, sets up its mappings, prints one line
 * "name=0xADDR ..." on stdout, then exits (mode exit) or raises SIGSTOP
 * (mode stop, for the test to turn into a kernel core dump). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

/* Initialized, so it lives in the executable's file-backed data segment:
 * writing it makes that segment's pages anonymous copies (COW). */
volatile uint8_t written_global[64] = { 1 };

int
main (int argc, char **argv)
{
  /* mov eax, 42; ret */
  static const uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
  uint8_t *area, *rwx, *untouched, *dontdump, *shared_anon, *memfd_map;
  uint8_t *file_private, *file_shared;
  char path[4096];
  int (*fn) (void);
  int fd, mfd;

  if (argc != 3)
    return 2;

  rwx = mmap (NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  /* [guard][untouched x4][guard][dontdump]: guards keep the two apart,
   * because once merged, a later split leaves both halves with the
   * anon_vma of the written one, and the kernel then dumps both, which
   * no /proc file lets a user-space writer see (docs/core-format.md). */
  area = mmap (NULL, 7 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED)
    return 3;
  untouched = area + PAGE;
  dontdump = area + 6 * PAGE;
  if (mprotect (untouched, 4 * PAGE, PROT_READ | PROT_WRITE) != 0 ||
      mprotect (dontdump, PAGE, PROT_READ | PROT_WRITE) != 0)
    return 3;
  shared_anon = mmap (NULL, PAGE, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (rwx == MAP_FAILED || shared_anon == MAP_FAILED)
    return 3;

  for (unsigned i = 0; i < PAGE; i++)
    rwx[i] = (uint8_t) (i * 7 + 3);
  memcpy (rwx, code, sizeof code);
  fn = (int (*) (void)) (void *) rwx;
  if (fn () != 42)
    return 4;
  for (unsigned i = 0; i < sizeof written_global; i++)
    written_global[i] = (uint8_t) (0xa0 + i);
  memset (dontdump, 0x5a, PAGE);
  if (madvise (dontdump, PAGE, MADV_DONTDUMP) != 0)
    return 5;
  memset (shared_anon, 0x33, PAGE);

  /* A plain data file: mapped private (only read) and shared. */
  snprintf (path, sizeof path, "%s/data.bin", argv[2]);
  fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return 6;
  for (unsigned i = 0; i < 2 * PAGE; i++)
    if (write (fd, "d", 1) != 1)
      return 7;
  file_private = mmap (NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
  file_shared = mmap (NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
  if (file_private == MAP_FAILED || file_shared == MAP_FAILED)
    return 8;
  file_shared[0] = 'D';
  if (file_private[0] != 'd')
    return 9;

  /* Shared memory whose file has no name on disk: dumped (filter bit 1). */
  mfd = memfd_create ("corewriter", 0);
  if (mfd < 0 || ftruncate (mfd, PAGE) != 0)
    return 10;
  memfd_map = mmap (NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  if (memfd_map == MAP_FAILED)
    return 11;
  memset (memfd_map, 0x44, PAGE);

  printf ("rwx=%p untouched=%p dontdump=%p shared_anon=%p file_private=%p "
          "file_shared=%p memfd=%p global=%p\n", (void *) rwx, (void *) untouched,
          (void *) dontdump, (void *) shared_anon, (void *) file_private,
          (void *) file_shared, (void *) memfd_map, (void *) written_global);
  fflush (stdout);

  if (strcmp (argv[1], "stop") == 0)
    raise (SIGSTOP);
  return 0;
}
