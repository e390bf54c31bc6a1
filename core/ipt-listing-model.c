/* ipt-listing-model.c: IptListingModel, a trace's listing (the lines
 * ipt-analyze prints) as a GListModel of IptListingRow for views over
 * traces of tens of millions of instructions. Indexing decodes the trace
 * once (in a thread, with progress and cancel) into checkpoints
 * (ipt-listing-index.c); a row asked for is decoded with its window from
 * the checkpoint before it (ipt-listing-window.c) and made an object only
 * then (ipt-listing-row.c). Searches are in ipt-listing-search.c.
 * Memory: the checkpoints and a few windows. Never prints. */
#include "config.h"

#include <string.h>

#include "ipt-listing-model-private.h"

/* Rows per decoded window and windows kept: a view asks for rows around
 * one position, a scroll moves through neighbouring windows. */
#define ROWS_PER_WINDOW 4096
#define N_WINDOWS 16
/* The least rows between two checkpoints: a decode from one lists at most
 * this many rows (plus a PSB interval) more than the window it is for. */
#define DEFAULT_SPACING 16384

/**
 * IptListingModel:
 *
 * The listing of a trace — every line `ipt-analyze` prints for it, as an
 * #IptListingRow each — as a #GListModel, for a view (a `GtkColumnView`)
 * over traces of tens of millions of instructions.
 *
 * The model is empty until it is indexed: ipt_listing_model_index_async()
 * decodes the trace once in a thread (#IptListingModel:progress tells how
 * far) and keeps checkpoints at PSBs, each checked to list exactly the
 * rows the serial decode lists from there; then the model has its rows, in
 * one #GListModel::items-changed. A row asked for is decoded, with a
 * window of rows around it, from the checkpoint before it; a few windows
 * are kept. Memory stays bounded whatever the trace's length.
 *
 * Rows are those of the CLI's default listing: instructions with their
 * disassembly, events, errors (a decode error is a row, never a failure of
 * the model), and names from ipt_listing_model_set_symbols(), as the CLI
 * names code with the symbols of its providers.
 *
 * Since: 0.1
 */

enum {
  PROP_0,
  PROP_DECODER,
  PROP_TRACE,
  PROP_NAME,
  PROP_SYMBOLS,
  PROP_PROGRESS,
  PROP_INDEXED,
  PROP_N_INSNS,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  PROP_CHECKPOINT_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ipt_listing_model_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptListingModel, ipt_listing_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ipt_listing_model_list_init))

/* ---- GListModel ---- */

static GType
ipt_listing_model_get_item_type (GListModel *list)
{
  return IPT_TYPE_LISTING_ROW;
}

static guint
ipt_listing_model_get_n_items (GListModel *list)
{
  return IPT_LISTING_MODEL (list)->n_items;
}

static gpointer
ipt_listing_model_get_item (GListModel *list, guint position)
{
  IptListingModel *self = IPT_LISTING_MODEL (list);
  g_autoptr(GError) error = NULL;
  IptListingRow *row;

  if (position >= self->n_items)
    return NULL;
  row = ipt_listing_model_get_row (self, position, &error);
  if (row == NULL)
    g_debug ("%s", error->message);
  return row;
}

static void
ipt_listing_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = ipt_listing_model_get_item_type;
  iface->get_n_items = ipt_listing_model_get_n_items;
  iface->get_item = ipt_listing_model_get_item;
}

/* ---- GObject ---- */

