/* test-coverage.c: IptCoverage over traces made with libipt's own encoder
 * on hand-assembled code served by a mock provider: the blocks and edges
 * of trace_builder_loop_code from both decoders, the AFL bitmap's rule
 * (conditional edges only, a branch out of the traced range, an interrupt
 * right after a branch, counters wrapping at 256), address spaces,
 * merging, the text and JSON lists, drcov files (read back by a small
 * reader of the published format) and the writers' stream errors. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "mock-provider.h"
#include "trace-builder.h"

#define EXIT_BASE TRACE_BUILDER_EXIT_BASE

static IptImage *
make_image (void)
{
  IptImage *image = ipt_image_new ("test");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_bytes (mock, TRACE_BUILDER_LOOP_BASE, trace_builder_loop_code,
                               trace_builder_loop_code_size, NULL);
  ipt_mock_provider_add_bytes (mock, EXIT_BASE, trace_builder_exit_code, trace_builder_exit_code_size, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

static GBytes *
make_loop_trace (guint n_runs)
{
  TraceBuilder enc;

  trace_builder_init (&enc);
  for (guint i = 0; i < n_runs; i++)
    trace_builder_put_loop_run (&enc);
  return trace_builder_finish (&enc);
}

static IptCoverage *
decode (IptDecoderKind kind, GBytes *trace)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(GError) error = NULL;
  IptCoverage *coverage = ipt_coverage_new ();

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error));
  g_assert_no_error (error);
  return coverage;
}

static char *
write_list (IptCoverage *coverage, IptCoverageFormat format)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_coverage_write_blocks (coverage, out, format, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static guint64
mix (guint64 v)
{
  v ^= v >> 31;
  return v * G_GUINT64_CONSTANT (0x7fb5d329728ea185);
}

static gsize
afl_index (guint64 from, guint64 to)
{
  return (mix (to) ^ (mix (from) >> 1)) & 0xffff;
}

/* The loop's blocks: xor..jne (once), inc..jne (twice), call..ret through
 * the direct call, jmp..jmp rbx through the direct jmp. */
static const char loop_list_2[] =
  "blocks 4\n"
  "block 0x1000 0x100a 4 2\n"
  "block 0x1003 0x100a 3 4\n"
  "block 0x100c 0x1019 3 2\n"
  "block 0x1011 0x101d 2 2\n"
  "edges 4\n"
  "edge 0x100a 0x1003 4 conditional\n"
  "edge 0x100a 0x100c 2 conditional\n"
  "edge 0x1019 0x1011 2\n"
  "edge 0x101d 0x2000 2 exit\n";

static void
test_loop_blocks (void)
{
  g_autoptr(GBytes) trace = make_loop_trace (2);

  for (IptDecoderKind kind = IPT_DECODER_KIND_BLOCK; kind <= IPT_DECODER_KIND_INSN; kind++)
    {
      g_autoptr(IptCoverage) coverage = decode (kind, trace);
      g_autofree char *list = write_list (coverage, IPT_COVERAGE_FORMAT_TEXT);
      g_autoptr(GPtrArray) blocks = ipt_coverage_get_blocks (coverage);
      g_autoptr(GPtrArray) edges = ipt_coverage_get_edges (coverage);
      const IptCoverageBlock *b;
      const IptCoverageEdge *e;

      g_assert_cmpstr (list, ==, loop_list_2);
      g_assert_cmpuint (ipt_coverage_get_n_blocks (coverage), ==, 4);
      g_assert_cmpuint (ipt_coverage_get_n_edges (coverage), ==, 4);
      g_assert_cmpuint (blocks->len, ==, 4);
      b = g_ptr_array_index (blocks, 2);
      g_assert_cmphex (b->start, ==, 0x100c);
      g_assert_cmphex (b->end, ==, 0x1019);
      g_assert_cmpuint (b->n_insns, ==, 3);
      g_assert_cmpuint (b->count, ==, 2);
      g_assert_cmphex (b->cr3, ==, IPT_ASID_NO_CR3);
      g_assert_cmpint (b->mode, ==, ptem_64bit);
      e = g_ptr_array_index (edges, 3);
      g_assert_cmphex (e->from, ==, 0x101d);
      g_assert_cmphex (e->to, ==, 0x2000);
      g_assert_cmpuint (e->flags, ==, IPT_COVERAGE_EDGE_EXIT);
    }
}

