/* ipt-record-qemu-log.c: parses the execution log that
 * `qemu-system-x86_64 -accel tcg -singlestep -d exec,cpu,nochain -D LOG`
 * writes (QEMU 7.2): for every translation block it executes (one
 * instruction each with -singlestep), a line
 *   Trace 0: 0x7f87982d5440 [0000000000000000/0000000040000000/0000c093/ff000201] sym
 * (CPU index, host code, [CS base/pc/flags/cflags], symbol) followed by
 * the CPU state before it ran (RAX=…, RIP=…, CS =…, CR0=… CR3=…, EFER=…).
 *
 * A "Stopped execution of TB chain before …" line says that the block
 * just logged did not run (an exit request at its start): its entry is
 * dropped.  Interrupt records (-d int) and their register dumps are
 * skipped.  Anything else is an error naming the file and the line: the
 * log is untrusted input and a half-understood log would give a wrong
 * trace.  Only single-CPU logs are taken.  The parser never reads past
 * @length and never allocates per line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-qemu-log.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

/* Longer lines than QEMU's longest (a register line, ~90 bytes, or a Trace
 * line with a long symbol) are not a log of its. */
#define MAX_LINE 4096

enum {
  HAVE_RIP = 1 << 0,
  HAVE_RSP = 1 << 1,
  HAVE_CS = 1 << 2,
  HAVE_CR = 1 << 3,
  HAVE_EFER = 1 << 4,
  HAVE_ALL = (1 << 5) - 1,
};

typedef struct {
  const char *name;
  GArray *entries;
  guint line;
  gboolean in_entry;     /* register lines belong to the last entry */
  guint have;            /* HAVE_* of the last entry */
  guint64 rip;
  guint64 cs_base;       /* from its Trace line */
  gboolean have_cpu;
  guint cpu;
} Parser;

static gboolean
fail (Parser *p, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Parser *p, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT, "%s:%u: %s", p->name, p->line, what);
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* 1 to 16 hex digits at *@s; *@s is moved past them. */
static gboolean
parse_hex (const char **s, guint64 *value)
{
  guint64 v = 0;
  guint n = 0;
  int d;

  while ((d = hex_value ((*s)[n])) >= 0)
    {
      if (++n > 16)
        return FALSE;
      v = (v << 4) | (guint64) d;
    }
  if (n == 0)
    return FALSE;
  *s += n;
  *value = v;
  return TRUE;
}

static gboolean
parse_decimal (const char **s, guint *value)
{
  guint64 v = 0;
  guint n = 0;

  while (g_ascii_isdigit ((*s)[n]))
    {
      v = v * 10 + (guint64) ((*s)[n] - '0');
      if (++n > 9)
        return FALSE;
    }
  if (n == 0)
    return FALSE;
  *s += n;
  *value = (guint) v;
  return TRUE;
}

static gboolean
skip (const char **s, const char *literal)
{
  gsize n = strlen (literal);

  if (strncmp (*s, literal, n) != 0)
    return FALSE;
  *s += n;
  return TRUE;
}

/* The hex value of "NAME=" in @line, where NAME starts the line or follows
 * a space, and the digits end at a space or the line's end. */
static gboolean
field (const char *line, const char *name, guint64 *value)
{
  gsize n = strlen (name);

  for (const char *s = line; (s = strstr (s, name)) != NULL; s += n)
    {
      const char *digits = s + n;

      if ((s != line && s[-1] != ' ') || digits[0] != '=')
        continue;
      digits++;
      return parse_hex (&digits, value) && (*digits == ' ' || *digits == '\0');
    }
  return FALSE;
}

static IptRecordQemuEntry *
last_entry (Parser *p)
{
  return &g_array_index (p->entries, IptRecordQemuEntry, p->entries->len - 1);
}

/* The entry logged last is complete and consistent. */
static gboolean
finish_entry (Parser *p, GError **error)
{
  IptRecordQemuEntry *entry;
  guint64 mask;
  guint saved_line = p->line;

  if (!p->in_entry)
    return TRUE;
  p->in_entry = FALSE;
  entry = last_entry (p);
  p->line = entry->line;
  if (p->have != HAVE_ALL)
    return fail (p, error, "translation block without the CPU state "
                 "(RIP, RSP, CS, CR0/CR3, EFER): log with -d exec,cpu");
  /* Outside 64-bit code the pc is CS base + EIP in 32 bits. */
  mask = (entry->efer & IPT_RECORD_QEMU_EFER_LMA) && (entry->cs_flags & IPT_RECORD_QEMU_CS_L) ?
         G_MAXUINT64 : G_MAXUINT32;
  if (((p->cs_base + p->rip) & mask) != (entry->pc & mask))
    return fail (p, error, "pc 0x%" G_GINT64_MODIFIER "x is not CS base 0x%"
                 G_GINT64_MODIFIER "x + RIP 0x%" G_GINT64_MODIFIER "x",
                 entry->pc, p->cs_base, p->rip);
  p->line = saved_line;
  return TRUE;
}

