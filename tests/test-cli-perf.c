/* test-cli-perf.c: ipt-analyze --perf's memory on synthetic perf.data files
 * (perf-data-builder.c) over small files of a temporary folder: one
 * warning per missing file with all its ranges, the per-CPU union's
 * warning when processes map other code at one address, and
 * --list-regions --time showing each mapping over its time. */
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "perf-data-builder.h"
#include "test-support.h"

#define ST_TIMED (PB_SAMPLE_TID | PB_SAMPLE_TIME | PB_SAMPLE_CPU | PB_SAMPLE_IDENTIFIER)

typedef struct {
  char *dir;
  char *one, *two;     /* 8 KiB files */
  char *perf_data;
  char *out, *err;
  int status;
} Fixture;

/* PSB, PSBEND: a trace of nothing */
static const guint8 pt[] = { 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
                             2, 0x82, 2, 0x23, 0, 0, 0, 0, 0, 0 };

static char *
write_file (Fixture *f, const char *name, guint8 fill)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  guint8 bytes[8192];

  memset (bytes, fill, sizeof bytes);
  g_file_set_contents (path, (const char *) bytes, sizeof bytes, &error);
  g_assert_no_error (error);
  return path;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-cli-perf-XXXXXX", &error);
  g_assert_no_error (error);
  f->one = write_file (f, "one.so", 0x90);
  f->two = write_file (f, "two.so", 0xcc);
  f->perf_data = g_build_filename (f->dir, "perf.data", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->one);
  g_unlink (f->two);
  g_unlink (f->perf_data);
  g_rmdir (f->dir);
  g_free (f->one);
  g_free (f->two);
  g_free (f->perf_data);
  g_free (f->dir);
  g_free (f->out);
  g_free (f->err);
}

static PerfBuilder *
new_builder (void)
{
  PerfBuilder *b = pb_new (FALSE, 112);

  pb_add_attr (b, 8, 0, ST_TIMED, TRUE, 1, 1);
  return b;
}

static void
mmap2 (PerfBuilder *b, guint32 pid, guint64 address, guint64 length, const char *file,
       guint64 time)
{
  PbSampleId sid = { pid, pid, time, 1, 0 };

  pb_mmap2 (b, pid, pid, address, length, 0, NULL, 0, file, &sid);
}

static void
finish (Fixture *f, PerfBuilder *b)
{
  g_autoptr(GBytes) bytes = pb_finish (b);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->perf_data, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       &error);
  g_assert_no_error (error);
}

/* ipt-analyze --perf DIR/perf.data --quiet ARGS… */
static void
run (Fixture *f, const char *arg, const char *arg2, const char *arg3)
{
  const char *args[] = { "--perf", f->perf_data, "--quiet", arg, arg2, arg3, NULL };

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  f->status = test_run_analyze (args, &f->out, &f->err);
}

static guint
count (const char *text, const char *part)
{
  guint n = 0;

  for (const char *p = strstr (text, part); p != NULL; p = strstr (p + 1, part))
    n++;
  return n;
}

/* A file that is not here: one warning, naming all its ranges (a mapping
 * split by a later one is one range again) and its process. */
static void
test_missing_file_once (Fixture *f, gconstpointer data)
{
  g_autoptr(PerfBuilder) b = new_builder ();
  g_autofree char *gone = g_build_filename (f->dir, "missing.so", NULL);
  g_autofree char *expected = NULL;

  mmap2 (b, 10, 0x10000, 0x3000, gone, 100);
  mmap2 (b, 10, 0x11000, 0x1000, gone, 110);
  mmap2 (b, 10, 0x50000, 0x2000, gone, 120);
  mmap2 (b, 10, 0x60000, 0x1000, f->one, 130);
  pb_auxtrace (b, sizeof pt, 0, 0, 10, -1, pt, sizeof pt);
  finish (f, b);
  run (f, NULL, NULL, NULL);

  expected = g_strdup_printf ("perf.data: %s, mapped at 0x10000-0x13000, 0x50000-0x52000 by pid "
                              "10: no such file (looked in %s (missing)); reads there "
                              "will fail", gone, gone);
  g_assert_nonnull (strstr (f->err, expected));
  g_assert_cmpuint (count (f->err, "missing.so, mapped at"), ==, 1);
  g_assert_null (strstr (f->err, "one.so"));
}

/* Per-CPU queues decode over every process's memory: other code of two
 * processes at one address at one time is said, once; per-thread queues
 * decode over their own process's and say nothing. */