static void
test_json (void)
{
  g_autoptr(GBytes) trace = make_loop_trace (1);
  g_autoptr(IptCoverage) coverage = decode (IPT_DECODER_KIND_BLOCK, trace);
  g_autofree char *json = write_list (coverage, IPT_COVERAGE_FORMAT_JSON);

  g_assert_cmpstr (json, ==,
    "{\"format\":\"ipt-coverage\",\"version\":1,\"has_cr3\":false,\n\"blocks\":[\n"
    "{\"start\":\"0x1000\",\"end\":\"0x100a\",\"insns\":4,\"count\":1},\n"
    "{\"start\":\"0x1003\",\"end\":\"0x100a\",\"insns\":3,\"count\":2},\n"
    "{\"start\":\"0x100c\",\"end\":\"0x1019\",\"insns\":3,\"count\":1},\n"
    "{\"start\":\"0x1011\",\"end\":\"0x101d\",\"insns\":2,\"count\":1}],\n\"edges\":[\n"
    "{\"from\":\"0x100a\",\"to\":\"0x1003\",\"count\":2,\"conditional\":true,\"exit\":false},\n"
    "{\"from\":\"0x100a\",\"to\":\"0x100c\",\"count\":1,\"conditional\":true,\"exit\":false},\n"
    "{\"from\":\"0x1019\",\"to\":\"0x1011\",\"count\":1,\"conditional\":false,\"exit\":false},\n"
    "{\"from\":\"0x101d\",\"to\":\"0x2000\",\"count\":1,\"conditional\":false,\"exit\":true}]}\n");
}

/* Only the conditional edges count; 128 runs take jne back 256 times,
 * which wraps its counter to 0, and fall through 128 times. */
static void
test_afl_wrap (void)
{
  static const guint runs[] = { 1, 127, 128, 129 };

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      g_autoptr(GBytes) trace = make_loop_trace (runs[r]);
      g_autoptr(IptCoverage) coverage = decode (IPT_DECODER_KIND_BLOCK, trace);
      g_autoptr(GBytes) bitmap = ipt_coverage_get_afl_bitmap (coverage);
      const guint8 *map = g_bytes_get_data (bitmap, NULL);
      gsize back = afl_index (0x100a, 0x1003), out = afl_index (0x100a, 0x100c);

      g_assert_cmpuint (g_bytes_get_size (bitmap), ==, IPT_COVERAGE_AFL_MAP_SIZE);
      g_assert_cmpuint (back, !=, out);
      g_assert_cmpuint (map[back], ==, (2 * runs[r]) & 0xff);
      g_assert_cmpuint (map[out], ==, runs[r] & 0xff);
      for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
        if (i != back && i != out)
          g_assert_cmpuint (map[i], ==, 0);
    }
}

/* Both decoders give @list, and the bitmap has one counter at 1: the
 * edge @from -> @to. */
static void
assert_one_afl_edge (GBytes *trace, const char *list, guint64 from, guint64 to)
{
  for (IptDecoderKind kind = IPT_DECODER_KIND_BLOCK; kind <= IPT_DECODER_KIND_INSN; kind++)
    {
      g_autoptr(IptCoverage) coverage = decode (kind, trace);
      g_autofree char *ours = write_list (coverage, IPT_COVERAGE_FORMAT_TEXT);
      g_autoptr(GBytes) bitmap = ipt_coverage_get_afl_bitmap (coverage);
      const guint8 *map = g_bytes_get_data (bitmap, NULL);
      gsize index = afl_index (from, to);

      g_assert_cmpstr (ours, ==, list);
      for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
        g_assert_cmpuint (map[i], ==, i == index ? 1 : 0);
    }
}

