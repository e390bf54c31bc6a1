/* fuzz-elf.c: libFuzzer harness for what the elf plugin reads of a file:
 * the ELF header and PT_LOAD checks of plugins/common/ipt-elf-reader.c on
 * the input's bytes, its build-id note walker on the whole file and on its
 * first page (as a core dump keeps it; the coredump plugin uses the same
 * reader), and, through libelf's in-memory entry point (elf_memory), the
 * symbol-table builder of plugins/common/ipt-elf-symbols.c. */
#include "config.h"

#include <string.h>

#include "ipt-elf-file.h"
#include "ipt-elf-reader.h"
#include "ipt-elf-symbols.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree guint8 *image = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) loads = NULL;
  g_autofree char *build_id = NULL;
  IptElfFacts facts, page;
  IptElfReader reader;
  IptElfHeader header;
  Elf *elf;
  guint i;

  /* The build-id, as the provider reads it from its mapped file (the input,
   * not libelf's copy), and from the first page only (what a core keeps). */
  ipt_elf_inspect (data, size, &facts);
  if (facts.build_id != NULL)
    {
      g_assert (facts.build_id >= data && facts.build_id_len <= size
                && (gsize) (facts.build_id - data) <= size - facts.build_id_len);
      build_id = ipt_elf_build_id_to_hex (facts.build_id, facts.build_id_len);
      g_assert (strlen (build_id) == 2 * facts.build_id_len);
    }
  ipt_elf_inspect (data, MIN (size, 4096), &page);
  g_assert (page.build_id == NULL || page.build_id + page.build_id_len <= data + MIN (size, 4096));

  if (ipt_elf_reader_open (&reader, data, size, "fuzz.elf", &header, &error))
    {
      loads = ipt_elf_reader_read_loads (&reader, &header, "fuzz.elf", &error);
      g_assert ((loads == NULL) == (error != NULL));
      /* What the provider relies on: file bytes inside the image, sorted,
       * disjoint, no wrap-around. */
      for (i = 0; loads != NULL && i < loads->len; i++)
        {
          const IptElfPhdr *s = &g_array_index (loads, IptElfPhdr, i);

          g_assert (s->filesz <= s->memsz && s->memsz > 0);
          g_assert (s->filesz == 0 || (s->offset <= size && s->filesz <= size - s->offset));
          g_assert (s->memsz <= G_MAXUINT64 - s->vaddr);
          if (i > 0)
            {
              const IptElfPhdr *p = &g_array_index (loads, IptElfPhdr, i - 1);
              g_assert (p->vaddr + p->memsz <= s->vaddr);
            }
        }
    }
  else
    g_assert (error != NULL && strstr (error->message, "fuzz.elf") != NULL);
  g_clear_error (&error);

  /* libelf may convert in place: give it a private copy. */
  image = g_memdup2 (data, size);
  elf = ipt_elf_file_open_memory (image, size, "fuzz.elf", &error);
  if (elf == NULL)
    {
      g_assert (error != NULL && strstr (error->message, "fuzz.elf") != NULL);
      return 0;
    }

  /* The symbol table, relocated by a bias that wraps for some inputs: a
   * symbol found has a name and starts at or below the address. */
  {
    guint64 bias = size > 0 ? (guint64) data[0] << 56 : 0;
    g_autoptr (IptElfSymbols) symbols = ipt_elf_symbols_new (elf, bias, "fuzz.elf");
    const guint64 probes[] = { 0, 0x1000, 0x400000, (guint64) size, G_MAXUINT64 };

    for (i = 0; i < G_N_ELEMENTS (probes); i++)
      {
        const char *name;
        guint64 start, sym_size;

        if (ipt_elf_symbols_lookup (symbols, probes[i], &name, &start, &sym_size))
          g_assert (start <= probes[i] && strlen (name) > 0);
      }
  }
  elf_end (elf);
  return 0;
}
