/* test-image.c: the IptImage chain: priority, stitching, asids, errors,
 * the read-memory callback contract, the external callback, the page cache
 * and the resolved map. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "ipt-read-bytes-private.h"
#include "mock-provider.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Count this thread's allocations by interposing glibc's malloc (the
 * sanitizers interpose it themselves: the check is skipped under them). */
#if defined(__GLIBC__) && !defined(SANITIZED)
#define COUNT_ALLOCATIONS 1
extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
static __thread guint64 n_allocations;

void *
malloc (size_t size)
{
  n_allocations++;
  return __libc_malloc (size);
}

void *
calloc (size_t n, size_t size)
{
  n_allocations++;
  return __libc_calloc (n, size);
}

void *
realloc (void *ptr, size_t size)
{
  n_allocations++;
  return __libc_realloc (ptr, size);
}
#endif

static guint8 *
pattern (gsize size, guint seed)
{
  guint8 *bytes = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) ((i * 7 + seed * 31 + (i >> 8)) & 0xff);
  return bytes;
}

static IptMockProvider *
mock_with_bytes (guint64 address, gsize size, guint seed, const IptAsid *asid, guint8 **out)
{
  IptMockProvider *mock = ipt_mock_provider_new (TRUE);
  g_autofree guint8 *bytes = pattern (size, seed);

  ipt_mock_provider_add_bytes (mock, address, bytes, size, asid);
  if (out != NULL)
    *out = g_steal_pointer (&bytes);
  return mock;
}

static struct pt_asid
make_pt_asid (guint64 cr3, guint64 vmcs)
{
  struct pt_asid asid;

  pt_asid_init (&asid);
  asid.cr3 = cr3;
  asid.vmcs = vmcs;
  return asid;
}

static void
test_new_name (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("test");
  g_autoptr(IptImage) unnamed = ipt_image_new (NULL);
  g_autofree char *name = NULL;

  g_assert_cmpstr (ipt_image_get_name (image), ==, "test");
  g_object_get (image, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "test");
  g_assert_nonnull (ipt_image_get_name (unnamed));
  g_assert_cmpuint (g_list_model_get_n_items (ipt_image_get_providers (image)), ==, 0);
}

static void
test_providers_model (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("model");
  g_autoptr(IptMockProvider) a = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) b = ipt_mock_provider_new (FALSE);
  g_autoptr(IptMockProvider) c = ipt_mock_provider_new (TRUE);
  GListModel *model = ipt_image_get_providers (image);
  g_autoptr(GObject) item = NULL;

  g_assert_true (g_list_model_get_item_type (model) == IPT_TYPE_MEMORY_PROVIDER);

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (a));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (b));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (c));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (b)));
  g_assert_false (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (b)));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  item = g_list_model_get_item (model, 0);
  g_assert_true (item == G_OBJECT (a));
  g_clear_object (&item);
  item = g_list_model_get_item (model, 1);
  g_assert_true (item == G_OBJECT (c));
}

static void
test_read_empty (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("empty");
  g_autoptr(GError) error = NULL;
  guint8 buffer[16];
  struct pt_asid asid = make_pt_asid (pt_asid_no_cr3, pt_asid_no_vmcs);

  g_assert_cmpint (ipt_image_read (image, buffer, sizeof buffer, NULL, 0x1000, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ipt_image_read_memory (buffer, sizeof buffer, &asid, 0x1000, image), ==, -pte_nomap);
  g_assert_cmpint (ipt_image_read_memory (buffer, sizeof buffer, NULL, 0, image), ==, -pte_nomap);
}

static void
test_read_priority (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("priority");
  g_autofree guint8 *low_bytes = NULL, *high_bytes = NULL;
  g_autoptr(IptMockProvider) high = mock_with_bytes (0x1100, 0x100, 1, NULL, &high_bytes);
  g_autoptr(IptMockProvider) low = mock_with_bytes (0x1000, 0x400, 2, NULL, &low_bytes);
  g_autoptr(GError) error = NULL;
  guint8 buffer[0x400];

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (high));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (low));

  /* one read spans low, high, low again */
  g_assert_cmpint (ipt_image_read (image, buffer, sizeof buffer, NULL, 0x1000, &error), ==, 0x400);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, 0x100, low_bytes, 0x100);
  g_assert_cmpmem (buffer + 0x100, 0x100, high_bytes, 0x100);
  g_assert_cmpmem (buffer + 0x200, 0x200, low_bytes + 0x200, 0x200);

  /* the callback agrees, also across the boundary */
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x10f8, image), ==, 15);
  g_assert_cmpmem (buffer, 8, low_bytes + 0xf8, 8);
  g_assert_cmpmem (buffer + 8, 7, high_bytes, 7);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x11fc, image), ==, 15);
  g_assert_cmpmem (buffer, 4, high_bytes + 0xfc, 4);
  g_assert_cmpmem (buffer + 4, 11, low_bytes + 0x200, 11);
}

