/* test-image-sections.c: the pt_image that IptImage hands to libipt. Its file
 * sections and its callback must give exactly the bytes of the chain.
 *
 * Method: memory is filled with random one-byte, non-branching x86-64
 * instructions (distinct per file, per offset and per provider), a trace
 * enables tracing at the first address, and libipt's own instruction decoder
 * walks the memory byte by byte through the pt_image until the first
 * unmapped byte. Every decoded instruction's byte is compared with an
 * independent per-byte model of the chain, and its section id (isid) tells
 * whether libipt read it from a file section or from the callback; a
 * section placed at a wrong address, offset or asid, or covering a range
 * that a higher-priority provider owns, fails the test. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "mock-provider.h"

#define CR3_1 G_GUINT64_CONSTANT (0x11000)
#define CR3_2 G_GUINT64_CONSTANT (0x22000)

/* one-byte x86-64 instructions that libipt treats as plain (no branch, no prefix) */
static const guint8 one_byte_insns[] = {
  0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
  0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
  0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
  0x98, 0x99, 0x9e, 0x9f, 0xf5, 0xf8, 0xf9, 0xfc, 0xfd,
};

typedef struct {
  IptMemoryProvider *provider;  /* unowned */
  guint64 address;
  gsize size;
  IptAsid asid;
  const guint8 *bytes;          /* what the provider serves there */
} ModelRegion;

typedef struct {
  char *dir;
  char *file_a;
  char *file_b;
  guint8 *a;
  guint8 *b;
  GPtrArray *buffers;           /* keeps model bytes alive */
  GArray *model;                /* ModelRegion, priority order */
  GPtrArray *providers;
  IptImage *image;
} Fixture;

static guint8 *
random_code (GRand *rand, gsize size)
{
  guint8 *bytes = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    bytes[i] = one_byte_insns[g_rand_int_range (rand, 0, G_N_ELEMENTS (one_byte_insns))];
  return bytes;
}

static void
model_add (Fixture *f, IptMockProvider *mock, guint64 address, gsize size, const IptAsid *asid,
           const guint8 *bytes)
{
  ModelRegion r = { IPT_MEMORY_PROVIDER (mock), address, size, IPT_ASID_INIT_ANY, bytes };

  if (asid != NULL)
    r.asid = *asid;
  g_array_append_val (f->model, r);
}

static IptMockProvider *
add_memory (Fixture *f, GRand *rand, gboolean list_regions, guint64 address, gsize size,
            const IptAsid *asid)
{
  IptMockProvider *mock = ipt_mock_provider_new (list_regions);
  guint8 *bytes = random_code (rand, size);

  ipt_mock_provider_add_bytes (mock, address, bytes, size, asid);
  model_add (f, mock, address, size, asid, bytes);
  g_ptr_array_add (f->buffers, bytes);
  g_ptr_array_add (f->providers, mock);
  return mock;
}

static IptMockProvider *
add_file (Fixture *f, guint64 address, const char *filename, const guint8 *contents,
          guint64 offset, gsize size, const IptAsid *asid)
{
  IptMockProvider *mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipt_mock_provider_add_file (mock, address, filename, offset, size, asid, &error));
  g_assert_no_error (error);
  model_add (f, mock, address, size, asid, contents + offset);
  g_ptr_array_add (f->providers, mock);
  return mock;
}

/* The mixed image:
 *   P0  memory, any      [0x10800, 0x10900)  cuts P1's section
 *   P1  file A @0, any   [0x10000, 0x14000)
 *   P2  file B @0x1000   [0x13000, 0x16000)  P1 wins [0x13000, 0x14000)
 *   P3  memory, cr3 1    [0x15800, 0x17000)  over P4 for cr3 1 and "any"
 *   P4  file A @0, cr3 2 [0x16000, 0x18000)
 *   P5  file B @0, cr3 1 [0x10400, 0x10500)  never wins (P1 covers it)
 *   P6  memory, cr3 1    [0x11000, 0x11100)  after P1: never wins
 *   P7  no list_regions  [0x18000, 0x18100)
 * and, first of all, P8: memory, cr3 1 [0x12000, 0x12100) over P1. */
