/* test-plugin-raw.c: the raw plugin, loaded from the built module (build/plugins/ipt-plugin-raw.so).
 *
 * The module is opened directly and its ipt_plugin_query() called, which
 * tests the plugin's export as well as the provider; the registry has its
 * own tests. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <ipt-analyze/ipt-analyze.h>
#include "plugin-test.h"

#define BASE G_GUINT64_CONSTANT (0x400000)
#define FILE_SIZE 8192

typedef struct {
  char *dir;
  char *path;   /* FILE_SIZE bytes of pattern() */
  char *empty;  /* an empty file */
  guint8 bytes[FILE_SIZE];
} Fixture;

static GType provider_type;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-plugin-raw-XXXXXX", &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < FILE_SIZE; i++)
    f->bytes[i] = (guint8) (i * 7 + i / 251);
  f->path = g_build_filename (f->dir, "image.bin", NULL);
  g_file_set_contents (f->path, (const char *) f->bytes, FILE_SIZE, &error);
  g_assert_no_error (error);
  f->empty = g_build_filename (f->dir, "empty.bin", NULL);
  g_file_set_contents (f->empty, "", 0, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->path);
  g_unlink (f->empty);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->empty);
  g_free (f->dir);
}

static IptMemoryProvider *
new_raw (const char *file, guint64 base, guint64 offset, guint64 size, GError **error)
{
  return g_initable_new (provider_type, NULL, error,
                         "file", file, "base", base, "offset", offset, "size", size,
                         NULL);
}

static void
assert_read (IptMemoryProvider *p, const IptAsid *asid, guint64 address, gsize size,
             gssize expected, const guint8 *expected_bytes)
{
  g_autoptr (GError) error = NULL;
  guint8 buffer[64];
  gssize n;

  g_assert_cmpuint (size, <=, sizeof buffer);
  memset (buffer, 0xcc, sizeof buffer);
  n = ipt_memory_provider_read (p, buffer, size, asid, address, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, expected);
  if (n > 0)
    g_assert_cmpmem (buffer, n, expected_bytes, n);
  /* Nothing written past what was read. */
  for (gsize i = MAX (n, 0); i < sizeof buffer; i++)
    g_assert_cmpuint (buffer[i], ==, 0xcc);
}

static void
test_descriptor (void)
{
  g_autoptr (GTypeClass) klass = NULL;
  GParamSpec **pspecs;
  guint n_pspecs;
  const char *expected[] = { "file", "base", "offset", "size", "cr3", "valid-from", "valid-to" };

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
      g_assert_true (pspec->flags & G_PARAM_WRITABLE);
      g_assert_cmpstr (g_param_spec_get_nick (pspec), !=, expected[i]);
      g_assert_nonnull (g_param_spec_get_blurb (pspec));
      g_assert_cmpuint (strlen (g_param_spec_get_blurb (pspec)), >, 10);
    }
  g_free (pspecs);
}

static void
test_read_start_middle_end (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, 0, 0, &error);

  g_assert_no_error (error);
  assert_read (p, NULL, BASE, 16, 16, f->bytes);
  assert_read (p, NULL, BASE + 1, 1, 1, f->bytes + 1);
  assert_read (p, NULL, BASE + 0x1234, 15, 15, f->bytes + 0x1234);
  assert_read (p, NULL, BASE + FILE_SIZE - 16, 16, 16, f->bytes + FILE_SIZE - 16);
  assert_read (p, NULL, BASE + FILE_SIZE - 1, 1, 1, f->bytes + FILE_SIZE - 1);
}

static void
test_read_short_at_end (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, 0, 0, &error);

  g_assert_no_error (error);
  assert_read (p, NULL, BASE + FILE_SIZE - 5, 15, 5, f->bytes + FILE_SIZE - 5);
  assert_read (p, NULL, BASE + FILE_SIZE - 1, 64, 1, f->bytes + FILE_SIZE - 1);
}

