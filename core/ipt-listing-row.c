/* ipt-listing-row.c: IptListingRow, one row of an IptListingModel as a
 * view shows it: made only when asked for (the model keeps compact
 * records), with its line written once, as ipt-analyze prints it
 * (core/ipt-listing-format.c), and the columns a view binds: address,
 * symbol, disassembly. Immutable. */
#include "config.h"

#include <string.h>

#include "ipt-listing-private.h"

/**
 * IptListingRow:
 *
 * One row of an #IptListingModel: an instruction, an event or a decode
 * error, exactly one line of the listing `ipt-analyze` prints
 * (#IptListingRow:line). Rows are made when the model is asked for them;
 * they do not change.
 *
 * Since: 0.1
 */
struct _IptListingRow {
  GObject parent_instance;

  IptListingRowKind kind;
  guint position;
  guint64 address;
  char *symbol;
  guint64 symbol_offset;
  char *line;
  gsize text;          /* where the text column starts in line */
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_POSITION,
  PROP_ADDRESS,
  PROP_SYMBOL,
  PROP_SYMBOL_OFFSET,
  PROP_TEXT,
  PROP_LINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (IptListingRow, ipt_listing_row, G_TYPE_OBJECT)

static void
record_to_insn (const IptListingRecord *record, struct pt_insn *insn)
{
  memset (insn, 0, sizeof *insn);
  insn->ip = record->ip;
  insn->size = record->size;
  insn->mode = record->mode;
  insn->speculative = record->speculative;
  memcpy (insn->raw, record->raw, sizeof insn->raw);
}

static gsize
format_line (const IptListingRecord *record, const char *text, const IptListingFormat *format,
             char *buffer, gsize *text_start)
{
  struct pt_insn insn;
  char *start, *end;

  *text_start = 0;
  switch (record->kind)
    {
    case IPT_LISTING_RECORD_INSN:
      record_to_insn (record, &insn);
      end = ipt_listing_format_insn (format, buffer, &insn, &record->asid, record->time, &start);
      *text_start = (gsize) (start - buffer);
      *end = '\0';
      return (gsize) (end - buffer);
    case IPT_LISTING_RECORD_EVENT:
      return g_strlcpy (buffer, text, IPT_LISTING_LINE_MAX);
    case IPT_LISTING_RECORD_ERROR:
      end = buffer + ipt_listing_format_error (buffer, record->mode, record->offset, record->ip,
                                               record->code);
      *end = '\0';
      return (gsize) (end - buffer);
    case IPT_LISTING_RECORD_NO_OFFSET:
      end = buffer + ipt_listing_format_no_offset (buffer);
      *end = '\0';
      return (gsize) (end - buffer);
    default:
      return g_strlcpy (buffer, IPT_LISTING_END_OF_TRACE_LINE, IPT_LISTING_LINE_MAX);
    }
}

gsize
ipt_listing_record_format (const IptListingRecord *record, const char *text,
                           const IptListingFormat *format, char *buffer)
{
  gsize text_start;

  return format_line (record, text, format, buffer, &text_start);
}

IptListingRow *
ipt_listing_row_new (guint position, const IptListingRecord *record, const char *text,
                     const IptListingFormat *format)
{
  IptListingRow *self = g_object_new (IPT_TYPE_LISTING_ROW, NULL);
  char buffer[IPT_LISTING_LINE_MAX + 1];
  gsize n = format_line (record, text, format, buffer, &self->text);

  self->position = position;
  self->line = g_strndup (buffer, n);
  switch (record->kind)
    {
    case IPT_LISTING_RECORD_INSN:
      {
        const char *name;
        guint64 offset;

        self->kind = IPT_LISTING_ROW_INSN;
        self->address = record->ip;
        if (format->symbols != NULL &&
            ipt_symbol_resolver_lookup_at (format->symbols, &record->asid, record->ip,
                                           record->time, &name, &offset, NULL, NULL))
          {
            self->symbol = g_strdup (name);
            self->symbol_offset = offset;
          }
      }
      break;
    case IPT_LISTING_RECORD_ERROR:
    case IPT_LISTING_RECORD_NO_OFFSET:
      self->kind = IPT_LISTING_ROW_ERROR;
      self->address = record->ip;
      break;
    default:
      self->kind = IPT_LISTING_ROW_EVENT;
      break;
    }
  return self;
}

static void
ipt_listing_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptListingRow *self = IPT_LISTING_ROW (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    case PROP_ADDRESS:
      g_value_set_uint64 (value, self->address);
      break;
    case PROP_SYMBOL:
      g_value_set_string (value, self->symbol);
      break;
    case PROP_SYMBOL_OFFSET:
      g_value_set_uint64 (value, self->symbol_offset);
      break;
    case PROP_TEXT:
      g_value_set_string (value, ipt_listing_row_get_text (self));
      break;
    case PROP_LINE:
      g_value_set_string (value, self->line);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_listing_row_finalize (GObject *object)
{
  IptListingRow *self = IPT_LISTING_ROW (object);

  g_free (self->symbol);
  g_free (self->line);
  G_OBJECT_CLASS (ipt_listing_row_parent_class)->finalize (object);
}

static void
ipt_listing_row_class_init (IptListingRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = ipt_listing_row_get_property;
  object_class->finalize = ipt_listing_row_finalize;

  /**
   * IptListingRow:kind:
   *
   * Whether the row is an instruction, an event or an error.
   *
   * Since: 0.1
   */
  properties[PROP_KIND] = g_param_spec_enum ("kind", "Kind", "What the row shows",
                                             IPT_TYPE_LISTING_ROW_KIND, IPT_LISTING_ROW_INSN,
                                             flags);
  /**
   * IptListingRow:position:
   *
   * The row's position in its model.
   *
   * Since: 0.1
   */
  properties[PROP_POSITION] = g_param_spec_uint ("position", "Position",
                                                 "The row's position in its model", 0,
                                                 G_MAXUINT, 0, flags);
  /**
   * IptListingRow:address:
   *
   * An instruction's address, an error's instruction pointer; 0 for events.
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS] = g_param_spec_uint64 ("address", "Address",
                                                  "The instruction's address", 0, G_MAXUINT64,
                                                  0, flags);
  /**
   * IptListingRow:symbol:
   *
   * The name of the function an instruction is in, when the model's
   * symbols know it (as it was at the instruction's time), else %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_SYMBOL] = g_param_spec_string ("symbol", "Symbol",
                                                 "The function the instruction is in", NULL,
                                                 flags);
  /**
   * IptListingRow:symbol-offset:
   *
   * The instruction's offset from the start of #IptListingRow:symbol.
   *
   * Since: 0.1
   */
  properties[PROP_SYMBOL_OFFSET] = g_param_spec_uint64 ("symbol-offset", "Symbol offset",
                                                        "The offset in the function", 0,
                                                        G_MAXUINT64, 0, flags);
  /**
   * IptListingRow:text:
   *
   * An instruction's disassembly (Intel syntax, with a direct branch
   * target's name and a JIT's "; file:line" as the listing prints them;
   * empty when the model does not disassemble); an event's or an error's
   * whole line.
   *
   * Since: 0.1
   */
  properties[PROP_TEXT] = g_param_spec_string ("text", "Text", "The disassembly or message",
                                               NULL, flags);
  /**
   * IptListingRow:line:
   *
   * The row's line of the listing, exactly as `ipt-analyze` prints it
   * (without the newline).
   *
   * Since: 0.1
   */
  properties[PROP_LINE] = g_param_spec_string ("line", "Line", "The listing's line", NULL,
                                               flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ipt_listing_row_init (IptListingRow *self)
{
}

/**
 * ipt_listing_row_get_kind:
 * @self: an #IptListingRow
 *
 * Whether the row is an instruction, an event or an error (#IptListingRow:kind).
 *
 * Returns: what the row shows
 *
 * Since: 0.1
 */
IptListingRowKind
ipt_listing_row_get_kind (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), IPT_LISTING_ROW_INSN);

  return self->kind;
}

/**
 * ipt_listing_row_get_position:
 * @self: an #IptListingRow
 *
 * Where the row is in its model (#IptListingRow:position).
 *
 * Returns: the row's position in its model
 *
 * Since: 0.1
 */
guint
ipt_listing_row_get_position (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), 0);

