/* test-cli.c: runs the real ipt-analyze ($IPT_ANALYZE) with the built
 * plugins: option errors, --list-plugins, --read, --list-regions, and
 * listings of traces made with libipt's encoder over hand-assembled code and
 * over programs compiled with cc for the --elf tests. */
#include "config.h"

#include <elf.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <intel-pt.h>
#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "trace-builder.h"

/* TRACE_BUILDER_LOOP_BASE, as the command line gives it. */
#define CODE_BASE "0x1000"

static const char expected_no_inst[] =
  "[enabled]\n"
  "0000000000001000\n"
  "0000000000001003\n0000000000001006\n000000000000100a\n"
  "0000000000001003\n0000000000001006\n000000000000100a\n"
  "0000000000001003\n0000000000001006\n000000000000100a\n"
  "000000000000100c\n0000000000001016\n0000000000001019\n0000000000001011\n"
  "000000000000101d\n"
  "[disabled]\n";

typedef struct {
  char *dir;
  char *code_path;
  char *trace_path;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) trace = NULL;
  TraceBuilder builder;

  fixture->dir = g_dir_make_tmp ("test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->code_path = g_build_filename (fixture->dir, "code.bin", NULL);
  fixture->trace_path = g_build_filename (fixture->dir, "trace.pt", NULL);
  g_assert_true (g_file_set_contents (fixture->code_path, (const char *) trace_builder_loop_code,
                                      trace_builder_loop_code_size, &error));
  g_assert_no_error (error);

  trace_builder_init (&builder);
  trace_builder_put_loop_run (&builder);
  trace = trace_builder_finish (&builder);
  g_assert_true (g_file_set_contents (fixture->trace_path, g_bytes_get_data (trace, NULL),
                                      g_bytes_get_size (trace), &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_unlink (fixture->code_path);
  g_unlink (fixture->trace_path);
  g_rmdir (fixture->dir);
  g_free (fixture->code_path);
  g_free (fixture->trace_path);
  g_free (fixture->dir);
}

/* A process that outlives WATCHDOG_SECONDS is killed (SIGKILL), so that a
 * hang (a FIFO opened for reading) fails its test quickly and clearly. */
#define WATCHDOG_SECONDS 60

typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
  GSubprocess *process;
  GThread *thread;
} Watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *w = data;
  gint64 end = g_get_monotonic_time () + WATCHDOG_SECONDS * G_TIME_SPAN_SECOND;

  g_mutex_lock (&w->lock);
  while (!w->done)
    if (!g_cond_wait_until (&w->cond, &w->lock, end))
      {
        g_printerr ("ipt-analyze still runs after %d s: killed\n", WATCHDOG_SECONDS);
        g_subprocess_force_exit (w->process);
        break;
      }
  g_mutex_unlock (&w->lock);
  return NULL;
}

/* Starts ipt-analyze with @args (NULL-terminated), its stdout and stderr on
 * pipes, the variables @env ("NAME", "VALUE", ..., NULL; may be NULL) added
 * to its environment, under @watchdog (stop it with watchdog_stop()).
 * Returns NULL when the test is skipped. */
static GSubprocess *
spawn_watched (const char * const *env, const char * const *args, Watchdog *watchdog)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("IPT_ANALYZE");
  GSubprocess *process;

  if (binary == NULL)
    {
      g_test_fail_printf ("IPT_ANALYZE is not set");
      return NULL;
    }
  g_ptr_array_add (argv, (char *) binary);
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (; env != NULL && env[0] != NULL; env += 2)
    g_subprocess_launcher_setenv (launcher, env[0], env[1], TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  memset (watchdog, 0, sizeof *watchdog);
  g_mutex_init (&watchdog->lock);
  g_cond_init (&watchdog->cond);
  watchdog->process = process;
  watchdog->thread = g_thread_new ("watchdog", watchdog_thread, watchdog);
  return process;
}

static void
watchdog_stop (Watchdog *watchdog)
{
  g_mutex_lock (&watchdog->lock);
  watchdog->done = TRUE;
  g_cond_signal (&watchdog->cond);
  g_mutex_unlock (&watchdog->lock);
  g_thread_join (watchdog->thread);
  g_mutex_clear (&watchdog->lock);
  g_cond_clear (&watchdog->cond);
}

/* Reads the rest of @process's output into @out (NUL-terminated; @out_len
 * its size) and @err, and waits for it: returns its exit status, or 128 +
 * N when signal N killed it (the watchdog's SIGKILL included). */
