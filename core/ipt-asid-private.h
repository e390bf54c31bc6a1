/* ipt-asid-private.h: libipt's asid matching rule, inline for the read path.
 * ipt_asid_match() is its public, NULL-tolerant wrapper. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* A field that is "no" on either side matches anything (libipt's rule). */
static inline gboolean
ipt_asid_fields_match (const IptAsid *a, const IptAsid *b)
{
  return (a->cr3 == IPT_ASID_NO_CR3 || b->cr3 == IPT_ASID_NO_CR3 || a->cr3 == b->cr3) &&
         (a->vmcs == IPT_ASID_NO_VMCS || b->vmcs == IPT_ASID_NO_VMCS || a->vmcs == b->vmcs);
}

G_END_DECLS
