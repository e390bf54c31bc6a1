/* ipt-page-cache-private.h: the per-thread cache of recently read pages
 * (a software TLB) in front of the chain. An entry holds the bytes of one
 * page of one address space as one snapshot (generation) of one image
 * served them; a new generation makes every older entry stale at once, so
 * nothing is ever flushed. The read path (ipt-image-read.c) fills it. */
#pragma once

#include <glib.h>

#include "ipt-page.h"

G_BEGIN_DECLS

#define IPT_PAGE_CACHE_PAGE_SHIFT IPT_PAGE_SHIFT
#define IPT_PAGE_CACHE_PAGE_SIZE ((guint32) IPT_PAGE_SIZE)
#define IPT_PAGE_CACHE_ENTRIES 64

typedef struct {
  guint64 generation;           /* 0: empty */
  guint64 page;
  guint64 cr3;
  guint64 vmcs;
  guint32 lo;                   /* valid bytes are data[lo..hi) */
  guint32 hi;                   /* hi < page size: the byte at hi is unmapped or failed */
  guint8 data[IPT_PAGE_CACHE_PAGE_SIZE];
} IptPageCacheEntry;

/* This thread's entries: allocated on its first read, freed at its exit. */
G_GNUC_INTERNAL
IptPageCacheEntry *ipt_page_cache_alloc (void);

extern __thread IptPageCacheEntry *ipt_page_cache_tls G_GNUC_INTERNAL;

static inline IptPageCacheEntry *
ipt_page_cache_entry (guint64 page)
{
  IptPageCacheEntry *cache = ipt_page_cache_tls;

  if (G_UNLIKELY (cache == NULL))
    cache = ipt_page_cache_alloc ();
  return &cache[(page >> IPT_PAGE_CACHE_PAGE_SHIFT) % IPT_PAGE_CACHE_ENTRIES];
}

static inline gboolean
ipt_page_cache_entry_is (const IptPageCacheEntry *e, guint64 generation, guint64 page,
                         guint64 cr3, guint64 vmcs)
{
  return e->generation == generation && e->page == page && e->cr3 == cr3 && e->vmcs == vmcs;
}

G_END_DECLS
