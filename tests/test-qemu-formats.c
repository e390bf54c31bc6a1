/* test-qemu-formats.c: the QEMU migration stream parser
 * (plugins/qemu/ipt-qemu-migration.c) and the qcow2 vmstate finder
 * (plugins/qemu/ipt-qcow2.c) over small streams and images built here byte
 * by byte: pages indexed in place, zero pages, CONTINUE across sections, a
 * page sent twice, device sections sized by the VMDESCRIPTION or found by
 * their footers, every truncation, unknown sections and records, block
 * lists that do not add up; qcow2 snapshots by name, id and date, extents
 * merged, compressed, unallocated and encrypted images refused. The real
 * QEMU's files are test-qemu-real's. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "../plugins/qemu/ipt-qcow2.h"
#include "../plugins/qemu/ipt-qemu-snapshot.h"
#include "qemu-parsed.h"

#define PAGE 4096
#define F_ZERO 0x02
#define F_MEM_SIZE 0x04
#define F_PAGE 0x08
#define F_EOS 0x10
#define F_CONTINUE 0x20

static char *tmp_dir;

/* --- building streams --- */

static void
u8 (GByteArray *b, guint8 v)
{
  g_byte_array_append (b, &v, 1);
}

static void
be32 (GByteArray *b, guint32 v)
{
  guint32 x = GUINT32_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &x, 4);
}

static void
be64 (GByteArray *b, guint64 v)
{
  guint64 x = GUINT64_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &x, 8);
}

static void
set_be64 (guint8 *at, guint64 v)
{
  guint64 x = GUINT64_TO_BE (v);

  memcpy (at, &x, 8);
}

static void
name (GByteArray *b, const char *s)
{
  u8 (b, (guint8) strlen (s));
  g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s));
}

static void
fill (GByteArray *b, guint8 byte, gsize n)
{
  gsize at = b->len;

  g_byte_array_set_size (b, (guint) (at + n));
  memset (b->data + at, byte, n);
}

static void
section (GByteArray *b, guint8 type, guint32 id, const char *idstr, guint32 instance,
         guint32 version)
{
  u8 (b, type);
  be32 (b, id);
  if (idstr != NULL)
    {
      name (b, idstr);
      be32 (b, instance);
      be32 (b, version);
    }
}

static void
footer (GByteArray *b, guint32 id)
{
  u8 (b, 0x7e);
  be32 (b, id);
}

/* A page record; returns where a PAGE's data lies. */
static gsize
page (GByteArray *b, guint64 addr, guint flags, const char *block, guint8 byte)
{
  gsize at;

  be64 (b, addr | flags);
  if (!(flags & F_CONTINUE))
    name (b, block);
  at = b->len;
  if (flags & F_PAGE)
    fill (b, byte, PAGE);
  else
    u8 (b, byte);
  return at;
}

/* "QEVM" v3, the configuration, the ram START section with pc.ram (64 KiB)
 * and pc.bios (8 KiB), its footer. */
static void
stream_start (GByteArray *b, guint64 total)
{
  g_byte_array_append (b, (const guint8 *) "QEVM\0\0\0\3", 8);
  u8 (b, 0x07);
  be32 (b, 13);
  g_byte_array_append (b, (const guint8 *) "pc-i440fx-7.2", 13);
  section (b, 0x01, 2, "ram", 0, 4);
  be64 (b, total | F_MEM_SIZE);
  name (b, "pc.ram");
  be64 (b, 0x10000);
  name (b, "pc.bios");
  be64 (b, 0x2000);
  be64 (b, F_EOS);
  footer (b, 2);
}

/* A cpu section's state in the layout of vmstate_x86_cpu version 12 (the
 * offsets the VMDESCRIPTION below also says), and a subsection. */
static void
cpu_state (GByteArray *b, guint k)
{
  gsize at = b->len;

  fill (b, 0, 1000);
  set_be64 (b->data + at + 4 * 8, 0x7000 + k);           /* RSP */
  set_be64 (b->data + at + 128, 0xffffffff81000000 + k); /* RIP */
  set_be64 (b->data + at + 456, 0x80050033);             /* CR0 */
  set_be64 (b->data + at + 472, 0x1234000 + k * 0x1000); /* CR3 */
  set_be64 (b->data + at + 480, 0x3406f0);               /* CR4 */
  set_be64 (b->data + at + 816, 0xd01);                  /* EFER: LMA */
  u8 (b, 0x05);
  name (b, "cpu/test");
  be32 (b, 1);
  be32 (b, 0xdeadbeef);
}

#define CPU_DESC(n) \
  "{\"name\":\"cpu\",\"instance_id\":" n ",\"vmsd_name\":\"cpu\",\"version\":12,\"fields\":[" \
  "{\"name\":\"env.regs\",\"array_len\":16,\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"env.eip\",\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"pad\",\"type\":\"buffer\",\"size\":320}," \
  "{\"name\":\"env.cr[0]\",\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"env.cr[2]\",\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"env.cr[3]\",\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"env.cr[4]\",\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"pad\",\"type\":\"buffer\",\"size\":328}," \
  "{\"name\":\"env.efer\",\"type\":\"uint64\",\"size\":8}," \
  "{\"name\":\"pad\",\"type\":\"buffer\",\"size\":176}]," \
  "\"subsections\":[{\"vmsd_name\":\"cpu/test\",\"version\":1,\"fields\":" \
  "[{\"name\":\"x\",\"type\":\"uint32\",\"size\":4}]}]}"