static void
test_read_unmapped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, 0, 0, &error);

  g_assert_no_error (error);
  assert_read (p, NULL, BASE - 1, 16, 0, NULL);
  assert_read (p, NULL, 0, 16, 0, NULL);
  assert_read (p, NULL, BASE + FILE_SIZE, 16, 0, NULL);
  assert_read (p, NULL, G_MAXUINT64, 1, 0, NULL);
}

static void
test_window_offset_size (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, 0x100, 0x200, &error);
  g_autoptr (GPtrArray) regions = NULL;
  IptRegion *r;

  g_assert_no_error (error);
  assert_read (p, NULL, BASE, 16, 16, f->bytes + 0x100);
  assert_read (p, NULL, BASE + 0x1f0, 16, 16, f->bytes + 0x2f0);
  assert_read (p, NULL, BASE + 0x1ff, 16, 1, f->bytes + 0x2ff);
  assert_read (p, NULL, BASE + 0x200, 16, 0, NULL);
  assert_read (p, NULL, BASE - 1, 16, 0, NULL);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  r = g_ptr_array_index (regions, 0);
  g_assert_cmpuint (r->address, ==, BASE);
  g_assert_cmpuint (r->size, ==, 0x200);
  g_assert_cmpuint (r->file_offset, ==, 0x100);
}

static void
test_window_offset_to_eof (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, FILE_SIZE - 0x10, 0, &error);
  g_autoptr (GPtrArray) regions = NULL;

  g_assert_no_error (error);
  assert_read (p, NULL, BASE, 64, 0x10, f->bytes + FILE_SIZE - 0x10);
  assert_read (p, NULL, BASE + 0x10, 1, 0, NULL);
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  g_assert_cmpuint (((IptRegion *) g_ptr_array_index (regions, 0))->size, ==, 0x10);
}

static void
test_window_whole_file_exactly (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, 0, FILE_SIZE, &error);

  g_assert_no_error (error);
  assert_read (p, NULL, BASE + FILE_SIZE - 4, 16, 4, f->bytes + FILE_SIZE - 4);
}

static void
test_window_at_top_of_address_space (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 base = G_MAXUINT64 - FILE_SIZE; /* last byte at 2^64 - 2 */
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, base, 0, 0, &error);

  g_assert_no_error (error);
  assert_read (p, NULL, G_MAXUINT64 - 1, 16, 1, f->bytes + FILE_SIZE - 1);
  assert_read (p, NULL, G_MAXUINT64, 16, 0, NULL);
}

static void
test_regions_absolute_filename (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *expected = NULL;
  IptRegion *r;

  /* A relative name is resolved against the cwd at open time. */
  g_assert_cmpint (g_chdir (f->dir), ==, 0);
  p = new_raw ("./image.bin", BASE, 0x10, 0x20, &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);

  expected = g_canonicalize_filename (f->path, NULL);
  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (regions->len, ==, 1);
  r = g_ptr_array_index (regions, 0);
  g_assert_true (g_path_is_absolute (r->filename));
  g_assert_cmpstr (r->filename, ==, expected);
  g_assert_cmpuint (r->address, ==, BASE);
  g_assert_cmpuint (r->size, ==, 0x20);
  g_assert_cmpuint (r->file_offset, ==, 0x10);
  g_assert_cmpuint (r->asid.cr3, ==, IPT_ASID_NO_CR3);
  g_assert_cmpuint (r->asid.vmcs, ==, IPT_ASID_NO_VMCS);
  g_assert_true (r->permissions & IPT_PERMISSIONS_EXECUTE);
  /* Still readable after the cwd changed back. */
  assert_read (p, NULL, BASE, 4, 4, f->bytes + 0x10);
}

