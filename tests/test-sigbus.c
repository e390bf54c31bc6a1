/* test-sigbus.c: mapped files truncated under a read (issue 12, item 1).
 * Every provider maps its files, and so does libipt for its file sections:
 * a file that shrinks while it is mapped used to kill the process with
 * SIGBUS. Reads and decodes must fail with an error naming the file, and
 * keep what they delivered before. Uses the built raw plugin. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>

#include "trace-builder.h"

typedef struct {
  char *dir;
  char *path;
  IptImage *image;
  IptMemoryProvider *raw;
} Fixture;

/* @size bytes with @code at the start of every page, in a file given to
 * the raw plugin at @base. */
static void
fixture_setup (Fixture *f, const guint8 *code, gsize code_size, gsize size, guint64 base)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = g_malloc0 (size);
  g_autofree char *spec = NULL;

  for (gsize i = 0; i + code_size <= size; i += 0x1000)
    memcpy (bytes + i, code, code_size);
  f->dir = g_dir_make_tmp ("ipt-sigbus-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "img.bin", NULL);
  g_assert_true (g_file_set_contents (f->path, (const char *) bytes, size, NULL));

  ipt_plugin_registry_scan_default_path (registry);
  spec = g_strdup_printf ("raw:file=%s,base=0x%" G_GINT64_MODIFIER "x", f->path, base);
  f->raw = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  f->image = ipt_image_new ("sigbus");
  ipt_image_add_provider (f->image, f->raw);
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->image);
  g_clear_object (&f->raw);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
truncate_file (const char *path)
{
  g_assert_cmpint (truncate (path, 0), ==, 0);
}

static void
assert_names_the_file (const GError *error, const char *path)
{
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "changed while it was read"));
  g_assert_nonnull (strstr (error->message, "0 bytes now"));
}

/* ipt_image_read() and ipt_memory_provider_read() (what bindings' read_bytes
 * call) on a truncated file: an error, and the next reads still work. */
static void
test_read_truncated (void)
{
  static const guint8 nop = 0x90;
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 buffer[64];

  fixture_setup (&f, &nop, 1, 0x10000, 0x400000);
  g_assert_cmpint (ipt_image_read (f.image, buffer, sizeof buffer, NULL, 0x408000, &error), ==,
                   sizeof buffer);
  truncate_file (f.path);

  g_assert_cmpint (ipt_image_read (f.image, buffer, sizeof buffer, NULL, 0x408000, &error), ==, -1);
  assert_names_the_file (error, f.path);
  g_assert_nonnull (strstr (error->message, "offset 0x8000"));
  g_clear_error (&error);

  bytes = ipt_image_read_bytes (f.image, 1 << 20, NULL, 0x400000, &error);
  g_assert_null (bytes);
  assert_names_the_file (error, f.path);
  g_clear_error (&error);

  g_assert_cmpint (ipt_memory_provider_read (f.raw, buffer, sizeof buffer, NULL, 0x40f000, &error),
                   ==, -1);
  assert_names_the_file (error, f.path);
  g_clear_error (&error);

  /* the image goes on: other addresses are simply unmapped */
  g_assert_cmpint (ipt_image_read (f.image, buffer, sizeof buffer, NULL, 0x500000, &error), ==, 0);
  g_assert_no_error (error);
  fixture_teardown (&f);
}

/* A sink that truncates the code's file after its first instruction. */
#define TEST_TYPE_TRUNCATING_SINK (test_truncating_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestTruncatingSink, test_truncating_sink, TEST, TRUNCATING_SINK, GObject)

struct _TestTruncatingSink {
  GObject parent_instance;
  const char *path;
  guint64 insns;
  gboolean ended;
};

static IptSinkNeeds
truncating_get_needs (IptSink *sink)
{
  return IPT_SINK_NEEDS_INSNS;
}

static void
truncating_insn (IptSink *sink, const struct pt_insn *insn)
{
  TestTruncatingSink *self = TEST_TRUNCATING_SINK (sink);

  if (self->insns++ == 0)
    truncate_file (self->path);
}

