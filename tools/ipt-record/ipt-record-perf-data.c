/* ipt-record-perf-data.c: writes DIR/perf.data, the recording as `perf
 * record -e intel_pt//u --per-thread` would have written it (file mode,
 * PERFILE2), so that perf's own Intel PT decoder, which is not libipt,
 * decodes the same trace: a second, independent oracle for DIR/ips.
 *
 * Layout: the header; the ids of the one attr; the attr (the intel_pt
 * PMU, user only, by default ipt-record's encoder's TSC packets, no
 * return compression, no MTC/CYC); the data (AUXTRACE_INFO, TIME_CONV,
 * COMM, MMAP2 for each executable mapping and each mapping given as
 * such, ITRACE_START, one AUXTRACE holding trace.pt, EXIT,
 * FINISHED_ROUND); then the feature sections perf reports.  The records
 * carry sample_id_all trailers (TID, TIME when timed, ID, CPU,
 * IDENTIFIER).  Times are ipt-record's clock (CLOCK_MONOTONIC ns), which
 * is what the TSC packets carry: the time conversion is the identity.
 *
 * The mappings are those at the start and at the exit stop, stamped with
 * the start time, and those mapped in between (mmap, mprotect), stamped
 * with the time they appeared: code unmapped and replaced at one address
 * is then each at its time.  perf reads the code from the files at their
 * paths, and [vdso] from its own (the same kernel's).
 *
 * What Debian's perf 6.1 needs, found by experiment (no PT hardware here):
 *  - attr.type equal to AUXTRACE_INFO's PMU type, whatever the value:
 *    perf matches the two and never looks "intel_pt" up (neither in
 *    sysfs nor in HEADER_PMU_MAPPINGS).  A mismatch decodes nothing,
 *    silently, with exit status 0.
 *  - a non-zero AUXTRACE reference when timed: 0 crashes it (SIGSEGV);
 *    untimed it is ignored.
 *  - no feature section: they are for `perf report --header-only`.
 *  - timed decoding when the attr has PERF_SAMPLE_TIME (and, in perf's
 *    source, the config's TSC bit and cap_user_time_zero): then the
 *    records' times order the sideband against the trace's TSCs, so they
 *    are stamped before its first packet (EXIT after its last).
 *  - `perf inject --jit` merges a JIT's jitdump (named by its marker
 *    mmap) only when the attr's clock is CLOCK_MONOTONIC (use_clockid,
 *    "perf record -k 1"); our times are.
 *  - no HEADER_AUXTRACE index: in file mode perf queues each AUXTRACE
 *    record's data by its file offset as it reads the data section.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-perf-data.h"
#include "ipt-record-proc.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* perf's own record types (tools/perf/util/event.h), not the kernel's. */
#define PERF_RECORD_FINISHED_ROUND 68
#define PERF_RECORD_AUXTRACE_INFO 70
#define PERF_RECORD_AUXTRACE 71
#define PERF_RECORD_TIME_CONV 79
#define PERF_AUXTRACE_INTEL_PT 1

/* Feature bits of the header (tools/perf/util/header.h). */
enum {
  FEAT_HOSTNAME = 3,
  FEAT_OSRELEASE = 4,
  FEAT_VERSION = 5,
  FEAT_ARCH = 6,
  FEAT_NRCPUS = 7,
  FEAT_CPUDESC = 8,
  FEAT_CPUID = 9,
  FEAT_CMDLINE = 11,
  FEAT_EVENT_DESC = 12,
  FEAT_PMU_MAPPINGS = 16,
  FEAT_BITS = 256,
};

/* AUXTRACE_INFO's intel_pt words (tools/perf/util/intel-pt.h). */
enum {
  PT_PMU_TYPE, PT_TIME_SHIFT, PT_TIME_MULT, PT_TIME_ZERO, PT_CAP_USER_TIME_ZERO,
  PT_TSC_BIT, PT_NORETCOMP_BIT, PT_HAVE_SCHED_SWITCH, PT_SNAPSHOT_MODE,
  PT_PER_CPU_MMAPS, PT_MTC_BIT, PT_MTC_FREQ_BITS, PT_TSC_CTC_N, PT_TSC_CTC_D,
  PT_CYC_BIT, PT_MAX_NONTURBO_RATIO, PT_FILTER_STR_LEN, PT_PRIV_MAX,
};

