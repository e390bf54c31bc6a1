/* test-plugin-coredump.c: the coredump plugin, loaded from the build tree, on real and synthetic cores.
 *
 * Real cores come from real producers: gdb's gcore and the kernel, of
 * tests/core/jitlike (a program with an RWX page it wrote). What a read
 * returns is checked against independent oracles: /proc/PID/maps taken
 * while the program ran, and the files on disk. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gmodule.h>

#include <ipt-analyze/ipt-analyze.h>

#include "core/jitlike-driver.h"
#include "core/synth-core.h"

#define PAGE 4096

static GType provider_type;

static void
load_plugin (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", "..", "plugins",
                                            "ipt-plugin-coredump.so", NULL);
  g_autoptr (GError) error = NULL;
  GModule *module = g_module_open_full (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, &error);
  IptPluginQueryFunc query = NULL;
  const IptPluginInfo *info;

  g_assert_no_error (error);
  g_assert_nonnull (module);
  g_module_make_resident (module);
  g_assert_true (g_module_symbol (module, "ipt_plugin_query", (gpointer *) &query));
  info = query ();
  g_assert_cmpuint (info->abi_version, ==, IPT_PLUGIN_ABI_VERSION);
  g_assert_cmpstr (info->name, ==, "coredump");
  provider_type = info->get_provider_type ();
  g_assert_true (g_type_is_a (provider_type, IPT_TYPE_MEMORY_PROVIDER));
  g_assert_true (g_type_is_a (provider_type, G_TYPE_INITABLE));
}

static IptMemoryProvider *
open_core (const char *core, const char *sysroot, const char *search_path, GError **error)
{
  return g_initable_new (provider_type, NULL, error, "core", core, "sysroot", sysroot,
                         "search-path", search_path, NULL);
}

/* Reads [address, address + size) through the provider; returns bytes read before the first unmapped one. */
static gsize
read_all (IptMemoryProvider *p, guint8 *buffer, gsize size, guint64 address)
{
  gsize done = 0;

  while (done < size)
    {
      g_autoptr (GError) error = NULL;
      gssize n = ipt_memory_provider_read (p, buffer + done, size - done, NULL, address + done, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >=, 0);
      g_assert_cmpint (n, <=, (gssize) (size - done));
      if (n == 0)
        break;
      done += n;
    }
  return done;
}

/* ---- the running test program ------------------------------------------------------------ */

static const char *
libc_path (JitlikeChild *c)
{
  for (guint i = 0; i < c->maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (c->maps, JitlikeMap, i);
      if (strstr (m->path, "/libc.so") != NULL || strstr (m->path, "/libc-") != NULL)
        return m->path;
    }
  g_assert_not_reached ();
}

/* Every executable mapping of @path reads back as the file's bytes (up to its end). */
static guint
assert_text_matches_file (IptMemoryProvider *p, JitlikeChild *c, const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr (GError) error = NULL;
  guint checked = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < c->maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (c->maps, JitlikeMap, i);
      g_autofree guint8 *buf = NULL;
      gsize want;

      if (strcmp (m->path, path) != 0 || m->perms[2] != 'x')
        continue;
      want = MIN (m->end - m->start, length - m->offset);
      buf = g_malloc (want);
      g_assert_cmpuint (read_all (p, buf, want, m->start), ==, want);
      g_assert_true (memcmp (buf, contents + m->offset, want) == 0);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
  return checked;
}

static void
assert_jit_page (IptMemoryProvider *p, JitlikeChild *c)
{
  guint8 buf[JITLIKE_PAGE_SIZE], want[JITLIKE_PAGE_SIZE];

  jitlike_expected_page (want);
  g_assert_cmpuint (read_all (p, buf, JITLIKE_PAGE_SIZE, c->page), ==, JITLIKE_PAGE_SIZE);
  g_assert_true (memcmp (buf, want, JITLIKE_PAGE_SIZE) == 0);
}

