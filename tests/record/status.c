/* Ends as told: "exit N" exits with N, "abort" dies of SIGABRT, "touch N"
 * writes one byte in each page of N MiB of fresh anonymous memory (a core
 * of N MiB and more, in a few thousand instructions) and exits with 0,
 * "exec PROGRAM" executes PROGRAM (no arguments).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  if (argc > 2 && strcmp (argv[1], "exit") == 0)
    return atoi (argv[2]);
  if (argc > 1 && strcmp (argv[1], "abort") == 0)
    abort ();
  if (argc > 2 && strcmp (argv[1], "exec") == 0)
    {
      char *program_argv[] = { argv[2], NULL };

      execv (argv[2], program_argv);
      return 127;
    }
  if (argc > 2 && strcmp (argv[1], "touch") == 0)
    {
      size_t size = (size_t) atoi (argv[2]) << 20;
      volatile char *memory = mmap (NULL, size, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (memory == MAP_FAILED)
        return 2;
      for (size_t at = 0; at < size; at += 4096)
        memory[at] = 1;
    }
  return 0;
}