static const char vmdesc[] =
  "{\"page_size\":4096,\"devices\":["
  "{\"name\":\"timer\",\"instance_id\":0,\"vmsd_name\":\"timer\",\"version\":2,\"fields\":"
  "[{\"name\":\"t\",\"type\":\"int64\",\"size\":8,\"array_len\":3}]},"
  CPU_DESC ("0") "," CPU_DESC ("1") "]}";

typedef struct {
  gsize ram0_v1, ram0_v2, ram2, bios1;   /* where pages' data lie */
  gsize cpu_at, cpu1_at;                 /* the cpu sections */
  gsize eof;                             /* the EOF marker */
} Layout;

/* The valid stream of most tests: pc.ram page 0 sent twice (0xa1 then
 * 0xa3), page 1 zero, page 2 (0xa2) a CONTINUE in a later section than
 * the block's name, pc.bios page 1 (0xb1) and page 0 zero; a timer and
 * two vCPUs; the VMDESCRIPTION. */
static GByteArray *
valid_stream (Layout *l, gboolean with_vmdesc)
{
  GByteArray *b = g_byte_array_new ();
  Layout dummy;

  if (l == NULL)
    l = &dummy;
  stream_start (b, 0x12000);
  section (b, 0x02, 2, NULL, 0, 0);
  l->ram0_v1 = page (b, 0, F_PAGE, "pc.ram", 0xa1);
  page (b, 0x1000, F_ZERO | F_CONTINUE, NULL, 0);
  be64 (b, F_EOS);
  footer (b, 2);
  section (b, 0x02, 2, NULL, 0, 0);
  l->ram2 = page (b, 0x2000, F_PAGE | F_CONTINUE, NULL, 0xa2);
  l->ram0_v2 = page (b, 0, F_PAGE | F_CONTINUE, NULL, 0xa3);
  be64 (b, F_EOS);
  footer (b, 2);
  section (b, 0x03, 2, NULL, 0, 0);
  l->bios1 = page (b, 0x1000, F_PAGE, "pc.bios", 0xb1);
  page (b, 0, F_ZERO | F_CONTINUE, NULL, 0);
  be64 (b, F_EOS);
  footer (b, 2);
  section (b, 0x04, 3, "timer", 0, 2);
  fill (b, 0x7e, 24);   /* footer-like bytes inside a device's state */
  footer (b, 3);
  l->cpu_at = b->len;
  section (b, 0x04, 4, "cpu", 0, 12);
  cpu_state (b, 0);
  footer (b, 4);
  l->cpu1_at = b->len;
  section (b, 0x04, 5, "cpu", 1, 12);
  cpu_state (b, 1);
  footer (b, 5);
  l->eof = b->len;
  u8 (b, 0x00);
  if (with_vmdesc)
    {
      u8 (b, 0x06);
      be32 (b, sizeof vmdesc - 1);
      g_byte_array_append (b, (const guint8 *) vmdesc, sizeof vmdesc - 1);
    }
  return b;
}

static GMappedFile *
map_bytes (const guint8 *data, gsize size, const char *file)
{
  g_autofree char *path = g_build_filename (tmp_dir, file, NULL);
  g_autoptr (GError) error = NULL;
  GMappedFile *mapped;

  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) size, &error));
  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  return mapped;
}

static IptQemuStream *
stream_of (GByteArray *b)
{
  g_autoptr (GMappedFile) file = map_bytes (b->data, b->len, "stream");

  return ipt_qemu_stream_new_file (file, "stream", NULL);
}

/* Parses @b expecting @code, with a message "stream: offset 0x...: ...". */
static char *
parse_fails (GByteArray *b, gint code)
{
  g_autoptr (IptQemuStream) stream = stream_of (b);
  g_autoptr (GError) error = NULL;
  Parsed p;
  char *message;

  g_assert_false (parse (stream, &p, &error));
  g_assert_error (error, IPT_ERROR, code);
  g_assert_true (g_str_has_prefix (error->message, "stream: offset 0x"));
  message = g_strdup (error->message);
  parsed_clear (&p);
  return message;
}

