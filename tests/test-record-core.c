/* test-record-core.c: ipt_record_write_core() against real tools and the
 * real kernel.
 *
 * A dynamically linked target (tests/core/corewriter-target.c) runs under
 * ptrace; its core is written at the PTRACE_EVENT_EXIT stop (what
 * ipt-record does) or at a SIGSTOP, and then checked by programs that do
 * not share our code: binutils' readelf (program headers, note list) and
 * gdb (NT_FILE mappings, memory, registers).  Where the kernel may dump
 * cores (core_pattern "core", RLIMIT_CORE raisable), the same stopped
 * process is then killed with SIGABRT and the kernel's core is compared
 * with ours header by header and byte by byte.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-record-core.h"
#include "test-support.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define PAGE 4096

typedef struct {
  guint64 start, end, offset;
  char perms[5];
  char *path;      /* "" for anonymous */
} MapsLine;

static void
maps_line_clear (MapsLine *m)
{
  g_free (m->path);
}

typedef struct {
  char *dir;
  char *exe;
  pid_t pid;
  struct user_regs_struct regs;
  GArray *maps;           /* MapsLine, captured at the stop */
  GHashTable *addresses;  /* name -> guint64 *, from the target's line */
  char *core;
} Target;

static void
target_free (Target *t)
{
  if (t->pid > 0)
    {
      int status;

      /* At the exit stop SIGKILL alone does not end it: resume it too. */
      kill (t->pid, SIGKILL);
      ptrace (PTRACE_CONT, t->pid, NULL, NULL);
      while (waitpid (t->pid, &status, 0) == t->pid && WIFSTOPPED (status))
        ptrace (PTRACE_CONT, t->pid, NULL, NULL);
    }
  if (t->dir)
    test_remove_tree (t->dir);
  g_free (t->dir);
  g_free (t->exe);
  g_free (t->core);
  g_clear_pointer (&t->maps, g_array_unref);
  g_clear_pointer (&t->addresses, g_hash_table_unref);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Target, target_free)

static guint64
target_address (Target *t, const char *name)
{
  guint64 *a = g_hash_table_lookup (t->addresses, name);
  g_assert_nonnull (a);
  return *a;
}

static GArray *
read_maps (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *maps = g_array_new (FALSE, TRUE, sizeof (MapsLine));

  g_array_set_clear_func (maps, (GDestroyNotify) maps_line_clear);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = test_split_lines (text);
  for (guint i = 0; lines[i] && lines[i][0]; i++)
    {
      MapsLine m = { 0 };
      unsigned long long s, e, o, inode;
      int name_pos = 0;

      g_assert_cmpint (sscanf (lines[i], "%llx-%llx %4s %llx %*x:%*x %llu %n",
                               &s, &e, m.perms, &o, &inode, &name_pos), >=, 5);
      m.start = s;
      m.end = e;
      m.offset = o;
      m.path = g_strdup (inode != 0 ? lines[i] + name_pos : "");
      g_array_append_val (maps, m);
    }
  return maps;
}

static const MapsLine *
find_map (Target *t, guint64 address)
{
  for (guint i = 0; i < t->maps->len; i++)
    {
      const MapsLine *m = &g_array_index (t->maps, MapsLine, i);
      if (address >= m->start && address < m->end)
        return m;
    }
  g_assert_not_reached ();
}

/* Runs the target under ptrace up to its exit stop (mode "exit") or its
 * SIGSTOP (mode "stop"), with the registers and maps of that stop. */
