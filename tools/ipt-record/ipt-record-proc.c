/* ipt-record-proc.c: reads a ptrace-stopped process for ipt-record's core
 * writer: its mappings from /proc/PID/smaps and map_files, its memory from
 * /proc/PID/mem (and pagemap, to see which anonymous pages exist), stat,
 * status, cmdline and auxv, and through ptrace its pending signal and
 * register sets. It never resumes the tracee and never faults a page in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-proc.h"
#include "ipt-page.h"

#include <ipt-analyze/ipt-analyze.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

#define XSAVE_MAX (64 * 1024)

static gboolean
set_proc_error (GError **error, const char *proc_path, const char *what, int err)
{
  g_set_error (error, IPT_ERROR, err == ESRCH || err == ENOENT ?
               IPT_ERROR_INVALID_ARGUMENT : IPT_ERROR_IO,
               "%s: %s: %s", proc_path, what, g_strerror (err));
  return FALSE;
}

/* Reads a whole /proc file (they report size 0, so g_file_get_contents is
 * not an option for binary ones). */
static gboolean
read_path (const char *proc_path, GByteArray **out, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  guint8 buf[8192];
  int fd = open (proc_path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return set_proc_error (error, proc_path, "cannot open", errno);
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int err = errno;
          close (fd);
          g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                       "%s: reading at offset 0x%x: %s", proc_path, data->len,
                       g_strerror (err));
          return FALSE;
        }
      if (n == 0)
        break;
      g_byte_array_append (data, buf, (guint) n);
    }
  close (fd);
  *out = g_steal_pointer (&data);
  return TRUE;
}

static char *
proc_path_for (pid_t pid, const char *file)
{
  return g_strdup_printf ("/proc/%d/%s", (int) pid, file);
}

