/* test-plugin-qemu.c: the qemu plugin, loaded for real, over
 * dump-guest-memory ELF files written here the way QEMU writes them
 * (e_ehsize 8, every p_vaddr 0, the RAM's address in p_paddr, an
 * NT_PRSTATUS then a "QEMU" CPU-state note), holding page tables built by
 * hand: reads through the snapshot's CR3, the read's CR3 and the cr3
 * option; regions as file sections, code copied into a memfd and the
 * catch-all; physical=true; paging off; 32-bit guests refused; every
 * truncation of the file an error naming the file; and the translation
 * cache under threads. The real QEMU snapshots are tests/qemu's. */
#include "config.h"

#include <elf.h>
#include <string.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>

#include "plugin-test.h"
#include "trace-builder.h"
#include "../plugins/qemu/ipt-qemu-tlb.h"

#define RAM1 0x100000         /* PT_LOAD 1: guest-physical [0, 1 MiB) */
#define RAM2 0x100000         /* PT_LOAD 2: [1 MiB, 2 MiB) */
#define P 0x1
#define RW 0x2
#define US 0x4
#define PS 0x80
#define XD (G_GUINT64_CONSTANT (1) << 63)

#define CR3_A 0x1000
#define CR3_B 0x5000
#define CODE_A 0x10000        /* 0x400000 under A */
#define CODE_A2 0x180000      /* 0x401000 under A: not next to CODE_A in the file */
#define CODE_B 0x20000        /* 0x400000 under B */
#define DATA 0x30000          /* 0x600000 under A, not executable */
#define LOOP 0x40000          /* TRACE_BUILDER_LOOP_BASE under B only */
#define KERNEL_VA G_GUINT64_CONSTANT (0xffffffff80000000)  /* a 2 MiB page at 0 */

#define NOTE_SIZE 0x1b8       /* QEMUCPUState, version 1 */
#define PRSTATUS_SIZE 336

typedef struct {
  guint8 ram[RAM1 + RAM2];
  guint64 cr0, cr3, cr4;
  gboolean cs_long;
  gboolean no_cpu_note;
} Guest;

