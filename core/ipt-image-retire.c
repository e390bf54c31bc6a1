/* ipt-image-retire.c: when a replaced snapshot may be freed.
 *
 * Readers of an image's current snapshot (ipt_image_read(),
 * ipt_image_read_memory()) take no lock and no reference: each thread
 * announces the snapshot it reads in a hazard slot of its own, and a writer
 * that replaced a snapshot frees it only once no slot holds it, no decode
 * holds a reference on it and no pt_image of it was handed out (pinned).
 * The read side costs one store and one load; the scan of every thread's
 * slots is the writer's, under a lock readers never take (but once per
 * thread, on its first read, to register its slots). */
#include "config.h"

#include "ipt-image-snapshot-private.h"

/* Nested reads (a provider that reads another image) take one slot each. */
#define N_HAZARDS 4

typedef struct {
  IptImageSnapshot *hazard[N_HAZARDS];
  guint depth;
} IptImageReader;

static __thread IptImageReader *reader_tls;
static GMutex readers_lock;
static GPtrArray *readers;      /* every thread's IptImageReader */

static void
reader_free (gpointer data)
{
  g_mutex_lock (&readers_lock);
  g_ptr_array_remove_fast (readers, data);
  g_mutex_unlock (&readers_lock);
  g_free (data);
}

static GPrivate reader_private = G_PRIVATE_INIT (reader_free);

static IptImageReader *
reader_register (void)
{
  IptImageReader *reader = g_new0 (IptImageReader, 1);

  g_mutex_lock (&readers_lock);
  if (readers == NULL)
    readers = g_ptr_array_new ();
  g_ptr_array_add (readers, reader);
  g_mutex_unlock (&readers_lock);

  g_private_set (&reader_private, reader);
  reader_tls = reader;
  return reader;
}

/* Returns the snapshot *@current points to, safe to read until
 * ipt_image_retire_leave (@guard). Takes a reference under @lock instead
 * when this thread's slots are all in use. */
IptImageSnapshot *
ipt_image_retire_enter (IptImageSnapshot **current, GMutex *lock, IptImageReadGuard *guard)
{
  IptImageReader *reader = reader_tls;
  IptImageSnapshot *snap, *again;
  IptImageSnapshot **slot;

  if (G_UNLIKELY (reader == NULL))
    reader = reader_register ();

  if (G_UNLIKELY (reader->depth >= N_HAZARDS))
    {
      g_mutex_lock (lock);
      snap = *current;
      g_atomic_int_inc (&snap->ref_count);
      g_mutex_unlock (lock);
      guard->snapshot = snap;
      guard->slot = NULL;
      return snap;
    }

  slot = &reader->hazard[reader->depth++];
  snap = __atomic_load_n (current, __ATOMIC_ACQUIRE);
  for (;;)
    {
      /* announce, then check that it is still current: a writer that
       * replaced it before seeing the announcement will see it when it
       * scans (both sides are sequentially consistent) */
      __atomic_store_n (slot, snap, __ATOMIC_SEQ_CST);
      again = __atomic_load_n (current, __ATOMIC_SEQ_CST);
      if (G_LIKELY (again == snap))
        break;
      snap = again;
    }

  guard->snapshot = snap;
  guard->slot = slot;
  return snap;
}

void
ipt_image_retire_leave (IptImageReadGuard *guard)
{
  if (G_UNLIKELY (guard->slot == NULL))
    {
      g_atomic_int_add (&guard->snapshot->ref_count, -1);
      return;                   /* freed by the next sweep */
    }
  __atomic_store_n ((IptImageSnapshot **) guard->slot, NULL, __ATOMIC_RELEASE);
  reader_tls->depth--;
}

/* This thread's hazard depth: a SIGBUS guard notes it on entry ... */
guint
ipt_image_retire_get_depth (void)
{
  return reader_tls != NULL ? reader_tls->depth : 0;
}

/* ... and forgets the reads a fault left announced, down to @depth. */
void
ipt_image_retire_unwind (guint depth)
{
  IptImageReader *reader = reader_tls;

  while (reader != NULL && reader->depth > depth)
    __atomic_store_n (&reader->hazard[--reader->depth], NULL, __ATOMIC_RELEASE);
}

static gboolean
announced (const IptImageSnapshot *snap)
{
  for (guint i = 0; readers != NULL && i < readers->len; i++)
    {
      IptImageReader *reader = g_ptr_array_index (readers, i);

      for (guint k = 0; k < N_HAZARDS; k++)
        if (__atomic_load_n (&reader->hazard[k], __ATOMIC_SEQ_CST) == snap)
          return TRUE;
    }
  return FALSE;
}

/* Frees the snapshots of @retired (an array that frees its elements) that
 * nothing uses any more. Called with the image's lock held, after the
 * snapshots were replaced. */
void
ipt_image_retire_sweep (GPtrArray *retired)
{
  g_autoptr(GPtrArray) unused = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_image_snapshot_free);

  g_mutex_lock (&readers_lock);
  for (guint i = retired->len; i-- > 0;)
    {
      IptImageSnapshot *snap = g_ptr_array_index (retired, i);

      if (snap->pinned || g_atomic_int_get (&snap->ref_count) > 0 || announced (snap))
        continue;
      g_ptr_array_add (unused, g_ptr_array_steal_index_fast (retired, i));
    }
  g_mutex_unlock (&readers_lock);
  /* freed here, outside the readers' lock: a provider's last unref may read */
}