/* /proc/PID/maps escapes '\n' in names as "\012" (seq_file_path). */
static char *
unescape_maps_name (const char *s)
{
  GString *out = g_string_new (NULL);

  while (*s)
    {
      if (s[0] == '\\' && s[1] == '0' && s[2] == '1' && s[3] == '2')
        {
          g_string_append_c (out, '\n');
          s += 4;
        }
      else
        g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_special_name (const char *name, gboolean has_file)
{
  gsize len = strlen (name);

  /* Names that a special mapping's vm_ops->name gives ([vdso], [vvar],
   * [vvar_vclock], [uprobes], ...), and the gate vma [vsyscall]; not the
   * names /proc makes up for ordinary anonymous memory. */
  if (has_file || len < 3 || name[0] != '[' || name[len - 1] != ']')
    return FALSE;
  return strcmp (name, "[heap]") != 0 && strcmp (name, "[stack]") != 0 &&
         !g_str_has_prefix (name, "[stack:") &&
         !g_str_has_prefix (name, "[anon:") &&
         !g_str_has_prefix (name, "[anon_shmem:");
}

static gboolean
parse_smaps (pid_t pid, GArray *vmas, GError **error)
{
  g_autofree char *proc_path = proc_path_for (pid, "smaps");
  g_autoptr (GByteArray) raw = NULL;
  g_auto (GStrv) lines = NULL;
  IptRecordVma *cur = NULL;

  if (!read_path (proc_path, &raw, error))
    return FALSE;
  g_byte_array_append (raw, (const guint8 *) "", 1);
  lines = g_strsplit ((const char *) raw->data, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      const char *colon;
      const char *space = strchr (line, ' ');

      if (*line == '\0')
        continue;
      colon = strchr (line, ':');
      if (colon && (!space || colon < space))
        {
          /* "Key:   value" inside the current entry. */
          if (!cur)
            goto malformed;
          if (g_str_has_prefix (line, "Anonymous:") || g_str_has_prefix (line, "Swap:"))
            {
              if (g_ascii_strtoull (colon + 1, NULL, 10) > 0)
                cur->anon_pages = TRUE;
            }
          else if (g_str_has_prefix (line, "VmFlags:"))
            {
              g_auto (GStrv) flags = g_strsplit_set (colon + 1, " ", -1);

              cur->read = cur->write = cur->exec = cur->shared = FALSE;
              for (guint f = 0; flags[f]; f++)
                {
                  const char *fl = flags[f];
                  if (!strcmp (fl, "rd")) cur->read = TRUE;
                  else if (!strcmp (fl, "wr")) cur->write = TRUE;
                  else if (!strcmp (fl, "ex")) cur->exec = TRUE;
                  else if (!strcmp (fl, "sh")) cur->shared = TRUE;
                  else if (!strcmp (fl, "io")) cur->io = TRUE;
                  else if (!strcmp (fl, "dd")) cur->dontdump = TRUE;
                  else if (!strcmp (fl, "ht")) cur->hugetlb = TRUE;
                }
            }
          continue;
        }
      else
        {
          /* "start-end perms offset dev inode   name" */
          IptRecordVma vma = { 0 };
          char perms[8] = { 0 };
          unsigned long long start, end, offset, inode;
          unsigned dev_major, dev_minor;
          int name_pos = 0;

          if (sscanf (line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end,
                      perms, &offset, &dev_major, &dev_minor, &inode, &name_pos) < 7 ||
              strlen (perms) != 4 || end <= start ||
              start % IPT_PAGE_SIZE != 0 || end % IPT_PAGE_SIZE != 0)
            goto malformed;
          if (cur && start < cur->end)
            goto malformed;
          vma.start = start;
          vma.end = end;
          vma.offset = offset;
          vma.read = perms[0] == 'r';
          vma.write = perms[1] == 'w';
          vma.exec = perms[2] == 'x';
          /* 's' is VM_MAYSHARE; VmFlags refines it to VM_SHARED below. */
          vma.shared = perms[3] == 's';
          vma.name = unescape_maps_name (name_pos > 0 ? line + name_pos : "");
          vma.has_file = inode != 0;
          g_array_append_val (vmas, vma);
          cur = &g_array_index (vmas, IptRecordVma, vmas->len - 1);
          continue;
        }
malformed:
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: line %u: unexpected \"%s\"", proc_path, i + 1, line);
      return FALSE;
    }
  return TRUE;
}

/* vm_file and its d_path, through map_files when we may read it (root or
 * CAP_CHECKPOINT_RESTORE), else from the maps line. */
static void
resolve_file (pid_t pid, IptRecordVma *vma, struct stat *st, gboolean *have_stat)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/map_files/%" G_GINT64_MODIFIER "x-%"
                                           G_GINT64_MODIFIER "x", (int) pid,
                                           vma->start, vma->end);
  char target[PATH_MAX + 32];
  ssize_t n = readlink (link, target, sizeof target - 1);

  *have_stat = FALSE;
  if (n >= 0)
    {
      target[n] = '\0';
      vma->has_file = TRUE;
      vma->file_path = g_strdup (target);
      *have_stat = stat (link, st) == 0;
      return;
    }
  if (errno == ENOENT)
    {
      /* No vm_file: e.g. a private mapping of /dev/zero became anonymous. */
      vma->has_file = FALSE;
      return;
    }
  if (!vma->has_file)
    return;
  vma->file_path = g_strdup (vma->name);
  if (!g_str_has_suffix (vma->name, " (deleted)"))
    *have_stat = stat (vma->name, st) == 0;
}

