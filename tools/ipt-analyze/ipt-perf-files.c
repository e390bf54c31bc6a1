/* ipt-perf-files.c: finds the file a perf.data's mmap names (see
 * ipt-perf-files.h). Only looks and reads build-id notes; never opens a
 * provider, and never serves a file whose build-id is not the recorded one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <glib/gstdio.h>

#include "ipt-perf-files.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

struct _IptPerfFiles {
  char *sysroot;                /* NULL: none */
  GPtrArray *search_dirs;       /* char *, in order */
  char *buildid_dir;
  GHashTable *answers;          /* "FILENAME\nHEXID" -> Answer */
};

/* What one lookup found: a path or why none. */
typedef struct {
  char *path;
  char *message;
} Answer;

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->path);
  g_free (answer->message);
  g_free (answer);
}

static gboolean
check_dir (const char *dir, const char *option, GError **error)
{
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND, "%s %s: not a directory", option, dir);
  return FALSE;
}

IptPerfFiles *
ipt_perf_files_new (const char *sysroot, const char * const *search_path,
                    const char *buildid_dir, GError **error)
{
  g_autoptr(IptPerfFiles) files = g_new0 (IptPerfFiles, 1);

  files->search_dirs = g_ptr_array_new_with_free_func (g_free);
  files->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, answer_free);

  if (sysroot != NULL && sysroot[0] != '\0')
    {
      if (!check_dir (sysroot, "--sysroot", error))
        return NULL;
      files->sysroot = g_strdup (sysroot);
    }
  for (guint i = 0; search_path != NULL && search_path[i] != NULL; i++)
    {
      g_auto(GStrv) dirs = g_strsplit (search_path[i], ":", -1);

      for (guint j = 0; dirs[j] != NULL; j++)
        {
          if (dirs[j][0] == '\0')
            continue;
          if (!check_dir (dirs[j], "--search-path", error))
            return NULL;
          g_ptr_array_add (files->search_dirs, g_strdup (dirs[j]));
        }
    }
  /* perf's order: its option, else the directory its parent perf passes
   * to scripts, else $HOME/.debug (a missing default is no error) */
  if (buildid_dir != NULL)
    {
      if (!check_dir (buildid_dir, "--buildid-dir", error))
        return NULL;
      files->buildid_dir = g_strdup (buildid_dir);
    }
  else if (g_getenv ("PERF_BUILDID_DIR") != NULL && g_getenv ("PERF_BUILDID_DIR")[0] != '\0')
    files->buildid_dir = g_strdup (g_getenv ("PERF_BUILDID_DIR"));
  else
    files->buildid_dir = g_build_filename (g_get_home_dir (), ".debug", NULL);
  return g_steal_pointer (&files);
}

void
ipt_perf_files_free (IptPerfFiles *files)
{
  if (files == NULL)
    return;
  g_free (files->sysroot);
  g_ptr_array_unref (files->search_dirs);
  g_free (files->buildid_dir);
  g_hash_table_unref (files->answers);
  g_free (files);
}

const char *
ipt_perf_files_get_buildid_dir (IptPerfFiles *files)
{
  return files->buildid_dir;
}

char *
ipt_perf_files_build_id_to_hex (GBytes *build_id)
{
  gsize size;
  const guint8 *id = g_bytes_get_data (build_id, &size);
  GString *hex = g_string_sized_new (2 * size);

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, "%02x", id[i]);
  return g_string_free (hex, FALSE);
}

/* The first NT_GNU_BUILD_ID note of @data, or NULL. */
static GBytes *
build_id_in_notes (Elf_Data *data)
{
  GElf_Nhdr note;
  size_t offset = 0, name_offset, desc_offset;

  while (data != NULL &&
         (offset = gelf_getnote (data, offset, &note, &name_offset, &desc_offset)) > 0)
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
        memcmp ((const char *) data->d_buf + name_offset, "GNU", 4) == 0 && note.n_descsz > 0)
      return g_bytes_new ((const guint8 *) data->d_buf + desc_offset, note.n_descsz);
  return NULL;
}

