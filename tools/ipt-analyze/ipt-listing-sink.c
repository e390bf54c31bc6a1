/* ipt-listing-sink.c: prints what the decoder produces in ptxed's layout,
 * each line as core/ipt-listing-format.c writes it (the lines of
 * IptListingModel too): one "%016llx" address per instruction (plus
 * Intel-syntax disassembly unless --no-inst), "[event]" lines and
 * "[offset, ip: kind: message]" error lines. With --no-inst the output is
 * byte-identical to ptxed 2.0.5's. Names are those of the decode's time
 * (JIT code reuses addresses), in the address space the paging events
 * say. It writes millions of lines: one big buffer, no allocation per
 * instruction. In a parallel decode each segment's part
 * lists into its own buffer, spilled to an unlinked temporary file past
 * the buffer's size, and merge copies the parts out in trace order: memory
 * stays one buffer per segment in flight, whatever the listing's length. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ipt-listing-sink.h"
#include "ipt-listing-format.h"

#define BUFFER_SIZE (256 * 1024)
/* Room for the longest line we write at once, its prefix included. */
#define PREFIX_MAX_LEN 160
#define LINE_MAX_LEN (IPT_LISTING_LINE_MAX + PREFIX_MAX_LEN)

struct _IptListingSink {
  GObject parent_instance;

  FILE *out;                            /* a part's: NULL until it spills */
  gboolean is_part;                     /* made by split: out is its own temporary file */
  IptListingFlags flags;
  char *buffer;
  gsize len;
  int write_errno;
  gboolean begun;                       /* a decode ran into this sink */

  IptListingFormat format;              /* its symbols: nullable */
  IptAsid asid;                         /* the address space, from paging/vmcs events */
  IptDecoder *decoder;                  /* during a decode: its time names JIT code */
  char prefix[PREFIX_MAX_LEN];          /* columns before each instruction (--fields) */
  gsize prefix_len;
  char *note;                           /* nullable: a line before the next one printed */
};

static void ipt_listing_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptListingSink, ipt_listing_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_listing_sink_iface_init))

static void
flush_buffer (IptListingSink *self)
{
  if (self->is_part && self->out == NULL && self->len > 0 && self->write_errno == 0 &&
      (self->out = tmpfile ()) == NULL)
    self->write_errno = errno != 0 ? errno : EIO;
  if (self->len > 0 && self->write_errno == 0)
    {
      if (fwrite (self->buffer, 1, self->len, self->out) != self->len)
        self->write_errno = errno != 0 ? errno : EIO;
    }
  self->len = 0;
}

/* Makes sure LINE_MAX_LEN bytes fit and returns where to write them. */
static inline char *
reserve (IptListingSink *self)
{
  if (G_UNLIKELY (self->len + LINE_MAX_LEN > BUFFER_SIZE))
    flush_buffer (self);
  return self->buffer + self->len;
}

/* The note waiting for the next line printed (ipt_listing_sink_put_note()). */
static void
put_note (IptListingSink *self)
{
  gsize n = MIN (strlen (self->note), (gsize) LINE_MAX_LEN - 1);
  char *p = reserve (self);

  memcpy (p, self->note, n);
  p[n - 1] = '\n';
  self->len += n;
  g_clear_pointer (&self->note, g_free);
}

/* Where to write a line (the note, if any, written before it). */
static inline char *
begin_line (IptListingSink *self)
{
  if (G_UNLIKELY (self->note != NULL))
    put_note (self);
  return reserve (self);
}

/* Ends the line of @n bytes that begin_line() gave. */
static inline void
end_line (IptListingSink *self, gsize n)
{
  self->buffer[self->len + n] = '\n';
  self->len += n + 1;
}

static void
ipt_listing_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptListingSink *self = (IptListingSink *) sink;
  char *start = begin_line (self);
  char *p = start;
  guint64 time = IPT_TIME_END;

  if (self->prefix_len > 0)
    {
      memcpy (p, self->prefix, self->prefix_len);
      p += self->prefix_len;
    }
  /* names and lines of the trace's time: JIT code reuses addresses */
  if (self->format.symbols != NULL && self->decoder != NULL)
    (void) ipt_decoder_get_time (self->decoder, &time);
  p = ipt_listing_format_insn (&self->format, p, insn, &self->asid, time, NULL);
  end_line (self, (gsize) (p - start));
}