static void
test_processes_overlap (Fixture *f, gconstpointer data)
{
  g_autofree char *expected = NULL;

  for (guint per_cpu = 0; per_cpu < 2; per_cpu++)
    {
      g_autoptr(PerfBuilder) b = new_builder ();

      mmap2 (b, 10, 0x400000, 0x2000, f->one, 100);
      mmap2 (b, 20, 0x400000, 0x2000, f->two, 200);
      mmap2 (b, 20, 0x500000, 0x2000, f->one, 210);
      if (per_cpu)
        pb_auxtrace (b, sizeof pt, 0, 0, -1, 0, pt, sizeof pt);
      else
        {
          pb_auxtrace (b, sizeof pt, 0, 0, 10, -1, pt, sizeof pt);
          pb_auxtrace (b, sizeof pt, 0, 1, 20, -1, pt, sizeof pt);
        }
      finish (f, b);
      run (f, NULL, NULL, NULL);
      expected = g_strdup_printf ("mappings of different processes overlap (pid 10's %s at "
                                  "0x400000, pid 20's %s at 0x400000): the per-CPU queues are "
                                  "decoded over all processes' memory, where code is read from "
                                  "the first (pid 10's)", f->one, f->two);
      if (per_cpu)
        {
          g_assert_nonnull (strstr (f->err, expected));
          g_assert_cmpuint (count (f->err, "overlap"), ==, 1);
        }
      else
        g_assert_null (strstr (f->err, "overlap"));
      g_clear_pointer (&expected, g_free);
    }
}

/* --list-regions --time T: the union image at T, each mapping over the
 * time it was mapped (one.so until two.so is mapped over its upper half). */
static void
test_list_regions_over_time (Fixture *f, gconstpointer data)
{
  g_autoptr(PerfBuilder) b = new_builder ();
  g_autofree char *upper_one = NULL, *upper_two = NULL;

  mmap2 (b, 10, 0x400000, 0x2000, f->one, 100);
  mmap2 (b, 10, 0x401000, 0x1000, f->two, 300);
  pb_auxtrace (b, sizeof pt, 0, 0, 10, -1, pt, sizeof pt);
  finish (f, b);

  upper_one = g_strdup_printf ("0000000000401000-0000000000402000       0x1000 bytes  cr3=any "
                               "vmcs=any  raw  section   0x00001000  %s  valid [100, 300) ns",
                               f->one);
  upper_two = g_strdup_printf ("0000000000401000-0000000000402000       0x1000 bytes  cr3=any "
                               "vmcs=any  raw  section   0x00000000  %s  valid [300, end) ns",
                               f->two);
  run (f, "--list-regions", "--time", "200");
  g_assert_cmpint (f->status, ==, 0);
  g_assert_nonnull (strstr (f->out, upper_one));
  g_assert_null (strstr (f->out, upper_two));
  run (f, "--list-regions", "--time", "300");
  g_assert_cmpint (f->status, ==, 0);
  g_assert_nonnull (strstr (f->out, upper_two));
  g_assert_null (strstr (f->out, upper_one));
  /* the lower half stays one.so's, from its mmap on */
  g_assert_nonnull (strstr (f->out, "0000000000400000-0000000000401000"));
}

/* A mapping longer than its file (the kernel maps the file's last page
 * whole): the file's bytes are served, the tail is not, and no warning. */
static void
test_mapping_past_file_end (Fixture *f, gconstpointer data)
{
  g_autoptr(PerfBuilder) b = new_builder ();

  /* one.so is 0x2000 bytes; mapped from offset 0x1000 over 0x3000 */
  pb_mmap2 (b, 10, 10, 0x400000, 0x3000, 0x1000, NULL, 0, f->one,
            &(PbSampleId) { 10, 10, 100, 1, 0 });
  pb_auxtrace (b, sizeof pt, 0, 0, 10, -1, pt, sizeof pt);
  finish (f, b);
  run (f, "--list-regions", NULL, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->err, ==, "");
  g_assert_nonnull (strstr (f->out, "0000000000400000-0000000000401000       0x1000 bytes"));
  g_assert_null (strstr (f->out, "0000000000401000-"));
  /* --read with --perf: the recording's memory (the file's last bytes) */
  run (f, "--read", "0x400ffe:2", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "\x90\x90");
  run (f, "--read", "0x401000:1", NULL);
  g_assert_cmpint (f->status, !=, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli-perf/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("missing-file/one-warning-all-ranges", test_missing_file_once);
  ADD ("per-cpu/processes-overlap-warned-once", test_processes_overlap);
  ADD ("list-regions/each-mapping-at-its-time", test_list_regions_over_time);
  ADD ("mapping/past-the-file-end", test_mapping_past_file_end);
#undef ADD
  return g_test_run ();
}