/* jne taken out of the traced range: TIP.PGD with the target; the AFL
 * edge goes from the branch to that target. */
static void
test_afl_exit (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, EXIT_BASE);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x5000);
  trace = trace_builder_finish (&enc);

  assert_one_afl_edge (trace,
                       "blocks 1\n"
                       "block 0x3000 0x3004 2 1\n"
                       "edges 1\n"
                       "edge 0x3004 0x5000 1 conditional exit\n",
                       0x3004, 0x5000);
}

/* An interrupt right after jne (FUP + TIP.PGD, tracing resumed there
 * later): the AFL edge goes to the interrupted instruction, as libxdc
 * counts it (one counter of the unzip corpus trace depends on it). */
static void
test_afl_async_disable (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, EXIT_BASE);
  trace_builder_put_tnt (&enc, 1, 0x0);                          /* jne: not taken */
  trace_builder_put_ip (&enc, ppt_fup, pt_ipc_sext_48, 0x300a);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, 0x300a);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x6000);       /* ret */
  trace = trace_builder_finish (&enc);

  assert_one_afl_edge (trace,
                       "blocks 2\n"
                       "block 0x3000 0x3004 2 1\n"
                       "block 0x300a 0x300b 2 1\n"
                       "edges 2\n"
                       "edge 0x3004 0x300a 1 conditional\n"
                       "edge 0x300b 0x6000 1 exit\n",
                       0x3004, 0x300a);
}

/* The coverage of two blocks, 0x3000-0x3004 (cmp; jne) then 0x300a-0x300b
 * (nop; ret), given to the sink as the block decoder would, the first
 * one's class as @first_class. */
static char *
blocks_fed_by_hand (enum pt_insn_class first_class, GBytes **bitmap)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(GError) error = NULL;
  struct pt_block first = { 0, }, second = { 0, };
  struct pt_event enabled = { 0, };

  first.ip = EXIT_BASE;
  first.end_ip = EXIT_BASE + 4;
  first.ninsn = 2;
  first.mode = ptem_64bit;
  first.iclass = first_class;
  second.ip = EXIT_BASE + 0xa;
  second.end_ip = EXIT_BASE + 0xb;
  second.ninsn = 2;
  second.mode = ptem_64bit;
  second.iclass = ptic_return;
  enabled.type = ptev_enabled;
  enabled.variant.enabled.ip = EXIT_BASE;

  g_assert_true (ipt_sink_begin (IPT_SINK (coverage), decoder, &error));
  ipt_sink_event (IPT_SINK (coverage), &enabled);
  ipt_sink_block (IPT_SINK (coverage), &first);
  ipt_sink_block (IPT_SINK (coverage), &second);
  g_assert_true (ipt_sink_end (IPT_SINK (coverage), &error));
  g_assert_no_error (error);
  *bitmap = ipt_coverage_get_afl_bitmap (coverage);
  return write_list (coverage, IPT_COVERAGE_FORMAT_TEXT);
}

/* libipt may leave a block's class as ptic_error (struct pt_block in
 * intel-pt.h; it does so depending on its block cache): the sink then
 * reads the instruction and finds the conditional branch itself, so the
 * blocks, the edges and the AFL bitmap are those of the known class. */
static void
test_block_class_unknown (void)
{
  g_autoptr(GBytes) known_bitmap = NULL, unknown_bitmap = NULL;
  g_autofree char *known = blocks_fed_by_hand (ptic_cond_jump, &known_bitmap);
  g_autofree char *unknown = blocks_fed_by_hand (ptic_error, &unknown_bitmap);

  g_assert_nonnull (strstr (known, "edge 0x3004 0x300a 1 conditional\n"));
  g_assert_cmpstr (unknown, ==, known);
  g_assert_true (g_bytes_equal (unknown_bitmap, known_bitmap));
}

