/* ipt-view-trace.c: the image and the decodes ipt-view shows. A load
 * decodes the whole trace once, on a worker thread
 * (ipt_decoder_decode_file_async), into the call analysis and the error
 * list through one tee; the progress property follows the decoder's
 * progress signal, which comes in the main context. The image may grow
 * (the add-source dialog) between loads; a load decodes over the image as
 * it is when the load starts. */
#include "config.h"

#include "ipt-view-trace.h"

#include "ipt-analyze-image.h"
#include "ipt-tee-sink.h"
#include "ipt-view-error-sink.h"

struct _IptViewTrace {
  GObject parent_instance;

  IptPluginRegistry *registry;
  IptImage *image;
  const IptAnalyzeOptions *options;

  double progress;
  IptCalls *calls;                  /* of the last load that finished */
  IptViewErrorSink *errors;
  IptListingModel *listing;
};

enum {
  SIGNAL_LISTING_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (IptViewTrace, ipt_view_trace, G_TYPE_OBJECT)

static void
ipt_view_trace_finalize (GObject *object)
{
  IptViewTrace *self = IPT_VIEW_TRACE (object);

  g_clear_object (&self->calls);
  g_clear_object (&self->errors);
  g_clear_object (&self->listing);
  g_clear_object (&self->image);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (ipt_view_trace_parent_class)->finalize (object);
}

static void
ipt_view_trace_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptViewTrace *self = IPT_VIEW_TRACE (object);

  switch (prop_id)
    {
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_view_trace_class_init (IptViewTraceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_view_trace_finalize;
  object_class->get_property = ipt_view_trace_get_property;

  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", "Progress", "How much of the load is done, 0 to 1",
                         0, 1, 0, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LISTING_READY] =
    g_signal_new ("listing-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, IPT_TYPE_LISTING_MODEL);
}

static void
ipt_view_trace_init (IptViewTrace *self)
{
}

IptViewTrace *
ipt_view_trace_new (IptPluginRegistry *registry, IptImage *image,
                    const IptAnalyzeOptions *options)
{
  IptViewTrace *self = g_object_new (IPT_VIEW_TYPE_TRACE, NULL);

  self->registry = g_object_ref (registry);
  self->image = g_object_ref (image);
  self->options = options;
  return self;
}

IptPluginRegistry *
ipt_view_trace_get_registry (IptViewTrace *self)
{
  return self->registry;
}

IptImage *
ipt_view_trace_get_image (IptViewTrace *self)
{
  return self->image;
}

const char *
ipt_view_trace_get_path (IptViewTrace *self)
{
  return self->options->pt_file;
}

double
ipt_view_trace_get_progress (IptViewTrace *self)
{
  return self->progress;
}

IptCalls *
ipt_view_trace_get_calls (IptViewTrace *self)
{
  return self->calls;
}

IptListingModel *
ipt_view_trace_get_listing (IptViewTrace *self)
{
  return self->listing;
}

GListModel *
ipt_view_trace_get_errors (IptViewTrace *self)
{
  return self->errors != NULL ? ipt_view_error_sink_get_errors (self->errors) : NULL;
}

static void
set_progress (IptViewTrace *self, double progress)
{
  if (progress == self->progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

/* One load's results until it finishes: a failed or cancelled load
 * leaves the last one's in place. */
typedef struct {
  IptDecoder *decoder;
  IptCalls *calls;
  IptViewErrorSink *errors;
  IptTeeSink *tee;
  IptListingModel *listing;
  double decode_progress;
  guint pending;                    /* of the decode and the index */
  GError *error;                    /* the first that failed */
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->decoder);
  g_clear_object (&load->calls);
  g_clear_object (&load->errors);
  g_clear_object (&load->tee);
  g_clear_object (&load->listing);
  g_clear_error (&load->error);
  g_free (load);
}

static void
update_progress (IptViewTrace *self, Load *load)
{
  set_progress (self, (load->decode_progress + ipt_listing_model_get_progress (load->listing)) / 2);
}

static void
on_progress (IptDecoder *decoder, guint64 offset, guint64 size, gpointer user_data)
{
  GTask *task = user_data;
  Load *load = g_task_get_task_data (task);

  load->decode_progress = size > 0 ? MIN (1.0, (double) offset / (double) size) : 1.0;
  update_progress (g_task_get_source_object (task), load);
}

static void
on_index_progress (IptListingModel *listing, GParamSpec *pspec, gpointer user_data)
{
  GTask *task = user_data;

  update_progress (g_task_get_source_object (task), g_task_get_task_data (task));
}

/* One of the two is done: the task returns when both are. */
static void
part_done (GTask *task, GError *error)
{
  IptViewTrace *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);

  if (error != NULL && load->error == NULL)
    load->error = error;
  else if (error != NULL)
    g_error_free (error);
  if (--load->pending > 0)
    {
      g_object_unref (task);
      return;
    }
  if (load->error != NULL)
    g_task_return_error (task, g_steal_pointer (&load->error));
  else
    {
      g_set_object (&self->calls, load->calls);
      g_set_object (&self->errors, load->errors);
      set_progress (self, 1.0);
      g_task_return_boolean (task, TRUE);
    }
  g_object_unref (task);
}

static void
decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;

  g_signal_handlers_disconnect_by_func (load->decoder, on_progress, task);
  if (ipt_decoder_decode_file_finish (load->decoder, result, &error))
    load->decode_progress = 1.0;
  part_done (task, error);
}

static void
indexed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  IptViewTrace *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;

