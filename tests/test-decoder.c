/* test-decoder.c: IptDecoder and IptSink over traces made with libipt's own
 * encoder, on hand-assembled x86-64 code served by a mock provider (callback
 * path) or from a file (file sections). */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-cpu-private.h"
#include "ipt-image-private.h"
#include "mock-provider.h"
#include "trace-builder.h"

/* The instructions trace_builder_put_loop_run() executes, in order. */
static const guint64 expected_ips[] = {
  0x1000,
  0x1003, 0x1006, 0x100a,
  0x1003, 0x1006, 0x100a,
  0x1003, 0x1006, 0x100a,
  0x100c, 0x1016, 0x1019, 0x1011, 0x101d,
};

/* ---- a recording sink ---- */

#define TEST_TYPE_SINK (test_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestSink, test_sink, TEST, SINK, GObject)

struct _TestSink {
  GObject parent_instance;
  IptSinkNeeds needs;
  GPtrArray *log;                       /* one string per call */
  GArray *ips;                          /* guint64 per insn */
  guint64 blocks;
  guint64 block_insns;
  gint64 error_offset;
  GCancellable *cancel_on_insn;
  gboolean began, ended;
  /* at begin, after the decode took its snapshot: replaces swap_out by swap_in */
  IptImage *swap_image;
  IptMemoryProvider *swap_out, *swap_in;
};

static void test_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSink, test_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, test_sink_iface_init))

static IptSinkNeeds
test_sink_get_needs (IptSink *sink)
{
  return TEST_SINK (sink)->needs;
}

static gboolean
test_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  TestSink *self = TEST_SINK (sink);

  g_assert_true (IPT_IS_DECODER (decoder));
  self->began = TRUE;
  if (self->swap_image != NULL)
    {
      g_assert_true (ipt_image_remove_provider (self->swap_image, self->swap_out));
      ipt_image_add_provider (self->swap_image, self->swap_in);
    }
  return TRUE;
}

static void
test_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  TestSink *self = TEST_SINK (sink);

  g_ptr_array_add (self->log, g_strdup_printf ("insn %" G_GINT64_MODIFIER "x", insn->ip));
  g_array_append_val (self->ips, insn->ip);
  g_assert_cmpuint (insn->size, >, 0);
  g_assert_cmpint (insn->mode, ==, ptem_64bit);
  if (self->cancel_on_insn != NULL)
    g_cancellable_cancel (self->cancel_on_insn);
}

static void
test_sink_block (IptSink *sink, const struct pt_block *block)
{
  TestSink *self = TEST_SINK (sink);

  self->blocks++;
  self->block_insns += block->ninsn;
}

static void
test_sink_event (IptSink *sink, const struct pt_event *event)
{
  TestSink *self = TEST_SINK (sink);
  const char *name;

  if (event->status_update)
    return;
  switch (event->type)
    {
    case ptev_enabled: name = "enabled"; break;
    case ptev_disabled: name = "disabled"; break;
    case ptev_exec_mode: name = "exec-mode"; break;
    default: name = "other"; break;
    }
  g_ptr_array_add (self->log, g_strdup_printf ("event %s", name));
}

static void
test_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int status)
{
  TestSink *self = TEST_SINK (sink);

  self->error_offset = offset;
  g_ptr_array_add (self->log, g_strdup_printf ("error %s %" G_GINT64_MODIFIER "x %s",
                                               ipt_decode_error_kind_get_label (kind), ip,
                                               pt_errstr (pt_errcode (status))));
}

static gboolean
test_sink_end (IptSink *sink, GError **error)
{
  TEST_SINK (sink)->ended = TRUE;
  return TRUE;
}

static void
test_sink_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = test_sink_get_needs;
  iface->begin = test_sink_begin;
  iface->insn = test_sink_insn;
  iface->block = test_sink_block;
  iface->event = test_sink_event;
  iface->error = test_sink_error;
  iface->end = test_sink_end;
}

static void
test_sink_finalize (GObject *object)
{
  TestSink *self = TEST_SINK (object);

  g_ptr_array_unref (self->log);
  g_array_unref (self->ips);
  G_OBJECT_CLASS (test_sink_parent_class)->finalize (object);
}