static Target *
target_start (const char *mode, gboolean want_kernel_core)
{
  Target *t = g_new0 (Target, 1);
  const char *env_exe = g_getenv ("IPT_COREWRITER_TARGET");
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto (GStrv) fields = NULL;
  int out_pipe[2];
  int status;
  FILE *out;
  char buf[1024];

  {
    g_autofree char *exe = env_exe ? g_strdup (env_exe) :
                           g_test_build_filename (G_TEST_BUILT, "corewriter-target", NULL);
    /* Absolute: the child changes directory before exec. */
    t->exe = g_canonicalize_filename (exe, NULL);
  }
  t->dir = g_dir_make_tmp ("test-record-core-XXXXXX", &error);
  g_assert_no_error (error);
  t->core = g_build_filename (t->dir, "ours.core", NULL);
  g_assert_cmpint (pipe (out_pipe), ==, 0);

  t->pid = fork ();
  g_assert_cmpint (t->pid, >=, 0);
  if (t->pid == 0)
    {
      struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
      const char *argv[] = { t->exe, mode, t->dir, NULL };

      /* A kernel core, if any, lands in the cwd (core_pattern "core"). */
      if (chdir (t->dir) != 0)
        _exit (120);
      if (want_kernel_core)
        setrlimit (RLIMIT_CORE, &unlimited);
      else
        {
          struct rlimit none = { 0, 0 };
          setrlimit (RLIMIT_CORE, &none);
        }
      dup2 (out_pipe[1], STDOUT_FILENO);
      close (out_pipe[0]);
      close (out_pipe[1]);
      if (ptrace (PTRACE_TRACEME, 0, NULL, NULL) != 0)
        _exit (121);
      execv (argv[0], (char **) argv);
      _exit (122);
    }
  close (out_pipe[1]);

  /* The exec stop. */
  g_assert_cmpint (waitpid (t->pid, &status, 0), ==, t->pid);
  if (!WIFSTOPPED (status))
    g_error ("%s did not start: wait status 0x%x", t->exe, (unsigned) status);
  g_assert_cmpint (WSTOPSIG (status), ==, SIGTRAP);
  g_assert_cmpint (ptrace (PTRACE_SETOPTIONS, t->pid, NULL,
                           (void *) (long) (PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)), ==, 0);
  g_assert_cmpint (ptrace (PTRACE_CONT, t->pid, NULL, NULL), ==, 0);

  g_assert_cmpint (waitpid (t->pid, &status, 0), ==, t->pid);
  g_assert_true (WIFSTOPPED (status));
  if (g_str_equal (mode, "exit"))
    g_assert_cmpint (status >> 8, ==, SIGTRAP | (PTRACE_EVENT_EXIT << 8));
  else
    g_assert_cmpint (WSTOPSIG (status), ==, SIGSTOP);

  out = fdopen (out_pipe[0], "r");
  g_assert_nonnull (out);
  g_assert_nonnull (fgets (buf, sizeof buf, out));
  fclose (out);
  line = g_strstrip (g_strdup (buf));
  t->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fields = g_strsplit (line, " ", -1);
  for (guint i = 0; fields[i]; i++)
    {
      g_auto (GStrv) kv = g_strsplit (fields[i], "=", 2);
      guint64 *value = g_new (guint64, 1);

      g_assert_nonnull (kv[1]);
      *value = g_ascii_strtoull (kv[1], NULL, 16);
      g_hash_table_insert (t->addresses, g_strdup (kv[0]), value);
    }

  g_assert_cmpint (ptrace (PTRACE_GETREGS, t->pid, NULL, &t->regs), ==, 0);
  t->maps = read_maps (t->pid);
  return t;
}

static char *
run_tool (const char *const *argv)
{
  g_autofree char *err_text = NULL;
  char *out = NULL;

  if (test_spawn (argv, &out, &err_text) != 0)
    g_error ("%s failed: %s", argv[0], err_text);
  return out;
}

typedef struct {
  guint64 offset, vaddr, filesz, memsz;
  gboolean r, w, x;
} LoadLine;

