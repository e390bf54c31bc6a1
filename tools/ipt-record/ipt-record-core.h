/* ipt-record-core.h: writes an ELF core file of a ptrace-stopped process,
 * laid out as the Linux kernel lays out its own cores (fs/binfmt_elf.c)
 * with a given coredump_filter (default 0x33). See docs/core-format.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>
#include <sys/user.h>

#include <glib.h>

G_BEGIN_DECLS

/* The kernel's default /proc/PID/coredump_filter: anonymous private and
 * shared memory, ELF header pages, private hugetlb pages. */
#define IPT_RECORD_CORE_DEFAULT_FILTER 0x33u

/**
 * ipt_record_write_core:
 * @pid: a thread of the tracee, ptrace-stopped by the caller
 * @regs: its general registers at the stop (PTRACE_GETREGS)
 * @path: (type filename): the core file to write; replaced atomically
 * @error: return location for a #GError
 *
 * Writes an ELF ET_CORE file of the stopped tracee @pid to @path, as the
 * kernel would dump it with the default coredump_filter
 * (%IPT_RECORD_CORE_DEFAULT_FILTER). Call it while the memory is still
 * there, e.g. at the PTRACE_EVENT_EXIT stop.
 *
 * Returns: %TRUE on success. %FALSE with %IPT_ERROR_IO when /proc/@pid
 * cannot be read or @path cannot be written, %IPT_ERROR_INVALID_ARGUMENT
 * when @pid is not a process.
 */
gboolean ipt_record_write_core (pid_t pid,
                                const struct user_regs_struct *regs,
                                const char *path,
                                GError **error);

/**
 * ipt_record_write_core_with_filter:
 * @pid: a thread of the tracee, ptrace-stopped by the caller
 * @regs: its general registers at the stop
 * @filter: coredump_filter bits, as in /proc/PID/coredump_filter (core(5))
 * @path: (type filename): the core file to write
 * @error: return location for a #GError
 *
 * Like ipt_record_write_core() with another filter.
 *
 * Returns: %TRUE on success, %FALSE with @error set.
 */
gboolean ipt_record_write_core_with_filter (pid_t pid,
                                            const struct user_regs_struct *regs,
                                            guint filter,
                                            const char *path,
                                            GError **error);

G_END_DECLS
