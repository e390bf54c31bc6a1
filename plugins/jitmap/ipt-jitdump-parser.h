/* ipt-jitdump-parser.h: the pure parser of a perf jitdump (jit-PID.dump).
 *
 * Works on bytes in memory (the provider hands it its mapped dump, the fuzz
 * harness hands it fuzz input), needs no GObject and never touches a file.
 * It turns the dump's records into code versions with validity intervals
 * (the time rule is in docs/plugin-jitmap.md) and an index over them; the
 * index is immutable, so lookups need no lock and never allocate. Names and
 * line tables are copied out: nothing here points into the dump's bytes,
 * only the versions' offsets do. */
#pragma once

#include <glib.h>

#include "ipt-jitmap-spans.h"

G_BEGIN_DECLS

#define IPT_JITDUMP_MAGIC 0x4A695444u           /* 'JiTD' in the JIT's byte order */
#define IPT_JITDUMP_HEADER_SIZE 40
#define IPT_JITDUMP_FLAGS_ARCH_TIMESTAMP (G_GUINT64_CONSTANT (1) << 0)

typedef enum {
  IPT_JITDUMP_CODE_LOAD = 0,
  IPT_JITDUMP_CODE_MOVE = 1,
  IPT_JITDUMP_CODE_DEBUG_INFO = 2,
  IPT_JITDUMP_CODE_CLOSE = 3,
  IPT_JITDUMP_CODE_UNWINDING_INFO = 4,
} IptJitdumpRecordId;

/**
 * IptJitdumpTsc:
 * @time_zero: perf's `time_zero`
 * @time_mult: perf's `time_mult`
 * @time_shift: perf's `time_shift` (0..63)
 *
 * The conversion of TSC timestamps to CLOCK_MONOTONIC nanoseconds
 * (ipt_tsc_to_time()), applied when the dump's header says its timestamps
 * are the TSC.
 */
typedef struct {
  guint64 time_zero;
  guint32 time_mult;
  guint16 time_shift;
} IptJitdumpTsc;

/**
 * IptJitdumpLine:
 * @offset: the entry's address minus the start of its code
 * @file: the source file (in the dump's string pool)
 * @line: the line number
 *
 * One entry of a JIT_CODE_DEBUG_INFO record.
 */
typedef struct {
  guint64 offset;
  const char *file;
  guint32 line;
} IptJitdumpLine;

/**
 * IptJitdumpCode:
 * @span: the addresses [start, end) of the code
 * @code_offset: offset in the dump of the byte at @span.start
 * @valid_from: the time (ns) from which the code is there
 * @valid_to: the time from which it no longer is; %G_MAXUINT64 = never ends
 * @code_index: the JIT's index of the code (LOAD's code_index)
 * @record_offset: offset in the dump of the LOAD or MOVE record that put it there
 * @name: the function's name (in the dump's string pool)
 * @first_line: its line table: @n_lines entries of the dump's lines from here
 * @n_lines: number of line entries, sorted by offset
 *
 * One version of JIT code: the bytes of one LOAD, at their address (or at
 * the address a MOVE gave them), for an interval of time.
 */
typedef struct {
  IptJitmapSpan span;
  guint64 code_offset;
  guint64 valid_from;
  guint64 valid_to;
  guint64 code_index;
  guint64 record_offset;
  const char *name;
  gsize first_line;
  gsize n_lines;
} IptJitdumpCode;

/**
 * IptJitdump:
 * @swapped: the dump was written in the other byte order
 * @version: the header's version
 * @elf_mach: the header's ELF machine
 * @pid: the header's pid
 * @flags: the header's flags
 * @header_size: the header's total_size
 * @codes: the code versions, sorted by address, then by @valid_from
 * @n_codes: number of @codes
 * @lines: the line tables of all the code versions
 * @n_lines: number of @lines
 * @n_loads: LOAD records read (with code_size 0: no version)
 * @n_moves: MOVE records read
 * @n_debug_info: DEBUG_INFO records read
 * @n_unwinding_info: UNWINDING_INFO records skipped
 * @n_unknown: records of unknown ids skipped
 * @n_replaced: versions dropped because a later record at the same time replaced them
 * @closed: a JIT_CODE_CLOSE record ended the dump
 * @partial_offset: offset of the partial last record, 0 when there is none
 * @warnings: (element-type utf8): non-fatal problems, each naming the
 *   file and offset; the caller decides how to report them
 *
 * The parsed dump.
 */
typedef struct {
  gboolean swapped;
  guint32 version;
  guint32 elf_mach;
  guint32 pid;
  guint64 flags;
  gsize header_size;
  IptJitdumpCode *codes;
  gsize n_codes;
  IptJitdumpLine *lines;
  gsize n_lines;
  gsize n_loads;
  gsize n_moves;
  gsize n_debug_info;
  gsize n_unwinding_info;
  gsize n_unknown;
  gsize n_replaced;
  gboolean closed;
  gsize partial_offset;
  GPtrArray *warnings;

  /*< private >*/
  IptJitmapSpans spans;
  char *strings;
} IptJitdump;

G_GNUC_INTERNAL
IptJitdump *ipt_jitdump_parse (const guint8 *data, gsize size, const char *name,
                               const IptJitdumpTsc *tsc, GError **error);
G_GNUC_INTERNAL
void ipt_jitdump_free (IptJitdump *dump);
G_GNUC_INTERNAL
const IptJitdumpCode *ipt_jitdump_find (const IptJitdump *dump, guint64 address, guint64 time);
G_GNUC_INTERNAL
gsize ipt_jitdump_read (const IptJitdump *dump, const guint8 *data, guint8 *buffer, gsize size,
                        guint64 address, guint64 time);
G_GNUC_INTERNAL
const IptJitdumpLine *ipt_jitdump_code_find_line (const IptJitdump *dump,
                                                  const IptJitdumpCode *code,
                                                  guint64 address);

/* Whether @code holds its bytes at @time, as ipt_region_is_valid_at(). */
static inline gboolean
ipt_jitdump_code_is_valid_at (const IptJitdumpCode *code, guint64 time)
{
  return code->valid_from <= time && (time < code->valid_to || code->valid_to == G_MAXUINT64);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptJitdump, ipt_jitdump_free)

G_END_DECLS
