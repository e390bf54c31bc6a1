/* ipt-elf-util.c: ELF header and PT_LOAD helpers of the elf plugin, on top
 * of libelf (the build-id is read by plugins/common/ipt-elf-reader.c).
 *
 * libelf checks that what it reads is inside the image; these helpers add
 * the checks a loader needs (entry sizes, segments inside the file, no
 * overlaps, no address overflow) and turn every failure into a GError that
 * names the file, the offset and the problem. They never trust a count or
 * an offset from the file before comparing it with the file size. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ipt-elf-util.h"

/* Offsets of e_ident fields and of the program header fields of the ELF
 * header, for messages that point at the bytes at fault. */
#define EI_CLASS_OFFSET 4
#define EI_DATA_OFFSET 5
#define EI_VERSION_OFFSET 6

static guint64
ehdr_phoff_offset (guint elf_class)
{
  return elf_class == 32 ? 0x1c : 0x20;
}

static guint64
ehdr_phentsize_offset (guint elf_class)
{
  return elf_class == 32 ? 0x2a : 0x36;
}

static gpointer
init_libelf (gpointer data)
{
  return GUINT_TO_POINTER (elf_version (EV_CURRENT) != EV_NONE);
}

/**
 * ipt_elf_util_init:
 * @error: return location for an error
 *
 * Performs libelf's version handshake, once per process, thread-safely.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_NOT_SUPPORTED when the libelf
 *   in use does not support the ELF version these helpers are built for
 */
gboolean
ipt_elf_util_init (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  if (!GPOINTER_TO_UINT (g_once (&once, init_libelf, NULL)))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "libelf does not support ELF version %d: %s", EV_CURRENT,
                   elf_errmsg (-1));
      return FALSE;
    }
  return TRUE;
}

/* Checks e_ident's class, byte order and version (the magic is checked). */
static gboolean
check_ident (const guint8 *ident, const char *filename, guint *elf_class, GError **error)
{
  if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: unknown ELF class %u (expected 1 for 32-bit or 2 for 64-bit)",
                   filename, EI_CLASS_OFFSET, ident[EI_CLASS]);
      return FALSE;
    }
  if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: unknown ELF byte order %u (expected 1 for little or 2 for big endian)",
                   filename, EI_DATA_OFFSET, ident[EI_DATA]);
      return FALSE;
    }
  if (ident[EI_VERSION] != EV_CURRENT)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%x: unknown ELF version %u (expected %u)",
                   filename, EI_VERSION_OFFSET, ident[EI_VERSION], EV_CURRENT);
      return FALSE;
    }
  if (elf_class != NULL)
    *elf_class = ident[EI_CLASS] == ELFCLASS32 ? 32 : 64;
  return TRUE;
}

static Elf *
check_kind (Elf *elf, const char *filename, GError **error)
{
  if (elf == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: libelf cannot open the file: %s",
                   filename, elf_errmsg (-1));
      return NULL;
    }
  if (elf_kind (elf) != ELF_K_ELF)
    {
      const guint8 *raw;
      size_t raw_size = 0;

      /* libelf says ELF_K_NONE for an ELF magic with a class or byte order
       * it does not know: say which byte is wrong. */
      raw = (const guint8 *) elf_rawfile (elf, &raw_size);
      if (elf_kind (elf) == ELF_K_NONE && raw != NULL && raw_size >= EI_NIDENT
          && memcmp (raw, ELFMAG, SELFMAG) == 0)
        check_ident (raw, filename, NULL, error);
      else
        g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                     "%s: offset 0x0: not an ELF file (%s)", filename,
                     elf_kind (elf) == ELF_K_AR ? "an ar archive" : "no ELF magic");
      elf_end (elf);
      return NULL;
    }
  return elf;
}

/* Checks e_ident (@ident: %NULL when the file, of @file_size bytes, ends
 * inside it) and that the ELF header of its class fits in the file. */
