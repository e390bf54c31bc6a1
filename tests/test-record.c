/* test-record.c: ipt-record is the project's oracle, so this suite checks it
 * end to end with the real binaries: record a program, decode the trace with
 * ipt-analyze (insn and block decoders) from three kinds of memory — the page
 * dump, the process's core (whose text comes from the files NT_FILE names:
 * the executable, libc, ld.so) and the mapped files alone (--elf FILE:BASE,
 * bases read from the core's NT_FILE) — and require exactly the instruction
 * addresses ipt-record saw the CPU execute.
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
#include <glib/gstdio.h>

typedef struct {
  char *dir;
  char *out;
  char *err;
  char *record_err;  /* ipt-record's stderr (its --verbose report, warnings) */
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
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->out);
  g_free (fixture->err);
  g_free (fixture->record_err);
}

static const char *
env_path (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this test through meson", name);
  return value;
}

/* Runs @argv (calling @setup in the child before the exec); keeps its
 * output and exit status (or 128+signal). */
static void
run_full (Fixture *fixture, const char *const *argv, GSpawnChildSetupFunc setup)
{
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, setup, NULL,
                &fixture->out, &fixture->err, &wait_status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (wait_status))
    fixture->status = WEXITSTATUS (wait_status);
  else
    fixture->status = 128 + WTERMSIG (wait_status);
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

  g_ptr_array_add (argv, (char *) env_path ("IPT_RECORD"));
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
  g_test_message ("ipt-record: %s", fixture->err);
  g_free (fixture->record_err);
  fixture->record_err = g_strdup (fixture->err);
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
 * options @memory and returns the instruction lines of the listing. */
static char *
decode_with (Fixture *fixture, const char *decoder, guint64 from, const char *const *memory)
{
  g_autofree char *trace = out_path (fixture, "trace.pt");
  g_autofree char *pt = from == 0 ? g_strdup (trace) :
                        g_strdup_printf ("%s:0x%" G_GINT64_MODIFIER "x", trace, from);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) env_path ("IPT_ANALYZE"));
  g_ptr_array_add (argv, (char *) "--no-inst");
  g_ptr_array_add (argv, (char *) decoder);
  g_ptr_array_add (argv, (char *) "--pt");
  g_ptr_array_add (argv, pt);
  for (guint i = 0; memory[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) memory[i]);
  g_ptr_array_add (argv, NULL);
  run (fixture, (const char *const *) argv->pdata);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_cmpint (fixture->status, ==, 0);
  return instruction_lines (fixture->out);
}

/* The same over the page dump. */
static char *
decode (Fixture *fixture, const char *decoder, guint64 from)
{
  g_autofree char *addr = out_path (fixture, "pages.addr");
  g_autofree char *dump = out_path (fixture, "pages.dump");
  g_autofree char *plugin = g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
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

static guint64
get_u64 (const guint8 *data, gsize size, guint64 offset)
{
  guint64 value;

  g_assert_cmpuint (offset, <=, size - sizeof value);
  memcpy (&value, data + offset, sizeof value);
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
  const char *argv[] = { env_path ("IPT_ANALYZE"), "--plugin", plugin, "--list-regions", NULL };
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *real_core = realpath (core, NULL);

  run (fixture, argv);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_cmpint (fixture->status, ==, 0);
  lines = g_strsplit (fixture->out, "\n", -1);
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
} FlowBuild;

static void
test_flow (Fixture *fixture, gconstpointer data)
{
  const FlowBuild *build = data;
  const char *argv[] = { env_path (build->program_env), NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 0);
  assert_recording_decodes (fixture);
  /* Four signals: raise(), two faults, int3 */
  g_assert_nonnull (strstr (fixture->record_err, " 4 signals"));
  assert_core_decodes (fixture, argv[0], build->dynamic);
}

static void
test_async (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_ASYNC_STATIC"), NULL };

  g_assert_cmpint (record (fixture, "512", argv), ==, 0);
  g_assert_nonnull (strstr (fixture->record_err, "only the main thread is traced"));
  g_assert_nonnull (strstr (fixture->record_err, "runs untraced"));
  assert_recording_decodes (fixture);

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
  g_assert_cmpint (record (fixture, "4096", argv), ==, 0);
  assert_recording_decodes (fixture);
  assert_core_decodes (fixture, argv[0], TRUE);
}

/* Offsets of the PSB packets (the 16-byte pattern 02 82 × 8). */
static GArray *
find_psbs (const guint8 *trace, gsize length)
{
  static const guint8 psb[16] = { 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
                                  2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82 };
  GArray *offsets = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (gsize i = 0; i + sizeof psb <= length; i++)
    if (memcmp (trace + i, psb, sizeof psb) == 0)
      {
        guint64 offset = i;
        g_array_append_val (offsets, offset);
        i += sizeof psb - 1;
      }
  return offsets;
}

/* Decoding may start at any PSB: it must give exactly the tail of the
 * executed addresses. */
static void
test_start_at_any_psb (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_FLOW_STATIC"), NULL };
  gsize ips_length, trace_length;
  g_autofree char *ips = NULL;
  g_autofree guint8 *trace = NULL;
  g_autoptr(GArray) psbs = NULL;
  gsize previous_length = G_MAXSIZE;

  g_assert_cmpint (record (fixture, "128", argv), ==, 0);
  ips = read_output (fixture, "ips", &ips_length);
  trace = (guint8 *) read_output (fixture, "trace.pt", &trace_length);
  psbs = find_psbs (trace, trace_length);
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
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "exit", "7", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 7);
  assert_recording_decodes (fixture);
}

