/* test-cli-kcore.c: ipt-analyze --kcore FILE, the kernel's code for
 * kernel-space addresses, through the real binary:
 *
 *   a vmlinux (ET_EXEC at the kernel's text address): tests/kcore's
 *     vmlinux-like, built by meson, read back by segment;
 *   a copy of /proc/kcore (an ET_CORE whose PT_LOADs sit at kernel virtual
 *     addresses, no NT_FILE): written here from vmlinux-like's bytes, as
 *     /proc/kcore is not readable on every test machine;
 *
 * and the warning --perf gives for a recording that traced the kernel when
 * no --kcore is given (the real hardware recording in ../shared/perf-data).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <elf.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "test-support.h"

#define MODULE_ADDRESS G_GUINT64_CONSTANT (0xffffffffc0001000)

typedef struct {
  char *tmp;
  char *vmlinux;
  GBytes *vmlinux_bytes;
  const Elf64_Phdr *text;       /* vmlinux's executable PT_LOAD */
  char *core;                   /* the kcore-like copy written from it */
  guint8 module[300];           /* a second PT_LOAD's bytes, "a module" */
} Fixture;

/* A core as /proc/kcore is: ELF64 ET_CORE, a PT_NOTE ("CORE" NT_PRPSINFO)
 * and PT_LOADs at kernel addresses; here vmlinux's text and the module. */