static int
finish_watched (GSubprocess *process, Watchdog *watchdog, char **out, gsize *out_len,
                char **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  gsize size;

  g_subprocess_communicate (process, NULL, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  watchdog_stop (watchdog);

  size = g_bytes_get_size (out_bytes);
  if (out_len != NULL)
    *out_len = size;
  *out = g_malloc0 (size + 1);
  if (size > 0)
    memcpy (*out, g_bytes_get_data (out_bytes, NULL), size);
  *err = g_strndup (g_bytes_get_size (err_bytes) > 0 ? g_bytes_get_data (err_bytes, NULL) : "",
                    g_bytes_get_size (err_bytes));
  if (g_subprocess_get_if_signaled (process))
    return 128 + g_subprocess_get_term_sig (process);
  return g_subprocess_get_exit_status (process);
}

/* Runs ipt-analyze with @args and @env as spawn_watched() and returns
 * finish_watched()'s status, or -1 when the test is skipped. */
static int
run_env_v (char **out, gsize *out_len, char **err, const char * const *env,
           const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;
  Watchdog watchdog;

  process = spawn_watched (env, args, &watchdog);
  if (process == NULL)
    return -1;
  return finish_watched (process, &watchdog, out, out_len, err);
}

/* run_env_v() without extra variables, for a process that must exit. */
static int
run_v (char **out, gsize *out_len, char **err, const char * const *args)
{
  int status = run_env_v (out, out_len, err, NULL, args);

  g_assert_true (status < 128);
  return status;
}

static int
run (char **out, gsize *out_len, char **err, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return run_v (out, out_len, err, (const char * const *) args->pdata);
}

/* One line "ipt-analyze: error: ..." that contains @needle. */
static void
assert_one_error_line (const char *err, const char *needle)
{
  g_assert_true (g_str_has_prefix (err, "ipt-analyze: error: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  if (needle != NULL && strstr (err, needle) == NULL)
    g_error ("'%s' not in stderr: %s", needle, err);
}

/* Option values as messages quote them (issue 12, item 10): a 100 KB value
 * was echoed whole, twice; a file name that is not UTF-8 gave GLib's
 * "Invalid byte sequence in conversion input" and named no option. */
static void
test_quoted_values (Fixture *fixture, gconstpointer data)
{
  g_autofree char *zs = g_strnfill (100000, 'z');
  g_autofree char *long_spec = g_strconcat ("raw:file=x,base=", zs, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (&out, NULL, &err, "--plugin", long_spec, "--read", "0x1000:1", NULL), ==, 2);
  assert_one_error_line (err, "option 'base': 'zzzz");
  g_assert_cmpuint (strlen (err), <, 1000);
  g_assert_nonnull (strstr (err, "\u2026"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* a file name with the byte 0xff, which is not UTF-8 */
  g_assert_cmpint (run (&out, NULL, &err, "--plugin", "raw:file=/nonexistent/a\xff" "b,base=0x1000",
                        "--read", "0x1000:1", NULL), ==, 1);
  assert_one_error_line (err, "--plugin 'raw:file=/nonexistent/a\\xffb,base=0x1000': raw: "
                              "/nonexistent/a\\xffb: ");
  g_assert_true (g_utf8_validate (err, -1, NULL));
  g_assert_null (strstr (err, "Invalid byte sequence"));
}

static void
test_bad_options (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *reversed = g_strconcat (fixture->code_path, ":0x10-0x8:" CODE_BASE, NULL);
  g_autofree char *raw_spec = g_strconcat ("raw:file=", fixture->code_path, NULL);
  const struct {
    const char *args[8];
    const char *needle;
  } cases[] = {
    { { "--raw", "x.bin", NULL }, "--raw 'x.bin': expected FILE[:FROM[-TO]]:BASE" },
    { { "--raw", "x.bin:zz", NULL }, "--raw 'x.bin:zz'" },
    { { "--raw", reversed, NULL }, "expected FILE[:FROM[-TO]]:BASE" },
    { { "--pt", NULL }, "--pt" },
    { { "--bogus", NULL }, "--bogus" },
    { { "--read", "0x400000", "--raw", raw, NULL }, "--read '0x400000': expected ADDRESS:SIZE" },
    { { "--read", "0x10:0", "--raw", raw, NULL }, "--read '0x10:0'" },
    { { "--read", "0x10:4", "--cr3", "xyz", "--raw", raw }, "--cr3 'xyz'" },
    { { "--pt", fixture->trace_path, NULL }, "no memory given" },
    { { NULL }, "--pt FILE is required (or --perf" },
    { { "--plugin", "", NULL }, "--plugin ''" },
    { { "--pt", fixture->trace_path, "--raw", raw, "extra" }, "unexpected argument 'extra'" },
    { { "--pt", fixture->trace_path, "--raw", raw, "--read" }, "--read" },
    { { "--cpu", "6/300", "--pt", fixture->trace_path, "--raw" }, "--raw" },
    { { "--elf", "", NULL }, "--elf '': expected FILE[:BASE]" },
    { { "--elf", ":0x400000", NULL }, "--elf ':0x400000': expected FILE[:BASE]" },
    { { "--elf", "nosuch.elf:0x40zz", NULL }, "--elf 'nosuch.elf:0x40zz': expected FILE[:BASE]" },
    { { "--elf", "nosuch.elf:", NULL }, "--elf 'nosuch.elf:'" },
    { { "--elf", "nosuch.elf:0x1ffffffffffffffff", NULL }, "--elf 'nosuch.elf:0x1ff" },
    { { "--pt", fixture->trace_path, "--elf" }, "--elf" },
    /* memory over time (issue 7) */
    { { "--read", "0x1000:1", "--time", "soon", "--raw", raw }, "--time 'soon': expected nanoseconds" },
    { { "--pt", fixture->trace_path, "--time", "5", "--raw", raw }, "--time applies to --read and --list-regions" },
    { { "--pt", fixture->trace_path, "--tsc-conversion", "1:2", "--raw", raw }, "--tsc-conversion '1:2': expected ZERO:MULT:SHIFT" },
    { { "--pt", fixture->trace_path, "--tsc-conversion", "0:0:0", "--raw", raw }, "--tsc-conversion '0:0:0'" },
    { { "--pt", fixture->trace_path, "--tsc-conversion", "0:1:64", "--raw", raw }, "--tsc-conversion '0:1:64'" },
    { { "--read", "0x1000:1", "--tsc-conversion", "0:1:0", "--raw", raw }, "--tsc-conversion only applies to --pt and --perf" },
    /* perf.data (issue 9) */
    { { "--perf", fixture->trace_path, "--pt", fixture->trace_path, "--raw", raw }, "--perf cannot be combined with --pt" },
    /* a plugin option that is malformed, unknown or missing (issue 12, item 10) */
    { { "--plugin", "raw:file=x,base=zzz", "--read", "0x1000:1", NULL },
      "--plugin 'raw:file=x,base=zzz': plugin 'raw': option 'base': 'zzz' is not" },
    { { "--plugin", "raw:bogus=1", "--read", "0x1000:1", NULL }, "unknown option 'bogus'" },
    { { "--plugin", "raw:file", "--read", "0x1000:1", NULL }, "option 'file' has no value" },
    { { "--plugin", raw_spec, "--read", "0x1000:1", NULL }, "raw: option 'base' is required" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_v (&out, NULL, &err, cases[i].args);

      if (status < 0)
        return;
      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, err);
      g_assert_cmpint (status, ==, 2);
      g_assert_cmpstr (out, ==, "");
      assert_one_error_line (err, cases[i].needle);
    }

  /* A bad --cpu value, with everything else right. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = run (&out, NULL, &err, "--cpu", "6/300", "--pt", fixture->trace_path,
                      "--raw", raw, NULL);
    g_assert_cmpint (status, ==, 2);
    assert_one_error_line (err, "--cpu '6/300'");
  }
}

static void
test_runtime_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.pt", NULL);
  g_autofree char *missing_raw = g_build_filename (fixture->dir, "missing.bin:0x1000", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run (&out, NULL, &err, "--pt", missing, "--raw", raw, NULL);
  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "missing.pt");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, NULL, &err, "--pt", fixture->trace_path, "--raw", missing_raw, NULL);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "missing.bin");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, NULL, &err, "--pt", fixture->trace_path, "--plugin", "nosuchplugin:x=1",
                NULL);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "nosuchplugin");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A well-formed plugin option naming a missing file: runtime, not usage. */
  {
    g_autofree char *spec = g_strconcat ("raw:base=0x1000,file=", missing, NULL);

    status = run (&out, NULL, &err, "--pt", fixture->trace_path, "--plugin", spec, NULL);
    g_assert_cmpint (status, ==, 1);
    assert_one_error_line (err, "missing.pt");
  }
}

static void
test_list_plugins (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run (&out, NULL, &err, "--list-plugins", NULL);

  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "raw "));
  g_assert_nonnull (strstr (out, "pagedump "));
  g_assert_nonnull (strstr (out, "path: "));
  for (const char * const *key = (const char *[]) { "file ", "base ", "offset ", "size ",
                                                     "addr ", "dump ", NULL }; *key; key++)
    if (strstr (out, *key) == NULL)
      g_error ("option '%s' not listed:\n%s", *key, out);
}

static void
test_read (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *part = g_strconcat (fixture->code_path, ":3-12:0x2000", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len = 0;
  int status;

  /* The whole file, byte for byte. */
  status = run (&out, &len, &err, "--raw", raw, "--read", "0x1000:31", NULL);
  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpmem (out, len, trace_builder_loop_code, trace_builder_loop_code_size);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A range of the file at another base, through --plugin raw too. */
  status = run (&out, &len, &err, "--raw", part, "--read", "0x2000:9", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (out, len, trace_builder_loop_code + 3, 9);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    g_autofree char *spec = g_strdup_printf ("raw:file=%s,base=0x3000", fixture->code_path);
    status = run (&out, &len, &err, "--plugin", spec, "--read", "0x3004:4", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpmem (out, len, trace_builder_loop_code + 4, 4);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Past the end: the mapped bytes, then one line naming the first unmapped address. */
  status = run (&out, &len, &err, "--raw", raw, "--read", "0x1010:64", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpmem (out, len, trace_builder_loop_code + 0x10, trace_builder_loop_code_size - 0x10);
  assert_one_error_line (err, "0x101f: not mapped (read 15 of 64 bytes)");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing mapped at all. */
  status = run (&out, &len, &err, "--raw", raw, "--read", "0x400000:16", "--cr3", "0x1234", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpuint (len, ==, 0);
  assert_one_error_line (err, "0x400000: not mapped (read 0 of 16 bytes)");
}

static void
test_list_regions (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  int status = run (&out, NULL, &err, "--raw", raw, "--list-regions", NULL);

  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 0);
  expected = g_strdup_printf ("0000000000001000-000000000000101f         0x1f bytes  "
                              "cr3=any vmcs=any  raw  section   0x00000000  %s\n",
                              fixture->code_path);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_listing (Fixture *fixture, gconstpointer data)
{
  const char *decoder = data;
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run (&out, NULL, &err, decoder, "--no-inst", "--pt", fixture->trace_path,
                "--raw", raw, NULL);
  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpstr (out, ==, expected_no_inst);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* With disassembly (Intel syntax, branch targets resolved). */
  status = run (&out, NULL, &err, decoder, "--pt", fixture->trace_path, "--raw", raw, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "[enabled]\n0000000000001000  xor rax, rax\n"
                                        "0000000000001003  inc rax\n"
                                        "0000000000001006  cmp rax, 0x03\n"
                                        "000000000000100a  jnz 0x0000000000001003\n"));
  g_assert_nonnull (strstr (out, "000000000000100c  call 0x0000000000001016\n"));
  g_assert_nonnull (strstr (out, "000000000000101d  jmp rbx\n[disabled]\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The trace as a range of a bigger file gives the same listing. */
  {
    g_autofree char *contents = NULL;
    g_autofree char *padded_path = g_build_filename (fixture->dir, "padded.pt", NULL);
    g_autofree char *padded_arg = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) padded = g_string_new_len ("0123456789", 10);
    gsize size;

    g_assert_true (g_file_get_contents (fixture->trace_path, &contents, &size, &error));
    g_string_append_len (padded, contents, size);
    g_string_append_len (padded, "junkjunk", 8);
    g_assert_true (g_file_set_contents (padded_path, padded->str, padded->len, &error));
    padded_arg = g_strdup_printf ("%s:10-%" G_GSIZE_FORMAT, padded_path, 10 + size);
    status = run (&out, NULL, &err, decoder, "--no-inst", "--pt", padded_arg, "--raw", raw, NULL);
    g_unlink (padded_path);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, expected_no_inst);
  }
}

static void
test_stat (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run (&out, NULL, &err, "--stat", "--quiet", "--pt", fixture->trace_path,
                "--raw", raw, NULL);
  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 0);
  /* insn: like ptxed; blocks: as libipt 2.0.5 cuts this run (ptxed --stat:blocks). */
  g_assert_cmpstr (out, ==, "insn: 15.\nblocks:\t6.\nerrors: 0.\nevents: 2.\n"
                            "  enabled: 1.\n  disabled: 1.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, NULL, &err, "--insn-decoder", "--stat", "--quiet", "--pt",
                fixture->trace_path, "--raw", raw, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "insn: 15.\nerrors: 0.\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --stat after the listing. */
  status = run (&out, NULL, &err, "--stat", "--no-inst", "--pt", fixture->trace_path,
                "--raw", raw, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, expected_no_inst));
  g_assert_true (g_str_has_prefix (out + strlen (expected_no_inst), "insn: 15.\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Memory that ends early: the error is in the listing, the exit status 0. */
  {
    g_autofree char *short_raw = g_strconcat (fixture->code_path, ":0-6:" CODE_BASE, NULL);

    status = run (&out, NULL, &err, "--stat", "--no-inst", "--pt", fixture->trace_path,
                  "--raw", short_raw, NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (out, "[enabled]\n0000000000001000\n0000000000001003\n[1"));
    g_assert_nonnull (strstr (out, ", 1006: error: no memory mapped at this address]\n"));
    g_assert_nonnull (strstr (out, "insn: 2.\n"));
    g_assert_nonnull (strstr (out, "errors: 1.\n  error: no memory mapped at this address: 1.\n"));
  }
}

static void
test_version (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run (&out, NULL, &err, "--version", NULL);

  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "ipt-analyze " PACKAGE_VERSION " (libipt "));
}

/* ---- --elf, symbols: programs compiled with cc ---- */

/* int main: three nops, then a call of twice (a leaf: lea, ret). -O1 keeps
 * the call a call (no sibling-call optimization below -O2). */
static const char program_source[] =
  "static int __attribute__((noinline)) twice (int x)\n"
  "{ __asm__ volatile (\"\" ::: \"memory\"); return x * 2; }\n"
  "int main (int argc, char **argv)\n"
  "{ __asm__ volatile (\"nop; nop; nop\"); return twice (argc); }\n";

typedef struct {
  char *path;
  guint64 main;                         /* nm's addresses (unrelocated) */
  guint64 twice;
  GBytes *contents;
} Program;

static struct {
  gboolean tried;
  gboolean ok;
  char *dir;
  Program exec;                         /* -static -no-pie: ET_EXEC */
  Program pie;                          /* -pie: ET_DYN */
} programs;

/* Runs @argv; its stdout goes to @out (or is dropped: it must not mix with
 * the TAP stream). */
static gboolean
spawn (const char * const *argv, char **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dropped = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out != NULL ? out : &dropped, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("%s: %s %s", argv[0], error->message, err != NULL ? err : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
nm_address (const char *path, const char *symbol, guint64 *address)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!spawn ((const char *[]) { "nm", path, NULL }, &out))
    return FALSE;
  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) fields = g_strsplit (*line, " ", 3);

      if (g_strv_length (fields) == 3 && g_str_equal (fields[2], symbol))
        {
          *address = g_ascii_strtoull (fields[0], NULL, 16);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
compile_program (Program *program, const char *name, const char * const *flags)
{
  g_autofree char *source = g_build_filename (programs.dir, "program.c", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gsize size;
  char *contents;

  program->path = g_build_filename (programs.dir, name, NULL);
  g_ptr_array_add (argv, (char *) "cc");
  g_ptr_array_add (argv, (char *) "-O1");
  for (; *flags != NULL; flags++)
    g_ptr_array_add (argv, (char *) *flags);
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, program->path);
  g_ptr_array_add (argv, source);
  g_ptr_array_add (argv, NULL);
  if (!spawn ((const char * const *) argv->pdata, NULL) ||
      !nm_address (program->path, "main", &program->main) ||
      !nm_address (program->path, "twice", &program->twice))
    return FALSE;
  g_assert_true (g_file_get_contents (program->path, &contents, &size, &error));
  program->contents = g_bytes_new_take (contents, size);
  return TRUE;
}

/* Compiles the programs once per run; FALSE (the test skipped) without cc,
 * static libc or nm, or without $IPT_ANALYZE. */
static gboolean
programs_ready (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;

  if (g_getenv ("IPT_ANALYZE") == NULL)
    {
      g_test_fail_printf ("IPT_ANALYZE is not set");
      return FALSE;
    }
  if (programs.tried)
    {
      if (!programs.ok)
        g_test_fail_printf ("cannot compile the test programs (cc, static libc, nm)");
      return programs.ok;
    }
  programs.tried = TRUE;
  programs.dir = g_dir_make_tmp ("test-cli-elf-XXXXXX", &error);
  g_assert_no_error (error);
  source = g_build_filename (programs.dir, "program.c", NULL);
  g_assert_true (g_file_set_contents (source, program_source, -1, &error));
  programs.ok =
    compile_program (&programs.exec, "exec", (const char *[]) { "-static", "-no-pie",
                                                                "-fno-pie", NULL }) &&
    compile_program (&programs.pie, "pie", (const char *[]) { "-fPIE", "-pie", NULL });
  if (!programs.ok)
    g_test_fail_printf ("cannot compile the test programs (cc, static libc, nm)");
  return programs.ok;
}

static void
programs_cleanup (void)
{
  Program *all[] = { &programs.exec, &programs.pie };

  if (programs.dir == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      if (all[i]->path != NULL)
        g_unlink (all[i]->path);
      g_free (all[i]->path);
      g_clear_pointer (&all[i]->contents, g_bytes_unref);
    }
  {
    g_autofree char *source = g_build_filename (programs.dir, "program.c", NULL);
    g_unlink (source);
  }
  g_rmdir (programs.dir);
  g_clear_pointer (&programs.dir, g_free);
}

/* The 64-bit little-endian program headers of @program (what cc makes here). */
static const Elf64_Phdr *
program_headers (const Program *program, guint *n)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (program->contents, &size);
  const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *) data;

  g_assert_cmpuint (size, >=, sizeof (*ehdr));
  g_assert_cmpint (ehdr->e_ident[EI_CLASS], ==, ELFCLASS64);
  g_assert_cmpuint (ehdr->e_phentsize, ==, sizeof (Elf64_Phdr));
  g_assert_cmpuint (ehdr->e_phoff + (guint64) ehdr->e_phnum * sizeof (Elf64_Phdr), <=, size);
  *n = ehdr->e_phnum;
  return (const Elf64_Phdr *) (data + ehdr->e_phoff);
}

/* Where the file holds the byte at link-time address @vaddr. */
static const guint8 *
file_bytes_at (const Program *program, guint64 vaddr, gsize want)
{
  guint n;
  const Elf64_Phdr *phdr = program_headers (program, &n);

  for (guint i = 0; i < n; i++)
    if (phdr[i].p_type == PT_LOAD && vaddr >= phdr[i].p_vaddr &&
        vaddr + want <= phdr[i].p_vaddr + phdr[i].p_filesz)
      return (const guint8 *) g_bytes_get_data (program->contents, NULL) + phdr[i].p_offset +
             (vaddr - phdr[i].p_vaddr);
  g_error ("0x%" PRIx64 " is in no PT_LOAD of %s", vaddr, program->path);
  return NULL;
}

static char *
hex (guint64 value)
{
  return g_strdup_printf ("0x%" PRIx64, value);
}

static void
assert_read (const char *elf_arg, guint64 address, const guint8 *expected, gsize size)
{
  g_autofree char *range = g_strdup_printf ("0x%" PRIx64 ":%" G_GSIZE_FORMAT, address, size);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len = 0;
  int status = run (&out, &len, &err, "--elf", elf_arg, "--read", range, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpmem (out, len, expected, size);
}

static void
test_elf_read_exec (Fixture *fixture, gconstpointer data)
{
  const Program *exec = &programs.exec;
  g_autofree char *zero_base = NULL;
  g_autofree char *own_base = NULL;

  if (!programs_ready ())
    return;
  assert_read (exec->path, exec->main, file_bytes_at (exec, exec->main, 32), 32);
  assert_read (exec->path, exec->twice, file_bytes_at (exec, exec->twice, 8), 8);
  /* BASE 0 means "no relocation", as in ptxed. */
  zero_base = g_strconcat (exec->path, ":0", NULL);
  assert_read (zero_base, exec->main, file_bytes_at (exec, exec->main, 32), 32);
  /* Its own first page as base is no relocation either. */
  own_base = g_strconcat (exec->path, ":0x400000", NULL);
  assert_read (own_base, exec->main, file_bytes_at (exec, exec->main, 32), 32);
}

static void
test_elf_read_pie (Fixture *fixture, gconstpointer data)
{
  const Program *pie = &programs.pie;
  const guint64 base = G_GUINT64_CONSTANT (0x555555554000);
  g_autofree char *relocated = NULL;
  g_autofree char *range = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len;
  int status;

  if (!programs_ready ())
    return;
  /* At its own addresses, and relocated to BASE. */
  assert_read (pie->path, pie->main, file_bytes_at (pie, pie->main, 16), 16);
  relocated = g_strdup_printf ("%s:0x%" PRIx64, pie->path, base);
  assert_read (relocated, base + pie->main, file_bytes_at (pie, pie->main, 16), 16);
  assert_read (relocated, base + pie->twice, file_bytes_at (pie, pie->twice, 4), 4);

  /* Relocated, nothing is left at the link-time address. */
  range = g_strdup_printf ("0x%" PRIx64 ":4", pie->main);
  status = run (&out, &len, &err, "--elf", relocated, "--read", range, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpuint (len, ==, 0);
  assert_one_error_line (err, "not mapped");
}

static void
test_elf_file_names (Fixture *fixture, gconstpointer data)
{
  const Program *exec = &programs.exec;
  g_autofree char *colon_path = NULL;
  g_autofree char *digits_path = NULL;
  g_autofree char *digits_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!programs_ready ())
    return;
  colon_path = g_build_filename (programs.dir, "a:b", NULL);
  digits_path = g_build_filename (programs.dir, "prog:1", NULL);
  g_assert_true (g_file_set_contents (colon_path, g_bytes_get_data (exec->contents, NULL),
                                      g_bytes_get_size (exec->contents), &error));
  g_assert_true (g_file_set_contents (digits_path, g_bytes_get_data (exec->contents, NULL),
                                      g_bytes_get_size (exec->contents), &error));

  /* A ':' not followed by a number belongs to the file name. */
  assert_read (colon_path, exec->main, file_bytes_at (exec, exec->main, 16), 16);
  /* An existing "prog:1" is that file, not "prog" at base 1 (issue 12,
   * item 7; ptxed would split it) ... */
  assert_read (digits_path, exec->main, file_bytes_at (exec, exec->main, 16), 16);
  /* ... and an explicit base still splits it: ":0" is "no relocation". */
  digits_arg = g_strconcat (digits_path, ":0", NULL);
  assert_read (digits_arg, exec->main, file_bytes_at (exec, exec->main, 16), 16);
  g_free (digits_arg);
  /* Where no such file exists, "prog:1" is "prog" at base 1: an ET_EXEC
   * refuses the base. */
  digits_arg = g_strconcat (exec->path, ":1", NULL);
  status = run (&out, NULL, &err, "--elf", digits_arg, "--read", "0x401000:1", NULL);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "--elf '");

  g_unlink (colon_path);
  g_unlink (digits_path);
}

static void
test_elf_runtime_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!programs_ready ())
    return;
  missing = g_build_filename (programs.dir, "missing.elf", NULL);
  status = run (&out, NULL, &err, "--elf", missing, "--read", "0x401000:1", NULL);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "missing.elf");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Not an ELF file. */
  status = run (&out, NULL, &err, "--elf", fixture->code_path, "--read", "0x1000:1", NULL);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "code.bin");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ptxed would move an ET_EXEC; the elf plugin refuses (its absolute
   * addresses would be wrong). */
  moved = g_strconcat (programs.exec.path, ":0x10000000", NULL);
  status = run (&out, NULL, &err, "--elf", moved, "--read", "0x10000000:1", NULL);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err, "--elf '");
}

