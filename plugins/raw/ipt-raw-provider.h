/* ipt-raw-provider.h: the memory provider of the raw plugin (a file, or part of one, at an address). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_RAW_PROVIDER (ipt_raw_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptRawProvider, ipt_raw_provider, IPT, RAW_PROVIDER, GObject)

/**
 * IPT_RAW_PROVIDER_BASE_UNSET:
 *
 * The default of #IptRawProvider:base, meaning "not given". No mapping can
 * start there (it would end past 2^64), so it never hides a real value.
 */
#define IPT_RAW_PROVIDER_BASE_UNSET G_MAXUINT64

G_END_DECLS
