/* linux-busy.c: the user-space program of the qemu suite's Linux guest.
 *
 * Static, started by the initramfs's /init: says that it runs on the
 * console, then spins in user space forever, never entering the kernel, so
 * that the snapshot driver, stopping the guest at a random moment, finds it
 * at CPL 3 with its RIP in this program's text (whose bytes the test knows
 * from this binary).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

#define MARKER "ipt-busy: spinning\n"

int
main (void)
{
  volatile unsigned long counter = 0;

  if (write (STDOUT_FILENO, MARKER, strlen (MARKER)) < 0)
    return 1;
  for (;;)
    counter++;
}
