/* ipt-listing-collector.c: one decode of a trace's listing, row by row: a
 * sink that turns the decoder's calls into the rows ipt-analyze's listing
 * prints (instructions, events, errors, "[end of trace]"), each handed to
 * a function as a compact record, and the decode itself, from the trace's
 * start or synced at a PSB, on a decoder of its own with the model's
 * settings (so that several run at once). Allocates nothing per row. */
#include "config.h"

#include <string.h>

#include "ipt-listing-private.h"

/* How often (in instruction rows) the decode's offset is reported. */
#define OFFSET_INTERVAL 16

#define IPT_TYPE_LISTING_COLLECTOR (ipt_listing_collector_get_type ())
G_DECLARE_FINAL_TYPE (IptListingCollector, ipt_listing_collector, IPT, LISTING_COLLECTOR,
                      GObject)

struct _IptListingCollector {
  GObject parent_instance;

  IptDecoder *decoder;                  /* during the decode */
  IptListingRowFunc func;
  gpointer user_data;
  void (*offset_func) (gpointer user_data, guint64 offset);
  guint ticks;
  gboolean want_time;
  gboolean stopped;
  GCancellable *stop;                   /* cancelled to end the decode early */
  IptAsid asid;
};

static void ipt_listing_collector_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptListingCollector, ipt_listing_collector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK,
                                                      ipt_listing_collector_iface_init))

static inline void
report_offset (IptListingCollector *self)
{
  guint64 offset;

  if (self->offset_func != NULL && ipt_decoder_get_offset (self->decoder, &offset))
    self->offset_func (self->user_data, offset);
}

static inline void
put (IptListingCollector *self, const IptListingRecord *record, const char *text, gsize len)
{
  if (G_UNLIKELY (self->stopped))
    return;
  if (!self->func (self->user_data, record, text, len))
    {
      /* the decoder looks at its cancellable every few thousand instructions */
      self->stopped = TRUE;
      g_cancellable_cancel (self->stop);
    }
}

static void
collector_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptListingCollector *self = (IptListingCollector *) sink;
  IptListingRecord record;

  if (G_UNLIKELY (self->offset_func != NULL) && ++self->ticks >= OFFSET_INTERVAL)
    {
      self->ticks = 0;
      report_offset (self);
    }
  record.kind = IPT_LISTING_RECORD_INSN;
  record.ip = insn->ip;
  record.size = insn->size;
  record.mode = insn->mode;
  record.speculative = insn->speculative;
  memcpy (record.raw, insn->raw, sizeof insn->raw);
  record.raw[15] = 0;
  record.time = IPT_TIME_END;
  if (self->want_time)
    (void) ipt_decoder_get_time (self->decoder, &record.time);
  record.asid = self->asid;
  record.offset = 0;
  record.code = 0;
  record.text = 0;
  put (self, &record, NULL, 0);
}

static void
put_other (IptListingCollector *self, IptListingRecordKind kind, const char *text, gsize len,
           gint64 offset, guint64 ip, int code, IptDecodeErrorKind error_kind)
{
  IptListingRecord record = { 0, };

  report_offset (self);
  record.kind = kind;
  record.ip = ip;
  record.offset = offset;
  record.code = code;
  record.mode = error_kind;
  record.time = IPT_TIME_END;
  put (self, &record, text, len);
}

static void
collector_event (IptSink *sink, const struct pt_event *event)
{
  IptListingCollector *self = (IptListingCollector *) sink;
  char line[IPT_LISTING_LINE_MAX];
  gsize n;

  ipt_listing_format_track_asid (&self->asid, event);
  n = ipt_listing_format_event (line, event);
  if (n > 0)
    put_other (self, IPT_LISTING_RECORD_EVENT, line, n, 0, 0, 0, 0);
}

static void
collector_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptListingCollector *self = (IptListingCollector *) sink;

  if (offset < 0)
    put_other (self, IPT_LISTING_RECORD_NO_OFFSET, NULL, 0, -1, ip, code, kind);
  put_other (self, IPT_LISTING_RECORD_ERROR, NULL, 0, offset, ip, code, kind);
}

static void
collector_end_of_trace (IptSink *sink, gint64 offset)
{
  put_other ((IptListingCollector *) sink, IPT_LISTING_RECORD_END_OF_TRACE, NULL, 0, offset, 0,
             0, 0);
}

static gboolean
collector_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  ((IptListingCollector *) sink)->decoder = decoder;
  return TRUE;
}

