/* fuzz-coredump.c: libFuzzer harness for the coredump plugin's parser.
 *
 * Feeds the input as a core (program headers, notes, NT_FILE, NT_PRSTATUS),
 * builds the piece index and looks up every piece boundary, and inspects the
 * input as an ELF file (build-id notes, section headers, the PT_LOAD at an
 * offset: plugins/common/ipt-elf-reader.c) as the plugin does with a core's
 * header page and with the files on disk. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-coredump-parser.h"
#include "ipt-elf-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptCoreInfo) info = ipt_core_parse (data, size, "fuzz", &error);
  IptElfFacts facts;

  g_assert ((info == NULL) == (error != NULL));
  if (info != NULL)
    {
      gsize n = 0;
      g_autofree IptCorePiece *pieces = ipt_core_build_pieces (info, &n);

      for (gsize i = 0; i < info->n_mappings; i++)
        {
          g_assert (info->mappings[i].file < info->n_files);
          /* an unaligned mapping shifts its code: the decoders looped on one */
          g_assert (info->mappings[i].start % 4096 == 0 && info->mappings[i].end % 4096 == 0);
        }
      for (gsize i = 0; i < n; i++)
        {
          g_assert (pieces[i].start < pieces[i].end);
          g_assert (i == 0 || pieces[i - 1].end <= pieces[i].start);
          g_assert (ipt_core_pieces_lookup (pieces, n, pieces[i].start) == &pieces[i]);
          g_assert (ipt_core_pieces_lookup (pieces, n, pieces[i].end - 1) == &pieces[i]);
          /* core pieces lie inside the input */
          if (pieces[i].file < 0)
            g_assert (pieces[i].offset <= size && pieces[i].end - pieces[i].start <= size - pieces[i].offset);
        }
    }

  ipt_elf_inspect (data, size, &facts);
  if (facts.build_id != NULL)
    g_assert (facts.build_id >= data && facts.build_id + facts.build_id_len <= data + size);
  /* As the plugin asks a mapped file for the permissions of an undumped page. */
  ipt_core_elf_flags_at_offset (data, size, size / 2);
  return 0;
}
