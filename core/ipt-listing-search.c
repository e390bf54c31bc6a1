/* ipt-listing-search.c: IptListingModel's searches — the next or
 * previous row at an address or with a text — decoded from the checkpoint
 * before the row they start at, in the caller's thread or in one of
 * their own. */
#include "config.h"

#include <string.h>

#include "ipt-listing-model-private.h"

/* ---- search ---- */

typedef struct {
  IptListingModel *self;
  const IptListingFormat *format;
  guint64 address;
  const char *needle;
  guint64 last;        /* rows up to here are looked at */
  gboolean backward;
  gboolean found;
  guint64 position;
} Find;

static gboolean
find_row (gpointer user_data, guint64 row, const IptListingRecord *record, const char *text,
          gsize len)
{
  Find *find = user_data;
  gboolean match;

  if (row > find->last)
    return FALSE;
  if (find->needle == NULL)
    match = record->kind == IPT_LISTING_RECORD_INSN && record->ip == find->address;
  else
    {
      char line[IPT_LISTING_LINE_MAX + 1];
      char event[IPT_LISTING_LINE_MAX + 1];
      gsize n;

      if (text != NULL)
        {
          n = MIN (len, (gsize) IPT_LISTING_LINE_MAX);
          memcpy (event, text, n);
          event[n] = '\0';
        }
      n = ipt_listing_record_format (record, text != NULL ? event : NULL, find->format, line);
      match = g_strstr_len (line, (gssize) n, find->needle) != NULL;
    }
  if (match)
    {
      find->found = TRUE;
      find->position = row;
    }
  /* forward: the first match; backward: the last up to find->last */
  return !(match && !find->backward);
}

static gboolean
find (IptListingModel *self, Find *find_data, guint from, GCancellable *cancellable,
      guint *position, GError **error)
{
  const IptListingIndex *index = self->index;

  if (index == NULL || from >= self->n_items)
    return FALSE;
  if (!find_data->backward)
    {
      find_data->last = self->n_items - 1;
      if (!ipt_listing_index_scan (index, &self->source, from, find_row, find_data,
                                   cancellable, error))
        return FALSE;
    }
  else
    {
      /* one interval between checkpoints at a time, from the one of @from back */
      guint64 last = from;

      for (guint k = ipt_listing_index_lookup (index, from) + 1; k-- > 0 && !find_data->found;)
        {
          guint64 first = g_array_index (index->checkpoints, IptListingCheckpoint, k).row;

          find_data->last = last;
          if (!ipt_listing_index_scan (index, &self->source, first, find_row, find_data,
                                       cancellable, error))
            return FALSE;
          if (first == 0)
            break;
          last = first - 1;
        }
    }
  if (find_data->found && position != NULL)
    *position = (guint) find_data->position;
  return find_data->found;
}

/**
 * ipt_listing_model_find_address:
 * @self: an #IptListingModel
 * @address: an instruction address
 * @from: the row to start at (included)
 * @backward: search towards the first row instead of the last
 * @cancellable: (nullable): a #GCancellable
 * @position: (out) (optional): the row found
 * @error: return location for a #GError
 *
 * Finds the next (or previous) instruction row at @address from row @from
 * on, decoding from the checkpoint before @from: a search over the whole
 * trace costs about one decode of it.
 *
 * Returns: %TRUE when found; %FALSE when not (@error unset, also when the
 *   model is not indexed or @from is past the last row), or with @error
 *   set when cancelled (%G_IO_ERROR_CANCELLED) or the decode failed
 *
 * Since: 0.1
 */
gboolean
ipt_listing_model_find_address (IptListingModel *self, guint64 address, guint from,
                                gboolean backward, GCancellable *cancellable, guint *position,
                                GError **error)
{
  Find find_data = { 0, };

  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), FALSE);

  find_data.self = self;
  find_data.format = &self->format;
  find_data.address = address;
  find_data.backward = backward;
  return find (self, &find_data, from, cancellable, position, error);
}

/**
 * ipt_listing_model_find_text:
 * @self: an #IptListingModel
 * @needle: the text to look for in the rows' lines (case matters)
 * @from: the row to start at (included)
 * @backward: search towards the first row instead of the last
 * @cancellable: (nullable): a #GCancellable
 * @position: (out) (optional): the row found
 * @error: return location for a #GError
 *
 * Finds the next (or previous) row whose line (#IptListingRow:line)
 * contains @needle, from row @from on: an instruction's mnemonic or
 * operands, a symbol's name, an event, an error message. Each row looked
 * at is disassembled and formatted.
 *
 * Returns: %TRUE when found; %FALSE when not, or with @error set, as
 *   ipt_listing_model_find_address() says
 *
 * Since: 0.1
 */
