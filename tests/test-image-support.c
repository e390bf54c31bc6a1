/* test-image-support.c: see test-image-support.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-image-support.h"

/* A new image named @name of the page dump @dir/pages.{addr,dump} (the
 * corpus's and ipt-record's layout), through the pagedump plugin found on
 * the default plugin path. */
IptImage *
test_pagedump_image (const char *dir, const char *name)
{
  g_autofree char *addr = g_build_filename (dir, "pages.addr", NULL);
  g_autofree char *dump = g_build_filename (dir, "pages.dump", NULL);
  g_autofree char *spec = g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  IptImage *image = ipt_image_new (name);

  ipt_plugin_registry_scan_default_path (registry);
  provider = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  ipt_image_add_provider (image, provider);
  return image;
}
