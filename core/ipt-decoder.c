/* ipt-decoder.c: runs libipt's block or instruction-flow decoder over an
 * IptImage and feeds an IptSink, with the loop, event flow and error
 * diagnosis of libipt's own ptxed (so that a listing sink can reproduce
 * ptxed's output byte for byte). Knows nothing of file formats or plugins;
 * the per-instruction path makes no allocation and no vfunc lookup. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-asid-private.h"
#include "ipt-cpu-private.h"
#include "ipt-insn-walker-private.h"

/* How often (in loop iterations) the decoder looks at the clock and the
 * cancellable, and the least time between two progress signals. */
#define CHECK_INTERVAL 4096
#define PROGRESS_INTERVAL_US (100 * 1000)

/**
 * IptDecoder:
 *
 * Decodes Intel PT traces over an #IptImage with libipt and hands
 * instructions, blocks, events and errors to an #IptSink. One decoder runs
 * one decode at a time; create several for parallel decodes.
 *
 * Since: 0.1
 */
struct _IptDecoder {
  GObject parent_instance;

  IptImage *image;
  IptDecoderKind kind;
  struct pt_cpu cpu;
  struct pt_errata errata;
  char *cpu_spec;

  gint busy;                            /* atomic: a decode is running */
  struct pt_block_decoder *blk;         /* during a decode only */
  struct pt_insn_decoder *insn;
};

enum {
  PROP_0,
  PROP_IMAGE,
  PROP_KIND,
  PROP_CPU,
  N_PROPS
};

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IptDecoder, ipt_decoder, G_TYPE_OBJECT)

/* The state of one decode; the sink's vfuncs are resolved here once. */
typedef struct {
  IptDecoder *self;
  IptSink *sink;
  IptSinkNeeds needs;
  void (*insn_fn) (IptSink *, const struct pt_insn *);
  void (*block_fn) (IptSink *, const struct pt_block *);
  void (*event_fn) (IptSink *, const struct pt_event *);
  void (*error_fn) (IptSink *, IptDecodeErrorKind, gint64, guint64, int);
  void (*eos_fn) (IptSink *, gint64);

  IptInsnWalker walker;
  guint64 size;
  guint ticks;
  gint64 last_progress;
  gboolean want_progress;
  GMainContext *progress_context;       /* async: emit there; NULL: emit here */
  GCancellable *cancellable;
  gboolean cancelled;
} Run;

static void
ipt_decoder_finalize (GObject *object)
{
  IptDecoder *self = IPT_DECODER (object);

  g_clear_object (&self->image);
  g_free (self->cpu_spec);

  G_OBJECT_CLASS (ipt_decoder_parent_class)->finalize (object);
}

