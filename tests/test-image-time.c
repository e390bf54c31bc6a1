/* test-image-time.c: memory over time in IptImage — regions with validity
 * intervals, the image's time, the rule that resolves a time (valid then;
 * else the soonest valid after; nothing after the last ended), boundaries,
 * mappings and file sections per epoch. */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "mock-provider.h"

static const IptAsid any = IPT_ASID_INIT_ANY;

static guint8
byte_at (IptImage *image, guint64 time, guint64 address)
{
  g_autoptr(GError) error = NULL;
  guint8 byte = 0;
  gssize n;

  ipt_image_set_time (image, time);
  n = ipt_image_read (image, &byte, 1, &any, address, &error);
  g_assert_no_error (error);
  return n == 1 ? byte : 0;
}

/* 0x1000: 0xaa [100, 200), 0xbb [200, 300) from the first provider, 0xcc
 * always from the second; 0x2000: 0xdd [150, END) from the first. */
static IptImage *
make_image (void)
{
  IptImage *image = ipt_image_new ("time");
  g_autoptr(IptMockProvider) jit = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) core = ipt_mock_provider_new (TRUE);

  ipt_mock_provider_add_fill (jit, 0x1000, 16, 0xaa, NULL);
  ipt_mock_provider_set_last_validity (jit, 100, 200);
  ipt_mock_provider_add_fill (jit, 0x1000, 16, 0xbb, NULL);
  ipt_mock_provider_set_last_validity (jit, 200, 300);
  ipt_mock_provider_add_fill (jit, 0x2000, 16, 0xdd, NULL);
  ipt_mock_provider_set_last_validity (jit, 150, IPT_TIME_END);
  ipt_mock_provider_add_fill (core, 0x1000, 16, 0xcc, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (jit));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (core));
  return image;
}

static void
test_region_validity (void)
{
  g_autoptr(IptRegion) region = ipt_region_new (0x1000, 16, NULL, IPT_PERMISSIONS_EXECUTE, NULL, 0);
  g_autoptr(IptRegion) copy = NULL;

  g_assert_true (ipt_region_is_timeless (region));
  g_assert_true (ipt_region_is_valid_at (region, 0));
  g_assert_true (ipt_region_is_valid_at (region, IPT_TIME_END));
  ipt_region_set_validity (region, 10, 20);
  g_assert_false (ipt_region_is_timeless (region));
  g_assert_false (ipt_region_is_valid_at (region, 9));
  g_assert_true (ipt_region_is_valid_at (region, 10));
  g_assert_true (ipt_region_is_valid_at (region, 19));
  g_assert_false (ipt_region_is_valid_at (region, 20));
  copy = ipt_region_copy (region);
  g_assert_cmpuint (copy->valid_from, ==, 10);
  g_assert_cmpuint (copy->valid_to, ==, 20);
  ipt_region_set_validity (region, 10, IPT_TIME_END);
  g_assert_true (ipt_region_is_valid_at (region, IPT_TIME_END));
}

static void
test_boundaries (void)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(GArray) b = ipt_image_list_boundaries (image);
  g_autoptr(IptImage) timeless = ipt_image_new ("timeless");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GArray) none = NULL;

  /* only where some address reads differently: 0xaa -> 0xbb at 200 and
   * 0xbb -> 0xcc at 300; before 100 (and 150) the first version is read
   * already, by the rule */
  g_assert_cmpuint (b->len, ==, 2);
  g_assert_cmpuint (g_array_index (b, guint64, 0), ==, 200);
  g_assert_cmpuint (g_array_index (b, guint64, 1), ==, 300);

  ipt_mock_provider_add_fill (mock, 0x1000, 16, 0xaa, NULL);
  ipt_image_add_provider (timeless, IPT_MEMORY_PROVIDER (mock));
  none = ipt_image_list_boundaries (timeless);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_read_at_times (void)
{
  g_autoptr(IptImage) image = make_image ();

  g_assert_cmpuint (ipt_image_get_time (image), ==, IPT_TIME_END);
  /* the latest: 0xbb ended at 300, so the address falls to the second provider */
  g_assert_cmphex (byte_at (image, IPT_TIME_END, 0x1000), ==, 0xcc);
  g_assert_cmphex (byte_at (image, 150, 0x1000), ==, 0xaa);
  g_assert_cmphex (byte_at (image, 199, 0x1000), ==, 0xaa);
  /* at a boundary the later region wins */
  g_assert_cmphex (byte_at (image, 200, 0x1000), ==, 0xbb);
  g_assert_cmphex (byte_at (image, 299, 0x1000), ==, 0xbb);
  g_assert_cmphex (byte_at (image, 300, 0x1000), ==, 0xcc);
  /* before the first region: the one valid soonest (a decoder's time lags) */
  g_assert_cmphex (byte_at (image, 0, 0x1000), ==, 0xaa);
  g_assert_cmphex (byte_at (image, 10, 0x2000), ==, 0xdd);
  g_assert_cmphex (byte_at (image, IPT_TIME_END, 0x2000), ==, 0xdd);
}

