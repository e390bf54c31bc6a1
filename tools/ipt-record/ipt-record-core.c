/* ipt-record-core.c: an ELF core file of a ptrace-stopped process, laid out
 * the way the Linux kernel's elf_core_dump() lays out its own, so that
 * whatever reads kernel cores (the coredump plugin, gdb, eu-readelf) reads
 * ours the same way.  docs/core-format.md lists the kernel's choices this
 * reproduces and the few it cannot see from user space.
 *
 * Everything comes from /proc/PID (smaps, map_files, auxv, stat, status,
 * cmdline, mem, pagemap) and ptrace; the tracee is never resumed, and no
 * page of it is faulted in that the kernel would have left as a hole.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-core.h"

#include <ipt-analyze/ipt-analyze.h>

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define CORE_PAGE 4096u
#define CHUNK_PAGES 256u

/* The kernel's fixed note sizes on x86-64; the glibc structures match. */
G_STATIC_ASSERT (sizeof (struct elf_prstatus) == 336);
G_STATIC_ASSERT (sizeof (struct elf_prpsinfo) == 136);
G_STATIC_ASSERT (sizeof (struct user_regs_struct) == sizeof (elf_gregset_t));
G_STATIC_ASSERT (sizeof (struct user_fpregs_struct) == 512);

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
/* Since Linux 6.12: where each XSAVE component sits in NT_X86_XSTATE. */
#ifndef NT_X86_XSAVE_LAYOUT
#define NT_X86_XSAVE_LAYOUT 0x205
#endif

/* coredump_filter bits (core(5)). */
enum {
  FILTER_ANON_PRIVATE   = 1u << 0,
  FILTER_ANON_SHARED    = 1u << 1,
  FILTER_MAPPED_PRIVATE = 1u << 2,
  FILTER_MAPPED_SHARED  = 1u << 3,
  FILTER_ELF_HEADERS    = 1u << 4,
  FILTER_HUGETLB_PRIVATE = 1u << 5,
  FILTER_HUGETLB_SHARED = 1u << 6,
};

typedef struct {
  guint64 start;
  guint64 end;
  guint64 offset;          /* file offset in bytes (vm_pgoff << 12) */
  gboolean read, write, exec;
  gboolean shared;         /* VM_SHARED ("sh"), not just MAP_SHARED */
  gboolean io, dontdump, hugetlb;
  gboolean anon_pages;     /* Anonymous: or Swap: > 0, our view of anon_vma */
  gboolean has_file;       /* vm_file != NULL */
  gboolean special;        /* a named special mapping, or the gate vma */
  char *name;              /* the maps name column, unescaped */
  char *file_path;         /* d_path of vm_file, as NT_FILE names it */
  guint64 dump_size;
} CoreVma;

static void
core_vma_clear (CoreVma *vma)
{
  g_free (vma->name);
  g_free (vma->file_path);
}

typedef struct {
  pid_t pid;
  char *path;        /* the core being written, for messages */
  int mem_fd;
  int pagemap_fd;    /* -1 when pagemap cannot be read: read every page */
  GArray *vmas;      /* CoreVma */
} CoreWriter;

