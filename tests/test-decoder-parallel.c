/* test-decoder-parallel.c: a decode on several jobs (ipt_decoder_set_jobs())
 * gives its sink exactly the calls of a serial decode. A recording sink
 * writes every call as a line (with the decoder's offset and time at the
 * call) and splits and merges by concatenation; the tests compare the
 * lines of jobs 2, 3 and 8 with those of one job, on synthetic traces
 * (PSBs in mid-flow, overflows, bad packets and unmapped code near the
 * cuts, memory that changes over time), with --corpus on the real traces
 * of $IPT_CORPUS_DIR (the corpus suite), with --record on ipt-record's
 * recordings of the project's test programs (the record suite). */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "mock-provider.h"
#include "test-image-support.h"
#include "trace-builder.h"

/* ---- a sink that writes every call as a line ---- */

#define TEXT_TYPE_SINK (text_sink_get_type ())
G_DECLARE_FINAL_TYPE (TextSink, text_sink, TEXT, SINK, GObject)

struct _TextSink {
  GObject parent_instance;
  IptSinkNeeds needs;
  gboolean splits;
  IptDecoder *decoder;          /* from begin, for the offset and time of each call */
  GString *text;                /* the lines not yet hashed */
  GChecksum *sum;               /* of the lines hashed (a root sink's, never a part's) */
  guint64 n_lines;
  gboolean is_part;
  guint n_parts_merged;
};

static void text_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TextSink, text_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, text_sink_iface_init))

static void
text_sink_finalize (GObject *object)
{
  TextSink *self = TEXT_SINK (object);

  g_string_free (self->text, TRUE);
  g_checksum_free (self->sum);
  G_OBJECT_CLASS (text_sink_parent_class)->finalize (object);
}

static void
text_sink_class_init (TextSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = text_sink_finalize;
}

static void
text_sink_init (TextSink *self)
{
  self->text = g_string_new (NULL);
  self->sum = g_checksum_new (G_CHECKSUM_SHA256);
}

static TextSink *
text_sink_new (IptSinkNeeds needs)
{
  TextSink *self = g_object_new (TEXT_TYPE_SINK, NULL);

  self->needs = needs;
  return self;
}

/* A root sink hashes as it goes, so that a serial decode of the corpus
 * keeps no listing in memory; a part keeps its lines for the merge. */
static void
text_sink_flush (TextSink *self, gboolean all)
{
  if (self->is_part || (!all && self->text->len < (1 << 20)))
    return;
  g_checksum_update (self->sum, (const guchar *) self->text->str, self->text->len);
  g_string_truncate (self->text, 0);
}

/* Whether lines say the decoder's offset and time at the call; with the
 * block decoder both depend on where libipt ends blocks (see test_corpus). */
static gboolean lines_have_position = TRUE;

static void
text_sink_line_start (TextSink *self, char what)
{
  guint64 offset = 0, time = 0;
  gboolean has_offset = ipt_decoder_get_offset (self->decoder, &offset);
  gboolean has_time = ipt_decoder_get_time (self->decoder, &time);

  self->n_lines++;
  if (!lines_have_position)
    {
      g_string_append_c (self->text, what);
      return;
    }

  g_string_append_printf (self->text, "%c @%" G_GINT64_MODIFIER "x%s", what,
                          has_offset ? offset : G_MAXUINT64, has_time ? "" : " -");
  if (has_time)
    g_string_append_printf (self->text, " t%" G_GUINT64_FORMAT, time);
}

static void
text_sink_line_end (TextSink *self)
{
  g_string_append_c (self->text, '\n');
  text_sink_flush (self, FALSE);
}

static gboolean
text_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  TEXT_SINK (sink)->decoder = decoder;
  return TRUE;
}

static IptSinkNeeds
text_sink_get_needs (IptSink *sink)
{
  return TEXT_SINK (sink)->needs;
}

static void
text_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  TextSink *self = TEXT_SINK (sink);

  text_sink_line_start (self, 'i');
  g_string_append_printf (self->text, " %" G_GINT64_MODIFIER "x %u", insn->ip, insn->size);
  /* the block decoder's walk knows the class of a block's last instruction only */
  if (ipt_decoder_get_kind (self->decoder) == IPT_DECODER_KIND_INSN)
    g_string_append_printf (self->text, " %d", insn->iclass);
  text_sink_line_end (self);
}

static void
text_sink_block (IptSink *sink, const struct pt_block *block)
{
  TextSink *self = TEXT_SINK (sink);

  text_sink_line_start (self, 'b');
  g_string_append_printf (self->text, " %" G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER "x %u",
                          block->ip, block->end_ip, block->ninsn);
  text_sink_line_end (self);
}

static void
text_sink_event (IptSink *sink, const struct pt_event *event)
{
  TextSink *self = TEXT_SINK (sink);
  guint64 ip = 0;

  switch (event->type)
    {
    case ptev_enabled: ip = event->variant.enabled.ip; break;
    case ptev_disabled: ip = event->variant.disabled.ip; break;
    case ptev_async_disabled: ip = event->variant.async_disabled.ip; break;
    case ptev_overflow: ip = event->variant.overflow.ip; break;
    case ptev_exec_mode: ip = event->variant.exec_mode.ip; break;
    case ptev_paging: ip = event->variant.paging.cr3; break;
    default: break;
    }
  text_sink_line_start (self, 'e');
  g_string_append_printf (self->text, " %d%s%s %" G_GINT64_MODIFIER "x", event->type,
                          event->status_update ? " su" : "",
                          event->ip_suppressed ? " ips" : "", ip);
  if (event->has_tsc)
    g_string_append_printf (self->text, " tsc%" G_GUINT64_FORMAT, (guint64) event->tsc);
  text_sink_line_end (self);
}

static void
text_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  TextSink *self = TEXT_SINK (sink);

  text_sink_line_start (self, 'x');
  g_string_append_printf (self->text, " %s %" G_GINT64_FORMAT " %" G_GINT64_MODIFIER "x %d",
                          ipt_decode_error_kind_get_label (kind), offset, ip, code);
  text_sink_line_end (self);
}

