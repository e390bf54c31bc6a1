/* test-plugin-elf.c: the real built elf plugin on real ELF files made by
 * real tools (cc, ld, strip) in a temporary directory, checked against
 * binutils' view of the same files (readelf -lW, nm, readelf -n). */
#include "config.h"

#include <elf.h>
#include <string.h>
#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-support.h"

#define BASE_UNSET G_MAXUINT64

static GType elf_type;
static char *tmpdir;

/* Built once in main(); NULL when the tool chain could not build it. */
static char *prog_nopie, *prog_pie, *lib_so, *prog_stripped, *lib_stripped, *object_file;
static char *prog32, *lib32, *prog32_stripped;
static char *prog32_failure;

static const char prog_source[] =
  "static int counter;\n"
  "static char big_bss[3 * 4096 + 17];\n"
  "__attribute__ ((noinline, used)) static int ipt_test_static_helper (int x)\n"
  "{ return x * 3 + counter + big_bss[x & 0xff]; }\n"
  "__attribute__ ((noinline)) int ipt_test_global_func (int x)\n"
  "{ return ipt_test_static_helper (x) + 1; }\n"
  "int main (int argc, char **argv) { counter = argc; return ipt_test_global_func (argc) > 1000; }\n";

static const char lib_source[] =
  "__attribute__ ((noinline, used)) static int ipt_test_lib_static (int x) { return x * 5; }\n"
  "int ipt_test_lib_func (int x) { return ipt_test_lib_static (x) * 7 + 1; }\n";

/* Freestanding, so that cc -m32 -c works without 32-bit libc headers. */
static const char prog32_source[] =
  "static volatile int zero_tail[2048];\n"
  "__attribute__ ((noinline)) int ipt_test32_func (int x) { return x * 3 + zero_tail[x & 7]; }\n"
  "void _start (void) { for (;;) ipt_test32_func (1); }\n";

/* ---- helpers ------------------------------------------------------------- */

static gboolean
run (char **out, GError **error, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  const char *arg;
  int status = 0;
  va_list ap;

  va_start (ap, error);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (tmpdir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s", (char *) argv->pdata[0], err);
      return FALSE;
    }
  return TRUE;
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
write_source (const char *name, const char *text)
{
  char *path = tmp_path (name);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
build_fixtures (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *prog_c = write_source ("prog.c", prog_source);
  g_autofree char *lib_c = write_source ("lib.c", lib_source);
  g_autofree char *prog32_c = write_source ("prog32.c", prog32_source);
  g_autofree char *o32 = tmp_path ("prog32.o");
  g_autofree char *o32pic = tmp_path ("lib32.o");

  prog_nopie = tmp_path ("prog-nopie");
  prog_pie = tmp_path ("prog-pie");
  lib_so = tmp_path ("libtest.so");
  prog_stripped = tmp_path ("prog-pie-stripped");
  lib_stripped = tmp_path ("libtest-stripped.so");
  object_file = tmp_path ("prog.o");

  if (!run (NULL, &error, "cc", "-O1", "-g0", "-no-pie", "-fno-pie", "-o", prog_nopie, prog_c, NULL)
      || !run (NULL, &error, "cc", "-O1", "-fPIE", "-pie", "-o", prog_pie, prog_c, NULL)
      || !run (NULL, &error, "cc", "-O1", "-fPIC", "-shared", "-o", lib_so, lib_c, NULL)
      || !run (NULL, &error, "cc", "-O1", "-c", "-o", object_file, prog_c, NULL)
      || !run (NULL, &error, "strip", "-o", prog_stripped, prog_pie, NULL)
      || !run (NULL, &error, "strip", "-o", lib_stripped, lib_so, NULL))
    g_error ("cannot build the test programs: %s", error->message);

  /* 32-bit: cc -m32 only compiles here (no 32-bit libc needed), ld links. */
  prog32 = tmp_path ("prog32");
  lib32 = tmp_path ("lib32.so");
  prog32_stripped = tmp_path ("prog32-stripped");
  if (!run (NULL, &error, "cc", "-m32", "-O1", "-fno-pic", "-ffreestanding", "-c", "-o", o32,
            prog32_c, NULL)
      || !run (NULL, &error, "ld", "-m", "elf_i386", "-o", prog32, o32, NULL)
      || !run (NULL, &error, "cc", "-m32", "-O1", "-fPIC", "-ffreestanding", "-c", "-o", o32pic,
               prog32_c, NULL)
      || !run (NULL, &error, "ld", "-m", "elf_i386", "-shared", "-o", lib32, o32pic, NULL)
      || !run (NULL, &error, "strip", "-o", prog32_stripped, prog32, NULL))
    {
      prog32_failure = g_strdup (error->message);
      g_clear_pointer (&prog32, g_free);
      g_clear_pointer (&lib32, g_free);
      g_clear_pointer (&prog32_stripped, g_free);
    }
}

static void
load_plugin (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                                 "ipt-plugin-elf.so", NULL);
  g_autoptr (GError) error = NULL;
  GModule *module;
  IptPluginQueryFunc query = NULL;
  const IptPluginInfo *info;

  module = g_module_open_full (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, &error);
  g_assert_no_error (error);
  g_module_make_resident (module);
  g_assert_true (g_module_symbol (module, "ipt_plugin_query", (gpointer *) &query));
  info = query ();
  g_assert_nonnull (info);
  g_assert_cmpuint (info->abi_version, ==, IPT_PLUGIN_ABI_VERSION);
  g_assert_cmpstr (info->name, ==, "elf");
  g_assert_nonnull (strstr (info->description, "ELF"));
  elf_type = info->get_provider_type ();
  g_assert_true (g_type_is_a (elf_type, IPT_TYPE_MEMORY_PROVIDER));
  g_assert_true (g_type_is_a (elf_type, IPT_TYPE_SYMBOL_SOURCE));
  g_assert_true (g_type_is_a (elf_type, G_TYPE_INITABLE));
}

static IptMemoryProvider *
open_elf (const char *file, guint64 base, GError **error)
{
  return g_initable_new (elf_type, NULL, error, "file", file, "base", base, NULL);
}

static IptMemoryProvider *
open_elf_ok (const char *file, guint64 base)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *provider = open_elf (file, base, &error);

  g_assert_no_error (error);
  g_assert_nonnull (provider);
  return provider;
}