gboolean
ipt_listing_model_find_text (IptListingModel *self, const char *needle, guint from,
                             gboolean backward, GCancellable *cancellable, guint *position,
                             GError **error)
{
  Find find_data = { 0, };

  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), FALSE);
  g_return_val_if_fail (needle != NULL, FALSE);

  find_data.self = self;
  find_data.format = &self->format;
  find_data.needle = needle;
  find_data.backward = backward;
  return find (self, &find_data, from, cancellable, position, error);
}

/* ---- search in a thread ---- */

typedef struct {
  Find find;
  IptListingFormat format;      /* the model's, so that set_symbols() may run meanwhile */
  char *needle;
  guint from;
  guint position;
} FindJob;

static void
find_job_free (gpointer data)
{
  FindJob *job = data;

  ipt_listing_format_clear (&job->format);
  g_free (job->needle);
  g_free (job);
}

static void
find_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  FindJob *job = task_data;
  GError *error = NULL;

  if (find (source_object, &job->find, job->from, cancellable, &job->position, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, FALSE);
}

static void
find_async (IptListingModel *self, FindJob *job, GCancellable *cancellable,
            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ipt_listing_model_find_address_async);
  job->format = self->format;
  if (job->format.symbols != NULL)
    ipt_symbol_resolver_ref (job->format.symbols);
  job->find.self = self;
  job->find.format = &job->format;
  job->find.needle = job->needle;
  g_task_set_task_data (task, job, find_job_free);
  g_task_run_in_thread (task, find_thread);
}

/**
 * ipt_listing_model_find_address_async:
 * @self: an indexed #IptListingModel
 * @address: an instruction address
 * @from: the row to start at (included)
 * @backward: search towards the first row instead of the last
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result, on the caller's thread-default main context
 * @user_data: (closure): data for @callback
 *
 * ipt_listing_model_find_address() in a thread, so that a view stays
 * responsive while a search decodes the trace. Finish with
 * ipt_listing_model_find_finish().
 *
 * Since: 0.1
 */
void
ipt_listing_model_find_address_async (IptListingModel *self, guint64 address, guint from,
                                      gboolean backward, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  FindJob *job;

  g_return_if_fail (IPT_IS_LISTING_MODEL (self));

  job = g_new0 (FindJob, 1);
  job->find.address = address;
  job->find.backward = backward;
  job->from = from;
  find_async (self, job, cancellable, callback, user_data);
}

/**
 * ipt_listing_model_find_text_async:
 * @self: an indexed #IptListingModel
 * @needle: the text to look for in the rows' lines (case matters)
 * @from: the row to start at (included)
 * @backward: search towards the first row instead of the last
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result, on the caller's thread-default main context
 * @user_data: (closure): data for @callback
 *
 * ipt_listing_model_find_text() in a thread. Finish with
 * ipt_listing_model_find_finish().
 *
 * Since: 0.1
 */
void
ipt_listing_model_find_text_async (IptListingModel *self, const char *needle, guint from,
                                   gboolean backward, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  FindJob *job;

  g_return_if_fail (IPT_IS_LISTING_MODEL (self));
  g_return_if_fail (needle != NULL);

  job = g_new0 (FindJob, 1);
  job->needle = g_strdup (needle);
  job->find.backward = backward;
  job->from = from;
  find_async (self, job, cancellable, callback, user_data);
}

/**
 * ipt_listing_model_find_finish:
 * @self: an #IptListingModel
 * @result: the #GAsyncResult of the callback
 * @position: (out) (optional): the row found
 * @error: return location for a #GError
 *
 * Finishes ipt_listing_model_find_address_async() or
 * ipt_listing_model_find_text_async().
 *
 * Returns: %TRUE when found; %FALSE when not (@error unset), or with @error
 *   set when cancelled (%G_IO_ERROR_CANCELLED) or the decode failed
 *
 * Since: 0.1
 */
gboolean
ipt_listing_model_find_finish (IptListingModel *self, GAsyncResult *result, guint *position,
                               GError **error)
{
  GTask *task = G_TASK (result);

  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  if (position != NULL)
    *position = ((FindJob *) g_task_get_task_data (task))->position;
  return TRUE;
}
