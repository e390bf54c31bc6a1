/* ipt-statistics.c: the statistics analysis. A sink that counts what a
 * decode produces: instructions, blocks, errors (by kind and libipt code)
 * and events (by kind). With the block decoder it asks for blocks only and
 * counts instructions from them, so it never makes the decoder walk a block;
 * it must never cost more per block or instruction than an increment. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

/* libipt's error codes are small positive enum values (pte_bad_cpu is the
 * last in 2.0); anything past this is counted in the totals only. */
#define N_ERROR_CODES IPT_STATISTICS_N_ERROR_CODES
#define N_ERROR_KINDS (IPT_DECODE_ERROR_RECONSTRUCT + 1)
#define N_EVENT_KINDS (IPT_EVENT_KIND_OTHER + 1)

/* IptEventKind mirrors enum pt_event_type value for value. */
G_STATIC_ASSERT ((int) IPT_EVENT_KIND_ENABLED == (int) ptev_enabled);
G_STATIC_ASSERT ((int) IPT_EVENT_KIND_ASYNC_BRANCH == (int) ptev_async_branch);
G_STATIC_ASSERT ((int) IPT_EVENT_KIND_EXEC_MODE == (int) ptev_exec_mode);
G_STATIC_ASSERT ((int) IPT_EVENT_KIND_ASYNC_VMCS == (int) ptev_async_vmcs);
G_STATIC_ASSERT ((int) IPT_EVENT_KIND_PTWRITE == (int) ptev_ptwrite);
G_STATIC_ASSERT ((int) IPT_EVENT_KIND_MNT == (int) ptev_mnt);
G_STATIC_ASSERT (pte_bad_cpu < N_ERROR_CODES);

/**
 * IptStatistics:
 *
 * The statistics analysis: an #IptSink that counts the instructions,
 * blocks, decode errors and events of the decodes it is given to. It is
 * what `ipt-analyze --stat` prints, and the way to get results out of an
 * #IptDecoder from a binding:
 *
 * ```python
 * stats = Ipt.Statistics.new()
 * Ipt.Decoder.new(image, Ipt.DecoderKind.BLOCK).decode_file("trace.pt", 0, 0, stats, None)
 * print(stats.props.n_insns, stats.get_n_errors())
 * ```
 *
 * Counts add up over decodes until ipt_statistics_reset(). They change
 * during a decode without property notifications, in the decoding thread
 * (a worker thread for ipt_decoder_decode_file_async()): read them once the
 * decode is over.
 *
 * With the block decoder it asks only for blocks (%IPT_SINK_NEEDS_BLOCKS)
 * and takes the instruction count from each block, so counting costs
 * nothing per instruction; with the instruction decoder it counts
 * instructions and #IptStatistics:n-blocks stays 0.
 *
 * Since: 0.1
 */
struct _IptStatistics {
  GObject parent_instance;

  gboolean count_blocks;                /* this decode uses the block decoder */

  guint64 n_insns;
  guint64 n_blocks;
  guint64 n_errors;
  guint64 n_errors_of_kind[N_ERROR_KINDS];
  guint64 n_errors_with_code[N_ERROR_KINDS][N_ERROR_CODES];     /* [kind][-code] */
  guint64 n_events;
  guint64 n_events_of_kind[N_EVENT_KINDS];
};

enum {
  PROP_0,
  PROP_N_INSNS,
  PROP_N_BLOCKS,
  PROP_N_ERRORS,
  PROP_N_EVENTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ipt_statistics_sink_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptStatistics, ipt_statistics, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_statistics_sink_init))

/* ---- the sink ---- */

static gboolean
ipt_statistics_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptStatistics *self = (IptStatistics *) sink;

  self->count_blocks = decoder != NULL &&
                       ipt_decoder_get_kind (decoder) == IPT_DECODER_KIND_BLOCK;
  return TRUE;
}

static IptSinkNeeds
ipt_statistics_get_needs (IptSink *sink)
{
  IptStatistics *self = (IptStatistics *) sink;

  return self->count_blocks ? IPT_SINK_NEEDS_BLOCKS : IPT_SINK_NEEDS_INSNS;
}

static void
ipt_statistics_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptStatistics *self = (IptStatistics *) sink;

  /* Counted from the blocks when there are blocks (a sink in front of
   * another one may hand over both). */
  if (!self->count_blocks)
    self->n_insns++;
}

static void
ipt_statistics_block (IptSink *sink, const struct pt_block *block)
{
  IptStatistics *self = (IptStatistics *) sink;

  self->n_insns += block->ninsn;
  self->n_blocks++;
}

static IptEventKind
event_kind_from_pt (enum pt_event_type type)
{
  return (guint) type < IPT_EVENT_KIND_OTHER ? (IptEventKind) type : IPT_EVENT_KIND_OTHER;
}

static void
ipt_statistics_event (IptSink *sink, const struct pt_event *event)
{
  IptStatistics *self = (IptStatistics *) sink;

  /* Status updates restate the state after a PSB; ptxed does not print them. */
  if (event->status_update)
    return;
  self->n_events++;
  self->n_events_of_kind[event_kind_from_pt (event->type)]++;
}