/* The PT_LOAD lines of `readelf -lW`. */
static GArray *
readelf_loads (const char *core, gboolean *note_first)
{
  const char *argv[] = { "readelf", "-lW", core, NULL };
  g_autofree char *out = run_tool (argv);
  g_auto (GStrv) lines = test_split_lines (out);
  GArray *loads = g_array_new (FALSE, TRUE, sizeof (LoadLine));
  gboolean seen_header = FALSE;

  *note_first = FALSE;
  for (guint i = 0; lines[i]; i++)
    {
      const char *l = lines[i];
      unsigned long long off, va, pa, fs, ms;
      int flags_pos = 0;
      LoadLine load = { 0 };
      const char *align;
      g_autofree char *flags = NULL;

      while (*l == ' ')
        l++;
      if (g_str_has_prefix (l, "NOTE") && !seen_header)
        *note_first = TRUE;
      if (g_str_has_prefix (l, "NOTE") || g_str_has_prefix (l, "LOAD"))
        seen_header = TRUE;
      if (!g_str_has_prefix (l, "LOAD"))
        continue;
      g_assert_cmpint (sscanf (l, "LOAD %llx %llx %llx %llx %llx%n",
                               &off, &va, &pa, &fs, &ms, &flags_pos), ==, 5);
      align = strrchr (l, ' ');
      g_assert_cmpstr (align, ==, " 0x1000");
      flags = g_strndup (l + flags_pos, (gsize) (align - (l + flags_pos)));
      load.offset = off;
      load.vaddr = va;
      load.filesz = fs;
      load.memsz = ms;
      load.r = strchr (flags, 'R') != NULL;
      load.w = strchr (flags, 'W') != NULL;
      load.x = strchr (flags, 'E') != NULL;
      g_array_append_val (loads, load);
    }
  return loads;
}

static const LoadLine *
load_at (GArray *loads, guint64 vaddr)
{
  for (guint i = 0; i < loads->len; i++)
    if (g_array_index (loads, LoadLine, i).vaddr == vaddr)
      return &g_array_index (loads, LoadLine, i);
  g_assert_not_reached ();
}

