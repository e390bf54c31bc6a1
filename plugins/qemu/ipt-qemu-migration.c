/* ipt-qemu-migration.c: reads a QEMU migration stream ("QEVM" version 3, as
 * `migrate "exec:cat > FILE"` and `savevm` write it) into RAM blocks whose
 * pages are indexed by stream offset, never copied, and the vCPUs' state.
 * See ipt-qemu-snapshot.h.
 *
 * The stream is untrusted: every length is checked against the stream
 * before it is used, allocations are bounded by the stream's size, errors
 * are "NAME: offset 0xOFF: problem".
 *
 * Device sections (QEMU_VM_SECTION_FULL) carry no length of their own. Their
 * layout comes from the VMDESCRIPTION JSON that QEMU appends after the EOF
 * marker (found first, from the stream's end): each FULL section is matched
 * with the next device it lists, whose fields and subsections give its size.
 * A stream without a VMDESCRIPTION (a machine with suppress-vmdesc) is read
 * through its section footers instead: a device section ends at the first
 * footer of its id that a section start or the EOF follows. There the "cpu"
 * sections are read at the fixed offsets of qemu-system-x86_64's
 * vmstate_x86_cpu version 12 (QEMU 5.x to 8.x), and only that version. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qemu-bytes.h"
#include "ipt-qemu-snapshot.h"
#include "ipt-qemu-vmdesc.h"

#define QEVM_MAGIC        0x5145564du
#define QEVM_VERSION      3

enum {
  SECTION_EOF = 0x00,
  SECTION_START = 0x01,
  SECTION_PART = 0x02,
  SECTION_END = 0x03,
  SECTION_FULL = 0x04,
  SECTION_SUBSECTION = 0x05,
  SECTION_VMDESCRIPTION = 0x06,
  SECTION_CONFIGURATION = 0x07,
  SECTION_COMMAND = 0x08,
  SECTION_FOOTER = 0x7e,
};

/* RAM_SAVE_FLAG_*: the low bits of a page record's be64 */
enum {
  RAM_FULL = 0x01,            /* obsolete */
  RAM_ZERO = 0x02,
  RAM_MEM_SIZE = 0x04,
  RAM_PAGE = 0x08,
  RAM_EOS = 0x10,
  RAM_CONTINUE = 0x20,
  RAM_XBZRLE = 0x40,
  RAM_HOOK = 0x80,            /* RDMA */
  RAM_COMPRESS_PAGE = 0x100,
  RAM_MULTIFD_FLUSH = 0x200,  /* QEMU 8.0 on */
};

#define RAM_FLAGS_MASK  G_GUINT64_CONSTANT (0xfff)

/* MIG_CMD_* of QEMU_VM_COMMAND */
enum {
  CMD_POSTCOPY_ADVISE = 3,
  CMD_PACKAGED = 8,
};

/* Bounds on what real streams hold, against untrusted sizes. */
#define MAX_MACHINE_NAME   256
#define MAX_CAPABILITIES   256

/* vmstate_x86_cpu version 12 of qemu-system-x86_64: where the fields this
 * parser wants lie from the section's start (the fallback without a
 * VMDESCRIPTION; the real-stream test checks these against one). */
#define CPU_V12_RSP      (4 * 8)
#define CPU_V12_RIP      128
#define CPU_V12_CR0      456
#define CPU_V12_CR3      472
#define CPU_V12_CR4      480
#define CPU_V12_EFER     816
#define CPU_V12_MIN_SIZE 824

#define EFER_LMA (G_GUINT64_CONSTANT (1) << 10)
#define HF_LMA   (G_GUINT64_CONSTANT (1) << 14)

typedef struct {
  IptQemuStream *stream;
  const char *name;
  guint64 pos;
  guint64 end;                 /* where the sections end: the VMDESCRIPTION or the stream's end */
  IptQemuRam *ram;
  GArray *cpus;
  char *machine;
  gboolean have_ram;
  guint32 ram_section;
  IptQemuRamBlock *block;      /* the last page record's block, for CONTINUE, across sections */
  gboolean ignore_shared;      /* x-ignore-shared: each block in the list has its address */
  IptQemuVmdesc vmdesc;        /* json NULL when the stream has none */
  guint next_device;
  guint64 forgotten;           /* the stream before this is released (ipt_qemu_stream_forget) */
} Parser;

