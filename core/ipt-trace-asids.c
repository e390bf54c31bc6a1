/* ipt-trace-asids.c: the CR3s of a trace's PIP packets, with libipt's
 * packet decoder (see ipt-trace-asids-private.h). A pass over packets only:
 * much cheaper than a decode, so a decoder can learn a trace's address
 * spaces before it starts. */
#include "config.h"

#include "ipt-trace-asids-private.h"

#include <intel-pt.h>

GArray *
ipt_trace_scan_address_spaces (const guint8 *data, gsize size, guint max, gboolean *truncated)
{
  GArray *asids = g_array_new (FALSE, FALSE, sizeof (IptAsid));
  struct pt_packet_decoder *decoder;
  struct pt_config config;
  gboolean more = FALSE;
  uint64_t last_sync = UINT64_MAX;

  pt_config_init (&config);
  config.begin = (uint8_t *) data;
  config.end = (uint8_t *) data + size;
  decoder = pt_pkt_alloc_decoder (&config);
  if (decoder == NULL)
    goto out;

  while (pt_pkt_sync_forward (decoder) >= 0)
    {
      struct pt_packet packet;
      uint64_t offset = 0;
      int status;

      /* never the same PSB twice: an error right at it ends the scan */
      if (pt_pkt_get_sync_offset (decoder, &offset) < 0 || offset == last_sync)
        break;
      last_sync = offset;

      while ((status = pt_pkt_next (decoder, &packet, sizeof (packet))) >= 0)
        {
          gboolean known = FALSE;

          if (packet.type != ppt_pip)
            continue;
          for (guint i = 0; i < asids->len && !known; i++)
            known = g_array_index (asids, IptAsid, i).cr3 == packet.payload.pip.cr3;
          if (known)
            continue;
          if (asids->len == max)
            {
              more = TRUE;
              continue;
            }
          g_array_append_val (asids, ((IptAsid) { packet.payload.pip.cr3, IPT_ASID_NO_VMCS }));
        }
      if (status == -pte_eos)
        break;
      /* anything else: on to the next PSB, as a decode resynchronizes */
    }
  pt_pkt_free_decoder (decoder);

out:
  if (truncated != NULL)
    *truncated = more;
  return asids;
}
