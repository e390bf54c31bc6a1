/* ipt-elf-symbols.c: an ELF file's function symbols as a sorted table.
 *
 * Built once from `.symtab`, else `.dynsym`, with libelf; then only read.
 * Symbols are an extra: a malformed table is skipped with a debug message,
 * never an error, and a file without either table simply names nothing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ipt-elf-file.h"
#include "ipt-elf-reader.h"
#include "ipt-elf-symbols.h"
#include "ipt-page.h"
#include "ipt-sorted.h"

typedef struct {
  guint64 start;              /* relocated */
  guint64 end;                /* exclusive extent used for lookups (> start) */
  guint64 max_end;            /* max of end over this and all earlier entries */
  guint64 size;               /* st_size, 0 = unknown */
  const char *name;           /* in self->names */
} Symbol;

struct _IptElfSymbols {
  Symbol *symbols;            /* sorted by start */
  guint n_symbols;
  char *names;                /* every kept name, NUL-terminated, back to back */
  const char *table_name;     /* ".symtab", ".dynsym" or NULL */
};

typedef struct {
  guint64 start;
  guint64 size;
  guint64 section_end;      /* relocated end of the symbol's section */
  const char *name;         /* in libelf's string table */
  guint rank;               /* lower is preferred among symbols at one address */
} Candidate;

typedef struct {
  guint64 flags;
  guint64 end;               /* sh_addr + sh_size, relocated, saturated */
  gboolean alloc;
} SectionInfo;

static guint
leading_underscores (const char *name)
{
  guint n = 0;

  while (name[n] == '_')
    n++;
  return n;
}

/* Among aliases at one address: sized over unsized, functions over labels,
 * global over weak over local, then fewer leading underscores. */
static guint
candidate_rank (const GElf_Sym *sym, const char *name)
{
  guint rank = 0;

  if (sym->st_size == 0)
    rank += 1000;
  if (GELF_ST_TYPE (sym->st_info) == STT_NOTYPE)
    rank += 100;
  switch (GELF_ST_BIND (sym->st_info))
    {
    case STB_GLOBAL:
      break;
    case STB_WEAK:
      rank += 10;
      break;
    default:
      rank += 20;
    }
  return rank + MIN (leading_underscores (name), 9u);
}

/* A total order (ties broken by the name), so the table does not depend on
 * the order of the file's symbols. */
static gint
compare_candidates (gconstpointer a, gconstpointer b)
{
  const Candidate *ca = a, *cb = b;
  size_t la, lb;

  if (ca->start != cb->start)
    return ca->start < cb->start ? -1 : 1;
  if (ca->rank != cb->rank)
    return ca->rank < cb->rank ? -1 : 1;
  la = strlen (ca->name);
  lb = strlen (cb->name);
  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp (ca->name, cb->name);
}

/* The defined functions and code labels of the file's symbol table, sorted;
 * *@table_name says which table, or stays NULL. */