static void
test_read_priority_order_of_addition (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("order");
  g_autoptr(IptMockProvider) first = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) second = ipt_mock_provider_new (TRUE);
  guint8 byte = 0;

  ipt_mock_provider_add_fill (first, 0x2000, 0x10, 0xaa, NULL);
  ipt_mock_provider_add_fill (second, 0x2000, 0x10, 0xbb, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (first));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (second));

  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x2005, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0xaa);

  ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (first));
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x2005, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0xbb);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x2005, image), ==, 1);
  g_assert_cmpuint (byte, ==, 0xbb);
}

static void
test_read_stitch_providers (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("stitch");
  g_autofree guint8 *a_bytes = NULL, *b_bytes = NULL;
  g_autoptr(IptMockProvider) a = mock_with_bytes (0x3ff0, 0x10, 3, NULL, &a_bytes);
  g_autoptr(IptMockProvider) b = mock_with_bytes (0x4000, 0x1000, 4, NULL, &b_bytes);
  guint8 buffer[32];

  /* the lower-priority provider comes first in the address space */
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (b));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (a));

  g_assert_cmpint (ipt_image_read (image, buffer, 32, NULL, 0x3ff8, NULL), ==, 32);
  g_assert_cmpmem (buffer, 8, a_bytes + 8, 8);
  g_assert_cmpmem (buffer + 8, 24, b_bytes, 24);

  memset (buffer, 0, sizeof buffer);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x3ffa, image), ==, 15);
  g_assert_cmpmem (buffer, 6, a_bytes + 10, 6);
  g_assert_cmpmem (buffer + 6, 9, b_bytes, 9);
}

static void
test_read_stitch_regions (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("regions");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  guint8 buffer[16];
  guint8 expected[16];

  ipt_mock_provider_add_fill (mock, 0x5000, 0x8, 0x11, NULL);
  ipt_mock_provider_add_fill (mock, 0x5008, 0x8, 0x22, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  memset (expected, 0x11, 8);
  memset (expected + 8, 0x22, 8);
  g_assert_cmpint (ipt_image_read (image, buffer, 16, NULL, 0x5000, NULL), ==, 16);
  g_assert_cmpmem (buffer, 16, expected, 16);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x5000, image), ==, 16);
  g_assert_cmpmem (buffer, 16, expected, 16);
}

static void
test_read_stops_at_unmapped (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("hole");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  guint8 buffer[32];

  ipt_mock_provider_add_fill (mock, 0x6000, 0x10, 0x33, NULL);
  ipt_mock_provider_add_fill (mock, 0x6014, 0x10, 0x44, NULL);  /* a 4-byte hole */
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read (image, buffer, 32, NULL, 0x6008, NULL), ==, 8);
  g_assert_cmpint (ipt_image_read_memory (buffer, 32, NULL, 0x6008, image), ==, 8);
  g_assert_cmpint (ipt_image_read (image, buffer, 32, NULL, 0x6010, NULL), ==, 0);
  g_assert_cmpint (ipt_image_read_memory (buffer, 32, NULL, 0x6012, image), ==, -pte_nomap);
  g_assert_cmpint (ipt_image_read_memory (buffer, 32, NULL, 0x6014, image), ==, 0x10);
}

static void
test_read_short_provider_reads (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("short");
  g_autofree guint8 *bytes = NULL;
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0x7000, 0x100, 5, NULL, &bytes);
  guint8 buffer[64];

  ipt_mock_provider_set_max_read (mock, 3);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read (image, buffer, 64, NULL, 0x7001, NULL), ==, 64);
  g_assert_cmpmem (buffer, 64, bytes + 1, 64);
  g_assert_cmpuint (ipt_mock_provider_get_read_count (mock), >=, 22);

  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x70f8, image), ==, 8);
  g_assert_cmpmem (buffer, 8, bytes + 0xf8, 8);
}

static void
test_read_size_zero (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("zero");
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0x8000, 0x10, 6, NULL, NULL);
  guint8 byte = 0x5a;

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  ipt_mock_provider_reset_read_count (mock);

  g_assert_cmpint (ipt_image_read (image, &byte, 0, NULL, 0x8000, NULL), ==, 0);
  g_assert_cmpint (ipt_image_read (image, NULL, 0, NULL, 0x8000, NULL), ==, 0);
  g_assert_cmpint (ipt_image_read_memory (&byte, 0, NULL, 0x8000, image), ==, 0);
  g_assert_cmpuint (byte, ==, 0x5a);
  g_assert_cmpuint (ipt_mock_provider_get_read_count (mock), ==, 0);
}

static void
test_read_memory_bounds (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("bounds");
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0x9000, 0x2000, 7, NULL, NULL);
  guint8 buffer[32];

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  for (gsize size = 1; size <= 16; size++)
    {
      memset (buffer, 0xee, sizeof buffer);
      g_assert_cmpint (ipt_image_read_memory (buffer, size, NULL, 0x9ffa, image), ==, (int) size);
      for (gsize i = size; i < sizeof buffer; i++)
        g_assert_cmpuint (buffer[i], ==, 0xee);
    }
}

