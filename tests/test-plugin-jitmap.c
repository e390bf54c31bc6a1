/* test-plugin-jitmap.c: the jitmap plugin, loaded from the built module
 * (build/plugins/ipt-plugin-jitmap.so).
 *
 * Most tests write synthetic jitdumps with the small generator below, in
 * either byte order; code bytes are filled so that every byte tells its
 * version and offset. One test runs the real producer, node --perf-prof,
 * and checks the plugin against an independent little reader of the dump. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "plugin-test.h"

#define JITMAP_DOMAIN "Ipt-jitmap"

static GType provider_type;

typedef struct {
  char *dir;
  GPtrArray *files;   /* paths to remove at teardown */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-plugin-jitmap-XXXXXX", &error);
  g_assert_no_error (error);
  f->files = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < f->files->len; i++)
    g_unlink (g_ptr_array_index (f->files, i));
  g_rmdir (f->dir);
  g_ptr_array_unref (f->files);
  g_free (f->dir);
}

static char *
fixture_write (Fixture *f, const char *name, const void *data, gsize size)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
  g_ptr_array_add (f->files, g_strdup (path));
  return path;
}

/* ---- a jitdump generator ------------------------------------------------ */

typedef struct {
  GByteArray *bytes;
  gboolean swapped;
} Dump;

typedef struct {
  guint64 addr;
  guint32 line;
  const char *file;   /* "\xff" = the previous entry's */
} LineEntry;

static void
put32 (Dump *d, guint32 v)
{
  if (d->swapped)
    v = GUINT32_SWAP_LE_BE (v);
  g_byte_array_append (d->bytes, (const guint8 *) &v, sizeof v);
}

static void
put64 (Dump *d, guint64 v)
{
  if (d->swapped)
    v = GUINT64_SWAP_LE_BE (v);
  g_byte_array_append (d->bytes, (const guint8 *) &v, sizeof v);
}

static void
put_string (Dump *d, const char *s)
{
  g_byte_array_append (d->bytes, (const guint8 *) s, strlen (s) + 1);
}

/* Patches the u32 at @offset (a record's total_size). */
static void
patch32 (Dump *d, gsize offset, guint32 v)
{
  if (d->swapped)
    v = GUINT32_SWAP_LE_BE (v);
  memcpy (d->bytes->data + offset, &v, sizeof v);
}

static Dump *
dump_new_full (gboolean swapped, guint32 header_size, guint64 flags)
{
  Dump *d = g_new0 (Dump, 1);

  d->bytes = g_byte_array_new ();
  d->swapped = swapped;
  put32 (d, 0x4A695444);
  put32 (d, 1);
  put32 (d, header_size);
  put32 (d, 62);              /* EM_X86_64 */
  put32 (d, 0);
  put32 (d, 4242);
  put64 (d, 123456789);
  put64 (d, flags);
  while (d->bytes->len < header_size)
    g_byte_array_append (d->bytes, (const guint8 *) "\xee", 1);
  return d;
}

static Dump *
dump_new (gboolean swapped)
{
  return dump_new_full (swapped, 40, 0);
}

static void
dump_free (Dump *d)
{
  g_byte_array_unref (d->bytes);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dump, dump_free)

/* The byte at @offset of the code of version @seed. */
static guint8
code_byte (guint seed, gsize offset)
{
  return (guint8) (seed * 41 + offset * 7 + 1);
}

/* Starts a record; returns its offset, for dump_end_record(). */
static gsize
dump_begin_record (Dump *d, guint32 id, guint64 timestamp)
{
  gsize at = d->bytes->len;

  put32 (d, id);
  put32 (d, 0);
  put64 (d, timestamp);
  return at;
}

static void
dump_end_record (Dump *d, gsize at)
{
  patch32 (d, at + 4, d->bytes->len - at);
}

/* A JIT_CODE_LOAD of @size bytes of code_byte (@seed, ·); returns the
 * offset of the code bytes in the dump. */
static gsize
dump_load (Dump *d, guint64 timestamp, guint64 addr, guint64 size, guint64 index,
           const char *name, guint seed)
{
  gsize at = dump_begin_record (d, 0, timestamp), code;

  put32 (d, 4242);
  put32 (d, 4243);
  put64 (d, addr);
  put64 (d, addr);
  put64 (d, size);
  put64 (d, index);
  put_string (d, name);
  code = d->bytes->len;
  for (gsize i = 0; i < size; i++)
    {
      guint8 b = code_byte (seed, i);

      g_byte_array_append (d->bytes, &b, 1);
    }
  dump_end_record (d, at);
  return code;
}

static void
dump_move (Dump *d, guint64 timestamp, guint64 old_addr, guint64 new_addr, guint64 size,
           guint64 index)
{
  gsize at = dump_begin_record (d, 1, timestamp);

  put32 (d, 4242);
  put32 (d, 4243);
  put64 (d, new_addr);
  put64 (d, old_addr);
  put64 (d, new_addr);
  put64 (d, size);
  put64 (d, index);
  dump_end_record (d, at);
}

static void
dump_debug_info (Dump *d, guint64 timestamp, guint64 code_addr, const LineEntry *entries,
                 gsize n)
{
  gsize at = dump_begin_record (d, 2, timestamp);

  put64 (d, code_addr);
  put64 (d, n);
  for (gsize i = 0; i < n; i++)
    {
      put64 (d, entries[i].addr);
      put32 (d, entries[i].line);
      put32 (d, 0);
      put_string (d, entries[i].file);
    }
  dump_end_record (d, at);
}