static void
text_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  TextSink *self = TEXT_SINK (sink);

  text_sink_line_start (self, 't');
  g_string_append_printf (self->text, " %" G_GINT64_FORMAT, offset);
  text_sink_line_end (self);
}

static IptSink *
text_sink_split (IptSink *sink)
{
  TextSink *part = text_sink_new (TEXT_SINK (sink)->needs);

  part->is_part = TRUE;
  return IPT_SINK (part);
}

static gboolean
text_sink_merge (IptSink *sink, IptSink *part_sink, GError **error)
{
  TextSink *self = TEXT_SINK (sink);
  TextSink *part = TEXT_SINK (part_sink);

  g_assert_true (part->is_part);
  g_string_append_len (self->text, part->text->str, part->text->len);
  self->n_lines += part->n_lines;
  self->n_parts_merged++;
  text_sink_flush (self, FALSE);
  return TRUE;
}

static void
text_sink_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = text_sink_get_needs;
  iface->begin = text_sink_begin;
  iface->insn = text_sink_insn;
  iface->block = text_sink_block;
  iface->event = text_sink_event;
  iface->error = text_sink_error;
  iface->end_of_trace = text_sink_end_of_trace;
  iface->split = text_sink_split;
  iface->merge = text_sink_merge;
}

/* A sink without split and merge: decoded serially whatever the jobs. */
#define PLAIN_TYPE_SINK (plain_sink_get_type ())
G_DECLARE_FINAL_TYPE (PlainSink, plain_sink, PLAIN, SINK, GObject)
struct _PlainSink {
  GObject parent_instance;
  guint64 n_blocks;
};

static void
plain_sink_block (IptSink *sink, const struct pt_block *block)
{
  PLAIN_SINK (sink)->n_blocks++;
}

static void
plain_sink_iface_init (IptSinkInterface *iface)
{
  iface->block = plain_sink_block;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (PlainSink, plain_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, plain_sink_iface_init))
static void plain_sink_class_init (PlainSinkClass *klass) { }
static void plain_sink_init (PlainSink *self) { }

/* ---- decoding ---- */

typedef struct {
  char *digest;
  guint64 n_lines;
  guint n_segments;
  char *text;                   /* with IPT_TEST_KEEP_TEXT, to see a difference */
} Listing;

static void
listing_clear (Listing *listing)
{
  g_free (listing->digest);
  g_free (listing->text);
}

static void
decode_listing (IptImage *image, IptDecoderKind kind, GBytes *trace, const char *path,
                guint jobs, IptSinkNeeds needs, Listing *out)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TextSink) sink = text_sink_new (needs);
  g_autoptr(GError) error = NULL;
  gboolean keep = g_getenv ("IPT_TEST_KEEP_TEXT") != NULL;
  gboolean ok;

  if (keep)
    sink->is_part = TRUE;       /* keeps all its lines */
  ipt_decoder_set_jobs (decoder, jobs);
  g_assert_cmpuint (ipt_decoder_get_jobs (decoder), ==, jobs);
  if (path != NULL)
    ok = ipt_decoder_decode_file (decoder, path, 0, 0, IPT_SINK (sink), NULL, &error);
  else
    ok = ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  if (keep)
    out->text = g_strdup (sink->text->str);
  g_checksum_update (sink->sum, (const guchar *) sink->text->str, sink->text->len);
  out->digest = g_strdup (g_checksum_get_string (sink->sum));
  out->n_lines = sink->n_lines;
  out->n_segments = ipt_decoder_get_n_segments (decoder);
  g_assert_cmpuint (out->n_segments, ==, jobs == 1 ? 1 : MAX (sink->n_parts_merged, 1));
}

static void
assert_same_listing (const Listing *serial, const Listing *parallel)
{
  if (serial->text != NULL && g_strcmp0 (serial->text, parallel->text) != 0)
    {
      g_file_set_contents ("parallel-serial.txt", serial->text, -1, NULL);
      g_file_set_contents ("parallel-jobs.txt", parallel->text, -1, NULL);
      g_test_message ("listings written to parallel-serial.txt and parallel-jobs.txt");
    }
  g_assert_cmpuint (parallel->n_lines, ==, serial->n_lines);
  g_assert_cmpstr (parallel->digest, ==, serial->digest);
}

/* The job counts a trace is decoded with besides one: 2, 3 and 8, but
 * only 2 for a trace file over 256 KiB (the corpus's mruby and qemu: each
 * decode of them is millions of instructions, and the suite also runs
 * under ASan in CI; unzip, foo and the recordings cover 3 and 8). */
static gsize
jobs_for (const char *path, const guint **jobs)
{
  static const guint all[] = { 2, 3, 8 }, two[] = { 2 };
  GStatBuf st;

  if (path != NULL && g_stat (path, &st) == 0 && st.st_size > 256 * 1024)
    {
      *jobs = two;
      return G_N_ELEMENTS (two);
    }
  *jobs = all;
  return G_N_ELEMENTS (all);
}

/* Decodes with 1, 2, 3 and 8 jobs; returns the fewest segments a
 * parallel decode used. */
static guint
assert_jobs_agree (IptImage *image, IptDecoderKind kind, GBytes *trace, const char *path,
                   IptSinkNeeds needs)
{
  const guint *jobs;
  gsize n_jobs = jobs_for (path, &jobs);
  Listing serial = { 0, };
  guint fewest = G_MAXUINT;

  decode_listing (image, kind, trace, path, 1, needs, &serial);
  g_assert_cmpuint (serial.n_lines, >, 0);
  for (gsize i = 0; i < n_jobs; i++)
    {
      Listing parallel = { 0, };

      decode_listing (image, kind, trace, path, jobs[i], needs, &parallel);
      g_test_message ("%s decoder, %u jobs: %u segments, %" G_GUINT64_FORMAT " calls",
                      kind == IPT_DECODER_KIND_BLOCK ? "block" : "insn", jobs[i],
                      parallel.n_segments, parallel.n_lines);
      assert_same_listing (&serial, &parallel);
      fewest = MIN (fewest, parallel.n_segments);
      listing_clear (&parallel);
    }
  listing_clear (&serial);
  return fewest;
}