typedef struct {
  guint64 offset, vaddr, filesz, memsz;
} Load;

/* The PT_LOADs as binutils' readelf sees them: an oracle independent of libelf. */
static GArray *
readelf_loads (const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *loads = g_array_new (FALSE, TRUE, sizeof (Load));
  guint i;

  g_assert_true (run (&out, &error, "readelf", "-lW", file, NULL));
  g_assert_no_error (error);
  lines = test_split_lines (out);
  for (i = 0; lines[i] != NULL; i++)
    {
      Load load;
      guint64 paddr;
      const char *line = g_strchug (lines[i]);

      if (!g_str_has_prefix (line, "LOAD "))
        continue;
      g_assert_cmpint (sscanf (line, "LOAD %" G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER "x %"
                               G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER "x %"
                               G_GINT64_MODIFIER "x", &load.offset, &load.vaddr, &paddr,
                               &load.filesz, &load.memsz), ==, 5);
      g_array_append_val (loads, load);
    }
  g_assert_cmpuint (loads->len, >, 0);
  return loads;
}

/* Reads [address, address + size) through the provider, across short reads. */
static guint8 *
read_all (IptMemoryProvider *provider, guint64 address, gsize size)
{
  guint8 *buffer = g_malloc0 (size + 1);
  gsize done = 0;

  while (done < size)
    {
      g_autoptr (GError) error = NULL;
      gssize n = ipt_memory_provider_read (provider, buffer + done, size - done, NULL,
                                           address + done, &error);

      g_assert_no_error (error);
      if (n <= 0)
        g_error ("read at 0x%" G_GINT64_MODIFIER "x returned %" G_GSSIZE_FORMAT,
                 address + done, n);
      done += (gsize) n;
    }
  return buffer;
}

/* Every PT_LOAD: the file bytes at p_offset, then zeros up to p_memsz, at
 * p_vaddr + bias; the regions say the same; nothing right below the first. */
static void
assert_serves_file (IptMemoryProvider *provider, const char *file, guint64 bias)
{
  g_autoptr (GArray) loads = readelf_loads (file);
  g_autoptr (GPtrArray) regions = ipt_memory_provider_list_regions (provider);
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (file, FALSE, NULL);
  g_autofree char *abs = g_canonicalize_filename (file, NULL);
  const guint8 *bytes = (const guint8 *) g_mapped_file_get_contents (mapped);
  guint i, j, tails = 0;
  guint8 byte;

  g_assert_nonnull (regions);
  for (i = 0; i < loads->len; i++)
    {
      const Load *load = &g_array_index (loads, Load, i);
      g_autofree guint8 *got = NULL;
      gboolean found_file = load->filesz == 0, found_zero = load->memsz == load->filesz;

      if (load->memsz == 0)
        continue;
      got = read_all (provider, load->vaddr + bias, load->memsz);
      g_assert_cmpmem (got, load->filesz, bytes + load->offset, load->filesz);
      for (j = load->filesz; j < load->memsz; j++)
        g_assert_cmpuint (got[j], ==, 0);

      for (j = 0; j < regions->len; j++)
        {
          const IptRegion *r = g_ptr_array_index (regions, j);

          if (r->address == load->vaddr + bias && r->size == load->filesz && load->filesz > 0)
            {
              g_assert_cmpstr (r->filename, ==, abs);
              g_assert_cmphex (r->file_offset, ==, load->offset);
              found_file = TRUE;
            }
          if (r->address == load->vaddr + bias + load->filesz
              && r->size == load->memsz - load->filesz && load->memsz > load->filesz)
            {
              g_assert_null (r->filename);
              found_zero = TRUE;
              tails++;
            }
        }
      g_assert_true (found_file);
      g_assert_true (found_zero);
    }
  g_assert_cmpint (ipt_memory_provider_read (provider, &byte, 1, NULL,
                                             g_array_index (loads, Load, 0).vaddr + bias - 1,
                                             NULL), ==, 0);
}