static void
test_asid (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  IptAsid same = { 0x1000, IPT_ASID_NO_VMCS };
  IptAsid other = { 0x2000, IPT_ASID_NO_VMCS };
  IptAsid any = IPT_ASID_INIT_ANY;
  IptAsid same_with_vmcs = { 0x1000, 0x5000 };

  p = g_initable_new (provider_type, NULL, &error, "file", f->path,
                      "base", BASE, "cr3", G_GUINT64_CONSTANT (0x1000), NULL);
  g_assert_no_error (error);
  assert_read (p, &same, BASE, 8, 8, f->bytes);
  assert_read (p, &same_with_vmcs, BASE, 8, 8, f->bytes);
  assert_read (p, &any, BASE, 8, 8, f->bytes);
  assert_read (p, NULL, BASE, 8, 8, f->bytes);
  assert_read (p, &other, BASE, 8, 0, NULL);

  regions = ipt_memory_provider_list_regions (p);
  g_assert_cmpuint (((IptRegion *) g_ptr_array_index (regions, 0))->asid.cr3, ==, 0x1000);
}

static void
test_properties_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, BASE, 0x10, 0x20, &error);
  g_autofree char *file = NULL;
  guint64 base, offset, size, cr3;

  g_assert_no_error (error);
  g_object_get (p, "file", &file, "base", &base, "offset", &offset, "size", &size,
                "cr3", &cr3, NULL);
  g_assert_cmpstr (file, ==, f->path);
  g_assert_cmpuint (base, ==, BASE);
  g_assert_cmpuint (offset, ==, 0x10);
  g_assert_cmpuint (size, ==, 0x20);
  g_assert_cmpuint (cr3, ==, IPT_ASID_NO_CR3);
}

static void
test_error_missing_options (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  p = g_initable_new (provider_type, NULL, &error, "base", BASE, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "raw", NULL,
                                  "option 'file' is required", NULL);
  g_clear_error (&error);

  p = g_initable_new (provider_type, NULL, &error, "file", f->path, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "raw", NULL,
                                  "option 'base' is required", NULL);
  g_clear_error (&error);

  p = g_initable_new (provider_type, NULL, &error, "file", "", "base", BASE, NULL);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "raw", NULL,
                                  "option 'file' is required", NULL);
}

/* base=0xffffffffffffffff, the "not given" default, was answered with a
 * bare "option 'base' is required": the message now says why that value
 * cannot be a base. */
static void
test_error_base_unset_value (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p = new_raw (f->path, G_MAXUINT64, 0, 0, &error);

  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_BAD_OPTION, "raw", NULL,
                                  "option 'base' is required", "0xffffffffffffffff",
                                  "stands for not given", "no mapping can start there", NULL);
}

/* A file name is quoted as valid UTF-8 (bytes that are not as \xNN) and
 * bounded: a 100 KB one is not echoed whole. */
static void
test_error_path_quoted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *odd = g_build_filename (dir, "caf\xe9\x01.bin", NULL);
  g_autofree char *shown = g_build_filename (dir, "caf\\xe9\\x01.bin", NULL);
  g_autofree char *huge = g_strnfill (100 * 1024, 'a');
  IptMemoryProvider *p = new_raw (odd, BASE, 0, 0, &error);

  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_NOT_FOUND, "raw", NULL, shown, NULL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  /* the provider's own messages, once the file is open, too */
  g_assert_true (g_file_set_contents (odd, "", 0, NULL));
  p = new_raw (odd, BASE, 0, 0, &error);
  g_unlink (odd);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", NULL, shown,
                                  "the file is empty", NULL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  p = new_raw (huge, BASE, 0, 0, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_IO, "raw", NULL, "…: File name too long", NULL);
  g_assert_cmpuint (strlen (error->message), <, 4096 * 3 + 100);
}

static void
test_error_base_zero_is_given (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) p = new_raw (f->path, 0, 0, 0, &error);

  g_assert_no_error (error);
  assert_read (p, NULL, 0, 4, 4, f->bytes);
}

