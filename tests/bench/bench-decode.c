/* bench-decode.c: how fast libipt decodes through an IptImage, measured
 * against libipt's own file sections in the same run.
 *
 *   bench-decode decode     the corpus's mruby trace repeated 8x, decoded with
 *                           the insn and the block decoder from four images:
 *     (a) libipt alone: pt_iscache_add_file + pt_image_add_cached of image.bin
 *     (b) IptImage with the raw plugin      -> ipt_image_get_pt_image
 *     (c) IptImage with the pagedump plugin -> ipt_image_get_pt_image
 *     (d) a bare pt_image whose only memory is the callback
 *         pt_image_set_callback (img, ipt_image_read_memory, ipt_image)
 *   bench-decode callback   calls per second of ipt_image_read_memory for
 *                           15-byte sequential reads, as the insn decoder does
 *
 * Variants alternate inside every round (rotating which goes first); the
 * first round warms caches and is not counted; medians are reported.
 * Environment: IPT_CORPUS_DIR (the corpus), IPT_PLUGIN_PATH (built plugins),
 * IPT_BENCH_ROUNDS (measured rounds, default 5), IPT_BENCH_REPEAT (copies of
 * the trace, default 8), IPT_BENCH_VARIANTS (letters of the variants to run,
 * default abcd). Not a test: speed is reported, only wrong
 * instruction counts fail. */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

#define MRUBY_BASE 0x400000

typedef struct {
  const char *label;
  struct pt_image *image;
  gdouble seconds[N_DECODERS][64];
  guint64 insns[N_DECODERS];
} Variant;

/* Manifest figure for mruby, read from the same table the corpus suite reads. */
static guint64
manifest_insns (const char *corpus_dir, const char *trace)
{
  g_autofree char *path = g_build_filename (corpus_dir, "MANIFEST.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("| %s |", trace);

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = NULL;
      g_autoptr(GString) digits = g_string_new (NULL);
      guint64 n;

      if (!g_str_has_prefix (lines[i], prefix))
        continue;
      /* | trace | base | instructions | ... */
      cells = g_strsplit (lines[i], "|", -1);
      if (g_strv_length (cells) < 4)
        break;
      for (const char *p = cells[3]; *p != '\0'; p++)
        if (g_ascii_isdigit (*p))
          g_string_append_c (digits, *p);
      if (g_ascii_string_to_unsigned (digits->str, 10, 1, G_MAXUINT64, &n, NULL))
        return n;
      break;
    }
  g_error ("%s: no instruction count for %s", path, trace);
  return 0;
}