static void
test_exit_stop_readelf_and_gdb (void)
{
  g_autoptr (Target) t = target_start ("exit", FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) loads = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *gdb_out = NULL;
  g_autofree char *libc = NULL;
  g_autofree char *exe_real = realpath (t->exe, NULL);
  g_autofree char *x_rwx = NULL, *x_global = NULL, *x_shared = NULL;
  g_autofree char *expect_rwx = NULL;
  g_auto (GStrv) note_lines = NULL;
  g_auto (GStrv) gdb_lines = NULL;
  GString *expect = g_string_new (NULL);
  const char *expected_notes[] = { "NT_PRSTATUS", "NT_PRPSINFO", "NT_SIGINFO",
                                   "NT_AUXV", "NT_FILE", "NT_FPREGSET",
                                   "NT_X86_XSTATE" };
  guint n_notes = 0, n_files = 0, n_gdb_files = 0;
  gboolean note_first, exe_header = FALSE, libc_header = FALSE;
  guint64 last_end = 0;
  GStatBuf st;

  g_assert_true (ipt_record_write_core (t->pid, &t->regs, t->core, &error));
  g_assert_no_error (error);

  /* One PT_LOAD per mapping, in address order, each as long as it. */
  loads = readelf_loads (t->core, &note_first);
  g_assert_true (note_first);
  g_assert_cmpuint (loads->len, ==, t->maps->len);
  for (guint i = 0; i < t->maps->len; i++)
    {
      const MapsLine *m = &g_array_index (t->maps, MapsLine, i);
      const LoadLine *l = &g_array_index (loads, LoadLine, i);

      g_assert_cmphex (l->vaddr, ==, m->start);
      g_assert_cmphex (l->memsz, ==, m->end - m->start);
      g_assert_cmpint (l->r, ==, m->perms[0] == 'r');
      g_assert_cmpint (l->w, ==, m->perms[1] == 'w');
      g_assert_cmpint (l->x, ==, m->perms[2] == 'x');
      g_assert_cmphex (l->offset % PAGE, ==, 0);
      last_end = MAX (last_end, l->offset + l->filesz);
      if (*m->path)
        n_files++;

      /* File-backed code: never dumped, except a header page at offset 0. */
      if (*m->path == '/' && m->perms[2] == 'x' && m->perms[1] != 'w')
        g_assert_cmphex (l->filesz, ==, 0);
      if (*m->path == '/' && m->offset == 0 && m->perms[3] == 'p' &&
          !g_str_has_suffix (m->path, "data.bin"))
        {
          g_assert_cmphex (l->filesz, ==, PAGE);
          exe_header |= g_strcmp0 (m->path, exe_real) == 0;
          if (strstr (m->path, "/libc.so"))
            {
              libc_header = TRUE;
              g_free (libc);
              libc = g_strdup (m->path);
            }
        }
    }
  g_assert_true (exe_header);
  g_assert_true (libc_header);

  /* Each kind of mapping, as the default filter 0x33 has it. */
  g_assert_cmphex (load_at (loads, target_address (t, "rwx"))->filesz, ==, PAGE);
  g_assert_true (load_at (loads, target_address (t, "rwx"))->x);
  g_assert_cmphex (load_at (loads, target_address (t, "untouched"))->filesz, ==, 0);
  g_assert_cmphex (load_at (loads, target_address (t, "dontdump"))->filesz, ==, 0);
  g_assert_cmphex (load_at (loads, target_address (t, "shared_anon"))->filesz, ==, PAGE);
  g_assert_cmphex (load_at (loads, target_address (t, "memfd"))->filesz, ==, PAGE);
  g_assert_cmphex (load_at (loads, target_address (t, "file_private"))->filesz, ==, 0);
  g_assert_cmphex (load_at (loads, target_address (t, "file_shared"))->filesz, ==, 0);
  {
    /* The written global's data segment: file-backed, but COW-written. */
    const MapsLine *m = find_map (t, target_address (t, "global"));
    g_assert_cmpstr (m->path, ==, exe_real);
    g_assert_cmphex (load_at (loads, m->start)->filesz, ==, m->end - m->start);
  }

  /* The file is exactly as long as its last segment, and small. */
  g_assert_cmpint (g_stat (t->core, &st), ==, 0);
  g_assert_cmphex ((guint64) st.st_size, ==, last_end);
  g_assert_cmpint (st.st_size, <, 4 * 1024 * 1024);
  g_test_message ("core of the target: %lld bytes, %lld allocated",
                  (long long) st.st_size, (long long) st.st_blocks * 512);

  /* The notes, in the kernel's order. */
  {
    const char *argv[] = { "readelf", "-nW", t->core, NULL };
    notes = run_tool (argv);
  }
  note_lines = test_split_lines (notes);
  for (guint i = 0; note_lines[i]; i++)
    {
      const char *nt = strstr (note_lines[i], "NT_");
      g_autofree char *type = NULL;

      if (!nt)
        continue;
      type = g_strndup (nt, strcspn (nt, " \t("));
      g_assert_cmpuint (n_notes, <, G_N_ELEMENTS (expected_notes));
      g_assert_cmpstr (type, ==, expected_notes[n_notes]);
      n_notes++;
    }
  g_assert_cmpuint (n_notes, ==, G_N_ELEMENTS (expected_notes));

  /* gdb: NT_FILE (info proc mappings), memory and registers. */
  x_rwx = g_strdup_printf ("x/16xb 0x%" G_GINT64_MODIFIER "x", target_address (t, "rwx"));
  x_global = g_strdup_printf ("x/4xb 0x%" G_GINT64_MODIFIER "x", target_address (t, "global"));
  x_shared = g_strdup_printf ("x/4xb 0x%" G_GINT64_MODIFIER "x", target_address (t, "shared_anon"));
  {
    const char *argv[] = { "gdb", "-batch", "-nx", "-iex", "set debuginfod enabled off",
                           "-ex", "info proc mappings", "-ex", x_rwx, "-ex", x_global,
                           "-ex", x_shared, "-ex", "p/x $rip", "-ex", "info threads",
                           "-c", t->core, t->exe, NULL };
    gdb_out = run_tool (argv);
  }
  gdb_lines = test_split_lines (gdb_out);
  for (guint i = 0; gdb_lines[i]; i++)
    {
      unsigned long long s, e, size, off;
      int path_pos = 0;
      const char *l = gdb_lines[i];

      if (sscanf (l, " 0x%llx 0x%llx 0x%llx 0x%llx %n", &s, &e, &size, &off, &path_pos) != 4 ||
          path_pos == 0)
        continue;
      /* Every NT_FILE entry matches the file-backed maps line there. */
      {
        const MapsLine *m = find_map (t, s);
        g_assert_cmphex (m->start, ==, s);
        g_assert_cmphex (m->end, ==, e);
        g_assert_cmphex (m->offset, ==, off);
        g_assert_cmpstr (g_strstrip ((char *) l + path_pos), ==, m->path);
      }
      n_gdb_files++;
    }
  g_assert_cmpuint (n_gdb_files, ==, n_files);
  g_assert_nonnull (libc);

  /* The RWX page's bytes, as the target wrote them. */
  {
    static const guint8 code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
    /* gdb prints 8 bytes a line: "ADDR:\t0xb8\t0x2a...". */
    for (guint i = 0; i < 16; i++)
      g_string_append_printf (expect, "%s0x%02x", i % 8 == 0 ? ":\t" : "\t",
                              i < sizeof code ? code[i] : (guint8) (i * 7 + 3));
    expect_rwx = g_string_free (expect, FALSE);
  }
  {
    g_auto (GStrv) halves = g_strsplit (expect_rwx, ":", -1);
    g_assert_nonnull (strstr (gdb_out, halves[1]));
    g_assert_nonnull (strstr (gdb_out, halves[2]));
  }
  g_assert_nonnull (strstr (gdb_out, "0xa0\t0xa1\t0xa2\t0xa3"));
  g_assert_nonnull (strstr (gdb_out, "0x33\t0x33\t0x33\t0x33"));
  {
    g_autofree char *rip = g_strdup_printf ("= 0x%llx", (unsigned long long) t->regs.rip);
    g_autofree char *lwp = g_strdup_printf ("LWP %d", (int) t->pid);
    g_assert_nonnull (strstr (gdb_out, rip));
    g_assert_nonnull (strstr (gdb_out, lwp));
  }
}

