/* ipt-sigbus.c: the SIGBUS guard (ipt-sigbus-private.h). One process-wide
 * handler, installed the first time a guard is entered; each thread keeps
 * its innermost guard. The handler only reads that thread-local pointer
 * and jumps: it is async-signal-safe (the thread's TLS block exists, since
 * entering the guard wrote it). Faults outside a guard go to the handler
 * that was installed before, or end the process as SIGBUS always did. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-snapshot-private.h"
#include "ipt-sigbus-private.h"

static __thread IptSigbusGuard *innermost;
static struct sigaction previous;

static void
sigbus_handler (int sig, siginfo_t *info, void *ucontext)
{
  IptSigbusGuard *guard = innermost;

  if (guard != NULL)
    {
      guard->fault_address = info->si_addr != NULL ? info->si_addr : (void *) guard;
      siglongjmp (guard->env, 1);
    }

  /* not a read of ours: whoever handled it before, or the default */
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL)
    {
      previous.sa_sigaction (sig, info, ucontext);
      return;
    }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)
    {
      previous.sa_handler (sig);
      return;
    }
  sigaction (SIGBUS, &previous, NULL);
  raise (SIGBUS);
}

static void
install_handler (void)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    {
      struct sigaction action;

      memset (&action, 0, sizeof action);
      action.sa_sigaction = sigbus_handler;
      /* not blocked while it runs: it leaves by siglongjmp, without
       * restoring a signal mask */
      action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
      sigemptyset (&action.sa_mask);
      sigaction (SIGBUS, &action, &previous);
      g_once_init_leave (&installed, 1);
    }
}

void
ipt_sigbus_guard_enter (IptSigbusGuard *guard)
{
  install_handler ();
  guard->outer = innermost;
  guard->fault_address = NULL;
  guard->reader_depth = ipt_image_retire_get_depth ();
  innermost = guard;
}

void
ipt_sigbus_guard_leave (IptSigbusGuard *guard)
{
  innermost = guard->outer;
  /* a read left half-way announced its snapshot: forget it */
  if (guard->fault_address != NULL)
    ipt_image_retire_unwind (guard->reader_depth);
}

/* The file mapped at @address, and the offset in it, from /proc/self/maps. */
static gboolean
find_mapped_file (const void *address, char **path, guint64 *offset)
{
  g_autofree char *maps = NULL;
  guint64 a = (guint64) (guintptr) address;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;

  for (char *line = maps, *next; line != NULL && *line != '\0'; line = next)
    {
      guint64 start, end, file_offset;
      int name_at = 0;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      if (sscanf (line, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %*s %"
                  G_GINT64_MODIFIER "x %*s %*s %n", &start, &end, &file_offset, &name_at) < 3 ||
          a < start || a >= end)
        continue;
      if (name_at == 0 || line[name_at] != '/')
        return FALSE;
      *path = g_strdup (line + name_at);
      *offset = file_offset + (a - start);
      return TRUE;
    }
  return FALSE;
}

void
ipt_sigbus_guard_set_error (const IptSigbusGuard *guard, GError **error)
{
  g_autofree char *path = NULL;
  guint64 offset = 0;
  GStatBuf st;

  if (!find_mapped_file (guard->fault_address, &path, &offset))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                   "a mapped file changed while it was read (its bytes at %p are gone); "
                   "reading stopped there", guard->fault_address);
      return;
    }

  if (g_stat (path, &st) == 0)
    g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                 "%s: offset 0x%" G_GINT64_MODIFIER "x: the file changed while it was read "
                 "(it has %" G_GINT64_FORMAT " bytes now: truncated?); reading stopped there",
                 path, offset, (gint64) st.st_size);
  else
    g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                 "%s: offset 0x%" G_GINT64_MODIFIER "x: the file changed while it was read "
                 "(%s); reading stopped there", path, offset, g_strerror (errno));
}
