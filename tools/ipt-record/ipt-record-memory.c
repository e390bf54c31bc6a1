/* ipt-record-memory.c: the code pages a traced process executed, written
 * as a kAFL/Nyx page dump (pages.addr: little-endian u64 page addresses;
 * pages.dump: page i at offset i * 4096) for ipt-analyze's pagedump
 * plugin, and, for pages rewritten while they were executing, every
 * version they had, as a perf jitdump (pages.jitdump) stamped with the
 * trace's clock.
 *
 * The tracer reads each instruction from the live process (/proc/PID/mem)
 * before it executes and hands its bytes here: a page is captured the
 * first time code on it runs, and captured again whenever an instruction
 * about to run differs from the captured copy (self-modifying code, JIT
 * code reused at one address).  So every executed instruction is, byte
 * for byte, in the version of its page that was current when it ran, and
 * the page dump holds the last version that ran.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-memory.h"
#include "ipt-record-clock.h"
#include "ipt-page.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* perf's jitdump format (tools/perf/util/jitdump.h). */
#define JITDUMP_MAGIC 0x4A695444u
#define JITDUMP_VERSION 1u
#define JITDUMP_ELF_MACH_X86_64 62u
#define JITDUMP_CODE_LOAD 0u

/* A version a page had before it was rewritten, valid [from, to). */
typedef struct {
  guint64 address;
  guint64 from;
  guint64 to;
} PageVersion;

struct _IptRecordMemory {
  pid_t pid;
  int mem_fd;
  char *mem_path;
  GHashTable *index;   /* page address -> 1 + page number */
  GArray *addresses;   /* guint64, in capture order */
  GArray *since;       /* guint64 per page: when its latest version was captured */
  GByteArray *pages;   /* IPT_PAGE_SIZE bytes per address: its latest version */
  GArray *earlier;     /* PageVersion, in the order they were replaced */
  GByteArray *earlier_pages; /* IPT_PAGE_SIZE bytes per earlier version */
  GArray *n_versions;  /* guint per page: how many earlier versions it had */
  GArray *rewritten;   /* guint: page numbers with an earlier version, once each */
  /* the last page looked up: most steps stay on it */
  guint64 last_page;
  guint last_number;
};

/**
 * ipt_record_memory_new:
 * @pid: the traced (ptrace-stopped) process
 * @error: return location for a #GError naming /proc/PID/mem
 *
 * Returns: (transfer full) (nullable): a capture with no pages yet.
 */
IptRecordMemory *
ipt_record_memory_new (pid_t pid, GError **error)
{
  g_autoptr(IptRecordMemory) self = g_new0 (IptRecordMemory, 1);

  self->pid = pid;
  self->mem_fd = -1;
  self->mem_path = g_strdup_printf ("/proc/%d/mem", (int) pid);
  self->index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->addresses = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->since = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->pages = g_byte_array_new ();
  self->earlier = g_array_new (FALSE, FALSE, sizeof (PageVersion));
  self->earlier_pages = g_byte_array_new ();
  self->n_versions = g_array_new (FALSE, TRUE, sizeof (guint));
  self->rewritten = g_array_new (FALSE, FALSE, sizeof (guint));
  self->last_page = G_MAXUINT64;
  self->mem_fd = open (self->mem_path, O_RDONLY | O_CLOEXEC);
  if (self->mem_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: cannot open: %s", self->mem_path, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&self);
}

static guint8 *
page_data (IptRecordMemory *self, guint number)
{
  return self->pages->data + (gsize) number * IPT_PAGE_SIZE;
}

static gboolean
set_read_error (IptRecordMemory *self, guint64 address, gssize done, GError **error)
{
  int saved_errno = done >= 0 ? EIO : errno;

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s: cannot read code at 0x%" G_GINT64_MODIFIER "x: %s",
               self->mem_path, address, g_strerror (saved_errno));
  return FALSE;
}