static void
test_read_end_of_address_space (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("top");
  g_autofree guint8 *bytes = NULL;
  g_autoptr(IptMockProvider) mock = mock_with_bytes (G_MAXUINT64 - 0xfff, 0x1000, 8, NULL, &bytes);
  guint8 buffer[16];

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read (image, buffer, 16, NULL, G_MAXUINT64 - 3, NULL), ==, 4);
  g_assert_cmpmem (buffer, 4, bytes + 0xffc, 4);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, G_MAXUINT64 - 3, image), ==, 4);
  g_assert_cmpmem (buffer, 4, bytes + 0xffc, 4);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, G_MAXUINT64, image), ==, 1);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0, image), ==, -pte_nomap);
}

static void
test_read_asid_cr3 (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("cr3");
  g_autoptr(IptMockProvider) one = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) two = ipt_mock_provider_new (TRUE);
  IptAsid cr3_1 = { 0x1000, IPT_ASID_NO_VMCS };
  IptAsid cr3_2 = { 0x2000, IPT_ASID_NO_VMCS };
  IptAsid cr3_3 = { 0x3000, IPT_ASID_NO_VMCS };
  struct pt_asid pt_1 = make_pt_asid (0x1000, pt_asid_no_vmcs);
  struct pt_asid pt_3 = make_pt_asid (0x3000, pt_asid_no_vmcs);
  guint8 byte;

  ipt_mock_provider_add_fill (one, 0xa000, 0x100, 0x01, &cr3_1);
  ipt_mock_provider_add_fill (two, 0xa000, 0x100, 0x02, &cr3_2);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (one));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (two));

  g_assert_cmpint (ipt_image_read (image, &byte, 1, &cr3_1, 0xa010, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0x01);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, &cr3_2, 0xa010, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0x02);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, &cr3_3, 0xa010, NULL), ==, 0);

  /* NULL asid: any address space, the first provider wins */
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0xa010, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0x01);

  g_assert_cmpint (ipt_image_read_memory (&byte, 1, &pt_1, 0xa010, image), ==, 1);
  g_assert_cmpuint (byte, ==, 0x01);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, &pt_3, 0xa010, image), ==, -pte_nomap);
}

static void
test_read_asid_vmcs (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("vmcs");
  g_autoptr(IptMockProvider) guest = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) host = ipt_mock_provider_new (TRUE);
  IptAsid vm_a = { IPT_ASID_NO_CR3, 0xa000 };
  IptAsid vm_a_cr3 = { 0x42000, 0xa000 };
  IptAsid vm_b = { IPT_ASID_NO_CR3, 0xb000 };
  struct pt_asid pt_b = make_pt_asid (0x1234000, 0xb000);
  guint8 byte;

  ipt_mock_provider_add_fill (guest, 0xb000, 0x100, 0x0a, &vm_a);
  ipt_mock_provider_add_fill (host, 0xb000, 0x100, 0x0b, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (guest));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (host));

  g_assert_cmpint (ipt_image_read (image, &byte, 1, &vm_a_cr3, 0xb000, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0x0a);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, &vm_b, 0xb000, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0x0b);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, &pt_b, 0xb0ff, image), ==, 1);
  g_assert_cmpuint (byte, ==, 0x0b);
}

static void
test_read_asid_pt_size (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("asid-size");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  IptAsid cr3_1 = { 0x1000, IPT_ASID_NO_VMCS };
  struct pt_asid asid = make_pt_asid (0x9999000, pt_asid_no_vmcs);
  guint8 byte;

  ipt_mock_provider_add_fill (mock, 0xc000, 0x10, 0xc3, &cr3_1);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read_memory (&byte, 1, &asid, 0xc000, image), ==, -pte_nomap);
  /* an old caller's struct that ends before cr3: its fields count as "no" */
  asid.size = G_STRUCT_OFFSET (struct pt_asid, cr3);
  g_assert_cmpint (ipt_image_read_memory (&byte, 1, &asid, 0xc000, image), ==, 1);
  g_assert_cmpuint (byte, ==, 0xc3);
}

static void
test_read_provider_error (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("error");
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0xd000, 0x100, 9, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) kept = NULL;
  guint8 buffer[16];

  ipt_mock_provider_set_failure (mock, 0xd080, 0x10);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read (image, buffer, 16, NULL, 0xd084, &error), ==, -1);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "0xd084"));
  g_clear_error (&error);

  /* a failure after some bytes is a short read; the next read reports it */
  g_assert_cmpint (ipt_image_read (image, buffer, 16, NULL, 0xd078, &error), ==, 8);
  g_assert_no_error (error);

  g_assert_null (ipt_image_dup_last_error (image));
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xd080, image), ==, -pte_bad_image);
  kept = ipt_image_dup_last_error (image);
  g_assert_error (kept, IPT_ERROR, IPT_ERROR_IO);
  g_assert_nonnull (strstr (kept->message, "0xd080"));
  ipt_image_clear_last_error (image);
  g_assert_null (ipt_image_dup_last_error (image));

  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xd078, image), ==, 8);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xd080, image), ==, -pte_bad_image);

  /* failures are never cached */
  ipt_mock_provider_clear_failure (mock);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xd080, image), ==, 15);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xd078, image), ==, 15);
}