typedef struct {
  guint64 address;
  char type;
} NmSymbol;

/* Symbol addresses as binutils' nm sees them. */
static GHashTable *
nm_symbols (const char *file, gboolean dynamic)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint i;

  g_assert_true (run (&out, &error, "nm", dynamic ? "-D" : "--defined-only",
                      dynamic ? "--defined-only" : "-n", file, NULL));
  g_assert_no_error (error);
  lines = test_split_lines (out);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", 3);
      NmSymbol *sym;

      if (g_strv_length (f) != 3)
        continue;
      sym = g_new0 (NmSymbol, 1);
      sym->address = g_ascii_strtoull (f[0], NULL, 16);
      sym->type = f[1][0];
      /* nm -D prints versioned names (malloc@@GLIBC_2.2.5); .dynsym has the bare one. */
      g_hash_table_replace (table, g_strndup (f[2], strcspn (f[2], "@")), sym);
    }
  return table;
}

static guint64
nm_address (GHashTable *table, const char *name)
{
  NmSymbol *sym = g_hash_table_lookup (table, name);

  if (sym == NULL)
    g_error ("nm does not list %s", name);
  return sym->address;
}

static void
assert_symbol_at (IptMemoryProvider *provider, guint64 address, guint64 offset,
                  const char *expected)
{
  const char *name = NULL;
  guint64 got_offset = 0;

  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (provider), NULL,
                                           address + offset, &name, &got_offset, NULL, NULL));
  g_assert_cmpstr (name, ==, expected);
  g_assert_cmphex (got_offset, ==, offset);
}

static char *
readelf_build_id (const char *file)
{
  g_autofree char *out = NULL;
  const char *p;

  g_assert_true (run (&out, NULL, "readelf", "-n", file, NULL));
  p = strstr (out, "Build ID: ");
  if (p == NULL)
    return NULL;
  p += strlen ("Build ID: ");
  return g_strndup (p, strspn (p, "0123456789abcdef"));
}

/* ---- serving segments ---------------------------------------------------- */

static void
test_nopie_segments_and_symbols (void)
{
  g_autoptr (IptMemoryProvider) provider = open_elf_ok (prog_nopie, BASE_UNSET);
  g_autoptr (GHashTable) nm = nm_symbols (prog_nopie, FALSE);
  g_autofree char *type = NULL, *build_id = NULL, *table = NULL;
  g_autofree char *expected_id = readelf_build_id (prog_nopie);
  guint elf_class = 0, n_symbols = 0;

  assert_serves_file (provider, prog_nopie, 0);

  assert_symbol_at (provider, nm_address (nm, "main"), 0, "main");
  assert_symbol_at (provider, nm_address (nm, "main"), 3, "main");
  assert_symbol_at (provider, nm_address (nm, "ipt_test_global_func"), 3, "ipt_test_global_func");
  assert_symbol_at (provider, nm_address (nm, "ipt_test_static_helper"), 3,
                    "ipt_test_static_helper");

  g_object_get (provider, "elf-type", &type, "elf-class", &elf_class, "build-id", &build_id,
                "symbol-table", &table, "n-symbols", &n_symbols, NULL);
  g_assert_cmpstr (type, ==, "exec");
  g_assert_cmpuint (elf_class, ==, 64);
  g_assert_cmpstr (table, ==, ".symtab");
  g_assert_cmpuint (n_symbols, >=, 3);
  g_assert_nonnull (expected_id);
  g_assert_cmpstr (build_id, ==, expected_id);
}

static void
test_nopie_own_base_accepted_other_refused (void)
{
  g_autoptr (GArray) loads = readelf_loads (prog_nopie);
  guint64 first_page = g_array_index (loads, Load, 0).vaddr & ~G_GUINT64_CONSTANT (0xfff);
  g_autoptr (IptMemoryProvider) same = open_elf_ok (prog_nopie, first_page);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) moved = open_elf (prog_nopie, first_page + 0x10000, &error);

  assert_serves_file (same, prog_nopie, 0);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_null (moved);
  g_assert_nonnull (strstr (error->message, prog_nopie));
  g_assert_nonnull (strstr (error->message, "ET_EXEC"));
}

