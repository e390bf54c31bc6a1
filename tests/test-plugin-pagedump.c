/* test-plugin-pagedump.c: the pagedump plugin, loaded from the built module
 * (build/plugins/ipt-plugin-pagedump.so).
 *
 * Each test writes a small .addr/.dump pair into a temporary directory; pages
 * are filled so that every byte tells its dump slot and offset, which makes
 * a wrong slot or a wrong offset visible. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "plugin-test.h"

#define PAGE 4096

typedef struct {
  char *dir;
  char *addr;  /* path of the .addr file */
  char *dump;  /* path of the .dump file */
} Fixture;

static GType provider_type;

/* The byte at @offset of dump slot @slot. */
static guint8
slot_byte (gsize slot, gsize offset)
{
  return (guint8) (slot * 37 + offset * 3 + offset / 256);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-plugin-pagedump-XXXXXX", &error);
  g_assert_no_error (error);
  f->addr = g_build_filename (f->dir, "pages.addr", NULL);
  f->dump = g_build_filename (f->dir, "pages.dump", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->addr);
  g_unlink (f->dump);
  g_rmdir (f->dir);
  g_free (f->addr);
  g_free (f->dump);
  g_free (f->dir);
}

/* Writes @n addresses, and @dump_size bytes of slot pattern as the dump. */
static void
write_files (Fixture *f, const guint64 *addresses, gsize n, gsize dump_size)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *le = g_new (guint64, MAX (n, 1));
  g_autofree guint8 *dump = g_malloc (MAX (dump_size, 1));

  for (gsize i = 0; i < n; i++)
    le[i] = GUINT64_TO_LE (addresses[i]);
  for (gsize i = 0; i < dump_size; i++)
    dump[i] = slot_byte (i / PAGE, i % PAGE);
  g_file_set_contents (f->addr, (const char *) le, n * sizeof (guint64), &error);
  g_assert_no_error (error);
  g_file_set_contents (f->dump, (const char *) dump, dump_size, &error);
  g_assert_no_error (error);
}

static IptMemoryProvider *
open_pagedump (Fixture *f, GError **error)
{
  return g_initable_new (provider_type, NULL, error, "addr", f->addr, "dump", f->dump, NULL);
}

/* Reads @size bytes at @address and checks them against dump slot @slot from
 * @offset on, continuing in @slot2 (when not -1) where @slot's page ends. */
static void
assert_read_slots (IptMemoryProvider *p, const IptAsid *asid, guint64 address, gsize size,
                   gssize expected, gsize slot, gsize offset, gssize slot2)
{
  g_autoptr (GError) error = NULL;
  guint8 buffer[64];
  gssize n;

  g_assert_cmpuint (size, <=, sizeof buffer);
  memset (buffer, 0xcc, sizeof buffer);
  n = ipt_memory_provider_read (p, buffer, size, asid, address, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, expected);
  for (gssize i = 0; i < n; i++)
    {
      gsize o = offset + i;
      guint8 want = o < PAGE ? slot_byte (slot, o) : slot_byte ((gsize) slot2, o - PAGE);

      g_assert (o < PAGE || slot2 >= 0);
      g_assert_cmpuint (buffer[i], ==, want);
    }
  for (gsize i = MAX (n, 0); i < sizeof buffer; i++)
    g_assert_cmpuint (buffer[i], ==, 0xcc);
}

static void
assert_unmapped (IptMemoryProvider *p, guint64 address)
{
  assert_read_slots (p, NULL, address, 16, 0, 0, 0, -1);
}

static GPtrArray *
regions_of (IptMemoryProvider *p)
{
  GPtrArray *regions = ipt_memory_provider_list_regions (p);

  g_assert_nonnull (regions);
  return regions;
}

static void
assert_region (GPtrArray *regions, guint i, guint64 address, guint64 size,
               const char *file, guint64 file_offset)
{
  g_autofree char *abs = g_canonicalize_filename (file, NULL);
  IptRegion *r;

  g_assert_cmpuint (i, <, regions->len);
  r = g_ptr_array_index (regions, i);
  g_assert_cmphex (r->address, ==, address);
  g_assert_cmphex (r->size, ==, size);
  g_assert_cmpstr (r->filename, ==, abs);
  g_assert_cmphex (r->file_offset, ==, file_offset);
}

static void
test_descriptor (void)
{
  g_autoptr (GTypeClass) klass = NULL;
  const char *expected[] = { "addr", "dump", "cr3" };
  GParamSpec **pspecs;
  guint n_pspecs;

  g_assert_true (g_type_is_a (provider_type, IPT_TYPE_MEMORY_PROVIDER));
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
      g_assert_cmpstr (g_param_spec_get_nick (pspec), !=, expected[i]);
      g_assert_cmpuint (strlen (g_param_spec_get_blurb (pspec)), >, 10);
    }
  g_free (pspecs);
}

