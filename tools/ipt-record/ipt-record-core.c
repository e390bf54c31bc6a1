/* ipt-record-core.c: an ELF core file of a ptrace-stopped process, laid out
 * the way the Linux kernel's elf_core_dump() lays out its own, so that
 * whatever reads kernel cores (the coredump plugin, gdb, eu-readelf) reads
 * ours the same way.  docs/core-format.md lists the kernel's choices this
 * reproduces and the few it cannot see from user space.
 *
 * What it knows of the process comes from ipt-record-proc (/proc/PID and
 * ptrace); this file decides, as the kernel does, what goes into the core
 * and where, and writes it. No page that the kernel would have left as a
 * hole is faulted in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-core.h"
#include "ipt-page.h"
#include "ipt-record-proc.h"

#include <ipt-analyze/ipt-analyze.h>

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib/gstdio.h>

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
  pid_t pid;
  char *path;        /* the core being written, for messages */
  IptRecordProc proc;
  GArray *vmas;      /* IptRecordVma */
  GArray *dump_sizes; /* guint64 per vma: the bytes of it that the core holds */
} CoreWriter;

static void
core_writer_clear (CoreWriter *w)
{
  ipt_record_proc_close (&w->proc);
  g_clear_pointer (&w->vmas, g_array_unref);
  g_clear_pointer (&w->dump_sizes, g_array_unref);
}

