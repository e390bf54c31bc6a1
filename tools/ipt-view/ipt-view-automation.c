/* ipt-view-automation.c: the hidden options tests and benchmarks drive
 * ipt-view with. Everything is read back from the widgets as drawn, never
 * from the models, so a dump is what a person would see: after the load
 * the automation waits for frames to be drawn, then per page (each made
 * current in turn) reads the visible rows' labels, dumps the add-source
 * form if asked, renders the window into a PNG (the renderer the window
 * draws with) and quits. --scroll-to-end first scrolls the listing to its
 * last row and reports how long until that row is on screen, and the
 * process's peak RSS; the load's time is reported too. Reports go to
 * stdout as "ipt-view: KEY: VALUE". */
#include "config.h"

#include "ipt-view-automation.h"

#include <stdio.h>
#include <string.h>

#include "ipt-view-columns.h"
#include "ipt-tool-log.h"

/* Frames to wait after a change before reading the widgets. */
#define SETTLE_FRAMES 3
/* Frames to wait for the last row before giving up. */
#define SCROLL_FRAMES_MAX 600

gboolean
ipt_view_automation_parse (IptViewAutomation *self, int *argc, char ***argv, GError **error)
{
  const GOptionEntry entries[] = {
    { "screenshot", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &self->screenshot,
      "Save the window as a PNG once loaded", "FILE" },
    { "dump-view", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &self->dump,
      "Write what the views show once loaded", "FILE" },
    { "dump-form", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &self->form,
      "Open the add-source form of PLUGIN and dump it", "PLUGIN" },
    { "form-set", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY, &self->form_set,
      "Fill KEY of --dump-form's form with VALUE (repeatable), then press Add", "KEY=VALUE" },
    { "go-to", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &self->go_to,
      "Go to LOCATION once loaded, as from the go-to entry", "LOCATION" },
    { "search", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &self->search,
      "Search TEXT once loaded, as from the search entry", "TEXT" },
    { "activate-error", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &self->activate_error,
      "Activate row N (from 1) of the errors view once loaded", "N" },
    { "scroll-to-end", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &self->scroll_to_end,
      "Scroll the listing to its last row once loaded and time it", NULL },
    { "cancel-load", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &self->cancel,
      "Press Cancel as soon as the load starts", NULL },
    { "quit-when-loaded", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &self->quit,
      "Quit after the load and the automation", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  memset (self, 0, sizeof *self);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_set_help_enabled (context, FALSE);
  return g_option_context_parse (context, argc, argv, error);
}

void
ipt_view_automation_clear (IptViewAutomation *self)
{
  g_clear_pointer (&self->screenshot, g_free);
  g_clear_pointer (&self->dump, g_free);
  g_clear_pointer (&self->form, g_free);
  g_clear_pointer (&self->form_set, g_strfreev);
  g_clear_pointer (&self->go_to, g_free);
  g_clear_pointer (&self->search, g_free);
}

gboolean
ipt_view_automation_is_active (const IptViewAutomation *self)
{
  return self->screenshot != NULL || self->dump != NULL || self->form != NULL ||
         self->go_to != NULL || self->search != NULL || self->activate_error > 0 ||
         self->scroll_to_end || self->quit || self->cancel;
}

/* ---- the run ---- */

typedef struct _Run Run;
typedef void (*Step) (Run *run);

struct _Run {
  IptViewAutomation *automation;
  IptViewWindow *window;
  GString *dump;
  guint frames;               /* to wait before @next */
  Step next;
  guint page;                 /* the page the dump reads next */
  IptViewSourceDialog *form;
  gint64 scroll_start;
  guint scroll_frames;
  gboolean added;             /* --form-set: the form's provider was added */
  guint next_action;          /* --go-to, --search, --activate-error: 0, 1, 2 */
  char *action;               /* the one running, for messages */
  gboolean find_done;
  gboolean found;
  guint add_frames;
  char *last_row;             /* --scroll-to-end: the text of the row to wait for */
  gboolean done;
};

static void step_dump_listing (Run *run);
static void step_read_added (Run *run);

static void
then (Run *run, guint frames, Step next)
{
  run->frames = frames;
  run->next = next;
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  Run *run = user_data;
  Step next;

  if (run->frames > 0)
    {
      run->frames--;
      return G_SOURCE_CONTINUE;
    }
  next = run->next;
  run->next = NULL;
  if (next == NULL)
    return G_SOURCE_REMOVE;
  next (run);
  if (run->done)
    {
      g_clear_pointer (&run->last_row, g_free);
      g_clear_pointer (&run->action, g_free);
      if (run->dump != NULL)
        g_string_free (run->dump, TRUE);
      g_object_unref (run->window);
      g_free (run);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
append_rows (GString *out, const char *section, GtkColumnView *view)
{
  g_autoptr(GPtrArray) rows = view != NULL ? ipt_view_column_view_visible_rows (view) : NULL;

  g_string_append_printf (out, "[%s]\n", section);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    g_string_append_printf (out, "%s\n", (const char *) g_ptr_array_index (rows, i));
}

/* VmHWM of /proc/self/status, in KiB (0 if unknown). */
static guint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

static void
report (const char *key, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
report (const char *key, const char *format, ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  printf ("ipt-view: %s: %s\n", key, value);
  fflush (stdout);
}

static void
finish (Run *run)
{
  report ("peak-rss", "%" G_GUINT64_FORMAT " KiB", peak_rss_kib ());
  if (run->automation->quit)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (run->window)));

      if (run->form != NULL)
        gtk_window_destroy (GTK_WINDOW (run->form));
      g_application_quit (app);
    }
  run->done = TRUE;
}

static gboolean
save_png (GtkWidget *widget, const char *path, GError **error)
{
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the window drew nothing");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &bounds);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write the PNG", path);
      return FALSE;
    }
  return TRUE;
}