/* Executable mappings of @path read as unmapped (0), not as other bytes. */
static void
assert_text_unmapped (IptMemoryProvider *p, JitlikeChild *c, const char *path)
{
  guint checked = 0;

  for (guint i = 0; i < c->maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (c->maps, JitlikeMap, i);
      guint8 byte;

      if (strcmp (m->path, path) != 0 || m->perms[2] != 'x')
        continue;
      for (guint64 a = m->start; a < m->end; a += PAGE)
        g_assert_cmpint (ipt_memory_provider_read (p, &byte, 1, NULL, a, NULL), ==, 0);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
}

/* The regions are absolute file names, sorted and disjoint, and cover the JIT page from the core. */
static void
assert_regions (IptMemoryProvider *p, const char *core, JitlikeChild *c)
{
  g_autoptr (GPtrArray) regions = ipt_memory_provider_list_regions (p);
  g_autofree char *abs_core = g_canonicalize_filename (core, NULL);
  gboolean jit_from_core = FALSE;
  guint n_core = 0, n_exe_text = 0;

  g_assert_cmpuint (regions->len, >, 0);
  for (guint i = 0; i < regions->len; i++)
    {
      IptRegion *r = regions->pdata[i];

      g_assert_nonnull (r->filename);
      g_assert_true (g_path_is_absolute (r->filename));
      if (i > 0)
        {
          IptRegion *prev = regions->pdata[i - 1];
          g_assert_cmpuint (prev->address + prev->size, <=, r->address);
        }
      if (ipt_region_contains (r, c->page))
        jit_from_core = strcmp (r->filename, abs_core) == 0;
      if (strcmp (r->filename, abs_core) == 0)
        n_core++;
      else if (strcmp (r->filename, c->exe) == 0 && (r->permissions & IPT_PERMISSIONS_EXECUTE))
        n_exe_text++;
    }
  g_assert_true (jit_from_core);
  /* The text was not dumped: it must come from the executable itself. */

  g_assert_cmpuint (n_exe_text, >, 0);
  g_test_message ("%s: %u regions, %u from the core, %u of the executable's text from %s",
                  core, regions->len, n_core, n_exe_text, c->exe);
}

/* mapped-files: the files /proc/PID/maps named while it ran, each once, in
 * address order (NT_FILE's). */
static void
assert_mapped_files (IptMemoryProvider *p, const JitlikeChild *c)
{
  g_autoptr (GPtrArray) want = g_ptr_array_new ();
  g_auto (GStrv) files = NULL;

  for (guint i = 0; i < c->maps->len; i++)
    {
      const JitlikeMap *m = &g_array_index (c->maps, JitlikeMap, i);

      if (m->path[0] == '/' &&
          !g_ptr_array_find_with_equal_func (want, m->path, g_str_equal, NULL))
        g_ptr_array_add (want, m->path);
    }
  g_ptr_array_add (want, NULL);
  g_object_get (p, "mapped-files", &files, NULL);
  g_assert_nonnull (files);
  g_assert_cmpstrv (files, (const char *const *) want->pdata);
}

static void
test_gcore_serves_text_and_jit_page (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autofree char *core = NULL;
  gint64 pid = 0;
  guint64 rip = 0;
  JitlikeChild c;

  jitlike_child_start (&c, jitlike_get_program (), dir, FALSE);
  core = jitlike_child_gcore (&c, dir);

  p = open_core (core, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_text_matches_file (p, &c, c.exe);
  assert_text_matches_file (p, &c, libc_path (&c));
  assert_jit_page (p, &c);
  assert_regions (p, core, &c);
  g_object_get (p, "pid", &pid, "rip", &rip, NULL);
  g_assert_cmpint (pid, ==, c.pid);
  g_assert_cmpuint (rip, !=, 0);
  assert_mapped_files (p, &c);

  jitlike_child_stop (&c, 0);
  jitlike_child_clear (&c);
  g_unlink (core);
  g_rmdir (dir);
}

static void
test_kernel_core_serves_text_and_jit_page (void)
{
  g_autofree char *pattern = jitlike_read_core_pattern ();
  g_autofree char *dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  g_autofree char *core = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  gint64 pid = 0;
  JitlikeChild c;

  /* Only a pattern relative to the crashing process's cwd is used as is;
   * changing a system-wide setting under other processes is not ours to do. */
  if (!jitlike_core_pattern_is_plain (pattern))
    {
      g_autofree char *msg = g_strdup_printf ("kernel cores not tested: core_pattern is '%s', not a"
                                              " plain file name in the process's directory",
                                              pattern);
      g_test_message ("%s", msg);
      g_test_skip (msg);
      return;
    }

  jitlike_child_start (&c, jitlike_get_program (), dir, TRUE);
  core = jitlike_child_dump_kernel_core (&c, dir, pattern);
  if (core == NULL)
    g_error ("the kernel wrote no core (core_pattern '%s', RLIMIT_CORE raised): kernel cores"
             " cannot be tested here", pattern);
  g_assert_true (g_file_test (core, G_FILE_TEST_EXISTS));

  p = open_core (core, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_text_matches_file (p, &c, c.exe);
  assert_text_matches_file (p, &c, libc_path (&c));
  assert_jit_page (p, &c);
  assert_regions (p, core, &c);
  g_object_get (p, "pid", &pid, NULL);
  g_assert_cmpint (pid, >, 0);

  jitlike_child_clear (&c);
  g_unlink (core);
  g_rmdir (dir);
}

/* ---- missing and replaced files, sysroot, search path ------------------------------------ */

typedef struct {
  char *dir;
  char *copy;       /* the program's copy that ran, gone after setup */
  char *saved;      /* its bytes, kept elsewhere */
  char *core;
  JitlikeChild child;   /* exited; maps kept */
} MovedFixture;

static void
moved_setup (MovedFixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  f->copy = g_build_filename (f->dir, "jitlike-copy", NULL);
  f->saved = g_build_filename (f->dir, "saved", NULL);
  jitlike_copy_file (jitlike_get_program (), f->copy);
  jitlike_copy_file (jitlike_get_program (), f->saved);
  jitlike_child_start (&f->child, f->copy, f->dir, FALSE);
  f->core = jitlike_child_gcore (&f->child, f->dir);
  jitlike_child_stop (&f->child, 0);
  g_assert_cmpint (g_unlink (f->copy), ==, 0);
}

static void
moved_teardown (MovedFixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_true (g_str_has_prefix (f->dir, g_get_tmp_dir ()));
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  jitlike_child_clear (&f->child);
  g_free (f->dir);
  g_free (f->copy);
  g_free (f->saved);
  g_free (f->core);
}

static IptMemoryProvider *
open_expecting_warning (const char *core, const char *sysroot, const char *search_path,
                        const char *pattern)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  g_test_expect_message ("Ipt-coredump", G_LOG_LEVEL_WARNING, pattern);
  p = open_core (core, sysroot, search_path, &error);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  return p;
}

static void
test_missing_file_warns_and_unmaps (MovedFixture *f, gconstpointer data)
{
  g_autofree char *pattern = g_strdup_printf ("*%s*mapped file %s not usable*No such file*"
                                              "ranges 0x*unmapped*", f->core, f->copy);
  g_autoptr (IptMemoryProvider) p = open_expecting_warning (f->core, NULL, NULL, pattern);

  assert_text_unmapped (p, &f->child, f->copy);
  assert_text_matches_file (p, &f->child, libc_path (&f->child));
  assert_jit_page (p, &f->child);
}

static void
test_build_id_mismatch_warns_and_unmaps (MovedFixture *f, gconstpointer data)
{
  g_autofree char *pattern = g_strdup_printf ("*mapped file %s not usable*build-id*does not match"
                                              " the core's*unmapped*", f->copy);
  g_autoptr (IptMemoryProvider) p = NULL;

  jitlike_copy_file ("/bin/true", f->copy);
  p = open_expecting_warning (f->core, NULL, NULL, pattern);
  assert_text_unmapped (p, &f->child, f->copy);
  assert_jit_page (p, &f->child);
}

/* Makes f->dir/sysroot with the program's saved copy and everything else it
 * mapped; returns the copy's name in it. */
static char *
make_sysroot (MovedFixture *f, char **sysroot_out)
{
  g_autofree char *sysroot = g_build_filename (f->dir, "sysroot", NULL);
  char *in_root = g_build_filename (sysroot, f->copy, NULL);
  g_autofree char *parent = g_path_get_dirname (in_root);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  jitlike_copy_file (f->saved, in_root);
  /* Everything else the program mapped goes into the sysroot too: a sysroot
   * replaces the root for every mapped file. */
  for (guint i = 0; i < f->child.maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (f->child.maps, JitlikeMap, i);
      g_autofree char *to = NULL, *to_dir = NULL;

      if (m->path[0] != '/' || strcmp (m->path, f->copy) == 0
          || !g_file_test (m->path, G_FILE_TEST_IS_REGULAR))
        continue;
      to = g_build_filename (sysroot, m->path, NULL);
      to_dir = g_path_get_dirname (to);
      g_assert_cmpint (g_mkdir_with_parents (to_dir, 0755), ==, 0);
      if (!g_file_test (to, G_FILE_TEST_EXISTS))
        jitlike_copy_file (m->path, to);
    }
  *sysroot_out = g_steal_pointer (&sysroot);
  return in_root;
}

static void
test_sysroot_finds_moved_file (MovedFixture *f, gconstpointer data)
{
  g_autofree char *sysroot = NULL;
  g_autofree char *in_root = make_sysroot (f, &sysroot);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gboolean from_root = FALSE;

  p = open_core (f->core, sysroot, NULL, &error);
  g_assert_no_error (error);

  /* The program's text comes from the sysroot's copy, at its absolute name. */
  {
    JitlikeChild *c = &f->child;
    g_autofree char *contents = NULL;
    gsize length;

    g_file_get_contents (f->saved, &contents, &length, NULL);
    for (guint i = 0; i < c->maps->len; i++)
      {
        JitlikeMap *m = &g_array_index (c->maps, JitlikeMap, i);
        g_autofree guint8 *buf = NULL;
        gsize want;

        if (strcmp (m->path, f->copy) != 0 || m->perms[2] != 'x')
          continue;
        want = MIN (m->end - m->start, length - m->offset);
        buf = g_malloc (want);
        g_assert_cmpuint (read_all (p, buf, want, m->start), ==, want);
        g_assert_true (memcmp (buf, contents + m->offset, want) == 0);
      }
  }
  regions = ipt_memory_provider_list_regions (p);
  for (guint i = 0; i < regions->len; i++)
    if (g_strcmp0 (((IptRegion *) regions->pdata[i])->filename, in_root) == 0)
      from_root = TRUE;
  g_assert_true (from_root);
}

/* The right file (same build-id) but cut short: what it cannot serve is
 * named, with the file's size; it used to be clipped silently. */
static void
test_sysroot_truncated_file_warns (MovedFixture *f, gconstpointer data)
{
  g_autofree char *sysroot = NULL;
  g_autofree char *in_root = make_sysroot (f, &sysroot);
  g_autofree char *pattern = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  const JitlikeMap *text = NULL;

  for (guint i = 0; i < f->child.maps->len && text == NULL; i++)
    {
      const JitlikeMap *m = &g_array_index (f->child.maps, JitlikeMap, i);

      if (strcmp (m->path, f->copy) == 0 && m->perms[2] == 'x')
        text = m;
    }
  g_assert_nonnull (text);
  /* The header page (with the build-id) stays, the text goes. */
  g_assert_cmpint (truncate (in_root, (off_t) text->offset), ==, 0);
  pattern = g_strdup_printf ("*%s: mapped file %s is shorter than the core maps it (%s has 0x%"
                             G_GINT64_MODIFIER "x bytes): its ranges *0x%" G_GINT64_MODIFIER
                             "x-0x%" G_GINT64_MODIFIER "x* are unmapped", f->core, f->copy,
                             in_root, text->offset, text->start, text->end);
  p = open_expecting_warning (f->core, sysroot, NULL, pattern);
  assert_text_unmapped (p, &f->child, f->copy);
}

static char *
build_id_of (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("readelf -n '%s'", path);
  g_autofree char *out = NULL;
  const char *at;
  char id[129];

  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  at = strstr (out, "Build ID: ");
  g_assert_nonnull (at);
  g_assert_cmpint (sscanf (at + 10, "%128[0-9a-f]", id), ==, 1);
  return g_strdup (id);
}

static void
place_by_build_id (const char *root, const char *id, const char *from, const char *suffix)
{
  g_autofree char *xx = g_strndup (id, 2);
  g_autofree char *name = g_strconcat (id + 2, suffix, NULL);
  g_autofree char *d = g_build_filename (root, ".build-id", xx, NULL);
  g_autofree char *to = g_build_filename (d, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
  jitlike_copy_file (from, to);
}

static void
test_search_path_finds_by_build_id (MovedFixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->dir, "debug-root", NULL);
  g_autofree char *id = build_id_of (f->saved);
  g_autofree char *search = g_strdup_printf ("/nonexistent:%s", root);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  place_by_build_id (root, id, f->saved, "");
  p = open_core (f->core, NULL, search, &error);
  g_assert_no_error (error);
  assert_text_matches_file (p, &f->child, libc_path (&f->child));
  {
    /* the copy's text equals the saved bytes */
    g_autofree char *link = g_strdup (f->copy);
    jitlike_copy_file (f->saved, link);
    assert_text_matches_file (p, &f->child, f->copy);
  }
}

static void
test_search_path_finds_by_basename (MovedFixture *f, gconstpointer data)
{
  g_autofree char *d = g_build_filename (f->dir, "elsewhere", NULL);
  g_autofree char *to = g_build_filename (d, "jitlike-copy", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
  jitlike_copy_file (f->saved, to);
  p = open_core (f->core, NULL, d, &error);
  g_assert_no_error (error);
  jitlike_copy_file (f->saved, f->copy);  /* for the oracle only; the provider mapped `to` */
  assert_text_matches_file (p, &f->child, f->copy);
}

static void
test_search_path_rejects_debug_only_file (MovedFixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->dir, "debug-root", NULL);
  g_autofree char *id = build_id_of (f->saved);
  g_autofree char *dbg = g_build_filename (f->dir, "jitlike.debug", NULL);
  g_autofree char *cmd = g_strdup_printf ("objcopy --only-keep-debug '%s' '%s'", f->saved, dbg);
  g_autoptr (IptMemoryProvider) p = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  place_by_build_id (root, id, dbg, ".debug");
  p = open_expecting_warning (f->core, NULL, root, "*jitlike-copy not usable*debug-info*unmapped*");
  assert_text_unmapped (p, &f->child, f->copy);
}

/* ---- synthetic cores: semantics and errors ----------------------------------------------- */

typedef struct {
  char *dir;
  char *data_file;   /* 3 pages + 100 bytes, byte i = i % 251 */
  char *core;
} SynthFixture;

static void
synth_setup (SynthFixture *f, gconstpointer data)
{
  gsize n = 3 * PAGE + 100;
  g_autofree guint8 *bytes = g_malloc (n);
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  f->data_file = g_build_filename (f->dir, "mapped.bin", NULL);
  f->core = g_build_filename (f->dir, "core.1234", NULL);
  for (gsize i = 0; i < n; i++)
    bytes[i] = (guint8) (i % 251);
  g_file_set_contents (f->data_file, (char *) bytes, n, &error);
  g_assert_no_error (error);
}

static void
synth_teardown (SynthFixture *f, gconstpointer data)
{
  g_unlink (f->core);
  g_unlink (f->data_file);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->data_file);
  g_free (f->core);
}

static void
write_core (SynthFixture *f, SynthCore *c)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (f->core, (char *) c->bytes->data, c->bytes->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (c->bytes);
}

/* Maps the data file at 0x400000 from file page 1 (4 pages: the last is past EOF),
 * with the mapping's second page dumped (patched), and an anonymous not-dumped page. */
static void
synth_layout (SynthFixture *f, guint64 page_size)
{
  static guint8 patch[PAGE];
  SynthLoad loads[] = {
    { 0x400000, PAGE, 0, NULL, 5 },
    { 0x401000, PAGE, PAGE, patch, 5 },
    { 0x402000, 2 * PAGE, 0, NULL, 5 },
    { 0x500000, PAGE, 0, NULL, 6 },
  };
  SynthFile files[] = { { 0x400000, 0x404000, PAGE / page_size, f->data_file } };
  SynthCore c;

  memset (patch, 0xcc, sizeof patch);
  c = synth_core (loads, G_N_ELEMENTS (loads), files, 1, page_size);
  write_core (f, &c);
}

static void
assert_synth_layout (SynthFixture *f)
{
  g_autofree char *warning = g_strdup_printf ("*%s: mapped file %s is shorter than the core maps"
                                              " it (%s has 0x3064 bytes): its ranges"
                                              " 0x403000-0x404000 are unmapped",
                                              f->core, f->data_file, f->data_file);
  g_autoptr (IptMemoryProvider) p = NULL;
  guint8 buf[4 * PAGE];
  g_autoptr (GPtrArray) regions = NULL;
  gsize n;

  /* the tail of page 2 past the file's end is normal; page 3 is not */
  p = open_expecting_warning (f->core, NULL, NULL, warning);
  /* page 0: file page 1; page 1: the core's patch; page 2: file page 3 (100 bytes, then EOF) */
  n = read_all (p, buf, sizeof buf, 0x400000);
  g_assert_cmpuint (n, ==, 2 * PAGE + 100);
  for (guint i = 0; i < PAGE; i++)
    g_assert_cmpuint (buf[i], ==, (PAGE + i) % 251);
  for (guint i = 0; i < PAGE; i++)
    g_assert_cmpuint (buf[PAGE + i], ==, 0xcc);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (buf[2 * PAGE + i], ==, (3 * PAGE + i) % 251);
  /* past the file's end and anonymous memory that was not dumped: unmapped */
  g_assert_cmpint (ipt_memory_provider_read (p, buf, 1, NULL, 0x403000, NULL), ==, 0);
  g_assert_cmpint (ipt_memory_provider_read (p, buf, 1, NULL, 0x500000, NULL), ==, 0);
  /* a read across the patch's start is stitched */
  g_assert_cmpint (ipt_memory_provider_read (p, buf, 15, NULL, 0x400ff8, NULL), ==, 15);
  g_assert_cmpuint (buf[7], ==, (PAGE + PAGE - 1) % 251);
  g_assert_cmpuint (buf[8], ==, 0xcc);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 3);
  g_assert_cmpstr (((IptRegion *) regions->pdata[0])->filename, ==, f->data_file);
  g_assert_cmpuint (((IptRegion *) regions->pdata[0])->file_offset, ==, PAGE);
  g_assert_cmpstr (((IptRegion *) regions->pdata[1])->filename, ==, f->core);
  g_assert_cmpuint (((IptRegion *) regions->pdata[2])->address, ==, 0x402000);
  g_assert_cmpuint (((IptRegion *) regions->pdata[2])->size, ==, 100);
  g_assert_cmpuint (((IptRegion *) regions->pdata[2])->file_offset, ==, 3 * PAGE);
  g_assert_cmpint (((IptRegion *) regions->pdata[2])->permissions, ==,
                   IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
}

static void
test_synth_kernel_page_size (SynthFixture *f, gconstpointer data)
{
  synth_layout (f, 4096);
  assert_synth_layout (f);
}

static void
test_synth_gdb_page_size (SynthFixture *f, gconstpointer data)
{
  synth_layout (f, 1);
  assert_synth_layout (f);
}

static void
assert_open_fails (SynthFixture *f, GQuark domain, int code, const char *pattern)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = open_core (f->core, NULL, NULL, &error);

  g_assert_null (p);
  g_assert_error (error, domain, code);
  if (!g_pattern_match_simple (pattern, error->message))
    g_error ("error message '%s' does not match '%s'", error->message, pattern);
}