static gboolean
check_ident_and_size (const guint8 *ident, guint64 file_size, const char *filename,
                      guint *elf_class, GError **error)
{
  gsize ehdr_size;

  if (ident == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x0: the file (size 0x%" G_GINT64_MODIFIER "x) ends inside"
                   " the ELF identification (0x%x bytes)", filename, file_size, EI_NIDENT);
      return FALSE;
    }
  if (!check_ident (ident, filename, elf_class, error))
    return FALSE;
  ehdr_size = *elf_class == 32 ? sizeof (Elf32_Ehdr) : sizeof (Elf64_Ehdr);
  if (file_size < ehdr_size)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: offset 0x0: the file (size 0x%" G_GINT64_MODIFIER "x) ends inside"
                   " the ELF%u header (0x%" G_GSIZE_MODIFIER "x bytes)",
                   filename, file_size, *elf_class, ehdr_size);
      return FALSE;
    }
  return TRUE;
}

/* The checks libelf would only answer with "invalid ELF file data", made on
 * the first bytes of the file (@n of them, the file has @file_size). */
static gboolean
check_prefix (const guint8 *bytes, gsize n, guint64 file_size, const char *filename,
              GError **error)
{
  guint elf_class;

  if (n < SELFMAG || memcmp (bytes, ELFMAG, SELFMAG) != 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: offset 0x0: not an ELF file (no ELF magic)", filename);
      return FALSE;
    }
  return check_ident_and_size (n >= EI_NIDENT ? bytes : NULL, file_size, filename,
                               &elf_class, error);
}

/**
 * ipt_elf_open_fd:
 * @fd: a file descriptor open for reading; the caller keeps it
 * @file_size: the size of the file
 * @filename: the file's name, for messages
 * @error: return location for an error
 *
 * Checks the ELF identification, then opens @fd with libelf
 * (ELF_C_READ_MMAP: mapped read-only, never written).
 *
 * Returns: (transfer full): the Elf handle (free with elf_end()), or %NULL
 *   with %IPT_ERROR_INVALID_ARGUMENT when it is not an ELF file,
 *   %IPT_ERROR_TRUNCATED when it ends inside the ELF header,
 *   %IPT_ERROR_CORRUPT for an unknown class, byte order or version, or
 *   %IPT_ERROR_IO when it cannot be read
 */
Elf *
ipt_elf_open_fd (int fd, guint64 file_size, const char *filename, GError **error)
{
  guint8 prefix[sizeof (Elf64_Ehdr)];
  gssize n;

  if (!ipt_elf_util_init (error))
    return NULL;
  do
    n = pread (fd, prefix, sizeof prefix, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved_errno = errno;

      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: offset 0x0: %s", filename,
                   g_strerror (saved_errno));
      return NULL;
    }
  if (!check_prefix (prefix, (gsize) n, file_size, filename, error))
    return NULL;
  return check_kind (elf_begin (fd, ELF_C_READ_MMAP, NULL), filename, error);
}

/**
 * ipt_elf_open_memory:
 * @image: the ELF image; libelf may rewrite it in place (byte-order
 *   conversion), so pass a private, writable copy that outlives the handle
 * @size: the size of @image
 * @filename: a name for messages
 * @error: return location for an error
 *
 * Like ipt_elf_open_fd() for an image in memory (elf_memory()).
 *
 * Returns: (transfer full): the Elf handle, or %NULL with an error
 */
Elf *
ipt_elf_open_memory (void *image, gsize size, const char *filename, GError **error)
{
  if (!ipt_elf_util_init (error))
    return NULL;
  if (!check_prefix (image, size, size, filename, error))
    return NULL;
  return check_kind (elf_memory (image, size), filename, error);
}

/**
 * ipt_elf_read_header:
 * @elf: an Elf handle of kind ELF_K_ELF
 * @file_size: the size of the file
 * @filename: the file's name, for messages
 * @header: (out caller-allocates): the validated header
 * @error: return location for an error
 *
 * Reads and checks the ELF header and the placement of the program header
 * table. Does not look at e_type: callers decide which types they accept.
 *
 * Returns: %TRUE, or %FALSE with %IPT_ERROR_TRUNCATED (the file ends
 *   inside the ELF header or the program header table) or
 *   %IPT_ERROR_CORRUPT (unknown class, byte order or version, wrong
 *   e_phentsize, a header libelf rejects)
 */