static void
ipt_statistics_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip,
                      int code)
{
  IptStatistics *self = (IptStatistics *) sink;

  self->n_errors++;
  if ((guint) kind >= N_ERROR_KINDS)
    return;
  self->n_errors_of_kind[kind]++;
  if (code < 0 && -code < N_ERROR_CODES)
    self->n_errors_with_code[kind][-code]++;
}

static IptSink *
ipt_statistics_split (IptSink *sink)
{
  return IPT_SINK (ipt_statistics_new ());
}

/* Counts add up, so any order would do; trace order is what is given. */
static gboolean
ipt_statistics_merge (IptSink *sink, IptSink *part_sink, GError **error)
{
  IptStatistics *self = (IptStatistics *) sink;
  IptStatistics *part;

  if (!IPT_IS_STATISTICS (part_sink))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "IptStatistics cannot merge a %s", G_OBJECT_TYPE_NAME (part_sink));
      return FALSE;
    }
  part = (IptStatistics *) part_sink;

  self->n_insns += part->n_insns;
  self->n_blocks += part->n_blocks;
  self->n_errors += part->n_errors;
  self->n_events += part->n_events;
  for (guint k = 0; k < N_ERROR_KINDS; k++)
    {
      self->n_errors_of_kind[k] += part->n_errors_of_kind[k];
      for (guint c = 0; c < N_ERROR_CODES; c++)
        self->n_errors_with_code[k][c] += part->n_errors_with_code[k][c];
    }
  for (guint k = 0; k < N_EVENT_KINDS; k++)
    self->n_events_of_kind[k] += part->n_events_of_kind[k];
  return TRUE;
}

static void
ipt_statistics_sink_init (IptSinkInterface *iface)
{
  iface->get_needs = ipt_statistics_get_needs;
  iface->begin = ipt_statistics_begin;
  iface->insn = ipt_statistics_insn;
  iface->block = ipt_statistics_block;
  iface->event = ipt_statistics_event;
  iface->error = ipt_statistics_error;
  iface->split = ipt_statistics_split;
  iface->merge = ipt_statistics_merge;
}

/* ---- the object ---- */

