/* jitlike-driver.c: runs tests/core/jitlike and takes its cores, for the
 * core dump tests. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jitlike-driver.h"

/* The built program (valid until the end of the current test). */
const char *
jitlike_get_program (void)
{
  return g_test_get_filename (G_TEST_BUILT, "jitlike", NULL);
}

/* What jitlike writes into its RWX page (tests/core/jitlike.c): the
 * pattern, then its code over the start. */
void
jitlike_expected_page (guint8 page[JITLIKE_PAGE_SIZE])
{
  static const guint8 code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };   /* mov eax, 42; ret */

  for (guint i = 0; i < JITLIKE_PAGE_SIZE; i++)
    page[i] = (guint8) (i * 7 + 3);
  memcpy (page, code, sizeof code);
}

/* Copies @from to @to, executable. */
void
jitlike_copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (to, 0755), ==, 0);
}

static void
raise_core_limit (gpointer user_data)
{
  struct rlimit limit = { 64 << 20, 64 << 20 };   /* jitlike's core is well under 1 MiB */

  setrlimit (RLIMIT_CORE, &limit);
}

static void
map_clear (gpointer data)
{
  g_free (((JitlikeMap *) data)->path);
}

/* Starts @exe (jitlike or a copy) in @cwd, waits for its "pid=N page=0xADDR"
 * line and reads its /proc/PID/maps. With @allow_core, RLIMIT_CORE is raised
 * in the child so that the kernel may dump it. */
void
jitlike_child_start (JitlikeChild *child, const char *exe, const char *cwd, gboolean allow_core)
{
  const char *argv[] = { exe, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *maps_path = NULL, *maps = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 total = 0;
  char line[256];
  int out_fd;
  FILE *out;

  memset (child, 0, sizeof *child);
  g_spawn_async_with_pipes (cwd, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            allow_core ? raise_core_limit : NULL, NULL,
                            &child->pid, &child->in_fd, &out_fd, NULL, &error);
  g_assert_no_error (error);
  out = fdopen (out_fd, "r");
  g_assert_nonnull (fgets (line, sizeof line, out));
  fclose (out);
  g_assert_cmpint (sscanf (line, "pid=%*d page=%" G_GINT64_MODIFIER "x", &child->page), ==, 1);

  maps_path = g_strdup_printf ("/proc/%d/maps", child->pid);
  g_file_get_contents (maps_path, &maps, NULL, &error);
  g_assert_no_error (error);
  child->maps = g_array_new (FALSE, TRUE, sizeof (JitlikeMap));
  g_array_set_clear_func (child->maps, map_clear);
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      JitlikeMap m = { 0 };
      char path[1024] = "";

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %4s %"
                  G_GINT64_MODIFIER "x %*s %*s %1023[^\n]", &m.start, &m.end, m.perms,
                  &m.offset, path) < 4)
        continue;
      m.path = g_strdup (path);
      g_array_append_val (child->maps, m);
      total += m.end - m.start;
    }
  child->exe = g_strdup (exe);

  /* A core holds the whole address space: refuse to dump a huge one (a
   * sanitized build reserves terabytes of shadow memory). */
  if (total > (G_GUINT64_CONSTANT (1) << 32))
    g_error ("%s maps %" G_GUINT64_FORMAT " MiB: too much to dump (built with a sanitizer?)",
             exe, total >> 20);
}

/* Ends the program (with @sig, or by closing its stdin) and returns its wait
 * status. Its maps stay for the assertions. */
int
jitlike_child_stop (JitlikeChild *child, int sig)
{
  int status = 0;

  if (sig != 0)
    kill (child->pid, sig);
  close (child->in_fd);
  g_assert_cmpint (waitpid (child->pid, &status, 0), ==, child->pid);
  g_spawn_close_pid (child->pid);
  child->pid = 0;
  return status;
}

/* Kills the program if it still runs, and frees what @child holds. */
void
jitlike_child_clear (JitlikeChild *child)
{
  if (child->pid != 0)
    jitlike_child_stop (child, SIGKILL);
  g_clear_pointer (&child->maps, g_array_unref);
  g_clear_pointer (&child->exe, g_free);
}

/* gdb's gcore of the running program, written to @dir; returns its path. */
char *
jitlike_child_gcore (JitlikeChild *child, const char *dir)
{
  g_autofree char *prefix = g_build_filename (dir, "gcore", NULL);
  g_autofree char *pid = g_strdup_printf ("%d", child->pid);
  const char *argv[] = { "gcore", "-o", prefix, pid, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  char *core = g_strdup_printf ("%s.%d", prefix, child->pid);
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  if (error != NULL)
    g_error ("cannot run gcore (gdb; .ci/run installs it): %s", error->message);
  if (!g_file_test (core, G_FILE_TEST_EXISTS))
    g_error ("gcore did not write %s: %s%s", core, out, err);
  return core;
}

/* /proc/sys/kernel/core_pattern, without its newline. */
char *
jitlike_read_core_pattern (void)
{
  g_autoptr(GError) error = NULL;
  char *pattern = NULL;

  g_file_get_contents ("/proc/sys/kernel/core_pattern", &pattern, NULL, &error);
  g_assert_no_error (error);
  return g_strchomp (pattern);
}

/* Whether the kernel writes cores under @pattern in the crashing process's
 * directory: no pipe, no directory, no %-specifier. The tests only use
 * such a pattern; changing the system-wide setting is not theirs to do. */
gboolean
jitlike_core_pattern_is_plain (const char *pattern)
{
  return pattern[0] != '|' && strchr (pattern, '/') == NULL && strchr (pattern, '%') == NULL;
}

/* Kills the program with SIGABRT, which must end it; returns the core the
 * kernel wrote in @dir (the program's directory) under the plain @pattern,
 * with ".PID" appended when kernel.core_uses_pid is set, or NULL when the
 * kernel wrote none. */
char *
jitlike_child_dump_kernel_core (JitlikeChild *child, const char *dir, const char *pattern)
{
  g_autofree char *with_pid = g_strdup_printf ("%s/%s.%d", dir, pattern, child->pid);
  int status = jitlike_child_stop (child, SIGABRT);

  g_assert_true (WIFSIGNALED (status));
  if (!WCOREDUMP (status))
    return NULL;
  return g_file_test (with_pid, G_FILE_TEST_EXISTS) ? g_steal_pointer (&with_pid)
                                                    : g_build_filename (dir, pattern, NULL);
}