static SynthCore
synth_three_files (SynthFixture *f)
{
  SynthFile files[] = {
    { 0x400000, 0x401000, 0, f->data_file },
    { 0x401000, 0x402000, 1, f->data_file },
    { 0x402000, 0x403000, 2, f->data_file },
  };
  SynthLoad loads[] = { { 0x400000, 3 * PAGE, 0, NULL, 5 } };

  return synth_core (loads, 1, files, 3, 4096);
}

static void
test_error_nt_file_count (SynthFixture *f, gconstpointer data)
{
  SynthCore c = synth_three_files (f);
  g_autofree char *pattern = g_strdup_printf ("%s: NT_FILE note at offset 0x%" G_GSIZE_MODIFIER
                                              "x: 12 entries declared, only %" G_GSIZE_FORMAT " fit",
                                              f->core, c.nt_file_at, (c.desc_size - 16) / 25);

  synth_put (c.bytes, c.desc_at, 12, 8);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_CORRUPT, pattern);
}

static void
test_error_nt_file_name_off_the_end (SynthFixture *f, gconstpointer data)
{
  SynthCore c = synth_three_files (f);

  c.bytes->data[c.desc_at + c.desc_size - 1] = 'x';
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_CORRUPT,
                     "*core.1234: NT_FILE note at offset 0x*: the file name of entry 2 * runs off the end of the note*");
}