static GArray *
collect_candidates (Elf *elf, guint64 bias, const char *path, const char **table_name)
{
  g_autoptr (GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autofree SectionInfo *sections = NULL;
  Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL, *table, *shndx_scn = NULL;
  Elf_Data *data, *shndx_data = NULL;
  GElf_Shdr shdr, table_shdr;
  size_t shnum = 0, count, i, entsize;

  if (elf_getshdrnum (elf, &shnum) != 0 || shnum == 0)
    return g_steal_pointer (&candidates);
  sections = g_new0 (SectionInfo, shnum);

  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      size_t index = elf_ndxscn (scn);

      if (gelf_getshdr (scn, &shdr) == NULL || index >= shnum)
        continue;
      sections[index].flags = shdr.sh_flags;
      sections[index].alloc = (shdr.sh_flags & SHF_ALLOC) != 0;
      /* Relocation is modulo 2^64, like the loader's; saturate the end. */
      sections[index].end = shdr.sh_addr + bias;
      sections[index].end = shdr.sh_size > G_MAXUINT64 - sections[index].end
                              ? G_MAXUINT64 : sections[index].end + shdr.sh_size;
      if (shdr.sh_type == SHT_SYMTAB && symtab == NULL)
        symtab = scn;
      else if (shdr.sh_type == SHT_DYNSYM && dynsym == NULL)
        dynsym = scn;
    }

  table = symtab != NULL ? symtab : dynsym;
  if (table == NULL || gelf_getshdr (table, &table_shdr) == NULL)
    return g_steal_pointer (&candidates);
  entsize = gelf_fsize (elf, ELF_T_SYM, 1, EV_CURRENT);
  if (table_shdr.sh_entsize != entsize || table_shdr.sh_link >= shnum)
    {
      g_debug ("%s: section %zu: symbol table with entry size %" G_GUINT64_FORMAT
               " or string table %u is not valid; no symbols", path,
               elf_ndxscn (table), (guint64) table_shdr.sh_entsize, table_shdr.sh_link);
      return g_steal_pointer (&candidates);
    }
  data = elf_getdata (table, NULL);
  if (data == NULL)
    {
      g_debug ("%s: section %zu: cannot read the symbol table: %s; no symbols",
               path, elf_ndxscn (table), elf_errmsg (-1));
      return g_steal_pointer (&candidates);
    }
  count = data->d_size / entsize;

  /* Extended section indices, for files with 65280 sections or more. */
  while ((shndx_scn = elf_nextscn (elf, shndx_scn)) != NULL)
    if (gelf_getshdr (shndx_scn, &shdr) != NULL && shdr.sh_type == SHT_SYMTAB_SHNDX
        && shdr.sh_link == elf_ndxscn (table))
      {
        shndx_data = elf_getdata (shndx_scn, NULL);
        break;
      }

  for (i = 0; i < count; i++)
    {
      GElf_Sym sym;
      Elf32_Word xndx = 0;
      guint type;
      size_t section;
      const char *name;
      Candidate candidate;

      if (gelf_getsymshndx (data, shndx_data, (int) i, &sym, &xndx) == NULL)
        continue;
      type = GELF_ST_TYPE (sym.st_info);
      if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
        continue;
      section = sym.st_shndx == SHN_XINDEX ? xndx : sym.st_shndx;
      if (section == SHN_UNDEF || section >= shnum
          || (sym.st_shndx >= SHN_LORESERVE && sym.st_shndx != SHN_XINDEX))
        continue;
      if (!sections[section].alloc)
        continue;
      /* Untyped symbols outside code are markers such as _end or __bss_start. */
      if (type == STT_NOTYPE && !(sections[section].flags & SHF_EXECINSTR))
        continue;
      name = elf_strptr (elf, table_shdr.sh_link, sym.st_name);
      /* '$'-names are ARM/AArch64 mapping symbols, not functions. */
      if (name == NULL || name[0] == '\0' || name[0] == '$')
        continue;
      candidate.start = sym.st_value + bias;
      candidate.size = sym.st_size;
      candidate.section_end = sections[section].end;
      candidate.name = name;
      candidate.rank = candidate_rank (&sym, name);
      g_array_append_val (candidates, candidate);
    }

  g_array_sort (candidates, compare_candidates);
  *table_name = table == symtab ? ".symtab" : ".dynsym";
  return g_steal_pointer (&candidates);
}

/**
 * ipt_elf_symbols_new:
 * @elf: an open ELF file (only read)
 * @bias: added to every st_value and section address (modulo 2^64, like the
 *   loader's relocation)
 * @path: the file's name, for debug messages
 *
 * Builds the table of @elf's symbols from `.symtab`, or `.dynsym` when the
 * file is stripped: defined functions (STT_FUNC, STT_GNU_IFUNC) and untyped
 * labels in executable sections. Of aliases at one address the preferred
 * one names it (see candidate_rank()); a symbol without a size extends to
 * the next symbol or the end of its section; nested symbols resolve to the
 * innermost. The table does not refer to @elf afterwards.
 *
 * Returns: (transfer full): the table, never %NULL (empty for a file
 *   without symbols or with a malformed table)
 */