static void
check_valid (Parsed *p, IptQemuStream *stream, const Layout *l)
{
  IptQemuRamBlock *ram = ipt_qemu_ram_find_block (p->ram, "pc.ram");
  IptQemuRamBlock *bios = ipt_qemu_ram_find_block (p->ram, "pc.bios");
  guint64 stored, zero, absent;
  gsize n_blocks;

  g_assert_cmpstr (p->machine, ==, "pc-i440fx-7.2");
  ipt_qemu_ram_get_blocks (p->ram, &n_blocks);
  g_assert_cmpuint (n_blocks, ==, 2);
  g_assert_nonnull (ram);
  g_assert_nonnull (bios);
  g_assert_cmpuint (ipt_qemu_ram_block_get_size (ram), ==, 0x10000);
  g_assert_cmpuint (ipt_qemu_ram_block_get_size (bios), ==, 0x2000);
  /* indexed where they lie, the last record of a page winning */
  g_assert_cmpuint (ipt_qemu_ram_block_get_page (ram, 0), ==, l->ram0_v2);
  g_assert_cmpuint (ipt_qemu_ram_block_get_page (ram, 1), ==, IPT_QEMU_RAM_PAGE_ZERO);
  g_assert_cmpuint (ipt_qemu_ram_block_get_page (ram, 2), ==, l->ram2);
  g_assert_cmpuint (ipt_qemu_ram_block_get_page (ram, 3), ==, IPT_QEMU_RAM_PAGE_ABSENT);
  g_assert_cmpuint (ipt_qemu_ram_block_get_page (bios, 0), ==, IPT_QEMU_RAM_PAGE_ZERO);
  g_assert_cmpuint (ipt_qemu_ram_block_get_page (bios, 1), ==, l->bios1);
  ipt_qemu_ram_block_count_pages (ram, &stored, &zero, &absent);
  g_assert_cmpuint (stored, ==, 2);
  g_assert_cmpuint (zero, ==, 1);
  g_assert_cmpuint (absent, ==, 13);

  g_assert_cmpuint (p->cpus->len, ==, 2);
  for (guint k = 0; k < 2; k++)
    {
      const IptQemuCpu *cpu = &g_array_index (p->cpus, IptQemuCpu, k);

      g_assert_cmpuint (cpu->index, ==, k);
      g_assert_cmpuint (cpu->rsp, ==, 0x7000 + k);
      g_assert_cmpuint (cpu->rip, ==, 0xffffffff81000000 + k);
      g_assert_cmpuint (cpu->cr0, ==, 0x80050033);
      g_assert_cmpuint (cpu->cr3, ==, 0x1234000 + k * 0x1000);
      g_assert_cmpuint (cpu->cr4, ==, 0x3406f0);
      g_assert_cmpuint (cpu->efer, ==, 0xd01);
      g_assert_true (cpu->has_efer);
      g_assert_true (cpu->long_mode);
    }
  (void) stream;
}

static void
test_migration_valid (void)
{
  Layout l;
  g_autoptr (GByteArray) b = valid_stream (&l, TRUE);
  g_autoptr (IptQemuStream) stream = stream_of (b);
  g_autoptr (GError) error = NULL;
  guint8 buf[3 * PAGE];
  Parsed p;

  g_assert_true (parse (stream, &p, &error));
  g_assert_no_error (error);
  check_valid (&p, stream, &l);

  /* placed as a PC: pc.ram at 0, pc.bios ending at 4 GiB */
  g_assert_true (ipt_qemu_migration_place_pc (p.ram, p.machine, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ipt_qemu_ram_read (p.ram, 0, buf, sizeof buf, NULL), ==, sizeof buf);
  g_assert_cmpuint (buf[0], ==, 0xa3);
  g_assert_cmpuint (buf[PAGE - 1], ==, 0xa3);
  g_assert_cmpuint (buf[PAGE], ==, 0);
  g_assert_cmpuint (buf[2 * PAGE - 1], ==, 0);
  g_assert_cmpuint (buf[2 * PAGE], ==, 0xa2);
  /* the absent page 3 ends the read */
  g_assert_cmpint (ipt_qemu_ram_read (p.ram, 2 * PAGE, buf, 2 * PAGE, NULL), ==, PAGE);
  g_assert_cmpint (ipt_qemu_ram_read (p.ram, G_GUINT64_CONSTANT (0x100000000) - 0x2000, buf,
                                      2 * PAGE, NULL), ==, 2 * PAGE);
  g_assert_cmpuint (buf[0], ==, 0);
  g_assert_cmpuint (buf[PAGE], ==, 0xb1);
  parsed_clear (&p);
}

/* Without a VMDESCRIPTION the device sections are found by their footers
 * and the vCPUs read at version 12's offsets: the same result. */
static void
test_migration_no_vmdesc (void)
{
  Layout l;
  g_autoptr (GByteArray) b = valid_stream (&l, FALSE);
  g_autoptr (IptQemuStream) stream = stream_of (b);
  g_autoptr (GError) error = NULL;
  Parsed p;

  g_assert_true (parse (stream, &p, &error));
  g_assert_no_error (error);
  check_valid (&p, stream, &l);
  parsed_clear (&p);
}

/* Every prefix of the valid stream is an error naming an offset, except
 * the one that ends with the EOF marker: a stream without a VMDESCRIPTION. */
static void
test_migration_truncated (void)
{
  Layout l;
  g_autoptr (GByteArray) b = valid_stream (&l, TRUE);
  g_autoptr (GMappedFile) file = map_bytes (b->data, b->len, "stream");

  for (gsize len = 0; len < b->len; len++)
    {
      IptQemuExtent extent = { 0, 0, len };
      g_autoptr (IptQemuStream) stream = ipt_qemu_stream_new_extents (file, "stream", "cut", &extent, 1);
      g_autoptr (GError) error = NULL;
      Parsed p;
      gboolean ok = parse (stream, &p, &error);

      if (len == l.eof + 1)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          if (ok)
            g_error ("a stream cut at %" G_GSIZE_FORMAT " bytes parses", len);
          g_assert_nonnull (error);
          g_assert_true (error->domain == IPT_ERROR);
          g_assert_true (error->code == IPT_ERROR_TRUNCATED || error->code == IPT_ERROR_CORRUPT);
          g_assert_true (g_str_has_prefix (error->message, "cut: offset 0x"));
        }
      parsed_clear (&p);
    }
}