static void
ipt_listing_sink_event (IptSink *sink, const struct pt_event *ev)
{
  IptListingSink *self = (IptListingSink *) sink;
  char line[IPT_LISTING_LINE_MAX];
  gsize n;

  /* Symbols are looked up in the address space the trace says it is in. */
  ipt_listing_format_track_asid (&self->asid, ev);
  if (!(self->flags & IPT_LISTING_EVENTS) || (n = ipt_listing_format_event (line, ev)) == 0)
    return;
  memcpy (begin_line (self), line, n);
  end_line (self, n);
}

static void
ipt_listing_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip,
                        int code)
{
  IptListingSink *self = (IptListingSink *) sink;

  if (offset < 0)
    end_line (self, ipt_listing_format_no_offset (begin_line (self)));
  end_line (self, ipt_listing_format_error (begin_line (self), kind, offset, ip, code));
}

static void
ipt_listing_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  IptListingSink *self = (IptListingSink *) sink;

  if (self->flags & IPT_LISTING_EVENTS)
    {
      gsize n = strlen (IPT_LISTING_END_OF_TRACE_LINE);

      memcpy (begin_line (self), IPT_LISTING_END_OF_TRACE_LINE, n);
      end_line (self, n);
    }
}

static gboolean
ipt_listing_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  ((IptListingSink *) sink)->begun = TRUE;
  ((IptListingSink *) sink)->decoder = decoder;
  return TRUE;
}

static IptSinkNeeds
ipt_listing_sink_get_needs (IptSink *sink)
{
  IptListingSink *self = (IptListingSink *) sink;

  return (self->flags & IPT_LISTING_INSNS) ? IPT_SINK_NEEDS_INSNS : IPT_SINK_NEEDS_NONE;
}

static gboolean
ipt_listing_sink_end (IptSink *sink, GError **error)
{
  IptListingSink *self = (IptListingSink *) sink;

  self->decoder = NULL;
  g_clear_pointer (&self->note, g_free);   /* a heading over nothing */
  flush_buffer (self);
  if (self->write_errno == 0 && fflush (self->out) != 0)
    self->write_errno = errno != 0 ? errno : EIO;
  if (self->write_errno != 0)
    {
      int saved = self->write_errno;

      self->write_errno = 0;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot write the listing: %s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static IptSink *
ipt_listing_sink_split (IptSink *sink)
{
  IptListingSink *self = (IptListingSink *) sink;
  IptListingSink *part = ipt_listing_sink_new (NULL, self->flags);

  part->is_part = TRUE;
  ipt_listing_sink_set_symbols (part, self->format.symbols);
  ipt_listing_sink_set_prefix (part, self->prefix, self->prefix_len);
  return IPT_SINK (part);
}

/* Writes @size bytes of @data to @self's output, keeping the first error. */
static void
write_out (IptListingSink *self, const char *data, gsize size)
{
  if (size > 0 && self->write_errno == 0 && fwrite (data, 1, size, self->out) != size)
    self->write_errno = errno != 0 ? errno : EIO;
}

/* The part's text after everything listed so far: what spilled to its
 * file, then what is still in its buffer. */
static gboolean
ipt_listing_sink_merge (IptSink *sink, IptSink *part_sink, GError **error)
{
  IptListingSink *self = (IptListingSink *) sink;
  IptListingSink *part;

  if (!IPT_IS_LISTING_SINK (part_sink))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "a listing cannot merge a %s", G_OBJECT_TYPE_NAME (part_sink));
      return FALSE;
    }
  part = (IptListingSink *) part_sink;
  flush_buffer (self);
  if (part->out != NULL && part->write_errno == 0)
    {
      gsize n;

      if (fflush (part->out) != 0 || fseek (part->out, 0, SEEK_SET) != 0)
        part->write_errno = errno != 0 ? errno : EIO;
      /* self's buffer is empty after the flush: the copy's scratch */
      while (part->write_errno == 0 && (n = fread (self->buffer, 1, BUFFER_SIZE, part->out)) > 0)
        write_out (self, self->buffer, n);
      if (ferror (part->out))
        part->write_errno = errno != 0 ? errno : EIO;
    }
  write_out (self, part->buffer, part->len);
  part->len = 0;
  if (self->write_errno == 0)
    self->write_errno = part->write_errno;
  self->asid = part->asid;
  return TRUE;
}

