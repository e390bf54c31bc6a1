/* ipt-perf-data-parser.c: the layout of a perf.data, file mode (PERFILE2
 * header, attrs, data section, feature sections) and pipe mode (a short
 * header, then attrs and features as records); the records themselves are
 * ipt-perf-data-records.c's.
 *
 * Input is untrusted: every size and offset is checked against the file
 * before it is used, nothing is allocated in proportion to a size the file
 * declares but does not hold, errors name the file, the offset and the
 * problem. Only little-endian files are read (all x86 ones are). */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-data-private.h"

#define PERF_MAGIC G_GUINT64_CONSTANT (0x32454c4946524550) /* "PERFILE2" */
#define FILE_HEADER_SIZE 104
#define PIPE_HEADER_SIZE 16
#define SECTION_SIZE 16
#define ATTR_SIZE_VER0 64
#define N_FEATURE_BITS 256
#define HEADER_BUILD_ID 2
#define HEADER_CPUID 9
#define BUILD_ID_EVENT_FIXED 36

guint64
ipt_perf_rd64 (const guint8 *at)
{
  guint64 v;

  memcpy (&v, at, sizeof v);
  return GUINT64_FROM_LE (v);
}

guint32
ipt_perf_rd32 (const guint8 *at)
{
  guint32 v;

  memcpy (&v, at, sizeof v);
  return GUINT32_FROM_LE (v);
}

void
ipt_perf_set_error (const IptPerfParser *p, GError **error, gint code, guint64 offset,
                    const char *format, ...)
{
  g_autofree char *problem = NULL;
  va_list ap;

  va_start (ap, format);
  problem = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPT_ERROR, code, "%s: offset 0x%" G_GINT64_MODIFIER "x: %s",
               p->name, offset, problem);
}

IptPerfContents *
ipt_perf_contents_new (void)
{
  IptPerfContents *c = g_new0 (IptPerfContents, 1);

  c->attrs = g_array_new (FALSE, TRUE, sizeof (IptPerfAttr));
  c->queues = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_queue_free);
  c->events = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_event_free);
  c->build_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  c->n_records = g_hash_table_new (g_direct_hash, g_direct_equal);
  return c;
}

void
ipt_perf_contents_free (IptPerfContents *c)
{
  if (c == NULL)
    return;
  g_free (c->cpuid);
  ipt_perf_pt_info_free (c->pt_info);
  g_array_unref (c->attrs);
  g_ptr_array_unref (c->queues);
  g_ptr_array_unref (c->events);
  g_hash_table_unref (c->build_ids);
  g_hash_table_unref (c->n_records);
  ipt_perf_thread_index_free (c->threads);
  g_free (c);
}

/* One perf_event_attr of @attr_size bytes at @offset, and its @n_ids ids. */
gboolean
ipt_perf_add_attr (IptPerfParser *p, guint64 offset, guint64 attr_size, const guint8 *ids,
                   guint64 n_ids, GError **error)
{
  const guint8 *a = p->data + offset;
  IptPerfAttr attr = { 0 };
  guint index = p->out->attrs->len;

  if (attr_size < ATTR_SIZE_VER0)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "perf_event_attr size %"
                          G_GUINT64_FORMAT " is smaller than the %d bytes of the first one",
                          attr_size, ATTR_SIZE_VER0);
      return FALSE;
    }
  attr.type = ipt_perf_rd32 (a);
  attr.config = ipt_perf_rd64 (a + 8);
  attr.sample_type = ipt_perf_rd64 (a + 24);
  attr.sample_id_all = (ipt_perf_rd64 (a + 40) >> 18) & 1;
  attr.exclude_kernel = (ipt_perf_rd64 (a + 40) >> 5) & 1;
  attr.file_offset = offset;
  g_array_append_val (p->out->attrs, attr);
  for (guint64 i = 0; i < n_ids; i++)
    g_hash_table_insert (p->attr_by_id, g_memdup2 (ids + 8 * i, 8), GUINT_TO_POINTER (index + 1));
  p->layout_ready = FALSE;
  return TRUE;
}

static gboolean
parse_string (IptPerfParser *p, guint64 offset, guint64 size, char **out, GError **error)
{
  guint32 len;

  if (size < 4)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "a string of %" G_GUINT64_FORMAT
                          " bytes has no room for its 4-byte length", size);
      return FALSE;
    }
  len = ipt_perf_rd32 (p->data + offset);
  if (len > size - 4)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "string length %u runs past"
                          " its section (%" G_GUINT64_FORMAT " bytes)", len, size);
      return FALSE;
    }
  g_free (*out);
  *out = g_utf8_make_valid ((const char *) p->data + offset + 4,
                            strnlen ((const char *) p->data + offset + 4, len));
  return TRUE;
}

