/* ipt-record-output.c: the output folder DIR of one recording.  The files
 * are written into a hidden temporary folder inside DIR
 * (DIR/.ipt-record-XXXXXX) and moved into DIR only when the recording is
 * done, so that a run that fails early (the program is not found) leaves
 * the earlier run complete, and a run that finishes replaces all of it:
 * files of the earlier run that this one did not write (a core, with
 * --no-core) are removed.  Only ipt-record's own file names are touched.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-output.h"

#include <errno.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* Every file a recording can write into DIR. */
static const char *const file_names[] = {
  "trace.pt", "ips", "pages.addr", "pages.dump", "pages.jitdump", "core", "perf.data",
};

struct _IptRecordOutput {
  char *dir;
  char *temp_dir;     /* DIR/.ipt-record-XXXXXX, removed when freed */
};

static gboolean
set_errno_error (GError **error, int saved_errno, const char *path, const char *what)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s: %s: %s", path, what, g_strerror (saved_errno));
  return FALSE;
}

/**
 * ipt_record_output_new:
 * @dir: (type filename): the output folder, created if needed
 * @error: return location for a #GError naming the folder
 *
 * Creates @dir and the temporary folder inside it.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL on error.
 */
IptRecordOutput *
ipt_record_output_new (const char *dir, GError **error)
{
  g_autoptr(IptRecordOutput) self = g_new0 (IptRecordOutput, 1);
  g_autofree char *temp_dir = NULL;

  if (g_mkdir_with_parents (dir, 0777) < 0)
    return set_errno_error (error, errno, dir, "cannot create directory"), NULL;
  self->dir = g_strdup (dir);
  temp_dir = g_build_filename (dir, ".ipt-record-XXXXXX", NULL);
  if (g_mkdtemp_full (temp_dir, 0777) == NULL)
    return set_errno_error (error, errno, temp_dir, "cannot create directory"), NULL;
  self->temp_dir = g_steal_pointer (&temp_dir);
  return g_steal_pointer (&self);
}

/* DIR/@name: where the file will be once committed (for messages). */
char *
ipt_record_output_get_path (IptRecordOutput *self, const char *name)
{
  return g_build_filename (self->dir, name, NULL);
}

/* Where the recording writes @name until ipt_record_output_commit(). */
char *
ipt_record_output_get_temp_path (IptRecordOutput *self, const char *name)
{
  g_return_val_if_fail (self->temp_dir != NULL, NULL);
  return g_build_filename (self->temp_dir, name, NULL);
}

/**
 * ipt_record_output_commit:
 * @self: an output
 * @error: return location for a #GError
 *
 * Moves the files written into DIR, replacing the earlier run's, and
 * removes the earlier run's files this run did not write.
 *
 * Returns: %FALSE with @error set when a file cannot be moved or removed.
 */
gboolean
ipt_record_output_commit (IptRecordOutput *self, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (file_names); i++)
    {
      g_autofree char *temp = ipt_record_output_get_temp_path (self, file_names[i]);
      g_autofree char *path = ipt_record_output_get_path (self, file_names[i]);

      if (g_rename (temp, path) == 0)
        continue;
      if (errno != ENOENT)
        return set_errno_error (error, errno, path, "cannot replace");
      /* Not written by this run: the earlier one's would not match. */
      if (g_remove (path) < 0 && errno != ENOENT)
        return set_errno_error (error, errno, path, "cannot remove the previous run's file");
    }
  return TRUE;
}

/* Removes the temporary folder and whatever is left in it (everything in
 * it is ours: a failed run's files, a core writer's leftover). */
void
ipt_record_output_free (IptRecordOutput *self)
{
  if (self == NULL)
    return;
  if (self->temp_dir != NULL)
    {
      GDir *dir = g_dir_open (self->temp_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (self->temp_dir, name, NULL);
          g_unlink (path);
        }
      if (dir != NULL)
        g_dir_close (dir);
      g_rmdir (self->temp_dir);
    }
  g_free (self->temp_dir);
  g_free (self->dir);
  g_free (self);
}