static void
test_error_nt_file_start_above_end (SynthFixture *f, gconstpointer data)
{
  SynthCore c = synth_three_files (f);

  synth_put (c.bytes, c.desc_at + 16 + 24, 0x500000, 8);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_CORRUPT,
                     "*core.1234: NT_FILE note at offset 0x*: entry 1 at offset 0x*: start 0x500000 is above end 0x402000");
}

/* One corrupt byte in a start (0x4010ff for 0x401000) kept the build-id
 * matching and shifted the code: the decoders looped for ever. */
static void
test_error_nt_file_unaligned (SynthFixture *f, gconstpointer data)
{
  SynthCore c = synth_three_files (f);
  SynthFile gdb_files[] = { { 0x400000, 0x401000, PAGE + 1, f->data_file } };
  SynthLoad loads[] = { { 0x400000, PAGE, 0, NULL, 5 } };

  synth_put (c.bytes, c.desc_at + 16 + 24, 0x4010ff, 8);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_CORRUPT,
                     "*core.1234: NT_FILE note at offset 0x*: entry 1 at offset 0x*: start 0x4010ff"
                     " is not aligned to a 4096-byte page");

  /* gdb's page size of 1 does not make byte offsets valid: mmap() takes pages. */
  c = synth_core (loads, 1, gdb_files, 1, 1);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_CORRUPT,
                     "*core.1234: NT_FILE note at offset 0x*: entry 0 at offset 0x*: file offset 0x1001"
                     " is not aligned to a 4096-byte page");
}