static void
write_kcore (Fixture *f)
{
  const guint8 *file = g_bytes_get_data (f->vmlinux_bytes, NULL);
  const guint64 note_size = 12 + 8 + 136;
  Elf64_Ehdr eh = { 0 };
  Elf64_Phdr ph[3] = { { 0 } };
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 note[12 + 8 + 136] = { 0 };
  guint64 at;

  memcpy (eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_CORE;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof (Elf64_Phdr);
  eh.e_phnum = G_N_ELEMENTS (ph);

  at = sizeof eh + sizeof ph;
  ph[0].p_type = PT_NOTE;
  ph[0].p_offset = at;
  ph[0].p_filesz = note_size;
  at += note_size;
  ph[1].p_type = PT_LOAD;
  ph[1].p_flags = PF_R | PF_W | PF_X;
  ph[1].p_offset = at;
  ph[1].p_vaddr = f->text->p_vaddr;
  ph[1].p_filesz = ph[1].p_memsz = f->text->p_filesz;
  ph[1].p_align = 4096;
  at += f->text->p_filesz;
  ph[2] = ph[1];
  ph[2].p_offset = at;
  ph[2].p_vaddr = MODULE_ADDRESS;
  ph[2].p_filesz = ph[2].p_memsz = sizeof f->module;

  /* namesz 5 ("CORE\0", padded to 8), descsz 136, type NT_PRPSINFO */
  note[0] = 5;
  note[4] = 136;
  note[8] = NT_PRPSINFO;
  memcpy (note + 12, "CORE", 5);

  g_byte_array_append (out, (const guint8 *) &eh, sizeof eh);
  g_byte_array_append (out, (const guint8 *) ph, sizeof ph);
  g_byte_array_append (out, note, sizeof note);
  g_byte_array_append (out, file + f->text->p_offset, (guint) f->text->p_filesz);
  g_byte_array_append (out, f->module, sizeof f->module);
  g_file_set_contents (f->core, (const char *) out->data, out->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (out);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const Elf64_Ehdr *eh;
  gsize size;

  f->tmp = g_dir_make_tmp ("test-cli-kcore-XXXXXX", &error);
  g_assert_no_error (error);
  f->vmlinux = g_strdup (test_env_path ("IPT_VMLINUX_LIKE"));
  g_file_get_contents (f->vmlinux, &contents, &size, &error);
  g_assert_no_error (error);
  f->vmlinux_bytes = g_bytes_new_take (g_steal_pointer (&contents), size);

  /* vmlinux-like is this machine's ELF64 LE: its headers as they are */
  eh = g_bytes_get_data (f->vmlinux_bytes, NULL);
  g_assert_cmpuint (size, >=, sizeof *eh);
  g_assert_cmpint (eh->e_type, ==, ET_EXEC);
  g_assert_cmpuint (eh->e_phoff + eh->e_phnum * sizeof (Elf64_Phdr), <=, size);
  for (guint i = 0; i < eh->e_phnum; i++)
    {
      const Elf64_Phdr *ph = (const Elf64_Phdr *) ((const guint8 *) eh + eh->e_phoff) + i;

      if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && ph->p_filesz > 0)
        f->text = ph;
    }
  g_assert_nonnull (f->text);
  g_assert_cmphex (f->text->p_vaddr, >=, G_GUINT64_CONSTANT (0xffffffff80000000));

  for (guint i = 0; i < sizeof f->module; i++)
    f->module[i] = (guint8) (i * 7 + 3);
  f->core = g_build_filename (f->tmp, "kcore", NULL);
  write_kcore (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->core);
  g_rmdir (f->tmp);
  g_free (f->tmp);
  g_free (f->vmlinux);
  g_bytes_unref (f->vmlinux_bytes);
  g_free (f->core);
}

/* --read ADDRESS:SIZE through --kcore @file equals @expected. */
static void
assert_reads (const char *file, guint64 address, const guint8 *expected, gsize size)
{
  g_autofree char *range = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x:%" G_GSIZE_FORMAT,
                                            address, size);
  const char *argv[] = { test_env_path ("IPT_ANALYZE"), "--kcore", file, "--read", range, NULL };
  g_autofree char *got = NULL, *err = NULL;
  gsize length;

  /* --read writes raw bytes */
  g_assert_cmpint (test_spawn_raw (argv, NULL, &got, &length, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpmem (got, length, expected, size);
}

static void
test_vmlinux (Fixture *f, gconstpointer data)
{
  const guint8 *file = g_bytes_get_data (f->vmlinux_bytes, NULL);

  assert_reads (f->vmlinux, f->text->p_vaddr, file + f->text->p_offset, f->text->p_filesz);
}

static void
test_kcore_copy (Fixture *f, gconstpointer data)
{
  const guint8 *file = g_bytes_get_data (f->vmlinux_bytes, NULL);

  assert_reads (f->core, f->text->p_vaddr, file + f->text->p_offset, f->text->p_filesz);
  assert_reads (f->core, MODULE_ADDRESS, f->module, sizeof f->module);
}

/* A missing file and a file of neither kind: exit 1, named by the option. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->tmp, "missing", NULL);
  g_autofree char *text = g_build_filename (f->tmp, "text", NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (test_run_analyze ((const char *[]) { "--kcore", missing, "--read", "0:1", NULL },
                                     NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "ipt-analyze: error: --kcore '"));
  g_assert_nonnull (strstr (err, "missing"));
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (text, "not a kernel\n", -1, NULL));
  g_assert_cmpint (test_run_analyze ((const char *[]) { "--kcore", text, "--read", "0:1", NULL },
                                     NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "not an ELF file"));
  g_unlink (text);
}

/* The quipper recording traced kernel and user space: without --kcore,
 * one warning saying which option gives the kernel's code; with it, none. */
static void
test_perf_kernel_traced (Fixture *f, gconstpointer data)
{
  g_autofree char *perf_data = g_build_filename (g_getenv ("IPT_PERF_DATA_DIR"), "quipper",
                                                 "perf.data.intel_pt-4.14", NULL);
  const char *warning = "the kernel was traced, but its code cannot be read: give it with "
                        "--kcore FILE";
  g_autofree char *err = NULL;

  if (!g_file_test (perf_data, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("no ../shared/perf-data/quipper");
      return;
    }
  g_assert_cmpint (test_run_analyze ((const char *[]) { "--perf", perf_data, "-q", NULL },
                                     NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, warning));
  g_assert_null (strstr (strstr (err, warning) + 1, warning));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (test_run_analyze ((const char *[]) { "--perf", perf_data, "-q", "--kcore",
                                                        f->core, NULL },
                                     NULL, &err), ==, 0);
  g_assert_null (strstr (err, warning));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/kcore/vmlinux/read", test_vmlinux);
  ADD ("/kcore/kcore-copy/read", test_kcore_copy);
  ADD ("/kcore/errors", test_errors);
  ADD ("/kcore/perf/kernel-traced-warning", test_perf_kernel_traced);
#undef ADD
  return g_test_run ();
}
