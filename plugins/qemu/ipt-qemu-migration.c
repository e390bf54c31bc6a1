/* ipt-qemu-migration.c: PLACEHOLDER until the migration-stream parser lands
 * (issue 8, being written on branch s15-fmt): refuses the format clearly, so
 * that the plugin builds and serves ELF dumps meanwhile. */
#include "ipt-qemu-snapshot.h"

#include <ipt-analyze/ipt-analyze.h>

gboolean
ipt_qemu_migration_parse (IptQemuStream *stream, IptQemuRam *ram, GArray *cpus, char **machine,
                          GError **error)
{
  g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
               "%s: migration streams are not supported by this build yet",
               ipt_qemu_stream_get_name (stream));
  return FALSE;
}

gboolean
ipt_qemu_migration_place_pc (IptQemuRam *ram, const char *machine, guint64 ram_below_4g,
                             GError **error)
{
  g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
               "migration streams are not supported by this build yet");
  return FALSE;
}