static void
ipt_listing_sink_iface_init (IptSinkInterface *iface)
{
  iface->split = ipt_listing_sink_split;
  iface->merge = ipt_listing_sink_merge;
  iface->begin = ipt_listing_sink_begin;
  iface->get_needs = ipt_listing_sink_get_needs;
  iface->insn = ipt_listing_sink_insn;
  iface->error = ipt_listing_sink_error;
  iface->end_of_trace = ipt_listing_sink_end_of_trace;
  iface->end = ipt_listing_sink_end;
  iface->event = ipt_listing_sink_event;
}

static void
ipt_listing_sink_finalize (GObject *object)
{
  IptListingSink *self = IPT_LISTING_SINK (object);

  if (self->is_part && self->out != NULL)
    fclose (self->out);
  else if (!self->is_part)
    flush_buffer (self);
  g_free (self->buffer);
  g_free (self->note);
  ipt_listing_format_clear (&self->format);

  G_OBJECT_CLASS (ipt_listing_sink_parent_class)->finalize (object);
}

static void
ipt_listing_sink_class_init (IptListingSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ipt_listing_sink_finalize;
}

static void
ipt_listing_sink_init (IptListingSink *self)
{
  self->buffer = g_malloc (BUFFER_SIZE);
  self->asid = (IptAsid) IPT_ASID_INIT_ANY;
}

/**
 * ipt_listing_sink_new:
 * @out: (nullable): where to write (not closed; flushed at the end of each
 *   decode); %NULL only for the parts that split makes
 * @flags: what to print
 *
 * Returns: (transfer full): a new listing sink
 */
IptListingSink *
ipt_listing_sink_new (FILE *out, IptListingFlags flags)
{
  IptListingSink *self = g_object_new (IPT_TYPE_LISTING_SINK, NULL);

  self->out = out;
  self->flags = flags;
  ipt_listing_format_init (&self->format, (flags & IPT_LISTING_DISASSEMBLE) != 0);
  return self;
}

/**
 * ipt_listing_sink_set_symbols:
 * @self: an #IptListingSink
 * @symbols: (nullable): names for the disassembly, or %NULL for none
 *
 * With %IPT_LISTING_DISASSEMBLE, each instruction that @symbols names gets
 * " <name+0x12>" after its address, and each direct branch target after
 * the target. The lookups do not allocate. Set it before decoding.
 */
void
ipt_listing_sink_set_symbols (IptListingSink *self, IptSymbolResolver *symbols)
{
  g_return_if_fail (IPT_IS_LISTING_SINK (self));

  ipt_listing_format_set_symbols (&self->format, symbols);
}

/**
 * ipt_listing_sink_set_prefix:
 * @self: an #IptListingSink
 * @prefix: (nullable): what to print before each instruction, or %NULL
 * @len: its length (at most 159 bytes are kept)
 *
 * Columns before each instruction line (--perf's --fields), until changed.
 */
void
ipt_listing_sink_set_prefix (IptListingSink *self, const char *prefix, gsize len)
{
  g_return_if_fail (IPT_IS_LISTING_SINK (self));

  self->prefix_len = prefix != NULL ? MIN (len, sizeof self->prefix - 1) : 0;
  if (self->prefix_len > 0)
    memcpy (self->prefix, prefix, self->prefix_len);
}

/**
 * ipt_listing_sink_put_note:
 * @self: an #IptListingSink
 * @line: one line, without its newline
 *
 * Puts @line into the listing before the next line it prints, if any (a
 * later note replaces it): a heading says what follows, so none is
 * printed over nothing. Not when the listing prints no events.
 */
void
ipt_listing_sink_put_note (IptListingSink *self, const char *line)
{
  g_return_if_fail (IPT_IS_LISTING_SINK (self));

  g_clear_pointer (&self->note, g_free);
  if (self->flags & IPT_LISTING_EVENTS)
    self->note = g_strconcat (line, "\n", NULL);
}

/**
 * ipt_listing_sink_has_begun:
 * @self: an #IptListingSink
 *
 * Returns: whether a decode began writing into @self: a decode that fails
 *   after that has listed what it decoded before it stopped
 */
gboolean
ipt_listing_sink_has_begun (IptListingSink *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_SINK (self), FALSE);

  return self->begun;
}