static IptSinkNeeds
needs_for (IptDecoderKind kind)
{
  /* the block decoder walks its blocks too: both paths at once */
  return kind == IPT_DECODER_KIND_BLOCK ? IPT_SINK_NEEDS_BLOCKS | IPT_SINK_NEEDS_INSNS
                                        : IPT_SINK_NEEDS_INSNS;
}

/* ---- synthetic traces ---- */

static void
put_mode_exec (TraceBuilder *enc)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = ppt_mode;
  packet.payload.mode.leaf = pt_mol_exec;
  packet.payload.mode.bits.exec.csl = 1;
  g_assert_cmpint (pt_enc_next (enc->encoder, &packet), >, 0);
}

/* PSB, [TSC], MODE.Exec, [FUP ip], PSBEND */
static void
put_psb_plus (TraceBuilder *enc, gboolean with_tsc, guint64 tsc, guint64 fup)
{
  trace_builder_put (enc, ppt_psb);
  if (with_tsc)
    trace_builder_put_tsc (enc, tsc);
  put_mode_exec (enc);
  if (fup != 0)
    trace_builder_put_ip (enc, ppt_fup, pt_ipc_sext_48, fup);
  trace_builder_put (enc, ppt_psbend);
}

typedef enum {
  TRACE_PLAIN,          /* runs of the loop, PSBs in mid-flow, overflows, bad bytes */
  TRACE_TIMED,          /* every PSB+ with a TSC */
  TRACE_SOME_TIMED,     /* only some PSB+ with a TSC */
  TRACE_SPARSE,         /* whole runs only, 800 to a PSB (16 KiB apart) */
} TraceFlavour;

/* A trace of @n_chunks pieces of trace_builder_loop_code's flow, chosen
 * by @seed: whole runs, runs with a PSB+ (FUP) between their branches,
 * runs into code that is not mapped, overflows, and bytes that are no
 * packet; each piece ends with tracing disabled, so that any piece may
 * follow any other. TSCs count up by 10 from 10. */