static void
test_sink_class_init (TestSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sink_finalize;
}

static void
test_sink_init (TestSink *self)
{
  self->needs = IPT_SINK_NEEDS_INSNS;
  self->log = g_ptr_array_new_with_free_func (g_free);
  self->ips = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->error_offset = -2;
}

static TestSink *
test_sink_new (IptSinkNeeds needs)
{
  TestSink *self = g_object_new (TEST_TYPE_SINK, NULL);

  self->needs = needs;
  return self;
}

static char *
test_sink_join (TestSink *self)
{
  g_ptr_array_add (self->log, NULL);
  char *joined = g_strjoinv ("\n", (char **) self->log->pdata);
  g_ptr_array_remove_index (self->log, self->log->len - 1);
  return joined;
}

/* ---- traces ---- */

static GBytes *
make_loop_trace (void)
{
  TraceBuilder enc;

  trace_builder_init (&enc);
  trace_builder_put_loop_run (&enc);
  return trace_builder_finish (&enc);
}

/* The first @size bytes of trace_builder_loop_code, at its base. */
static IptImage *
make_image (gsize size)
{
  IptImage *image = ipt_image_new ("test");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_bytes (mock, TRACE_BUILDER_LOOP_BASE, trace_builder_loop_code, size, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

static char *
decode_to_log (IptImage *image, IptDecoderKind kind, GBytes *trace, IptSinkNeeds needs)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (needs);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sink->began);
  g_assert_true (sink->ended);
  return test_sink_join (sink);
}

static char *
expected_loop_log (void)
{
  g_autoptr(GString) s = g_string_new ("event enabled");

  for (gsize i = 0; i < G_N_ELEMENTS (expected_ips); i++)
    g_string_append_printf (s, "\ninsn %" G_GINT64_MODIFIER "x", expected_ips[i]);
  g_string_append (s, "\nevent disabled");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Writes trace_builder_loop_code to a temporary file and serves it from
 * @mock at its base, listed as file-backed (a libipt file section).
 * Returns the file's path, to unlink. */
static char *
add_loop_code_file (IptMockProvider *mock)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd;

  fd = g_file_open_tmp ("test-decoder-XXXXXX.bin", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, trace_builder_loop_code, trace_builder_loop_code_size), ==,
                   (gssize) trace_builder_loop_code_size);
  close (fd);
  g_assert_true (ipt_mock_provider_add_file (mock, TRACE_BUILDER_LOOP_BASE, path, 0,
                                             trace_builder_loop_code_size, NULL, &error));
  g_assert_no_error (error);
  return path;
}

/* ---- tests ---- */

static void
test_decode_insns (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(GBytes) trace = make_loop_trace ();
  g_autofree char *log = decode_to_log (image, kind, trace, IPT_SINK_NEEDS_INSNS);
  g_autofree char *expected = expected_loop_log ();

  g_assert_cmpstr (log, ==, expected);
}

/* A decode keeps the chain it started with (DESIGN §3.3): the code is
 * replaced by other bytes once the decode has begun, and neither libipt nor
 * the block decoder's instruction walker may see them. The code is a file
 * section and the new bytes come through the callback, so that libipt and
 * the walker would read different memory if the walker read the live chain. */
static void
test_decode_keeps_snapshot (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(IptImage) image = ipt_image_new ("swap");
  g_autoptr(IptMockProvider) code = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) nops = ipt_mock_provider_new (TRUE);
  g_autoptr(GBytes) trace = make_loop_trace ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autofree char *expected = expected_loop_log ();
  g_autofree char *log = NULL;
  guint8 buffer[16];

  path = add_loop_code_file (code);
  ipt_mock_provider_add_fill (nops, TRACE_BUILDER_LOOP_BASE, trace_builder_loop_code_size,
                              0x90, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (code));

  sink->swap_image = image;
  sink->swap_out = IPT_MEMORY_PROVIDER (code);
  sink->swap_in = IPT_MEMORY_PROVIDER (nops);
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  log = test_sink_join (sink);
  g_assert_cmpstr (log, ==, expected);

  /* the change did happen: the image now reads the nops */
  g_assert_cmpint (ipt_image_read (image, buffer, sizeof buffer, NULL, TRACE_BUILDER_LOOP_BASE,
                                   &error), ==, sizeof buffer);
  g_assert_cmpuint (buffer[0], ==, 0x90);
  g_assert_cmpuint (buffer[3], ==, 0x90);
  g_unlink (path);
}