static void
test_pie_at_own_addresses_and_at_base (void)
{
  const guint64 base = G_GUINT64_CONSTANT (0x555555554000);
  g_autoptr (IptMemoryProvider) unrelocated = open_elf_ok (prog_pie, BASE_UNSET);
  g_autoptr (IptMemoryProvider) provider = open_elf_ok (prog_pie, base);
  g_autoptr (GHashTable) nm = nm_symbols (prog_pie, FALSE);
  g_autofree char *type = NULL;
  guint64 bias = 1;

  assert_serves_file (unrelocated, prog_pie, 0);
  assert_serves_file (provider, prog_pie, base);

  g_object_get (provider, "elf-type", &type, "bias", &bias, NULL);
  g_assert_cmpstr (type, ==, "dyn");
  g_assert_cmphex (bias, ==, base);

  assert_symbol_at (provider, base + nm_address (nm, "main"), 3, "main");
  assert_symbol_at (provider, base + nm_address (nm, "ipt_test_static_helper"), 0,
                    "ipt_test_static_helper");
  assert_symbol_at (unrelocated, nm_address (nm, "ipt_test_global_func"), 1,
                    "ipt_test_global_func");
  /* Unrelocated addresses mean nothing once the file is at a base. */
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (provider), NULL,
                                            nm_address (nm, "main"), NULL, NULL, NULL, NULL));
}

static void
test_shared_object_at_base (void)
{
  const guint64 base = G_GUINT64_CONSTANT (0x7f1234560000);
  g_autoptr (IptMemoryProvider) provider = open_elf_ok (lib_so, base);
  g_autoptr (GHashTable) nm = nm_symbols (lib_so, FALSE);
  g_autoptr (IptSymbol) symbol = NULL;

  assert_serves_file (provider, lib_so, base);
  assert_symbol_at (provider, base + nm_address (nm, "ipt_test_lib_func"), 3,
                    "ipt_test_lib_func");
  assert_symbol_at (provider, base + nm_address (nm, "ipt_test_lib_static"), 2,
                    "ipt_test_lib_static");

  symbol = ipt_symbol_source_lookup_symbol (IPT_SYMBOL_SOURCE (provider), NULL,
                                            base + nm_address (nm, "ipt_test_lib_func") + 3);
  g_assert_nonnull (symbol);
  g_assert_cmpstr (symbol->name, ==, "ipt_test_lib_func");
  g_assert_cmphex (symbol->address, ==, base + nm_address (nm, "ipt_test_lib_func"));
  g_assert_cmpuint (symbol->size, >, 3);
}

static void
test_stripped_uses_dynsym_or_nothing (void)
{
  const guint64 base = G_GUINT64_CONSTANT (0x7f0000000000);
  g_autoptr (IptMemoryProvider) lib = open_elf_ok (lib_stripped, base);
  g_autoptr (IptMemoryProvider) prog = open_elf_ok (prog_stripped, BASE_UNSET);
  g_autoptr (GHashTable) dyn = nm_symbols (lib_stripped, TRUE);
  g_autoptr (GHashTable) full = nm_symbols (prog_pie, FALSE);
  g_autofree char *table = NULL;

  assert_serves_file (lib, lib_stripped, base);
  assert_serves_file (prog, prog_stripped, 0);

  /* The stripped library keeps its exported function in .dynsym; its static
   * function has no name any more. */
  g_object_get (lib, "symbol-table", &table, NULL);
  g_assert_cmpstr (table, ==, ".dynsym");
  assert_symbol_at (lib, base + nm_address (dyn, "ipt_test_lib_func"), 3, "ipt_test_lib_func");

  /* main is not exported by a PIE: a stripped one cannot name it. */
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (prog), NULL,
                                            nm_address (full, "main"), NULL, NULL, NULL, NULL));
}

static void
test_32bit (void)
{
  g_autoptr (IptMemoryProvider) exec = NULL;
  g_autoptr (IptMemoryProvider) dso = NULL;
  g_autoptr (IptMemoryProvider) stripped = NULL;
  g_autoptr (GHashTable) nm = NULL;
  guint elf_class = 0, n_symbols = 1;
  g_autofree char *table = NULL;

  if (prog32 == NULL)
    {
      g_test_fail_printf ("cannot build 32-bit ELF files here: %s", prog32_failure);
      return;
    }
  exec = open_elf_ok (prog32, BASE_UNSET);
  dso = open_elf_ok (lib32, 0x40000000);
  stripped = open_elf_ok (prog32_stripped, BASE_UNSET);
  nm = nm_symbols (prog32, FALSE);

  g_object_get (exec, "elf-class", &elf_class, NULL);
  g_assert_cmpuint (elf_class, ==, 32);
  assert_serves_file (exec, prog32, 0);
  assert_serves_file (dso, lib32, 0x40000000);
  assert_serves_file (stripped, prog32_stripped, 0);
  assert_symbol_at (exec, nm_address (nm, "ipt_test32_func"), 3, "ipt_test32_func");
  assert_symbol_at (exec, nm_address (nm, "_start"), 0, "_start");

  /* ld's static executable has no .dynsym: stripped, it names nothing. */
  g_object_get (stripped, "symbol-table", &table, "n-symbols", &n_symbols, NULL);
  g_assert_null (table);
  g_assert_cmpuint (n_symbols, ==, 0);
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (stripped), NULL,
                                            nm_address (nm, "ipt_test32_func"),
                                            NULL, NULL, NULL, NULL));
}