static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x1b7);
  g_autoptr(GError) error = NULL;
  IptAsid cr3_1 = { CR3_1, IPT_ASID_NO_VMCS };
  IptAsid cr3_2 = { CR3_2, IPT_ASID_NO_VMCS };
  IptMockProvider *p8;

  f->dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", &error);
  g_assert_no_error (error);
  f->file_a = g_build_filename (f->dir, "a.bin", NULL);
  f->file_b = g_build_filename (f->dir, "b.bin", NULL);
  f->a = random_code (rand, 0x4000);
  f->b = random_code (rand, 0x4000);
  g_assert_true (g_file_set_contents (f->file_a, (const char *) f->a, 0x4000, &error));
  g_assert_true (g_file_set_contents (f->file_b, (const char *) f->b, 0x4000, &error));

  f->buffers = g_ptr_array_new_with_free_func (g_free);
  f->model = g_array_new (FALSE, FALSE, sizeof (ModelRegion));
  f->providers = g_ptr_array_new_with_free_func (g_object_unref);
  f->image = ipt_image_new ("sections");

  p8 = add_memory (f, rand, TRUE, 0x12000, 0x100, &cr3_1);
  add_memory (f, rand, TRUE, 0x10800, 0x100, NULL);
  add_file (f, 0x10000, f->file_a, f->a, 0, 0x4000, NULL);
  add_file (f, 0x13000, f->file_b, f->b, 0x1000, 0x3000, NULL);
  add_memory (f, rand, TRUE, 0x15800, 0x1800, &cr3_1);
  add_file (f, 0x16000, f->file_a, f->a, 0, 0x2000, &cr3_2);
  add_file (f, 0x10400, f->file_b, f->b, 0, 0x100, &cr3_1);
  add_memory (f, rand, TRUE, 0x11000, 0x100, &cr3_1);
  add_memory (f, rand, FALSE, 0x18000, 0x100, NULL);
  (void) p8;

  for (guint i = 0; i < f->providers->len; i++)
    ipt_image_add_provider (f->image, g_ptr_array_index (f->providers, i));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->image);
  g_ptr_array_unref (f->providers);
  g_array_unref (f->model);
  g_ptr_array_unref (f->buffers);
  g_unlink (f->file_a);
  g_unlink (f->file_b);
  g_rmdir (f->dir);
  g_free (f->file_a);
  g_free (f->file_b);
  g_free (f->dir);
  g_free (f->a);
  g_free (f->b);
}

/* The chain's rule, byte by byte, independent of the image's index. */
static gboolean
model_byte (GArray *model, const IptAsid *asid, guint64 address, guint8 *byte)
{
  for (guint i = 0; i < model->len; i++)
    {
      const ModelRegion *r = &g_array_index (model, ModelRegion, i);

      if (address >= r->address && address - r->address < r->size && ipt_asid_match (&r->asid, asid))
        {
          *byte = r->bytes[address - r->address];
          return TRUE;
        }
    }
  return FALSE;
}