static void
put64 (guint8 *p, guint64 v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static void
put32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static void
entry (Guest *g, guint64 table, guint index, guint64 value)
{
  put64 (g->ram + table + index * 8, value);
}

/* A: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000
 *      0x400000 -> CODE_A, 0x401000 -> CODE_A2 (both user code)
 *      0x600000 -> DATA (XD)
 *    PML4[511] -> PDPT 0x6000 [510] -> PD 0x7000 [0]: 2 MiB page at 0
 * B: PML4 0x5000 -> the same PDPT/PD layout at 0x8000/0x9000/0xa000,
 *      0x400000 -> CODE_B; and PT 0xc000: 0x1000 -> LOOP (trace-builder's
 *      loop code; A maps nothing there) */
static void
guest_init (Guest *g)
{
  memset (g, 0, sizeof (*g));
  entry (g, 0x1000, 0, 0x2000 | P | RW | US);
  entry (g, 0x2000, 0, 0x3000 | P | RW | US);
  entry (g, 0x3000, 2, 0x4000 | P | RW | US);       /* 0x400000 >> 21 = 2 */
  entry (g, 0x3000, 3, 0xb000 | P | RW | US);       /* 0x600000 */
  entry (g, 0x4000, 0, CODE_A | P | US);
  entry (g, 0x4000, 1, CODE_A2 | P | US);
  entry (g, 0xb000, 0, DATA | P | RW | US | XD);
  entry (g, 0x1000, 511, 0x6000 | P | RW);
  entry (g, 0x6000, 510, 0x7000 | P | RW);
  entry (g, 0x7000, 0, 0x0 | P | RW | PS);

  entry (g, CR3_B, 0, 0x8000 | P | RW | US);
  entry (g, 0x8000, 0, 0x9000 | P | RW | US);
  entry (g, 0x9000, 2, 0xa000 | P | RW | US);
  entry (g, 0xa000, 0, CODE_B | P | US);
  entry (g, 0x9000, 0, 0xc000 | P | RW | US);
  entry (g, 0xc000, TRACE_BUILDER_LOOP_BASE >> 12, LOOP | P | US);
  memcpy (g->ram + LOOP, trace_builder_loop_code, trace_builder_loop_code_size);

  for (guint i = 0; i < 0x1000; i++)
    {
      g->ram[CODE_A + i] = (guint8) (0xa0 + i % 7);
      g->ram[CODE_A2 + i] = (guint8) (0x50 + i % 11);
      g->ram[CODE_B + i] = (guint8) (0xb0 + i % 5);
      g->ram[DATA + i] = (guint8) i;
    }
  g->cr0 = 0x80050033;
  g->cr3 = CR3_A;
  g->cr4 = 0x20;       /* PAE */
  g->cs_long = TRUE;
}

static guint8 *
note (guint8 *p, const char *name, guint32 type, const guint8 *desc, guint32 descsz)
{
  guint32 namesz = (guint32) strlen (name) + 1;

  put32 (p, namesz);
  put32 (p + 4, descsz);
  put32 (p + 8, type);
  memcpy (p + 12, name, namesz);
  p += 12 + ((namesz + 3) & ~3u);
  memcpy (p, desc, descsz);
  return p + ((descsz + 3) & ~3u);
}

/* The file QEMU would write for @g; its size in *size. */
static guint8 *
dump_bytes (const Guest *g, gsize *size)
{
  guint8 prstatus[PRSTATUS_SIZE] = { 0 };
  guint8 cpu[NOTE_SIZE] = { 0 };
  guint64 phoff = 64, notes_off = phoff + 3 * 56, notes_size, load_off;
  guint8 *file, *p;
  gsize total;

  put32 (cpu, 1);
  put32 (cpu + 4, NOTE_SIZE);
  put64 (cpu + 8 + 16 * 8, 0x400010);                         /* rip */
  put32 (cpu + 8 + 18 * 8 + 8, g->cs_long ? 1u << 21 : 0);    /* cs.flags */
  put64 (cpu + 8 + 18 * 8 + 240, g->cr0);
  put64 (cpu + 8 + 18 * 8 + 240 + 24, g->cr3);
  put64 (cpu + 8 + 18 * 8 + 240 + 32, g->cr4);

  notes_size = 12 + 8 + PRSTATUS_SIZE + (g->no_cpu_note ? 0 : 12 + 8 + NOTE_SIZE);
  load_off = notes_off + notes_size;
  total = load_off + RAM1 + RAM2;
  file = g_malloc0 (total);

  memcpy (file, ELFMAG, SELFMAG);
  file[EI_CLASS] = ELFCLASS64;
  file[EI_DATA] = ELFDATA2LSB;
  file[EI_VERSION] = EV_CURRENT;
  file[16] = ET_CORE;
  file[18] = g->cs_long ? EM_X86_64 : EM_386;
  put32 (file + 20, EV_CURRENT);
  put64 (file + 32, phoff);
  file[52] = 8;                         /* e_ehsize: QEMU writes 8 */
  file[54] = 56;                        /* e_phentsize */
  file[56] = 3;                         /* e_phnum */

  p = file + phoff;                     /* PT_NOTE, then the two PT_LOADs */
  put32 (p, PT_NOTE);
  put64 (p + 8, notes_off);
  put64 (p + 32, notes_size);
  put64 (p + 40, notes_size);
  for (int i = 0; i < 2; i++)
    {
      p += 56;
      put32 (p, PT_LOAD);
      put64 (p + 8, load_off + (guint64) i * RAM1);
      put64 (p + 16, 0);                 /* p_vaddr: 0, as QEMU writes it */
      put64 (p + 24, (guint64) i * RAM1);  /* p_paddr */
      put64 (p + 32, i == 0 ? RAM1 : RAM2);
      put64 (p + 40, i == 0 ? RAM1 : RAM2);
    }
  p = note (file + notes_off, "CORE", NT_PRSTATUS, prstatus, PRSTATUS_SIZE);
  if (!g->no_cpu_note)
    note (p, "QEMU", 0, cpu, NOTE_SIZE);
  memcpy (file + load_off, g->ram, RAM1 + RAM2);
  *size = total;
  return file;
}

typedef struct {
  char *dir;
  char *dump;
  Guest guest;
} Fixture;

static void
write_dump (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize size;

  bytes = dump_bytes (&f->guest, &size);
  g_assert_true (g_file_set_contents (f->dump, (const char *) bytes, (gssize) size, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ipt-qemu-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->dump = g_build_filename (f->dir, "guest.elf", NULL);
  guest_init (&f->guest);
  write_dump (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_unlink (f->dump);
  g_rmdir (f->dir);
  g_free (f->dump);
  g_free (f->dir);
}

static IptMemoryProvider *
open_provider (const char *dump, guint64 cr3, gboolean physical, GError **error)
{
  const IptPluginInfo *info = plugin_test_load ("qemu");
  GObject *object = g_object_new (info->get_provider_type (), "snapshot", dump, "cr3", cr3,
                                  "physical", physical, NULL);

  if (!g_initable_init (G_INITABLE (object), NULL, error))
    {
      g_object_unref (object);
      return NULL;
    }
  return IPT_MEMORY_PROVIDER (object);
}

static IptMemoryProvider *
open_ok (const char *dump, guint64 cr3, gboolean physical)
{
  g_autoptr (GError) error = NULL;
  IptMemoryProvider *provider = open_provider (dump, cr3, physical, &error);

  g_assert_no_error (error);
  return provider;
}

#define NO IPT_ASID_NO_CR3

static void
assert_reads (IptMemoryProvider *provider, guint64 cr3, guint64 address, const guint8 *expected,
              gsize size)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *buffer = g_malloc0 (size);
  IptAsid asid = { cr3, IPT_ASID_NO_VMCS };

  g_assert_cmpint (ipt_memory_provider_read (provider, buffer, size, &asid, address, &error), ==,
                   (gssize) size);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, size, expected, size);
}

static gssize
read_n (IptMemoryProvider *provider, guint64 cr3, guint64 address, gsize size)
{
  g_autoptr (GError) error = NULL;
  guint8 buffer[64];
  IptAsid asid = { cr3, IPT_ASID_NO_VMCS };
  gssize n;

  g_assert_cmpuint (size, <=, sizeof (buffer));
  n = ipt_memory_provider_read (provider, buffer, size, &asid, address, &error);
  g_assert_no_error (error);
  return n;
}

/* Reads without a CR3 go through the snapshot vCPU's; one read stitches
 * pages that are not next to each other physically. */
static void
test_read_virtual (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);
  guint8 expected[16];
  guint64 rip = 0, cr3 = 0;

  assert_reads (provider, IPT_ASID_NO_CR3, 0x400000, f->guest.ram + CODE_A, 64);
  memcpy (expected, f->guest.ram + CODE_A + 0xff8, 8);
  memcpy (expected + 8, f->guest.ram + CODE_A2, 8);
  assert_reads (provider, IPT_ASID_NO_CR3, 0x400ff8, expected, 16);
  assert_reads (provider, CR3_A, 0x600000, f->guest.ram + DATA, 32);
  assert_reads (provider, IPT_ASID_NO_CR3, KERNEL_VA + CODE_B, f->guest.ram + CODE_B, 32);
  /* the snapshot's state is readable */
  g_object_get (provider, "rip", &rip, "snapshot-cr3", &cr3, NULL);
  g_assert_cmphex (rip, ==, 0x400010);
  g_assert_cmphex (cr3, ==, CR3_A);
}

/* The read's CR3 wins over the snapshot's; the cr3 option wins over both. */
static void
test_read_cr3 (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);
  g_autoptr (IptMemoryProvider) forced = open_ok (f->dump, CR3_B, FALSE);

  assert_reads (provider, CR3_B, 0x400000, f->guest.ram + CODE_B, 64);
  assert_reads (provider, CR3_A, 0x400000, f->guest.ram + CODE_A, 64);
  /* PCID bits (CR3[11:0]) are not part of the tables' address */
  assert_reads (provider, CR3_B | 0x7, 0x400000, f->guest.ram + CODE_B, 64);
  /* B maps nothing at 0x401000 and 0x600000 */
  g_assert_cmpint (read_n (provider, CR3_B, 0x401000, 8), ==, 0);
  g_assert_cmpint (read_n (provider, CR3_B, 0x400ff8, 16), ==, 8);

  assert_reads (forced, CR3_A, 0x400000, f->guest.ram + CODE_B, 64);
  assert_reads (forced, IPT_ASID_NO_CR3, 0x400000, f->guest.ram + CODE_B, 64);
}