static int
bench_decode (const char *corpus_dir)
{
  g_autofree char *dir = g_build_filename (corpus_dir, "mruby", NULL);
  g_autofree char *trace_path = g_build_filename (dir, "trace.pt", NULL);
  g_autofree char *image_path = g_build_filename (dir, "image.bin", NULL);
  g_autofree char *raw_spec = g_strdup_printf ("raw:file=%s,base=0x%x", image_path, MRUBY_BASE);
  g_autofree char *pagedump_spec = g_strdup_printf ("pagedump:addr=%s/pages.addr,dump=%s/pages.dump", dir, dir);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(IptPluginRegistry) registry = NULL;
  g_autoptr(IptImage) raw_image = NULL;
  g_autoptr(IptImage) pagedump_image = NULL;
  struct pt_image_section_cache *iscache;
  struct pt_image *libipt_image, *callback_image;
  guint repeat = env_uint ("IPT_BENCH_REPEAT", 8, 64);
  guint rounds = env_uint ("IPT_BENCH_ROUNDS", 5, 63);
  gsize size;
  guint64 expected;
  goffset image_size;
  int isid;
  Variant variants[4];
  guint n_variants = G_N_ELEMENTS (variants);
  gboolean ok = TRUE;
  gboolean have_reference;

  trace = read_trace_repeated (trace_path, repeat, &size);
  expected = manifest_insns (corpus_dir, "mruby") * repeat;

  {
    g_autoptr(GFile) file = g_file_new_for_path (image_path);
    g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                   G_FILE_QUERY_INFO_NONE, NULL, &error);

    if (info == NULL)
      g_error ("%s", error->message);
    image_size = g_file_info_get_size (info);
  }

  /* (a) libipt's own way. */
  iscache = pt_iscache_alloc ("bench");
  libipt_image = pt_image_alloc ("libipt");
  isid = pt_iscache_add_file (iscache, image_path, 0, image_size, MRUBY_BASE);
  g_assert_cmpint (isid, >, 0);
  g_assert_cmpint (pt_image_add_cached (libipt_image, iscache, isid, NULL), ==, 0);

  /* (b), (c) through plugins, found like the CLI finds them. */
  registry = ipt_plugin_registry_new ();
  ipt_plugin_registry_scan_default_path (registry);
  raw_image = image_from_plugin (registry, raw_spec);
  pagedump_image = image_from_plugin (registry, pagedump_spec);

  /* (d) what a libipt user gets with only the callback. */
  callback_image = pt_image_alloc ("callback");
  g_assert_cmpint (pt_image_set_callback (callback_image, ipt_image_read_memory, raw_image), ==, 0);

  memset (variants, 0, sizeof variants);
  variants[0] = (Variant) { "(a) libipt iscache file section", libipt_image };
  variants[1] = (Variant) { "(b) IptImage, raw plugin", ipt_image_get_pt_image (raw_image) };
  variants[2] = (Variant) { "(c) IptImage, pagedump plugin", ipt_image_get_pt_image (pagedump_image) };
  variants[3] = (Variant) { "(d) callback only", callback_image };
  g_assert_nonnull (variants[1].image);
  g_assert_nonnull (variants[2].image);

  /* IPT_BENCH_VARIANTS=bd runs only (b) and (d): for one-variant runs
   * under callgrind. (a) stays first when selected: it is the reference. */
  if (g_getenv ("IPT_BENCH_VARIANTS") != NULL)
    {
      const char *only = g_getenv ("IPT_BENCH_VARIANTS");
      guint kept = 0;

      for (guint k = 0; k < n_variants; k++)
        if (strchr (only, 'a' + k) != NULL)
          variants[kept++] = variants[k];
      if (kept == 0)
        g_error ("IPT_BENCH_VARIANTS=%s: choose from the letters abcd", only);
      n_variants = kept;
    }
  have_reference = variants[0].image == libipt_image;

  g_print ("mruby trace x%u: %" G_GSIZE_FORMAT " bytes, %" G_GUINT64_FORMAT
           " instructions expected; %u rounds after 1 warm-up round\n",
           repeat, size, expected, rounds);

  for (guint round = 0; round <= rounds; round++)
    for (guint d = 0; d < N_DECODERS; d++)
      for (guint k = 0; k < n_variants; k++)
        {
          Variant *v = &variants[(k + round) % n_variants];
          gint64 start = g_get_monotonic_time ();
          Count count = decode (d, trace, size, v->image);
          gdouble seconds = (g_get_monotonic_time () - start) / 1e6;

          if (count.insns != expected || count.errors != 0)
            {
              g_printerr ("%s, %s decoder: %" G_GUINT64_FORMAT " instructions and %"
                          G_GUINT64_FORMAT " errors, expected %" G_GUINT64_FORMAT " and 0\n",
                          v->label, decoder_names[d], count.insns, count.errors, expected);
              ok = FALSE;
            }
          v->insns[d] = count.insns;
          if (round > 0)
            v->seconds[d][round - 1] = seconds;
        }

  g_print ("\n%-34s %8s %12s %8s %12s %8s\n", "image", "insn s", "insn ratio",
           "block s", "block ratio", "goal");
  for (guint k = 0; k < n_variants; k++)
    {
      gdouble insn = median (variants[k].seconds[DECODER_INSN], rounds);
      gdouble block = median (variants[k].seconds[DECODER_BLOCK], rounds);
      gdouble insn_ratio = insn / median (variants[0].seconds[DECODER_INSN], rounds);
      gdouble block_ratio = block / median (variants[0].seconds[DECODER_BLOCK], rounds);
      const char *goal = "";

      if (!have_reference)
        insn_ratio = block_ratio = NAN;
      else if (variants[k].label[1] == 'b' || variants[k].label[1] == 'c')
        goal = insn_ratio <= 1.10 && block_ratio <= 1.10 ? "<=1.10 met" : "<=1.10 MISSED";
      g_print ("%-34s %8.3f %12.2f %8.3f %12.2f %8s\n", variants[k].label,
               insn, insn_ratio, block, block_ratio, goal);
    }
  g_print ("\nall variants decoded %" G_GUINT64_FORMAT " instructions per run: %s\n",
           expected, ok ? "yes" : "NO");

  pt_image_free (callback_image);
  pt_image_free (libipt_image);
  pt_iscache_free (iscache);
  return ok ? 0 : 1;
}