static void
test_read_pages (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000, 0x2000, 0x5000 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  write_files (f, addresses, 3, 3 * PAGE);
  p = open_pagedump (f, &error);
  g_assert_no_error (error);

  /* start, middle, end of a page; across two merged pages */
  assert_read_slots (p, NULL, 0x1000, 16, 16, 0, 0, -1);
  assert_read_slots (p, NULL, 0x1800, 15, 15, 0, 0x800, -1);
  assert_read_slots (p, NULL, 0x1ff8, 16, 16, 0, 0xff8, 1);
  assert_read_slots (p, NULL, 0x2ff0, 16, 16, 1, 0xff0, -1);
  assert_read_slots (p, NULL, 0x5000, 1, 1, 2, 0, -1);
  assert_read_slots (p, NULL, 0x5fff, 1, 1, 2, 0xfff, -1);
  /* short reads where the mapping ends */
  assert_read_slots (p, NULL, 0x2ffa, 16, 6, 1, 0xffa, -1);
  assert_read_slots (p, NULL, 0x5ff1, 64, 15, 2, 0xff1, -1);
  /* unmapped before, between, after */
  assert_unmapped (p, 0);
  assert_unmapped (p, 0xfff);
  assert_unmapped (p, 0x3000);
  assert_unmapped (p, 0x4fff);
  assert_unmapped (p, 0x6000);
  assert_unmapped (p, G_MAXUINT64);
}

static void
test_merge_adjacent (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x7ff000, 0x800000, 0x801000, 0x803000 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  IptRegion *r;

  write_files (f, addresses, 4, 4 * PAGE);
  p = open_pagedump (f, &error);
  g_assert_no_error (error);

  regions = regions_of (p);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 0, 0x7ff000, 3 * PAGE, f->dump, 0);
  assert_region (regions, 1, 0x803000, PAGE, f->dump, 3 * PAGE);
  r = g_ptr_array_index (regions, 0);
  g_assert_true (g_path_is_absolute (r->filename));
  g_assert_cmpuint (r->asid.cr3, ==, IPT_ASID_NO_CR3);
  g_assert_true (r->permissions & IPT_PERMISSIONS_EXECUTE);
}

/* Pages in the dump out of address order: adjacent addresses whose dump
 * offsets are not contiguous stay separate regions, but one read still
 * stitches across them (an instruction straddling the two pages). */
static void
test_straddle_non_contiguous (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x3000, 0x1000, 0x2000 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;

  write_files (f, addresses, 3, 3 * PAGE);
  p = open_pagedump (f, &error);
  g_assert_no_error (error);

  regions = regions_of (p);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 0, 0x1000, 2 * PAGE, f->dump, PAGE);
  assert_region (regions, 1, 0x3000, PAGE, f->dump, 0);

  /* 0x2ff8: slot 2 (page 0x2000) then slot 0 (page 0x3000) */
  assert_read_slots (p, NULL, 0x2ff8, 15, 15, 2, 0xff8, 0);
  /* 0x1ff9: slot 1 then slot 2, inside one region */
  assert_read_slots (p, NULL, 0x1ff9, 15, 15, 1, 0xff9, 2);
  /* a long read over three pages stops at the end of the last one */
  {
    guint8 buffer[3 * PAGE + 16];
    g_autoptr (GError) read_error = NULL;
    gssize n = ipt_memory_provider_read (p, buffer, sizeof buffer, NULL, 0x1000, &read_error);

    g_assert_no_error (read_error);
    g_assert_cmpint (n, ==, 3 * PAGE);
    g_assert_cmpuint (buffer[0], ==, slot_byte (1, 0));
    g_assert_cmpuint (buffer[PAGE + 5], ==, slot_byte (2, 5));
    g_assert_cmpuint (buffer[2 * PAGE + 7], ==, slot_byte (0, 7));
  }
}