static void
test_error_nt_file_page_size (SynthFixture *f, gconstpointer data)
{
  SynthCore c = synth_three_files (f);

  synth_put (c.bytes, c.desc_at + 8, 0, 8);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_CORRUPT, "*core.1234: NT_FILE note at offset 0x*: page size 0 is not*");
}

/* It used to be listed (size 0x1000) and unreadable (its end wrapped to 0);
 * raw, pagedump and elf refuse such a range too. */
static void
test_error_load_ends_at_2_64 (SynthFixture *f, gconstpointer data)
{
  static guint8 top[PAGE];
  SynthLoad loads[] = { { G_GUINT64_CONSTANT (0xfffffffffffff000), PAGE, PAGE, top, 5 } };
  SynthCore c = synth_core (loads, 1, NULL, 0, 4096);

  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                     "*core.1234: program header 1 at offset 0x78: PT_LOAD [0xfffffffffffff000,"
                     " +0x1000) ends at 2^64, the top of the 64-bit address space, which cannot"
                     " be mapped");
}

static void
test_error_truncated (SynthFixture *f, gconstpointer data)
{
  SynthLoad loads[] = { { 0x600000, PAGE, PAGE, NULL, 6 } };
  SynthCore c = synth_core (loads, 1, NULL, 0, 4096);

  g_byte_array_set_size (c.bytes, c.bytes->len - 1);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_TRUNCATED,
                     "*core.1234: program header 1 at offset 0x78: PT_LOAD contents * run past the end of the file*truncated*");

  c = synth_core (loads, 1, NULL, 0, 4096);
  g_byte_array_set_size (c.bytes, 100);
  write_core (f, &c);
  assert_open_fails (f, IPT_ERROR, IPT_ERROR_TRUNCATED,
                     "*core.1234: offset 0x40: the program header table (2 entries of 56 bytes, * runs past the end*");
}