static GBytes *
make_trace (guint32 seed, guint n_chunks, TraceFlavour flavour)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint64 tsc = 0;

  for (guint i = 0; i < n_chunks; i++)
    {
      g_autofree TraceBuilder *enc = g_new (TraceBuilder, 1);
      g_autoptr(GBytes) piece = NULL;
      guint kind = flavour == TRACE_SPARSE ? 0
                   : g_rand_int_range (rand, 0, flavour == TRACE_PLAIN ? 7 : 3);
      gboolean with_tsc = flavour == TRACE_TIMED ||
                          (flavour == TRACE_SOME_TIMED && g_rand_boolean (rand));

      tsc += 10;
      if (kind == 6)
        {
          /* bytes that are no packet: a decode error, a resync at the next PSB */
          static const guint8 junk[] = { 0xd9, 0xff, 0x21, 0x7e };

          g_byte_array_append (bytes, junk, sizeof junk);
          continue;
        }

      trace_builder_init (enc);
      put_psb_plus (enc, with_tsc, tsc, 0);
      trace_builder_put_ip (enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
      switch (kind)
        {
        case 0:
        case 1:
          /* a whole run */
          trace_builder_put_tnt (enc, 3, 0x6);
          trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, 0x1011);
          break;
        case 2:
          /* a PSB+ between the loop's branches, at the jne it stops at */
          trace_builder_put_tnt (enc, 2, 0x3);
          tsc += 1;
          put_psb_plus (enc, with_tsc, tsc, 0x1003);
          trace_builder_put_tnt (enc, 1, 0x0);
          trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, 0x1011);
          break;
        case 3:
          /* the return goes where nothing is mapped */
          trace_builder_put_tnt (enc, 3, 0x6);
          trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, 0x7000);
          break;
        case 4:
          /* an overflow in the middle of the loop, resumed at the jne */
          trace_builder_put_tnt (enc, 1, 0x1);
          trace_builder_put (enc, ppt_ovf);
          trace_builder_put_ip (enc, ppt_fup, pt_ipc_sext_48, 0x100a);
          trace_builder_put_tnt (enc, 1, 0x0);
          trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, 0x1011);
          break;
        case 5:
          /* a TIP where a TNT is due: a decode error */
          trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, 0x1011);
          break;
        }
      trace_builder_put_ip (enc, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);
      for (guint run = 1; flavour == TRACE_SPARSE && run < 800; run++)
        {
          trace_builder_put_ip (enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
          trace_builder_put_tnt (enc, 3, 0x6);
          trace_builder_put_ip (enc, ppt_tip, pt_ipc_sext_48, 0x1011);
          trace_builder_put_ip (enc, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);
        }
      piece = trace_builder_finish (enc);
      g_byte_array_append (bytes, g_bytes_get_data (piece, NULL), g_bytes_get_size (piece));
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* @code (the loop's size) at the loop's base, valid in [@from, @to) or always. */
static void
add_loop_code (IptImage *image, const guint8 *code, gboolean timed, guint64 from, guint64 to)
{
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_bytes (mock, TRACE_BUILDER_LOOP_BASE, code,
                               trace_builder_loop_code_size, NULL);
  if (timed)
    ipt_mock_provider_set_last_validity (mock, from, to);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
}

static IptImage *
make_loop_image (void)
{
  IptImage *image = ipt_image_new ("loop");

  add_loop_code (image, trace_builder_loop_code, FALSE, 0, 0);
  return image;
}

static void
test_synthetic (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_loop_image ();

  for (guint32 seed = 1; seed <= 4; seed++)
    {
      g_autoptr(GBytes) trace = make_trace (seed, 1500, TRACE_PLAIN);

      g_test_message ("seed %u: %" G_GSIZE_FORMAT " bytes", seed, g_bytes_get_size (trace));
      g_assert_cmpuint (assert_jobs_agree (image, kind, trace, NULL, needs_for (kind)), >, 1);
      /* events and errors only, and blocks only */
      assert_jobs_agree (image, kind, trace, NULL, IPT_SINK_NEEDS_NONE);
      if (kind == IPT_DECODER_KIND_BLOCK)
        assert_jobs_agree (image, kind, trace, NULL, IPT_SINK_NEEDS_BLOCKS);
    }
}

/* PSBs further apart than the longest check window (8 KiB): the windows
 * end between PSBs, and still agree. */
static void
test_sparse_psbs (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_loop_image ();
  g_autoptr(GBytes) trace = make_trace (9, 40, TRACE_SPARSE);

  g_assert_cmpuint (assert_jobs_agree (image, kind, trace, NULL, needs_for (kind)), >, 1);
}

/* The loop's code until time 5000, then the same loop with its first
 * instruction (xor rax,rax) made three nops: the listing shows which
 * memory each run was decoded over. */
static IptImage *
make_timed_image (void)
{
  IptImage *image = ipt_image_new ("timed");
  g_autofree guint8 *nops = g_memdup2 (trace_builder_loop_code, trace_builder_loop_code_size);

  memset (nops, 0x90, 3);
  add_loop_code (image, trace_builder_loop_code, TRUE, 0, 5000);
  add_loop_code (image, nops, TRUE, 5000, G_MAXUINT64);
  return image;
}

static void
test_timed (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_timed_image ();
  g_autoptr(GBytes) timed = make_trace (7, 1000, TRACE_TIMED);
  g_autoptr(GBytes) some = make_trace (8, 1000, TRACE_SOME_TIMED);

  /* ~500 runs before time 5000, ~500 after (test_timed_uses_both_memories) */
  g_assert_cmpuint (assert_jobs_agree (image, kind, timed, NULL, needs_for (kind)), >, 1);
  /* a segment that starts without a time cannot know the memory: its
   * boundary is decoded across, and the listing still agrees */
  assert_jobs_agree (image, kind, some, NULL, needs_for (kind));
}

/* The nop runs and the xor runs both occur in the timed trace's listing. */
static void
test_timed_uses_both_memories (void)
{
  g_autoptr(IptImage) image = make_timed_image ();
  g_autoptr(GBytes) timed = make_trace (7, 1000, TRACE_TIMED);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_INSN);
  g_autoptr(TextSink) sink = text_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GError) error = NULL;

  sink->is_part = TRUE;
  ipt_decoder_set_jobs (decoder, 2);
  g_assert_true (ipt_decoder_decode_bytes (decoder, timed, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (sink->text->str, " 1000 3 "));   /* xor rax,rax */
  g_assert_nonnull (strstr (sink->text->str, " 1000 1 "));   /* nop */
}

static void
test_statistics (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_loop_image ();
  g_autoptr(GBytes) trace = make_trace (3, 1500, TRACE_PLAIN);
  g_autoptr(IptStatistics) serial = ipt_statistics_new ();
  g_autoptr(IptStatistics) parallel = ipt_statistics_new ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_sink_can_split (IPT_SINK (serial)));
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (serial), NULL, &error));
  g_assert_no_error (error);
  ipt_decoder_set_jobs (decoder, 3);
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (parallel), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ipt_decoder_get_n_segments (decoder), >, 1);

  g_assert_cmpuint (ipt_statistics_get_n_errors (serial), >, 0);
  g_assert_cmpuint (ipt_statistics_get_n_insns (parallel), ==, ipt_statistics_get_n_insns (serial));
  g_assert_cmpuint (ipt_statistics_get_n_blocks (parallel), ==, ipt_statistics_get_n_blocks (serial));
  g_assert_cmpuint (ipt_statistics_get_n_events (parallel), ==, ipt_statistics_get_n_events (serial));
  g_assert_cmpuint (ipt_statistics_get_n_errors (parallel), ==, ipt_statistics_get_n_errors (serial));
  for (int k = IPT_DECODE_ERROR_SYNC; k <= IPT_DECODE_ERROR_RECONSTRUCT; k++)
    for (int code = 0; code < IPT_STATISTICS_N_ERROR_CODES; code++)
      g_assert_cmpuint (ipt_statistics_get_n_errors_with_code (parallel, k, -code), ==,
                        ipt_statistics_get_n_errors_with_code (serial, k, -code));
  for (int e = 0; e <= IPT_EVENT_KIND_OTHER; e++)
    g_assert_cmpuint (ipt_statistics_get_n_events_of_kind (parallel, e), ==,
                      ipt_statistics_get_n_events_of_kind (serial, e));
}

