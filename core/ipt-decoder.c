/* ipt-decoder.c: IptDecoder, which decodes Intel PT traces over an
 * IptImage into an IptSink: the object and its settings. The entry points
 * (bytes, a file or a part of one, sync and async) are in
 * ipt-decoder-decode.c; the decode itself, the loops over libipt's
 * decoders, is in ipt-decoder-run.c. Knows nothing of file formats or
 * plugins. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-cpu-private.h"
#include "ipt-decoder-private.h"

/**
 * IptDecoder:
 *
 * Decodes Intel PT traces over an #IptImage with libipt and hands
 * instructions, blocks, events and errors to an #IptSink. One decoder runs
 * one decode at a time; create several for parallel decodes.
 *
 * Since: 0.1
 */

enum {
  PROP_0,
  PROP_IMAGE,
  PROP_KIND,
  PROP_CPU,
  PROP_STALL_LIMIT,
  PROP_TSC_ZERO,
  PROP_TSC_MULT,
  PROP_TSC_SHIFT,
  PROP_JOBS,
  N_PROPS
};

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IptDecoder, ipt_decoder, G_TYPE_OBJECT)


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
    case PROP_STALL_LIMIT:
      g_value_set_uint64 (value, self->stall_limit);
      break;
    case PROP_TSC_ZERO:
      g_value_set_uint64 (value, self->tsc_zero);
      break;
    case PROP_TSC_MULT:
      g_value_set_uint (value, self->tsc_mult);
      break;
    case PROP_TSC_SHIFT:
      g_value_set_uint (value, self->tsc_shift);
      break;
    case PROP_JOBS:
      g_value_set_uint (value, self->jobs);
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
    case PROP_STALL_LIMIT:
      ipt_decoder_set_stall_limit (self, g_value_get_uint64 (value));
      break;
    case PROP_TSC_ZERO:
      ipt_decoder_set_tsc_conversion (self, g_value_get_uint64 (value), self->tsc_mult,
                                      self->tsc_shift);
      break;
    case PROP_TSC_MULT:
      ipt_decoder_set_tsc_conversion (self, self->tsc_zero, g_value_get_uint (value),
                                      self->tsc_shift);
      break;
    case PROP_TSC_SHIFT:
      ipt_decoder_set_tsc_conversion (self, self->tsc_zero, self->tsc_mult,
                                      (guint16) g_value_get_uint (value));
      break;
    case PROP_JOBS:
      ipt_decoder_set_jobs (self, g_value_get_uint (value));
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

  /**
   * IptDecoder:stall-limit:
   *
   * How many instructions a decode may walk without reading any trace
   * before it stops with %IPT_ERROR_DECODE: only direct branches need no
   * trace, so such a walk is a loop the trace never leaves — memory that
   * does not match the trace (code shifted, a wrong file), or a program
   * stopped inside `jmp .` — and would go on for ever. What was decoded
   * until then is delivered. 0 for no limit.
   *
   * Since: 0.1
   */
  properties[PROP_STALL_LIMIT] =
    g_param_spec_uint64 ("stall-limit", "Stall limit",
                         "Instructions decoded without reading trace before the decode stops (0: no limit)",
                         0, G_MAXUINT64, IPT_DECODER_DEFAULT_STALL_LIMIT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * IptDecoder:tsc-zero:
   *
   * `time_zero` of perf's TSC conversion (ipt_tsc_to_time()): the trace's
   * TSC packets are turned into the providers' clock (CLOCK_MONOTONIC
   * nanoseconds) to find the memory of the time. The default conversion is
   * the identity (ipt-record writes nanoseconds as TSC).
   *
   * Since: 0.1
   */
  properties[PROP_TSC_ZERO] =
    g_param_spec_uint64 ("tsc-zero", "TSC time_zero", "time_zero of perf's TSC conversion",
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * IptDecoder:tsc-mult:
   *
   * `time_mult` of perf's TSC conversion (1 with a shift of 0: identity).
   *
   * Since: 0.1
   */
  properties[PROP_TSC_MULT] =
    g_param_spec_uint ("tsc-mult", "TSC time_mult", "time_mult of perf's TSC conversion",
                       1, G_MAXUINT32, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * IptDecoder:tsc-shift:
   *
   * `time_shift` of perf's TSC conversion.
   *
   * Since: 0.1
   */
  properties[PROP_TSC_SHIFT] =
    g_param_spec_uint ("tsc-shift", "TSC time_shift", "time_shift of perf's TSC conversion",
                       0, 63, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * IptDecoder:jobs:
   *
   * How many threads a decode uses (ipt_decoder_set_jobs()): 1, the
   * default, decodes serially; 0 uses one per processor.
   *
   * Since: 0.1
   */
  properties[PROP_JOBS] =
    g_param_spec_uint ("jobs", "Jobs", "Threads a decode uses (1: serial, 0: one per processor)",
                       0, 1024, 1,
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
  self->stall_limit = IPT_DECODER_DEFAULT_STALL_LIMIT;
  self->tsc_mult = 1;
  self->jobs = 1;
  self->n_segments = 1;
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
 * ipt_decoder_set_stall_limit:
 * @self: an #IptDecoder
 * @limit: instructions without trace before a decode stops; 0 for no limit
 *
 * Sets #IptDecoder:stall-limit for the next decode.
 *
 * Since: 0.1
 */
void
ipt_decoder_set_stall_limit (IptDecoder *self, guint64 limit)
{
  g_return_if_fail (IPT_IS_DECODER (self));

  if (self->stall_limit == limit)
    return;
  self->stall_limit = limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALL_LIMIT]);
}

/**
 * ipt_tsc_to_time:
 * @tsc: a TSC value from the trace
 * @time_zero: perf's `time_zero`
 * @time_mult: perf's `time_mult`
 * @time_shift: perf's `time_shift` (0..63)
 *
 * Converts a TSC value to perf's clock (CLOCK_MONOTONIC nanoseconds) the
 * way perf does (`tsc_to_perf_time()`): `time_zero + (tsc >> shift) * mult
 * + (((tsc & (2^shift - 1)) * mult) >> shift)`, wrapping like perf's
 * 64-bit arithmetic. The values come from a perf.data's
 * `PERF_RECORD_TIME_CONV` or the perf_event mmap page.
 *
 * Returns: the time in nanoseconds
 *
 * Since: 0.1
 */
guint64
ipt_tsc_to_time (guint64 tsc, guint64 time_zero, guint32 time_mult, guint16 time_shift)
{
  guint64 quot, rem;

  g_return_val_if_fail (time_shift < 64, tsc);

  quot = tsc >> time_shift;
  rem = tsc & ((G_GUINT64_CONSTANT (1) << time_shift) - 1);
  return time_zero + quot * time_mult + ((rem * time_mult) >> time_shift);
}

/**
 * ipt_decoder_set_tsc_conversion:
 * @self: an #IptDecoder
 * @time_zero: perf's `time_zero`
 * @time_mult: perf's `time_mult`, at least 1
 * @time_shift: perf's `time_shift` (0..63)
 *
 * Sets how the trace's TSC is converted to the providers' clock
 * (ipt_tsc_to_time()): the decoder reads memory that changes over time as
 * it was at the converted time. (0, 1, 0), the default, is the identity.
 * Takes effect at the next decode.
 *
 * Since: 0.1
 */
void
ipt_decoder_set_tsc_conversion (IptDecoder *self, guint64 time_zero, guint32 time_mult,
                                guint16 time_shift)
{
  g_return_if_fail (IPT_IS_DECODER (self));
  g_return_if_fail (time_mult > 0);
  g_return_if_fail (time_shift < 64);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->tsc_zero != time_zero)
    {
      self->tsc_zero = time_zero;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TSC_ZERO]);
    }
  if (self->tsc_mult != time_mult)
    {
      self->tsc_mult = time_mult;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TSC_MULT]);
    }
  if (self->tsc_shift != time_shift)
    {
      self->tsc_shift = time_shift;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TSC_SHIFT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * ipt_decoder_get_tsc_conversion:
 * @self: an #IptDecoder
 * @time_zero: (out) (optional): perf's `time_zero`
 * @time_mult: (out) (optional): perf's `time_mult`
 * @time_shift: (out) (optional): perf's `time_shift`
 *
 * Gets the TSC conversion set with ipt_decoder_set_tsc_conversion().
 *
 * Since: 0.1
 */
void
ipt_decoder_get_tsc_conversion (IptDecoder *self, guint64 *time_zero, guint32 *time_mult,
                                guint16 *time_shift)
{
  g_return_if_fail (IPT_IS_DECODER (self));

  if (time_zero != NULL)
    *time_zero = self->tsc_zero;
  if (time_mult != NULL)
    *time_mult = self->tsc_mult;
  if (time_shift != NULL)
    *time_shift = self->tsc_shift;
}

/**
 * ipt_decoder_get_time:
 * @self: an #IptDecoder
 * @time: (out) (optional): the time of the decode, in nanoseconds of the
 *   providers' clock
 *
 * During a decode (from a sink's callbacks, in the decoding thread), the time the decode has
 * reached: the last timing packet's (libipt's time moves only at TSC, MTC
 * and CYC packets), converted with the TSC conversion. The decoder reads
 * memory that changes over time as it was at this time; give it to
 * ipt_symbol_resolver_lookup_at() to name the code of the time.
 *
 * Returns: %FALSE when no time is known (no decode running, or no timing
 *   packet decoded yet)
 *
 * Since: 0.1
 */
gboolean
ipt_decoder_get_time (IptDecoder *self, guint64 *time)
{
  uint64_t tsc;
  uint32_t lost_mtc, lost_cyc;
  int status;

  g_return_val_if_fail (IPT_IS_DECODER (self), FALSE);

  if (self->replay != NULL)
    {
      if (!self->replay->has_tsc)
        return FALSE;
      if (time != NULL)
        *time = ipt_tsc_to_time (self->replay->tsc, self->tsc_zero, self->tsc_mult,
                                 self->tsc_shift);
      return TRUE;
    }
  if (self->blk != NULL)
    status = pt_blk_time (self->blk, &tsc, &lost_mtc, &lost_cyc);
  else if (self->insn != NULL)
    status = pt_insn_time (self->insn, &tsc, &lost_mtc, &lost_cyc);
  else
    return FALSE;
  if (status < 0)
    return FALSE;
  if (time != NULL)
    *time = ipt_tsc_to_time (tsc, self->tsc_zero, self->tsc_mult, self->tsc_shift);
  return TRUE;
}

/**
 * ipt_decoder_get_stall_limit:
 * @self: an #IptDecoder
 *
 * Gets #IptDecoder:stall-limit.
 *
 * Returns: the most instructions a decode walks without reading trace; 0
 *   when there is no limit
 *
 * Since: 0.1
 */
guint64
ipt_decoder_get_stall_limit (IptDecoder *self)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), 0);
  return self->stall_limit;
}

