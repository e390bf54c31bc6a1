/* ipt-listing-format.c: the lines of ipt-analyze's listing (ptxed's
 * layout): an instruction's address (plus Intel-syntax disassembly, and
 * "<name+0x12>" where a symbol source names it, as objdump and gdb print
 * them), "[event]" lines and "[offset, ip: kind: message]" error lines.
 * The CLI writes millions of them: a hand-rolled hex formatter, no printf
 * and no allocation per instruction. With the disassembly off the lines
 * are byte for byte ptxed 2.0.5's --no-inst. Compiled into the library
 * (IptListingModel) and into the CLI (its listing sink); never prints. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ipt-listing-format.h"

/* The longest "name+0x..." we print: longer (C++) names are cut. */
#define SYMBOL_MAX_LEN 160

static const char hex_digits[] = "0123456789abcdef";

void
ipt_listing_format_init (IptListingFormat *self, gboolean disassemble)
{
  memset (self, 0, sizeof *self);
  self->disassemble = disassemble;
  ipt_zydis_init_decoders (self->zydis, self->zydis_ok, FALSE);
  ZydisFormatterInit (&self->formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  /* Lower-case hex like the address column, so that one grep finds both an
   * instruction and the branches to it. */
  ZydisFormatterSetProperty (&self->formatter, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
}

void
ipt_listing_format_clear (IptListingFormat *self)
{
  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
}

void
ipt_listing_format_set_symbols (IptListingFormat *self, IptSymbolResolver *symbols)
{
  g_clear_pointer (&self->symbols, ipt_symbol_resolver_unref);
  if (symbols != NULL && ipt_symbol_resolver_get_n_sources (symbols) > 0)
    self->symbols = ipt_symbol_resolver_ref (symbols);
}

static inline char *
put_hex16 (char *p, guint64 value)
{
  for (int i = 15; i >= 0; i--)
    {
      p[i] = hex_digits[value & 0xf];
      value >>= 4;
    }
  return p + 16;
}

/* " <name+0x12>" into @p (at most SYMBOL_MAX_LEN + 3 bytes) when @address
 * is named; returns the new end. */
static char *
put_symbol (const IptListingFormat *self, char *p, const IptAsid *asid, guint64 address,
            guint64 time)
{
  const char *name;
  guint64 offset;
  gsize n;

  if (self->symbols == NULL ||
      !ipt_symbol_resolver_lookup_at (self->symbols, asid, address, time, &name, &offset,
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
        *p++ = hex_digits[(offset >> (4 * i)) & 0xf];
    }
  *p++ = '>';
  return p;
}

/* "  ; file:line" when a symbol source knows the line of @address (a JIT's
 * line table): into @p, at most SYMBOL_MAX_LEN + 16 bytes. */
static char *
put_line (const IptListingFormat *self, char *p, const IptAsid *asid, guint64 address,
          guint64 time)
{
  const char *file;
  guint line;
  gsize n;

  if (self->symbols == NULL ||
      !ipt_symbol_resolver_lookup_line (self->symbols, asid, address, time, &file, &line))
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
put_disassembly (const IptListingFormat *self, char *p, const struct pt_insn *insn,
                 const IptAsid *asid, guint64 time)
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
        p = put_symbol (self, p, asid, target, time);
      return p;
    }

  /* Undecodable bytes: show them, as ptxed does. */
  memcpy (p, "  (bad)", 7);
  p += 7;
  for (guint i = 0; i < insn->size && i < sizeof (insn->raw); i++)
    {
      *p++ = ' ';
      *p++ = hex_digits[insn->raw[i] >> 4];
      *p++ = hex_digits[insn->raw[i] & 0xf];
    }
  return p;
}

char *
ipt_listing_format_insn (const IptListingFormat *self, char *p, const struct pt_insn *insn,
                         const IptAsid *asid, guint64 time, char **text)
{
  if (insn->speculative)
    {
      *p++ = '?';
      *p++ = ' ';
    }
  p = put_hex16 (p, insn->ip);
  if (text != NULL)
    *text = p;
  if (self->disassemble)
    {
      p = put_symbol (self, p, asid, insn->ip, time);
      if (text != NULL)
        *text = p + 2;
      p = put_disassembly (self, p, insn, asid, time);
      p = put_line (self, p, asid, insn->ip, time);
    }
  return p;
}

void
ipt_listing_format_track_asid (IptAsid *asid, const struct pt_event *ev)
{
  switch (ev->type)
    {
    case ptev_paging:
      asid->cr3 = ev->variant.paging.cr3;
      break;
    case ptev_async_paging:
      asid->cr3 = ev->variant.async_paging.cr3;
      break;
    case ptev_vmcs:
      asid->vmcs = ev->variant.vmcs.base;
      break;
    case ptev_async_vmcs:
      asid->vmcs = ev->variant.async_vmcs.base;
      break;
    default:
      break;
    }
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

static gsize
formatted (char *buffer, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gsize
formatted (char *buffer, const char *format, ...)
{
  va_list args;
  int n;

  va_start (args, format);
  n = g_vsnprintf (buffer, IPT_LISTING_LINE_MAX, format, args);
  va_end (args);
  return n > 0 ? MIN ((gsize) n, (gsize) IPT_LISTING_LINE_MAX - 1) : 0;
}

/* The event names and fields of ptxed 2.0.5 (without --event:ip/time). */
gsize
ipt_listing_format_event (char *buffer, const struct pt_event *ev)
{
  if (ev->status_update)
    return 0;

  switch (ev->type)
    {
    case ptev_enabled:
      return formatted (buffer, "[%s]", ev->variant.enabled.resumed ? "resumed" : "enabled");
    case ptev_disabled:
    case ptev_async_disabled:
      return formatted (buffer, "[disabled]");
    case ptev_async_branch:
      return formatted (buffer, "[interrupt]");
    case ptev_paging:
      return formatted (buffer, "[paging, cr3: %016" PRIx64 "%s]", ev->variant.paging.cr3,
                        ev->variant.paging.non_root ? ", nr" : "");
    case ptev_async_paging:
      return formatted (buffer, "[paging, cr3: %016" PRIx64 "%s]",
                        ev->variant.async_paging.cr3,
                        ev->variant.async_paging.non_root ? ", nr" : "");
    case ptev_overflow:
      return formatted (buffer, "[overflow]");
    case ptev_exec_mode:
      return formatted (buffer, "[exec mode: %s]", exec_mode_name (ev->variant.exec_mode.mode));
    case ptev_tsx:
      return formatted (buffer, "[%s]",
                        ev->variant.tsx.aborted ? "aborted"
                        : ev->variant.tsx.speculative ? "begin transaction" : "committed");
    case ptev_stop:
      return formatted (buffer, "[stopped]");
    case ptev_vmcs:
      return formatted (buffer, "[vmcs, base: %016" PRIx64 "]", ev->variant.vmcs.base);
    case ptev_async_vmcs:
      return formatted (buffer, "[vmcs, base: %016" PRIx64 "]", ev->variant.async_vmcs.base);
    case ptev_exstop:
      return formatted (buffer, "[exstop]");
    case ptev_mwait:
      return formatted (buffer, "[mwait %" PRIx32 " %" PRIx32 "]", ev->variant.mwait.hints,
                        ev->variant.mwait.ext);
    case ptev_pwre:
      return formatted (buffer, "[pwre c%u.%u%s]", (ev->variant.pwre.state + 1u) & 0xf,
                        (ev->variant.pwre.sub_state + 1u) & 0xf,
                        ev->variant.pwre.hw ? " hw" : "");
    case ptev_pwrx:
      return formatted (buffer, "[pwrx %s%s%sc%u (c%u)]",
                        ev->variant.pwrx.interrupt ? "int: " : "",
                        ev->variant.pwrx.store ? "st: " : "",
                        ev->variant.pwrx.autonomous ? "hw: " : "",
                        (ev->variant.pwrx.last + 1u) & 0xf,
                        (ev->variant.pwrx.deepest + 1u) & 0xf);
    case ptev_ptwrite:
      return formatted (buffer, "[ptwrite: %" PRIx64 "]", ev->variant.ptwrite.payload);
    case ptev_tick:
      return formatted (buffer, "[tick]");
    case ptev_cbr:
      return formatted (buffer, "[cbr: %x]", ev->variant.cbr.ratio);
    case ptev_mnt:
      return formatted (buffer, "[mnt: %" PRIx64 "]", ev->variant.mnt.payload);
    default:
      return formatted (buffer, "[event %d]", (int) ev->type);
    }
}

gsize
ipt_listing_format_error (char *buffer, IptDecodeErrorKind kind, gint64 offset, guint64 ip,
                          int code)
{
  const char *message = pt_errstr (pt_errcode (code));

  /* libipt only fails to give an offset when it is not synchronized. */
  if (offset < 0)
    return formatted (buffer, "[?, %" PRIx64 ": %s: %s]", ip,
                      ipt_decode_error_kind_get_label (kind), message);
  return formatted (buffer, "[%" PRIx64 ", %" PRIx64 ": %s: %s]", (guint64) offset, ip,
                    ipt_decode_error_kind_get_label (kind), message);
}

gsize
ipt_listing_format_no_offset (char *buffer)
{
  return formatted (buffer, "could not determine offset: %s", pt_errstr (pte_nosync));
}
