/* demo.c: the program recorded in data/demo/ (see data/make-demo.sh).
 *
 * A tiny calculator: parses a few prefix expressions recursively into a
 * tree, evaluates them recursively (a switch over the operators, compiled
 * to a jump table; operators beyond the switch called through a function
 * pointer table), recovers from a division by zero through a SIGFPE handler
 * and siglongjmp, sorts the results with qsort and a comparison callback,
 * and prints them with write(2).  Small on purpose: a few thousand
 * instructions after libc's start-up, so that single-stepping it is quick.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum op { NUM, ADD, SUB, MUL, DIV, MOD, NEG, POW, MAX, MIN };

struct node {
  enum op op;
  long value;
  struct node *left, *right;
};

static struct node pool[64];
static unsigned pool_used;
static sigjmp_buf on_error;

static const char *const expressions[] = {
  "+ 2 * 3 4",
  "^ 2 10",
  "/ 7 - 3 3",                  /* division by zero: SIGFPE */
  "> 5 < 9 ~ 4",
  "% * 12 12 7",
  "- 100 ^ 3 4",
};

static long op_max (long a, long b) { return a > b ? a : b; }
static long op_min (long a, long b) { return a < b ? a : b; }

/* Operators the switch does not handle, called indirectly. */
static long (*const extra_ops[]) (long, long) = { [MAX] = op_max, [MIN] = op_min };

static struct node *
parse (const char **text)
{
  struct node *node = &pool[pool_used++];
  const char *p = *text;

  while (*p == ' ')
    p++;
  memset (node, 0, sizeof *node);
  switch (*p)
    {
    case '+': node->op = ADD; break;
    case '-': node->op = SUB; break;
    case '*': node->op = MUL; break;
    case '/': node->op = DIV; break;
    case '%': node->op = MOD; break;
    case '~': node->op = NEG; break;
    case '^': node->op = POW; break;
    case '>': node->op = MAX; break;
    case '<': node->op = MIN; break;
    default:
      node->op = NUM;
      while (*p >= '0' && *p <= '9')
        node->value = node->value * 10 + (*p++ - '0');
      *text = p;
      return node;
    }
  *text = p + 1;
  node->left = parse (text);
  if (node->op != NEG)
    node->right = parse (text);
  return node;
}

static long
eval (const struct node *node)
{
  long left, right, result;

  if (node->op == NUM)
    return node->value;
  left = eval (node->left);
  right = node->right != NULL ? eval (node->right) : 0;
  switch (node->op)
    {
    case ADD: return left + right;
    case SUB: return left - right;
    case MUL: return left * right;
    case DIV: return left / right;
    case MOD: return left % right;
    case NEG: return -left;
    case POW:
      for (result = 1; right > 0; right--)
        result *= left;
      return result;
    default:
      return extra_ops[node->op] (left, right);
    }
}

static void
on_sigfpe (int sig)
{
  siglongjmp (on_error, sig);
}

static int
compare_longs (const void *a, const void *b)
{
  long x = *(const long *) a, y = *(const long *) b;

  return (x > y) - (x < y);
}

static void
print_long (long value)
{
  char buffer[24];
  char *p = buffer + sizeof buffer;
  unsigned long magnitude = value < 0 ? -(unsigned long) value : (unsigned long) value;

  *--p = '\n';
  do
    *--p = (char) ('0' + magnitude % 10);
  while ((magnitude /= 10) != 0);
  if (value < 0)
    *--p = '-';
  if (write (STDOUT_FILENO, p, (size_t) (buffer + sizeof buffer - p)) < 0)
    _exit (2);
}

/* Evaluates @text; FALSE when it divides by zero. */
static int
evaluate (const char *text, long *value)
{
  pool_used = 0;
  if (sigsetjmp (on_error, 1) != 0)
    return 0;
  *value = eval (parse (&text));
  return 1;
}

int
main (void)
{
  long results[sizeof expressions / sizeof expressions[0]];
  unsigned n = 0, errors = 0;

  signal (SIGFPE, on_sigfpe);
  for (unsigned i = 0; i < sizeof expressions / sizeof expressions[0]; i++)
    {
      if (evaluate (expressions[i], &results[n]))
        n++;
      else
        errors++;
    }

  qsort (results, n, sizeof results[0], compare_longs);
  for (unsigned i = 0; i < n; i++)
    print_long (results[i]);
  /* exactly one expression divides by zero */
  return errors == 1 ? 0 : 1;
}