/* Reads @page from the process into @data. */
static gboolean
read_page (IptRecordMemory *self, guint64 page, guint8 *data, GError **error)
{
  gssize done = pread (self->mem_fd, data, IPT_PAGE_SIZE, (off_t) page);

  if (done != (gssize) IPT_PAGE_SIZE)
    return set_read_error (self, page, done, error);
  return TRUE;
}

/* The number of @page in the capture, capturing it now if it is new;
 * G_MAXUINT with @error set when the process does not map it. */
static guint
lookup_page (IptRecordMemory *self, guint64 page, GError **error)
{
  gpointer value;
  guint n;

  if (page == self->last_page)
    return self->last_number;

  if (!g_hash_table_lookup_extended (self->index, &page, NULL, &value))
    {
      guint8 data[IPT_PAGE_SIZE];
      guint64 now = ipt_record_clock_now ();

      if (!read_page (self, page, data, error))
        return G_MAXUINT;
      g_array_append_val (self->addresses, page);
      g_array_append_val (self->since, now);
      g_array_set_size (self->n_versions, self->addresses->len);
      g_byte_array_append (self->pages, data, sizeof data);
      n = self->addresses->len;
      /* Keys point into the address array, which may move: index by copies. */
      g_hash_table_insert (self->index, g_memdup2 (&page, sizeof page), GUINT_TO_POINTER (n));
      value = GUINT_TO_POINTER (n);
    }

  self->last_page = page;
  self->last_number = GPOINTER_TO_UINT (value) - 1;
  return self->last_number;
}

/* Keeps the current version of page @number as an earlier one, valid
 * until @now, and captures the page again. */
static gboolean
capture_again (IptRecordMemory *self, guint number, guint64 now, GError **error)
{
  PageVersion version;
  guint8 *data = page_data (self, number);

  version.address = g_array_index (self->addresses, guint64, number);
  version.from = g_array_index (self->since, guint64, number);
  version.to = now;
  if (g_array_index (self->n_versions, guint, number)++ == 0)
    g_array_append_val (self->rewritten, number);
  g_array_append_val (self->earlier, version);
  g_byte_array_append (self->earlier_pages, data, IPT_PAGE_SIZE);
  g_array_index (self->since, guint64, number) = now;
  return read_page (self, version.address, data, error);
}

/**
 * ipt_record_memory_read_code:
 * @self: a capture
 * @address: first byte wanted
 * @buffer: (out caller-allocates) (array length=size): where the bytes go
 * @size: how many bytes are wanted
 *
 * Reads the process's code as it is now (not the capture).  The read
 * stops early at the first page the process does not map.
 *
 * Returns: the number of bytes read; 0 when @address itself is not mapped.
 */
gsize
ipt_record_memory_read_code (IptRecordMemory *self, guint64 address, guint8 *buffer, gsize size)
{
  gssize done;

  do
    done = pread (self->mem_fd, buffer, size, (off_t) address);
  while (done < 0 && errno == EINTR);
  return done > 0 ? (gsize) done : 0;
}

/**
 * ipt_record_memory_observe:
 * @self: a capture
 * @address: the instruction about to execute
 * @bytes: (array length=size): its bytes, as the process has them now
 * @size: its length
 * @rewritten_at: (out): the time (CLOCK_MONOTONIC ns) the new version of a
 *   rewritten page was captured at, 0 when no page was rewritten
 * @error: return location for a #GError
 *
 * Makes sure the capture holds @bytes at @address: the pages the
 * instruction lies on are captured when new, and captured again (the
 * earlier version kept) when their captured bytes differ from @bytes.
 *
 * Returns: %FALSE with @error set when a page cannot be read.
 */