static void
swap_field (guint8 *p, gsize size)
{
  gsize i;

  for (i = 0; i < size / 2; i++)
    {
      guint8 t = p[i];
      p[i] = p[size - 1 - i];
      p[size - 1 - i] = t;
    }
}

/* A big-endian copy of the non-PIE program: no tool here writes big-endian
 * x86 ELF, so its ELF and program headers are byte-swapped by hand (the
 * section headers are dropped); the segment bytes stay what they are. */
static void
test_big_endian (void)
{
  g_autofree char *data = NULL;
  g_autofree char *path = tmp_path ("prog-big-endian");
  g_autoptr (IptMemoryProvider) provider = NULL;
  Elf64_Ehdr *eh;
  gsize length, i;
  guint16 phnum;

  g_assert_true (g_file_get_contents (prog_nopie, &data, &length, NULL));
  eh = (Elf64_Ehdr *) data;
  phnum = eh->e_phnum;
  for (i = 0; i < phnum; i++)
    {
      guint8 *ph = (guint8 *) data + eh->e_phoff + i * sizeof (Elf64_Phdr);

      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_type), 4);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_flags), 4);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_offset), 8);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_vaddr), 8);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_paddr), 8);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_filesz), 8);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_memsz), 8);
      swap_field (ph + G_STRUCT_OFFSET (Elf64_Phdr, p_align), 8);
    }
  eh->e_shoff = 0;
  eh->e_shnum = 0;
  eh->e_shstrndx = 0;
  eh->e_ident[EI_DATA] = ELFDATA2MSB;
  swap_field ((guint8 *) &eh->e_type, 2);
  swap_field ((guint8 *) &eh->e_machine, 2);
  swap_field ((guint8 *) &eh->e_version, 4);
  swap_field ((guint8 *) &eh->e_entry, 8);
  swap_field ((guint8 *) &eh->e_phoff, 8);
  swap_field ((guint8 *) &eh->e_flags, 4);
  swap_field ((guint8 *) &eh->e_ehsize, 2);
  swap_field ((guint8 *) &eh->e_phentsize, 2);
  swap_field ((guint8 *) &eh->e_phnum, 2);
  swap_field ((guint8 *) &eh->e_shentsize, 2);
  g_assert_true (g_file_set_contents (path, data, length, NULL));

  provider = open_elf_ok (path, BASE_UNSET);
  /* readelf reads the swapped copy's PT_LOADs: the same segments, the
   * same bytes (including the swapped headers in the first one). */
  assert_serves_file (provider, path, 0);
}

static void
test_system_files (void)
{
  const char *candidates[] = { "/bin/true", "/lib/x86_64-linux-gnu/libc.so.6",
                               "/usr/lib32/libc.so.6" };
  guint i, tested = 0;

  for (i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autoptr (IptMemoryProvider) provider = NULL;
      g_autofree char *type = NULL;
      g_autofree char *real = NULL;

      if (!g_file_test (candidates[i], G_FILE_TEST_EXISTS))
        {
          g_test_message ("%s does not exist here", candidates[i]);
          continue;
        }
      real = g_canonicalize_filename (candidates[i], NULL);
      provider = open_elf_ok (real, G_GUINT64_CONSTANT (0x7f0000000000));
      g_object_get (provider, "elf-type", &type, NULL);
      /* Both are ET_DYN on Debian (PIE, DSO). */
      g_assert_cmpstr (type, ==, "dyn");
      assert_serves_file (provider, real, G_GUINT64_CONSTANT (0x7f0000000000));
      tested++;

      if (g_str_has_suffix (real, "libc.so.6"))
        {
          g_autoptr (GHashTable) dyn = nm_symbols (real, TRUE);
          guint64 malloc_at = nm_address (dyn, "malloc");
          const char *name = NULL;
          guint64 offset = 1;
          NmSymbol *sym;

          /* The name chosen among aliases must be one nm lists there. */
          g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (provider), NULL,
                                                   G_GUINT64_CONSTANT (0x7f0000000000) + malloc_at,
                                                   &name, &offset, NULL, NULL));
          g_assert_cmphex (offset, ==, 0);
          sym = g_hash_table_lookup (dyn, name);
          g_assert_nonnull (sym);
          g_assert_cmphex (sym->address, ==, malloc_at);
        }
    }
  g_assert_cmpuint (tested, >=, 2);
}

static void
test_cr3 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) provider =
    g_initable_new (elf_type, NULL, &error, "file", prog_nopie, "cr3", (guint64) 0x1000, NULL);
  g_autoptr (GArray) loads = readelf_loads (prog_nopie);
  IptAsid mine = { 0x1000, IPT_ASID_NO_VMCS }, other = { 0x2000, IPT_ASID_NO_VMCS };
  guint64 at = g_array_index (loads, Load, 0).vaddr;
  g_autoptr (GPtrArray) regions = NULL;
  guint8 byte;

  g_assert_no_error (error);
  g_assert_cmpint (ipt_memory_provider_read (provider, &byte, 1, &mine, at, NULL), ==, 1);
  g_assert_cmpint (ipt_memory_provider_read (provider, &byte, 1, NULL, at, NULL), ==, 1);
  g_assert_cmpint (ipt_memory_provider_read (provider, &byte, 1, &other, at, NULL), ==, 0);
  regions = ipt_memory_provider_list_regions (provider);
  g_assert_cmphex (((IptRegion *) g_ptr_array_index (regions, 0))->asid.cr3, ==, 0x1000);
}

