/* ipt-view-error-sink.c: the decode errors of a trace as a list, each
 * with the number of instructions before it. The decode runs in a worker
 * thread: the errors go to a plain array there and become list items only
 * when the decode ends, so the list model is touched from the main thread. */
#include "config.h"

#include "ipt-view-error-sink.h"

struct _IptViewError {
  GObject parent_instance;

  IptDecodeErrorKind kind;
  gint64 offset;
  guint64 ip;
  int code;
  guint64 insns_before;
};

G_DEFINE_FINAL_TYPE (IptViewError, ipt_view_error, G_TYPE_OBJECT)

static void
ipt_view_error_class_init (IptViewErrorClass *klass)
{
}

static void
ipt_view_error_init (IptViewError *self)
{
}

IptDecodeErrorKind
ipt_view_error_get_kind (IptViewError *self)
{
  return self->kind;
}

gint64
ipt_view_error_get_offset (IptViewError *self)
{
  return self->offset;
}

guint64
ipt_view_error_get_ip (IptViewError *self)
{
  return self->ip;
}

int
ipt_view_error_get_code (IptViewError *self)
{
  return self->code;
}

const char *
ipt_view_error_get_message (IptViewError *self)
{
  return pt_errstr (pt_errcode (self->code));
}

guint64
ipt_view_error_get_insns_before (IptViewError *self)
{
  return self->insns_before;
}

struct _IptViewErrorSink {
  GObject parent_instance;

  guint64 n_insns;
  GPtrArray *pending;           /* IptViewError, filled by the decode */
  GListStore *errors;
};

static void ipt_view_error_sink_sink_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptViewErrorSink, ipt_view_error_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK,
                                                      ipt_view_error_sink_sink_init))

static IptSinkNeeds
error_sink_get_needs (IptSink *sink)
{
  return IPT_SINK_NEEDS_INSNS;
}

static void
error_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IPT_VIEW_ERROR_SINK (sink)->n_insns++;
}

static void
error_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptViewErrorSink *self = IPT_VIEW_ERROR_SINK (sink);
  IptViewError *error = g_object_new (IPT_VIEW_TYPE_ERROR, NULL);

  error->kind = kind;
  error->offset = offset;
  error->ip = ip;
  error->code = code;
  error->insns_before = self->n_insns;
  g_ptr_array_add (self->pending, error);
}

static void
ipt_view_error_sink_sink_init (IptSinkInterface *iface)
{
  iface->get_needs = error_sink_get_needs;
  iface->insn = error_sink_insn;
  iface->error = error_sink_error;
}

static void
ipt_view_error_sink_finalize (GObject *object)
{
  IptViewErrorSink *self = IPT_VIEW_ERROR_SINK (object);

  g_ptr_array_unref (self->pending);
  g_object_unref (self->errors);
  G_OBJECT_CLASS (ipt_view_error_sink_parent_class)->finalize (object);
}

static void
ipt_view_error_sink_class_init (IptViewErrorSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ipt_view_error_sink_finalize;
}

static void
ipt_view_error_sink_init (IptViewErrorSink *self)
{
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->errors = g_list_store_new (IPT_VIEW_TYPE_ERROR);
}

IptViewErrorSink *
ipt_view_error_sink_new (void)
{
  return g_object_new (IPT_VIEW_TYPE_ERROR_SINK, NULL);
}

GListModel *
ipt_view_error_sink_get_errors (IptViewErrorSink *self)
{
  if (self->pending->len > 0)
    {
      g_list_store_splice (self->errors, g_list_model_get_n_items (G_LIST_MODEL (self->errors)),
                           0, self->pending->pdata, self->pending->len);
      g_ptr_array_set_size (self->pending, 0);
    }
  return G_LIST_MODEL (self->errors);
}