  return self->position;
}

/**
 * ipt_listing_row_get_address:
 * @self: an #IptListingRow
 *
 * The address column of the row (#IptListingRow:address).
 *
 * Returns: an instruction's address, an error's instruction pointer, or 0
 *   for an event
 *
 * Since: 0.1
 */
guint64
ipt_listing_row_get_address (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), 0);

  return self->address;
}

/**
 * ipt_listing_row_get_symbol:
 * @self: an #IptListingRow
 *
 * The symbol column of the row (#IptListingRow:symbol).
 *
 * Returns: (nullable): the name of the function the instruction is in, or
 *   %NULL when no symbol source names it
 *
 * Since: 0.1
 */
const char *
ipt_listing_row_get_symbol (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), NULL);

  return self->symbol;
}

/**
 * ipt_listing_row_get_symbol_offset:
 * @self: an #IptListingRow
 *
 * How far into its symbol the instruction is (#IptListingRow:symbol-offset).
 *
 * Returns: the instruction's offset from its symbol's start (0 without a
 *   symbol)
 *
 * Since: 0.1
 */
guint64
ipt_listing_row_get_symbol_offset (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), 0);

  return self->symbol_offset;
}

/**
 * ipt_listing_row_get_text:
 * @self: an #IptListingRow
 *
 * The text column of the row (#IptListingRow:text).
 *
 * Returns: an instruction's disassembly (empty when the model does not
 *   disassemble), or an event's or error's line
 *
 * Since: 0.1
 */
const char *
ipt_listing_row_get_text (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), NULL);

  return self->line + self->text;
}

/**
 * ipt_listing_row_get_line:
 * @self: an #IptListingRow
 *
 * The row's line of the listing, exactly as `ipt-analyze` prints it for
 * this row (with the same symbols), without the newline.
 *
 * Returns: the line, owned by @self
 *
 * Since: 0.1
 */
const char *
ipt_listing_row_get_line (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), NULL);

  return self->line;
}

/**
 * ipt_listing_row_to_line:
 * @self: an #IptListingRow
 *
 * Like ipt_listing_row_get_line(), as a new string.
 *
 * Returns: (transfer full): the row's line, without the newline
 *
 * Since: 0.1
 */
char *
ipt_listing_row_to_line (IptListingRow *self)
{
  g_return_val_if_fail (IPT_IS_LISTING_ROW (self), NULL);

  return g_strdup (self->line);
}
