/* fuzz-elf.c: libFuzzer harness for the ELF header, PT_LOAD and build-id
 * parsers of plugins/elf/ipt-elf-util.c (shared with the coredump plugin),
 * through the in-memory entry point (elf_memory). */
#include "config.h"

#include <string.h>

#include "../../plugins/elf/ipt-elf-util.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree guint8 *image = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) loads = NULL;
  g_autofree char *build_id = NULL;
  g_autofree char *page_id = NULL;
  IptElfHeader header;
  Elf *elf;
  guint i;

  /* libelf may convert in place: give it a private copy. */
  image = g_memdup2 (data, size);
  elf = ipt_elf_open_memory (image, size, "fuzz.elf", &error);
  if (elf == NULL)
    {
      g_assert (error != NULL && strstr (error->message, "fuzz.elf") != NULL);
      return 0;
    }
  if (ipt_elf_read_header (elf, size, "fuzz.elf", &header, &error))
    {
      loads = ipt_elf_read_loads (elf, &header, size, "fuzz.elf", &error);
      g_assert ((loads == NULL) == (error != NULL));
      /* What the provider relies on: file bytes inside the image, sorted,
       * disjoint, no wrap-around. */
      for (i = 0; loads != NULL && i < loads->len; i++)
        {
          const IptElfSegment *s = &g_array_index (loads, IptElfSegment, i);

          g_assert (s->filesz <= s->memsz && s->memsz > 0);
          g_assert (s->filesz == 0 || (s->offset <= size && s->filesz <= size - s->offset));
          g_assert (s->memsz <= G_MAXUINT64 - s->vaddr);
          if (i > 0)
            {
              const IptElfSegment *p = &g_array_index (loads, IptElfSegment, i - 1);
              g_assert (p->vaddr + p->memsz <= s->vaddr);
            }
        }
      build_id = ipt_elf_read_build_id (elf, &header, size);
      g_assert (build_id == NULL || strlen (build_id) % 2 == 0);
    }
  else
    g_assert (error != NULL && strstr (error->message, "fuzz.elf") != NULL);
  elf_end (elf);

  page_id = ipt_elf_build_id_from_memory (data, MIN (size, 4096));
  return 0;
}
