/* ipt-jitdump-parser.c: reads a perf jitdump's header and records.
 *
 * Input is untrusted: every size is checked against its record before it
 * is used, errors name the file, the offset and the problem. The records
 * are read in file order (a DEBUG_INFO describes the LOAD after it) into
 * events, which ipt-jitdump-timeline.c replays in time order into code
 * versions with their intervals. Nothing here does I/O. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-jitdump-private.h"
#include "ipt-sorted.h"

#define PREFIX_SIZE 16
#define LOAD_FIXED 56
#define MOVE_FIXED 64
#define DEBUG_INFO_FIXED 32
#define DEBUG_ENTRY_FIXED 16
#define UNWINDING_INFO_FIXED 40

static guint32
rd32 (const Parser *p, const guint8 *at)
{
  guint32 v;

  memcpy (&v, at, sizeof v);
  return p->swapped ? GUINT32_SWAP_LE_BE (v) : v;
}

static guint64
rd64 (const Parser *p, const guint8 *at)
{
  guint64 v;

  memcpy (&v, at, sizeof v);
  return p->swapped ? GUINT64_SWAP_LE_BE (v) : v;
}

G_GNUC_PRINTF (4, 5)
static void
set_error (const Parser *p, GError **error, guint64 offset, const char *format, ...)
{
  g_autofree char *problem = NULL;
  va_list ap;

  va_start (ap, format);
  problem = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT, "%s: offset 0x%" G_GINT64_MODIFIER "x: %s",
               p->name, offset, problem);
}

void
ipt_jitdump_warn (const Parser *p, guint64 offset, const char *format, ...)
{
  g_autofree char *problem = NULL;
  va_list ap;

  va_start (ap, format);
  problem = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_ptr_array_add (p->dump->warnings,
                   g_strdup_printf ("%s: offset 0x%" G_GINT64_MODIFIER "x: %s",
                                    p->name, offset, problem));
}

/* Copies @len bytes into the string pool, as valid UTF-8. */
static gsize
pool_add (Parser *p, const guint8 *bytes, gsize len)
{
  gsize at = p->strings->len;

  if (g_utf8_validate_len ((const char *) bytes, len, NULL))
    g_string_append_len (p->strings, (const char *) bytes, len);
  else
    {
      g_autofree char *valid = g_utf8_make_valid ((const char *) bytes, len);

      g_string_append (p->strings, valid);
    }
  g_string_append_c (p->strings, '\0');
  return at;
}

/* Source files repeat in every entry of a line table: stored once. */
static gsize
pool_add_file (Parser *p, const guint8 *bytes, gsize len)
{
  g_autofree char *key = g_strndup ((const char *) bytes, len);
  gpointer found = g_hash_table_lookup (p->files, key);
  gsize at;

  if (found != NULL)
    return GPOINTER_TO_SIZE (found) - 1;
  at = pool_add (p, bytes, len);
  g_hash_table_insert (p->files, g_steal_pointer (&key), GSIZE_TO_POINTER (at + 1));
  return at;
}

static guint64
record_time (const Parser *p, guint64 timestamp)
{
  guint64 time = timestamp;

  if (p->tsc != NULL && (p->dump->flags & IPT_JITDUMP_FLAGS_ARCH_TIMESTAMP))
    time = ipt_tsc_to_time (timestamp, p->tsc->time_zero, p->tsc->time_mult,
                            p->tsc->time_shift);
  /* G_MAXUINT64 means "never ends" as the end of an interval: no record
   * may start there, or an interval ending at it would never end. */
  return MIN (time, G_MAXUINT64 - 1);
}

