/* ipt-asid.c: the IptAsid boxed type and libipt's matching rule. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-asid-private.h"

G_DEFINE_BOXED_TYPE (IptAsid, ipt_asid, ipt_asid_copy, ipt_asid_free)

/**
 * ipt_asid_new:
 * @cr3: a CR3 value or %IPT_ASID_NO_CR3
 * @vmcs: a VMCS base or %IPT_ASID_NO_VMCS
 *
 * Allocates an address-space identifier, for bindings; C code usually
 * keeps an #IptAsid on the stack (%IPT_ASID_INIT_ANY).
 *
 * Returns: (transfer full): a new #IptAsid; free with ipt_asid_free()
 *
 * Since: 0.1
 */
IptAsid *
ipt_asid_new (guint64 cr3, guint64 vmcs)
{
  IptAsid *asid = g_new (IptAsid, 1);

  asid->cr3 = cr3;
  asid->vmcs = vmcs;
  return asid;
}

/**
 * ipt_asid_copy:
 * @asid: an #IptAsid
 *
 * Copies @asid.
 *
 * Returns: (transfer full): a copy of @asid
 *
 * Since: 0.1
 */
IptAsid *
ipt_asid_copy (const IptAsid *asid)
{
  g_return_val_if_fail (asid != NULL, NULL);

  return g_memdup2 (asid, sizeof *asid);
}

/**
 * ipt_asid_free:
 * @asid: (nullable): an #IptAsid
 *
 * Frees @asid.
 *
 * Since: 0.1
 */
void
ipt_asid_free (IptAsid *asid)
{
  g_free (asid);
}

/**
 * ipt_asid_match:
 * @a: (nullable): an address space, %NULL for "any"
 * @b: (nullable): an address space, %NULL for "any"
 *
 * Tells whether @a and @b may name the same address space, by libipt's rule:
 * a field that is "no" (%IPT_ASID_NO_CR3, %IPT_ASID_NO_VMCS) on either side,
 * or a %NULL asid, matches anything.
 *
 * Returns: %TRUE when the two match
 *
 * Since: 0.1
 */
gboolean
ipt_asid_match (const IptAsid *a, const IptAsid *b)
{
  if (a == NULL || b == NULL)
    return TRUE;

  return ipt_asid_fields_match (a, b);
}
