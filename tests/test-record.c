/* test-record.c: ipt-record is the project's oracle, so this suite checks it
 * end to end with the real binaries: record a program, decode the trace with
 * ipt-analyze (insn and block decoders) from three kinds of memory — the page
 * dump, the process's core (whose text comes from the files NT_FILE names:
 * the executable, libc, ld.so) and the mapped files alone (--elf FILE:BASE,
 * bases read from the core's NT_FILE) — and require exactly the instruction
 * addresses ipt-record saw the CPU execute.  Debian's perf must decode the
 * DIR/perf.data of the same recordings to those addresses too, timed (the
 * default) and untimed (--perf-data untimed) between them: static and
 * dynamic PIE programs both ways (record-perf.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <elf.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <intel-pt.h>

#include <ipt-analyze/ipt-analyze.h>

#include "record-perf.h"
#include "test-support.h"

typedef struct {
  char *dir;
  char *out;
  char *err;
  char *record_err;  /* ipt-record's stderr (its --verbose report, warnings) */
  char *record_out;  /* the recorded program's stdout */
  const char *cwd;   /* where commands run; NULL: the test's own folder */
  int status;     /* exit status of the last command */
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-record-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->out);
  g_free (fixture->err);
  g_free (fixture->record_err);
  g_free (fixture->record_out);
}

/* Runs @argv (calling @setup in the child before the exec); keeps its
 * output and exit status (or 128+signal). */
static void
run_full (Fixture *fixture, const char *const *argv, GSpawnChildSetupFunc setup)
{
  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  fixture->status = test_spawn_full (fixture->cwd, argv, setup, NULL, &fixture->out,
                                     &fixture->err);
}

static void
run (Fixture *fixture, const char *const *argv)
{
  run_full (fixture, argv, NULL);
}

static char *
out_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Records @program_argv into fixture->dir with ipt-record's options
 * @options (or none); returns ipt-record's status. */
static int
record_full (Fixture *fixture, const char *const *options, const char *psb_period,
             const char *const *program_argv, GSpawnChildSetupFunc setup)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_env_path ("IPT_RECORD"));
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) options[i]);
  g_ptr_array_add (argv, (char *) "--verbose");
  g_ptr_array_add (argv, (char *) "--psb-period");
  g_ptr_array_add (argv, (char *) psb_period);
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, fixture->dir);
  g_ptr_array_add (argv, (char *) "--");
  for (guint i = 0; program_argv[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) program_argv[i]);
  g_ptr_array_add (argv, NULL);
  run_full (fixture, (const char *const *) argv->pdata, setup);
  g_free (fixture->record_err);
  fixture->record_err = g_strdup (fixture->err);
  g_free (fixture->record_out);
  fixture->record_out = g_strdup (fixture->out);
  return fixture->status;
}

static int
record (Fixture *fixture, const char *psb_period, const char *const *program_argv)
{
  return record_full (fixture, NULL, psb_period, program_argv, NULL);
}

/* The instruction lines of a --no-inst listing: events ("[...]") dropped.
 * A plain walk: g_strsplit's repeated strstr is quadratic under ASan. */
static char *
instruction_lines (const char *listing)
{
  GString *result = g_string_new (NULL);
  const char *line = listing;

  while (*line != '\0')
    {
      const char *end = strchr (line, '\n');
      gsize length = end != NULL ? (gsize) (end - line) : strlen (line);

      if (length > 0 && line[0] != '[')
        {
          g_string_append_len (result, line, length);
          g_string_append_c (result, '\n');
        }
      line += length + (end != NULL ? 1 : 0);
    }
  return g_string_free (result, FALSE);
}

/* Decodes the recorded trace (optionally from byte @from) over the memory
 * options @memory and returns the instruction lines of the listing; stderr
 * must be empty, or exactly one line starting with @note. */
static char *
decode_range_noting (Fixture *fixture, const char *decoder, guint64 from, guint64 to,
                     const char *const *memory, const char *note)
{
  g_autofree char *trace = out_path (fixture, "trace.pt");
  g_autofree char *pt = to != 0 ?
    g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x", trace, from, to) :
    from == 0 ? g_strdup (trace) : g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x", trace, from);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_env_path ("IPT_ANALYZE"));
  g_ptr_array_add (argv, (char *) "--no-inst");
  g_ptr_array_add (argv, (char *) decoder);
  g_ptr_array_add (argv, (char *) "--pt");
  g_ptr_array_add (argv, pt);
  for (guint i = 0; memory[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) memory[i]);
  g_ptr_array_add (argv, NULL);
  run (fixture, (const char *const *) argv->pdata);
  if (note == NULL)
    g_assert_cmpstr (fixture->err, ==, "");
  else
    {
      const char *newline = strchr (fixture->err, '\n');

      g_assert_true (g_str_has_prefix (fixture->err, note));
      g_assert_nonnull (newline);
      g_assert_cmpstr (newline + 1, ==, "");
    }
  g_assert_cmpint (fixture->status, ==, 0);
  return instruction_lines (fixture->out);
}

static char *
decode_range_with (Fixture *fixture, const char *decoder, guint64 from, guint64 to,
                   const char *const *memory)
{
  return decode_range_noting (fixture, decoder, from, to, memory, NULL);
}

/* The whole trace, or from byte @from on (0: the start). */
static char *
decode_with (Fixture *fixture, const char *decoder, guint64 from, const char *const *memory)
{
  return decode_range_with (fixture, decoder, from, 0, memory);
}

/* "pagedump:addr=DIR/pages.addr,dump=DIR/pages.dump" */
static char *
pagedump_plugin (Fixture *fixture)
{
  g_autofree char *addr = out_path (fixture, "pages.addr");
  g_autofree char *dump = out_path (fixture, "pages.dump");

  return g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
}

/* The same over the page dump. */
static char *
decode (Fixture *fixture, const char *decoder, guint64 from)
{
  g_autofree char *plugin = pagedump_plugin (fixture);
  const char *memory[] = { "--plugin", plugin, NULL };

  return decode_with (fixture, decoder, from, memory);
}

static char *
read_output (Fixture *fixture, const char *name, gsize *length)
{
  g_autofree char *path = out_path (fixture, name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

/* What every recording must satisfy: well-formed files, and both decoders
 * reproduce the executed addresses exactly. */
static void
assert_recording_decodes (Fixture *fixture)
{
  gsize ips_length, addr_length, dump_length;
  g_autofree char *ips = read_output (fixture, "ips", &ips_length);
  g_autofree char *addr = read_output (fixture, "pages.addr", &addr_length);
  g_autofree char *dump = read_output (fixture, "pages.dump", &dump_length);
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };

  /* Non-trivial, in the listing format, and a consistent page dump. */
  g_assert_cmpuint (ips_length, >, 1000 * 17);
  g_assert_cmpuint (ips_length % 17, ==, 0);
  g_assert_cmpint (ips[16], ==, '\n');
  g_assert_cmpuint (addr_length, >, 0);
  g_assert_cmpuint (addr_length % 8, ==, 0);
  g_assert_cmpuint (dump_length, ==, addr_length / 8 * 4096);

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      g_autofree char *decoded = decode (fixture, decoders[i], 0);

      g_test_message ("%s", decoders[i]);
      g_assert_cmpuint (strlen (decoded), ==, ips_length);
      g_assert_true (strcmp (decoded, ips) == 0);
    }
}

/* ---- DIR/core, read here independently of the coredump plugin ------------------------------ */

typedef struct {
  guint64 start, end, offset;   /* offset in bytes */
  char *path;
} FileMapping;

typedef struct {
  guint64 vaddr, filesz, memsz;
} Load;

typedef struct {
  GArray *files;    /* FileMapping, from NT_FILE */
  GArray *loads;    /* Load, the PT_LOAD headers */
  guint64 vdso;     /* AT_SYSINFO_EHDR from NT_AUXV; 0 when none */
} CoreFacts;

static void
core_facts_free (CoreFacts *facts)
{
  for (guint i = 0; i < facts->files->len; i++)
    g_free (g_array_index (facts->files, FileMapping, i).path);
  g_array_unref (facts->files);
  g_array_unref (facts->loads);
  g_free (facts);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoreFacts, core_facts_free)

/* @n bytes at @offset of @data, which must hold them. */
static void
copy_in (const guint8 *data, gsize size, guint64 offset, void *value, gsize n)
{
  g_assert_cmpuint (size, >=, n);
  g_assert_cmpuint (offset, <=, size - n);
  memcpy (value, data + offset, n);
}

static guint64
get_u64 (const guint8 *data, gsize size, guint64 offset)
{
  guint64 value;

  copy_in (data, size, offset, &value, sizeof value);
  return GUINT64_FROM_LE (value);
}

static void
parse_nt_file (CoreFacts *facts, const guint8 *desc, gsize size)
{
  guint64 count = get_u64 (desc, size, 0);
  guint64 page_size = get_u64 (desc, size, 8);
  const char *name = (const char *) desc + 16 + count * 24;

  /* ipt-record writes what the kernel writes: offsets in 4 KiB pages. */
  g_assert_cmpuint (page_size, ==, 4096);
  g_assert_cmpuint (count, >, 0);
  g_assert_cmpuint (16 + count * 24, <, size);
  for (guint64 i = 0; i < count; i++)
    {
      FileMapping m;
      gsize left = size - (gsize) ((const guint8 *) name - desc);
      gsize len = strnlen (name, left);

      g_assert_cmpuint (len, <, left);
      m.start = get_u64 (desc, size, 16 + i * 24);
      m.end = get_u64 (desc, size, 16 + i * 24 + 8);
      m.offset = get_u64 (desc, size, 16 + i * 24 + 16) * page_size;
      m.path = g_strdup (name);
      g_assert_cmpuint (m.start, <, m.end);
      g_array_append_val (facts->files, m);
      name += len + 1;
    }
}

static void
parse_auxv (CoreFacts *facts, const guint8 *desc, gsize size)
{
  for (gsize at = 0; at + 16 <= size; at += 16)
    {
      guint64 type = get_u64 (desc, size, at);

      if (type == AT_NULL)
        break;
      if (type == AT_SYSINFO_EHDR)
        facts->vdso = get_u64 (desc, size, at + 8);
    }
}