static void
dump_unwinding_info (Dump *d, guint64 timestamp)
{
  gsize at = dump_begin_record (d, 4, timestamp);

  put64 (d, 8);
  put64 (d, 0);
  put64 (d, 8);
  put64 (d, G_GUINT64_CONSTANT (0x0123456789abcdef));
  dump_end_record (d, at);
}

static void
dump_close (Dump *d, guint64 timestamp)
{
  dump_end_record (d, dump_begin_record (d, 3, timestamp));
}

static char *
dump_write (Fixture *f, Dump *d)
{
  return fixture_write (f, "jit-4242.dump", d->bytes->data, d->bytes->len);
}

/* ---- opening and checking ----------------------------------------------- */

static IptMemoryProvider *
open_jitmap (const char *dump, const char *map, GError **error)
{
  return g_initable_new (provider_type, NULL, error, "dump", dump, "map", map, NULL);
}

static IptMemoryProvider *
open_dump_ok (const char *dump)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p = open_jitmap (dump, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  return p;
}

/* Reads @size bytes at @address at @time and checks them against
 * code_byte (@seed, @offset...). */
static void
assert_read_at (IptMemoryProvider *p, guint64 address, guint64 time, gsize size,
                gssize expected, guint seed, gsize offset)
{
  g_autoptr (GError) error = NULL;
  guint8 buffer[64];
  gssize n;

  g_assert_cmpuint (size, <=, sizeof buffer);
  memset (buffer, 0xcc, sizeof buffer);
  if (time == IPT_TIME_END)
    n = ipt_memory_provider_read (p, buffer, size, NULL, address, &error);
  else
    n = ipt_memory_provider_read_at (p, buffer, size, NULL, address, time, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, expected);
  for (gssize i = 0; i < n; i++)
    g_assert_cmphex (buffer[i], ==, code_byte (seed, offset + i));
  for (gsize i = MAX (n, 0); i < sizeof buffer; i++)
    g_assert_cmphex (buffer[i], ==, 0xcc);
}

static void
assert_region (GPtrArray *regions, guint i, guint64 address, guint64 size, const char *file,
               guint64 file_offset, guint64 valid_from, guint64 valid_to)
{
  IptRegion *r;

  g_assert_cmpuint (i, <, regions->len);
  r = g_ptr_array_index (regions, i);
  g_assert_cmphex (r->address, ==, address);
  g_assert_cmphex (r->size, ==, size);
  g_assert_cmpstr (r->filename, ==, file);
  g_assert_cmphex (r->file_offset, ==, file_offset);
  g_assert_cmpuint (r->permissions, ==, IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
  g_assert_cmpuint (r->valid_from, ==, valid_from);
  g_assert_cmpuint (r->valid_to, ==, valid_to);
}

static void
assert_name_at (IptMemoryProvider *p, guint64 address, guint64 time, const char *name,
                guint64 start, guint64 size)
{
  const char *found = NULL;
  guint64 offset = 0, found_start = 0, found_size = 0;

  g_assert_true (ipt_symbol_source_lookup_at (IPT_SYMBOL_SOURCE (p), NULL, address, time,
                                              &found, &offset, &found_start, &found_size));
  g_assert_cmpstr (found, ==, name);
  g_assert_cmphex (found_start, ==, start);
  g_assert_cmphex (found_size, ==, size);
  g_assert_cmphex (offset, ==, address - start);
}

static void
assert_no_name_at (IptMemoryProvider *p, guint64 address, guint64 time)
{
  const char *found = NULL;

  g_assert_false (ipt_symbol_source_lookup_at (IPT_SYMBOL_SOURCE (p), NULL, address, time,
                                               &found, NULL, NULL, NULL));
}

/* The error names the plugin, the file and the offset (and fragments). */
static void
assert_open_fails (const char *dump, const char *map, int code, const char *file,
                   const char *fragment1, const char *fragment2)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = open_jitmap (dump, map, &error);

  g_assert_null (p);
  plugin_test_assert_error_names (error, code, "jitmap", file, fragment1, fragment2, NULL);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_descriptor (void)
{
  g_autoptr (GTypeClass) klass = NULL;
  const char *expected[] = { "dump", "map", "cr3", "time-zero", "time-mult", "time-shift" };
  GParamSpec **pspecs;
  guint n_pspecs;

  g_assert_true (g_type_is_a (provider_type, IPT_TYPE_MEMORY_PROVIDER));
  g_assert_true (g_type_is_a (provider_type, IPT_TYPE_SYMBOL_SOURCE));
  g_assert_true (g_type_is_a (provider_type, G_TYPE_INITABLE));
  g_assert_true (G_TYPE_IS_FINAL (provider_type));

  klass = g_type_class_ref (provider_type);
  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);
  g_assert_cmpuint (n_pspecs, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), expected[i]);

      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
      g_assert_cmpuint (strlen (g_param_spec_get_blurb (pspec)), >, 10);
    }
  g_free (pspecs);
}

/* Two functions loaded at the same address one after the other. */
static void
test_two_versions (Fixture *f, gconstpointer data)
{
  gboolean swapped = GPOINTER_TO_INT (data);
  g_autoptr (Dump) d = dump_new (swapped);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize code1, code2;

  code1 = dump_load (d, 1000, 0x10000, 0x40, 1, "JS:*first /x.js:1:1", 1);
  code2 = dump_load (d, 2000, 0x10000, 0x20, 2, "JS:*second /x.js:5:1", 2);
  path = dump_write (f, d);
  p = open_dump_ok (path);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 0, 0x10000, 0x40, path, code1, 1000, 2000);
  assert_region (regions, 1, 0x10000, 0x20, path, code2, 2000, IPT_TIME_END);

  /* each version at its time, and at the boundary the later one */
  assert_read_at (p, 0x10000, 1000, 16, 16, 1, 0);
  assert_read_at (p, 0x10010, 1999, 16, 16, 1, 0x10);
  assert_read_at (p, 0x10000, 2000, 16, 16, 2, 0);
  assert_read_at (p, 0x10010, 5000, 32, 16, 2, 0x10);
  /* the first version's tail is not there at the second's time */
  assert_read_at (p, 0x10030, 1500, 16, 16, 1, 0x30);
  assert_read_at (p, 0x10030, 2000, 16, 0, 0, 0);
  /* read: the latest */
  assert_read_at (p, 0x10000, IPT_TIME_END, 64, 0x20, 2, 0);
  assert_read_at (p, 0x10030, IPT_TIME_END, 16, 0, 0, 0);
  /* unmapped around */
  assert_read_at (p, 0xffff, 1000, 16, 0, 0, 0);
}