static void
test_error_not_a_core (SynthFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = open_core (f->data_file, NULL, NULL, &error);

  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not an ELF file"));
  g_clear_error (&error);

  p = open_core (jitlike_get_program (), NULL, NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "is not a core dump"));
  g_clear_error (&error);

  p = open_core (NULL, NULL, NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_clear_error (&error);

  p = open_core ("/nonexistent/core", NULL, NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
}

/* The core's name in the parser's messages is valid UTF-8 whatever its bytes. */
static void
test_error_names_escaped (SynthFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *odd = g_build_filename (f->dir, "core.\xff", NULL);
  g_autoptr (IptMemoryProvider) p = NULL;

  g_assert_cmpint (rename (f->data_file, odd), ==, 0);
  p = open_core (odd, NULL, NULL, &error);
  g_assert_cmpint (rename (odd, f->data_file), ==, 0);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "core.\\xff"));
  g_assert_nonnull (strstr (error->message, "not an ELF file"));
}

static void
test_truncated_gcore (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  g_autofree char *core = NULL, *contents = NULL, *cut = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  gsize length;
  JitlikeChild c;

  jitlike_child_start (&c, jitlike_get_program (), dir, FALSE);
  core = jitlike_child_gcore (&c, dir);
  jitlike_child_stop (&c, 0);
  jitlike_child_clear (&c);
  g_file_get_contents (core, &contents, &length, &error);
  g_assert_no_error (error);
  cut = g_strconcat (core, ".cut", NULL);
  g_file_set_contents (cut, contents, length / 2, &error);
  g_assert_no_error (error);

  p = open_core (cut, NULL, NULL, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, cut));
  g_assert_nonnull (strstr (error->message, "past the end of the file"));
  g_unlink (cut);
  g_unlink (core);
  g_rmdir (dir);
}

/* ---- symbols ----------------------------------------------------------------------------- */

/* @name's value in @path as nm prints it (the dynamic table with @dynamic). */
static guint64
nm_address (const char *path, gboolean dynamic, const char *name)
{
  g_autofree char *cmd = g_strdup_printf ("nm %s--defined-only '%s'", dynamic ? "-D " : "", path);
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 value;
      char type, sym[256];

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x %c %255[^@\n]", &value, &type, sym) == 3
          && (type == 'T' || type == 't' || type == 'i') && strcmp (sym, name) == 0)
        return value;
    }
  g_error ("nm: no function %s in %s", name, path);
}

/* Where @path was loaded in the running child: the start of its offset-0
 * mapping minus its lowest PT_LOAD's page, from /proc/PID/maps and readelf
 * (of @bytes_of, a file with @path's bytes). */
static guint64
load_bias (JitlikeChild *c, const char *path, const char *bytes_of)
{
  g_autofree char *cmd = g_strdup_printf ("readelf -lW '%s'", bytes_of);
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  guint64 lowest = G_MAXUINT64;

  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 offset, vaddr;

      if (sscanf (lines[i], " LOAD 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x",
                  &offset, &vaddr) == 2)
        lowest = MIN (lowest, vaddr);
    }
  g_assert_cmpuint (lowest, !=, G_MAXUINT64);
  for (guint i = 0; i < c->maps->len; i++)
    {
      JitlikeMap *m = &g_array_index (c->maps, JitlikeMap, i);

      if (strcmp (m->path, path) == 0 && m->offset == 0)
        return m->start - (lowest & ~(guint64) (PAGE - 1));
    }
  g_error ("%s is not mapped at offset 0 in the child", path);
}

static guint
tables_loaded (gpointer p)
{
  guint n = G_MAXUINT;

  g_object_get (p, "symbol-tables-loaded", &n, NULL);
  return n;
}

/* @address names @want at @want_start, offset @address - @want_start. */
static void
assert_names (gpointer p, const IptAsid *asid, guint64 address, const char *want,
              guint64 want_start)
{
  const char *name = NULL;
  guint64 offset = 0, start = 0, size = 0;

  if (!ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (p), asid, address, &name, &offset, &start,
                                 &size))
    g_error ("0x%" G_GINT64_MODIFIER "x: no symbol, expected %s", address, want);
  g_assert_cmpstr (name, ==, want);
  g_assert_cmpuint (start, ==, want_start);
  g_assert_cmpuint (offset, ==, address - want_start);
  g_assert_cmpuint (size, >, offset);
}

static gboolean
names_anything (gpointer p, const IptAsid *asid, guint64 address)
{
  const char *name;
  guint64 offset, start, size;

  return ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (p), asid, address, &name, &offset, &start,
                                   &size);
}