static void
ipt_listing_model_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  IptListingModel *self = IPT_LISTING_MODEL (object);

  switch (prop_id)
    {
    case PROP_DECODER:
      self->decoder = g_value_dup_object (value);
      break;
    case PROP_TRACE:
      self->trace = g_value_dup_boxed (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_SYMBOLS:
      ipt_listing_model_set_symbols (self, g_value_get_boxed (value));
      break;
    case PROP_CHECKPOINT_SPACING:
      self->spacing = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_listing_model_get_property (GObject *object, guint prop_id, GValue *value,
                                GParamSpec *pspec)
{
  IptListingModel *self = IPT_LISTING_MODEL (object);

  switch (prop_id)
    {
    case PROP_DECODER:
      g_value_set_object (value, self->decoder);
      break;
    case PROP_TRACE:
      g_value_set_boxed (value, self->trace);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SYMBOLS:
      g_value_set_boxed (value, self->symbols);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_INDEXED:
      g_value_set_boolean (value, self->index != NULL);
      break;
    case PROP_N_INSNS:
      g_value_set_uint64 (value, ipt_listing_model_get_n_insns (self));
      break;
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, IPT_TYPE_LISTING_ROW);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_CHECKPOINT_SPACING:
      g_value_set_uint (value, self->spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_listing_model_constructed (GObject *object)
{
  IptListingModel *self = IPT_LISTING_MODEL (object);

  G_OBJECT_CLASS (ipt_listing_model_parent_class)->constructed (object);
  if (self->name == NULL)
    self->name = g_strdup ("trace");
  if (self->trace == NULL)
    self->trace = g_bytes_new (NULL, 0);
}

static void
ipt_listing_model_finalize (GObject *object)
{
  IptListingModel *self = IPT_LISTING_MODEL (object);

  g_clear_pointer (&self->windows, ipt_listing_windows_free);
  g_clear_pointer (&self->index, ipt_listing_index_free);
  if (self->snapshot != NULL)
    ipt_image_release_snapshot (ipt_decoder_get_image (self->decoder), self->snapshot);
  ipt_listing_format_clear (&self->format);
  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
  g_clear_object (&self->decoder);
  g_clear_pointer (&self->trace, g_bytes_unref);
  g_free (self->name);
  G_OBJECT_CLASS (ipt_listing_model_parent_class)->finalize (object);
}

static void
ipt_listing_model_class_init (IptListingModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->set_property = ipt_listing_model_set_property;
  object_class->get_property = ipt_listing_model_get_property;
  object_class->constructed = ipt_listing_model_constructed;
  object_class->finalize = ipt_listing_model_finalize;

  /**
   * IptListingModel:decoder:
   *
   * The decoder whose image and settings (kind, cpu, stall limit, TSC
   * conversion) the model decodes with; its jobs are not used. The model
   * decodes on decoders of its own, so @decoder stays free.
   *
   * Since: 0.1
   */
  properties[PROP_DECODER] = g_param_spec_object ("decoder", "Decoder",
                                                  "The image and settings to decode with",
                                                  IPT_TYPE_DECODER,
                                                  construct);
  /**
   * IptListingModel:trace:
   *
   * The raw Intel PT trace.
   *
   * Since: 0.1
   */
  properties[PROP_TRACE] = g_param_spec_boxed ("trace", "Trace", "The raw Intel PT trace",
                                               G_TYPE_BYTES, construct);
  /**
   * IptListingModel:name:
   *
   * The trace's name in error messages (its file name).
   *
   * Since: 0.1
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name", "The trace's name", NULL,
                                               construct);
  /**
   * IptListingModel:symbols:
   *
   * Names for the disassembly, as ipt_listing_model_set_symbols() sets them.
   *
   * Since: 0.1
   */
  properties[PROP_SYMBOLS] = g_param_spec_boxed ("symbols", "Symbols",
                                                 "Names for the disassembly",
                                                 IPT_TYPE_SYMBOL_RESOLVER,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                 G_PARAM_EXPLICIT_NOTIFY);
  /**
   * IptListingModel:progress:
   *
   * How far indexing is, from 0 to 1 (1 once indexed). Notified on the
   * thread-default main context of the caller of
   * ipt_listing_model_index_async(), a few times a second.
   *
   * Since: 0.1
   */
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", "Progress",
                                                   "How far indexing is", 0, 1, 0, readable);
  /**
   * IptListingModel:indexed:
   *
   * Whether the model is indexed (and has its rows).
   *
   * Since: 0.1
   */
  properties[PROP_INDEXED] = g_param_spec_boolean ("indexed", "Indexed",
                                                   "Whether the model has its rows", FALSE,
                                                   readable);
  /**
   * IptListingModel:n-insns:
   *
   * The instructions among the rows (0 until indexed).
   *
   * Since: 0.1
   */
  properties[PROP_N_INSNS] = g_param_spec_uint64 ("n-insns", "Instructions",
                                                  "The instructions among the rows", 0,
                                                  G_MAXUINT64, 0, readable);
  /**
   * IptListingModel:item-type:
   *
   * The type of the items: #IptListingRow.
   *
   * Since: 0.1
   */
  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", "Item type",
                                                   "The type of the items",
                                                   G_TYPE_OBJECT, readable);
  /**
   * IptListingModel:n-items:
   *
   * The number of rows (0 until indexed).
   *
   * Since: 0.1
   */
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", "Items", "The number of rows", 0,
                                                G_MAXUINT, 0, readable);
  /**
   * IptListingModel:checkpoint-spacing:
   *
   * The least rows between two checkpoints of the index (set before
   * indexing): a row is decoded from the checkpoint before it, so fewer
   * rows make random access faster and the index (a few KiB per
   * checkpoint while indexing) bigger. Checkpoints are at PSBs, so traces
   * with rare PSBs have fewer.
   *
   * Since: 0.1
   */
  properties[PROP_CHECKPOINT_SPACING] =
    g_param_spec_uint ("checkpoint-spacing", "Checkpoint spacing",
                       "The least rows between two checkpoints", 64, G_MAXUINT,
                       DEFAULT_SPACING, G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_listing_model_init (IptListingModel *self)
{
  ipt_listing_format_init (&self->format, TRUE);
  self->windows = ipt_listing_windows_new (N_WINDOWS, ROWS_PER_WINDOW);
}

/**
 * ipt_listing_model_new:
 * @decoder: the image and settings to decode with
 * @trace: the raw Intel PT trace
 * @name: (nullable): the trace's name in error messages (its file name)
 *
 * A model of @trace's listing, empty until indexed
 * (ipt_listing_model_index_async()).
 *
 * Returns: (transfer full): a new #IptListingModel
 *
 * Since: 0.1
 */
IptListingModel *
ipt_listing_model_new (IptDecoder *decoder, GBytes *trace, const char *name)
{
  g_return_val_if_fail (IPT_IS_DECODER (decoder), NULL);
  g_return_val_if_fail (trace != NULL, NULL);

  return g_object_new (IPT_TYPE_LISTING_MODEL, "decoder", decoder, "trace", trace,
                       "name", name, NULL);
}

/**
 * ipt_listing_model_new_for_file:
 * @decoder: the image and settings to decode with
 * @path: (type filename): a raw Intel PT trace file, mapped, not read
 * @error: return location for a #GError
 *
 * Like ipt_listing_model_new() over the mapped contents of @path.
 *
 * Returns: (transfer full) (nullable): a new #IptListingModel, or %NULL
 *   with @error set (a #GFileError) when @path cannot be mapped
 *
 * Since: 0.1
 */
IptListingModel *
ipt_listing_model_new_for_file (IptDecoder *decoder, const char *path, GError **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (IPT_IS_DECODER (decoder), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  return ipt_listing_model_new (decoder, bytes, path);
}

/**
 * ipt_listing_model_set_symbols:
 * @self: an #IptListingModel
 * @symbols: (nullable): names for the disassembly, or %NULL for none
 *
 * Names the code in the rows, as the CLI names it with its providers'
 * symbols (ipt_symbol_resolver_new_for_model() over the image's
 * providers): " <name+0x12>" after an instruction's address and after a
 * direct branch's target, and the row's #IptListingRow:symbol. Names are
 * those of each instruction's time (JIT code reuses addresses). Set it
 * before indexing for names over time; set later, rows made afterwards
 * have the names, and an indexed model signals all its rows changed.
 *
 * Since: 0.1
 */
void
ipt_listing_model_set_symbols (IptListingModel *self, IptSymbolResolver *symbols)
{
  g_return_if_fail (IPT_IS_LISTING_MODEL (self));

  if (symbols == self->symbols)
    return;
  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
  if (symbols != NULL)
    self->symbols = ipt_symbol_resolver_ref (symbols);
  ipt_listing_format_set_symbols (&self->format, symbols);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYMBOLS]);
  if (self->n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->n_items, self->n_items);
}

/**
 * ipt_listing_model_get_symbols:
 * @self: an #IptListingModel
 *
 * The resolver that names the rows' code, as set by ipt_listing_model_set_symbols().
 *
 * Returns: (transfer none) (nullable): the names the rows get, or %NULL
 *
 * Since: 0.1
 */
IptSymbolResolver *
ipt_listing_model_get_symbols (IptListingModel *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), NULL);

  return self->symbols;
}