static gsize
encode_trace (guint8 *buffer, gsize size, guint64 cr3, guint64 ip)
{
  struct pt_config config;
  struct pt_encoder *encoder;
  struct pt_packet packet;
  int status;

  pt_config_init (&config);
  config.begin = buffer;
  config.end = buffer + size;
  encoder = pt_alloc_encoder (&config);
  g_assert_nonnull (encoder);

  memset (&packet, 0, sizeof packet);
  packet.type = ppt_psb;
  g_assert_cmpint (pt_enc_next (encoder, &packet), >, 0);
  if (cr3 != IPT_ASID_NO_CR3)
    {
      memset (&packet, 0, sizeof packet);
      packet.type = ppt_pip;
      packet.payload.pip.cr3 = cr3;
      g_assert_cmpint (pt_enc_next (encoder, &packet), >, 0);
    }
  memset (&packet, 0, sizeof packet);
  packet.type = ppt_psbend;
  g_assert_cmpint (pt_enc_next (encoder, &packet), >, 0);

  memset (&packet, 0, sizeof packet);
  packet.type = ppt_mode;
  packet.payload.mode.leaf = pt_mol_exec;
  packet.payload.mode.bits.exec.csl = 1;
  g_assert_cmpint (pt_enc_next (encoder, &packet), >, 0);

  memset (&packet, 0, sizeof packet);
  packet.type = ppt_tip_pge;
  packet.payload.ip.ipc = pt_ipc_sext_48;
  packet.payload.ip.ip = ip;
  g_assert_cmpint (pt_enc_next (encoder, &packet), >, 0);

  status = pt_enc_get_offset (encoder, &(uint64_t) { 0 });
  g_assert_cmpint (status, >=, 0);
  {
    uint64_t offset = 0;

    pt_enc_get_offset (encoder, &offset);
    pt_free_encoder (encoder);
    return offset;
  }
}

typedef struct {
  guint64 n_insns;
  guint64 n_from_sections;
  guint64 end;                  /* the address where decoding stopped */
  int status;
} DecodeResult;

/* Decodes straight-line code from @start through @image; checks each byte
 * against the model and, when @mappings is given, whether it came from a
 * file section exactly where the image says it put one. */
static DecodeResult
decode_and_check (struct pt_image *image, GArray *model, GPtrArray *mappings,
                  guint64 cr3, guint64 start)
{
  guint8 trace[256];
  gsize trace_size = encode_trace (trace, sizeof trace, cr3, start);
  struct pt_config config;
  struct pt_insn_decoder *decoder;
  IptAsid asid = { cr3, IPT_ASID_NO_VMCS };
  DecodeResult result = { 0, 0, start, 0 };
  int status;

  pt_config_init (&config);
  config.begin = trace;
  config.end = trace + trace_size;
  decoder = pt_insn_alloc_decoder (&config);
  g_assert_nonnull (decoder);
  g_assert_cmpint (pt_insn_set_image (decoder, image), ==, 0);

  status = pt_insn_sync_forward (decoder);
  g_assert_cmpint (status, >=, 0);

  for (;;)
    {
      struct pt_insn insn;
      guint8 expected;
      gboolean in_section = FALSE;

      while (status & pts_event_pending)
        {
          struct pt_event event;

          status = pt_insn_event (decoder, &event, sizeof event);
          g_assert_cmpint (status, >=, 0);
        }

      status = pt_insn_next (decoder, &insn, sizeof insn);
      if (status < 0)
        break;

      g_assert_cmphex (insn.ip, ==, result.end);
      g_assert_cmpuint (insn.size, ==, 1);
      g_assert_true (model_byte (model, &asid, insn.ip, &expected));
      if (insn.raw[0] != expected)
        g_error ("cr3 0x%" G_GINT64_MODIFIER "x, ip 0x%" G_GINT64_MODIFIER "x: byte 0x%02x, "
                 "expected 0x%02x (isid %d)", cr3, insn.ip, insn.raw[0], expected, insn.isid);

      if (mappings != NULL)
        {
          for (guint i = 0; i < mappings->len; i++)
            {
              const IptMapping *m = g_ptr_array_index (mappings, i);

              if (m->is_file_section && ipt_region_contains (m->region, insn.ip) &&
                  ipt_asid_match (&m->region->asid, &asid))
                in_section = TRUE;
            }
          if (in_section != (insn.isid > 0))
            g_error ("cr3 0x%" G_GINT64_MODIFIER "x, ip 0x%" G_GINT64_MODIFIER "x: isid %d but "
                     "the image %s a file section there", cr3, insn.ip, insn.isid,
                     in_section ? "lists" : "does not list");
        }

      result.n_insns++;
      result.n_from_sections += insn.isid > 0;
      result.end = insn.ip + insn.size;
    }

  result.status = status;
  pt_insn_free_decoder (decoder);
  return result;
}