static void
ipt_decoder_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptDecoder *self = IPT_DECODER (object);

  switch (prop_id)
    {
    case PROP_IMAGE:
      g_value_set_object (value, self->image);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_CPU:
      g_value_set_string (value, self->cpu_spec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_decoder_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IptDecoder *self = IPT_DECODER (object);

  switch (prop_id)
    {
    case PROP_IMAGE:
      self->image = g_value_dup_object (value);
      break;
    case PROP_KIND:
      ipt_decoder_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_CPU:
      {
        g_autoptr(GError) error = NULL;
        const char *spec = g_value_get_string (value);

        if (!ipt_decoder_set_cpu (self, spec != NULL ? spec : "none", &error))
          g_warning ("IptDecoder:cpu: %s", error->message);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_decoder_constructed (GObject *object)
{
  IptDecoder *self = IPT_DECODER (object);

  G_OBJECT_CLASS (ipt_decoder_parent_class)->constructed (object);

  if (self->image == NULL)
    g_critical ("IptDecoder needs an image (construct property \"image\")");
}

static void
ipt_decoder_class_init (IptDecoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_decoder_finalize;
  object_class->get_property = ipt_decoder_get_property;
  object_class->set_property = ipt_decoder_set_property;
  object_class->constructed = ipt_decoder_constructed;

  /**
   * IptDecoder:image:
   *
   * The memory image the trace is decoded over.
   *
   * Since: 0.1
   */
  properties[PROP_IMAGE] =
    g_param_spec_object ("image", "Image", "The memory image the trace is decoded over",
                         IPT_TYPE_IMAGE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * IptDecoder:kind:
   *
   * Which libipt decoder to use.
   *
   * Since: 0.1
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", "Kind", "Which libipt decoder to use",
                       IPT_TYPE_DECODER_KIND, IPT_DECODER_KIND_BLOCK,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * IptDecoder:cpu:
   *
   * The cpu whose errata libipt works around: "none", "auto" (the host) or
   * "FAMILY/MODEL[/STEPPING]"; reads back normalized ("none" or "F/M/S").
   *
   * Since: 0.1
   */
  properties[PROP_CPU] =
    g_param_spec_string ("cpu", "CPU", "The cpu whose errata libipt works around",
                         "none",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * IptDecoder::progress:
   * @self: the decoder
   * @offset: the current offset in the trace
   * @size: the size of the trace
   *
   * Emitted during a decode, at most about ten times a second. In a
   * synchronous decode it is emitted in the decoding thread; in
   * ipt_decoder_decode_file_async() in the caller's thread-default main
   * context.
   *
   * Since: 0.1
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void
ipt_decoder_init (IptDecoder *self)
{
  self->kind = IPT_DECODER_KIND_BLOCK;
  self->cpu_spec = g_strdup ("none");
}

/**
 * ipt_decoder_new:
 * @image: the memory image to decode over
 * @kind: the libipt decoder to use
 *
 * Creates a decoder for traces of the program whose memory @image holds.
 *
 * Returns: (transfer full): a new #IptDecoder
 *
 * Since: 0.1
 */
IptDecoder *
ipt_decoder_new (IptImage *image, IptDecoderKind kind)
{
  g_return_val_if_fail (IPT_IS_IMAGE (image), NULL);

  return g_object_new (IPT_TYPE_DECODER, "image", image, "kind", kind, NULL);
}

/**
 * ipt_decoder_get_image:
 * @self: an #IptDecoder
 *
 * Gets the memory image @self decodes over (#IptDecoder:image).
 *
 * Returns: (transfer none): the decoder's image
 *
 * Since: 0.1
 */
IptImage *
ipt_decoder_get_image (IptDecoder *self)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), NULL);
  return self->image;
}

/**
 * ipt_decoder_get_kind:
 * @self: an #IptDecoder
 *
 * Gets the libipt decoder that the next decode uses (#IptDecoder:kind).
 *
 * Returns: the libipt decoder @self uses
 *
 * Since: 0.1
 */
IptDecoderKind
ipt_decoder_get_kind (IptDecoder *self)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), IPT_DECODER_KIND_BLOCK);
  return self->kind;
}

/**
 * ipt_decoder_set_kind:
 * @self: an #IptDecoder
 * @kind: the libipt decoder to use
 *
 * Chooses the libipt decoder for the next decode.
 *
 * Since: 0.1
 */
void
ipt_decoder_set_kind (IptDecoder *self, IptDecoderKind kind)
{
  g_return_if_fail (IPT_IS_DECODER (self));
  g_return_if_fail (kind == IPT_DECODER_KIND_BLOCK || kind == IPT_DECODER_KIND_INSN);

  if (self->kind == kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

/**
 * ipt_decoder_set_cpu:
 * @self: an #IptDecoder
 * @spec: "none" (no errata, the default), "auto" (the cpu this runs on,
 *   read with cpuid) or "FAMILY/MODEL[/STEPPING]", each part decimal or 0x-hex
 * @error: return location for a #GError
 *
 * Sets the cpu the trace was recorded on, so that libipt works around that
 * cpu's errata (pt_cpu_errata()), as ptxed's `--cpu` does. A cpu that
 * libipt has no errata table for is accepted, with no errata.
 *
 * Returns: %TRUE on success; %FALSE with %IPT_ERROR_INVALID_ARGUMENT when
 *   @spec is malformed or out of range, or when libipt rejects the cpu
 *
 * Since: 0.1
 */
gboolean
ipt_decoder_set_cpu (IptDecoder *self, const char *spec, GError **error)
{
  struct pt_errata errata;
  struct pt_cpu cpu;

  g_return_val_if_fail (IPT_IS_DECODER (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ipt_cpu_parse (spec, &cpu, error))
    return FALSE;

  memset (&errata, 0, sizeof (errata));
  if (cpu.vendor != pcv_unknown)
    {
      int status = pt_cpu_errata (&errata, &cpu);

      /* A cpu libipt has no table for (e.g. one without PT) has no known
       * errata; ptxed goes on too. */
      if (status == -pte_bad_cpu)
        {
          memset (&errata, 0, sizeof (errata));
          status = 0;
        }
      if (status < 0)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                       "cpu '%s': libipt cannot determine its errata: %s",
                       spec, pt_errstr (pt_errcode (status)));
          return FALSE;
        }
    }

  self->cpu = cpu;
  self->errata = errata;
  g_free (self->cpu_spec);
  self->cpu_spec = ipt_cpu_to_string (&cpu);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU]);
  return TRUE;
}