static gboolean
parse_header (Parser *p, GError **error)
{
  guint32 magic, total_size;

  if (p->size < 4)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x0: truncated header: the file has %" G_GSIZE_FORMAT
                   " bytes, a jitdump header has %d", p->name, p->size, IPT_JITDUMP_HEADER_SIZE);
      return FALSE;
    }
  memcpy (&magic, p->data, sizeof magic);
  if (magic == IPT_JITDUMP_MAGIC)
    p->swapped = FALSE;
  else if (magic == GUINT32_SWAP_LE_BE (IPT_JITDUMP_MAGIC))
    p->swapped = TRUE;
  else
    {
      set_error (p, error, 0, "wrong magic 0x%08x: a jitdump starts with 0x%08x ('JiTD')"
                 " in either byte order", magic, IPT_JITDUMP_MAGIC);
      return FALSE;
    }
  if (p->size < IPT_JITDUMP_HEADER_SIZE)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x0: truncated header: the file has %" G_GSIZE_FORMAT
                   " bytes, a jitdump header has %d", p->name, p->size, IPT_JITDUMP_HEADER_SIZE);
      return FALSE;
    }
  p->dump->swapped = p->swapped;
  p->dump->version = rd32 (p, p->data + 4);
  total_size = rd32 (p, p->data + 8);
  p->dump->elf_mach = rd32 (p, p->data + 12);
  p->dump->pid = rd32 (p, p->data + 20);
  p->dump->flags = rd64 (p, p->data + 32);
  if (p->dump->version != 1)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s: offset 0x4: jitdump version %u is not supported (only version 1 is)",
                   p->name, p->dump->version);
      return FALSE;
    }
  if (total_size < IPT_JITDUMP_HEADER_SIZE)
    {
      set_error (p, error, 8, "header total_size %u is smaller than the %d bytes of a header",
                 total_size, IPT_JITDUMP_HEADER_SIZE);
      return FALSE;
    }
  if (total_size > p->size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x8: truncated header: header total_size %u runs past the end"
                   " of the file (%" G_GSIZE_FORMAT " bytes)", p->name, total_size, p->size);
      return FALSE;
    }
  p->dump->header_size = total_size;
  return TRUE;
}

static void
push_event (Parser *p, Event *event)
{
  event->seq = p->events->len;
  g_array_append_val (p->events, *event);
}

/* A LOAD of @total bytes at @offset, @avail of them present. */
static gboolean
parse_load (Parser *p, guint64 offset, guint32 total, gsize avail, guint64 timestamp,
            GError **error)
{
  const guint8 *r = p->data + offset;
  const guint8 *nul;
  Event event = { 0 };
  guint64 code_offset;

  if (avail < LOAD_FIXED)
    return TRUE;
  event.address = rd64 (p, r + 32);
  event.size = rd64 (p, r + 40);
  event.code_index = rd64 (p, r + 48);
  if (event.size > total - LOAD_FIXED - 1)
    {
      set_error (p, error, offset, "JIT_CODE_LOAD: code_size 0x%" G_GINT64_MODIFIER "x does"
                 " not fit the record (total_size 0x%x: %d bytes of fields and a name come"
                 " first)", event.size, total, LOAD_FIXED);
      return FALSE;
    }
  if (avail < total)
    return TRUE;

  nul = memchr (r + LOAD_FIXED, 0, total - LOAD_FIXED);
  if (nul == NULL)
    {
      set_error (p, error, offset, "JIT_CODE_LOAD: the function name is not NUL-terminated"
                 " inside the record (total_size 0x%x)", total);
      return FALSE;
    }
  code_offset = (guint64) (nul + 1 - r);
  if (event.size > total - code_offset)
    {
      set_error (p, error, offset, "JIT_CODE_LOAD: code_size 0x%" G_GINT64_MODIFIER "x runs"
                 " past the end of the record: 0x%" G_GINT64_MODIFIER "x bytes follow the"
                 " name", event.size, total - code_offset);
      return FALSE;
    }
  if (event.address > G_MAXUINT64 - event.size)
    {
      set_error (p, error, offset, "JIT_CODE_LOAD: code at 0x%" G_GINT64_MODIFIER "x of"
                 " code_size 0x%" G_GINT64_MODIFIER "x reaches the end of the 64-bit"
                 " address space", event.address, event.size);
      return FALSE;
    }

  p->dump->n_loads++;
  if (p->pending)
    {
      if (p->pending_address == event.address)
        {
          event.first_line = p->pending_first;
          event.n_lines = p->pending_n;
        }
      else
        {
          /* Its lines are the last ones added: unused, they go. */
          g_array_set_size (p->lines, p->pending_first);
          if (p->n_unmatched_debug++ == 0)
            p->first_unmatched_debug = p->pending_offset;
        }
      p->pending = FALSE;
    }
  if (event.size == 0)
    return TRUE;
  event.time = record_time (p, timestamp);
  event.record_offset = offset;
  event.code_offset = offset + code_offset;
  event.name_at = pool_add (p, r + LOAD_FIXED, (gsize) (nul - (r + LOAD_FIXED)));
  push_event (p, &event);
  return TRUE;
}