/* Program headers, NT_FILE and NT_AUXV of an x86-64 core. */
static CoreFacts *
read_core (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);
  CoreFacts *facts = g_new0 (CoreFacts, 1);
  const guint8 *data;
  gsize size;
  Elf64_Ehdr eh;

  g_assert_no_error (error);
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  g_assert_cmpuint (size, >=, sizeof eh);
  memcpy (&eh, data, sizeof eh);
  g_assert_true (memcmp (eh.e_ident, ELFMAG, SELFMAG) == 0);
  g_assert_cmpint (eh.e_ident[EI_CLASS], ==, ELFCLASS64);
  g_assert_cmpint (eh.e_type, ==, ET_CORE);
  g_assert_cmpint (eh.e_machine, ==, EM_X86_64);
  g_assert_cmpuint (eh.e_phentsize, ==, sizeof (Elf64_Phdr));
  g_assert_cmpuint (eh.e_phoff + (guint64) eh.e_phnum * sizeof (Elf64_Phdr), <=, size);

  facts->files = g_array_new (FALSE, FALSE, sizeof (FileMapping));
  facts->loads = g_array_new (FALSE, FALSE, sizeof (Load));
  for (guint i = 0; i < eh.e_phnum; i++)
    {
      Elf64_Phdr ph;

      memcpy (&ph, data + eh.e_phoff + i * sizeof ph, sizeof ph);
      g_assert_cmpuint (ph.p_offset + ph.p_filesz, <=, size);
      if (ph.p_type == PT_LOAD)
        {
          Load load = { ph.p_vaddr, ph.p_filesz, ph.p_memsz };
          g_array_append_val (facts->loads, load);
        }
      else if (ph.p_type == PT_NOTE)
        {
          guint64 at = ph.p_offset, end = ph.p_offset + ph.p_filesz;

          while (at + 12 <= end)
            {
              guint32 head[3];
              guint64 desc, next;

              memcpy (head, data + at, sizeof head);
              desc = at + 12 + ((head[0] + 3) & ~3u);
              next = desc + ((head[1] + 3) & ~3u);
              g_assert_cmpuint (next, <=, end);
              if (head[2] == NT_FILE)
                parse_nt_file (facts, data + desc, head[1]);
              else if (head[2] == NT_AUXV)
                parse_auxv (facts, data + desc, head[1]);
              at = next;
            }
        }
    }
  g_assert_cmpuint (facts->files->len, >, 0);
  g_assert_cmpuint (facts->loads->len, >, 0);
  return facts;
}

static gboolean
is_elf_file (const char *path)
{
  char magic[SELFMAG];
  FILE *file = fopen (path, "rb");
  gboolean elf;

  if (file == NULL)
    return FALSE;
  elf = fread (magic, 1, sizeof magic, file) == sizeof magic &&
        memcmp (magic, ELFMAG, SELFMAG) == 0;
  fclose (file);
  return elf;
}

/* "--elf PATH:BASE" for every ELF file the core maps, BASE being where its
 * offset 0 is mapped; @paths gets the files. */
static GPtrArray *
elf_options (const CoreFacts *facts, GPtrArray *paths)
{
  GPtrArray *options = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < facts->files->len; i++)
    {
      const FileMapping *m = &g_array_index (facts->files, FileMapping, i);

      if (m->offset != 0 || !is_elf_file (m->path) ||
          g_ptr_array_find_with_equal_func (paths, m->path, g_str_equal, NULL))
        continue;
      g_ptr_array_add (paths, g_strdup (m->path));
      g_ptr_array_add (options, g_strdup ("--elf"));
      g_ptr_array_add (options, g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x", m->path,
                                                 m->start));
    }
  g_ptr_array_add (options, NULL);
  return options;
}

/* Every executed instruction is in a file NT_FILE names, in a page the core
 * did not dump (so decoding from the core really reads the files), and not
 * in the vDSO (which no file holds: --elf could not decode it). */
static void
assert_code_from_files (const char *ips, gsize ips_length, const CoreFacts *facts)
{
  guint64 vdso_start = 0, vdso_end = 0;
  const FileMapping *hit = NULL;
  const Load *dumped = NULL;

  for (guint i = 0; facts->vdso != 0 && i < facts->loads->len; i++)
    {
      const Load *l = &g_array_index (facts->loads, Load, i);
      if (l->vaddr <= facts->vdso && facts->vdso < l->vaddr + l->memsz)
        vdso_start = l->vaddr, vdso_end = l->vaddr + l->memsz;
    }
  g_test_message ("vDSO at 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x",
                  vdso_start, vdso_end);

  for (gsize at = 0; at + 17 <= ips_length; at += 17)
    {
      guint64 ip = g_ascii_strtoull (ips + at, NULL, 16);

      if (vdso_start <= ip && ip < vdso_end)
        g_error ("executed 0x%" G_GINT64_MODIFIER "x in the vDSO: code no file holds",
                 ip);
      if (hit == NULL || ip < hit->start || ip >= hit->end)
        {
          hit = NULL;
          for (guint i = 0; i < facts->files->len && hit == NULL; i++)
            {
              const FileMapping *m = &g_array_index (facts->files, FileMapping, i);
              if (m->start <= ip && ip < m->end)
                hit = m;
            }
          if (hit == NULL)
            g_error ("executed 0x%" G_GINT64_MODIFIER "x outside every file NT_FILE names", ip);
        }
      if (dumped == NULL || ip < dumped->vaddr || ip >= dumped->vaddr + dumped->filesz)
        {
          dumped = NULL;
          for (guint i = 0; i < facts->loads->len && dumped == NULL; i++)
            {
              const Load *l = &g_array_index (facts->loads, Load, i);
              if (l->vaddr <= ip && ip < l->vaddr + l->filesz)
                dumped = l;
            }
          if (dumped != NULL)
            g_error ("executed 0x%" G_GINT64_MODIFIER "x, which the core dumped: text must "
                     "come from %s", ip, hit->path);
        }
    }
}

/* --list-regions of the core: every range a file section, and ranges from
 * the core itself and from each of @paths. */
static void
assert_regions_from_core_and_files (Fixture *fixture, const char *core, GPtrArray *paths)
{
  g_autofree char *plugin = g_strdup_printf ("coredump:core=%s", core);
  const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--plugin", plugin, "--list-regions", NULL };
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *real_core = realpath (core, NULL);

  run (fixture, argv);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_cmpint (fixture->status, ==, 0);
  lines = test_split_lines (fixture->out);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " ", -1);
      const char *file = NULL, *kind = NULL;
      guint n = 0;

      if (lines[i][0] == '\0')
        continue;
      for (guint j = 0; fields[j] != NULL; j++)
        if (fields[j][0] != '\0')
          {
            n++;
            if (n == 7)
              kind = fields[j];
            file = fields[j];
          }
      g_assert_cmpuint (n, ==, 9);
      g_assert_cmpstr (kind, ==, "section");
      g_hash_table_insert (counts, g_strdup (file),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, file)) + 1));
    }
  g_assert_nonnull (real_core);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, real_core)), >, 0);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *real = realpath (paths->pdata[i], NULL);

      g_assert_nonnull (real);
      g_test_message ("%s: %u ranges", real, GPOINTER_TO_UINT (g_hash_table_lookup (counts, real)));
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, real)), >, 0);
    }
}

static gboolean
paths_contain (GPtrArray *paths, const char *part)
{
  for (guint i = 0; i < paths->len; i++)
    if (strstr (paths->pdata[i], part) != NULL)
      return TRUE;
  return FALSE;
}

/* Decoding from DIR/core (--plugin coredump), and from the files the core
 * maps (--elf FILE:BASE for each, no core), reproduces ips with both
 * decoders. @program is the recorded executable. */
static void
assert_core_decodes (Fixture *fixture, const char *program, gboolean dynamic)
{
  g_autofree char *core = out_path (fixture, "core");
  g_autofree char *plugin = g_strdup_printf ("coredump:core=%s", core);
  g_autofree char *real_program = realpath (program, NULL);
  const char *coredump[] = { "--plugin", plugin, NULL };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) elf = NULL;
  g_autoptr(CoreFacts) facts = NULL;
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };
  g_autofree char *ips = NULL;
  gsize ips_length;

  g_assert_true (g_file_test (core, G_FILE_TEST_IS_REGULAR));
  ips = read_output (fixture, "ips", &ips_length);
  facts = read_core (core);
  elf = elf_options (facts, paths);

  g_assert_nonnull (real_program);
  g_assert_true (g_ptr_array_find_with_equal_func (paths, real_program, g_str_equal, NULL));
  /* Dynamic: libc and ld.so are mapped files too; static: only the program. */
  g_assert_cmpint (paths_contain (paths, "/libc.so"), ==, dynamic);
  g_assert_cmpint (paths_contain (paths, "/ld-linux"), ==, dynamic);
  g_assert_cmpuint (paths->len, ==, dynamic ? 3 : 1);
  assert_code_from_files (ips, ips_length, facts);

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      g_autofree char *from_core = decode_with (fixture, decoders[i], 0, coredump);
      g_autofree char *from_files = decode_with (fixture, decoders[i], 0,
                                                 (const char *const *) elf->pdata);

      g_test_message ("%s: coredump and --elf", decoders[i]);
      g_assert_cmpuint (strlen (from_core), ==, ips_length);
      g_assert_true (strcmp (from_core, ips) == 0);
      g_assert_cmpuint (strlen (from_files), ==, ips_length);
      g_assert_true (strcmp (from_files, ips) == 0);
    }

  assert_regions_from_core_and_files (fixture, core, paths);
}

typedef struct {
  const char *program_env;
  gboolean dynamic;
  gboolean perf_timed;    /* DIR/perf.data as written by default, or untimed */
} FlowBuild;

static const char *const perf_untimed[] = { "--perf-data", "untimed", NULL };

static void
test_flow (Fixture *fixture, gconstpointer data)
{
  const FlowBuild *build = data;
  const char *argv[] = { test_env_path (build->program_env), NULL };

  g_assert_cmpint (record_full (fixture, build->perf_timed ? NULL : perf_untimed, "4096", argv,
                                NULL), ==, 0);
  assert_recording_decodes (fixture);
  /* Four signals: raise(), two faults, int3 */
  g_assert_nonnull (strstr (fixture->record_err, " 4 signals"));
  assert_core_decodes (fixture, argv[0], build->dynamic);
  record_perf_assert_decodes (fixture->dir, build->perf_timed);
}

