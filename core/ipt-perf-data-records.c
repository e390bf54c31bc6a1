/* ipt-perf-data-records.c: the records of a perf.data's data (or of its
 * pipe stream): sideband events with their sample_id trailers, the
 * AUXTRACE_INFO of intel_pt, and the attrs and features that pipe mode
 * sends as records; every type is counted. AUXTRACE records go to
 * ipt-perf-data-queues.c.
 *
 * Input is untrusted: a record's fields are read only after its size is
 * checked to hold them. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-data-private.h"

#define PERF_SAMPLE_TID (1u << 1)
#define PERF_SAMPLE_ID (1u << 6)
#define PERF_SAMPLE_CPU (1u << 7)
#define PERF_SAMPLE_STREAM_ID (1u << 9)
#define PERF_SAMPLE_IDENTIFIER (1u << 16)
#define SAMPLE_ID_BITS (PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID | PERF_SAMPLE_CPU \
                        | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_IDENTIFIER)

#define PERF_AUXTRACE_INTEL_PT 1
#define AUXTRACE_INFO_FIXED 16
#define INTEL_PT_MIN_PRIV 10   /* up to INTEL_PT_PER_CPU_MMAPS: perf's own minimum */
#define INTEL_PT_FILTER_STR_LEN 16
#define INTEL_PT_PRIV_MAX 17
#define TIME_CONV_MIN 32
#define HEADER_ATTR_MIN (PERF_HEADER_SIZE + 64)
#define HEADER_FEATURE_FIXED 16
#define TRACING_DATA_FIXED 16
#define FEATURE_BUILD_ID 2
#define BUILD_ID_MAX 20

typedef struct {
  gint64 pid, tid;
  guint64 time;
  gint cpu;
  gboolean have_time;
} SampleId;

static const IptPerfAttr *
find_attr (IptPerfParser *p, const guint8 *r, guint64 size)
{
  GArray *attrs = p->out->attrs;
  gpointer index;
  guint64 id;

  if (attrs->len == 0)
    return NULL;
  if (!p->layout_ready)
    {
      const IptPerfAttr *first = &g_array_index (attrs, IptPerfAttr, 0);

      /* alike attrs need no id; else perf finds the id at one place from the end */
      p->id_pos = -1;
      for (guint i = 1; i < attrs->len && p->id_pos == -1; i++)
        {
          const IptPerfAttr *a = &g_array_index (attrs, IptPerfAttr, i);

          if (a->sample_id_all != first->sample_id_all
              || (a->sample_type & SAMPLE_ID_BITS) != (first->sample_type & SAMPLE_ID_BITS))
            p->id_pos = 0;
        }
      for (guint i = 0; i < attrs->len && p->id_pos != -1; i++)
        {
          guint64 st = g_array_index (attrs, IptPerfAttr, i).sample_type;
          gint pos = 0;

          if (st & PERF_SAMPLE_IDENTIFIER)
            pos = 1;
          else if (st & PERF_SAMPLE_ID)
            pos = 1 + !!(st & PERF_SAMPLE_CPU) + !!(st & PERF_SAMPLE_STREAM_ID);
          if (i == 0)
            p->id_pos = pos;
          else if (pos != p->id_pos)
            p->id_pos = 0;
          if (p->id_pos == 0)
            break;
        }
      p->layout_ready = TRUE;
    }
  if (p->id_pos == 0)
    return NULL;
  if (p->id_pos == -1)
    return &g_array_index (attrs, IptPerfAttr, 0);
  if (size < PERF_HEADER_SIZE + 8 * (guint64) p->id_pos)
    return NULL;
  memcpy (&id, r + size - 8 * p->id_pos, sizeof id);
  index = g_hash_table_lookup (p->attr_by_id, &id);
  return index != NULL ? &g_array_index (attrs, IptPerfAttr, GPOINTER_TO_UINT (index) - 1) : NULL;
}

/* The sample_id trailer of a non-sample record whose fields take @fixed
 * bytes after the header; *@body_end is where the trailer starts. */