static void
test_read_stitches_file_and_zero_tail (void)
{
  g_autoptr (IptMemoryProvider) provider = open_elf_ok (prog_nopie, BASE_UNSET);
  g_autoptr (GArray) loads = readelf_loads (prog_nopie);
  guint i;

  for (i = 0; i < loads->len; i++)
    {
      const Load *load = &g_array_index (loads, Load, i);
      guint8 buffer[16];

      if (load->memsz <= load->filesz || load->filesz < 8)
        continue;
      /* One read across the last file byte into the zero tail. */
      memset (buffer, 0xaa, sizeof buffer);
      g_assert_cmpint (ipt_memory_provider_read (provider, buffer, sizeof buffer, NULL,
                                                 load->vaddr + load->filesz - 8, NULL),
                       ==, sizeof buffer);
      g_assert_cmpuint (buffer[8], ==, 0);
      g_assert_cmpuint (buffer[15], ==, 0);
      /* The read ends where the segment ends. */
      g_assert_cmpint (ipt_memory_provider_read (provider, buffer, sizeof buffer, NULL,
                                                 load->vaddr + load->memsz - 4, NULL), ==, 4);
      return;
    }
  g_test_fail_printf ("%s has no PT_LOAD with a .bss tail", prog_nopie);
}

/* ---- errors -------------------------------------------------------------- */

static char *
corrupt_copy (const char *name, const char *from, gsize truncate_to,
              void (*patch) (guint8 *data, gsize length))
{
  g_autofree char *data = NULL;
  char *path = tmp_path (name);
  gsize length;

  g_assert_true (g_file_get_contents (from, &data, &length, NULL));
  if (truncate_to > 0)
    length = MIN (length, truncate_to);
  if (patch != NULL)
    patch ((guint8 *) data, length);
  g_assert_true (g_file_set_contents (path, data, length, NULL));
  return path;
}

static void
assert_open_fails (const char *path, guint64 base, gint code, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) provider = open_elf (path, base, &error);

  g_assert_null (provider);
  g_assert_error (error, IPT_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (what != NULL && strstr (error->message, what) == NULL)
    g_error ("'%s' does not say '%s'", error->message, what);
}

static Elf64_Phdr *
nth_load (guint8 *data, guint n)
{
  Elf64_Ehdr *eh = (Elf64_Ehdr *) data;
  guint i, seen = 0;

  for (i = 0; i < eh->e_phnum; i++)
    {
      Elf64_Phdr *ph = (Elf64_Phdr *) (data + eh->e_phoff + i * sizeof (Elf64_Phdr));

      if (ph->p_type == PT_LOAD && seen++ == n)
        return ph;
    }
  g_assert_not_reached ();
}

static void patch_magic (guint8 *d, gsize n) { d[3] = 'G'; }
static void patch_phoff (guint8 *d, gsize n) { ((Elf64_Ehdr *) d)->e_phoff = n - 8; }
static void patch_phoff_zero (guint8 *d, gsize n) { ((Elf64_Ehdr *) d)->e_phoff = 0; }
static void patch_phentsize (guint8 *d, gsize n) { ((Elf64_Ehdr *) d)->e_phentsize = 32; }
static void patch_class (guint8 *d, gsize n) { d[EI_CLASS] = 7; }
static void patch_core (guint8 *d, gsize n) { ((Elf64_Ehdr *) d)->e_type = ET_CORE; }
static void patch_filesz (guint8 *d, gsize n)
{
  Elf64_Phdr *ph = nth_load (d, 1);
  ph->p_filesz = ph->p_memsz + 1;
}
static void patch_overlap (guint8 *d, gsize n)
{
  nth_load (d, 1)->p_vaddr = nth_load (d, 0)->p_vaddr + 8;
}
static void patch_vaddr_overflow (guint8 *d, gsize n)
{
  Elf64_Phdr *ph = nth_load (d, 2);
  ph->p_vaddr = G_GUINT64_CONSTANT (0xfffffffffffff000);
  ph->p_memsz = 0x2000;
}
static void patch_offset_past_eof (guint8 *d, gsize n) { nth_load (d, 1)->p_offset = n - 4; }
static void patch_no_load (guint8 *d, gsize n)
{
  Elf64_Ehdr *eh = (Elf64_Ehdr *) d;
  guint i;

  for (i = 0; i < eh->e_phnum; i++)
    {
      Elf64_Phdr *ph = (Elf64_Phdr *) (d + eh->e_phoff + i * sizeof (Elf64_Phdr));
      if (ph->p_type == PT_LOAD)
        ph->p_type = PT_NULL;
    }
}

