/* ipt-sigbus-private.h: surviving a mapped file that shrinks under a read.
 *
 * Providers and libipt read files through mmap; when such a file is
 * truncated while it is mapped, touching the lost pages raises SIGBUS,
 * which kills the process. Code that reads mapped files on behalf of a
 * caller (a decode, ipt_image_read()) runs inside a guard: the fault jumps
 * back to the guard, which turns it into a GError naming the file and the
 * offset that vanished. Faults outside a guard go to the handler that was
 * there before (by default: the process dies, as it would have).
 *
 *   IptSigbusGuard guard;
 *
 *   ipt_sigbus_guard_enter (&guard);
 *   if (sigsetjmp (guard.env, 0) == 0)
 *     do_the_reads ();                  (in a function of its own)
 *   else
 *     ipt_sigbus_guard_set_error (&guard, error);
 *   ipt_sigbus_guard_leave (&guard);
 *
 * Nothing here is ABI. */
#pragma once

#include <setjmp.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _IptSigbusGuard IptSigbusGuard;

struct _IptSigbusGuard {
  sigjmp_buf env;
  IptSigbusGuard *outer;        /* the guard this one is nested in */
  void *fault_address;          /* set when the guard caught a fault */
  guint reader_depth;           /* the image reader's hazard depth at entry */
};

G_GNUC_INTERNAL
void ipt_sigbus_guard_enter (IptSigbusGuard *guard);
G_GNUC_INTERNAL
void ipt_sigbus_guard_leave (IptSigbusGuard *guard);
G_GNUC_INTERNAL
void ipt_sigbus_guard_set_error (const IptSigbusGuard *guard, GError **error);

G_END_DECLS