/* "Trace 0: 0x7f87982d5440 [0000000000000000/0000000040000000/0000c093/ff000201] sym" */
static gboolean
parse_trace (Parser *p, const char *s, GError **error)
{
  IptRecordQemuEntry entry = { 0 };
  guint64 flags, cflags;
  guint cpu;

  if (!finish_entry (p, error))
    return FALSE;
  if (!skip (&s, "Trace ") || !parse_decimal (&s, &cpu) || !skip (&s, ": "))
    return fail (p, error, "malformed Trace line: expected \"Trace CPU: HOST [CS_BASE/PC/FLAGS/CFLAGS]\"");
  s = strchr (s, ' ');
  if (s == NULL || !skip (&s, " [") || !parse_hex (&s, &p->cs_base) || !skip (&s, "/") ||
      !parse_hex (&s, &entry.pc) || !skip (&s, "/") || !parse_hex (&s, &flags) ||
      !skip (&s, "/") || !parse_hex (&s, &cflags) || !skip (&s, "]"))
    return fail (p, error, "malformed Trace line: expected [CS_BASE/PC/FLAGS/CFLAGS]");
  if (p->have_cpu && cpu != p->cpu)
    return fail (p, error, "CPU %u after CPU %u: only logs of one CPU are supported (-smp 1)",
                 cpu, p->cpu);
  p->have_cpu = TRUE;
  p->cpu = cpu;
  entry.line = p->line;
  g_array_append_val (p->entries, entry);
  p->in_entry = TRUE;
  p->have = 0;
  return TRUE;
}

/* "Stopped execution of TB chain before 0x7f… [0000000000100151] sym" */
static gboolean
parse_stopped (Parser *p, const char *s, GError **error)
{
  guint64 pc;

  s = strchr (s, '[');
  if (s == NULL || !skip (&s, "[") || !parse_hex (&s, &pc) || !skip (&s, "]"))
    return fail (p, error, "malformed \"Stopped execution\" line: expected [PC]");
  if (p->entries->len == 0 || last_entry (p)->pc != pc)
    return fail (p, error, "\"Stopped execution\" before 0x%" G_GINT64_MODIFIER "x, "
                 "which is not the translation block logged last", pc);
  /* It did not run: QEMU logs it again when it does. */
  p->in_entry = FALSE;
  g_array_set_size (p->entries, p->entries->len - 1);
  return TRUE;
}

/* "CS =0008 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]" */
static gboolean
parse_cs (Parser *p, const char *s, GError **error)
{
  guint64 selector, base, limit, flags;

  if (!skip (&s, "CS =") || !parse_hex (&s, &selector) || !skip (&s, " ") ||
      !parse_hex (&s, &base) || !skip (&s, " ") || !parse_hex (&s, &limit) ||
      !skip (&s, " ") || !parse_hex (&s, &flags) || (*s != ' ' && *s != '\0') ||
      flags > G_MAXUINT32)
    return fail (p, error, "malformed CS line: expected \"CS =SELECTOR BASE LIMIT FLAGS\"");
  last_entry (p)->cs_flags = (guint32) flags;
  p->have |= HAVE_CS;
  return TRUE;
}

/* A register line "NAME=…" (NAME may be padded: "R8 =", "ES ="). */
static gboolean
is_register_line (const char *s)
{
  gsize n = 0;

  if (!g_ascii_isupper (s[0]))
    return FALSE;
  while (g_ascii_isupper (s[n]) || g_ascii_isdigit (s[n]))
    n++;
  while (s[n] == ' ')
    n++;
  return s[n] == '=' && n <= 8;
}

