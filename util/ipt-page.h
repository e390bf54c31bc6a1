/* ipt-page.h: the x86 page size, for everything that counts in pages (the
 * image's page cache, core dumps' NT_FILE, page dumps, ELF segment
 * alignment checks). One definition; never installed. */
#pragma once

#include <glib.h>

#define IPT_PAGE_SHIFT 12
#define IPT_PAGE_SIZE (G_GUINT64_CONSTANT (1) << IPT_PAGE_SHIFT)
#define IPT_PAGE_MASK (~(IPT_PAGE_SIZE - 1))