/* Where there is no intel_pt PMU to ask (no PT hardware): its usual type. */
#define DEFAULT_PT_PMU_TYPE 8
#define EVENT_ID 1
#define HEADER_SIZE 104
#define COPY_SIZE (256 * 1024)

typedef struct {
  const IptRecordPerfDataInfo *info;
  const char *path;
  FILE *file;
  GByteArray *buf;
  guint32 pmu_type;
  struct perf_event_attr attr;
} Writer;

static void
put (GByteArray *buf, const void *data, gsize size)
{
  g_byte_array_append (buf, data, size);
}

static void
put_u16 (GByteArray *buf, guint16 value)
{
  put (buf, &value, sizeof value);
}

static void
put_u32 (GByteArray *buf, guint32 value)
{
  put (buf, &value, sizeof value);
}

static void
put_u64 (GByteArray *buf, guint64 value)
{
  put (buf, &value, sizeof value);
}

static void
put_zeros (GByteArray *buf, gsize n)
{
  static const guint8 zeros[64];

  while (n > 0)
    {
      gsize chunk = MIN (n, sizeof zeros);

      put (buf, zeros, chunk);
      n -= chunk;
    }
}

/* A NUL-terminated string padded with NULs to a multiple of @align. */
static void
put_padded (GByteArray *buf, const char *string, gsize align)
{
  gsize len = strlen (string) + 1;

  put (buf, string, len - 1);
  put_zeros (buf, (len + align - 1) / align * align - len + 1);
}

/* perf's header string: its padded length, then the string padded to 64. */
static void
put_header_string (GByteArray *buf, const char *string)
{
  gsize len = strlen (string) + 1;

  put_u32 (buf, (guint32) ((len + 63) / 64 * 64));
  put_padded (buf, string, 64);
}

/* Starts a record; end_record() fills in its size. */
static guint
begin_record (GByteArray *buf, guint32 type, guint16 misc)
{
  guint start = buf->len;

  put_u32 (buf, type);
  put_u16 (buf, misc);
  put_u16 (buf, 0);
  return start;
}

/* The sample_id_all trailer, in the order of the attr's sample_type. */
static void
put_sample_id (Writer *w, guint64 time)
{
  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, (guint32) w->info->pid);
  if (w->info->timed)
    put_u64 (w->buf, time);
  put_u64 (w->buf, EVENT_ID);
  put_u32 (w->buf, 0);          /* cpu: where the kernel would have seen it run */
  put_u32 (w->buf, 0);
  put_u64 (w->buf, EVENT_ID);
}

static void
end_record (GByteArray *buf, guint start)
{
  guint16 size = (guint16) (buf->len - start);

  memcpy (buf->data + start + 6, &size, sizeof size);
}

/* "PATH: WHAT: strerror(errno)" */
static gboolean
set_errno_error (GError **error, const char *path, const char *what)
{
  int saved_errno = errno;

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s: %s: %s", path, what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
set_write_error (Writer *w, GError **error)
{
  return set_errno_error (error, w->path, "write failed");
}

static gboolean
flush (Writer *w, GError **error)
{
  if (w->buf->len > 0 && fwrite (w->buf->data, 1, w->buf->len, w->file) != w->buf->len)
    return set_write_error (w, error);
  g_byte_array_set_size (w->buf, 0);
  return TRUE;
}

static guint32
read_pmu_type (void)
{
  g_autofree char *text = NULL;
  guint64 type;

  if (g_file_get_contents ("/sys/bus/event_source/devices/intel_pt/type", &text, NULL, NULL) &&
      g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT32, &type, NULL))
    return (guint32) type;
  return DEFAULT_PT_PMU_TYPE;
}