static gboolean
parse_register_line (Parser *p, const char *s, GError **error)
{
  IptRecordQemuEntry *entry;
  guint64 value;

  if (!p->in_entry)
    return TRUE;        /* a dump of no logged block (-d int) */
  entry = last_entry (p);

  if (g_str_has_prefix (s, "RIP=") || g_str_has_prefix (s, "EIP="))
    {
      if (!field (s, s[0] == 'R' ? "RIP" : "EIP", &p->rip))
        return fail (p, error, "malformed %.3s", s);
      p->have |= HAVE_RIP;
    }
  else if (g_str_has_prefix (s, "RSI=") || g_str_has_prefix (s, "ESI="))
    {
      if (!field (s, s[0] == 'R' ? "RSP" : "ESP", &value))
        return fail (p, error, "malformed %.3s line: no %cSP", s, s[0]);
      entry->rsp = value;
      p->have |= HAVE_RSP;
    }
  else if (g_str_has_prefix (s, "CS "))
    return parse_cs (p, s, error);
  else if (g_str_has_prefix (s, "CR0="))
    {
      if (!field (s, "CR0", &entry->cr0) || !field (s, "CR3", &entry->cr3))
        return fail (p, error, "malformed control register line: expected CR0= … CR3=");
      p->have |= HAVE_CR;
    }
  else if (g_str_has_prefix (s, "EFER="))
    {
      if (!field (s, "EFER", &entry->efer))
        return fail (p, error, "malformed EFER");
      p->have |= HAVE_EFER;
    }
  return TRUE;
}

/* Lines QEMU writes with -d int (and their register dumps, which follow
 * them and belong to no logged block). */
static gboolean
is_interrupt_line (const char *s)
{
  const char *t = s;
  guint count;

  if (g_str_has_prefix (s, "check_exception ") || g_str_has_prefix (s, "Servicing hardware INT=") ||
      g_str_has_prefix (s, "SMM: "))
    return TRUE;
  while (*t == ' ')
    t++;
  return parse_decimal (&t, &count) && skip (&t, ": v=");
}

static gboolean
parse_line (Parser *p, const char *s, GError **error)
{
  if (s[0] == '\0')
    return TRUE;
  if (g_str_has_prefix (s, "Trace "))
    return parse_trace (p, s, error);
  if (g_str_has_prefix (s, "Stopped execution of TB chain before "))
    return parse_stopped (p, s, error);
  if (g_str_has_prefix (s, "Linking TBs "))
    return fail (p, error, "translation blocks are chained, so not every one is logged: "
                 "log with -d nochain");
  if (is_interrupt_line (s))
    {
      if (!finish_entry (p, error))
        return FALSE;
      return TRUE;
    }
  if (is_register_line (s))
    return parse_register_line (p, s, error);
  return fail (p, error, "not a line of a QEMU execution log (-d exec,cpu,nochain)");
}

/**
 * ipt_record_qemu_log_parse:
 * @name: the log's name for messages (its path)
 * @text: (array length=length): the log
 * @length: its size in bytes
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type IptRecordQemuEntry) (nullable):
 *   the logged instructions in execution order, or %NULL with @error set
 *   (%IPT_ERROR_CORRUPT naming the file and line) for a malformed log.
 */
GArray *
ipt_record_qemu_log_parse (const char *name, const char *text, gsize length, GError **error)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (IptRecordQemuEntry));
  Parser p = { .name = name, .entries = entries };
  char line[MAX_LINE + 1];
  gsize pos = 0;

  while (pos < length)
    {
      const char *start = text + pos;
      const char *end = memchr (start, '\n', length - pos);
      gsize n = end != NULL ? (gsize) (end - start) : length - pos;

      p.line++;
      pos += n + (end != NULL ? 1 : 0);
      if (n > 0 && start[n - 1] == '\r')
        n--;
      if (n > MAX_LINE)
        return fail (&p, error, "line longer than %u bytes", MAX_LINE), NULL;
      if (memchr (start, '\0', n) != NULL)
        return fail (&p, error, "NUL byte in the line"), NULL;
      memcpy (line, start, n);
      line[n] = '\0';
      if (!parse_line (&p, line, error))
        return NULL;
    }
  if (!finish_entry (&p, error))
    return NULL;
  return g_steal_pointer (&entries);
}

/**
 * ipt_record_qemu_log_load:
 * @path: (type filename): the log
 * @error: return location for a #GError
 *
 * Maps and parses the log at @path.
 *
 * Returns: (transfer full) (element-type IptRecordQemuEntry) (nullable):
 *   the logged instructions, or %NULL with @error set.
 */
GArray *
ipt_record_qemu_log_load (const char *path, GError **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);

  if (file == NULL)
    return NULL;
  return ipt_record_qemu_log_parse (path, g_mapped_file_get_contents (file),
                                    g_mapped_file_get_length (file), error);
}
