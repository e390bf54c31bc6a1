/* ipt-decoder-decode.c: the entry points of an IptDecoder — a trace in
 * memory, a file or a part of one, sync and async — which check their
 * arguments, map the trace and hand it to the decode (ipt-decoder-run.c).
 * The object and its settings are in ipt-decoder.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-decoder-private.h"

/**
 * ipt_decoder_decode_bytes:
 * @self: an #IptDecoder
 * @trace: the raw Intel PT byte stream
 * @sink: where the decoded instructions, blocks, events and errors go
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Decodes @trace from its start to its end, synchronizing at each PSB and
 * resynchronizing after errors, exactly as ptxed does. Decode errors
 * (`[offset, ip: error: message]`) go to @sink and do not fail the call.
 * Trace offsets given to @sink are relative to the start of @trace.
 * With more than one job (ipt_decoder_set_jobs()) and a sink that can be
 * split, the trace is decoded in segments on several threads; @sink gets
 * the same calls as from a serial decode.
 *
 * Returns: %TRUE when the trace was decoded to its end. %FALSE with
 *   %IPT_ERROR_INVALID_ARGUMENT for an empty trace, %IPT_ERROR_DECODE when
 *   libipt cannot create a decoder, %G_IO_ERROR_CANCELLED when cancelled,
 *   %IPT_ERROR_FAILED when @self is already decoding, or the sink's error
 *   from its `begin` or `end`.
 *
 * Since: 0.1
 */
gboolean
ipt_decoder_decode_bytes (IptDecoder *self, GBytes *trace, IptSink *sink,
                          GCancellable *cancellable, GError **error)
{
  gsize size = 0;
  const guint8 *data;

  g_return_val_if_fail (IPT_IS_DECODER (self), FALSE);
  g_return_val_if_fail (trace != NULL, FALSE);
  g_return_val_if_fail (IPT_IS_SINK (sink), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_bytes_get_data (trace, &size);
  return ipt_decoder_run (self, data, size, "trace", sink, cancellable, NULL, error);
}

/* Maps the trace, which must be a regular file: opened without blocking
 * (a FIFO would block open() until a writer comes) and checked on the
 * descriptor, so that nothing swapped in after a check can block either. */
static GMappedFile *
map_trace (const char *path, const char *display, GError **error)
{
  g_autoptr(GError) local = NULL;
  GMappedFile *mapped;
  struct stat st;
  int fd;

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "%s: cannot open the trace: %s", display, g_strerror (errsv));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, S_ISDIR (st.st_mode) ? G_FILE_ERROR_ISDIR : G_FILE_ERROR_INVAL,
                   "%s: not a regular file", display);
      close (fd);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local);
  close (fd);
  if (mapped == NULL)
    g_set_error (error, local->domain, local->code, "%s: cannot map the trace: %s", display,
                 local->message);
  return mapped;
}

static gboolean
decode_file (IptDecoder *self, const char *path, guint64 from, guint64 to, IptSink *sink,
             GCancellable *cancellable, GMainContext *progress_context, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autofree char *display = g_filename_display_name (path);
  guint64 size;

  mapped = map_trace (path, display, error);
  if (mapped == NULL)
    return FALSE;
  size = g_mapped_file_get_length (mapped);

  if (to == 0)
    to = size;
  if (from >= size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   size == 0 ? "%s: the trace is empty"
                             : "%s: offset 0x%" G_GINT64_MODIFIER "x is not before the end of "
                               "the file (0x%" G_GINT64_MODIFIER "x bytes)",
                   display, from, size);
      return FALSE;
    }
  if (to <= from || to > size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: bad range 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x "
                   "(the file has 0x%" G_GINT64_MODIFIER "x bytes)", display, from, to, size);
      return FALSE;
    }

  return ipt_decoder_run (self, (const guint8 *) g_mapped_file_get_contents (mapped) + from,
                      to - from, display, sink, cancellable, progress_context, error);
}

/**
 * ipt_decoder_decode_file:
 * @self: an #IptDecoder
 * @path: (type filename): the trace file (raw Intel PT bytes)
 * @from: the first byte of the trace in the file
 * @to: the end of the trace in the file (exclusive), 0 for the end of the file
 * @sink: where the decoded instructions, blocks, events and errors go
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Maps the file and decodes bytes [@from, @to) like ipt_decoder_decode_bytes()
 * (ptxed's `--pt FILE:FROM-TO`). Trace offsets are relative to @from.
 *
 * Returns: %TRUE on success. %FALSE with a #G_FILE_ERROR when the file cannot
 *   be mapped, %IPT_ERROR_INVALID_ARGUMENT when the file is empty or the
 *   range lies outside it, or any error of ipt_decoder_decode_bytes(); the
 *   messages name the file.
 *
 * Since: 0.1
 */
gboolean
ipt_decoder_decode_file (IptDecoder *self, const char *path, guint64 from, guint64 to,
                         IptSink *sink, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (IPT_IS_SINK (sink), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return decode_file (self, path, from, to, sink, cancellable, NULL, error);
}

typedef struct {
  char *path;
  guint64 from;
  guint64 to;
  IptSink *sink;
  GMainContext *context;
} DecodeFileData;

static void
decode_file_data_free (gpointer user_data)
{
  DecodeFileData *data = user_data;

  g_free (data->path);
  g_clear_object (&data->sink);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_free (data);
}

static void
decode_file_thread (GTask *task, gpointer source_object, gpointer task_data,
                    GCancellable *cancellable)
{
  DecodeFileData *data = task_data;
  GError *error = NULL;

  if (decode_file (IPT_DECODER (source_object), data->path, data->from, data->to, data->sink,
                   cancellable, data->context, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * ipt_decoder_decode_file_async:
 * @self: an #IptDecoder
 * @path: (type filename): the trace file
 * @from: the first byte of the trace in the file
 * @to: the end of the trace in the file (exclusive), 0 for the end of the file
 * @sink: where the results go; its callbacks run in a worker thread
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the decode is over
 * @user_data: data for @callback
 *
 * Runs ipt_decoder_decode_file() in a worker thread. The sink is called from
 * that thread; #IptDecoder::progress is emitted in the thread-default main
 * context of the caller. Finish with ipt_decoder_decode_file_finish().
 *
 * Since: 0.1
 */
void
ipt_decoder_decode_file_async (IptDecoder *self, const char *path, guint64 from, guint64 to,
                               IptSink *sink, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  DecodeFileData *data;

  g_return_if_fail (IPT_IS_DECODER (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (IPT_IS_SINK (sink));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (DecodeFileData, 1);
  data->path = g_strdup (path);
  data->from = from;
  data->to = to;
  data->sink = g_object_ref (sink);
  data->context = g_main_context_ref_thread_default ();

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ipt_decoder_decode_file_async);
  g_task_set_task_data (task, data, decode_file_data_free);
  g_task_run_in_thread (task, decode_file_thread);
}

/**
 * ipt_decoder_decode_file_finish:
 * @self: an #IptDecoder
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes ipt_decoder_decode_file_async().
 *
 * Returns: %TRUE on success, %FALSE with the errors of
 *   ipt_decoder_decode_file()
 *
 * Since: 0.1
 */
gboolean
ipt_decoder_decode_file_finish (IptDecoder *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