/* A minimal reader for comparing two cores; the tools checked ours above. */
typedef struct {
  GMappedFile *file;
  const guint8 *data;
  gsize size;
  const Elf64_Ehdr *ehdr;
  const Elf64_Phdr *phdr;
} Core;

static void
core_open (Core *c, const char *path)
{
  g_autoptr (GError) error = NULL;

  c->file = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  c->data = (const guint8 *) g_mapped_file_get_contents (c->file);
  c->size = g_mapped_file_get_length (c->file);
  g_assert_cmpuint (c->size, >=, sizeof (Elf64_Ehdr));
  c->ehdr = (const Elf64_Ehdr *) c->data;
  g_assert_cmpint (memcmp (c->ehdr->e_ident, ELFMAG, SELFMAG), ==, 0);
  g_assert_cmpuint (c->ehdr->e_phoff + (gsize) c->ehdr->e_phnum * sizeof (Elf64_Phdr), <=, c->size);
  c->phdr = (const Elf64_Phdr *) (c->data + c->ehdr->e_phoff);
}

typedef struct {
  guint32 type;
  const char *name;
  const guint8 *desc;
  guint32 descsz;
} Note;

static GArray *
core_notes (Core *c)
{
  GArray *notes = g_array_new (FALSE, TRUE, sizeof (Note));
  const Elf64_Phdr *p = &c->phdr[0];
  gsize pos = p->p_offset, end = p->p_offset + p->p_filesz;

  g_assert_cmpint (p->p_type, ==, PT_NOTE);
  g_assert_cmpuint (end, <=, c->size);
  while (pos + sizeof (Elf64_Nhdr) <= end)
    {
      const Elf64_Nhdr *n = (const Elf64_Nhdr *) (c->data + pos);
      Note note = { n->n_type, (const char *) (n + 1), NULL, n->n_descsz };

      pos += sizeof *n + (n->n_namesz + 3u) / 4 * 4;
      note.desc = c->data + pos;
      pos += (n->n_descsz + 3u) / 4 * 4;
      g_assert_cmpuint (pos, <=, end);
      g_array_append_val (notes, note);
    }
  return notes;
}