static gboolean
parse_move (Parser *p, guint64 offset, guint32 total, gsize avail, guint64 timestamp,
            GError **error)
{
  const guint8 *r = p->data + offset;
  Event event = { 0 };

  if (avail < total)
    return TRUE;
  event.move = TRUE;
  event.old_address = rd64 (p, r + 32);
  event.address = rd64 (p, r + 40);
  event.size = rd64 (p, r + 48);
  event.code_index = rd64 (p, r + 56);
  if (event.address > G_MAXUINT64 - event.size)
    {
      set_error (p, error, offset, "JIT_CODE_MOVE: new_code_addr 0x%" G_GINT64_MODIFIER "x"
                 " with code_size 0x%" G_GINT64_MODIFIER "x reaches the end of the"
                 " 64-bit address space", event.address, event.size);
      return FALSE;
    }
  p->dump->n_moves++;
  event.time = record_time (p, timestamp);
  event.record_offset = offset;
  push_event (p, &event);
  return TRUE;
}

static int
compare_build_lines (gconstpointer a, gconstpointer b)
{
  const BuildLine *la = a, *lb = b;

  if (la->offset != lb->offset)
    return ipt_jitmap_compare_u64 (la->offset, lb->offset);
  return ipt_jitmap_compare_u64 (la->seq, lb->seq);
}

static gboolean
parse_debug_info (Parser *p, guint64 offset, guint32 total, gsize avail, GError **error)
{
  const guint8 *r = p->data + offset;
  guint64 code_addr, nr_entry;
  gsize first, e = DEBUG_INFO_FIXED, prev_file = 0;
  gboolean sorted = TRUE;

  if (avail < DEBUG_INFO_FIXED)
    return TRUE;
  code_addr = rd64 (p, r + 16);
  nr_entry = rd64 (p, r + 24);
  /* Each entry takes its fields and at least a NUL. */
  if (nr_entry > (total - DEBUG_INFO_FIXED) / (DEBUG_ENTRY_FIXED + 1))
    {
      set_error (p, error, offset, "JIT_CODE_DEBUG_INFO: nr_entry %" G_GUINT64_FORMAT
                 " entries cannot fit the record (total_size 0x%x; an entry takes at least"
                 " %d bytes)", nr_entry, total, DEBUG_ENTRY_FIXED + 1);
      return FALSE;
    }
  if (avail < total)
    return TRUE;

  /* A DEBUG_INFO that no LOAD used is replaced; its lines go too. */
  if (p->pending)
    {
      g_array_set_size (p->lines, p->pending_first);
      if (p->n_unmatched_debug++ == 0)
        p->first_unmatched_debug = p->pending_offset;
    }
  first = p->lines->len;
  for (guint64 i = 0; i < nr_entry; i++)
    {
      const guint8 *entry = r + e;
      const guint8 *file, *nul;
      guint64 addr;
      BuildLine line;

      if (total - e < DEBUG_ENTRY_FIXED + 1)
        {
          g_array_set_size (p->lines, first);
          set_error (p, error, offset, "JIT_CODE_DEBUG_INFO: entry %" G_GUINT64_FORMAT
                     " of %" G_GUINT64_FORMAT " at record offset 0x%" G_GSIZE_MODIFIER "x"
                     " runs past the end of the record (total_size 0x%x)",
                     i, nr_entry, e, total);
          return FALSE;
        }
      file = entry + DEBUG_ENTRY_FIXED;
      nul = memchr (file, 0, total - (e + DEBUG_ENTRY_FIXED));
      if (nul == NULL)
        {
          g_array_set_size (p->lines, first);
          set_error (p, error, offset, "JIT_CODE_DEBUG_INFO: entry %" G_GUINT64_FORMAT
                     ": the file name is not NUL-terminated inside the record"
                     " (total_size 0x%x)", i, total);
          return FALSE;
        }
      addr = rd64 (p, entry);
      line.line = rd32 (p, entry + 8);
      if (nul - file == 1 && file[0] == 0xff)
        {
          if (i == 0)
            {
              g_array_set_size (p->lines, first);
              set_error (p, error, offset, "JIT_CODE_DEBUG_INFO: entry 0: the file name"
                         " \"\\xff\" means \"the previous entry's\", but there is none");
              return FALSE;
            }
          line.file_at = prev_file;
        }
      else
        line.file_at = pool_add_file (p, file, (gsize) (nul - file));
      prev_file = line.file_at;
      e = (gsize) (nul + 1 - r);

      /* Entries before the code describe none of it. */
      if (addr < code_addr)
        continue;
      line.offset = addr - code_addr;
      line.seq = p->lines->len;
      if (p->lines->len > first
          && g_array_index (p->lines, BuildLine, p->lines->len - 1).offset > line.offset)
        sorted = FALSE;
      g_array_append_val (p->lines, line);
    }
  if (!sorted)
    qsort (&g_array_index (p->lines, BuildLine, first), p->lines->len - first,
           sizeof (BuildLine), compare_build_lines);
  p->dump->n_debug_info++;
  p->pending = TRUE;
  p->pending_address = code_addr;
  p->pending_offset = offset;
  p->pending_first = first;
  p->pending_n = p->lines->len - first;
  return TRUE;
}