/* Page records are 4 KiB apart: walking them touches every page of the
 * file. What lies behind the parser is released every few MiB, so that
 * opening a big stream does not make the process hold all of it (the
 * pages are read again from the file when a read wants them). */
#define FORGET_EVERY (G_GUINT64_CONSTANT (8) << 20)

/* "NAME: offset 0xOFF: problem" */
#define fail(p, error, code, offset, ...) \
  ipt_qemu_fail ((error), (code), (p)->name, (offset), __VA_ARGS__)

static gboolean
get_bytes (Parser *p, guint8 *buffer, gsize n, const char *what, GError **error)
{
  if (p->pos > p->end || n > p->end - p->pos)
    return fail (p, error, IPT_ERROR_TRUNCATED, p->pos, "the stream ends inside %s", what);
  ipt_qemu_stream_read (p->stream, p->pos, buffer, n);
  p->pos += n;
  return TRUE;
}

static gboolean
skip_bytes (Parser *p, guint64 n, const char *what, GError **error)
{
  if (p->pos > p->end || n > p->end - p->pos)
    return fail (p, error, IPT_ERROR_TRUNCATED, p->pos, "the stream ends inside %s", what);
  p->pos += n;
  return TRUE;
}

static gboolean
get_u8 (Parser *p, guint8 *v, const char *what, GError **error)
{
  return get_bytes (p, v, 1, what, error);
}

static gboolean
get_be16 (Parser *p, guint16 *v, const char *what, GError **error)
{
  guint8 b[2];

  if (!get_bytes (p, b, 2, what, error))
    return FALSE;
  *v = ipt_qemu_be16 (b);
  return TRUE;
}

static gboolean
get_be32 (Parser *p, guint32 *v, const char *what, GError **error)
{
  guint8 b[4];

  if (!get_bytes (p, b, 4, what, error))
    return FALSE;
  *v = ipt_qemu_be32 (b);
  return TRUE;
}

static gboolean
get_be64 (Parser *p, guint64 *v, const char *what, GError **error)
{
  guint8 b[8];

  if (!get_bytes (p, b, 8, what, error))
    return FALSE;
  *v = ipt_qemu_be64 (b);
  return TRUE;
}

/* The next byte, not consumed; -1 at the end of the sections. */
static int
peek_u8 (Parser *p)
{
  guint8 b;

  if (p->pos >= p->end)
    return -1;
  ipt_qemu_stream_read (p->stream, p->pos, &b, 1);
  return b;
}

/* A byte of length, then that many bytes of name: a block's, a section's
 * idstr, a subsection's, a capability's. */
static gboolean
get_name (Parser *p, char name[256], const char *what, GError **error)
{
  guint64 at = p->pos;
  guint8 len;

  if (!get_u8 (p, &len, what, error) || !get_bytes (p, (guint8 *) name, len, what, error))
    return FALSE;
  name[len] = '\0';
  if (len == 0 || strlen (name) != len)
    return fail (p, error, IPT_ERROR_CORRUPT, at, "%s is empty or holds a NUL byte", what);
  return TRUE;
}

/* --- the ram section --- */

/* The block list of the ram START section: @total bytes (MEM_SIZE) of
 * blocks, each a name and its used length (and its address with
 * x-ignore-shared). */