/* `jmp .` needs no trace: a decode that enters it (memory that does not
 * match the trace, or a program stopped there) walked on for ever. It
 * stops at the stall limit with an error, after delivering what it decoded. */
static void
test_decode_stall_limit (gconstpointer data)
{
  static const guint8 spin[] = { 0x90, 0xeb, 0xfe };   /* nop; jmp . */
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = ipt_image_new ("spin");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) trace = NULL;
  TraceBuilder enc;

  ipt_mock_provider_add_bytes (mock, 0x1000, spin, sizeof spin, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, 0x1000);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);   /* never reached */
  trace = trace_builder_finish (&enc);

  g_assert_cmpuint (ipt_decoder_get_stall_limit (decoder), ==, IPT_DECODER_DEFAULT_STALL_LIMIT);
  g_object_set (decoder, "stall-limit", (guint64) 20000, NULL);
  g_assert_cmpuint (ipt_decoder_get_stall_limit (decoder), ==, 20000);

  g_assert_false (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_DECODE);
  g_assert_nonnull (strstr (error->message, "without reading any trace"));
  g_assert_nonnull (strstr (error->message, "up to 0x1001"));
  g_assert_nonnull (strstr (error->message, "memory probably does not match the trace"));
  g_assert_true (sink->ended);
  g_assert_cmpuint (sink->ips->len, >=, 20000);
  /* checked between blocks, which hold up to 65,535 instructions */
  g_assert_cmpuint (sink->ips->len, <=, 20000 + 2 * 65535);
  g_assert_cmphex (g_array_index (sink->ips, guint64, 0), ==, 0x1000);
  g_assert_cmphex (g_array_index (sink->ips, guint64, 1), ==, 0x1001);
  g_assert_cmphex (g_array_index (sink->ips, guint64, sink->ips->len - 1), ==, 0x1001);
}

/* File sections (the block cache path) and the callback give the same walk. */
static void
test_decode_file_sections (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autofree char *path = NULL;
  g_autoptr(IptImage) image = ipt_image_new ("file");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GBytes) trace = make_loop_trace ();
  g_autofree char *expected = expected_loop_log ();
  g_autofree char *log = NULL;

  path = add_loop_code_file (mock);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  log = decode_to_log (image, kind, trace, IPT_SINK_NEEDS_INSNS);
  g_assert_cmpstr (log, ==, expected);
  g_unlink (path);
}

/* A sink that only wants blocks gets no instructions, but their count. */
static void
test_decode_blocks_only (void)
{
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(GBytes) trace = make_loop_trace ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_BLOCKS);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sink->ips->len, ==, 0);
  g_assert_cmpuint (sink->block_insns, ==, G_N_ELEMENTS (expected_ips));
  g_assert_cmpuint (sink->blocks, >=, 4);
}

/* A trace that enters unmapped memory: one error with -pte_nomap at that ip. */
static void
test_decode_error_nomap (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) trace = NULL;
  g_autofree char *log = NULL;
  guint64 pge_end;
  TraceBuilder enc;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, 0x5000);
  pge_end = trace_builder_get_offset (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
  trace = trace_builder_finish (&enc);

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  log = test_sink_join (sink);
  g_assert_cmpstr (log, ==,
                   "event enabled\n"
                   "error error 5000 no memory mapped at this address");
  /* libipt reports its query position: it has read ahead past the TIP.PGD. */
  g_assert_cmpint (sink->error_offset, >, (gint64) pge_end - 1);
  g_assert_cmpint (sink->error_offset, ==, (gint64) g_bytes_get_size (trace));
}

/* Code that runs off the end of the mapped bytes: the instructions before,
 * then the error at the first unmapped instruction (ptxed's diagnosis). */
