/* ipt-image-spaces.c: the address spaces a trace uses, told to an image
 * so that providers that serve address spaces on demand (list_regions_in:
 * a QEMU snapshot of a whole machine) index them too — see
 * docs/image-internals.md, "Address spaces a trace uses".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "ipt-image-snapshot-private.h"
#include "ipt-trace-asids-private.h"

/* Called with self->lock held. */
static gboolean
any_provider_lists_regions_in (IptImage *self)
{
  for (guint i = 0; i < self->providers->len; i++)
    if (IPT_MEMORY_PROVIDER_GET_IFACE (g_ptr_array_index (self->providers, i))->list_regions_in
        != NULL)
      return TRUE;
  return FALSE;
}

/**
 * ipt_image_serves_address_spaces:
 * @self: an #IptImage
 *
 * Whether telling @self the address spaces of a trace
 * (ipt_image_add_address_spaces()) can change what it serves: some
 * provider of its chain implements list_regions_in. #IptDecoder asks
 * before it scans a trace for them.
 *
 * Returns: %TRUE when a provider lists regions per address space
 *
 * Since: 0.1
 */
gboolean
ipt_image_serves_address_spaces (IptImage *self)
{
  gboolean any;

  g_return_val_if_fail (IPT_IS_IMAGE (self), FALSE);

  g_mutex_lock (&self->lock);
  any = any_provider_lists_regions_in (self);
  g_mutex_unlock (&self->lock);
  return any;
}

/**
 * ipt_image_add_address_spaces:
 * @self: an #IptImage
 * @asids: (array length=n_asids): address spaces a trace uses (the CR3s
 *   of its PIP packets)
 * @n_asids: their number
 *
 * Tells @self which address spaces a trace runs in, so that providers that
 * can serve address spaces they do not know in advance (list_regions_in:
 * the qemu plugin's snapshot of a whole machine) index their memory in
 * them too: code there becomes libipt file sections, with libipt's block
 * cache, instead of being read through the callback. The address spaces
 * are kept (each once) and asked for again whenever the chain changes;
 * adding a new one rebuilds the index like a change of the chain. Decodes
 * that run and pt_images handed out before keep their memory.
 *
 * #IptDecoder calls it with the CR3s of a trace's PIP packets before it
 * decodes, when ipt_image_serves_address_spaces() says it matters.
 *
 * Returns: the number of address spaces that were new to @self
 *
 * Since: 0.1
 */
guint
ipt_image_add_address_spaces (IptImage *self, const IptAsid *asids, guint n_asids)
{
  guint added = 0;

  g_return_val_if_fail (IPT_IS_IMAGE (self), 0);
  g_return_val_if_fail (asids != NULL || n_asids == 0, 0);

  g_rec_mutex_lock (&self->write_lock);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_asids; i++)
    {
      gboolean known = FALSE;

      for (guint k = 0; k < self->address_spaces->len && !known; k++)
        {
          const IptAsid *a = &g_array_index (self->address_spaces, IptAsid, k);

          known = a->cr3 == asids[i].cr3 && a->vmcs == asids[i].vmcs;
        }
      if (!known)
        {
          g_array_append_val (self->address_spaces, asids[i]);
          added++;
        }
    }
  if (added > 0 && any_provider_lists_regions_in (self))
    ipt_image_publish (self);
  g_mutex_unlock (&self->lock);
  g_rec_mutex_unlock (&self->write_lock);
  return added;
}

/**
 * ipt_image_add_trace_address_spaces:
 * @self: an #IptImage
 * @trace: (array length=size): a raw Intel PT packet stream
 * @size: its size in bytes
 *
 * Scans @trace's packets (no decode, no memory needed) for the CR3s of
 * its PIP packets, at most 64, and adds them with
 * ipt_image_add_address_spaces(). For users of ipt_image_get_pt_image()
 * and libipt's decoders; #IptDecoder does it by itself.
 *
 * Returns: the number of address spaces that were new to @self
 *
 * Since: 0.1
 */
guint
ipt_image_add_trace_address_spaces (IptImage *self, const guint8 *trace, gsize size)
{
  g_autoptr(GArray) asids = NULL;

  g_return_val_if_fail (IPT_IS_IMAGE (self), 0);
  g_return_val_if_fail (trace != NULL || size == 0, 0);

  asids = ipt_trace_scan_address_spaces (trace, size, IPT_TRACE_MAX_ADDRESS_SPACES, NULL);
  return ipt_image_add_address_spaces (self, (const IptAsid *) (gpointer) asids->data, asids->len);
}