static void
test_read_provider_error_without_gerror (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("bare-error");
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0xe000, 0x100, 10, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) kept = NULL;
  guint8 buffer[16];

  ipt_mock_provider_set_failure (mock, 0xe000, 0x100);
  ipt_mock_provider_set_fail_without_error (mock, TRUE);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read (image, buffer, 16, NULL, 0xe000, &error), ==, -1);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_FAILED);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xe000, image), ==, -pte_bad_image);
  kept = ipt_image_dup_last_error (image);
  g_assert_error (kept, IPT_ERROR, IPT_ERROR_FAILED);
}

static void
test_read_memory_invalid (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("invalid");
  guint8 buffer[4];

  g_assert_cmpint (ipt_image_read_memory (NULL, 4, NULL, 0x1000, image), ==, -pte_invalid);
  g_assert_cmpint (ipt_image_read_memory (buffer, 4, NULL, 0x1000, NULL), ==, -pte_invalid);
  g_assert_cmpint (ipt_image_set_callback (NULL, NULL, NULL), ==, -pte_invalid);
}

static void
test_read_unindexed (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("unindexed");
  g_autoptr(IptMockProvider) opaque_high = ipt_mock_provider_new (FALSE);
  g_autoptr(IptMockProvider) indexed = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) opaque_low = ipt_mock_provider_new (FALSE);
  g_autoptr(GPtrArray) mappings = NULL;
  guint8 buffer[32];

  ipt_mock_provider_add_fill (opaque_high, 0x10010, 0x10, 0x01, NULL);
  ipt_mock_provider_add_fill (indexed, 0x10000, 0x40, 0x02, NULL);
  ipt_mock_provider_add_fill (opaque_low, 0x10000, 0x80, 0x03, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (opaque_high));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (indexed));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (opaque_low));

  /* the unindexed provider added first wins where it maps */
  g_assert_cmpint (ipt_image_read (image, buffer, 1, NULL, 0x10018, NULL), ==, 1);
  g_assert_cmpuint (buffer[0], ==, 0x01);
  g_assert_cmpint (ipt_image_read_memory (buffer, 1, NULL, 0x10018, image), ==, 1);
  g_assert_cmpuint (buffer[0], ==, 0x01);
  /* the indexed one before and after it */
  g_assert_cmpint (ipt_image_read (image, buffer, 1, NULL, 0x10008, NULL), ==, 1);
  g_assert_cmpuint (buffer[0], ==, 0x02);
  g_assert_cmpint (ipt_image_read (image, buffer, 1, NULL, 0x10030, NULL), ==, 1);
  g_assert_cmpuint (buffer[0], ==, 0x02);
  /* the last unindexed one fills what nobody else maps, stitched */
  g_assert_cmpint (ipt_image_read (image, buffer, 32, NULL, 0x10038, NULL), ==, 32);
  for (guint i = 0; i < 32; i++)
    g_assert_cmpuint (buffer[i], ==, i < 8 ? 0x02 : 0x03);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x10078, image), ==, 8);
  g_assert_cmpuint (buffer[7], ==, 0x03);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x10080, image), ==, -pte_nomap);

  /* a read that starts in the indexed provider stops where the unindexed
   * higher-priority one takes over, in the middle of the read */
  g_assert_cmpint (ipt_image_read (image, buffer, 16, NULL, 0x10008, NULL), ==, 16);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpuint (buffer[i], ==, i < 8 ? 0x02 : 0x01);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x10004, image), ==, 15);
  for (guint i = 0; i < 15; i++)
    g_assert_cmpuint (buffer[i], ==, i < 12 ? 0x02 : 0x01);

  /* only the indexed provider can be listed */
  mappings = ipt_image_list_mappings (image);
  g_assert_cmpuint (mappings->len, ==, 1);
}

typedef struct {
  guint8 fill;
  int status;                   /* returned when not 0 */
  guint calls;
} ExternalCallback;

static int
external_callback (uint8_t *buffer, size_t size, const struct pt_asid *asid, uint64_t ip, void *context)
{
  ExternalCallback *cb = context;

  g_assert_nonnull (asid);
  cb->calls++;
  if (cb->status != 0)
    return cb->status;
  if (ip < 0xf0000 || ip >= 0xf1000)
    return -pte_nomap;
  size = MIN (size, 0xf1000 - ip);
  memset (buffer, cb->fill, size);
  return (int) size;
}

