/* ipt-analyze-perf.c: what --perf adds to a decode (see ipt-analyze-perf.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-analyze-perf.h"

gboolean
ipt_analyze_perf_configure (IptDecoder *decoder, IptPerfData *perf, gboolean keep_tsc_conversion,
                            gboolean keep_cpu, GError **error)
{
  const IptPerfPtInfo *info = ipt_perf_data_get_pt_info (perf);
  g_autofree char *spec = NULL;

  if (info != NULL && !keep_tsc_conversion && info->cap_user_time_zero)
    ipt_decoder_set_tsc_conversion (decoder, info->time_zero, (guint32) info->time_mult,
                                    (guint) info->time_shift);
  if (!keep_cpu && (spec = ipt_perf_data_get_cpu_spec (perf)) != NULL &&
      !ipt_decoder_set_cpu (decoder, spec, error))
    return FALSE;
  return TRUE;
}
