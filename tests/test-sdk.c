/* test-sdk.c: the SDK as a third party meets it. The build tree is
 * installed with `meson install --destdir`; the out-of-tree example plugin
 * (examples/plugin-hexrec) is built by its own meson project against that
 * installed tree only, installed into its plugin directory, and loaded by
 * the INSTALLED ipt-analyze: listed, read from, and decoding the demo.
 *
 * How the example finds the installed tree: PKG_CONFIG_SYSROOT_DIR=DESTDIR,
 * so that pkg-config (pkgconf) prefixes the destdir to every -I and -L of
 * ipt-analyze-1.pc and to its pluginsdir: the .pc is used as installed, not
 * rewritten, and the example's plain `meson install` lands in the destdir's
 * plugin directory. pkgconf applies the sysroot to GLib's .pc too, so the
 * host's GLib include and library directories are linked into the destdir,
 * as a sysroot would hold them (test_install()).
 *
 * The tests run in order, each on what the one before made.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "test-support.h"

static struct {
  char *tmp;
  char *dest;         /* the destdir */
  char *libdir;       /* the installed libdir, in the destdir */
  char *pluginsdir;   /* pkg-config's pluginsdir, in the destdir */
  char *demo_srec;    /* objcopy -O srec of the demo program */
  char *demo_ihex;
  gboolean built;     /* the example is installed */
} sdk;

static const char *
demo_file (const char *name)
{
  static GHashTable *paths;
  char *path;

  if (paths == NULL)
    paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  path = g_hash_table_lookup (paths, name);
  if (path == NULL)
    {
      path = g_build_filename (test_env_path ("IPT_DEMO_DIR"), name, NULL);
      g_hash_table_insert (paths, g_strdup (name), path);
    }
  return path;
}

static void
run_ok (const char *const *argv, char **out)
{
  g_assert_cmpint (test_spawn (argv, out, NULL), ==, 0);
}

/* ipt-analyze @args (the installed one: $IPT_ANALYZE), which must succeed. */
static char *
analyze (const char *const *args)
{
  char *out = NULL;

  g_assert_cmpint (test_run_analyze (args, &out, NULL), ==, 0);
  return out;
}

/* The raw bytes of `--read ADDRESS:SIZE` over the memory of @option @value
 * (--plugin NAME:…, --elf FILE), in address space @cr3 (NULL: any). */
static GBytes *
read_image (const char *option, const char *value, guint64 address, guint64 size,
            const char *cr3)
{
  g_autofree char *range = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:%" G_GUINT64_FORMAT,
                                            address, size);
  const char *argv[] = { test_env_path ("IPT_ANALYZE"), option, value, "--read", range,
                         cr3 != NULL ? "--cr3" : NULL, cr3, NULL };
  char *out = NULL;
  gsize length;

  g_assert_cmpint (test_spawn_raw (argv, NULL, &out, &length, NULL), ==, 0);
  return g_bytes_new_take (out, length);
}

static gint
compare_lengths (gconstpointer a, gconstpointer b)
{
  gsize x = strlen (*(const char *const *) a), y = strlen (*(const char *const *) b);

  return x < y ? -1 : x > y;
}

/* Links each -I and -L directory of the host's GLib into the destdir, where
 * PKG_CONFIG_SYSROOT_DIR makes the example look for them; shorter first,
 * so /usr/include is one link when the destdir has no /usr/include. */