static void
test_soonest_future (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  dump_load (d, 1000, 0x10000, 0x40, 1, "first", 1);
  dump_load (d, 2000, 0x10000, 0x40, 2, "second", 2);
  path = dump_write (f, d);
  p = open_dump_ok (path);

  /* Before the first load: the one that becomes valid soonest. */
  assert_read_at (p, 0x10000, 0, 16, 16, 1, 0);
  assert_read_at (p, 0x10008, 999, 8, 8, 1, 8);
  assert_name_at (p, 0x10008, 999, "first", 0x10000, 0x40);
}

static void
test_same_timestamp (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize code2;

  dump_load (d, 1000, 0x10000, 0x40, 1, "earlier", 1);
  code2 = dump_load (d, 1000, 0x10000, 0x30, 2, "later", 2);
  path = dump_write (f, d);
  p = open_dump_ok (path);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  assert_region (regions, 0, 0x10000, 0x30, path, code2, 1000, IPT_TIME_END);
  assert_read_at (p, 0x10000, 1000, 16, 16, 2, 0);
  assert_read_at (p, 0x10000, 0, 16, 16, 2, 0);
}

/* A LOAD over part of older code ends the whole older region. */
static void
test_partial_overlap (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize code1, code2, code3;

  code1 = dump_load (d, 100, 0x1000, 0x100, 1, "a", 1);
  code2 = dump_load (d, 200, 0x1200, 0x100, 2, "b", 2);
  code3 = dump_load (d, 300, 0x10f0, 0x20, 3, "c", 3);
  path = dump_write (f, d);
  p = open_dump_ok (path);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 3);
  assert_region (regions, 0, 0x1000, 0x100, path, code1, 100, 300);
  assert_region (regions, 1, 0x10f0, 0x20, path, code3, 300, IPT_TIME_END);
  assert_region (regions, 2, 0x1200, 0x100, path, code2, 200, IPT_TIME_END);
  /* a's head, which c does not cover, ends too */
  assert_read_at (p, 0x1000, 299, 4, 4, 1, 0);
  assert_read_at (p, 0x1000, 300, 4, 0, 0, 0);
  /* a read stitches c onto nothing after it */
  assert_read_at (p, 0x10f0, IPT_TIME_END, 64, 0x20, 3, 0);
  /* and at 250, a then... a again (c not yet) */
  assert_read_at (p, 0x10f0, 250, 16, 16, 1, 0xf0);
}

static void
test_move (Fixture *f, gconstpointer data)
{
  gboolean swapped = GPOINTER_TO_INT (data);
  g_autoptr (Dump) d = dump_new (swapped);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize code1;

  code1 = dump_load (d, 100, 0x1000, 0x40, 7, "moved", 1);
  dump_move (d, 500, 0x1000, 0x8000, 0x40, 7);
  path = dump_write (f, d);
  p = open_dump_ok (path);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 0, 0x1000, 0x40, path, code1, 100, 500);
  assert_region (regions, 1, 0x8000, 0x40, path, code1, 500, IPT_TIME_END);
  assert_read_at (p, 0x1000, 499, 16, 16, 1, 0);
  /* after its last region there ended, the old address is not mapped */
  assert_read_at (p, 0x1000, 500, 16, 0, 0, 0);
  assert_read_at (p, 0x1000, IPT_TIME_END, 16, 0, 0, 0);
  assert_read_at (p, 0x8010, 500, 16, 16, 1, 0x10);
  /* before the move: the moved code is its soonest future there */
  assert_read_at (p, 0x8010, 100, 16, 16, 1, 0x10);
  assert_name_at (p, 0x8010, 600, "moved", 0x8000, 0x40);
  assert_name_at (p, 0x1010, 200, "moved", 0x1000, 0x40);
  assert_no_name_at (p, 0x1010, 600);
}

static void
test_move_unknown_index (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;

  dump_load (d, 100, 0x1000, 0x40, 7, "stays", 1);
  dump_move (d, 500, 0x1000, 0x8000, 0x40, 8);
  path = dump_write (f, d);
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*jit-4242.dump: offset 0xa6: 1 JIT_CODE_MOVE records move a code_index"
                         " that no earlier JIT_CODE_LOAD loaded*");
  p = open_dump_ok (path);
  g_test_assert_expected_messages ();
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  assert_read_at (p, 0x1000, IPT_TIME_END, 16, 16, 1, 0);
}

static void
test_stitch_adjacent (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GError) error = NULL;
  guint8 buffer[0x30];
  gssize n;

  dump_load (d, 100, 0x1000, 0x10, 1, "a", 1);
  dump_load (d, 200, 0x1010, 0x10, 2, "b", 2);
  path = dump_write (f, d);
  p = open_dump_ok (path);

  /* One read crosses from a into b, each byte by the rule (b's is future at 150). */
  n = ipt_memory_provider_read_at (p, buffer, sizeof buffer, NULL, 0x1008, 150, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0x18);
  for (gsize i = 0; i < 8; i++)
    g_assert_cmphex (buffer[i], ==, code_byte (1, 8 + i));
  for (gsize i = 0; i < 0x10; i++)
    g_assert_cmphex (buffer[8 + i], ==, code_byte (2, i));
}