static void
test_callback_last_link (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("callback");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  ExternalCallback a = { 0xa1, 0, 0 }, b = { 0xb2, 0, 0 };
  guint8 buffer[32];
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) kept = NULL;

  ipt_mock_provider_add_fill (mock, 0xf0800, 0x10, 0x77, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_set_callback (image, external_callback, &a), ==, 0);
  /* providers first, the callback after them, stitched */
  g_assert_cmpint (ipt_image_read (image, buffer, 32, NULL, 0xf07f8, NULL), ==, 32);
  for (guint i = 0; i < 32; i++)
    g_assert_cmpuint (buffer[i], ==, (i >= 8 && i < 24) ? 0x77 : 0xa1);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0xf0805, image), ==, 15);
  g_assert_cmpuint (buffer[0], ==, 0x77);
  g_assert_cmpuint (buffer[14], ==, 0xa1);

  /* a later call replaces it */
  g_assert_cmpint (ipt_image_set_callback (image, external_callback, &b), ==, 0);
  g_assert_cmpint (ipt_image_read_memory (buffer, 4, NULL, 0xf0000, image), ==, 4);
  g_assert_cmpuint (buffer[0], ==, 0xb2);

  /* a failing callback is a provider failure */
  b.status = -pte_bad_image;
  g_assert_cmpint (ipt_image_read (image, buffer, 4, NULL, 0xf0000, &error), ==, -1);
  g_assert_nonnull (error);
  g_assert_cmpint (ipt_image_read_memory (buffer, 4, NULL, 0xf0100, image), ==, -pte_bad_image);
  kept = ipt_image_dup_last_error (image);
  g_assert_nonnull (kept);
  b.status = 0;

  /* NULL removes it */
  g_assert_cmpint (ipt_image_set_callback (image, NULL, NULL), ==, 0);
  a.calls = b.calls = 0;
  g_assert_cmpint (ipt_image_read (image, buffer, 4, NULL, 0xf0000, NULL), ==, 0);
  g_assert_cmpint (ipt_image_read_memory (buffer, 4, NULL, 0xf0200, image), ==, -pte_nomap);
  g_assert_cmpuint (a.calls + b.calls, ==, 0);
  g_assert_cmpint (ipt_image_read_memory (buffer, 4, NULL, 0xf0800, image), ==, 4);
  g_assert_cmpuint (buffer[0], ==, 0x77);
}

static void
test_cache_sees_added_provider (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("cache-add");
  g_autoptr(IptMockProvider) first = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) second = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) third = ipt_mock_provider_new (TRUE);
  guint64 generation = ipt_image_get_generation (image);
  guint8 buffer[16];

  ipt_mock_provider_add_fill (first, 0x20000, 0x800, 0x01, NULL);
  ipt_mock_provider_add_fill (second, 0x20800, 0x800, 0x02, NULL);
  ipt_mock_provider_add_fill (third, 0x20000, 0x1000, 0x03, NULL);

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (first));
  g_assert_cmpuint (ipt_image_get_generation (image), >, generation);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x207f8, image), ==, 8);

  /* newly mapped bytes in a cached page */
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (second));
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x207f8, image), ==, 16);
  g_assert_cmpuint (buffer[15], ==, 0x02);

  /* removing a provider uncovers lower-priority bytes: never stale */
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (third));
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x20100, image), ==, 16);
  g_assert_cmpuint (buffer[0], ==, 0x01);
  ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (first));
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x20100, image), ==, 16);
  g_assert_cmpuint (buffer[0], ==, 0x03);
}

static void
test_cache_hits (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("cache-hits");
  g_autofree guint8 *bytes = NULL;
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0x30000, 0x3000, 11, NULL, &bytes);
  guint8 buffer[16];

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  ipt_mock_provider_reset_read_count (mock);

  /* sequential 15-byte reads over a page: one fill */
  for (guint64 ip = 0x31000; ip + 15 <= 0x32000; ip += 5)
    {
      g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, ip, image), ==, 15);
      g_assert_cmpmem (buffer, 15, bytes + (ip - 0x30000), 15);
    }
  g_assert_cmpuint (ipt_mock_provider_get_read_count (mock), ==, 1);

  /* a backward jump within the page extends the entry once */
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x30ff8, image), ==, 15);
  g_assert_cmpmem (buffer, 15, bytes + 0xff8, 15);
  ipt_mock_provider_reset_read_count (mock);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x31000, image), ==, 15);
  g_assert_cmpuint (ipt_mock_provider_get_read_count (mock), ==, 0);

  /* reads with the cache off go to the provider every time */
  ipt_image_set_page_cache_enabled (image, FALSE);
  ipt_mock_provider_reset_read_count (mock);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, 0x31000, image), ==, 15);
  g_assert_cmpuint (ipt_mock_provider_get_read_count (mock), ==, 4);
}

static void
test_cache_asid_keyed (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("cache-asid");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  IptAsid cr3_1 = { 0x1000, IPT_ASID_NO_VMCS };
  IptAsid cr3_2 = { 0x2000, IPT_ASID_NO_VMCS };
  struct pt_asid pt_1 = make_pt_asid (0x1000, pt_asid_no_vmcs);
  struct pt_asid pt_2 = make_pt_asid (0x2000, pt_asid_no_vmcs);
  guint8 byte;

  ipt_mock_provider_add_fill (mock, 0x40000, 0x1000, 0x01, &cr3_1);
  ipt_mock_provider_add_fill (mock, 0x40000, 0x1000, 0x02, &cr3_2);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (ipt_image_read_memory (&byte, 1, &pt_1, 0x40010 + i, image), ==, 1);
      g_assert_cmpuint (byte, ==, 0x01);
      g_assert_cmpint (ipt_image_read_memory (&byte, 1, &pt_2, 0x40010 + i, image), ==, 1);
      g_assert_cmpuint (byte, ==, 0x02);
    }
}