static GBytes *
elf_build_id (Elf *elf)
{
  Elf_Scn *scn = NULL;
  size_t n_phdrs = 0;

  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      GBytes *id;

      if (gelf_getshdr (scn, &shdr) != NULL && shdr.sh_type == SHT_NOTE &&
          (id = build_id_in_notes (elf_getdata (scn, NULL))) != NULL)
        return id;
    }
  /* no section headers (stripped of them, a core-like file): the segments */
  if (elf_getphdrnum (elf, &n_phdrs) != 0)
    return NULL;
  for (size_t i = 0; i < n_phdrs; i++)
    {
      GElf_Phdr phdr;
      GBytes *id;

      if (gelf_getphdr (elf, (int) i, &phdr) != NULL && phdr.p_type == PT_NOTE &&
          (id = build_id_in_notes (elf_getdata_rawchunk (elf, (int64_t) phdr.p_offset,
                                                         phdr.p_filesz, ELF_T_NHDR))) != NULL)
        return id;
    }
  return NULL;
}

gboolean
ipt_perf_files_read_build_id (const char *path, GBytes **build_id, GError **error)
{
  g_autofree char *shown = g_filename_display_name (path);
  Elf *elf;
  int fd, saved_errno;

  *build_id = NULL;
  if (elf_version (EV_CURRENT) == EV_NONE)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED, "%s: libelf: %s", shown, elf_errmsg (-1));
      return FALSE;
    }
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", shown,
                   g_strerror (saved_errno));
      return FALSE;
    }
  elf = elf_begin (fd, ELF_C_READ_MMAP, NULL);
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "%s: offset 0x0: not an ELF file",
                   shown);
      if (elf != NULL)
        elf_end (elf);
      close (fd);
      return FALSE;
    }
  *build_id = elf_build_id (elf);
  elf_end (elf);
  close (fd);
  return TRUE;
}

/* Build-ids equal but for zero padding: HEADER_BUILD_ID without a size
 * pads a 16-byte id to 20. */
static gboolean
build_ids_match (GBytes *a, GBytes *b)
{
  gsize na, nb;
  const guint8 *pa = g_bytes_get_data (a, &na), *pb = g_bytes_get_data (b, &nb);
  gsize common = MIN (na, nb);

  if (common == 0 || memcmp (pa, pb, common) != 0)
    return FALSE;
  for (gsize i = common; i < na; i++)
    if (pa[i] != 0)
      return FALSE;
  for (gsize i = common; i < nb; i++)
    if (pb[i] != 0)
      return FALSE;
  return TRUE;
}

/* A file in perf's cache: named by its build-id, so taken as it is. */
static char *
try_cached (const char *path, GString *looked)
{
  g_autofree char *shown = g_filename_display_name (path);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_strdup (path);
  g_string_append_printf (looked, "%s%s (missing)", looked->len > 0 ? ", " : "", shown);
  return NULL;
}

/* A file found by name: served only when its build-id is @want's. */
static char *
try_named (const char *path, GBytes *want, const char *want_hex, GString *looked)
{
  g_autofree char *shown = g_filename_display_name (path);
  g_autoptr(GBytes) have = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *have_hex = NULL;
  const char *sep = looked->len > 0 ? ", " : "";

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_string_append_printf (looked, "%s%s (missing)", sep, shown);
      return NULL;
    }
  if (want == NULL)
    return g_strdup (path);
  if (!ipt_perf_files_read_build_id (path, &have, &error))
    {
      g_string_append_printf (looked, "%s%s (%s)", sep, shown, error->message);
      g_warning ("%s: not used for build-id %s: %s", shown, want_hex, error->message);
      return NULL;
    }
  if (have != NULL && build_ids_match (have, want))
    return g_strdup (path);
  have_hex = have != NULL ? ipt_perf_files_build_id_to_hex (have) : NULL;
  g_string_append_printf (looked, "%s%s (build-id %s)", sep, shown,
                          have_hex != NULL ? have_hex : "none");
  g_warning ("%s: not used: its build-id is %s, the recording's %s (another build of the file)",
             shown, have_hex != NULL ? have_hex : "none (no NT_GNU_BUILD_ID note)", want_hex);
  return NULL;
}