static gboolean
parse_block_list (Parser *p, guint64 at, guint64 total, GError **error)
{
  guint64 sum = 0;

  /* A complete stream sends every page of every block at least once, in a
   * record of 9 bytes or more; a page index of 8 bytes a page is thus
   * bounded by the stream's size even where free-page hinting left pages
   * out. */
  if (total / IPT_QEMU_RAM_PAGE_SIZE > ipt_qemu_stream_get_size (p->stream))
    return fail (p, error, IPT_ERROR_CORRUPT, at,
                 "the RAM blocks' total size of 0x%" G_GINT64_MODIFIER "x bytes has more pages "
                 "than the stream has bytes", total);
  while (sum < total)
    {
      guint64 block_at = p->pos, length, addr;
      char name[256];

      if (!get_name (p, name, "a RAM block's name", error) ||
          !get_be64 (p, &length, "a RAM block's length", error))
        return FALSE;
      if (p->ignore_shared && !get_be64 (p, &addr, "a RAM block's address", error))
        return FALSE;
      if (length > total - sum)
        return fail (p, error, IPT_ERROR_CORRUPT, block_at,
                     "RAM block '%s' (0x%" G_GINT64_MODIFIER "x bytes) does not fit in the total "
                     "of 0x%" G_GINT64_MODIFIER "x bytes that the block list declares, "
                     "0x%" G_GINT64_MODIFIER "x of it taken by the blocks before it",
                     name, length, total, sum);
      if (ipt_qemu_ram_add_block (p->ram, name, length, error) == NULL)
        {
          g_prefix_error (error, "%s: offset 0x%" G_GINT64_MODIFIER "x: ", p->name, block_at);
          return FALSE;
        }
      sum += length;
    }
  return TRUE;
}

static const char *
unsupported_page_kind (guint64 flags)
{
  if (flags & RAM_XBZRLE)
    return "an XBZRLE-encoded page (the xbzrle capability)";
  if (flags & RAM_COMPRESS_PAGE)
    return "a compressed page (the compress capability)";
  if (flags & RAM_HOOK)
    return "an RDMA hook";
  if (flags & RAM_MULTIFD_FLUSH)
    return "a multifd flush (the multifd capability)";
  if (flags & RAM_FULL)
    return "an obsolete FULL record";
  return NULL;
}

/* The payload of a ram START, PART or END section: page records up to EOS. */
static gboolean
parse_ram (Parser *p, gboolean start, GError **error)
{
  for (;;)
    {
      guint64 at = p->pos, v, flags, kind, addr, page;
      const char *unsupported;

      if (!get_be64 (p, &v, "a RAM page record", error))
        return FALSE;
      flags = v & RAM_FLAGS_MASK;
      addr = v & ~RAM_FLAGS_MASK;
      if (flags == RAM_EOS)
        return TRUE;
      if (flags == RAM_MEM_SIZE)
        {
          if (!start)
            return fail (p, error, IPT_ERROR_CORRUPT, at,
                         "a RAM block list outside the ram section's start");
          if (!parse_block_list (p, at, addr, error))
            return FALSE;
          start = FALSE;   /* one list */
          continue;
        }
      if ((unsupported = unsupported_page_kind (flags)) != NULL)
        return fail (p, error, IPT_ERROR_NOT_SUPPORTED, at,
                     "RAM record with flags 0x%" G_GINT64_MODIFIER "x: %s is not supported",
                     flags, unsupported);
      kind = flags & ~(guint64) RAM_CONTINUE;
      if (kind != RAM_ZERO && kind != RAM_PAGE)
        return fail (p, error, IPT_ERROR_CORRUPT, at,
                     "RAM record with unknown flags 0x%" G_GINT64_MODIFIER "x", flags);
      if (!(flags & RAM_CONTINUE))
        {
          char name[256];

          if (!get_name (p, name, "a RAM block's name", error))
            return FALSE;
          if ((p->block = ipt_qemu_ram_find_block (p->ram, name)) == NULL)
            return fail (p, error, IPT_ERROR_CORRUPT, at,
                         "page of RAM block '%s', which the block list does not have", name);
        }
      else if (p->block == NULL)
        return fail (p, error, IPT_ERROR_CORRUPT, at,
                     "a page record continues the block of the one before, and there is none");
      if (addr >= ipt_qemu_ram_block_get_size (p->block))
        return fail (p, error, IPT_ERROR_CORRUPT, at,
                     "page at 0x%" G_GINT64_MODIFIER "x is past the end of RAM block '%s' "
                     "(0x%" G_GINT64_MODIFIER "x bytes)", addr,
                     ipt_qemu_ram_block_get_name (p->block),
                     ipt_qemu_ram_block_get_size (p->block));
      page = addr / IPT_QEMU_RAM_PAGE_SIZE;
      if (flags & RAM_ZERO)
        {
          guint8 fill;

          if (!get_u8 (p, &fill, "a zero page's fill byte", error))
            return FALSE;
          if (fill != 0)
            return fail (p, error, IPT_ERROR_NOT_SUPPORTED, p->pos - 1,
                         "page filled with byte 0x%02x, not zero", fill);
          ipt_qemu_ram_block_set_page (p->block, page, IPT_QEMU_RAM_PAGE_ZERO);
        }
      else
        {
          guint64 data = p->pos;

          if (!skip_bytes (p, IPT_QEMU_RAM_PAGE_SIZE, "a page", error))
            return FALSE;
          ipt_qemu_ram_block_set_page (p->block, page, data);
        }
      if (p->pos - p->forgotten >= FORGET_EVERY)
        {
          ipt_qemu_stream_forget (p->stream, p->forgotten, at - p->forgotten);
          p->forgotten = at;
        }
    }
}