static void
test_errors_bad_headers (void)
{
  g_autofree char *magic = corrupt_copy ("bad-magic", prog_pie, 0, patch_magic);
  g_autofree char *cls = corrupt_copy ("bad-class", prog_pie, 0, patch_class);
  g_autofree char *phoff = corrupt_copy ("bad-phoff", prog_pie, 0, patch_phoff);
  g_autofree char *phoff_zero = corrupt_copy ("phoff-zero", prog_pie, 0, patch_phoff_zero);
  g_autofree char *phentsize = corrupt_copy ("bad-phentsize", prog_pie, 0, patch_phentsize);
  g_autofree char *in_ident = corrupt_copy ("trunc-ident", prog_pie, 10, NULL);
  g_autofree char *in_ehdr = corrupt_copy ("trunc-ehdr", prog_pie, 40, NULL);
  g_autofree char *in_phdrs = corrupt_copy ("trunc-phdrs", prog_pie, 100, NULL);
  g_autofree char *core = corrupt_copy ("type-core", prog_pie, 0, patch_core);
  g_autofree char *empty = corrupt_copy ("empty", prog_pie, 0, NULL);

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));

  assert_open_fails (magic, BASE_UNSET, IPT_ERROR_INVALID_ARGUMENT, "not an ELF file");
  assert_open_fails (cls, BASE_UNSET, IPT_ERROR_CORRUPT, "offset 0x4: unknown ELF class 7");
  assert_open_fails (phoff, BASE_UNSET, IPT_ERROR_TRUNCATED, "program header table");
  /* It read the ELF header as program headers and mapped garbage, silently
   * (libelf used to say "cannot read the 10 program headers: no error"). */
  assert_open_fails (phoff_zero, BASE_UNSET, IPT_ERROR_CORRUPT,
                     "offset 0x20: e_phoff 0x0 points into the ELF header (64 bytes), but the file"
                     " has ");
  assert_open_fails (phentsize, BASE_UNSET, IPT_ERROR_CORRUPT,
                     "offset 0x36: e_phentsize is 32, expected 56");
  assert_open_fails (in_ident, BASE_UNSET, IPT_ERROR_TRUNCATED, "ELF identification");
  assert_open_fails (in_ehdr, BASE_UNSET, IPT_ERROR_TRUNCATED, "ELF64 header");
  assert_open_fails (in_phdrs, BASE_UNSET, IPT_ERROR_TRUNCATED, "program header table");
  assert_open_fails (core, BASE_UNSET, IPT_ERROR_NOT_SUPPORTED, "coredump plugin");
  assert_open_fails (object_file, BASE_UNSET, IPT_ERROR_NOT_SUPPORTED, "ET_REL");
  assert_open_fails (empty, BASE_UNSET, IPT_ERROR_INVALID_ARGUMENT, "empty");
}

static void
test_errors_bad_segments (void)
{
  g_autoptr (GArray) loads = readelf_loads (prog_pie);
  g_autofree char *half = corrupt_copy ("trunc-half", prog_pie,
                                        g_array_index (loads, Load, 1).offset + 16, NULL);
  g_autofree char *filesz = corrupt_copy ("filesz-gt-memsz", prog_pie, 0, patch_filesz);
  g_autofree char *overlap = corrupt_copy ("overlap", prog_pie, 0, patch_overlap);
  g_autofree char *wrap = corrupt_copy ("vaddr-overflow", prog_pie, 0, patch_vaddr_overflow);
  g_autofree char *past = corrupt_copy ("offset-past-eof", prog_pie, 0, patch_offset_past_eof);
  g_autofree char *none = corrupt_copy ("no-load", prog_pie, 0, patch_no_load);

  assert_open_fails (half, BASE_UNSET, IPT_ERROR_TRUNCATED, "extend past the end of the file");
  assert_open_fails (half, BASE_UNSET, IPT_ERROR_TRUNCATED, "program header ");
  assert_open_fails (filesz, BASE_UNSET, IPT_ERROR_CORRUPT, "is larger than p_memsz");
  assert_open_fails (overlap, BASE_UNSET, IPT_ERROR_CORRUPT, "overlaps program header");
  assert_open_fails (wrap, BASE_UNSET, IPT_ERROR_CORRUPT, "past the end of the 64-bit address space");
  assert_open_fails (past, BASE_UNSET, IPT_ERROR_TRUNCATED, "at offset 0x");
  assert_open_fails (none, BASE_UNSET, IPT_ERROR_CORRUPT, "no PT_LOAD");
  /* A base that pushes the file past 2^64. */
  assert_open_fails (prog_pie, G_GUINT64_CONSTANT (0xfffffffffffff000),
                     IPT_ERROR_INVALID_ARGUMENT, "64-bit address space");
}

static void patch_vaddr_at_top (guint8 *d, gsize n)
{
  Elf64_Phdr *ph = nth_load (d, 2);
  ph->p_vaddr = G_GUINT64_CONSTANT (0xfffffffffffff000);
  ph->p_memsz = 0x1000;
  ph->p_filesz = MIN (ph->p_filesz, 0x1000);
}