/**
 * ipt_decoder_get_cpu:
 * @self: an #IptDecoder
 *
 * Gets the cpu whose errata libipt works around (#IptDecoder:cpu), as set
 * with ipt_decoder_set_cpu().
 *
 * Returns: (transfer none): the cpu, normalized: "none" or "F/M/S" in decimal
 *
 * Since: 0.1
 */
const char *
ipt_decoder_get_cpu (IptDecoder *self)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), NULL);
  return self->cpu_spec;
}

/**
 * ipt_decoder_get_offset:
 * @self: an #IptDecoder
 * @offset: (out): the current offset in the trace
 *
 * Gets libipt's current trace offset. Only meaningful from the sink's
 * callbacks during a decode (same thread).
 *
 * Returns: %TRUE when @offset was set, %FALSE when no decode is running or
 *   libipt is not synchronized
 *
 * Since: 0.1
 */
gboolean
ipt_decoder_get_offset (IptDecoder *self, guint64 *offset)
{
  uint64_t pos = 0;
  int status = -pte_nosync;

  g_return_val_if_fail (IPT_IS_DECODER (self), FALSE);
  g_return_val_if_fail (offset != NULL, FALSE);

  if (self->blk != NULL)
    status = pt_blk_get_offset (self->blk, &pos);
  else if (self->insn != NULL)
    status = pt_insn_get_offset (self->insn, &pos);
  if (status < 0)
    return FALSE;
  *offset = pos;
  return TRUE;
}

/* ---- progress and cancellation ---- */

typedef struct {
  IptDecoder *self;
  guint64 offset;
  guint64 size;
} ProgressData;

static gboolean
emit_progress_idle (gpointer user_data)
{
  ProgressData *data = user_data;

  g_signal_emit (data->self, signals[SIGNAL_PROGRESS], 0, data->offset, data->size);
  return G_SOURCE_REMOVE;
}

static void
progress_data_free (gpointer user_data)
{
  ProgressData *data = user_data;

  g_object_unref (data->self);
  g_free (data);
}

static void
emit_progress (Run *run, guint64 offset)
{
  if (run->progress_context == NULL)
    {
      g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, offset, run->size);
      return;
    }

  ProgressData *data = g_new (ProgressData, 1);
  data->self = g_object_ref (run->self);
  data->offset = offset;
  data->size = run->size;
  g_main_context_invoke_full (run->progress_context, G_PRIORITY_DEFAULT,
                              emit_progress_idle, data, progress_data_free);
}

