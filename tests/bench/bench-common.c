/* bench-common.c: the decode loops and helpers the benchmarks share
 * (factored out of bench-decode.c unchanged; see bench-common.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-common.h"

const char *const decoder_names[N_DECODERS] = { "insn", "block" };

/* Decode errors are counted and decoding resumes at the next PSB, as ptxed
 * does; the benchmarked traces have none, so any error shows up as a wrong count. */
/* Not inlined, so that callgrind reports each decoder's cost by name. */
G_GNUC_NO_INLINE Count
decode_insn (const guint8 *trace, gsize size, struct pt_image *image)
{
  struct pt_config config;
  struct pt_insn_decoder *decoder;
  Count count = { 0, 0 };
  uint64_t last_offset = UINT64_MAX;

  pt_config_init (&config);
  config.begin = (uint8_t *) trace;
  config.end = (uint8_t *) trace + size;
  decoder = pt_insn_alloc_decoder (&config);
  g_assert_nonnull (decoder);
  g_assert_cmpint (pt_insn_set_image (decoder, image), ==, 0);

  for (;;)
    {
      int status = pt_insn_sync_forward (decoder);

      if (status < 0)
        {
          uint64_t offset = 0;

          if (status == -pte_eos)
            break;
          count.errors++;
          pt_insn_get_offset (decoder, &offset);
          if (offset == last_offset)
            break;
          last_offset = offset;
          continue;
        }

      for (;;)
        {
          struct pt_insn insn;

          while (status & pts_event_pending)
            {
              struct pt_event event;

              status = pt_insn_event (decoder, &event, sizeof event);
              if (status < 0)
                break;
            }
          if (status < 0)
            break;
          if (status & pts_eos)
            {
              status = -pte_eos;
              break;
            }

          memset (&insn, 0, sizeof insn);
          insn.iclass = ptic_error;
          status = pt_insn_next (decoder, &insn, sizeof insn);
          if (insn.iclass != ptic_error)
            count.insns++;
          if (status < 0)
            break;
        }

      if (status == -pte_eos)
        break;
      count.errors++;
    }

  pt_insn_free_decoder (decoder);
  return count;
}

G_GNUC_NO_INLINE Count
decode_block (const guint8 *trace, gsize size, struct pt_image *image)
{
  struct pt_config config;
  struct pt_block_decoder *decoder;
  Count count = { 0, 0 };
  uint64_t last_offset = UINT64_MAX;

  pt_config_init (&config);
  config.begin = (uint8_t *) trace;
  config.end = (uint8_t *) trace + size;
  decoder = pt_blk_alloc_decoder (&config);
  g_assert_nonnull (decoder);
  g_assert_cmpint (pt_blk_set_image (decoder, image), ==, 0);

  for (;;)
    {
      int status = pt_blk_sync_forward (decoder);

      if (status < 0)
        {
          uint64_t offset = 0;

          if (status == -pte_eos)
            break;
          count.errors++;
          pt_blk_get_offset (decoder, &offset);
          if (offset == last_offset)
            break;
          last_offset = offset;
          continue;
        }

      for (;;)
        {
          struct pt_block block;

          while (status & pts_event_pending)
            {
              struct pt_event event;

              status = pt_blk_event (decoder, &event, sizeof event);
              if (status < 0)
                break;
            }
          if (status < 0)
            break;
          if (status & pts_eos)
            {
              status = -pte_eos;
              break;
            }

          memset (&block, 0, sizeof block);
          status = pt_blk_next (decoder, &block, sizeof block);
          count.insns += block.ninsn;
          if (status < 0)
            break;
        }

      if (status == -pte_eos)
        break;
      count.errors++;
    }

  pt_blk_free_decoder (decoder);
  return count;
}

Count
decode (Decoder which, const guint8 *trace, gsize size, struct pt_image *image)
{
  return which == DECODER_INSN ? decode_insn (trace, size, image)
                               : decode_block (trace, size, image);
}

static int
compare_doubles (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

gdouble
median (const gdouble *values, guint n)
{
  gdouble sorted[64];

  memcpy (sorted, values, n * sizeof *values);
  qsort (sorted, n, sizeof *sorted, compare_doubles);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

guint
env_uint (const char *name, guint fallback, guint max)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || *value == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (value, 10, 1, max, &n, NULL))
    g_error ("%s=%s: expected a number from 1 to %u", name, value, max);
  return n;
}