static void
init_attr (Writer *w)
{
  struct perf_event_attr *attr = &w->attr;

  memset (attr, 0, sizeof *attr);
  attr->type = w->pmu_type;
  attr->size = sizeof *attr;
  /* By default what the encoder writes: TSC packets, no return compression. */
  attr->config = w->info->pt_config != 0 ? w->info->pt_config
                 : IPT_RECORD_PT_CONFIG_PT | IPT_RECORD_PT_CONFIG_TSC |
                   IPT_RECORD_PT_CONFIG_NORETCOMP | IPT_RECORD_PT_CONFIG_BRANCH;
  attr->sample_period = 1;
  attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_ID | PERF_SAMPLE_CPU |
                      PERF_SAMPLE_IDENTIFIER;
  if (w->info->timed)
    attr->sample_type |= PERF_SAMPLE_TIME;
  attr->disabled = 1;
  attr->exclude_kernel = 1;
  attr->exclude_hv = 1;
  attr->mmap = 1;
  attr->comm = 1;
  attr->task = 1;
  attr->enable_on_exec = 1;
  attr->sample_id_all = 1;
  attr->mmap2 = 1;
  attr->comm_exec = 1;
  /* perf record -k CLOCK_MONOTONIC: the clock of the times, and what
   * perf inject --jit requires to merge a JIT's jitdump. */
  attr->use_clockid = 1;
  attr->clockid = CLOCK_MONOTONIC;
}

static void
put_auxtrace_info (Writer *w)
{
  guint64 priv[PT_PRIV_MAX] = { 0 };
  guint start = begin_record (w->buf, PERF_RECORD_AUXTRACE_INFO, 0);

  put_u32 (w->buf, PERF_AUXTRACE_INTEL_PT);
  put_u32 (w->buf, 0);
  priv[PT_PMU_TYPE] = w->pmu_type;
  /* TSC packets carry nanoseconds: perf time = 0 + (tsc * 1) >> 0. */
  priv[PT_TIME_SHIFT] = 0;
  priv[PT_TIME_MULT] = 1;
  priv[PT_TIME_ZERO] = 0;
  priv[PT_CAP_USER_TIME_ZERO] = 1;
  /* The config bits, as masks (perf_pmu__format_bits). */
  priv[PT_TSC_BIT] = IPT_RECORD_PT_CONFIG_TSC;
  priv[PT_NORETCOMP_BIT] = IPT_RECORD_PT_CONFIG_NORETCOMP;
  priv[PT_MTC_BIT] = IPT_RECORD_PT_CONFIG_MTC;
  priv[PT_MTC_FREQ_BITS] = IPT_RECORD_PT_CONFIG_MTC_FREQ;
  priv[PT_CYC_BIT] = IPT_RECORD_PT_CONFIG_CYC;
  /* Unused without MTC, but perf divides by them. */
  priv[PT_TSC_CTC_N] = 1;
  priv[PT_TSC_CTC_D] = 1;
  priv[PT_MAX_NONTURBO_RATIO] = 1;
  put (w->buf, priv, sizeof priv);
  end_record (w->buf, start);
}

static void
put_time_conv (Writer *w)
{
  guint start = begin_record (w->buf, PERF_RECORD_TIME_CONV, 0);

  put_u64 (w->buf, 0);                  /* time_shift */
  put_u64 (w->buf, 1);                  /* time_mult */
  put_u64 (w->buf, 0);                  /* time_zero */
  put_u64 (w->buf, 0);                  /* time_cycles */
  put_u64 (w->buf, G_MAXUINT64);        /* time_mask */
  put_u64 (w->buf, 1);                  /* cap_user_time_zero, not _short */
  end_record (w->buf, start);
}

static void
put_comm (Writer *w)
{
  guint start = begin_record (w->buf, PERF_RECORD_COMM,
                              PERF_RECORD_MISC_USER | PERF_RECORD_MISC_COMM_EXEC);

  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, (guint32) w->info->pid);
  put_padded (w->buf, w->info->comm, 8);
  put_sample_id (w, w->info->start_time);
  end_record (w->buf, start);
}

/* An executable mapping, as the kernel reports it: anonymous ones
 * (JIT code) as "//anon", which perf can decode only with a jitdump. */
static IptRecordPerfDataMmap
vma_to_mmap (const IptRecordVma *vma)
{
  IptRecordPerfDataMmap m = { vma->start, vma->end, vma->offset,
                              vma->has_file ? vma->file_path : vma->name,
                              vma->has_file && vma->file_path != NULL,
                              vma->read, vma->write, vma->shared };

  if (m.path == NULL || m.path[0] == '\0')
    m.path = "//anon";
  return m;
}