static void
test_async (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_ASYNC_STATIC"), NULL };

  g_assert_cmpint (record (fixture, "512", argv), ==, 0);
  g_assert_nonnull (strstr (fixture->record_err, "only the main thread is traced"));
  g_assert_nonnull (strstr (fixture->record_err, "runs untraced"));
  assert_recording_decodes (fixture);
  /* Signals, timers and threads: perf decodes the main thread's trace too. */
  record_perf_assert_decodes (fixture->dir, TRUE);
  record_perf_assert_thread_filters (fixture->dir);

  /* The core holds the other thread's memory too; the main thread's trace
   * decodes from it. */
  {
    g_autofree char *core = out_path (fixture, "core");
    g_autofree char *plugin = g_strdup_printf ("coredump:core=%s", core);
    const char *coredump[] = { "--plugin", plugin, NULL };
    g_autofree char *insn = decode_with (fixture, "--insn-decoder", 0, coredump);
    g_autofree char *block = decode_with (fixture, "--block-decoder", 0, coredump);
    g_autofree char *ips = read_output (fixture, "ips", NULL);

    g_assert_true (strcmp (insn, ips) == 0);
    g_assert_true (strcmp (block, ips) == 0);
  }
}

static void
test_dynamic_true (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/true", NULL };

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("no /bin/true");
      return;
    }
  /* A dynamic PIE (Debian builds PIE) untimed; flow-dynamic-pie is timed. */
  g_assert_cmpint (record_full (fixture, perf_untimed, "4096", argv, NULL), ==, 0);
  assert_recording_decodes (fixture);
  assert_core_decodes (fixture, argv[0], TRUE);
  record_perf_assert_decodes (fixture->dir, FALSE);
}

/* Decoding may start at any PSB: it must give exactly the tail of the
 * executed addresses. */
static void
test_start_at_any_psb (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_FLOW_STATIC"), NULL };
  gsize ips_length, trace_length;
  g_autofree char *ips = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(GArray) psbs = NULL;
  gsize previous_length = G_MAXSIZE;

  g_assert_cmpint (record (fixture, "128", argv), ==, 0);
  ips = read_output (fixture, "ips", &ips_length);
  trace = (guint8 *) read_output (fixture, "trace.pt", &trace_length);
  psbs = test_find_psbs (trace, trace_length);
  g_assert_cmpuint (psbs->len, >, 10);
  g_assert_cmpuint (g_array_index (psbs, guint64, 0), ==, 0);

  /* Every few PSBs, with both decoders: every one would take long. */
  for (guint i = 1; i < psbs->len; i += 5)
    {
      guint64 from = g_array_index (psbs, guint64, i);
      g_autofree char *insn = decode (fixture, "--insn-decoder", from);
      g_autofree char *block = decode (fixture, "--block-decoder", from);
      gsize length = strlen (insn);

      g_test_message ("PSB at 0x%" G_GINT64_MODIFIER "x: %" G_GSIZE_FORMAT " bytes of listing",
                      from, length);
      g_assert_cmpuint (length, >, 0);
      g_assert_cmpuint (length, <, previous_length);
      g_assert_true (strcmp (insn, ips + ips_length - length) == 0);
      g_assert_cmpstr (block, ==, insn);
      previous_length = length;
    }
}

static void
test_exit_code (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "exit", "7", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 7);
  assert_recording_decodes (fixture);
}

static void
test_killed_by_signal (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "abort", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 128 + SIGABRT);
  assert_recording_decodes (fixture);
}

/* --no-core: no DIR/core, and none left from an earlier recording. */
static void
test_no_core (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), NULL };
  const char *options[] = { "--no-core", NULL };
  g_autofree char *core = out_path (fixture, "core");
  g_autoptr(GError) error = NULL;

  g_file_set_contents (core, "stale", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record_full (fixture, options, "4096", argv, NULL), ==, 0);
  g_assert_false (g_file_test (core, G_FILE_TEST_EXISTS));
  g_assert_null (strstr (fixture->record_err, "core"));
  assert_recording_decodes (fixture);
  /* The mappings come from the exit stop with or without a core. */
  record_perf_assert_decodes (fixture->dir, TRUE);
}

/* --perf-data none: no DIR/perf.data, and none left from an earlier run. */
static void
test_no_perf_data (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), NULL };
  const char *options[] = { "--perf-data", "none", NULL };
  g_autofree char *perf_data = out_path (fixture, "perf.data");
  g_autoptr(GError) error = NULL;

  g_file_set_contents (perf_data, "stale", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record_full (fixture, options, "4096", argv, NULL), ==, 0);
  g_assert_false (g_file_test (perf_data, G_FILE_TEST_EXISTS));
  assert_recording_decodes (fixture);
}

/* After an execve() the memory is another program's: no core, a warning. */
static void
test_no_core_after_exec (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "exec", "/bin/true",
                         NULL };
  g_autofree char *core = out_path (fixture, "core");
  g_autofree char *warning = g_strdup_printf ("ipt-record: warning: %s: no core written", core);

  if (!g_file_test (argv[2], G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("no /bin/true");
      return;
    }
  g_assert_cmpint (record (fixture, "4096", argv), ==, 0);
  g_assert_nonnull (strstr (fixture->record_err, "executed another program"));
  g_assert_nonnull (strstr (fixture->record_err, warning));
  g_assert_false (g_file_test (core, G_FILE_TEST_EXISTS));
  assert_recording_decodes (fixture);
  /* No exit stop: perf.data has the mappings of the start, enough here. */
  record_perf_assert_decodes (fixture->dir, TRUE);
}

/* Files may be at most 4 MiB: the trace, ips and page dump fit, the core
 * of 16 MiB of written memory does not. */
static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { 4 << 20, 4 << 20 };

  signal (SIGXFSZ, SIG_IGN);   /* write(2) fails with EFBIG instead */
  setrlimit (RLIMIT_FSIZE, &limit);
}

/* A core that cannot be written: ipt-record says which and why, exits with
 * 125, leaves no partial core, and the other files are still complete. */
static void
test_core_write_fails (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "touch", "16", NULL };
  g_autofree char *core = out_path (fixture, "core");
  g_autofree char *message = g_strdup_printf ("ipt-record: error: %s: no core written: ", core);
  const char *reason;
  GDir *dir;
  const char *name;

  g_assert_cmpint (record_full (fixture, NULL, "4096", argv, limit_file_size), ==, 125);
  reason = strstr (fixture->record_err, message);
  g_assert_nonnull (reason);
  /* then the reason, EFBIG's text in the user's language */
  reason += strlen (message);
  g_assert_cmpint (reason[0], !=, '\n');
  g_assert_cmpint (reason[0], !=, '\0');
  dir = g_dir_open (fixture->dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "core"));
  g_dir_close (dir);
  assert_recording_decodes (fixture);
}

/* The ipt-analyze arguments of the README's first Quick start command: the
 * words after "ipt-analyze" up to the first pipe. Fails the test when the
 * README no longer has them, so the Quick start cannot drift from the demo. */
static char **
readme_demo_arguments (const char *top)
{
  g_autofree char *readme_path = g_build_filename (top, "README.md", NULL);
  g_autofree char *readme = NULL;
  g_autofree char *words = NULL;
  g_autoptr(GError) error = NULL;
  const char *block, *line, *end, *command;
  char **argv = NULL;

  g_file_get_contents (readme_path, &readme, NULL, &error);
  g_assert_no_error (error);
  block = strstr (readme, "## Quick start");
  g_assert_nonnull (block);
  block = strstr (block, "```\n");
  g_assert_nonnull (block);
  line = block + 4;
  end = strchr (line, '\n');
  g_assert_nonnull (end);
  command = g_strstr_len (line, end - line, " ipt-analyze ");
  g_assert_nonnull (command);
  command += strlen (" ipt-analyze ");
  words = g_strndup (command, end - command);
  if (strchr (words, '|') != NULL)
    *strchr (words, '|') = '\0';
  g_assert_true (g_shell_parse_argv (words, NULL, &argv, &error));
  g_assert_no_error (error);
  return argv;
}

static char *
run_ipt_analyze_in (Fixture *fixture, const char *top, char **args)
{
  int status;

  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  status = test_run_analyze_in (top, (const char *const *) args, &fixture->out, &fixture->err);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_cmpint (status, ==, 0);
  return fixture->out;
}

/* The committed demo (data/demo, see its README) decodes with the README's
 * Quick start command, run from the top of the source tree as a fresh clone
 * would: the program comes from search-path=data/demo (the path in the
 * core's NT_FILE is a temporary directory that no longer exists). As
 * written, it prints the listing with symbols and `insn: N.` for every
 * address of ips; with --no-inst added, both decoders give ips exactly. */
static void
test_demo_readme_command (Fixture *fixture, gconstpointer data)
{
  g_autofree char *top = g_build_filename (test_env_path ("G_TEST_SRCDIR"), "..", NULL);
  g_autofree char *ips_path = g_build_filename (top, "data", "demo", "ips", NULL);
  g_auto(GStrv) args = readme_demo_arguments (top);
  g_autofree char *ips = NULL;
  g_autofree char *insn_line = NULL;
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };
  g_autoptr(GError) error = NULL;
  gsize ips_length;
  guint n_ips = 0;
  const char *out;

  g_file_get_contents (ips_path, &ips, &ips_length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ips_length, >, 1000 * 17);
  for (const char *p = ips; *p != '\0'; p++)
    n_ips += *p == '\n';

  out = run_ipt_analyze_in (fixture, top, args);
  insn_line = g_strdup_printf ("\ninsn: %u.\n", n_ips);
  g_assert_nonnull (strstr (out, insn_line));
  g_assert_nonnull (strstr (out, " <_exit+0x27>  syscall\n"));

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      g_autoptr(GPtrArray) no_inst = g_ptr_array_new ();
      g_autofree char *decoded = NULL;

      /* the same sources, the listing as addresses, this decoder */
      for (guint j = 0; args[j] != NULL; j++)
        if (!g_str_equal (args[j], "--stat"))
          g_ptr_array_add (no_inst, args[j]);
      g_ptr_array_add (no_inst, "--no-inst");
      g_ptr_array_add (no_inst, (char *) decoders[i]);
      g_ptr_array_add (no_inst, NULL);
      out = run_ipt_analyze_in (fixture, top, (char **) no_inst->pdata);
      decoded = instruction_lines (out);
      g_assert_cmpuint (strlen (decoded), ==, ips_length);
      g_assert_true (strcmp (decoded, ips) == 0);
    }
}

/* One line, "ipt-record: error: ...". */
static void
assert_one_error_line (const char *err)
{
  g_assert_true (g_str_has_prefix (err, "ipt-record: error: "));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
}

/* ---- the output folder -------------------------------------------------------------------- */

static const char *const recording_files[] = {
  "trace.pt", "ips", "pages.addr", "pages.dump", "core", "perf.data", NULL
};

