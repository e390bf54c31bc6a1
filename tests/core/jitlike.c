/* jitlike.c: a test program with a JIT-like page, for core dump tests.
 *
 * Maps an RWX anonymous page, writes machine code and a known pattern into
 * it (the bytes jitlike_expected_page() in jitlike-driver.c expects), calls
 * the code, prints "pid=N page=0xADDR" on stdout and then blocks reading
 * stdin, so that the test can gcore it or kill it with SIGABRT for a kernel
 * core. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

int
main (void)
{
  /* mov eax, 42; ret */
  static const uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
  uint8_t *page = mmap (NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int (*fn) (void);
  char c;

  if (page == MAP_FAILED)
    return 2;
  for (unsigned i = 0; i < PAGE; i++)
    page[i] = (uint8_t) (i * 7 + 3);
  memcpy (page, code, sizeof code);
  fn = (int (*) (void)) (void *) page;
  if (fn () != 42)
    return 3;

  printf ("pid=%ld page=%p\n", (long) getpid (), (void *) page);
  fflush (stdout);
  while (read (0, &c, 1) > 0)
    ;
  return 0;
}
