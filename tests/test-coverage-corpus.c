/* test-coverage-corpus.c: IptCoverage on the real traces of
 * $IPT_CORPUS_DIR: the block and instruction decoders give the same blocks
 * and edges; the AFL bitmap equals libxdc's (libxdc-bitmap.bin, unzip and
 * foo); a trace decoded in pieces split at PSBs and merged equals the
 * trace decoded whole. The memory is each trace's page dump, served as
 * file-backed regions (libipt file sections). */
#include <string.h>
#include <glib.h>
#include <gio/gio.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "mock-provider.h"

static const char *corpus_dir;

static IptImage *
load_image (const char *name)
{
  g_autofree char *addr_path = g_build_filename (corpus_dir, name, "pages.addr", NULL);
  g_autofree char *dump_path = g_build_filename (corpus_dir, name, "pages.dump", NULL);
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *addrs = NULL;
  gsize size;
  IptImage *image;

  g_assert_true (g_file_get_contents (addr_path, &addrs, &size, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < size / 8; i++)
    {
      guint64 address;

      memcpy (&address, addrs + 8 * i, 8);
      address = GUINT64_FROM_LE (address);
      g_assert_true (ipt_mock_provider_add_file (mock, address, dump_path, 4096 * i, 4096,
                                                 NULL, &error));
      g_assert_no_error (error);
    }
  image = ipt_image_new (name);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

static char *
trace_path (const char *name)
{
  return g_build_filename (corpus_dir, name, "trace.pt", NULL);
}

static IptCoverage *
decode (IptImage *image, const char *path, IptDecoderKind kind, guint64 from, guint64 to)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(GError) error = NULL;
  IptCoverage *coverage = ipt_coverage_new ();

  g_assert_true (ipt_decoder_decode_file (decoder, path, from, to, IPT_SINK (coverage), NULL,
                                          &error));
  g_assert_no_error (error);
  return coverage;
}

static GBytes *
listing (IptCoverage *coverage)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_coverage_write_blocks (coverage, out, IPT_COVERAGE_FORMAT_TEXT, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
assert_same_coverage (IptCoverage *a, IptCoverage *b)
{
  g_autoptr(GBytes) la = listing (a);
  g_autoptr(GBytes) lb = listing (b);
  g_autoptr(GBytes) ma = ipt_coverage_get_afl_bitmap (a);
  g_autoptr(GBytes) mb = ipt_coverage_get_afl_bitmap (b);

  if (!g_bytes_equal (la, lb))
    {
      g_autofree char *pa = g_build_filename (g_get_tmp_dir (), "coverage-a.txt", NULL);
      g_autofree char *pb = g_build_filename (g_get_tmp_dir (), "coverage-b.txt", NULL);

      g_file_set_contents (pa, g_bytes_get_data (la, NULL), g_bytes_get_size (la), NULL);
      g_file_set_contents (pb, g_bytes_get_data (lb, NULL), g_bytes_get_size (lb), NULL);
      g_test_message ("the block lists differ: %s %s", pa, pb);
    }
  g_assert_true (g_bytes_equal (la, lb));
  g_assert_true (g_bytes_equal (ma, mb));
}

static void
test_decoders_agree (gconstpointer data)
{
  const char *name = data;
  g_autoptr(IptImage) image = load_image (name);
  g_autofree char *path = trace_path (name);
  g_autoptr(IptCoverage) block = decode (image, path, IPT_DECODER_KIND_BLOCK, 0, 0);
  g_autoptr(IptCoverage) insn = decode (image, path, IPT_DECODER_KIND_INSN, 0, 0);
  g_autoptr(GPtrArray) blocks = ipt_coverage_get_blocks (block);
  guint64 n_insns = 0;

  g_assert_cmpuint (blocks->len, >, 0);
  for (guint i = 0; i < blocks->len; i++)
    {
      const IptCoverageBlock *b = g_ptr_array_index (blocks, i);

      n_insns += b->count * b->n_insns;
    }
  g_test_message ("%s: %u blocks, %u edges, %" G_GUINT64_FORMAT " instructions", name,
                  blocks->len, ipt_coverage_get_n_edges (block), n_insns);
  assert_same_coverage (block, insn);
}

static void
test_afl_libxdc (gconstpointer data)
{
  const char *name = data;
  g_autoptr(IptImage) image = load_image (name);
  g_autofree char *path = trace_path (name);
  g_autofree char *bitmap_path = g_build_filename (corpus_dir, name, "libxdc-bitmap.bin", NULL);
  g_autoptr(IptCoverage) coverage = decode (image, path, IPT_DECODER_KIND_BLOCK, 0, 0);
  g_autoptr(GBytes) ours = ipt_coverage_get_afl_bitmap (coverage);
  g_autoptr(GError) error = NULL;
  g_autofree char *theirs = NULL;
  gsize size;
  const guint8 *map;
  guint n_differ = 0, n_set = 0;

  g_assert_true (g_file_get_contents (bitmap_path, &theirs, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, IPT_COVERAGE_AFL_MAP_SIZE);
  map = g_bytes_get_data (ours, NULL);
  for (gsize i = 0; i < size; i++)
    {
      n_set += (guint8) theirs[i] != 0;
      if (map[i] != (guint8) theirs[i])
        {
          if (n_differ < 10)
            g_test_message ("%s: byte 0x%04zx: ours %u, libxdc's %u", name, i, map[i],
                            (guint8) theirs[i]);
          n_differ++;
        }
    }
  g_test_message ("%s: %u of libxdc's %u counters differ", name, n_differ, n_set);
  g_assert_cmpuint (n_differ, ==, 0);
}

/* The PSBs of a trace, by libipt's packet decoder: the offset of each,
 * and of the end of its PSB+ (after PSBEND). */
typedef struct {
  guint64 psb;
  guint64 psb_end;
} Psb;

static GArray *
psb_offsets (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  struct pt_packet_decoder *decoder;
  struct pt_config config;
  GArray *psbs = g_array_new (FALSE, FALSE, sizeof (Psb));
  gsize size;

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  pt_config_init (&config);
  config.begin = (uint8_t *) data;
  config.end = (uint8_t *) data + size;
  decoder = pt_pkt_alloc_decoder (&config);
  g_assert_nonnull (decoder);
  while (pt_pkt_sync_forward (decoder) >= 0)
    {
      struct pt_packet packet;
      Psb psb = { 0, 0 };
      uint64_t offset;

      g_assert_cmpint (pt_pkt_get_sync_offset (decoder, &offset), >=, 0);
      psb.psb = offset;
      while (pt_pkt_next (decoder, &packet, sizeof (packet)) >= 0)
        if (packet.type == ppt_psbend)
          {
            g_assert_cmpint (pt_pkt_get_offset (decoder, &offset), >=, 0);
            psb.psb_end = offset;
            break;
          }
      if (psb.psb_end != 0)
        g_array_append_val (psbs, psb);
    }
  pt_pkt_free_decoder (decoder);
  return psbs;
}

/* Whether a decode of [from, to) goes without a decode error. libipt
 * cannot start at some PSBs of these traces (a TIP.PGE right after a
 * PSB+ that has a FUP: "unexpected packet context"), where a decode from
 * the trace's start passes through: a split there loses the piece, which
 * no merge can repair, so the pieces start only at PSBs libipt starts at. */
static gboolean
decodes_cleanly (IptImage *image, const char *path, IptDecoderKind kind, guint64 from,
                 guint64 to)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_decoder_decode_file (decoder, path, from, to, IPT_SINK (stats), NULL,
                                          &error));
  g_assert_no_error (error);
  return ipt_statistics_get_n_errors (stats) == 0;
}

/* Decodes the trace in pieces split at PSBs (about @n_pieces of them),
 * each into its own coverage, merges them in trace order, and compares
 * with the whole. A piece runs on through the next piece's PSB+ (the
 * convention of docs/coverage.md): libipt then knows where the next piece
 * takes over, instead of stopping anywhere between the piece's last
 * packet and the next branch that needs trace. */
static void
check_pieces (const char *name, IptDecoderKind kind, guint n_pieces)
{
  g_autoptr(IptImage) image = load_image (name);
  g_autofree char *path = trace_path (name);
  g_autoptr(IptCoverage) whole = decode (image, path, kind, 0, 0);
  g_autoptr(IptCoverage) merged = ipt_coverage_new ();
  g_autoptr(GArray) psbs = psb_offsets (path);
  g_autoptr(GArray) splits = g_array_new (FALSE, FALSE, sizeof (Psb));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  guint64 size;
  Psb start = { 0, 0 }, end;
  guint stride, n_skipped = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &error);
  g_assert_no_error (error);
  size = g_file_info_get_size (info);
  end.psb = end.psb_end = size;
  g_assert_cmpuint (psbs->len, >, 2);
  stride = MAX (1, psbs->len / n_pieces);

  g_array_append_val (splits, start);
  for (guint i = stride; i < psbs->len; i += stride)
    {
      const Psb *psb = &g_array_index (psbs, Psb, i);
      guint64 to = i + 1 < psbs->len ? g_array_index (psbs, Psb, i + 1).psb : size;

      if (decodes_cleanly (image, path, kind, psb->psb, to))
        g_array_append_val (splits, *psb);
      else
        n_skipped++;
    }
  g_array_append_val (splits, end);
  g_assert_cmpuint (splits->len, >, 3);

  for (guint i = 0; i + 1 < splits->len; i++)
    {
      g_autoptr(IptCoverage) piece = decode (image, path, kind, g_array_index (splits, Psb, i).psb,
                                             g_array_index (splits, Psb, i + 1).psb_end);

      ipt_coverage_merge (merged, piece);
    }
  g_test_message ("%s: %u PSBs, %u pieces (%u PSBs libipt cannot start at)", name, psbs->len,
                  splits->len - 1, n_skipped);
  assert_same_coverage (whole, merged);
}