static void
test_error_no_such_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing.bin", NULL);
  IptMemoryProvider *p = new_raw (missing, BASE, 0, 0, &error);

  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_NOT_FOUND, "raw", missing, NULL);
}

static void
test_error_not_regular (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p = new_raw (f->dir, BASE, 0, 0, &error);

  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->dir,
                                  "not a regular file", NULL);
}

static void
test_error_empty_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p = new_raw (f->empty, BASE, 0, 0, &error);

  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->empty, "empty",
                                  NULL);
}

static void
test_error_offset_past_eof (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  p = new_raw (f->path, BASE, FILE_SIZE + 0x10, 0, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->path,
                                  "offset 0x2010", "size 0x2000", NULL);
  g_clear_error (&error);

  /* At EOF nothing is left to map. */
  p = new_raw (f->path, BASE, FILE_SIZE, 0, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->path,
                                  "offset 0x2000", "size 0x2000", NULL);
}

static void
test_error_window_past_eof (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  p = new_raw (f->path, BASE, 0x1000, 0x1001, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->path,
                                  "offset 0x1000", "0x1001 bytes", "size 0x2000", NULL);
  g_clear_error (&error);

  /* offset + size overflowing 64 bits is past EOF too, not a wrap-around. */
  p = new_raw (f->path, BASE, 0x10, G_MAXUINT64 - 0x8, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->path, "offset 0x10",
                                  NULL);
}

static void
test_error_address_overflow (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  p = new_raw (f->path, G_MAXUINT64 - 0x100, 0, 0, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->path, "0x2000 bytes",
                                  "base 0xfffffffffffffeff", NULL);
  g_clear_error (&error);

  /* Ending exactly at 2^64 is not representable either. */
  p = new_raw (f->path, G_MAXUINT64 - FILE_SIZE + 1, 0, 0, &error);
  g_assert_null (p);
  plugin_test_assert_error_names (error, IPT_ERROR_INVALID_ARGUMENT, "raw", f->path, "64-bit",
                                  "end at 2^64", "cannot be mapped", NULL);
}

static void
test_error_cancelled (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  IptMemoryProvider *p;

  g_cancellable_cancel (cancellable);
  p = g_initable_new (provider_type, cancellable, &error, "file", f->path, "base", BASE, NULL);
  g_assert_null (p);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_uninitialized_maps_nothing (Fixture *f, gconstpointer data)
{
  /* Constructed without init: must not crash, maps nothing. */
  g_autoptr (IptMemoryProvider) p = g_object_new (provider_type, "file", f->path,
                                                  "base", BASE, NULL);
  g_autoptr (GPtrArray) regions = ipt_memory_provider_list_regions (p);

  assert_read (p, NULL, BASE, 16, 0, NULL);
  g_assert_cmpuint (regions->len, ==, 0);
}

/* valid-from/valid-to: the region's validity interval, defaults always. */
static void
test_validity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) always = new_raw (f->path, BASE, 0, 0x100, &error);
  g_autoptr (IptMemoryProvider) timed = NULL;
  g_autoptr (GPtrArray) regions = NULL;
  const IptRegion *region;
  guint64 from, to;

  g_assert_no_error (error);
  g_object_get (always, "valid-from", &from, "valid-to", &to, NULL);
  g_assert_cmpuint (from, ==, 0);
  g_assert_cmpuint (to, ==, IPT_TIME_END);
  regions = ipt_memory_provider_list_regions (always);
  g_assert_true (ipt_region_is_timeless (g_ptr_array_index (regions, 0)));
  g_clear_pointer (&regions, g_ptr_array_unref);

  timed = g_initable_new (provider_type, NULL, &error, "file", f->path, "base", BASE,
                          "size", (guint64) 0x100, "valid-from", (guint64) 1000,
                          "valid-to", (guint64) 2000, NULL);
  g_assert_no_error (error);
  regions = ipt_memory_provider_list_regions (timed);
  g_assert_cmpuint (regions->len, ==, 1);
  region = g_ptr_array_index (regions, 0);
  g_assert_cmpuint (region->valid_from, ==, 1000);
  g_assert_cmpuint (region->valid_to, ==, 2000);
  /* the bytes are the file's whatever the time: the image picks the time */
  assert_read (timed, NULL, BASE, 8, 8, f->bytes);
}