/* Called every CHECK_INTERVAL iterations; returns TRUE to stop (cancelled). */
static gboolean
run_check (Run *run)
{
  if (run->cancellable != NULL && g_cancellable_is_cancelled (run->cancellable))
    {
      run->cancelled = TRUE;
      return TRUE;
    }

  if (run->want_progress)
    {
      gint64 now = g_get_monotonic_time ();
      guint64 offset;

      if (now - run->last_progress >= PROGRESS_INTERVAL_US &&
          ipt_decoder_get_offset (run->self, &offset))
        {
          run->last_progress = now;
          emit_progress (run, offset);
        }
    }
  return FALSE;
}

#define RUN_TICK(run) \
  (G_UNLIKELY (++(run)->ticks >= CHECK_INTERVAL) && ((run)->ticks = 0, run_check (run)))

/* ---- errors ---- */

static void
report_error (Run *run, IptDecodeErrorKind kind, guint64 ip, int code)
{
  guint64 offset;
  gint64 pos = -1;

  if (run->error_fn == NULL)
    return;
  if (ipt_decoder_get_offset (run->self, &offset))
    pos = (gint64) offset;
  run->error_fn (run->sink, kind, pos, ip, code);
}

static void
current_asid (Run *run, IptAsid *asid)
{
  struct pt_asid pt;

  pt_asid_init (&pt);
  if (run->self->blk != NULL)
    (void) pt_blk_asid (run->self->blk, &pt, sizeof (pt));
  else if (run->self->insn != NULL)
    (void) pt_insn_asid (run->self->insn, &pt, sizeof (pt));
  ipt_asid_from_pt (asid, &pt);
}

/* The ip ptxed reports a block decoder error at: after the block's last
 * instruction when fetching the next one failed, else that instruction. */
static void
report_block_error (Run *run, IptDecodeErrorKind kind, int code, const struct pt_block *block)
{
  guint64 ip;

  if (block->ninsn == 0)
    ip = block->ip;
  else
    {
      ip = block->end_ip;
      if (code == -pte_nomap || code == -pte_bad_insn)
        {
          struct pt_insn insn;
          IptAsid asid;
          guint64 next_ip;

          current_asid (run, &asid);
          if (ipt_insn_walker_fetch (&run->walker, block, &asid, block->end_ip,
                                     &insn, &next_ip) == 0)
            ip = next_ip;
        }
    }
  report_error (run, kind, ip, code);
}

/* ---- block decoder ---- */

static void
walk_insn (const struct pt_insn *insn, gpointer user_data)
{
  Run *run = user_data;

  run->insn_fn (run->sink, insn);
}

static void
deliver_block (Run *run, const struct pt_block *block)
{
  if (run->block_fn != NULL)
    run->block_fn (run->sink, block);

  if (run->insn_fn != NULL)
    {
      IptAsid asid;
      guint64 error_ip = 0;
      int status;

      current_asid (run, &asid);
      status = ipt_insn_walker_walk (&run->walker, block, &asid, walk_insn, run, &error_ip);
      if (status < 0)
        report_error (run, IPT_DECODE_ERROR_RECONSTRUCT, error_ip, status);
    }
}

static int
drain_events_block (Run *run, int status)
{
  while (status & pts_event_pending)
    {
      struct pt_event event;

      status = pt_blk_event (run->self->blk, &event, sizeof (event));
      if (status < 0)
        return status;
      if (run->event_fn != NULL)
        run->event_fn (run->sink, &event);
    }
  return status;
}

static void
end_of_trace (Run *run)
{
  guint64 offset;

  if (run->eos_fn == NULL)
    return;
  run->eos_fn (run->sink, ipt_decoder_get_offset (run->self, &offset) ? (gint64) offset : -1);
}