static void
test_decode_error_mid_block (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_image (6);       /* xor, inc only */
  g_autoptr(GBytes) trace = NULL;
  g_autofree char *log = NULL;
  TraceBuilder enc;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
  trace = trace_builder_finish (&enc);

  log = decode_to_log (image, kind, trace, IPT_SINK_NEEDS_INSNS);
  g_assert_cmpstr (log, ==,
                   "event enabled\ninsn 1000\ninsn 1003\n"
                   "error error 1006 no memory mapped at this address");
}

/* No PSB at all: nothing to decode, no error (ptxed prints nothing either). */
static void
test_decode_error_sync (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  static const guint8 junk[64] = { 0 };
  g_autoptr(GBytes) trace = g_bytes_new_static (junk, sizeof (junk));
  g_autofree char *log = decode_to_log (image, kind, trace, IPT_SINK_NEEDS_INSNS);

  g_assert_cmpstr (log, ==, "");
}

static void
test_decode_empty (void)
{
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GBytes) trace = g_bytes_new (NULL, 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_false (sink->began);
}

/* A long loop (many blocks) cancelled from the sink stops early. */
static void
test_decode_cancel (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) trace = NULL;
  guint n_tnt = 3000;
  TraceBuilder enc;

  /* The loop at 0x1003 taken 6 × 3000 times. */
  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, TRACE_BUILDER_LOOP_BASE);
  for (guint i = 0; i < n_tnt; i++)
    trace_builder_put_tnt (&enc, 6, 0x3f);
  trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_suppressed, 0);
  trace = trace_builder_finish (&enc);

  sink->cancel_on_insn = cancellable;
  g_assert_false (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (sink->ended);
  g_assert_cmpuint (sink->ips->len, <, 3 * 6 * n_tnt);

  /* Not cancelled: everything, and the decoder is usable again. */
  g_clear_error (&error);
  g_clear_object (&sink);
  sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  /* xor, 3 per taken jne, then inc, cmp and the jne the disable binds to */
  g_assert_cmpuint (sink->ips->len, ==, 1 + 3 * 6 * n_tnt + 3);
}

