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
 * @valid_from: the first time (nanoseconds of CLOCK_MONOTONIC, the clock of
 *   perf and of jitdumps) at which the range holds these bytes; 0 = always
 * @valid_to: the time from which it no longer does (exclusive);
 *   %IPT_TIME_END = never ends
 *
 * A range of the traced address space that a provider maps. Where @filename
 * is set, the bytes at [@address, @address + @size) are exactly the bytes at
 * [@file_offset, @file_offset + @size) of that file, and the image hands the
 * range to libipt as a file section (fast path). Allocate with
 * ipt_region_new(); fields may be appended in later versions.
 *
 * Memory that changes over time (JIT code reusing an address, a library
 * unmapped and another mapped there) is described by regions with validity
 * intervals [@valid_from, @valid_to): code replaced at the same address is a
 * new region with a later @valid_from. A region without an interval
 * ([0, %IPT_TIME_END)) is valid always. How the image resolves a time is
 * described in ipt_image_set_time().
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
  guint64 valid_from;
  guint64 valid_to;
} IptRegion;

/**
 * IPT_TIME_END:
 *
 * The end of time: as the end of a validity interval, "never ends"; as a
 * time (ipt_image_set_time()), "as late as possible" — the latest version
 * of memory that changes over time.
 *
 * Since: 0.1
 */
#define IPT_TIME_END (G_GUINT64_CONSTANT (0xffffffffffffffff))

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
IPT_AVAILABLE_IN_ALL
void ipt_region_set_validity (IptRegion *region, guint64 valid_from, guint64 valid_to);
IPT_AVAILABLE_IN_ALL
gboolean ipt_region_is_valid_at (const IptRegion *region, guint64 time);
IPT_AVAILABLE_IN_ALL
gboolean ipt_region_is_timeless (const IptRegion *region);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRegion, ipt_region_free)

G_END_DECLS
