/* dlswap.c: loads a library, calls into it, unloads it, loads another
 * that the loader puts at the same address, calls into that: code
 * replaced at one address during the run (test-record's dlswap tests).
 * argv[1], argv[2]: the two libraries (dlswap-lib.c built twice). Exits
 * 0 when both answered and the second came to the first's address, 3 when
 * it came elsewhere, 2 when a library did not load. */
#include <dlfcn.h>
#include <stddef.h>

typedef int (*Answer) (int);

static Answer
load (const char *path, void **handle)
{
  *handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  return *handle != NULL ? (Answer) dlsym (*handle, "dlswap_answer") : NULL;
}

int
main (int argc, char **argv)
{
  void *one_handle, *two_handle;
  Answer one, two;
  int a, b;

  if (argc < 3 || (one = load (argv[1], &one_handle)) == NULL)
    return 2;
  a = one (3);
  dlclose (one_handle);
  if ((two = load (argv[2], &two_handle)) == NULL)
    return 2;
  b = two (3);
  if (a != 13 || b != 6)
    return 1;
  return two == one ? 0 : 3;
}