/* Two mappings of one address at different times: the image serves each
 * at its time (a library unmapped and another loaded at its address). */
static void
test_validity_in_image (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptImage) image = ipt_image_new ("raw-times");
  g_autoptr (IptMemoryProvider) first = NULL, second = NULL;
  guint8 byte;

  first = g_initable_new (provider_type, NULL, &error, "file", f->path, "base", BASE,
                          "size", (guint64) 0x100, "valid-from", (guint64) 1000,
                          "valid-to", (guint64) 2000, NULL);
  g_assert_no_error (error);
  second = g_initable_new (provider_type, NULL, &error, "file", f->path, "base", BASE,
                           "offset", (guint64) 0x1000, "size", (guint64) 0x100,
                           "valid-from", (guint64) 3000, NULL);
  g_assert_no_error (error);
  ipt_image_add_provider (image, first);
  ipt_image_add_provider (image, second);
  ipt_image_set_time (image, 1500);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, BASE + 1, &error), ==, 1);
  g_assert_cmpuint (byte, ==, f->bytes[1]);
  ipt_image_set_time (image, 3500);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, BASE + 1, &error), ==, 1);
  g_assert_cmpuint (byte, ==, f->bytes[0x1001]);
  g_assert_no_error (error);
}

static void
test_error_validity_empty (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *p;

  p = g_initable_new (provider_type, NULL, &error, "file", f->path, "base", BASE,
                      "valid-from", (guint64) 2000, "valid-to", (guint64) 2000, NULL);
  g_assert_null (p);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "valid-from 2000 is not before valid-to 2000"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  provider_type = plugin_test_load ("raw")->get_provider_type ();

#define ADD(path, func) \
  g_test_add ("/plugin-raw/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/plugin-raw/descriptor/provider-type-and-options", test_descriptor);
  ADD ("read/start-middle-end", test_read_start_middle_end);
  ADD ("read/short-at-end", test_read_short_at_end);
  ADD ("read/unmapped-before-and-after", test_read_unmapped);
  ADD ("window/offset-and-size", test_window_offset_size);
  ADD ("window/offset-to-end-of-file", test_window_offset_to_eof);
  ADD ("window/whole-file-exactly", test_window_whole_file_exactly);
  ADD ("window/at-top-of-address-space", test_window_at_top_of_address_space);
  ADD ("regions/absolute-filename-and-offset", test_regions_absolute_filename);
  ADD ("asid/cr3-match-and-mismatch", test_asid);
  ADD ("properties/round-trip", test_properties_round_trip);
  ADD ("validity/region-interval-defaults-always", test_validity);
  ADD ("validity/image-serves-each-at-its-time", test_validity_in_image);
  ADD ("error/validity-empty", test_error_validity_empty);
  ADD ("options/base-zero-is-given", test_error_base_zero_is_given);
  ADD ("error/missing-options", test_error_missing_options);
  ADD ("error/no-such-file", test_error_no_such_file);
  ADD ("error/not-a-regular-file", test_error_not_regular);
  ADD ("error/empty-file", test_error_empty_file);
  ADD ("error/offset-past-end-of-file", test_error_offset_past_eof);
  ADD ("error/window-past-end-of-file", test_error_window_past_eof);
  ADD ("error/address-overflow", test_error_address_overflow);
  ADD ("error/base-unset-value", test_error_base_unset_value);
  ADD ("error/path-quoted", test_error_path_quoted);
  ADD ("error/cancelled", test_error_cancelled);
  ADD ("uninitialized/maps-nothing", test_uninitialized_maps_nothing);

  return g_test_run ();
}
