/* vmlinux-like.c: stands in for a vmlinux in the --kcore tests: an ET_EXEC
 * file linked at the kernel's text address (0xffffffff81000000, with
 * -mcmodel=kernel), freestanding; never run, only read. */
volatile int counter;

void
_start (void)
{
  for (int i = 0;; i++)
    counter += i ^ counter;
}
