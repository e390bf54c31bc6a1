/* ipt-qcow2.c: finds the vmstate of an internal snapshot (`savevm`) in a
 * qcow2 image and gives it as a stream of the image's clusters, never
 * copied. See ipt-qcow2.h.
 *
 * The image is untrusted: every offset and count is checked against the
 * file before it is used; the work and the extents are bounded by the
 * file's size (a vmstate is never larger than the file that stores it).
 * A vmstate cluster that is not allocated (or a v3 zero cluster) is an
 * error: savevm writes every byte of the vmstate, so only a hand-made
 * image or a drive with detect-zeroes has one, and the stream layer has no
 * zero extents. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qcow2.h"
#include "ipt-qemu-bytes.h"

#define HEADER_V2_SIZE      72
#define HEADER_V3_SIZE      104
#define MIN_CLUSTER_BITS    9
#define MAX_CLUSTER_BITS    21
#define MAX_SNAPSHOTS       65536
#define SNAPSHOT_FIXED      40
#define MAX_EXTRA_DATA      1024

#define OFFSET_MASK         G_GUINT64_CONSTANT (0x00fffffffffffe00)
#define L2_COMPRESSED       (G_GUINT64_CONSTANT (1) << 62)
#define L2_ZERO             G_GUINT64_CONSTANT (1)

/* incompatible feature bits (version 3) */
#define INCOMPAT_DIRTY          (1u << 0)
#define INCOMPAT_CORRUPT        (1u << 1)
#define INCOMPAT_DATA_FILE      (1u << 2)
#define INCOMPAT_COMPRESSION    (1u << 3)
#define INCOMPAT_EXTENDED_L2    (1u << 4)

typedef struct {
  const guint8 *data;
  gsize size;
  const char *path;
  guint32 version;
  guint32 cluster_bits;
  guint64 disk_size;
  guint32 nb_snapshots;
  guint64 snapshots_offset;
} Image;

/* One entry of the snapshot table, with what finding its vmstate needs. */
typedef struct {
  IptQcow2Snapshot *pub;
  guint64 offset;              /* of the entry in the file */
  guint64 l1_table_offset;
  guint32 l1_size;
  guint32 date_nsec;
  guint64 disk_size;           /* the disk's size when it was taken */
} Entry;

/* "PATH: offset 0xOFF: problem" */
#define fail(img, error, code, offset, ...) \
  ipt_qemu_fail ((error), (code), (img)->path, (offset), __VA_ARGS__)

static gboolean
fits (const Image *img, guint64 offset, guint64 size)
{
  return offset <= img->size && size <= img->size - offset;
}