static void
decode_block (Run *run)
{
  struct pt_block_decoder *dec = run->self->blk;
  uint64_t sync = 0;

  for (;;)
    {
      struct pt_block block;
      int status;

      /* Reported on sync errors (ip 0), as ptxed does. */
      memset (&block, 0, sizeof (block));

      status = pt_blk_sync_forward (dec);
      if (status < 0)
        {
          uint64_t new_sync;

          if (status == -pte_eos)
            break;
          report_block_error (run, IPT_DECODE_ERROR_SYNC, status, &block);
          /* No progress means we never will: stop. */
          if (pt_blk_get_offset (dec, &new_sync) < 0 || new_sync <= sync)
            break;
          sync = new_sync;
          continue;
        }

      for (;;)
        {
          status = drain_events_block (run, status);
          if (status < 0)
            break;
          if (status & pts_eos)
            {
              if (!(status & pts_ip_suppressed))
                end_of_trace (run);
              status = -pte_eos;
              break;
            }
          if (RUN_TICK (run))
            return;

          status = pt_blk_next (dec, &block, sizeof (block));
          if (status < 0)
            {
              /* Some instructions may have been decoded before the error. */
              if (block.ninsn > 0)
                deliver_block (run, &block);
              break;
            }
          deliver_block (run, &block);
        }

      if (status == -pte_eos)
        break;
      report_block_error (run, IPT_DECODE_ERROR_DECODE, status, &block);
      ipt_insn_walker_invalidate (&run->walker);
    }
}

/* ---- instruction flow decoder ---- */

static int
drain_events_insn (Run *run, int status)
{
  while (status & pts_event_pending)
    {
      struct pt_event event;

      status = pt_insn_event (run->self->insn, &event, sizeof (event));
      if (status < 0)
        return status;
      if (run->event_fn != NULL)
        run->event_fn (run->sink, &event);
    }
  return status;
}

static void
decode_insn (Run *run)
{
  struct pt_insn_decoder *dec = run->self->insn;
  void (*insn_fn) (IptSink *, const struct pt_insn *) = run->insn_fn;
  IptSink *sink = run->sink;
  uint64_t sync = 0;

  for (;;)
    {
      struct pt_insn insn;
      int status;

      memset (&insn, 0, sizeof (insn));

      status = pt_insn_sync_forward (dec);
      if (status < 0)
        {
          uint64_t new_sync;

          if (status == -pte_eos)
            break;
          report_error (run, IPT_DECODE_ERROR_SYNC, insn.ip, status);
          if (pt_insn_get_offset (dec, &new_sync) < 0 || new_sync <= sync)
            break;
          sync = new_sync;
          continue;
        }

      for (;;)
        {
          status = drain_events_insn (run, status);
          if (status < 0)
            break;
          if (status & pts_eos)
            {
              if (!(status & pts_ip_suppressed))
                end_of_trace (run);
              status = -pte_eos;
              break;
            }
          if (RUN_TICK (run))
            return;

          status = pt_insn_next (dec, &insn, sizeof (insn));
          if (status < 0)
            {
              /* libipt may return an instruction together with an error. */
              if (insn.iclass != ptic_error && insn_fn != NULL)
                insn_fn (sink, &insn);
              break;
            }
          if (insn_fn != NULL)
            insn_fn (sink, &insn);
        }

      if (status == -pte_eos)
        break;
      report_error (run, IPT_DECODE_ERROR_DECODE, insn.ip, status);
    }
}

/* ---- entry points ---- */