/* A segment ending exactly at 2^64 is refused, as raw, pagedump and
 * coredump refuse such a range, and said so: it is not past the end. */
static void
test_errors_end_at_2_64 (void)
{
  g_autoptr (GArray) loads = readelf_loads (prog_pie);
  g_autofree char *top = corrupt_copy ("vaddr-at-top", prog_pie, 0, patch_vaddr_at_top);
  guint64 first_page = G_MAXUINT64, end = 0;

  assert_open_fails (top, BASE_UNSET, IPT_ERROR_CORRUPT,
                     "PT_LOAD at 0xfffffffffffff000, size 0x1000, ends at 2^64, the top of the"
                     " 64-bit address space, which cannot be mapped");

  for (guint i = 0; i < loads->len; i++)
    {
      const Load *l = &g_array_index (loads, Load, i);
      first_page = MIN (first_page, l->vaddr & ~G_GUINT64_CONSTANT (0xfff));
      end = MAX (end, l->vaddr + l->memsz);
    }
  /* the base that puts the file's last byte at 2^64 - 1 */
  assert_open_fails (prog_pie, 0 - (end - first_page), IPT_ERROR_INVALID_ARGUMENT,
                     "ends at 2^64, the top of the 64-bit address space, which cannot be mapped");
}

/* A file name that is not UTF-8 is quoted escaped: GError messages are UTF-8. */
static void
test_errors_name_escaped (void)
{
  g_autofree char *odd = corrupt_copy ("core-\xff", prog_pie, 0, patch_core);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) provider = open_elf (odd, BASE_UNSET, &error);

  g_assert_null (provider);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "/core-\\xff: offset 0x10: a core dump (ET_CORE)"));
}

static void
test_errors_bad_options (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) missing = g_initable_new (elf_type, NULL, &error, NULL);
  g_autofree char *nonexistent = tmp_path ("does-not-exist");

  g_assert_null (missing);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_nonnull (strstr (error->message, "'file'"));

  assert_open_fails (nonexistent, BASE_UNSET, IPT_ERROR_NOT_FOUND, NULL);
  assert_open_fails (tmpdir, BASE_UNSET, IPT_ERROR_INVALID_ARGUMENT, "not a regular file");
}

static void
test_properties_are_documented (void)
{
  GObjectClass *klass = g_type_class_ref (elf_type);
  const char *options[] = { "file", "base", "cr3" };
  const char *readonly[] = { "build-id", "elf-class", "elf-type", "bias", "symbol-table",
                             "n-symbols" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (options); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, options[i]);

      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
      g_assert_nonnull (g_param_spec_get_nick (pspec));
      g_assert_cmpuint (strlen (g_param_spec_get_blurb (pspec)), >, 10);
    }
  for (i = 0; i < G_N_ELEMENTS (readonly); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, readonly[i]);

      g_assert_nonnull (pspec);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
      g_assert_cmpuint (strlen (g_param_spec_get_blurb (pspec)), >, 10);
    }
  g_type_class_unref (klass);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("ipt-test-elf-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  load_plugin ();
  build_fixtures ();

  g_test_add_func ("/plugin-elf/non-pie/segments-and-symbols", test_nopie_segments_and_symbols);
  g_test_add_func ("/plugin-elf/non-pie/own-base-accepted-other-refused",
                   test_nopie_own_base_accepted_other_refused);
  g_test_add_func ("/plugin-elf/pie/own-addresses-and-base", test_pie_at_own_addresses_and_at_base);
  g_test_add_func ("/plugin-elf/shared-object/at-base", test_shared_object_at_base);
  g_test_add_func ("/plugin-elf/stripped/dynsym-or-nothing", test_stripped_uses_dynsym_or_nothing);
  g_test_add_func ("/plugin-elf/32-bit/exec-dso-stripped", test_32bit);
  g_test_add_func ("/plugin-elf/big-endian/swapped-headers", test_big_endian);
  g_test_add_func ("/plugin-elf/system/bin-true-and-libc", test_system_files);
  g_test_add_func ("/plugin-elf/asid/cr3", test_cr3);
  g_test_add_func ("/plugin-elf/read/stitches-file-and-zero-tail",
                   test_read_stitches_file_and_zero_tail);
  g_test_add_func ("/plugin-elf/errors/bad-headers", test_errors_bad_headers);
  g_test_add_func ("/plugin-elf/errors/bad-segments", test_errors_bad_segments);
  g_test_add_func ("/plugin-elf/errors/bad-options", test_errors_bad_options);
  g_test_add_func ("/plugin-elf/errors/end-at-2-64", test_errors_end_at_2_64);
  g_test_add_func ("/plugin-elf/errors/name-escaped", test_errors_name_escaped);
  g_test_add_func ("/plugin-elf/properties/documented", test_properties_are_documented);

  result = g_test_run ();
  test_remove_tree (tmpdir);
  g_free (tmpdir);
  return result;
}