/* With PIP packets the same code in two address spaces is two blocks. */
static void
test_cr3 (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) trace = NULL;
  g_autoptr(IptCoverage) coverage = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  g_autofree char *list = NULL;

  trace_builder_init (&enc);
  trace_builder_put_loop_run_in (&enc, 0x1000);
  trace_builder_put_loop_run_in (&enc, 0x2000);
  trace_builder_put_loop_run_in (&enc, 0x1000);
  trace = trace_builder_finish (&enc);

  coverage = decode (IPT_DECODER_KIND_BLOCK, trace);
  blocks = ipt_coverage_get_blocks (coverage);
  g_assert_cmpuint (blocks->len, ==, 8);
  g_assert_cmphex (((IptCoverageBlock *) g_ptr_array_index (blocks, 0))->cr3, ==, 0x1000);
  g_assert_cmpuint (((IptCoverageBlock *) g_ptr_array_index (blocks, 0))->count, ==, 2);
  g_assert_cmphex (((IptCoverageBlock *) g_ptr_array_index (blocks, 4))->cr3, ==, 0x2000);
  g_assert_cmpuint (((IptCoverageBlock *) g_ptr_array_index (blocks, 4))->count, ==, 1);
  g_assert_cmpuint (ipt_coverage_get_n_edges (coverage), ==, 8);
  list = write_list (coverage, IPT_COVERAGE_FORMAT_TEXT);
  g_assert_nonnull (strstr (list, "block 0x1000 0x100a 4 1 cr3=0x2000\n"));
  g_assert_nonnull (strstr (list, "edge 0x101d 0x2000 2 exit cr3=0x1000\n"));
}

/* A run split inside: the first piece ends after the loop's first TNT
 * bits (its decode runs on to the ret, which needs trace), the second
 * starts at a PSB+ whose FUP is the call. Merged, they are the whole. */
static void
test_merge_mid_run (void)
{
  TraceBuilder enc;
  g_autoptr(GBytes) whole_trace = NULL;
  g_autoptr(GBytes) first = NULL, second = NULL;
  g_autoptr(IptCoverage) merged = ipt_coverage_new ();
  guint64 split, split_end;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_tnt (&enc, 3, 0x6);
  split = trace_builder_get_offset (&enc);
  trace_builder_put (&enc, ppt_psb);
  trace_builder_put_ip (&enc, ppt_fup, pt_ipc_sext_48, 0x100c);
  {
    struct pt_packet packet;

    memset (&packet, 0, sizeof (packet));
    packet.type = ppt_mode;
    packet.payload.mode.leaf = pt_mol_exec;
    packet.payload.mode.bits.exec.csl = 1;
    g_assert_cmpint (pt_enc_next (enc.encoder, &packet), >, 0);
  }
  trace_builder_put (&enc, ppt_psbend);
  split_end = trace_builder_get_offset (&enc);
  trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, 0x1011);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);
  whole_trace = trace_builder_finish (&enc);

  /* the convention of docs/coverage.md: a piece runs through the next PSB+ */
  first = g_bytes_new_from_bytes (whole_trace, 0, split_end);
  second = g_bytes_new_from_bytes (whole_trace, split, g_bytes_get_size (whole_trace) - split);

  for (IptDecoderKind kind = IPT_DECODER_KIND_BLOCK; kind <= IPT_DECODER_KIND_INSN; kind++)
    {
      g_autoptr(IptCoverage) whole = decode (kind, whole_trace);
      g_autoptr(IptCoverage) a = decode (kind, first);
      g_autoptr(IptCoverage) b = decode (kind, second);
      g_autoptr(IptCoverage) m = ipt_coverage_new ();
      g_autofree char *whole_list = write_list (whole, IPT_COVERAGE_FORMAT_TEXT);
      g_autofree char *merged_list = NULL;

      g_assert_cmpstr (whole_list, ==,
                       "blocks 4\n"
                       "block 0x1000 0x100a 4 1\n"
                       "block 0x1003 0x100a 3 2\n"
                       "block 0x100c 0x1019 3 1\n"
                       "block 0x1011 0x101d 2 1\n"
                       "edges 4\n"
                       "edge 0x100a 0x1003 2 conditional\n"
                       "edge 0x100a 0x100c 1 conditional\n"
                       "edge 0x1019 0x1011 1\n"
                       "edge 0x101d 0x2000 1 exit\n");
      ipt_coverage_merge (m, a);
      ipt_coverage_merge (m, b);
      merged_list = write_list (m, IPT_COVERAGE_FORMAT_TEXT);
      g_assert_cmpstr (merged_list, ==, whole_list);
      /* the pieces alone are not the whole */
      g_assert_cmpuint (ipt_coverage_get_n_blocks (b), ==, 2);
    }
}