static gsize
fixed_size (guint32 id)
{
  switch (id)
    {
    case IPT_JITDUMP_CODE_LOAD:
      return LOAD_FIXED;
    case IPT_JITDUMP_CODE_MOVE:
      return MOVE_FIXED;
    case IPT_JITDUMP_CODE_DEBUG_INFO:
      return DEBUG_INFO_FIXED;
    case IPT_JITDUMP_CODE_UNWINDING_INFO:
      return UNWINDING_INFO_FIXED;
    default:
      return PREFIX_SIZE;
    }
}

static const char *
record_name (guint32 id)
{
  static const char *const names[] = {
    "JIT_CODE_LOAD", "JIT_CODE_MOVE", "JIT_CODE_DEBUG_INFO", "JIT_CODE_CLOSE",
    "JIT_CODE_UNWINDING_INFO",
  };

  return id < G_N_ELEMENTS (names) ? names[id] : "record";
}

/* Reads the records in file order into events and line tables. */
static gboolean
parse_records (Parser *p, GError **error)
{
  gsize offset = p->dump->header_size;

  while (offset < p->size)
    {
      gsize left = p->size - offset;
      const guint8 *r = p->data + offset;
      guint32 id, total;
      guint64 timestamp;
      gsize avail;
      gboolean ok = TRUE;

      if (left < PREFIX_SIZE)
        {
          p->dump->partial_offset = offset;
          ipt_jitdump_warn (p, offset, "the last record is cut off by the end of the file after"
                       " 0x%" G_GSIZE_MODIFIER "x of the 16 bytes of its prefix: the JIT"
                       " was still writing the dump, or it was truncated; the records"
                       " before it are used", left);
          break;
        }
      id = rd32 (p, r);
      total = rd32 (p, r + 4);
      timestamp = rd64 (p, r + 8);
      if (total < fixed_size (id))
        {
          set_error (p, error, offset, "%s (id %u): total_size 0x%x is smaller than the"
                     " %" G_GSIZE_FORMAT " bytes of its fixed part", record_name (id), id,
                     total, fixed_size (id));
          return FALSE;
        }
      avail = MIN ((gsize) total, left);

      switch (id)
        {
        case IPT_JITDUMP_CODE_LOAD:
          ok = parse_load (p, offset, total, avail, timestamp, error);
          break;
        case IPT_JITDUMP_CODE_MOVE:
          ok = parse_move (p, offset, total, avail, timestamp, error);
          break;
        case IPT_JITDUMP_CODE_DEBUG_INFO:
          ok = parse_debug_info (p, offset, total, avail, error);
          break;
        case IPT_JITDUMP_CODE_CLOSE:
          break;
        case IPT_JITDUMP_CODE_UNWINDING_INFO:
          p->dump->n_unwinding_info += avail == total;
          break;
        default:
          if (avail == total && p->dump->n_unknown++ == 0)
            p->first_unknown = offset;
          break;
        }
      if (!ok)
        return FALSE;

      /* Only the bytes present could be checked; the rest is still being
       * written (or was lost), and nothing can follow it. */
      if (avail < total)
        {
          p->dump->partial_offset = offset;
          ipt_jitdump_warn (p, offset, "the last record (%s, total_size 0x%x) is cut off by the"
                       " end of the file after 0x%" G_GSIZE_MODIFIER "x bytes: the JIT was"
                       " still writing the dump, or it was truncated; the records before it"
                       " are used", record_name (id), total, avail);
          break;
        }
      offset += total;
      if (id == IPT_JITDUMP_CODE_CLOSE)
        {
          p->dump->closed = TRUE;
          if (offset < p->size)
            ipt_jitdump_warn (p, offset, "0x%" G_GSIZE_MODIFIER "x bytes after JIT_CODE_CLOSE"
                         " are ignored", p->size - offset);
          break;
        }
    }

  if (p->pending && p->n_unmatched_debug++ == 0)
    p->first_unmatched_debug = p->pending_offset;
  if (p->n_unmatched_debug > 0)
    ipt_jitdump_warn (p, p->first_unmatched_debug, "%" G_GSIZE_FORMAT " JIT_CODE_DEBUG_INFO"
                 " records are not followed by the JIT_CODE_LOAD of their code_addr: their"
                 " line tables are not used (the first one at this offset)",
                 p->n_unmatched_debug);
  if (p->dump->n_unknown > 0)
    ipt_jitdump_warn (p, p->first_unknown, "%" G_GSIZE_FORMAT " records of unknown ids were skipped"
                 " (the first one at this offset)", p->dump->n_unknown);
  return TRUE;
}

