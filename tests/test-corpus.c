/* test-corpus.c: decodes the real Intel PT traces of $IPT_CORPUS_DIR with the
 * real ipt-analyze binary and checks them against the corpus's MANIFEST.md
 * (instruction and error counts, listing line counts) and, where the corpus
 * has one, against ptxed's own `--no-inst` listing, byte for byte.
 *
 * The corpus lives outside the repository (AGPL data); meson registers this
 * test only when the directory exists, so once it runs nothing is skipped
 * silently: a missing file or an unparsable manifest is a failure.
 *
 * Each trace is decoded over its memory three ways: image.bin (--raw), the
 * page dump (pagedump plugin), and a QEMU dump-guest-memory snapshot made
 * from the page dump by tests/make-qemu-snapshot.py, whose page tables map
 * the pages to scattered guest-physical pages under the CR3s of the trace's
 * PIP packets (the qemu plugin, reading through the page tables).
 *
 * IPT_CORPUS_TRACES=name,name limits the run to some traces (the sanitizer
 * build in .ci/run uses it); the limit is printed in the TAP output. */

#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "test-support.h"

typedef struct {
  char *name;
  char *dir;
  gboolean has_base;
  guint64 base;
  guint64 insns;
  guint64 errors;
  guint64 lines;
} ManifestEntry;

typedef struct {
  const ManifestEntry *entry;
  const char *source;   /* "raw", "pagedump" or "qemu-snapshot" */
  const char *decoder;  /* "insn" or "block" */
} CorpusCase;

static const char *corpus_dir;
static const char *ipt_analyze;
static char *snapshot_dir;         /* the QEMU snapshots made from the page dumps */
static GPtrArray *manifest;       /* element-type ManifestEntry */
static char *manifest_problem;    /* why MANIFEST.md could not be used, or NULL */
static char **only_traces;        /* IPT_CORPUS_TRACES, or NULL for all */

static void
manifest_entry_free (gpointer data)
{
  ManifestEntry *entry = data;

  g_free (entry->name);
  g_free (entry->dir);
  g_free (entry);
}

/* "6,334,131" -> 6334131; FALSE for anything that is not a plain count. */
static gboolean
parse_count (const char *cell, guint64 *out)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = cell; *p != '\0'; p++)
    if (*p != ',')
      g_string_append_c (digits, *p);

  return g_ascii_string_to_unsigned (digits->str, 10, 0, G_MAXUINT64, out, NULL);
}

/* "0x400000 (0x400000–0x427000)" -> 0x400000; "— (157 pages only)" -> none. */
static gboolean
parse_base (const char *cell, gboolean *has_base, guint64 *base)
{
  g_auto(GStrv) words = g_strsplit (cell, " ", 2);

  if (!g_str_has_prefix (words[0], "0x"))
    {
      *has_base = FALSE;
      return g_str_has_prefix (cell, "—") || g_str_has_prefix (cell, "-");
    }

  *has_base = TRUE;
  return g_ascii_string_to_unsigned (words[0] + 2, 16, 0, G_MAXUINT64, base, NULL);
}

/* Reads the table of MANIFEST.md:
 * | trace | base of image.bin | instructions | decode errors | `ptxed --no-inst` lines |
 * The columns are found by their headers, so reordering them does not break us. */