static void
test_decode_file_range (void)
{
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_autoptr(GBytes) trace = make_loop_trace ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *padded = NULL;
  gsize size = g_bytes_get_size (trace);
  int fd;

  /* The trace at offset 16 of a file, followed by junk. */
  padded = g_malloc0 (size + 32);
  memcpy (padded + 16, g_bytes_get_data (trace, NULL), size);
  fd = g_file_open_tmp ("test-decoder-XXXXXX.pt", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, padded, size + 32), ==, (gssize) size + 32);
  close (fd);

  {
    g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
    g_assert_true (ipt_decoder_decode_file (decoder, path, 16, 16 + size, IPT_SINK (sink),
                                            NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (sink->ips->len, ==, G_N_ELEMENTS (expected_ips));
  }
  {
    g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
    g_assert_false (ipt_decoder_decode_file (decoder, path, size + 32, 0, IPT_SINK (sink),
                                             NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, path));
    g_clear_error (&error);
    g_assert_false (ipt_decoder_decode_file (decoder, path, 8, 4, IPT_SINK (sink), NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  {
    g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
    g_autofree char *missing = g_strconcat (path, ".missing", NULL);
    g_assert_false (ipt_decoder_decode_file (decoder, missing, 0, 0, IPT_SINK (sink), NULL,
                                             &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_nonnull (strstr (error->message, ".missing"));
    g_clear_error (&error);
  }
  g_unlink (path);
}

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_decoder_decode_file_finish (IPT_DECODER (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
on_progress (IptDecoder *decoder, guint64 offset, guint64 size, gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (offset, <=, size);
  *last = offset;
}

static void
test_decode_async (void)
{
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_INSN);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GBytes) trace = make_loop_trace ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gboolean done = FALSE;
  guint64 last_progress = 0;
  int fd;

  fd = g_file_open_tmp ("test-decoder-XXXXXX.pt", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, g_bytes_get_data (trace, NULL), g_bytes_get_size (trace)), ==,
                   (gssize) g_bytes_get_size (trace));
  close (fd);

  g_signal_connect (decoder, "progress", G_CALLBACK (on_progress), &last_progress);
  ipt_decoder_decode_file_async (decoder, path, 0, 0, IPT_SINK (sink), NULL, async_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  /* The final progress (offset = size) arrives in this main context. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (last_progress, ==, g_bytes_get_size (trace));
  g_assert_cmpuint (sink->ips->len, ==, G_N_ELEMENTS (expected_ips));
  g_unlink (path);
}

/* ---- memory over time ---- */

/* Two versions of the code at 0x1000: `nop; nop; ret` valid [100, 200) and
 * `nop; ret` from 200 on; in memory or file-backed (libipt sections). */
static const guint8 code_v1[] = { 0x90, 0x90, 0xc3 };
static const guint8 code_v2[] = { 0x90, 0xc3 };

static char *
write_temp (const guint8 *bytes, gsize size)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("test-decoder-time-XXXXXX.bin", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, bytes, size), ==, (gssize) size);
  close (fd);
  return path;
}

static IptImage *
make_rewritten_image (gboolean file_backed, char **paths)
{
  IptImage *image = ipt_image_new ("time");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GError) error = NULL;

  if (file_backed)
    {
      paths[0] = write_temp (code_v1, sizeof code_v1);
      paths[1] = write_temp (code_v2, sizeof code_v2);
      g_assert_true (ipt_mock_provider_add_file (mock, 0x1000, paths[0], 0, sizeof code_v1, NULL, &error));
      ipt_mock_provider_set_last_validity (mock, 100, 200);
      g_assert_true (ipt_mock_provider_add_file (mock, 0x1000, paths[1], 0, sizeof code_v2, NULL, &error));
      ipt_mock_provider_set_last_validity (mock, 200, IPT_TIME_END);
      g_assert_no_error (error);
    }
  else
    {
      ipt_mock_provider_add_bytes (mock, 0x1000, code_v1, sizeof code_v1, NULL);
      ipt_mock_provider_set_last_validity (mock, 100, 200);
      ipt_mock_provider_add_bytes (mock, 0x1000, code_v2, sizeof code_v2, NULL);
      ipt_mock_provider_set_last_validity (mock, 200, IPT_TIME_END);
    }
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

/* v1 runs at TSC @t1, then (TSC @t2) v2 runs: a TIP into 0x1000 each time. */
static GBytes *
make_rewritten_trace (gboolean with_tsc, guint64 t1, guint64 t2)
{
  TraceBuilder enc;

  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  if (with_tsc)
    trace_builder_put_tsc (&enc, t1);
  trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, 0x1000);
  if (with_tsc)
    {
      trace_builder_put_tsc (&enc, t2);
      trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, 0x1000);    /* v1's ret */
      trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x3000); /* v2's ret */
    }
  else
    {
      trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, 0x1000);
      trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x3000);
    }
  return trace_builder_finish (&enc);
}

static char *
ips_of (TestSink *sink)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < sink->ips->len; i++)
    g_string_append_printf (s, "%s%" G_GINT64_MODIFIER "x", i > 0 ? " " : "",
                            g_array_index (sink->ips, guint64, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
decode_rewritten (IptDecoderKind kind, gboolean file_backed, gboolean with_tsc,
                  guint64 t1, guint64 t2, guint64 zero, guint32 mult, guint16 shift,
                  const char *want_ips)
{
  char *paths[2] = { NULL, NULL };
  g_autoptr(IptImage) image = make_rewritten_image (file_backed, paths);
  g_autoptr(GBytes) trace = make_rewritten_trace (with_tsc, t1, t2);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GError) error = NULL;
  g_autofree char *ips = NULL;

  ipt_decoder_set_tsc_conversion (decoder, zero, mult, shift);
  if (!with_tsc)
    g_test_expect_message ("Ipt", G_LOG_LEVEL_WARNING,
                           "*no timing packets*1 time boundary in image 'time'*read as it was last*");
  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  ips = ips_of (sink);
  g_assert_cmpstr (ips, ==, want_ips);

  for (guint i = 0; i < 2; i++)
    if (paths[i] != NULL)
      {
        g_unlink (paths[i]);
        g_free (paths[i]);
      }
}

typedef struct {
  IptDecoderKind kind;
  gboolean file_backed;
} TimeCase;

/* v1 as a file section until 200, then the bytes of a second provider
 * (not a file): libipt's image must lose v1's section at 200. */
static void
test_time_section_ends (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  g_autoptr(IptImage) image = ipt_image_new ("time");
  g_autoptr(IptMockProvider) jit = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) below = ipt_mock_provider_new (TRUE);
  g_autofree char *path = write_temp (code_v1, sizeof code_v1);
  g_autoptr(GBytes) trace = make_rewritten_trace (TRUE, 150, 250);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, kind);
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
  g_autoptr(GError) error = NULL;
  g_autofree char *ips = NULL;

  g_assert_true (ipt_mock_provider_add_file (jit, 0x1000, path, 0, sizeof code_v1, NULL, &error));
  g_assert_no_error (error);
  ipt_mock_provider_set_last_validity (jit, 0, 200);
  ipt_mock_provider_add_bytes (below, 0x1000, code_v2, sizeof code_v2, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (jit));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (below));
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 1);

  g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  g_assert_no_error (error);
  ips = ips_of (sink);
  g_assert_cmpstr (ips, ==, "1000 1001 1002 1000 1001");
  g_unlink (path);
}