/* --elf keeps its place among --raw and --plugin: the first source wins. */
static void
test_elf_priority (Fixture *fixture, gconstpointer data)
{
  const Program *exec = &programs.exec;
  g_autofree char *raw = NULL;
  g_autofree char *range = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len;
  int status;

  if (!programs_ready ())
    return;
  raw = g_strdup_printf ("%s:0x%" PRIx64, fixture->code_path, exec->main);
  spec = g_strdup_printf ("raw:file=%s,base=0x%" PRIx64, fixture->code_path, exec->main);
  range = g_strdup_printf ("0x%" PRIx64 ":16", exec->main);

  status = run (&out, &len, &err, "--raw", raw, "--elf", exec->path, "--read", range, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (out, len, trace_builder_loop_code, 16);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, &len, &err, "--elf", exec->path, "--raw", raw, "--read", range, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (out, len, file_bytes_at (exec, exec->main, 16), 16);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, &len, &err, "--elf", exec->path, "--plugin", spec, "--read", range, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (out, len, file_bytes_at (exec, exec->main, 16), 16);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, &len, &err, "--plugin", spec, "--elf", exec->path, "--read", range, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (out, len, trace_builder_loop_code, 16);
}

/* Every PT_LOAD with file bytes is a file section at its (relocated)
 * address, with the file's offset and name last. */
static void
assert_regions (const Program *program, const char *elf_arg, guint64 bias)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const Elf64_Phdr *phdr;
  guint n, sections = 0;
  int status;

  status = run (&out, NULL, &err, "--elf", elf_arg, "--list-regions", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  phdr = program_headers (program, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *size = NULL;
      g_autofree char *line = NULL;

      if (phdr[i].p_type != PT_LOAD || phdr[i].p_filesz == 0)
        continue;
      size = hex (phdr[i].p_filesz);
      line = g_strdup_printf ("%016" PRIx64 "-%016" PRIx64 " %12s bytes  cr3=any vmcs=any  "
                              "elf  section   0x%08" PRIx64 "  %s\n",
                              phdr[i].p_vaddr + bias, phdr[i].p_vaddr + bias + phdr[i].p_filesz,
                              size, (guint64) phdr[i].p_offset, program->path);
      if (strstr (out, line) == NULL)
        g_error ("expected line\n%snot in\n%s", line, out);
      sections++;
    }
  g_assert_cmpuint (sections, >=, 2);
  /* No other file sections (.bss tails are callback ranges without a file). */
  {
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
    guint listed = 0;

    for (char **line = lines; *line != NULL; line++)
      if (strstr (*line, "  elf  section  ") != NULL)
        listed++;
      else if (**line != '\0')
        g_assert_nonnull (strstr (*line, "  elf  callback  -           -"));
    g_assert_cmpuint (listed, ==, sections);
  }
}

static void
test_elf_list_regions (Fixture *fixture, gconstpointer data)
{
  g_autofree char *relocated = NULL;

  if (!programs_ready ())
    return;
  assert_regions (&programs.exec, programs.exec.path, 0);
  assert_regions (&programs.pie, programs.pie.path, 0);
  relocated = g_strconcat (programs.pie.path, ":0x7f0000000000", NULL);
  assert_regions (&programs.pie, relocated, G_GUINT64_CONSTANT (0x7f0000000000));
}

/* main: nop x3, call twice (e8 rel32); twice: lea, ret, where tracing
 * stops (TIP.PGD to the return address, main + 8, as an IP filter on the
 * two functions would record it). */
static char *
write_program_trace (guint64 main_address)
{
  g_autofree char *name = g_strdup_printf ("trace-%" PRIx64 ".pt", main_address);
  char *path = g_build_filename (programs.dir, name, NULL);
  g_autoptr(GBytes) trace = NULL;
  g_autoptr(GError) error = NULL;
  TraceBuilder builder;

  trace_builder_init (&builder);
  trace_builder_put_psb_64bit (&builder);
  trace_builder_put_ip (&builder, ppt_tip_pge, pt_ipc_sext_48, main_address);
  trace_builder_put_ip (&builder, ppt_tip_pgd, pt_ipc_sext_48, main_address + 8);
  trace = trace_builder_finish (&builder);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (trace, NULL),
                                      g_bytes_get_size (trace), &error));
  g_assert_no_error (error);
  return path;
}