static gboolean
load_manifest (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  int col_trace = -1, col_base = -1, col_insns = -1, col_errors = -1, col_lines = -1;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;

  lines = test_split_lines (text);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      g_auto(GStrv) cells = NULL;
      guint n_cells;

      if (!g_str_has_prefix (g_strstrip (lines[n]), "|"))
        continue;

      cells = g_strsplit (lines[n], "|", -1);
      n_cells = g_strv_length (cells);
      /* "| a | b |" splits into "", " a ", " b ", "" */
      if (n_cells < 3)
        continue;
      for (guint c = 0; c < n_cells; c++)
        g_strstrip (cells[c]);

      if (g_str_has_prefix (cells[1], "---"))
        continue;

      if (col_trace < 0)
        {
          for (guint c = 1; c + 1 < n_cells; c++)
            {
              const char *h = cells[c];

              if (g_str_equal (h, "trace"))
                col_trace = c;
              else if (g_str_has_prefix (h, "base"))
                col_base = c;
              else if (g_str_equal (h, "instructions"))
                col_insns = c;
              else if (strstr (h, "error") != NULL)
                col_errors = c;
              else if (strstr (h, "lines") != NULL)
                col_lines = c;
            }
          if (col_trace < 0 || col_base < 0 || col_insns < 0 || col_errors < 0 || col_lines < 0)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s:%u: table header lacks one of the columns trace, base, "
                           "instructions, decode errors, lines: '%s'", path, n + 1, lines[n]);
              return FALSE;
            }
          continue;
        }

      {
        ManifestEntry *entry = g_new0 (ManifestEntry, 1);
        int last = MAX (MAX (MAX (col_trace, col_base), MAX (col_insns, col_errors)), col_lines);

        g_ptr_array_add (manifest, entry);
        if ((guint) last + 1 >= n_cells)
          {
            g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                         "%s:%u: table row has %u cells, expected %d", path, n + 1,
                         n_cells - 2, last);
            return FALSE;
          }
        entry->name = g_strdup (cells[col_trace]);
        entry->dir = g_build_filename (corpus_dir, entry->name, NULL);
        if (!parse_base (cells[col_base], &entry->has_base, &entry->base) ||
            !parse_count (cells[col_insns], &entry->insns) ||
            !parse_count (cells[col_errors], &entry->errors) ||
            !parse_count (cells[col_lines], &entry->lines))
          {
            g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                         "%s:%u: cannot read base/instructions/errors/lines of '%s'",
                         path, n + 1, entry->name);
            return FALSE;
          }
      }
    }

  if (manifest->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: no table of traces found", path);
      return FALSE;
    }

  return TRUE;
}

static char *
corpus_file (const ManifestEntry *entry, const char *name)
{
  return g_build_filename (entry->dir, name, NULL);
}

/* The QEMU snapshot made from @entry's page dump, made on first use. */
static char *
qemu_snapshot_of (const ManifestEntry *entry)
{
  g_autofree char *name = g_strconcat (entry->name, ".elf", NULL);
  char *snapshot = g_build_filename (snapshot_dir, name, NULL);

  if (!g_file_test (snapshot, G_FILE_TEST_EXISTS))
    {
      g_autofree char *script = g_test_build_filename (G_TEST_DIST, "make-qemu-snapshot.py", NULL);
      g_autofree char *addr = corpus_file (entry, "pages.addr");
      g_autofree char *dump = corpus_file (entry, "pages.dump");
      g_autofree char *trace = corpus_file (entry, "trace.pt");
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *err = NULL;

      g_ptr_array_add (argv, "python3");
      g_ptr_array_add (argv, script);
      g_ptr_array_add (argv, "--pages");
      g_ptr_array_add (argv, addr);
      g_ptr_array_add (argv, dump);
      /* page tables at every CR3 of the trace's PIP packets */
      g_ptr_array_add (argv, "--cr3-from-trace");
      g_ptr_array_add (argv, trace);
      g_ptr_array_add (argv, "-o");
      g_ptr_array_add (argv, snapshot);
      g_ptr_array_add (argv, NULL);
      if (test_spawn ((const char *const *) argv->pdata, NULL, &err) != 0)
        g_error ("make-qemu-snapshot.py for %s failed: %s", entry->name, err);
    }
  return snapshot;
}

/* The command line that decodes @c; @extra ends with NULL. */
static GPtrArray *
corpus_argv (const CorpusCase *c, const char *extra, ...)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  g_ptr_array_add (argv, g_strdup (ipt_analyze));
  g_ptr_array_add (argv, g_strdup ("--pt"));
  g_ptr_array_add (argv, corpus_file (c->entry, "trace.pt"));
  if (g_str_equal (c->source, "raw"))
    {
      g_autofree char *image = corpus_file (c->entry, "image.bin");

      g_ptr_array_add (argv, g_strdup ("--raw"));
      g_ptr_array_add (argv, g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x",
                                              image, c->entry->base));
    }
  else if (g_str_equal (c->source, "qemu-snapshot"))
    {
      g_autofree char *snapshot = qemu_snapshot_of (c->entry);

      g_ptr_array_add (argv, g_strdup ("--plugin"));
      g_ptr_array_add (argv, g_strdup_printf ("qemu:snapshot=%s", snapshot));
    }
  else
    {
      g_autofree char *addr = corpus_file (c->entry, "pages.addr");
      g_autofree char *dump = corpus_file (c->entry, "pages.dump");

      g_ptr_array_add (argv, g_strdup ("--plugin"));
      g_ptr_array_add (argv, g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump));
    }
  g_ptr_array_add (argv, g_strdup_printf ("--%s-decoder", c->decoder));

  va_start (ap, extra);
  for (const char *arg = extra; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);

  g_ptr_array_add (argv, NULL);
  return argv;
}

