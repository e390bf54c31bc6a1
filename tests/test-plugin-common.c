/* test-plugin-common.c: the code the provider plugins share (plugins/common/),
 * compiled into the test: the ELF reader on hand-made headers (PN_XNUM,
 * p_paddr, both classes and byte orders, the note walk, the messages) and
 * the option helpers on a small provider-like type. */
#include "config.h"

#include <elf.h>
#include <string.h>

#include "../plugins/common/ipt-elf-reader.h"
#include "../plugins/common/ipt-provider-options.h"

/* ---- ELF reader ----------------------------------------------------------- */

static void
put (guint8 *p, guint64 offset, guint64 value, guint n, gboolean big_endian)
{
  for (guint i = 0; i < n; i++)
    p[offset + (big_endian ? n - 1 - i : i)] = (guint8) (value >> (8 * i));
}

/* A 64-bit little-endian ET_CORE of @size bytes: program headers at 0x40,
 * @phnum of them written (e_phnum says @e_phnum). */
static guint8 *
make_elf64 (gsize size, guint16 e_phnum, guint phnum)
{
  guint8 *d = g_malloc0 (size);

  memcpy (d, ELFMAG, SELFMAG);
  d[EI_CLASS] = ELFCLASS64;
  d[EI_DATA] = ELFDATA2LSB;
  d[EI_VERSION] = EV_CURRENT;
  put (d, 16, ET_CORE, 2, FALSE);
  put (d, 18, EM_X86_64, 2, FALSE);
  put (d, 32, 0x40, 8, FALSE);     /* e_phoff */
  put (d, 52, 64, 2, FALSE);       /* e_ehsize */
  put (d, 54, 56, 2, FALSE);       /* e_phentsize */
  put (d, 56, e_phnum, 2, FALSE);
  for (guint i = 0; i < phnum; i++)
    {
      guint64 at = 0x40 + 56 * i;

      put (d, at, PT_LOAD, 4, FALSE);
      put (d, at + 4, PF_R | PF_X, 4, FALSE);
      put (d, at + 16, 0x400000 + 0x1000 * i, 8, FALSE);   /* p_vaddr */
      put (d, at + 24, 0x9000 + 0x1000 * i, 8, FALSE);     /* p_paddr */
      put (d, at + 40, 0x1000, 8, FALSE);                  /* p_memsz */
    }
  return d;
}