static void
assert_symbol_listing (const char *decoder, const char *elf_arg, guint64 main_address,
                       guint64 twice_address)
{
  g_autofree char *trace = write_program_trace (main_address);
  g_autofree char *first = NULL;
  g_autofree char *call = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_insns = 0;
  int status;

  status = run (&out, NULL, &err, decoder, "--pt", trace, "--elf", elf_arg, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_test_message ("%s", out);
  first = g_strdup_printf ("[enabled]\n%016" PRIx64 " <main>  nop\n"
                           "%016" PRIx64 " <main+0x1>  nop\n"
                           "%016" PRIx64 " <main+0x2>  nop\n"
                           "%016" PRIx64 " <main+0x3>  call ",
                           main_address, main_address + 1, main_address + 2, main_address + 3);
  g_assert_true (g_str_has_prefix (out, first));
  /* The direct call's target is named too. */
  call = g_strdup_printf (" <main+0x3>  call 0x%016" PRIx64 " <twice>\n", twice_address);
  g_assert_nonnull (strstr (out, call));
  entry = g_strdup_printf ("\n%016" PRIx64 " <twice>  ", twice_address);
  g_assert_nonnull (strstr (out, entry));
  g_assert_true (g_str_has_suffix (out, "  ret\n[disabled]\n"));

  /* Every instruction line is named. */
  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_ascii_isxdigit (**line))
      {
        g_assert_cmpuint (strlen (*line), >, 18);
        g_assert_true (g_str_has_prefix (*line + 16, " <main") ||
                       g_str_has_prefix (*line + 16, " <twice"));
        n_insns++;
      }
  g_assert_cmpuint (n_insns, >=, 6);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --no-inst stays ptxed's: addresses only, no names. */
  status = run (&out, NULL, &err, decoder, "--no-inst", "--pt", trace, "--elf", elf_arg, NULL);
  g_assert_cmpint (status, ==, 0);
  g_strfreev (lines);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "[enabled]");
  for (guint i = 1; i <= n_insns; i++)
    g_assert_cmpuint (strlen (lines[i]), ==, 16);
  g_assert_cmpstr (lines[n_insns + 1], ==, "[disabled]");
  g_assert_cmpstr (lines[n_insns + 2], ==, "");
  g_assert_null (strchr (out, '<'));
  g_unlink (trace);
}