/* fixture->dir holds exactly @names (no temporary folder left). */
static void
assert_dir_holds (Fixture *fixture, const char *const *names)
{
  GDir *dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_test_message ("%s: %s", fixture->dir, name);
      g_assert_true (g_strv_contains (names, name));
      n++;
    }
  g_dir_close (dir);
  g_assert_cmpuint (n, ==, g_strv_length ((char **) names));
}

/* A run that fails before recording (the program is not there) leaves the
 * earlier run's files as they were: never a mix of two runs. */
static void
test_earlier_run_kept (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), NULL };
  const char *missing[] = { "/nonexistent/ipt-record-test-program", NULL };
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  gsize lengths[G_N_ELEMENTS (recording_files)];

  g_assert_cmpint (record (fixture, "4096", argv), ==, 0);
  assert_dir_holds (fixture, recording_files);
  for (guint i = 0; recording_files[i] != NULL; i++)
    g_ptr_array_add (before, read_output (fixture, recording_files[i], &lengths[i]));

  g_assert_cmpint (record (fixture, "4096", missing), ==, 127);
  assert_dir_holds (fixture, recording_files);
  for (guint i = 0; recording_files[i] != NULL; i++)
    {
      gsize length;
      g_autofree char *after = read_output (fixture, recording_files[i], &length);

      g_test_message ("%s", recording_files[i]);
      g_assert_cmpmem (after, length, before->pdata[i], lengths[i]);
    }
  assert_recording_decodes (fixture);
}

/* ---- stopped by SIGINT, SIGTERM ------------------------------------------------------------ */

typedef struct {
  const char *mode;     /* record-forever-static's argument */
  int sig;
  gboolean group;       /* to the whole process group, as Ctrl-C does */
} StopCase;

/* In ipt-record's child: default dispositions (a signal ignored at start
 * stays ignored in ipt-record), and a process group of its own. */
static void
prepare_stop_child (gpointer user_data)
{
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  setpgid (0, 0);
}

static char *
read_all (int fd)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  ssize_t got;

  while ((got = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, got);
  return g_string_free (text, FALSE);
}

/* Records the program that never ends, stops ipt-record with @stop->sig
 * once the program is running its main (and a little more), and returns
 * ipt-record's wait status. */
static int
record_stopped (Fixture *fixture, const StopCase *stop)
{
  const char *argv[] = { test_env_path ("IPT_RECORD"), "--verbose", "-o", fixture->dir, "--",
                         test_env_path ("IPT_RECORD_PROGRAM_FOREVER_STATIC"), stop->mode, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  int out_fd, err_fd, wait_status = 0;
  gint64 deadline;
  GPid pid;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            prepare_stop_child, NULL, &pid, NULL, &out_fd, &err_fd, &error);
  g_assert_no_error (error);
  /* The program says "ready" after its start-up (some 18,000 steps). */
  while (strstr (out->str, "ready\n") == NULL)
    {
      char c;

      if (read (out_fd, &c, 1) != 1)
        break;
      g_string_append_c (out, c);
    }
  g_assert_cmpstr (out->str, ==, "ready\n");
  g_usleep (300 * 1000);
  g_assert_cmpint (kill (stop->group ? -pid : pid, stop->sig), ==, 0);

  /* Writing the files takes well under a second; never hang the suite. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (waitpid (pid, &wait_status, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (-pid, SIGKILL);
          waitpid (pid, &wait_status, 0);
          g_error ("ipt-record did not end after %s", g_strsignal (stop->sig));
        }
      g_usleep (20 * 1000);
    }
  g_free (fixture->record_err);
  fixture->record_err = read_all (err_fd);
  g_free (read_all (out_fd));
  close (out_fd);
  close (err_fd);
  g_test_message ("ipt-record: %s", fixture->record_err);
  return wait_status;
}

/* Stopped by a signal, ipt-record writes a valid trace up to where the
 * program was, its ips, pages and core, says so, and dies of the signal. */
static void
test_stopped_by_signal (Fixture *fixture, gconstpointer data)
{
  const StopCase *stop = data;
  int wait_status = record_stopped (fixture, stop);
  g_autofree char *warning = g_strdup_printf ("ipt-record: warning: stopped by %s after ",
                                              stop->sig == SIGINT ? "SIGINT" : "SIGTERM");

  g_assert_true (WIFSIGNALED (wait_status));
  g_assert_cmpint (WTERMSIG (wait_status), ==, stop->sig);
  g_assert_nonnull (strstr (fixture->record_err, warning));
  g_assert_nonnull (strstr (fixture->record_err, "the recording is complete up to there"));
  assert_dir_holds (fixture, recording_files);
  assert_recording_decodes (fixture);
  assert_core_decodes (fixture, test_env_path ("IPT_RECORD_PROGRAM_FOREVER_STATIC"), FALSE);
  record_perf_assert_decodes (fixture->dir, TRUE);
}

/* A file that is there but cannot be executed: 126, as shells say, not
 * "not found"; nothing of ipt-record's left in the folder. */
static void
test_program_not_executable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *script = out_path (fixture, "not-executable");
  g_autofree char *subdir = out_path (fixture, "a-directory");
  const char *const names[] = { "not-executable", "a-directory", NULL };
  const char *const paths[] = { script, subdir };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (script, "#!/bin/sh\nexit 0\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      const char *argv[] = { paths[i], NULL };

      g_assert_cmpint (record (fixture, "4096", argv), ==, 126);
      g_assert_nonnull (strstr (fixture->err, paths[i]));
      g_assert_nonnull (strstr (fixture->err, "cannot be executed"));
      g_assert_null (strstr (fixture->err, "not found"));
      assert_one_error_line (fixture->err);
      assert_dir_holds (fixture, names);
    }
}

static void
test_program_not_found (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/nonexistent/ipt-record-test-program", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 127);
  g_assert_nonnull (strstr (fixture->err, "/nonexistent/ipt-record-test-program"));
  g_assert_nonnull (strstr (fixture->err, "not found"));
}

static void
test_output_not_a_directory (Fixture *fixture, gconstpointer data)
{
  g_autofree char *file = out_path (fixture, "plain-file");
  g_autofree char *below = g_build_filename (file, "out", NULL);
  const char *argv[] = { test_env_path ("IPT_RECORD"), "-o", below, "/bin/true", NULL };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, "x", 1, &error);
  g_assert_no_error (error);
  run (fixture, argv);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, below));
}

static void
test_bad_options (Fixture *fixture, gconstpointer data)
{
  const char *no_output[] = { test_env_path ("IPT_RECORD"), "/bin/true", NULL };
  const char *no_program[] = { test_env_path ("IPT_RECORD"), "-o", fixture->dir, NULL };
  const char *bad_period[] = { test_env_path ("IPT_RECORD"), "--psb-period", "3", "-o",
                               fixture->dir, "/bin/true", NULL };
  const char *bad_perf_data[] = { test_env_path ("IPT_RECORD"), "--perf-data", "yes", "-o",
                                  fixture->dir, "/bin/true", NULL };

  run (fixture, no_output);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "-o DIR"));
  assert_one_error_line (fixture->err);
  run (fixture, no_program);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "PROGRAM"));
  assert_one_error_line (fixture->err);
  run (fixture, bad_period);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "--psb-period"));
  assert_one_error_line (fixture->err);
  run (fixture, bad_perf_data);
  g_assert_cmpint (fixture->status, ==, 125);
  g_assert_nonnull (strstr (fixture->err, "--perf-data yes"));
  assert_one_error_line (fixture->err);
}

/* ---- rewritten code: a JIT (tests/record/jit.c) -------------------------------------------- */

#define JIT_CODE_LOAD 0
#define JIT_CODE_MOVE 1

/* One record of a perf jitdump: code loaded or moved at a time. */
typedef struct {
  guint32 id;
  guint64 timestamp;
  guint64 address;       /* code_addr; new_code_addr of a move */
  guint64 old_address;   /* a move's old_code_addr */
  guint64 size;
  const guint8 *code;    /* a load's bytes (into JitDump.contents) */
} JitRecord;

typedef struct {
  char *path;
  char *contents;
  gsize length;
  guint32 pid;
  GArray *records;       /* JitRecord, in file order */
} JitDump;

static void
jit_dump_free (JitDump *dump)
{
  g_free (dump->path);
  g_free (dump->contents);
  g_array_unref (dump->records);
  g_free (dump);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JitDump, jit_dump_free)

static guint32
get_u32 (const guint8 *data, gsize size, guint64 offset)
{
  guint32 value;

  copy_in (data, size, offset, &value, sizeof value);
  return GUINT32_FROM_LE (value);
}

/* A jitdump: its header checked field by field, its records parsed. */
static JitDump *
read_jitdump (const char *path)
{
  g_autoptr(JitDump) dump = g_new0 (JitDump, 1);
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize size;
  guint64 at = 40;

  dump->path = g_strdup (path);
  dump->records = g_array_new (FALSE, TRUE, sizeof (JitRecord));
  g_file_get_contents (path, &dump->contents, &dump->length, &error);
  g_assert_no_error (error);
  data = (const guint8 *) dump->contents;
  size = dump->length;
  /* Host byte order, as perf writes and reads it: little-endian here. */
  g_assert_cmpuint (size, >=, 40);
  g_assert_cmphex (get_u32 (data, size, 0), ==, 0x4A695444);
  g_assert_cmpuint (get_u32 (data, size, 4), ==, 1);
  g_assert_cmpuint (get_u32 (data, size, 8), ==, 40);
  g_assert_cmpuint (get_u32 (data, size, 12), ==, EM_X86_64);
  dump->pid = get_u32 (data, size, 20);
  g_assert_cmpuint (get_u64 (data, size, 32), ==, 0);   /* flags */

  while (at < size)
    {
      JitRecord record = { 0 };
      guint32 total = get_u32 (data, size, at + 4);

      g_assert_cmpuint (total, >=, 16);
      g_assert_cmpuint (at + total, <=, size);
      record.id = get_u32 (data, size, at);
      record.timestamp = get_u64 (data, size, at + 8);
      g_assert_cmpuint (get_u32 (data, size, at + 16), ==, dump->pid);
      if (record.id == JIT_CODE_LOAD)
        {
          const char *name = (const char *) data + at + 56;
          gsize name_size;

          g_assert_cmpuint (total, >, 56);
          name_size = strnlen (name, total - 56) + 1;
          record.address = get_u64 (data, size, at + 32);
          g_assert_cmphex (get_u64 (data, size, at + 24), ==, record.address);  /* vma */
          record.size = get_u64 (data, size, at + 40);
          g_assert_cmpuint (56 + name_size + record.size, ==, total);
          record.code = data + at + 56 + name_size;
        }
      else
        {
          g_assert_cmpuint (record.id, ==, JIT_CODE_MOVE);
          g_assert_cmpuint (total, ==, 16 + 48);
          record.old_address = get_u64 (data, size, at + 32);
          record.address = get_u64 (data, size, at + 40);
          record.size = get_u64 (data, size, at + 48);
        }
      g_array_append_val (dump->records, record);
      at += total;
    }
  return g_steal_pointer (&dump);
}