/**
 * ipt_decoder_set_jobs:
 * @self: an #IptDecoder
 * @jobs: the number of threads; 1 decodes serially, 0 uses one per
 *   processor (g_get_num_processors())
 *
 * Sets #IptDecoder:jobs for the next decode. With more than one job,
 * ipt_decoder_decode_bytes() and ipt_decoder_decode_file() cut the trace
 * at PSBs into segments, decode them on that many threads, each over its
 * own libipt image of the same snapshot of the image, and merge the
 * segments' sinks into the given sink in trace order: the sink gets
 * exactly what a serial decode gives it (docs/parallel-decode.md). A sink
 * that cannot be split (ipt_sink_can_split()), and a trace with too few
 * PSBs, are decoded serially; ipt_decoder_get_n_segments() tells.
 *
 * Since: 0.1
 */
void
ipt_decoder_set_jobs (IptDecoder *self, guint jobs)
{
  g_return_if_fail (IPT_IS_DECODER (self));

  if (self->jobs == jobs)
    return;
  self->jobs = jobs;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOBS]);
}

/**
 * ipt_decoder_get_jobs:
 * @self: an #IptDecoder
 *
 * Gets #IptDecoder:jobs.
 *
 * Returns: the number of threads a decode uses; 0 for one per processor
 *
 * Since: 0.1
 */