/* build_id_event records, in the HEADER_BUILD_ID feature or one per record in pipe mode */
static gboolean
parse_build_ids (IptPerfParser *p, guint64 offset, guint64 size, GError **error)
{
  guint64 pos = offset, end = offset + size;

  while (pos < end)
    {
      const guint8 *r = p->data + pos;
      guint64 rec_size;
      guint id_size = 20;
      g_autofree char *filename = NULL;

      if (end - pos < BUILD_ID_EVENT_FIXED)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, pos, "build-id entry: %"
                              G_GUINT64_FORMAT " bytes left, an entry has at least %d",
                              end - pos, BUILD_ID_EVENT_FIXED);
          return FALSE;
        }
      rec_size = r[6] | (r[7] << 8);
      if (rec_size < BUILD_ID_EVENT_FIXED || rec_size > end - pos)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, pos, "build-id entry size %"
                              G_GUINT64_FORMAT " is not between %d and the %" G_GUINT64_FORMAT
                              " bytes left", rec_size, BUILD_ID_EVENT_FIXED, end - pos);
          return FALSE;
        }
      if ((r[4] | (r[5] << 8)) & PERF_RECORD_MISC_BUILD_ID_SIZE)
        id_size = MIN (r[32], 20);
      filename = g_utf8_make_valid ((const char *) r + BUILD_ID_EVENT_FIXED,
                                    strnlen ((const char *) r + BUILD_ID_EVENT_FIXED,
                                             rec_size - BUILD_ID_EVENT_FIXED));
      g_hash_table_replace (p->out->build_ids, g_steal_pointer (&filename),
                            g_bytes_new (r + 12, id_size));
      pos += rec_size;
    }
  return TRUE;
}

/* A feature's payload, @size bytes at @offset (inside the file). */
gboolean
ipt_perf_parse_feature (IptPerfParser *p, guint feature, guint64 offset, guint64 size,
                        GError **error)
{
  switch (feature)
    {
    case HEADER_CPUID:
      return parse_string (p, offset, size, &p->out->cpuid, error);
    case HEADER_BUILD_ID:
      return parse_build_ids (p, offset, size, error);
    default:
      return TRUE;
    }
}

/* A section (offset, size) at @at must lie inside the file. */
static gboolean
read_section (IptPerfParser *p, guint64 at, const char *what, guint64 *offset, guint64 *size,
              GError **error)
{
  *offset = ipt_perf_rd64 (p->data + at);
  *size = ipt_perf_rd64 (p->data + at + 8);
  if (*offset > p->size || *size > p->size - *offset)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, at, "the %s section (offset 0x%"
                          G_GINT64_MODIFIER "x, 0x%" G_GINT64_MODIFIER "x bytes) runs past"
                          " the end of the file (0x%" G_GSIZE_MODIFIER "x bytes)", what,
                          *offset, *size, p->size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_records (IptPerfParser *p, guint64 pos, guint64 end, GError **error)
{
  while (pos < end)
    {
      guint64 size, extra = 0;

      if (end - pos < PERF_HEADER_SIZE)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, pos, "truncated record header: %"
                              G_GUINT64_FORMAT " bytes left, a header has %d", end - pos,
                              PERF_HEADER_SIZE);
          return FALSE;
        }
      size = p->data[pos + 6] | (p->data[pos + 7] << 8);
      if (size < PERF_HEADER_SIZE)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, pos, "record of type %u has size %"
                              G_GUINT64_FORMAT ", less than its %d-byte header",
                              ipt_perf_rd32 (p->data + pos), size, PERF_HEADER_SIZE);
          return FALSE;
        }
      if (size > end - pos)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, pos, "record of type %u and size %"
                              G_GUINT64_FORMAT " runs past the end of the data (%"
                              G_GUINT64_FORMAT " bytes left)", ipt_perf_rd32 (p->data + pos),
                              size, end - pos);
          return FALSE;
        }
      if (!ipt_perf_parse_record (p, pos, end, &extra, error))
        return FALSE;
      pos += size + extra;
    }
  return TRUE;
}

