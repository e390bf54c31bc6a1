/* test-cli.c: runs the real ipt-analyze ($IPT_ANALYZE) with the built
 * plugins: option errors, --list-plugins, --read, --list-regions, and
 * listings of a trace made with libipt's encoder over hand-assembled code. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <intel-pt.h>
#include <gio/gio.h>

#define CODE_BASE "0x1000"

/* 0x1000 xor rax,rax; 0x1003 inc rax; 0x1006 cmp rax,3; 0x100a jne 0x1003;
 * 0x100c call 0x1016; 0x1011 jmp 0x101d; nops; 0x1016 mov rbx,rax;
 * 0x1019 ret; nops; 0x101d jmp rbx */
static const guint8 loop_code[] = {
  0x48, 0x31, 0xc0, 0x48, 0xff, 0xc0, 0x48, 0x83, 0xf8, 0x03, 0x75, 0xf7,
  0xe8, 0x05, 0x00, 0x00, 0x00, 0xeb, 0x0a, 0x90, 0x90, 0x90, 0x48, 0x89,
  0xc3, 0xc3, 0x90, 0x90, 0x90, 0xff, 0xe3,
};

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
put_packet (struct pt_encoder *encoder, enum pt_packet_type type, enum pt_ip_compression ipc,
            guint64 ip, guint8 tnt_bits, guint64 tnt)
{
  struct pt_packet packet;

  memset (&packet, 0, sizeof (packet));
  packet.type = type;
  if (type == ppt_tnt_8)
    {
      packet.payload.tnt.bit_size = tnt_bits;
      packet.payload.tnt.payload = tnt;
    }
  else if (type == ppt_mode)
    {
      packet.payload.mode.leaf = pt_mol_exec;
      packet.payload.mode.bits.exec.csl = 1;
    }
  else
    {
      packet.payload.ip.ipc = ipc;
      packet.payload.ip.ip = ip;
    }
  g_assert_cmpint (pt_enc_next (encoder, &packet), >, 0);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint8 buffer[256];
  struct pt_config config;
  struct pt_encoder *encoder;
  uint64_t size = 0;

  fixture->dir = g_dir_make_tmp ("test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->code_path = g_build_filename (fixture->dir, "code.bin", NULL);
  fixture->trace_path = g_build_filename (fixture->dir, "trace.pt", NULL);
  g_assert_true (g_file_set_contents (fixture->code_path, (const char *) loop_code,
                                      sizeof (loop_code), &error));
  g_assert_no_error (error);

  pt_config_init (&config);
  config.begin = buffer;
  config.end = buffer + sizeof (buffer);
  encoder = pt_alloc_encoder (&config);
  put_packet (encoder, ppt_psb, 0, 0, 0, 0);
  put_packet (encoder, ppt_mode, 0, 0, 0, 0);
  put_packet (encoder, ppt_psbend, 0, 0, 0, 0);
  put_packet (encoder, ppt_tip_pge, pt_ipc_sext_48, 0x1000, 0, 0);
  put_packet (encoder, ppt_tnt_8, 0, 0, 3, 0x6);
  put_packet (encoder, ppt_tip, pt_ipc_sext_48, 0x1011, 0, 0);
  put_packet (encoder, ppt_tip_pgd, pt_ipc_sext_48, 0x2000, 0, 0);
  g_assert_cmpint (pt_enc_get_offset (encoder, &size), ==, 0);
  pt_free_encoder (encoder);
  g_assert_true (g_file_set_contents (fixture->trace_path, (const char *) buffer, size, &error));
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

/* Runs ipt-analyze with @args (NULL-terminated); returns its exit status,
 * or -1 when the test is skipped. @out is NUL-terminated; @out_len its size. */
static int
run_v (char **out, gsize *out_len, char **err, const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GSubprocess) process = NULL;
  const char *binary = g_getenv ("IPT_ANALYZE");
  gsize size;

  if (binary == NULL)
    {
      g_test_skip ("IPT_ANALYZE is not set");
      return -1;
    }
  g_ptr_array_add (argv, (char *) binary);
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, NULL, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);

  size = g_bytes_get_size (out_bytes);
  if (out_len != NULL)
    *out_len = size;
  *out = g_malloc0 (size + 1);
  if (size > 0)
    memcpy (*out, g_bytes_get_data (out_bytes, NULL), size);
  *err = g_strndup (g_bytes_get_size (err_bytes) > 0 ? g_bytes_get_data (err_bytes, NULL) : "",
                    g_bytes_get_size (err_bytes));
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
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

/* One line "ipt-analyze: ..." that contains @needle. */
static void
assert_one_error_line (const char *err, const char *needle)
{
  g_assert_true (g_str_has_prefix (err, "ipt-analyze: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  if (needle != NULL && strstr (err, needle) == NULL)
    g_error ("'%s' not in stderr: %s", needle, err);
}

static void
test_bad_options (Fixture *fixture, gconstpointer data)
{
  g_autofree char *raw = g_strconcat (fixture->code_path, ":" CODE_BASE, NULL);
  g_autofree char *reversed = g_strconcat (fixture->code_path, ":0x10-0x8:" CODE_BASE, NULL);
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
    { { NULL }, "--pt FILE is required" },
    { { "--plugin", "", NULL }, "--plugin ''" },
    { { "--pt", fixture->trace_path, "--raw", raw, "extra" }, "unexpected argument 'extra'" },
    { { "--pt", fixture->trace_path, "--raw", raw, "--read" }, "--read" },
    { { "--cpu", "6/300", "--pt", fixture->trace_path, "--raw" }, "--raw" },
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
  g_assert_cmpmem (out, len, loop_code, sizeof (loop_code));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A range of the file at another base, through --plugin raw too. */
  status = run (&out, &len, &err, "--raw", part, "--read", "0x2000:9", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (out, len, loop_code + 3, 9);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    g_autofree char *spec = g_strdup_printf ("raw:file=%s,base=0x3000", fixture->code_path);
    status = run (&out, &len, &err, "--plugin", spec, "--read", "0x3004:4", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpmem (out, len, loop_code + 4, 4);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Past the end: the mapped bytes, then one line naming the first unmapped address. */
  status = run (&out, &len, &err, "--raw", raw, "--read", "0x1010:64", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpmem (out, len, loop_code + 0x10, sizeof (loop_code) - 0x10);
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
  expected = g_strdup_printf ("0000000000001000-000000000000101f  0x1f bytes  cr3=any vmcs=any  "
                              "raw  section  %s:0x0\n", fixture->code_path);
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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/cli/options/bad-gives-one-line-and-exit-2", test_bad_options, NULL);
  ADD ("/cli/runtime-errors-give-one-line-and-exit-1", test_runtime_errors, NULL);
  ADD ("/cli/list-plugins", test_list_plugins, NULL);
  ADD ("/cli/read/bytes-and-unmapped", test_read, NULL);
  ADD ("/cli/list-regions", test_list_regions, NULL);
  ADD ("/cli/listing/block-decoder", test_listing, "--block-decoder");
  ADD ("/cli/listing/insn-decoder", test_listing, "--insn-decoder");
  ADD ("/cli/stat", test_stat, NULL);
  ADD ("/cli/version", test_version, NULL);
#undef ADD

  return g_test_run ();
}