/* A sink without split and merge is decoded serially, and says so. */
static void
test_unsplittable_sink (void)
{
  g_autoptr(IptImage) image = make_loop_image ();
  g_autoptr(GBytes) trace = make_trace (2, 500, TRACE_PLAIN);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(PlainSink) sink = g_object_new (PLAIN_TYPE_SINK, NULL);
  g_autoptr(TextSink) text = text_sink_new (IPT_SINK_NEEDS_BLOCKS);
  g_autoptr(GError) error = NULL;
  guint jobs = 0;

  g_assert_false (ipt_sink_can_split (IPT_SINK (sink)));
  g_assert_null (ipt_sink_split (IPT_SINK (sink)));
  g_assert_false (ipt_sink_merge (IPT_SINK (sink), IPT_SINK (text), &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* 0: one per processor; the property is the setter's */
  g_object_set (decoder, "jobs", 0, NULL);
  g_object_get (decoder, "jobs", &jobs, NULL);
  g_assert_cmpuint (jobs, ==, 0);
  ipt_decoder_set_jobs (decoder, 4);
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ipt_decoder_get_n_segments (decoder), ==, 1);
  g_assert_cmpuint (sink->n_blocks, >, 0);

  /* and a trace with a single PSB cannot be cut */
  {
    g_autofree TraceBuilder *enc = g_new (TraceBuilder, 1);
    g_autoptr(GBytes) one = NULL;
    g_autoptr(TextSink) splits = text_sink_new (IPT_SINK_NEEDS_BLOCKS);

    trace_builder_init (enc);
    trace_builder_put_loop_run (enc);
    one = trace_builder_finish (enc);
    g_assert_true (ipt_decoder_decode_bytes (decoder, one, IPT_SINK (splits), NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ipt_decoder_get_n_segments (decoder), ==, 1);
  }
}

/* A cancelled parallel decode fails like a serial one. */
static void
test_cancelled (void)
{
  g_autoptr(IptImage) image = make_loop_image ();
  g_autoptr(GBytes) trace = make_trace (5, 1500, TRACE_PLAIN);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_INSN);
  g_autoptr(TextSink) sink = text_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  ipt_decoder_set_jobs (decoder, 2);
  g_assert_false (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), cancellable,
                                            &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A range of a file (offsets relative to its start), and the async decode
 * (progress in the caller's context) with jobs: the serial calls. */
typedef struct {
  GMainLoop *loop;
  gboolean ok;
  GError *error;
  guint n_progress;
  guint64 last_offset;
} AsyncData;

static void
on_progress (IptDecoder *decoder, guint64 offset, guint64 size, gpointer user_data)
{
  AsyncData *data = user_data;

  g_assert_cmpuint (offset, >=, data->last_offset);
  g_assert_cmpuint (offset, <=, size);
  data->last_offset = offset;
  data->n_progress++;
}

static void
on_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncData *data = user_data;

  data->ok = ipt_decoder_decode_file_finish (IPT_DECODER (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_file_range_and_async (void)
{
  static const guint8 junk[] = { 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99 };
  g_autoptr(IptImage) image = make_loop_image ();
  g_autoptr(GBytes) trace = make_trace (6, 1500, TRACE_PLAIN);
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(TextSink) serial = text_sink_new (needs_for (IPT_DECODER_KIND_BLOCK));
  g_autoptr(TextSink) parallel = text_sink_new (needs_for (IPT_DECODER_KIND_BLOCK));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  AsyncData data = { 0, };
  guint64 from = sizeof junk, to;
  int fd;

  g_byte_array_append (file, junk, sizeof junk);
  g_byte_array_append (file, g_bytes_get_data (trace, NULL), g_bytes_get_size (trace));
  to = file->len;
  g_byte_array_append (file, junk, sizeof junk);
  fd = g_file_open_tmp ("test-decoder-parallel-XXXXXX.pt", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, file->data, file->len), ==, (gssize) file->len);
  close (fd);

  serial->is_part = parallel->is_part = TRUE;   /* keep every line */
  g_assert_true (ipt_decoder_decode_file (decoder, path, from, to, IPT_SINK (serial), NULL,
                                          &error));
  g_assert_no_error (error);

  ipt_decoder_set_jobs (decoder, 3);
  g_signal_connect (decoder, "progress", G_CALLBACK (on_progress), &data);
  data.loop = g_main_loop_new (NULL, FALSE);
  ipt_decoder_decode_file_async (decoder, path, from, to, IPT_SINK (parallel), NULL,
                                 on_decoded, &data);
  g_main_loop_run (data.loop);
  g_main_loop_unref (data.loop);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpuint (ipt_decoder_get_n_segments (decoder), >, 1);
  g_assert_cmpuint (data.n_progress, >, 0);
  g_assert_cmpuint (data.last_offset, ==, to - from);
  g_assert_cmpstr (parallel->text->str, ==, serial->text->str);
  g_unlink (path);
}

/* ---- real traces ---- */

/* The file @trace over @image, both decoders. Where a block ends depends
 * on libipt's block cache (in the section cache, filled by every decode):
 * a direct call that a first decode ends a block at, a later one goes
 * through, and delivers the instructions after it at a later trace offset.
 * So the block decoder's instructions are compared first, from a cold
 * cache on, without offsets; then its blocks and offsets, once the serial
 * decode has filled the cache. */
static void
assert_real_trace_agrees (IptImage *image, const char *trace)
{
  lines_have_position = FALSE;
  g_assert_cmpuint (assert_jobs_agree (image, IPT_DECODER_KIND_BLOCK, NULL, trace,
                                       IPT_SINK_NEEDS_INSNS), >, 1);
  lines_have_position = TRUE;
  g_assert_cmpuint (assert_jobs_agree (image, IPT_DECODER_KIND_BLOCK, NULL, trace,
                                       needs_for (IPT_DECODER_KIND_BLOCK)), >, 1);
  g_assert_cmpuint (assert_jobs_agree (image, IPT_DECODER_KIND_INSN, NULL, trace,
                                       needs_for (IPT_DECODER_KIND_INSN)), >, 1);
}

/* ---- the analyses: coverage and calls ---- */

/* What a stream written by @write holds, as "SIZE DIGEST" (the outputs of
 * mruby are big; a difference is found by the serial one's bytes). */
typedef gboolean (*WriteFunc) (gpointer analysis, GOutputStream *stream, gpointer data,
                               GError **error);

static char *
digest_of (const void *data, gsize size)
{
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);

  return g_strdup_printf ("%" G_GSIZE_FORMAT " %s", size, sum);
}

static char *
digest_written (gpointer analysis, WriteFunc write, gpointer data)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (write (analysis, out, data, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return digest_of (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
}

static gboolean
write_text (gpointer coverage, GOutputStream *out, gpointer data, GError **error)
{
  return ipt_coverage_write_blocks (coverage, out, IPT_COVERAGE_FORMAT_TEXT, NULL, error);
}

static gboolean
write_json (gpointer coverage, GOutputStream *out, gpointer data, GError **error)
{
  return ipt_coverage_write_blocks (coverage, out, IPT_COVERAGE_FORMAT_JSON, NULL, error);
}

static gboolean
write_drcov (gpointer coverage, GOutputStream *out, gpointer image, GError **error)
{
  return ipt_coverage_write_drcov (coverage, image, out, NULL, error);
}

static gboolean
write_lcov (gpointer coverage, GOutputStream *out, gpointer image, GError **error)
{
  return ipt_coverage_write_lcov (coverage, image, NULL, out, NULL, error);
}

static gboolean
write_listing (gpointer calls, GOutputStream *out, gpointer data, GError **error)
{
  return ipt_calls_write_listing (calls, out, error);
}

static gboolean
write_folded (gpointer calls, GOutputStream *out, gpointer data, GError **error)
{
  return ipt_calls_write_folded (calls, out, error);
}

static gboolean
write_chrome (gpointer calls, GOutputStream *out, gpointer data, GError **error)
{
  return ipt_calls_write_chrome_trace (calls, out, error);
}

/* Every output of a coverage and a call analysis of one decode. */
typedef struct {
  char *outputs[8];
  guint n_segments;
} Analyses;

static const char *const output_names[] = {
  "AFL bitmap", "block list (text)", "block list (JSON)", "drcov", "lcov",
  "call listing", "folded stacks", "Chrome trace",
};

static void
analyses_clear (Analyses *analyses)
{
  for (guint i = 0; i < G_N_ELEMENTS (analyses->outputs); i++)
    g_free (analyses->outputs[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Analyses, analyses_clear)

/* Decodes @trace into one coverage and one call analysis, on @jobs jobs;
 * lcov with @with_lcov (the image has DWARF lines). */
static void
decode_analyses (IptImage *image, IptSymbolResolver *symbols, IptDecoderKind kind,
                 const char *trace, guint jobs, gboolean with_lcov, Analyses *out)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(IptCoverage) coverage = ipt_coverage_new ();
  g_autoptr(IptCalls) calls = ipt_calls_new (symbols);
  g_autoptr(GBytes) bitmap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_sink_can_split (IPT_SINK (coverage)));
  g_assert_true (ipt_sink_can_split (IPT_SINK (calls)));
  ipt_decoder_set_jobs (decoder, jobs);
  g_assert_true (ipt_decoder_decode_file (decoder, trace, 0, 0, IPT_SINK (coverage), NULL,
                                          &error));
  g_assert_no_error (error);
  out->n_segments = ipt_decoder_get_n_segments (decoder);
  g_assert_true (ipt_decoder_decode_file (decoder, trace, 0, 0, IPT_SINK (calls), NULL,
                                          &error));
  g_assert_no_error (error);
  out->n_segments = MIN (out->n_segments, ipt_decoder_get_n_segments (decoder));

  bitmap = ipt_coverage_get_afl_bitmap (coverage);
  out->outputs[0] = digest_of (g_bytes_get_data (bitmap, NULL), g_bytes_get_size (bitmap));
  out->outputs[1] = digest_written (coverage, write_text, NULL);
  out->outputs[2] = digest_written (coverage, write_json, NULL);
  out->outputs[3] = digest_written (coverage, write_drcov, image);
  out->outputs[4] = with_lcov ? digest_written (coverage, write_lcov, image) : NULL;
  out->outputs[5] = digest_written (calls, write_listing, NULL);
  out->outputs[6] = digest_written (calls, write_folded, NULL);
  out->outputs[7] = digest_written (calls, write_chrome, NULL);
}

/* Coverage and calls of jobs 2, 3 and 8 are those of one job, byte for
 * byte, with both decoders; and the trace was really cut. */
static void
assert_analyses_agree (IptImage *image, IptSymbolResolver *symbols, const char *trace,
                       gboolean with_lcov)
{
  const guint *jobs;
  gsize n_jobs = jobs_for (trace, &jobs);

  for (IptDecoderKind kind = IPT_DECODER_KIND_BLOCK; kind <= IPT_DECODER_KIND_INSN; kind++)
    {
      g_auto(Analyses) serial = { 0, };

      decode_analyses (image, symbols, kind, trace, 1, with_lcov, &serial);
      g_assert_cmpuint (serial.n_segments, ==, 1);
      for (gsize j = 0; j < n_jobs; j++)
        {
          g_auto(Analyses) parallel = { 0, };

          decode_analyses (image, symbols, kind, trace, jobs[j], with_lcov, &parallel);
          g_test_message ("analyses, %s decoder, %u jobs: %u segments",
                          kind == IPT_DECODER_KIND_BLOCK ? "block" : "insn", jobs[j],
                          parallel.n_segments);
          g_assert_cmpuint (parallel.n_segments, >, 1);
          for (guint i = 0; i < G_N_ELEMENTS (serial.outputs); i++)
            {
              if (g_strcmp0 (serial.outputs[i], parallel.outputs[i]) != 0)
                g_test_message ("%s differs", output_names[i]);
              g_assert_cmpstr (parallel.outputs[i], ==, serial.outputs[i]);
            }
        }
    }
}

/* ---- the analyses' merge, at every call ---- */

/* One call a decode makes: an instruction (@what 'i': @ip, @raw of @size,
 * @iclass), an event ('e': @type, @ip, @to; 's' for an IP-suppressed
 * disable; 'p' a PIP, CR3 @ip) or an error ('x'). */
typedef struct {
  char what;
  guint64 ip;
  guint8 size;
  guint8 raw[3];
  enum pt_insn_class iclass;
  enum pt_event_type type;
  guint64 to;
} Step;

/* A flow with what a cut may meet right after it: a disable after a call
 * (untraced code), an async branch, an error, an overflow, a suppressed
 * disable; the analyses resolve each against what came before. And CR3
 * changes: a part cut between two knows its CR3 only at the second. */
static const Step script[] = {
  { 'p', 0x1234000 },
  { 'i', 0x1000, 3, { 0x48, 0x31, 0xc0 }, ptic_other },
  { 'i', 0x1003, 5, { 0xe8 }, ptic_call },
  { 'e', 0x7000, .type = ptev_disabled },
  { 'e', 0x1008, .type = ptev_enabled },
  { 'i', 0x1008, 5, { 0xe8 }, ptic_call },
  { 'i', 0x2000, 1, { 0x90 }, ptic_other },
  { 'i', 0x2001, 2, { 0x75 }, ptic_cond_jump },
  { 'e', 0x3000, .type = ptev_disabled },
  { 'e', 0x2003, .type = ptev_enabled },
  { 'i', 0x2003, 1, { 0xc3 }, ptic_return },
  { 'i', 0x100d, 2, { 0xff, 0xe0 }, ptic_jump },
  { 'e', 0x1100, .type = ptev_async_branch, .to = 0x4000 },
  { 'i', 0x4000, 1, { 0x90 }, ptic_other },
  { 'i', 0x4001, 1, { 0xc3 }, ptic_return },
  { 'x', 0x1100 },
  { 'i', 0x5000, 1, { 0x90 }, ptic_other },
  { 'p', 0x5678000 },
  { 'i', 0x5001, 2, { 0x75 }, ptic_cond_jump },
  { 'e', .type = ptev_overflow },
  { 'i', 0x5003, 1, { 0xc3 }, ptic_return },
  { 's', .type = ptev_disabled },
  { 'e', 0x1000, .type = ptev_enabled },
  { 'i', 0x1000, 3, { 0x48, 0x31, 0xc0 }, ptic_other },
  { 'i', 0x1003, 5, { 0xe8 }, ptic_call },
  { 'i', 0x2000, 1, { 0x90 }, ptic_other },
};

static void
feed (IptSink *sink, guint from, guint to)
{
  for (guint i = from; i < to; i++)
    {
      const Step *step = &script[i];
      struct pt_insn insn = { 0, };
      struct pt_event event = { 0, };

      switch (step->what)
        {
        case 'i':
          insn.ip = step->ip;
          insn.size = step->size;
          memcpy (insn.raw, step->raw, sizeof step->raw);
          insn.iclass = step->iclass;
          insn.mode = ptem_64bit;
          ipt_sink_insn (sink, &insn);
          break;
        case 'x':
          ipt_sink_error (sink, IPT_DECODE_ERROR_DECODE, 0x100, step->ip, -pte_bad_packet);
          break;
        default:
          event.type = step->type;
          event.ip_suppressed = step->what == 's';
          if (step->what == 'p')
            {
              event.type = ptev_paging;
              event.variant.paging.cr3 = step->ip;
            }
          else if (step->type == ptev_disabled)
            event.variant.disabled.ip = step->ip;
          else if (step->type == ptev_enabled)
            event.variant.enabled.ip = step->ip;
          else if (step->type == ptev_async_branch)
            {
              event.variant.async_branch.from = step->ip;
              event.variant.async_branch.to = step->to;
            }
          ipt_sink_event (sink, &event);
          break;
        }
    }
}

/* The outputs of @sink (an IptCoverage or an IptCalls) as one string. */
static char *
outputs_of (IptSink *sink)
{
  static const WriteFunc coverage_writes[] = { write_text, write_json, NULL };
  static const WriteFunc calls_writes[] = { write_listing, write_folded, write_chrome, NULL };
  g_autoptr(GString) all = g_string_new (NULL);
  const WriteFunc *writes = calls_writes;

  if (IPT_IS_COVERAGE (sink))
    {
      g_autoptr(GBytes) bitmap = ipt_coverage_get_afl_bitmap (IPT_COVERAGE (sink));
      g_autofree char *sum = digest_of (g_bytes_get_data (bitmap, NULL),
                                        g_bytes_get_size (bitmap));

      g_string_append_printf (all, "bitmap %s\n", sum);
      writes = coverage_writes;
    }
  for (guint i = 0; writes[i] != NULL; i++)
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GError) error = NULL;

      g_assert_true (writes[i] (sink, out, NULL, &error));
      g_assert_no_error (error);
      g_string_append_len (all, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                           g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
    }
  return g_string_free (g_steal_pointer (&all), FALSE);
}

/* What a parallel decode does to a sink, with the cuts at @cuts: begin,
 * one part per piece (split, begin, its calls), merge each in order, end. */
static char *
decode_in_parts (IptSink *sink, const guint *cuts, guint n_cuts)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_sink_begin (sink, NULL, &error));
  for (guint k = 0; k <= n_cuts; k++)
    {
      g_autoptr(IptSink) part = ipt_sink_split (sink);
      guint from = k == 0 ? 0 : cuts[k - 1];
      guint to = k == n_cuts ? G_N_ELEMENTS (script) : cuts[k];

      g_assert_nonnull (part);
      g_assert_true (ipt_sink_begin (part, NULL, &error));
      feed (part, from, to);
      g_assert_true (ipt_sink_merge (sink, part, &error));
      g_assert_no_error (error);
    }
  g_assert_true (ipt_sink_end (sink, &error));
  return outputs_of (sink);
}

/* Coverage and calls merged from parts cut before any call (one cut, and
 * cuts at two calls in a row) are the serial ones. */
static void
test_analyses_merge_anywhere (gconstpointer data)
{
  gboolean coverage = GPOINTER_TO_INT (data);
  g_autoptr(IptSink) serial = coverage ? IPT_SINK (ipt_coverage_new ())
                                       : IPT_SINK (ipt_calls_new (NULL));
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (ipt_sink_begin (serial, NULL, &error));
  feed (serial, 0, G_N_ELEMENTS (script));
  g_assert_true (ipt_sink_end (serial, &error));
  expected = outputs_of (serial);

  for (guint cut = 1; cut < G_N_ELEMENTS (script); cut++)
    {
      guint two[] = { cut, cut + 1 };
      g_autoptr(IptSink) one_cut = coverage ? IPT_SINK (ipt_coverage_new ())
                                            : IPT_SINK (ipt_calls_new (NULL));
      g_autoptr(IptSink) two_cuts = coverage ? IPT_SINK (ipt_coverage_new ())
                                             : IPT_SINK (ipt_calls_new (NULL));
      g_autofree char *merged = decode_in_parts (one_cut, two, 1);

      if (g_strcmp0 (merged, expected) != 0)
        g_test_message ("cut before call %u", cut);
      g_assert_cmpstr (merged, ==, expected);
      if (cut + 1 < G_N_ELEMENTS (script))
        {
          g_autofree char *merged2 = decode_in_parts (two_cuts, two, 2);

          if (g_strcmp0 (merged2, expected) != 0)
            g_test_message ("cuts before calls %u and %u", cut, cut + 1);
          g_assert_cmpstr (merged2, ==, expected);
        }
    }
}

/* ---- ipt-record's recordings ---- */

/* Records the program @program (recursion, qsort callbacks, longjmp,
 * signals) with ipt-record, a PSB every 128 bytes, into a new temporary
 * directory. */
static char *
record_program (const char *program)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-decoder-parallel-XXXXXX", &error);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { g_getenv ("IPT_RECORD"), "--psb-period", "128", "-o", dir, "--",
                         program, NULL };
  int status = -1;

  g_assert_no_error (error);
  g_assert_nonnull (program);
  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("ipt-record: %s", err);
  return dir;
}