IptImage *
image_from_plugin (IptPluginRegistry *registry, const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IptMemoryProvider) provider = NULL;
  IptImage *image;

  provider = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  if (provider == NULL)
    g_error ("cannot open %s: %s (IPT_PLUGIN_PATH=%s)", spec, error->message,
             g_getenv ("IPT_PLUGIN_PATH"));
  image = ipt_image_new (spec);
  ipt_image_add_provider (image, provider);
  return image;
}

/* The trace in @path, @repeat times back to back (a trace is a sequence of
 * PSB-delimited segments, so copies of it make a valid, longer trace of the
 * same program); its size in *size. Fails the benchmark when unreadable. */
guint8 *
read_trace_repeated (const char *path, guint repeat, gsize *size)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *one = NULL;
  guint8 *trace;
  gsize one_size;

  if (!g_file_get_contents (path, (char **) &one, &one_size, &error))
    g_error ("%s", error->message);
  *size = one_size * repeat;
  trace = g_malloc (*size);
  for (guint i = 0; i < repeat; i++)
    memcpy (trace + i * one_size, one, one_size);
  return trace;
}

/* Decodes @trace with both decoders through each of @images, one warm-up
 * round and then @rounds (at most BENCH_MAX_ROUNDS) measured ones, the
 * images in another order each round (so that none is always first after
 * another's caches): seconds[image][decoder][round], insns[image][decoder].
 * FALSE when a decode had errors (printed with @labels) or a count differed
 * between rounds. */
gboolean
decode_rounds (struct pt_image *const *images, const char *const *labels, guint n_images,
               const guint8 *trace, gsize size, guint rounds,
               gdouble (*seconds)[N_DECODERS][BENCH_MAX_ROUNDS], guint64 (*insns)[N_DECODERS])
{
  gboolean ok = TRUE;

  g_assert (rounds <= BENCH_MAX_ROUNDS);
  for (guint v = 0; v < n_images; v++)
    for (guint d = 0; d < N_DECODERS; d++)
      insns[v][d] = 0;
  for (guint round = 0; round <= rounds; round++)
    for (guint d = 0; d < N_DECODERS; d++)
      for (guint k = 0; k < n_images; k++)
        {
          guint v = (k + round) % n_images;
          gint64 start = g_get_monotonic_time ();
          Count count = decode (d, trace, size, images[v]);

          if (round > 0)
            seconds[v][d][round - 1] = (g_get_monotonic_time () - start) / 1e6;
          if (insns[v][d] != 0 && insns[v][d] != count.insns)
            ok = FALSE;
          insns[v][d] = count.insns;
          if (count.errors != 0)
            {
              g_printerr ("%s, %s decoder: %" G_GUINT64_FORMAT " errors\n", labels[v],
                          decoder_names[d], count.errors);
              ok = FALSE;
            }
        }
  return ok;
}

/* The corpus's mruby trace (IPT_CORPUS_DIR) @repeat times in *@trace, and
 * an image of its memory: the raw plugin over image.bin at 0x400000, from
 * @registry's default path. Fails the benchmark when something is missing. */
IptImage *
mruby_repeated (IptPluginRegistry *registry, guint repeat, GBytes **trace)
{
  const char *dir = g_getenv ("IPT_CORPUS_DIR");
  g_autofree char *trace_path = NULL;
  g_autofree char *spec = NULL;
  guint8 *data;
  gsize size;

  if (dir == NULL)
    g_error ("IPT_CORPUS_DIR is not set");
  trace_path = g_build_filename (dir, "mruby", "trace.pt", NULL);
  spec = g_strdup_printf ("raw:file=%s/mruby/image.bin,base=0x400000", dir);
  data = read_trace_repeated (trace_path, repeat, &size);
  *trace = g_bytes_new_take (data, size);
  ipt_plugin_registry_scan_default_path (registry);
  return image_from_plugin (registry, spec);
}

/* The process's CPU time, all threads. */
gdouble
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
