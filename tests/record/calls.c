/* A small program for the call analysis (test-calls.c): what flow.c does
 * not hold. A tail call written as a jump to another function's first
 * instruction (jumper), and a return to an address no call pushed
 * (pushret: push + ret, as hand-written code and retpolines do).
 * Deterministic, no clock calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int __attribute__ ((noinline, used))
callee (int x)
{
  return x * 2 + 1;
}

/* jumper (x) is callee (x), reached by a jump. */
__asm__ (".text\n"
         ".globl jumper\n"
         ".type jumper, @function\n"
         "jumper:\n"
         "  jmp callee\n"
         ".size jumper, .-jumper\n");
int jumper (int x);

static void __attribute__ ((noinline))
pushret (void)
{
  __asm__ volatile ("lea 1f(%%rip), %%rax\n\t"
                    "push %%rax\n\t"
                    "ret\n"
                    "1:\n" ::: "rax", "memory");
}

int
main (void)
{
  int acc = 0;

  for (int i = 0; i < 3; i++)
    acc += jumper (i);
  pushret ();
  return acc == 9 ? 0 : 1;   /* 1 + 3 + 5 */
}