static gboolean
decode_data (IptDecoder *self, const guint8 *data, gsize size, const char *name,
             IptSink *sink, GCancellable *cancellable, GMainContext *progress_context,
             GError **error)
{
  g_autoptr(GError) sink_error = NULL;
  IptSinkInterface *iface;
  struct pt_config config;
  struct pt_image *image;
  IptImageSnapshot *snapshot;
  gboolean ok = TRUE;
  Run run;
  int status;

  if (size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "%s: the trace is empty", name);
      return FALSE;
    }
  if (!g_atomic_int_compare_and_exchange (&self->busy, 0, 1))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                   "%s: this decoder is already decoding another trace", name);
      return FALSE;
    }

  /* The chain as it is now, for the whole decode (libipt and the walker
   * read the same memory, whatever changes meanwhile), and a pt_image of
   * its own: libipt reorders sections as it reads, so one must not serve
   * decoders in several threads. */
  snapshot = ipt_image_acquire_snapshot (self->image);
  image = ipt_image_snapshot_dup_pt_image (self->image, snapshot);
  if (image == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                   "%s: the image '%s' has no libipt image", name,
                   ipt_image_get_name (self->image));
      ipt_image_release_snapshot (self->image, snapshot);
      g_atomic_int_set (&self->busy, 0);
      return FALSE;
    }

  memset (&run, 0, sizeof (run));
  run.self = self;
  run.sink = sink;
  run.size = size;
  run.cancellable = cancellable;
  run.progress_context = progress_context;
  run.want_progress = g_signal_has_handler_pending (self, signals[SIGNAL_PROGRESS], 0, TRUE);
  run.last_progress = g_get_monotonic_time ();
  ipt_insn_walker_init (&run.walker, snapshot);

  pt_config_init (&config);
  config.begin = (uint8_t *) data;
  config.end = (uint8_t *) data + size;
  config.cpu = self->cpu;
  config.errata = self->errata;

  if (self->kind == IPT_DECODER_KIND_INSN)
    {
      self->insn = pt_insn_alloc_decoder (&config);
      status = self->insn != NULL ? pt_insn_set_image (self->insn, image) : -pte_nomem;
    }
  else
    {
      self->blk = pt_blk_alloc_decoder (&config);
      status = self->blk != NULL ? pt_blk_set_image (self->blk, image) : -pte_nomem;
    }
  if (status < 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_DECODE,
                   "%s: cannot create the libipt decoder: %s", name,
                   pt_errstr (pt_errcode (status)));
      ok = FALSE;
      goto out;
    }

  /* Ask the sink once what it wants; no lookups on the hot path. */
  if (!ipt_sink_begin (sink, self, error))
    {
      ok = FALSE;
      goto out;
    }
  iface = IPT_SINK_GET_IFACE (sink);
  run.needs = ipt_sink_get_needs (sink);
  run.insn_fn = (run.needs & IPT_SINK_NEEDS_INSNS) ? iface->insn : NULL;
  run.block_fn = (run.needs & IPT_SINK_NEEDS_BLOCKS) ? iface->block : NULL;
  if (self->kind == IPT_DECODER_KIND_INSN)
    run.block_fn = NULL;
  run.event_fn = iface->event;
  run.error_fn = iface->error;
  run.eos_fn = iface->end_of_trace;

  if (self->kind == IPT_DECODER_KIND_INSN)
    decode_insn (&run);
  else
    decode_block (&run);

  if (run.want_progress && !run.cancelled)
    emit_progress (&run, size);

  if (!ipt_sink_end (sink, &sink_error) && !run.cancelled)
    {
      g_propagate_error (error, g_steal_pointer (&sink_error));
      ok = FALSE;
    }
  if (run.cancelled)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: decoding was cancelled", name);
      ok = FALSE;
    }

out:
  g_clear_pointer (&self->insn, pt_insn_free_decoder);
  g_clear_pointer (&self->blk, pt_blk_free_decoder);
  ipt_insn_walker_clear (&run.walker);
  pt_image_free (image);
  ipt_image_release_snapshot (self->image, snapshot);
  g_atomic_int_set (&self->busy, 0);
  return ok;
}

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
  return decode_data (self, data, size, "trace", sink, cancellable, NULL, error);
}

static gboolean
decode_file (IptDecoder *self, const char *path, guint64 from, guint64 to, IptSink *sink,
             GCancellable *cancellable, GMainContext *progress_context, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autofree char *display = g_filename_display_name (path);
  guint64 size;

  mapped = g_mapped_file_new (path, FALSE, error);
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

  return decode_data (self, (const guint8 *) g_mapped_file_get_contents (mapped) + from,
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