IptElfSymbols *
ipt_elf_symbols_new (Elf *elf, guint64 bias, const char *path)
{
  IptElfSymbols *self = g_new0 (IptElfSymbols, 1);
  g_autoptr (GArray) candidates = collect_candidates (elf, bias, path, &self->table_name);
  g_autoptr (GArray) symbols = g_array_new (FALSE, FALSE, sizeof (Symbol));
  gsize names_size = 0;
  char *p;
  guint i;

  for (i = 0; i < candidates->len; i++)
    {
      const Candidate *c = &g_array_index (candidates, Candidate, i);
      Symbol symbol;
      guint next = i + 1;

      /* Aliases: the first (preferred) one at an address names it. */
      if (i > 0 && c->start == g_array_index (candidates, Candidate, i - 1).start)
        continue;
      while (next < candidates->len
             && g_array_index (candidates, Candidate, next).start == c->start)
        next++;

      symbol.start = c->start;
      symbol.size = c->size;
      symbol.name = c->name;
      if (c->size > 0)
        symbol.end = c->size > G_MAXUINT64 - c->start ? G_MAXUINT64 : c->start + c->size;
      else
        {
          symbol.end = c->section_end;
          if (next < candidates->len)
            symbol.end = MIN (symbol.end, g_array_index (candidates, Candidate, next).start);
        }
      if (symbol.end <= symbol.start)
        continue;
      symbol.max_end = symbol.end;
      if (symbols->len > 0)
        symbol.max_end = MAX (symbol.end, g_array_index (symbols, Symbol,
                                                         symbols->len - 1).max_end);
      names_size += strlen (symbol.name) + 1;
      g_array_append_val (symbols, symbol);
    }

  /* One block for all names: the table outlives libelf's string tables. */
  self->names = p = g_malloc (MAX (names_size, 1));
  for (i = 0; i < symbols->len; i++)
    {
      Symbol *symbol = &g_array_index (symbols, Symbol, i);
      gsize len = strlen (symbol->name) + 1;

      memcpy (p, symbol->name, len);
      symbol->name = p;
      p += len;
    }
  self->n_symbols = symbols->len;
  self->symbols = (Symbol *) (gpointer) g_array_free (g_steal_pointer (&symbols), FALSE);
  return self;
}

/* The lowest PT_LOAD's p_vaddr rounded down to the page; FALSE without one
 * (or with headers that ipt_elf_reader_open() refuses). */
static gboolean
first_load_page (const guint8 *data, gsize size, guint64 *first_page)
{
  IptElfReader r;
  IptElfHeader header;
  gboolean found = FALSE;

  if (!ipt_elf_reader_open (&r, data, size, "", &header, NULL))
    return FALSE;
  for (guint64 i = 0; i < header.phnum; i++)
    {
      IptElfPhdr phdr;

      ipt_elf_reader_phdr (&r, &header, i, &phdr);
      if (phdr.type != PT_LOAD)
        continue;
      if (!found || phdr.vaddr < *first_page)
        *first_page = phdr.vaddr;
      found = TRUE;
    }
  if (found)
    *first_page &= IPT_PAGE_MASK;   /* the kernel maps ELF files in x86 pages */
  return found;
}

/* @elf's file is the one that was verified: same size and same build-id
 * (or, without one, same first page). The path was checked when it was
 * mapped, but it may have been replaced since. */
static gboolean
same_file (Elf *elf, const guint8 *verified, gsize verified_size)
{
  const guint8 *raw;
  size_t raw_size = 0;
  IptElfFacts a, b;
  gsize head;

  raw = (const guint8 *) elf_rawfile (elf, &raw_size);
  if (raw == NULL || raw_size != verified_size)
    return FALSE;
  ipt_elf_inspect (verified, verified_size, &a);
  ipt_elf_inspect (raw, raw_size, &b);
  if (a.build_id != NULL || b.build_id != NULL)
    return a.build_id != NULL && b.build_id != NULL && a.build_id_len == b.build_id_len
           && memcmp (a.build_id, b.build_id, a.build_id_len) == 0;
  head = MIN (verified_size, (gsize) IPT_PAGE_SIZE);
  return memcmp (raw, verified, head) == 0;
}

