/* fuzz-qemu-migration.c: libFuzzer harness for the QEMU migration stream
 * parser (plugins/qemu/ipt-qemu-migration.c): the input is a stream file.
 *
 * Every run either parses, or fails with an IPT_ERROR whose message names
 * the stream and an offset; a parsed stream's pages lie inside it, its RAM
 * placed as a PC's reads back through ipt_qemu_ram_read without a fault. */
#define _GNU_SOURCE   /* memfd_create, in fuzz-mapped-input.h */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "fuzz-mapped-input.h"
#include "ipt-qemu-snapshot.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_parsed (IptQemuStream *stream, IptQemuRam *ram, const char *machine)
{
  const IptQemuRamBlock *const *blocks;
  const IptQemuRamMapping *maps;
  gsize n_blocks, n_maps;
  guint64 size = ipt_qemu_stream_get_size (stream);
  g_autoptr (GError) error = NULL;
  guint8 buf[3 * 4096];

  blocks = ipt_qemu_ram_get_blocks (ram, &n_blocks);
  for (gsize i = 0; i < n_blocks; i++)
    for (guint64 k = 0; k < ipt_qemu_ram_block_get_size (blocks[i]) / 4096; k++)
      {
        guint64 at = ipt_qemu_ram_block_get_page (blocks[i], k);

        g_assert (at >= IPT_QEMU_RAM_PAGE_ABSENT || (at <= size && 4096 <= size - at));
      }
  if (!ipt_qemu_migration_place_pc (ram, machine, 0, &error))
    return;
  maps = ipt_qemu_ram_get_mappings (ram, &n_maps);
  for (gsize i = 0; i < n_maps; i++)
    for (guint64 at = 0; at < maps[i].size && at < 64 * 4096; at += 4096)
      {
        gssize n = ipt_qemu_ram_read (ram, maps[i].paddr + at - (at > 0 ? 7 : 0), buf, sizeof buf, NULL);

        g_assert (n >= 0 && (gsize) n <= sizeof buf);
      }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GMappedFile) file = fuzz_map_input (data, size);
  g_autoptr (IptQemuStream) stream = ipt_qemu_stream_new_file (file, "fuzz", NULL);
  g_autoptr (IptQemuRam) ram = ipt_qemu_ram_new (stream);
  g_autoptr (GArray) cpus = g_array_new (FALSE, TRUE, sizeof (IptQemuCpu));
  g_autoptr (GError) error = NULL;
  g_autofree char *machine = NULL;

  if (ipt_qemu_migration_parse (stream, ram, cpus, &machine, &error))
    {
      g_assert (error == NULL);
      check_parsed (stream, ram, machine);
    }
  else
    {
      g_assert (error != NULL && error->domain == IPT_ERROR);
      g_assert (g_str_has_prefix (error->message, "fuzz: offset 0x"));
    }
  return 0;
}