static void
test_migration_unknown_section (void)
{
  Layout l;
  g_autoptr (GByteArray) b = valid_stream (&l, TRUE);
  g_autofree char *message = NULL, *where = NULL;

  b->data[l.cpu_at] = 0x09;
  message = parse_fails (b, IPT_ERROR_CORRUPT);
  where = g_strdup_printf ("offset 0x%" G_GSIZE_MODIFIER "x: unknown section type 0x09", l.cpu_at);
  g_assert_nonnull (strstr (message, where));
}

static void
test_migration_block_sizes (void)
{
  g_autofree char *message = NULL;

  /* a total smaller than the blocks */
  {
    g_autoptr (GByteArray) b = g_byte_array_new ();

    stream_start (b, 0x11000);
    message = parse_fails (b, IPT_ERROR_CORRUPT);
    g_assert_nonnull (strstr (message, "'pc.bios' (0x2000 bytes) does not fit"));
    g_clear_pointer (&message, g_free);
  }
  /* a larger one: the EOS is read as a block's name */
  {
    g_autoptr (GByteArray) b = g_byte_array_new ();

    stream_start (b, 0x13000);
    message = parse_fails (b, IPT_ERROR_CORRUPT);
    g_clear_pointer (&message, g_free);
  }
  /* a block named twice, a block of part of a page: ipt-qemu-ram's
   * errors, with the stream and the offset */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      gsize at;

      g_byte_array_append (b, (const guint8 *) "QEVM\0\0\0\3", 8);
      section (b, 0x01, 2, "ram", 0, 4);
      be64 (b, 0x12000 | F_MEM_SIZE);
      name (b, "pc.ram");
      be64 (b, 0x10000);
      at = b->len;
      name (b, i == 0 ? "pc.ram" : "pc.bios");
      be64 (b, i == 0 ? 0x2000 : 0x1ff0);
      be64 (b, F_EOS);
      message = parse_fails (b, IPT_ERROR_CORRUPT);
      g_assert_true (g_str_has_prefix (message, i == 0 ? "stream: offset 0x30: RAM block 'pc.ram' is given twice"
                                                        : "stream: offset 0x30: RAM block 'pc.bios' has"));
      g_assert_cmpuint (at, ==, 0x30);
      g_clear_pointer (&message, g_free);
    }
  /* a total with more pages than the stream has bytes: no index of it */
  {
    g_autoptr (GByteArray) b = g_byte_array_new ();

    stream_start (b, G_GUINT64_CONSTANT (1) << 36);
    message = parse_fails (b, IPT_ERROR_CORRUPT);
    g_assert_nonnull (strstr (message, "more pages than the stream has bytes"));
  }
}

/* The ram section up to its first PART's header, then @record. */
static char *
record_fails (guint64 record, const char *block, gint code, gsize *at)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();

  stream_start (b, 0x12000);
  section (b, 0x02, 2, NULL, 0, 0);
  *at = b->len;
  be64 (b, record);
  if (block != NULL)
    name (b, block);
  fill (b, 0, PAGE);
  return parse_fails (b, code);
}