static void
test_debug_info_unmatched (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  const LineEntry lines[] = { { 0x2000, 5, "/src/other.js" } };
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  const char *file = NULL;
  guint line = 0;

  dump_debug_info (d, 90, 0x2000, lines, 1);
  dump_load (d, 100, 0x1000, 0x40, 1, "f", 1);
  path = dump_write (f, d);
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*jit-4242.dump: offset 0x28: 1 JIT_CODE_DEBUG_INFO records are not"
                         " followed by the JIT_CODE_LOAD of their code_addr*");
  p = open_dump_ok (path);
  g_test_assert_expected_messages ();
  g_assert_false (ipt_symbol_source_lookup_line (IPT_SYMBOL_SOURCE (p), NULL, 0x1000,
                                                 IPT_TIME_END, &file, &line));
}

static void
test_move_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;

  dump_load (d, 100, 0x1000, 0x40, 7, "moved", 1);
  dump_move (d, 500, 0x1004, 0x8000, 0x80, 7);
  path = dump_write (f, d);
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*offset 0xa6: 1 JIT_CODE_MOVE records give an old_code_addr or"
                         " code_size other than the code's*");
  p = open_dump_ok (path);
  g_test_assert_expected_messages ();
  /* the code's size, not the record's */
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_read_at (p, 0x8030, IPT_TIME_END, 32, 0x10, 1, 0x30);
}

static void
test_debug_info_lines (Fixture *f, gconstpointer data)
{
  gboolean swapped = GPOINTER_TO_INT (data);
  g_autoptr (Dump) d = dump_new (swapped);
  const LineEntry lines1[] = {
    { 0x1000, 10, "/src/x.js" }, { 0x1010, 11, "\xff" }, { 0x1020, 20, "/src/y.js" },
  };
  const LineEntry lines2[] = { { 0x1000, 99, "/src/z.js" } };
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  IptSymbolSource *s;
  const char *file = NULL;
  guint line = 0;

  dump_debug_info (d, 90, 0x1000, lines1, G_N_ELEMENTS (lines1));
  dump_load (d, 100, 0x1000, 0x40, 1, "f", 1);
  dump_debug_info (d, 190, 0x1000, lines2, G_N_ELEMENTS (lines2));
  dump_load (d, 200, 0x1000, 0x40, 2, "g", 2);
  path = dump_write (f, d);
  p = open_dump_ok (path);
  s = IPT_SYMBOL_SOURCE (p);

  g_assert_true (ipt_symbol_source_lookup_line (s, NULL, 0x1000, 150, &file, &line));
  g_assert_cmpstr (file, ==, "/src/x.js");
  g_assert_cmpuint (line, ==, 10);
  g_assert_true (ipt_symbol_source_lookup_line (s, NULL, 0x101f, 150, &file, &line));
  g_assert_cmpstr (file, ==, "/src/x.js");
  g_assert_cmpuint (line, ==, 11);
  g_assert_true (ipt_symbol_source_lookup_line (s, NULL, 0x103f, 150, &file, &line));
  g_assert_cmpstr (file, ==, "/src/y.js");
  g_assert_cmpuint (line, ==, 20);
  /* the second version's table */
  g_assert_true (ipt_symbol_source_lookup_line (s, NULL, 0x1030, 200, &file, &line));
  g_assert_cmpstr (file, ==, "/src/z.js");
  g_assert_cmpuint (line, ==, 99);
  g_assert_true (ipt_symbol_source_lookup_line (s, NULL, 0x1030, IPT_TIME_END, &file, &line));
  g_assert_cmpuint (line, ==, 99);
  /* outside the code */
  g_assert_false (ipt_symbol_source_lookup_line (s, NULL, 0x1040, 150, &file, &line));
}

static void
test_names_dump_and_map (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  const char map[] =
    "1000 40 map name of f\n"
    "\n"
    "5000 10 JS:~other /x.js:9:1\n"
    "5000 20 JS:^other later\n"
    "6000 0 unknown size\n"
    "7000 8 after\n";
  g_autofree char *path = NULL, *map_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (IptMemoryProvider) map_only = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  const char *name = NULL;

  dump_load (d, 100, 0x1000, 0x40, 1, "JS:*f /x.js:1:1", 1);
  dump_load (d, 200, 0x1000, 0x40, 2, "JS:*g /x.js:2:1", 2);
  path = dump_write (f, d);
  map_path = fixture_write (f, "perf-4242.map", map, strlen (map));
  p = open_jitmap (path, map_path, &error);
  g_assert_no_error (error);

  /* the dump's names at two times, its latest for lookup */
  assert_name_at (p, 0x1010, 150, "JS:*f /x.js:1:1", 0x1000, 0x40);
  assert_name_at (p, 0x1010, 250, "JS:*g /x.js:2:1", 0x1000, 0x40);
  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (p), NULL, 0x1010, &name, NULL,
                                           NULL, NULL));
  g_assert_cmpstr (name, ==, "JS:*g /x.js:2:1");
  /* the map's where the dump has nothing: the later line wins */
  assert_name_at (p, 0x5008, 150, "JS:^other later", 0x5000, 0x20);
  assert_name_at (p, 0x5018, 150, "JS:^other later", 0x5000, 0x20);
  /* size 0: up to the next entry */
  assert_name_at (p, 0x6fff, 150, "unknown size", 0x6000, 0);
  assert_name_at (p, 0x7007, 150, "after", 0x7000, 8);
  assert_no_name_at (p, 0x7008, 150);

  /* map only: names, no bytes, an empty region list (not NULL) */
  map_only = open_jitmap (NULL, map_path, &error);
  g_assert_no_error (error);
  regions = ipt_memory_provider_list_regions (map_only);
  g_assert_nonnull (regions);
  g_assert_cmpuint (regions->len, ==, 0);
  assert_read_at (map_only, 0x1000, IPT_TIME_END, 16, 0, 0, 0);
  assert_name_at (map_only, 0x1010, 150, "map name of f", 0x1000, 0x40);
}

