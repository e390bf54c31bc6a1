/* ipt-view-window.c: the main window. It owns no data: the trace
 * (IptViewTrace) holds the image and the decode's results, the views show
 * them. A load runs asynchronously; the progress bar follows the trace's
 * progress, the cancel button cancels the load (what was shown before
 * stays). Adding a memory source reloads, since every instruction may
 * decode differently with more memory. Go to, search and an error's row
 * ask the listing model in a thread (ipt-view-find.c), from the row after
 * the selected one, wrapping around once; a new search cancels one that
 * still runs, and "find-done" tells when one ended. */
#include "config.h"

#include "ipt-view-window.h"

#include <inttypes.h>
#include <string.h>

#include "ipt-listing-format.h"
#include "ipt-number.h"
#include "ipt-view-call-tree.h"
#include "ipt-view-errors.h"
#include "ipt-view-find.h"
#include "ipt-view-functions.h"
#include "ipt-view-listing.h"
#include "ipt-view-regions.h"

struct _IptViewWindow {
  GtkApplicationWindow parent_instance;

  IptViewTrace *trace;
  GCancellable *cancellable;      /* of the load running, NULL when none */
  gboolean loaded;

  GtkNotebook *pages;
  GtkWidget *page[IPT_VIEW_N_PAGES];
  IptViewListing *listing;
  GtkProgressBar *progress;
  GtkWidget *cancel;
  GtkLabel *status;
  GtkEntry *go_to;
  GtkSearchEntry *search;
  GCancellable *find_cancellable; /* of the search running, NULL when none */
};

enum {
  SIGNAL_LOADED,
  SIGNAL_FIND_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IptViewWindow, ipt_view_window, GTK_TYPE_APPLICATION_WINDOW)

static const char *const page_names[IPT_VIEW_N_PAGES] = {
  "Call tree", "Hot functions", "Regions", "Errors",
};

const char *
ipt_view_page_get_name (IptViewPage page)
{
  return page < IPT_VIEW_N_PAGES ? page_names[page] : NULL;
}

static void
set_status (IptViewWindow *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
set_status (IptViewWindow *self, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  gtk_label_set_text (self->status, text);
}

static void
on_progress (IptViewTrace *trace, GParamSpec *pspec, gpointer user_data)
{
  IptViewWindow *self = user_data;

  gtk_progress_bar_set_fraction (self->progress, ipt_view_trace_get_progress (trace));
}

static void
show_results (IptViewWindow *self)
{
  IptCalls *calls = ipt_view_trace_get_calls (self->trace);
  GListModel *errors = ipt_view_trace_get_errors (self->trace);
  g_autofree char *errors_title = NULL;

  ipt_view_call_tree_set_calls (IPT_VIEW_CALL_TREE (self->page[IPT_VIEW_PAGE_CALLS]), calls);
  ipt_view_functions_set_calls (IPT_VIEW_FUNCTIONS (self->page[IPT_VIEW_PAGE_FUNCTIONS]), calls);
  ipt_view_errors_set_errors (IPT_VIEW_ERRORS (self->page[IPT_VIEW_PAGE_ERRORS]), errors);
  errors_title = g_strdup_printf ("Errors (%u)", errors != NULL ? g_list_model_get_n_items (errors)
                                                                : 0);
  gtk_notebook_set_tab_label_text (self->pages, self->page[IPT_VIEW_PAGE_ERRORS], errors_title);
  if (calls != NULL)
    set_status (self, "%" PRIu64 " instructions, %" PRIu64 " calls, %u errors",
                ipt_calls_get_n_insns (calls), ipt_calls_get_n_calls (calls),
                errors != NULL ? g_list_model_get_n_items (errors) : 0);
}

static void
loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  IptViewWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = ipt_view_trace_load_finish (IPT_VIEW_TRACE (source), result, &error);

  /* a load that a newer one replaced (a source was added): the newer one reports */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    {
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->cancellable);
  gtk_widget_set_visible (self->cancel, FALSE);
  if (ok)
    {
      self->loaded = TRUE;
      show_results (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, "cancelled");
  else
    set_status (self, "%s", error->message);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0, ok, error != NULL ? error->message : NULL);
  g_object_unref (self);
}