gboolean
ipt_elf_read_header (Elf *elf, guint64 file_size, const char *filename,
                     IptElfHeader *header, GError **error)
{
  const char *ident;
  size_t ident_size = 0, phnum = 0, libelf_phnum = 0;
  GElf_Ehdr ehdr;
  guint elf_class;
  gsize expected_phentsize;

  ident = elf_getident (elf, &ident_size);
  if (ident != NULL && (ident_size < EI_NIDENT || file_size < EI_NIDENT))
    ident = NULL;
  if (!check_ident_and_size ((const guint8 *) ident, file_size, filename, &elf_class, error))
    return FALSE;
  if (gelf_getehdr (elf, &ehdr) == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x0: bad ELF header: %s", filename, elf_errmsg (-1));
      return FALSE;
    }
  /* Not elf_getphdrnum(): it quietly clamps the count to what fits in the
   * file, and a table running off the end must be an error. */
  phnum = ehdr.e_phnum;
  if (phnum == PN_XNUM)
    {
      GElf_Shdr shdr0;
      Elf_Scn *scn0 = elf_getscn (elf, 0);

      if (scn0 == NULL || gelf_getshdr (scn0, &shdr0) == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: e_phnum is PN_XNUM but section"
                       " header 0, which holds the real count, cannot be read: %s",
                       filename, ehdr_phoff_offset (elf_class) + (elf_class == 32 ? 0x10 : 0x18),
                       elf_errmsg (-1));
          return FALSE;
        }
      phnum = shdr0.sh_info;
    }

  if (phnum > 0)
    {
      expected_phentsize = gelf_fsize (elf, ELF_T_PHDR, 1, EV_CURRENT);
      if (ehdr.e_phentsize != expected_phentsize)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: e_phentsize is %u,"
                       " expected %" G_GSIZE_FORMAT " for ELF%u",
                       filename, ehdr_phentsize_offset (elf_class), ehdr.e_phentsize,
                       expected_phentsize, elf_class);
          return FALSE;
        }
      /* phnum < 2^32 and phentsize <= 56: the product cannot overflow. */
      if (ehdr.e_phoff > file_size
          || (guint64) phnum * ehdr.e_phentsize > file_size - ehdr.e_phoff)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: the program header table"
                       " (e_phoff 0x%" G_GINT64_MODIFIER "x, %" G_GSIZE_FORMAT " entries of %u bytes)"
                       " extends past the end of the file (size 0x%" G_GINT64_MODIFIER "x)",
                       filename, ehdr_phoff_offset (elf_class), (guint64) ehdr.e_phoff,
                       phnum, ehdr.e_phentsize, file_size);
          return FALSE;
        }
      if (elf_getphdrnum (elf, &libelf_phnum) != 0 || libelf_phnum != phnum)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: libelf cannot read the %"
                       G_GSIZE_FORMAT " program headers: %s", filename,
                       (guint64) ehdr.e_phoff, phnum, elf_errmsg (-1));
          return FALSE;
        }
    }

  header->elf_class = elf_class;
  header->data = (guint8) ident[EI_DATA];
  header->type = ehdr.e_type;
  header->machine = ehdr.e_machine;
  header->entry = ehdr.e_entry;
  header->phoff = ehdr.e_phoff;
  header->phentsize = ehdr.e_phentsize;
  header->phnum = phnum;
  return TRUE;
}

static gint
compare_segments (gconstpointer a, gconstpointer b)
{
  const IptElfSegment *sa = a, *sb = b;

  if (sa->vaddr != sb->vaddr)
    return sa->vaddr < sb->vaddr ? -1 : 1;
  return sa->index < sb->index ? -1 : (sa->index > sb->index);
}

/**
 * ipt_elf_read_loads:
 * @elf: an Elf handle
 * @header: its header, from ipt_elf_read_header()
 * @file_size: the size of the file
 * @filename: the file's name, for messages
 * @error: return location for an error
 *
 * Reads the PT_LOAD program headers, skips those with p_memsz 0 (they map
 * nothing) and checks the rest: p_filesz <= p_memsz, the file bytes inside
 * the file, the address range inside the ELF class's address space, and no
 * two segments sharing an address.
 *
 * Returns: (transfer full) (element-type IptElfSegment): the segments,
 *   sorted by p_vaddr (maybe empty), or %NULL with %IPT_ERROR_TRUNCATED
 *   (file bytes past the end of the file) or %IPT_ERROR_CORRUPT (anything
 *   else), naming the program header's index and file offset
 */