static void
test_partial_last_record (Fixture *f, gconstpointer data)
{
  gsize cut = GPOINTER_TO_SIZE (data);
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autofree char *pattern = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize second;

  dump_load (d, 100, 0x1000, 0x40, 1, "whole", 1);
  second = d->bytes->len;
  dump_load (d, 200, 0x2000, 0x40, 2, "cut", 2);
  /* cut inside the prefix (8), inside the fields (40), inside the code */
  g_byte_array_set_size (d->bytes, second + cut);
  path = dump_write (f, d);

  pattern = g_strdup_printf ("*jit-4242.dump: offset 0x%" G_GSIZE_MODIFIER "x: the last record"
                             "*cut off by the end of the file*", second);
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING, pattern);
  p = open_dump_ok (path);
  g_test_assert_expected_messages ();

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  assert_read_at (p, 0x1000, IPT_TIME_END, 16, 16, 1, 0);
  assert_read_at (p, 0x2000, IPT_TIME_END, 16, 0, 0, 0);
}

static void
test_header_larger (Fixture *f, gconstpointer data)
{
  gboolean swapped = GPOINTER_TO_INT (data);
  g_autoptr (Dump) d = dump_new_full (swapped, 64, 0);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize code;

  code = dump_load (d, 100, 0x1000, 0x10, 1, "f", 1);
  path = dump_write (f, d);
  p = open_dump_ok (path);
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  assert_region (regions, 0, 0x1000, 0x10, path, code, 100, IPT_TIME_END);
  g_assert_cmpuint (code, ==, 64 + 56 + 2);
}

static void
test_unknown_and_unwinding (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  gsize at, unknown;

  dump_unwinding_info (d, 50);
  unknown = dump_begin_record (d, 99, 60);
  put64 (d, 0);
  put64 (d, 0);
  put_string (d, "future record");
  dump_end_record (d, unknown);
  dump_load (d, 100, 0x1000, 0x10, 1, "f", 1);
  at = dump_begin_record (d, 77, 110);
  dump_end_record (d, at);
  dump_close (d, 120);
  path = dump_write (f, d);
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*offset 0x58: 2 records of unknown ids were skipped*");
  p = open_dump_ok (path);
  g_test_assert_expected_messages ();
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  assert_read_at (p, 0x1000, IPT_TIME_END, 16, 16, 1, 0);
}

static void
test_close_then_garbage (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  gsize end;

  dump_load (d, 100, 0x1000, 0x10, 1, "f", 1);
  dump_close (d, 120);
  end = d->bytes->len;
  g_byte_array_append (d->bytes, (const guint8 *) "garbage", 7);
  path = dump_write (f, d);
  {
    g_autofree char *pattern = g_strdup_printf ("*offset 0x%" G_GSIZE_MODIFIER "x: 0x7 bytes"
                                                " after JIT_CODE_CLOSE are ignored*", end);

    g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING, pattern);
    p = open_dump_ok (path);
    g_test_assert_expected_messages ();
  }
  assert_read_at (p, 0x1000, IPT_TIME_END, 16, 16, 1, 0);
}

static void
test_tsc (Fixture *f, gconstpointer data)
{
  gboolean convert = GPOINTER_TO_INT (data);
  g_autoptr (Dump) d = dump_new_full (FALSE, 40, 1);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  guint64 t1 = 1000001, t2 = 3000003;

  dump_load (d, t1, 0x1000, 0x10, 1, "f", 1);
  dump_load (d, t2, 0x1000, 0x10, 2, "g", 2);
  path = dump_write (f, d);
  if (convert)
    p = g_initable_new (provider_type, NULL, &error, "dump", path, "time-zero",
                        (guint64) 5000, "time-mult", (guint64) 3, "time-shift", (guint64) 1,
                        NULL);
  else
    {
      g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                             "*jit-4242.dump: the timestamps are the CPU's TSC*used as they are*");
      p = open_jitmap (path, NULL, &error);
      g_test_assert_expected_messages ();
    }
  g_assert_no_error (error);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 2);
  if (convert)
    {
      guint64 c1 = ipt_tsc_to_time (t1, 5000, 3, 1), c2 = ipt_tsc_to_time (t2, 5000, 3, 1);

      g_assert_cmpuint (c1, ==, 5000 + 500000 * 3 + 1);
      assert_region (regions, 0, 0x1000, 0x10, path, 40 + 56 + 2, c1, c2);
      assert_read_at (p, 0x1000, c2 - 1, 4, 4, 1, 0);
      assert_read_at (p, 0x1000, c2, 4, 4, 2, 0);
    }
  else
    {
      assert_region (regions, 0, 0x1000, 0x10, path, 40 + 56 + 2, t1, t2);
      assert_read_at (p, 0x1000, t2 - 1, 4, 4, 1, 0);
    }
}