static void
test_duplicates_warn_first_wins (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000, 0x2000, 0x1000, 0x1000 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;

  write_files (f, addresses, 4, 4 * PAGE);
  g_test_expect_message ("Ipt-pagedump", G_LOG_LEVEL_WARNING,
                         "*pages.addr: offset 0x10: entry 2 repeats page 0x1000 of entry 0*");
  g_test_expect_message ("Ipt-pagedump", G_LOG_LEVEL_WARNING, "*pages.addr: 2 duplicate page addresses*");
  p = open_pagedump (f, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  assert_read_slots (p, NULL, 0x1000, 16, 16, 0, 0, -1);
  assert_read_slots (p, NULL, 0x1ff8, 16, 16, 0, 0xff8, 1);
  regions = regions_of (p);
  g_assert_cmpuint (regions->len, ==, 1);
  assert_region (regions, 0, 0x1000, 2 * PAGE, f->dump, 0);
}

static void
test_dump_longer_warns (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;

  write_files (f, addresses, 1, 2 * PAGE + 10);
  g_test_expect_message ("Ipt-pagedump", G_LOG_LEVEL_WARNING,
                         "*pages.dump: 0x100a bytes from offset 0x1000 on are ignored*1 pages*");
  p = open_pagedump (f, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  assert_read_slots (p, NULL, 0x1ff0, 32, 16, 0, 0xff0, -1);
  assert_unmapped (p, 0x2000);
}

static void
test_unmapped_marker (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000, G_MAXUINT64, 0x3000, G_MAXUINT64 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;

  write_files (f, addresses, 4, 4 * PAGE);
  g_test_expect_message ("Ipt-pagedump", G_LOG_LEVEL_WARNING,
                         "*pages.addr: 2 entries are the unmapped-page marker*entry 1 at offset 0x8*");
  p = open_pagedump (f, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  /* The marker's slot still counts: page 0x3000 is slot 2. */
  assert_read_slots (p, NULL, 0x3000, 16, 16, 2, 0, -1);
  assert_unmapped (p, G_MAXUINT64 - 0xfff);
  regions = regions_of (p);
  g_assert_cmpuint (regions->len, ==, 2);
  assert_region (regions, 1, 0x3000, PAGE, f->dump, 2 * PAGE);
}

static void
test_asid (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000 };
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  IptAsid same = { 0xabc000, IPT_ASID_NO_VMCS };
  IptAsid other = { 0xdef000, IPT_ASID_NO_VMCS };
  IptAsid any = IPT_ASID_INIT_ANY;

  write_files (f, addresses, 1, PAGE);
  p = g_initable_new (provider_type, NULL, &error, "addr", f->addr, "dump", f->dump,
                      "cr3", G_GUINT64_CONSTANT (0xabc000), NULL);
  g_assert_no_error (error);
  assert_read_slots (p, &same, 0x1000, 8, 8, 0, 0, -1);
  assert_read_slots (p, &any, 0x1000, 8, 8, 0, 0, -1);
  assert_read_slots (p, NULL, 0x1000, 8, 8, 0, 0, -1);
  assert_read_slots (p, &other, 0x1000, 8, 0, 0, 0, -1);
  regions = regions_of (p);
  g_assert_cmphex (((IptRegion *) g_ptr_array_index (regions, 0))->asid.cr3, ==, 0xabc000);
}

/* A model check: shuffled pages with gaps and duplicates, every read of
 * 1..40 bytes at many addresses compared with a byte-by-byte model. */
static void
test_random_against_model (Fixture *f, gconstpointer data)
{
  enum { N = 96 };
  guint64 addresses[N];
  g_autoptr (GHashTable) model = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autofree guint64 *keys = g_new (guint64, N);

  for (gsize i = 0; i < N; i++)
    {
      addresses[i] = 0x10000000 + (guint64) g_test_rand_int_range (0, 160) * PAGE;
      keys[i] = addresses[i];
      /* first occurrence wins */
      if (!g_hash_table_contains (model, &keys[i]))
        g_hash_table_insert (model, &keys[i], GSIZE_TO_POINTER (i + 1));
    }
  write_files (f, addresses, N, N * PAGE);
  g_test_expect_message ("Ipt-pagedump", G_LOG_LEVEL_WARNING, "*repeats page*");
  g_test_expect_message ("Ipt-pagedump", G_LOG_LEVEL_WARNING, "*duplicate page addresses*");
  p = open_pagedump (f, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  for (guint k = 0; k < 4000; k++)
    {
      guint64 address = 0x10000000 - 64 + (guint64) g_test_rand_int_range (0, 162 * PAGE);
      gsize size = g_test_rand_int_range (1, 41);
      guint8 buffer[40];
      gssize n, expected = 0;

      n = ipt_memory_provider_read (p, buffer, size, NULL, address, &error);
      g_assert_no_error (error);
      for (gsize i = 0; i < size; i++)
        {
          guint64 a = address + i, page = a & ~(guint64) (PAGE - 1);
          gpointer slot = g_hash_table_lookup (model, &page);

          if (slot == NULL)
            break;
          g_assert_cmpint ((gssize) i, <, n);
          g_assert_cmpuint (buffer[i], ==, slot_byte (GPOINTER_TO_SIZE (slot) - 1, a - page));
          expected++;
        }
      g_assert_cmpint (n, ==, expected);
    }
}

static void
test_error_unaligned (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000, 0x2000, 0x3234 };
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  write_files (f, addresses, 3, 3 * PAGE);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_CORRUPT, "pagedump", f->addr, "offset 0x10",
                                  "entry 2", "0x3234", "not aligned", NULL);
}

static void
test_error_top_page (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000, G_GUINT64_CONSTANT (0xfffffffffffff000) };
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  write_files (f, addresses, 2, 2 * PAGE);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_NOT_SUPPORTED, "pagedump", f->addr, "offset 0x8",
                                  "entry 1", "0xfffffffffffff000", "ends at 2^64",
                                  "cannot be mapped", NULL);
}

