/* perf-data-builder.c: synthetic perf.data files (see perf-data-builder.h).
 * The layout is perf's: file mode puts header, attrs with their ids, data
 * and the feature table in that order; pipe mode sends attrs and features
 * as records before the data. */
#include <string.h>

#include "perf-data-builder.h"

#define SAMPLE_ID_BITS (PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_ID | PB_SAMPLE_CPU \
                        | PB_SAMPLE_STREAM_ID | PB_SAMPLE_IDENTIFIER)

typedef struct {
  guint32 type;
  guint64 config, sample_type;
  gboolean sample_id_all;
  guint64 first_id;
  guint n_ids;
} Attr;

struct _PerfBuilder {
  gboolean pipe;
  guint attr_size;
  GArray *attrs;
  GByteArray *data;
  GPtrArray *features;    /* GBytes by bit, NULL where absent */
};

static void
put (GByteArray *a, const void *p, gsize n)
{
  g_byte_array_append (a, p, n);
}

static void
put64 (GByteArray *a, guint64 v)
{
  v = GUINT64_TO_LE (v);
  put (a, &v, 8);
}

static void
put32 (GByteArray *a, guint32 v)
{
  v = GUINT32_TO_LE (v);
  put (a, &v, 4);
}

static void
put16 (GByteArray *a, guint16 v)
{
  v = GUINT16_TO_LE (v);
  put (a, &v, 2);
}

static void
pad8 (GByteArray *a, gsize from)
{
  while ((a->len - from) % 8 != 0)
    g_byte_array_append (a, (const guint8 *) "", 1);
}

PerfBuilder *
pb_new (gboolean pipe, guint attr_size)
{
  PerfBuilder *b = g_new0 (PerfBuilder, 1);

  b->pipe = pipe;
  b->attr_size = attr_size;
  b->attrs = g_array_new (FALSE, TRUE, sizeof (Attr));
  b->data = g_byte_array_new ();
  b->features = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_set_size (b->features, 256);
  return b;
}

void
pb_free (PerfBuilder *b)
{
  g_array_unref (b->attrs);
  g_byte_array_unref (b->data);
  g_ptr_array_unref (b->features);
  g_free (b);
}

static void
put_attr (PerfBuilder *b, GByteArray *out, const Attr *a)
{
  gsize start = out->len;

  put32 (out, a->type);
  put32 (out, b->attr_size);
  put64 (out, a->config);
  put64 (out, 1);                       /* sample_period */
  put64 (out, a->sample_type);
  put64 (out, 0);                       /* read_format */
  /* flags: exclude_kernel (bit 5, intel_pt//u), sample_id_all (bit 18) */
  put64 (out, (1u << 5) | (a->sample_id_all ? 1u << 18 : 0));
  while (out->len - start < b->attr_size)
    g_byte_array_append (out, (const guint8 *) "", 1);
}

void
pb_add_attr (PerfBuilder *b, guint32 type, guint64 config, guint64 sample_type,
             gboolean sample_id_all, guint64 first_id, guint n_ids)
{
  Attr a = { type, config, sample_type, sample_id_all, first_id, n_ids };

  g_array_append_val (b->attrs, a);
  if (b->pipe)
    {
      GByteArray *rec = g_byte_array_new ();

      put_attr (b, rec, &a);
      for (guint i = 0; i < n_ids; i++)
        put64 (rec, first_id + i);
      pb_record (b, 64, 0, rec->data, rec->len, NULL);
      g_byte_array_unref (rec);
    }
}

void
pb_add_feature (PerfBuilder *b, guint bit, const void *payload, gsize size)
{
  if (b->pipe)
    {
      GByteArray *rec = g_byte_array_new ();

      put64 (rec, bit);
      put (rec, payload, size);
      pb_record (b, 80, 0, rec->data, rec->len, NULL);
      g_byte_array_unref (rec);
      return;
    }
  g_ptr_array_index (b->features, bit) = g_bytes_new (payload, size);
}

void
pb_add_cpuid (PerfBuilder *b, const char *cpuid)
{
  GByteArray *s = g_byte_array_new ();
  guint32 len = (strlen (cpuid) + 1 + 63) / 64 * 64;

  put32 (s, len);
  put (s, cpuid, strlen (cpuid));
  while (s->len < 4 + len)
    g_byte_array_append (s, (const guint8 *) "", 1);
  pb_add_feature (b, 9, s->data, s->len);
  g_byte_array_unref (s);
}