static gboolean
truncating_end (IptSink *sink, GError **error)
{
  TEST_TRUNCATING_SINK (sink)->ended = TRUE;
  return TRUE;
}

static void
truncating_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = truncating_get_needs;
  iface->insn = truncating_insn;
  iface->end = truncating_end;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTruncatingSink, test_truncating_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, truncating_iface_init))

static void
test_truncating_sink_class_init (TestTruncatingSinkClass *klass)
{
}

static void
test_truncating_sink_init (TestTruncatingSink *self)
{
}

/* The code's file is truncated during the decode: libipt's own file
 * section (block and insn decoder) and the block walker read it. The
 * decode stops with an error naming the file; the sink got the
 * instructions before and its end. */
static void
test_decode_truncated (gconstpointer data)
{
  IptDecoderKind kind = GPOINTER_TO_INT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(TestTruncatingSink) sink = g_object_new (TEST_TYPE_TRUNCATING_SINK, NULL);
  g_autoptr(GBytes) trace = NULL;
  TraceBuilder enc;

  /* the loop's code at the start of 16 pages, run in four of them: the
   * file is gone after the first instruction, so every later page is read
   * from a truncated mapping */
  fixture_setup (&f, trace_builder_loop_code, trace_builder_loop_code_size, 0x10000,
                 TRACE_BUILDER_LOOP_BASE);
  trace_builder_init (&enc);
  trace_builder_put_psb_64bit (&enc);
  for (guint64 page = 0; page < 4; page++)
    {
      guint64 base = TRACE_BUILDER_LOOP_BASE + page * 0x3000;

      trace_builder_put_ip (&enc, ppt_tip_pge, pt_ipc_sext_48, base);
      trace_builder_put_tnt (&enc, 3, 0x6);                           /* jne: taken, taken, not */
      trace_builder_put_ip (&enc, ppt_tip, pt_ipc_sext_48, base + 0x11);              /* ret */
      trace_builder_put_ip (&enc, ppt_tip_pgd, pt_ipc_sext_48, 0x100000);         /* jmp rbx */
    }
  trace = trace_builder_finish (&enc);

  decoder = ipt_decoder_new (f.image, kind);
  sink->path = f.path;
  g_assert_false (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (sink), NULL, &error));
  assert_names_the_file (error, f.path);
  g_assert_nonnull (strstr (error->message, "the decode stopped at offset 0x"));
  g_assert_cmpuint (sink->insns, >=, 1);
  g_assert_true (sink->ended);
  fixture_teardown (&f);
}

/* Outside a read of ours, SIGBUS is what it always was. */
static void
test_foreign_sigbus_still_kills (void)
{
  if (g_test_subprocess ())
    {
      static const guint8 nop = 0x90;
      Fixture f = { 0 };
      guint8 buffer[16];

      fixture_setup (&f, &nop, 1, 0x1000, 0x400000);
      /* installs the handler */
      g_assert_cmpint (ipt_image_read (f.image, buffer, sizeof buffer, NULL, 0x400000, NULL), ==, 16);
      raise (SIGBUS);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  /* killed by the signal: no test result, no message of ours */
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*ok*");
  g_test_trap_assert_stderr_unmatched ("*changed while it was read*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sigbus/read-of-a-truncated-file-fails", test_read_truncated);
  g_test_add_data_func ("/sigbus/block/decode-over-a-truncated-file-stops",
                        GINT_TO_POINTER (IPT_DECODER_KIND_BLOCK), test_decode_truncated);
  g_test_add_data_func ("/sigbus/insn/decode-over-a-truncated-file-stops",
                        GINT_TO_POINTER (IPT_DECODER_KIND_INSN), test_decode_truncated);
  g_test_add_func ("/sigbus/outside-a-read-still-kills", test_foreign_sigbus_still_kills);

  return g_test_run ();
}
