/* ipt-coverage-private.h: the coverage collector's tables (open addressing,
 * keyed by block start or edge source) and the writers' shared view of them. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* IptCoverageBlock and IptCoverageEdge flags live in the public header;
 * a table slot is empty when its count is 0 (every stored entry ran). */

typedef struct {
  IptCoverageBlock *slots;
  guint mask;                   /* capacity - 1; capacity is a power of two */
  guint len;
} IptCoverageBlockTable;

typedef struct {
  IptCoverageEdge *slots;
  guint mask;
  guint len;
} IptCoverageEdgeTable;

G_GNUC_INTERNAL
void ipt_coverage_block_table_init (IptCoverageBlockTable *table);
G_GNUC_INTERNAL
void ipt_coverage_block_table_clear (IptCoverageBlockTable *table);
/* Adds @count runs of @block (its count ignored); the entry for its
 * (cr3, start, end) is created when missing. */
G_GNUC_INTERNAL
void ipt_coverage_block_table_add (IptCoverageBlockTable *table, const IptCoverageBlock *block,
                                   guint64 count);

G_GNUC_INTERNAL
void ipt_coverage_edge_table_init (IptCoverageEdgeTable *table);
G_GNUC_INTERNAL
void ipt_coverage_edge_table_clear (IptCoverageEdgeTable *table);
G_GNUC_INTERNAL
void ipt_coverage_edge_table_add (IptCoverageEdgeTable *table, guint64 cr3, guint64 from,
                                  guint64 to, guint flags, guint64 count);

/* The finished result, sorted by (cr3, start, end) and (cr3, from, to):
 * what every output writes. Arrays of IptCoverageBlock / IptCoverageEdge. */
G_GNUC_INTERNAL
GArray *ipt_coverage_collect_blocks (IptCoverage *self);
G_GNUC_INTERNAL
GArray *ipt_coverage_collect_edges (IptCoverage *self);

/* Whether the decode saw PIP packets (a cr3 other than "none"). */
G_GNUC_INTERNAL
gboolean ipt_coverage_has_cr3 (IptCoverage *self);

G_END_DECLS

/* ---- ipt-coverage-code.c: a block's instructions, read through an image ---- */

typedef struct _IptCoverageCode IptCoverageCode;

typedef void (*IptCoverageInsnFunc) (guint64 ip, guint size, gpointer user_data);

/* Reads @image as it is now (its latest memory). */
G_GNUC_INTERNAL
IptCoverageCode *ipt_coverage_code_new (IptImage *image);
G_GNUC_INTERNAL
void ipt_coverage_code_free (IptCoverageCode *code);
/* Calls @func for each instruction of one run of @block, in order;
 * returns 0, or libipt's negative error code where the walk failed
 * (memory that is not the traced code). */
G_GNUC_INTERNAL
int ipt_coverage_code_walk (IptCoverageCode *code, const IptCoverageBlock *block,
                            IptCoverageInsnFunc func, gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptCoverageCode, ipt_coverage_code_free)

/* A contiguous range of code that ran: a block cut where it jumped. */
typedef struct {
  guint64 cr3;
  guint64 start;
  guint64 size;
} IptCoverageRange;

/* The contiguous ranges of all blocks of @self, sorted by (cr3, start),
 * duplicates removed; *@n_failed counts blocks whose code could not be
 * read. */
G_GNUC_INTERNAL
GArray *ipt_coverage_code_ranges (IptCoverageCode *code, GArray *blocks, guint *n_failed);