static void
test_time_follows_rewritten_code (gconstpointer data)
{
  const TimeCase *c = data;

  /* v1 at 150, v2 at 250: each version's instructions */
  decode_rewritten (c->kind, c->file_backed, TRUE, 150, 250, 0, 1, 0, "1000 1001 1002 1000 1001");
  /* before v1 was loaded (the decoder's time lags): v1, the soonest */
  decode_rewritten (c->kind, c->file_backed, TRUE, 50, 250, 0, 1, 0, "1000 1001 1002 1000 1001");
  /* at the boundary the later version wins */
  decode_rewritten (c->kind, c->file_backed, TRUE, 100, 200, 0, 1, 0, "1000 1001 1002 1000 1001");
  /* TSCs 60 and 140 are both in v1's time as they are, but 90 and 210 ns
   * with perf's conversion tsc * 3 / 2: the second run is v2's */
  decode_rewritten (c->kind, c->file_backed, TRUE, 60, 140, 0, 1, 0, "1000 1001 1002 1000 1001 1002");
  decode_rewritten (c->kind, c->file_backed, TRUE, 60, 140, 0, 3, 1, "1000 1001 1002 1000 1001");
}

static void
test_time_without_timing_packets (gconstpointer data)
{
  const TimeCase *c = data;

  /* the latest code wins, and the decoder says so */
  decode_rewritten (c->kind, c->file_backed, FALSE, 0, 0, 0, 1, 0, "1000 1001 1000 1001");
}

static void
test_tsc_to_time (void)
{
  guint64 tscs[] = { 0, 1, 12345, G_GUINT64_CONSTANT (0x00ffffffffffffff), G_GUINT64_CONSTANT (1) << 62 };
  guint32 mults[] = { 1, 3, 0x5555aaaa, G_MAXUINT32 };
  guint16 shifts[] = { 0, 1, 10, 31, 32 };

  for (gsize i = 0; i < G_N_ELEMENTS (tscs); i++)
    for (gsize m = 0; m < G_N_ELEMENTS (mults); m++)
      for (gsize k = 0; k < G_N_ELEMENTS (shifts); k++)
        {
          /* perf's formula, with 128-bit arithmetic where it does not overflow */
          unsigned __int128 exact = ((unsigned __int128) tscs[i] * mults[m]) >> shifts[k];
          guint64 got = ipt_tsc_to_time (tscs[i], 1000, mults[m], shifts[k]);

          if (exact >> 64 == 0)
            g_assert_cmpuint (got, ==, (guint64) exact + 1000);
        }
  g_assert_cmpuint (ipt_tsc_to_time (777, 0, 1, 0), ==, 777);
}