/* Unmapped addresses, a CR3 outside RAM, non-canonical addresses: 0 bytes,
 * never an error; twice (the second from the translation cache). */
static void
test_unmapped (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);

  for (int round = 0; round < 2; round++)
    {
      g_assert_cmpint (read_n (provider, IPT_ASID_NO_CR3, 0x800000, 8), ==, 0);
      g_assert_cmpint (read_n (provider, IPT_ASID_NO_CR3, 0x0000800000000000, 8), ==, 0);
      g_assert_cmpint (read_n (provider, 0x40000000, 0x400000, 8), ==, 0);
      g_assert_cmpint (read_n (provider, IPT_ASID_NO_CR3, 0x400000, 8), ==, 8);
    }
}

static const IptRegion *
find_region (GPtrArray *regions, guint64 address)
{
  for (guint i = 0; i < regions->len; i++)
    {
      const IptRegion *r = g_ptr_array_index (regions, i);

      if (r->address == address && r->size != G_MAXUINT64)
        return r;
    }
  return NULL;
}

/* Code that lies in the file as one run is a section of the file; code
 * whose pages lie apart is copied into a memfd, in the order of its
 * virtual addresses; the last region
 * catches every other address space. */
static void
test_regions (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);
  g_autoptr (GPtrArray) regions = ipt_memory_provider_list_regions (provider);
  g_autofree char *abs = g_canonicalize_filename (f->dump, NULL);
  const IptRegion *user, *kernel, *data_region, *last;
  g_autofree guint8 *copied = NULL;
  gsize copied_size = 0;
  g_auto (GStrv) summary = NULL;

  user = find_region (regions, 0x400000);
  g_assert_nonnull (user);
  g_assert_cmphex (user->size, ==, 0x2000);
  g_assert_cmphex (user->asid.cr3, ==, CR3_A);
  g_assert_true (user->permissions & IPT_PERMISSIONS_EXECUTE);
  g_assert_false (user->permissions & IPT_PERMISSIONS_WRITE);
  g_assert_nonnull (user->filename);
  g_assert_true (g_str_has_prefix (user->filename, "/proc/self/fd/"));
  g_assert_true (g_file_get_contents (user->filename, (char **) &copied, &copied_size, NULL));
  g_assert_cmpuint (copied_size, >=, user->file_offset + 0x2000);
  g_assert_cmpmem (copied + user->file_offset, 0x1000, f->guest.ram + CODE_A, 0x1000);
  g_assert_cmpmem (copied + user->file_offset + 0x1000, 0x1000, f->guest.ram + CODE_A2, 0x1000);

  kernel = find_region (regions, KERNEL_VA);
  g_assert_nonnull (kernel);
  g_assert_cmphex (kernel->size, ==, 0x200000);   /* across the two PT_LOADs: one run */
  g_assert_cmpstr (kernel->filename, ==, abs);

  data_region = find_region (regions, 0x600000);
  g_assert_nonnull (data_region);
  g_assert_false (data_region->permissions & IPT_PERMISSIONS_EXECUTE);
  g_assert_cmpstr (data_region->filename, ==, abs);   /* one page: one run in the file */

  last = g_ptr_array_index (regions, regions->len - 1);
  g_assert_cmphex (last->address, ==, 0);
  g_assert_cmphex (last->size, ==, G_MAXUINT64);
  g_assert_cmphex (last->asid.cr3, ==, IPT_ASID_NO_CR3);
  g_assert_null (last->filename);

  g_object_get (provider, "summary", &summary, NULL);
  for (guint i = 0; summary != NULL && summary[i] != NULL; i++)
    g_test_message ("%s", summary[i]);
  g_assert_nonnull (summary);
  g_assert_true (g_strv_contains ((const char *const *) summary, "dump-guest-memory ELF"));
  {
    g_autofree char *all = g_strjoinv ("\n", summary);

    g_assert_nonnull (strstr (all, "RAM block 'PT_LOAD 2', 1 MiB: guest-physical 0x100000-0x200000"));
    g_assert_nonnull (strstr (all, "CR3 0x1000"));
    g_assert_nonnull (strstr (all, "1 copied into memory (8 KiB)"));
  }
}