static gboolean
read_header (Image *img, GError **error)
{
  const guint8 *h = img->data;
  guint32 crypt;

  if (img->size < HEADER_V2_SIZE)
    return fail (img, error, IPT_ERROR_TRUNCATED, 0, "the file ends inside the qcow2 header");
  if (memcmp (h, IPT_QCOW2_MAGIC, 4) != 0)
    return fail (img, error, IPT_ERROR_CORRUPT, 0, "not a qcow2 image (no \"QFI\\xfb\")");
  img->version = ipt_qemu_be32 (h + 4);
  if (img->version != 2 && img->version != 3)
    return fail (img, error, IPT_ERROR_NOT_SUPPORTED, 4,
                 "qcow2 version %u, only 2 and 3 are supported", img->version);
  img->cluster_bits = ipt_qemu_be32 (h + 20);
  if (img->cluster_bits < MIN_CLUSTER_BITS || img->cluster_bits > MAX_CLUSTER_BITS)
    return fail (img, error, IPT_ERROR_CORRUPT, 20, "cluster_bits %u is not in %u..%u",
                 img->cluster_bits, MIN_CLUSTER_BITS, MAX_CLUSTER_BITS);
  img->disk_size = ipt_qemu_be64 (h + 24);
  crypt = ipt_qemu_be32 (h + 32);
  if (crypt != 0)
    return fail (img, error, IPT_ERROR_NOT_SUPPORTED, 32,
                 "encrypted image (method %u): not supported", crypt);
  img->nb_snapshots = ipt_qemu_be32 (h + 60);
  img->snapshots_offset = ipt_qemu_be64 (h + 64);
  if (img->version == 3)
    {
      guint64 incompat, unknown;

      if (img->size < HEADER_V3_SIZE)
        return fail (img, error, IPT_ERROR_TRUNCATED, 0,
                     "the file ends inside the qcow2 version 3 header");
      incompat = ipt_qemu_be64 (h + 72);
      if (incompat & INCOMPAT_DATA_FILE)
        return fail (img, error, IPT_ERROR_NOT_SUPPORTED, 72,
                     "the image's data is in an external data file: not supported");
      if (incompat & INCOMPAT_EXTENDED_L2)
        return fail (img, error, IPT_ERROR_NOT_SUPPORTED, 72,
                     "extended L2 entries (subclusters): not supported");
      /* dirty and corrupt concern refcounts; a compression type matters
       * only to compressed clusters, which are refused where they are */
      unknown = incompat & ~(guint64) (INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_COMPRESSION |
                                       INCOMPAT_DATA_FILE | INCOMPAT_EXTENDED_L2);
      if (unknown != 0)
        return fail (img, error, IPT_ERROR_NOT_SUPPORTED, 72,
                     "unknown incompatible features 0x%" G_GINT64_MODIFIER "x", unknown);
    }
  if (img->nb_snapshots > MAX_SNAPSHOTS)
    return fail (img, error, IPT_ERROR_CORRUPT, 60, "%u snapshots, more than the %u qcow2 allows",
                 img->nb_snapshots, MAX_SNAPSHOTS);
  return TRUE;
}

void
ipt_qcow2_snapshot_free (IptQcow2Snapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_free (snapshot->id);
  g_free (snapshot->name);
  g_free (snapshot);
}

static char *
string_at (const guint8 *at, gsize len)
{
  return g_utf8_make_valid ((const char *) at, (gssize) len);
}

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  ipt_qcow2_snapshot_free (e->pub);
}