/* --- the vCPUs --- */

static guint64
read_be64 (Parser *p, guint64 offset)
{
  guint8 b[8];

  ipt_qemu_stream_read (p->stream, offset, b, 8);
  return ipt_qemu_be64 (b);
}

static void
cpu_finish (IptQemuCpu *cpu, gboolean have_hflags, guint64 hflags)
{
  if (cpu->has_efer)
    cpu->long_mode = (cpu->efer & EFER_LMA) != 0;
  else
    cpu->long_mode = have_hflags && (hflags & HF_LMA) != 0;
}

/* What parse_cpu_vmdesc() collects from a cpu section's fields. */
typedef struct {
  Parser *p;
  guint64 data;                /* where the section's state starts */
  IptQemuCpu cpu;
  guint found;                 /* bit k: wanted[k] read */
  guint64 hflags;
  gboolean have_hflags;
} CpuFields;

static gboolean
cpu_field (const char *name, gint64 each, guint64 offset, guint64 size, gpointer data)
{
  static const char *const wanted[] = {
    "env.cr[0]", "env.cr[3]", "env.cr[4]", "env.eip", "env.regs",
  };
  CpuFields *f = data;
  guint64 *slots[] = { &f->cpu.cr0, &f->cpu.cr3, &f->cpu.cr4, &f->cpu.rip, &f->cpu.rsp };
  guint64 at = f->data + offset;

  if (name == NULL)
    return TRUE;
  if (each == 8)
    {
      for (guint k = 0; k < G_N_ELEMENTS (wanted); k++)
        if (strcmp (name, wanted[k]) == 0)
          {
            /* env.regs: RSP is the fifth of the general registers */
            if (k == 4 && size < 5 * 8)
              break;
            *slots[k] = read_be64 (f->p, k == 4 ? at + 4 * 8 : at);
            f->found |= 1u << k;
          }
      if (strcmp (name, "env.efer") == 0)
        {
          f->cpu.efer = read_be64 (f->p, at);
          f->cpu.has_efer = TRUE;
        }
    }
  else if (each == 4 && strcmp (name, "env.hflags") == 0)
    {
      guint8 b[4];

      ipt_qemu_stream_read (f->p->stream, at, b, 4);
      f->hflags = ipt_qemu_be32 (b);
      f->have_hflags = TRUE;
    }
  return TRUE;
}

/* A "cpu" section at @data, its fields found by name in its description. */
static gboolean
parse_cpu_vmdesc (Parser *p, JsonObject *dev, guint32 instance, guint64 data, GError **error)
{
  CpuFields f = { .p = p, .data = data, .cpu = { .index = instance } };

  ipt_qemu_vmdesc_foreach_field (dev, cpu_field, &f);
  if ((f.found & 0xf) != 0xf)
    return fail (p, error, IPT_ERROR_NOT_SUPPORTED, data,
                 "cpu section of vCPU %u: its description has no 8-byte env.cr[0], env.cr[3], "
                 "env.cr[4] or env.eip", instance);
  cpu_finish (&f.cpu, f.have_hflags, f.hflags);
  g_array_append_val (p->cpus, f.cpu);
  return TRUE;
}