static void
test_cache_partial_page (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("cache-partial");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  guint8 buffer[16];

  ipt_mock_provider_add_fill (mock, 0x50100, 0x100, 0x05, NULL);
  ipt_mock_provider_add_fill (mock, 0x50300, 0x100, 0x06, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x501f8, image), ==, 8);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x50200, image), ==, -pte_nomap);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x500ff, image), ==, -pte_nomap);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x50300, image), ==, 16);
  g_assert_cmpuint (buffer[0], ==, 0x06);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x50100, image), ==, 16);
  g_assert_cmpuint (buffer[0], ==, 0x05);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x503f8, image), ==, 8);
  g_assert_cmpuint (buffer[7], ==, 0x06);
}

static void
test_cache_across_pages (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("cache-pages");
  g_autofree guint8 *bytes = NULL;
  g_autoptr(IptMockProvider) mock = mock_with_bytes (0x60000, 0x4000, 12, NULL, &bytes);
  guint8 buffer[64];

  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  for (guint64 ip = 0x60fc0; ip < 0x61010; ip++)
    {
      g_assert_cmpint (ipt_image_read_memory (buffer, 64, NULL, ip, image), ==, 64);
      g_assert_cmpmem (buffer, 64, bytes + (ip - 0x60000), 64);
    }
  /* two pages that share a cache slot */
  for (guint i = 0; i < 4; i++)
    {
      guint64 ip = i % 2 ? 0x60010 : 0x60010 + (guint64) IPT_PAGE_CACHE_ENTRIES * IPT_PAGE_CACHE_PAGE_SIZE;

      g_assert_cmpint (ipt_image_read_memory (buffer, 8, NULL, ip, image), ==, i % 2 ? 8 : -pte_nomap);
    }
}

static void
test_cache_two_images (void)
{
  g_autoptr(IptImage) one = ipt_image_new ("one");
  g_autoptr(IptImage) two = ipt_image_new ("two");
  g_autoptr(IptMockProvider) a = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) b = ipt_mock_provider_new (TRUE);
  guint8 byte;

  ipt_mock_provider_add_fill (a, 0x70000, 0x1000, 0xaa, NULL);
  ipt_mock_provider_add_fill (b, 0x70000, 0x1000, 0xbb, NULL);
  ipt_image_add_provider (one, IPT_MEMORY_PROVIDER (a));
  ipt_image_add_provider (two, IPT_MEMORY_PROVIDER (b));

  /* the per-thread cache is shared by all images: keyed by snapshot */
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x70000 + i, one), ==, 1);
      g_assert_cmpuint (byte, ==, 0xaa);
      g_assert_cmpint (ipt_image_read_memory (&byte, 1, NULL, 0x70000 + i, two), ==, 1);
      g_assert_cmpuint (byte, ==, 0xbb);
    }
}

/* The read-memory callback's hot path: hits, misses (page fills through
 * several providers and an unindexed one), the pt_image's own callback. */
static void
test_read_memory_does_not_allocate (void)
{
#ifdef COUNT_ALLOCATIONS
  g_autoptr(IptImage) image = ipt_image_new ("no-alloc");
  g_autoptr(IptMockProvider) a = mock_with_bytes (0x100000, 0x40000, 13, NULL, NULL);
  g_autoptr(IptMockProvider) b = mock_with_bytes (0x100800, 0x100, 14, NULL, NULL);
  g_autoptr(IptMockProvider) opaque = ipt_mock_provider_new (FALSE);
  struct pt_asid asid;
  guint8 buffer[16];
  guint64 before;

  ipt_mock_provider_add_fill (opaque, 0x200000, 0x100, 0x90, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (b));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (a));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (opaque));
  pt_asid_init (&asid);
  asid.cr3 = 0x1000;

  g_assert_cmpuint (n_allocations, >, 0);  /* the interposition works */

  /* the first read of a thread allocates its page cache */
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, &asid, 0x100000, image), ==, 15);

  before = n_allocations;
  for (guint64 ip = 0x100000; ip + 15 <= 0x140000; ip += 3)
    g_assert_cmpint (ipt_image_read_memory (buffer, 15, &asid, ip, image), ==, 15);
  for (guint64 ip = 0x13f000; ip > 0x100000; ip -= 0x1001)
    g_assert_cmpint (ipt_image_read_memory (buffer, 15, &asid, ip, image), ==, 15);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, &asid, 0x2000f8, image), ==, 8);
  g_assert_cmpint (ipt_image_read_memory (buffer, 15, &asid, 0x300000, image), ==, -pte_nomap);
  ipt_image_set_page_cache_enabled (image, FALSE);
  for (guint64 ip = 0x100000; ip + 15 <= 0x110000; ip += 5)
    g_assert_cmpint (ipt_image_read_memory (buffer, 15, &asid, ip, image), ==, 15);
  g_assert_cmpuint (n_allocations - before, ==, 0);