static void
remove_recording (const char *dir)
{
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);

  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
}

/* The recording of the program $@data over its page dump: the calls of
 * every job count are the serial ones. */
static void
test_recording (gconstpointer data)
{
  g_autofree char *dir = record_program (g_getenv (data));
  g_autofree char *trace = g_build_filename (dir, "trace.pt", NULL);
  g_autoptr(IptImage) image = test_pagedump_image (dir, data);

  assert_real_trace_agrees (image, trace);
  remove_recording (dir);
}

/* The recording of the program $@data (built with -g) over its page dump
 * and the program's ELF (symbols, lines, drcov's module): coverage and
 * calls of every job count are the serial ones. */
static void
test_recording_analyses (gconstpointer data)
{
  const char *program = g_getenv (data);
  g_autofree char *dir = record_program (program);
  g_autofree char *trace = g_build_filename (dir, "trace.pt", NULL);
  g_autofree char *spec = g_strdup_printf ("elf:file=%s", program);
  g_autoptr(IptImage) image = test_pagedump_image (dir, data);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptMemoryProvider) elf = NULL;
  g_autoptr(IptSymbolResolver) symbols = NULL;
  g_autoptr(GError) error = NULL;

  ipt_plugin_registry_scan_default_path (registry);
  elf = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  ipt_image_add_provider (image, elf);
  symbols = ipt_symbol_resolver_new_for_model (ipt_image_get_providers (image));
  g_assert_cmpuint (ipt_symbol_resolver_get_n_sources (symbols), >, 0);

  assert_analyses_agree (image, symbols, trace, g_str_has_suffix (data, "_G"));
  remove_recording (dir);
}