/* One function the JIT installed, from its "code ADDRESS SIZE CALLS:
 * OFFSET..." line, in the order they ran. */
typedef struct {
  guint64 address;
  guint64 size;
  guint calls;
  GArray *starts;        /* guint64 instruction offsets */
} JitCode;

static void
jit_code_free (gpointer data)
{
  JitCode *code = data;

  g_array_unref (code->starts);
  g_free (code);
}

static GPtrArray *
parse_jit_codes (const char *out)
{
  GPtrArray *codes = g_ptr_array_new_with_free_func (jit_code_free);
  g_auto(GStrv) lines = test_split_lines (out);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      JitCode *code;
      char *end;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (g_str_has_prefix (lines[i], "code "));
      code = g_new0 (JitCode, 1);
      code->starts = g_array_new (FALSE, FALSE, sizeof (guint64));
      code->address = g_ascii_strtoull (lines[i] + 5, &end, 16);
      code->size = g_ascii_strtoull (end, &end, 10);
      code->calls = (guint) g_ascii_strtoull (end, &end, 10);
      g_assert_cmpint (*end, ==, ':');
      end++;
      while (*end == ' ')
        {
          guint64 start = g_ascii_strtoull (end, &end, 10);
          g_array_append_val (code->starts, start);
        }
      g_assert_cmpint (*end, ==, '\0');
      g_assert_cmpuint (code->starts->len, >, 2);
      g_ptr_array_add (codes, code);
    }
  return codes;
}

static gboolean
starts_contain (const JitCode *code, guint64 offset)
{
  for (guint i = 0; i < code->starts->len; i++)
    if (g_array_index (code->starts, guint64, i) == offset)
      return TRUE;
  return FALSE;
}

/* The first instruction of ips that lies in one of @codes: its index. */
static gsize
first_jit_line (const char *ips, gsize ips_length, GPtrArray *codes)
{
  for (gsize at = 0; at + 17 <= ips_length; at += 17)
    {
      guint64 ip = g_ascii_strtoull (ips + at, NULL, 16);

      for (guint i = 0; i < codes->len; i++)
        {
          const JitCode *code = codes->pdata[i];
          if (code->address <= ip && ip < code->address + code->size)
            return at / 17;
        }
    }
  g_error ("no instruction of the JIT code in ips");
}

typedef struct {
  GPtrArray *codes;      /* JitCode, from the program's output */
  JitDump *jitdump;      /* DIR/jit-PID.dump */
  char *jitdump_path;    /* where the JIT wrote it: the recording's folder */
  char *recorded_dir;    /* the folder ipt-record wrote (its report names it) */
} JitRun;

static void
jit_run_clear (JitRun *run)
{
  g_clear_pointer (&run->codes, g_ptr_array_unref);
  g_clear_pointer (&run->jitdump, jit_dump_free);
  g_clear_pointer (&run->jitdump_path, g_free);
  g_clear_pointer (&run->recorded_dir, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JitRun, jit_run_clear)

/* Records the JIT (in @mode, or NULL) in fixture->dir, which is also its
 * current folder, so that its jitdump and perf map land there: the
 * jitdump must describe what the program printed. */
/* One recording of the JIT per (mode, PSB period) for the whole test
 * program, in a folder of its own: single-stepping costs seconds, and a
 * dozen tests read the same run. Each test gets copies of the files in its
 * own folder; the jitdump stays where the JIT wrote it (the core's NT_FILE
 * names that path). */
typedef struct {
  char *dir;
  char *record_out;
  char *record_err;
} JitRecording;

static GHashTable *jit_recordings;   /* "mode/psb" -> JitRecording */

static void
jit_recordings_remove (void)
{
  GHashTableIter iter;
  gpointer value;

  if (jit_recordings == NULL)
    return;
  g_hash_table_iter_init (&iter, jit_recordings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      JitRecording *rec = value;

      test_remove_tree (rec->dir);
      g_free (rec->dir);
      g_free (rec->record_out);
      g_free (rec->record_err);
      g_free (rec);
    }
  g_clear_pointer (&jit_recordings, g_hash_table_unref);
}

static const JitRecording *
jit_recording (Fixture *fixture, const char *mode, const char *psb_period)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", mode != NULL ? mode : "rewrite", psb_period);
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_JIT_STATIC"), mode, NULL };
  g_autoptr(GError) error = NULL;
  JitRecording *rec;
  char *own_dir;

  if (jit_recordings == NULL)
    jit_recordings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rec = g_hash_table_lookup (jit_recordings, key);
  if (rec != NULL)
    return rec;

  rec = g_new0 (JitRecording, 1);
  rec->dir = g_dir_make_tmp ("test-record-jit-XXXXXX", &error);
  g_assert_no_error (error);
  own_dir = fixture->dir;
  fixture->dir = rec->dir;
  fixture->cwd = rec->dir;
  g_assert_cmpint (record (fixture, psb_period, argv), ==, 0);
  fixture->dir = own_dir;
  fixture->cwd = NULL;
  rec->record_out = g_strdup (fixture->record_out);
  rec->record_err = g_strdup (fixture->record_err);
  g_hash_table_insert (jit_recordings, g_steal_pointer (&key), rec);
  return rec;
}

static void
record_jit_full (Fixture *fixture, const char *mode, const char *psb_period, JitRun *run)
{
  const JitRecording *rec = jit_recording (fixture, mode, psb_period);
  g_autofree char *map = NULL;
  g_autofree char *map_text = NULL;
  g_autoptr(GError) error = NULL;

  g_free (fixture->record_out);
  fixture->record_out = g_strdup (rec->record_out);
  g_free (fixture->record_err);
  fixture->record_err = g_strdup (rec->record_err);
  run->codes = parse_jit_codes (fixture->record_out);
  g_assert_cmpuint (run->codes->len, ==, 2);
  run->recorded_dir = g_strdup (rec->dir);

  {
    g_autoptr(GDir) dir = g_dir_open (rec->dir, 0, &error);
    const char *name;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *from = g_build_filename (rec->dir, name, NULL);
        g_autofree char *to = out_path (fixture, name);
        g_autoptr(GFile) source = g_file_new_for_path (from);
        g_autoptr(GFile) target = g_file_new_for_path (to);

        g_assert_true (g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
        if (g_str_has_prefix (name, "jit-") && g_str_has_suffix (name, ".dump"))
          {
            g_assert_null (run->jitdump_path);
            run->jitdump_path = g_steal_pointer (&from);
          }
      }
  }
  g_assert_nonnull (run->jitdump_path);
  run->jitdump = read_jitdump (run->jitdump_path);

  /* One record per function installed, as printed, in time order, each
   * load with exactly the bytes that then ran. */
  g_assert_cmpuint (run->jitdump->records->len, ==, run->codes->len);
  for (guint i = 0; i < run->codes->len; i++)
    {
      const JitCode *code = run->codes->pdata[i];
      const JitRecord *record = &g_array_index (run->jitdump->records, JitRecord, i);

      g_assert_cmphex (record->address, ==, code->address);
      g_assert_cmpuint (record->size, ==, code->size);
      g_assert_cmpuint (record->id, ==, i > 0 && g_strcmp0 (mode, "move") == 0 ?
                        JIT_CODE_MOVE : JIT_CODE_LOAD);
      if (i > 0)
        g_assert_cmpuint (record->timestamp, >,
                          g_array_index (run->jitdump->records, JitRecord, i - 1).timestamp);
    }

  map = g_strdup_printf ("%s/perf-%u.map", fixture->dir, run->jitdump->pid);
  g_file_get_contents (map, &map_text, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < run->codes->len; i++)
    {
      const JitCode *code = run->codes->pdata[i];
      g_autofree char *line = g_strdup_printf ("%" G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER
                                               "x jit_", code->address, code->size);

      g_assert_nonnull (strstr (map_text, line));
    }
}

static void
record_jit (Fixture *fixture, const char *mode, JitRun *run)
{
  record_jit_full (fixture, mode, "4096", run);
}

/* Every instruction ips lists in the JIT code is one of the function
 * that was there then: each call (one contiguous run, from offset 0 to the
 * ret) on an instruction boundary of its own version, the calls in order. */
static void
assert_ips_follow_jit_code (Fixture *fixture, const JitRun *run)
{
  gsize ips_length;
  g_autofree char *ips = read_output (fixture, "ips", &ips_length);
  guint current = 0, calls = 0;
  gboolean inside = FALSE;
  guint64 offset = 0;

  for (gsize at = 0; at + 17 <= ips_length; at += 17)
    {
      guint64 ip = g_ascii_strtoull (ips + at, NULL, 16);
      const JitCode *code = current < run->codes->len ? run->codes->pdata[current] : NULL;
      gboolean in_jit = FALSE;

      for (guint i = 0; i < run->codes->len; i++)
        {
          const JitCode *any = run->codes->pdata[i];
          in_jit |= any->address <= ip && ip < any->address + any->size;
        }
      if (!in_jit)
        {
          if (inside)
            {
              /* the call returned, from its ret */
              g_assert_cmpuint (offset, ==, g_array_index (code->starts, guint64,
                                                           code->starts->len - 1));
              inside = FALSE;
              if (++calls == code->calls)
                current++, calls = 0;
            }
          continue;
        }
      if (code == NULL)
        g_error ("ips line %" G_GSIZE_FORMAT ": 0x%" G_GINT64_MODIFIER "x: JIT code ran "
                 "after the last call", at / 17 + 1, ip);
      g_assert_cmphex (ip, >=, code->address);
      g_assert_cmphex (ip, <, code->address + code->size);
      offset = ip - code->address;
      if (!starts_contain (code, offset))
        g_error ("ips line %" G_GSIZE_FORMAT ": 0x%" G_GINT64_MODIFIER "x is no instruction "
                 "of function %u (offset %" G_GUINT64_FORMAT ")", at / 17 + 1, ip, current,
                 offset);
      if (!inside)
        g_assert_cmpuint (offset, ==, 0);
      inside = TRUE;
    }
  g_assert_false (inside);
  g_assert_cmpuint (current, ==, run->codes->len);
}

