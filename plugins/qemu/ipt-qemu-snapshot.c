/* ipt-qemu-snapshot.c: opening a QEMU snapshot — the format from its first
 * bytes, then the format's parser. See ipt-qemu-snapshot.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ipt-qemu-snapshot.h"

#include <elf.h>
#include <ipt-analyze/ipt-analyze.h>
#include <string.h>

#include "ipt-plugin-file.h"
#include "ipt-qcow2.h"

#define MIGRATION_MAGIC "QEVM"

const char *
ipt_qemu_format_to_string (IptQemuFormat format)
{
  switch (format)
    {
    case IPT_QEMU_FORMAT_ELF:
      return "dump-guest-memory ELF";
    case IPT_QEMU_FORMAT_MIGRATION:
      return "migration stream";
    case IPT_QEMU_FORMAT_QCOW2:
      return "qcow2 internal snapshot";
    }
  return "unknown";
}

void
ipt_qemu_snapshot_free (IptQemuSnapshot *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->tag);
  g_free (self->machine);
  g_clear_pointer (&self->ram, ipt_qemu_ram_free);
  g_clear_pointer (&self->cpus, g_array_unref);
  g_free (self);
}

static gboolean
has_prefix (const guint8 *data, gsize size, const char *magic)
{
  gsize n = strlen (magic);

  return size >= n && memcmp (data, magic, n) == 0;
}

static gboolean
parse_migration (IptQemuSnapshot *self, IptQemuStream *stream, guint64 ram_below_4g,
                 GError **error)
{
  self->ram = ipt_qemu_ram_new (stream);
  return ipt_qemu_migration_parse (stream, self->ram, self->cpus, &self->machine, error) &&
         ipt_qemu_migration_place_pc (self->ram, self->machine, ram_below_4g, error);
}

IptQemuSnapshot *
ipt_qemu_snapshot_open (const char *path, const char *tag, guint64 ram_below_4g,
                        GError **error)
{
  g_autoptr (IptQemuSnapshot) self = g_new0 (IptQemuSnapshot, 1);
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (IptQemuStream) stream = NULL;
  g_autofree char *shown = ipt_plugin_file_show (path);
  const guint8 *data;
  gsize size;

  file = ipt_plugin_file_map_regular ("qemu", path, error);
  if (file == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  self->path = g_strdup (path);
  self->cpus = g_array_new (FALSE, TRUE, sizeof (IptQemuCpu));

  if (has_prefix (data, size, IPT_QCOW2_MAGIC))
    {
      self->format = IPT_QEMU_FORMAT_QCOW2;
      stream = ipt_qcow2_open_vmstate (file, path, tag, &self->tag, error);
      /* the vmstate is a migration stream; qcow2.c names it in messages */
      if (stream == NULL)
        return NULL;
      if (!parse_migration (self, stream, ram_below_4g, error))
        return NULL;
      return g_steal_pointer (&self);
    }
  if (tag != NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "qemu: option 'tag' (%s) names an internal snapshot of a qcow2 image, but %s "
                   "is not one", tag, shown);
      return NULL;
    }
  stream = ipt_qemu_stream_new_file (file, path, shown);
  if (has_prefix (data, size, ELFMAG))
    {
      self->format = IPT_QEMU_FORMAT_ELF;
      self->ram = ipt_qemu_ram_new (stream);
      if (!ipt_qemu_elfdump_parse (stream, self->ram, self->cpus, error))
        return NULL;
      return g_steal_pointer (&self);
    }
  if (has_prefix (data, size, MIGRATION_MAGIC))
    {
      self->format = IPT_QEMU_FORMAT_MIGRATION;
      if (!parse_migration (self, stream, ram_below_4g, error))
        return NULL;
      return g_steal_pointer (&self);
    }
  g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
               "%s: offset 0x0: not a QEMU snapshot: neither a dump-guest-memory ELF, a "
               "migration stream (\"QEVM\") nor a qcow2 image (\"QFI\\xfb\")", shown);
  return NULL;
}
