/* bench-record-decode.c: decoding an ipt-record trace through the coredump
 * plugin, against the same memory given to libipt by hand (issue 3's
 * budget: within 1.10x).
 *
 * The trace is the demo's (data/demo: a static program, its core and the
 * program file), repeated IPT_BENCH_REPEAT times (default 150: about three
 * million instructions; a trace is a sequence of PSB-delimited segments, so
 * copies concatenated are a valid, longer trace). Two images:
 *   (a) libipt alone: one pt_iscache_add_file + pt_image_add_cached per file
 *       range the coredump provider serves (its list_regions: the core's
 *       dumped pages and the program's text, each at its file offset)
 *   (b) IptImage with the coredump plugin -> ipt_image_get_pt_image
 * decoded with the insn and the block decoder. Variants alternate inside
 * every round (rotating which goes first); the first round warms caches and
 * is not counted; medians are reported. Environment: G_TEST_SRCDIR (the
 * tests directory, for ../data/demo), IPT_PLUGIN_PATH (built plugins),
 * IPT_BENCH_ROUNDS (measured rounds, default 9), IPT_BENCH_REPEAT.
 * Not a test: speed is reported; only wrong instruction counts fail.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

typedef struct {
  const char *label;
  struct pt_image *image;
  gdouble seconds[N_DECODERS][64];
} Variant;

static guint64
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  guint64 n = 0;

  if (!g_file_get_contents (path, &text, &length, &error))
    g_error ("%s", error->message);
  for (gsize i = 0; i < length; i++)
    n += text[i] == '\n';
  return n;
}

/* (a): the provider's file ranges as libipt file sections, added by hand. */
static struct pt_image *
image_by_hand (IptMemoryProvider *provider, struct pt_image_section_cache *iscache,
               guint *n_sections)
{
  g_autoptr(GPtrArray) regions = ipt_memory_provider_list_regions (provider);
  struct pt_image *image = pt_image_alloc ("by-hand");

  *n_sections = 0;
  for (guint i = 0; i < regions->len; i++)
    {
      const IptRegion *r = regions->pdata[i];
      int isid;

      if (r->filename == NULL)
        g_error ("region 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x has no file: "
                 "the coredump plugin serves every range from a file", r->address, r->size);
      isid = pt_iscache_add_file (iscache, r->filename, r->file_offset, r->size, r->address);
      if (isid < 0)
        g_error ("pt_iscache_add_file %s at 0x%" G_GINT64_MODIFIER "x: %s", r->filename,
                 r->file_offset, pt_errstr (pt_errcode (isid)));
      g_assert_cmpint (pt_image_add_cached (image, iscache, isid, NULL), ==, 0);
      (*n_sections)++;
    }
  return image;
}

int
main (int argc, char **argv)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *demo = NULL, *trace_path = NULL, *ips_path = NULL, *spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(IptPluginRegistry) registry = NULL;
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(IptImage) plugin_image = NULL;
  struct pt_image_section_cache *iscache;
  struct pt_image *hand_image;
  guint repeat = env_uint ("IPT_BENCH_REPEAT", 150, 100000);
  guint rounds = env_uint ("IPT_BENCH_ROUNDS", 9, 63);
  guint n_sections;
  gsize size;
  guint64 expected;
  Variant variants[2];
  gboolean ok = TRUE, met = TRUE;

  if (srcdir == NULL)
    {
      g_printerr ("usage: G_TEST_SRCDIR=SOURCE/tests IPT_PLUGIN_PATH=BUILD/plugins %s\n",
                  argv[0]);
      return 2;
    }
  demo = g_build_filename (srcdir, "..", "data", "demo", NULL);
  trace_path = g_build_filename (demo, "trace.pt", NULL);
  ips_path = g_build_filename (demo, "ips", NULL);
  spec = g_strdup_printf ("coredump:core=%s/core,search-path=%s", demo, demo);

  trace = read_trace_repeated (trace_path, repeat, &size);
  expected = count_lines (ips_path) * repeat;

  registry = ipt_plugin_registry_new ();
  ipt_plugin_registry_scan_default_path (registry);
  provider = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  if (provider == NULL)
    g_error ("cannot open %s: %s (IPT_PLUGIN_PATH=%s)", spec, error->message,
             g_getenv ("IPT_PLUGIN_PATH"));
  plugin_image = ipt_image_new ("coredump");
  ipt_image_add_provider (plugin_image, provider);

  iscache = pt_iscache_alloc ("bench");
  hand_image = image_by_hand (provider, iscache, &n_sections);

  memset (variants, 0, sizeof variants);
  variants[0] = (Variant) { "(a) libipt iscache, by hand", hand_image };
  variants[1] = (Variant) { "(b) IptImage, coredump plugin", ipt_image_get_pt_image (plugin_image) };
  g_assert_nonnull (variants[1].image);

  g_print ("data/demo trace x%u: %" G_GSIZE_FORMAT " bytes, %" G_GUINT64_FORMAT
           " instructions expected; %u file sections; %u rounds after 1 warm-up round\n",
           repeat, size, expected, n_sections, rounds);

  for (guint round = 0; round <= rounds; round++)
    for (guint d = 0; d < N_DECODERS; d++)
      for (guint k = 0; k < G_N_ELEMENTS (variants); k++)
        {
          Variant *v = &variants[(k + round) % G_N_ELEMENTS (variants)];
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
          if (round > 0)
            v->seconds[d][round - 1] = seconds;
        }

  g_print ("\n%-32s %8s %8s %8s %8s\n", "image", "insn s", "ratio", "block s", "ratio");
  for (guint k = 0; k < G_N_ELEMENTS (variants); k++)
    {
      gdouble insn = median (variants[k].seconds[DECODER_INSN], rounds);
      gdouble block = median (variants[k].seconds[DECODER_BLOCK], rounds);
      gdouble insn_ratio = insn / median (variants[0].seconds[DECODER_INSN], rounds);
      gdouble block_ratio = block / median (variants[0].seconds[DECODER_BLOCK], rounds);

      if (k > 0)
        met = met && insn_ratio <= 1.10 && block_ratio <= 1.10;
      g_print ("%-32s %8.3f %8.3f %8.3f %8.3f\n", variants[k].label, insn, insn_ratio,
               block, block_ratio);
    }
  g_print ("\n%.1f M instructions/s (insn decoder, coredump plugin); goal (b)/(a) <= 1.10: %s\n"
           "all variants decoded %" G_GUINT64_FORMAT " instructions per run: %s\n",
           expected / median (variants[1].seconds[DECODER_INSN], rounds) / 1e6,
           met ? "met" : "MISSED", expected, ok ? "yes" : "NO");

  pt_image_free (hand_image);
  pt_iscache_free (iscache);
  return ok ? 0 : 1;
}