static void
test_killed_by_signal (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "abort", NULL };

  g_assert_cmpint (record (fixture, "4096", argv), ==, 128 + SIGABRT);
  assert_recording_decodes (fixture);
}

/* --no-core: no DIR/core, and none left from an earlier recording. */
static void
test_no_core (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), NULL };
  const char *options[] = { "--no-core", NULL };
  g_autofree char *core = out_path (fixture, "core");
  g_autoptr(GError) error = NULL;

  g_file_set_contents (core, "stale", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record_full (fixture, options, "4096", argv, NULL), ==, 0);
  g_assert_false (g_file_test (core, G_FILE_TEST_EXISTS));
  g_assert_null (strstr (fixture->record_err, "core"));
  assert_recording_decodes (fixture);
}

/* After an execve() the memory is another program's: no core, a warning. */
static void
test_no_core_after_exec (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "exec", "/bin/true",
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
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), "touch", "16", NULL };
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
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, (char *) env_path ("IPT_ANALYZE"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, args[i]);
  g_ptr_array_add (argv, NULL);

  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_spawn_sync (top, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &fixture->out, &fixture->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
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
  g_autofree char *top = g_build_filename (env_path ("G_TEST_SRCDIR"), "..", NULL);
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
  "trace.pt", "ips", "pages.addr", "pages.dump", "core", NULL
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
  const char *argv[] = { env_path ("IPT_RECORD_PROGRAM_STATUS_STATIC"), NULL };
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
  const char *argv[] = { env_path ("IPT_RECORD"), "--verbose", "-o", fixture->dir, "--",
                         env_path ("IPT_RECORD_PROGRAM_FOREVER_STATIC"), stop->mode, NULL };
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
  assert_core_decodes (fixture, env_path ("IPT_RECORD_PROGRAM_FOREVER_STATIC"), FALSE);
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
  const char *argv[] = { env_path ("IPT_RECORD"), "-o", below, "/bin/true", NULL };
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
  const char *no_output[] = { env_path ("IPT_RECORD"), "/bin/true", NULL };
  const char *no_program[] = { env_path ("IPT_RECORD"), "-o", fixture->dir, NULL };
  const char *bad_period[] = { env_path ("IPT_RECORD"), "--psb-period", "3", "-o",
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
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  static const FlowBuild static_non_pie = { "IPT_RECORD_PROGRAM_FLOW_STATIC", FALSE };
  static const FlowBuild static_pie = { "IPT_RECORD_PROGRAM_FLOW_STATIC_PIE", FALSE };
  static const FlowBuild dynamic_pie = { "IPT_RECORD_PROGRAM_FLOW_DYNAMIC_PIE", TRUE };
  static const FlowBuild dynamic_non_pie = { "IPT_RECORD_PROGRAM_FLOW_DYNAMIC_NON_PIE", TRUE };
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
  ADD ("/record/errors/core-write-fails", test_core_write_fails, NULL);
  ADD ("/record/errors/program-not-found", test_program_not_found, NULL);
  ADD ("/record/errors/program-not-executable", test_program_not_executable, NULL);
  ADD ("/record/output/earlier-run-kept-when-program-not-found", test_earlier_run_kept, NULL);
  ADD ("/record/stop/sigint-to-group-while-spinning", test_stopped_by_signal, &sigint_group);
  ADD ("/record/stop/sigterm-while-blocked-in-pause", test_stopped_by_signal, &sigterm_pause);
  ADD ("/record/errors/output-not-a-directory", test_output_not_a_directory, NULL);
  ADD ("/record/errors/bad-options", test_bad_options, NULL);
#undef ADD

  return g_test_run ();
}
