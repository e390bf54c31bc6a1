/* test-support.c: the scaffolding the test programs share — a path meson
 * passes in the environment ($IPT_ANALYZE, $IPT_RECORD, the programs it
 * built), removing a test's temporary tree, and running a program to its
 * end, its argv, stdout and stderr logged with g_test_message() so that a
 * failing test's log shows what ran. Plain test support: every failure is a
 * test assertion or g_error().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-support.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* A listing can be megabytes: the log keeps its start. */
#define LOGGED_TEXT_MAX 4096
#define LOGGED_BINARY_MAX 256

/**
 * test_env_path:
 * @name: an environment variable tests/meson.build sets
 *
 * Returns: (transfer none): its value; g_error() when it is not set (the
 * test was not started by meson).
 */
const char *
test_env_path (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this test through meson", name);
  return value;
}

/**
 * test_remove_tree:
 * @path: a file or directory
 *
 * Removes @path and, for a directory, everything below it, as far as it
 * can (a teardown: nothing is asserted).
 */
void
test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          /* a symbolic link to a directory is removed, never followed */
          if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            g_unlink (child);
          else
            test_remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

/* Logs @text, @length bytes of a program's output: its start when long,
 * escaped when it is not UTF-8 (a TAP log must be text: --read writes raw
 * bytes). */
static void
log_output (const char *what, const char *text, gsize length)
{
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_autofree char *start = g_strndup (text, MIN (length, LOGGED_BINARY_MAX));
      g_autofree char *escaped = g_strescape (start, NULL);

      g_test_message ("%s (%" G_GSIZE_FORMAT " bytes, not UTF-8): \"%s\"%s", what, length,
                      escaped, length > LOGGED_BINARY_MAX ? "..." : "");
    }
  else if (length > LOGGED_TEXT_MAX)
    {
      int cut = LOGGED_TEXT_MAX;

      /* not inside a character */
      while (cut > 0 && (text[cut] & 0xc0) == 0x80)
        cut--;
      g_test_message ("%s (%" G_GSIZE_FORMAT " bytes, the first %d):\n%.*s", what, length, cut,
                      cut, text);
    }
  else
    g_test_message ("%s:\n%s", what, text);
}

/* @bytes as a NUL-terminated string (any bytes before the NUL). */
static char *
bytes_to_string (GBytes *bytes, gsize *length)
{
  gsize size = bytes != NULL ? g_bytes_get_size (bytes) : 0;
  char *text = g_malloc (size + 1);

  if (size > 0)
    memcpy (text, g_bytes_get_data (bytes, NULL), size);
  text[size] = '\0';
  *length = size;
  return text;
}

/* The one way the helpers below run a program: GSubprocess, so that
 * stdout's length is known (g_spawn_sync's string ends at a NUL). */
static int
spawn (const char *cwd, const char *const *envp, const char *const *argv,
       GSpawnChildSetupFunc setup, gpointer setup_data, char **out, gsize *out_length,
       char **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out_bytes = NULL, err_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strjoinv (" ", (char **) argv);
  g_autofree char *got_out = NULL, *got_err = NULL;
  gsize got_out_length, got_err_length;
  int status;

  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);
  if (setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, setup, setup_data, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, NULL, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                : 128 + g_subprocess_get_term_sig (process);
  got_out = bytes_to_string (out_bytes, &got_out_length);
  got_err = bytes_to_string (err_bytes, &got_err_length);

  g_test_message ("%s: exit status %d", line, status);
  log_output ("stdout", got_out, got_out_length);
  log_output ("stderr", got_err, got_err_length);

  if (out != NULL)
    *out = g_steal_pointer (&got_out);
  if (out_length != NULL)
    *out_length = got_out_length;
  if (err != NULL)
    *err = g_steal_pointer (&got_err);
  return status;
}

/**
 * test_spawn_full:
 * @cwd: (nullable): where the program runs; %NULL: here
 * @argv: the program (looked up in PATH when not a path) and its arguments
 * @setup: (nullable): called in the child before the exec
 * @setup_data: for @setup
 * @out: (out) (optional): its stdout; %NULL: discarded
 * @err: (out) (optional): its stderr; %NULL: discarded
 *
 * Runs @argv to its end, logging the command line, stdout (its start) and
 * stderr with g_test_message(). A program that cannot be started fails the
 * test.
 *
 * Returns: its exit status, or 128 + N when signal N killed it.
 */