static gboolean
is_vdso (const char *filename)
{
  return g_strcmp0 (filename, "[vdso]") == 0;
}

/* A name that is a path on disk: not "//anon", "[vdso]", "[stack]", ... */
static gboolean
is_path (const char *filename)
{
  return filename != NULL && filename[0] == '/' && filename[1] != '/';
}

static Answer *
look (IptPerfFiles *files, const IptPerfMapping *m, const char *want_hex)
{
  g_autoptr(GString) looked = g_string_new (NULL);
  Answer *answer = g_new0 (Answer, 1);
  char *found = NULL;

  if (want_hex != NULL && strlen (want_hex) > 2)
    {
      g_autofree char *link = g_build_filename (files->buildid_dir, ".build-id", NULL);
      g_autofree char *dir = g_strdup_printf ("%s/%.2s/%s", link, want_hex, want_hex + 2);
      g_autofree char *elf = g_build_filename (dir, "elf", NULL);

      /* perf >= 4.4 caches DIR/elf; older perf linked the file itself */
      found = try_cached (elf, looked);
      if (found == NULL && g_file_test (dir, G_FILE_TEST_IS_REGULAR))
        found = g_strdup (dir);
      if (found == NULL && is_vdso (m->filename))
        {
          g_autofree char *vdso = g_build_filename (files->buildid_dir, "[vdso]", want_hex,
                                                    "vdso", NULL);

          found = try_cached (vdso, looked);
        }
    }
  if (found == NULL && is_path (m->filename))
    {
      g_autofree char *base = g_path_get_basename (m->filename);

      if (files->sysroot != NULL)
        {
          g_autofree char *under = g_build_filename (files->sysroot, m->filename, NULL);

          found = try_named (under, m->build_id, want_hex, looked);
        }
      if (found == NULL)
        found = try_named (m->filename, m->build_id, want_hex, looked);
      for (guint i = 0; found == NULL && i < files->search_dirs->len; i++)
        {
          g_autofree char *there = g_build_filename (g_ptr_array_index (files->search_dirs, i),
                                                     base, NULL);

          found = try_named (there, m->build_id, want_hex, looked);
        }
    }

  if (found != NULL)
    answer->path = found;
  else if (looked->len == 0)
    answer->message = g_strdup ("not a file, and no build-id to look it up by");
  else
    answer->message = g_strdup_printf ("no such file%s%s (looked in %s)",
                                       want_hex != NULL ? " with build-id " : "",
                                       want_hex != NULL ? want_hex : "", looked->str);
  return answer;
}

char *
ipt_perf_files_find (const IptPerfMapping *mapping, gpointer data, GError **error)
{
  IptPerfFiles *files = data;
  g_autofree char *want_hex = NULL;
  g_autofree char *key = NULL;
  Answer *answer;

  g_return_val_if_fail (mapping != NULL && files != NULL, NULL);

  if (mapping->build_id != NULL && g_bytes_get_size (mapping->build_id) > 0)
    want_hex = ipt_perf_files_build_id_to_hex (mapping->build_id);
  key = g_strdup_printf ("%s\n%s", mapping->filename != NULL ? mapping->filename : "",
                         want_hex != NULL ? want_hex : "");
  answer = g_hash_table_lookup (files->answers, key);
  if (answer == NULL)
    {
      answer = look (files, mapping, want_hex);
      g_hash_table_insert (files->answers, g_steal_pointer (&key), answer);
    }
  if (answer->path != NULL)
    return g_strdup (answer->path);
  g_set_error_literal (error, IPT_ERROR, IPT_ERROR_NOT_FOUND, answer->message);
  return NULL;
}