gboolean
ipt_record_proc_read_mem (IptRecordProc *proc, guint64 address, void *buf, gsize size)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = pread (proc->mem_fd, (guint8 *) buf + done, size - done,
                         (off_t) (address + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

static gboolean
read_stat (const char *proc_path, IptRecordProcStat *ps, GError **error)
{
  g_autoptr (GByteArray) raw = NULL;
  const char *text, *open_paren, *close_paren;
  char state;
  int tty, tpgid;
  unsigned long minflt, cminflt, majflt, cmajflt;
  long priority;

  if (!read_path (proc_path, &raw, error))
    return FALSE;
  g_byte_array_append (raw, (const guint8 *) "", 1);
  text = (const char *) raw->data;
  /* comm may hold spaces and parentheses: it ends at the last ')'. */
  open_paren = strchr (text, '(');
  close_paren = strrchr (text, ')');
  if (!open_paren || !close_paren || close_paren < open_paren ||
      sscanf (close_paren + 1, " %c %ld %ld %ld %d %d %lu %lu %lu %lu %lu %llu %llu %llu %llu %ld %ld",
              &state, &ps->ppid, &ps->pgrp, &ps->sid, &tty, &tpgid, &ps->flags,
              &minflt, &cminflt, &majflt, &cmajflt, &ps->utime, &ps->stime,
              &ps->cutime, &ps->cstime, &priority, &ps->nice) != 17)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0: not a stat line: \"%.80s\"", proc_path, text);
      return FALSE;
    }
  g_strlcpy (ps->comm, open_paren + 1,
             MIN ((gsize) (close_paren - open_paren), sizeof ps->comm));
  return TRUE;
}

/* "Key:\tvalue" from /proc/.../status; hex for Sig*, decimal for Uid/Gid. */
guint64
ipt_record_proc_status_field (const char *status, const char *key, int base)
{
  g_autofree char *needle = g_strdup_printf ("\n%s:", key);
  const char *p = strstr (status, needle);

  return p ? g_ascii_strtoull (p + strlen (needle), NULL, base) : 0;
}

/* The signal the kernel would name in the core: the one being delivered,
 * or the fatal one at PTRACE_EVENT_EXIT; 0 otherwise. */
int
ipt_record_proc_current_signal (pid_t tid, siginfo_t *si)
{
  siginfo_t got;
  unsigned long msg = 0;

  memset (si, 0, sizeof *si);
  if (ptrace (PTRACE_GETSIGINFO, tid, NULL, &got) < 0)
    return 0;
  if (got.si_signo == SIGTRAP && (got.si_code >> 8) != 0)
    {
      if ((got.si_code >> 8) == PTRACE_EVENT_EXIT &&
          ptrace (PTRACE_GETEVENTMSG, tid, NULL, &msg) == 0 &&
          WIFSIGNALED ((int) msg))
        {
          si->si_signo = WTERMSIG ((int) msg);
          return si->si_signo;
        }
      return 0;
    }
  if (got.si_code == (SIGTRAP | 0x80))   /* a syscall stop */
    return 0;
  *si = got;
  return got.si_signo;
}


void
ipt_record_vma_clear (IptRecordVma *vma)
{
  g_free (vma->name);
  g_free (vma->file_path);
}

gboolean
ipt_record_proc_open (IptRecordProc *proc, pid_t pid, GError **error)
{
  g_autofree char *mem_path = proc_path_for (pid, "mem");
  g_autofree char *pagemap_path = proc_path_for (pid, "pagemap");

  proc->pid = pid;
  proc->pagemap_fd = -1;
  proc->mem_fd = open (mem_path, O_RDONLY | O_CLOEXEC);
  if (proc->mem_fd < 0)
    return set_proc_error (error, mem_path, "cannot open", errno);
  proc->pagemap_fd = open (pagemap_path, O_RDONLY | O_CLOEXEC);
  return TRUE;
}

void
ipt_record_proc_close (IptRecordProc *proc)
{
  if (proc->mem_fd >= 0)
    close (proc->mem_fd);
  if (proc->pagemap_fd >= 0)
    close (proc->pagemap_fd);
  proc->mem_fd = proc->pagemap_fd = -1;
}

/* The pagemap entries of @n_pages pages from @address; FALSE when pagemap
 * is not readable, and the caller must read every page. */
gboolean
ipt_record_proc_read_pagemap (IptRecordProc *proc, guint64 address, guint n_pages,
                              guint64 *entries)
{
  gsize want = n_pages * sizeof (guint64);

  return proc->pagemap_fd >= 0 &&
         pread (proc->pagemap_fd, entries, want,
                (off_t) (address / IPT_PAGE_SIZE * sizeof (guint64))) == (ssize_t) want;
}