static void
test_migration_records (void)
{
  static const struct {
    guint flags;
    gint code;
    const char *says;
  } cases[] = {
    { 0x40, IPT_ERROR_NOT_SUPPORTED, "XBZRLE" },
    { 0x100, IPT_ERROR_NOT_SUPPORTED, "compressed page" },
    { 0x200, IPT_ERROR_NOT_SUPPORTED, "multifd" },
    { 0x80, IPT_ERROR_NOT_SUPPORTED, "RDMA" },
    { 0x400, IPT_ERROR_CORRUPT, "unknown flags 0x400" },
    { 0, IPT_ERROR_CORRUPT, "unknown flags 0x0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize at;
      g_autofree char *message = record_fails (cases[i].flags, "pc.ram", cases[i].code, &at);
      g_autofree char *where = g_strdup_printf ("offset 0x%" G_GSIZE_MODIFIER "x:", at);

      g_assert_nonnull (strstr (message, cases[i].says));
      g_assert_nonnull (strstr (message, where));
    }
  {
    gsize at;
    g_autofree char *message = record_fails (F_PAGE | F_CONTINUE, NULL, IPT_ERROR_CORRUPT, &at);

    g_assert_nonnull (strstr (message, "there is none"));
  }
  {
    gsize at;
    g_autofree char *message = record_fails (F_PAGE, "vga.vram", IPT_ERROR_CORRUPT, &at);

    g_assert_nonnull (strstr (message, "'vga.vram'"));
  }
  {
    gsize at;
    g_autofree char *message = record_fails (0x10000 | F_PAGE, "pc.ram", IPT_ERROR_CORRUPT, &at);

    g_assert_nonnull (strstr (message, "past the end of RAM block 'pc.ram'"));
  }
}

/* The configuration's subsections and the commands before the ram
 * section: x-ignore-shared adds each block's address to the block list;
 * target pages other than 4 KiB, an unknown subsection, postcopy with
 * huge pages and a postcopy package are refused; other commands skipped. */
static void
test_migration_configuration (void)
{
  static const struct {
    const char *subsection;       /* NULL: a command instead */
    guint16 command;
    guint32 value;                /* page bits; the postcopy page summary */
    gint code;                    /* 0: parses */
    const char *says;
  } cases[] = {
    { "configuration/capabilities", 0, 0, 0, NULL },
    { "configuration/target-page-bits", 0, 12, 0, NULL },
    { "configuration/target-page-bits", 0, 16, IPT_ERROR_NOT_SUPPORTED, "2^16 bytes" },
    { "configuration/uuid", 0, 0, 0, NULL },
    { "configuration/fancy", 0, 0, IPT_ERROR_NOT_SUPPORTED, "unknown subsection 'configuration/fancy'" },
    { NULL, 3, 4096, 0, NULL },
    { NULL, 3, 0x201000, IPT_ERROR_NOT_SUPPORTED, "postcopy with RAM pages of 0x201000" },
    { NULL, 8, 0, IPT_ERROR_NOT_SUPPORTED, "postcopy package" },
    { NULL, 2, 0, 0, NULL },   /* PING, skipped */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      gboolean shared = cases[i].subsection != NULL &&
                        strcmp (cases[i].subsection, "configuration/capabilities") == 0;

      g_byte_array_append (b, (const guint8 *) "QEVM\0\0\0\3", 8);
      u8 (b, 0x07);
      be32 (b, 13);
      g_byte_array_append (b, (const guint8 *) "pc-i440fx-7.2", 13);
      if (cases[i].subsection != NULL)
        {
          u8 (b, 0x05);
          name (b, cases[i].subsection);
          be32 (b, 1);
          if (shared)
            {
              be32 (b, 2);
              name (b, "x-colo");
              name (b, "x-ignore-shared");
            }
          else if (strcmp (cases[i].subsection, "configuration/uuid") == 0)
            fill (b, 0x11, 16);
          else
            be32 (b, cases[i].value);
        }
      else
        {
          u8 (b, 0x08);
          g_byte_array_append (b, (const guint8 *) (guint8[]) { 0, (guint8) cases[i].command }, 2);
          g_byte_array_append (b, (const guint8 *) (guint8[]) { 0, cases[i].command == 3 ? 16 : 4 }, 2);
          if (cases[i].command == 3)
            {
              be64 (b, cases[i].value);
              be64 (b, 4096);
            }
          else
            be32 (b, 0x100);
        }
      section (b, 0x01, 2, "ram", 0, 4);
      be64 (b, 0x11000 | F_MEM_SIZE);
      name (b, "pc.ram");
      be64 (b, 0x10000);
      if (shared)
        be64 (b, 0);
      name (b, "pc.bios");
      be64 (b, 0x1000);
      if (shared)
        be64 (b, 0xfffff000);
      be64 (b, F_EOS);
      footer (b, 2);
      section (b, 0x03, 2, NULL, 0, 0);
      page (b, 0, F_PAGE, "pc.bios", 0xb1);
      be64 (b, F_EOS);
      footer (b, 2);
      u8 (b, 0x00);
      if (cases[i].code == 0)
        {
          g_autoptr (IptQemuStream) stream = stream_of (b);
          g_autoptr (GError) error = NULL;
          Parsed p;

          g_assert_true (parse (stream, &p, &error));
          g_assert_no_error (error);
          g_assert_nonnull (ipt_qemu_ram_find_block (p.ram, "pc.bios"));
          g_assert_cmpuint (ipt_qemu_ram_block_get_page (ipt_qemu_ram_find_block (p.ram, "pc.bios"), 0),
                            ==, b->len - 1 - 5 - 8 - PAGE);
          parsed_clear (&p);
        }
      else
        {
          g_autofree char *message = parse_fails (b, cases[i].code);

          g_assert_nonnull (strstr (message, cases[i].says));
        }
    }
}

static void
test_migration_fill_byte (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autofree char *message = NULL;

  stream_start (b, 0x12000);
  section (b, 0x02, 2, NULL, 0, 0);
  page (b, 0, F_ZERO, "pc.ram", 0x5a);
  message = parse_fails (b, IPT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (message, "filled with byte 0x5a"));
}

static void
test_migration_vmdesc_mismatch (void)
{
  Layout l;
  g_autoptr (GByteArray) b = valid_stream (&l, TRUE);
  g_autofree char *message = NULL;

  /* the second cpu section claims instance 7 */
  b->data[l.cpu1_at + 12] = 7;
  message = parse_fails (b, IPT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (message, "section 'cpu' instance 7 is not the VMDESCRIPTION's device 2"));
}

static void
test_migration_place (void)
{
  static const struct {
    const char *machine;
    guint64 size, given, below;
  } cases[] = {
    { "pc-i440fx-7.2", G_GUINT64_CONSTANT (4) << 30, 0, 0xc0000000 },
    { "pc-i440fx-7.2", 0xe0000000, 0, 0xc0000000 },
    { "pc-i440fx-7.2", 0xd0000000, 0, 0xd0000000 },
    { "pc-i440fx-2.0", G_GUINT64_CONSTANT (4) << 30, 0, 0xe0000000 },
    { "pc", G_GUINT64_CONSTANT (4) << 30, 0, 0xc0000000 },
    { "pc-q35-7.2", G_GUINT64_CONSTANT (4) << 30, 0, 0x80000000 },
    { "pc-q35-7.2", 0xa0000000, 0, 0xa0000000 },
    { "pc-q35-7.2", 0xb0000000, 0, 0x80000000 },
    { "microvm", 0x10000000, 0, 0x10000000 },
    { NULL, 0x10000000, 0, 0x10000000 },
    { "pc-q35-7.2", G_GUINT64_CONSTANT (4) << 30, 0x40000000, 0x40000000 },
  };
  g_autoptr (GByteArray) b = valid_stream (NULL, TRUE);
  g_autoptr (IptQemuStream) stream = stream_of (b);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (IptQemuRam) ram = ipt_qemu_ram_new (stream);
      g_autoptr (GError) error = NULL;
      const IptQemuRamMapping *m;
      gsize n;

      g_assert_nonnull (ipt_qemu_ram_add_block (ram, "pc.ram", cases[i].size, &error));
      g_assert_nonnull (ipt_qemu_ram_add_block (ram, "pc.bios", 0x40000, &error));
      g_assert_nonnull (ipt_qemu_ram_add_block (ram, "vga.vram", 0x100000, &error));
      g_assert_true (ipt_qemu_migration_place_pc (ram, cases[i].machine, cases[i].given, &error));
      g_assert_no_error (error);
      m = ipt_qemu_ram_get_mappings (ram, &n);
      g_assert_cmpuint (n, ==, cases[i].below < cases[i].size ? 3 : 2);
      g_assert_cmpuint (m[0].paddr, ==, 0);
      g_assert_cmpuint (m[0].size, ==, cases[i].below);
      g_assert_cmpstr (ipt_qemu_ram_block_get_name (m[0].block), ==, "pc.ram");
      g_assert_cmpuint (m[1].paddr, ==, 0xfffc0000);
      g_assert_cmpstr (ipt_qemu_ram_block_get_name (m[1].block), ==, "pc.bios");
      if (n == 3)
        {
          g_assert_cmpuint (m[2].paddr, ==, G_GUINT64_CONSTANT (1) << 32);
          g_assert_cmpuint (m[2].block_offset, ==, cases[i].below);
          g_assert_cmpuint (m[2].size, ==, cases[i].size - cases[i].below);
        }
    }

  /* an unknown machine with more than 2 GiB, and no pc.ram at all */
  {
    g_autoptr (IptQemuRam) ram = ipt_qemu_ram_new (stream);
    g_autoptr (GError) error = NULL;

    g_assert_nonnull (ipt_qemu_ram_add_block (ram, "pc.ram", G_GUINT64_CONSTANT (3) << 30, &error));
    g_assert_false (ipt_qemu_migration_place_pc (ram, "microvm", 0, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED);
    g_assert_nonnull (strstr (error->message, "'microvm'"));
  }
  {
    g_autoptr (IptQemuRam) ram = ipt_qemu_ram_new (stream);
    g_autoptr (GError) error = NULL;

    g_assert_nonnull (ipt_qemu_ram_add_block (ram, "ram0", 0x1000, &error));
    g_assert_false (ipt_qemu_migration_place_pc (ram, "pc-i440fx-7.2", 0, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED);
  }
}

/* --- qcow2 --- */

#define CB 9
#define CLUSTER (1u << CB)
#define DISK_SIZE 4096
#define L2_AT(k) (2048 + (k) * CLUSTER)
#define L1_AT(k) (1024 + (k) * CLUSTER)
#define DATA_AT 3072

typedef struct {
  GByteArray *img;
  gsize n_clusters;
} Image;

static void
put_be32 (guint8 *at, guint32 v)
{
  guint32 x = GUINT32_TO_BE (v);

  memcpy (at, &x, 4);
}

static void
put_be16 (guint8 *at, guint16 v)
{
  guint16 x = GUINT16_TO_BE (v);

  memcpy (at, &x, 2);
}

/* A version 3 image of 512-byte clusters whose snapshots "old" (id 1,
 * older) and "new" (id 2) both hold @vmstate, "old" in one run of clusters
 * from DATA_AT, "new" in two from new_at(): a gap of a cluster after its
 * fifth; "disk" (id 3, the newest) has none. */
static gsize
new_at (gsize n, gsize i)
{
  return DATA_AT + (n + (i >= 5 ? i + 1 : i)) * CLUSTER;
}

static Image
make_image (const GByteArray *vmstate)
{
  Image m = { g_byte_array_new () };
  gsize n = (vmstate->len + CLUSTER - 1) / CLUSTER, at = 512;
  guint8 *h;
  static const char *names[] = { "old", "new", "disk" };

  m.n_clusters = n;
  g_byte_array_set_size (m.img, (guint) new_at (n, n));
  memset (m.img->data, 0, m.img->len);
  h = m.img->data;
  memcpy (h, "QFI\xfb", 4);
  put_be32 (h + 4, 3);
  put_be32 (h + 20, CB);
  set_be64 (h + 24, DISK_SIZE);
  put_be32 (h + 60, 3);
  set_be64 (h + 64, 512);
  put_be32 (h + 96, 4);
  put_be32 (h + 100, 104);
  for (guint k = 0; k < 3; k++)
    {
      guint8 *s = m.img->data + at;
      gsize id_len = 1, name_len = strlen (names[k]);

      if (k < 2)
        {
          set_be64 (s, L1_AT (k));
          put_be32 (s + 8, 2);
        }
      put_be16 (s + 12, (guint16) id_len);
      put_be16 (s + 14, (guint16) name_len);
      put_be32 (s + 16, 100 + k * 100);
      put_be32 (s + 32, k < 2 ? vmstate->len : 0);
      put_be32 (s + 36, 16);
      set_be64 (s + 40, k < 2 ? vmstate->len : 0);
      set_be64 (s + 48, DISK_SIZE);
      s[56] = (guint8) ('1' + k);
      memcpy (s + 57, names[k], name_len);
      at += (56 + id_len + name_len + 7) & ~(gsize) 7;
    }
  for (guint k = 0; k < 2; k++)
    {
      /* L1[1]: the first entry past the 4 KiB disk */
      set_be64 (m.img->data + L1_AT (k) + 8, L2_AT (k) | (G_GUINT64_CONSTANT (1) << 63));
      for (gsize i = 0; i < n; i++)
        {
          gsize host = k == 0 ? DATA_AT + i * CLUSTER : new_at (n, i);
          gsize len = MIN (CLUSTER, vmstate->len - i * CLUSTER);

          set_be64 (m.img->data + L2_AT (k) + i * 8, host | (G_GUINT64_CONSTANT (1) << 63));
          memcpy (m.img->data + host, vmstate->data + i * CLUSTER, len);
        }
    }
  return m;
}

static IptQemuStream *
open_vmstate (GByteArray *img, const char *tag, char **chosen, GError **error)
{
  g_autoptr (GMappedFile) file = map_bytes (img->data, img->len, "disk.qcow2");

  return ipt_qcow2_open_vmstate (file, "disk.qcow2", tag, chosen, error);
}

static void
test_qcow2_vmstate (void)
{
  Layout l;
  g_autoptr (GByteArray) vm = valid_stream (&l, TRUE);
  Image m = make_image (vm);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = ipt_qcow2_list_snapshots (m.img->data, m.img->len, "disk.qcow2", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      const IptQcow2Snapshot *s = g_ptr_array_index (list, k);
      g_autofree char *id = g_strdup_printf ("%u", k + 1);

      g_assert_cmpstr (s->id, ==, id);
      g_assert_cmpuint (s->date_sec, ==, 100 + k * 100);
      g_assert_cmpuint (s->vm_state_size, ==, k < 2 ? vm->len : 0);
    }
  g_assert_cmpstr (((IptQcow2Snapshot *) g_ptr_array_index (list, 2))->name, ==, "disk");

  /* newest with VM state by default ("disk" is newer, but disk-only), by
   * name, by id */
  static const struct {
    const char *tag, *chosen;
  } picks[] = { { NULL, "new" }, { "old", "old" }, { "2", "new" }, { "1", "old" } };
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      g_autofree char *chosen = NULL, *name = NULL;
      g_autoptr (IptQemuStream) stream = open_vmstate (m.img, picks[i].tag, &chosen, &error);
      gboolean old;
      guint64 at;
      Parsed p;

      g_assert_no_error (error);
      g_assert_cmpstr (chosen, ==, picks[i].chosen);
      g_assert_cmpuint (ipt_qemu_stream_get_size (stream), ==, vm->len);
      /* "old" is one run of the file, "new" two */
      old = strcmp (chosen, "old") == 0;
      g_assert_true (ipt_qemu_stream_file_offset (stream, 0, 5 * CLUSTER, &at));
      g_assert_cmpuint (at, ==, old ? DATA_AT : new_at (m.n_clusters, 0));
      g_assert_cmpint (ipt_qemu_stream_file_offset (stream, 0, 6 * CLUSTER, &at), ==, old);
      g_assert_true (ipt_qemu_stream_file_offset (stream, 5 * CLUSTER, vm->len - 5 * CLUSTER, &at));
      g_assert_cmpuint (at, ==, old ? DATA_AT + 5 * CLUSTER : new_at (m.n_clusters, 5));
      name = g_strdup_printf ("disk.qcow2: vmstate of snapshot '%s'", chosen);
      g_assert_cmpstr (ipt_qemu_stream_get_name (stream), ==, name);

      /* the vmstate is the migration stream: the same RAM */
      g_assert_true (parse (stream, &p, &error));
      g_assert_no_error (error);
      check_valid (&p, stream, &l);
      parsed_clear (&p);
    }
  g_byte_array_unref (m.img);
}

static void
test_qcow2_errors (void)
{
  g_autoptr (GByteArray) vm = valid_stream (NULL, TRUE);

  /* an unknown tag lists the snapshots there are */
  {
    Image m = make_image (vm);
    g_autoptr (GError) error = NULL;

    g_assert_null (open_vmstate (m.img, "boot", NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
    g_assert_cmpstr (error->message, ==, "disk.qcow2: no internal snapshot 'boot'; there are: "
                     "'old' (id 1), 'new' (id 2), 'disk' (id 3, disk only)");
    g_clear_error (&error);
    g_assert_null (open_vmstate (m.img, "disk", NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "no VM state"));
    g_byte_array_unref (m.img);
  }
  /* a compressed cluster, an unallocated one, a zero cluster: named by the
   * offset of their L2 entry */
  static const guint64 bad_entries[] = { G_GUINT64_CONSTANT (1) << 62 | DATA_AT, 0, 1 | DATA_AT };
  static const char *const says[] = { "is compressed", "is not allocated", "is a zero cluster" };
  for (guint i = 0; i < G_N_ELEMENTS (bad_entries); i++)
    {
      Image m = make_image (vm);
      g_autoptr (GError) error = NULL;
      g_autofree char *where = g_strdup_printf ("disk.qcow2: offset 0x%x: ", L2_AT (1) + 3 * 8);

      set_be64 (m.img->data + L2_AT (1) + 3 * 8, bad_entries[i]);
      g_assert_null (open_vmstate (m.img, NULL, NULL, &error));
      g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED);
      g_assert_true (g_str_has_prefix (error->message, where));
      g_assert_nonnull (strstr (error->message, says[i]));
      g_byte_array_unref (m.img);
    }
  /* encrypted, an external data file, extended L2, version 4 */
  static const struct {
    gsize at;
    guint32 value;
    const char *says;
  } header[] = {
    { 32, 1, "offset 0x20: encrypted image" },
    { 76, 1 << 2, "offset 0x48: the image's data is in an external data file" },
    { 76, 1 << 4, "offset 0x48: extended L2" },
    { 76, 1 << 7, "offset 0x48: unknown incompatible features 0x80" },
    { 4, 4, "offset 0x4: qcow2 version 4" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    {
      Image m = make_image (vm);
      g_autoptr (GError) error = NULL;

      put_be32 (m.img->data + header[i].at, header[i].value);
      g_assert_null (open_vmstate (m.img, NULL, NULL, &error));
      g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, header[i].says));
      g_byte_array_unref (m.img);
    }
  /* a vmstate larger than the file, an L1 table too short for it */
  {
    Image m = make_image (vm);
    g_autoptr (GError) error = NULL;

    set_be64 (m.img->data + 512 + 40, G_GUINT64_CONSTANT (1) << 40);
    g_assert_null (open_vmstate (m.img, "old", NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "more than the file holds"));
    g_clear_error (&error);
    set_be64 (m.img->data + 512 + 40, vm->len);
    put_be32 (m.img->data + 512 + 8, 1);
    g_assert_null (open_vmstate (m.img, "old", NULL, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "has 1 entries, its VM state needs entry 1"));
    g_byte_array_unref (m.img);
  }
  /* every cut of the header and the table: an error, never a crash */
  {
    Image m = make_image (vm);

    for (gsize len = 0; len < 1024; len++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (GPtrArray) list = ipt_qcow2_list_snapshots (m.img->data, len, "disk.qcow2", &error);

        if (len >= 512 + 3 * 64)
          g_assert_nonnull (list);
        else if (list == NULL)
          g_assert_true (g_str_has_prefix (error->message, "disk.qcow2: offset 0x"));
      }
    g_byte_array_unref (m.img);
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-qemu-formats-XXXXXX", NULL);
  g_test_add_func ("/qemu/migration/valid", test_migration_valid);
  g_test_add_func ("/qemu/migration/no-vmdesc", test_migration_no_vmdesc);
  g_test_add_func ("/qemu/migration/truncated-everywhere", test_migration_truncated);
  g_test_add_func ("/qemu/migration/unknown-section", test_migration_unknown_section);
  g_test_add_func ("/qemu/migration/block-sizes", test_migration_block_sizes);
  g_test_add_func ("/qemu/migration/records", test_migration_records);
  g_test_add_func ("/qemu/migration/fill-byte", test_migration_fill_byte);
  g_test_add_func ("/qemu/migration/configuration-and-commands", test_migration_configuration);
  g_test_add_func ("/qemu/migration/vmdesc-mismatch", test_migration_vmdesc_mismatch);
  g_test_add_func ("/qemu/migration/place-pc", test_migration_place);
  g_test_add_func ("/qemu/qcow2/vmstate", test_qcow2_vmstate);
  g_test_add_func ("/qemu/qcow2/errors", test_qcow2_errors);
  status = g_test_run ();
  {
    g_autofree char *s = g_build_filename (tmp_dir, "stream", NULL);
    g_autofree char *d = g_build_filename (tmp_dir, "disk.qcow2", NULL);

    g_unlink (s);
    g_unlink (d);
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  return status;
}