static guint64
model_end (GArray *model, guint64 cr3, guint64 start)
{
  IptAsid asid = { cr3, IPT_ASID_NO_VMCS };
  guint8 byte;

  while (model_byte (model, &asid, start, &byte))
    start++;
  return start;
}

static void
test_sections_match_chain (Fixture *f, gconstpointer data)
{
  static const guint64 cr3s[] = { CR3_1, CR3_2, IPT_ASID_NO_CR3 };
  g_autoptr(GPtrArray) mappings = ipt_image_list_mappings (f->image);
  struct pt_image *image = ipt_image_get_pt_image (f->image);
  struct pt_image *callback_only = pt_image_alloc ("callback-only");
  guint n_sections_listed = 0;

  for (guint i = 0; i < mappings->len; i++)
    n_sections_listed += ((IptMapping *) g_ptr_array_index (mappings, i))->is_file_section;
  g_assert_cmpuint (n_sections_listed, >=, 4);
  g_assert_cmpuint (ipt_image_get_n_file_sections (f->image), ==, n_sections_listed);

  pt_image_set_callback (callback_only, ipt_image_read_memory, f->image);

  for (guint i = 0; i < G_N_ELEMENTS (cr3s); i++)
    {
      guint64 end = model_end (f->model, cr3s[i], 0x10000);
      DecodeResult with_sections, through_callback;

      g_assert_cmphex (end, >, 0x16000);

      with_sections = decode_and_check (image, f->model, mappings, cr3s[i], 0x10000);
      g_assert_cmphex (with_sections.end, ==, end);
      g_assert_cmpint (with_sections.status, ==, -pte_nomap);
      g_assert_cmpuint (with_sections.n_from_sections, >, 0x3000);
      g_assert_cmpuint (with_sections.n_from_sections, <, with_sections.n_insns);

      through_callback = decode_and_check (callback_only, f->model, NULL, cr3s[i], 0x10000);
      g_assert_cmphex (through_callback.end, ==, end);
      g_assert_cmpint (through_callback.status, ==, -pte_nomap);
      g_assert_cmpuint (through_callback.n_from_sections, ==, 0);
    }

  pt_image_free (callback_only);
}

/* The providers whose ranges are all sections are never asked by the decoder. */
static void
test_sections_bypass_providers (Fixture *f, gconstpointer data)
{
  struct pt_image *image = ipt_image_get_pt_image (f->image);
  /* P2: file B, all of its winning range [0x14000, 0x16000) is a section */
  IptMockProvider *p2 = g_ptr_array_index (f->providers, 3);
  DecodeResult result;

  ipt_mock_provider_reset_read_count (p2);
  result = decode_and_check (image, f->model, NULL, CR3_2, 0x14000);
  g_assert_cmpuint (result.n_insns, >, 0x2000);
  g_assert_cmpuint (ipt_mock_provider_get_read_count (p2), ==, 0);
}

static void
test_sections_duplicate_pt_image (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) mappings = ipt_image_list_mappings (f->image);
  struct pt_image *dup = ipt_image_dup_pt_image (f->image);
  DecodeResult result;

  g_assert_true (dup != ipt_image_get_pt_image (f->image));
  result = decode_and_check (dup, f->model, mappings, CR3_1, 0x10000);
  g_assert_cmphex (result.end, ==, model_end (f->model, CR3_1, 0x10000));
  g_assert_cmpuint (result.n_from_sections, >, 0);
  pt_image_free (dup);
}

