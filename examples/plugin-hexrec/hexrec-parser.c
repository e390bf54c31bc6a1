/* hexrec-parser.c: Motorola S-record and Intel HEX text into address-sorted
 * segments of bytes.
 *
 * The facts of the formats are from their specifications: Motorola's
 * S-record format (M68000 Family Programmer's Reference Manual, appendix C)
 * and Intel's Hexadecimal Object File Format Specification, revision A.
 * gdb (`dump srec memory`, `dump ihex memory`) and objcopy (`-O srec`,
 * `-O ihex`) write them through BFD.
 *
 * Every record is checked (hex digits, its count, its checksum, its type)
 * and every problem is an IPT_ERROR naming the file and the line: a dump
 * with one flipped character must never serve wrong code bytes. Two records
 * that give the same address are an error too, whichever bytes they hold.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "hexrec-parser.h"

/* An S-record's count byte and an Intel HEX record's data length are one
 * byte: a line decodes to at most 1 + 255 bytes (S-record) or
 * 4 + 255 + 1 (Intel HEX). */
#define MAX_RECORD_BYTES 260

/* The bytes of one data record, before sorting. */
typedef struct {
  guint64 address;
  gsize length;
  gsize offset;      /* in Parser.raw */
  guint line;
} Chunk;

typedef struct {
  const char *name;
  HexrecFormat format;

  /* the line being parsed, without its end of line */
  guint line;
  const char *text;
  gsize length;
  guint8 bytes[MAX_RECORD_BYTES];
  gsize n_bytes;

  /* what the records said so far */
  GArray *chunks;
  GByteArray *raw;
  guint64 n_data_records;
  guint end_line;        /* the termination / end-of-file record's, 0 before it */
  guint64 ihex_base;     /* from the last type 02 or 04 record */
  gboolean ihex_segmented;
} Parser;

static gboolean fail (Parser *p, GError **error, gint code, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

/* Sets "hexrec: NAME:LINE: MESSAGE" and returns FALSE. */
static gboolean
fail (Parser *p, GError **error, gint code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, IPT_ERROR, code, "hexrec: %s:%u: %s", p->name, p->line, message);
  return FALSE;
}

/* Decodes the hex digits of the line from column @from on into p->bytes. */
static gboolean
decode_hex (Parser *p, gsize from, GError **error)
{
  gsize n_digits = p->length - from;

  for (gsize i = from; i < p->length; i++)
    if (!g_ascii_isxdigit (p->text[i]))
      {
        guchar c = (guchar) p->text[i];

        if (g_ascii_isprint (c))
          return fail (p, error, IPT_ERROR_CORRUPT, "'%c' at column %" G_GSIZE_FORMAT
                       " is not a hex digit", c, i + 1);
        return fail (p, error, IPT_ERROR_CORRUPT, "byte 0x%02x at column %" G_GSIZE_FORMAT
                     " is not a hex digit", c, i + 1);
      }
  if (n_digits % 2 != 0)
    return fail (p, error, IPT_ERROR_CORRUPT, "odd number of hex digits (%" G_GSIZE_FORMAT
                 "): the record is cut or has a digit too many", n_digits);
  if (n_digits / 2 > MAX_RECORD_BYTES)
    return fail (p, error, IPT_ERROR_CORRUPT, "%" G_GSIZE_FORMAT " hex digits: longer than"
                 " any record can be", n_digits);

  for (gsize i = 0; i < n_digits / 2; i++)
    p->bytes[i] = (guint8) (g_ascii_xdigit_value (p->text[from + 2 * i]) << 4
                            | g_ascii_xdigit_value (p->text[from + 2 * i + 1]));
  p->n_bytes = n_digits / 2;
  return TRUE;
}

static void
add_chunk (Parser *p, guint64 address, const guint8 *bytes, gsize length)
{
  Chunk chunk = { address, length, p->raw->len, p->line };

  if (length == 0)
    return;
  g_array_append_val (p->chunks, chunk);
  g_byte_array_append (p->raw, bytes, (guint) length);
}

static guint64
read_be (const guint8 *bytes, gsize n)
{
  guint64 value = 0;

  for (gsize i = 0; i < n; i++)
    value = value << 8 | bytes[i];
  return value;
}

/* S<type><count><address><data><checksum>: the count is the number of
 * bytes after it; the checksum is the ones' complement of the low byte of
 * the sum of the count, address and data bytes. */