/* Separate traces (each begins with an enable) merge by adding counts;
 * merging the same coverage twice doubles them, and @next is unchanged. */
static void
test_merge_separate (void)
{
  g_autoptr(GBytes) one = make_loop_trace (1);
  g_autoptr(GBytes) two = make_loop_trace (2);
  g_autoptr(IptCoverage) a = decode (IPT_DECODER_KIND_INSN, one);
  g_autoptr(IptCoverage) merged = ipt_coverage_new ();
  g_autofree char *list = NULL;
  g_autofree char *a_list = write_list (a, IPT_COVERAGE_FORMAT_TEXT);
  g_autofree char *a_list_after = NULL;

  ipt_coverage_merge (merged, a);
  ipt_coverage_merge (merged, a);
  list = write_list (merged, IPT_COVERAGE_FORMAT_TEXT);
  g_assert_cmpstr (list, ==, loop_list_2);
  a_list_after = write_list (a, IPT_COVERAGE_FORMAT_TEXT);
  g_assert_cmpstr (a_list_after, ==, a_list);
}

/* Counts add up over decodes; reset forgets them. */
static void
test_accumulate_reset (void)
{
  g_autoptr(GBytes) one = make_loop_trace (1);
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;
  g_autoptr(GBytes) bitmap = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (ipt_decoder_decode_bytes (decoder, one, IPT_SINK (coverage), NULL, &error));
      g_assert_no_error (error);
    }
  list = write_list (coverage, IPT_COVERAGE_FORMAT_TEXT);
  g_assert_cmpstr (list, ==, loop_list_2);

  ipt_coverage_reset (coverage);
  g_assert_cmpuint (ipt_coverage_get_n_blocks (coverage), ==, 0);
  g_assert_cmpuint (ipt_coverage_get_n_edges (coverage), ==, 0);
  bitmap = ipt_coverage_get_afl_bitmap (coverage);
  for (gsize i = 0; i < IPT_COVERAGE_AFL_MAP_SIZE; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bitmap, NULL))[i], ==, 0);
}

/* ---- drcov ---- */

typedef struct {
  guint id;
  guint64 base;
  guint64 end;
  char *path;
} DrcovModule;

typedef struct {
  guint32 start;
  guint16 size;
  guint16 id;
} DrcovEntry;

/* A reader of drcov version 2 as DynamoRIO writes it and Lighthouse reads
 * it: header lines, the module table by its Columns line, "BB Table: N
 * bbs" and exactly N 8-byte entries to the end of the file. */