/* ---- the corpus ---- */

/* The page dump of the corpus trace @name, and in *@trace its path. */
static IptImage *
corpus_image (const char *name, char **trace)
{
  g_autofree char *dir = g_build_filename (g_getenv ("IPT_CORPUS_DIR"), name, NULL);

  *trace = g_build_filename (dir, "trace.pt", NULL);
  return test_pagedump_image (dir, name);
}

static void
test_corpus (gconstpointer data)
{
  g_autofree char *trace = NULL;
  g_autoptr(IptImage) image = corpus_image (data, &trace);

  assert_real_trace_agrees (image, trace);
}

/* The corpus's memory has no symbols: calls name functions by address. */
static void
test_corpus_analyses (gconstpointer data)
{
  g_autofree char *trace = NULL;
  g_autoptr(IptImage) image = corpus_image (data, &trace);

  assert_analyses_agree (image, NULL, trace, FALSE);
}

int
main (int argc, char **argv)
{
  const char *dir = g_getenv ("IPT_CORPUS_DIR");
  const char *const corpus[] = { "unzip", "foo", "mruby", "qemu" };
  gboolean on_corpus = argc > 1 && g_str_equal (argv[argc - 1], "--corpus");
  gboolean on_record = argc > 1 && g_str_equal (argv[argc - 1], "--record");

  /* --corpus or --record (last): that suite's half, else the unit suite's */
  if (on_corpus || on_record)
    argv[--argc] = NULL;
  g_test_init (&argc, &argv, NULL);

  if (on_record)
    {
      g_test_add_data_func ("/decoder-parallel/record/flow-static",
                            "IPT_RECORD_PROGRAM_FLOW_STATIC", test_recording);
      g_test_add_data_func ("/decoder-parallel/record/async-static",
                            "IPT_RECORD_PROGRAM_ASYNC_STATIC", test_recording);
      g_test_add_data_func ("/decoder-parallel/record/analyses/flow-static-g",
                            "IPT_RECORD_PROGRAM_FLOW_STATIC_G", test_recording_analyses);
      g_test_add_data_func ("/decoder-parallel/record/analyses/calls-static",
                            "IPT_RECORD_PROGRAM_CALLS_STATIC", test_recording_analyses);
      return g_test_run ();
    }

  if (on_corpus)
    {
      g_assert_nonnull (dir);
      for (gsize i = 0; i < G_N_ELEMENTS (corpus); i++)
        {
          g_autofree char *path = g_strdup_printf ("/decoder-parallel/corpus/%s", corpus[i]);

          g_autofree char *analyses = g_strdup_printf ("/decoder-parallel/corpus/%s/analyses",
                                                       corpus[i]);

          g_test_add_data_func (path, corpus[i], test_corpus);
          g_test_add_data_func (analyses, corpus[i], test_corpus_analyses);
        }
      return g_test_run ();
    }

  g_test_add_data_func ("/decoder-parallel/synthetic/block", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_synthetic);
  g_test_add_data_func ("/decoder-parallel/synthetic/insn", GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_synthetic);
  g_test_add_data_func ("/decoder-parallel/sparse-psbs/block", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_sparse_psbs);
  g_test_add_data_func ("/decoder-parallel/sparse-psbs/insn", GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_sparse_psbs);
  g_test_add_data_func ("/decoder-parallel/timed/block", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_timed);
  g_test_add_data_func ("/decoder-parallel/timed/insn", GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_timed);
  g_test_add_func ("/decoder-parallel/timed/uses-both-memories", test_timed_uses_both_memories);
  g_test_add_data_func ("/decoder-parallel/statistics/block", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_statistics);
  g_test_add_data_func ("/decoder-parallel/statistics/insn", GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_statistics);
  g_test_add_func ("/decoder-parallel/unsplittable-sink-decodes-serially", test_unsplittable_sink);
  g_test_add_func ("/decoder-parallel/cancelled", test_cancelled);
  g_test_add_data_func ("/decoder-parallel/coverage/merge-anywhere", GINT_TO_POINTER (TRUE),
                        test_analyses_merge_anywhere);
  g_test_add_data_func ("/decoder-parallel/calls/merge-anywhere", GINT_TO_POINTER (FALSE),
                        test_analyses_merge_anywhere);
  g_test_add_func ("/decoder-parallel/file-range-and-async", test_file_range_and_async);

  return g_test_run ();
}
