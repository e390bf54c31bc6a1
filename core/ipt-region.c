/* ipt-region.c: the IptRegion boxed type. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

G_DEFINE_BOXED_TYPE (IptRegion, ipt_region, ipt_region_copy, ipt_region_free)

/**
 * ipt_region_new:
 * @address: first address of the range
 * @size: size of the range in bytes
 * @asid: (nullable): the address space; %NULL for every address space
 * @permissions: access permissions
 * @filename: (type filename) (nullable): the file holding the bytes, or %NULL
 * @file_offset: offset in @filename of the byte at @address (ignored without @filename)
 *
 * Allocates a region, as a provider's list_regions method returns them.
 * @filename is copied.
 *
 * Returns: (transfer full): a new #IptRegion; free with ipt_region_free()
 *
 * Since: 0.1
 */
IptRegion *
ipt_region_new (guint64 address, guint64 size, const IptAsid *asid,
                IptPermissions permissions, const char *filename, guint64 file_offset)
{
  IptRegion *region = g_new0 (IptRegion, 1);

  region->address = address;
  region->size = size;
  region->asid.cr3 = asid != NULL ? asid->cr3 : IPT_ASID_NO_CR3;
  region->asid.vmcs = asid != NULL ? asid->vmcs : IPT_ASID_NO_VMCS;
  region->permissions = permissions;
  region->filename = g_strdup (filename);
  region->file_offset = filename != NULL ? file_offset : 0;
  region->valid_from = 0;
  region->valid_to = IPT_TIME_END;
  return region;
}

/**
 * ipt_region_copy:
 * @region: an #IptRegion
 *
 * Copies @region, its file name included.
 *
 * Returns: (transfer full): a deep copy of @region
 *
 * Since: 0.1
 */
IptRegion *
ipt_region_copy (const IptRegion *region)
{
  g_return_val_if_fail (region != NULL, NULL);

  IptRegion *copy = ipt_region_new (region->address, region->size, &region->asid,
                                    region->permissions, region->filename, region->file_offset);

  copy->valid_from = region->valid_from;
  copy->valid_to = region->valid_to;
  return copy;
}

/**
 * ipt_region_free:
 * @region: (nullable): an #IptRegion
 *
 * Frees @region and its file name.
 *
 * Since: 0.1
 */
void
ipt_region_free (IptRegion *region)
{
  if (region == NULL)
    return;
  g_free (region->filename);
  g_free (region);
}

/**
 * ipt_region_contains:
 * @region: an #IptRegion
 * @address: an address
 *
 * Tells whether @region covers @address; the address space is not compared
 * (see ipt_asid_match()).
 *
 * Returns: %TRUE when @address lies in [@region->address, @region->address + @region->size)
 *
 * Since: 0.1
 */
gboolean
ipt_region_contains (const IptRegion *region, guint64 address)
{
  g_return_val_if_fail (region != NULL, FALSE);

  return address >= region->address && address - region->address < region->size;
}

/**
 * ipt_region_set_validity:
 * @region: a region
 * @valid_from: the first time at which @region holds its bytes (0 = always)
 * @valid_to: the time from which it no longer does, exclusive
 *   (%IPT_TIME_END = never ends); greater than @valid_from
 *
 * Gives @region a validity interval [@valid_from, @valid_to) in
 * nanoseconds of CLOCK_MONOTONIC.
 *
 * Since: 0.1
 */
void
ipt_region_set_validity (IptRegion *region, guint64 valid_from, guint64 valid_to)
{
  g_return_if_fail (region != NULL);
  g_return_if_fail (valid_from < valid_to);

  region->valid_from = valid_from;
  region->valid_to = valid_to;
}

/**
 * ipt_region_is_valid_at:
 * @region: a region
 * @time: a time in nanoseconds of CLOCK_MONOTONIC, or %IPT_TIME_END
 *
 * Whether @region holds its bytes at @time: @valid_from <= @time < @valid_to,
 * where a @valid_to of %IPT_TIME_END includes %IPT_TIME_END itself.
 *
 * Returns: %TRUE when @region is valid at @time
 *
 * Since: 0.1
 */
gboolean
ipt_region_is_valid_at (const IptRegion *region, guint64 time)
{
  g_return_val_if_fail (region != NULL, FALSE);

  return region->valid_from <= time && (time < region->valid_to || region->valid_to == IPT_TIME_END);
}

/**
 * ipt_region_is_timeless:
 * @region: a region
 *
 * Whether @region is valid always (it has no validity interval).
 *
 * Returns: %TRUE when @region is valid at every time
 *
 * Since: 0.1
 */
gboolean
ipt_region_is_timeless (const IptRegion *region)
{
  g_return_val_if_fail (region != NULL, FALSE);

  return region->valid_from == 0 && region->valid_to == IPT_TIME_END;
}
