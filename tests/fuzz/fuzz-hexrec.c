/* fuzz-hexrec.c: libFuzzer harness for the hexrec example plugin's parser
 * of Motorola S-record and Intel HEX files (examples/plugin-hexrec/hexrec-parser.c).
 *
 * The input is the file. A file that does not parse is an IPT_ERROR that
 * names it; one that parses gives sorted, disjoint, never adjacent, non-empty
 * segments that cover their data exactly, and relocating them keeps that.
 * Seeds: tests/fuzz/corpus/hexrec/ (objcopy -O srec / -O ihex of small
 * inputs, and hand-made records of every type). */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

#include "hexrec-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_segments (const HexrecData *parsed)
{
  gsize covered = 0;

  g_assert (parsed->segments->len > 0);
  for (guint i = 0; i < parsed->segments->len; i++)
    {
      const HexrecSegment *segment = &g_array_index (parsed->segments, HexrecSegment, i);

      g_assert (segment->length > 0);
      g_assert (segment->offset == covered);
      g_assert (segment->length - 1 <= G_MAXUINT64 - segment->address);
      covered += segment->length;
      if (i > 0)
        {
          const HexrecSegment *before = segment - 1;

          /* disjoint and not adjacent: adjacent runs are joined */
          g_assert (before->address + before->length < segment->address);
        }
    }
  g_assert (covered == parsed->data->len);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HexrecData) parsed = NULL;
  g_autoptr (GError) error = NULL;

  parsed = hexrec_parse ("fuzz.hex", (const char *) data, size, &error);
  if (parsed == NULL)
    {
      g_assert (error != NULL && error->domain == IPT_ERROR);
      g_assert (error->code == IPT_ERROR_CORRUPT || error->code == IPT_ERROR_TRUNCATED
                || error->code == IPT_ERROR_INVALID_ARGUMENT);
      g_assert (g_str_has_prefix (error->message, "hexrec: fuzz.hex:"));
      return 0;
    }
  g_assert (error == NULL);
  check_segments (parsed);

  /* the same segments at another base, in the same order */
  if (hexrec_data_relocate (parsed, "fuzz.hex", G_GUINT64_CONSTANT (0x7fff00000000), &error))
    {
      g_assert (g_array_index (parsed->segments, HexrecSegment, 0).address
                == G_GUINT64_CONSTANT (0x7fff00000000));
      check_segments (parsed);
    }
  else
    g_assert (error != NULL && error->code == IPT_ERROR_INVALID_ARGUMENT);
  return 0;
}