/* What the tests need of a trace's packets. */
typedef struct {
  enum pt_packet_type type;
  guint64 offset;        /* in the trace */
  guint64 ip;            /* FUP, TIP, TIP.PGE, TIP.PGD: decompressed; 0 when suppressed */
  guint64 tsc;           /* TSC */
} TracePacket;

/* An IP packet's address, by the last-IP rules of the Intel SDM. */
static guint64
decompress_ip (const struct pt_packet_ip *packet, guint64 *last_ip)
{
  const guint64 low48 = G_GUINT64_CONSTANT (0xffffffffffff);
  guint64 ip;

  switch (packet->ipc)
    {
    case pt_ipc_suppressed:
      return 0;
    case pt_ipc_update_16:
      ip = (*last_ip & ~G_GUINT64_CONSTANT (0xffff)) | (packet->ip & 0xffff);
      break;
    case pt_ipc_update_32:
      ip = (*last_ip & ~G_GUINT64_CONSTANT (0xffffffff)) | (packet->ip & 0xffffffff);
      break;
    case pt_ipc_update_48:
      ip = (*last_ip & ~low48) | (packet->ip & low48);
      break;
    case pt_ipc_sext_48:
      ip = packet->ip & low48;
      if (ip & (G_GUINT64_CONSTANT (1) << 47))
        ip |= ~low48;
      break;
    default:
      ip = packet->ip;
      break;
    }
  *last_ip = ip;
  return ip;
}

/* Every packet of the trace, decoded with libipt's packet decoder. */
static GArray *
read_packets (const guint8 *trace, gsize length)
{
  GArray *packets = g_array_new (FALSE, TRUE, sizeof (TracePacket));
  struct pt_packet_decoder *decoder;
  struct pt_config config;
  guint64 last_ip = 0;
  int status;

  pt_config_init (&config);
  config.begin = (guint8 *) trace;
  config.end = (guint8 *) trace + length;
  decoder = pt_pkt_alloc_decoder (&config);
  g_assert_nonnull (decoder);
  g_assert_cmpint (pt_pkt_sync_forward (decoder), >=, 0);
  for (;;)
    {
      struct pt_packet packet;
      TracePacket summary = { 0 };

      g_assert_cmpint (pt_pkt_get_offset (decoder, &summary.offset), ==, 0);
      status = pt_pkt_next (decoder, &packet, sizeof packet);
      if (status == -pte_eos)
        break;
      g_assert_cmpint (status, >=, 0);
      summary.type = packet.type;
      switch (packet.type)
        {
        case ppt_psb:
          last_ip = 0;
          break;
        case ppt_fup:
        case ppt_tip:
        case ppt_tip_pge:
        case ppt_tip_pgd:
          summary.ip = decompress_ip (&packet.payload.ip, &last_ip);
          break;
        case ppt_tsc:
          summary.tsc = packet.payload.tsc.tsc;
          break;
        default:
          break;
        }
      g_array_append_val (packets, summary);
    }
  pt_pkt_free_decoder (decoder);
  return packets;
}

/* The time the trace gives each call of the JIT code (the last TSC before
 * the TIP that enters it) lies within the validity of the code that ran:
 * from its jitdump record's timestamp to the next one's.  That needs a
 * TSC at every kernel entry (the write(2) of a record) and before every
 * TIP.PGE, and TSCs that never go back. */
static void
test_jit_timestamps (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  g_autofree guint8 *trace = NULL;
  g_autoptr(GArray) packets = NULL;
  gsize trace_length;
  guint64 tsc = 0;
  gboolean fresh = FALSE;    /* a TSC since the last TNT, TIP or enable */
  guint current = 0, calls = 0, n_pges = 0;

  record_jit (fixture, data, &run);
  trace = (guint8 *) read_output (fixture, "trace.pt", &trace_length);
  packets = read_packets (trace, trace_length);
  for (guint i = 0; i < packets->len; i++)
    {
      const TracePacket *packet = &g_array_index (packets, TracePacket, i);

      switch (packet->type)
        {
        case ppt_tsc:
          g_assert_cmpuint (packet->tsc, >=, tsc);
          tsc = packet->tsc;
          fresh = TRUE;
          break;
        case ppt_tip_pgd:
          g_assert_true (fresh);
          fresh = FALSE;
          break;
        case ppt_tip_pge:
        case ppt_tip:
          if (packet->type == ppt_tip_pge)
            {
              g_assert_true (fresh);
              n_pges++;
            }
          fresh = FALSE;
          if (current < run.codes->len &&
              packet->ip == ((const JitCode *) run.codes->pdata[current])->address)
            {
              const JitCode *code = run.codes->pdata[current];
              const GArray *records = run.jitdump->records;

              g_assert_cmpuint (tsc, >=, g_array_index (records, JitRecord, current).timestamp);
              if (current + 1 < records->len)
                g_assert_cmpuint (tsc, <, g_array_index (records, JitRecord,
                                                         current + 1).timestamp);
              if (++calls == code->calls)
                current++, calls = 0;
            }
          break;
        case ppt_tnt_8:
        case ppt_tnt_64:
          fresh = FALSE;
          break;
        default:
          break;
        }
    }
  g_assert_cmpuint (n_pges, >, 10);
  g_assert_cmpuint (current, ==, run.codes->len);
}

static void
test_jit_rewritten_ips (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  const JitCode *first, *second;

  record_jit (fixture, data, &run);
  first = run.codes->pdata[0];
  second = run.codes->pdata[1];
  if (data == NULL)
    {
      /* the same address, another length and other boundaries */
      g_assert_cmphex (first->address, ==, second->address);
      g_assert_cmpuint (first->size, !=, second->size);
    }
  else
    g_assert_cmphex (first->address, !=, second->address);
  assert_ips_follow_jit_code (fixture, &run);
}

/* From memory as it was at the end (the page dump's last versions, the
 * core), both decoders reproduce ips up to the first JIT instruction, and
 * not beyond: the code that ran there first is no longer in memory. */
static void
test_jit_decodes_until_rewritten (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  g_autofree char *core = out_path (fixture, "core");
  g_autofree char *coredump = g_strdup_printf ("coredump:core=%s", core);
  g_autofree char *pagedump = pagedump_plugin (fixture);
  /* the core alone: not the JIT's own jitdump, which a core's NT_FILE names */
  const char *memories[][4] = { { "--plugin", coredump, "--no-jit-discovery", NULL },
                                { "--plugin", pagedump, NULL, NULL } };
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };
  g_autofree char *ips = NULL;
  gsize ips_length, agree;

  record_jit (fixture, data, &run);
  ips = read_output (fixture, "ips", &ips_length);
  agree = (first_jit_line (ips, ips_length, run.codes) + 1) * 17;
  for (guint m = 0; m < G_N_ELEMENTS (memories); m++)
    for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
      {
        g_autofree char *decoded = decode_with (fixture, decoders[i], 0, memories[m]);

        g_test_message ("%s %s", memories[m][1], decoders[i]);
        g_assert_cmpuint (strlen (decoded), >=, agree);
        g_assert_true (strncmp (decoded, ips, agree) == 0);
        g_assert_true (strcmp (decoded, ips) != 0);
      }
}

/* The line of ips where call @n (from 0) of the JIT code starts. */
static gsize
jit_call_line (const char *ips, gsize ips_length, GPtrArray *codes, guint n)
{
  gboolean inside = FALSE;

  for (gsize at = 0; at + 17 <= ips_length; at += 17)
    {
      guint64 ip = g_ascii_strtoull (ips + at, NULL, 16);
      gboolean in_jit = FALSE;

      for (guint i = 0; i < codes->len; i++)
        {
          const JitCode *code = codes->pdata[i];
          in_jit |= code->address <= ip && ip < code->address + code->size;
        }
      if (in_jit && !inside && n-- == 0)
        return at / 17;
      inside = in_jit;
    }
  g_error ("ips has no call %u of the JIT code", n);
}

/* The trace is right for each version of the JIT code: the part before
 * the second function is entered decodes to the head of ips over the
 * first function's bytes as its jitdump record has them (a --raw file
 * before the page dump), and the part from the last PSB before it, to the
 * tail of ips over the last versions (the page dump). */
static void
test_jit_versions_decode (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  g_autofree char *first_code = out_path (fixture, "first-code.bin");
  g_autofree char *pagedump = pagedump_plugin (fixture);
  g_autofree char *raw = NULL;
  g_autofree char *ips = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(GArray) packets = NULL;
  g_autoptr(GError) error = NULL;
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };
  const JitCode *first, *second;
  const JitRecord *load;
  guint64 split = 0, last_first_entry = 0;
  gsize ips_length, trace_length, head_needed, tail_needed;
  guint entries = 0;

  record_jit_full (fixture, data, "64", &run);
  first = run.codes->pdata[0];
  second = run.codes->pdata[1];
  ips = read_output (fixture, "ips", &ips_length);

  load = &g_array_index (run.jitdump->records, JitRecord, 0);
  g_file_set_contents (first_code, (const char *) load->code, (gssize) load->size, &error);
  g_assert_no_error (error);
  raw = g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x", first_code, load->address);

  /* The split: the last PSB before the second function's first entry,
   * after the first function's last one. */
  trace = (guint8 *) read_output (fixture, "trace.pt", &trace_length);
  packets = read_packets (trace, trace_length);
  for (guint i = 0; i < packets->len; i++)
    {
      const TracePacket *packet = &g_array_index (packets, TracePacket, i);

      if (packet->type == ppt_psb)
        split = packet->offset;
      else if (packet->type == ppt_tip && packet->ip == first->address &&
               entries < first->calls)
        {
          entries++;
          last_first_entry = packet->offset;
        }
      else if (packet->type == ppt_tip && packet->ip == second->address &&
               entries == first->calls)
        break;
    }
  g_assert_cmpuint (entries, ==, first->calls);
  g_assert_cmpuint (split, >, last_first_entry);

  /* The head covers the first function's last call, the tail the second's calls. */
  head_needed = (jit_call_line (ips, ips_length, run.codes, first->calls - 1) + 1) * 17;
  tail_needed = ips_length - jit_call_line (ips, ips_length, run.codes, first->calls) * 17;

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      const char *first_memory[] = { "--raw", raw, "--plugin", pagedump, NULL };
      const char *last_memory[] = { "--plugin", pagedump, NULL };
      g_autofree char *head = decode_range_with (fixture, decoders[i], 0, split, first_memory);
      g_autofree char *tail = decode_with (fixture, decoders[i], split, last_memory);
      gsize head_length = strlen (head), tail_length = strlen (tail);

      g_test_message ("%s: split at 0x%" G_GINT64_MODIFIER "x: %" G_GSIZE_FORMAT " + %"
                      G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes of listing", decoders[i],
                      split, head_length, tail_length, ips_length);
      g_assert_cmpuint (head_length, >=, head_needed);
      g_assert_true (strncmp (head, ips, head_length) == 0);
      g_assert_cmpuint (tail_length, >=, tail_needed);
      g_assert_true (strcmp (tail, ips + ips_length - tail_length) == 0);
    }
}