/* A child whose stdout we stream and whose stderr goes to a temporary file, so
 * that neither pipe can fill up and block it while we read the other. */
typedef struct {
  GSubprocess *process;
  char *stderr_path;
  char *command;
} Child;

static void
child_clear (Child *child)
{
  g_clear_object (&child->process);
  if (child->stderr_path != NULL)
    g_unlink (child->stderr_path);
  g_clear_pointer (&child->stderr_path, g_free);
  g_clear_pointer (&child->command, g_free);
}

static void
child_spawn (Child *child, const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  int fd;

  fd = g_file_open_tmp ("ipt-corpus-stderr-XXXXXX", &child->stderr_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_subprocess_launcher_set_stderr_file_path (launcher, child->stderr_path);

  child->command = g_strjoinv (" ", (char **) argv);
  g_test_message ("running: %s", child->command);
  child->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
}

/* Waits for the child and fails the test, with its stderr, unless it exited 0. */
static void
child_assert_success (Child *child)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (child->process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (child->process) ||
      g_subprocess_get_exit_status (child->process) != 0)
    {
      g_autofree char *err = NULL;

      g_file_get_contents (child->stderr_path, &err, NULL, NULL);
      g_test_fail_printf ("%s: %s %d; stderr:\n%.4000s", child->command,
                          g_subprocess_get_if_exited (child->process) ? "exit status" : "killed by signal",
                          g_subprocess_get_if_exited (child->process)
                            ? g_subprocess_get_exit_status (child->process)
                            : g_subprocess_get_term_sig (child->process),
                          err != NULL ? err : "(unreadable)");
    }
}

/* Splits a stream into lines without holding more than one buffer of it. */
typedef struct {
  GInputStream *stream;
  guint8 buffer[1 << 16];
  gsize pos, len;
  gboolean eof;
  GString *carry;       /* a line that spans buffer refills */
} LineReader;

static void
line_reader_init (LineReader *reader, GInputStream *stream)
{
  reader->stream = stream;
  reader->pos = reader->len = 0;
  reader->eof = FALSE;
  reader->carry = g_string_new (NULL);
}

static void
line_reader_clear (LineReader *reader)
{
  g_string_free (reader->carry, TRUE);
}

/* The next line, without its newline, in *line and *len (valid until the next
 * call); *terminated says whether it ended with '\n'. FALSE at the end. */
static gboolean
line_reader_next (LineReader *reader, const char **line, gsize *len, gboolean *terminated)
{
  g_string_truncate (reader->carry, 0);

  for (;;)
    {
      if (reader->pos < reader->len)
        {
          const guint8 *start = reader->buffer + reader->pos;
          gsize avail = reader->len - reader->pos;
          const guint8 *nl = memchr (start, '\n', avail);

          if (nl != NULL)
            {
              gsize n = nl - start;

              reader->pos += n + 1;
              *terminated = TRUE;
              if (reader->carry->len == 0)
                {
                  *line = (const char *) start;
                  *len = n;
                }
              else
                {
                  g_string_append_len (reader->carry, (const char *) start, n);
                  *line = reader->carry->str;
                  *len = reader->carry->len;
                }
              return TRUE;
            }
          g_string_append_len (reader->carry, (const char *) start, avail);
          reader->pos = reader->len;
        }

      if (reader->eof)
        break;

      {
        g_autoptr(GError) error = NULL;
        gssize n = g_input_stream_read (reader->stream, reader->buffer,
                                        sizeof reader->buffer, NULL, &error);

        g_assert_no_error (error);
        reader->pos = 0;
        reader->len = n;
        reader->eof = (n == 0);
      }
    }

  *terminated = FALSE;
  *line = reader->carry->str;
  *len = reader->carry->len;
  return reader->carry->len > 0;
}