static void
drcov_parse (const guint8 *data, gsize size, GArray *modules, GArray *entries)
{
  const char *p = (const char *) data, *end = (const char *) data + size;
  guint n_modules = 0, n_bbs = 0;
  g_auto(GStrv) columns = NULL;

  for (guint line_no = 0;; line_no++)
    {
      const char *nl = memchr (p, '\n', end - p);
      g_autofree char *line = NULL;

      g_assert_nonnull (nl);
      line = g_strndup (p, nl - p);
      p = nl + 1;
      if (line_no == 0)
        g_assert_cmpstr (line, ==, "DRCOV VERSION: 2");
      else if (line_no == 1)
        g_assert_true (g_str_has_prefix (line, "DRCOV FLAVOR: "));
      else if (line_no == 2)
        g_assert_cmpint (sscanf (line, "Module Table: version 2, count %u", &n_modules), ==, 1);
      else if (line_no == 3)
        {
          g_assert_true (g_str_has_prefix (line, "Columns: "));
          columns = g_strsplit (line + strlen ("Columns: "), ", ", -1);
          g_assert_cmpuint (g_strv_length (columns), ==, 7);
          g_assert_cmpstr (columns[0], ==, "id");
          g_assert_cmpstr (columns[1], ==, "base");
          g_assert_cmpstr (columns[2], ==, "end");
          g_assert_cmpstr (columns[6], ==, "path");
        }
      else if (line_no < 4 + n_modules)
        {
          g_auto(GStrv) cells = g_strsplit (line, ", ", 7);
          DrcovModule module;

          g_assert_cmpuint (g_strv_length (cells), ==, 7);
          module.id = (guint) g_ascii_strtoull (g_strstrip (cells[0]), NULL, 10);
          module.base = g_ascii_strtoull (cells[1], NULL, 16);
          module.end = g_ascii_strtoull (cells[2], NULL, 16);
          module.path = g_strdup (cells[6]);
          g_assert_cmpuint (module.id, ==, modules->len);
          g_array_append_val (modules, module);
        }
      else
        {
          g_assert_cmpint (sscanf (line, "BB Table: %u bbs", &n_bbs), ==, 1);
          break;
        }
    }
  g_assert_cmpuint ((gsize) (end - p), ==, 8 * (gsize) n_bbs);
  for (guint i = 0; i < n_bbs; i++, p += 8)
    {
      DrcovEntry entry;

      memcpy (&entry.start, p, 4);
      memcpy (&entry.size, p + 4, 2);
      memcpy (&entry.id, p + 6, 2);
      entry.start = GUINT32_FROM_LE (entry.start);
      entry.size = GUINT16_FROM_LE (entry.size);
      entry.id = GUINT16_FROM_LE (entry.id);
      g_assert_cmpuint (entry.id, <, modules->len);
      g_array_append_val (entries, entry);
    }
}

/* Writes @coverage as drcov and reads it back. */
static void
write_and_parse_drcov (IptCoverage *coverage, IptImage *image, GArray *modules, GArray *entries)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_coverage_write_drcov (coverage, image, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  file = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  drcov_parse (g_bytes_get_data (file, NULL), g_bytes_get_size (file), modules, entries);
}

/* The loop's code as a file-backed module: each block comes out as its
 * contiguous pieces (the call and the jmp cut theirs). */
