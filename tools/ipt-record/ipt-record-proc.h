/* ipt-record-proc.h: what ipt-record reads of a ptrace-stopped process
 * from /proc/PID (smaps, map_files, stat, status, cmdline, auxv, mem,
 * pagemap) and through ptrace (signal, register sets). It only reads: the
 * tracee is never resumed, and no page of it is faulted in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

#include <glib.h>

G_BEGIN_DECLS

/* One mapping of /proc/PID/smaps, with what the kernel's core dumper
 * would know of it. */
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
  gboolean file_unlinked;  /* the file has no links left (or is "(deleted)") */
  gboolean file_executable; /* the file has an x bit (only when stat() worked) */
  char *name;              /* the maps name column, unescaped */
  char *file_path;         /* d_path of vm_file, as NT_FILE names it */
} IptRecordVma;

/* /proc/PID/stat (or a thread's), the fields a core records. */
typedef struct {
  long ppid, pgrp, sid, nice;
  unsigned long flags;
  unsigned long long utime, stime, cutime, cstime;   /* clock ticks */
  char comm[17];
} IptRecordProcStat;

/* A thread's register sets besides the general ones. */
typedef struct {
  struct user_fpregs_struct fpregs;
  gboolean fp_ok;
  guint8 *xsave;           /* NT_X86_XSTATE bytes, or NULL */
  gsize xsave_len;
} IptRecordThreadRegs;

/* An open process: its memory and, when readable, its pagemap. */
typedef struct {
  pid_t pid;
  int mem_fd;
  int pagemap_fd;          /* -1 when pagemap cannot be read */
} IptRecordProc;

gboolean ipt_record_proc_open (IptRecordProc *proc, pid_t pid, GError **error);
void ipt_record_proc_close (IptRecordProc *proc);

gboolean ipt_record_proc_read_mem (IptRecordProc *proc, guint64 address, void *buf, gsize size);
gboolean ipt_record_proc_read_pagemap (IptRecordProc *proc, guint64 address, guint n_pages,
                                       guint64 *entries);

GArray *ipt_record_proc_read_vmas (IptRecordProc *proc, GError **error);
/* frees what an IptRecordVma owns (the clear func of the arrays above) */
void ipt_record_vma_clear (IptRecordVma *vma);

gboolean ipt_record_proc_read_file (pid_t pid, const char *file, GByteArray **out,
                                    GError **error);
gboolean ipt_record_proc_read_stat (pid_t pid, pid_t tid, IptRecordProcStat *ps,
                                    GError **error);
char *ipt_record_proc_read_status (pid_t pid, pid_t tid);
guint64 ipt_record_proc_status_field (const char *status, const char *key, int base);

int ipt_record_proc_current_signal (pid_t tid, siginfo_t *si);
gboolean ipt_record_proc_read_regs (pid_t tid, struct user_regs_struct *regs);
void ipt_record_proc_read_thread_regs (pid_t tid, IptRecordThreadRegs *regs);
void ipt_record_thread_regs_clear (IptRecordThreadRegs *regs);
GArray *ipt_record_proc_list_threads (pid_t pid);

G_END_DECLS
