/* test-region.c: the IptRegion boxed type. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

static void
test_region_new_defaults (void)
{
  g_autoptr (IptRegion) region = ipt_region_new (0x400000, 0x1000, NULL,
                                                 IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE,
                                                 NULL, 0x1234);

  g_assert_cmphex (region->address, ==, 0x400000);
  g_assert_cmphex (region->size, ==, 0x1000);
  g_assert_cmphex (region->asid.cr3, ==, IPT_ASID_NO_CR3);
  g_assert_cmphex (region->asid.vmcs, ==, IPT_ASID_NO_VMCS);
  g_assert_cmpint (region->permissions, ==, IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
  g_assert_null (region->filename);
  /* without a file, an offset means nothing and is not kept */
  g_assert_cmphex (region->file_offset, ==, 0);
}

static void
test_region_copy_is_deep (void)
{
  const IptAsid asid = { 0xabc000, IPT_ASID_NO_VMCS };
  g_autoptr (IptRegion) region = ipt_region_new (0x1000, 0x2000, &asid, IPT_PERMISSIONS_READ,
                                                 "/tmp/file.bin", 0x3000);
  g_autoptr (IptRegion) copy = ipt_region_copy (region);

  g_assert_true (copy->filename != region->filename);
  g_assert_cmpstr (copy->filename, ==, "/tmp/file.bin");
  g_assert_cmphex (copy->file_offset, ==, 0x3000);
  g_assert_cmphex (copy->asid.cr3, ==, 0xabc000);
  g_assert_cmphex (copy->address, ==, 0x1000);
  g_assert_cmphex (copy->size, ==, 0x2000);
}

static void
test_region_contains_bounds (void)
{
  g_autoptr (IptRegion) region = ipt_region_new (0x1000, 0x10, NULL, IPT_PERMISSIONS_READ, NULL, 0);
  g_autoptr (IptRegion) top = ipt_region_new (G_MAXUINT64 - 0xf, 0x10, NULL, IPT_PERMISSIONS_READ, NULL, 0);

  g_assert_false (ipt_region_contains (region, 0xfff));
  g_assert_true (ipt_region_contains (region, 0x1000));
  g_assert_true (ipt_region_contains (region, 0x100f));
  g_assert_false (ipt_region_contains (region, 0x1010));
  /* no overflow at the top of the address space */
  g_assert_true (ipt_region_contains (top, G_MAXUINT64));
  g_assert_false (ipt_region_contains (top, G_MAXUINT64 - 0x10));
}

static void
test_region_permissions_flags_type (void)
{
  g_autoptr (GFlagsClass) klass = g_type_class_ref (IPT_TYPE_PERMISSIONS);
  GFlagsValue *value = g_flags_get_value_by_nick (klass, "execute");

  g_assert_nonnull (value);
  g_assert_cmpint (value->value, ==, IPT_PERMISSIONS_EXECUTE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/region/new/defaults", test_region_new_defaults);
  g_test_add_func ("/region/copy/deep", test_region_copy_is_deep);
  g_test_add_func ("/region/contains/bounds", test_region_contains_bounds);
  g_test_add_func ("/region/permissions/flags-type", test_region_permissions_flags_type);

  return g_test_run ();
}