/* A decoder keeps the chain it started with; a new pt_image has the new one. */
static void
test_sections_snapshot_survives_change (Fixture *f, gconstpointer data)
{
  struct pt_image *before = ipt_image_get_pt_image (f->image);
  g_autoptr(GArray) old_model = g_array_copy (f->model);
  g_autoptr(GPtrArray) old_mappings = ipt_image_list_mappings (f->image);
  g_autoptr(GPtrArray) new_mappings = NULL;
  IptMemoryProvider *p0 = g_ptr_array_index (f->providers, 1);
  struct pt_image *after;
  DecodeResult result;

  g_assert_true (ipt_image_get_pt_image (f->image) == before);

  /* remove P0 (the memory overlay on file A) and drop it from the model */
  g_assert_true (ipt_image_remove_provider (f->image, p0));
  g_array_remove_index (f->model, 1);
  new_mappings = ipt_image_list_mappings (f->image);

  result = decode_and_check (before, old_model, old_mappings, IPT_ASID_NO_CR3, 0x10000);
  g_assert_cmphex (result.end, ==, model_end (old_model, IPT_ASID_NO_CR3, 0x10000));

  after = ipt_image_get_pt_image (f->image);
  g_assert_true (after != before);
  result = decode_and_check (after, f->model, new_mappings, IPT_ASID_NO_CR3, 0x10000);
  g_assert_cmphex (result.end, ==, model_end (f->model, IPT_ASID_NO_CR3, 0x10000));

  /* and the old one still works after that */
  result = decode_and_check (before, old_model, old_mappings, CR3_2, 0x10000);
  g_assert_cmphex (result.end, ==, model_end (old_model, CR3_2, 0x10000));
}

/* A provider without list_regions before the others: it might map anything,
 * so no lower-priority bytes may become sections; the bytes stay right. */
static void
test_sections_unindexed_first (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("unindexed-first");
  g_autoptr(IptMockProvider) opaque = ipt_mock_provider_new (FALSE);
  g_autoptr(IptMockProvider) file = ipt_mock_provider_new (TRUE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree guint8 *code = random_code (rand, 0x2000);
  g_autofree guint8 *overlay = random_code (rand, 0x10);
  g_autofree char *dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "code.bin", NULL);
  g_autoptr(GPtrArray) mappings = NULL;
  g_autoptr(GArray) model = g_array_new (FALSE, FALSE, sizeof (ModelRegion));
  ModelRegion r0 = { IPT_MEMORY_PROVIDER (opaque), 0x40100, 0x10, IPT_ASID_INIT_ANY, overlay };
  ModelRegion r1 = { IPT_MEMORY_PROVIDER (file), 0x40000, 0x2000, IPT_ASID_INIT_ANY, code };
  DecodeResult result;

  g_assert_true (g_file_set_contents (path, (const char *) code, 0x2000, NULL));
  ipt_mock_provider_add_bytes (opaque, 0x40100, overlay, 0x10, NULL);
  g_assert_true (ipt_mock_provider_add_file (file, 0x40000, path, 0, 0x2000, NULL, NULL));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (opaque));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (file));
  g_array_append_val (model, r0);
  g_array_append_val (model, r1);

  mappings = ipt_image_list_mappings (image);
  g_assert_cmpuint (mappings->len, ==, 1);
  g_assert_false (((IptMapping *) g_ptr_array_index (mappings, 0))->is_file_section);
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 0);

  result = decode_and_check (ipt_image_get_pt_image (image), model, mappings, IPT_ASID_NO_CR3, 0x40000);
  g_assert_cmphex (result.end, ==, 0x42000);
  g_assert_cmpuint (result.n_from_sections, ==, 0);

  /* moved behind the file provider, it no longer blocks the section */
  g_object_ref (opaque);
  ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (opaque));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (opaque));
  g_object_unref (opaque);
  g_clear_pointer (&mappings, g_ptr_array_unref);
  mappings = ipt_image_list_mappings (image);
  g_assert_true (((IptMapping *) g_ptr_array_index (mappings, 0))->is_file_section);
  g_array_remove_index (model, 0);
  result = decode_and_check (ipt_image_get_pt_image (image), model, mappings, IPT_ASID_NO_CR3, 0x40000);
  g_assert_cmphex (result.end, ==, 0x42000);
  g_assert_cmpuint (result.n_from_sections, ==, 0x2000);

  g_unlink (path);
  g_rmdir (dir);
}