static void
test_conversion_ignored (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;

  dump_load (d, 100, 0x1000, 0x10, 1, "f", 1);
  path = dump_write (f, d);
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*the timestamps are CLOCK_MONOTONIC*are ignored*");
  p = g_initable_new (provider_type, NULL, &error, "dump", path, "time-mult", (guint64) 3, NULL);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  regions = ipt_memory_provider_list_regions (p);
  assert_region (regions, 0, 0x1000, 0x10, path, 40 + 56 + 2, 100, IPT_TIME_END);
}

static void
test_asid (Fixture *f, gconstpointer data)
{
  g_autoptr (Dump) d = dump_new (FALSE);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  IptAsid mine = { 0x1000, IPT_ASID_NO_VMCS }, other = { 0x2000, IPT_ASID_NO_VMCS };
  guint8 buffer[4];
  const char *name;

  dump_load (d, 100, 0x1000, 0x10, 1, "f", 1);
  path = dump_write (f, d);
  p = g_initable_new (provider_type, NULL, &error, "dump", path, "cr3", (guint64) 0x1000, NULL);
  g_assert_no_error (error);
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmphex (((IptRegion *) regions->pdata[0])->asid.cr3, ==, 0x1000);
  g_assert_cmpint (ipt_memory_provider_read (p, buffer, 4, &mine, 0x1000, &error), ==, 4);
  g_assert_cmpint (ipt_memory_provider_read (p, buffer, 4, &other, 0x1000, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (p), &mine, 0x1000, &name, NULL,
                                           NULL, NULL));
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (p), &other, 0x1000, &name, NULL,
                                            NULL, NULL));
}

static void
test_perfmap_bad_lines (Fixture *f, gconstpointer data)
{
  const char map[] =
    "1000 10 good\n"
    "zz 10 bad start\n"
    "2000\n"
    "   \n"
    "3000 10 \r\n"
    "4000 10 also good\r\n";
  g_autofree char *path = fixture_write (f, "perf-1.map", map, strlen (map));
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*perf-1.map:2: not a perf map line*START is not*");
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*perf-1.map:3: not a perf map line*START is not followed*");
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*perf-1.map:5: not a perf map line*the name is missing*");
  p = open_jitmap (NULL, path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  assert_name_at (p, 0x1000, IPT_TIME_END, "good", 0x1000, 0x10);
  assert_name_at (p, 0x4001, IPT_TIME_END, "also good", 0x4000, 0x10);
}

static void
test_perfmap_many_bad_lines (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) map = g_string_new ("1000 10 good\n");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  for (int i = 0; i < 12; i++)
    g_string_append (map, "not a line\n");
  path = fixture_write (f, "perf-2.map", map->str, map->len);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *pattern = g_strdup_printf ("*perf-2.map:%d: not a perf map line*", i + 2);

      g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING, pattern);
    }
  g_test_expect_message (JITMAP_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*perf-2.map: 12 lines in all are not perf map lines*");
  p = open_jitmap (NULL, path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
}

static void
test_error_perfmap_no_good_line (Fixture *f, gconstpointer data)
{
  const char map[] = "\x7f" "ELF binary\nmore\n";
  g_autofree char *path = fixture_write (f, "perf-3.map", map, strlen (map));

  assert_open_fails (NULL, path, IPT_ERROR_CORRUPT, path, "perf-3.map:1: not a perf map",
                     "2 non-blank lines");
}

static void
test_error_options (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = g_initable_new (provider_type, NULL, &error, NULL);

  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "jitmap", NULL,
                                  "'dump' or 'map' is required", NULL);
}

static void
test_error_no_such_file (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "jit-1.dump", NULL);

  assert_open_fails (path, NULL, IPT_ERROR_NOT_FOUND, path, NULL, NULL);
  assert_open_fails (NULL, path, IPT_ERROR_NOT_FOUND, path, NULL, NULL);
}

static void
assert_bad_dump (Fixture *f, Dump *d, int code, const char *fragment1, const char *fragment2)
{
  g_autofree char *path = dump_write (f, d);

  assert_open_fails (path, NULL, code, path, fragment1, fragment2);
}

static void
test_error_header (Fixture *f, gconstpointer data)
{
  gboolean swapped = GPOINTER_TO_INT (data);

  {
    g_autoptr (Dump) d = dump_new (swapped);

    d->bytes->data[0] ^= 0x20;
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x0: wrong magic", NULL);
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);

    g_byte_array_set_size (d->bytes, 39);
    assert_bad_dump (f, d, IPT_ERROR_TRUNCATED, "offset 0x0: truncated header", "39 bytes");
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);

    patch32 (d, 8, 39);
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x8: header total_size 39 is smaller",
                     NULL);
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);

    patch32 (d, 8, 41);
    assert_bad_dump (f, d, IPT_ERROR_TRUNCATED, "offset 0x8: truncated header",
                     "total_size 41 runs past the end");
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);

    patch32 (d, 4, 2);
    assert_bad_dump (f, d, IPT_ERROR_NOT_SUPPORTED, "offset 0x4: jitdump version 2", NULL);
  }
}