static gboolean
parse_srec_line (Parser *p, GError **error)
{
  gsize address_size, count, data_size;
  const guint8 *data;
  guint64 address;
  guint sum = 0;
  char type;

  if (p->text[0] != 'S')
    return fail (p, error, IPT_ERROR_CORRUPT, "expected an S-record ('S'), the line starts"
                 " with 0x%02x", (guchar) p->text[0]);
  if (p->length < 2)
    return fail (p, error, IPT_ERROR_CORRUPT, "an 'S' alone, no record type");

  type = p->text[1];
  switch (type)
    {
    case '0': case '1': case '5': case '9':
      address_size = 2;
      break;
    case '2': case '6': case '8':
      address_size = 3;
      break;
    case '3': case '7':
      address_size = 4;
      break;
    case '4':
      return fail (p, error, IPT_ERROR_CORRUPT, "record type S4 is reserved, no file holds one");
    default:
      if (g_ascii_isprint (type))
        return fail (p, error, IPT_ERROR_CORRUPT, "'S%c' is not an S-record type (S0 to S9)",
                     type);
      return fail (p, error, IPT_ERROR_CORRUPT, "byte 0x%02x after 'S' is not an S-record type"
                   " (S0 to S9)", (guchar) type);
    }

  if (!decode_hex (p, 2, error))
    return FALSE;
  if (p->n_bytes == 0)
    return fail (p, error, IPT_ERROR_CORRUPT, "S%c record without a count", type);
  count = p->bytes[0];
  if (p->n_bytes - 1 != count)
    return fail (p, error, IPT_ERROR_CORRUPT, "the count says %" G_GSIZE_FORMAT " bytes follow,"
                 " the line has %" G_GSIZE_FORMAT, count, p->n_bytes - 1);
  if (count < address_size + 1)
    return fail (p, error, IPT_ERROR_CORRUPT, "count %" G_GSIZE_FORMAT " is too small for an S%c"
                 " record (a %" G_GSIZE_FORMAT "-byte address and the checksum)",
                 count, type, address_size);

  for (gsize i = 0; i < count; i++)
    sum += p->bytes[i];
  if (p->bytes[count] != (guint8) ~sum)
    return fail (p, error, IPT_ERROR_CORRUPT, "checksum 0x%02x, expected 0x%02x",
                 p->bytes[count], (guint8) ~sum);

  if (p->end_line != 0)
    return fail (p, error, IPT_ERROR_CORRUPT, "a record after the termination record of line %u",
                 p->end_line);

  address = read_be (p->bytes + 1, address_size);
  data = p->bytes + 1 + address_size;
  data_size = count - address_size - 1;

  switch (type)
    {
    case '0':       /* the header: a module name, nothing to map */
      break;
    case '1': case '2': case '3':
      p->n_data_records++;
      add_chunk (p, address, data, data_size);
      break;
    case '5': case '6':
      /* the number of S1/S2/S3 records before it */
      if (address != p->n_data_records)
        return fail (p, error, IPT_ERROR_CORRUPT, "the S%c record counts %" G_GUINT64_FORMAT
                     " data records, %" G_GUINT64_FORMAT " precede it: records are missing"
                     " or repeated", type, address, p->n_data_records);
      break;
    default:        /* S7, S8, S9: the start address, and the end */
      if (data_size != 0)
        return fail (p, error, IPT_ERROR_CORRUPT, "termination record S%c with %" G_GSIZE_FORMAT
                     " data bytes", type, data_size);
      p->end_line = p->line;
      break;
    }
  return TRUE;
}

/* A data record of Intel HEX: with a segment base (type 02) the offset
 * wraps within its 64 KiB segment; with a linear base (type 04) the
 * address wraps at 4 GiB. */
static void
add_ihex_data (Parser *p, guint offset, const guint8 *data, gsize size)
{
  for (gsize done = 0, n; done < size; done += n)
    {
      guint64 address;

      if (p->ihex_segmented)
        {
          guint64 in_segment = (offset + done) & 0xffff;

          n = (gsize) MIN (size - done, 0x10000 - in_segment);
          address = p->ihex_base + in_segment;
        }
      else
        {
          address = (p->ihex_base + offset + done) & G_GUINT64_CONSTANT (0xffffffff);
          n = (gsize) MIN (size - done, G_GUINT64_CONSTANT (0x100000000) - address);
        }
      add_chunk (p, address, data + done, n);
    }
}

/* :<count><address, 2 bytes><type><data><checksum>: all bytes, the
 * checksum included, add up to 0 modulo 256. */