  g_signal_handlers_disconnect_by_func (load->listing, on_index_progress, task);
  if (ipt_listing_model_index_finish (load->listing, result, &error))
    {
      g_set_object (&self->listing, load->listing);
      g_signal_emit (self, signals[SIGNAL_LISTING_READY], 0, self->listing);
    }
  part_done (task, error);
}

/* The listing of the --pt file, or of its FROM-TO range. */
static IptListingModel *
new_listing (IptDecoder *decoder, const IptAnalyzeOptions *options, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) range = NULL;
  guint64 size, to;

  if (options->pt_from == 0 && options->pt_to == 0)
    return ipt_listing_model_new_for_file (decoder, options->pt_file, error);
  mapped = g_mapped_file_new (options->pt_file, FALSE, error);
  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  size = g_bytes_get_size (bytes);
  to = options->pt_to != 0 ? options->pt_to : size;
  if (options->pt_from >= to || to > size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "--pt %s: the range 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x is not "
                   "inside the file (0x%" G_GINT64_MODIFIER "x bytes)", options->pt_file,
                   options->pt_from, to, size);
      return NULL;
    }
  range = g_bytes_new_from_bytes (bytes, options->pt_from, to - options->pt_from);
  return ipt_listing_model_new (decoder, range, options->pt_file);
}

void
ipt_view_trace_load_async (IptViewTrace *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(IptSymbolResolver) symbols = NULL;
  g_autoptr(IptDecoder) listing_decoder = NULL;
  GError *error = NULL;
  Load *load;

  g_task_set_source_tag (task, ipt_view_trace_load_async);
  if (self->options->pt_file == NULL)
    {
      g_task_return_new_error (task, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                               "no trace to decode: give one with --pt FILE");
      return;
    }

  load = g_new0 (Load, 1);
  g_task_set_task_data (task, load, load_free);
  load->decoder = ipt_analyze_new_decoder (self->image, self->options, &error);
  listing_decoder = load->decoder != NULL
                    ? ipt_analyze_new_decoder (self->image, self->options, &error) : NULL;
  if (listing_decoder != NULL)
    load->listing = new_listing (listing_decoder, self->options, &error);
  if (load->listing == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  symbols = ipt_symbol_resolver_new_for_model (ipt_image_get_providers (self->image));
  ipt_listing_model_set_symbols (load->listing, symbols);
  load->calls = ipt_calls_new (symbols);
  load->errors = ipt_view_error_sink_new ();
  load->tee = ipt_tee_sink_new (IPT_SINK (load->calls), IPT_SINK (load->errors));

  set_progress (self, 0.0);
  load->pending = 2;
  g_signal_connect (load->decoder, "progress", G_CALLBACK (on_progress), task);
  g_signal_connect (load->listing, "notify::progress", G_CALLBACK (on_index_progress), task);
  ipt_listing_model_index_async (load->listing, cancellable, indexed, g_object_ref (task));
  ipt_decoder_decode_file_async (load->decoder, self->options->pt_file, self->options->pt_from,
                                 self->options->pt_to, IPT_SINK (load->tee), cancellable,
                                 decoded, g_steal_pointer (&task));
}

gboolean
ipt_view_trace_load_finish (IptViewTrace *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
