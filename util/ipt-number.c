/* ipt-number.c: decimal or 0x-hex unsigned numbers, all or nothing (no octal:
 * "010" is ten; no sign, no blanks, no partial number left in @value). */
#include <string.h>

#include "ipt-number.h"

/**
 * ipt_number_parse:
 * @text: the characters to parse
 * @length: how many of them, or -1 for up to the NUL
 * @value: (out): the number, set only on %IPT_NUMBER_OK
 *
 * Parses decimal digits, or 0x/0X and hex digits, and nothing else.
 *
 * Returns: %IPT_NUMBER_OK; %IPT_NUMBER_SYNTAX for anything but digits
 *   (an empty text and "0x" alone included); %IPT_NUMBER_OVERFLOW for more
 *   than G_MAXUINT64
 */
IptNumberResult
ipt_number_parse (const char *text, gssize length, guint64 *value)
{
  const char *p = text;
  const char *end;
  guint base = 10;
  guint64 v = 0;
  gboolean overflow = FALSE;

  if (text == NULL)
    return IPT_NUMBER_SYNTAX;
  end = length < 0 ? text + strlen (text) : text + length;

  if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      base = 16;
      p += 2;
    }
  if (p == end)
    return IPT_NUMBER_SYNTAX;

  for (; p < end; p++)
    {
      int digit = base == 16 ? g_ascii_xdigit_value (*p) : g_ascii_digit_value (*p);

      if (digit < 0)
        return IPT_NUMBER_SYNTAX;
      if (v > (G_MAXUINT64 - (guint) digit) / base)
        overflow = TRUE;
      else
        v = v * base + (guint) digit;
    }

  if (overflow)
    return IPT_NUMBER_OVERFLOW;
  *value = v;
  return IPT_NUMBER_OK;
}

/**
 * ipt_number_parse_full:
 * @text: (nullable): a NUL-terminated number
 * @value: (out): the number, set only when %TRUE is returned
 *
 * Returns: whether all of @text is one number that fits in 64 bits
 */
gboolean
ipt_number_parse_full (const char *text, guint64 *value)
{
  return ipt_number_parse (text, -1, value) == IPT_NUMBER_OK;
}
