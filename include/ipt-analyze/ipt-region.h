/* ipt-region.h: a range of the traced address space that one provider maps. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <glib-object.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-asid.h>

G_BEGIN_DECLS

/**
 * IptPermissions:
 * @IPT_PERMISSIONS_NONE: no access
 * @IPT_PERMISSIONS_READ: readable
 * @IPT_PERMISSIONS_WRITE: writable
 * @IPT_PERMISSIONS_EXECUTE: executable
 *
 * Access permissions of a mapped region, as far as the provider knows them.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  IPT_PERMISSIONS_NONE = 0,
  IPT_PERMISSIONS_READ = 1 << 0,
  IPT_PERMISSIONS_WRITE = 1 << 1,
  IPT_PERMISSIONS_EXECUTE = 1 << 2,
} IptPermissions;

/**
 * IptRegion:
 * @address: first virtual address of the range
 * @size: number of bytes in the range (> 0)
 * @asid: the address space the range belongs to (all-"no" = every address space)
 * @permissions: access permissions
 * @filename: (type filename) (nullable): the file that holds the bytes of the range, or %NULL when
 *   the bytes do not live in a file (or not one that libipt can map as is)
 * @file_offset: offset in @filename of the byte at @address
 *
 * A range of the traced address space that a provider maps. Where @filename
 * is set, the bytes at [@address, @address + @size) are exactly the bytes at
 * [@file_offset, @file_offset + @size) of that file, and the image hands the
 * range to libipt as a file section (fast path). Allocate with
 * ipt_region_new(); fields may be appended in later versions.
 *
 * Since: 0.1
 */
typedef struct {
  guint64 address;
  guint64 size;
  IptAsid asid;
  IptPermissions permissions;
  gchar *filename;
  guint64 file_offset;
} IptRegion;

#define IPT_TYPE_REGION (ipt_region_get_type ())

IPT_AVAILABLE_IN_ALL
GType ipt_region_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptRegion *ipt_region_new (guint64 address, guint64 size, const IptAsid *asid,
                           IptPermissions permissions, const char *filename,
                           guint64 file_offset);
IPT_AVAILABLE_IN_ALL
IptRegion *ipt_region_copy (const IptRegion *region);
IPT_AVAILABLE_IN_ALL
void ipt_region_free (IptRegion *region);
IPT_AVAILABLE_IN_ALL
gboolean ipt_region_contains (const IptRegion *region, guint64 address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRegion, ipt_region_free)

G_END_DECLS