/* The kernel's vma_dump_size() (fs/coredump.c), decision for decision. */
static guint64
vma_dump_size (CoreWriter *w, const IptRecordVma *vma, guint filter)
{
  guint64 whole = vma->end - vma->start;
  guint8 magic[SELFMAG];

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
    return (filter & (vma->file_unlinked ? FILTER_ANON_SHARED : FILTER_MAPPED_SHARED)) ?
           whole : 0;
  if (vma->anon_pages && (filter & FILTER_ANON_PRIVATE))
    return whole;
  if (!vma->has_file)
    return 0;
  if (filter & FILTER_MAPPED_PRIVATE)
    return whole;
  if ((filter & FILTER_ELF_HEADERS) && vma->offset == 0 && vma->read)
    {
      if (vma->file_executable)
        return IPT_PAGE_SIZE;
      if (ipt_record_proc_read_mem (&w->proc, vma->start, magic, sizeof magic) &&
          memcmp (magic, ELFMAG, SELFMAG) == 0)
        return IPT_PAGE_SIZE;
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

static void
ticks_to_timeval (unsigned long long ticks, long hz, struct timeval *tv)
{
  tv->tv_sec = (time_t) (ticks / (unsigned long long) hz);
  tv->tv_usec = (suseconds_t) ((ticks % (unsigned long long) hz) * 1000000 / (unsigned long long) hz);
}

static gboolean
append_thread_notes (CoreWriter *w, GByteArray *notes, pid_t tid,
                     const struct user_regs_struct *regs, int cursig,
                     GByteArray *first_extra, GByteArray *xsave_out,
                     GError **error)
{
  struct elf_prstatus prs;
  IptRecordThreadRegs tregs;
  g_autofree char *status = NULL;
  IptRecordProcStat ps = { 0 };
  long hz = sysconf (_SC_CLK_TCK);

  if (!ipt_record_proc_read_stat (w->pid, tid, &ps, error))
    return FALSE;
  status = ipt_record_proc_read_status (w->pid, tid);
  if (hz <= 0)
    hz = 100;

  ipt_record_proc_read_thread_regs (tid, &tregs);

  memset (&prs, 0, sizeof prs);
  prs.pr_info.si_signo = cursig;
  prs.pr_cursig = (short) cursig;
  prs.pr_sigpend = ipt_record_proc_status_field (status, "SigPnd", 16);
  prs.pr_sighold = ipt_record_proc_status_field (status, "SigBlk", 16);
  prs.pr_pid = tid;
  prs.pr_ppid = (pid_t) ps.ppid;
  prs.pr_pgrp = (pid_t) ps.pgrp;
  prs.pr_sid = (pid_t) ps.sid;
  ticks_to_timeval (ps.utime, hz, &prs.pr_utime);
  ticks_to_timeval (ps.stime, hz, &prs.pr_stime);
  ticks_to_timeval (ps.cutime, hz, &prs.pr_cutime);
  ticks_to_timeval (ps.cstime, hz, &prs.pr_cstime);
  memcpy (&prs.pr_reg, regs, sizeof prs.pr_reg);
  prs.pr_fpvalid = tregs.fp_ok;

  /* The kernel's order: PRSTATUS, the process notes (first thread only),
   * then the thread's other register sets. */
  note_append (notes, "CORE", NT_PRSTATUS, &prs, sizeof prs);
  if (first_extra)
    g_byte_array_append (notes, first_extra->data, first_extra->len);
  if (tregs.fp_ok)
    note_append (notes, "CORE", NT_FPREGSET, &tregs.fpregs, sizeof tregs.fpregs);
  if (tregs.xsave != NULL)
    {
      note_append (notes, "LINUX", NT_X86_XSTATE, tregs.xsave, tregs.xsave_len);
      if (xsave_out && xsave_out->len == 0)
        g_byte_array_append (xsave_out, tregs.xsave, (guint) tregs.xsave_len);
    }
  ipt_record_thread_regs_clear (&tregs);
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
  IptRecordProcStat ps = { 0 };
  g_autofree char *status = NULL;
  g_autoptr (GByteArray) cmdline = NULL;
  g_autoptr (GByteArray) auxv = NULL;
  g_autoptr (GByteArray) files = g_byte_array_new ();
  g_autoptr (GString) names = g_string_new (NULL);
  guint64 count = 0, page_size = IPT_PAGE_SIZE;
  guint64 limit = 4u << 20;
  g_autofree char *limit_text = NULL;

  (void) cursig;
  if (!ipt_record_proc_read_stat (w->pid, w->pid, &ps, error) ||
      !ipt_record_proc_read_file (w->pid, "cmdline", &cmdline, error) ||
      !ipt_record_proc_read_file (w->pid, "auxv", &auxv, error))
    return FALSE;
  status = ipt_record_proc_read_status (w->pid, 0);

  memset (&psi, 0, sizeof psi);
  /* The kernel writes the dumping task's state: running. */
  psi.pr_state = 0;
  psi.pr_sname = 'R';
  psi.pr_zomb = 0;
  psi.pr_nice = (char) ps.nice;
  psi.pr_flag = ps.flags;
  psi.pr_uid = (unsigned) ipt_record_proc_status_field (status, "Uid", 10);
  psi.pr_gid = (unsigned) ipt_record_proc_status_field (status, "Gid", 10);
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
      const IptRecordVma *vma = &g_array_index (w->vmas, IptRecordVma, i);
      guint64 triple[3] = { vma->start, vma->end, vma->offset / IPT_PAGE_SIZE };

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

  for (guint i = 0; i < IPT_PAGE_SIZE / sizeof *q; i++)
    if (q[i])
      return FALSE;
  return TRUE;
}

/* Copies [start, start + size) of the tracee to @offset. Pages the kernel
 * would skip (anonymous, never faulted in) and pages that cannot be read
 * become holes, like the kernel's dump_skip(); so do all-zero pages. */
static gboolean
dump_range (CoreWriter *w, int fd, const IptRecordVma *vma, guint64 size,
            guint64 offset, guint8 *buf, GError **error)
{
  guint64 pagemap[CHUNK_PAGES];

  for (guint64 pos = 0; pos < size; pos += (guint64) CHUNK_PAGES * IPT_PAGE_SIZE)
    {
      guint64 address = vma->start + pos;
      guint n_pages = (guint) MIN ((size - pos) / IPT_PAGE_SIZE, CHUNK_PAGES);
      gsize chunk = (gsize) n_pages * IPT_PAGE_SIZE;
      gboolean have_map = FALSE;
      guint run_start = 0;

      /* Only for memory without a file: a file page that is not present
       * still has the file's bytes, which the kernel faults in. */
      if (!vma->has_file && !vma->special)
        have_map = ipt_record_proc_read_pagemap (&w->proc, address, n_pages, pagemap);

      if (have_map)
        {
          memset (buf, 0, chunk);
          for (guint p = 0; p < n_pages; p++)
            if ((pagemap[p] >> 62) != 0 &&   /* present or swapped */
                !ipt_record_proc_read_mem (&w->proc, address + (guint64) p * IPT_PAGE_SIZE, buf + p * IPT_PAGE_SIZE, IPT_PAGE_SIZE))
              memset (buf + p * IPT_PAGE_SIZE, 0, IPT_PAGE_SIZE);
        }
      else if (!ipt_record_proc_read_mem (&w->proc, address, buf, chunk))
        {
          for (guint p = 0; p < n_pages; p++)
            if (!ipt_record_proc_read_mem (&w->proc, address + (guint64) p * IPT_PAGE_SIZE, buf + p * IPT_PAGE_SIZE, IPT_PAGE_SIZE))
              memset (buf + p * IPT_PAGE_SIZE, 0, IPT_PAGE_SIZE);
        }

      /* Write runs of non-zero pages, leaving the zero ones as holes. */
      for (guint p = 0; p <= n_pages; p++)
        {
          gboolean zero = p == n_pages || page_is_zero (buf + p * IPT_PAGE_SIZE);

          if (!zero)
            continue;
          if (p > run_start &&
              !write_all_at (fd, w->path, buf + run_start * IPT_PAGE_SIZE,
                             (gsize) (p - run_start) * IPT_PAGE_SIZE,
                             offset + pos + (guint64) run_start * IPT_PAGE_SIZE, error))
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
  g_autofree guint8 *buf = NULL;
  g_autoptr (GArray) tids = NULL;
  siginfo_t si;
  int cursig;
  guint64 n_segments, data_offset, offset;
  Elf64_Ehdr ehdr;
  Elf64_Shdr shdr;
  gboolean extended;

  w->vmas = ipt_record_proc_read_vmas (&w->proc, error);
  if (w->vmas == NULL)
    return FALSE;
  w->dump_sizes = g_array_sized_new (FALSE, FALSE, sizeof (guint64), w->vmas->len);
  for (guint i = 0; i < w->vmas->len; i++)
    {
      guint64 size = vma_dump_size (w, &g_array_index (w->vmas, IptRecordVma, i), filter);
      g_array_append_val (w->dump_sizes, size);
    }

  cursig = ipt_record_proc_current_signal (w->pid, &si);
  if (!append_process_notes (w, process_notes, cursig, &si, error) ||
      !append_thread_notes (w, notes, w->pid, regs, cursig, process_notes, xsave, error))
    return FALSE;
  /* Other threads, as far as the caller has them stopped under ptrace. */
  tids = ipt_record_proc_list_threads (w->pid);
  for (guint i = 0; i < tids->len; i++)
    {
      pid_t tid = g_array_index (tids, pid_t, i);
      struct user_regs_struct tregs;
      g_autoptr (GError) thread_error = NULL;

      if (tid == w->pid || !ipt_record_proc_read_regs (tid, &tregs))
        continue;
      if (!append_thread_notes (w, notes, tid, &tregs, 0, NULL, NULL, &thread_error))
        g_debug ("%s: thread %d left out: %s", w->path, (int) tid, thread_error->message);
    }
  append_xsave_layout (notes, xsave);

  /* Layout: header, program headers, notes, then page-aligned data. */
  n_segments = 1 + (guint64) w->vmas->len;
  extended = n_segments >= PN_XNUM;
  offset = sizeof (Elf64_Ehdr) + n_segments * sizeof (Elf64_Phdr);
  data_offset = (offset + notes->len + IPT_PAGE_SIZE - 1) / IPT_PAGE_SIZE * IPT_PAGE_SIZE;

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
      const IptRecordVma *vma = &g_array_index (w->vmas, IptRecordVma, i);
      guint64 dump_size = g_array_index (w->dump_sizes, guint64, i);
      Elf64_Phdr load = {
        .p_type = PT_LOAD,
        .p_offset = offset,
        .p_vaddr = vma->start,
        .p_filesz = dump_size,
        .p_memsz = vma->end - vma->start,
        .p_flags = (vma->read ? PF_R : 0) | (vma->write ? PF_W : 0) | (vma->exec ? PF_X : 0),
        .p_align = IPT_PAGE_SIZE,
      };
      g_byte_array_append (head, (const guint8 *) &load, sizeof load);
      offset += dump_size;
    }
  g_byte_array_append (head, notes->data, notes->len);
  if (!write_all_at (fd, w->path, head->data, head->len, 0, error))
    return FALSE;

  buf = g_malloc ((gsize) CHUNK_PAGES * IPT_PAGE_SIZE);
  offset = data_offset;
  for (guint i = 0; i < w->vmas->len; i++)
    {
      const IptRecordVma *vma = &g_array_index (w->vmas, IptRecordVma, i);
      guint64 dump_size = g_array_index (w->dump_sizes, guint64, i);

      if (dump_size > 0 &&
          !dump_range (w, fd, vma, dump_size, offset, buf, error))
        return FALSE;
      offset += dump_size;
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
  CoreWriter w = { .pid = pid, .proc = { .mem_fd = -1, .pagemap_fd = -1 } };
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
  if (!ipt_record_proc_open (&w.proc, pid, error))
    {
      core_writer_clear (&w);
      return FALSE;
    }

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