static IptSinkNeeds
collector_get_needs (IptSink *sink)
{
  return IPT_SINK_NEEDS_INSNS;
}

static void
ipt_listing_collector_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = collector_get_needs;
  iface->begin = collector_begin;
  iface->insn = collector_insn;
  iface->event = collector_event;
  iface->error = collector_error;
  iface->end_of_trace = collector_end_of_trace;
}

static void
ipt_listing_collector_finalize (GObject *object)
{
  IptListingCollector *self = (IptListingCollector *) object;

  g_clear_object (&self->stop);
  G_OBJECT_CLASS (ipt_listing_collector_parent_class)->finalize (object);
}

static void
ipt_listing_collector_class_init (IptListingCollectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ipt_listing_collector_finalize;
}

static void
ipt_listing_collector_init (IptListingCollector *self)
{
  self->asid = (IptAsid) IPT_ASID_INIT_ANY;
  self->stop = g_cancellable_new ();
}

static void
forward_cancel (GCancellable *cancellable, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

IptListingDecodeStatus
ipt_listing_decode (const IptListingSource *source, guint64 psb, gboolean stall,
                    IptListingRowFunc func, gpointer user_data,
                    void (*offset_func) (gpointer user_data, guint64 offset),
                    GCancellable *cancellable, GError **error)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_dup_settings (source->settings);
  g_autoptr(IptListingCollector) self = g_object_new (IPT_TYPE_LISTING_COLLECTOR, NULL);
  IptDecodeSegment segment = { .start = psb, .cut = G_MAXUINT64, .tail_end = G_MAXUINT64 };
  IptDecodeOutcome outcome = { 0, };
  IptListingDecodeStatus status = IPT_LISTING_DECODE_DONE;
  gulong handler = 0;

  self->func = func;
  self->user_data = user_data;
  self->offset_func = offset_func;
  self->want_time = source->want_time;
  if (!stall)
    ipt_decoder_set_stall_limit (decoder, 0);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel),
                                     g_object_ref (self->stop), g_object_unref);

  if (!ipt_decoder_run_segment (decoder, source->snapshot, source->data, source->size,
                                source->name, IPT_SINK (self),
                                psb == G_MAXUINT64 ? NULL : &segment, self->stop, NULL,
                                &outcome, error))
    status = IPT_LISTING_DECODE_FAILED;
  else if (g_cancellable_set_error_if_cancelled (cancellable, error))
    status = IPT_LISTING_DECODE_FAILED;
  else if (self->stopped)
    status = IPT_LISTING_DECODE_STOPPED;
  else if (outcome.fault != NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: the decode stopped at offset 0x%"
                   G_GINT64_MODIFIER "x: %s", source->name, outcome.fault_offset,
                   outcome.fault->message);
      status = IPT_LISTING_DECODE_FAILED;
    }
  /* a stall ends the listing where the CLI's ends: not an error here */

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  ipt_decode_outcome_clear (&outcome);
  return status;
}

/* A 64-bit mix (the finalizer of MurmurHash3), for combining fields. */
static inline guint64
mix (guint64 h, guint64 value)
{
  h ^= value;
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

guint64
ipt_listing_record_hash (const IptListingRecord *record, const char *text, gsize len,
                         gboolean with_time)
{
  guint64 h = mix (G_GUINT64_CONSTANT (0x9e3779b97f4a7c15), record->kind);
  guint64 raw[2];

  switch (record->kind)
    {
    case IPT_LISTING_RECORD_INSN:
      memcpy (raw, record->raw, sizeof raw);
      h = mix (h, record->ip);
      h = mix (h, record->size | (guint64) record->mode << 8 |
                  (guint64) record->speculative << 16);
      h = mix (h, raw[0]);
      h = mix (h, raw[1]);
      if (with_time)
        {
          h = mix (h, record->time);
          h = mix (h, record->asid.cr3);
          h = mix (h, record->asid.vmcs);
        }
      break;
    case IPT_LISTING_RECORD_EVENT:
      for (gsize i = 0; i < len; i += 8)
        {
          guint64 chunk = 0;

          memcpy (&chunk, text + i, MIN (8, len - i));
          h = mix (h, chunk);
        }
      break;
    case IPT_LISTING_RECORD_ERROR:
    case IPT_LISTING_RECORD_NO_OFFSET:
      h = mix (h, record->ip);
      h = mix (h, (guint64) record->offset);
      h = mix (h, (guint64) (guint32) record->code | (guint64) record->mode << 32);
      break;
    default:
      break;
    }
  return h;
}