static void
test_elf_listing_symbols (Fixture *fixture, gconstpointer data)
{
  const char *decoder = data;
  const guint64 base = G_GUINT64_CONSTANT (0x7f0000000000);
  g_autofree char *relocated = NULL;

  if (!programs_ready ())
    return;
  assert_symbol_listing (decoder, programs.exec.path, programs.exec.main, programs.exec.twice);
  relocated = g_strdup_printf ("%s:0x%" PRIx64, programs.pie.path, base);
  assert_symbol_listing (decoder, relocated, base + programs.pie.main, base + programs.pie.twice);
}

/* A gdb core of a running dynamic program: the dumped ranges name the core,
 * the text the core left out names the mapped file (libc). */
static void
test_list_regions_core (Fixture *fixture, gconstpointer data)
{
  g_autofree char *gcore = g_find_program_in_path ("gcore");
  g_autofree char *sleep_path = g_find_program_in_path ("sleep");
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *core_prefix = NULL;
  g_autofree char *core = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *pid;
  guint from_core = 0, from_libc = 0;
  gboolean dumped = FALSE;
  int status;

  if (g_getenv ("IPT_ANALYZE") == NULL)
    {
      g_test_fail_printf ("IPT_ANALYZE is not set");
      return;
    }
  if (gcore == NULL || sleep_path == NULL)
    {
      g_test_fail_printf ("gcore or sleep is not installed");
      return;
    }
  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, sleep_path, "60", NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (sleeper);

  /* Wait until the dynamic loader has mapped libc. */
  for (int i = 0; i < 500; i++)
    {
      g_autofree char *maps_path = g_strdup_printf ("/proc/%s/maps", pid);
      g_autofree char *maps = NULL;

      if (g_file_get_contents (maps_path, &maps, NULL, NULL) && strstr (maps, "libc") != NULL)
        break;
      g_usleep (10 * 1000);
    }
  core_prefix = g_build_filename (fixture->dir, "core", NULL);
  core = g_strdup_printf ("%s.%s", core_prefix, pid);
  dumped = spawn ((const char *[]) { gcore, "-o", core_prefix, pid, NULL }, NULL) &&
           g_file_test (core, G_FILE_TEST_IS_REGULAR);
  g_subprocess_force_exit (sleeper);
  g_subprocess_wait (sleeper, NULL, NULL);
  if (!dumped)
    {
      g_unlink (core);
      g_test_fail_printf ("gcore could not dump the process (ptrace not permitted?)");
      return;
    }

  spec = g_strdup_printf ("coredump:core=%s", core);
  status = run (&out, NULL, &err, "--plugin", spec, "--list-regions", NULL);
  g_unlink (core);
  g_assert_cmpint (status, ==, 0);
  g_test_message ("%s", out);
  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_autofree char *core_suffix = g_strconcat ("  ", core, NULL);

      if (**line == '\0')
        continue;
      g_assert_nonnull (strstr (*line, " bytes  cr3=any vmcs=any  coredump  section   0x"));
      if (g_str_has_suffix (*line, core_suffix))
        from_core++;
      else if (strstr (*line, "/libc.so") != NULL)
        from_libc++;
    }
  /* gcore dumps the writable and anonymous pages, not libc's text. */
  g_assert_cmpuint (from_core, >, 0);
  g_assert_cmpuint (from_libc, >, 0);
}