static void
core_writer_clear (CoreWriter *w)
{
  if (w->mem_fd >= 0)
    close (w->mem_fd);
  if (w->pagemap_fd >= 0)
    close (w->pagemap_fd);
  g_clear_pointer (&w->vmas, g_array_unref);
}

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
read_proc_file (const char *proc_path, GByteArray **out, GError **error)
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
parse_smaps (CoreWriter *w, GError **error)
{
  g_autofree char *proc_path = proc_path_for (w->pid, "smaps");
  g_autoptr (GByteArray) raw = NULL;
  g_auto (GStrv) lines = NULL;
  CoreVma *cur = NULL;

  if (!read_proc_file (proc_path, &raw, error))
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
          CoreVma vma = { 0 };
          char perms[8] = { 0 };
          unsigned long long start, end, offset, inode;
          unsigned dev_major, dev_minor;
          int name_pos = 0;

          if (sscanf (line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end,
                      perms, &offset, &dev_major, &dev_minor, &inode, &name_pos) < 7 ||
              strlen (perms) != 4 || end <= start ||
              start % CORE_PAGE != 0 || end % CORE_PAGE != 0)
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
          g_array_append_val (w->vmas, vma);
          cur = &g_array_index (w->vmas, CoreVma, w->vmas->len - 1);
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
resolve_file (CoreWriter *w, CoreVma *vma, struct stat *st, gboolean *have_stat)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/map_files/%" G_GINT64_MODIFIER "x-%"
                                           G_GINT64_MODIFIER "x", (int) w->pid,
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

static gboolean
read_mem (CoreWriter *w, guint64 address, void *buf, gsize size)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = pread (w->mem_fd, (guint8 *) buf + done, size - done,
                         (off_t) (address + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

/* The kernel's vma_dump_size() (fs/coredump.c), decision for decision. */
static guint64
vma_dump_size (CoreWriter *w, CoreVma *vma, guint filter)
{
  guint64 whole = vma->end - vma->start;
  struct stat st;
  gboolean have_stat = FALSE;
  guint8 magic[SELFMAG];

  resolve_file (w, vma, &st, &have_stat);
  vma->special = is_special_name (vma->name, vma->has_file);

  if (vma->special)
    return whole;
  if (vma->dontdump)
    return 0;
  if (vma->hugetlb)
    return (filter & (vma->shared ? FILTER_HUGETLB_SHARED : FILTER_HUGETLB_PRIVATE)) ?
           whole : 0;
  if (vma->io)
    return 0;
  if (vma->shared)
    {
      gboolean unlinked = have_stat ? st.st_nlink == 0 :
                          g_str_has_suffix (vma->name, " (deleted)");
      return (filter & (unlinked ? FILTER_ANON_SHARED : FILTER_MAPPED_SHARED)) ?
             whole : 0;
    }
  if (vma->anon_pages && (filter & FILTER_ANON_PRIVATE))
    return whole;
  if (!vma->has_file)
    return 0;
  if (filter & FILTER_MAPPED_PRIVATE)
    return whole;
  if ((filter & FILTER_ELF_HEADERS) && vma->offset == 0 && vma->read)
    {
      if (have_stat && (st.st_mode & 0111) != 0)
        return CORE_PAGE;
      if (read_mem (w, vma->start, magic, sizeof magic) &&
          memcmp (magic, ELFMAG, SELFMAG) == 0)
        return CORE_PAGE;
    }
  return 0;
}

static void
note_append (GByteArray *notes, const char *name, guint32 type,
             const void *desc, gsize descsz)
{
  static const guint8 pad[4] = { 0 };
  Elf64_Nhdr nhdr = {
    .n_namesz = (Elf64_Word) strlen (name) + 1,
    .n_descsz = (Elf64_Word) descsz,
    .n_type = type,
  };

  g_byte_array_append (notes, (const guint8 *) &nhdr, sizeof nhdr);
  g_byte_array_append (notes, (const guint8 *) name, nhdr.n_namesz);
  g_byte_array_append (notes, pad, (4 - nhdr.n_namesz % 4) % 4);
  g_byte_array_append (notes, desc, (guint) descsz);
  g_byte_array_append (notes, pad, (4 - descsz % 4) % 4);
}

typedef struct {
  long ppid, pgrp, sid, nice;
  unsigned long flags;
  unsigned long long utime, stime, cutime, cstime;   /* clock ticks */
  char comm[17];
} ProcStat;

static gboolean
read_stat (const char *proc_path, ProcStat *ps, GError **error)
{
  g_autoptr (GByteArray) raw = NULL;
  const char *text, *open_paren, *close_paren;
  char state;
  int tty, tpgid;
  unsigned long minflt, cminflt, majflt, cmajflt;
  long priority;

  if (!read_proc_file (proc_path, &raw, error))
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
static guint64
status_field (const char *status, const char *key, int base)
{
  g_autofree char *needle = g_strdup_printf ("\n%s:", key);
  const char *p = strstr (status, needle);

  return p ? g_ascii_strtoull (p + strlen (needle), NULL, base) : 0;
}

static void
ticks_to_timeval (unsigned long long ticks, long hz, struct timeval *tv)
{
  tv->tv_sec = (time_t) (ticks / (unsigned long long) hz);
  tv->tv_usec = (suseconds_t) ((ticks % (unsigned long long) hz) * 1000000 / (unsigned long long) hz);
}

/* The signal the kernel would name in the core: the one being delivered,
 * or the fatal one at PTRACE_EVENT_EXIT; 0 otherwise. */
static int
current_signal (pid_t tid, siginfo_t *si)
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

static gboolean
append_thread_notes (CoreWriter *w, GByteArray *notes, pid_t tid,
                     const struct user_regs_struct *regs, int cursig,
                     GByteArray *first_extra, GByteArray *xsave_out,
                     GError **error)
{
  struct elf_prstatus prs;
  struct user_fpregs_struct fpregs;
  gboolean fp_ok;
  g_autofree guint8 *xsave = g_malloc0 (64 * 1024);
  struct iovec iov = { xsave, 64 * 1024 };
  gboolean xs_ok;
  g_autofree char *stat_path = tid == w->pid ?
    g_strdup_printf ("/proc/%d/stat", (int) tid) :
    g_strdup_printf ("/proc/%d/task/%d/stat", (int) w->pid, (int) tid);
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/task/%d/status",
                                                  (int) w->pid, (int) tid);
  g_autofree char *status = NULL;
  ProcStat ps = { 0 };
  long hz = sysconf (_SC_CLK_TCK);

  if (!read_stat (stat_path, &ps, error))
    return FALSE;
  if (!g_file_get_contents (status_path, &status, NULL, NULL))
    status = g_strdup ("");
  if (hz <= 0)
    hz = 100;

  fp_ok = ptrace (PTRACE_GETFPREGS, tid, NULL, &fpregs) == 0;
  xs_ok = ptrace (PTRACE_GETREGSET, tid, (void *) (long) NT_X86_XSTATE, &iov) == 0;

  memset (&prs, 0, sizeof prs);
  prs.pr_info.si_signo = cursig;
  prs.pr_cursig = (short) cursig;
  prs.pr_sigpend = status_field (status, "SigPnd", 16);
  prs.pr_sighold = status_field (status, "SigBlk", 16);
  prs.pr_pid = tid;
  prs.pr_ppid = (pid_t) ps.ppid;
  prs.pr_pgrp = (pid_t) ps.pgrp;
  prs.pr_sid = (pid_t) ps.sid;
  ticks_to_timeval (ps.utime, hz, &prs.pr_utime);
  ticks_to_timeval (ps.stime, hz, &prs.pr_stime);
  ticks_to_timeval (ps.cutime, hz, &prs.pr_cutime);
  ticks_to_timeval (ps.cstime, hz, &prs.pr_cstime);
  memcpy (&prs.pr_reg, regs, sizeof prs.pr_reg);
  prs.pr_fpvalid = fp_ok;

  /* The kernel's order: PRSTATUS, the process notes (first thread only),
   * then the thread's other register sets. */
  note_append (notes, "CORE", NT_PRSTATUS, &prs, sizeof prs);
  if (first_extra)
    g_byte_array_append (notes, first_extra->data, first_extra->len);
  if (fp_ok)
    note_append (notes, "CORE", NT_FPREGSET, &fpregs, sizeof fpregs);
  if (xs_ok && iov.iov_len > 0)
    {
      note_append (notes, "LINUX", NT_X86_XSTATE, xsave, iov.iov_len);
      if (xsave_out && xsave_out->len == 0)
        g_byte_array_append (xsave_out, xsave, (guint) iov.iov_len);
    }
  return TRUE;
}

static gboolean
kernel_at_least (int major, int minor)
{
  struct utsname u;
  int ma = 0, mi = 0;

  if (uname (&u) != 0 || sscanf (u.release, "%d.%d", &ma, &mi) != 2)
    return FALSE;
  return ma > major || (ma == major && mi >= minor);
}

/* NT_X86_XSAVE_LAYOUT: {type, size, offset, flags} per enabled extended
 * XSAVE component (>= 2), from CPUID leaf 0xD, as Linux >= 6.12 writes it. */
static void
append_xsave_layout (GByteArray *notes, GByteArray *xsave)
{
  guint64 features;
  g_autoptr (GByteArray) desc = g_byte_array_new ();
  unsigned eax, ebx, ecx, edx;

  /* The user XCR0 the kernel saves with: the ptrace/core XSTATE ABI keeps
   * it in the software-reserved bytes at offset 464 (USER_XSTATE_XCR0_WORD). */
  if (xsave->len < 512 + 64 || !kernel_at_least (6, 12))
    return;
  memcpy (&features, xsave->data + 464, sizeof features);
  if (__get_cpuid_max (0, NULL) < 0xd)
    return;
  for (unsigned i = 2; i < 64; i++)
    {
      guint32 entry[4];

      if (!(features & (G_GUINT64_CONSTANT (1) << i)))
        continue;
      __cpuid_count (0xd, i, eax, ebx, ecx, edx);
      if (eax == 0 || (guint64) ebx + eax > xsave->len)
        continue;
      entry[0] = i;
      entry[1] = eax;
      entry[2] = ebx;
      entry[3] = 0;
      g_byte_array_append (desc, (const guint8 *) entry, sizeof entry);
    }
  (void) ecx;
  (void) edx;
  if (desc->len > 0)
    note_append (notes, "LINUX", NT_X86_XSAVE_LAYOUT, desc->data, desc->len);
}

static gboolean
append_process_notes (CoreWriter *w, GByteArray *out, int cursig,
                      const siginfo_t *si, GError **error)
{
  struct elf_prpsinfo psi;
  ProcStat ps = { 0 };
  g_autofree char *stat_path = proc_path_for (w->pid, "stat");
  g_autofree char *status_path = proc_path_for (w->pid, "status");
  g_autofree char *cmdline_path = proc_path_for (w->pid, "cmdline");
  g_autofree char *auxv_path = proc_path_for (w->pid, "auxv");
  g_autofree char *status = NULL;
  g_autoptr (GByteArray) cmdline = NULL;
  g_autoptr (GByteArray) auxv = NULL;
  g_autoptr (GByteArray) files = g_byte_array_new ();
  g_autoptr (GString) names = g_string_new (NULL);
  guint64 count = 0, page_size = CORE_PAGE;
  guint64 limit = 4u << 20;
  g_autofree char *limit_text = NULL;

  (void) cursig;
  if (!read_stat (stat_path, &ps, error) ||
      !read_proc_file (cmdline_path, &cmdline, error) ||
      !read_proc_file (auxv_path, &auxv, error))
    return FALSE;
  if (!g_file_get_contents (status_path, &status, NULL, NULL))
    status = g_strdup ("");

  memset (&psi, 0, sizeof psi);
  /* The kernel writes the dumping task's state: running. */
  psi.pr_state = 0;
  psi.pr_sname = 'R';
  psi.pr_zomb = 0;
  psi.pr_nice = (char) ps.nice;
  psi.pr_flag = ps.flags;
  psi.pr_uid = (unsigned) status_field (status, "Uid", 10);
  psi.pr_gid = (unsigned) status_field (status, "Gid", 10);
  psi.pr_pid = w->pid;
  psi.pr_ppid = (pid_t) ps.ppid;
  psi.pr_pgrp = (pid_t) ps.pgrp;
  psi.pr_sid = (pid_t) ps.sid;
  g_strlcpy (psi.pr_fname, ps.comm, sizeof psi.pr_fname);
  for (guint i = 0; i < cmdline->len && i < sizeof psi.pr_psargs - 1; i++)
    psi.pr_psargs[i] = cmdline->data[i] ? (char) cmdline->data[i] : ' ';
  note_append (out, "CORE", NT_PRPSINFO, &psi, sizeof psi);

  G_STATIC_ASSERT (sizeof (siginfo_t) == 128);
  note_append (out, "CORE", NT_SIGINFO, si, sizeof *si);

  note_append (out, "CORE", NT_AUXV, auxv->data, auxv->len);

  /* NT_FILE: count, page size, {start, end, pgoff} per file-backed vma,
   * then their NUL-terminated paths. The kernel leaves the note out when
   * its first size estimate (64 bytes per vma) reaches
   * kernel.core_file_note_size_limit (4 MiB by default). */
  if (g_file_get_contents ("/proc/sys/kernel/core_file_note_size_limit",
                           &limit_text, NULL, NULL))
    limit = g_ascii_strtoull (limit_text, NULL, 10);
  if ((guint64) w->vmas->len * 64 >= limit)
    {
      g_warning ("%s: %u mappings: NT_FILE left out, as the kernel does above "
                 "core_file_note_size_limit (%" G_GUINT64_FORMAT ")",
                 w->path, w->vmas->len, limit);
      return TRUE;
    }
  for (guint i = 0; i < w->vmas->len; i++)
    {
      CoreVma *vma = &g_array_index (w->vmas, CoreVma, i);
      guint64 triple[3] = { vma->start, vma->end, vma->offset / CORE_PAGE };

      if (!vma->has_file)
        continue;
      g_byte_array_append (files, (const guint8 *) triple, sizeof triple);
      g_string_append_len (names, vma->file_path, (gssize) strlen (vma->file_path) + 1);
      count++;
    }
  {
    g_autoptr (GByteArray) desc = g_byte_array_new ();

    g_byte_array_append (desc, (const guint8 *) &count, sizeof count);
    g_byte_array_append (desc, (const guint8 *) &page_size, sizeof page_size);
    g_byte_array_append (desc, files->data, files->len);
    g_byte_array_append (desc, (const guint8 *) names->str, (guint) names->len);
    note_append (out, "CORE", NT_FILE, desc->data, desc->len);
  }
  return TRUE;
}

static gboolean
write_all_at (int fd, const char *path, const void *buf, gsize size, guint64 offset,
              GError **error)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = pwrite (fd, (const guint8 *) buf + done, size - done,
                          (off_t) (offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int err = n < 0 ? errno : ENOSPC;
          g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                       "%s: writing %" G_GSIZE_FORMAT " bytes at offset 0x%"
                       G_GINT64_MODIFIER "x: %s", path, size - done,
                       offset + done, g_strerror (err));
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

static gboolean
page_is_zero (const guint8 *page)
{
  const guint64 *q = (const guint64 *) page;

  for (guint i = 0; i < CORE_PAGE / sizeof *q; i++)
    if (q[i])
      return FALSE;
  return TRUE;
}

/* Copies [start, start + size) of the tracee to @offset. Pages the kernel
 * would skip (anonymous, never faulted in) and pages that cannot be read
 * become holes, like the kernel's dump_skip(); so do all-zero pages. */
static gboolean
dump_range (CoreWriter *w, int fd, const CoreVma *vma, guint64 size,
            guint64 offset, guint8 *buf, GError **error)
{
  guint64 pagemap[CHUNK_PAGES];

  for (guint64 pos = 0; pos < size; pos += (guint64) CHUNK_PAGES * CORE_PAGE)
    {
      guint64 address = vma->start + pos;
      guint n_pages = (guint) MIN ((size - pos) / CORE_PAGE, CHUNK_PAGES);
      gsize chunk = (gsize) n_pages * CORE_PAGE;
      gboolean have_map = FALSE;
      guint run_start = 0;

      /* Only for memory without a file: a file page that is not present
       * still has the file's bytes, which the kernel faults in. */
      if (w->pagemap_fd >= 0 && !vma->has_file && !vma->special)
        {
          gsize want = n_pages * sizeof (guint64);
          have_map = pread (w->pagemap_fd, pagemap, want,
                            (off_t) (address / CORE_PAGE * sizeof (guint64))) == (ssize_t) want;
        }

      if (have_map)
        {
          memset (buf, 0, chunk);
          for (guint p = 0; p < n_pages; p++)
            if ((pagemap[p] >> 62) != 0 &&   /* present or swapped */
                !read_mem (w, address + (guint64) p * CORE_PAGE, buf + p * CORE_PAGE, CORE_PAGE))
              memset (buf + p * CORE_PAGE, 0, CORE_PAGE);
        }
      else if (!read_mem (w, address, buf, chunk))
        {
          for (guint p = 0; p < n_pages; p++)
            if (!read_mem (w, address + (guint64) p * CORE_PAGE, buf + p * CORE_PAGE, CORE_PAGE))
              memset (buf + p * CORE_PAGE, 0, CORE_PAGE);
        }

      /* Write runs of non-zero pages, leaving the zero ones as holes. */
      for (guint p = 0; p <= n_pages; p++)
        {
          gboolean zero = p == n_pages || page_is_zero (buf + p * CORE_PAGE);

          if (!zero)
            continue;
          if (p > run_start &&
              !write_all_at (fd, w->path, buf + run_start * CORE_PAGE,
                             (gsize) (p - run_start) * CORE_PAGE,
                             offset + pos + (guint64) run_start * CORE_PAGE, error))
            return FALSE;
          run_start = p + 1;
        }
    }
  return TRUE;
}

gboolean
ipt_record_write_core (pid_t pid,
                       const struct user_regs_struct *regs,
                       const char *path,
                       GError **error)
{
  return ipt_record_write_core_with_filter (pid, regs, IPT_RECORD_CORE_DEFAULT_FILTER,
                                            path, error);
}

static gboolean
write_core_file (CoreWriter *w, int fd, const struct user_regs_struct *regs,
                 guint filter, GError **error)
{
  g_autoptr (GByteArray) head = g_byte_array_new ();
  g_autoptr (GByteArray) notes = g_byte_array_new ();
  g_autoptr (GByteArray) process_notes = g_byte_array_new ();
  g_autoptr (GByteArray) xsave = g_byte_array_new ();
  g_autofree char *task_dir = proc_path_for (w->pid, "task");
  g_autofree guint8 *buf = NULL;
  g_autoptr (GDir) dir = NULL;
  siginfo_t si;
  int cursig;
  guint64 n_segments, data_offset, offset;
  Elf64_Ehdr ehdr;
  Elf64_Shdr shdr;
  gboolean extended;

  if (!parse_smaps (w, error))
    return FALSE;
  for (guint i = 0; i < w->vmas->len; i++)
    {
      CoreVma *vma = &g_array_index (w->vmas, CoreVma, i);
      vma->dump_size = vma_dump_size (w, vma, filter);
    }

  cursig = current_signal (w->pid, &si);
  if (!append_process_notes (w, process_notes, cursig, &si, error) ||
      !append_thread_notes (w, notes, w->pid, regs, cursig, process_notes, xsave, error))
    return FALSE;
  /* Other threads, as far as the caller has them stopped under ptrace. */
  dir = g_dir_open (task_dir, 0, NULL);
  for (const char *name; dir && (name = g_dir_read_name (dir)); )
    {
      pid_t tid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      struct user_regs_struct tregs;
      g_autoptr (GError) thread_error = NULL;

      if (tid <= 0 || tid == w->pid ||
          ptrace (PTRACE_GETREGS, tid, NULL, &tregs) < 0)
        continue;
      if (!append_thread_notes (w, notes, tid, &tregs, 0, NULL, NULL, &thread_error))
        g_debug ("%s: thread %d left out: %s", w->path, (int) tid, thread_error->message);
    }
  append_xsave_layout (notes, xsave);

  /* Layout: header, program headers, notes, then page-aligned data. */
  n_segments = 1 + (guint64) w->vmas->len;
  extended = n_segments >= PN_XNUM;
  offset = sizeof (Elf64_Ehdr) + n_segments * sizeof (Elf64_Phdr);
  data_offset = (offset + notes->len + CORE_PAGE - 1) / CORE_PAGE * CORE_PAGE;

  memset (&ehdr, 0, sizeof ehdr);
  memcpy (ehdr.e_ident, ELFMAG, SELFMAG);
  ehdr.e_ident[EI_CLASS] = ELFCLASS64;
  ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
  ehdr.e_ident[EI_VERSION] = EV_CURRENT;
  ehdr.e_ident[EI_OSABI] = ELFOSABI_NONE;
  ehdr.e_type = ET_CORE;
  ehdr.e_machine = EM_X86_64;
  ehdr.e_version = EV_CURRENT;
  ehdr.e_phoff = sizeof (Elf64_Ehdr);
  ehdr.e_ehsize = sizeof (Elf64_Ehdr);
  ehdr.e_phentsize = sizeof (Elf64_Phdr);
  ehdr.e_phnum = extended ? PN_XNUM : (Elf64_Half) n_segments;
  g_byte_array_append (head, (const guint8 *) &ehdr, sizeof ehdr);

  {
    Elf64_Phdr note = {
      .p_type = PT_NOTE, .p_offset = offset, .p_filesz = notes->len, .p_align = 4,
    };
    g_byte_array_append (head, (const guint8 *) &note, sizeof note);
  }
  offset = data_offset;
  for (guint i = 0; i < w->vmas->len; i++)
    {
      const CoreVma *vma = &g_array_index (w->vmas, CoreVma, i);
      Elf64_Phdr load = {
        .p_type = PT_LOAD,
        .p_offset = offset,
        .p_vaddr = vma->start,
        .p_filesz = vma->dump_size,
        .p_memsz = vma->end - vma->start,
        .p_flags = (vma->read ? PF_R : 0) | (vma->write ? PF_W : 0) | (vma->exec ? PF_X : 0),
        .p_align = CORE_PAGE,
      };
      g_byte_array_append (head, (const guint8 *) &load, sizeof load);
      offset += vma->dump_size;
    }
  g_byte_array_append (head, notes->data, notes->len);
  if (!write_all_at (fd, w->path, head->data, head->len, 0, error))
    return FALSE;

  buf = g_malloc ((gsize) CHUNK_PAGES * CORE_PAGE);
  offset = data_offset;
  for (guint i = 0; i < w->vmas->len; i++)
    {
      const CoreVma *vma = &g_array_index (w->vmas, CoreVma, i);

      if (vma->dump_size > 0 &&
          !dump_range (w, fd, vma, vma->dump_size, offset, buf, error))
        return FALSE;
      offset += vma->dump_size;
    }

  if (extended)
    {
      /* Extended numbering: the real count in section header 0's sh_info,
       * which the kernel writes after the data. */
      memset (&shdr, 0, sizeof shdr);
      shdr.sh_info = (Elf64_Word) n_segments;
      ehdr.e_shoff = offset;
      ehdr.e_shentsize = sizeof (Elf64_Shdr);
      ehdr.e_shnum = 1;
      if (!write_all_at (fd, w->path, &shdr, sizeof shdr, offset, error) ||
          !write_all_at (fd, w->path, &ehdr, sizeof ehdr, 0, error))
        return FALSE;
      offset += sizeof shdr;
    }
  /* Holes at the end still count: give the file its full size. */
  if (ftruncate (fd, (off_t) offset) < 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO,
                   "%s: setting the size to 0x%" G_GINT64_MODIFIER "x: %s",
                   w->path, offset, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
ipt_record_write_core_with_filter (pid_t pid,
                                   const struct user_regs_struct *regs,
                                   guint filter,
                                   const char *path,
                                   GError **error)
{
  CoreWriter w = { .pid = pid, .mem_fd = -1, .pagemap_fd = -1 };
  g_autofree char *mem_path = proc_path_for (pid, "mem");
  g_autofree char *pagemap_path = proc_path_for (pid, "pagemap");
  g_autofree char *tmp_path = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (regs != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (pid <= 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: %d is not a process id", path, (int) pid);
      return FALSE;
    }
  w.path = (char *) path;
  w.vmas = g_array_new (FALSE, TRUE, sizeof (CoreVma));
  g_array_set_clear_func (w.vmas, (GDestroyNotify) core_vma_clear);
  w.mem_fd = open (mem_path, O_RDONLY | O_CLOEXEC);
  if (w.mem_fd < 0)
    {
      set_proc_error (error, mem_path, "cannot open", errno);
      core_writer_clear (&w);
      return FALSE;
    }
  w.pagemap_fd = open (pagemap_path, O_RDONLY | O_CLOEXEC);

  /* Written beside @path and renamed: never a half-written core there. */
  tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: cannot create: %s",
                   tmp_path, g_strerror (errno));
      core_writer_clear (&w);
      return FALSE;
    }

  ok = write_core_file (&w, fd, regs, filter, error);
  if (close (fd) < 0 && ok)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: closing: %s",
                   tmp_path, g_strerror (errno));
      ok = FALSE;
    }
  if (ok && g_rename (tmp_path, path) < 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: cannot rename to %s: %s",
                   tmp_path, path, g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);
  core_writer_clear (&w);
  return ok;
}
