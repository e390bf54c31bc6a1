/* test-asid.c: IptAsid values and libipt's matching rule. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

static void
test_asid_no_values_equal_libipt (void)
{
  struct pt_asid pt;

  pt_asid_init (&pt);
  g_assert_cmphex (IPT_ASID_NO_CR3, ==, pt.cr3);
  g_assert_cmphex (IPT_ASID_NO_VMCS, ==, pt.vmcs);
  g_assert_cmphex (IPT_ASID_NO_CR3, ==, pt_asid_no_cr3);
  g_assert_cmphex (IPT_ASID_NO_VMCS, ==, pt_asid_no_vmcs);
}

static void
test_asid_match_rule (void)
{
  const IptAsid any = IPT_ASID_INIT_ANY;
  const IptAsid cr3_1 = { 0x1000, IPT_ASID_NO_VMCS };
  const IptAsid cr3_2 = { 0x2000, IPT_ASID_NO_VMCS };
  const IptAsid vmcs_a = { IPT_ASID_NO_CR3, 0xa000 };
  const IptAsid cr3_1_vmcs_a = { 0x1000, 0xa000 };
  const IptAsid cr3_1_vmcs_b = { 0x1000, 0xb000 };

  g_assert_true (ipt_asid_match (NULL, NULL));
  g_assert_true (ipt_asid_match (NULL, &cr3_1));
  g_assert_true (ipt_asid_match (&cr3_1, NULL));
  g_assert_true (ipt_asid_match (&any, &cr3_1));
  g_assert_true (ipt_asid_match (&cr3_1, &any));
  g_assert_true (ipt_asid_match (&cr3_1, &cr3_1));
  g_assert_false (ipt_asid_match (&cr3_1, &cr3_2));
  g_assert_true (ipt_asid_match (&vmcs_a, &cr3_1));
  g_assert_true (ipt_asid_match (&cr3_1_vmcs_a, &vmcs_a));
  g_assert_true (ipt_asid_match (&cr3_1_vmcs_a, &cr3_1));
  g_assert_false (ipt_asid_match (&cr3_1_vmcs_a, &cr3_1_vmcs_b));
  g_assert_false (ipt_asid_match (&cr3_1_vmcs_b, &cr3_1_vmcs_a));
}

static void
test_asid_boxed (void)
{
  g_autoptr (IptAsid) asid = ipt_asid_new (0x1234, 0x5678);
  g_autoptr (IptAsid) copy = NULL;
  GValue value = G_VALUE_INIT;

  copy = ipt_asid_copy (asid);
  g_assert_true (copy != asid);
  g_assert_cmphex (copy->cr3, ==, 0x1234);
  g_assert_cmphex (copy->vmcs, ==, 0x5678);

  g_assert_true (G_TYPE_IS_BOXED (IPT_TYPE_ASID));
  g_value_init (&value, IPT_TYPE_ASID);
  g_value_set_boxed (&value, asid);
  g_assert_cmphex (((IptAsid *) g_value_get_boxed (&value))->cr3, ==, 0x1234);
  g_assert_true (g_value_get_boxed (&value) != asid);
  g_value_unset (&value);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/asid/no-values-equal-libipt", test_asid_no_values_equal_libipt);
  g_test_add_func ("/asid/match/libipt-rule", test_asid_match_rule);
  g_test_add_func ("/asid/boxed/copy-and-gvalue", test_asid_boxed);

  return g_test_run ();
}
