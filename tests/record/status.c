/* Ends as told: "exit N" exits with N, "abort" dies of SIGABRT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  if (argc > 2 && strcmp (argv[1], "exit") == 0)
    return atoi (argv[2]);
  if (argc > 1 && strcmp (argv[1], "abort") == 0)
    abort ();
  return 0;
}