void
ipt_view_window_load (IptViewWindow *self)
{
  if (ipt_view_trace_get_path (self->trace) == NULL)
    {
      /* nothing to decode: the memory (regions, add source) is all there is */
      set_status (self, "no trace (--pt FILE): the memory sources only");
      self->loaded = TRUE;
      g_signal_emit (self, signals[SIGNAL_LOADED], 0, TRUE, NULL);
      return;
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loaded = FALSE;
  gtk_progress_bar_set_fraction (self->progress, 0.0);
  gtk_widget_set_visible (self->cancel, TRUE);
  set_status (self, "decoding %s…", ipt_view_trace_get_path (self->trace) != NULL
                                    ? ipt_view_trace_get_path (self->trace) : "");
  ipt_view_trace_load_async (self->trace, self->cancellable, loaded, g_object_ref (self));
}

gboolean
ipt_view_window_is_loaded (IptViewWindow *self)
{
  return self->loaded;
}

static void
on_cancel (GtkButton *button, gpointer user_data)
{
  IptViewWindow *self = user_data;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
ipt_view_window_press_cancel (IptViewWindow *self)
{
  if (!gtk_widget_get_visible (self->cancel))
    return FALSE;
  g_signal_emit_by_name (self->cancel, "clicked");     /* a click: activate waits for an animation */
  return TRUE;
}

static void
on_provider_added (IptViewSourceDialog *dialog, IptMemoryProvider *provider, const char *spec,
                   gpointer user_data)
{
  IptViewWindow *self = user_data;

  ipt_image_add_provider (ipt_view_trace_get_image (self->trace), provider);
  set_status (self, "added %s", spec);
  if (ipt_view_trace_get_path (self->trace) != NULL)
    ipt_view_window_load (self);
}

IptViewSourceDialog *
ipt_view_window_add_source (IptViewWindow *self, const char *plugin)
{
  IptViewSourceDialog *dialog = ipt_view_source_dialog_new (GTK_WINDOW (self),
                                                            ipt_view_trace_get_registry (self->trace));

  if (plugin != NULL && !ipt_view_source_dialog_select (dialog, plugin))
    set_status (self, "no plugin named '%s'", plugin);
  g_signal_connect_object (dialog, "provider-added", G_CALLBACK (on_provider_added), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_add_source (GtkButton *button, gpointer user_data)
{
  ipt_view_window_add_source (user_data, NULL);
}

void
ipt_view_window_show_page (IptViewWindow *self, IptViewPage page)
{
  gtk_notebook_set_current_page (self->pages, gtk_notebook_page_num (self->pages, self->page[page]));
}

GtkColumnView *
ipt_view_window_get_page_view (IptViewWindow *self, IptViewPage page)
{
  switch (page)
    {
    case IPT_VIEW_PAGE_CALLS:
      return ipt_view_call_tree_get_column_view (IPT_VIEW_CALL_TREE (self->page[page]));
    case IPT_VIEW_PAGE_FUNCTIONS:
      return ipt_view_functions_get_column_view (IPT_VIEW_FUNCTIONS (self->page[page]));
    case IPT_VIEW_PAGE_REGIONS:
      return ipt_view_regions_get_column_view (IPT_VIEW_REGIONS (self->page[page]));
    case IPT_VIEW_PAGE_ERRORS:
      return ipt_view_errors_get_column_view (IPT_VIEW_ERRORS (self->page[page]));
    case IPT_VIEW_N_PAGES:
    default:
      return NULL;
    }
}

static void
on_listing_ready (IptViewTrace *trace, IptListingModel *listing, gpointer user_data)
{
  IptViewWindow *self = user_data;

  ipt_view_listing_set_model (self->listing, listing);
}

GtkColumnView *
ipt_view_window_get_listing_view (IptViewWindow *self)
{
  return ipt_view_listing_get_column_view (self->listing);
}

char *
ipt_view_window_scroll_to_end (IptViewWindow *self)
{
  IptListingModel *model = ipt_view_listing_get_model (self->listing);
  guint n = model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
  g_autoptr(IptListingRow) last = n > 0 ? ipt_listing_model_get_row (model, n - 1, NULL) : NULL;

  if (last == NULL)
    return NULL;
  ipt_view_listing_show_row (self->listing, n - 1);
  return ipt_view_listing_row_cells (last);
}

typedef struct {
  IptViewWindow *self;
  char *shown;                /* what the status says was looked for */
} FindRun;

static void
find_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FindRun *run = user_data;
  IptViewWindow *self = run->self;
  g_autoptr(GError) error = NULL;
  guint position = 0;
  gboolean found = ipt_view_find_finish (result, &position, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;                         /* a newer search replaced it and reports */
  else
    {
      if (error != NULL)
        set_status (self, "%s", error->message);
      else if (!found)
        set_status (self, "%s: not in the listing", run->shown);
      else
        {
          ipt_view_listing_show_row (self->listing, position);
          set_status (self, "%s: row %u", run->shown, position);
        }
      g_clear_object (&self->find_cancellable);
      g_signal_emit (self, signals[SIGNAL_FIND_DONE], 0, found);
    }
  g_free (run->shown);
  g_object_unref (run->self);
  g_free (run);
}

/* Finds @what (from the row after or before the selected one, wrapping
 * around, when @after) in a thread and shows the row found; a search
 * still running is cancelled. FALSE when there is no listing to search. */
static gboolean
find_and_show (IptViewWindow *self, const IptViewFindWhat *what, gboolean after,
               gboolean backward, const char *shown)
{
  IptListingModel *model = ipt_view_listing_get_model (self->listing);
  FindRun *run;

  if (model == NULL || g_list_model_get_n_items (G_LIST_MODEL (model)) == 0)
    {
      set_status (self, "no listing yet");
      return FALSE;
    }
  if (self->find_cancellable != NULL)
    g_cancellable_cancel (self->find_cancellable);
  g_clear_object (&self->find_cancellable);
  self->find_cancellable = g_cancellable_new ();
  run = g_new0 (FindRun, 1);
  run->self = g_object_ref (self);
  run->shown = g_strdup (shown);
  set_status (self, "%s: searching…", shown);
  ipt_view_find_async (model, what, after, ipt_view_listing_get_selected (self->listing), backward,
                       self->find_cancellable, find_done, run);
  return TRUE;
}

static void
search (IptViewWindow *self, gboolean backward)
{
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search));
  IptViewFindWhat what = { FALSE, 0, needle };

  if (needle[0] != '\0')
    find_and_show (self, &what, TRUE, backward, needle);
}

static void
on_search_next (GtkSearchEntry *entry, gpointer user_data)
{
  search (user_data, FALSE);
}

static void
on_search_previous (GtkSearchEntry *entry, gpointer user_data)
{
  search (user_data, TRUE);
}

/* @text as an address: a number, or a function of the trace with an
 * optional +OFFSET (names come from the call analysis: the functions
 * the trace executed). */
static gboolean
parse_location (IptViewWindow *self, const char *text, guint64 *address)
{
  IptCalls *calls = ipt_view_trace_get_calls (self->trace);
  g_autoptr(GListModel) functions = NULL;
  g_autofree char *name = g_strstrip (g_strdup (text));
  char *plus = strrchr (name, '+');
  guint64 offset = 0;

  if (ipt_number_parse_full (name, address))
    return TRUE;
  if (plus != NULL && ipt_number_parse_full (plus + 1, &offset))
    *plus = '\0';
  if (calls == NULL)
    return FALSE;
  functions = ipt_calls_get_functions (calls);
  for (guint i = 0; i < g_list_model_get_n_items (functions); i++)
    {
      g_autoptr(IptCallFunction) function = g_list_model_get_item (functions, i);

      if (g_str_equal (ipt_call_function_get_symbol (function), name))
        {
          *address = ipt_call_function_get_address (function) + offset;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
go_to (IptViewWindow *self, const char *text)
{
  IptViewFindWhat what = { TRUE, 0, NULL };

  if (!parse_location (self, text, &what.address))
    {
      set_status (self, "%s: neither an address nor a function of the trace", text);
      return FALSE;
    }
  return find_and_show (self, &what, TRUE, FALSE, text);
}

static void
on_go_to (GtkEntry *entry, gpointer user_data)
{
  go_to (user_data, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

gboolean
ipt_view_window_go_to (IptViewWindow *self, const char *location)
{
  gtk_editable_set_text (GTK_EDITABLE (self->go_to), location);
  return go_to (self, location);
}

gboolean
ipt_view_window_search (IptViewWindow *self, const char *needle)
{
  IptViewFindWhat what = { FALSE, 0, needle };

  gtk_editable_set_text (GTK_EDITABLE (self->search), needle);
  return find_and_show (self, &what, TRUE, FALSE, needle);
}

/* The row of @error: the first row with its line. */
static gboolean
show_error (IptViewWindow *self, IptViewError *error)
{
  char line[IPT_LISTING_LINE_MAX];
  IptViewFindWhat what = { FALSE, 0, line };

  ipt_listing_format_error (line, ipt_view_error_get_kind (error), ipt_view_error_get_offset (error),
                            ipt_view_error_get_ip (error), ipt_view_error_get_code (error));
  return find_and_show (self, &what, FALSE, FALSE, line);
}

static void
on_error_activated (IptViewErrors *errors, IptViewError *error, gpointer user_data)
{
  show_error (user_data, error);
}

gboolean
ipt_view_window_activate_error (IptViewWindow *self, guint index)
{
  GListModel *errors = ipt_view_trace_get_errors (self->trace);
  g_autoptr(IptViewError) error = errors != NULL ? g_list_model_get_item (errors, index) : NULL;

  if (error == NULL)
    return FALSE;
  ipt_view_window_show_page (self, IPT_VIEW_PAGE_ERRORS);
  return show_error (self, error);
}

char *
ipt_view_window_get_selected_cells (IptViewWindow *self)
{
  IptListingModel *model = ipt_view_listing_get_model (self->listing);
  GtkSelectionModel *selection = gtk_column_view_get_model (ipt_view_listing_get_column_view (
                                                              self->listing));
  guint selected = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (selection));
  g_autoptr(IptListingRow) row = NULL;

  if (model == NULL || selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  row = ipt_listing_model_get_row (model, selected, NULL);
  return row != NULL ? ipt_view_listing_row_cells (row) : NULL;
}

static void
ipt_view_window_dispose (GObject *object)
{
  IptViewWindow *self = IPT_VIEW_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->find_cancellable != NULL)
    g_cancellable_cancel (self->find_cancellable);
  g_clear_object (&self->find_cancellable);
  if (self->trace != NULL)
    g_signal_handlers_disconnect_by_data (self->trace, self);
  g_clear_object (&self->trace);
  G_OBJECT_CLASS (ipt_view_window_parent_class)->dispose (object);
}

static void
ipt_view_window_class_init (IptViewWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_window_dispose;
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
  signals[SIGNAL_FIND_DONE] =
    g_signal_new ("find-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
ipt_view_window_init (IptViewWindow *self)
{
}

static GtkWidget *
new_header (IptViewWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *add = gtk_button_new_with_mnemonic ("_Add source…");

  gtk_widget_set_tooltip_text (add, "Add a memory source from a plugin");
  g_signal_connect (add, "clicked", G_CALLBACK (on_add_source), self);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), add);

  self->go_to = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->go_to, "Go to address or symbol");
  gtk_editable_set_width_chars (GTK_EDITABLE (self->go_to), 24);
  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_editable_set_width_chars (GTK_EDITABLE (self->search), 24);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), GTK_WIDGET (self->search));
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), GTK_WIDGET (self->go_to));
  return header;
}

static GtkWidget *
new_status_bar (IptViewWindow *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status, 0.0);
  gtk_label_set_ellipsize (self->status, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->status), TRUE);
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (GTK_WIDGET (self->progress), 200, -1);
  self->cancel = gtk_button_new_with_mnemonic ("_Cancel");
  gtk_widget_set_visible (self->cancel, FALSE);
  g_signal_connect (self->cancel, "clicked", G_CALLBACK (on_cancel), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (bar), self->cancel);
  gtk_widget_set_margin_start (bar, 6);
  gtk_widget_set_margin_end (bar, 6);
  gtk_widget_set_margin_top (bar, 3);
  gtk_widget_set_margin_bottom (bar, 3);
  return bar;
}

