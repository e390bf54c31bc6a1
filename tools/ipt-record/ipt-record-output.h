/* ipt-record-output.h: the output folder of one recording, which never
 * holds files of two runs side by side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IptRecordOutput IptRecordOutput;

IptRecordOutput *ipt_record_output_new         (const char *dir,
                                                GError **error);
char            *ipt_record_output_get_path    (IptRecordOutput *self,
                                                const char *name);
char            *ipt_record_output_get_temp_path (IptRecordOutput *self,
                                                  const char *name);
gboolean         ipt_record_output_commit      (IptRecordOutput *self,
                                                GError **error);
void             ipt_record_output_free        (IptRecordOutput *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptRecordOutput, ipt_record_output_free)

G_END_DECLS