static void
parse_cpu_v12 (Parser *p, guint32 instance, guint64 data)
{
  IptQemuCpu cpu = { .index = instance, .has_efer = TRUE };

  cpu.rsp = read_be64 (p, data + CPU_V12_RSP);
  cpu.rip = read_be64 (p, data + CPU_V12_RIP);
  cpu.cr0 = read_be64 (p, data + CPU_V12_CR0);
  cpu.cr3 = read_be64 (p, data + CPU_V12_CR3);
  cpu.cr4 = read_be64 (p, data + CPU_V12_CR4);
  cpu.efer = read_be64 (p, data + CPU_V12_EFER);
  cpu_finish (&cpu, FALSE, 0);
  g_array_append_val (p->cpus, cpu);
}

/* --- device sections --- */

/* Without a VMDESCRIPTION: the end of section @id's state, the first
 * footer of @id after @from that a section start or the EOF follows. */
static gboolean
find_footer (Parser *p, guint32 id, const char *idstr, guint64 from, guint64 *footer,
             GError **error)
{
  guint8 window[6];

  for (guint64 at = from; at < p->end && p->end - at >= 5; at++)
    {
      gsize got = ipt_qemu_stream_read (p->stream, at, window, MIN (6, p->end - at));

      if (window[0] != SECTION_FOOTER || ipt_qemu_be32 (window + 1) != id)
        continue;
      if (got == 6 && window[5] != SECTION_FULL && window[5] != SECTION_EOF &&
          window[5] != SECTION_COMMAND)
        continue;
      *footer = at;
      return TRUE;
    }
  return fail (p, error, IPT_ERROR_TRUNCATED, from,
               "the stream ends inside section '%s' (id %u): there is no VMDESCRIPTION to say "
               "its size and no footer of it follows", idstr, id);
}

static gboolean
parse_device (Parser *p, guint32 id, const char *idstr, guint32 instance, guint32 version,
              guint64 header, GError **error)
{
  guint64 data = p->pos, size;
  JsonObject *dev;
  const char *dev_name;

  if (p->vmdesc.json == NULL)
    {
      guint64 footer = 0;

      if (!find_footer (p, id, idstr, data, &footer, error))
        return FALSE;
      if (strcmp (idstr, "cpu") == 0 && version == 12 && footer - data >= CPU_V12_MIN_SIZE)
        parse_cpu_v12 (p, instance, data);
      p->pos = footer;
      return TRUE;
    }
  if (p->next_device >= json_array_get_length (p->vmdesc.devices))
    return fail (p, error, IPT_ERROR_CORRUPT, header,
                 "section '%s' instance %u is past the %u devices of the VMDESCRIPTION",
                 idstr, instance, json_array_get_length (p->vmdesc.devices));
  dev = ipt_qemu_vmdesc_device (&p->vmdesc, p->next_device);
  dev_name = dev != NULL ? ipt_qemu_vmdesc_name (dev) : NULL;
  if (dev_name == NULL || strcmp (dev_name, idstr) != 0 ||
      ipt_qemu_vmdesc_instance (dev) != instance)
    return fail (p, error, IPT_ERROR_CORRUPT, header,
                 "section '%s' instance %u is not the VMDESCRIPTION's device %u ('%s' instance %"
                 G_GINT64_FORMAT ")", idstr, instance, p->next_device,
                 dev_name != NULL ? dev_name : "?",
                 dev != NULL ? ipt_qemu_vmdesc_instance (dev) : -1);
  p->next_device++;
  if (!ipt_qemu_vmdesc_state_size (dev, p->end, &size))
    return fail (p, error, IPT_ERROR_CORRUPT, header,
                 "the VMDESCRIPTION of section '%s' instance %u has fields without a valid size",
                 idstr, instance);
  if (!skip_bytes (p, size, "a device section", error))
    return FALSE;
  if (strcmp (idstr, "cpu") == 0)
    return parse_cpu_vmdesc (p, dev, instance, data, error);
  return TRUE;
}

