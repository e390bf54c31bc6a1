/* test-record.c: ipt-record is the project's oracle, so this suite checks it
 * end to end with the real binaries: record a program, decode the trace with
 * ipt-analyze (pagedump plugin, insn and block decoders) and require exactly
 * the instruction addresses ipt-record saw the CPU execute.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

typedef struct {
  char *dir;
  char *out;
  char *err;
  char *record_err;  /* ipt-record's stderr (its --verbose report, warnings) */
  int status;     /* exit status of the last command */
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-record-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->out);
  g_free (fixture->err);
  g_free (fixture->record_err);
}

static const char *
env_path (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this test through meson", name);
  return value;
}

/* Runs @argv; keeps its output and exit status (or 128+signal). */
static void
run (Fixture *fixture, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &fixture->out, &fixture->err, &wait_status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (wait_status))
    fixture->status = WEXITSTATUS (wait_status);
  else
    fixture->status = 128 + WTERMSIG (wait_status);
}

static char *
out_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Records @program_argv into fixture->dir; returns ipt-record's status. */
static int
record (Fixture *fixture, const char *psb_period, const char *const *program_argv)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) env_path ("IPT_RECORD"));
  g_ptr_array_add (argv, (char *) "--verbose");
  g_ptr_array_add (argv, (char *) "--psb-period");
  g_ptr_array_add (argv, (char *) psb_period);
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, fixture->dir);
  g_ptr_array_add (argv, (char *) "--");
  for (guint i = 0; program_argv[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) program_argv[i]);
  g_ptr_array_add (argv, NULL);
  run (fixture, (const char *const *) argv->pdata);
  g_test_message ("ipt-record: %s", fixture->err);
  g_free (fixture->record_err);
  fixture->record_err = g_strdup (fixture->err);
  return fixture->status;
}

/* The instruction lines of a --no-inst listing: events ("[...]") dropped.
 * A plain walk: g_strsplit's repeated strstr is quadratic under ASan. */
static char *
instruction_lines (const char *listing)
{
  GString *result = g_string_new (NULL);
  const char *line = listing;

  while (*line != '\0')
    {
      const char *end = strchr (line, '\n');
      gsize length = end != NULL ? (gsize) (end - line) : strlen (line);

      if (length > 0 && line[0] != '[')
        {
          g_string_append_len (result, line, length);
          g_string_append_c (result, '\n');
        }
      line += length + (end != NULL ? 1 : 0);
    }
  return g_string_free (result, FALSE);
}

/* Decodes the recorded trace (optionally from byte @from) and returns the
 * instruction lines of the listing. */
static char *
decode (Fixture *fixture, const char *decoder, guint64 from)
{
  g_autofree char *trace = out_path (fixture, "trace.pt");
  g_autofree char *addr = out_path (fixture, "pages.addr");
  g_autofree char *dump = out_path (fixture, "pages.dump");
  g_autofree char *pt = from == 0 ? g_strdup (trace) :
                        g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x", trace, from);
  g_autofree char *plugin = g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
  const char *argv[] = { env_path ("IPT_ANALYZE"), "--no-inst", decoder, "--pt", pt,
                         "--plugin", plugin, NULL };

  run (fixture, argv);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_cmpint (fixture->status, ==, 0);
  return instruction_lines (fixture->out);
}

static char *
read_output (Fixture *fixture, const char *name, gsize *length)
{
  g_autofree char *path = out_path (fixture, name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

/* What every recording must satisfy: well-formed files, and both decoders
 * reproduce the executed addresses exactly. */
static void
assert_recording_decodes (Fixture *fixture)
{
  gsize ips_length, addr_length, dump_length;
  g_autofree char *ips = read_output (fixture, "ips", &ips_length);
  g_autofree char *addr = read_output (fixture, "pages.addr", &addr_length);
  g_autofree char *dump = read_output (fixture, "pages.dump", &dump_length);
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };

  /* Non-trivial, in the listing format, and a consistent page dump. */
  g_assert_cmpuint (ips_length, >, 1000 * 17);
  g_assert_cmpuint (ips_length % 17, ==, 0);
  g_assert_cmpint (ips[16], ==, '\n');
  g_assert_cmpuint (addr_length, >, 0);
  g_assert_cmpuint (addr_length % 8, ==, 0);
  g_assert_cmpuint (dump_length, ==, addr_length / 8 * 4096);

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      g_autofree char *decoded = decode (fixture, decoders[i], 0);

      g_test_message ("%s", decoders[i]);
      g_assert_cmpuint (strlen (decoded), ==, ips_length);
      g_assert_true (strcmp (decoded, ips) == 0);
    }
}

static void
test_flow (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path (data), NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 0);
  assert_recording_decodes (fixture);
  /* Four signals: raise(), two faults, int3 */
  g_assert_nonnull (strstr (fixture->record_err, " 4 signals"));
}

