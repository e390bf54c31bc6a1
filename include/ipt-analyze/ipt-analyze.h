/* ipt-analyze.h: the umbrella header of libipt-analyze-1. Include only this one. */
#pragma once

#define __IPT_ANALYZE_H_INSIDE__

#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-version.h>
#include <ipt-analyze/ipt-error.h>
#include <ipt-analyze/ipt-asid.h>
#include <ipt-analyze/ipt-region.h>
#include <ipt-analyze/ipt-memory-provider.h>
#include <ipt-analyze/ipt-symbol-source.h>
#include <ipt-analyze/ipt-image.h>
#include <ipt-analyze/ipt-plugin.h>
#include <ipt-analyze/ipt-plugin-registry.h>
#include <ipt-analyze/ipt-enum-types.h>
#include <ipt-analyze/ipt-sink.h>
#include <ipt-analyze/ipt-decoder.h>
#include <ipt-analyze/ipt-statistics.h>
#include <ipt-analyze/ipt-coverage.h>
#include <ipt-analyze/ipt-afl-decoder.h>
#include <ipt-analyze/ipt-calls.h>
#include <ipt-analyze/ipt-perf-data.h>
#include <ipt-analyze/ipt-listing-model.h>

#undef __IPT_ANALYZE_H_INSIDE__