/* Through an IptImage and libipt: the file sections and the callback. */
static void
test_image (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);
  g_autoptr (IptImage) image = ipt_image_new ("guest");
  g_autoptr (GError) error = NULL;
  guint8 buffer[32];
  IptAsid b = { CR3_B, IPT_ASID_NO_VMCS };
  IptAsid a = { CR3_A, IPT_ASID_NO_VMCS };

  ipt_image_add_provider (image, provider);
  g_assert_cmpint (ipt_image_read (image, buffer, sizeof (buffer), &a, 0x400ff0, &error), ==,
                   sizeof (buffer));
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, 16, f->guest.ram + CODE_A + 0xff0, 16);
  g_assert_cmpmem (buffer + 16, 16, f->guest.ram + CODE_A2, 16);
  g_assert_cmpint (ipt_image_read (image, buffer, sizeof (buffer), &b, 0x400000, &error), ==,
                   sizeof (buffer));
  g_assert_cmpmem (buffer, sizeof (buffer), f->guest.ram + CODE_B, sizeof (buffer));
}

static guint
count_sections_at (IptImage *image, guint64 address, guint64 cr3)
{
  g_autoptr (GPtrArray) mappings = ipt_image_list_mappings (image);
  guint n = 0;

  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *m = g_ptr_array_index (mappings, i);

      n += m->is_file_section && ipt_region_contains (m->region, address) &&
           m->region->asid.cr3 == cr3;
    }
  return n;
}

