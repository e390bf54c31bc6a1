/* test-image-support.h: images the tests build from real memory files
 * through the real plugins. Every failure is a test assertion.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

IptImage *test_pagedump_image (const char *dir, const char *name);

G_END_DECLS
