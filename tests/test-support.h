/* test-support.h: the scaffolding the test programs share — a path meson
 * passes in the environment, removing a temporary tree, and running a
 * program (ipt-analyze, ipt-record, perf, ...) to its end with its output
 * and exit status logged. Plain test support: every failure is a test
 * assertion or g_error().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *test_env_path (const char *name);
void test_remove_tree (const char *path);

int test_spawn_full (const char *cwd, const char *const *argv, GSpawnChildSetupFunc setup,
                     gpointer setup_data, char **out, char **err);
int test_spawn (const char *const *argv, char **out, char **err);
int test_spawn_raw (const char *const *argv, const char *const *envp, char **out,
                    gsize *out_length, char **err);
int test_run_analyze_in (const char *cwd, const char *const *args, char **out, char **err);
int test_run_analyze (const char *const *args, char **out, char **err);
char **test_split_lines (const char *text);
GArray *test_find_psbs (const guint8 *trace, gsize length);

G_END_DECLS