/* What the library and the plugins log prints as one command-line line,
 * "ipt-analyze: warning: ...", not as GLib's "(ipt-analyze:PID):
 * Ipt-WARNING **: TIME: ..." block; G_DEBUG=fatal-warnings still stops the program. */
static void
test_warning_layout (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bogus = g_build_filename (fixture->dir, "bogus.so", NULL);
  g_autofree char *path = g_strjoin (":", fixture->dir, g_getenv ("IPT_PLUGIN_PATH"), NULL);
  g_autofree char *expected = g_strdup_printf ("ipt-analyze: warning: skipping plugin %s: "
                                               "not a loadable shared object", bogus);
  const char *env[] = { "IPT_PLUGIN_PATH", path, NULL, NULL, NULL };
  const char *args[] = { "--list-plugins", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_true (g_file_set_contents (bogus, "not a plugin\n", -1, &error));
  g_assert_no_error (error);

  status = run_env_v (&out, NULL, &err, env, args);
  if (status < 0)
    goto out;
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  g_assert_nonnull (strstr (out, "raw "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  env[2] = "G_DEBUG";
  env[3] = "fatal-warnings";
  status = run_env_v (&out, NULL, &err, env, args);
  /* GLib stops at a fatal message with a breakpoint trap */
  g_assert_cmpint (status, ==, 128 + SIGTRAP);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_cmpstr (out, ==, "");

out:
  g_unlink (bogus);
}

/* A --pt file that is not a trace says so, in one line, and exits 1:
 * without a PSB libipt decodes nothing, which is no successful decode. */
static void
test_pt_not_a_trace (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *noise = g_build_filename (fixture->dir, "noise.bin", NULL);
  g_autofree char *perf = g_build_filename (fixture->dir, "perf.data", NULL);
  g_autofree char *noise_range = g_strconcat (noise, ":0x10-0x20", NULL);
  g_autofree char *trace_range = g_strconcat (fixture->trace_path, ":0-0x10", NULL);
  g_autofree char *trace_tail = g_strconcat (fixture->trace_path, ":0x10", NULL);
  g_autoptr(GError) error = NULL;
  guint8 bytes[4096];
  guint32 seed = 1;
  const struct {
    const char *pt;
    const char *extra;
    const char *line;     /* NULL: decodes, exit 0 */
  } cases[] = {
    { noise, "--stat", "no PSB packet found: the file may not be a raw Intel PT trace" },
    { noise, NULL, "no PSB packet found: the file may not be a raw Intel PT trace" },
    { noise_range, NULL, "no PSB packet found in the given range: the file may not be" },
    { perf, NULL, "a perf.data file (it starts with 'PERFILE2'), not a raw Intel PT stream: "
                  "decode it with --perf" },
    { "/dev/null", NULL, "--pt '/dev/null': not a regular file" },
    { "/dev/zero", NULL, "--pt '/dev/zero': not a regular file" },
    { fixture->dir, NULL, "': not a regular file" },
    /* the PSB is in the first bytes: a range after it has none */
    { trace_tail, NULL, "no PSB packet found in the given range" },
    { trace_range, NULL, NULL },
  };

  /* No 0x02 0x82 pairs: never a PSB. */
  for (gsize i = 0; i < sizeof bytes; i++)
    {
      seed = seed * 1103515245u + 12345u;
      bytes[i] = (guint8) ((seed >> 16) & 0x7f) | 0x01;
    }
  g_assert_true (g_file_set_contents (noise, (const char *) bytes, sizeof bytes, &error));
  g_assert_no_error (error);
  memcpy (bytes, "PERFILE2", 8);
  g_assert_true (g_file_set_contents (perf, (const char *) bytes, sizeof bytes, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "--pt", cases[i].pt, "--raw", raw, cases[i].extra, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_v (&out, NULL, &err, args);

      if (status < 0)
        break;
      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, err);
      if (cases[i].line == NULL)
        {
          g_assert_cmpint (status, ==, 0);
          g_assert_cmpstr (err, ==, "");
          continue;
        }
      g_assert_cmpint (status, ==, 1);
      g_assert_cmpstr (out, ==, "");
      assert_one_error_line (err, cases[i].line);
    }
  g_unlink (noise);
  g_unlink (perf);
}

/* A memory file that is not a regular file: one line naming the option,
 * the plugin and the file. */
static void
test_raw_not_regular (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run (&out, NULL, &err, "--raw", "/dev/null:0x1000", "--read", "0x1000:1", NULL);

  if (status < 0)
    return;
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "ipt-analyze: error: --raw '/dev/null:0x1000': raw: /dev/null: "
                            "not a regular file\n");
}

/* Writes @size bytes of @data into @dir/@name; returns the path. */
static char *
write_file (const char *dir, const char *name, gconstpointer data, gsize size)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, (gssize) size, &error));
  g_assert_no_error (error);
  return path;
}

/* Copies @from to @dir/@name; returns the path. */
static char *
copy_file (const char *from, const char *dir, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize size;

  g_assert_true (g_file_get_contents (from, &contents, &size, &error));
  g_assert_no_error (error);
  return write_file (dir, name, contents, size);
}

/* The --no-inst listing of @args is the fixture's loop run, exit 0. */
static void
assert_loop_listing (const char * const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_v (&out, NULL, &err, args);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpstr (out, ==, expected_no_inst);
}

/* Issue 12, item 7: a FILE:SUFFIX is cut only when the suffix is entirely
 * a range (or base), and an existing file of the whole name wins. */
static void
test_file_names_with_colons (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *half_range = copy_file (fixture->trace_path, fixture->dir, "t:2-3.pt");
  g_autofree char *full_range = copy_file (fixture->trace_path, fixture->dir, "t:0x10");
  g_autofree char *prefix = copy_file (fixture->trace_path, fixture->dir, "t");
  g_autofree char *code_range = copy_file (fixture->code_path, fixture->dir, "c:8-16.bin");
  g_autofree char *code_digit = copy_file (fixture->code_path, fixture->dir, "c:1");
  g_autofree char *raw_range = g_strconcat (code_range, ":" CODE_BASE, NULL);
  g_autofree char *raw_digit = g_strconcat (code_digit, ":" CODE_BASE, NULL);

  /* "2-3.pt" is no range: it was "from byte 2" */
  assert_loop_listing ((const char *[]) { "--no-inst", "--pt", half_range, "--raw", raw, NULL });
  /* "0x10" is one, but the file "t:0x10" exists: it was "t" from 0x10 */
  assert_loop_listing ((const char *[]) { "--no-inst", "--pt", full_range, "--raw", raw, NULL });
  /* --raw: "c:8-16.bin" was "c" from offset 8; "c:1" was "c" from 1 */
  assert_loop_listing ((const char *[]) { "--no-inst", "--pt", fixture->trace_path,
                                          "--raw", raw_range, NULL });
  assert_loop_listing ((const char *[]) { "--no-inst", "--pt", fixture->trace_path,
                                          "--raw", raw_digit, NULL });

  g_unlink (half_range);
  g_unlink (full_range);
  g_unlink (prefix);
  g_unlink (code_range);
  g_unlink (code_digit);
}

/* Issue 12, item 10: a suffix that starts like a range but is none, with
 * no file of the whole name, is a malformed range: one line, exit 2. */
