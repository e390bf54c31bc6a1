/* ipt-coverage-afl.c: the AFL edge bitmap of kAFL/Nyx, as libxdc computes
 * it, from the coverage's conditional edges: each taken edge adds its
 * count to one 8-bit counter, so a counter wraps exactly as libxdc's
 * per-edge increments do. docs/coverage.md states the rule. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-coverage-private.h"

/* libxdc's 64-bit mix of an address */
static inline guint64
mix (guint64 v)
{
  v ^= v >> 31;
  v *= G_GUINT64_CONSTANT (0x7fb5d329728ea185);
  return v;
}

/**
 * ipt_coverage_get_afl_bitmap:
 * @self: an #IptCoverage
 *
 * Computes the 64 KiB AFL edge bitmap that libxdc (kAFL/Nyx's coverage
 * decoder) computes for the same trace: for each conditional branch that
 * ran, the edge from the branch to the next instruction executed (to the
 * branch's target when it left the traced range), counted in the 8-bit
 * counter at `(mix(to) ^ (mix(from) >> 1)) & 0xffff`, wrapping at 256.
 * docs/coverage.md has the details.
 *
 * Returns: (transfer full): %IPT_COVERAGE_AFL_MAP_SIZE bytes
 *
 * Since: 0.1
 */
GBytes *
ipt_coverage_get_afl_bitmap (IptCoverage *self)
{
  g_autoptr(GArray) edges = NULL;
  guint8 *map;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), NULL);

  edges = ipt_coverage_collect_edges (self);
  map = g_malloc0 (IPT_COVERAGE_AFL_MAP_SIZE);
  for (guint i = 0; i < edges->len; i++)
    {
      const IptCoverageEdge *edge = &g_array_index (edges, IptCoverageEdge, i);
      guint64 index;

      if (!(edge->flags & IPT_COVERAGE_EDGE_CONDITIONAL))
        continue;
      index = (mix (edge->to) ^ (mix (edge->from) >> 1)) & (IPT_COVERAGE_AFL_MAP_SIZE - 1);
      map[index] = (guint8) (map[index] + edge->count);
    }
  return g_bytes_new_take (map, IPT_COVERAGE_AFL_MAP_SIZE);
}