static void
test_pieces_block (gconstpointer data)
{
  check_pieces (data, IPT_DECODER_KIND_BLOCK, 64);
}

static void
test_pieces_insn (gconstpointer data)
{
  check_pieces (data, IPT_DECODER_KIND_INSN, 16);
}

int
main (int argc, char **argv)
{
  static const char *traces[] = { "unzip", "foo", "mruby", "qemu" };

  g_test_init (&argc, &argv, NULL);

  corpus_dir = g_getenv ("IPT_CORPUS_DIR");
  if (corpus_dir == NULL)
    corpus_dir = "../shared/corpus";

  for (guint i = 0; i < G_N_ELEMENTS (traces); i++)
    {
      g_autofree char *p1 = g_strdup_printf ("/coverage/corpus/%s/decoders-agree", traces[i]);
      g_autofree char *p2 = g_strdup_printf ("/coverage/corpus/%s/pieces-merge/block", traces[i]);
      g_autofree char *p3 = g_strdup_printf ("/coverage/corpus/%s/pieces-merge/insn", traces[i]);

      g_test_add_data_func (p1, traces[i], test_decoders_agree);
      g_test_add_data_func (p2, traces[i], test_pieces_block);
      g_test_add_data_func (p3, traces[i], test_pieces_insn);
    }
  g_test_add_data_func ("/coverage/corpus/unzip/afl-equals-libxdc", "unzip", test_afl_libxdc);
  g_test_add_data_func ("/coverage/corpus/foo/afl-equals-libxdc", "foo", test_afl_libxdc);

  return g_test_run ();
}