/* A provider's file region over a fallback region of its own without a
 * file (the qemu plugin: its snapshot's address space as files, every
 * other CR3 translated on read) is still a section: the fallback can only
 * be served by the provider's read, whose bytes the section must equal
 * anyway. Reads of another address space fall to the fallback. */
static void
test_sections_over_own_fallback (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("fallback");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree guint8 *code = random_code (rand, 0x2000);
  g_autofree char *dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "code.bin", NULL);
  g_autoptr(GPtrArray) mappings = NULL;
  g_autoptr(GArray) model = g_array_new (FALSE, FALSE, sizeof (ModelRegion));
  IptAsid a = { 0x1000, IPT_ASID_NO_VMCS };
  IptAsid b = { 0x2000, IPT_ASID_NO_VMCS };
  ModelRegion r0 = { IPT_MEMORY_PROVIDER (mock), 0x40000, 0x2000, { 0x1000, IPT_ASID_NO_VMCS }, code };
  guint8 buffer[16], fill[16];
  DecodeResult result;
  guint n_sections = 0;

  g_assert_true (g_file_set_contents (path, (const char *) code, 0x2000, NULL));
  g_assert_true (ipt_mock_provider_add_file (mock, 0x40000, path, 0, 0x2000, &a, NULL));
  ipt_mock_provider_add_fill (mock, 0, 0x100000, 0xcc, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  g_array_append_val (model, r0);

  mappings = ipt_image_list_mappings (image);
  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *m = g_ptr_array_index (mappings, i);

      if (m->is_file_section)
        {
          n_sections++;
          g_assert_cmphex (m->region->address, ==, 0x40000);
          g_assert_cmphex (m->region->asid.cr3, ==, 0x1000);
        }
    }
  g_assert_cmpuint (n_sections, ==, 1);
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 1);

  result = decode_and_check (ipt_image_get_pt_image (image), model, mappings, 0x1000, 0x40000);
  g_assert_cmphex (result.end, ==, 0x42000);
  g_assert_cmpuint (result.n_from_sections, ==, 0x2000);

  memset (fill, 0xcc, sizeof fill);
  g_assert_cmpint (ipt_image_read (image, buffer, sizeof buffer, &b, 0x40000, NULL), ==, 16);
  g_assert_cmpmem (buffer, 16, fill, 16);
  g_assert_cmpint (ipt_image_read (image, buffer, sizeof buffer, &a, 0x40000, NULL), ==, 16);
  g_assert_cmpmem (buffer, 16, code, 16);

  g_unlink (path);
  g_rmdir (dir);
}

/* A region that claims more of its file than the file has is served through
 * the callback (with a warning), never as a truncated section. */
static void
test_sections_short_file (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("short-file");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autofree char *dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "short.bin", NULL);
  g_autoptr(GPtrArray) mappings = NULL;
  guint8 bytes[0x200];
  guint8 buffer[16];

  memset (bytes, 0x90, sizeof bytes);
  g_assert_true (g_file_set_contents (path, (const char *) bytes, 0x100, NULL));
  ipt_mock_provider_add_file_region_with_bytes (mock, 0x50000, path, 0, bytes, sizeof bytes, NULL);

  g_test_expect_message ("Ipt", G_LOG_LEVEL_WARNING, "*short.bin: region at 0x50000 needs bytes up to offset 0x200*");
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  g_test_assert_expected_messages ();

  mappings = ipt_image_list_mappings (image);
  g_assert_cmpuint (mappings->len, ==, 1);
  g_assert_false (((IptMapping *) g_ptr_array_index (mappings, 0))->is_file_section);
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 0);
  g_assert_cmpint (ipt_image_read_memory (buffer, 16, NULL, 0x501f8, image), ==, 8);

  g_unlink (path);
  g_rmdir (dir);
}

