/* ipt-asid-private.h: libipt's asid matching rule, inline for the read path
 * (ipt_asid_match() is its public, NULL-tolerant wrapper), and the one
 * conversion between libipt's struct pt_asid and IptAsid. */
#pragma once

#include <stddef.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* A field that is "no" on either side matches anything (libipt's rule). */
static inline gboolean
ipt_asid_fields_match (const IptAsid *a, const IptAsid *b)
{
  return (a->cr3 == IPT_ASID_NO_CR3 || b->cr3 == IPT_ASID_NO_CR3 || a->cr3 == b->cr3) &&
         (a->vmcs == IPT_ASID_NO_VMCS || b->vmcs == IPT_ASID_NO_VMCS || a->vmcs == b->vmcs);
}

static inline gboolean
ipt_asid_fields_equal (const IptAsid *a, const IptAsid *b)
{
  return a->cr3 == b->cr3 && a->vmcs == b->vmcs;
}

/* Reads @asid as far as its size field says it goes (libipt's rule for
 * struct pt_asid); a missing field, or a NULL @asid, is "any". */
static inline void
ipt_asid_from_pt (IptAsid *out, const struct pt_asid *asid)
{
  out->cr3 = IPT_ASID_NO_CR3;
  out->vmcs = IPT_ASID_NO_VMCS;
  if (asid == NULL)
    return;
  if (asid->size >= offsetof (struct pt_asid, cr3) + sizeof asid->cr3)
    out->cr3 = asid->cr3;
  if (asid->size >= offsetof (struct pt_asid, vmcs) + sizeof asid->vmcs)
    out->vmcs = asid->vmcs;
}

static inline void
ipt_asid_to_pt (struct pt_asid *out, const IptAsid *asid)
{
  pt_asid_init (out);
  out->cr3 = asid->cr3;
  out->vmcs = asid->vmcs;
}

G_END_DECLS