/* ptxed's decode-error lines: "[offset, ip: error: message]" or "[offset: error: message]". */
static gboolean
is_error_line (const char *line, gsize len)
{
  return len > 0 && line[0] == '[' && g_strstr_len (line, len, ": error: ") != NULL;
}

/* --stat --quiet: "insn: N." must match the manifest, and so must the errors. */
static void
test_stat (gconstpointer data)
{
  const CorpusCase *c = data;
  g_autoptr(GPtrArray) argv = corpus_argv (c, "--stat", "--quiet", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_auto(GStrv) lines = NULL;
  Child child = { 0 };
  gboolean seen_insn = FALSE, seen_errors = FALSE;
  guint64 insns = 0, errors = 0;

  child_spawn (&child, (const char * const *) argv->pdata);
  g_subprocess_communicate (child.process, NULL, NULL, &out_bytes, NULL, &error);
  g_assert_no_error (error);
  child_assert_success (&child);
  if (g_test_failed ())
    {
      child_clear (&child);
      return;
    }

  {
    gsize size;
    const char *out = g_bytes_get_data (out_bytes, &size);
    g_autofree char *text = g_strndup (out, size);

    g_test_message ("stat output:\n%s", text);
    lines = test_split_lines (text);
  }

  /* "insn: 149576." (ptxed's form); errors as "errors: N" or "decode errors: N". */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);
      const char *value = NULL;

      if (g_str_has_prefix (line, "insn:"))
        {
          value = line + strlen ("insn:");
          insns = g_ascii_strtoull (value, NULL, 10);
          seen_insn = TRUE;
        }
      else if (g_str_has_prefix (line, "errors:") || g_str_has_prefix (line, "decode errors:"))
        {
          value = strchr (line, ':') + 1;
          errors = g_ascii_strtoull (value, NULL, 10);
          seen_errors = TRUE;
        }
    }

  if (!seen_insn)
    g_test_fail_printf ("%s: no 'insn: N.' line in the --stat output", child.command);
  else if (insns != c->entry->insns)
    g_test_fail_printf ("%s: %" G_GUINT64_FORMAT " instructions, MANIFEST.md says %"
                        G_GUINT64_FORMAT, child.command, insns, c->entry->insns);
  if (!seen_errors)
    g_test_fail_printf ("%s: no 'errors: N' line in the --stat output", child.command);
  else if (errors != c->entry->errors)
    g_test_fail_printf ("%s: %" G_GUINT64_FORMAT " decode errors, MANIFEST.md says %"
                        G_GUINT64_FORMAT, child.command, errors, c->entry->errors);
  child_clear (&child);
}

