/* test-afl-decoder-corpus.c: IptAflDecoder on the real traces of
 * $IPT_CORPUS_DIR (memory: each trace's page dump, through the pagedump
 * plugin): the fast walk decodes every one of them itself (no fall back),
 * its bitmap equals the one an IptCoverage computes from libipt's block
 * decoder and, where the corpus has it, libxdc's (libxdc-bitmap.bin); a
 * decoder reused over the same trace (its caches warm) adds up exactly
 * what fresh decodes give. `ipt-analyze -q --coverage=afl` takes the fast
 * path, `--no-fast-afl` the plain one, both writing libxdc's bitmap. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-image-support.h"
#include "test-support.h"

static const char *corpus_dir;

static GBytes *
load (const char *name, const char *file)
{
  g_autofree char *path = g_build_filename (corpus_dir, name, file, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize size;

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

static void
test_corpus (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = g_build_filename (corpus_dir, name, NULL);
  g_autoptr(IptImage) image = test_pagedump_image (dir, name);
  g_autoptr(GBytes) trace = load (name, "trace.pt");
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(IptAflDecoder) afl = ipt_afl_decoder_new (image);
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *libxdc = g_build_filename (corpus_dir, name, "libxdc-bitmap.bin", NULL);

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error));
  g_assert_no_error (error);
  expected = ipt_coverage_get_afl_bitmap (coverage);

  for (guint round = 1; round <= 3; round++)
    {
      g_autoptr(GBytes) bitmap = NULL;
      const guint8 *ours, *plain;

      g_assert_true (ipt_afl_decoder_decode_bytes (afl, trace, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ipt_afl_decoder_get_n_fallbacks (afl), ==, 0);
      g_assert_cmpint (ipt_afl_decoder_get_last_fallback (afl), ==, IPT_AFL_FALLBACK_NONE);
      bitmap = ipt_afl_decoder_get_bitmap (afl);
      ours = g_bytes_get_data (bitmap, NULL);
      plain = g_bytes_get_data (expected, NULL);
      for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
        if (ours[i] != (guint8) (round * plain[i]))
          g_error ("%s, decode %u: counter 0x%04zx is %u, the plain decode's %u times %u", name,
                   round, i, ours[i], plain[i], round);
      if (round == 1 && g_file_test (libxdc, G_FILE_TEST_EXISTS))
        {
          g_autoptr(GBytes) reference = load (name, "libxdc-bitmap.bin");

          g_assert_true (g_bytes_equal (bitmap, reference));
        }
    }
}

/* The CLI on unzip and foo: which path decoded is in its debug output. */
static void
test_cli (gconstpointer data)
{
  const char *name = data;
  g_autofree char *trace = g_build_filename (corpus_dir, name, "trace.pt", NULL);
  g_autofree char *addr = g_build_filename (corpus_dir, name, "pages.addr", NULL);
  g_autofree char *dump = g_build_filename (corpus_dir, name, "pages.dump", NULL);
  g_autofree char *plugin = g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
  g_autoptr(GBytes) reference = load (name, "libxdc-bitmap.bin");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("afl-cli-XXXXXX", &error);
  g_autofree char *out_path = g_build_filename (dir, "afl.bin", NULL);
  g_autofree char *coverage = g_strdup_printf ("--coverage=afl:%s", out_path);

  g_assert_no_error (error);
  g_setenv ("G_MESSAGES_DEBUG", "ipt-analyze", TRUE);
  for (guint plain = 0; plain < 2; plain++)
    {
      const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--pt", trace, "--plugin", plugin, "-q",
                             coverage, plain ? "--no-fast-afl" : NULL, NULL };
      g_autofree char *out = NULL, *err = NULL, *written = NULL;
      gsize size;

      g_assert_cmpint (test_spawn (argv, &out, &err), ==, 0);
      /* the plain path is libipt's decode (in segments, --jobs being one per core) */
      g_assert_nonnull (strstr (err, plain ? "decoded in " : "fast AFL decode, 0 fallbacks"));
      if (plain)
        g_assert_null (strstr (err, "fast AFL decode"));
      g_assert_true (g_file_get_contents (out_path, &written, &size, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (written, size, g_bytes_get_data (reference, NULL),
                       g_bytes_get_size (reference));
    }
  g_unsetenv ("G_MESSAGES_DEBUG");
  test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  static const char *const traces[] = { "unzip", "foo", "mruby", "qemu" };

  g_test_init (&argc, &argv, NULL);
  corpus_dir = g_getenv ("IPT_CORPUS_DIR");
  if (corpus_dir == NULL)
    corpus_dir = "../shared/corpus";

  for (guint i = 0; i < G_N_ELEMENTS (traces); i++)
    {
      g_autofree char *path = g_strdup_printf ("/afl-decoder/corpus/%s/equals-plain-and-libxdc",
                                               traces[i]);

      g_test_add_data_func (path, traces[i], test_corpus);
    }
  g_test_add_data_func ("/afl-decoder/corpus/unzip/cli", "unzip", test_cli);
  g_test_add_data_func ("/afl-decoder/corpus/foo/cli", "foo", test_cli);
  return g_test_run ();
}
