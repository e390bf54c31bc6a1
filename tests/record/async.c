/* Control flow that depends on timing and on other tasks: a timer signal
 * interrupting a busy loop at arbitrary instructions, an ignored signal
 * that makes the kernel restart an interrupted nanosleep(), a second
 * thread and a child process (both run untraced; ipt-record warns).
 * The instruction addresses differ from run to run; the trace must still
 * decode to exactly the recorded ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void
on_alarm (int sig)
{
  ticks++;
}

static void *
worker (void *data)
{
  volatile long sum = 0;

  for (long i = 0; i < 1000; i++)
    sum += i;
  return (void *) sum;
}

int
main (void)
{
  struct sigaction action;
  struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } };
  struct itimerval once = { { 0, 0 }, { 0, 2000 } };
  struct itimerval off = { { 0, 0 }, { 0, 0 } };
  struct timespec nap = { 0, 20 * 1000 * 1000 };
  volatile unsigned long spins = 0;
  pthread_t thread;
  void *result;
  pid_t child;
  int status;

  memset (&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigaction (SIGALRM, &action, NULL);
  setitimer (ITIMER_REAL, &every_ms, NULL);
  while (ticks < 3)
    spins++;
  setitimer (ITIMER_REAL, &off, NULL);

  signal (SIGALRM, SIG_IGN);
  setitimer (ITIMER_REAL, &once, NULL);
  nanosleep (&nap, NULL);

  pthread_create (&thread, NULL, worker, NULL);
  pthread_join (thread, &result);

  child = fork ();
  if (child == 0)
    _exit (0);
  waitpid (child, &status, 0);

  return (long) result == 499500 && WIFEXITED (status) ? 0 : 1;
}