/* --- sections --- */

static gboolean
parse_configuration (Parser *p, GError **error)
{
  guint64 at = p->pos;
  guint32 len;
  char name[MAX_MACHINE_NAME + 1];

  if (!get_be32 (p, &len, "the machine type's length", error))
    return FALSE;
  if (len == 0 || len > MAX_MACHINE_NAME)
    return fail (p, error, IPT_ERROR_CORRUPT, at, "machine type of %u bytes", len);
  if (!get_bytes (p, (guint8 *) name, len, "the machine type", error))
    return FALSE;
  name[len] = '\0';
  if (strlen (name) != len || !g_utf8_validate (name, len, NULL))
    return fail (p, error, IPT_ERROR_CORRUPT, at + 4, "machine type is not a string");
  g_free (p->machine);
  p->machine = g_strdup (name);
  while (peek_u8 (p) == SECTION_SUBSECTION)
    {
      guint64 sub_at = p->pos++;
      char sub[256];
      guint32 version, v;

      if (!get_name (p, sub, "a subsection's name", error) ||
          !get_be32 (p, &version, "a subsection's version", error))
        return FALSE;
      if (strcmp (sub, "configuration/target-page-bits") == 0)
        {
          if (!get_be32 (p, &v, "the target page bits", error))
            return FALSE;
          if (v != 12)
            return fail (p, error, IPT_ERROR_NOT_SUPPORTED, p->pos - 4,
                         "target pages of 2^%u bytes, not 4 KiB", v);
        }
      else if (strcmp (sub, "configuration/capabilities") == 0)
        {
          if (!get_be32 (p, &v, "the capability count", error))
            return FALSE;
          if (v > MAX_CAPABILITIES)
            return fail (p, error, IPT_ERROR_CORRUPT, p->pos - 4, "%u capabilities", v);
          for (guint i = 0; i < v; i++)
            {
              char cap[256];

              if (!get_name (p, cap, "a capability", error))
                return FALSE;
              if (strcmp (cap, "x-ignore-shared") == 0)
                p->ignore_shared = TRUE;
            }
        }
      else if (strcmp (sub, "configuration/uuid") == 0)
        {
          if (!skip_bytes (p, 16, "the UUID", error))
            return FALSE;
        }
      else
        return fail (p, error, IPT_ERROR_NOT_SUPPORTED, sub_at,
                     "unknown subsection '%s' of the configuration", sub);
    }
  return TRUE;
}

static gboolean
parse_command (Parser *p, GError **error)
{
  guint64 at = p->pos - 1;
  guint16 cmd, len;

  if (!get_be16 (p, &cmd, "a command", error) || !get_be16 (p, &len, "a command's length", error))
    return FALSE;
  if (cmd == CMD_PACKAGED)
    return fail (p, error, IPT_ERROR_NOT_SUPPORTED, at,
                 "a postcopy package (device state sent in postcopy) is not supported");
  if (cmd == CMD_POSTCOPY_ADVISE && len == 16)
    {
      guint64 summary, target;

      if (!get_be64 (p, &summary, "the postcopy advice", error) ||
          !get_be64 (p, &target, "the postcopy advice", error))
        return FALSE;
      /* blocks of another page size than the host's carry it in the block
       * list: only all-4-KiB RAM is known not to */
      if (summary != IPT_QEMU_RAM_PAGE_SIZE || target != IPT_QEMU_RAM_PAGE_SIZE)
        return fail (p, error, IPT_ERROR_NOT_SUPPORTED, at,
                     "postcopy with RAM pages of 0x%" G_GINT64_MODIFIER "x bytes (target pages "
                     "of 0x%" G_GINT64_MODIFIER "x): only 4 KiB pages are supported",
                     summary, target);
      return TRUE;
    }
  return skip_bytes (p, len, "a command", error);
}

