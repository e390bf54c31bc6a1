/* fuzz-qemu-elfdump.c: libFuzzer harness for the qemu plugin's reading of a
 * dump-guest-memory ELF (plugins/qemu/ipt-qemu-elfdump.c) and of the RAM it
 * indexes (ipt-qemu-ram.c): untrusted input, through the real stream layer
 * (the input is a memfd, mapped as a snapshot file is).
 *
 * A parse either fails with an error that names the file, or gives RAM
 * whose every mapping reads back as many bytes as it is long, whose file
 * runs lie inside the file, and through which each vCPU's CR3 translates a
 * few addresses without failing. */
#define _GNU_SOURCE   /* memfd_create */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qemu-paging.h"
#include "ipt-qemu-snapshot.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define NAME "fuzz.elf"

static void
check_ram (IptQemuRam *ram, guint64 file_size)
{
  const IptQemuRamMapping *maps;
  gsize n;
  guint8 buffer[4096];

  maps = ipt_qemu_ram_get_mappings (ram, &n);
  for (gsize i = 0; i < n && i < 64; i++)
    {
      guint64 first = maps[i].paddr, last = maps[i].paddr + maps[i].size - sizeof (buffer);
      guint64 offset = 0, run;

      for (guint k = 0; k < 2; k++)
        {
          guint64 at = k == 0 ? first : last;

          if (ipt_qemu_ram_read (ram, at, buffer, sizeof (buffer), NULL) != sizeof (buffer))
            __builtin_trap ();
          run = ipt_qemu_ram_file_run (ram, at, sizeof (buffer), &offset);
          if (run > 0 && (offset > file_size || run > file_size - offset))
            __builtin_trap ();
        }
      if (ipt_qemu_ram_held_run (ram, first, maps[i].size, TRUE) != maps[i].size)
        __builtin_trap ();
    }
}

static void
check_cpus (IptQemuRam *ram, GArray *cpus)
{
  static const guint64 addresses[] = { 0, 0x400000, G_GUINT64_CONSTANT (0xffffffff81000000),
                                       G_GUINT64_CONSTANT (0x00007ffffffff000) };

  for (guint i = 0; i < cpus->len && i < 4; i++)
    {
      const IptQemuCpu *cpu = &g_array_index (cpus, IptQemuCpu, i);

      for (gsize k = 0; k < G_N_ELEMENTS (addresses); k++)
        {
          IptQemuTranslation t;
          IptQemuPagingMode mode = (cpu->cr4 & 0x1000) ? IPT_QEMU_PAGING_5_LEVEL
                                                       : IPT_QEMU_PAGING_4_LEVEL;

          if (ipt_qemu_paging_translate (mode, cpu->cr3, ipt_qemu_ram_read, ram, addresses[k], &t,
                                         NULL) < 0)
            __builtin_trap ();
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (IptQemuStream) stream = NULL;
  g_autoptr (IptQemuRam) ram = NULL;
  g_autoptr (GArray) cpus = g_array_new (FALSE, TRUE, sizeof (IptQemuCpu));
  int fd = memfd_create ("fuzz-qemu-elfdump", MFD_CLOEXEC);

  if (fd < 0 || (size > 0 && write (fd, data, size) != (ssize_t) size))
    __builtin_trap ();
  file = g_mapped_file_new_from_fd (fd, FALSE, NULL);
  close (fd);
  if (file == NULL)   /* an empty file cannot be mapped */
    return 0;
  stream = ipt_qemu_stream_new_file (file, NAME, NULL);
  ram = ipt_qemu_ram_new (stream);
  if (!ipt_qemu_elfdump_parse (stream, ram, cpus, &error))
    {
      if (error == NULL || strstr (error->message, NAME) == NULL)
        __builtin_trap ();
      return 0;
    }
  check_ram (ram, size);
  check_cpus (ram, cpus);
  return 0;
}