/* Many adjacent pieces of one region (cut by many small higher-priority
 * ranges) become few sections; the resolved index merges equal neighbours. */
static void
test_sections_merge_neighbours (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("merge");
  g_autoptr(IptMockProvider) file = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) low = ipt_mock_provider_new (TRUE);
  g_autofree char *dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "code.bin", NULL);
  guint8 bytes[0x1000];
  g_autoptr(GPtrArray) mappings = NULL;

  memset (bytes, 0x90, sizeof bytes);
  g_assert_true (g_file_set_contents (path, (const char *) bytes, sizeof bytes, NULL));
  g_assert_true (ipt_mock_provider_add_file (file, 0x60000, path, 0, sizeof bytes, NULL, NULL));
  /* lower-priority regions split the address space but never win */
  for (guint i = 0; i < 16; i++)
    ipt_mock_provider_add_fill (low, 0x60000 + i * 0x100, 0x80, 0xcc, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (file));
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (low));

  mappings = ipt_image_list_mappings (image);
  g_assert_cmpuint (mappings->len, ==, 1);
  g_assert_cmphex (((IptMapping *) g_ptr_array_index (mappings, 0))->region->size, ==, 0x1000);
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

static IptMemoryProvider *
file_provider (const char *path, guint64 base, guint64 offset, guint64 size,
               IptPermissions permissions)
{
  g_autoptr(GError) error = NULL;
  IptMemoryProvider *provider = g_initable_new (IPT_TYPE_MOCK_PROVIDER, NULL, &error,
                                                "file", path, "base", base, "offset", offset,
                                                "size", size, "permissions", permissions, NULL);

  g_assert_no_error (error);
  return provider;
}

static gboolean
mapping_is_section (IptImage *image, guint64 address)
{
  g_autoptr(GPtrArray) mappings = ipt_image_list_mappings (image);

  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *m = g_ptr_array_index (mappings, i);

      if (m->region->address == address)
        return m->is_file_section;
    }
  g_assert_not_reached ();
}

/* Past the limit of file sections, code (executable or unknown) and the
 * largest ranges keep theirs; one warning says so, only when code loses
 * sections, and only once per image. The bytes do not change. */
static void
test_sections_limit (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("limit");
  g_autofree char *dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "code.bin", NULL);
  g_autoptr(IptMemoryProvider) unknown = NULL, code = NULL, data = NULL;
  g_autoptr(IptMockProvider) extra = ipt_mock_provider_new (TRUE);
  guint8 bytes[0x8000], byte = 0;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (i / 0x1000 + 1);
  g_assert_true (g_file_set_contents (path, (const char *) bytes, sizeof bytes, NULL));
  unknown = file_provider (path, 0x10000, 0x0000, 0x1000, IPT_PERMISSIONS_NONE);
  code = file_provider (path, 0x20000, 0x1000, 0x2000, IPT_PERMISSIONS_READ | IPT_PERMISSIONS_EXECUTE);
  data = file_provider (path, 0x30000, 0x3000, 0x4000, IPT_PERMISSIONS_READ);
  ipt_image_add_provider (image, unknown);
  ipt_image_add_provider (image, code);
  ipt_image_add_provider (image, data);
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 3);

  /* the largest range is data: it is the one left out, without a word */
  ipt_image_set_max_file_sections (image, 2);
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 2);
  g_assert_true (mapping_is_section (image, 0x10000));
  g_assert_true (mapping_is_section (image, 0x20000));
  g_assert_false (mapping_is_section (image, 0x30000));

  g_test_expect_message ("Ipt", G_LOG_LEVEL_WARNING,
                         "image limit: 2 file-backed ranges that may hold code, more than the 1 "
                         "libipt file sections it gets; the 1 smallest are read through the "
                         "callback, without libipt's block cache");
  ipt_image_set_max_file_sections (image, 1);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, 1);
  g_assert_false (mapping_is_section (image, 0x10000));
  g_assert_true (mapping_is_section (image, 0x20000));

  /* later changes do not say it again */
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (extra));
  g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (extra)));

  for (guint64 a = 0x10000; a < 0x34000; a += 0x800)
    {
      gssize n = ipt_image_read (image, &byte, 1, NULL, a, NULL);

      if (a >= 0x11000 && a < 0x20000)
        g_assert_cmpint (n, ==, 0);
      else if (a >= 0x22000 && a < 0x30000)
        g_assert_cmpint (n, ==, 0);
      else
        {
          g_assert_cmpint (n, ==, 1);
          g_assert_cmpuint (byte, ==, bytes[(a >= 0x30000 ? a - 0x30000 + 0x3000 :
                                             a >= 0x20000 ? a - 0x20000 + 0x1000 : a - 0x10000)]);
        }
    }

  g_unlink (path);
  g_rmdir (dir);
}