static void
test_error_records (Fixture *f, gconstpointer data)
{
  gboolean swapped = GPOINTER_TO_INT (data);

  /* total_size below the fixed part, even as the last record */
  {
    g_autoptr (Dump) d = dump_new (swapped);
    gsize at = dump_begin_record (d, 0, 1);

    put64 (d, 0);
    dump_end_record (d, at);
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_LOAD (id 0): total_size 0x18"
                     " is smaller than the 56 bytes", NULL);
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);

    dump_load (d, 1, 0x1000, 4, 1, "f", 1);
    dump_end_record (d, dump_begin_record (d, 1, 2));
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x66: JIT_CODE_MOVE (id 1): total_size"
                     " 0x10 is smaller than the 64 bytes", NULL);
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);
    gsize at = dump_begin_record (d, 5, 2);

    patch32 (d, at + 4, 8);
    put64 (d, 0);
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: record (id 5): total_size 0x8", NULL);
  }
  /* a code_size larger than the record, whole or cut off */
  {
    g_autoptr (Dump) d = dump_new (swapped);

    dump_load (d, 1, 0x1000, 8, 1, "f", 1);
    /* code_size is at record offset 40 */
    if (swapped)
      d->bytes->data[40 + 40] = 0x20;
    else
      d->bytes->data[40 + 40 + 7] = 0x20;
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_LOAD: code_size", "does not fit");
    g_byte_array_set_size (d->bytes, d->bytes->len - 4);
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_LOAD: code_size", "does not fit");
  }
  /* code_size fits the record but not after the name */
  {
    g_autoptr (Dump) d = dump_new (swapped);

    dump_load (d, 1, 0x1000, 8, 1, "a long name", 1);
    d->bytes->data[40 + 40 + (swapped ? 7 : 0)] = 12;
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_LOAD: code_size 0xc runs"
                     " past the end of the record", NULL);
  }
  /* a name without its NUL */
  {
    g_autoptr (Dump) d = dump_new (swapped);

    dump_load (d, 1, 0x1000, 0, 1, "unterminated", 1);
    d->bytes->data[d->bytes->len - 1] = 'x';
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_LOAD: the function name is"
                     " not NUL-terminated", NULL);
  }
  /* code that reaches 2^64 */
  {
    g_autoptr (Dump) d = dump_new (swapped);

    dump_load (d, 1, G_MAXUINT64 - 4, 8, 1, "top", 1);
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_LOAD: code at", "reaches the"
                     " end of the 64-bit address space");
  }
  /* DEBUG_INFO: nr_entry that cannot fit, a file name not terminated */
  {
    g_autoptr (Dump) d = dump_new (swapped);
    const LineEntry lines[] = { { 0x1000, 1, "a.js" } };

    dump_debug_info (d, 1, 0x1000, lines, 1);
    d->bytes->data[40 + 24 + (swapped ? 7 : 0)] = 2;
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_DEBUG_INFO: nr_entry 2"
                     " entries cannot fit", NULL);
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);
    const LineEntry lines[] = { { 0x1000, 1, "a.js" }, { 0x1004, 2, "b.js" } };

    dump_debug_info (d, 1, 0x1000, lines, 2);
    d->bytes->data[d->bytes->len - 1] = 'x';
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_DEBUG_INFO: entry 1: the file"
                     " name is not NUL-terminated", NULL);
  }
  {
    g_autoptr (Dump) d = dump_new (swapped);
    const LineEntry lines[] = { { 0x1000, 1, "\xff" } };

    dump_debug_info (d, 1, 0x1000, lines, 1);
    assert_bad_dump (f, d, IPT_ERROR_CORRUPT, "offset 0x28: JIT_CODE_DEBUG_INFO: entry 0", NULL);
  }
}

/* ---- the real producer: node --perf-prof -------------------------------- */

typedef struct {
  guint64 timestamp;
  guint64 addr;
  guint64 size;
  gsize code_offset;
  char *name;
} RealLoad;

static void
real_load_clear (gpointer p)
{
  g_free (((RealLoad *) p)->name);
}

/* The test's own minimal reader: the LOAD records of a little-endian dump. */
static GArray *
read_loads (const guint8 *data, gsize size)
{
  GArray *loads = g_array_new (FALSE, TRUE, sizeof (RealLoad));
  guint32 header_size;
  gsize off;

  g_array_set_clear_func (loads, real_load_clear);
  g_assert_cmpuint (size, >=, 40);
  g_assert_cmpmem (data, 4, "DTiJ", 4);
  memcpy (&header_size, data + 8, 4);
  for (off = header_size; off + 16 <= size;)
    {
      guint32 id, total;

      memcpy (&id, data + off, 4);
      memcpy (&total, data + off + 4, 4);
      g_assert_cmpuint (total, >=, 16);
      if (off + total > size)
        break;
      if (id == 0)
        {
          RealLoad load;
          const char *name = (const char *) data + off + 56;

          memcpy (&load.timestamp, data + off + 8, 8);
          memcpy (&load.addr, data + off + 32, 8);
          memcpy (&load.size, data + off + 40, 8);
          load.name = g_strdup (name);
          load.code_offset = off + 56 + strlen (name) + 1;
          g_assert_cmpuint (load.code_offset + load.size, <=, off + total);
          g_array_append_val (loads, load);
        }
      off += total;
    }
  return loads;
}

