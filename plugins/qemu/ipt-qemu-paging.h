/* ipt-qemu-paging.h: x86-64 guest page-table walks for the qemu plugin
 * (issue 8, its first part): a guest-virtual address and the CR3 of its
 * address space give a guest-physical address, read through the page
 * tables in the snapshot's RAM. 4-level and 5-level (LA57) paging, 2 MiB
 * and 1 GiB pages; a non-present entry, a non-canonical address, a reserved
 * page-size bit or a table outside the snapshot's RAM is "not mapped", as
 * the CPU would fault, never an error. No GObject, no I/O of its own: the
 * caller gives the physical reads. Not yet used by a plugin. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  IPT_QEMU_PAGING_4_LEVEL = 4,   /* CR4.LA57 = 0: 48-bit virtual addresses */
  IPT_QEMU_PAGING_5_LEVEL = 5,   /* CR4.LA57 = 1: 57-bit virtual addresses */
} IptQemuPagingMode;

#define IPT_QEMU_PAGE_4K (G_GUINT64_CONSTANT (1) << 12)
#define IPT_QEMU_PAGE_2M (G_GUINT64_CONSTANT (1) << 21)
#define IPT_QEMU_PAGE_1G (G_GUINT64_CONSTANT (1) << 30)

/* Bits 51:12 of CR3 and of a paging entry: the next table's (or the page's)
 * physical address. The low bits of CR3 are PCID or PWT/PCD, the high bits
 * of an entry XD and bits for software. */
#define IPT_QEMU_PAGING_ADDRESS_MASK G_GUINT64_CONSTANT (0x000ffffffffff000)

/* Reads @size bytes of guest-physical memory at @paddr: the number read
 * (fewer where the snapshot's RAM ends, 0 when it does not hold @paddr), or
 * -1 with @error set. */
typedef gssize (*IptQemuPhysReadFunc) (gpointer user_data, guint64 paddr, guint8 *buffer,
                                       gsize size, GError **error);

typedef enum {
  IPT_QEMU_PAGE_WRITABLE = 1 << 0,    /* every level's R/W bit */
  IPT_QEMU_PAGE_USER = 1 << 1,        /* every level's U/S bit */
  IPT_QEMU_PAGE_EXECUTABLE = 1 << 2,  /* no level's XD bit */
} IptQemuPageFlags;

typedef struct {
  guint64 paddr;                /* the guest-physical address of the virtual one */
  guint64 page_size;            /* IPT_QEMU_PAGE_4K, _2M or _1G */
  IptQemuPageFlags flags;
} IptQemuTranslation;

int ipt_qemu_paging_translate (IptQemuPagingMode mode, guint64 cr3, IptQemuPhysReadFunc read,
                               gpointer user_data, guint64 vaddr, IptQemuTranslation *out,
                               GError **error);

/* One run of mapped memory: [vaddr, vaddr + size) is [paddr, paddr + size). */
typedef gboolean (*IptQemuPagingFunc) (guint64 vaddr, guint64 paddr, guint64 size,
                                       IptQemuPageFlags flags, gpointer user_data);

gboolean ipt_qemu_paging_foreach (IptQemuPagingMode mode, guint64 cr3, IptQemuPhysReadFunc read,
                                  gpointer read_data, IptQemuPagingFunc func, gpointer func_data,
                                  GError **error);

G_END_DECLS