/* --no-inst, compared line by line with ptxed's listing as `xz -dc` streams it. */
static void
compare_with_reference (const CorpusCase *c, Child *child, const char *reference)
{
  const char *xz_argv[] = { "xz", "-dc", reference, NULL };
  Child xz = { 0 };
  LineReader *got = g_new (LineReader, 1), *want = g_new (LineReader, 1);
  guint64 line_no = 0, error_lines = 0;

  child_spawn (&xz, xz_argv);
  line_reader_init (got, g_subprocess_get_stdout_pipe (child->process));
  line_reader_init (want, g_subprocess_get_stdout_pipe (xz.process));

  for (;;)
    {
      const char *gl, *wl;
      gsize glen, wlen;
      gboolean gterm = FALSE, wterm = FALSE;
      gboolean have_g = line_reader_next (got, &gl, &glen, &gterm);
      gboolean have_w = line_reader_next (want, &wl, &wlen, &wterm);

      if (!have_g && !have_w)
        break;
      line_no++;
      if (!have_g || !have_w || glen != wlen || memcmp (gl, wl, glen) != 0 || gterm != wterm)
        {
          g_test_fail_printf ("%s: line %" G_GUINT64_FORMAT " differs from %s:\n"
                              "  ptxed:       %s%.*s%s\n  ipt-analyze: %s%.*s%s",
                              child->command, line_no, reference,
                              have_w ? "'" : "", have_w ? (int) MIN (wlen, 300) : 0,
                              have_w ? wl : "", have_w ? (wterm ? "'" : "' (no newline)") : "(end of output)",
                              have_g ? "'" : "", have_g ? (int) MIN (glen, 300) : 0,
                              have_g ? gl : "", have_g ? (gterm ? "'" : "' (no newline)") : "(end of output)");
          break;
        }
      if (is_error_line (gl, glen))
        error_lines++;
    }

  /* Drain both, so that neither child dies of SIGPIPE before we wait for it. */
  if (g_test_failed ())
    {
      const char *l;
      gsize len;
      gboolean term;

      while (line_reader_next (got, &l, &len, &term))
        ;
      while (line_reader_next (want, &l, &len, &term))
        ;
    }
  else
    {
      if (line_no != c->entry->lines)
        g_test_fail_printf ("%s: %" G_GUINT64_FORMAT " lines, MANIFEST.md says %" G_GUINT64_FORMAT,
                            reference, line_no, c->entry->lines);
      if (error_lines != c->entry->errors)
        g_test_fail_printf ("%s: %" G_GUINT64_FORMAT " error lines, MANIFEST.md says %"
                            G_GUINT64_FORMAT, reference, error_lines, c->entry->errors);
    }

  child_assert_success (&xz);
  child_clear (&xz);
  line_reader_clear (got);
  line_reader_clear (want);
  g_free (got);
  g_free (want);
}

/* --no-inst, too long to keep a reference of: count lines and error lines. */
static void
count_lines (const CorpusCase *c, Child *child)
{
  LineReader *got = g_new (LineReader, 1);
  guint64 n_lines = 0, error_lines = 0;
  const char *line;
  gsize len;
  gboolean terminated;

  line_reader_init (got, g_subprocess_get_stdout_pipe (child->process));
  while (line_reader_next (got, &line, &len, &terminated))
    {
      n_lines++;
      if (is_error_line (line, len))
        error_lines++;
      if (!terminated)
        g_test_fail_printf ("%s: the last line has no newline", child->command);
    }
  line_reader_clear (got);
  g_free (got);

  if (n_lines != c->entry->lines)
    g_test_fail_printf ("%s: %" G_GUINT64_FORMAT " lines, MANIFEST.md says ptxed prints %"
                        G_GUINT64_FORMAT, child->command, n_lines, c->entry->lines);
  if (error_lines != c->entry->errors)
    g_test_fail_printf ("%s: %" G_GUINT64_FORMAT " error lines, MANIFEST.md says %"
                        G_GUINT64_FORMAT, child->command, error_lines, c->entry->errors);
}

static void
test_listing (gconstpointer data)
{
  const CorpusCase *c = data;
  g_autoptr(GPtrArray) argv = corpus_argv (c, "--no-inst", NULL);
  g_autofree char *reference = corpus_file (c->entry, "ptxed-no-inst.txt.xz");
  Child child = { 0 };

  child_spawn (&child, (const char * const *) argv->pdata);
  if (g_file_test (reference, G_FILE_TEST_EXISTS))
    compare_with_reference (c, &child, reference);
  else
    count_lines (c, &child);
  child_assert_success (&child);
  child_clear (&child);
}

/* The folders and the manifest agree: every folder is described, every
 * described trace is there with the memory its row promises. */