/* ---- indexing ---- */

typedef struct {
  IptListingModel *self;        /* a reference */
  GMainContext *context;        /* nullable: the sync index's progress goes here, now */
  IptListingSource source;
  IptListingIndex *index;
  IptImageSnapshot *snapshot;
} IndexJob;

static void
index_job_free (gpointer data)
{
  IndexJob *job = data;

  g_clear_pointer (&job->index, ipt_listing_index_free);
  if (job->snapshot != NULL)
    ipt_image_release_snapshot (ipt_decoder_get_image (job->self->decoder), job->snapshot);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_object_unref (job->self);
  g_free (job);
}

static void
set_progress (IptListingModel *self, gdouble progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

typedef struct {
  IptListingModel *self;
  gdouble progress;
} ProgressUpdate;

static gboolean
progress_idle (gpointer data)
{
  ProgressUpdate *update = data;

  /* late updates after the index ended are dropped */
  if (update->self->indexing)
    set_progress (update->self, update->progress);
  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_object_unref (update->self);
  g_free (update);
}

static void
job_progress (gpointer user_data, gdouble fraction)
{
  IndexJob *job = user_data;
  ProgressUpdate *update;

  if (job->context == NULL)
    {
      set_progress (job->self, fraction);
      return;
    }
  update = g_new (ProgressUpdate, 1);
  update->self = g_object_ref (job->self);
  update->progress = fraction;
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, progress_idle, update,
                              progress_update_free);
}

