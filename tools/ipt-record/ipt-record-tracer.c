/* ipt-record-tracer.c: runs a program under ptrace (x86-64 Linux) and
 * single-steps every user-space instruction of its main thread, telling
 * the encoder what each one did.
 *
 * At every stop the tracer knows the instruction the process is about to
 * execute (decoded with Zydis from its bytes as they are at that stop,
 * which the capture keeps: code rewritten at an address that already ran
 * is seen, and its page captured again) and learns from
 * the kind of stop whether it executed:
 *  - a single-step trap (si_code TRAP_TRACE, or TRAP_BRKPT after a syscall):
 *    it did, and RIP is where user execution continues;
 *  - the trap the kernel raises on entering a signal handler while
 *    stepping (si_code SIGTRAP): it did not; RIP is the handler;
 *  - a signal-delivery-stop: it did not (faults and asynchronous signals
 *    stop before it), except int3/int n, which stop after themselves;
 *  - a syscall interrupted by a signal without a handler is restarted by
 *    the kernel two bytes back, at the syscall instruction.
 * REP string instructions trap once per iteration at the same RIP; Intel PT
 * sees one instruction, so they are accounted once, when RIP moves on.
 *
 * Only the main thread is traced: other threads and child processes run
 * untraced (a warning says so); an execve() ends the trace.
 *
 * A stop request (the flag ipt-record's SIGINT/SIGTERM/SIGHUP handler sets)
 * ends the trace before the next step as an interrupt would; a step blocked
 * in a syscall is cut short with a SIGSTOP that is never delivered.  The
 * end function then sees the process as it was, and the tracer kills it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* pipe2 */
#include "config.h"

#include "ipt-record-tracer.h"
#include "ipt-record-classify.h"
#include "ipt-record-clock.h"
#include "ipt-page.h"
#include "ipt-tool-log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <Zydis/Zydis.h>

#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif
#ifndef TRAP_BRKPT
#define TRAP_BRKPT 1
#endif
#ifndef TRAP_TRACE
#define TRAP_TRACE 2
#endif

/* The kernel's internal "restart this syscall" codes (include/linux/errno.h). */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

#define MAX_INSN_SIZE 15

struct _IptRecordTracer {
  pid_t pid;
  char *program;
  IptRecordMemory *memory;
  ZydisDecoder decoder;
  int exit_status;
  gboolean running;       /* pid still has to be reaped */
  guint64 n_steps;
  guint64 n_signals;
  gboolean warned_thread;
  gboolean warned_fork;
  IptRecordExitFunc exit_func;
  gpointer exit_data;
  IptRecordMapFunc map_func;
  gpointer map_data;
  const volatile sig_atomic_t *stop_flag;
  gboolean stop_sent;     /* our SIGSTOP is on its way to the process */
  gboolean stopped;       /* the trace ended at a stop request */
};

typedef struct {
  guint64 ip;
  guint size;
  IptRecordInsnClass klass;
  gboolean rep_string;
  gboolean unknown;       /* unreadable or not decodable: must fault, not run */
  guint64 rewritten_at;   /* a page it lies on was captured again then; 0: not */
} Insn;

