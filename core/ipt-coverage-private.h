/* ipt-coverage-private.h: the coverage collector's tables (open addressing,
 * keyed by block start or edge source), its state (shared by the collector
 * and its results, ipt-coverage-results.c) and the writers' shared view of
 * them. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-sink-lead-private.h"

G_BEGIN_DECLS

/* A table of blocks or of edges: each entry counts one key (cr3, start,
 * end, n_insns); the slot is empty when its count is 0 (every stored entry
 * ran). An edge is stored as an IptCoverageBlock with start = from, end =
 * to and n_insns = its flags. */
typedef struct {
  IptCoverageBlock *slots;
  guint mask;                   /* capacity - 1; capacity is a power of two */
  guint len;
} IptCoverageTable;

G_GNUC_INTERNAL
void ipt_coverage_table_init (IptCoverageTable *table);
G_GNUC_INTERNAL
void ipt_coverage_table_clear (IptCoverageTable *table);
G_GNUC_INTERNAL
void ipt_coverage_table_copy (IptCoverageTable *dest, const IptCoverageTable *src);
/* Adds @count to @entry's key (@entry's own count ignored), creating it. */
G_GNUC_INTERNAL
void ipt_coverage_table_add (IptCoverageTable *table, const IptCoverageBlock *entry,
                             guint64 count);
/* The same with @count > 0, returning @entry's slot: valid until the
 * table grows (table->slots changes). */
G_GNUC_INTERNAL
IptCoverageBlock *ipt_coverage_table_lookup_add (IptCoverageTable *table,
                                                 const IptCoverageBlock *entry, guint64 count);
G_GNUC_INTERNAL
void ipt_coverage_table_add_all (IptCoverageTable *table, const IptCoverageTable *other);

/* ---- the collector's state (ipt-coverage.c, ipt-coverage-results.c) ---- */

/* The table slots counted last, direct-mapped by key: the hot loop of a
 * trace meets the same few blocks and edges over and over, and a hit
 * costs a compare and an increment instead of a table probe. */
#define MEMO_SIZE 512

/* The instructions blocks of the block decoder end in, by address: their
 * class where libipt left it as ptic_error, and whether a call or jump is
 * direct (ipt-coverage.c, block_end()). */
#define END_CACHE_SIZE 1024

typedef struct {
  guint64 ip;
  guint64 cr3;
  enum pt_exec_mode mode;
  enum pt_insn_class iclass;
  gboolean valid;
  gboolean direct;
} BlockEndEntry;

struct _IptCoverage {
  GObject parent_instance;

  IptCoverageTable blocks;
  IptCoverageTable edges;        /* see ipt-coverage-private.h */
  IptCoverageBlock *block_memo[MEMO_SIZE];     /* slots of blocks, NULL: none */
  IptCoverageBlock *edge_memo[MEMO_SIZE];
  gboolean has_cr3;

  /* during a decode */
  IptImage *image;              /* to read a block decoder's last call or jump */
  gboolean block_path;
  BlockEndEntry *end_cache;

  /* the flow of the current (or last) decode; what merges join */
  guint64 cr3;
  gboolean seen_flow;           /* a block or an enable since the decode began */
  gboolean mid_flow_start;      /* its first block came without an enable */
  gboolean open;                /* cur is a block still running */
  gboolean open_is_head;        /* ... and it is the first, mid-flow block */
  IptCoverageBlock cur;
  gboolean head_valid;          /* the first, mid-flow block, closed */
  IptCoverageBlock head;
  gboolean pending;             /* the last closed block waits for its successor */
  guint64 pending_cr3;
  guint64 pending_from;
  guint pending_flags;

  /* a part of a parallel decode (ipt_coverage_split()): what came before
   * its first block acts on the flow of the part before it */
  gboolean is_part;
  IptSinkLead lead;
  gboolean cr3_known;           /* a PIP came */
  gboolean flow_without_cr3;    /* ... after the part's first blocks */
};

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