static void
step_screenshot (Run *run)
{
  g_autoptr(GError) error = NULL;

  if (!save_png (GTK_WIDGET (run->window), run->automation->screenshot, &error))
    {
      ipt_tool_error ("--screenshot: %s", error->message);
      run->automation->status = 1;
    }
  else
    report ("screenshot", "%s", run->automation->screenshot);
  finish (run);
}

static void
step_write_dump (Run *run)
{
  g_autoptr(GError) error = NULL;

  if (run->dump != NULL)
    {
      if (g_str_equal (run->automation->dump, "-"))
        fputs (run->dump->str, stdout);
      else if (!g_file_set_contents (run->automation->dump, run->dump->str, run->dump->len,
                                     &error))
        {
          ipt_tool_error ("--dump-view: %s", error->message);
          run->automation->status = 1;
        }
    }
  if (run->automation->screenshot != NULL)
    {
      ipt_view_window_show_page (run->window, IPT_VIEW_PAGE_CALLS);
      then (run, SETTLE_FRAMES, step_screenshot);
      return;
    }
  finish (run);
}

/* --form-set: waits for the provider to open (a worker thread), then
 * for the regions to show it. */
static void
step_wait_added (Run *run)
{
  if (run->added)
    {
      ipt_view_window_show_page (run->window, IPT_VIEW_PAGE_REGIONS);
      then (run, SETTLE_FRAMES, step_read_added);
      return;
    }
  if (++run->add_frames > SCROLL_FRAMES_MAX)
    {
      ipt_tool_error ("--form-set: no provider was added: %s",
                      ipt_view_source_dialog_get_message (run->form));
      run->automation->status = 1;
      step_write_dump (run);
      return;
    }
  then (run, 0, step_wait_added);
}

static void
on_provider_added (IptViewSourceDialog *dialog, IptMemoryProvider *provider, const char *spec,
                   gpointer user_data)
{
  Run *run = user_data;

  run->added = TRUE;
  run->form = NULL;           /* the dialog closes itself */
}