static const Attr *
attr_of (PerfBuilder *b, guint64 id)
{
  for (guint i = 0; i < b->attrs->len; i++)
    {
      const Attr *a = &g_array_index (b->attrs, Attr, i);

      if (id >= a->first_id && id < a->first_id + a->n_ids)
        return a;
    }
  return b->attrs->len > 0 ? &g_array_index (b->attrs, Attr, 0) : NULL;
}

void
pb_raw (PerfBuilder *b, const void *bytes, gsize size)
{
  put (b->data, bytes, size);
}

void
pb_record (PerfBuilder *b, guint32 type, guint16 misc, const void *body, gsize size,
           const PbSampleId *sid)
{
  const Attr *a = sid != NULL ? attr_of (b, sid->id) : NULL;
  guint64 st = a != NULL && a->sample_id_all ? a->sample_type & SAMPLE_ID_BITS : 0;
  gsize start = b->data->len;

  put32 (b->data, type);
  put16 (b->data, misc);
  put16 (b->data, 0);
  put (b->data, body, size);
  pad8 (b->data, start);
  if (st & PB_SAMPLE_TID)
    {
      put32 (b->data, sid->pid);
      put32 (b->data, sid->tid);
    }
  if (st & PB_SAMPLE_TIME)
    put64 (b->data, sid->time);
  if (st & PB_SAMPLE_ID)
    put64 (b->data, sid->id);
  if (st & PB_SAMPLE_STREAM_ID)
    put64 (b->data, sid->id);
  if (st & PB_SAMPLE_CPU)
    {
      put32 (b->data, sid->cpu);
      put32 (b->data, 0);
    }
  if (st & PB_SAMPLE_IDENTIFIER)
    put64 (b->data, sid->id);
  g_assert (b->data->len - start <= G_MAXUINT16);
  b->data->data[start + 6] = (b->data->len - start) & 0xff;
  b->data->data[start + 7] = (b->data->len - start) >> 8;
}

void
pb_auxtrace_info (PerfBuilder *b, guint n_priv, const guint64 *priv, const char *filter)
{
  GByteArray *body = g_byte_array_new ();

  put32 (body, 1);
  put32 (body, 0);
  for (guint i = 0; i < n_priv; i++)
    put64 (body, priv[i]);
  if (filter != NULL)
    {
      put (body, filter, strlen (filter) + 1);
      pad8 (body, 0);
    }
  pb_record (b, 70, 0, body->data, body->len, NULL);
  g_byte_array_unref (body);
}

void
pb_auxtrace (PerfBuilder *b, guint64 size, guint64 offset, guint32 idx, guint32 tid,
             guint32 cpu, const guint8 *data, gsize data_size)
{
  GByteArray *body = g_byte_array_new ();

  put64 (body, size);
  put64 (body, offset);
  put64 (body, 1);                      /* reference */
  put32 (body, idx);
  put32 (body, tid);
  put32 (body, cpu);
  put32 (body, 0);
  pb_record (b, 71, 0, body->data, body->len, NULL);
  put (b->data, data, data_size);
  g_byte_array_unref (body);
}

void
pb_mmap2 (PerfBuilder *b, guint32 pid, guint32 tid, guint64 addr, guint64 len, guint64 pgoff,
          const guint8 *build_id, guint build_id_size, const char *filename,
          const PbSampleId *sid)
{
  GByteArray *body = g_byte_array_new ();
  guint8 id[24] = { 0 };

  put32 (body, pid);
  put32 (body, tid);
  put64 (body, addr);
  put64 (body, len);
  put64 (body, pgoff);
  if (build_id != NULL)
    {
      id[0] = build_id_size;
      memcpy (id + 4, build_id, MIN (build_id_size, 20));
    }
  put (body, id, sizeof id);
  put32 (body, 5);                      /* PROT_READ | PROT_EXEC */
  put32 (body, 2);                      /* MAP_PRIVATE */
  put (body, filename, strlen (filename) + 1);
  pad8 (body, 0);
  pb_record (b, 10, 2 | (build_id != NULL ? 1 << 14 : 0), body->data, body->len, sid);
  g_byte_array_unref (body);
}

void
pb_comm (PerfBuilder *b, guint32 pid, guint32 tid, gboolean exec, const char *comm,
         const PbSampleId *sid)
{
  GByteArray *body = g_byte_array_new ();

  put32 (body, pid);
  put32 (body, tid);
  put (body, comm, strlen (comm) + 1);
  pad8 (body, 0);
  pb_record (b, 3, exec ? 1 << 13 : 0, body->data, body->len, sid);
  g_byte_array_unref (body);
}