/* The address spaces a trace uses are indexed too once the image is told
 * them: the same address, another CR3, a section of its own. */
static void
test_address_spaces (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);
  g_autoptr (IptImage) image = ipt_image_new ("guest");
  const IptAsid spaces[] = { { CR3_B, IPT_ASID_NO_VMCS }, { CR3_A, IPT_ASID_NO_VMCS } };
  g_auto (GStrv) summary = NULL;
  g_autofree char *all = NULL;

  ipt_image_add_provider (image, provider);
  g_assert_true (ipt_image_serves_address_spaces (image));
  g_assert_cmpuint (count_sections_at (image, 0x400000, CR3_A), ==, 1);
  g_assert_cmpuint (count_sections_at (image, 0x400000, CR3_B), ==, 0);

  g_assert_cmpuint (ipt_image_add_address_spaces (image, spaces, 2), ==, 2);
  g_assert_cmpuint (ipt_image_add_address_spaces (image, spaces, 2), ==, 0);
  g_assert_cmpuint (count_sections_at (image, 0x400000, CR3_A), ==, 1);
  g_assert_cmpuint (count_sections_at (image, 0x400000, CR3_B), ==, 1);
  g_assert_cmpuint (count_sections_at (image, TRACE_BUILDER_LOOP_BASE, CR3_B), ==, 1);
  g_assert_null (ipt_memory_provider_list_regions_in (provider, &spaces[1]));  /* its own */

  /* an address space whose tables are not in the snapshot: said, once */
  {
    const IptAsid nowhere = { 0x40000000, IPT_ASID_NO_VMCS };

    g_test_expect_message ("Ipt-qemu", G_LOG_LEVEL_WARNING,
                           "*CR3 0x40000000, an address space the trace uses, maps nothing*");
    g_assert_cmpuint (ipt_image_add_address_spaces (image, &nowhere, 1), ==, 1);
    g_test_assert_expected_messages ();
  }

  g_object_get (provider, "summary", &summary, NULL);
  all = g_strjoinv ("\n", summary);
  g_assert_nonnull (strstr (all, "CR3 0x5000 (asked for): 2 ranges, 2 of code"));
  g_assert_nonnull (strstr (all, "CR3 0x40000000 (asked for): maps nothing"));
}

/* A trace in B (a PIP in its PSB+) decodes: IptDecoder scans it for its
 * CR3s and the image serves B's code as sections. */
static void
test_decode_pip (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, FALSE);
  g_autoptr (IptImage) image = ipt_image_new ("guest");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) trace = NULL;
  TraceBuilder builder;

  ipt_image_add_provider (image, provider);
  trace_builder_init (&builder);
  trace_builder_put_loop_run_in (&builder, CR3_B);
  trace_builder_put_loop_run_in (&builder, CR3_B);
  trace = trace_builder_finish (&builder);

  for (int kind = 0; kind < 2; kind++)
    {
      g_autoptr (IptDecoder) decoder = ipt_decoder_new (image, kind == 0 ? IPT_DECODER_KIND_INSN
                                                                         : IPT_DECODER_KIND_BLOCK);
      g_autoptr (IptStatistics) stats = ipt_statistics_new ();

      g_assert_true (ipt_decoder_decode_bytes (decoder, trace, IPT_SINK (stats), NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ipt_statistics_get_n_insns (stats), ==, 30);
      g_assert_cmpuint (ipt_statistics_get_n_errors (stats), ==, 0);
    }
  g_assert_cmpuint (count_sections_at (image, TRACE_BUILDER_LOOP_BASE, CR3_B), ==, 1);
}