static void
test_reader_pn_xnum_and_paddr (void)
{
  gsize size = 0x40 + 2 * 56 + 64;
  g_autofree guint8 *d = make_elf64 (size, PN_XNUM, 2);
  g_autoptr (GError) error = NULL;
  guint64 shoff = 0x40 + 2 * 56;
  IptElfReader r;
  IptElfHeader h;
  IptElfPhdr ph;

  /* The count lives in section header 0's sh_info. */
  put (d, 40, shoff, 8, FALSE);
  put (d, shoff + 44, 2, 4, FALSE);
  g_assert_true (ipt_elf_reader_open (&r, d, size, "x.core", &h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.elf_class, ==, 64);
  g_assert_cmpuint (h.type, ==, ET_CORE);
  g_assert_cmpuint (h.ehsize, ==, 64);
  g_assert_cmpuint (h.phnum, ==, 2);
  ipt_elf_reader_phdr (&r, &h, 1, &ph);
  g_assert_cmpuint (ph.index, ==, 1);
  g_assert_cmpuint (ph.header_offset, ==, 0x40 + 56);
  g_assert_cmpuint (ph.vaddr, ==, 0x401000);
  g_assert_cmpuint (ph.paddr, ==, 0xa000);
  g_assert_cmpuint (ph.flags, ==, PF_R | PF_X);

  /* Without section header 0 the count is not known. */
  put (d, 40, 0, 8, FALSE);
  g_assert_false (ipt_elf_reader_open (&r, d, size, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED);
  g_assert_cmpstr (error->message, ==,
                   "x.core: offset 0x38: e_phnum is PN_XNUM but section header 0 (e_shoff 0x0),"
                   " which holds the count, is not in the file (size 0xf0)");
}

static void
test_reader_big_endian_32 (void)
{
  guint8 d[52 + 32] = { 0 };
  IptElfReader r;
  IptElfHeader h;
  IptElfPhdr ph;

  memcpy (d, ELFMAG, SELFMAG);
  d[EI_CLASS] = ELFCLASS32;
  d[EI_DATA] = ELFDATA2MSB;
  d[EI_VERSION] = EV_CURRENT;
  put (d, 16, ET_EXEC, 2, TRUE);
  put (d, 24, 0x8048123, 4, TRUE);   /* e_entry */
  put (d, 28, 52, 4, TRUE);          /* e_phoff */
  put (d, 42, 32, 2, TRUE);          /* e_phentsize */
  put (d, 44, 1, 2, TRUE);           /* e_phnum */
  put (d, 52, PT_LOAD, 4, TRUE);
  put (d, 52 + 8, 0x8048000, 4, TRUE);
  put (d, 52 + 12, 0x1000, 4, TRUE);
  put (d, 52 + 20, 0x2000, 4, TRUE);
  put (d, 52 + 24, PF_R, 4, TRUE);
  g_assert_true (ipt_elf_reader_open (&r, d, sizeof d, "be32", &h, NULL));
  g_assert_true (r.big_endian);
  g_assert_cmpuint (h.elf_class, ==, 32);
  g_assert_cmpuint (h.entry, ==, 0x8048123);
  ipt_elf_reader_phdr (&r, &h, 0, &ph);
  g_assert_cmpuint (ph.vaddr, ==, 0x8048000);
  g_assert_cmpuint (ph.paddr, ==, 0x1000);
  g_assert_cmpuint (ph.memsz, ==, 0x2000);
  g_assert_cmpuint (ph.flags, ==, PF_R);
}

static void
test_reader_errors (void)
{
  gsize size = 0x80;
  g_autofree guint8 *d = make_elf64 (size, 2, 1);
  g_autoptr (GError) error = NULL;
  IptElfReader r;
  IptElfHeader h;

  /* Two entries of 56 bytes at 0x40 need 0xb0 bytes. */
  g_assert_false (ipt_elf_reader_open (&r, d, size, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED);
  g_assert_cmpstr (error->message, ==,
                   "x.core: offset 0x40: the program header table (2 entries of 56 bytes,"
                   " e_phoff at offset 0x20) runs past the end of the file (size 0x80)");
  g_clear_error (&error);

  put (d, 54, 32, 2, FALSE);
  g_assert_false (ipt_elf_reader_open (&r, d, size, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "x.core: offset 0x36: e_phentsize is 32, expected 56 for ELF64");
  g_clear_error (&error);

  d[EI_VERSION] = 7;
  g_assert_false (ipt_elf_reader_open (&r, d, size, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "x.core: offset 0x6: unknown ELF version 7 (expected 1)");
  g_clear_error (&error);

  g_assert_false (ipt_elf_reader_open (&r, d, 40, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
  g_clear_error (&error);
  d[EI_VERSION] = EV_CURRENT;
  g_assert_false (ipt_elf_reader_open (&r, d, 40, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED);
  g_assert_cmpstr (error->message, ==, "x.core: offset 0x0: the file (size 0x28) ends inside"
                                       " the ELF64 header (0x40 bytes)");
  g_clear_error (&error);

  d[1] = 'X';
  g_assert_false (ipt_elf_reader_open (&r, d, size, "x.core", &h, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "x.core: offset 0x0: not an ELF file (no ELF magic)");
}

/* Writes a note at @at of a segment at 0; returns the offset after it.
 * The description and the next note are aligned to @pad. */
static guint64
put_note (guint8 *d, guint64 at, const char *name, guint32 type, guint descsz, guint pad)
{
  guint namesz = strlen (name) + 1;

  put (d, at, namesz, 4, FALSE);
  put (d, at + 4, descsz, 4, FALSE);
  put (d, at + 8, type, 4, FALSE);
  memcpy (d + at + 12, name, namesz);
  at = (at + 12 + namesz + pad - 1) & ~(guint64) (pad - 1);
  memset (d + at, 0xab, descsz);
  return (at + descsz + pad - 1) & ~(guint64) (pad - 1);
}

static void
test_reader_notes (void)
{
  guint8 d[128] = { 0 };
  IptElfReader r = { d, sizeof d, TRUE, FALSE };
  IptElfNotes notes;
  IptElfNote note;
  guint64 end;

  /* Aligned to 8 (p_align 8, as GNU property notes are): "CORE\0" ends
   * at 17, its description starts at 24; the next note at 32 has its
   * "GNU\0" end at 48, an aligned place for the description. */
  end = put_note (d, 0, "CORE", 1, 4, 8);
  g_assert_cmpuint (end, ==, 32);
  end = put_note (d, end, "GNU", NT_GNU_BUILD_ID, 20, 8);
  g_assert_cmpuint (end, ==, 72);
  ipt_elf_notes_init (&notes, 0, end, 8);
  g_assert_cmpint (ipt_elf_notes_next (&r, &notes, &note), ==, 1);
  g_assert_true (ipt_elf_note_has_name (&r, &note, "CORE"));
  g_assert_cmpuint (note.desc_offset, ==, 24);
  g_assert_cmpint (ipt_elf_notes_next (&r, &notes, &note), ==, 1);
  g_assert_true (ipt_elf_note_has_name (&r, &note, "GNU"));
  g_assert_false (ipt_elf_note_has_name (&r, &note, "GN"));
  g_assert_cmpuint (note.type, ==, NT_GNU_BUILD_ID);
  g_assert_cmpuint (note.desc_offset, ==, 48);
  g_assert_cmpuint (note.descsz, ==, 20);
  g_assert_cmpint (ipt_elf_notes_next (&r, &notes, &note), ==, 0);

  /* Padded to 4, and a description that runs past the segment. */
  memset (d, 0, sizeof d);
  end = put_note (d, 0, "CORE", 1, 4, 4);
  g_assert_cmpuint (end, ==, 24);
  put (d, end, 5, 4, FALSE);
  put (d, end + 4, 200, 4, FALSE);
  ipt_elf_notes_init (&notes, 0, end + 40, 4);
  g_assert_cmpint (ipt_elf_notes_next (&r, &notes, &note), ==, 1);
  g_assert_cmpuint (note.desc_offset, ==, 20);
  g_assert_cmpint (ipt_elf_notes_next (&r, &notes, &note), ==, -1);
  g_assert_cmpuint (note.offset, ==, 24);
  g_assert_cmpuint (note.descsz, ==, 200);
  g_assert_cmpint (ipt_elf_notes_next (&r, &notes, &note), ==, 0);
}

/* ---- options --------------------------------------------------------------- */

#define TEST_TYPE_OPTIONS (test_options_get_type ())
G_DECLARE_FINAL_TYPE (TestOptions, test_options, TEST, OPTIONS, GObject)

struct _TestOptions {
  GObject parent_instance;
  char *file;
  guint64 base;
  guint64 cr3;
  guint not_an_option;
};

enum { PROP_0, PROP_FILE, PROP_BASE, PROP_CR3, PROP_OTHER, N_PROPS };
static GParamSpec *properties[N_PROPS];
static const IptProviderOption options[] = {
  IPT_PROVIDER_OPTION (PROP_FILE, TestOptions, file, TRUE),
  IPT_PROVIDER_OPTION (PROP_BASE, TestOptions, base, TRUE),
  IPT_PROVIDER_OPTION (PROP_CR3, TestOptions, cr3, FALSE),
};

G_DEFINE_FINAL_TYPE (TestOptions, test_options, G_TYPE_OBJECT)

static void
test_options_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (ipt_provider_options_get_property (object, options, G_N_ELEMENTS (options), prop_id, value,
                                       pspec))
    return;
  g_assert_cmpuint (prop_id, ==, PROP_OTHER);
  g_value_set_uint (value, TEST_OPTIONS (object)->not_an_option);
}

static void
test_options_set_property (GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
  g_assert_true (ipt_provider_options_set_property (object, options, G_N_ELEMENTS (options),
                                                  prop_id, value, pspec));
}

static void
test_options_finalize (GObject *object)
{
  ipt_provider_options_finalize (object, options, G_N_ELEMENTS (options), properties);
  G_OBJECT_CLASS (test_options_parent_class)->finalize (object);
}

static void
test_options_class_init (TestOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_options_get_property;
  object_class->set_property = test_options_set_property;
  object_class->finalize = test_options_finalize;
  properties[PROP_FILE] = ipt_plugin_param_spec_file ("file", "File", "A file (required)");
  properties[PROP_BASE] = g_param_spec_uint64 ("base", "Base", "A base (required)", 0,
                                               G_MAXUINT64, 7,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                                 | G_PARAM_STATIC_STRINGS);
  properties[PROP_CR3] = ipt_plugin_param_spec_cr3 ("test");
  properties[PROP_OTHER] = g_param_spec_uint ("other", "Other", "Not an option", 0, 9, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
test_options_init (TestOptions *self)
{
  self->not_an_option = 3;
}

static gboolean
check (TestOptions *self, GError **error)
{
  return ipt_provider_options_check_required (G_OBJECT (self), "test", options,
                                            G_N_ELEMENTS (options), properties, error);
}

static void
test_options_table (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TestOptions) none = g_object_new (TEST_TYPE_OPTIONS, NULL);
  g_autoptr (TestOptions) empty = g_object_new (TEST_TYPE_OPTIONS, "file", "", "base", 1, NULL);
  g_autoptr (TestOptions) no_base = g_object_new (TEST_TYPE_OPTIONS, "file", "f", NULL);
  g_autoptr (TestOptions) all = g_object_new (TEST_TYPE_OPTIONS, "file", "f", "base",
                                              G_GUINT64_CONSTANT (0), "cr3",
                                              G_GUINT64_CONSTANT (0x1000), NULL);
  g_autofree char *file = NULL;
  guint64 base = 1, cr3 = 0;
  guint other = 0;
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (all), "cr3");

  /* Checked in the table's order; a number's default means "not given". */
  g_assert_false (check (none, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_cmpstr (error->message, ==, "test: option 'file' is required");
  g_clear_error (&error);
  g_assert_false (check (empty, &error));
  g_assert_cmpstr (error->message, ==, "test: option 'file' is required");
  g_clear_error (&error);
  g_assert_false (check (no_base, &error));
  g_assert_cmpstr (error->message, ==, "test: option 'base' is required");
  g_clear_error (&error);
  g_assert_true (check (all, &error));
  g_assert_no_error (error);

  g_object_get (all, "file", &file, "base", &base, "cr3", &cr3, "other", &other, NULL);
  g_assert_cmpstr (file, ==, "f");
  g_assert_cmpuint (base, ==, 0);
  g_assert_cmpuint (cr3, ==, 0x1000);
  g_assert_cmpuint (other, ==, 3);
  g_assert_cmpuint (none->cr3, ==, IPT_ASID_NO_CR3);

  g_assert_cmpstr (g_param_spec_get_nick (pspec), ==, "CR3");
  g_assert_cmpstr (g_param_spec_get_blurb (pspec), ==,
                   "Address space (CR3) of the test, default: every address space");
  g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (all), "file");
  g_assert_true (G_IS_PARAM_SPEC_STRING (pspec));
  g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
  g_assert_null (G_PARAM_SPEC_STRING (pspec)->default_value);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin-common/elf-reader/pn-xnum-and-paddr", test_reader_pn_xnum_and_paddr);
  g_test_add_func ("/plugin-common/elf-reader/big-endian-32", test_reader_big_endian_32);
  g_test_add_func ("/plugin-common/elf-reader/errors-name-file-and-offset", test_reader_errors);
  g_test_add_func ("/plugin-common/elf-reader/notes", test_reader_notes);
  g_test_add_func ("/plugin-common/options/table", test_options_table);
  return g_test_run ();
}