static gboolean
parse_ihex_line (Parser *p, GError **error)
{
  static const gsize fixed_sizes[] = { 0, 0, 2, 4, 2, 4 };   /* by type; 00 varies */
  gsize count;
  guint offset, type;
  const guint8 *data;
  guint sum = 0;

  if (p->text[0] != ':')
    return fail (p, error, IPT_ERROR_CORRUPT, "expected an Intel HEX record (':'), the line starts"
                 " with 0x%02x", (guchar) p->text[0]);
  if (!decode_hex (p, 1, error))
    return FALSE;
  if (p->n_bytes < 5)
    return fail (p, error, IPT_ERROR_CORRUPT, "%" G_GSIZE_FORMAT " bytes: a record has at least 5"
                 " (count, address, type, checksum)", p->n_bytes);
  count = p->bytes[0];
  if (p->n_bytes != count + 5)
    return fail (p, error, IPT_ERROR_CORRUPT, "the count says %" G_GSIZE_FORMAT " data bytes, the"
                 " line has %" G_GSIZE_FORMAT, count, p->n_bytes - 5);

  for (gsize i = 0; i < p->n_bytes - 1; i++)
    sum += p->bytes[i];
  if (p->bytes[p->n_bytes - 1] != (guint8) -sum)
    return fail (p, error, IPT_ERROR_CORRUPT, "checksum 0x%02x, expected 0x%02x",
                 p->bytes[p->n_bytes - 1], (guint8) -sum);

  if (p->end_line != 0)
    return fail (p, error, IPT_ERROR_CORRUPT, "a record after the end-of-file record of line %u",
                 p->end_line);

  offset = (guint) read_be (p->bytes + 1, 2);
  type = p->bytes[3];
  data = p->bytes + 4;
  if (type > 0x05)
    return fail (p, error, IPT_ERROR_CORRUPT, "record type 0x%02x is not an Intel HEX record"
                 " type (00 to 05)", type);
  if (type != 0x00 && count != fixed_sizes[type])
    return fail (p, error, IPT_ERROR_CORRUPT, "a type 0x%02x record has %" G_GSIZE_FORMAT
                 " data bytes, not %" G_GSIZE_FORMAT, type, count, fixed_sizes[type]);

  switch (type)
    {
    case 0x00:
      add_ihex_data (p, offset, data, count);
      break;
    case 0x01:      /* end of file */
      p->end_line = p->line;
      break;
    case 0x02:      /* extended segment address: the base is the segment times 16 */
      p->ihex_base = read_be (data, 2) << 4;
      p->ihex_segmented = TRUE;
      break;
    case 0x04:      /* extended linear address: the upper 16 bits */
      p->ihex_base = read_be (data, 2) << 16;
      p->ihex_segmented = FALSE;
      break;
    default:        /* 03, 05: start addresses, nothing to map */
      break;
    }
  return TRUE;
}