static void
fill_form (Run *run)
{
  g_autofree char *spec = NULL;

  for (guint i = 0; run->automation->form_set[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (run->automation->form_set[i], "=", 2);
      g_autoptr(GError) error = NULL;

      if (pair[0] == NULL || pair[1] == NULL ||
          !ipt_view_source_dialog_fill (run->form, pair[0], pair[1], &error))
        {
          ipt_tool_error ("--form-set %s: %s", run->automation->form_set[i],
                          error != NULL ? error->message : "not KEY=VALUE");
          run->automation->status = 1;
          step_write_dump (run);
          return;
        }
    }
  spec = ipt_view_source_dialog_get_spec (run->form);
  if (run->dump != NULL)
    g_string_append_printf (run->dump, "[form filled]\nspec\t%s\n", spec);
  g_signal_connect (run->form, "provider-added", G_CALLBACK (on_provider_added), run);
  ipt_view_source_dialog_press_add (run->form);
  then (run, 0, step_wait_added);
}

static void
step_read_form (Run *run)
{
  if (run->dump != NULL)
    {
      g_autofree char *spec = ipt_view_source_dialog_get_spec (run->form);

      g_string_append_printf (run->dump, "[form %s]\n", run->automation->form);
      g_string_append_printf (run->dump, "spec\t%s\n", spec != NULL ? spec : "");
      ipt_view_source_dialog_dump (run->form, run->dump);
    }
  if (run->automation->form_set != NULL)
    {
      fill_form (run);
      return;
    }
  step_write_dump (run);
}

static void
step_open_form (Run *run)
{
  if (run->automation->form == NULL)
    {
      step_write_dump (run);
      return;
    }
  run->form = ipt_view_window_add_source (run->window, run->automation->form);
  then (run, SETTLE_FRAMES, step_read_form);
}

static const char *const page_keys[IPT_VIEW_N_PAGES] = { "calls", "functions", "regions", "errors" };

static void
step_read_added (Run *run)
{
  if (run->dump != NULL)
    append_rows (run->dump, "regions after add",
                 ipt_view_window_get_page_view (run->window, IPT_VIEW_PAGE_REGIONS));
  step_write_dump (run);
}

static void
step_read_page (Run *run)
{
  append_rows (run->dump, page_keys[run->page],
               ipt_view_window_get_page_view (run->window, run->page));
  run->page++;
  if (run->page < IPT_VIEW_N_PAGES)
    {
      ipt_view_window_show_page (run->window, run->page);
      then (run, SETTLE_FRAMES, step_read_page);
      return;
    }
  ipt_view_window_show_page (run->window, IPT_VIEW_PAGE_CALLS);
  then (run, SETTLE_FRAMES, step_open_form);
}

static void
step_dump_listing (Run *run)
{
  g_autofree char *selected = NULL;

  if (run->dump == NULL)
    {
      step_open_form (run);
      return;
    }
  append_rows (run->dump, "listing", ipt_view_window_get_listing_view (run->window));
  if ((selected = ipt_view_window_get_selected_cells (run->window)) != NULL)
    g_string_append_printf (run->dump, "[selected]\n%s\n", selected);
  run->page = 0;
  ipt_view_window_show_page (run->window, run->page);
  then (run, SETTLE_FRAMES, step_read_page);
}

/* --scroll-to-end: waits until the listing's bottom row on screen is the
 * last row of the model. */
static void
step_wait_end (Run *run)
{
  GtkColumnView *view = ipt_view_window_get_listing_view (run->window);
  g_autoptr(GPtrArray) rows = ipt_view_column_view_visible_rows (view);

  if (rows->len > 0 && g_str_equal (g_ptr_array_index (rows, rows->len - 1), run->last_row))
    {
      report ("scroll-to-end", "%.3f s", (g_get_monotonic_time () - run->scroll_start) / 1e6);
      report ("last-row", "%s", run->last_row);
      then (run, SETTLE_FRAMES, step_dump_listing);
      return;
    }
  if (++run->scroll_frames > SCROLL_FRAMES_MAX)
    {
      ipt_tool_error ("--scroll-to-end: the last row was not shown after %u frames",
                      SCROLL_FRAMES_MAX);
      run->automation->status = 1;
      step_dump_listing (run);
      return;
    }
  then (run, 0, step_wait_end);
}

/* --go-to, --search, --activate-error, in that order, as a person would
 * use the window: each starts a search in a thread and the next waits for
 * its "find-done"; one not found is an error. */
static void step_next_action (Run *run);

static void
on_find_done (IptViewWindow *window, gboolean found, gpointer user_data)
{
  Run *run = user_data;

  run->find_done = TRUE;
  run->found = found;
}

static void
step_wait_find (Run *run)
{
  if (!run->find_done)
    {
      then (run, 0, step_wait_find);
      return;
    }
  if (!run->found)
    {
      ipt_tool_error ("%s: not found", run->action);
      run->automation->status = 1;
    }
  step_next_action (run);
}

static void
step_next_action (Run *run)
{
  IptViewAutomation *automation = run->automation;
  gboolean started;

  g_clear_pointer (&run->action, g_free);
  run->find_done = FALSE;
  if (run->next_action == 0 && automation->go_to != NULL)
    {
      run->action = g_strdup_printf ("--go-to %s", automation->go_to);
      started = ipt_view_window_go_to (run->window, automation->go_to);
    }
  else if (run->next_action <= 1 && automation->search != NULL)
    {
      run->next_action = 1;
      run->action = g_strdup_printf ("--search %s", automation->search);
      started = ipt_view_window_search (run->window, automation->search);
    }
  else if (run->next_action <= 2 && automation->activate_error > 0)
    {
      run->next_action = 2;
      run->action = g_strdup_printf ("--activate-error %d", automation->activate_error);
      started = ipt_view_window_activate_error (run->window, (guint) automation->activate_error - 1);
    }
  else
    {
      g_signal_handlers_disconnect_by_func (run->window, on_find_done, run);
      then (run, SETTLE_FRAMES, step_dump_listing);
      return;
    }
  run->next_action++;
  if (!started)
    {
      ipt_tool_error ("%s: no search started", run->action);
      automation->status = 1;
      step_next_action (run);
      return;
    }
  then (run, 0, step_wait_find);
}

static void
step_actions (Run *run)
{
  g_signal_connect (run->window, "find-done", G_CALLBACK (on_find_done), run);
  run->next_action = 0;
  step_next_action (run);
}

static void
step_start (Run *run)
{
  if (run->automation->go_to != NULL || run->automation->search != NULL ||
      run->automation->activate_error > 0)
    {
      step_actions (run);
      return;
    }
  if (run->automation->scroll_to_end)
    {
      run->scroll_start = g_get_monotonic_time ();
      run->last_row = ipt_view_window_scroll_to_end (run->window);
      if (run->last_row == NULL)
        {
          ipt_tool_error ("--scroll-to-end: the listing is empty");
          run->automation->status = 1;
        }
      else
        {
          then (run, 0, step_wait_end);
          return;
        }
    }
  step_dump_listing (run);
}

static void
on_loaded (IptViewWindow *window, gboolean ok, const char *message, gpointer user_data)
{
  IptViewAutomation *self = user_data;
  Run *run;

  g_signal_handlers_disconnect_by_func (window, on_loaded, user_data);
  if (!ok)
    {
      /* the window says it in its status bar; a script needs it on stderr */
      ipt_tool_error ("%s", message);
      self->status = 1;
      if (self->quit)
        g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))));
      return;
    }
  report ("loaded", "%.3f s", (g_get_monotonic_time () - self->attached) / 1e6);
  run = g_new0 (Run, 1);
  run->automation = self;
  run->window = g_object_ref (window);
  run->dump = self->dump != NULL ? g_string_new (NULL) : NULL;
  then (run, SETTLE_FRAMES, step_start);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick, run, NULL);
}

void
ipt_view_automation_attach (IptViewAutomation *self, IptViewWindow *window)
{
  self->attached = g_get_monotonic_time ();
  g_signal_connect (window, "loaded", G_CALLBACK (on_loaded), self);
}

void
ipt_view_automation_started (IptViewAutomation *self, IptViewWindow *window)
{
  if (self->cancel && !ipt_view_window_press_cancel (window))
    {
      ipt_tool_error ("--cancel-load: nothing to cancel (the load is over)");
      self->status = 1;
    }
}