GArray *
ipt_elf_read_loads (Elf *elf, const IptElfHeader *header, guint64 file_size,
                    const char *filename, GError **error)
{
  g_autoptr (GArray) loads = g_array_new (FALSE, TRUE, sizeof (IptElfSegment));
  guint64 space_end = header->elf_class == 32 ? G_GUINT64_CONSTANT (0x100000000) : 0;
  gsize i;

  for (i = 0; i < header->phnum; i++)
    {
      GElf_Phdr phdr;
      IptElfSegment segment;
      guint64 header_offset = header->phoff + (guint64) i * header->phentsize;

      if (gelf_getphdr (elf, (int) i, &phdr) == NULL)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %" G_GSIZE_FORMAT " at offset 0x%" G_GINT64_MODIFIER
                       "x: cannot be read: %s", filename, i, header_offset, elf_errmsg (-1));
          return NULL;
        }
      if (phdr.p_type != PT_LOAD)
        continue;

      if (phdr.p_filesz > phdr.p_memsz)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %" G_GSIZE_FORMAT " at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD p_filesz 0x%" G_GINT64_MODIFIER "x is larger than p_memsz 0x%"
                       G_GINT64_MODIFIER "x", filename, i, header_offset,
                       (guint64) phdr.p_filesz, (guint64) phdr.p_memsz);
          return NULL;
        }
      if (phdr.p_memsz == 0)
        continue;
      if (phdr.p_filesz > 0
          && (phdr.p_offset > file_size || phdr.p_filesz > file_size - phdr.p_offset))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                       "%s: program header %" G_GSIZE_FORMAT " at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD file bytes at offset 0x%" G_GINT64_MODIFIER "x, size 0x%"
                       G_GINT64_MODIFIER "x, extend past the end of the file (size 0x%"
                       G_GINT64_MODIFIER "x)", filename, i, header_offset,
                       (guint64) phdr.p_offset, (guint64) phdr.p_filesz, file_size);
          return NULL;
        }
      /* space_end 0 stands for 2^64; the end address itself must be
       * representable (libipt computes it). */
      if ((space_end == 0 && phdr.p_memsz > G_MAXUINT64 - phdr.p_vaddr)
          || (space_end != 0 && (phdr.p_vaddr >= space_end
                                 || phdr.p_memsz > space_end - phdr.p_vaddr)))
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %" G_GSIZE_FORMAT " at offset 0x%" G_GINT64_MODIFIER
                       "x: PT_LOAD at 0x%" G_GINT64_MODIFIER "x, size 0x%" G_GINT64_MODIFIER
                       "x, reaches past the end of the %u-bit address space",
                       filename, i, header_offset, (guint64) phdr.p_vaddr,
                       (guint64) phdr.p_memsz, header->elf_class);
          return NULL;
        }

      segment.index = (guint) i;
      segment.header_offset = header_offset;
      segment.flags = phdr.p_flags;
      segment.offset = phdr.p_offset;
      segment.vaddr = phdr.p_vaddr;
      segment.filesz = phdr.p_filesz;
      segment.memsz = phdr.p_memsz;
      segment.align = phdr.p_align;
      g_array_append_val (loads, segment);
    }

  g_array_sort (loads, compare_segments);
  for (i = 1; i < loads->len; i++)
    {
      const IptElfSegment *prev = &g_array_index (loads, IptElfSegment, i - 1);
      const IptElfSegment *cur = &g_array_index (loads, IptElfSegment, i);

      /* prev->vaddr + prev->memsz cannot overflow (checked above). */
      if (cur->vaddr < prev->vaddr + prev->memsz)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                       "%s: program header %u at offset 0x%" G_GINT64_MODIFIER "x: PT_LOAD"
                       " [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER "x) overlaps"
                       " program header %u's [0x%" G_GINT64_MODIFIER "x, +0x%"
                       G_GINT64_MODIFIER "x)", filename, cur->index, cur->header_offset,
                       cur->vaddr, cur->memsz, prev->index, prev->vaddr, prev->memsz);
          return NULL;
        }
    }
  return g_steal_pointer (&loads);
}

/**
 * ipt_elf_type_to_string:
 * @type: an e_type value
 *
 * Returns: a short name for @type ("exec", "dyn", "rel", "core") or "unknown"
 */
const char *
ipt_elf_type_to_string (guint type)
{
  switch (type)
    {
    case ET_EXEC:
      return "exec";
    case ET_DYN:
      return "dyn";
    case ET_REL:
      return "rel";
    case ET_CORE:
      return "core";
    default:
      return "unknown";
    }
}