static gboolean
read_sample_id (IptPerfParser *p, guint64 offset, const guint8 *r, guint64 size, guint64 fixed,
                const char *what, SampleId *id, guint64 *body_end, GError **error)
{
  const IptPerfAttr *attr = find_attr (p, r, size);
  guint64 st = attr != NULL && attr->sample_id_all ? attr->sample_type : 0;
  guint64 trailer = 8 * (guint64) __builtin_popcountll (st & SAMPLE_ID_BITS);
  const guint8 *at;

  id->pid = id->tid = -1;
  id->cpu = -1;
  id->time = 0;
  id->have_time = FALSE;
  if (size < PERF_HEADER_SIZE + fixed + trailer)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "%s: record of %" G_GUINT64_FORMAT
                          " bytes is too small for its %" G_GUINT64_FORMAT " bytes of fields and %"
                          G_GUINT64_FORMAT " of sample_id", what, size, fixed, trailer);
      return FALSE;
    }
  *body_end = size - trailer;
  at = r + *body_end;
  if (st & PERF_SAMPLE_TID)
    {
      id->pid = (gint32) ipt_perf_rd32 (at);
      id->tid = (gint32) ipt_perf_rd32 (at + 4);
      at += 8;
    }
  if (st & PERF_SAMPLE_TIME)
    {
      id->time = ipt_perf_rd64 (at);
      id->have_time = TRUE;
      at += 8;
    }
  if (st & PERF_SAMPLE_ID)
    at += 8;
  if (st & PERF_SAMPLE_STREAM_ID)
    at += 8;
  if (st & PERF_SAMPLE_CPU)
    id->cpu = (gint32) ipt_perf_rd32 (at);
  return TRUE;
}

static char *
read_string (const guint8 *from, guint64 len)
{
  return g_utf8_make_valid ((const char *) from, strnlen ((const char *) from, len));
}

/* A record must hold its fixed fields before any is read. */
gboolean
ipt_perf_check_size (IptPerfParser *p, guint64 offset, guint64 size, guint64 fixed, const char *what,
            GError **error)
{
  if (size >= fixed)
    return TRUE;
  ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "%s: record of %" G_GUINT64_FORMAT
                      " bytes, its fields take %" G_GUINT64_FORMAT, what, size, fixed);
  return FALSE;
}

static gboolean
parse_auxtrace_info (IptPerfParser *p, guint64 offset, const guint8 *r, guint64 size,
                     GError **error)
{
  g_autoptr (IptPerfPtInfo) info = NULL;
  guint64 n_priv, v[INTEL_PT_PRIV_MAX] = { 0 };

  if (!ipt_perf_check_size (p, offset, size, AUXTRACE_INFO_FIXED, "AUXTRACE_INFO", error))
    return FALSE;
  if (ipt_perf_rd32 (r + 8) != PERF_AUXTRACE_INTEL_PT)
    return TRUE;
  n_priv = (size - AUXTRACE_INFO_FIXED) / 8;
  if (n_priv < INTEL_PT_MIN_PRIV)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "AUXTRACE_INFO: intel_pt with %"
                          G_GUINT64_FORMAT " values, perf writes at least %d", n_priv,
                          INTEL_PT_MIN_PRIV);
      return FALSE;
    }
  for (guint i = 0; i < MIN (n_priv, INTEL_PT_PRIV_MAX); i++)
    v[i] = ipt_perf_rd64 (r + AUXTRACE_INFO_FIXED + 8 * i);

  info = g_new0 (IptPerfPtInfo, 1);
  info->pmu_type = (guint32) v[0];
  info->time_shift = v[1];
  info->time_mult = v[2];
  info->time_zero = v[3];
  info->cap_user_time_zero = v[4] != 0;
  info->tsc_bit = v[5];
  info->noretcomp_bit = v[6];
  info->have_sched_switch = v[7];
  info->snapshot_mode = v[8] != 0;
  info->per_cpu_mmaps = v[9] != 0;
  info->mtc_bit = v[10];
  info->mtc_freq_bits = v[11];
  info->tsc_ctc_ratio_n = (guint32) v[12];
  info->tsc_ctc_ratio_d = (guint32) v[13];
  info->cyc_bit = v[14];
  info->max_non_turbo_ratio = v[15];
  if (n_priv > INTEL_PT_FILTER_STR_LEN && v[INTEL_PT_FILTER_STR_LEN] != 0)
    {
      guint64 len = v[INTEL_PT_FILTER_STR_LEN];
      guint64 at = AUXTRACE_INFO_FIXED + 8 * INTEL_PT_PRIV_MAX;

      /* the string and its NUL, padded to 8 bytes, after all the values */
      if (at > size || len >= size - at)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "AUXTRACE_INFO: filter string"
                              " of %" G_GUINT64_FORMAT " bytes does not fit the record (%"
                              G_GUINT64_FORMAT " bytes)", len, size);
          return FALSE;
        }
      info->filter = read_string (r + at, len);
    }
  ipt_perf_pt_info_free (p->out->pt_info);
  p->out->pt_info = g_steal_pointer (&info);
  return TRUE;
}

