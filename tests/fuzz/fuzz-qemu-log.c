/* fuzz-qemu-log.c: libFuzzer harness for ipt-record's QEMU execution log
 * parser (tools/ipt-record/ipt-record-qemu-log.c).
 *
 * The input is the log.  A log that parses gives entries whose lines are
 * increasing and inside the input, and whose pc agrees with the way the
 * parser checked it (CS base + RIP); one that does not gives a
 * IPT_ERROR_CORRUPT naming the log and a line. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-record-qemu-log.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = ipt_record_qemu_log_parse ("fuzz.log", (const char *) data, size,
                                                         &error);
  guint n_lines = 1;

  for (size_t i = 0; i < size; i++)
    n_lines += data[i] == '\n';

  if (entries == NULL)
    {
      g_assert (error != NULL);
      g_assert (g_error_matches (error, IPT_ERROR, IPT_ERROR_CORRUPT));
      g_assert (g_str_has_prefix (error->message, "fuzz.log:"));
      return 0;
    }
  g_assert (error == NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      const IptRecordQemuEntry *entry = &g_array_index (entries, IptRecordQemuEntry, i);

      g_assert (entry->line >= 1 && entry->line <= n_lines);
      if (i > 0)
        g_assert (entry->line > g_array_index (entries, IptRecordQemuEntry, i - 1).line);
    }
  return 0;
}
