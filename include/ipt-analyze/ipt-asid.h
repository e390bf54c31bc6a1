/* ipt-asid.h: address-space identifiers, the same notion and matching rule as libipt's struct pt_asid. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <glib-object.h>
#include <ipt-analyze/ipt-macros.h>

G_BEGIN_DECLS

/**
 * IPT_ASID_NO_CR3:
 *
 * The "no CR3" value of #IptAsid.cr3, equal to libipt's `pt_asid_no_cr3`:
 * the address space is not restricted to one CR3.
 *
 * Since: 0.1
 */
#define IPT_ASID_NO_CR3 (G_GUINT64_CONSTANT (0xffffffffffffffff))

/**
 * IPT_ASID_NO_VMCS:
 *
 * The "no VMCS" value of #IptAsid.vmcs, equal to libipt's `pt_asid_no_vmcs`.
 *
 * Since: 0.1
 */
#define IPT_ASID_NO_VMCS (G_GUINT64_CONSTANT (0xffffffffffffffff))

/**
 * IptAsid:
 * @cr3: the CR3 value (page-table base) or %IPT_ASID_NO_CR3
 * @vmcs: the VMCS base address or %IPT_ASID_NO_VMCS
 *
 * An address-space identifier. A field that is "no" on either side of a
 * comparison matches anything (libipt's rule).
 *
 * Since: 0.1
 */
typedef struct {
  guint64 cr3;
  guint64 vmcs;
} IptAsid;

/**
 * IPT_ASID_INIT_ANY:
 *
 * An initializer for an #IptAsid that matches every address space.
 *
 * Since: 0.1
 */
#define IPT_ASID_INIT_ANY { IPT_ASID_NO_CR3, IPT_ASID_NO_VMCS }

#define IPT_TYPE_ASID (ipt_asid_get_type ())

IPT_AVAILABLE_IN_ALL
GType ipt_asid_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptAsid *ipt_asid_new (guint64 cr3, guint64 vmcs);
IPT_AVAILABLE_IN_ALL
IptAsid *ipt_asid_copy (const IptAsid *asid);
IPT_AVAILABLE_IN_ALL
void ipt_asid_free (IptAsid *asid);
IPT_AVAILABLE_IN_ALL
gboolean ipt_asid_match (const IptAsid *a, const IptAsid *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptAsid, ipt_asid_free)

G_END_DECLS