static void
test_async (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_ASYNC_STATIC"), NULL };

  g_assert_cmpint (record (fixture, "512", argv), ==, 0);
  g_assert_nonnull (strstr (fixture->record_err, "only the main thread is traced"));
  g_assert_nonnull (strstr (fixture->record_err, "runs untraced"));
  assert_recording_decodes (fixture);
}

static void
test_dynamic_true (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/true", NULL };

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /bin/true");
      return;
    }
  g_assert_cmpint (record (fixture, "4096", argv), ==, 0);
  assert_recording_decodes (fixture);
}

/* Offsets of the PSB packets (the 16-byte pattern 02 82 × 8). */
static GArray *
find_psbs (const guint8 *trace, gsize length)
{
  static const guint8 psb[16] = { 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
                                  2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82 };
  GArray *offsets = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (gsize i = 0; i + sizeof psb <= length; i++)
    if (memcmp (trace + i, psb, sizeof psb) == 0)
      {
        guint64 offset = i;
        g_array_append_val (offsets, offset);
        i += sizeof psb - 1;
      }
  return offsets;
}

/* Decoding may start at any PSB: it must give exactly the tail of the
 * executed addresses. */
static void
test_start_at_any_psb (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_FLOW_STATIC"), NULL };
  gsize ips_length, trace_length;
  g_autofree char *ips = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(GArray) psbs = NULL;
  gsize previous_length = G_MAXSIZE;

  g_assert_cmpint (record (fixture, "128", argv), ==, 0);
  ips = read_output (fixture, "ips", &ips_length);
  trace = (guint8 *) read_output (fixture, "trace.pt", &trace_length);
  psbs = find_psbs (trace, trace_length);
  g_assert_cmpuint (psbs->len, >, 10);
  g_assert_cmpuint (g_array_index (psbs, guint64, 0), ==, 0);

  /* Every few PSBs, with both decoders: every one would take long. */
  for (guint i = 1; i < psbs->len; i += 5)
    {
      guint64 from = g_array_index (psbs, guint64, i);
      g_autofree char *insn = decode (fixture, "--insn-decoder", from);
      g_autofree char *block = decode (fixture, "--block-decoder", from);
      gsize length = strlen (insn);

      g_test_message ("PSB at 0x%" G_GINT64_MODIFIER "x: %" G_GSIZE_FORMAT " bytes of listing",
                      from, length);
      g_assert_cmpuint (length, >, 0);
      g_assert_cmpuint (length, <, previous_length);
      g_assert_true (strcmp (insn, ips + ips_length - length) == 0);
      g_assert_cmpstr (block, ==, insn);
      previous_length = length;
    }
}

static void
test_exit_code (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "exit", "7", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 7);
  assert_recording_decodes (fixture);
}

static void
test_killed_by_signal (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "abort", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 128 + SIGABRT);
  assert_recording_decodes (fixture);
}

static void
test_program_not_found (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/nonexistent/ipt-record-test-program", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 127);
  g_assert_nonnull (strstr (fixture->err, "/nonexistent/ipt-record-test-program"));
  g_assert_nonnull (strstr (fixture->err, "not found"));
}

static void
test_output_not_a_directory (Fixture *fixture, gconstpointer data)
{
  g_autofree char *file = out_path (fixture, "plain-file");
  g_autofree char *below = g_build_filename (file, "out", NULL);
  const char *argv[] = { env_path ("IPT_RECORD"), "-o", below, "/bin/true", NULL };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, "x", 1, &error);
  g_assert_no_error (error);
  run (fixture, argv);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, below));
}

static void
test_bad_options (Fixture *fixture, gconstpointer data)
{
  const char *no_output[] = { env_path ("IPT_RECORD"), "/bin/true", NULL };
  const char *no_program[] = { env_path ("IPT_RECORD"), "-o", fixture->dir, NULL };
  const char *bad_period[] = { env_path ("IPT_RECORD"), "--psb-period", "3", "-o",
                               fixture->dir, "/bin/true", NULL };

  run (fixture, no_output);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "-o DIR"));
  run (fixture, no_program);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "PROGRAM"));
  run (fixture, bad_period);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "--psb-period"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/record/decode/static-non-pie", test_flow, "IPT_RECORD_PROGRAM_FLOW_STATIC");
  ADD ("/record/decode/static-pie", test_flow, "IPT_RECORD_PROGRAM_FLOW_STATIC_PIE");
  ADD ("/record/decode/timer-signals-restart-threads-fork", test_async, NULL);
  ADD ("/record/decode/dynamic-bin-true", test_dynamic_true, NULL);
  ADD ("/record/decode/start-at-any-psb", test_start_at_any_psb, NULL);
  ADD ("/record/exit-status/code", test_exit_code, NULL);
  ADD ("/record/exit-status/killed-by-signal", test_killed_by_signal, NULL);
  ADD ("/record/errors/program-not-found", test_program_not_found, NULL);
  ADD ("/record/errors/output-not-a-directory", test_output_not_a_directory, NULL);
  ADD ("/record/errors/bad-options", test_bad_options, NULL);
#undef ADD

  return g_test_run ();
}