static void
test_malformed_ranges (Fixture *fixture, gconstpointer data)
{
  const char *pt_suffixes[] = { ":0x", ":-5", ":1.pt", ":", ":0x10-0x8", ":2-", ":3-x" };
  const char *raw_suffixes[] = { ":0x:" CODE_BASE, ":-5:" CODE_BASE, ":1-2.bin:" CODE_BASE };
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (pt_suffixes) + G_N_ELEMENTS (raw_suffixes); i++)
    {
      gboolean pt = i < G_N_ELEMENTS (pt_suffixes);
      g_autofree char *arg = pt ? g_strconcat (fixture->trace_path, pt_suffixes[i], NULL)
                                : g_strconcat (fixture->code_path,
                                               raw_suffixes[i - G_N_ELEMENTS (pt_suffixes)],
                                               NULL);
      const char *args[] = { "--pt", pt ? arg : fixture->trace_path, "--raw", pt ? raw : arg,
                             NULL };
      g_autofree char *needle = g_strdup_printf ("%s '%s': malformed range '", pt ? "--pt" : "--raw",
                                                 arg);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_v (&out, NULL, &err, args);

      g_test_message ("%s: %s", arg, err);
      g_assert_cmpint (status, ==, 2);
      g_assert_cmpstr (out, ==, "");
      assert_one_error_line (err, needle);
      g_assert_nonnull (strstr (err, "and no file of the whole name exists"));
    }
}

/* Issue 12, item 4: a FIFO is refused at once, not opened and waited on
 * (the watchdog kills a run that blocks). */
static void
test_fifo_does_not_block (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fifo = g_build_filename (fixture->dir, "fifo", NULL);
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *raw_fifo = g_strconcat (fifo, ":" CODE_BASE, NULL);
  g_autofree char *core_fifo = g_strconcat ("coredump:core=", fifo, NULL);
  const struct {
    const char *args[6];
    const char *line;
  } cases[] = {
    { { "--pt", fifo, "--raw", raw, NULL }, "--pt '" },
    { { "--raw", raw_fifo, "--read", "0x1000:1", NULL }, "--raw '" },
    { { "--elf", fifo, "--read", "0x1000:1", NULL }, "--elf '" },
    { { "--plugin", core_fifo, "--read", "0x1000:1", NULL }, "--plugin 'coredump:core=" },
  };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      gint64 start = g_get_monotonic_time ();
      int status = run_v (&out, NULL, &err, cases[i].args);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, err);
      g_assert_cmpint (status, ==, 1);
      g_assert_cmpstr (out, ==, "");
      assert_one_error_line (err, cases[i].line);
      g_assert_nonnull (strstr (err, "/fifo"));
      g_assert_true (g_str_has_suffix (err, ": not a regular file\n"));
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);
    }
  g_unlink (fifo);
}

/* Issue 12, item 5: --stall-limit N stops a decode that walks N
 * instructions without reading trace (here "jmp ." that the trace never
 * leaves): the listing up to there, one error line, exit 3. */
static void
test_stall_limit (Fixture *fixture, gconstpointer data)
{
  static const guint8 spin[] = { 0x90, 0xeb, 0xfe };   /* 0x1000 nop; 0x1001 jmp . */
  g_autofree char *spin_path = write_file (fixture->dir, "spin.bin", spin, sizeof spin);
  g_autofree char *spin_raw = g_strconcat (spin_path, ":" CODE_BASE, NULL);
  g_autofree char *trace_path = NULL;
  g_autofree char *default_text = NULL;
  g_autoptr(GBytes) trace = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  TraceBuilder builder;
  guint lines = 0;
  int status;

  trace_builder_init (&builder);
  trace_builder_put_psb_64bit (&builder);
  trace_builder_put_ip (&builder, ppt_tip_pge, pt_ipc_sext_48, 0x1000);
  trace_builder_put_ip (&builder, ppt_tip_pgd, pt_ipc_sext_48, 0x2000);   /* never reached */
  trace = trace_builder_finish (&builder);
  trace_path = write_file (fixture->dir, "spin.pt", g_bytes_get_data (trace, NULL),
                           g_bytes_get_size (trace));

  status = run (&out, NULL, &err, "--no-inst", "--stall-limit", "20000", "--pt", trace_path,
                "--raw", spin_raw, NULL);
  g_assert_cmpint (status, ==, 3);
  assert_one_error_line (err, "without reading any trace");
  g_assert_nonnull (strstr (err, "stall limit"));
  g_assert_true (g_str_has_prefix (out, "[enabled]\n0000000000001000\n0000000000001001\n"
                                        "0000000000001001\n"));
  g_assert_true (g_str_has_suffix (out, "0000000000001001\n"));
  for (const char *p = out; (p = strchr (p, '\n')) != NULL; p++)
    lines++;
  g_assert_cmpuint (lines, >=, 20000);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The default limit, with the statistics of what was decoded. */
  status = run (&out, NULL, &err, "--quiet", "--stat", "--insn-decoder", "--pt", trace_path,
                "--raw", spin_raw, NULL);
  g_assert_cmpint (status, ==, 3);
  assert_one_error_line (err, "without reading any trace");
  g_assert_true (g_str_has_prefix (out, "insn: "));
  g_assert_cmpuint (g_ascii_strtoull (out + strlen ("insn: "), NULL, 10), >=,
                    IPT_DECODER_DEFAULT_STALL_LIMIT);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run (&out, NULL, &err, "--stall-limit", "1e6", "--pt", trace_path, "--raw",
                spin_raw, NULL);
  g_assert_cmpint (status, ==, 2);
  assert_one_error_line (err, "--stall-limit '1e6'");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --help says what it is, and its default. */
  status = run (&out, NULL, &err, "--help", NULL);
  g_assert_cmpint (status, ==, 0);
  default_text = g_strdup_printf ("default %" G_GUINT64_FORMAT, IPT_DECODER_DEFAULT_STALL_LIMIT);
  g_assert_nonnull (strstr (out, "--stall-limit=N"));
  g_assert_nonnull (strstr (out, default_text));
  g_assert_nonnull (strstr (out, "  3  incomplete result"));

  g_unlink (spin_path);
  g_unlink (trace_path);
}

/* Issue 12, item 1: a file truncated while the decode runs. */
#define TRUNCATE_PAGES 2048

typedef struct {
  gboolean truncate_trace;      /* else the memory file */
  const char *decoder;
  gboolean libipt_leaks;        /* see below */
} TruncateCase;

static const TruncateCase truncate_cases[] = {
  { FALSE, "--block-decoder", TRUE },
  { FALSE, "--insn-decoder", FALSE },
  { TRUE, "--block-decoder", FALSE },
};

/* The loop's code at the start of TRUNCATE_PAGES pages mapped at 0x1000,
 * and a trace that runs it once in every page, in order: each page is
 * read first when its run is decoded, after the truncation for most. The
 * listing (17 lines a page) is longer than the listing sink's buffer and
 * the pipe together, so ipt-analyze blocks writing long before the end.
 * We read the first bytes, truncate the file, and read the rest: no death
 * by signal, one error line naming the file, exit 3, and the listing up to
 * where the decode stopped, in full lines. */