static gint
compare_chunks (gconstpointer a, gconstpointer b)
{
  const Chunk *x = a, *y = b;

  if (x->address != y->address)
    return x->address < y->address ? -1 : 1;
  return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts the chunks and joins them into segments; two chunks that give one
 * address are an error at the later line of the two. */
static HexrecData *
build_segments (Parser *p, GError **error)
{
  g_autoptr (HexrecData) data = g_new0 (HexrecData, 1);

  data->format = p->format;
  data->segments = g_array_new (FALSE, FALSE, sizeof (HexrecSegment));
  data->data = g_byte_array_sized_new (p->raw->len);

  g_array_sort (p->chunks, compare_chunks);
  for (guint i = 0; i < p->chunks->len; i++)
    {
      const Chunk *chunk = &g_array_index (p->chunks, Chunk, i);
      HexrecSegment *last = data->segments->len > 0
        ? &g_array_index (data->segments, HexrecSegment, data->segments->len - 1) : NULL;

      if (i > 0)
        {
          const Chunk *before = chunk - 1;
          guint64 before_end = before->address + before->length;

          if (chunk->address < before_end)
            {
              p->line = MAX (chunk->line, before->line);
              fail (p, error, IPT_ERROR_CORRUPT, "bytes 0x%" G_GINT64_MODIFIER "x to 0x%"
                           G_GINT64_MODIFIER "x are also given by line %u: overlapping data",
                           chunk->address, MIN (before_end, chunk->address + chunk->length) - 1,
                           MIN (chunk->line, before->line));
              return NULL;
            }
        }
      if (last != NULL && last->address + last->length == chunk->address)
        last->length += chunk->length;
      else
        {
          HexrecSegment segment = { chunk->address, chunk->length, data->data->len };

          g_array_append_val (data->segments, segment);
        }
      g_byte_array_append (data->data, p->raw->data + chunk->offset, (guint) chunk->length);
    }
  return g_steal_pointer (&data);
}

/**
 * hexrec_parse:
 * @name: the file's name, for messages
 * @text: (array length=length): the file's contents
 * @length: their size
 * @error: return location for an error
 *
 * Parses a Motorola S-record or an Intel HEX file, told apart by its first
 * non-empty line ('S' or ':'). Lines end in LF or CR LF; empty lines are
 * skipped. The file must end with its termination record (S7, S8 or S9;
 * Intel HEX's end-of-file record), nothing but empty lines after it.
 *
 * Returns: (transfer full): the file's bytes by address, or %NULL with
 *   %IPT_ERROR_CORRUPT (a bad record: "hexrec: NAME:LINE: PROBLEM"),
 *   %IPT_ERROR_TRUNCATED (no termination record) or
 *   %IPT_ERROR_INVALID_ARGUMENT (neither format, no data records)
 */
HexrecData *
hexrec_parse (const char *name, const char *text, gsize length, GError **error)
{
  g_autoptr (GArray) chunks = g_array_new (FALSE, FALSE, sizeof (Chunk));
  g_autoptr (GByteArray) raw = g_byte_array_new ();
  Parser p = { .name = name, .chunks = chunks, .raw = raw, .ihex_segmented = TRUE };
  gboolean format_known = FALSE;
  gsize at = 0;

  while (at < length)
    {
      const char *end = memchr (text + at, '\n', length - at);
      gsize line_end = end != NULL ? (gsize) (end - text) : length;

      p.line++;
      p.text = text + at;
      p.length = line_end - at;
      at = line_end + 1;
      if (p.length > 0 && p.text[p.length - 1] == '\r')
        p.length--;
      if (p.length == 0)
        continue;

      if (!format_known)
        {
          if (p.text[0] == 'S')
            p.format = HEXREC_FORMAT_SREC;
          else if (p.text[0] == ':')
            p.format = HEXREC_FORMAT_IHEX;
          else
            {
              fail (&p, error, IPT_ERROR_INVALID_ARGUMENT, "neither a Motorola S-record ('S')"
                    " nor an Intel HEX record (':'): the line starts with 0x%02x",
                    (guchar) p.text[0]);
              return NULL;
            }
          format_known = TRUE;
        }
      if (!(p.format == HEXREC_FORMAT_SREC ? parse_srec_line (&p, error)
                                           : parse_ihex_line (&p, error)))
        return NULL;
    }

  if (!format_known)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "hexrec: %s: the file has no records", name);
      return NULL;
    }
  if (p.end_line == 0)
    {
      fail (&p, error, IPT_ERROR_TRUNCATED, "the file ends without %s: truncated?",
            p.format == HEXREC_FORMAT_SREC ? "a termination record (S7, S8 or S9)"
                                           : "an end-of-file record (type 01)");
      return NULL;
    }
  if (chunks->len == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "hexrec: %s: no data records, no bytes to map", name);
      return NULL;
    }
  return build_segments (&p, error);
}

/**
 * hexrec_data_relocate:
 * @data: parsed data
 * @name: the file's name, for messages
 * @base: where the lowest address of @data goes
 * @error: return location for an error
 *
 * Moves every segment by the same distance, so that the lowest lands at
 * @base: for dumps whose addresses were cut to 32 bits (an S-record or an
 * Intel HEX address has at most 32) or that belong elsewhere.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_INVALID_ARGUMENT when the
 *   bytes would reach past the 64-bit address space
 */
gboolean
hexrec_data_relocate (HexrecData *data, const char *name, guint64 base, GError **error)
{
  const HexrecSegment *first = &g_array_index (data->segments, HexrecSegment, 0);
  const HexrecSegment *last = &g_array_index (data->segments, HexrecSegment,
                                              data->segments->len - 1);
  guint64 lowest = first->address;
  guint64 span = last->address + last->length - lowest;

  if (span - 1 > G_MAXUINT64 - base)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "hexrec: %s: base 0x%" G_GINT64_MODIFIER "x: the file's 0x%"
                   G_GINT64_MODIFIER "x bytes of addresses would reach past the end of the"
                   " 64-bit address space", name, base, span);
      return FALSE;
    }
  for (guint i = 0; i < data->segments->len; i++)
    g_array_index (data->segments, HexrecSegment, i).address += base - lowest;
  return TRUE;
}

void
hexrec_data_free (HexrecData *data)
{
  if (data == NULL)
    return;
  g_clear_pointer (&data->segments, g_array_unref);
  g_clear_pointer (&data->data, g_byte_array_unref);
  g_free (data);
}

const char *
hexrec_format_to_string (HexrecFormat format)
{
  return format == HEXREC_FORMAT_SREC ? "Motorola S-record" : "Intel HEX";
}
