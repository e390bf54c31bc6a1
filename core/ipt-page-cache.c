/* ipt-page-cache.c: the storage of the per-thread page cache; its use is
 * in the read path (ipt-image-read.c). One allocation per thread, on its
 * first read, freed when the thread exits; never locked. */
#include "config.h"

#include "ipt-page-cache-private.h"

__thread IptPageCacheEntry *ipt_page_cache_tls;
static GPrivate ipt_page_cache_private = G_PRIVATE_INIT (g_free);

IptPageCacheEntry *
ipt_page_cache_alloc (void)
{
  IptPageCacheEntry *cache = g_new0 (IptPageCacheEntry, IPT_PAGE_CACHE_ENTRIES);

  g_private_set (&ipt_page_cache_private, cache);
  ipt_page_cache_tls = cache;
  return cache;
}