guint
ipt_decoder_get_jobs (IptDecoder *self)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), 1);
  return self->jobs;
}

/**
 * ipt_decoder_get_n_segments:
 * @self: an #IptDecoder
 *
 * How many segments the last decode was decoded in, each on its own:
 * 1 for a serial decode — with one job, with a sink that cannot be split,
 * or with a trace too short to cut. A boundary between two segments that
 * had to be decoded again across (see docs/parallel-decode.md) joins them
 * into one.
 *
 * Returns: the number of segments of the last decode, or 1
 *
 * Since: 0.1
 */
guint
ipt_decoder_get_n_segments (IptDecoder *self)
{
  g_return_val_if_fail (IPT_IS_DECODER (self), 1);
  return self->n_segments;
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

  if (self->replay != NULL)
    {
      *offset = self->replay->offset;
      return self->replay->has_offset;
    }
  if (self->blk != NULL)
    status = pt_blk_get_offset (self->blk, &pos);
  else if (self->insn != NULL)
    status = pt_insn_get_offset (self->insn, &pos);
  if (status < 0)
    return FALSE;
  *offset = pos;
  return TRUE;
}

/* The progress signal, from the decode that runs (ipt-decoder-run.c). */
void
ipt_decoder_emit_progress (IptDecoder *self, guint64 offset, guint64 size)
{
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, offset, size);
}

gboolean
ipt_decoder_has_progress_handler (IptDecoder *self)
{
  return g_signal_has_handler_pending (self, signals[SIGNAL_PROGRESS], 0, TRUE);
}
