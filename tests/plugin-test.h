/* plugin-test.h: helpers for the tests of one built provider plugin
 * (test-plugin-raw, test-plugin-pagedump): open it from the build tree the
 * way the registry does, and check the errors it reports. Every failure is a
 * test assertion or g_error(). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

const IptPluginInfo *plugin_test_load (const char *name);
void plugin_test_assert_error_names (const GError *error, int code, const char *plugin,
                                     const char *file, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