static void
test_symbols_gcore_names_exe_and_libc (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autofree char *core = NULL;
  guint64 main_at, malloc_at;
  const char *libc;
  JitlikeChild c;

  jitlike_child_start (&c, jitlike_get_program (), dir, FALSE);
  core = jitlike_child_gcore (&c, dir);
  libc = libc_path (&c);
  main_at = nm_address (c.exe, FALSE, "main") + load_bias (&c, c.exe, c.exe);
  malloc_at = nm_address (libc, TRUE, "malloc") + load_bias (&c, libc, libc);

  p = open_core (core, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (IPT_IS_SYMBOL_SOURCE (p));
  /* Opening and reading build no symbol table: they are built on demand. */
  assert_text_matches_file (p, &c, c.exe);
  assert_text_matches_file (p, &c, libc);
  g_assert_cmpuint (tables_loaded (p), ==, 0);

  assert_names (p, NULL, main_at + 3, "main", main_at);
  g_assert_cmpuint (tables_loaded (p), ==, 1);
  assert_names (p, NULL, main_at, "main", main_at);
  assert_names (p, NULL, malloc_at + 3, "malloc", malloc_at);
  g_assert_cmpuint (tables_loaded (p), ==, 2);
  /* The JIT page belongs to no file: no name, and no table is built for it. */
  g_assert_false (names_anything (p, NULL, c.page));
  assert_names (p, NULL, malloc_at + 3, "malloc", malloc_at);
  g_assert_cmpuint (tables_loaded (p), ==, 2);

  jitlike_child_stop (&c, 0);
  jitlike_child_clear (&c);
  g_unlink (core);
  g_rmdir (dir);
}

typedef struct {
  gpointer provider;
  guint64 main_at, malloc_at;
} LookupRace;

static gpointer
lookup_race_thread (gpointer data)
{
  LookupRace *race = data;

  for (guint i = 0; i < 2000; i++)
    {
      guint64 off = i % 8;

      if (i % 2 == 0)
        assert_names (race->provider, NULL, race->main_at + off, "main", race->main_at);
      else
        assert_names (race->provider, NULL, race->malloc_at + off, "malloc", race->malloc_at);
    }
  return NULL;
}

/* First lookups from several threads at once: each table is built once,
 * and every thread sees it whole. */
static void
test_symbols_first_lookups_from_threads (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autofree char *core = NULL;
  GThread *threads[4];
  LookupRace race;
  JitlikeChild c;

  jitlike_child_start (&c, jitlike_get_program (), dir, FALSE);
  core = jitlike_child_gcore (&c, dir);
  race.main_at = nm_address (c.exe, FALSE, "main") + load_bias (&c, c.exe, c.exe);
  race.malloc_at = nm_address (libc_path (&c), TRUE, "malloc")
                   + load_bias (&c, libc_path (&c), libc_path (&c));
  p = open_core (core, NULL, NULL, &error);
  g_assert_no_error (error);
  race.provider = p;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("lookup", lookup_race_thread, &race);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (tables_loaded (p), ==, 2);

  jitlike_child_stop (&c, 0);
  jitlike_child_clear (&c);
  g_unlink (core);
  g_rmdir (dir);
}

static void
test_symbols_respect_cr3 (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ipt-coredump-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autofree char *core = NULL;
  IptAsid mine = { 0x1000, IPT_ASID_NO_VMCS }, other = { 0x2000, IPT_ASID_NO_VMCS };
  guint64 main_at;
  guint8 byte;
  JitlikeChild c;

  jitlike_child_start (&c, jitlike_get_program (), dir, FALSE);
  core = jitlike_child_gcore (&c, dir);
  main_at = nm_address (c.exe, FALSE, "main") + load_bias (&c, c.exe, c.exe);
  p = g_initable_new (provider_type, NULL, &error, "core", core, "cr3", (guint64) 0x1000, NULL);
  g_assert_no_error (error);

  /* Like reads: another address space sees neither bytes nor names. */
  g_assert_cmpint (ipt_memory_provider_read (p, &byte, 1, &other, main_at, NULL), ==, 0);
  g_assert_false (names_anything (p, &other, main_at));
  g_assert_cmpuint (tables_loaded (p), ==, 0);
  g_assert_cmpint (ipt_memory_provider_read (p, &byte, 1, &mine, main_at, NULL), ==, 1);
  assert_names (p, &mine, main_at + 3, "main", main_at);

  jitlike_child_stop (&c, 0);
  jitlike_child_clear (&c);
  g_unlink (core);
  g_rmdir (dir);
}

/* The executable is gone: its text is unmapped and it names nothing, while
 * libc still does. */
static void
test_symbols_missing_file_names_nothing (MovedFixture *f, gconstpointer data)
{
  g_autofree char *pattern = g_strdup_printf ("*mapped file %s not usable*No such file*",
                                              f->copy);
  g_autoptr (IptMemoryProvider) p = open_expecting_warning (f->core, NULL, NULL, pattern);
  guint64 main_at = nm_address (f->saved, FALSE, "main") + load_bias (&f->child, f->copy, f->saved);
  const char *libc = libc_path (&f->child);
  guint64 malloc_at = nm_address (libc, TRUE, "malloc") + load_bias (&f->child, libc, libc);

  g_assert_false (names_anything (p, NULL, main_at));
  g_assert_false (names_anything (p, NULL, main_at + 3));
  assert_names (p, NULL, malloc_at + 3, "malloc", malloc_at);
  g_assert_cmpuint (tables_loaded (p), ==, 2);
}

/* The file that was checked at open is replaced before the first lookup:
 * its symbols are not taken from the new file (reads keep the old bytes). */
static void
test_symbols_file_replaced_after_open (MovedFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  guint64 main_at = nm_address (f->saved, FALSE, "main") + load_bias (&f->child, f->copy, f->saved);

  jitlike_copy_file (f->saved, f->copy);
  p = open_core (f->core, NULL, NULL, &error);
  g_assert_no_error (error);
  /* g_file_set_contents() renames a new file over it: the mapping stays. */
  jitlike_copy_file ("/bin/true", f->copy);
  g_assert_false (names_anything (p, NULL, main_at + 3));
  g_assert_cmpuint (tables_loaded (p), ==, 1);
  assert_text_matches_file (p, &f->child, libc_path (&f->child));
}

/* A synthetic core whose mapping of jitlike at @base was dumped whole: the
 * file serves nothing, so open does not look it up; a lookup does. */
static void
write_dumped_jitlike_core (SynthFixture *f, const char *mapped_path, guint64 base,
                           GBytes **contents)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length, padded;
  SynthCore c;

  g_file_get_contents (jitlike_get_program (), &data, &length, &error);
  g_assert_no_error (error);
  padded = (length + PAGE - 1) & ~(gsize) (PAGE - 1);
  data = g_realloc (data, padded);
  memset (data + length, 0, padded - length);
  {
    SynthLoad loads[] = { { base, padded, padded, (const guint8 *) data, 5 } };
    SynthFile files[] = { { base, base + padded, 0, mapped_path } };

    c = synth_core (loads, 1, files, 1, 4096);
  }
  write_core (f, &c);
  *contents = g_bytes_new_take (g_steal_pointer (&data), padded);
}

