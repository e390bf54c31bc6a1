/* ipt-view-find.c: a search through the listing as a view wants it: on
 * the model's own threads (ipt_listing_model_find_address_async(),
 * ..._find_text_async()), so the window stays responsive while a search
 * decodes a long trace, from the selected row on and then around from the
 * other end, once. */
#include "config.h"

#include "ipt-view-find.h"

typedef struct {
  IptListingModel *model;
  gboolean by_address;
  guint64 address;
  char *needle;
  gboolean backward;
  gboolean wrapped;           /* the second leg (or none is left) */
  guint position;
} Find;

static void
find_free (gpointer data)
{
  Find *find = data;

  g_object_unref (find->model);
  g_free (find->needle);
  g_free (find);
}

static void leg_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
start_leg (GTask *task, guint from)
{
  Find *find = g_task_get_task_data (task);

  if (find->by_address)
    ipt_listing_model_find_address_async (find->model, find->address, from, find->backward,
                                          g_task_get_cancellable (task), leg_done, task);
  else
    ipt_listing_model_find_text_async (find->model, find->needle, from, find->backward,
                                       g_task_get_cancellable (task), leg_done, task);
}

static void
leg_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Find *find = g_task_get_task_data (task);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (find->model));
  GError *error = NULL;

  if (ipt_listing_model_find_finish (find->model, result, &find->position, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, error);
  else if (!find->wrapped && n > 0)
    {
      find->wrapped = TRUE;
      start_leg (task, find->backward ? n - 1 : 0);
      return;
    }
  else
    g_task_return_boolean (task, FALSE);
  g_object_unref (task);
}

void
ipt_view_find_async (IptListingModel *model, const IptViewFindWhat *what, gboolean after,
                     guint selected, gboolean backward, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  Find *find = g_new0 (Find, 1);
  guint from;

  g_task_set_source_tag (task, ipt_view_find_async);
  find->model = g_object_ref (model);
  find->by_address = what->by_address;
  find->address = what->address;
  find->needle = g_strdup (what->needle);
  find->backward = backward;
  g_task_set_task_data (task, find, find_free);

  if (!after || n == 0)
    {
      /* from the start, one leg */
      find->wrapped = TRUE;
      from = backward && n > 0 ? n - 1 : 0;
    }
  else if (!backward)
    {
      from = selected + 1 < n ? selected + 1 : 0;
      find->wrapped = from == 0;
    }
  else
    {
      from = selected > 0 ? selected - 1 : n - 1;
      find->wrapped = selected == 0;
    }
  start_leg (task, from);
}

gboolean
ipt_view_find_finish (GAsyncResult *result, guint *position, GError **error)
{
  GTask *task = G_TASK (result);
  Find *find = g_task_get_task_data (task);

  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  if (position != NULL)
    *position = find->position;
  return TRUE;
}
