/* ipt-listing-window.c: the few windows of a listing decoded last, each a
 * run of rows as compact records (an event's line in the window's text),
 * so that a view asking for rows around a position decodes once for all
 * of them. A window is decoded from the checkpoint before it; memory is
 * bounded by the number of windows kept (least recently used goes).
 * Thread-safe: one lock over the cache (a decode holds it). */
#include "config.h"

#include <string.h>

#include "ipt-listing-private.h"

typedef struct {
  guint64 first;       /* G_MAXUINT64: empty */
  guint n;
  IptListingRecord *records;
  GString *text;
  guint64 used;        /* the tick of its last use */
} Window;

struct _IptListingWindows {
  GMutex lock;
  guint rows_per_window;
  guint n_windows;
  Window *windows;
  guint64 tick;
};

IptListingWindows *
ipt_listing_windows_new (guint n_windows, guint rows_per_window)
{
  IptListingWindows *self = g_new0 (IptListingWindows, 1);

  g_mutex_init (&self->lock);
  self->rows_per_window = rows_per_window;
  self->n_windows = n_windows;
  self->windows = g_new0 (Window, n_windows);
  for (guint i = 0; i < n_windows; i++)
    {
      self->windows[i].first = G_MAXUINT64;
      self->windows[i].text = g_string_new (NULL);
    }
  return self;
}

void
ipt_listing_windows_clear (IptListingWindows *self)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_windows; i++)
    self->windows[i].first = G_MAXUINT64;
  g_mutex_unlock (&self->lock);
}

void
ipt_listing_windows_free (IptListingWindows *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n_windows; i++)
    {
      g_free (self->windows[i].records);
      g_string_free (self->windows[i].text, TRUE);
    }
  g_free (self->windows);
  g_mutex_clear (&self->lock);
  g_free (self);
}

typedef struct {
  Window *window;
  guint capacity;
} Fill;

static gboolean
fill_row (gpointer user_data, guint64 row, const IptListingRecord *record, const char *text,
          gsize len)
{
  Fill *fill = user_data;
  Window *window = fill->window;
  IptListingRecord *slot = &window->records[window->n++];

  *slot = *record;
  if (text != NULL)
    {
      slot->text = (guint32) window->text->len;
      g_string_append_len (window->text, text, (gssize) len);
      g_string_append_c (window->text, '\0');
    }
  return window->n < fill->capacity;
}

gboolean
ipt_listing_windows_get (IptListingWindows *self, const IptListingIndex *index,
                         const IptListingSource *source, guint64 row, IptListingRecord *record,
                         char *text, GError **error)
{
  guint64 first = row - row % self->rows_per_window;
  Window *window = NULL, *oldest = &self->windows[0];
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_windows && window == NULL; i++)
    {
      if (self->windows[i].first == first)
        window = &self->windows[i];
      else if (self->windows[i].used < oldest->used)
        oldest = &self->windows[i];
    }
  if (window == NULL)
    {
      Fill fill = { oldest, (guint) MIN ((guint64) self->rows_per_window,
                                         index->n_rows - first) };

      window = oldest;
      if (window->records == NULL)   /* memory only for windows used */
        window->records = g_new (IptListingRecord, self->rows_per_window);
      window->first = G_MAXUINT64;
      window->n = 0;
      g_string_truncate (window->text, 0);
      ok = ipt_listing_index_scan (index, source, first, fill_row, &fill, NULL, error);
      if (ok)
        window->first = first;
    }
  if (ok && row - first >= window->n)
    {
      /* the decode ended before the row: the index does not fit the trace */
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                   "%s: row %" G_GUINT64_FORMAT ": the decode from its checkpoint ended after "
                   "%u rows of its window", source->name, row, window->n);
      window->first = G_MAXUINT64;
      ok = FALSE;
    }
  if (ok)
    {
      window->used = ++self->tick;
      *record = window->records[row - first];
      text[0] = '\0';
      if (record->kind == IPT_LISTING_RECORD_EVENT)
        g_strlcpy (text, window->text->str + record->text, IPT_LISTING_LINE_MAX);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}