/* The snapshot table: an array of Entry. */
static GArray *
read_snapshots (Image *img, GError **error)
{
  g_autoptr (GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  guint64 at = img->snapshots_offset;

  g_array_set_clear_func (entries, entry_clear);
  for (guint32 i = 0; i < img->nb_snapshots; i++)
    {
      const guint8 *s;
      guint32 extra, vm_state_size;
      guint16 id_len, name_len;
      Entry e = { 0 };

      at = (at + 7) & ~G_GUINT64_CONSTANT (7);
      if (!fits (img, at, SNAPSHOT_FIXED))
        {
          fail (img, error, IPT_ERROR_TRUNCATED, at,
                "the file ends inside snapshot %u of %u", i + 1, img->nb_snapshots);
          return NULL;
        }
      s = img->data + at;
      id_len = ipt_qemu_be16 (s + 12);
      name_len = ipt_qemu_be16 (s + 14);
      vm_state_size = ipt_qemu_be32 (s + 32);
      extra = ipt_qemu_be32 (s + 36);
      if (extra > MAX_EXTRA_DATA)
        {
          fail (img, error, IPT_ERROR_CORRUPT, at + 36,
                "snapshot %u has %u bytes of extra data, more than the %u allowed", i + 1,
                extra, MAX_EXTRA_DATA);
          return NULL;
        }
      if (!fits (img, at, (guint64) SNAPSHOT_FIXED + extra + id_len + name_len))
        {
          fail (img, error, IPT_ERROR_TRUNCATED, at,
                "the file ends inside snapshot %u of %u", i + 1, img->nb_snapshots);
          return NULL;
        }
      e.pub = g_new0 (IptQcow2Snapshot, 1);
      e.offset = at;
      e.l1_table_offset = ipt_qemu_be64 (s);
      e.l1_size = ipt_qemu_be32 (s + 8);
      e.pub->date_sec = ipt_qemu_be32 (s + 16);
      e.date_nsec = ipt_qemu_be32 (s + 20);
      e.pub->vm_clock_nsec = ipt_qemu_be64 (s + 24);
      e.pub->vm_state_size = extra >= 8 ? ipt_qemu_be64 (s + SNAPSHOT_FIXED) : vm_state_size;
      e.disk_size = extra >= 16 ? ipt_qemu_be64 (s + SNAPSHOT_FIXED + 8) : img->disk_size;
      e.pub->id = string_at (s + SNAPSHOT_FIXED + extra, id_len);
      e.pub->name = string_at (s + SNAPSHOT_FIXED + extra + id_len, name_len);
      g_array_append_val (entries, e);
      at += SNAPSHOT_FIXED + extra + id_len + name_len;
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
ipt_qcow2_list_snapshots (const guint8 *data, gsize size, const char *path, GError **error)
{
  Image img = { .data = data, .size = size, .path = path };
  g_autoptr (GArray) entries = NULL;
  GPtrArray *list;

  if (!read_header (&img, error) || (entries = read_snapshots (&img, error)) == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_qcow2_snapshot_free);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (list, g_steal_pointer (&g_array_index (entries, Entry, i).pub));
  return list;
}

/* The entry @tag names (its id or its name, the first in table order, as
 * QEMU finds it), or the newest with vmstate: the latest date, the later
 * entry of two of the same date (QEMU itself has no "newest"). */
static const Entry *
choose (const Image *img, GArray *entries, const char *tag, GError **error)
{
  const Entry *best = NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *e = &g_array_index (entries, Entry, i);

      if (tag != NULL)
        {
          if (strcmp (e->pub->id, tag) == 0 || strcmp (e->pub->name, tag) == 0)
            {
              best = e;
              break;
            }
        }
      else if (e->pub->vm_state_size > 0 &&
               (best == NULL || e->pub->date_sec > best->pub->date_sec ||
                (e->pub->date_sec == best->pub->date_sec && e->date_nsec >= best->date_nsec)))
        best = e;
    }
  if (best == NULL)
    {
      g_autoptr (GString) there = g_string_new (NULL);

      for (guint i = 0; i < entries->len; i++)
        {
          const Entry *e = &g_array_index (entries, Entry, i);

          g_string_append_printf (there, "%s'%s' (id %s%s)", i > 0 ? ", " : "", e->pub->name,
                                  e->pub->id, e->pub->vm_state_size > 0 ? "" : ", disk only");
        }
      if (tag != NULL)
        g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                     "%s: no internal snapshot '%s'; there are: %s", img->path, tag,
                     entries->len > 0 ? there->str : "none");
      else
        g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                     "%s: no internal snapshot with VM state; there are: %s", img->path,
                     entries->len > 0 ? there->str : "none");
      return NULL;
    }
  if (best->pub->vm_state_size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND,
                   "%s: internal snapshot '%s' (id %s) has no VM state (a disk-only snapshot)",
                   img->path, best->pub->name, best->pub->id);
      return NULL;
    }
  return best;
}

/* The file extents of @e's vmstate: guest offsets from the L1 index just
 * past the disk (qcow2_vm_state_offset()) through @e's L1 and L2 tables. */