/* The mappings of smaps in address order (IptRecordVma), each with its
 * file resolved as the kernel sees vm_file. */
GArray *
ipt_record_proc_read_vmas (IptRecordProc *proc, GError **error)
{
  g_autoptr(GArray) vmas = g_array_new (FALSE, TRUE, sizeof (IptRecordVma));

  g_array_set_clear_func (vmas, (GDestroyNotify) ipt_record_vma_clear);
  if (!parse_smaps (proc->pid, vmas, error))
    return NULL;
  for (guint i = 0; i < vmas->len; i++)
    {
      IptRecordVma *vma = &g_array_index (vmas, IptRecordVma, i);
      struct stat st;
      gboolean have_stat = FALSE;

      resolve_file (proc->pid, vma, &st, &have_stat);
      vma->special = is_special_name (vma->name, vma->has_file);
      vma->file_unlinked = have_stat ? st.st_nlink == 0 :
                           g_str_has_suffix (vma->name, " (deleted)");
      vma->file_executable = have_stat && (st.st_mode & 0111) != 0;
    }
  return g_steal_pointer (&vmas);
}

/* /proc/@pid/@file, whole (cmdline, auxv). */
gboolean
ipt_record_proc_read_file (pid_t pid, const char *file, GByteArray **out, GError **error)
{
  g_autofree char *proc_path = proc_path_for (pid, file);

  return read_path (proc_path, out, error);
}

/* The stat line of thread @tid of @pid (the process's own for @tid == @pid). */
gboolean
ipt_record_proc_read_stat (pid_t pid, pid_t tid, IptRecordProcStat *ps, GError **error)
{
  g_autofree char *stat_path = tid == pid ?
    g_strdup_printf ("/proc/%d/stat", (int) tid) :
    g_strdup_printf ("/proc/%d/task/%d/stat", (int) pid, (int) tid);

  return read_stat (stat_path, ps, error);
}

/* The status text of @pid (@tid 0) or of its thread @tid; "" when unreadable. */
char *
ipt_record_proc_read_status (pid_t pid, pid_t tid)
{
  g_autofree char *status_path = tid == 0 ? proc_path_for (pid, "status") :
    g_strdup_printf ("/proc/%d/task/%d/status", (int) pid, (int) tid);
  char *status = NULL;

  if (!g_file_get_contents (status_path, &status, NULL, NULL))
    status = g_strdup ("");
  return status;
}

/* The general registers of the stopped thread @tid. */
gboolean
ipt_record_proc_read_regs (pid_t tid, struct user_regs_struct *regs)
{
  return ptrace (PTRACE_GETREGS, tid, NULL, regs) == 0;
}

void
ipt_record_proc_read_thread_regs (pid_t tid, IptRecordThreadRegs *regs)
{
  g_autofree guint8 *xsave = g_malloc0 (XSAVE_MAX);
  struct iovec iov = { xsave, XSAVE_MAX };

  memset (regs, 0, sizeof *regs);
  regs->fp_ok = ptrace (PTRACE_GETFPREGS, tid, NULL, &regs->fpregs) == 0;
  if (ptrace (PTRACE_GETREGSET, tid, (void *) (long) NT_X86_XSTATE, &iov) == 0 &&
      iov.iov_len > 0)
    {
      regs->xsave = g_steal_pointer (&xsave);
      regs->xsave_len = iov.iov_len;
    }
}

void
ipt_record_thread_regs_clear (IptRecordThreadRegs *regs)
{
  g_clear_pointer (&regs->xsave, g_free);
  regs->xsave_len = 0;
}

/* The thread ids of /proc/@pid/task (pid_t), empty when it cannot be read. */
GArray *
ipt_record_proc_list_threads (pid_t pid)
{
  g_autofree char *task_dir = proc_path_for (pid, "task");
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  GArray *tids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  for (const char *name; dir && (name = g_dir_read_name (dir)); )
    {
      pid_t tid = (pid_t) g_ascii_strtoll (name, NULL, 10);

      if (tid > 0)
        g_array_append_val (tids, tid);
    }
  return tids;
}