/**
 * ipt_elf_symbols_new_for_file:
 * @path: an ELF file
 * @verified: the bytes of @path that the caller checked and serves
 * @verified_size: their number
 * @first_page: (out): the file's lowest PT_LOAD address rounded down to
 *   4 KiB (the address its offset-0 mapping stands for)
 *
 * Opens @path with libelf (read-only, mapped by libelf itself: libelf may
 * convert data in place, which a read-only mapping shared with reads would
 * not allow) and builds its table at the file's own addresses. The file
 * must still be the one in @verified.
 *
 * Returns: (transfer full) (nullable): the table, or %NULL when the file
 *   cannot be opened, is not an ELF file with a PT_LOAD, or is no longer
 *   the verified file (each said in a debug message; symbols are an extra)
 */
IptElfSymbols *
ipt_elf_symbols_new_for_file (const char *path, const guint8 *verified, gsize verified_size,
                              guint64 *first_page)
{
  g_autoptr (GError) error = NULL;
  IptElfSymbols *self = NULL;
  struct stat st;
  Elf *elf;
  int fd;

  if (!ipt_elf_file_init (&error))
    {
      g_debug ("%s: %s; no symbols", path, error->message);
      return NULL;
    }
  /* O_NONBLOCK: a file swapped for a FIFO must not block the lookup. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      g_debug ("%s: cannot open: %s; no symbols", path, g_strerror (errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size != verified_size)
    {
      g_debug ("%s: no longer the regular file of %" G_GSIZE_FORMAT " bytes that was checked;"
               " no symbols", path, verified_size);
      close (fd);
      return NULL;
    }
  elf = elf_begin (fd, ELF_C_READ_MMAP, NULL);
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF)
    g_debug ("%s: not an ELF file libelf can read%s%s; no symbols", path,
             elf == NULL ? ": " : "", elf == NULL ? elf_errmsg (-1) : "");
  else if (!same_file (elf, verified, verified_size))
    g_debug ("%s: changed since it was checked; no symbols", path);
  else if (!first_load_page (verified, verified_size, first_page))
    g_debug ("%s: no PT_LOAD segment; no symbols", path);
  else
    self = ipt_elf_symbols_new (elf, 0, path);
  if (elf != NULL)
    elf_end (elf);
  close (fd);
  return self;
}

/**
 * ipt_elf_symbols_free:
 * @self: (nullable): a table
 *
 * Frees the table and its names.
 */
void
ipt_elf_symbols_free (IptElfSymbols *self)
{
  if (self == NULL)
    return;
  g_free (self->symbols);
  g_free (self->names);
  g_free (self);
}

/**
 * ipt_elf_symbols_lookup:
 * @self: a table
 * @address: a relocated address
 * @name: (out): the innermost symbol containing @address, owned by @self
 * @start: (out): its relocated first address
 * @size: (out): its st_size (0 = unknown)
 *
 * Finds the symbol containing @address without allocating or locking.
 *
 * Returns: %TRUE when found; otherwise the out arguments are left alone
 */
gboolean
ipt_elf_symbols_lookup (const IptElfSymbols *self, guint64 address, const char **name,
                        guint64 *start, guint64 *size)
{
  const Symbol *syms = self->symbols;
  gsize lo = IPT_SORTED_UPPER_BOUND (syms, self->n_symbols, Symbol, start, address);

  /* The innermost symbol containing @address starts at or before it; walk
   * back while an earlier symbol can still reach it (nested symbols). */
  while (lo > 0 && syms[lo - 1].max_end > address)
    {
      const Symbol *sym = &syms[--lo];

      if (address < sym->end)
        {
          *name = sym->name;
          *start = sym->start;
          *size = sym->size;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * ipt_elf_symbols_get_n_symbols:
 * @self: a table
 *
 * Returns: the number of addresses the table names
 */
guint
ipt_elf_symbols_get_n_symbols (const IptElfSymbols *self)
{
  return self->n_symbols;
}

/**
 * ipt_elf_symbols_get_table_name:
 * @self: a table
 *
 * Returns: (nullable): ".symtab" or ".dynsym", where the symbols come from;
 *   %NULL for a file with neither
 */
const char *
ipt_elf_symbols_get_table_name (const IptElfSymbols *self)
{
  return self->table_name;
}