static void
test_physical (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = open_ok (f->dump, NO, TRUE);
  g_autoptr (GPtrArray) regions = ipt_memory_provider_list_regions (provider);
  g_autofree char *abs = g_canonicalize_filename (f->dump, NULL);

  assert_reads (provider, CR3_B, CODE_A, f->guest.ram + CODE_A, 64);
  assert_reads (provider, IPT_ASID_NO_CR3, RAM1 - 8, f->guest.ram + RAM1 - 8, 16);
  g_assert_cmpint (read_n (provider, IPT_ASID_NO_CR3, RAM1 + RAM2 - 4, 8), ==, 4);
  g_assert_cmpuint (regions->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const IptRegion *r = g_ptr_array_index (regions, i);

      g_assert_cmphex (r->address, ==, i * RAM1);
      g_assert_cmpstr (r->filename, ==, abs);
    }
}

/* A vCPU with paging off reads guest-physical addresses as virtual. */
static void
test_paging_off (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = NULL;

  f->guest.cr0 = 0x60000010;
  f->guest.cs_long = FALSE;
  write_dump (f);
  provider = open_ok (f->dump, NO, FALSE);
  assert_reads (provider, IPT_ASID_NO_CR3, CODE_B, f->guest.ram + CODE_B, 64);
}

static void
test_not_long_mode (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = NULL;
  g_autoptr (GError) error = NULL;

  f->guest.cr4 = 0;
  f->guest.cs_long = FALSE;
  write_dump (f);
  provider = open_provider (f->dump, NO, FALSE, &error);
  g_assert_null (provider);
  plugin_test_assert_error_names (error, IPT_ERROR_NOT_SUPPORTED, "qemu", f->dump,
                                  "not in long mode", "physical=true", NULL);
}

/* Without vCPU state only reads that carry a CR3 are translated. */
static void
test_no_cpu_note (Fixture *f, gconstpointer data)
{
  g_autoptr (IptMemoryProvider) provider = NULL;

  f->guest.no_cpu_note = TRUE;
  write_dump (f);
  provider = open_ok (f->dump, NO, FALSE);
  g_assert_cmpint (read_n (provider, IPT_ASID_NO_CR3, 0x400000, 8), ==, 0);
  assert_reads (provider, CR3_B, 0x400000, f->guest.ram + CODE_B, 64);
}

/* Every cut of the file: an error naming the file (and, for the headers,
 * the offset), or a snapshot that reads what it has — never a crash. */
static void
test_truncated (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *bytes = NULL;
  g_autofree char *shown = NULL;
  gsize size;

  bytes = dump_bytes (&f->guest, &size);
  for (gsize cut = 0; cut < 0x400; cut += 7)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (IptMemoryProvider) provider = NULL;

      g_assert_true (g_file_set_contents (f->dump, (const char *) bytes, (gssize) cut, NULL));
      provider = open_provider (f->dump, NO, FALSE, &error);
      g_assert_null (provider);
      g_assert_nonnull (error);
      if (strstr (error->message, "guest.elf") == NULL)
        g_error ("cut at %" G_GSIZE_FORMAT ": '%s' does not name the file", cut, error->message);
      if (cut >= 64 && strstr (error->message, "offset") == NULL)
        g_error ("cut at %" G_GSIZE_FORMAT ": '%s' names no offset", cut, error->message);
    }
  /* cut inside the RAM: the dump is cut short */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (IptMemoryProvider) provider = NULL;

    g_assert_true (g_file_set_contents (f->dump, (const char *) bytes, (gssize) (size - 100), NULL));
    provider = open_provider (f->dump, NO, FALSE, &error);
    g_assert_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED);
    g_assert_nonnull (strstr (error->message, "cut short"));
  }
}

static void
test_not_a_snapshot (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IptMemoryProvider) provider = NULL;

  g_assert_true (g_file_set_contents (f->dump, "hello, world\n", -1, NULL));
  provider = open_provider (f->dump, NO, FALSE, &error);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not a QEMU snapshot"));
}

/* ---- the translation cache ------------------------------------------------ */

