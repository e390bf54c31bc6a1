/* ipt-afl-decoder.c: IptAflDecoder, the AFL bitmap of a fuzzing campaign's
 * traces without libipt on the hot path. It owns the bitmap and the code
 * caches (ipt-afl-cache.c) that outlive one trace, runs the packet walk
 * (ipt-afl-walk.c) and, when the walk gives up, decodes the trace with
 * libipt into an IptCoverage instead, so that the bitmap is always the
 * plain decode's. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-afl-private.h"

/**
 * IptAflDecoder:
 *
 * Computes the 64 KiB AFL edge bitmap of kAFL/Nyx (the one
 * ipt_coverage_get_afl_bitmap() gives, byte for byte libxdc's) from raw
 * Intel PT traces, faster than a decode into an #IptCoverage: it walks
 * the packets itself and keeps, across traces, a cache of the program's
 * blocks and of the paths that runs of TNT bits take through them (as
 * libxdc does), so that a path the campaign has seen costs a lookup and a
 * few counter increments.
 *
 * The bitmap always equals the one an #IptCoverage computes from libipt's
 * decode of the same trace (the block decoder): a trace the walk does not
 * handle exactly (an overflow, VMCS or PTWRITE packets, TSX, code the
 * image cannot serve, a state libipt reports as a decode error) is
 * decoded with libipt instead; #IptAflDecoder:n-fallbacks counts those
 * traces and ipt_afl_decoder_get_last_fallback() says why.
 *
 * Counts add up (wrapping at 256, as AFL's counters do) over the traces
 * decoded until ipt_afl_decoder_reset(). The caches hold code of the
 * image as it is: adding a provider to the image empties them. Not
 * thread-safe: use one decoder per thread.
 *
 * Since: 0.1
 */
struct _IptAflDecoder {
  GObject parent_instance;

  IptImage *image;
  AflCode code;
  guint8 *map;
  guint8 *saved;                /* the map before the trace, for a fall back */
  guint n_fallbacks;
  IptAflFallback last_fallback;
};

enum {
  PROP_0,
  PROP_IMAGE,
  PROP_N_FALLBACKS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (IptAflDecoder, ipt_afl_decoder, G_TYPE_OBJECT)

static void
ipt_afl_decoder_constructed (GObject *object)
{
  IptAflDecoder *self = IPT_AFL_DECODER (object);

  G_OBJECT_CLASS (ipt_afl_decoder_parent_class)->constructed (object);
  if (self->image == NULL)
    self->image = ipt_image_new (NULL);
  ipt_afl_code_init (&self->code, self->image);
}

static void
ipt_afl_decoder_finalize (GObject *object)
{
  IptAflDecoder *self = IPT_AFL_DECODER (object);

  ipt_afl_code_clear (&self->code);
  g_clear_object (&self->image);
  g_free (self->map);
  g_free (self->saved);
  G_OBJECT_CLASS (ipt_afl_decoder_parent_class)->finalize (object);
}

static void
ipt_afl_decoder_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptAflDecoder *self = IPT_AFL_DECODER (object);