static void
link_host_glib (void)
{
  const char *argv[] = { "pkg-config", "--cflags-only-I", "--libs-only-L", "gio-2.0",
                         "gmodule-2.0", NULL };
  g_autofree char *out = NULL;
  g_auto (GStrv) words = NULL;
  g_autoptr (GPtrArray) dirs = g_ptr_array_new ();

  run_ok (argv, &out);
  words = g_strsplit_set (g_strstrip (out), " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if ((g_str_has_prefix (words[i], "-I") || g_str_has_prefix (words[i], "-L"))
        && g_path_is_absolute (words[i] + 2))
      g_ptr_array_add (dirs, words[i] + 2);
  g_assert_cmpuint (dirs->len, >, 0);
  g_ptr_array_sort (dirs, compare_lengths);

  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = dirs->pdata[i];
      g_autofree char *in_dest = g_build_filename (sdk.dest, dir, NULL);
      g_autofree char *parent = g_path_get_dirname (in_dest);

      if (g_file_test (in_dest, G_FILE_TEST_EXISTS))
        continue;
      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      if (symlink (dir, in_dest) != 0)
        g_error ("symlink %s %s: %s", dir, in_dest, g_strerror (errno));
    }
}

/* @path, with its symbolic links resolved, is inside the destdir. */
static void
assert_in_dest (const char *path)
{
  g_autofree char *real_dest = realpath (sdk.dest, NULL);
  g_autofree char *real_path = realpath (path, NULL);

  g_assert_nonnull (real_path);
  g_assert_true (g_str_has_prefix (real_path, real_dest));
  g_assert_cmpint (real_path[strlen (real_dest)], ==, '/');
}

