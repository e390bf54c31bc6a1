/* ipt-plugin-file.c: opening a file a provider plugin is given: the checks
 * and the error messages that every provider gives the same way.
 *
 * Every message starts with "WHO: PATH: " (or "PATH: " when @who is NULL,
 * for callers that add their own context), so that the user sees which
 * plugin and which file failed. The path is quoted as ipt_echo() makes it:
 * valid UTF-8 whatever its bytes, and bounded. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ipt-plugin-file.h"
#include "ipt-echo.h"

/* "WHO: PATH" or "PATH", with @shown from ipt_plugin_file_show(). */
#define WHO_FORMAT "%s%s%s"
#define WHO_ARGS(who, shown) (who) != NULL ? (who) : "", (who) != NULL ? ": " : "", (shown)

/**
 * ipt_plugin_file_show:
 * @path: (type filename): a file name, any bytes
 *
 * Returns: (transfer full): @path as a message quotes it: valid UTF-8
 *   (other bytes as `\xNN`), cut after 4096 characters
 */
char *
ipt_plugin_file_show (const char *path)
{
  return ipt_echo (path, -1, IPT_ECHO_PATH_CHARS);
}

/**
 * ipt_plugin_file_set_error_from_errno:
 * @error: return location for an error
 * @who: (nullable): the plugin's name, the message's prefix
 * @path: the file that could not be looked at or opened
 * @errsv: the errno of the failed call
 *
 * Sets "WHO: PATH: strerror": %IPT_ERROR_NOT_FOUND for ENOENT,
 * %IPT_ERROR_IO for anything else.
 */
void
ipt_plugin_file_set_error_from_errno (GError **error, const char *who, const char *path,
                                      int errsv)
{
  g_autofree char *shown = ipt_plugin_file_show (path);

  g_set_error (error, IPT_ERROR, errsv == ENOENT ? IPT_ERROR_NOT_FOUND : IPT_ERROR_IO,
               WHO_FORMAT ": %s", WHO_ARGS (who, shown), g_strerror (errsv));
}

/**
 * ipt_plugin_file_check_regular:
 * @who: (nullable): the plugin's name, the message's prefix
 * @path: (type filename): the file
 * @error: return location for an error
 *
 * Checks that @path names a regular file, before it is opened: this also
 * keeps a FIFO from blocking the open.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_NOT_FOUND ("WHO: PATH: No such
 *   file or directory") or %IPT_ERROR_IO (any other stat() failure), or
 *   %IPT_ERROR_INVALID_ARGUMENT ("WHO: PATH: not a regular file")
 */
gboolean
ipt_plugin_file_check_regular (const char *who, const char *path, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      ipt_plugin_file_set_error_from_errno (error, who, path, errno);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *shown = ipt_plugin_file_show (path);

      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   WHO_FORMAT ": not a regular file", WHO_ARGS (who, shown));
      return FALSE;
    }
  return TRUE;
}

/**
 * ipt_plugin_file_map_regular:
 * @who: (nullable): the plugin's name, the message's prefix
 * @path: (type filename): a file that ipt_plugin_file_check_regular() accepted
 * @error: return location for an error
 *
 * Maps @path read-only.
 *
 * Returns: (transfer full): the mapping, or %NULL with %IPT_ERROR_NOT_FOUND
 *   (the file is gone) or %IPT_ERROR_IO: "WHO: PATH: cannot map the file: …"
 */
GMappedFile *
ipt_plugin_file_map_regular (const char *who, const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GMappedFile *mapped;

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_autofree char *shown = ipt_plugin_file_show (path);

      g_set_error (error, IPT_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? IPT_ERROR_NOT_FOUND : IPT_ERROR_IO,
                   WHO_FORMAT ": cannot map the file: %s", WHO_ARGS (who, shown),
                   local_error->message);
    }
  return mapped;
}

/**
 * ipt_plugin_file_map:
 * @who: (nullable): the plugin's name, the message's prefix
 * @path: (type filename): the file, absolute when its name goes into
 *   regions (libipt opens file sections by name, maybe after a chdir)
 * @error: return location for an error
 *
 * ipt_plugin_file_check_regular(), then ipt_plugin_file_map_regular().
 *
 * Returns: (transfer full): the mapping, or %NULL with the error of the
 *   step that failed
 */
GMappedFile *
ipt_plugin_file_map (const char *who, const char *path, GError **error)
{
  if (!ipt_plugin_file_check_regular (who, path, error))
    return NULL;
  return ipt_plugin_file_map_regular (who, path, error);
}
