/* qemu-parsed.c: see qemu-parsed.h. */
#include "config.h"

#include "qemu-parsed.h"

gboolean
parse (IptQemuStream *stream, Parsed *p, GError **error)
{
  p->ram = ipt_qemu_ram_new (stream);
  p->cpus = g_array_new (FALSE, TRUE, sizeof (IptQemuCpu));
  p->machine = NULL;
  return ipt_qemu_migration_parse (stream, p->ram, p->cpus, &p->machine, error);
}

void
parsed_clear (Parsed *p)
{
  ipt_qemu_ram_free (p->ram);
  g_array_unref (p->cpus);
  g_free (p->machine);
}