/**
 * ipt_jitdump_parse:
 * @data: (array length=size): the bytes of the dump
 * @size: size of @data
 * @name: the dump's name, for messages
 * @tsc: (nullable): the conversion of TSC timestamps, used when the header
 *   has JITDUMP_FLAGS_ARCH_TIMESTAMP; %NULL uses them as they are
 * @error: return location for an error
 *
 * Parses the dump and builds its code versions. A last record that the end
 * of the file cuts off is a warning (the JIT may still be writing), once
 * the bytes of it that are present have been checked.
 *
 * Errors: %IPT_ERROR_TRUNCATED when the file is shorter than the header
 * (or the header's total_size); %IPT_ERROR_NOT_SUPPORTED for a version
 * other than 1; %IPT_ERROR_CORRUPT for a wrong magic, a header total_size
 * below 40, a record total_size below its fixed part, a code_size or
 * nr_entry that cannot fit its record, a name not terminated inside its
 * record, code that would reach the end of the address space (2^64).
 *
 * Returns: (transfer full) (nullable): the dump, or %NULL with @error set
 */
IptJitdump *
ipt_jitdump_parse (const guint8 *data, gsize size, const char *name, const IptJitdumpTsc *tsc,
                   GError **error)
{
  g_autoptr (IptJitdump) dump = g_new0 (IptJitdump, 1);
  Parser p = { 0 };
  gboolean ok;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  dump->warnings = g_ptr_array_new_with_free_func (g_free);
  p.data = data;
  p.size = size;
  p.name = name;
  p.tsc = tsc;
  p.dump = dump;
  if (!parse_header (&p, error))
    return NULL;

  p.strings = g_string_new (NULL);
  p.files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p.events = g_array_new (FALSE, FALSE, sizeof (Event));
  p.lines = g_array_new (FALSE, FALSE, sizeof (BuildLine));
  ok = parse_records (&p, error);
  if (ok)
    ipt_jitdump_build_versions (&p);
  if (p.strings != NULL)
    g_string_free (p.strings, TRUE);
  g_hash_table_unref (p.files);
  g_array_unref (p.events);
  g_array_unref (p.lines);
  if (!ok)
    return NULL;
  return g_steal_pointer (&dump);
}

/**
 * ipt_jitdump_free:
 * @dump: (nullable): a dump
 *
 * Frees @dump.
 */
void
ipt_jitdump_free (IptJitdump *dump)
{
  if (dump == NULL)
    return;
  ipt_jitmap_spans_clear (&dump->spans);
  g_free (dump->codes);
  g_free (dump->lines);
  g_free (dump->strings);
  g_clear_pointer (&dump->warnings, g_ptr_array_unref);
  g_free (dump);
}