/* ipt-record counts the rewritten page (the JIT's) and its earlier version
 * in its report, and writes both versions to DIR/pages.jitdump: the first
 * with the first code, the last with what ran last, as in pages.dump, the
 * second stamped with a TSC of the trace. */
static void
test_jit_page_versions (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  g_autofree char *versions_path = out_path (fixture, "pages.jitdump");
  g_autofree char *report = NULL;
  g_autoptr(JitDump) versions = NULL;
  g_autofree guint64 *addresses = NULL;
  g_autofree guint8 *pages = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(GArray) packets = NULL;
  const JitCode *first, *last;
  const JitRecord *old, *now;
  const JitRecord *load = NULL;
  gsize addr_length, dump_length, trace_length;
  guint64 page;
  gboolean stamped = FALSE;

  record_jit (fixture, data, &run);
  first = run.codes->pdata[0];
  last = run.codes->pdata[1];
  page = first->address & ~G_GUINT64_CONSTANT (4095);
  g_assert_cmphex (last->address & ~G_GUINT64_CONSTANT (4095), ==, page);

  {
    g_autofree char *written = g_build_filename (run.recorded_dir, "pages.jitdump", NULL);

    report = g_strdup_printf (" pages (their last versions); 1 rewritten while running, earlier "
                              "versions: 1, every version in %s\n", written);
  }
  g_assert_nonnull (strstr (fixture->record_err, report));

  versions = read_jitdump (versions_path);
  g_assert_cmpuint (versions->records->len, ==, 2);
  old = &g_array_index (versions->records, JitRecord, 0);
  now = &g_array_index (versions->records, JitRecord, 1);
  g_assert_cmpuint (versions->pid, ==, run.jitdump->pid);
  g_assert_cmpuint (old->id, ==, JIT_CODE_LOAD);
  g_assert_cmpuint (now->id, ==, JIT_CODE_LOAD);
  g_assert_cmphex (old->address, ==, page);
  g_assert_cmphex (now->address, ==, page);
  g_assert_cmpuint (old->size, ==, 4096);
  g_assert_cmpuint (now->size, ==, 4096);
  g_assert_cmpuint (old->timestamp, <, now->timestamp);

  /* The first version holds the first code; the last, what ran last. */
  load = &g_array_index (run.jitdump->records, JitRecord, 0);
  g_assert_cmpmem (old->code + (first->address - page), first->size, load->code, load->size);
  load = &g_array_index (run.jitdump->records, JitRecord, data == NULL ? 1 : 0);
  g_assert_cmpmem (now->code + (last->address - page), last->size, load->code, load->size);
  g_assert_true (memcmp (old->code, now->code, 4096) != 0);

  addresses = (guint64 *) read_output (fixture, "pages.addr", &addr_length);
  pages = (guint8 *) read_output (fixture, "pages.dump", &dump_length);
  for (gsize i = 0; i < addr_length / 8; i++)
    if (GUINT64_FROM_LE (addresses[i]) == page)
      g_assert_cmpmem (pages + i * 4096, 4096, now->code, 4096);

  /* The new version starts at a TSC of the trace. */
  trace = (guint8 *) read_output (fixture, "trace.pt", &trace_length);
  packets = read_packets (trace, trace_length);
  for (guint i = 0; i < packets->len; i++)
    {
      const TracePacket *packet = &g_array_index (packets, TracePacket, i);
      stamped |= packet->type == ppt_tsc && packet->tsc == now->timestamp;
    }
  g_assert_true (stamped);
}

/* Both decoders, over @memory, list exactly ips (saying only @note, or
 * nothing, on stderr). */
static void
assert_decodes_to_ips (Fixture *fixture, const char *const *memory, const char *note)
{
  const char *decoders[] = { "--insn-decoder", "--block-decoder" };
  gsize ips_length;
  g_autofree char *ips = read_output (fixture, "ips", &ips_length);

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      g_autofree char *decoded = decode_range_noting (fixture, decoders[i], 0, 0, memory, note);

      g_test_message ("%s", decoders[i]);
      g_assert_cmpuint (strlen (decoded), ==, ips_length);
      g_assert_true (strcmp (decoded, ips) == 0);
    }
}

/* ACCEPTANCE of the time-aware image and the jitmap plugin: over the JIT's
 * own jitdump (the code of each version, from its timestamp) and the core
 * (everything else, and the JIT code as it was at the end), both decoders
 * reproduce ips exactly, the code that was rewritten or moved included:
 *   ipt-analyze --no-inst --insn-decoder|--block-decoder --pt DIR/trace.pt \
 *       --plugin jitmap:dump=DIR/jit-PID.dump --plugin coredump:core=DIR/core
 * and with the core alone, whose NT_FILE names the jitdump the JIT mapped
 * (ipt-analyze chains it, and says so). */
static void
test_jit_acceptance_jitdump (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  g_autofree char *core = out_path (fixture, "core");
  g_autofree char *coredump = g_strdup_printf ("coredump:core=%s", core);
  g_autofree char *jitmap = NULL;
  g_autofree char *note = NULL;

  record_jit (fixture, data, &run);
  jitmap = g_strdup_printf ("jitmap:dump=%s", run.jitdump_path);
  {
    const char *memory[] = { "--plugin", jitmap, "--plugin", coredump, NULL };
    assert_decodes_to_ips (fixture, memory, NULL);
  }
  note = g_strdup_printf ("ipt-analyze: note: %s: chained the JIT dump %s (NT_FILE)", core,
                          run.jitdump_path);
  {
    const char *memory[] = { "--plugin", coredump, NULL };
    assert_decodes_to_ips (fixture, memory, note);
  }
  /* perf's way: its perf.data names the jitdump by the JIT's marker mmap. */
  record_perf_assert_jit_decodes (fixture->dir);
}

/* The JIT's jitdump through the CLI: `--read ADDR:SIZE --time T` gives each
 * load's bytes at its time (and the latest without --time, with a note
 * that memory changes over time), `--list-regions --time T` the region of
 * that time with its validity. */
/* Runs @argv; its standard output as bytes (--read writes binary). */
static GBytes *
run_for_bytes (Fixture *fixture, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) err = NULL;
  GBytes *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  fixture->status = g_subprocess_get_exit_status (process);
  g_clear_pointer (&fixture->err, g_free);
  fixture->err = g_bytes_get_size (err) > 0 ? g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err))
                                            : g_strdup ("");
  return out;
}

static void
test_jit_read_at_times (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) jit = { 0 };
  g_autofree char *jitmap = NULL;
  const JitRecord *last = NULL;
  guint n_loads = 0;

  record_jit (fixture, data, &jit);
  jitmap = g_strdup_printf ("jitmap:dump=%s", jit.jitdump_path);

  for (guint i = 0; i < jit.jitdump->records->len; i++)
    {
      const JitRecord *rec = &g_array_index (jit.jitdump->records, JitRecord, i);
      g_autofree char *range = NULL, *time = NULL, *valid = NULL;

      if (rec->id != JIT_CODE_LOAD)
        continue;
      n_loads++;
      last = rec;
      range = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:%" G_GUINT64_FORMAT, rec->address, rec->size);
      time = g_strdup_printf ("%" G_GUINT64_FORMAT, rec->timestamp);
      {
        const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--plugin", jitmap, "--read", range,
                               "--time", time, NULL };
        g_autoptr(GBytes) bytes = run_for_bytes (fixture, argv);

        g_assert_cmpint (fixture->status, ==, 0);
        g_assert_cmpstr (fixture->err, ==, "");
        g_assert_cmpuint (g_bytes_get_size (bytes), ==, rec->size);
        g_assert_true (memcmp (g_bytes_get_data (bytes, NULL), rec->code, rec->size) == 0);
      }
      {
        const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--plugin", jitmap, "--list-regions",
                               "--time", time, NULL };

        run (fixture, argv);
        g_assert_cmpint (fixture->status, ==, 0);
        valid = g_strdup_printf ("valid [%" G_GUINT64_FORMAT ", ", rec->timestamp);
        g_assert_nonnull (strstr (fixture->out, valid));
      }
    }
  g_assert_cmpuint (n_loads, >=, 2);

  /* without --time: the latest, and a note saying so */
  {
    g_autofree char *range = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:1", last->address);
    const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--plugin", jitmap, "--read", range, NULL };
    g_autoptr(GBytes) bytes = run_for_bytes (fixture, argv);

    g_assert_cmpint (fixture->status, ==, 0);
    g_assert_true (g_str_has_prefix (fixture->err, "ipt-analyze: note: the memory changes over time ("));
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 1);
    g_assert_cmphex (((const guint8 *) g_bytes_get_data (bytes, NULL))[0], ==, last->code[0]);
  }
}

/* ACCEPTANCE of the time-aware image and the jitmap plugin over
 * ipt-record's own page versions: DIR/pages.jitdump (every version of the
 * rewritten page, from the TSC it was captured at) before the page dump
 * reproduces ips exactly with both decoders:
 *   ipt-analyze --no-inst --insn-decoder|--block-decoder --pt DIR/trace.pt \
 *       --plugin jitmap:dump=DIR/pages.jitdump \
 *       --plugin pagedump:addr=DIR/pages.addr,dump=DIR/pages.dump */
static void
test_jit_acceptance_page_versions (Fixture *fixture, gconstpointer data)
{
  g_auto(JitRun) run = { 0 };
  g_autofree char *versions = out_path (fixture, "pages.jitdump");
  g_autofree char *jitmap = g_strdup_printf ("jitmap:dump=%s", versions);
  g_autofree char *pagedump = pagedump_plugin (fixture);
  const char *memory[] = { "--plugin", jitmap, "--plugin", pagedump, NULL };

  record_jit (fixture, data, &run);
  assert_decodes_to_ips (fixture, memory, NULL);
}

/* dlswap: a library loaded, called, unloaded; another loaded where it
 * was (the program checks the address: exit 0), called. No core: it
 * would outrank the files with the second library over both times. */
