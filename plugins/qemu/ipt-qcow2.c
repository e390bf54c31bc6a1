/* ipt-qcow2.c: PLACEHOLDER until the qcow2 reader lands (issue 8, being
 * written on branch s15-fmt): refuses the format clearly. */
#include "ipt-qcow2.h"

#include <ipt-analyze/ipt-analyze.h>

IptQemuStream *
ipt_qcow2_open_vmstate (GMappedFile *file, const char *path, const char *tag, char **chosen,
                        GError **error)
{
  g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
               "%s: qcow2 internal snapshots are not supported by this build yet", path);
  return NULL;
}
