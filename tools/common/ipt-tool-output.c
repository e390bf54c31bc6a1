/* ipt-tool-output.c: opens an output file named on the command line. A
 * regular file (or a new one) is replaced when the stream closes, so a
 * failed run leaves the old file; anything else that exists (/dev/null,
 * /dev/stdout, a FIFO, a terminal) is written in place: replacing it
 * would swap a device for a file, and GIO refuses to. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "ipt-tool-output.h"

/**
 * ipt_tool_open_output:
 * @path: a file name from the command line
 * @error: return location for a #GError (the reason only: the caller
 *   names the option and the file)
 *
 * Returns: (transfer full): a stream to write @path with, or %NULL
 */
GOutputStream *
ipt_tool_open_output (const char *path, GError **error)
{
  g_autoptr(GFile) file = NULL;
  struct stat st;

  if (g_stat (path, &st) == 0 && !S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode))
    {
      int fd = g_open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY, 0);

      if (fd < 0)
        {
          int errsv = errno;

          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                               g_strerror (errsv));
          return NULL;
        }
      return g_unix_output_stream_new (fd, TRUE);
    }
  file = g_file_new_for_commandline_arg (path);
  return G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error));
}