/* One MMAP2 record, stamped with @time (0: the start time). */
static void
put_mmap2 (Writer *w, const IptRecordPerfDataMmap *m, guint64 time)
{
  struct stat st = { 0 };
  guint start = begin_record (w->buf, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);

  if (m->is_file && stat (m->path, &st) < 0)
    memset (&st, 0, sizeof st);
  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, (guint32) w->info->pid);
  put_u64 (w->buf, m->start);
  put_u64 (w->buf, m->end - m->start);
  put_u64 (w->buf, m->offset);
  put_u32 (w->buf, major (st.st_dev));
  put_u32 (w->buf, minor (st.st_dev));
  put_u64 (w->buf, st.st_ino);
  put_u64 (w->buf, 0);                  /* ino_generation */
  put_u32 (w->buf, (m->read ? PROT_READ : 0) | (m->write ? PROT_WRITE : 0) | PROT_EXEC);
  put_u32 (w->buf, m->shared ? MAP_SHARED : MAP_PRIVATE);
  put_padded (w->buf, m->path, 8);
  put_sample_id (w, time != 0 ? time : w->info->start_time);
  end_record (w->buf, start);
}

static void
put_itrace_start (Writer *w)
{
  guint start = begin_record (w->buf, PERF_RECORD_ITRACE_START, 0);

  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, (guint32) w->info->pid);
  put_sample_id (w, w->info->start_time);
  end_record (w->buf, start);
}

/* The AUXTRACE record of the one per-thread queue (idx 0, the thread,
 * cpu -1); @size bytes of trace follow it, padded to 8 as perf pads. */
static void
put_auxtrace (Writer *w, guint64 size)
{
  guint start = begin_record (w->buf, PERF_RECORD_AUXTRACE, 0);

  put_u64 (w->buf, size);
  put_u64 (w->buf, 0);                  /* offset in the AUX area */
  /* perf record puts a TSC here; perf 6.1's timed decoding needs it non-zero. */
  put_u64 (w->buf, MAX (w->info->start_time, 1));
  put_u32 (w->buf, 0);                  /* idx */
  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, G_MAXUINT32);        /* cpu -1 */
  put_u32 (w->buf, 0);
  end_record (w->buf, start);
}

static void
put_exit (Writer *w)
{
  guint start = begin_record (w->buf, PERF_RECORD_EXIT, PERF_RECORD_MISC_USER);

  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, (guint32) w->info->ppid);
  put_u32 (w->buf, (guint32) w->info->pid);
  put_u32 (w->buf, (guint32) w->info->ppid);
  put_u64 (w->buf, w->info->end_time);
  put_sample_id (w, w->info->end_time);
  end_record (w->buf, start);
}

/* trace.pt into the AUXTRACE record's payload. */
static gboolean
copy_trace (Writer *w, const char *trace_path, guint64 size, GError **error)
{
  g_autofree guint8 *chunk = g_malloc (COPY_SIZE);
  FILE *trace = fopen (trace_path, "rb");
  guint64 left = size;
  static const guint8 pad[8];

  if (trace == NULL)
    return set_errno_error (error, trace_path, "cannot open");
  while (left > 0)
    {
      gsize n = fread (chunk, 1, MIN (left, COPY_SIZE), trace);

      if (n == 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                       "%s: offset 0x%" G_GINT64_MODIFIER "x: read failed or the file shrank",
                       trace_path, size - left);
          fclose (trace);
          return FALSE;
        }
      if (fwrite (chunk, 1, n, w->file) != n)
        {
          fclose (trace);
          return set_write_error (w, error);
        }
      left -= n;
    }
  fclose (trace);
  /* Zero bytes are PAD packets. */
  if (size % 8 != 0 && fwrite (pad, 1, 8 - size % 8, w->file) != 8 - size % 8)
    return set_write_error (w, error);
  return TRUE;
}

/* /proc/cpuinfo's value of @key for the first CPU, or "". */
static char *
cpuinfo_field (const char *cpuinfo, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (cpuinfo != NULL ? cpuinfo : "", "\n", 0);
  gsize key_len = strlen (key);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && strncmp (lines[i], key, key_len) == 0 &&
          strspn (lines[i] + key_len, " \t") == (gsize) (colon - lines[i]) - key_len)
        return g_strstrip (g_strdup (colon + 1));
      if (lines[i][0] == '\0')
        break;
    }
  return g_strdup ("");
}