gboolean
ipt_record_memory_observe (IptRecordMemory *self,
                           guint64 address,
                           const guint8 *bytes,
                           gsize size,
                           guint64 *rewritten_at,
                           GError **error)
{
  gsize done = 0;

  *rewritten_at = 0;
  while (done < size)
    {
      guint64 at = address + done;
      guint64 page = at & IPT_PAGE_MASK;
      gsize offset = at - page;
      gsize n = MIN (size - done, IPT_PAGE_SIZE - offset);
      guint number = lookup_page (self, page, error);

      if (number == G_MAXUINT)
        return FALSE;
      if (memcmp (page_data (self, number) + offset, bytes + done, n) != 0)
        {
          if (*rewritten_at == 0)
            *rewritten_at = ipt_record_clock_now ();
          if (!capture_again (self, number, *rewritten_at, error))
            return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/**
 * ipt_record_memory_read_live:
 * @self: a capture
 * @address: first byte wanted
 * @buffer: (out caller-allocates) (array length=size): where the bytes go
 * @size: how many bytes
 *
 * Reads the process's current memory, bypassing (and not adding to) the
 * capture: for data such as syscall arguments.
 *
 * Returns: %TRUE when all @size bytes were read.
 */
gboolean
ipt_record_memory_read_live (IptRecordMemory *self, guint64 address, guint8 *buffer, gsize size)
{
  return pread (self->mem_fd, buffer, size, (off_t) address) == (ssize_t) size;
}

guint
ipt_record_memory_get_n_pages (IptRecordMemory *self)
{
  return self->addresses->len;
}

/* How many pages were rewritten while they executed. */
guint
ipt_record_memory_get_n_rewritten (IptRecordMemory *self)
{
  return self->rewritten->len;
}

/* How many versions rewritten pages had before their last one. */
guint
ipt_record_memory_get_n_earlier_versions (IptRecordMemory *self)
{
  return self->earlier->len;
}

static FILE *
create_file (const char *path, GError **error)
{
  FILE *file = fopen (path, "wb");

  if (file == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: cannot create: %s", path, g_strerror (saved_errno));
    }
  return file;
}

/* Closes @file, reporting an earlier write error (@ok FALSE) or its own. */
static gboolean
close_file (FILE *file, const char *path, gboolean ok, GError **error)
{
  int saved_errno = errno;

  if (fclose (file) != 0 && ok)
    {
      saved_errno = errno;
      ok = FALSE;
    }
  if (!ok)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 "%s: write failed: %s", path, g_strerror (saved_errno));
  return ok;
}

static gboolean
write_file (const char *path, const void *data, gsize size, GError **error)
{
  FILE *file = create_file (path, error);

  if (file == NULL)
    return FALSE;
  return close_file (file, path, fwrite (data, 1, size, file) == size, error);
}

/**
 * ipt_record_memory_write_pagedump:
 * @self: a capture
 * @addr_path: (type filename): the page address file to write
 * @dump_path: (type filename): the page contents file to write
 * @error: return location for a #GError naming the file that failed
 *
 * Writes every executed page, each in the last version that executed.
 *
 * Returns: %FALSE with @error set when a file cannot be written.
 */
gboolean
ipt_record_memory_write_pagedump (IptRecordMemory *self,
                                  const char *addr_path,
                                  const char *dump_path,
                                  GError **error)
{
  g_autofree guint64 *le = g_new (guint64, MAX (self->addresses->len, 1));

  for (guint i = 0; i < self->addresses->len; i++)
    le[i] = GUINT64_TO_LE (g_array_index (self->addresses, guint64, i));
  return write_file (addr_path, le, self->addresses->len * sizeof (guint64), error) &&
         write_file (dump_path, self->pages->data, self->pages->len, error);
}

/* One version of a page, for the jitdump. */
typedef struct {
  guint64 address;
  guint64 from;
  const guint8 *data;
} VersionRef;

static gint
compare_versions (gconstpointer a, gconstpointer b)
{
  const VersionRef *x = a, *y = b;

  if (x->from != y->from)
    return x->from < y->from ? -1 : 1;
  return x->address < y->address ? -1 : x->address > y->address;
}

/* A JIT_CODE_LOAD record of one page version (host byte order, as perf
 * writes and reads it). */
static gboolean
write_load_record (FILE *file, pid_t pid, const VersionRef *version, guint64 index)
{
  g_autofree char *name = g_strdup_printf ("ipt-record page 0x%" G_GINT64_MODIFIER "x",
                                           version->address);
  gsize name_size = strlen (name) + 1;
  guint32 prefix[2] = { JITDUMP_CODE_LOAD, (guint32) (16 + 40 + name_size + IPT_PAGE_SIZE) };
  guint32 ids[2] = { (guint32) pid, (guint32) pid };
  guint64 fields[4] = { version->address, version->address, IPT_PAGE_SIZE, index };

  return fwrite (prefix, sizeof prefix, 1, file) == 1 &&
         fwrite (&version->from, sizeof version->from, 1, file) == 1 &&
         fwrite (ids, sizeof ids, 1, file) == 1 &&
         fwrite (fields, sizeof fields, 1, file) == 1 &&
         fwrite (name, name_size, 1, file) == 1 &&
         fwrite (version->data, IPT_PAGE_SIZE, 1, file) == 1;
}

/**
 * ipt_record_memory_write_versions:
 * @self: a capture
 * @path: (type filename): the jitdump to write
 * @error: return location for a #GError naming the file
 *
 * Writes every version of every page rewritten while it executed, the
 * last one included, as a perf jitdump: one JIT_CODE_LOAD record per
 * version (the whole page, at its address), stamped with the time it was
 * captured, in time order.  A version is valid from its time until the
 * next load of the same page: what the jitmap plugin serves over time.
 *
 * Returns: %FALSE with @error set when the file cannot be written.
 */
gboolean
ipt_record_memory_write_versions (IptRecordMemory *self, const char *path, GError **error)
{
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (VersionRef));
  struct {
    guint32 magic, version, total_size, elf_mach, pad1, pid;
    guint64 timestamp, flags;
  } header = { JITDUMP_MAGIC, JITDUMP_VERSION, 40, JITDUMP_ELF_MACH_X86_64, 0,
               (guint32) self->pid, 0, 0 };
  FILE *file;
  gboolean ok;

  G_STATIC_ASSERT (sizeof header == 40);
  for (guint i = 0; i < self->earlier->len; i++)
    {
      const PageVersion *old = &g_array_index (self->earlier, PageVersion, i);
      VersionRef ref = { old->address, old->from,
                         self->earlier_pages->data + (gsize) i * IPT_PAGE_SIZE };

      g_array_append_val (versions, ref);
    }
  for (guint i = 0; i < self->rewritten->len; i++)
    {
      guint number = g_array_index (self->rewritten, guint, i);
      VersionRef ref = { g_array_index (self->addresses, guint64, number),
                         g_array_index (self->since, guint64, number),
                         page_data (self, number) };

      g_array_append_val (versions, ref);
    }
  g_array_sort (versions, compare_versions);
  if (versions->len > 0)
    header.timestamp = g_array_index (versions, VersionRef, 0).from;

  file = create_file (path, error);
  if (file == NULL)
    return FALSE;
  ok = fwrite (&header, sizeof header, 1, file) == 1;
  for (guint i = 0; i < versions->len && ok; i++)
    ok = write_load_record (file, self->pid, &g_array_index (versions, VersionRef, i), i);
  return close_file (file, path, ok, error);
}

void
ipt_record_memory_free (IptRecordMemory *self)
{
  if (self == NULL)
    return;
  if (self->mem_fd >= 0)
    close (self->mem_fd);
  g_hash_table_destroy (self->index);
  g_array_unref (self->addresses);
  g_array_unref (self->since);
  g_byte_array_unref (self->pages);
  g_array_unref (self->earlier);
  g_byte_array_unref (self->earlier_pages);
  g_array_unref (self->n_versions);
  g_array_unref (self->rewritten);
  g_free (self->mem_path);
  g_free (self);
}