/* 15-byte reads walking forward by an average instruction's length, like
 * the insn decoder's calls; compared with a bare memcpy from the same file. */
static int
bench_callback (const char *corpus_dir)
{
  g_autofree char *dir = g_build_filename (corpus_dir, "mruby", NULL);
  g_autofree char *image_path = g_build_filename (dir, "image.bin", NULL);
  g_autofree char *raw_spec = g_strdup_printf ("raw:file=%s,base=0x%x", image_path, MRUBY_BASE);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptImage) image = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 calls = 20 * 1000 * 1000;
  const guint step = 4;
  struct pt_asid asid;
  guint8 buffer[15];
  gsize span;
  const guint8 *bytes;
  guint64 sum = 0;
  gint64 start;
  gdouble callback_s, memcpy_s;

  ipt_plugin_registry_scan_default_path (registry);
  image = image_from_plugin (registry, raw_spec);
  mapped = g_mapped_file_new (image_path, FALSE, &error);
  if (mapped == NULL)
    g_error ("%s", error->message);
  bytes = (const guint8 *) g_mapped_file_get_contents (mapped);
  span = g_mapped_file_get_length (mapped) - sizeof buffer;
  pt_asid_init (&asid);

  start = g_get_monotonic_time ();
  for (guint64 i = 0, offset = 0; i < calls; i++, offset = (offset + step) % span)
    {
      int n = ipt_image_read_memory (buffer, sizeof buffer, &asid, MRUBY_BASE + offset, image);

      if (n != (int) sizeof buffer)
        g_error ("ipt_image_read_memory at 0x%" G_GINT64_MODIFIER "x returned %d",
                 (guint64) MRUBY_BASE + offset, n);
      sum += buffer[0];
    }
  callback_s = (g_get_monotonic_time () - start) / 1e6;

  start = g_get_monotonic_time ();
  for (guint64 i = 0, offset = 0; i < calls; i++, offset = (offset + step) % span)
    {
      memcpy (buffer, bytes + offset, sizeof buffer);
      /* keep the copy from being optimised away */
      __asm__ volatile ("" : : "r" (buffer) : "memory");
      sum -= buffer[0];
    }
  memcpy_s = (g_get_monotonic_time () - start) / 1e6;

  g_print ("ipt_image_read_memory, 15-byte reads every %u bytes over %s:\n"
           "  %.1f M calls/s (%.1f ns per call); a bare memcpy: %.1f ns; checksum %s\n",
           step, image_path, calls / callback_s / 1e6, callback_s * 1e9 / calls,
           memcpy_s * 1e9 / calls, sum == 0 ? "ok" : "WRONG");
  return sum == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
  const char *corpus_dir = g_getenv ("IPT_CORPUS_DIR");

  if (corpus_dir == NULL || argc != 2)
    {
      g_printerr ("usage: IPT_CORPUS_DIR=DIR %s decode|callback\n", argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "decode"))
    return bench_decode (corpus_dir);
  if (g_str_equal (argv[1], "callback"))
    return bench_callback (corpus_dir);
  g_printerr ("%s: unknown benchmark '%s'\n", argv[0], argv[1]);
  return 2;
}
