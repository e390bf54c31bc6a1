/* fuzz-qcow2.c: libFuzzer harness for the qcow2 reader (plugins/qemu/
 * ipt-qcow2.c): the input is a qcow2 image.
 *
 * Lists its snapshots, opens the vmstate of each (by id) and of the newest;
 * a vmstate found lies inside the file and is then parsed as the migration
 * stream it should be. Errors are IPT_ERRORs naming the file. */
#define _GNU_SOURCE   /* memfd_create, in fuzz-mapped-input.h */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qcow2.h"
#include "fuzz-mapped-input.h"
#include "ipt-qemu-snapshot.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
open_one (GMappedFile *file, const char *tag, gsize size)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *chosen = NULL;
  g_autoptr (IptQemuStream) stream = ipt_qcow2_open_vmstate (file, "fuzz.qcow2", tag, &chosen, &error);

  if (stream == NULL)
    {
      g_assert (error != NULL && error->domain == IPT_ERROR);
      g_assert (g_str_has_prefix (error->message, "fuzz.qcow2: "));
      return;
    }
  g_assert (chosen != NULL);
  g_assert (ipt_qemu_stream_get_size (stream) <= size);
  {
    g_autoptr (IptQemuRam) ram = ipt_qemu_ram_new (stream);
    g_autoptr (GArray) cpus = g_array_new (FALSE, TRUE, sizeof (IptQemuCpu));
    g_autofree char *machine = NULL;

    if (!ipt_qemu_migration_parse (stream, ram, cpus, &machine, &error))
      g_assert (error != NULL);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GMappedFile) file = fuzz_map_input (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = ipt_qcow2_list_snapshots (data, size, "fuzz.qcow2", &error);

  if (list == NULL)
    g_assert (error != NULL && g_str_has_prefix (error->message, "fuzz.qcow2: offset 0x"));
  for (guint i = 0; list != NULL && i < list->len && i < 8; i++)
    open_one (file, ((IptQcow2Snapshot *) g_ptr_array_index (list, i))->id, size);
  open_one (file, NULL, size);
  return 0;
}