#else
  g_test_skip ("allocation counting needs glibc without sanitizers");
#endif
}

static void
test_mappings (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("mappings");
  g_autoptr(IptMockProvider) high = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) low = ipt_mock_provider_new (TRUE);
  g_autoptr(GPtrArray) mappings = NULL;
  IptAsid cr3 = { 0x7000, IPT_ASID_NO_VMCS };
  const IptMapping *m;
  g_autoptr(IptMapping) copy = NULL;

  ipt_mock_provider_add_fill (high, 0x1100, 0x100, 1, NULL);
  ipt_mock_provider_add_fill (high, 0x1800, 0x100, 1, &cr3);
  ipt_mock_provider_add_fill (low, 0x1000, 0x1000, 2, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (high));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (low));

  mappings = ipt_image_list_mappings (image);
  /* low [0x1000,0x1100), high, low [0x1200,0x2000) with high's cr3 range on top */
  g_assert_cmpuint (mappings->len, ==, 4);

  m = g_ptr_array_index (mappings, 0);
  g_assert_cmphex (m->region->address, ==, 0x1000);
  g_assert_cmphex (m->region->size, ==, 0x100);
  g_assert_true (m->provider == IPT_MEMORY_PROVIDER (low));
  g_assert_false (m->is_file_section);

  m = g_ptr_array_index (mappings, 1);
  g_assert_cmphex (m->region->address, ==, 0x1100);
  g_assert_cmphex (m->region->size, ==, 0x100);
  g_assert_true (m->provider == IPT_MEMORY_PROVIDER (high));

  /* the cr3-only region does not cut the lower "any" region: both listed */
  m = g_ptr_array_index (mappings, 2);
  g_assert_cmphex (m->region->address, ==, 0x1200);
  g_assert_cmphex (m->region->size, ==, 0xe00);
  g_assert_true (m->provider == IPT_MEMORY_PROVIDER (low));

  m = g_ptr_array_index (mappings, 3);
  g_assert_cmphex (m->region->address, ==, 0x1800);
  g_assert_cmphex (m->region->asid.cr3, ==, 0x7000);
  g_assert_true (m->provider == IPT_MEMORY_PROVIDER (high));

  copy = ipt_mapping_copy (m);
  g_assert_true (copy->provider == m->provider);
  g_assert_cmphex (copy->region->address, ==, 0x1800);
  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_MAPPING));
}

/* ---- read_bytes ------------------------------------------------------- */

/* A size far beyond the mapping allocates only what is read (it aborted
 * the process: GLib's allocation failure for 1 << 50). */
static void
test_read_bytes_huge_size (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("bytes");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) from_provider = NULL;
  gsize size = 0;
  const guint8 *data;

  ipt_mock_provider_add_fill (mock, 0x10000, 0x3000, 0x5a, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));

  bytes = ipt_image_read_bytes (image, ((gsize) 1 << 50), NULL, 0x10800, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, 0x2800);
  g_assert_cmpuint (data[0], ==, 0x5a);
  g_assert_cmpuint (data[size - 1], ==, 0x5a);

  from_provider = ipt_memory_provider_read_bytes (IPT_MEMORY_PROVIDER (mock), G_MAXSIZE, NULL,
                                                  0x10000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (from_provider), ==, 0x3000);
}

static gssize
read_endless (gpointer source, guint8 *buffer, gsize size, const IptAsid *asid,
              guint64 address, GError **error)
{
  return (gssize) size;         /* maps everything, touches nothing */
}

static void
test_read_bytes_no_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = ipt_read_bytes_with_limit (read_endless, NULL, ((gsize) 1 << 50), NULL,
                                     0x1000, 1 << 20, &error);
  g_assert_null (bytes);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NO_MEMORY);
  g_assert_nonnull (strstr (error->message, "0x1000"));
  g_assert_cmpint (ipt_error_to_pt_error_code (error), ==, -pte_nomem);
}

/* ---- retired snapshots ---------------------------------------------- */

/* 10,000 changes leave no replaced snapshot behind, and each provider
 * removed from the chain is released (it was kept until finalize). */
static void
test_retire_changes_stay_bounded (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("retire");
  g_autoptr(IptMockProvider) base = ipt_mock_provider_new (TRUE);
  guint8 byte = 0;

  ipt_mock_provider_add_fill (base, 0x1000, 0x1000, 0xaa, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (base));

  for (guint i = 0; i < 10000; i++)
    {
      IptMockProvider *extra = ipt_mock_provider_new (i % 2 == 0);

      ipt_mock_provider_add_fill (extra, 0x3000, 0x10, 0xbb, NULL);
      g_object_add_weak_pointer (G_OBJECT (extra), (gpointer *) &extra);
      ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (extra));
      g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x3000, NULL), ==, 1);
      g_assert_cmpuint (byte, ==, 0xbb);
      g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (extra)));
      g_object_unref (extra);
      g_assert_null (extra);          /* no snapshot holds it any more */
      g_assert_cmpuint (ipt_image_get_n_retired (image), ==, 0);
    }
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x3000, NULL), ==, 0);
}