static IndexJob *
index_job_new (IptListingModel *self, GMainContext *context)
{
  IndexJob *job = g_new0 (IndexJob, 1);

  job->self = g_object_ref (self);
  job->context = context != NULL ? g_main_context_ref (context) : NULL;
  job->source.settings = self->decoder;
  job->source.data = g_bytes_get_data (self->trace, &job->source.size);
  job->source.name = self->name;
  job->source.want_time = TRUE;
  job->source.hash_time = self->format.symbols != NULL;   /* only a resolver with sources */
  job->source.spacing = self->spacing;
  return job;
}

/* The index, in whichever thread: FALSE with @error when cancelled or the
 * trace cannot be decoded at all. */
static gboolean
index_job_run (IndexJob *job, GCancellable *cancellable, GError **error)
{
  IptImage *image = ipt_decoder_get_image (job->source.settings);

  if (job->source.size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "%s: the trace is empty",
                   job->source.name);
      return FALSE;
    }
  if (ipt_image_serves_address_spaces (image) &&
      !ipt_decoder_learn_address_spaces (image, job->source.data, job->source.size,
                                         job->source.name, error))
    return FALSE;
  job->snapshot = ipt_image_acquire_snapshot (image);
  job->source.snapshot = job->snapshot;
  job->source.hash_time |= ipt_image_snapshot_is_timed (job->snapshot);
  job->index = ipt_listing_index_build (&job->source, job_progress, job, cancellable, error);
  if (job->index == NULL)
    return FALSE;
  if (job->index->n_rows > G_MAXUINT)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s: %" G_GUINT64_FORMAT " rows: a list model has at most %u",
                   job->source.name, job->index->n_rows, G_MAXUINT);
      return FALSE;
    }
  return TRUE;
}