static void
test_drcov (void)
{
  g_autoptr(GBytes) trace = make_loop_trace (2);
  g_autoptr(IptImage) image = ipt_image_new ("drcov");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(GArray) modules = g_array_new (FALSE, FALSE, sizeof (DrcovModule));
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DrcovEntry));
  g_autoptr(GError) error = NULL;
  static const DrcovEntry expected[] = {
    { 0x00, 12, 0 }, { 0x03, 9, 0 }, { 0x0c, 5, 0 }, { 0x11, 2, 0 }, { 0x16, 4, 0 },
    { 0x1d, 2, 0 },
  };
  const DrcovModule *module;
  g_autofree char *path = NULL;
  int fd;

  /* the code at offset 0x1000 of a file, as a segment of an ELF file is */
  fd = g_file_open_tmp ("coverage-loop-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  {
    g_autofree guint8 *contents = g_malloc0 (0x1000 + trace_builder_loop_code_size);

    memcpy (contents + 0x1000, trace_builder_loop_code, trace_builder_loop_code_size);
    g_assert_true (g_file_set_contents (path, (const char *) contents,
                                        0x1000 + trace_builder_loop_code_size, &error));
  }
  g_assert_true (ipt_mock_provider_add_file (mock, TRACE_BUILDER_LOOP_BASE, path, 0x1000,
                                             trace_builder_loop_code_size, NULL, &error));
  g_assert_no_error (error);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (coverage), NULL, &error));
  g_assert_no_error (error);

  write_and_parse_drcov (coverage, image, modules, entries);
  g_assert_cmpuint (modules->len, ==, 1);
  module = &g_array_index (modules, DrcovModule, 0);
  g_assert_cmphex (module->base, ==, TRACE_BUILDER_LOOP_BASE);
  g_assert_cmphex (module->end, ==, TRACE_BUILDER_LOOP_BASE + trace_builder_loop_code_size);
  g_assert_cmpstr (module->path, ==, path);
  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < entries->len; i++)
    {
      const DrcovEntry *entry = &g_array_index (entries, DrcovEntry, i);

      g_assert_cmphex (entry->start, ==, expected[i].start);
      g_assert_cmpuint (entry->size, ==, expected[i].size);
      g_assert_cmpuint (entry->id, ==, expected[i].id);
    }
  for (guint i = 0; i < modules->len; i++)
    g_free (g_array_index (modules, DrcovModule, i).path);
  g_unlink (path);
}

/* Code without a file (JIT code, a plain byte region) has no module. */
static void
test_drcov_no_module (void)
{
  g_autoptr(GBytes) trace = make_loop_trace (1);
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptCoverage) coverage = decode (IPT_DECODER_KIND_INSN, trace);
  g_autoptr(GArray) modules = g_array_new (FALSE, FALSE, sizeof (DrcovModule));
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DrcovEntry));

  write_and_parse_drcov (coverage, image, modules, entries);
  g_assert_cmpuint (modules->len, ==, 0);
  g_assert_cmpuint (entries->len, ==, 0);
}

/* A stream that fails: each writer returns its error. */
static void
test_write_errors (void)
{
  g_autoptr(GBytes) trace = make_loop_trace (1);
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(IptCoverage) coverage = decode (IPT_DECODER_KIND_BLOCK, trace);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  GError *error = NULL;

  g_assert_true (g_output_stream_close (out, NULL, NULL));
  g_assert_false (ipt_coverage_write_blocks (coverage, out, IPT_COVERAGE_FORMAT_TEXT, NULL,
                                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (ipt_coverage_write_blocks (coverage, out, IPT_COVERAGE_FORMAT_JSON, NULL,
                                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (ipt_coverage_write_drcov (coverage, image, out, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/coverage/loop/blocks-and-edges", test_loop_blocks);
  g_test_add_func ("/coverage/block/class-unknown", test_block_class_unknown);
  g_test_add_func ("/coverage/list/json", test_json);
  g_test_add_func ("/coverage/afl/wrap-at-256", test_afl_wrap);
  g_test_add_func ("/coverage/afl/branch-leaves-range", test_afl_exit);
  g_test_add_func ("/coverage/afl/interrupt-after-branch", test_afl_async_disable);
  g_test_add_func ("/coverage/cr3/keyed-by-address-space", test_cr3);
  g_test_add_func ("/coverage/merge/mid-run", test_merge_mid_run);
  g_test_add_func ("/coverage/merge/separate-traces", test_merge_separate);
  g_test_add_func ("/coverage/accumulate-and-reset", test_accumulate_reset);
  g_test_add_func ("/coverage/drcov/contiguous-ranges", test_drcov);
  g_test_add_func ("/coverage/drcov/no-module", test_drcov_no_module);
  g_test_add_func ("/coverage/write-errors", test_write_errors);

  return g_test_run ();
}