static void
ipt_statistics_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptStatistics *self = IPT_STATISTICS (object);

  switch (prop_id)
    {
    case PROP_N_INSNS:
      g_value_set_uint64 (value, self->n_insns);
      break;
    case PROP_N_BLOCKS:
      g_value_set_uint64 (value, self->n_blocks);
      break;
    case PROP_N_ERRORS:
      g_value_set_uint64 (value, self->n_errors);
      break;
    case PROP_N_EVENTS:
      g_value_set_uint64 (value, self->n_events);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_statistics_class_init (IptStatisticsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ipt_statistics_get_property;

  /**
   * IptStatistics:n-insns:
   *
   * The number of instructions decoded (ptxed's `--stat` "insn").
   *
   * Since: 0.1
   */
  properties[PROP_N_INSNS] =
    g_param_spec_uint64 ("n-insns", "Instructions", "The number of instructions decoded",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * IptStatistics:n-blocks:
   *
   * The number of blocks of the block decoder; 0 with the instruction
   * decoder.
   *
   * Since: 0.1
   */
  properties[PROP_N_BLOCKS] =
    g_param_spec_uint64 ("n-blocks", "Blocks", "The number of blocks of the block decoder",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * IptStatistics:n-errors:
   *
   * The number of decode errors of all kinds.
   *
   * Since: 0.1
   */
  properties[PROP_N_ERRORS] =
    g_param_spec_uint64 ("n-errors", "Errors", "The number of decode errors",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * IptStatistics:n-events:
   *
   * The number of events of all kinds, status updates not included.
   *
   * Since: 0.1
   */
  properties[PROP_N_EVENTS] =
    g_param_spec_uint64 ("n-events", "Events", "The number of events, status updates not included",
                         0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_statistics_init (IptStatistics *self)
{
}

/**
 * ipt_statistics_new:
 *
 * Creates statistics with every count at 0. Give them to
 * ipt_decoder_decode_file() or another decode as the sink.
 *
 * Returns: (transfer full): a new #IptStatistics
 *
 * Since: 0.1
 */
IptStatistics *
ipt_statistics_new (void)
{
  return g_object_new (IPT_TYPE_STATISTICS, NULL);
}

/**
 * ipt_statistics_get_n_insns:
 * @self: an #IptStatistics
 *
 * Gets #IptStatistics:n-insns.
 *
 * Returns: the number of instructions decoded
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_insns (IptStatistics *self)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  return self->n_insns;
}

/**
 * ipt_statistics_get_n_blocks:
 * @self: an #IptStatistics
 *
 * Gets #IptStatistics:n-blocks.
 *
 * Returns: the number of blocks decoded by the block decoder
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_blocks (IptStatistics *self)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  return self->n_blocks;
}

/**
 * ipt_statistics_get_n_errors:
 * @self: an #IptStatistics
 *
 * Gets #IptStatistics:n-errors.
 *
 * Returns: the number of decode errors of all kinds
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_errors (IptStatistics *self)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  return self->n_errors;
}

/**
 * ipt_statistics_get_n_errors_of_kind:
 * @self: an #IptStatistics
 * @kind: a kind of decode error
 *
 * Counts the decode errors of one kind.
 *
 * Returns: the number of errors of @kind; 0 for a @kind this library does
 *   not define
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_errors_of_kind (IptStatistics *self, IptDecodeErrorKind kind)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  if ((guint) kind >= N_ERROR_KINDS)
    return 0;
  return self->n_errors_of_kind[kind];
}

/**
 * ipt_statistics_get_n_errors_with_code:
 * @self: an #IptStatistics
 * @kind: a kind of decode error
 * @code: libipt's negative error code, as the sink is given it (e.g.
 *   `-pte_nomap`)
 *
 * Counts the decode errors of one kind with one libipt error code, the
 * breakdown `ipt-analyze --stat` prints with pt_errstr()'s message.
 *
 * Returns: the number of errors of @kind with @code; 0 for a @code that is
 *   not a negative libipt error code
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_errors_with_code (IptStatistics *self, IptDecodeErrorKind kind, int code)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  if ((guint) kind >= N_ERROR_KINDS || code >= 0 || -code >= N_ERROR_CODES)
    return 0;
  return self->n_errors_with_code[kind][-code];
}

/**
 * ipt_statistics_get_n_events:
 * @self: an #IptStatistics
 *
 * Gets #IptStatistics:n-events.
 *
 * Returns: the number of events of all kinds, status updates not included
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_events (IptStatistics *self)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  return self->n_events;
}

/**
 * ipt_statistics_get_n_events_of_kind:
 * @self: an #IptStatistics
 * @kind: a kind of event
 *
 * Counts the events of one kind. The counts of all kinds, including
 * %IPT_EVENT_KIND_OTHER, add up to #IptStatistics:n-events.
 *
 * Returns: the number of events of @kind, status updates not included; 0
 *   for a @kind this library does not define
 *
 * Since: 0.1
 */
guint64
ipt_statistics_get_n_events_of_kind (IptStatistics *self, IptEventKind kind)
{
  g_return_val_if_fail (IPT_IS_STATISTICS (self), 0);

  if ((guint) kind >= N_EVENT_KINDS)
    return 0;
  return self->n_events_of_kind[kind];
}

/**
 * ipt_statistics_reset:
 * @self: an #IptStatistics
 *
 * Sets every count back to 0, e.g. before reusing @self for another
 * trace. Must not be called during a decode that feeds @self.
 *
 * Since: 0.1
 */
void
ipt_statistics_reset (IptStatistics *self)
{
  g_return_if_fail (IPT_IS_STATISTICS (self));

  self->n_insns = 0;
  self->n_blocks = 0;
  self->n_errors = 0;
  self->n_events = 0;
  memset (self->n_errors_of_kind, 0, sizeof (self->n_errors_of_kind));
  memset (self->n_errors_with_code, 0, sizeof (self->n_errors_with_code));
  memset (self->n_events_of_kind, 0, sizeof (self->n_events_of_kind));
}

/**
 * ipt_event_kind_get_label:
 * @kind: an #IptEventKind
 *
 * Returns the words ptxed uses for @kind in its `[event]` lines
 * ("enabled", "async disabled", "interrupt", "exec mode", ...), as
 * `ipt-analyze --stat` prints them.
 *
 * Returns: (transfer none): a static string; "other" for
 *   %IPT_EVENT_KIND_OTHER and unknown values
 *
 * Since: 0.1
 */
const char *
ipt_event_kind_get_label (IptEventKind kind)
{
  switch (kind)
    {
    case IPT_EVENT_KIND_ENABLED: return "enabled";
    case IPT_EVENT_KIND_DISABLED: return "disabled";
    case IPT_EVENT_KIND_ASYNC_DISABLED: return "async disabled";
    case IPT_EVENT_KIND_ASYNC_BRANCH: return "interrupt";
    case IPT_EVENT_KIND_PAGING: return "paging";
    case IPT_EVENT_KIND_ASYNC_PAGING: return "async paging";
    case IPT_EVENT_KIND_OVERFLOW: return "overflow";
    case IPT_EVENT_KIND_EXEC_MODE: return "exec mode";
    case IPT_EVENT_KIND_TSX: return "tsx";
    case IPT_EVENT_KIND_STOP: return "stopped";
    case IPT_EVENT_KIND_VMCS: return "vmcs";
    case IPT_EVENT_KIND_ASYNC_VMCS: return "async vmcs";
    case IPT_EVENT_KIND_EXSTOP: return "exstop";
    case IPT_EVENT_KIND_MWAIT: return "mwait";
    case IPT_EVENT_KIND_PWRE: return "pwre";
    case IPT_EVENT_KIND_PWRX: return "pwrx";
    case IPT_EVENT_KIND_PTWRITE: return "ptwrite";
    case IPT_EVENT_KIND_TICK: return "tick";
    case IPT_EVENT_KIND_CBR: return "cbr";
    case IPT_EVENT_KIND_MNT: return "mnt";
    case IPT_EVENT_KIND_OTHER:
    default:
      return "other";
    }
}