IptViewWindow *
ipt_view_window_new (GtkApplication *app, IptViewTrace *trace)
{
  IptViewWindow *self = g_object_new (IPT_VIEW_TYPE_WINDOW, "application", app, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  const char *path = ipt_view_trace_get_path (trace);
  g_autofree char *title = g_strdup_printf ("%s — ipt-view", path != NULL ? path : "no trace");

  self->trace = g_object_ref (trace);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_window_set_default_size (GTK_WINDOW (self), 1280, 800);
  gtk_window_set_titlebar (GTK_WINDOW (self), new_header (self));

  self->listing = IPT_VIEW_LISTING (ipt_view_listing_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->listing), 480, -1);
  self->pages = GTK_NOTEBOOK (gtk_notebook_new ());
  self->page[IPT_VIEW_PAGE_CALLS] = ipt_view_call_tree_new ();
  self->page[IPT_VIEW_PAGE_FUNCTIONS] = ipt_view_functions_new ();
  self->page[IPT_VIEW_PAGE_REGIONS] = ipt_view_regions_new (ipt_view_trace_get_registry (trace),
                                                            ipt_view_trace_get_image (trace));
  self->page[IPT_VIEW_PAGE_ERRORS] = ipt_view_errors_new ();
  for (guint i = 0; i < IPT_VIEW_N_PAGES; i++)
    gtk_notebook_append_page (self->pages, self->page[i], gtk_label_new (page_names[i]));

  gtk_paned_set_start_child (GTK_PANED (paned), GTK_WIDGET (self->listing));
  gtk_paned_set_end_child (GTK_PANED (paned), GTK_WIDGET (self->pages));
  gtk_paned_set_position (GTK_PANED (paned), 700);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_box_append (GTK_BOX (box), paned);
  gtk_box_append (GTK_BOX (box), new_status_bar (self));
  gtk_window_set_child (GTK_WINDOW (self), box);

  g_signal_connect (trace, "notify::progress", G_CALLBACK (on_progress), self);
  g_signal_connect (trace, "listing-ready", G_CALLBACK (on_listing_ready), self);
  g_signal_connect (self->page[IPT_VIEW_PAGE_ERRORS], "error-activated",
                    G_CALLBACK (on_error_activated), self);
  g_signal_connect (self->go_to, "activate", G_CALLBACK (on_go_to), self);
  g_signal_connect (self->search, "activate", G_CALLBACK (on_search_next), self);
  g_signal_connect (self->search, "next-match", G_CALLBACK (on_search_next), self);
  g_signal_connect (self->search, "previous-match", G_CALLBACK (on_search_previous), self);
  return self;
}
