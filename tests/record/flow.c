/* A small program exercising every kind of control flow ipt-record must
 * encode: loops, recursion, indirect calls, a switch compiled to a jump
 * table, a libc callback (qsort), REP string instructions, signal handlers
 * entered after a syscall (raise), after a fault (SIGSEGV) and after int3
 * (SIGTRAP), a call through a pointer to unmapped memory (SIGSEGV on the
 * fetch), siglongjmp out of a handler and longjmp out of a recursion.
 * Deterministic: the same run gives the same instruction addresses.  No
 * clock or time calls: their code is in the vDSO, which no file holds, and
 * the tests decode it from the mapped files alone (--elf).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t handled;
static sigjmp_buf recover;
static char big_src[4096], big_dst[4096];
static void (*volatile nowhere) (void) = (void (*) (void)) 0x1000;
static jmp_buf unwind;

static int __attribute__ ((noinline))
fib (int n)
{
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

/* Leaves through longjmp from @depth frames down: no returns. */
static void __attribute__ ((noinline))
dive (int depth)
{
  if (depth == 0)
    longjmp (unwind, 42);
  dive (depth - 1);
  __asm__ volatile ("" ::: "memory");   /* not a tail call */
}

static int add (int a, int b) { return a + b; }
static int sub (int a, int b) { return a - b; }
static int mul (int a, int b) { return a * b; }

static int (*volatile ops[]) (int, int) = { add, sub, mul };

static int __attribute__ ((noinline))
dispatch (int op, int x)
{
  /* Dense cases: compiled to an indirect jump through a table. */
  switch (op)
    {
    case 0: return x + 11;
    case 1: return x * 3;
    case 2: return x - 7;
    case 3: return x ^ 0x55;
    case 4: return x << 2;
    case 5: return x / 3;
    case 6: return -x;
    default: return x;
    }
}

static int
compare (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

static void
on_usr1 (int sig)
{
  handled += sig;
}

static void
on_segv (int sig)
{
  siglongjmp (recover, 1);
}

static void
on_trap (int sig)
{
  handled++;
}

int
main (void)
{
  int values[] = { 9, 3, 7, 1, 8, 2, 6, 4, 5, 0 };
  int acc = 0;

  for (int i = 0; i < 20; i++)
    acc = dispatch (i % 8, acc + i);
  for (int i = 0; i < 9; i++)
    acc += ops[i % 3] (acc, i);
  acc += fib (7);
  if (setjmp (unwind) == 0)
    dive (5);
  else
    acc++;
  qsort (values, sizeof values / sizeof values[0], sizeof values[0], compare);

  memset (big_src, acc & 0x7f, sizeof big_src);
  memcpy (big_dst, big_src, sizeof big_dst);

  signal (SIGUSR1, on_usr1);
  raise (SIGUSR1);

  signal (SIGSEGV, on_segv);
  if (sigsetjmp (recover, 1) == 0)
    *(volatile int *) 8 = 1;            /* faults; the handler jumps back */

  if (sigsetjmp (recover, 1) == 0)
    nowhere ();

  signal (SIGTRAP, on_trap);
  __asm__ volatile ("int3");

  return (values[0] == 0 && values[9] == 9 && handled == SIGUSR1 + 1 &&
          big_dst[100] == big_src[100]) ? 0 : 1;
}
