/* test-tool-log.c: the tools' stderr layout (tools/common/ipt-tool-log.c):
 * "PROG: LEVEL: DOMAIN-SUFFIX: MESSAGE", one line each, for the log domains
 * of the library ("Ipt"), its plugins ("Ipt-NAME"), the tool and GLib;
 * debug messages only under G_MESSAGES_DEBUG. Each case runs in a
 * subprocess, as the writer is installed once per process. */
#include <stdlib.h>

#include <glib.h>

#include "ipt-tool-log.h"

/* GTest makes warnings fatal; the tools do not (unless G_DEBUG says so). */
static void
child_setup (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  ipt_tool_log_init ("prog");
}

static void
test_domains (void)
{
  if (g_test_subprocess ())
    {
      child_setup ();
      g_log ("Ipt-coredump", G_LOG_LEVEL_WARNING, "core: mapped file %s not usable", "/bin/x");
      g_log ("Ipt", G_LOG_LEVEL_WARNING, "skipping plugin %s: bad", "/p/bogus.so");
      g_log ("prog", G_LOG_LEVEL_WARNING, "the tool's own");
      g_log ("GLib-GObject", G_LOG_LEVEL_WARNING, "a GLib one");
      g_log (NULL, G_LOG_LEVEL_WARNING, "no domain");
      g_log ("Ipt-raw", G_LOG_LEVEL_MESSAGE, "a message");
      g_log ("Ipt-elf", G_LOG_LEVEL_CRITICAL, "a critical");
      ipt_tool_error ("failed: %d", 1);
      ipt_tool_warning ("careful: %d", 2);
      ipt_tool_note ("chained: %d", 3);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("prog: warning: coredump: core: mapped file /bin/x not usable\n"
                             "prog: warning: skipping plugin /p/bogus.so: bad\n"
                             "prog: warning: the tool's own\n"
                             "prog: warning: GLib-GObject: a GLib one\n"
                             "prog: warning: no domain\n"
                             "prog: raw: a message\n"
                             "prog: critical: elf: a critical\n"
                             "prog: error: failed: 1\n"
                             "prog: warning: careful: 2\n"
                             "prog: note: chained: 3\n");
}

static void
test_debug_needs_messages_debug (void)
{
  if (g_test_subprocess ())
    {
      g_unsetenv ("G_MESSAGES_DEBUG");
      child_setup ();
      g_log ("Ipt-elf", G_LOG_LEVEL_DEBUG, "hidden");
      g_log ("Ipt-elf", G_LOG_LEVEL_INFO, "hidden too");
      g_setenv ("G_MESSAGES_DEBUG", "Ipt-elf", TRUE);
      g_log ("Ipt-elf", G_LOG_LEVEL_DEBUG, "shown");
      g_log ("Ipt-coredump", G_LOG_LEVEL_DEBUG, "another domain, hidden");
      g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
      g_log ("Ipt-coredump", G_LOG_LEVEL_INFO, "all of them");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("prog: debug: elf: shown\n"
                             "prog: info: coredump: all of them\n");
}

/* Fatal warnings (G_DEBUG=fatal-warnings; GTest's default, as here) still
 * abort at the first warning, after its line. */
static void
test_fatal_warnings_abort (void)
{
  if (g_test_subprocess ())
    {
      ipt_tool_log_init ("prog");
      g_log ("Ipt-raw", G_LOG_LEVEL_WARNING, "first");
      g_log ("Ipt-raw", G_LOG_LEVEL_WARNING, "never");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("prog: warning: raw: first\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool-log/domains", test_domains);
  g_test_add_func ("/tool-log/debug-needs-messages-debug", test_debug_needs_messages_debug);
  g_test_add_func ("/tool-log/fatal-warnings-abort", test_fatal_warnings_abort);
  return g_test_run ();
}
