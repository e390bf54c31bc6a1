/* ipt-echo.c: user text made fit to quote in a message (see ipt-echo.h). */
#include <string.h>

#include "ipt-echo.h"

/**
 * ipt_echo:
 * @text: (nullable): the text, any bytes
 * @length: its length in bytes, or -1 when NUL-terminated
 * @max_chars: how many characters to keep at most (0: all)
 *
 * Returns: (transfer full): @text as valid UTF-8: printable characters as
 *   they are, invalid bytes and control characters as `\xNN`, a backslash
 *   as `\\` only where it would look like such an escape, and "…" after
 *   @max_chars characters when there were more; "(null)" for %NULL
 */
char *
ipt_echo (const char *text, gssize length, gsize max_chars)
{
  GString *out;
  const char *p, *end;
  gsize n = 0;

  if (text == NULL)
    return g_strdup ("(null)");
  end = text + (length < 0 ? strlen (text) : (gsize) length);
  out = g_string_sized_new (MIN ((gsize) (end - text), max_chars > 0 ? max_chars * 4 : G_MAXSIZE));
  for (p = text; p < end; n++)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (max_chars > 0 && n == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (c == (gunichar) -1 || c == (gunichar) -2 || c < 0x20 || c == 0x7f)
        {
          g_string_append_printf (out, "\\x%02x", (guint8) *p);
          p++;
          continue;
        }
      if (c == '\\' && p + 1 < end && p[1] == 'x')
        g_string_append_c (out, '\\');
      g_string_append_unichar (out, c);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
