/* ipt-mapping.c: IptMapping, one range of an image's resolved address map
 * as ipt_image_list_mappings() hands it out (a boxed copy; the index it
 * comes from is in ipt-image-index.c). */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

G_DEFINE_BOXED_TYPE (IptMapping, ipt_mapping, ipt_mapping_copy, ipt_mapping_free)

/**
 * ipt_mapping_copy:
 * @mapping: an #IptMapping
 *
 * Copies @mapping, for bindings and for keeping an entry of
 * ipt_image_list_mappings() beyond its array.
 *
 * Returns: (transfer full): a deep copy of @mapping, holding its own
 *   reference on the provider
 *
 * Since: 0.1
 */
IptMapping *
ipt_mapping_copy (const IptMapping *mapping)
{
  IptMapping *copy;

  g_return_val_if_fail (mapping != NULL, NULL);

  copy = g_new0 (IptMapping, 1);
  copy->region = mapping->region != NULL ? ipt_region_copy (mapping->region) : NULL;
  copy->provider = mapping->provider != NULL ? g_object_ref (mapping->provider) : NULL;
  copy->is_file_section = mapping->is_file_section;
  return copy;
}

/**
 * ipt_mapping_free:
 * @mapping: (nullable): an #IptMapping
 *
 * Frees @mapping, its region and its reference on the provider.
 *
 * Since: 0.1
 */
void
ipt_mapping_free (IptMapping *mapping)
{
  if (mapping == NULL)
    return;
  ipt_region_free (mapping->region);
  g_clear_object (&mapping->provider);
  g_free (mapping);
}
