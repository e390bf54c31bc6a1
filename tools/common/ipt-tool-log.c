/* ipt-tool-log.c: the tools' stderr lines, "PROG: LEVEL: [DOMAIN: ]MESSAGE",
 * for their own reports and, through a GLib log writer, for what the
 * library and the plugins log.
 *
 * The log domain names the part that speaks: the library's plugins log
 * in "Ipt-NAME" (Ipt-coredump, Ipt-elf, ...) and print as "NAME: "; the
 * library's own domain "Ipt" and the tool's own domain (its program name)
 * print no prefix, since their messages already name the file or option
 * they are about; any other domain (GLib, GLib-GObject, ...) prints whole.
 * Debug and info messages print only where G_MESSAGES_DEBUG asks for them,
 * as with GLib's default writer. Fatal messages (G_DEBUG=fatal-warnings)
 * still abort: GLib does that after the writer returns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ipt-tool-log.h"

#include <stdio.h>
#include <string.h>

#define LIBRARY_DOMAIN "Ipt"

static const char *program_name = "ipt";

static void
print_line (const char *level, const char *domain, const char *message)
{
  g_autoptr(GString) line = g_string_new (program_name);

  g_string_append (line, ": ");
  if (level != NULL)
    g_string_append_printf (line, "%s: ", level);
  if (domain != NULL)
    g_string_append_printf (line, "%s: ", domain);
  g_string_append (line, message);
  g_string_append_c (line, '\n');
  /* The listing on stdout first, so that a terminal shows both in order. */
  fflush (stdout);
  fputs (line->str, stderr);
  fflush (stderr);
}

static const char *
level_word (GLogLevelFlags log_level)
{
  switch (log_level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR:
      return "error";
    case G_LOG_LEVEL_CRITICAL:
      return "critical";
    case G_LOG_LEVEL_WARNING:
      return "warning";
    case G_LOG_LEVEL_INFO:
      return "info";
    case G_LOG_LEVEL_DEBUG:
      return "debug";
    case G_LOG_LEVEL_MESSAGE:
    default:
      return NULL;
    }
}

static const char *
domain_prefix (const char *domain)
{
  if (domain == NULL || *domain == '\0' ||
      strcmp (domain, LIBRARY_DOMAIN) == 0 || strcmp (domain, program_name) == 0)
    return NULL;
  if (g_str_has_prefix (domain, LIBRARY_DOMAIN "-") && domain[strlen (LIBRARY_DOMAIN "-")] != '\0')
    return domain + strlen (LIBRARY_DOMAIN "-");
  return domain;
}

static GLogWriterOutput
tool_log_writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
                 gpointer user_data)
{
  const char *domain = NULL;
  g_autofree char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].length < 0 ? g_strdup (fields[i].value)
                                       : g_strndup (fields[i].value, (gsize) fields[i].length);
    }
  if (g_log_writer_default_would_drop (log_level, domain))
    return G_LOG_WRITER_HANDLED;
  print_line (level_word (log_level), domain_prefix (domain),
              message != NULL ? message : "(no message)");
  return G_LOG_WRITER_HANDLED;
}

/* Names the tool in every line and installs the log writer; call it first
 * in main, before anything may log. */
void
ipt_tool_log_init (const char *program)
{
  program_name = program;
  g_set_prgname (program);
  g_log_set_writer_func (tool_log_writer, NULL, NULL);
}

static void
print_va (const char *level, const char *format, va_list args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  print_line (level, NULL, message);
}

/* "PROG: error: ..." — a failure the tool reports before it exits. */
void
ipt_tool_error (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  print_va ("error", format, args);
  va_end (args);
}

/* "PROG: warning: ..." — the tool goes on. */
void
ipt_tool_warning (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  print_va ("warning", format, args);
  va_end (args);
}

/* "PROG: note: ..." — something the tool did on its own that the user
 * should know about (nothing is wrong). */
void
ipt_tool_note (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  print_va ("note", format, args);
  va_end (args);
}