/* START and FULL sections: be32 id, idstr, be32 instance id, be32 version. */
static gboolean
parse_section (Parser *p, guint8 type, guint64 header, GError **error)
{
  guint32 id, instance = 0, version = 0;
  char idstr[256] = "";

  if (!get_be32 (p, &id, "a section header", error))
    return FALSE;
  if (type == SECTION_START || type == SECTION_FULL)
    {
      if (!get_name (p, idstr, "a section's name", error) ||
          !get_be32 (p, &instance, "a section header", error) ||
          !get_be32 (p, &version, "a section header", error))
        return FALSE;
    }
  if (type == SECTION_START)
    {
      if (strcmp (idstr, "ram") != 0)
        return fail (p, error, IPT_ERROR_NOT_SUPPORTED, header,
                     "iterable section '%s' (id %u) is not supported: only 'ram' is", idstr, id);
      if (p->have_ram)
        return fail (p, error, IPT_ERROR_CORRUPT, header, "a second 'ram' section");
      if (version != 4)
        return fail (p, error, IPT_ERROR_NOT_SUPPORTED, header,
                     "'ram' section version %u, only 4 is supported", version);
      p->have_ram = TRUE;
      p->ram_section = id;
      if (!parse_ram (p, TRUE, error))
        return FALSE;
    }
  else if (type == SECTION_PART || type == SECTION_END)
    {
      if (!p->have_ram || id != p->ram_section)
        return fail (p, error, IPT_ERROR_CORRUPT, header,
                     "section id %u continues a section that did not start", id);
      if (!parse_ram (p, FALSE, error))
        return FALSE;
    }
  else if (!parse_device (p, id, idstr, instance, version, header, error))
    return FALSE;

  /* the footer, when the machine sends them (pc machines since 2.4) */
  if (peek_u8 (p) == SECTION_FOOTER)
    {
      guint64 at = p->pos++;
      guint32 footer;

      if (!get_be32 (p, &footer, "a section footer", error))
        return FALSE;
      if (footer != id)
        return fail (p, error, IPT_ERROR_CORRUPT, at,
                     "footer of section id %u ends section id %u", footer, id);
    }
  return TRUE;
}

static gboolean
parse_stream (Parser *p, GError **error)
{
  guint32 magic, version;

  if (!get_be32 (p, &magic, "the header", error))
    return FALSE;
  if (magic != QEVM_MAGIC)
    return fail (p, error, IPT_ERROR_CORRUPT, 0, "not a QEMU migration stream (no \"QEVM\")");
  if (!get_be32 (p, &version, "the header", error))
    return FALSE;
  if (version != QEVM_VERSION)
    return fail (p, error, IPT_ERROR_NOT_SUPPORTED, 4,
                 "migration stream version %u, only %u is supported", version, QEVM_VERSION);
  if (!ipt_qemu_vmdesc_load (&p->vmdesc, p->stream, error))
    return FALSE;
  if (p->vmdesc.json != NULL)
    p->end = p->vmdesc.offset;   /* the sections end where it starts */

  for (;;)
    {
      guint64 at = p->pos;
      guint8 type;
      gboolean ok;

      if (!get_u8 (p, &type, "a section", error))
        return FALSE;
      switch (type)
        {
        case SECTION_EOF:
          if (!p->have_ram)
            return fail (p, error, IPT_ERROR_CORRUPT, at, "the stream has no 'ram' section");
          if (p->vmdesc.json != NULL &&
              p->next_device != json_array_get_length (p->vmdesc.devices))
            return fail (p, error, IPT_ERROR_CORRUPT, at,
                         "the stream ends after %u device sections, the VMDESCRIPTION lists %u",
                         p->next_device, json_array_get_length (p->vmdesc.devices));
          if (p->pos != p->end)
            return fail (p, error, IPT_ERROR_CORRUPT, p->pos,
                         "0x%" G_GINT64_MODIFIER "x bytes after the end of the sections that are "
                         "not a whole VMDESCRIPTION", p->end - p->pos);
          return TRUE;
        case SECTION_CONFIGURATION:
          ok = parse_configuration (p, error);
          break;
        case SECTION_COMMAND:
          ok = parse_command (p, error);
          break;
        case SECTION_START:
        case SECTION_PART:
        case SECTION_END:
        case SECTION_FULL:
          ok = parse_section (p, type, at, error);
          break;
        default:
          return fail (p, error, IPT_ERROR_CORRUPT, at, "unknown section type 0x%02x", type);
        }
      if (!ok)
        return FALSE;
    }
}