static void
test_truncated_under_decode (Fixture *fixture, gconstpointer data)
{
  const TruncateCase *c = data;
  static const guint16 loop_ips[] = { 0x000, 0x003, 0x006, 0x00a, 0x003, 0x006, 0x00a,
                                      0x003, 0x006, 0x00a, 0x00c, 0x016, 0x019, 0x011,
                                      0x01d };
  gsize image_size = TRUNCATE_PAGES * 0x1000;
  g_autofree guint8 *image = g_malloc0 (image_size);
  g_autofree char *image_path = NULL;
  g_autofree char *image_raw = NULL;
  g_autofree char *trace_path = NULL;
  g_autofree char *suppressions = NULL;
  g_autofree char *lsan_options = NULL;
  g_autofree guint64 *run_offsets = g_new (guint64, TRUNCATE_PAGES);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GBytes) trace = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *truncated, *at;
  guint64 fault_offset;
  gsize out_len = 0, listed_pages = 0, fault_page = 0;
  char first[4096];
  gssize n;
  Watchdog watchdog;
  TraceBuilder builder;
  int status;

  trace_builder_init (&builder);
  trace_builder_put_psb_64bit (&builder);
  for (gsize page = 0; page < TRUNCATE_PAGES; page++)
    {
      guint64 base = TRACE_BUILDER_LOOP_BASE + page * 0x1000;

      memcpy (image + page * 0x1000, trace_builder_loop_code, trace_builder_loop_code_size);
      run_offsets[page] = trace_builder_get_offset (&builder);
      trace_builder_put_ip (&builder, ppt_tip_pge, pt_ipc_sext_48, base);
      trace_builder_put_tnt (&builder, 3, 0x6);                 /* jne: taken, taken, not */
      trace_builder_put_ip (&builder, ppt_tip, pt_ipc_sext_48, base + 0x11);        /* ret */
      trace_builder_put_ip (&builder, ppt_tip_pgd, pt_ipc_sext_48, 0x10000000);  /* jmp rbx */
      g_string_append (expected, "[enabled]\n");
      for (gsize i = 0; i < G_N_ELEMENTS (loop_ips); i++)
        g_string_append_printf (expected, "%016" G_GINT64_MODIFIER "x\n", base + loop_ips[i]);
      g_string_append (expected, "[disabled]\n");
    }
  trace = trace_builder_finish (&builder);
  image_path = write_file (fixture->dir, "image.bin", image, image_size);
  image_raw = g_strconcat (image_path, ":" CODE_BASE, NULL);
  trace_path = write_file (fixture->dir, "long.pt", g_bytes_get_data (trace, NULL),
                           g_bytes_get_size (trace));
  truncated = c->truncate_trace ? trace_path : image_path;
  /* The fault in the block decoder's own read of the file section leaves
   * libipt's section mapped, with its block cache (4 bytes a byte of the
   * file): libipt's allocations leak when the process exits (core's SIGBUS
   * recovery cannot unmap it). Under LeakSanitizer, only for that case,
   * those are told apart from leaks of ours. */
  suppressions = write_file (fixture->dir, "lsan.supp", "leak:libipt.so\n",
                             strlen ("leak:libipt.so\n"));
  lsan_options = g_strconcat ("print_suppressions=0:suppressions=", suppressions, NULL);

  process = spawn_watched (c->libipt_leaks ? (const char *[]) { "LSAN_OPTIONS", lsan_options,
                                                                NULL } : NULL,
                           (const char *[]) { c->decoder, "--no-inst", "--pt", trace_path,
                                              "--raw", image_raw, NULL }, &watchdog);
  if (process == NULL)
    return;
  n = g_input_stream_read (g_subprocess_get_stdout_pipe (process), first, sizeof first,
                           NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (truncate (truncated, 0), ==, 0);
  status = finish_watched (process, &watchdog, &out, &out_len, &err);
  g_test_message ("stderr: %s", err);

  g_assert_cmpint (status, ==, 3);
  assert_one_error_line (err, truncated);
  g_assert_nonnull (strstr (err, "changed while it was read"));
  /* what was listed: what was decoded, in full lines, ending early */
  g_assert_cmpmem (first, n, expected->str, n);
  g_assert_cmpuint (n + out_len, <, expected->len);
  g_assert_true (memcmp (out, expected->str + n, out_len) == 0);
  g_assert_true (out_len == 0 || out[out_len - 1] == '\n');

  /* ... up to about where the decode stopped: nothing left in a buffer */
  at = strstr (err, "the decode stopped at offset 0x");
  g_assert_nonnull (at);
  fault_offset = g_ascii_strtoull (at + strlen ("the decode stopped at offset 0x"), NULL, 16);
  while (fault_page + 1 < TRUNCATE_PAGES && run_offsets[fault_page + 1] <= fault_offset)
    fault_page++;
  for (const char *p = expected->str; p < expected->str + n + out_len;
       p = strstr (p, "[disabled]\n") + 1)
    if (strstr (p, "[disabled]\n") < expected->str + n + out_len)
      listed_pages++;
    else
      break;
  g_test_message ("stopped at offset 0x%" G_GINT64_MODIFIER "x (page %" G_GSIZE_FORMAT
                  "), %" G_GSIZE_FORMAT " pages listed", fault_offset, fault_page, listed_pages);
  g_assert_cmpuint (fault_page, >, 0);
  g_assert_cmpuint (listed_pages + 2, >=, fault_page);

  g_unlink (image_path);
  g_unlink (trace_path);
  g_unlink (suppressions);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/cli/options/bad-gives-one-line-and-exit-2", test_bad_options, NULL);
  ADD ("/cli/options/values-quoted-cut-and-escaped", test_quoted_values, NULL);
  ADD ("/cli/runtime-errors-give-one-line-and-exit-1", test_runtime_errors, NULL);
  ADD ("/cli/list-plugins", test_list_plugins, NULL);
  ADD ("/cli/read/bytes-and-unmapped", test_read, NULL);
  ADD ("/cli/list-regions", test_list_regions, NULL);
  ADD ("/cli/listing/block-decoder", test_listing, "--block-decoder");
  ADD ("/cli/listing/insn-decoder", test_listing, "--insn-decoder");
  ADD ("/cli/stat", test_stat, NULL);
  ADD ("/cli/version", test_version, NULL);
  ADD ("/cli/list-regions/core-names-core-and-mapped-files", test_list_regions_core, NULL);
  ADD ("/cli/elf/read-exec-at-its-addresses", test_elf_read_exec, NULL);
  ADD ("/cli/elf/read-pie-relocated-to-base", test_elf_read_pie, NULL);
  ADD ("/cli/elf/file-names-with-colons", test_elf_file_names, NULL);
  ADD ("/cli/elf/runtime-errors-give-one-line-and-exit-1", test_elf_runtime_errors, NULL);
  ADD ("/cli/elf/keeps-its-priority-among-sources", test_elf_priority, NULL);
  ADD ("/cli/elf/list-regions-shows-pt-load-sections", test_elf_list_regions, NULL);
  ADD ("/cli/elf/listing-names-symbols/block-decoder", test_elf_listing_symbols,
       "--block-decoder");
  ADD ("/cli/elf/listing-names-symbols/insn-decoder", test_elf_listing_symbols,
       "--insn-decoder");
  ADD ("/cli/messages/warnings-are-one-command-line-line", test_warning_layout, NULL);
  ADD ("/cli/pt/not-a-trace-gives-one-line-and-exit-1", test_pt_not_a_trace, NULL);
  ADD ("/cli/raw/not-a-regular-file-gives-one-line", test_raw_not_regular, NULL);
  ADD ("/cli/file-names/colons-cut-only-for-a-whole-range", test_file_names_with_colons, NULL);
  ADD ("/cli/file-names/malformed-range-gives-one-line-and-exit-2", test_malformed_ranges, NULL);
  ADD ("/cli/fifo-is-refused-without-blocking", test_fifo_does_not_block, NULL);
  ADD ("/cli/stall-limit-stops-with-exit-3", test_stall_limit, NULL);
  ADD ("/cli/truncated/memory-under-block-decode", test_truncated_under_decode,
       &truncate_cases[0]);
  ADD ("/cli/truncated/memory-under-insn-decode", test_truncated_under_decode,
       &truncate_cases[1]);
  ADD ("/cli/truncated/trace-under-decode", test_truncated_under_decode, &truncate_cases[2]);
#undef ADD

  status = g_test_run ();
  programs_cleanup ();
  return status;
}