/* A process with more mappings than libipt's section cache can number
 * (65,535): it used to take minutes and print a warning per mapping past
 * the limit. Now the image is ready at once, with one summary warning. */
#define MANY 70000

static void
test_sections_many_mappings (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("many");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autofree char *dir = g_dir_make_tmp ("ipt-image-sections-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "pages.bin", NULL);
  static guint8 page[0x1000];
  guint8 byte = 0;
  FILE *f;

  /* a sparse file of MANY pages of zeros */
  f = fopen (path, "wb");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), (off_t) MANY * sizeof page), ==, 0);
  fclose (f);
  for (guint i = 0; i < MANY; i++)
    ipt_mock_provider_add_file_region_with_bytes (mock, 0x10000000 + (guint64) i * 0x2000, path,
                                                  (guint64) i * sizeof page, page, sizeof page, NULL);

  g_test_expect_message ("Ipt", G_LOG_LEVEL_WARNING,
                         "image many: 70000 file-backed ranges that may hold code, more than the "
                         "4096 libipt file sections it gets; the 65904 smallest are read through "
                         "the callback, without libipt's block cache");
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  g_test_assert_expected_messages ();
  g_assert_nonnull (ipt_image_get_pt_image (image));
  g_assert_cmpuint (ipt_image_get_n_file_sections (image), ==, IPT_IMAGE_MAX_FILE_SECTIONS);
  g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x10000000 + (guint64) (MANY - 1) * 0x2000,
                                   NULL), ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/image/sections/match-chain-byte-for-byte", Fixture, NULL,
              fixture_setup, test_sections_match_chain, fixture_teardown);
  g_test_add ("/image/sections/bypass-providers", Fixture, NULL,
              fixture_setup, test_sections_bypass_providers, fixture_teardown);
  g_test_add ("/image/sections/dup-pt-image", Fixture, NULL,
              fixture_setup, test_sections_duplicate_pt_image, fixture_teardown);
  g_test_add ("/image/sections/snapshot-survives-provider-change", Fixture, NULL,
              fixture_setup, test_sections_snapshot_survives_change, fixture_teardown);
  g_test_add_func ("/image/sections/unindexed-provider-first", test_sections_unindexed_first);
  g_test_add_func ("/image/sections/short-file-not-a-section", test_sections_short_file);
  g_test_add_func ("/image/sections/over-own-fallback", test_sections_over_own_fallback);
  g_test_add_func ("/image/sections/merge-neighbours", test_sections_merge_neighbours);
  g_test_add_func ("/image/sections/limit-keeps-code-and-largest", test_sections_limit);
  g_test_add_func ("/image/sections/many-mappings", test_sections_many_mappings);

  return g_test_run ();
}