/* A decode's snapshot outlives the change until the decode lets it go. */
static void
test_retire_held_snapshot (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("retire");
  g_autoptr(IptMockProvider) a = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) b = ipt_mock_provider_new (TRUE);
  static const IptAsid any = IPT_ASID_INIT_ANY;
  IptImageSnapshot *snap;
  guint8 byte = 0;

  ipt_mock_provider_add_fill (a, 0x1000, 0x10, 0xaa, NULL);
  ipt_mock_provider_add_fill (b, 0x1000, 0x10, 0xbb, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (a));

  snap = ipt_image_acquire_snapshot (image);
  g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (a)));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (b));
  g_assert_cmpuint (ipt_image_get_n_retired (image), ==, 1);

  g_assert_cmpint (ipt_image_view_read (ipt_image_snapshot_get_view (snap, IPT_TIME_END), &byte, 1, &any, 0x1000, TRUE, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0xaa);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x1000, NULL), ==, 1);
  g_assert_cmpuint (byte, ==, 0xbb);

  ipt_image_release_snapshot (image, snap);
  g_assert_cmpuint (ipt_image_get_n_retired (image), ==, 0);
}

/* A pt_image handed out (get or dup) keeps its snapshot until finalize. */
static void
test_retire_pinned_by_pt_image (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("retire");
  g_autoptr(IptMockProvider) a = ipt_mock_provider_new (TRUE);
  struct pt_image *pinned, *dup;

  ipt_mock_provider_add_fill (a, 0x1000, 0x10, 0xaa, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (a));
  pinned = ipt_image_get_pt_image (image);
  g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (a)));
  dup = ipt_image_dup_pt_image (image);
  for (guint i = 0; i < 100; i++)
    ipt_image_set_callback (image, NULL, NULL);
  g_assert_cmpuint (ipt_image_get_n_retired (image), ==, 2);
  g_assert_true (ipt_image_get_pt_image (image) != pinned);
  pt_image_free (dup);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image/new/name", test_new_name);
  g_test_add_func ("/image/providers/list-model", test_providers_model);
  g_test_add_func ("/image/read/empty-is-unmapped", test_read_empty);
  g_test_add_func ("/image/read/priority", test_read_priority);
  g_test_add_func ("/image/read/priority-by-order-of-addition", test_read_priority_order_of_addition);
  g_test_add_func ("/image/read/stitch-across-providers", test_read_stitch_providers);
  g_test_add_func ("/image/read/stitch-across-regions", test_read_stitch_regions);
  g_test_add_func ("/image/read/stops-at-first-unmapped-byte", test_read_stops_at_unmapped);
  g_test_add_func ("/image/read/short-provider-reads", test_read_short_provider_reads);
  g_test_add_func ("/image/read/size-zero", test_read_size_zero);
  g_test_add_func ("/image/read/end-of-address-space", test_read_end_of_address_space);
  g_test_add_func ("/image/read/asid/cr3", test_read_asid_cr3);
  g_test_add_func ("/image/read/asid/vmcs", test_read_asid_vmcs);
  g_test_add_func ("/image/read/asid/pt-asid-size", test_read_asid_pt_size);
  g_test_add_func ("/image/read/provider-error", test_read_provider_error);
  g_test_add_func ("/image/read/provider-error-without-gerror", test_read_provider_error_without_gerror);
  g_test_add_func ("/image/read/unindexed-providers", test_read_unindexed);
  g_test_add_func ("/image/read-memory/invalid-arguments", test_read_memory_invalid);
  g_test_add_func ("/image/read-memory/never-more-than-size", test_read_memory_bounds);
  g_test_add_func ("/image/callback/last-link", test_callback_last_link);
  g_test_add_func ("/image/cache/invalidated-when-providers-change", test_cache_sees_added_provider);
  g_test_add_func ("/image/cache/hits", test_cache_hits);
  g_test_add_func ("/image/cache/keyed-by-asid", test_cache_asid_keyed);
  g_test_add_func ("/image/cache/partial-page", test_cache_partial_page);
  g_test_add_func ("/image/cache/across-pages", test_cache_across_pages);
  g_test_add_func ("/image/cache/two-images", test_cache_two_images);
  g_test_add_func ("/image/read-memory/does-not-allocate", test_read_memory_does_not_allocate);
  g_test_add_func ("/image/mappings/resolved", test_mappings);
  g_test_add_func ("/image/read-bytes/huge-size-allocates-what-is-read", test_read_bytes_huge_size);
  g_test_add_func ("/image/read-bytes/too-large-is-an-error", test_read_bytes_no_memory);
  g_test_add_func ("/image/retire/changes-stay-bounded", test_retire_changes_stay_bounded);
  g_test_add_func ("/image/retire/held-by-a-decode", test_retire_held_snapshot);
  g_test_add_func ("/image/retire/pinned-by-a-pt-image", test_retire_pinned_by_pt_image);

  return g_test_run ();
}
