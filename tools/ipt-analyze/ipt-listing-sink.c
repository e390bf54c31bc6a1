/* ipt-listing-sink.c: prints what the decoder produces in ptxed's layout:
 * one "%016llx" address per instruction (plus Intel-syntax disassembly unless
 * --no-inst), "[event]" lines and "[offset, ip: kind: message]" error lines.
 * With --no-inst the output is byte-identical to ptxed 2.0.5's. With the
 * disassembly, instructions (and direct branch targets) that a symbol source
 * names get "<name+0x12>", as objdump and gdb print them (the names of the
 * decode's time: JIT code reuses addresses), and "; file:line" where a
 * source knows the line (a jitdump's line table). It writes millions
 * of lines: one big buffer, a hand-rolled hex formatter, no printf and no
 * allocation per instruction. In a parallel decode each segment's part
 * lists into its own buffer, spilled to an unlinked temporary file past
 * the buffer's size, and merge copies the parts out in trace order: memory
 * stays one buffer per segment in flight, whatever the listing's length. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "ipt-listing-sink.h"
#include "ipt-zydis.h"

#define BUFFER_SIZE (256 * 1024)
/* Room for the longest line we write at once, its prefix included. */
#define PREFIX_MAX_LEN 160
#define LINE_MAX_LEN (840 + PREFIX_MAX_LEN)

struct _IptListingSink {
  GObject parent_instance;

  FILE *out;                            /* a part's: NULL until it spills */
  gboolean is_part;                     /* made by split: out is its own temporary file */
  IptListingFlags flags;
  char *buffer;
  gsize len;
  int write_errno;
  gboolean begun;                       /* a decode ran into this sink */

  ZydisDecoder zydis[IPT_ZYDIS_N_MODES];   /* indexed by enum pt_exec_mode */
  gboolean zydis_ok[IPT_ZYDIS_N_MODES];
  ZydisFormatter formatter;

  IptSymbolResolver *symbols;           /* nullable */
  IptAsid asid;                         /* the address space, from paging/vmcs events */
  IptDecoder *decoder;                  /* during a decode: its time names JIT code */
  char prefix[PREFIX_MAX_LEN];          /* columns before each instruction (--fields) */
  gsize prefix_len;
  char *note;                           /* nullable: a line before the next one printed */
};

/* The longest "name+0x..." we print: longer (C++) names are cut. */
#define SYMBOL_MAX_LEN 160

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

