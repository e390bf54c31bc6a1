/* ipt-jitdump-private.h: what the jitdump parser's two halves share —
 * ipt-jitdump-parser.c reads the records (in file order) into events, and
 * ipt-jitdump-timeline.c replays them in time order into code versions
 * with validity intervals and answers lookups over them. Not ABI. */
#pragma once

#include "ipt-jitdump-parser.h"

G_BEGIN_DECLS

/* A LOAD or MOVE, to be replayed in time order. */
typedef struct {
  guint64 time;
  gsize seq;
  guint64 record_offset;
  gboolean move;
  guint64 address;        /* LOAD: code_addr; MOVE: new_code_addr */
  guint64 size;           /* code_size */
  guint64 old_address;    /* MOVE: old_code_addr */
  guint64 code_index;
  guint64 code_offset;    /* LOAD */
  gsize name_at;          /* LOAD: in the string pool */
  gsize first_line;       /* LOAD */
  gsize n_lines;
} Event;

typedef struct {
  guint64 offset;
  gsize file_at;          /* in the string pool */
  guint32 line;
  gsize seq;
} BuildLine;

typedef struct {
  const guint8 *data;
  gsize size;
  const char *name;
  gboolean swapped;
  const IptJitdumpTsc *tsc;   /* NULL: timestamps used as they are */
  IptJitdump *dump;
  GString *strings;
  GHashTable *files;          /* file name -> its offset in strings, + 1 */
  GArray *events;             /* Event */
  GArray *lines;              /* BuildLine */
  /* the last DEBUG_INFO, until the LOAD it describes */
  gboolean pending;
  guint64 pending_address;
  guint64 pending_offset;
  gsize pending_first, pending_n;
  gsize n_unmatched_debug;
  guint64 first_unmatched_debug;
  guint64 first_unknown;
} Parser;

/* A warning about @p's dump at @offset, kept in the dump's warnings. */
G_GNUC_PRINTF (3, 4)
void ipt_jitdump_warn (const Parser *p, guint64 offset, const char *format, ...);

/* ipt-jitdump-timeline.c: the events, replayed in time order, become the
 * dump's code versions, lines and index. */
void ipt_jitdump_build_versions (Parser *p);

G_END_DECLS