void
pb_task (PerfBuilder *b, gboolean exit, guint32 pid, guint32 ppid, guint32 tid, guint32 ptid,
         const PbSampleId *sid)
{
  GByteArray *body = g_byte_array_new ();

  put32 (body, pid);
  put32 (body, ppid);
  put32 (body, tid);
  put32 (body, ptid);
  put64 (body, sid != NULL ? sid->time : 0);
  pb_record (b, exit ? 4 : 7, 0, body->data, body->len, sid);
  g_byte_array_unref (body);
}

void
pb_aux (PerfBuilder *b, guint64 offset, guint64 size, guint64 flags, const PbSampleId *sid)
{
  GByteArray *body = g_byte_array_new ();

  put64 (body, offset);
  put64 (body, size);
  put64 (body, flags);
  pb_record (b, 11, 0, body->data, body->len, sid);
  g_byte_array_unref (body);
}

void
pb_switch (PerfBuilder *b, gboolean out, gboolean cpu_wide, guint32 next_prev_pid,
           guint32 next_prev_tid, const PbSampleId *sid)
{
  GByteArray *body = g_byte_array_new ();

  if (cpu_wide)
    {
      put32 (body, next_prev_pid);
      put32 (body, next_prev_tid);
    }
  pb_record (b, cpu_wide ? 15 : 14, out ? 1 << 13 : 0, body->data, body->len, sid);
  g_byte_array_unref (body);
}

void
pb_fork (PerfBuilder *b, guint32 pid, guint32 ppid, guint32 tid, guint32 ptid,
         const PbSampleId *sid)
{
  pb_task (b, FALSE, pid, ppid, tid, ptid, sid);
}

void
pb_itrace_start (PerfBuilder *b, guint32 pid, guint32 tid, const PbSampleId *sid)
{
  GByteArray *body = g_byte_array_new ();

  put32 (body, pid);
  put32 (body, tid);
  pb_record (b, 12, 0, body->data, body->len, sid);
  g_byte_array_unref (body);
}

GBytes *
pb_finish (PerfBuilder *b)
{
  GByteArray *out = g_byte_array_new ();
  guint64 attrs_at, ids_at, data_at, table_at, n_features = 0;
  guint64 entry = b->attr_size + 16;

  put64 (out, G_GUINT64_CONSTANT (0x32454c4946524550));
  if (b->pipe)
    {
      put64 (out, 16);
      put (out, b->data->data, b->data->len);
      return g_byte_array_free_to_bytes (out);
    }
  for (guint i = 0; i < 256; i++)
    n_features += g_ptr_array_index (b->features, i) != NULL;
  /* header: ids right after it, then the attrs, the data, the feature table */
  ids_at = 104;
  attrs_at = ids_at;
  for (guint i = 0; i < b->attrs->len; i++)
    attrs_at += 8 * g_array_index (b->attrs, Attr, i).n_ids;
  data_at = attrs_at + entry * b->attrs->len;
  table_at = data_at + b->data->len;
  put64 (out, 104);
  put64 (out, entry);
  put64 (out, attrs_at);
  put64 (out, entry * b->attrs->len);
  put64 (out, data_at);
  put64 (out, b->data->len);
  put64 (out, 0);
  put64 (out, 0);
  for (guint w = 0; w < 4; w++)
    {
      guint64 bits = 0;

      for (guint i = 0; i < 64; i++)
        if (g_ptr_array_index (b->features, w * 64 + i) != NULL)
          bits |= G_GUINT64_CONSTANT (1) << i;
      put64 (out, bits);
    }
  for (guint i = 0; i < b->attrs->len; i++)
    for (guint k = 0; k < g_array_index (b->attrs, Attr, i).n_ids; k++)
      put64 (out, g_array_index (b->attrs, Attr, i).first_id + k);
  for (guint i = 0, at = ids_at; i < b->attrs->len; i++)
    {
      const Attr *a = &g_array_index (b->attrs, Attr, i);

      put_attr (b, out, a);
      put64 (out, at);
      put64 (out, 8 * a->n_ids);
      at += 8 * a->n_ids;
    }
  g_assert (out->len == data_at);
  put (out, b->data->data, b->data->len);
  {
    guint64 payload_at = table_at + 16 * n_features;

    for (guint i = 0; i < 256; i++)
      {
        GBytes *f = g_ptr_array_index (b->features, i);

        if (f == NULL)
          continue;
        put64 (out, payload_at);
        put64 (out, g_bytes_get_size (f));
        payload_at += g_bytes_get_size (f);
      }
    for (guint i = 0; i < 256; i++)
      {
        GBytes *f = g_ptr_array_index (b->features, i);

        if (f != NULL)
          put (out, g_bytes_get_data (f, NULL), g_bytes_get_size (f));
      }
  }
  return g_byte_array_free_to_bytes (out);
}