static gboolean
set_errno_error (GError **error, int saved_errno, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_errno_error (GError **error, int saved_errno, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
stop_requested (IptRecordTracer *self)
{
  return self->stop_flag != NULL && *self->stop_flag != 0;
}

/* waitpid() on the process.  The stop handler interrupts it (EINTR): then,
 * once, @on_stop is sent to the process (0: none), so that a step blocked
 * in a syscall ends, or an untraced program does not keep us waiting. */
static gboolean
wait_process (IptRecordTracer *self, int *status, int on_stop, GError **error)
{
  while (waitpid (self->pid, status, 0) < 0)
    {
      if (errno != EINTR)
        return set_errno_error (error, errno, "waitpid(%d)", (int) self->pid);
      if (on_stop != 0 && stop_requested (self) && !self->stop_sent)
        {
          kill (self->pid, on_stop);
          self->stop_sent = TRUE;
        }
    }
  return TRUE;
}

/* Why g_find_program_in_path() found no @name, as a shell tells it: 126
 * for a file that is there but cannot be executed (no x bit, a directory),
 * 127 for none. */
static void
set_not_found_error (const char *name, int *exit_code, GError **error)
{
  g_autofree char *found = NULL;

  if (strchr (name, G_DIR_SEPARATOR) != NULL)
    {
      if (g_file_test (name, G_FILE_TEST_EXISTS))
        found = g_strdup (name);
    }
  else
    {
      const char *path = g_getenv ("PATH");
      g_auto(GStrv) dirs = g_strsplit (path != NULL ? path : "/bin:/usr/bin:.", ":", -1);

      for (guint i = 0; dirs[i] != NULL && found == NULL; i++)
        {
          g_autofree char *candidate = g_build_filename (dirs[i][0] != '\0' ? dirs[i] : ".",
                                                         name, NULL);

          if (g_file_test (candidate, G_FILE_TEST_EXISTS))
            found = g_steal_pointer (&candidate);
        }
    }

  if (found == NULL)
    {
      *exit_code = IPT_RECORD_EXIT_NOT_FOUND;
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: program not found", name);
      return;
    }
  *exit_code = IPT_RECORD_EXIT_CANNOT_EXEC;
  set_errno_error (error, g_file_test (found, G_FILE_TEST_IS_DIR) ? EISDIR : EACCES,
                   "%s: cannot be executed", found);
}

/**
 * ipt_record_tracer_spawn:
 * @argv: (array zero-terminated=1): the program and its arguments; the
 *   program is looked up in PATH
 * @exit_code: (out): on failure, the exit code ipt-record should use
 * @error: return location for a #GError
 *
 * Starts @argv[0] under ptrace and leaves it stopped at its first
 * instruction (the entry of ld.so, or of a static executable).
 *
 * Returns: (transfer full) (nullable): the tracer, or %NULL on error.
 */
IptRecordTracer *
ipt_record_tracer_spawn (char **argv, int *exit_code, GError **error)
{
  g_autoptr(IptRecordTracer) self = g_new0 (IptRecordTracer, 1);
  int pipe_fds[2];
  int status, child_errno = 0;
  ssize_t got;

  *exit_code = IPT_RECORD_EXIT_FAILURE;
  self->program = g_find_program_in_path (argv[0]);
  if (self->program == NULL)
    {
      set_not_found_error (argv[0], exit_code, error);
      return NULL;
    }

  if (ZYAN_FAILED (ZydisDecoderInit (&self->decoder, ZYDIS_MACHINE_MODE_LONG_64,
                                     ZYDIS_STACK_WIDTH_64)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "cannot initialise the Zydis decoder");
      return NULL;
    }

  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    return set_errno_error (error, errno, "pipe"), NULL;

  self->pid = fork ();
  if (self->pid < 0)
    {
      int saved_errno = errno;
      close (pipe_fds[0]);
      close (pipe_fds[1]);
      return set_errno_error (error, saved_errno, "fork"), NULL;
    }
  if (self->pid == 0)
    {
      /* Child: only async-signal-safe calls from here on. */
      close (pipe_fds[0]);
      if (ptrace (PTRACE_TRACEME, 0, NULL, NULL) == 0)
        execv (self->program, argv);
      child_errno = errno;
      if (write (pipe_fds[1], &child_errno, sizeof child_errno) < 0)
        _exit (IPT_RECORD_EXIT_CANNOT_EXEC);
      _exit (IPT_RECORD_EXIT_CANNOT_EXEC);
    }

  close (pipe_fds[1]);
  self->running = TRUE;
  if (!wait_process (self, &status, 0, error))
    {
      close (pipe_fds[0]);
      return NULL;
    }
  /* The write end closes on exec; anything read is the child's errno. */
  got = read (pipe_fds[0], &child_errno, sizeof child_errno);
  close (pipe_fds[0]);
  if (!WIFSTOPPED (status) || WSTOPSIG (status) != SIGTRAP || got == (ssize_t) sizeof child_errno)
    {
      if (WIFSTOPPED (status))
        {
          kill (self->pid, SIGKILL);
          wait_process (self, &status, 0, NULL);
        }
      self->running = FALSE;
      *exit_code = got == (ssize_t) sizeof child_errno && child_errno == ENOENT ?
                   IPT_RECORD_EXIT_NOT_FOUND : IPT_RECORD_EXIT_CANNOT_EXEC;
      return set_errno_error (error, got == (ssize_t) sizeof child_errno ? child_errno : ECHILD,
                              "%s: cannot execute under ptrace", self->program), NULL;
    }

  if (ptrace (PTRACE_SETOPTIONS, self->pid, NULL,
              (void *) (long) (PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT)) < 0)
    return set_errno_error (error, errno, "ptrace(PTRACE_SETOPTIONS)"), NULL;

  self->memory = ipt_record_memory_new (self->pid, error);
  if (self->memory == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* Decodes the instruction at @ip from the process's code as it is now,
 * the bytes the next step executes (within its page first, so that the
 * next page counts only if the instruction really extends onto it), and
 * records them in the capture. */
static gboolean
decode_insn (IptRecordTracer *self, guint64 ip, Insn *insn, GError **error)
{
  guint8 bytes[MAX_INSN_SIZE];
  IptRecordInsnInfo info;
  ZyanStatus status;
  gsize want = MIN ((gsize) MAX_INSN_SIZE, IPT_PAGE_SIZE - (ip % IPT_PAGE_SIZE));
  gsize have = ipt_record_memory_read_code (self->memory, ip, bytes, want);
  gboolean known;

  memset (insn, 0, sizeof *insn);
  insn->ip = ip;
  insn->size = 1;
  insn->klass = IPT_RECORD_INSN_OTHER;
  if (have == 0)
    {
      /* A jump to unmapped memory: the fetch faults (SIGSEGV) before
       * anything executes there, which the stop logic accounts. */
      insn->unknown = TRUE;
      return TRUE;
    }
  known = ipt_record_classify (&self->decoder, bytes, have, ip, IPT_RECORD_TRACE_USER, &info,
                               &status);
  if (!known && status == ZYDIS_STATUS_NO_MORE_DATA && want < MAX_INSN_SIZE)
    {
      have = ipt_record_memory_read_code (self->memory, ip, bytes, MAX_INSN_SIZE);
      known = ipt_record_classify (&self->decoder, bytes, have, ip, IPT_RECORD_TRACE_USER,
                                   &info, &status);
    }
  if (!known)
    {
      /* Not an instruction Zydis knows: the CPU will fault on it (SIGILL),
       * which the stop logic handles without needing its class. */
      insn->unknown = TRUE;
      return ipt_record_memory_observe (self->memory, ip, bytes, have, &insn->rewritten_at,
                                        error);
    }

  insn->size = info.size;
  insn->rep_string = info.rep_string;
  insn->klass = info.klass;
  return ipt_record_memory_observe (self->memory, ip, bytes, insn->size, &insn->rewritten_at,
                                    error);
}

/* decode_insn(), and when the instruction lies on a page rewritten since
 * its code last ran, a TSC of the page's new version: written before the
 * packets of the instruction that leads there, so that a decoder's time
 * reaches the new version before it decodes the rewritten code. */
static gboolean
next_insn (IptRecordTracer *self, IptRecordEncoder *encoder, guint64 ip, Insn *insn,
           GError **error)
{
  return decode_insn (self, ip, insn, error) &&
         (insn->rewritten_at == 0 ||
          ipt_record_encoder_timestamp (encoder, insn->rewritten_at, error));
}

static gboolean
get_regs (IptRecordTracer *self, struct user_regs_struct *regs, GError **error)
{
  if (ptrace (PTRACE_GETREGS, self->pid, NULL, regs) < 0)
    return set_errno_error (error, errno, "ptrace(PTRACE_GETREGS) of %d", (int) self->pid);
  return TRUE;
}

/* After a syscall completed (@time: just after it ran): say what ptrace
 * will not follow, and when code may have been mapped. */
static void
check_syscall (IptRecordTracer *self, const struct user_regs_struct *regs, guint64 time)
{
  gint64 result = (gint64) regs->rax;
  guint64 flags = 0;

  /* -4095..-1 is an error */
  if ((regs->orig_rax == SYS_mmap || regs->orig_rax == SYS_mprotect) && self->map_func != NULL &&
      (result >= 0 || result < -4095))
    self->map_func (self->pid, time, self->map_data);

  if (result <= 0)
    return;
  switch (regs->orig_rax)
    {
    case SYS_clone:
      flags = regs->rdi;
      break;
    case SYS_clone3:
      if (!ipt_record_memory_read_live (self->memory, regs->rdi, (guint8 *) &flags, sizeof flags))
        flags = 0;
      break;
    case SYS_fork:
    case SYS_vfork:
      break;
    default:
      return;
    }

  if (flags & CLONE_THREAD)
    {
      if (!self->warned_thread)
        ipt_tool_warning ("thread %" G_GINT64_FORMAT " created: only the main "
                          "thread is traced, other threads run untraced", result);
      self->warned_thread = TRUE;
    }
  else
    {
      if (!self->warned_fork)
        ipt_tool_warning ("child process %" G_GINT64_FORMAT " created: it runs "
                          "untraced", result);
      self->warned_fork = TRUE;
    }
}

static gboolean
finish_exit (IptRecordTracer *self, int status)
{
  self->running = FALSE;
  if (WIFEXITED (status))
    self->exit_status = WEXITSTATUS (status);
  else if (WIFSIGNALED (status))
    self->exit_status = 128 + WTERMSIG (status);
  return TRUE;
}

/* Lets the process run on untraced and waits for its end. */
static gboolean
detach_and_wait (IptRecordTracer *self, GError **error)
{
  int status;

  if (ptrace (PTRACE_DETACH, self->pid, NULL, NULL) < 0)
    return set_errno_error (error, errno, "ptrace(PTRACE_DETACH) of %d", (int) self->pid);
  for (;;)
    {
      /* Untraced now: a stop request kills it, as it would a traced one. */
      if (!wait_process (self, &status, SIGKILL, error))
        return FALSE;
      if (WIFEXITED (status) || WIFSIGNALED (status))
        return finish_exit (self, status);
    }
}

/* Kills the process and reaps it; an exit stop on the way (older kernels
 * stop there even after SIGKILL) is let go. */
static gboolean
kill_and_reap (IptRecordTracer *self, GError **error)
{
  int status;

  if (kill (self->pid, SIGKILL) < 0 && errno != ESRCH)
    return set_errno_error (error, errno, "kill(%d)", (int) self->pid);
  for (;;)
    {
      if (!wait_process (self, &status, 0, error))
        return FALSE;
      if (WIFEXITED (status) || WIFSIGNALED (status))
        return finish_exit (self, status);
      ptrace (PTRACE_CONT, self->pid, NULL, NULL);
    }
}

/* At a stop request, between two steps: @insn has not executed.  The
 * trace ends as for a kill (FUP + TIP.PGD), the end function sees the
 * process as it is, then it is killed. */
static gboolean
stop_tracing (IptRecordTracer *self, IptRecordEncoder *encoder, const Insn *insn,
              GError **error)
{
  struct user_regs_struct regs;

  self->stopped = TRUE;
  if (!ipt_record_encoder_interrupt (encoder, insn->ip, error) || !get_regs (self, &regs, error))
    return FALSE;
  if (self->exit_func != NULL)
    self->exit_func (self->pid, &regs, self->exit_data);
  return kill_and_reap (self, error);
}

/**
 * ipt_record_tracer_run:
 * @self: a tracer from ipt_record_tracer_spawn()
 * @encoder: receives every executed instruction and kernel entry
 * @error: return location for a #GError
 *
 * Single-steps the program until it exits, or until the stop flag is set
 * (then the program is killed, see ipt_record_tracer_was_stopped()).  On
 * error the program is killed.
 *
 * Returns: %FALSE with @error set when ptrace or the output fails.
 */
gboolean
ipt_record_tracer_run (IptRecordTracer *self, IptRecordEncoder *encoder, GError **error)
{
  struct user_regs_struct regs;
  Insn insn, next;
  int inject = 0;
  gboolean restart_pending = FALSE;

  if (!get_regs (self, &regs, error) || !next_insn (self, encoder, regs.rip, &insn, error))
    return FALSE;

  for (;;)
    {
      siginfo_t info;
      int status, sig, event;
      gboolean have_next = FALSE;

      if (stop_requested (self))
        return stop_tracing (self, encoder, &insn, error);
      if (ptrace (PTRACE_SINGLESTEP, self->pid, NULL, (void *) (long) inject) < 0)
        return set_errno_error (error, errno, "ptrace(PTRACE_SINGLESTEP) of %d", (int) self->pid);
      inject = 0;
      self->n_steps++;
      if (!wait_process (self, &status, SIGSTOP, error))
        return FALSE;

      if (WIFEXITED (status) || WIFSIGNALED (status))
        {
          /* Without the exit event (SIGKILL races): the process ended in
           * the kernel; a syscall got there by itself. */
          if (insn.klass == IPT_RECORD_INSN_KERNEL_ENTRY)
            {
              if (!ipt_record_encoder_insn (encoder, insn.ip, insn.size, insn.klass, 0, error))
                return FALSE;
            }
          else if (!ipt_record_encoder_interrupt (encoder, insn.ip, error))
            return FALSE;
          return finish_exit (self, status);
        }
      if (!WIFSTOPPED (status))
        continue;

      sig = WSTOPSIG (status);
      event = status >> 16;

      if (event == PTRACE_EVENT_EXIT || event == PTRACE_EVENT_EXEC)
        {
          unsigned long message = 0;
          gboolean signalled = FALSE;

          if (event == PTRACE_EVENT_EXIT &&
              ptrace (PTRACE_GETEVENTMSG, self->pid, NULL, &message) == 0)
            signalled = WIFSIGNALED ((int) message);
          /* exit_group()/execve() executed; a fatal signal interrupts. */
          if (insn.klass == IPT_RECORD_INSN_KERNEL_ENTRY && !signalled)
            {
              if (!ipt_record_encoder_insn (encoder, insn.ip, insn.size, insn.klass, 0, error))
                return FALSE;
            }
          else if (!ipt_record_encoder_interrupt (encoder, insn.ip, error))
            return FALSE;

          if (event == PTRACE_EVENT_EXEC)
            {
              ipt_tool_warning ("the program executed another program: the "
                                "trace ends at the execve(); the new program runs untraced");
              return detach_and_wait (self, error);
            }
          if (self->exit_func != NULL)
            {
              if (!get_regs (self, &regs, error))
                return FALSE;
              self->exit_func (self->pid, &regs, self->exit_data);
            }
          /* Run into the exit itself; nothing user-space is left. */
          for (;;)
            {
              if (ptrace (PTRACE_CONT, self->pid, NULL, NULL) < 0 && errno != ESRCH)
                return set_errno_error (error, errno, "ptrace(PTRACE_CONT) of %d", (int) self->pid);
              if (!wait_process (self, &status, 0, error))
                return FALSE;
              if (WIFEXITED (status) || WIFSIGNALED (status))
                return finish_exit (self, status);
            }
        }

      if (ptrace (PTRACE_GETSIGINFO, self->pid, NULL, &info) < 0)
        {
          /* A group-stop (EINVAL): nothing executed, resume quietly. */
          if (errno == EINVAL)
            continue;
          return set_errno_error (error, errno, "ptrace(PTRACE_GETSIGINFO) of %d", (int) self->pid);
        }
      if (!get_regs (self, &regs, error))
        return FALSE;

      if (sig == SIGTRAP && event == 0 &&
          (info.si_code == TRAP_TRACE || info.si_code == TRAP_BRKPT))
        {
          /* Single step done: a syscall's effects are there from now on,
           * before any packet that follows it. */
          guint64 stepped_at = insn.klass == IPT_RECORD_INSN_KERNEL_ENTRY
                               ? ipt_record_clock_now () : 0;

          if (restart_pending)
            {
              /* The kernel moved RIP back onto the interrupted syscall and
               * ran it again instead of the instruction we expected. */
              Insn restarted = { insn.ip - 2, 2, IPT_RECORD_INSN_KERNEL_ENTRY, FALSE };

              restart_pending = FALSE;
              insn = restarted;
            }
          if (insn.rep_string && regs.rip == insn.ip)
            continue;
          if (insn.unknown)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "%s: executed an instruction at 0x%" G_GINT64_MODIFIER "x that "
                           "cannot be read or decoded", self->program, insn.ip);
              return FALSE;
            }
          /* The next one first: its TSC, if any, goes before this one's packets. */
          if (regs.rip != insn.ip)
            {
              if (!next_insn (self, encoder, regs.rip, &next, error))
                return FALSE;
              have_next = TRUE;
            }
          if (!ipt_record_encoder_insn (encoder, insn.ip, insn.size, insn.klass, regs.rip, error))
            return FALSE;
          if (insn.klass == IPT_RECORD_INSN_KERNEL_ENTRY)
            check_syscall (self, &regs, stepped_at);
        }
      else if (sig == SIGTRAP && event == 0 && info.si_code == SIGTRAP)
        {
          /* Stopped at a signal handler's entry: the interrupted
           * instruction did not run. */
          restart_pending = FALSE;
          if (!ipt_record_encoder_interrupt (encoder, insn.ip, error))
            return FALSE;
        }
      else
        {
          /* Signal-delivery-stop: deliver the signal on the next step;
           * not our own SIGSTOP (tracing ends before the next step). */
          if (!(sig == SIGSTOP && self->stop_sent))
            {
              self->n_signals++;
              inject = sig;
            }
          if (regs.rip != insn.ip)
            {
              /* int3/int n: the trap comes after the instruction. */
              if (!ipt_record_encoder_insn (encoder, insn.ip, insn.size, insn.klass, regs.rip, error))
                return FALSE;
            }
          else if ((gint64) regs.orig_rax >= 0 &&
                   (gint64) regs.rax <= -ERESTARTSYS &&
                   (gint64) regs.rax >= -ERESTART_RESTARTBLOCK)
            restart_pending = TRUE;
        }

      if (have_next)
        insn = next;
      else if (regs.rip != insn.ip && !next_insn (self, encoder, regs.rip, &insn, error))
        return FALSE;
    }
}

/**
 * ipt_record_tracer_set_exit_func:
 * @self: a tracer
 * @func: (nullable): called once at the process's exit stop, or at the
 *   stop where a stop request ended the trace
 * @user_data: passed to @func
 *
 * Sets what to do at the process's last stop (e.g. write a core). Not
 * called when the program executes another program (the trace ends at the
 * execve()).
 */
void
ipt_record_tracer_set_map_func (IptRecordTracer *self, IptRecordMapFunc func, gpointer user_data)
{
  self->map_func = func;
  self->map_data = user_data;
}

void
ipt_record_tracer_set_exit_func (IptRecordTracer *self, IptRecordExitFunc func,
                                 gpointer user_data)
{
  self->exit_func = func;
  self->exit_data = user_data;
}

/**
 * ipt_record_tracer_set_stop_flag:
 * @self: a tracer
 * @flag: (nullable): set to non-zero (from a signal handler) to stop
 *
 * ipt_record_tracer_run() checks @flag before every step; when it is set,
 * the trace ends there and the program is killed.  The handler must not
 * use SA_RESTART, so that a step blocked in a syscall can be cut short.
 */
void
ipt_record_tracer_set_stop_flag (IptRecordTracer *self, const volatile sig_atomic_t *flag)
{
  self->stop_flag = flag;
}

/* Whether the trace ended at a stop request (and the program was killed). */
gboolean
ipt_record_tracer_was_stopped (IptRecordTracer *self)
{
  return self->stopped;
}

IptRecordMemory *
ipt_record_tracer_get_memory (IptRecordTracer *self)
{
  return self->memory;
}

int
ipt_record_tracer_get_exit_status (IptRecordTracer *self)
{
  return self->exit_status;
}

guint64
ipt_record_tracer_get_n_steps (IptRecordTracer *self)
{
  return self->n_steps;
}

guint64
ipt_record_tracer_get_n_signals (IptRecordTracer *self)
{
  return self->n_signals;
}

pid_t
ipt_record_tracer_get_pid (IptRecordTracer *self)
{
  return self->pid;
}

void
ipt_record_tracer_free (IptRecordTracer *self)
{
  if (self == NULL)
    return;
  if (self->running)
    kill_and_reap (self, NULL);
  ipt_record_memory_free (self->memory);
  g_free (self->program);
  g_free (self);
}