static void
test_tlb_basic (void)
{
  g_autoptr (IptQemuTlb) tlb = ipt_qemu_tlb_new (4);
  guint64 ppage = 0;
  guint flags = 0;

  g_assert_cmpint (ipt_qemu_tlb_lookup (tlb, 0x1000, 0x400000, &ppage, &flags), ==,
                   IPT_QEMU_TLB_MISS);
  ipt_qemu_tlb_insert (tlb, 0x1000, 0x400000, TRUE, 0x10000, 5);
  ipt_qemu_tlb_insert (tlb, 0x2000, 0x500000, FALSE, 0, 0);
  g_assert_cmpint (ipt_qemu_tlb_lookup (tlb, 0x1000, 0x400000, &ppage, &flags), ==,
                   IPT_QEMU_TLB_MAPPED);
  g_assert_cmphex (ppage, ==, 0x10000);
  g_assert_cmpuint (flags, ==, 5);
  /* another CR3, same page: not this entry */
  if (ipt_qemu_tlb_lookup (tlb, 0x3000, 0x400000, &ppage, &flags) != IPT_QEMU_TLB_MISS)
    g_error ("a lookup with another CR3 hit");
  g_assert_cmpint (ipt_qemu_tlb_lookup (tlb, 0x2000, 0x500000, &ppage, &flags), ==,
                   IPT_QEMU_TLB_UNMAPPED);
}

typedef struct {
  IptQemuTlb *tlb;
  guint seed;
  gint wrong;
} TlbWorker;

/* The value cached for a key is a function of the key, so any torn read
 * shows as a wrong value. */
static gpointer
tlb_worker (gpointer data)
{
  TlbWorker *w = data;
  guint32 x = w->seed;

  for (int i = 0; i < 200000; i++)
    {
      guint64 cr3, vpage, ppage = 0;
      guint flags = 0;

      x = x * 1664525u + 1013904223u;
      cr3 = (guint64) (x >> 28) << 12;
      vpage = (guint64) ((x >> 8) & 0x3ff) << 12;
      if (ipt_qemu_tlb_lookup (w->tlb, cr3, vpage, &ppage, &flags) == IPT_QEMU_TLB_MAPPED)
        {
          if (ppage != ((vpage ^ (cr3 << 8)) & ~G_GUINT64_CONSTANT (0xfff)) ||
              flags != (guint) ((vpage >> 12) & 7))
            g_atomic_int_inc (&w->wrong);
        }
      else
        ipt_qemu_tlb_insert (w->tlb, cr3, vpage, TRUE,
                             (vpage ^ (cr3 << 8)) & ~G_GUINT64_CONSTANT (0xfff),
                             (guint) ((vpage >> 12) & 7));
    }
  return NULL;
}

static void
test_tlb_threads (void)
{
  g_autoptr (IptQemuTlb) tlb = ipt_qemu_tlb_new (6);   /* small: many collisions */
  TlbWorker workers[4];
  GThread *threads[4];

  for (int i = 0; i < 4; i++)
    {
      workers[i] = (TlbWorker) { tlb, (guint) i * 7919 + 1, 0 };
      threads[i] = g_thread_new ("tlb", tlb_worker, &workers[i]);
    }
  for (int i = 0; i < 4; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpint (workers[i].wrong, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/qemu/elf/read-virtual", test_read_virtual);
  ADD ("/qemu/elf/read-cr3", test_read_cr3);
  ADD ("/qemu/elf/unmapped", test_unmapped);
  ADD ("/qemu/elf/regions", test_regions);
  ADD ("/qemu/elf/image", test_image);
  ADD ("/qemu/elf/address-spaces", test_address_spaces);
  ADD ("/qemu/elf/decode-pip", test_decode_pip);
  ADD ("/qemu/elf/physical", test_physical);
  ADD ("/qemu/elf/paging-off", test_paging_off);
  ADD ("/qemu/elf/not-long-mode", test_not_long_mode);
  ADD ("/qemu/elf/no-cpu-note", test_no_cpu_note);
  ADD ("/qemu/elf/truncated", test_truncated);
  ADD ("/qemu/elf/not-a-snapshot", test_not_a_snapshot);
#undef ADD
  g_test_add_func ("/qemu/tlb/basic", test_tlb_basic);
  g_test_add_func ("/qemu/tlb/threads", test_tlb_threads);

  return g_test_run ();
}