static void
record_dlswap (Fixture *fixture, gboolean timed)
{
  static const char *const timed_options[] = { "--no-core", NULL };
  static const char *const untimed_options[] = { "--no-core", "--perf-data", "untimed", NULL };
  const char *argv[] = { test_env_path ("IPT_RECORD_PROGRAM_DLSWAP_DYNAMIC_PIE"),
                         test_env_path ("IPT_RECORD_DLSWAP_LIB1"), test_env_path ("IPT_RECORD_DLSWAP_LIB2"),
                         NULL };

  g_assert_cmpint (record_full (fixture, timed ? timed_options : untimed_options, "4096", argv,
                                NULL), ==, 0);
}

/* DIR/perf.data maps the two libraries over one range, the second from
 * when the first stopped (untimed: the first's interval is empty, and the
 * exit ends nothing). */
static void
assert_libraries_overlap (Fixture *fixture, gboolean timed, guint64 *one_from, guint64 *two_from)
{
  g_autofree char *path = out_path (fixture, "perf.data");
  g_autoptr(GError) error = NULL;
  g_autoptr(IptPerfData) perf = ipt_perf_data_new_from_file (path, &error);
  g_autoptr(GPtrArray) mappings = NULL;
  const IptPerfMapping *one = NULL, *two = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ipt_perf_data_has_time (perf), ==, timed);
  mappings = ipt_perf_data_list_mappings (perf, -1);
  for (guint i = 0; i < mappings->len; i++)
    {
      const IptPerfMapping *m = mappings->pdata[i];

      if (strcmp (m->filename, test_env_path ("IPT_RECORD_DLSWAP_LIB1")) == 0)
        one = m;
      else if (strcmp (m->filename, test_env_path ("IPT_RECORD_DLSWAP_LIB2")) == 0)
        two = m;
    }
  g_assert_nonnull (one);
  g_assert_nonnull (two);
  g_test_message ("0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x [%" G_GUINT64_FORMAT
                  ", %" G_GUINT64_FORMAT "), then 0x%" G_GINT64_MODIFIER "x+0x%"
                  G_GINT64_MODIFIER "x [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")",
                  one->address, one->length, one->valid_from, one->valid_to, two->address,
                  two->length, two->valid_from, two->valid_to);
  g_assert_cmphex (one->address, <, two->address + two->length);
  g_assert_cmphex (two->address, <, one->address + one->length);
  g_assert_cmpuint (one->valid_to, ==, two->valid_from);
  /* timed, the exit ends the second */
  if (timed)
    {
      g_assert_cmpuint (one->valid_from, <, two->valid_from);
      g_assert_cmpuint (two->valid_from, <, two->valid_to);
      g_assert_cmpuint (two->valid_to, !=, IPT_TIME_END);
    }
  else
    {
      g_assert_cmpuint (one->valid_from, ==, 0);
      g_assert_cmpuint (two->valid_to, ==, IPT_TIME_END);
    }
  *one_from = one->valid_from;
  *two_from = two->valid_from;
}

/* ipt-analyze --perf --list-regions --time @time lists @shown's file, not
 * @hidden's. */
static void
assert_regions_at (Fixture *fixture, guint64 time, const char *shown, const char *hidden)
{
  g_autofree char *perf_data = out_path (fixture, "perf.data");
  g_autofree char *at = g_strdup_printf ("%" G_GUINT64_FORMAT, time);
  /* --quiet: the regions without the listing of the decode that follows */
  const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--perf", perf_data, "--list-regions",
                         "--time", at, "--quiet", NULL };

  run (fixture, argv);
  g_assert_cmpint (fixture->status, ==, 0);
  g_assert_nonnull (strstr (fixture->out, shown));
  g_assert_null (strstr (fixture->out, hidden));
}

/* ACCEPTANCE of the image over time from perf.data: the libraries at one
 * address each decode at their time, with perf and with ipt-analyze --perf. */
static void
test_dlswap_timed (Fixture *fixture, gconstpointer data)
{
  const char *one = test_env_path ("IPT_RECORD_DLSWAP_LIB1"), *two = test_env_path ("IPT_RECORD_DLSWAP_LIB2");
  guint64 one_from, two_from;

  record_dlswap (fixture, TRUE);
  assert_libraries_overlap (fixture, TRUE, &one_from, &two_from);
  record_perf_assert_decodes (fixture->dir, TRUE);
  /* the union image (every process's) at each library's time */
  assert_regions_at (fixture, one_from, one, two);
  assert_regions_at (fixture, two_from, two, one);
}

/* Untimed, which library ran when is not known: ipt-analyze --perf reads
 * the range from the last one, and says so. */
static void
test_dlswap_untimed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *perf_data = out_path (fixture, "perf.data");
  g_autofree char *ips = NULL, *expected = NULL, *listed = NULL;
  const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--perf", perf_data, "--no-inst", NULL };
  guint64 one_from, two_from;

  record_dlswap (fixture, FALSE);
  ips = read_output (fixture, "ips", NULL);
  assert_libraries_overlap (fixture, FALSE, &one_from, &two_from);
  run (fixture, argv);
  g_test_message ("ipt-analyze --perf: stderr: %s", fixture->err);
  g_assert_cmpint (fixture->status, ==, 0);
  expected = g_strdup_printf ("was mapped to several files over time (%s, later %s): its code "
                              "is read from the last one for the whole trace",
                              test_env_path ("IPT_RECORD_DLSWAP_LIB1"),
                              test_env_path ("IPT_RECORD_DLSWAP_LIB2"));
  g_assert_nonnull (strstr (fixture->err, "perf.data: the recording has no time (untimed), "
                                          "and 0x"));
  g_assert_nonnull (strstr (fixture->err, expected));
  listed = instruction_lines (fixture->out);
  g_test_message ("the listing %s DIR/ips", strcmp (listed, ips) == 0 ? "is" : "differs from");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  /* perf.data timed and untimed, static and dynamic, PIE and not. */
  static const FlowBuild static_non_pie = { "IPT_RECORD_PROGRAM_FLOW_STATIC", FALSE, TRUE };
  static const FlowBuild static_pie = { "IPT_RECORD_PROGRAM_FLOW_STATIC_PIE", FALSE, FALSE };
  static const FlowBuild dynamic_pie = { "IPT_RECORD_PROGRAM_FLOW_DYNAMIC_PIE", TRUE, TRUE };
  static const FlowBuild dynamic_non_pie = { "IPT_RECORD_PROGRAM_FLOW_DYNAMIC_NON_PIE", TRUE,
                                             FALSE };
  /* Ctrl-C reaches ipt-record and the program; timeout(1) or kill(1), only
   * ipt-record, while the program waits in a syscall. */
  static const StopCase sigint_group = { "spin", SIGINT, TRUE };
  static const StopCase sigterm_pause = { "pause", SIGTERM, FALSE };

  ADD ("/record/decode/static-non-pie", test_flow, &static_non_pie);
  ADD ("/record/decode/static-pie", test_flow, &static_pie);
  ADD ("/record/decode/dynamic-pie", test_flow, &dynamic_pie);
  ADD ("/record/decode/dynamic-non-pie", test_flow, &dynamic_non_pie);
  ADD ("/record/decode/timer-signals-restart-threads-fork", test_async, NULL);
  ADD ("/record/decode/dynamic-bin-true", test_dynamic_true, NULL);
  ADD ("/record/decode/start-at-any-psb", test_start_at_any_psb, NULL);
  ADD ("/record/exit-status/code", test_exit_code, NULL);
  ADD ("/record/exit-status/killed-by-signal", test_killed_by_signal, NULL);
  ADD ("/record/demo/readme-command", test_demo_readme_command, NULL);
  ADD ("/record/core/no-core-option", test_no_core, NULL);
  ADD ("/record/core/none-after-exec", test_no_core_after_exec, NULL);
  ADD ("/record/perf-data/none-option", test_no_perf_data, NULL);
  ADD ("/record/perf-data/dlswap-timed-each-library-at-its-time", test_dlswap_timed, NULL);
  ADD ("/record/perf-data/dlswap-untimed-warns-several-mappings", test_dlswap_untimed, NULL);
  ADD ("/record/errors/core-write-fails", test_core_write_fails, NULL);
  ADD ("/record/errors/program-not-found", test_program_not_found, NULL);
  ADD ("/record/errors/program-not-executable", test_program_not_executable, NULL);
  ADD ("/record/output/earlier-run-kept-when-program-not-found", test_earlier_run_kept, NULL);
  ADD ("/record/stop/sigint-to-group-while-spinning", test_stopped_by_signal, &sigint_group);
  ADD ("/record/stop/sigterm-while-blocked-in-pause", test_stopped_by_signal, &sigterm_pause);
  ADD ("/record/errors/output-not-a-directory", test_output_not_a_directory, NULL);
  ADD ("/record/errors/bad-options", test_bad_options, NULL);
  /* A JIT rewriting code at one address ("rewrite", NULL) or moving it. */
  ADD ("/record/jit/rewrite/ips-follow-both-versions", test_jit_rewritten_ips, NULL);
  ADD ("/record/jit/move/ips-follow-the-move", test_jit_rewritten_ips, "move");
  ADD ("/record/jit/rewrite/decodes-from-last-bytes-until-jit-code", test_jit_decodes_until_rewritten, NULL);
  ADD ("/record/jit/move/decodes-from-last-bytes-until-jit-code", test_jit_decodes_until_rewritten, "move");
  ADD ("/record/jit/rewrite/each-version-decodes-its-part-of-the-trace", test_jit_versions_decode, NULL);
  ADD ("/record/jit/move/each-version-decodes-its-part-of-the-trace", test_jit_versions_decode, "move");
  ADD ("/record/jit/rewrite/page-versions-reported-and-written", test_jit_page_versions, NULL);
  ADD ("/record/jit/move/page-versions-reported-and-written", test_jit_page_versions, "move");
  ADD ("/record/jit/rewrite/tsc-times-each-version", test_jit_timestamps, NULL);
  ADD ("/record/jit/move/tsc-times-each-version", test_jit_timestamps, "move");
  ADD ("/record/jit/acceptance/rewrite-jitdump-and-core-or-core-alone-give-ips", test_jit_acceptance_jitdump, NULL);
  ADD ("/record/jit/acceptance/move-jitdump-and-core-or-core-alone-give-ips", test_jit_acceptance_jitdump, "move");
  ADD ("/record/jit/acceptance/rewrite-page-versions-give-ips", test_jit_acceptance_page_versions, NULL);
  ADD ("/record/jit/rewrite/cli-read-and-list-regions-at-times", test_jit_read_at_times, NULL);
#undef ADD

  status = g_test_run ();
  jit_recordings_remove ();
  return status;
}
