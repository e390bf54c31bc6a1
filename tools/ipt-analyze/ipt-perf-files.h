/* ipt-perf-files.h: where to read a file a perf.data's mmap names, as perf
 * finds it: by build-id in perf's cache, under --sysroot, at the recorded
 * path, by basename in each --search-path directory. A file found by path
 * whose build-id is not the recorded one is refused (with a warning), never
 * served: its bytes would decode to wrong instructions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-memory.h"

G_BEGIN_DECLS

typedef struct _IptPerfFiles IptPerfFiles;

/* @sysroot: (nullable): prefixed to recorded paths (--sysroot);
 * @search_path: (nullable): directories searched by basename, each
 *   element colon-separated or not (--search-path, repeatable);
 * @buildid_dir: (nullable): perf's build-id cache (--buildid-dir); NULL:
 *   $PERF_BUILDID_DIR, else ~/.debug.
 * A directory given that is not one is an IPT_ERROR_NOT_FOUND error (a
 * typo would otherwise only show as files not found). */
IptPerfFiles *ipt_perf_files_new (const char *sysroot, const char * const *search_path,
                                  const char *buildid_dir, GError **error);
void ipt_perf_files_free (IptPerfFiles *files);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptPerfFiles, ipt_perf_files_free)

/* The build-id cache in use (for messages and tests). */
const char *ipt_perf_files_get_buildid_dir (IptPerfFiles *files);

/* An IptPerfFileFinder over @files (an IptPerfFiles). Looks, in order:
 * BUILDID_DIR/.build-id/XX/REST/elf (and .../vdso, BUILDID_DIR/[vdso]/ID/vdso
 * for the vDSO) when @mapping has a build-id; then for a recorded absolute
 * path SYSROOT/PATH, PATH and DIR/BASENAME for each search directory,
 * taking the first regular file whose NT_GNU_BUILD_ID matches (any file
 * when @mapping has none). Each refused file is one warning. Answers are
 * remembered per file name and build-id, so asking again for another
 * mapping of the same file costs nothing and warns no more.
 * Returns: (transfer full): the path, or NULL with IPT_ERROR_NOT_FOUND
 * naming every place looked and why each failed. */
char *ipt_perf_files_find (const IptPerfMapping *mapping, gpointer files, GError **error);

/* The NT_GNU_BUILD_ID of ELF file @path (section notes, else PT_NOTE
 * segments): TRUE with *@build_id NULL when it has none; FALSE with @error
 * when @path cannot be read or is no ELF file. */
gboolean ipt_perf_files_read_build_id (const char *path, GBytes **build_id, GError **error);

/* @build_id in lowercase hex, as perf's cache names it. */
char *ipt_perf_files_build_id_to_hex (GBytes *build_id);

G_END_DECLS