static void
test_tsc_conversion_properties (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("conv");
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  guint64 zero = 1;
  guint32 mult = 0;
  guint16 shift = 9;
  guint64 pzero;
  guint pmult, pshift;

  ipt_decoder_get_tsc_conversion (decoder, &zero, &mult, &shift);
  g_assert_cmpuint (zero, ==, 0);
  g_assert_cmpuint (mult, ==, 1);
  g_assert_cmpuint (shift, ==, 0);
  g_object_set (decoder, "tsc-zero", G_GUINT64_CONSTANT (5), "tsc-mult", 7u, "tsc-shift", 3u, NULL);
  g_object_get (decoder, "tsc-zero", &pzero, "tsc-mult", &pmult, "tsc-shift", &pshift, NULL);
  g_assert_cmpuint (pzero, ==, 5);
  g_assert_cmpuint (pmult, ==, 7);
  g_assert_cmpuint (pshift, ==, 3);
  g_assert_false (ipt_decoder_get_time (decoder, NULL));
}

static void
test_cpu_spec (void)
{
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  static const char *bad[] = {
    "", "6", "6/", "/6", "x/1", "6/256", "65536/1", "6/1/2/3", "-1/2", "6/0x", "6/1/", "6 /1",
    "0x/1", "auto/1", "nonee",
  };
  struct pt_cpu cpu;

  g_assert_cmpstr (ipt_decoder_get_cpu (decoder), ==, "none");
  g_assert_true (ipt_decoder_set_cpu (decoder, "6/85/4", NULL));
  g_assert_cmpstr (ipt_decoder_get_cpu (decoder), ==, "6/85/4");
  g_assert_true (ipt_decoder_set_cpu (decoder, "0x6/0x55", NULL));
  g_assert_cmpstr (ipt_decoder_get_cpu (decoder), ==, "6/85/0");
  g_assert_true (ipt_decoder_set_cpu (decoder, "none", NULL));
  g_assert_cmpstr (ipt_decoder_get_cpu (decoder), ==, "none");
  g_assert_true (ipt_decoder_set_cpu (decoder, "auto", NULL));

  g_assert_true (ipt_cpu_parse ("6/61", &cpu, NULL));
  g_assert_cmpint (cpu.vendor, ==, pcv_intel);
  g_assert_cmpuint (cpu.family, ==, 6);
  g_assert_cmpuint (cpu.model, ==, 61);
  g_assert_cmpuint (cpu.stepping, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (ipt_decoder_set_cpu (decoder, "6/85/4", NULL));
      g_assert_false (ipt_decoder_set_cpu (decoder, bad[i], &error));
      g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
      /* A bad spec changes nothing. */
      g_assert_cmpstr (ipt_decoder_get_cpu (decoder), ==, "6/85/4");
    }

  /* A cpu with errata decodes the same clean trace the same way. */
  {
    g_autoptr(GBytes) trace = make_loop_trace ();
    g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_INSNS);
    g_assert_true (ipt_decoder_set_cpu (decoder, "6/0x4e", NULL));
    g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, NULL));
    g_assert_cmpuint (sink->ips->len, ==, G_N_ELEMENTS (expected_ips));
  }
}

static void
test_kind_property (void)
{
  g_autoptr(IptImage) image = make_image (trace_builder_loop_code_size);
  g_autoptr(IptDecoder) decoder = g_object_new (IPT_TYPE_DECODER, "image", image, NULL);
  IptDecoderKind kind;

  g_assert_cmpint (ipt_decoder_get_kind (decoder), ==, IPT_DECODER_KIND_BLOCK);
  g_assert_true (ipt_decoder_get_image (decoder) == image);
  ipt_decoder_set_kind (decoder, IPT_DECODER_KIND_INSN);
  g_object_get (decoder, "kind", &kind, NULL);
  g_assert_cmpint (kind, ==, IPT_DECODER_KIND_INSN);
  g_assert_cmpstr (ipt_decode_error_kind_get_label (IPT_DECODE_ERROR_SYNC), ==, "sync error");
  g_assert_cmpstr (ipt_decode_error_kind_get_label (IPT_DECODE_ERROR_DECODE), ==, "error");
  g_assert_cmpstr (ipt_decode_error_kind_get_label (IPT_DECODE_ERROR_RECONSTRUCT), ==,
                   "reconstruct error");
}