  switch (prop_id)
    {
    case PROP_IMAGE:
      g_value_set_object (value, self->image);
      break;
    case PROP_N_FALLBACKS:
      g_value_set_uint (value, self->n_fallbacks);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_afl_decoder_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  IptAflDecoder *self = IPT_AFL_DECODER (object);

  switch (prop_id)
    {
    case PROP_IMAGE:
      self->image = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_afl_decoder_class_init (IptAflDecoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ipt_afl_decoder_constructed;
  object_class->finalize = ipt_afl_decoder_finalize;
  object_class->get_property = ipt_afl_decoder_get_property;
  object_class->set_property = ipt_afl_decoder_set_property;

  /**
   * IptAflDecoder:image:
   *
   * The memory the traces ran in.
   *
   * Since: 0.1
   */
  properties[PROP_IMAGE] =
    g_param_spec_object ("image", "Image", "The memory the traces ran in", IPT_TYPE_IMAGE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * IptAflDecoder:n-fallbacks:
   *
   * How many traces were decoded with libipt because the fast walk did not
   * handle them (see #IptAflFallback).
   *
   * Since: 0.1
   */
  properties[PROP_N_FALLBACKS] =
    g_param_spec_uint ("n-fallbacks", "Fallbacks", "Traces decoded with libipt instead", 0,
                       G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_afl_decoder_init (IptAflDecoder *self)
{
  self->map = g_malloc0 (IPT_AFL_MAP_SIZE + 1);   /* + AFL_NO_EDGE */
  self->saved = g_malloc (IPT_AFL_MAP_SIZE);
}

/**
 * ipt_afl_decoder_new:
 * @image: the memory the traces ran in
 *
 * Creates a decoder that computes the AFL bitmap of the traces it is given
 * (ipt_afl_decoder_decode_bytes()) over @image, with block and path caches
 * that it keeps from one trace to the next.
 *
 * Returns: (transfer full): a decoder with an empty bitmap
 *
 * Since: 0.1
 */
IptAflDecoder *
ipt_afl_decoder_new (IptImage *image)
{
  g_return_val_if_fail (IPT_IS_IMAGE (image), NULL);

  return g_object_new (IPT_TYPE_AFL_DECODER, "image", image, NULL);
}

/**
 * ipt_afl_decoder_get_image:
 * @self: an #IptAflDecoder
 *
 * Gets the image the decoder was made for.
 *
 * Returns: (transfer none): the image the decoder reads code from
 *
 * Since: 0.1
 */
IptImage *
ipt_afl_decoder_get_image (IptAflDecoder *self)
{
  g_return_val_if_fail (IPT_IS_AFL_DECODER (self), NULL);

  return self->image;
}

/* The trace with libipt: the bitmap of an IptCoverage fed by the block
 * decoder, added to the bitmap as it was before the trace. */
static gboolean
decode_with_libipt (IptAflDecoder *self, GBytes *trace, GCancellable *cancellable,
                    GError **error)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (self->image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(GBytes) bitmap = NULL;
  const guint8 *add;

  memcpy (self->map, self->saved, IPT_AFL_MAP_SIZE);
  if (!ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), cancellable, error))
    return FALSE;
  bitmap = ipt_coverage_get_afl_bitmap (coverage);
  add = g_bytes_get_data (bitmap, NULL);
  for (gsize i = 0; i < IPT_AFL_MAP_SIZE; i++)
    self->map[i] = (guint8) (self->map[i] + add[i]);
  return TRUE;
}

static gboolean
image_is_timed (IptImage *image)
{
  g_autoptr(GArray) boundaries = ipt_image_list_boundaries (image);

  return boundaries != NULL && boundaries->len > 0;
}

/**
 * ipt_afl_decoder_decode_bytes:
 * @self: an #IptAflDecoder
 * @trace: a raw Intel PT packet stream
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds the edges of @trace to the bitmap. The trace is decoded from its
 * first PSB, as libipt decodes it; what libipt reports as decode errors
 * are not failures (the bitmap holds what the decode delivered, as an
 * #IptCoverage's does).
 *
 * Returns: %TRUE, or %FALSE with @error set when @cancellable was
 *   cancelled (%G_IO_ERROR_CANCELLED; the bitmap is then as before the
 *   call) or the fall back decode failed
 *
 * Since: 0.1
 */
gboolean
ipt_afl_decoder_decode_bytes (IptAflDecoder *self, GBytes *trace, GCancellable *cancellable,
                              GError **error)
{
  AflWalkResult result;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (IPT_IS_AFL_DECODER (self), FALSE);
  g_return_val_if_fail (trace != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_bytes_get_data (trace, &size);
  memcpy (self->saved, self->map, IPT_AFL_MAP_SIZE);
  self->last_fallback = IPT_AFL_FALLBACK_NONE;
  if (image_is_timed (self->image))
    {
      /* memory that changes with the trace's time: libipt's decode
       * follows the timestamps, the walk does not */
      result.reason = IPT_AFL_FALLBACK_MEMORY;
      result.offset = 0;
      result.what = "the image's memory changes over time";
    }
  else if (ipt_afl_walk (&self->code, data, size, self->map, cancellable, &result))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          memcpy (self->map, self->saved, IPT_AFL_MAP_SIZE);
          return FALSE;
        }
      return TRUE;
    }

  g_debug ("AFL decoder: trace offset 0x%" G_GINT64_MODIFIER "x: %s; decoding with libipt",
           result.offset, result.what);
  self->last_fallback = result.reason;
  self->n_fallbacks++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FALLBACKS]);
  if (!decode_with_libipt (self, trace, cancellable, error))
    {
      memcpy (self->map, self->saved, IPT_AFL_MAP_SIZE);
      return FALSE;
    }
  return TRUE;
}

/**
 * ipt_afl_decoder_get_bitmap:
 * @self: an #IptAflDecoder
 *
 * Gets the AFL bitmap: for each conditional edge, an 8-bit wrapping
 * counter at libxdc's index (docs/coverage.md), byte for byte what
 * ipt_coverage_get_afl_bitmap() gives for the same traces.
 *
 * Returns: (transfer full): a copy of the %IPT_COVERAGE_AFL_MAP_SIZE byte
 *   bitmap of the traces decoded since the last reset
 *
 * Since: 0.1
 */
GBytes *
ipt_afl_decoder_get_bitmap (IptAflDecoder *self)
{
  g_return_val_if_fail (IPT_IS_AFL_DECODER (self), NULL);

  return g_bytes_new (self->map, IPT_AFL_MAP_SIZE);
}

/**
 * ipt_afl_decoder_reset:
 * @self: an #IptAflDecoder
 *
 * Clears the bitmap (for the next fuzzing input). The code caches stay:
 * they are what makes the next trace of the same program cheap.
 *
 * Since: 0.1
 */
void
ipt_afl_decoder_reset (IptAflDecoder *self)
{
  g_return_if_fail (IPT_IS_AFL_DECODER (self));

  memset (self->map, 0, IPT_AFL_MAP_SIZE);
}

/**
 * ipt_afl_decoder_get_n_fallbacks:
 * @self: an #IptAflDecoder
 *
 * Gets how many traces the fast walk handed to libipt's decoder.
 *
 * Returns: the number of traces decoded with libipt instead of the fast
 *   walk (#IptAflDecoder:n-fallbacks)
 *
 * Since: 0.1
 */
guint
ipt_afl_decoder_get_n_fallbacks (IptAflDecoder *self)
{
  g_return_val_if_fail (IPT_IS_AFL_DECODER (self), 0);

  return self->n_fallbacks;
}

/**
 * ipt_afl_decoder_get_last_fallback:
 * @self: an #IptAflDecoder
 *
 * Gets why the last trace that fell back did.
 *
 * Returns: why the last trace was decoded with libipt, or
 *   %IPT_AFL_FALLBACK_NONE when the fast walk decoded it
 *
 * Since: 0.1
 */
IptAflFallback
ipt_afl_decoder_get_last_fallback (IptAflDecoder *self)
{
  g_return_val_if_fail (IPT_IS_AFL_DECODER (self), IPT_AFL_FALLBACK_NONE);

  return self->last_fallback;
}