static gboolean
parse_file (IptPerfParser *p, GError **error)
{
  guint64 header_size, attr_size, attrs_offset, attrs_size, data_offset, data_size;
  guint64 n_attrs, n_features = 0, table;

  if (p->size < FILE_HEADER_SIZE)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, 0, "truncated header: the file has %"
                          G_GSIZE_FORMAT " bytes, a perf.data header has %d", p->size,
                          FILE_HEADER_SIZE);
      return FALSE;
    }
  header_size = ipt_perf_rd64 (p->data + 8);
  if (header_size < FILE_HEADER_SIZE || header_size > p->size)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, 8, "header size %" G_GUINT64_FORMAT
                          " is not between %d and the file's %" G_GSIZE_FORMAT " bytes",
                          header_size, FILE_HEADER_SIZE, p->size);
      return FALSE;
    }
  attr_size = ipt_perf_rd64 (p->data + 16);
  if (!read_section (p, 24, "attrs", &attrs_offset, &attrs_size, error)
      || !read_section (p, 40, "data", &data_offset, &data_size, error))
    return FALSE;
  /* each entry (attr_size bytes): the attr, then the (offset, size) of its ids */
  if (attrs_size > 0 && (attr_size < ATTR_SIZE_VER0 + SECTION_SIZE || attr_size > G_MAXUINT32))
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, 16, "attr size %" G_GUINT64_FORMAT
                          " is not between %d (the first perf_event_attr and its ids section)"
                          " and 2^32", attr_size, ATTR_SIZE_VER0 + SECTION_SIZE);
      return FALSE;
    }
  if (attrs_size > 0 && attrs_size % attr_size != 0)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, 24, "the attrs section's %"
                          G_GUINT64_FORMAT " bytes are not a whole number of %" G_GUINT64_FORMAT
                          "-byte entries", attrs_size, attr_size);
      return FALSE;
    }
  n_attrs = attrs_size > 0 ? attrs_size / attr_size : 0;
  for (guint64 i = 0; i < n_attrs; i++)
    {
      guint64 at = attrs_offset + i * attr_size;
      guint64 ids_offset, ids_size;

      if (!read_section (p, at + attr_size - SECTION_SIZE, "ids", &ids_offset, &ids_size, error))
        return FALSE;
      if (!ipt_perf_add_attr (p, at, attr_size - SECTION_SIZE, p->data + ids_offset,
                              ids_size / 8, error))
        return FALSE;
    }

  for (guint b = 0; b < N_FEATURE_BITS; b++)
    if (p->data[72 + b / 8] & (1u << (b % 8)))
      n_features++;
  table = data_offset + data_size;
  if (n_features * SECTION_SIZE > p->size - table)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, table, "the table of %" G_GUINT64_FORMAT
                          " feature sections runs past the end of the file", n_features);
      return FALSE;
    }
  for (guint b = 0; b < N_FEATURE_BITS; b++)
    if (p->data[72 + b / 8] & (1u << (b % 8)))
      {
        guint64 offset, size;

        if (!read_section (p, table, "feature", &offset, &size, error)
            || !ipt_perf_parse_feature (p, b, offset, size, error))
          return FALSE;
        table += SECTION_SIZE;
      }

  return parse_records (p, data_offset, data_offset + data_size, error);
}

static void
builder_free (IptPerfQueueBuilder *b)
{
  ipt_perf_queue_free (b->queue);
  g_array_unref (b->chunks);
  g_array_unref (b->gaps);
  g_free (b);
}

IptPerfContents *
ipt_perf_data_parse (GBytes *bytes, const char *name, GError **error)
{
  g_autoptr (IptPerfContents) out = ipt_perf_contents_new ();
  g_autoptr (GHashTable) queues = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                         (GDestroyNotify) builder_free);
  g_autoptr (GHashTable) attr_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                             g_free, NULL);
  g_autoptr (GArray) truncations = g_array_new (FALSE, FALSE, sizeof (IptPerfTruncation));
  IptPerfParser p = { 0 };
  guint64 magic;
  gboolean ok;

  p.data = g_bytes_get_data (bytes, &p.size);
  p.bytes = bytes;
  p.name = name;
  p.out = out;
  p.queues = queues;
  p.attr_by_id = attr_by_id;
  p.truncations = truncations;

  if (p.size < PIPE_HEADER_SIZE)
    {
      ipt_perf_set_error (&p, error, IPT_ERROR_TRUNCATED, 0, "truncated header: the file has %"
                          G_GSIZE_FORMAT " bytes, a perf.data header has at least %d", p.size,
                          PIPE_HEADER_SIZE);
      return NULL;
    }
  magic = ipt_perf_rd64 (p.data);
  if (magic == GUINT64_SWAP_LE_BE (PERF_MAGIC))
    {
      ipt_perf_set_error (&p, error, IPT_ERROR_NOT_SUPPORTED, 0, "a big-endian perf.data"
                          " (magic \"2ELIFREP\"): only little-endian ones are read");
      return NULL;
    }
  if (magic != PERF_MAGIC)
    {
      ipt_perf_set_error (&p, error, IPT_ERROR_CORRUPT, 0, "wrong magic 0x%016" G_GINT64_MODIFIER
                          "x: a perf.data starts with \"PERFILE2\"", magic);
      return NULL;
    }
  if (ipt_perf_rd64 (p.data + 8) == PIPE_HEADER_SIZE)
    {
      out->is_pipe = TRUE;
      ok = parse_records (&p, PIPE_HEADER_SIZE, p.size, error);
    }
  else
    ok = parse_file (&p, error);
  if (!ok)
    return NULL;
  ipt_perf_finish_queues (&p);
  return g_steal_pointer (&out);
}