static IptPerfEvent *
new_event (IptPerfParser *p, IptPerfEventKind kind, guint64 offset, guint16 misc,
           const SampleId *id)
{
  IptPerfEvent *e = g_new0 (IptPerfEvent, 1);

  e->kind = kind;
  e->time = id->time;
  e->cpu = id->cpu;
  e->pid = id->pid;
  e->tid = id->tid;
  e->ppid = e->ptid = -1;
  e->is_kernel = (misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
  e->file_offset = offset;
  g_ptr_array_add (p->out->events, e);
  return e;
}

static void
read_pid_tid (IptPerfEvent *e, const guint8 *at)
{
  e->pid = (gint32) ipt_perf_rd32 (at);
  e->tid = (gint32) ipt_perf_rd32 (at + 4);
}

/* The sideband records; @fixed is their fields' size after the header. */
static gboolean
parse_sideband (IptPerfParser *p, guint64 offset, const guint8 *r, guint64 size, guint32 type,
                GError **error)
{
  static const struct { guint32 type; guint64 fixed; IptPerfEventKind kind; const char *name; } kinds[] = {
    { PERF_RECORD_MMAP, 32, IPT_PERF_EVENT_MMAP, "MMAP" },
    { PERF_RECORD_MMAP2, 64, IPT_PERF_EVENT_MMAP, "MMAP2" },
    { PERF_RECORD_COMM, 8, IPT_PERF_EVENT_COMM, "COMM" },
    { PERF_RECORD_FORK, 24, IPT_PERF_EVENT_FORK, "FORK" },
    { PERF_RECORD_EXIT, 24, IPT_PERF_EVENT_EXIT, "EXIT" },
    { PERF_RECORD_ITRACE_START, 8, IPT_PERF_EVENT_ITRACE_START, "ITRACE_START" },
    { PERF_RECORD_SWITCH, 0, IPT_PERF_EVENT_SWITCH, "SWITCH" },
    { PERF_RECORD_SWITCH_CPU_WIDE, 8, IPT_PERF_EVENT_SWITCH, "SWITCH_CPU_WIDE" },
    { PERF_RECORD_AUX, 24, IPT_PERF_EVENT_AUX, "AUX" },
    { PERF_RECORD_LOST, 16, IPT_PERF_EVENT_LOST, "LOST" },
    { PERF_RECORD_LOST_SAMPLES, 8, IPT_PERF_EVENT_LOST, "LOST_SAMPLES" },
    { PERF_RECORD_KSYMBOL, 16, IPT_PERF_EVENT_KSYMBOL, "KSYMBOL" },
    { PERF_RECORD_TEXT_POKE, 12, IPT_PERF_EVENT_TEXT_POKE, "TEXT_POKE" },
  };
  guint16 misc = r[4] | (r[5] << 8);
  guint64 body_end;
  SampleId id;
  IptPerfEvent *e;
  guint k;

  for (k = 0; k < G_N_ELEMENTS (kinds) && kinds[k].type != type; k++)
    ;
  if (k == G_N_ELEMENTS (kinds))
    return TRUE;
  if (!read_sample_id (p, offset, r, size, kinds[k].fixed, kinds[k].name, &id, &body_end, error))
    return FALSE;
  e = new_event (p, kinds[k].kind, offset, misc, &id);

  switch (type)
    {
    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2:
      read_pid_tid (e, r + 8);
      e->address = ipt_perf_rd64 (r + 16);
      e->length = ipt_perf_rd64 (r + 24);
      e->offset = ipt_perf_rd64 (r + 32);
      if (type == PERF_RECORD_MMAP)
        {
          e->filename = read_string (r + 40, body_end - 40);
          break;
        }
      if (misc & PERF_RECORD_MISC_MMAP_BUILD_ID)
        {
          if (r[40] > BUILD_ID_MAX)
            {
              ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "MMAP2: build-id size %u,"
                                  " at most %d", r[40], BUILD_ID_MAX);
              return FALSE;
            }
          e->build_id = g_bytes_new (r + 44, r[40]);
        }
      e->prot = ipt_perf_rd32 (r + 64);
      e->flags = ipt_perf_rd32 (r + 68);
      e->filename = read_string (r + 72, body_end - 72);
      break;
    case PERF_RECORD_COMM:
      read_pid_tid (e, r + 8);
      e->is_exec = (misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
      e->filename = read_string (r + 16, body_end - 16);
      break;
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
      e->pid = (gint32) ipt_perf_rd32 (r + 8);
      e->ppid = (gint32) ipt_perf_rd32 (r + 12);
      e->tid = (gint32) ipt_perf_rd32 (r + 16);
      e->ptid = (gint32) ipt_perf_rd32 (r + 20);
      if (!id.have_time)
        e->time = ipt_perf_rd64 (r + 24);
      break;
    case PERF_RECORD_ITRACE_START:
      read_pid_tid (e, r + 8);
      break;
    case PERF_RECORD_SWITCH:
    case PERF_RECORD_SWITCH_CPU_WIDE:
      e->is_out = (misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
      if (type == PERF_RECORD_SWITCH_CPU_WIDE)
        {
          e->ppid = (gint32) ipt_perf_rd32 (r + 8);
          e->ptid = (gint32) ipt_perf_rd32 (r + 12);
        }
      break;
    case PERF_RECORD_AUX:
      e->offset = ipt_perf_rd64 (r + 8);
      e->length = ipt_perf_rd64 (r + 16);
      e->flags = ipt_perf_rd64 (r + 24);
      if (e->flags & PERF_AUX_FLAG_TRUNCATED)
        {
          IptPerfTruncation t = { id.cpu, id.tid, e->offset + e->length };

          g_array_append_val (p->truncations, t);
        }
      break;
    case PERF_RECORD_LOST:
      e->length = ipt_perf_rd64 (r + 16);
      break;
    case PERF_RECORD_LOST_SAMPLES:
      e->length = ipt_perf_rd64 (r + 8);
      break;
    case PERF_RECORD_KSYMBOL:
      e->address = ipt_perf_rd64 (r + 8);
      e->length = ipt_perf_rd32 (r + 16);
      e->flags = r[22] | (r[23] << 8);
      e->filename = read_string (r + 24, body_end - 24);
      break;
    case PERF_RECORD_TEXT_POKE:
      {
        guint old_len = r[16] | (r[17] << 8), new_len = r[18] | (r[19] << 8);

        if (old_len + new_len > body_end - 20)
          {
            ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "TEXT_POKE: %u old and %u"
                                " new bytes do not fit the record's %" G_GUINT64_FORMAT,
                                old_len, new_len, body_end - 20);
            return FALSE;
          }
        e->address = ipt_perf_rd64 (r + 8);
        e->length = new_len;
        e->bytes = g_bytes_new (r + 20 + old_len, new_len);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* Records that pipe mode uses for what file mode keeps in its header. */
static gboolean
parse_pipe_header_record (IptPerfParser *p, guint64 offset, const guint8 *r, guint64 size,
                          guint32 type, guint64 end, guint64 *extra, GError **error)
{
  guint64 attr_size, data_size;

  switch (type)
    {
    case PERF_RECORD_HEADER_ATTR:
      if (size < HEADER_ATTR_MIN)
        break;
      attr_size = ipt_perf_rd32 (r + PERF_HEADER_SIZE + 4);
      if (attr_size == 0)
        attr_size = HEADER_ATTR_MIN - PERF_HEADER_SIZE;
      if (attr_size > size - PERF_HEADER_SIZE)
        {
          ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "HEADER_ATTR: attr size %"
                              G_GUINT64_FORMAT " runs past the record (%" G_GUINT64_FORMAT
                              " bytes)", attr_size, size);
          return FALSE;
        }
      return ipt_perf_add_attr (p, offset + PERF_HEADER_SIZE, attr_size,
                                r + PERF_HEADER_SIZE + attr_size,
                                (size - PERF_HEADER_SIZE - attr_size) / 8, error);
    case PERF_RECORD_HEADER_FEATURE:
      if (size < HEADER_FEATURE_FIXED)
        break;
      if (ipt_perf_rd64 (r + 8) > G_MAXUINT)
        return TRUE;
      return ipt_perf_parse_feature (p, (guint) ipt_perf_rd64 (r + 8),
                                     offset + HEADER_FEATURE_FIXED, size - HEADER_FEATURE_FIXED,
                                     error);
    case PERF_RECORD_HEADER_BUILD_ID:
      return ipt_perf_parse_feature (p, FEATURE_BUILD_ID, offset, size, error);
    case PERF_RECORD_HEADER_TRACING_DATA:
      if (size < TRACING_DATA_FIXED)
        break;
      data_size = ipt_perf_rd32 (r + 8);
      if (data_size > end - (offset + size))
        {
          ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, offset, "HEADER_TRACING_DATA: %"
                              G_GUINT64_FORMAT " bytes of data run past the end of the data",
                              data_size);
          return FALSE;
        }
      *extra = data_size;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
  ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "record of type %u: %" G_GUINT64_FORMAT
                      " bytes are too few for its fields", type, size);
  return FALSE;
}

gboolean
ipt_perf_parse_record (IptPerfParser *p, guint64 offset, guint64 end, guint64 *extra,
                       GError **error)
{
  const guint8 *r = p->data + offset;
  guint32 type = ipt_perf_rd32 (r);
  guint64 size = r[6] | (r[7] << 8);
  gpointer count = g_hash_table_lookup (p->out->n_records, GUINT_TO_POINTER (type));

  g_hash_table_insert (p->out->n_records, GUINT_TO_POINTER (type),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
  *extra = 0;
  switch (type)
    {
    case PERF_RECORD_AUXTRACE_INFO:
      return parse_auxtrace_info (p, offset, r, size, error);
    case PERF_RECORD_AUXTRACE:
      return ipt_perf_parse_auxtrace (p, offset, r, size, end, extra, error);
    case PERF_RECORD_TIME_CONV:
      if (!ipt_perf_check_size (p, offset, size, TIME_CONV_MIN, "TIME_CONV", error))
        return FALSE;
      p->out->have_time_conv = TRUE;
      p->out->time_shift = ipt_perf_rd64 (r + 8);
      p->out->time_mult = ipt_perf_rd64 (r + 16);
      p->out->time_zero = ipt_perf_rd64 (r + 24);
      return TRUE;
    case PERF_RECORD_HEADER_ATTR:
    case PERF_RECORD_HEADER_FEATURE:
    case PERF_RECORD_HEADER_BUILD_ID:
    case PERF_RECORD_HEADER_TRACING_DATA:
      return parse_pipe_header_record (p, offset, r, size, type, end, extra, error);
    default:
      return parse_sideband (p, offset, r, size, type, error);
    }
}