/* In the caller's thread: the rows appear. */
static void
index_job_apply (IndexJob *job)
{
  IptListingModel *self = job->self;

  self->indexing = FALSE;
  self->index = g_steal_pointer (&job->index);
  self->snapshot = g_steal_pointer (&job->snapshot);
  self->source = job->source;
  self->source.snapshot = self->snapshot;
  self->n_items = (guint) self->index->n_rows;
  set_progress (self, 1.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEXED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_INSNS]);
  if (self->n_items > 0)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->n_items);
    }
}

static void
index_job_failed (IptListingModel *self)
{
  self->indexing = FALSE;
  set_progress (self, 0.0);
}

static gboolean
index_begin (IptListingModel *self, GError **error)
{
  if (self->decoder == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: the model has no decoder to index with", self->name);
      return FALSE;
    }
  if (self->indexing)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED, "%s: the model is already being indexed",
                   self->name);
      return FALSE;
    }
  self->indexing = TRUE;
  set_progress (self, 0.0);
  return TRUE;
}

static void
index_thread (GTask *task, gpointer source_object, gpointer task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (index_job_run (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
index_done (GObject *source_object, GAsyncResult *result, gpointer user_data)
{
  IptListingModel *self = IPT_LISTING_MODEL (source_object);
  g_autoptr(GTask) outer = user_data;
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      index_job_apply (g_task_get_task_data (G_TASK (result)));
      g_task_return_boolean (outer, TRUE);
    }
  else
    {
      index_job_failed (self);
      g_task_return_error (outer, error);
    }
}

/**
 * ipt_listing_model_index_async:
 * @self: an #IptListingModel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the index is done
 * @user_data: (closure): data for @callback
 *
 * Indexes the trace in a thread: decodes it once, keeping checkpoints,
 * and checks each by decoding from it, on a thread per processor (so
 * about two decodes of the trace, without formatting; see
 * docs/listing-model.md). #IptListingModel:progress moves on the calling
 * thread's thread-default main context; when done, the model gets its rows
 * (one #GListModel::items-changed from 0 to all, on that context) before
 * @callback runs. Cancelled, the model stays empty. An indexed model
 * completes at once.
 *
 * Since: 0.1
 */
void
ipt_listing_model_index_async (IptListingModel *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  g_autoptr(GMainContext) context = NULL;
  GError *error = NULL;

  g_return_if_fail (IPT_IS_LISTING_MODEL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, ipt_listing_model_index_async);
  if (self->index != NULL)
    {
      g_task_return_boolean (outer, TRUE);
      return;
    }
  if (!index_begin (self, &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  context = g_main_context_ref_thread_default ();
  inner = g_task_new (self, cancellable, index_done, g_steal_pointer (&outer));
  g_task_set_task_data (inner, index_job_new (self, context), index_job_free);
  g_task_set_return_on_cancel (inner, FALSE);
  g_task_run_in_thread (inner, index_thread);
}

/**
 * ipt_listing_model_index_finish:
 * @self: an #IptListingModel
 * @result: the #GAsyncResult of the callback
 * @error: return location for a #GError
 *
 * Finishes ipt_listing_model_index_async(); the model has its rows already.
 *
 * Returns: %TRUE when the model is indexed; %FALSE with @error set to
 *   %G_IO_ERROR_CANCELLED when cancelled, to an #IPT_ERROR when the trace
 *   cannot be decoded at all (empty, libipt refuses it, a mapped file
 *   truncated under the decode) or when it is being indexed already
 *
 * Since: 0.1
 */
gboolean
ipt_listing_model_index_finish (IptListingModel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ipt_listing_model_index:
 * @self: an #IptListingModel
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * ipt_listing_model_index_async() in the calling thread, for callers
 * without a main loop; progress is notified from this thread as it goes.
 *
 * Returns: %TRUE when the model is indexed; %FALSE with @error set as
 *   ipt_listing_model_index_finish() says
 *
 * Since: 0.1
 */
gboolean
ipt_listing_model_index (IptListingModel *self, GCancellable *cancellable, GError **error)
{
  IndexJob *job;
  gboolean ok;

  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), FALSE);

  if (self->index != NULL)
    return TRUE;
  if (!index_begin (self, error))
    return FALSE;
  job = index_job_new (self, NULL);
  ok = index_job_run (job, cancellable, error);
  if (ok)
    index_job_apply (job);
  else
    index_job_failed (self);
  index_job_free (job);
  return ok;
}

/**
 * ipt_listing_model_is_indexed:
 * @self: an #IptListingModel
 *
 * Whether ipt_listing_model_index() or ipt_listing_model_index_async() completed.
 *
 * Returns: whether the model is indexed and has its rows
 *
 * Since: 0.1
 */
gboolean
ipt_listing_model_is_indexed (IptListingModel *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), FALSE);

  return self->index != NULL;
}

/**
 * ipt_listing_model_get_progress:
 * @self: an #IptListingModel
 *
 * How far ipt_listing_model_index_async() has come (#IptListingModel:progress).
 *
 * Returns: how far indexing is, from 0 to 1
 *
 * Since: 0.1
 */
gdouble
ipt_listing_model_get_progress (IptListingModel *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), 0);

  return self->progress;
}