gboolean
ipt_qemu_migration_parse (IptQemuStream *stream, IptQemuRam *ram, GArray *cpus,
                          char **machine, GError **error)
{
  Parser p = {
    .stream = stream,
    .name = ipt_qemu_stream_get_name (stream),
    .end = ipt_qemu_stream_get_size (stream),
    .ram = ram,
    .cpus = cpus,
  };
  gboolean ok = parse_stream (&p, error);

  if (ok && machine != NULL)
    *machine = g_steal_pointer (&p.machine);
  g_free (p.machine);
  ipt_qemu_vmdesc_clear (&p.vmdesc);
  return ok;
}

/* --- placement --- */

/* How much of pc.ram an i440fx or q35 machine puts below 4 GiB (hw/i386's
 * pc_init1 and pc_q35_init without max-ram-below-4g); 0 when @machine is
 * neither. */
static guint64
pc_ram_below_4g (const char *machine, guint64 ram_size)
{
  if (machine == NULL)
    return 0;
  if (g_str_has_prefix (machine, "pc-q35-") || strcmp (machine, "q35") == 0)
    return ram_size >= 0xb0000000 ? 0x80000000 : 0xb0000000;
  if (g_str_has_prefix (machine, "pc-i440fx-") || strcmp (machine, "pc") == 0)
    {
      /* gigabyte_align: every i440fx machine from 2.1 on */
      guint major = 0, minor = 0;
      gboolean aligned = TRUE;

      if (sscanf (machine, "pc-i440fx-%u.%u", &major, &minor) == 2)
        aligned = major > 2 || (major == 2 && minor >= 1);
      if (ram_size >= 0xe0000000)
        return aligned ? 0xc0000000 : 0xe0000000;
      return 0xe0000000;
    }
  return 0;
}

gboolean
ipt_qemu_migration_place_pc (IptQemuRam *ram, const char *machine, guint64 ram_below_4g,
                             GError **error)
{
  const guint64 four_g = G_GUINT64_CONSTANT (1) << 32;
  const char *name = ipt_qemu_stream_get_name (ipt_qemu_ram_get_stream (ram));
  IptQemuRamBlock *pc_ram = ipt_qemu_ram_find_block (ram, "pc.ram");
  IptQemuRamBlock *bios = ipt_qemu_ram_find_block (ram, "pc.bios");
  guint64 size, below;

  if (pc_ram == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s: no RAM block 'pc.ram': not a PC machine's RAM", name);
      return FALSE;
    }
  size = ipt_qemu_ram_block_get_size (pc_ram);
  below = ram_below_4g != 0 ? ram_below_4g : pc_ram_below_4g (machine, size);
  /* every PC rule puts up to 2 GiB all below 4 GiB */
  if (below == 0 && size <= 0x80000000)
    below = size;
  if (below == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s: machine type '%s' has no known rule for how much of its %" G_GUINT64_FORMAT
                   " bytes of pc.ram lie below 4 GiB: give it", name,
                   machine != NULL ? machine : "(unknown)", size);
      return FALSE;
    }
  if (below % IPT_QEMU_RAM_PAGE_SIZE != 0 || below > four_g)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: 0x%" G_GINT64_MODIFIER "x bytes of RAM below 4 GiB: not a whole number "
                   "of pages up to 4 GiB", name, below);
      return FALSE;
    }
  below = MIN (below, size);
  if (!ipt_qemu_ram_map (ram, pc_ram, 0, 0, below, error) ||
      (size > below && !ipt_qemu_ram_map (ram, pc_ram, below, four_g, size - below, error)) ||
      (bios != NULL &&
       !ipt_qemu_ram_map (ram, bios, 0, four_g - ipt_qemu_ram_block_get_size (bios),
                          ipt_qemu_ram_block_get_size (bios), error)))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  return TRUE;
}
