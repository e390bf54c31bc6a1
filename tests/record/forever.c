/* Never ends unless killed: writes "ready" on stdout (so that a test knows
 * it is past its start-up), then, with "spin", loops for ever through an
 * indirect call and branches, with "pause", waits in pause() for ever.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

static unsigned long
collatz (unsigned long n)
{
  return (n & 1) != 0 ? 3 * n + 1 : n / 2;
}

/* volatile: an indirect call (TIP) the compiler cannot fold. */
static unsigned long (*volatile next) (unsigned long) = collatz;

int
main (int argc, char **argv)
{
  unsigned long start = 27, n = start;

  if (write (STDOUT_FILENO, "ready\n", 6) != 6)
    return 1;
  if (argc > 1 && strcmp (argv[1], "pause") == 0)
    for (;;)
      pause ();
  for (;;)
    {
      n = next (n);
      if (n == 1)
        n = ++start;
    }
}