/* A sink without get_needs: derived from its vfuncs. */
static void
test_sink_default_needs (void)
{
  g_autoptr(TestSink) sink = test_sink_new (IPT_SINK_NEEDS_BLOCKS);

  g_assert_cmpint (ipt_sink_get_needs (IPT_SINK (sink)), ==, IPT_SINK_NEEDS_BLOCKS);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/decoder/block/instructions", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK),
                        test_decode_insns);
  g_test_add_data_func ("/decoder/insn/instructions", GINT_TO_POINTER (IPT_DECODER_KIND_INSN),
                        test_decode_insns);
  g_test_add_data_func ("/decoder/block/file-sections-same-as-callback",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_decode_file_sections);
  g_test_add_data_func ("/decoder/insn/file-sections-same-as-callback",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_decode_file_sections);
  g_test_add_func ("/decoder/block/blocks-only-sink-walks-nothing", test_decode_blocks_only);
  g_test_add_data_func ("/decoder/block/stall-limit-stops-a-loop-without-trace",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_decode_stall_limit);
  g_test_add_data_func ("/decoder/insn/stall-limit-stops-a-loop-without-trace",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_decode_stall_limit);
  g_test_add_data_func ("/decoder/block/keeps-its-snapshot", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK),
                        test_decode_keeps_snapshot);
  g_test_add_data_func ("/decoder/insn/keeps-its-snapshot", GINT_TO_POINTER (IPT_DECODER_KIND_INSN),
                        test_decode_keeps_snapshot);
  g_test_add_data_func ("/decoder/block/error/unmapped-target",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_decode_error_nomap);
  g_test_add_data_func ("/decoder/insn/error/unmapped-target",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_decode_error_nomap);
  g_test_add_data_func ("/decoder/block/error/runs-off-mapped-code",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_decode_error_mid_block);
  g_test_add_data_func ("/decoder/insn/error/runs-off-mapped-code",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_decode_error_mid_block);
  g_test_add_data_func ("/decoder/block/no-psb-decodes-nothing", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK),
                        test_decode_error_sync);
  g_test_add_data_func ("/decoder/insn/no-psb-decodes-nothing", GINT_TO_POINTER (IPT_DECODER_KIND_INSN),
                        test_decode_error_sync);
  g_test_add_func ("/decoder/empty-trace-is-an-error", test_decode_empty);
  g_test_add_data_func ("/decoder/block/cancel-from-sink", GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK),
                        test_decode_cancel);
  g_test_add_data_func ("/decoder/insn/cancel-from-sink", GINT_TO_POINTER (IPT_DECODER_KIND_INSN),
                        test_decode_cancel);
  g_test_add_func ("/decoder/file/range-and-errors-name-the-file", test_decode_file_range);
  g_test_add_func ("/decoder/file/async-with-progress", test_decode_async);
  g_test_add_func ("/decoder/cpu/parse-good-and-bad", test_cpu_spec);
  g_test_add_func ("/decoder/kind-property", test_kind_property);
  {
    static const TimeCase cases[] = {
      { IPT_DECODER_KIND_BLOCK, FALSE }, { IPT_DECODER_KIND_BLOCK, TRUE },
      { IPT_DECODER_KIND_INSN, FALSE }, { IPT_DECODER_KIND_INSN, TRUE },
    };
    static const char *names[] = { "block/callback", "block/sections", "insn/callback", "insn/sections" };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *a = g_strdup_printf ("/decoder/%s/time/follows-code-rewritten-at-one-address", names[i]);
        g_autofree char *b = g_strdup_printf ("/decoder/%s/time/without-timing-packets-the-latest-wins", names[i]);

        g_test_add_data_func (a, &cases[i], test_time_follows_rewritten_code);
        g_test_add_data_func (b, &cases[i], test_time_without_timing_packets);
      }
  }
  g_test_add_data_func ("/decoder/block/time/section-ends-and-the-next-provider-serves",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_time_section_ends);
  g_test_add_data_func ("/decoder/insn/time/section-ends-and-the-next-provider-serves",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_time_section_ends);
  g_test_add_func ("/decoder/time/tsc-to-time-is-perfs-formula", test_tsc_to_time);
  g_test_add_func ("/decoder/time/tsc-conversion-properties", test_tsc_conversion_properties);
  g_test_add_func ("/sink/needs", test_sink_default_needs);

  return g_test_run ();
}