static void
test_node_perf_prof (Fixture *f, gconstpointer data)
{
  const char *script =
    "function hotLoop(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003;"
    " return s; }\n"
    "let t = 0; for (let k = 0; k < 300; k++) t += hotLoop(20000); console.log(t);\n";
  const char *argv[] = { "node", "--perf-prof", "--perf-basic-prof",
                         "--interpreted-frames-native-stack", "-e", script, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL, *dump_path = NULL, *map_path = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GArray) loads = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (IptMemoryProvider) map_only = NULL;
  const char *entry;
  int status;
  gboolean named_from_dump = FALSE, named_from_map = FALSE;

  /* No skip: CI installs node (.ci/setup), so a missing node fails here. */
  g_spawn_sync (f->dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("node: %s: %s", error->message, err);

  dir = g_dir_open (f->dir, 0, &error);
  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      char *path = g_build_filename (f->dir, entry, NULL);

      /* jit-PID.dump, and a V8 log (isolate-*.log) to clean up */
      g_ptr_array_add (f->files, path);
      if (g_str_has_prefix (entry, "jit-") && g_str_has_suffix (entry, ".dump"))
        {
          g_autofree char *pid = g_strndup (entry + 4, strlen (entry) - 9);

          dump_path = g_strdup (path);
          map_path = g_strdup_printf ("/tmp/perf-%s.map", pid);
        }
    }
  g_assert_nonnull (dump_path);
  g_ptr_array_add (f->files, g_strdup (map_path));
  g_assert_true (g_file_test (map_path, G_FILE_TEST_IS_REGULAR));

  mapped = g_mapped_file_new (dump_path, FALSE, &error);
  g_assert_no_error (error);
  loads = read_loads ((const guint8 *) g_mapped_file_get_contents (mapped),
                      g_mapped_file_get_length (mapped));
  g_assert_cmpuint (loads->len, >, 100);

  p = open_jitmap (dump_path, map_path, &error);
  g_assert_no_error (error);
  map_only = open_jitmap (NULL, map_path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < loads->len; i++)
    {
      const RealLoad *load = &g_array_index (loads, RealLoad, i);
      const guint8 *want = (const guint8 *) g_mapped_file_get_contents (mapped) + load->code_offset;
      g_autofree guint8 *got = g_malloc (MAX (load->size, 1));
      gsize done = 0;

      /* every LOAD's bytes, read at its time */
      while (done < load->size)
        {
          gssize n = ipt_memory_provider_read_at (p, got + done, load->size - done, NULL,
                                                  load->addr + done, load->timestamp, &error);

          g_assert_no_error (error);
          g_assert_cmpint (n, >, 0);
          done += (gsize) n;
        }
      g_assert_cmpmem (got, load->size, want, load->size);

      if (strstr (load->name, "hotLoop") != NULL && load->size > 0)
        {
          const char *name = NULL;

          g_assert_true (ipt_symbol_source_lookup_at (IPT_SYMBOL_SOURCE (p), NULL, load->addr,
                                                      load->timestamp, &name, NULL, NULL, NULL));
          g_assert_cmpstr (name, ==, load->name);
          named_from_dump = TRUE;
          if (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (map_only), NULL, load->addr, &name,
                                        NULL, NULL, NULL))
            {
              g_assert_nonnull (strstr (name, "hotLoop"));
              named_from_map = TRUE;
            }
        }
    }
  g_assert_true (named_from_dump);
  g_assert_true (named_from_map);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  {
    const IptPluginInfo *info = plugin_test_load ("jitmap");

    g_assert_nonnull (info->description);
    provider_type = info->get_provider_type ();
  }

#define ADD(path, data, func) \
  g_test_add ("/plugin-jitmap/" path, Fixture, GINT_TO_POINTER (data), fixture_setup, func, \
              fixture_teardown)

  g_test_add_func ("/plugin-jitmap/descriptor/provider-type-and-options", test_descriptor);
  ADD ("reuse/two-loads-same-address/little-endian", FALSE, test_two_versions);
  ADD ("reuse/two-loads-same-address/big-endian", TRUE, test_two_versions);
  ADD ("reuse/before-first-load-soonest-future", 0, test_soonest_future);
  ADD ("reuse/same-timestamp-later-record-wins", 0, test_same_timestamp);
  ADD ("reuse/partial-overlap-ends-whole-region", 0, test_partial_overlap);
  ADD ("move/code-index/little-endian", FALSE, test_move);
  ADD ("move/code-index/big-endian", TRUE, test_move);
  ADD ("move/unknown-code-index-warns", 0, test_move_unknown_index);
  ADD ("move/other-address-or-size-warns", 0, test_move_mismatch);
  ADD ("read/stitches-adjacent-code", 0, test_stitch_adjacent);
  ADD ("lines/debug-info-of-other-code-warns", 0, test_debug_info_unmatched);
  ADD ("lines/debug-info/little-endian", FALSE, test_debug_info_lines);
  ADD ("lines/debug-info/big-endian", TRUE, test_debug_info_lines);
  ADD ("symbols/dump-at-two-times-then-map", 0, test_names_dump_and_map);
  ADD ("partial/cut-in-prefix", 8, test_partial_last_record);
  ADD ("partial/cut-in-fields", 40, test_partial_last_record);
  ADD ("partial/cut-in-code", 80, test_partial_last_record);
  ADD ("header/larger-than-40/little-endian", FALSE, test_header_larger);
  ADD ("header/larger-than-40/big-endian", TRUE, test_header_larger);
  ADD ("records/unknown-id-and-unwinding-info-skipped", 0, test_unknown_and_unwinding);
  ADD ("records/bytes-after-close-warn", 0, test_close_then_garbage);
  ADD ("tsc/with-conversion", TRUE, test_tsc);
  ADD ("tsc/without-conversion-warns", FALSE, test_tsc);
  ADD ("tsc/conversion-ignored-for-monotonic-dump", 0, test_conversion_ignored);
  ADD ("asid/cr3-match-and-mismatch", 0, test_asid);
  ADD ("perfmap/bad-lines-warn-with-file-line", 0, test_perfmap_bad_lines);
  ADD ("perfmap/many-bad-lines-counted", 0, test_perfmap_many_bad_lines);
  ADD ("error/perfmap-without-a-good-line", 0, test_error_perfmap_no_good_line);
  ADD ("error/missing-options", 0, test_error_options);
  ADD ("error/no-such-file", 0, test_error_no_such_file);
  ADD ("error/header/little-endian", FALSE, test_error_header);
  ADD ("error/header/big-endian", TRUE, test_error_header);
  ADD ("error/records/little-endian", FALSE, test_error_records);
  ADD ("error/records/big-endian", TRUE, test_error_records);
  ADD ("real/node-perf-prof-needs-node", 0, test_node_perf_prof);

  return g_test_run ();
}