static void
test_manifest (void)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  if (manifest_problem != NULL)
    {
      g_test_fail_printf ("%s", manifest_problem);
      return;
    }

  dir = g_dir_open (corpus_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (corpus_dir, name, NULL);
      gboolean described = FALSE;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      for (guint i = 0; i < manifest->len; i++)
        described |= g_str_equal (((ManifestEntry *) manifest->pdata[i])->name, name);
      if (!described)
        g_test_fail_printf ("%s: trace folder not described in MANIFEST.md", path);
    }

  for (guint i = 0; i < manifest->len; i++)
    {
      const ManifestEntry *entry = manifest->pdata[i];
      const char *needed[] = { "trace.pt", "pages.addr", "pages.dump" };
      g_autofree char *image = corpus_file (entry, "image.bin");

      for (guint n = 0; n < G_N_ELEMENTS (needed); n++)
        {
          g_autofree char *path = corpus_file (entry, needed[n]);

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_test_fail_printf ("%s: missing", path);
        }
      if (entry->has_base != g_file_test (image, G_FILE_TEST_IS_REGULAR))
        g_test_fail_printf ("%s: MANIFEST.md %s a base address, but the file %s",
                            image, entry->has_base ? "gives" : "gives no",
                            entry->has_base ? "is missing" : "exists");
    }

  /* A misspelt IPT_CORPUS_TRACES must not turn into a run of nothing. */
  for (guint i = 0; only_traces != NULL && only_traces[i] != NULL; i++)
    {
      gboolean known = FALSE;

      for (guint n = 0; n < manifest->len; n++)
        known |= g_str_equal (((ManifestEntry *) manifest->pdata[n])->name, only_traces[i]);
      if (!known)
        g_test_fail_printf ("IPT_CORPUS_TRACES names '%s', which MANIFEST.md does not describe",
                            only_traces[i]);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *manifest_path = NULL;
  const char *decoders[] = { "block", "insn" };
  int ret;

  g_test_init (&argc, &argv, NULL);

  corpus_dir = g_getenv ("IPT_CORPUS_DIR");
  ipt_analyze = g_getenv ("IPT_ANALYZE");
  if (corpus_dir == NULL || ipt_analyze == NULL)
    {
      /* Run outside meson's environment: say what is needed rather than pass. */
      g_printerr ("test-corpus: set IPT_CORPUS_DIR and IPT_ANALYZE (meson test does)\n");
      return 1;
    }
  if (g_getenv ("IPT_CORPUS_TRACES") != NULL && *g_getenv ("IPT_CORPUS_TRACES") != '\0')
    only_traces = g_strsplit (g_getenv ("IPT_CORPUS_TRACES"), ",", -1);

  manifest = g_ptr_array_new_with_free_func (manifest_entry_free);
  manifest_path = g_build_filename (corpus_dir, "MANIFEST.md", NULL);
  if (!load_manifest (manifest_path, &error))
    manifest_problem = g_strdup (error->message);

  g_test_add_func ("/corpus/manifest", test_manifest);

  for (guint i = 0; manifest_problem == NULL && i < manifest->len; i++)
    {
      const ManifestEntry *entry = manifest->pdata[i];
      const char *sources[] = { "raw", "pagedump", "qemu-snapshot" };

      if (only_traces != NULL && !g_strv_contains ((const char * const *) only_traces, entry->name))
        continue;

      for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
        {
          /* Without image.bin there is no --raw form of this trace (checked
           * against the manifest by /corpus/manifest). */
          if (g_str_equal (sources[s], "raw") && !entry->has_base)
            continue;
          for (guint d = 0; d < G_N_ELEMENTS (decoders); d++)
            {
              CorpusCase *c = g_new0 (CorpusCase, 1);
              g_autofree char *stat_path = NULL, *listing_path = NULL;

              c->entry = entry;
              c->source = sources[s];
              c->decoder = decoders[d];
              g_ptr_array_add (cases, c);
              stat_path = g_strdup_printf ("/corpus/%s/%s/%s/stat", entry->name, c->source, c->decoder);
              listing_path = g_strdup_printf ("/corpus/%s/%s/%s/listing", entry->name, c->source, c->decoder);
              g_test_add_data_func (stat_path, c, test_stat);
              g_test_add_data_func (listing_path, c, test_listing);
            }
        }
    }

  snapshot_dir = g_dir_make_tmp ("ipt-corpus-qemu-XXXXXX", &error);
  g_assert_no_error (error);

  ret = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (snapshot_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (snapshot_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (snapshot_dir);
    g_clear_pointer (&snapshot_dir, g_free);
  }

  if (only_traces != NULL)
    {
      g_autofree char *list = g_strjoinv (",", only_traces);

      /* Printed after the results, where a reader of the log looks. */
      g_print ("# IPT_CORPUS_TRACES=%s: only these traces of %s were decoded\n",
               list, corpus_dir);
    }

  g_clear_pointer (&manifest, g_ptr_array_unref);
  g_clear_pointer (&manifest_problem, g_free);
  g_clear_pointer (&only_traces, g_strfreev);
  return ret;
}