int
test_spawn_full (const char *cwd, const char *const *argv, GSpawnChildSetupFunc setup,
                 gpointer setup_data, char **out, char **err)
{
  return spawn (cwd, NULL, argv, setup, setup_data, out, NULL, err);
}

/**
 * test_spawn_raw:
 * @argv: the program and its arguments
 * @envp: (nullable): its whole environment; %NULL: this one
 * @out: (out): its stdout, any bytes, NUL-terminated
 * @out_length: (out): the size of @out, without the NUL
 * @err: (out) (optional): its stderr; %NULL: discarded
 *
 * test_spawn() for a program whose stdout is not text (ipt-analyze --read).
 *
 * Returns: its exit status, or 128 + N when signal N killed it.
 */
int
test_spawn_raw (const char *const *argv, const char *const *envp, char **out,
                gsize *out_length, char **err)
{
  return spawn (NULL, envp, argv, NULL, NULL, out, out_length, err);
}

/**
 * test_spawn:
 * @argv: the program and its arguments
 * @out: (out) (optional): its stdout; %NULL: discarded
 * @err: (out) (optional): its stderr; %NULL: discarded
 *
 * test_spawn_full() here, with no child setup.
 *
 * Returns: its exit status, or 128 + N when signal N killed it.
 */
int
test_spawn (const char *const *argv, char **out, char **err)
{
  return test_spawn_full (NULL, argv, NULL, NULL, out, err);
}

/**
 * test_run_analyze_in:
 * @cwd: (nullable): where it runs; %NULL: here
 * @args: ipt-analyze's arguments
 * @out: (out) (optional): its stdout; %NULL: discarded
 * @err: (out) (optional): its stderr; %NULL: discarded
 *
 * test_spawn_full() of $IPT_ANALYZE @args.
 *
 * Returns: its exit status, or 128 + N when signal N killed it.
 */
int
test_run_analyze_in (const char *cwd, const char *const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_env_path ("IPT_ANALYZE"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return test_spawn_full (cwd, (const char *const *) argv->pdata, NULL, NULL, out, err);
}

/**
 * test_run_analyze:
 * @args: ipt-analyze's arguments
 * @out: (out) (optional): its stdout; %NULL: discarded
 * @err: (out) (optional): its stderr; %NULL: discarded
 *
 * test_run_analyze_in() here.
 *
 * Returns: its exit status, or 128 + N when signal N killed it.
 */
int
test_run_analyze (const char *const *args, char **out, char **err)
{
  return test_run_analyze_in (NULL, args, out, err);
}

/* g_strsplit (@text, "\n", -1), in time linear in @text's length under
 * AddressSanitizer too: g_strsplit calls strstr once per line, and ASan's
 * strstr interceptor measures the whole rest of the haystack each time,
 * which made splitting a listing of 100,000 lines take minutes. */
char **
test_split_lines (const char *text)
{
  GPtrArray *lines = g_ptr_array_new ();
  gsize length = strlen (text);
  const char *end = text + length;
  const char *p = text;

  if (length > 0)
    for (;;)
      {
        const char *nl = memchr (p, '\n', (gsize) (end - p));

        if (nl == NULL)
          {
            g_ptr_array_add (lines, g_strndup (p, (gsize) (end - p)));
            break;
          }
        g_ptr_array_add (lines, g_strndup (p, (gsize) (nl - p)));
        p = nl + 1;
      }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

/**
 * test_find_psbs:
 * @trace: raw Intel PT bytes
 * @length: their size
 *
 * Returns: (transfer full) (element-type guint64): the offsets of the PSB
 * packets (the 16-byte pattern 02 82 × 8) in @trace.
 */
GArray *
test_find_psbs (const guint8 *trace, gsize length)
{
  static const guint8 psb[16] = { 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
                                  2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82 };
  GArray *offsets = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (gsize i = 0; i + sizeof psb <= length; i++)
    if (memcmp (trace + i, psb, sizeof psb) == 0)
      {
        guint64 offset = i;

        g_array_append_val (offsets, offset);
        i += sizeof psb - 1;
      }
  return offsets;
}