static void
test_read_memory_callback_follows_time (void)
{
  g_autoptr(IptImage) image = make_image ();
  guint8 byte = 0;

  /* the page cache must not serve the bytes of another time */
  ipt_image_set_time (image, 150);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x1000, image), ==, 1);
  g_assert_cmphex (byte, ==, 0xaa);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x1000, image), ==, 1);
  g_assert_cmphex (byte, ==, 0xaa);
  ipt_image_set_time (image, 250);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x1000, image), ==, 1);
  g_assert_cmphex (byte, ==, 0xbb);
  ipt_image_set_time (image, 150);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x1000, image), ==, 1);
  g_assert_cmphex (byte, ==, 0xaa);
}

static void
test_mappings_at_times (void)
{
  g_autoptr(IptImage) image = make_image ();
  g_autoptr(GPtrArray) at150 = NULL;
  g_autoptr(GPtrArray) late = NULL;
  const IptMapping *m;

  ipt_image_set_time (image, 150);
  at150 = ipt_image_list_mappings (image);
  /* 0x1000: the first provider's 0xaa region (it covers the second's); 0x2000 */
  g_assert_cmpuint (at150->len, ==, 2);
  m = g_ptr_array_index (at150, 0);
  g_assert_cmphex (m->region->address, ==, 0x1000);
  g_assert_cmpuint (m->region->valid_from, ==, 100);
  g_assert_cmpuint (m->region->valid_to, ==, 200);

  ipt_image_set_time (image, 400);
  late = ipt_image_list_mappings (image);
  g_assert_cmpuint (late->len, ==, 2);
  m = g_ptr_array_index (late, 0);
  g_assert_cmphex (m->region->address, ==, 0x1000);
  g_assert_true (ipt_region_is_timeless (m->region));   /* the second provider's, once 0xbb ended */
}

static char *
write_temp (guint8 fill, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = g_malloc (size);
  char *path = NULL;
  int fd = g_file_open_tmp ("test-image-time-XXXXXX.bin", &path, &error);

  g_assert_no_error (error);
  memset (bytes, fill, size);
  g_assert_cmpint (write (fd, bytes, size), ==, (gssize) size);
  close (fd);
  return path;
}

static void
test_file_sections_per_epoch (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("sections");
  g_autoptr(IptMockProvider) jit = ipt_mock_provider_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = write_temp (0xaa, 64);
  g_autofree char *b = write_temp (0xbb, 32);

  g_assert_true (ipt_mock_provider_add_file (jit, 0x1000, a, 0, 64, NULL, &error));
  ipt_mock_provider_set_last_validity (jit, 100, 200);
  g_assert_true (ipt_mock_provider_add_file (jit, 0x1000, b, 0, 32, NULL, &error));
  ipt_mock_provider_set_last_validity (jit, 200, IPT_TIME_END);
  g_assert_no_error (error);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (jit));

  /* a's whole range until 200, then b's 32 bytes; a's tail ends with it */
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 2);
  g_assert_cmphex (byte_at (image, 150, 0x1030), ==, 0xaa);
  g_assert_cmphex (byte_at (image, 250, 0x1000), ==, 0xbb);
  g_assert_cmphex (byte_at (image, 250, 0x1030), ==, 0);

  g_unlink (a);
  g_unlink (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image-time/region-validity", test_region_validity);
  g_test_add_func ("/image-time/boundaries", test_boundaries);
  g_test_add_func ("/image-time/read-follows-the-rule", test_read_at_times);
  g_test_add_func ("/image-time/read-memory-page-cache-follows-time", test_read_memory_callback_follows_time);
  g_test_add_func ("/image-time/mappings-at-a-time", test_mappings_at_times);
  g_test_add_func ("/image-time/file-sections-per-epoch", test_file_sections_per_epoch);

  return g_test_run ();
}