static void
test_symbols_of_a_dumped_file (SynthFixture *f, gconstpointer data)
{
  const guint64 base = 0x7f0000000000;
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  guint64 main_at = base + nm_address (jitlike_get_program (), FALSE, "main");

  write_dumped_jitlike_core (f, jitlike_get_program (), base, &contents);
  p = open_core (f->core, NULL, NULL, &error);
  g_assert_no_error (error);
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  g_assert_cmpstr (((IptRegion *) regions->pdata[0])->filename, ==, f->core);
  g_assert_cmpuint (tables_loaded (p), ==, 0);
  assert_names (p, NULL, main_at + 3, "main", main_at);
  g_assert_cmpuint (tables_loaded (p), ==, 1);
}

/* The same, with the file gone from disk: no name, no warning (nothing is
 * unmapped), no crash; the dumped bytes are still served. */
static void
test_symbols_of_a_dumped_missing_file (SynthFixture *f, gconstpointer data)
{
  const guint64 base = 0x7f0000000000;
  g_autofree char *gone = g_build_filename (f->dir, "no-such-program", NULL);
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  guint64 main_at = base + nm_address (jitlike_get_program (), FALSE, "main");
  guint8 byte;

  write_dumped_jitlike_core (f, gone, base, &contents);
  p = open_core (f->core, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (names_anything (p, NULL, main_at + 3));
  g_assert_false (names_anything (p, NULL, main_at));
  g_assert_cmpuint (tables_loaded (p), ==, 1);
  g_assert_cmpint (ipt_memory_provider_read (p, &byte, 1, NULL, main_at, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, ((const guint8 *) g_bytes_get_data (contents, NULL))[main_at - base]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  load_plugin ();

  g_test_add_func ("/plugin/coredump/gcore/serves-text-and-jit-page", test_gcore_serves_text_and_jit_page);
  g_test_add_func ("/plugin/coredump/kernel/serves-text-and-jit-page", test_kernel_core_serves_text_and_jit_page);
  g_test_add_func ("/plugin/coredump/gcore/truncated-is-an-error", test_truncated_gcore);
#define MOVED(path, fn) g_test_add (path, MovedFixture, NULL, moved_setup, fn, moved_teardown)
  MOVED ("/plugin/coredump/files/missing-warns-and-unmaps", test_missing_file_warns_and_unmaps);
  MOVED ("/plugin/coredump/files/build-id-mismatch-warns-and-unmaps", test_build_id_mismatch_warns_and_unmaps);
  MOVED ("/plugin/coredump/files/sysroot", test_sysroot_finds_moved_file);
  MOVED ("/plugin/coredump/files/sysroot-truncated-file-warns", test_sysroot_truncated_file_warns);
  MOVED ("/plugin/coredump/files/search-path-build-id", test_search_path_finds_by_build_id);
  MOVED ("/plugin/coredump/files/search-path-basename", test_search_path_finds_by_basename);
  MOVED ("/plugin/coredump/files/search-path-rejects-debug-only", test_search_path_rejects_debug_only_file);
#define SYNTH(path, fn) g_test_add (path, SynthFixture, NULL, synth_setup, fn, synth_teardown)
  SYNTH ("/plugin/coredump/synthetic/kernel-page-size", test_synth_kernel_page_size);
  SYNTH ("/plugin/coredump/synthetic/gdb-page-size", test_synth_gdb_page_size);
  SYNTH ("/plugin/coredump/errors/nt-file-count", test_error_nt_file_count);
  SYNTH ("/plugin/coredump/errors/nt-file-name-off-the-end", test_error_nt_file_name_off_the_end);
  SYNTH ("/plugin/coredump/errors/nt-file-start-above-end", test_error_nt_file_start_above_end);
  SYNTH ("/plugin/coredump/errors/nt-file-page-size", test_error_nt_file_page_size);
  SYNTH ("/plugin/coredump/errors/nt-file-unaligned", test_error_nt_file_unaligned);
  SYNTH ("/plugin/coredump/errors/truncated", test_error_truncated);
  SYNTH ("/plugin/coredump/errors/load-ends-at-2-64", test_error_load_ends_at_2_64);
  SYNTH ("/plugin/coredump/errors/not-a-core", test_error_not_a_core);
  SYNTH ("/plugin/coredump/errors/names-escaped", test_error_names_escaped);
  g_test_add_func ("/plugin/coredump/symbols/gcore-names-exe-and-libc-on-demand",
                   test_symbols_gcore_names_exe_and_libc);
  g_test_add_func ("/plugin/coredump/symbols/first-lookups-from-threads",
                   test_symbols_first_lookups_from_threads);
  g_test_add_func ("/plugin/coredump/symbols/respect-cr3", test_symbols_respect_cr3);
  MOVED ("/plugin/coredump/symbols/missing-file-names-nothing", test_symbols_missing_file_names_nothing);
  MOVED ("/plugin/coredump/symbols/file-replaced-after-open-names-nothing",
         test_symbols_file_replaced_after_open);
  SYNTH ("/plugin/coredump/symbols/dumped-file-looked-up-on-demand", test_symbols_of_a_dumped_file);
  SYNTH ("/plugin/coredump/symbols/dumped-missing-file-names-nothing",
         test_symbols_of_a_dumped_missing_file);

  return g_test_run ();
}
