/* ipt-coverage.h: the coverage analysis, a sink that counts basic blocks and edges, and its outputs (AFL bitmap, drcov, lcov, block list). */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-image.h>
#include <ipt-analyze/ipt-sink.h>
#include <ipt-analyze/ipt-symbol-source.h>

G_BEGIN_DECLS

/**
 * IptCoverageBlock:
 * @cr3: the CR3 of the address space the block ran in, %IPT_ASID_NO_CR3
 *   when the trace has no PIP packets
 * @start: the address of the block's first instruction
 * @end: the address of its last instruction (a block runs on through
 *   direct jumps and calls, so its instructions need not be contiguous)
 * @count: how many times the block ran
 * @n_insns: the number of instructions of one run
 * @mode: libipt's execution mode of the block (`enum pt_exec_mode`)
 *
 * One basic block of an #IptCoverage: a run of instructions that ends with
 * one whose successor the trace tells (a conditional or indirect branch, a
 * return, a far transfer), or where the flow broke off (tracing disabled,
 * an interrupt, an overflow, a decode error, the end of the trace).
 *
 * Since: 0.1
 */
typedef struct {
  guint64 cr3;
  guint64 start;
  guint64 end;
  guint64 count;
  guint32 n_insns;
  guint8 mode;
} IptCoverageBlock;

/**
 * IptCoverageEdgeFlags:
 * @IPT_COVERAGE_EDGE_NONE: a plain edge
 * @IPT_COVERAGE_EDGE_CONDITIONAL: the source is a conditional branch (the
 *   edges of the AFL bitmap)
 * @IPT_COVERAGE_EDGE_EXIT: the branch left the traced range (TIP.PGD):
 *   the destination is its target, which the trace does not show running
 *
 * What an #IptCoverageEdge's source and destination are.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  IPT_COVERAGE_EDGE_NONE = 0,
  IPT_COVERAGE_EDGE_CONDITIONAL = 1 << 0,
  IPT_COVERAGE_EDGE_EXIT = 1 << 1,
} IptCoverageEdgeFlags;

/**
 * IptCoverageEdge:
 * @cr3: the CR3 of the address space, as in #IptCoverageBlock
 * @from: the address of the branch, the last instruction of a block
 * @to: the address of the next block's first instruction (or the branch's
 *   target, for %IPT_COVERAGE_EDGE_EXIT)
 * @count: how many times the edge was taken
 * @flags: #IptCoverageEdgeFlags
 *
 * One edge of an #IptCoverage: control went from @from to @to.
 *
 * Since: 0.1
 */
typedef struct {
  guint64 cr3;
  guint64 from;
  guint64 to;
  guint64 count;
  guint flags;
} IptCoverageEdge;

/**
 * IptCoverageFormat:
 * @IPT_COVERAGE_FORMAT_TEXT: one line per block or edge (docs/coverage.md)
 * @IPT_COVERAGE_FORMAT_JSON: one JSON object (docs/coverage.md)
 *
 * The formats of ipt_coverage_write_blocks().
 *
 * Since: 0.1
 */
typedef enum {
  IPT_COVERAGE_FORMAT_TEXT, /*< nick=text >*/
  IPT_COVERAGE_FORMAT_JSON, /*< nick=json >*/
} IptCoverageFormat;

/**
 * IPT_COVERAGE_AFL_MAP_SIZE:
 *
 * The size of the AFL edge bitmap, 64 KiB as libxdc's.
 *
 * Since: 0.1
 */
#define IPT_COVERAGE_AFL_MAP_SIZE 65536

#define IPT_TYPE_COVERAGE_BLOCK (ipt_coverage_block_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_coverage_block_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptCoverageBlock *ipt_coverage_block_copy (const IptCoverageBlock *block);
IPT_AVAILABLE_IN_ALL
void ipt_coverage_block_free (IptCoverageBlock *block);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptCoverageBlock, ipt_coverage_block_free)

#define IPT_TYPE_COVERAGE_EDGE (ipt_coverage_edge_get_type ())
IPT_AVAILABLE_IN_ALL
GType ipt_coverage_edge_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptCoverageEdge *ipt_coverage_edge_copy (const IptCoverageEdge *edge);
IPT_AVAILABLE_IN_ALL
void ipt_coverage_edge_free (IptCoverageEdge *edge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptCoverageEdge, ipt_coverage_edge_free)

#define IPT_TYPE_COVERAGE (ipt_coverage_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (IptCoverage, ipt_coverage, IPT, COVERAGE, GObject)

IPT_AVAILABLE_IN_ALL
IptCoverage *ipt_coverage_new (void);
IPT_AVAILABLE_IN_ALL
void ipt_coverage_reset (IptCoverage *self);
IPT_AVAILABLE_IN_ALL
void ipt_coverage_merge (IptCoverage *self, IptCoverage *next);
IPT_AVAILABLE_IN_ALL
guint ipt_coverage_get_n_blocks (IptCoverage *self);
IPT_AVAILABLE_IN_ALL
guint ipt_coverage_get_n_edges (IptCoverage *self);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_coverage_get_blocks (IptCoverage *self);
IPT_AVAILABLE_IN_ALL
GPtrArray *ipt_coverage_get_edges (IptCoverage *self);
IPT_AVAILABLE_IN_ALL
GBytes *ipt_coverage_get_afl_bitmap (IptCoverage *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_coverage_write_blocks (IptCoverage *self, GOutputStream *stream,
                                    IptCoverageFormat format, GCancellable *cancellable,
                                    GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_coverage_write_drcov (IptCoverage *self, IptImage *image, GOutputStream *stream,
                                   GCancellable *cancellable, GError **error);
IPT_AVAILABLE_IN_ALL
gboolean ipt_coverage_write_lcov (IptCoverage *self, IptImage *image, IptSymbolResolver *resolver,
                                  GOutputStream *stream, GCancellable *cancellable, GError **error);

G_END_DECLS
