/* ipt-view.c: the GTK4 trace viewer's entry point. It takes ipt-analyze's
 * command line (--pt, --raw, --elf, --plugin, --cpu, ...; parsed and
 * turned into an image by ipt_analyze_tool_lib, so both tools read a
 * command line the same way) plus the hidden automation options
 * (ipt-view-automation.c), builds the image, then runs the application:
 * one window over the trace. Without a trace, --list-regions opens the
 * memory alone (its regions, the add-source dialog). Errors before the window opens are one line
 * "ipt-view: error: ..." and ipt-analyze's exit statuses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <gtk/gtk.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-discovery.h"
#include "ipt-analyze-image.h"
#include "ipt-analyze-options.h"
#include "ipt-tool-log.h"
#include "ipt-view-automation.h"
#include "ipt-view-window.h"

#define PROGRAM "ipt-view"

typedef struct {
  IptViewTrace *trace;
  IptViewAutomation *automation;
} App;

static void
on_activate (GtkApplication *application, gpointer user_data)
{
  App *app = user_data;
  IptViewWindow *window = ipt_view_window_new (application, app->trace);

  if (ipt_view_automation_is_active (app->automation))
    ipt_view_automation_attach (app->automation, window);
  gtk_window_present (GTK_WINDOW (window));
  ipt_view_window_load (window);
  if (ipt_view_automation_is_active (app->automation))
    ipt_view_automation_started (app->automation, window);
}

/* What ipt-view does not do of ipt-analyze's command line. */
static const char *
unsupported (const IptAnalyzeOptions *options)
{
  if (options->perf_file != NULL)
    return "--perf (a perf.data) is not supported by ipt-view yet: decode its queues with "
           "ipt-analyze --perf";
  if (options->have_read)
    return "--read is for ipt-analyze";
  if (options->list_plugins)
    return "--list-plugins is for ipt-analyze (the add-source dialog lists them)";
  return NULL;
}

static gboolean
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
        g_str_equal (argv[i], "-?"))
      return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_auto(IptAnalyzeOptions) options = { 0 };
  g_auto(IptViewAutomation) automation = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IptImage) image = NULL;
  g_autoptr(IptViewTrace) trace = NULL;
  g_autoptr(GtkApplication) application = NULL;
  IptPluginRegistry *registry;
  gboolean usage_error;
  const char *why;
  char *app_argv[] = { argv[0], NULL };
  App app;
  int status;

  setlocale (LC_ALL, "");
  ipt_tool_log_init (PROGRAM);

  if (wants_help (argc, argv))
    {
      g_autofree char *help = ipt_analyze_options_get_help ();

      printf ("Usage: " PROGRAM " [OPTION...]: the trace viewer; its options are ipt-analyze's "
              "(those that choose the trace, its memory and the decoder):\n\n%s", help);
      return IPT_ANALYZE_EXIT_OK;
    }
  if (!ipt_view_automation_parse (&automation, &argc, &argv, &error) ||
      !ipt_analyze_options_parse (&options, argc, argv, &error))
    {
      ipt_tool_error ("%s", error->message);
      return IPT_ANALYZE_EXIT_USAGE;
    }
  if (options.version)
    {
      printf (PROGRAM " %s\n", IPT_ANALYZE_VERSION_STRING);
      return IPT_ANALYZE_EXIT_OK;
    }
  if ((why = unsupported (&options)) != NULL)
    {
      ipt_tool_error ("%s", why);
      return IPT_ANALYZE_EXIT_USAGE;
    }

  /* a file that is no raw trace is one error line, as from ipt-analyze */
  if (options.pt_file != NULL && !ipt_analyze_check_trace (&options, &error))
    {
      ipt_tool_error ("%s", error->message);
      return IPT_ANALYZE_EXIT_FAILURE;
    }
  registry = ipt_plugin_registry_get_default ();
  image = ipt_analyze_build_image (registry, PROGRAM, &options, &usage_error, &error);
  if (image == NULL)
    {
      ipt_tool_error ("%s", error->message);
      return usage_error ? IPT_ANALYZE_EXIT_USAGE : IPT_ANALYZE_EXIT_FAILURE;
    }
  if (!options.no_jit_discovery)
    ipt_analyze_discover_jit (registry, image);

  trace = ipt_view_trace_new (registry, image, &options);
  app.trace = trace;
  app.automation = &automation;
  application = gtk_application_new ("org.ipt_analyze.View", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (application, "activate", G_CALLBACK (on_activate), &app);
  status = g_application_run (G_APPLICATION (application), 1, app_argv);
  if (status == 0)
    status = automation.status;
  return status;
}