static void
test_error_truncated_dump (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000, 0x2000, 0x3000 };
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  /* two whole pages and part of the third */
  write_files (f, addresses, 3, 2 * PAGE + 100);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_TRUNCATED, "pagedump", f->dump, "offset 0x2064",
                                  "declares 3 pages", "2 whole pages", "pages.addr", NULL);
}

static void
test_error_empty_dump (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000 };
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  write_files (f, addresses, 1, 0);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_TRUNCATED, "pagedump", f->dump,
                                  "declares 1 pages", "0 whole pages", NULL);
}

static void
test_error_addr_not_multiple_of_8 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  write_files (f, NULL, 0, PAGE);
  g_file_set_contents (f->addr, "\0\x10\0\0\0\0\0\0\0\x20\0\0\0", 13, &error);
  g_assert_no_error (error);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_TRUNCATED, "pagedump", f->addr, "offset 0x8",
                                  "5 trailing bytes", NULL);
}

static void
test_error_empty_addr (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  write_files (f, NULL, 0, PAGE);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_CORRUPT, "pagedump", f->addr, "empty", NULL);
  g_clear_error (&error);

  write_files (f, NULL, 0, 0);
  p = open_pagedump (f, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_CORRUPT, "pagedump", f->addr, "empty", NULL);
}

static void
test_error_missing_options (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  p = g_initable_new (provider_type, NULL, &error, "dump", f->dump, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "pagedump", NULL,
                                  "option 'addr' is required", NULL);
  g_clear_error (&error);

  p = g_initable_new (provider_type, NULL, &error, "addr", f->addr, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "pagedump", NULL,
                                  "option 'dump' is required", NULL);
}

static void
test_error_no_such_file (Fixture *f, gconstpointer data)
{
  const guint64 addresses[] = { 0x1000 };
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  IptMemoryProvider *p;

  write_files (f, addresses, 1, PAGE);
  p = g_initable_new (provider_type, NULL, &error, "addr", missing, "dump", f->dump, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_NOT_FOUND, "pagedump", missing, NULL);
  g_clear_error (&error);

  p = g_initable_new (provider_type, NULL, &error, "addr", f->addr, "dump", missing, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_NOT_FOUND, "pagedump", missing, NULL);
  g_clear_error (&error);

  p = g_initable_new (provider_type, NULL, &error, "addr", f->addr, "dump", f->dir, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "pagedump", f->dir,
                                  "not a regular file", NULL);
}

static void
test_uninitialized_maps_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) p = g_object_new (provider_type, "addr", f->addr,
                                                  "dump", f->dump, NULL);
  g_autoptr (GPtrArray) regions = regions_of (p);

  assert_unmapped (p, 0x1000);
  g_assert_cmpuint (regions->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  {
    const IptPluginInfo *info = plugin_test_load ("pagedump");

    g_assert_nonnull (info->description);
    provider_type = info->get_provider_type ();
  }

#define ADD(path, func) \
  g_test_add ("/plugin-pagedump/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/plugin-pagedump/descriptor/provider-type-and-options", test_descriptor);
  ADD ("read/start-middle-end-short-unmapped", test_read_pages);
  ADD ("read/straddle-non-contiguous-pages", test_straddle_non_contiguous);
  ADD ("read/random-against-model", test_random_against_model);
  ADD ("regions/merge-adjacent-pages", test_merge_adjacent);
  ADD ("asid/cr3-match-and-mismatch", test_asid);
  ADD ("warning/duplicate-first-wins", test_duplicates_warn_first_wins);
  ADD ("warning/dump-longer-than-declared", test_dump_longer_warns);
  ADD ("warning/unmapped-marker-keeps-its-slot", test_unmapped_marker);
  ADD ("error/unaligned-address", test_error_unaligned);
  ADD ("error/page-at-top-of-address-space", test_error_top_page);
  ADD ("error/truncated-dump", test_error_truncated_dump);
  ADD ("error/empty-dump", test_error_empty_dump);
  ADD ("error/addr-not-multiple-of-8", test_error_addr_not_multiple_of_8);
  ADD ("error/empty-addr", test_error_empty_addr);
  ADD ("error/missing-options", test_error_missing_options);
  ADD ("error/no-such-file", test_error_no_such_file);
  ADD ("uninitialized/maps-nothing", test_uninitialized_maps_nothing);

  return g_test_run ();
}