static void
put_feature (Writer *w, guint bit, const struct utsname *uts, const char *cpuinfo,
             GByteArray *content)
{
  switch (bit)
    {
    case FEAT_HOSTNAME:
      put_header_string (content, uts->nodename);
      break;
    case FEAT_OSRELEASE:
      put_header_string (content, uts->release);
      break;
    case FEAT_VERSION:
      put_header_string (content, "ipt-record " PACKAGE_VERSION);
      break;
    case FEAT_ARCH:
      put_header_string (content, uts->machine);
      break;
    case FEAT_NRCPUS:
      put_u32 (content, (guint32) sysconf (_SC_NPROCESSORS_CONF));
      put_u32 (content, (guint32) sysconf (_SC_NPROCESSORS_ONLN));
      break;
    case FEAT_CPUDESC:
      {
        g_autofree char *model = cpuinfo_field (cpuinfo, "model name");

        put_header_string (content, model);
      }
      break;
    case FEAT_CPUID:
      if (w->info->cpuid != NULL)
        {
          put_header_string (content, w->info->cpuid);
          break;
        }
      {
        /* perf's x86 format: vendor,family,model,stepping. */
        g_autofree char *vendor = cpuinfo_field (cpuinfo, "vendor_id");
        g_autofree char *family = cpuinfo_field (cpuinfo, "cpu family");
        g_autofree char *model = cpuinfo_field (cpuinfo, "model");
        g_autofree char *stepping = cpuinfo_field (cpuinfo, "stepping");
        g_autofree char *cpuid = g_strdup_printf ("%s,%s,%s,%s", vendor, family, model,
                                                  stepping);

        put_header_string (content, cpuid);
      }
      break;
    case FEAT_CMDLINE:
      {
        guint n = w->info->cmdline != NULL ? g_strv_length ((char **) w->info->cmdline) : 0;

        put_u32 (content, n);
        for (guint i = 0; i < n; i++)
          put_header_string (content, w->info->cmdline[i]);
      }
      break;
    case FEAT_EVENT_DESC:
      put_u32 (content, 1);
      put_u32 (content, sizeof w->attr);
      put (content, &w->attr, sizeof w->attr);
      put_u32 (content, 1);
      put_header_string (content, "intel_pt//u");
      put_u64 (content, EVENT_ID);
      break;
    case FEAT_PMU_MAPPINGS:
      put_u32 (content, 2);
      put_u32 (content, PERF_TYPE_SOFTWARE);
      put_header_string (content, "software");
      put_u32 (content, w->pmu_type);
      put_header_string (content, "intel_pt");
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The section table (offset, size of each feature in bit order) right
 * after the data, then the features; returns the features bitmap. */
static gboolean
write_features (Writer *w, guint64 table_offset, guint64 *bitmap, GError **error)
{
  static const guint bits[] = {
    FEAT_HOSTNAME, FEAT_OSRELEASE, FEAT_VERSION, FEAT_ARCH, FEAT_NRCPUS, FEAT_CPUDESC,
    FEAT_CPUID, FEAT_CMDLINE, FEAT_EVENT_DESC, FEAT_PMU_MAPPINGS,
  };
  g_autoptr(GByteArray) contents = g_byte_array_new ();
  /* A trace of another CPU than this machine's has its CPUID or none. */
  gboolean foreign_cpu = w->info->cpuid != NULL, no_cpuid = g_strcmp0 (w->info->cpuid, "") == 0;
  guint64 offset = table_offset + (G_N_ELEMENTS (bits) - foreign_cpu - no_cpuid) * 16;
  g_autofree char *cpuinfo = NULL;
  struct utsname uts;

  if (uname (&uts) < 0)
    memset (&uts, 0, sizeof uts);
  g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
    {
      guint before = contents->len;

      if ((bits[i] == FEAT_CPUDESC && foreign_cpu) || (bits[i] == FEAT_CPUID && no_cpuid))
        continue;
      put_feature (w, bits[i], &uts, cpuinfo, contents);
      put_u64 (w->buf, offset + before);
      put_u64 (w->buf, contents->len - before);
      bitmap[bits[i] / 64] |= G_GUINT64_CONSTANT (1) << (bits[i] % 64);
    }
  put (w->buf, contents->data, contents->len);
  return flush (w, error);
}

static gboolean
write_file (Writer *w, const char *trace_path, GError **error)
{
  guint64 ids_offset = HEADER_SIZE, attrs_offset = ids_offset + 8;
  guint64 data_offset = attrs_offset + sizeof w->attr + 16, data_size, trace_size;
  guint64 bitmap[FEAT_BITS / 64] = { 0 };
  GStatBuf st;

  if (g_stat (trace_path, &st) < 0)
    return set_errno_error (error, trace_path, "cannot stat");
  trace_size = (guint64) st.st_size;

  /* The header last, when the sizes are known. */
  put_zeros (w->buf, HEADER_SIZE);
  put_u64 (w->buf, EVENT_ID);
  put (w->buf, &w->attr, sizeof w->attr);
  put_u64 (w->buf, ids_offset);
  put_u64 (w->buf, 8);

  put_auxtrace_info (w);
  put_time_conv (w);
  put_comm (w);
  for (guint i = 0; w->info->vmas != NULL && i < w->info->vmas->len; i++)
    {
      const IptRecordVma *vma = &g_array_index (w->info->vmas, IptRecordVma, i);

      /* [vsyscall] is the kernel's: never traced (user only). */
      if (vma->exec && !(vma->special && g_strcmp0 (vma->name, "[vdso]") != 0))
        {
          IptRecordPerfDataMmap m = vma_to_mmap (vma);

          put_mmap2 (w, &m, w->info->vma_times != NULL
                              ? g_array_index (w->info->vma_times, guint64, i) : 0);
        }
    }
  for (guint i = 0; w->info->mmaps != NULL && i < w->info->mmaps->len; i++)
    put_mmap2 (w, &g_array_index (w->info->mmaps, IptRecordPerfDataMmap, i), 0);
  put_itrace_start (w);
  put_auxtrace (w, (trace_size + 7) / 8 * 8);
  data_size = w->buf->len - data_offset + (trace_size + 7) / 8 * 8;
  if (!flush (w, error) || !copy_trace (w, trace_path, trace_size, error))
    return FALSE;
  put_exit (w);
  {
    guint start = begin_record (w->buf, PERF_RECORD_FINISHED_ROUND, 0);

    end_record (w->buf, start);
  }
  data_size += w->buf->len;
  if (!flush (w, error) ||
      !write_features (w, data_offset + data_size, bitmap, error))
    return FALSE;

  put (w->buf, "PERFILE2", 8);
  put_u64 (w->buf, HEADER_SIZE);
  put_u64 (w->buf, sizeof w->attr + 16);          /* a file attr: attr, ids section */
  put_u64 (w->buf, attrs_offset);
  put_u64 (w->buf, sizeof w->attr + 16);
  put_u64 (w->buf, data_offset);
  put_u64 (w->buf, data_size);
  put_u64 (w->buf, 0);                            /* event_types: unused */
  put_u64 (w->buf, 0);
  put (w->buf, bitmap, sizeof bitmap);
  g_assert (w->buf->len == HEADER_SIZE);
  if (fseek (w->file, 0, SEEK_SET) < 0)
    return set_write_error (w, error);
  return flush (w, error);
}

/**
 * ipt_record_perf_data_write:
 * @path: (type filename): the perf.data to write
 * @trace_path: (type filename): the finished trace (trace.pt)
 * @info: the recorded process
 * @error: return location for a #GError naming the file
 *
 * Writes @trace_path and @info as a per-thread intel_pt perf.data.
 *
 * Returns: %FALSE with @error set when a file cannot be read or written.
 */
gboolean
ipt_record_perf_data_write (const char *path, const char *trace_path,
                            const IptRecordPerfDataInfo *info, GError **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  Writer w = { info, path, NULL, buf, read_pmu_type (), { 0 } };
  gboolean ok;

  w.file = fopen (path, "wb");
  if (w.file == NULL)
    return set_errno_error (error, path, "cannot create");
  init_attr (&w);
  ok = write_file (&w, trace_path, error);
  if (fclose (w.file) != 0 && ok)
    return set_write_error (&w, error);
  return ok;
}