static void
test_install (void)
{
  const char *install[] = { test_env_path ("IPT_SDK_MESON"), "install", "--no-rebuild", "-C",
                            test_env_path ("IPT_SDK_BUILD_ROOT"), "--destdir", sdk.dest, NULL };
  const char *installed[] = { "ipt-analyze-1/ipt-analyze/ipt-analyze.h",
                              "ipt-analyze-1/ipt-analyze/ipt-plugin.h",
                              "ipt-analyze-1/ipt-analyze/ipt-version.h" };
  g_autofree char *includedir = g_build_filename (sdk.dest, test_env_path ("IPT_SDK_INCLUDEDIR"),
                                                  NULL);
  g_autofree char *pc = g_build_filename (sdk.libdir, "pkgconfig", "ipt-analyze-1.pc", NULL);
  g_autofree char *so = g_build_filename (sdk.libdir, "libipt-analyze-1.so", NULL);

  run_ok (install, NULL);
  g_assert_true (g_file_test (test_env_path ("IPT_ANALYZE"), G_FILE_TEST_IS_EXECUTABLE));
  g_assert_true (g_file_test (pc, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (so, G_FILE_TEST_EXISTS));
  for (gsize i = 0; i < G_N_ELEMENTS (installed); i++)
    {
      g_autofree char *header = g_build_filename (includedir, installed[i], NULL);

      g_assert_true (g_file_test (header, G_FILE_TEST_IS_REGULAR));
    }
  link_host_glib ();
}

static void
test_build_example (void)
{
  const char *meson = test_env_path ("IPT_SDK_MESON");
  g_autofree char *build = g_build_filename (sdk.tmp, "example-build", NULL);
  const char *pluginsdir_argv[] = { "pkg-config", "--variable=pluginsdir", "ipt-analyze-1", NULL };
  const char *flags_argv[] = { "pkg-config", "--cflags", "--libs", "ipt-analyze-1", NULL };
  const char *setup[] = { meson, "setup", build, test_env_path ("IPT_SDK_EXAMPLE"), NULL };
  const char *compile[] = { meson, "compile", "-C", build, NULL };
  const char *install[] = { meson, "install", "-C", build, NULL };
  g_autofree char *expected_pluginsdir = g_build_filename (sdk.libdir, "ipt-analyze-1", "plugins",
                                                           NULL);
  g_autofree char *dest_include = g_build_filename (sdk.dest, test_env_path ("IPT_SDK_INCLUDEDIR"),
                                                    "ipt-analyze-1", NULL);
  g_autofree char *source_include = g_build_filename (test_env_path ("IPT_SDK_SOURCE_ROOT"),
                                                      "include", NULL);
  g_autofree char *commands_path = g_build_filename (build, "compile_commands.json", NULL);
  g_autofree char *flags = NULL, *commands = NULL, *plugin = NULL;
  g_autoptr (GError) error = NULL;
  char *out = NULL;

  g_setenv ("PKG_CONFIG_SYSROOT_DIR", sdk.dest, TRUE);
  run_ok (pluginsdir_argv, &out);
  sdk.pluginsdir = g_strdup (g_strstrip (out));
  g_free (out);
  g_assert_cmpstr (sdk.pluginsdir, ==, expected_pluginsdir);
  run_ok (flags_argv, &flags);
  g_assert_nonnull (strstr (flags, dest_include));

  run_ok (setup, NULL);
  run_ok (compile, NULL);
  /* the installed headers only: neither the source tree's nor the build tree's */
  g_assert_true (g_file_get_contents (commands_path, &commands, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (commands, dest_include));
  g_assert_null (strstr (commands, source_include));
  g_assert_null (strstr (commands, test_env_path ("IPT_SDK_BUILD_ROOT")));

  run_ok (install, NULL);
  plugin = g_build_filename (sdk.pluginsdir, "ipt-plugin-hexrec.so", NULL);
  g_assert_true (g_file_test (plugin, G_FILE_TEST_IS_REGULAR));
  assert_in_dest (plugin);
  sdk.built = TRUE;
}

static void
require_example (void)
{
  if (!sdk.built)
    g_error ("the example plugin was not built (see /sdk/build-example)");
}

static void
test_list_plugins (void)
{
  const char *args[] = { "--list-plugins", NULL };
  g_autofree char *out = NULL, *err = NULL, *path_line = NULL, *lines = NULL;
  const char *entry;

  require_example ();
  g_assert_cmpint (test_run_analyze (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  entry = strstr (out, "hexrec 1.0\n");
  g_assert_nonnull (entry);
  path_line = g_strdup_printf ("\n  path: %s/ipt-plugin-hexrec.so\n  options:\n    file ",
                               sdk.pluginsdir);
  /* after the name line and the description line */
  g_assert_true (strstr (entry, path_line) == strchr (strchr (entry, '\n') + 1, '\n'));
  g_assert_nonnull (strstr (entry, "\n    base "));
  g_assert_true (strstr (entry, "\n    base ") < strstr (entry, "\n    cr3 "));
  /* the installed in-tree plugins beside it */
  lines = g_strconcat ("\n", out, NULL);
  g_assert_nonnull (strstr (lines, "\nraw "));
  g_assert_nonnull (strstr (lines, "\ncoredump "));
}

static char *
hexrec_option (const char *file, const char *more)
{
  return g_strdup_printf ("hexrec:file=%s%s%s", file, more != NULL ? "," : "",
                          more != NULL ? more : "");
}

static void
objcopy (const char *format, const char *output)
{
  const char *argv[] = { "objcopy", "-O", format, demo_file ("demo"), output, NULL };

  run_ok (argv, NULL);
}

static void
test_read (void)
{
  g_autofree char *srec = NULL, *ihex = NULL, *srec_regions = NULL, *ihex_regions = NULL;
  const char *srec_args[] = { "--plugin", NULL, "--list-regions", NULL };
  g_auto (GStrv) lines = NULL;
  guint n_regions = 0;

  require_example ();
  objcopy ("srec", sdk.demo_srec);
  objcopy ("ihex", sdk.demo_ihex);
  srec = hexrec_option (sdk.demo_srec, NULL);
  ihex = hexrec_option (sdk.demo_ihex, NULL);

  srec_args[1] = srec;
  srec_regions = analyze (srec_args);
  srec_args[1] = ihex;
  ihex_regions = analyze (srec_args);
  g_assert_cmpstr (srec_regions, ==, ihex_regions);

  /* every region holds the bytes of the program file it came from */
  lines = test_split_lines (srec_regions);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      guint64 start, end;
      g_autoptr (GBytes) got = NULL, expected = NULL, from_ihex = NULL;

      g_assert_cmpint (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x",
                               &start, &end), ==, 2);
      g_assert_nonnull (strstr (lines[i], " hexrec "));
      got = read_image ("--plugin", srec, start, end - start, NULL);
      from_ihex = read_image ("--plugin", ihex, start, end - start, NULL);
      expected = read_image ("--elf", demo_file ("demo"), start, end - start, NULL);
      g_assert_cmpuint (g_bytes_get_size (got), ==, end - start);
      g_assert_true (g_bytes_equal (got, expected));
      g_assert_true (g_bytes_equal (got, from_ihex));
      n_regions++;
    }
  /* objcopy writes the sections, with the gaps between them */
  g_assert_cmpuint (n_regions, >, 1);

  /* the cr3 option: the bytes are in that address space only */
  {
    g_autofree char *in_cr3 = hexrec_option (sdk.demo_srec, "cr3=0x1000");
    g_autofree char *range = g_strdup ("0x401000:16");
    const char *elsewhere[] = { "--plugin", in_cr3, "--read", range, "--cr3", "0x2000", NULL };
    g_autofree char *err = NULL;
    g_autoptr (GBytes) there = read_image ("--plugin", in_cr3, 0x401000, 16, "0x1000");
    g_autoptr (GBytes) plain = read_image ("--plugin", srec, 0x401000, 16, NULL);

    g_assert_true (g_bytes_equal (there, plain));
    g_assert_cmpint (test_run_analyze (elsewhere, NULL, &err), !=, 0);
    g_assert_nonnull (strstr (err, "not mapped"));
  }
}

/* The listing without the symbols the coredump plugin adds, to the
 * instructions and to branch targets ("0000000000401902 <main+0x2>  call
 * 0x0000000000401530 <f>" -> "0000000000401902  call 0x0000000000401530"). */
static char *
strip_symbols (const char *listing)
{
  g_autoptr (GRegex) symbol = g_regex_new ("(^[0-9a-f]{16}|0x[0-9a-f]+) <[^>\n]*>",
                                           G_REGEX_MULTILINE, 0, NULL);

  return g_regex_replace (symbol, listing, -1, 0, "\\1", 0, NULL);
}

/* @got is @expected, or the test fails at the first line that differs
 * (a listing is too long for one message). */
static void
assert_same_text (const char *got, const char *expected)
{
  guint line = 1;
  gsize i = 0;

  while (got[i] != '\0' && got[i] == expected[i])
    if (got[i++] == '\n')
      line++;
  if (got[i] != expected[i])
    {
      gsize start = i;

      while (start > 0 && got[start - 1] != '\n')
        start--;
      g_error ("line %u differs: got \"%.*s\", expected \"%.*s\"", line,
               (int) strcspn (got + start, "\n"), got + start,
               (int) strcspn (expected + start, "\n"), expected + start);
    }
}

static void
test_demo_listing (void)
{
  g_autofree char *core = g_strdup_printf ("coredump:core=%s,search-path=%s", demo_file ("core"),
                                           test_env_path ("IPT_DEMO_DIR"));
  g_autofree char *srec = hexrec_option (sdk.demo_srec, NULL);
  g_autofree char *ihex = hexrec_option (sdk.demo_ihex, NULL);
  const char *usual[] = { "--pt", demo_file ("trace.pt"), "--plugin", core, NULL };
  const char *through[] = { "--pt", demo_file ("trace.pt"), "--plugin", srec, NULL };
  const char *usual_insn[] = { "--pt", demo_file ("trace.pt"), "--plugin", core, "--no-inst",
                               "--insn-decoder", NULL };
  const char *through_insn[] = { "--pt", demo_file ("trace.pt"), "--plugin", ihex, "--no-inst",
                                 "--insn-decoder", NULL };
  const char *stat[] = { "--pt", demo_file ("trace.pt"), "--plugin", srec, "--stat", "--quiet",
                         NULL };
  g_autofree char *expected = NULL, *with_symbols = NULL, *got = NULL;
  g_autofree char *expected_insn = NULL, *got_insn = NULL, *stats = NULL, *ips = NULL;
  g_autofree char *insn_line = NULL;
  g_auto (GStrv) ips_lines = NULL;

  require_example ();
  g_assert_true (g_file_test (sdk.demo_srec, G_FILE_TEST_IS_REGULAR));

  with_symbols = analyze (usual);
  expected = strip_symbols (with_symbols);
  g_assert_cmpstr (expected, !=, with_symbols);
  got = analyze (through);
  assert_same_text (got, expected);

  expected_insn = analyze (usual_insn);
  got_insn = analyze (through_insn);
  assert_same_text (got_insn, expected_insn);

  g_assert_true (g_file_get_contents (demo_file ("ips"), &ips, NULL, NULL));
  ips_lines = test_split_lines (ips);
  stats = analyze (stat);
  insn_line = g_strdup_printf ("insn: %u.\n", g_strv_length (ips_lines) - 1);
  g_assert_nonnull (strstr (stats, insn_line));
}

/* gdb runs @program to main and dumps its code mapping in @format. */
static void
gdb_dump (const char *program, const char *format, const char *output, guint64 *start,
          guint64 *end, guint64 *offset)
{
  g_autofree char *script = g_build_filename (sdk.tmp, "dump.gdb", NULL);
  g_autofree char *text = g_strdup_printf (
    "break main\n"
    "run\n"
    "python\n"
    "import os\n"
    "me = os.path.realpath(gdb.current_progspace().filename)\n"
    "for line in gdb.execute('info proc mappings', to_string=True).splitlines():\n"
    "    f = line.split()\n"
    "    if len(f) == 6 and 'x' in f[4] and os.path.realpath(f[5]) == me:\n"
    "        gdb.execute('dump %s memory %s %%s %%s' %% (f[0], f[1]))\n"
    "        print('code %%s %%s %%s' %% (f[0], f[1], f[3]))\n"
    "end\n"
    "kill\n", format, output);
  const char *argv[] = { "gdb", "-nx", "-batch", "-x", script, program, NULL };
  g_autofree char *out = NULL;
  const char *code;

  g_assert_true (g_file_set_contents (script, text, -1, NULL));
  run_ok (argv, &out);
  code = strstr (out, "code 0x");
  g_assert_nonnull (code);
  g_assert_cmpint (sscanf (code, "code %" G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER "x %"
                           G_GINT64_MODIFIER "x", start, end, offset), ==, 3);
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
}

/* The bytes a process maps at [offset, offset + size) of @program: the
 * file's, then zeros past its end. */
static GBytes *
file_bytes (const char *program, guint64 offset, guint64 size)
{
  g_autofree char *contents = NULL;
  guint8 *bytes = g_malloc0 (size);
  gsize length;

  g_assert_true (g_file_get_contents (program, &contents, &length, NULL));
  g_assert_cmpuint (offset, <, length);
  memcpy (bytes, contents + offset, MIN (size, length - offset));
  return g_bytes_new_take (bytes, size);
}

static void
test_gdb_dump (void)
{
  const char *pie = test_env_path ("IPT_RECORD_PROGRAM_FLOW_DYNAMIC_PIE");
  const char *fixed = test_env_path ("IPT_RECORD_PROGRAM_FLOW_STATIC");
  g_autofree char *srec_path = g_build_filename (sdk.tmp, "pie-text.srec", NULL);
  g_autofree char *ihex_path = g_build_filename (sdk.tmp, "static-text.ihex", NULL);
  g_autofree char *srec = hexrec_option (srec_path, NULL);
  g_autofree char *ihex = hexrec_option (ihex_path, NULL);
  g_autofree char *based = NULL, *base = NULL, *regions = NULL;
  const char *list[] = { "--plugin", srec, "--list-regions", NULL };
  guint64 start, end, offset, listed;

  require_example ();

  /* A PIE's code above 4 GiB: an S-record address has 32 bits, and gdb
   * (BFD) cuts it, so the base option puts the bytes back. */
  gdb_dump (pie, "srec", srec_path, &start, &end, &offset);
  g_assert_cmphex (start, >, G_MAXUINT32);
  regions = analyze (list);
  g_assert_cmpint (sscanf (regions, "%" G_GINT64_MODIFIER "x", &listed), ==, 1);
  g_assert_cmphex (listed, ==, start & G_MAXUINT32);
  base = g_strdup_printf ("base=0x%" G_GINT64_MODIFIER "x", start);
  based = hexrec_option (srec_path, base);
  {
    g_autoptr (GBytes) got = read_image ("--plugin", based, start, end - start, NULL);
    g_autoptr (GBytes) expected = file_bytes (pie, offset, end - start);

    g_assert_true (g_bytes_equal (got, expected));
  }

  /* A static non-PIE program's code, below 4 GiB: Intel HEX as it is. */
  gdb_dump (fixed, "ihex", ihex_path, &start, &end, &offset);
  {
    g_autoptr (GBytes) got = read_image ("--plugin", ihex, start, end - start, NULL);
    g_autoptr (GBytes) expected = file_bytes (fixed, offset, end - start);

    g_assert_true (g_bytes_equal (got, expected));
  }
}

/* Writes @lines (a NULL-terminated array) as a file, one per line. */
static char *
write_lines (const char *name, char **lines)
{
  g_autofree char *text = g_strjoinv ("\n", lines);
  char *path = g_build_filename (sdk.tmp, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* ipt-analyze refuses @path with "hexrec: PATH:@line: @problem" (or
 * "hexrec: @problem" for @line 0), on one line; returns that line. */
static char *
assert_refused (const char *path, int line, const char *problem)
{
  g_autofree char *option = hexrec_option (path, NULL);
  const char *args[] = { "--plugin", option, "--list-regions", NULL };
  g_autofree char *expected = NULL;
  char *err = NULL;

  if (line > 0)
    expected = g_strdup_printf ("hexrec: %s:%d: %s", path, line, problem);
  else
    expected = g_strdup_printf ("hexrec: %s", problem);
  g_assert_cmpint (test_run_analyze (args, NULL, &err), !=, 0);
  g_assert_true (g_str_has_prefix (err, "ipt-analyze: error: "));
  g_assert_nonnull (strstr (err, expected));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  return err;
}

/* Sets the checksum of Intel HEX record @line (its last byte): the bytes add up to 0. */
static void
ihex_fix_checksum (char *line)
{
  gsize length = strlen (line);
  guint sum = 0;

  for (gsize i = 1; i + 2 < length; i += 2)
    sum += (guint) (g_ascii_xdigit_value (line[i]) << 4 | g_ascii_xdigit_value (line[i + 1]));
  g_snprintf (line + length - 2, 3, "%02X", (guint8) -sum);
}

/* The lines of @path, without their CR LF; the last one is the empty
 * string after the last line end. */
static char **
read_lines (const char *path)
{
  g_autofree char *text = NULL;
  char **lines;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = test_split_lines (text);
  for (guint i = 0; lines[i] != NULL; i++)
    g_strchomp (lines[i]);
  return lines;
}

static void
test_errors (void)
{
  g_auto (GStrv) srec = NULL, ihex = NULL;
  g_autofree char *missing = NULL, *not_dump = NULL;
  guint n_srec;

  require_example ();
  srec = read_lines (sdk.demo_srec);
  ihex = read_lines (sdk.demo_ihex);
  n_srec = g_strv_length (srec);
  g_assert_cmpuint (n_srec, >, 10);
  g_assert_cmpstr (srec[n_srec - 1], ==, "");

  {   /* a flipped checksum digit on line 5 */
    g_auto (GStrv) lines = g_strdupv (srec);
    g_autofree char *path = NULL, *err = NULL;
    char *last = lines[4] + strlen (lines[4]) - 1;

    *last = *last == '0' ? '1' : '0';
    path = write_lines ("checksum.srec", lines);
    err = assert_refused (path, 5, "checksum 0x");
    g_assert_nonnull (strstr (err, ", expected 0x"));
  }
  {   /* a character that is no hex digit */
    g_auto (GStrv) lines = g_strdupv (srec);
    g_autofree char *path = NULL, *err = NULL;

    lines[6][9] = 'G';
    path = write_lines ("hex.srec", lines);
    err = assert_refused (path, 7, "'G' at column 10 is not a hex digit");
  }
  {   /* a reserved record type */
    g_auto (GStrv) lines = g_strdupv (srec);
    g_autofree char *path = NULL, *err = NULL;

    lines[2][1] = '4';
    path = write_lines ("type.srec", lines);
    err = assert_refused (path, 3, "record type S4 is reserved");
  }
  {   /* line 4 again, before the termination record */
    g_autoptr (GPtrArray) lines = g_ptr_array_new ();
    g_autofree char *path = NULL, *err = NULL;

    for (guint i = 0; i < n_srec; i++)
      {
        if (i == n_srec - 2)
          g_ptr_array_add (lines, srec[3]);
        g_ptr_array_add (lines, srec[i]);
      }
    g_ptr_array_add (lines, NULL);
    path = write_lines ("overlap.srec", (char **) lines->pdata);
    err = assert_refused (path, (int) n_srec - 1, "bytes 0x");
    g_assert_nonnull (strstr (err, " are also given by line 4: overlapping data"));
  }
  {   /* cut before the termination record */
    g_auto (GStrv) lines = g_strdupv (srec);
    g_autofree char *path = NULL, *err = NULL;

    g_free (lines[n_srec - 1]);
    g_free (lines[n_srec - 2]);
    lines[n_srec - 2] = NULL;
    path = write_lines ("truncated.srec", lines);
    err = assert_refused (path, (int) n_srec - 2, "the file ends without a termination record");
  }
  {   /* an Intel HEX record type that does not exist, with a right checksum */
    g_auto (GStrv) lines = g_strdupv (ihex);
    g_autofree char *path = NULL, *err = NULL;

    g_assert_cmpint (lines[3][0], ==, ':');
    lines[3][7] = '0';
    lines[3][8] = '6';
    ihex_fix_checksum (lines[3]);
    path = write_lines ("type.ihex", lines);
    err = assert_refused (path, 4, "record type 0x06 is not an Intel HEX record type");
  }
  /* not a dump at all, and no file */
  not_dump = assert_refused (demo_file ("demo"), 1, "neither a Motorola S-record");
  missing = g_build_filename (sdk.tmp, "missing.srec", NULL);
  g_free (assert_refused (missing, 0, ""));
}

/* The installed ipt-view (when the viewer is built) shows the example's
 * options as a form built from its GParamSpecs alone: a file chooser for
 * `file` (marked with ipt_option_set_filename()), spin buttons for `base`
 * and `cr3`. Under xvfb-run, GTK without GL as in the view suite. */
static void
test_view_form (void)
{
  g_autofree char *view = NULL, *dump = g_build_filename (sdk.tmp, "form.txt", NULL);
  g_autofree char *text = NULL, *spec = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_form = FALSE, file_chooser = FALSE;
  guint spins = 0;

  require_example ();
  if (g_getenv ("IPT_SDK_XVFB_RUN") == NULL)
    g_error ("ipt-view is built but xvfb-run is missing (Debian: xvfb): the viewer's form "
             "cannot be shown");
  view = g_build_filename (sdk.dest, test_env_path ("IPT_SDK_BINDIR"), "ipt-view", NULL);
  g_assert_true (g_file_test (view, G_FILE_TEST_IS_EXECUTABLE));
  spec = hexrec_option (sdk.demo_srec, NULL);
  {
    const char *argv[] = { test_env_path ("IPT_SDK_XVFB_RUN"), "-a", "env", "GSK_RENDERER=cairo",
                           "GDK_DEBUG=gl-disable", view, "--plugin", spec, "--list-regions",
                           "--dump-form", "hexrec", "--dump-view", dump, "--quit-when-loaded",
                           NULL };

    run_ok (argv, NULL);
  }
  g_assert_true (g_file_get_contents (dump, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '[')
        in_form = g_str_equal (lines[i], "[form hexrec]");
      else if (in_form && g_str_has_prefix (lines[i], "file\t"))
        file_chooser = strstr (lines[i], "\tfile-chooser") != NULL;
      else if (in_form && (g_str_has_prefix (lines[i], "base\tGtkSpinButton") ||
                           g_str_has_prefix (lines[i], "cr3\tGtkSpinButton")))
        spins++;
    }
  g_assert_true (file_chooser);
  g_assert_cmpuint (spins, ==, 2);
}

int
main (int argc, char **argv)
{
  g_autofree char *bin = NULL, *analyze_path = NULL, *pkgconfig = NULL, *pluginsdir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  sdk.tmp = g_dir_make_tmp ("test-sdk-XXXXXX", NULL);
  g_assert_nonnull (sdk.tmp);
  sdk.dest = g_build_filename (sdk.tmp, "dest", NULL);
  sdk.libdir = g_build_filename (sdk.dest, test_env_path ("IPT_SDK_LIBDIR"), NULL);
  sdk.demo_srec = g_build_filename (sdk.tmp, "demo.srec", NULL);
  sdk.demo_ihex = g_build_filename (sdk.tmp, "demo.ihex", NULL);
  bin = g_build_filename (sdk.dest, test_env_path ("IPT_SDK_BINDIR"), NULL);
  analyze_path = g_build_filename (bin, "ipt-analyze", NULL);
  pkgconfig = g_build_filename (sdk.libdir, "pkgconfig", NULL);
  pluginsdir = g_build_filename (sdk.libdir, "ipt-analyze-1", "plugins", NULL);

  /* Everything from the destdir: the installed ipt-analyze, its library
   * and its plugin directory only (the build tree's stay out). */
  g_setenv ("IPT_ANALYZE", analyze_path, TRUE);
  g_setenv ("LD_LIBRARY_PATH", sdk.libdir, TRUE);
  g_setenv ("IPT_PLUGIN_SYSTEM_PATH", "", TRUE);
  g_setenv ("PKG_CONFIG_PATH", pkgconfig, TRUE);
  g_setenv ("IPT_PLUGIN_PATH", pluginsdir, TRUE);
  /* only the example's build sees the destdir as a sysroot (test_build_example) */
  g_unsetenv ("PKG_CONFIG_SYSROOT_DIR");

  g_test_add_func ("/sdk/install", test_install);
  g_test_add_func ("/sdk/build-example", test_build_example);
  g_test_add_func ("/sdk/list-plugins", test_list_plugins);
  g_test_add_func ("/sdk/read", test_read);
  g_test_add_func ("/sdk/demo-listing", test_demo_listing);
  g_test_add_func ("/sdk/gdb-dump", test_gdb_dump);
  g_test_add_func ("/sdk/errors", test_errors);
  if (g_getenv ("IPT_SDK_VIEWER") != NULL)
    g_test_add_func ("/sdk/view-form", test_view_form);

  status = g_test_run ();

  test_remove_tree (sdk.tmp);
  return status;
}