static GArray *
vmstate_extents (const Image *img, const Entry *e, GError **error)
{
  guint cb = img->cluster_bits, shift = 2 * cb - 3;   /* an L1 entry covers 2^shift bytes */
  guint64 cluster = G_GUINT64_CONSTANT (1) << cb, size = e->pub->vm_state_size;
  guint64 span = G_GUINT64_CONSTANT (1) << shift;
  /* size_to_l1(): the first L1 entry wholly past the disk */
  guint64 l1_base = e->disk_size / span + (e->disk_size % span != 0);
  g_autoptr (GArray) extents = g_array_new (FALSE, FALSE, sizeof (IptQemuExtent));

  if (size > img->size)
    {
      fail (img, error, IPT_ERROR_CORRUPT, e->offset + 32,
            "snapshot '%s' claims 0x%" G_GINT64_MODIFIER "x bytes of VM state, more than the "
            "file holds", e->pub->name, size);
      return NULL;
    }
  if (!fits (img, e->l1_table_offset, (guint64) e->l1_size * 8))
    {
      fail (img, error, IPT_ERROR_CORRUPT, e->offset,
            "the L1 table of snapshot '%s' (%u entries at 0x%" G_GINT64_MODIFIER "x) is not "
            "inside the file", e->pub->name, e->l1_size, e->l1_table_offset);
      return NULL;
    }
  for (guint64 s = 0; s < size; s += cluster)
    {
      guint64 l1_index = l1_base + (s >> shift), l1_at, l2, l2_at, entry, host;
      guint64 n = MIN (cluster, size - s);

      if (l1_base > G_MAXUINT32 || l1_index >= e->l1_size)
        {
          fail (img, error, IPT_ERROR_CORRUPT, e->offset,
                "the L1 table of snapshot '%s' has %u entries, its VM state needs entry %"
                G_GUINT64_FORMAT, e->pub->name, e->l1_size, l1_index);
          return NULL;
        }
      l1_at = e->l1_table_offset + l1_index * 8;
      l2 = ipt_qemu_be64 (img->data + l1_at) & OFFSET_MASK;
      if (l2 == 0 || l2 % cluster != 0 || !fits (img, l2, cluster))
        {
          fail (img, error, l2 == 0 ? IPT_ERROR_NOT_SUPPORTED : IPT_ERROR_CORRUPT, l1_at,
                "L1 entry of VM state offset 0x%" G_GINT64_MODIFIER "x points at L2 table 0x%"
                G_GINT64_MODIFIER "x, %s", s, l2,
                l2 == 0 ? "none: unallocated VM state is not supported"
                        : "not a cluster inside the file");
          return NULL;
        }
      l2_at = l2 + ((s >> cb) & ((cluster / 8) - 1)) * 8;
      entry = ipt_qemu_be64 (img->data + l2_at);
      if (entry & L2_COMPRESSED)
        {
          fail (img, error, IPT_ERROR_NOT_SUPPORTED, l2_at,
                "the VM state cluster at offset 0x%" G_GINT64_MODIFIER "x is compressed: not "
                "supported", s);
          return NULL;
        }
      host = entry & OFFSET_MASK;
      if (host == 0 || (img->version == 3 && (entry & L2_ZERO)))
        {
          fail (img, error, IPT_ERROR_NOT_SUPPORTED, l2_at,
                "the VM state cluster at offset 0x%" G_GINT64_MODIFIER "x is %s: not supported",
                s, host == 0 ? "not allocated" : "a zero cluster");
          return NULL;
        }
      if (host % cluster != 0 || !fits (img, host, n))
        {
          fail (img, error, IPT_ERROR_CORRUPT, l2_at,
                "the VM state cluster at offset 0x%" G_GINT64_MODIFIER "x lies at 0x%"
                G_GINT64_MODIFIER "x, not a cluster inside the file", s, host);
          return NULL;
        }
      if (extents->len > 0)
        {
          IptQemuExtent *last = &g_array_index (extents, IptQemuExtent, extents->len - 1);

          if (last->file_offset + last->size == host)
            {
              last->size += n;
              continue;
            }
        }
      g_array_append_val (extents, ((IptQemuExtent) { s, host, n }));
    }
  return g_steal_pointer (&extents);
}

IptQemuStream *
ipt_qcow2_open_vmstate (GMappedFile *file, const char *path, const char *tag, char **chosen,
                        GError **error)
{
  Image img = {
    .data = (const guint8 *) g_mapped_file_get_contents (file),
    .size = g_mapped_file_get_length (file),
    .path = path,
  };
  g_autoptr (GArray) entries = NULL;
  g_autoptr (GArray) extents = NULL;
  g_autofree char *name = NULL;
  const Entry *e;

  if (!read_header (&img, error) || (entries = read_snapshots (&img, error)) == NULL ||
      (e = choose (&img, entries, tag, error)) == NULL ||
      (extents = vmstate_extents (&img, e, error)) == NULL)
    return NULL;
  if (chosen != NULL)
    *chosen = g_strdup (e->pub->name);
  name = g_strdup_printf ("%s: vmstate of snapshot '%s'", path, e->pub->name);
  return ipt_qemu_stream_new_extents (file, path, name, (const IptQemuExtent *) extents->data,
                                      extents->len);
}
