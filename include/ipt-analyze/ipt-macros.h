/* ipt-macros.h: export macro shared by every public header. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <glib.h>

/* Symbols are hidden by default; this marks the ones that form the ABI. */
#if defined(IPT_ANALYZE_COMPILATION) && defined(__GNUC__)
#define IPT_AVAILABLE_IN_ALL __attribute__ ((visibility ("default"))) extern
#else
#define IPT_AVAILABLE_IN_ALL extern
#endif