static const Note *
note_of_type (GArray *notes, guint32 type)
{
  for (guint i = 0; i < notes->len; i++)
    if (g_array_index (notes, Note, i).type == type)
      return &g_array_index (notes, Note, i);
  g_assert_not_reached ();
}

static char *
kernel_core_path (Target *t)
{
  g_autofree char *pattern = NULL;
  g_autofree char *uses_pid = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/core_pattern", &pattern, NULL, NULL))
    return NULL;
  g_strstrip (pattern);
  if (!g_str_equal (pattern, "core"))
    {
      g_test_skip_printf ("kernel core comparison skipped: core_pattern is \"%s\", not \"core\"",
                          pattern);
      return NULL;
    }
  if (g_file_get_contents ("/proc/sys/kernel/core_uses_pid", &uses_pid, NULL, NULL) &&
      g_ascii_strtoll (uses_pid, NULL, 10) != 0)
    return g_strdup_printf ("%s/core.%d", t->dir, (int) t->pid);
  return g_build_filename (t->dir, "core", NULL);
}

static void
test_matches_kernel_core (void)
{
  g_autoptr (Target) t = target_start ("stop", TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree char *kpath = kernel_core_path (t);
  g_autoptr (GArray) our_notes = NULL;
  g_autoptr (GArray) kernel_notes = NULL;
  Core ours = { 0 }, kernel = { 0 };
  const Note *a, *b;
  int status;

  if (!kpath)
    return;
  g_assert_true (ipt_record_write_core (t->pid, &t->regs, t->core, &error));
  g_assert_no_error (error);

  /* Deliver SIGABRT in place of the SIGSTOP: the kernel dumps the very
   * state we just dumped. */
  g_assert_cmpint (ptrace (PTRACE_CONT, t->pid, NULL, (void *) (long) SIGABRT), ==, 0);
  g_assert_cmpint (waitpid (t->pid, &status, 0), ==, t->pid);
  if (WIFSTOPPED (status) && (status >> 8) == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
    {
      g_assert_cmpint (ptrace (PTRACE_CONT, t->pid, NULL, NULL), ==, 0);
      g_assert_cmpint (waitpid (t->pid, &status, 0), ==, t->pid);
    }
  t->pid = 0;
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGABRT);
  if (!WCOREDUMP (status) || !g_file_test (kpath, G_FILE_TEST_EXISTS))
    {
      g_test_skip_printf ("the kernel wrote no core (%s): RLIMIT_CORE or dumpable setting",
                          kpath);
      return;
    }

  core_open (&ours, t->core);
  core_open (&kernel, kpath);
  g_test_message ("kernel core %" G_GSIZE_FORMAT " bytes, ours %" G_GSIZE_FORMAT,
                  kernel.size, ours.size);

  /* Notes: same types in the same order and sizes; the mapped files, the
   * auxiliary vector and the registers byte for byte. */
  our_notes = core_notes (&ours);
  kernel_notes = core_notes (&kernel);
  for (guint i = 0; i < MAX (our_notes->len, kernel_notes->len); i++)
    g_test_message ("note %u: ours type 0x%x size 0x%x, kernel's type 0x%x size 0x%x", i,
                    i < our_notes->len ? g_array_index (our_notes, Note, i).type : 0,
                    i < our_notes->len ? g_array_index (our_notes, Note, i).descsz : 0,
                    i < kernel_notes->len ? g_array_index (kernel_notes, Note, i).type : 0,
                    i < kernel_notes->len ? g_array_index (kernel_notes, Note, i).descsz : 0);
  g_assert_cmpuint (our_notes->len, ==, kernel_notes->len);
  for (guint i = 0; i < our_notes->len; i++)
    {
      const Note *o = &g_array_index (our_notes, Note, i);
      const Note *k = &g_array_index (kernel_notes, Note, i);

      g_assert_cmphex (o->type, ==, k->type);
      g_assert_cmpstr (o->name, ==, k->name);
      g_assert_cmpuint (o->descsz, ==, k->descsz);
    }
  /* Program headers: same segments, same dumped sizes, same offsets. */
  g_assert_cmpuint (ours.ehdr->e_type, ==, kernel.ehdr->e_type);
  g_assert_cmpuint (ours.ehdr->e_machine, ==, kernel.ehdr->e_machine);
  g_assert_cmpuint (ours.ehdr->e_phnum, ==, kernel.ehdr->e_phnum);
  g_assert_cmpuint (ours.ehdr->e_shnum, ==, kernel.ehdr->e_shnum);
  for (guint i = 0; i < ours.ehdr->e_phnum; i++)
    {
      const Elf64_Phdr *o = &ours.phdr[i], *k = &kernel.phdr[i];

      g_test_message ("segment %u at 0x%" G_GINT64_MODIFIER "x: filesz 0x%"
                      G_GINT64_MODIFIER "x (kernel 0x%" G_GINT64_MODIFIER "x)",
                      i, (guint64) o->p_vaddr, (guint64) o->p_filesz, (guint64) k->p_filesz);
      g_assert_cmpuint (o->p_type, ==, k->p_type);
      g_assert_cmphex (o->p_vaddr, ==, k->p_vaddr);
      g_assert_cmphex (o->p_memsz, ==, k->p_memsz);
      g_assert_cmphex (o->p_filesz, ==, k->p_filesz);
      g_assert_cmphex (o->p_flags, ==, k->p_flags);
      g_assert_cmphex (o->p_align, ==, k->p_align);
      g_assert_cmphex (o->p_offset, ==, k->p_offset);
      if (o->p_type != PT_LOAD || o->p_filesz == 0)
        continue;
      g_assert_cmpuint (o->p_offset + o->p_filesz, <=, ours.size);
      g_assert_cmpuint (k->p_offset + k->p_filesz, <=, kernel.size);
      /* Same bytes, [vvar] included: both leave its PFN-mapped pages as
       * zero holes. */
      g_assert_cmpmem (ours.data + o->p_offset, o->p_filesz,
                       kernel.data + k->p_offset, k->p_filesz);
    }
  g_assert_cmpuint (ours.size, ==, kernel.size);

  a = note_of_type (our_notes, NT_FILE);
  b = note_of_type (kernel_notes, NT_FILE);
  g_assert_cmpmem (a->desc, a->descsz, b->desc, b->descsz);
  a = note_of_type (our_notes, NT_AUXV);
  b = note_of_type (kernel_notes, NT_AUXV);
  g_assert_cmpmem (a->desc, a->descsz, b->desc, b->descsz);
  a = note_of_type (our_notes, NT_X86_XSTATE);
  b = note_of_type (kernel_notes, NT_X86_XSTATE);
  g_assert_cmpmem (a->desc, a->descsz, b->desc, b->descsz);
  a = note_of_type (our_notes, 0x205);   /* NT_X86_XSAVE_LAYOUT, Linux >= 6.12 */
  b = note_of_type (kernel_notes, 0x205);
  g_assert_cmpmem (a->desc, a->descsz, b->desc, b->descsz);
  a = note_of_type (our_notes, NT_FPREGSET);
  b = note_of_type (kernel_notes, NT_FPREGSET);
  g_assert_cmpmem (a->desc, a->descsz, b->desc, b->descsz);
  a = note_of_type (our_notes, NT_PRSTATUS);
  b = note_of_type (kernel_notes, NT_PRSTATUS);
  {
    /* Note descriptors are only 4-byte aligned: copy before reading fields. */
    struct elf_prstatus our_status, kernel_status;
    const struct elf_prstatus *op = &our_status, *kp = &kernel_status;

    g_assert_cmpuint (a->descsz, >=, sizeof our_status);
    g_assert_cmpuint (b->descsz, >=, sizeof kernel_status);
    memcpy (&our_status, a->desc, sizeof our_status);
    memcpy (&kernel_status, b->desc, sizeof kernel_status);

    g_assert_cmpint (op->pr_pid, ==, kp->pr_pid);
    g_assert_cmpint (op->pr_ppid, ==, kp->pr_ppid);
    g_assert_cmpint (op->pr_pgrp, ==, kp->pr_pgrp);
    g_assert_cmpint (op->pr_sid, ==, kp->pr_sid);
    g_assert_cmpint (op->pr_fpvalid, ==, kp->pr_fpvalid);
    g_assert_cmpmem (&op->pr_reg, sizeof op->pr_reg, &kp->pr_reg, sizeof kp->pr_reg);
    /* Ours names the SIGSTOP being delivered, the kernel's the SIGABRT. */
    g_assert_cmpint (op->pr_cursig, ==, SIGSTOP);
    g_assert_cmpint (kp->pr_cursig, ==, SIGABRT);
  }
  a = note_of_type (our_notes, NT_PRPSINFO);
  b = note_of_type (kernel_notes, NT_PRPSINFO);
  {
    struct elf_prpsinfo our_info, kernel_info;
    const struct elf_prpsinfo *op = &our_info, *kp = &kernel_info;

    g_assert_cmpuint (a->descsz, >=, sizeof our_info);
    g_assert_cmpuint (b->descsz, >=, sizeof kernel_info);
    memcpy (&our_info, a->desc, sizeof our_info);
    memcpy (&kernel_info, b->desc, sizeof kernel_info);

    g_assert_cmpstr (op->pr_fname, ==, kp->pr_fname);
    g_assert_cmpmem (op->pr_psargs, sizeof op->pr_psargs, kp->pr_psargs, sizeof kp->pr_psargs);
    g_assert_cmpint (op->pr_pid, ==, kp->pr_pid);
    g_assert_cmpint (op->pr_sname, ==, kp->pr_sname);
    g_assert_cmpuint (op->pr_uid, ==, kp->pr_uid);
  }

  g_mapped_file_unref (ours.file);
  g_mapped_file_unref (kernel.file);
}

static void
test_errors (void)
{
  struct user_regs_struct regs = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (Target) t = target_start ("exit", FALSE);
  g_autofree char *bad = g_build_filename (t->dir, "no-such-dir", "core", NULL);
  g_autofree char *core = g_build_filename (t->dir, "core", NULL);
  pid_t gone;
  int status;

  /* An unwritable path: an I/O error naming it; nothing left behind. */
  g_assert_false (ipt_record_write_core (t->pid, &t->regs, bad, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  /* A process that is gone. */
  gone = fork ();
  if (gone == 0)
    _exit (0);
  g_assert_cmpint (waitpid (gone, &status, 0), ==, gone);
  g_assert_false (ipt_record_write_core (gone, &regs, core, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/proc/"));
  g_assert_false (g_file_test (core, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record/core/exit-stop/readelf-and-gdb-read-it", test_exit_stop_readelf_and_gdb);
  g_test_add_func ("/record/core/same-as-kernel-core", test_matches_kernel_core);
  g_test_add_func ("/record/core/errors-name-the-file", test_errors);
  return g_test_run ();
}
