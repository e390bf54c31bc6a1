/* fuzz-jitdump.c: libFuzzer harness for the jitdump parser (plugins/jitmap/ipt-jitdump-parser.c).
 *
 * The input is the dump. It is parsed twice, with its timestamps as they
 * are and through a TSC conversion: both parses must agree on success and
 * on the shape of the result. Every dump that parses is checked against
 * the raw bytes: each version's code lies inside the input, versions are
 * sorted, two versions that share an address never share a time, the time
 * rule finds each version at its start, reads return exactly the input's
 * bytes and never more than asked, line tables are sorted and in range,
 * and the index answers as a scan of all versions by the rule would.
 * Seeds: tests/fuzz/corpus/jitdump/, written by tests/fuzz/corpus/make-jitmap-seeds.py. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-jitdump-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Beyond this many versions, the pairwise check would dominate the run. */
#define MAX_PAIRWISE 256

/* The rule, by brute force. */
static const IptJitdumpCode *
scan_find (const IptJitdump *dump, guint64 address, guint64 time)
{
  const IptJitdumpCode *next = NULL;

  for (gsize i = 0; i < dump->n_codes; i++)
    {
      const IptJitdumpCode *code = &dump->codes[i];

      if (address < code->span.start || address >= code->span.end)
        continue;
      if (ipt_jitdump_code_is_valid_at (code, time))
        return code;
      if (code->valid_from > time && (next == NULL || code->valid_from < next->valid_from))
        next = code;
    }
  return next;
}

static void
check_against_scan (const IptJitdump *dump, const IptJitdumpCode *code)
{
  const guint64 addresses[] = {
    code->span.start, code->span.end - 1, code->span.start - 1, code->span.end,
  };
  const guint64 times[] = {
    code->valid_from, code->valid_from - 1, code->valid_to, code->valid_to - 1, G_MAXUINT64, 0,
  };

  for (gsize a = 0; a < G_N_ELEMENTS (addresses); a++)
    for (gsize t = 0; t < G_N_ELEMENTS (times); t++)
      g_assert (ipt_jitdump_find (dump, addresses[a], times[t])
                == scan_find (dump, addresses[a], times[t]));
}

static void
check_dump (const IptJitdump *dump, const guint8 *data, gsize size)
{
  g_assert (dump->header_size >= IPT_JITDUMP_HEADER_SIZE && dump->header_size <= size);
  g_assert (dump->partial_offset == 0 || dump->partial_offset >= dump->header_size);

  for (gsize i = 0; i < dump->n_codes; i++)
    {
      const IptJitdumpCode *code = &dump->codes[i];
      guint64 length = code->span.end - code->span.start;
      const IptJitdumpCode *found;
      guint8 buffer[16];
      gsize n, want;

      g_assert (code->span.start < code->span.end);
      g_assert (code->code_offset >= dump->header_size);
      g_assert (code->code_offset <= size && length <= size - code->code_offset);
      g_assert (code->valid_from < code->valid_to);
      g_assert (code->name != NULL);
      g_assert (code->first_line <= dump->n_lines
                && code->n_lines <= dump->n_lines - code->first_line);
      for (gsize l = 1; l < code->n_lines; l++)
        g_assert (dump->lines[code->first_line + l - 1].offset
                  <= dump->lines[code->first_line + l].offset);
      if (i > 0)
        {
          const IptJitdumpCode *prev = &dump->codes[i - 1];

          g_assert (prev->span.start < code->span.start
                    || (prev->span.start == code->span.start
                        && prev->valid_from < code->valid_from));
        }

      /* At its start and its first time, the rule finds it. */
      found = ipt_jitdump_find (dump, code->span.start, code->valid_from);
      g_assert (found == code);
      found = ipt_jitdump_find (dump, code->span.end - 1, code->valid_from);
      g_assert (found == code);

      want = (gsize) MIN ((guint64) sizeof buffer, length);
      n = ipt_jitdump_read (dump, data, buffer, want, code->span.start, code->valid_from);
      g_assert (n == want);
      g_assert (memcmp (buffer, data + code->code_offset, n) == 0);
      n = ipt_jitdump_read (dump, data, buffer, sizeof buffer, code->span.end - 1,
                            code->valid_from);
      g_assert (n >= 1 && n <= sizeof buffer);
      g_assert (buffer[0] == data[code->code_offset + length - 1]);

      if (code->n_lines > 0)
        {
          const IptJitdumpLine *line = ipt_jitdump_code_find_line (dump, code, code->span.end - 1);

          g_assert (line == NULL || line->file != NULL);
        }
    }

  if (dump->n_codes <= MAX_PAIRWISE)
    for (gsize i = 0; i < dump->n_codes; i++)
      check_against_scan (dump, &dump->codes[i]);
  if (dump->n_codes <= MAX_PAIRWISE)
    for (gsize i = 0; i < dump->n_codes; i++)
      for (gsize j = i + 1; j < dump->n_codes; j++)
        {
          const IptJitdumpCode *a = &dump->codes[i], *b = &dump->codes[j];

          if (a->span.start < b->span.end && b->span.start < a->span.end)
            g_assert (a->valid_to <= b->valid_from || b->valid_to <= a->valid_from);
        }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const IptJitdumpTsc tsc = { 1000, 3, 1 };
  g_autoptr (IptJitdump) dump = NULL;
  g_autoptr (IptJitdump) converted = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) converted_error = NULL;

  dump = ipt_jitdump_parse (data, size, "fuzz.dump", NULL, &error);
  converted = ipt_jitdump_parse (data, size, "fuzz.dump", &tsc, &converted_error);
  if (dump == NULL)
    {
      g_assert (error != NULL && error->domain == IPT_ERROR);
      g_assert (strstr (error->message, "fuzz.dump: offset 0x") != NULL);
      g_assert (converted == NULL && converted_error->code == error->code);
      return 0;
    }
  g_assert (error == NULL && converted != NULL);
  g_assert (converted->n_loads == dump->n_loads && converted->n_moves == dump->n_moves);
  for (guint i = 0; i < dump->warnings->len; i++)
    g_assert (g_str_has_prefix (g_ptr_array_index (dump->warnings, i), "fuzz.dump: offset 0x"));

  check_dump (dump, data, size);
  check_dump (converted, data, size);
  return 0;
}
