/* ipt-jitmap-provider.h: the memory provider and symbol source of the jitmap
 * plugin (perf jitdumps and perf maps). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_JITMAP_PROVIDER (ipt_jitmap_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptJitmapProvider, ipt_jitmap_provider, IPT, JITMAP_PROVIDER, GObject)

G_END_DECLS