/**
 * ipt_listing_model_get_n_insns:
 * @self: an #IptListingModel
 *
 * How many of the rows are instructions (the CLI's `--stat` "insn:" count).
 *
 * Returns: the number of instruction rows (0 until indexed)
 *
 * Since: 0.1
 */
guint64
ipt_listing_model_get_n_insns (IptListingModel *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), 0);

  return self->index != NULL ? self->index->n_insns : 0;
}

/**
 * ipt_listing_model_get_n_checkpoints:
 * @self: an #IptListingModel
 *
 * How many places the index can decode from: the trace's start and the
 * PSBs that passed the check. A row is decoded from the last one before it.
 *
 * Returns: the number of checkpoints (0 until indexed)
 *
 * Since: 0.1
 */
guint
ipt_listing_model_get_n_checkpoints (IptListingModel *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), 0);

  return self->index != NULL ? self->index->checkpoints->len : 0;
}

/**
 * ipt_listing_model_list_errors:
 * @self: an #IptListingModel
 *
 * Where the decode errors are, for a view that lists them (or jumps from
 * one to the next) without searching: the positions of the rows of kind
 * %IPT_LISTING_ROW_ERROR, in order, found while indexing; at most the
 * first 1,048,576.
 *
 * Returns: (transfer full) (element-type guint): the error rows' positions
 *   (empty until indexed)
 *
 * Since: 0.1
 */
GArray *
ipt_listing_model_list_errors (IptListingModel *self)
{
  GArray *errors = g_array_new (FALSE, FALSE, sizeof (guint));

  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), errors);

  if (self->index != NULL)
    g_array_append_vals (errors, self->index->errors->data, self->index->errors->len);
  return errors;
}

/**
 * ipt_listing_model_get_row:
 * @self: an #IptListingModel
 * @position: the row's position
 * @error: return location for a #GError
 *
 * g_list_model_get_item() with the reason when the row cannot be decoded
 * (the trace's file truncated under the model).
 *
 * Returns: (transfer full) (nullable): the row, or %NULL with @error set:
 *   %IPT_ERROR_INVALID_ARGUMENT when @position is not below the number of
 *   rows, else the decode's error
 *
 * Since: 0.1
 */
IptListingRow *
ipt_listing_model_get_row (IptListingModel *self, guint position, GError **error)
{
  IptListingRecord record;
  char text[IPT_LISTING_LINE_MAX];

  g_return_val_if_fail (IPT_IS_LISTING_MODEL (self), NULL);

  if (position >= self->n_items)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: no row %u: the model has %u", self->name, position, self->n_items);
      return NULL;
    }
  if (!ipt_listing_windows_get (self->windows, self->index, &self->source, position, &record,
                                text, error))
    return NULL;
  return ipt_listing_row_new (position, &record, text, &self->format);
}