static inline char *
put_hex16 (char *p, guint64 value)
{
  static const char digits[] = "0123456789abcdef";

  for (int i = 15; i >= 0; i--)
    {
      p[i] = digits[value & 0xf];
      value >>= 4;
    }
  return p + 16;
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

static void
put_formatted (IptListingSink *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
put_formatted (IptListingSink *self, const char *format, ...)
{
  char *p = reserve (self);
  va_list args;
  int n;

  if (G_UNLIKELY (self->note != NULL))
    {
      put_note (self);
      p = reserve (self);
    }
  va_start (args, format);
  n = g_vsnprintf (p, LINE_MAX_LEN, format, args);
  va_end (args);
  if (n > 0)
    self->len += MIN ((gsize) n, (gsize) LINE_MAX_LEN - 1);
}

/* " <name+0x12>" into @p (at most SYMBOL_MAX_LEN + 3 bytes) when @address
 * is named; returns the new end. */
static char *
put_symbol (IptListingSink *self, char *p, guint64 address, guint64 time)
{
  const char *name;
  guint64 offset;
  gsize n;

  if (self->symbols == NULL ||
      !ipt_symbol_resolver_lookup_at (self->symbols, &self->asid, address, time, &name, &offset,
                                      NULL, NULL))
    return p;
  /* ipt_symbol_format()'s "name+0x12", written by hand: through
   * g_snprintf it took a third of a listing's time. */
  *p++ = ' ';
  *p++ = '<';
  n = MIN (strlen (name), (gsize) SYMBOL_MAX_LEN - 19);
  memcpy (p, name, n);
  p += n;
  if (offset != 0)
    {
      int digits = 1;

      while (digits < 16 && (offset >> (4 * digits)) != 0)
        digits++;
      *p++ = '+';
      *p++ = '0';
      *p++ = 'x';
      for (int i = digits - 1; i >= 0; i--)
        *p++ = "0123456789abcdef"[(offset >> (4 * i)) & 0xf];
    }
  *p++ = '>';
  return p;
}

/* "  ; file:line" when a symbol source knows the line of @address (a JIT's
 * line table): into @p, at most SYMBOL_MAX_LEN + 16 bytes. */
static char *
put_line (IptListingSink *self, char *p, guint64 address, guint64 time)
{
  const char *file;
  guint line;
  gsize n;

  if (self->symbols == NULL ||
      !ipt_symbol_resolver_lookup_line (self->symbols, &self->asid, address, time, &file, &line))
    return p;
  memcpy (p, "  ; ", 4);
  p += 4;
  n = MIN (strlen (file), (gsize) SYMBOL_MAX_LEN);
  memcpy (p, file, n);
  p += n;
  p += g_snprintf (p, 16, ":%u", line);
  return p;
}

static char *
put_disassembly (IptListingSink *self, char *p, const struct pt_insn *insn, guint64 time)
{
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
  char text[256];
  int mode = insn->mode;

  if (mode >= 0 && mode < (int) G_N_ELEMENTS (self->zydis) && self->zydis_ok[mode] &&
      ZYAN_SUCCESS (ZydisDecoderDecodeFull (&self->zydis[mode], insn->raw, insn->size,
                                            &zi, operands)) &&
      ZYAN_SUCCESS (ZydisFormatterFormatInstruction (&self->formatter, &zi, operands,
                                                     zi.operand_count_visible, text,
                                                     sizeof (text), insn->ip, NULL)))
    {
      gsize n = strlen (text);
      ZyanU64 target;

      *p++ = ' ';
      *p++ = ' ';
      memcpy (p, text, n);
      p += n;
      /* A direct branch's target is its only operand, printed last: name
       * it after it, like objdump's "call 401126 <foo>". */
      if (self->symbols != NULL && zi.meta.branch_type != ZYDIS_BRANCH_TYPE_NONE &&
          zi.operand_count_visible == 1 && operands[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
          ZYAN_SUCCESS (ZydisCalcAbsoluteAddress (&zi, &operands[0], insn->ip, &target)))
        p = put_symbol (self, p, target, time);
      return p;
    }

  /* Undecodable bytes: show them, as ptxed does. */
  memcpy (p, "  (bad)", 7);
  p += 7;
  for (guint i = 0; i < insn->size && i < sizeof (insn->raw); i++)
    {
      static const char digits[] = "0123456789abcdef";
      *p++ = ' ';
      *p++ = digits[insn->raw[i] >> 4];
      *p++ = digits[insn->raw[i] & 0xf];
    }
  return p;
}

static void
ipt_listing_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptListingSink *self = (IptListingSink *) sink;
  char *start, *p;

  if (G_UNLIKELY (self->note != NULL))
    put_note (self);
  start = reserve (self);
  p = start;
  if (self->prefix_len > 0)
    {
      memcpy (p, self->prefix, self->prefix_len);
      p += self->prefix_len;
    }
  if (insn->speculative)
    {
      *p++ = '?';
      *p++ = ' ';
    }
  p = put_hex16 (p, insn->ip);
  if (self->flags & IPT_LISTING_DISASSEMBLE)
    {
      guint64 time = IPT_TIME_END;

      /* names and lines of the trace's time: JIT code reuses addresses */
      if (self->symbols != NULL && self->decoder != NULL)
        (void) ipt_decoder_get_time (self->decoder, &time);
      p = put_symbol (self, p, insn->ip, time);
      p = put_disassembly (self, p, insn, time);
      p = put_line (self, p, insn->ip, time);
    }
  *p++ = '\n';
  self->len += (gsize) (p - start);
}

static const char *
exec_mode_name (enum pt_exec_mode mode)
{
  switch (mode)
    {
    case ptem_unknown:
      return "<unknown>";
    case ptem_16bit:
      return "16-bit";
    case ptem_32bit:
      return "32-bit";
    case ptem_64bit:
      return "64-bit";
    default:
      return "<invalid>";
    }
}

/* The event names and fields of ptxed 2.0.5 (without --event:ip/time). */
static void
ipt_listing_sink_event (IptSink *sink, const struct pt_event *ev)
{
  IptListingSink *self = (IptListingSink *) sink;

  /* Symbols are looked up in the address space the trace says it is in. */
  switch (ev->type)
    {
    case ptev_paging:
      self->asid.cr3 = ev->variant.paging.cr3;
      break;
    case ptev_async_paging:
      self->asid.cr3 = ev->variant.async_paging.cr3;
      break;
    case ptev_vmcs:
      self->asid.vmcs = ev->variant.vmcs.base;
      break;
    case ptev_async_vmcs:
      self->asid.vmcs = ev->variant.async_vmcs.base;
      break;
    default:
      break;
    }

  if (ev->status_update || !(self->flags & IPT_LISTING_EVENTS))
    return;

  switch (ev->type)
    {
    case ptev_enabled:
      put_formatted (self, "[%s]\n", ev->variant.enabled.resumed ? "resumed" : "enabled");
      break;
    case ptev_disabled:
    case ptev_async_disabled:
      put_formatted (self, "[disabled]\n");
      break;
    case ptev_async_branch:
      put_formatted (self, "[interrupt]\n");
      break;
    case ptev_paging:
      put_formatted (self, "[paging, cr3: %016" PRIx64 "%s]\n", ev->variant.paging.cr3,
                     ev->variant.paging.non_root ? ", nr" : "");
      break;
    case ptev_async_paging:
      put_formatted (self, "[paging, cr3: %016" PRIx64 "%s]\n", ev->variant.async_paging.cr3,
                     ev->variant.async_paging.non_root ? ", nr" : "");
      break;
    case ptev_overflow:
      put_formatted (self, "[overflow]\n");
      break;
    case ptev_exec_mode:
      put_formatted (self, "[exec mode: %s]\n", exec_mode_name (ev->variant.exec_mode.mode));
      break;
    case ptev_tsx:
      put_formatted (self, "[%s]\n",
                     ev->variant.tsx.aborted ? "aborted"
                     : ev->variant.tsx.speculative ? "begin transaction" : "committed");
      break;
    case ptev_stop:
      put_formatted (self, "[stopped]\n");
      break;
    case ptev_vmcs:
      put_formatted (self, "[vmcs, base: %016" PRIx64 "]\n", ev->variant.vmcs.base);
      break;
    case ptev_async_vmcs:
      put_formatted (self, "[vmcs, base: %016" PRIx64 "]\n", ev->variant.async_vmcs.base);
      break;
    case ptev_exstop:
      put_formatted (self, "[exstop]\n");
      break;
    case ptev_mwait:
      put_formatted (self, "[mwait %" PRIx32 " %" PRIx32 "]\n",
                     ev->variant.mwait.hints, ev->variant.mwait.ext);
      break;
    case ptev_pwre:
      put_formatted (self, "[pwre c%u.%u%s]\n", (ev->variant.pwre.state + 1u) & 0xf,
                     (ev->variant.pwre.sub_state + 1u) & 0xf, ev->variant.pwre.hw ? " hw" : "");
      break;
    case ptev_pwrx:
      put_formatted (self, "[pwrx %s%s%sc%u (c%u)]\n",
                     ev->variant.pwrx.interrupt ? "int: " : "",
                     ev->variant.pwrx.store ? "st: " : "",
                     ev->variant.pwrx.autonomous ? "hw: " : "",
                     (ev->variant.pwrx.last + 1u) & 0xf, (ev->variant.pwrx.deepest + 1u) & 0xf);
      break;
    case ptev_ptwrite:
      put_formatted (self, "[ptwrite: %" PRIx64 "]\n", ev->variant.ptwrite.payload);
      break;
    case ptev_tick:
      put_formatted (self, "[tick]\n");
      break;
    case ptev_cbr:
      put_formatted (self, "[cbr: %x]\n", ev->variant.cbr.ratio);
      break;
    case ptev_mnt:
      put_formatted (self, "[mnt: %" PRIx64 "]\n", ev->variant.mnt.payload);
      break;
    default:
      put_formatted (self, "[event %d]\n", (int) ev->type);
      break;
    }
}

static void
ipt_listing_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip,
                        int code)
{
  IptListingSink *self = (IptListingSink *) sink;
  const char *message = pt_errstr (pt_errcode (code));

  if (offset < 0)
    {
      /* libipt only fails to give an offset when it is not synchronized. */
      put_formatted (self, "could not determine offset: %s\n", pt_errstr (pte_nosync));
      put_formatted (self, "[?, %" PRIx64 ": %s: %s]\n", ip,
                     ipt_decode_error_kind_get_label (kind), message);
    }
  else
    put_formatted (self, "[%" PRIx64 ", %" PRIx64 ": %s: %s]\n", (guint64) offset, ip,
                   ipt_decode_error_kind_get_label (kind), message);
}

static void
ipt_listing_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  IptListingSink *self = (IptListingSink *) sink;

  if (self->flags & IPT_LISTING_EVENTS)
    put_formatted (self, "[end of trace]\n");
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
  ipt_listing_sink_set_symbols (part, self->symbols);
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
  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);

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
  ipt_zydis_init_decoders (self->zydis, self->zydis_ok, FALSE);
  ZydisFormatterInit (&self->formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  /* Lower-case hex like the address column, so that one grep finds both an
   * instruction and the branches to it. */
  ZydisFormatterSetProperty (&self->formatter, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
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

  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
  if (symbols != NULL && ipt_symbol_resolver_get_n_sources (symbols) > 0)
    self->symbols = ipt_symbol_resolver_ref (symbols);
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
