/* bench-jitmap.c: JIT code served by the jitmap plugin against the same
 * code given to libipt as hand-made sections, and what an epoch switch
 * (the decode's time crossing a boundary) costs.
 *
 *   bench-jitmap decode   the corpus's mruby code (image.bin at 0x400000)
 *                         written into a jitdump as 64 KiB JIT_CODE_LOADs,
 *                         and its trace repeated 8x, decoded with the insn and
 *                         the block decoder through:
 *     (a) libipt alone: one pt_iscache_add_file section per load, at the
 *         load's offset in the dump (what a user would do by hand)
 *     (b) IptImage with the jitmap plugin -> ipt_image_get_pt_image
 *   bench-jitmap switch   an image whose 200 functions are each replaced 50
 *                         times at the same address (10,000 boundaries),
 *                         among 2,000 functions loaded once: the time of
 *                         moving a pt_image to the next epoch, when the new
 *                         code covers the old and when it is smaller (the
 *                         old section must be taken out: libipt cannot
 *                         remove one section, see ipt-image-sections.c)
 *
 * Environment: IPT_CORPUS_DIR, IPT_PLUGIN_PATH, IPT_BENCH_ROUNDS (default
 * 5), IPT_BENCH_REPEAT (default 8). Not a test: speed is reported, only
 * wrong instruction counts fail. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

#define MRUBY_BASE 0x400000
#define CHUNK (64 * 1024)

/* ---- writing a jitdump (perf's jitdump format, host byte order) ---- */

typedef struct {
  FILE *file;
  guint64 offset;
  guint64 index;
} Dump;

static void
put (Dump *dump, const void *data, gsize size)
{
  if (fwrite (data, 1, size, dump->file) != size)
    g_error ("cannot write the jitdump");
  dump->offset += size;
}

static void
dump_open (Dump *dump, const char *path)
{
  struct {
    guint32 magic, version, total_size, elf_mach, pad1, pid;
    guint64 timestamp, flags;
  } header = { 0x4A695444, 1, 40, 62, 0, (guint32) getpid (), 1, 0 };

  dump->file = g_fopen (path, "wb");
  if (dump->file == NULL)
    g_error ("%s: %s", path, g_strerror (errno));
  dump->offset = 0;
  dump->index = 0;
  put (dump, &header, sizeof header);
}

/* Returns the offset of the code bytes in the dump. */
static guint64
dump_load (Dump *dump, guint64 timestamp, guint64 address, const guint8 *code, guint64 size)
{
  char name[64];
  gsize name_size = (gsize) g_snprintf (name, sizeof name, "fn_%" G_GUINT64_FORMAT, dump->index) + 1;
  struct {
    guint32 id, total_size;
    guint64 timestamp;
    guint32 pid, tid;
    guint64 vma, code_addr, code_size, code_index;
  } record = { 0, (guint32) (sizeof record + name_size + size), timestamp,
                             (guint32) getpid (), (guint32) getpid (), address, address, size,
                             dump->index++ };
  guint64 code_offset;

  G_STATIC_ASSERT (sizeof record == 56);   /* the format's packed layout, naturally aligned */
  put (dump, &record, sizeof record);
  put (dump, name, name_size);
  code_offset = dump->offset;
  put (dump, code, size);
  return code_offset;
}

static void
dump_close (Dump *dump)
{
  if (fclose (dump->file) != 0)
    g_error ("cannot write the jitdump");
}

/* ---- decode ---- */

static int
bench_decode (const char *corpus_dir)
{
  g_autofree char *dir = g_build_filename (corpus_dir, "mruby", NULL);
  g_autofree char *trace_path = g_build_filename (dir, "trace.pt", NULL);
  g_autofree char *image_path = g_build_filename (dir, "image.bin", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("bench-jitmap-XXXXXX", NULL);
  g_autofree char *dump_path = g_build_filename (tmp, "jit-1.dump", NULL);
  g_autofree char *spec = g_strdup_printf ("jitmap:dump=%s", dump_path);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *code = NULL, *trace = NULL;
  g_autoptr(IptPluginRegistry) registry = NULL;
  g_autoptr(IptImage) image = NULL;
  struct pt_image_section_cache *iscache = pt_iscache_alloc ("bench");
  struct pt_image *libipt_image = pt_image_alloc ("libipt");
  struct pt_image *images[2];
  const char *labels[2] = { "(a) libipt, hand-made sections", "(b) IptImage, jitmap plugin" };
  guint repeat = env_uint ("IPT_BENCH_REPEAT", 8, 64);
  guint rounds = env_uint ("IPT_BENCH_ROUNDS", 5, BENCH_MAX_ROUNDS);
  gdouble seconds[2][N_DECODERS][BENCH_MAX_ROUNDS];
  gsize code_size, size;
  guint64 insns[2][N_DECODERS] = { { 0 } };
  guint n_loads = 0;
  gboolean ok = TRUE;
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
  Dump dump;

  if (!g_file_get_contents (image_path, (char **) &code, &code_size, &error))
    g_error ("%s", error->message);
  trace = read_trace_repeated (trace_path, repeat, &size);

  dump_open (&dump, dump_path);
  for (gsize at = 0; at < code_size; at += CHUNK, n_loads++)
    g_array_append_val (offsets, (guint64) { dump_load (&dump, 1, MRUBY_BASE + at, code + at,
                                                        MIN ((gsize) CHUNK, code_size - at)) });
  dump_close (&dump);
  /* libipt checks a section against the file's size: add them once it is written */
  for (guint i = 0; i < n_loads; i++)
    {
      gsize at = (gsize) i * CHUNK;
      int isid = pt_iscache_add_file (iscache, dump_path, g_array_index (offsets, guint64, i),
                                      MIN ((gsize) CHUNK, code_size - at), MRUBY_BASE + at);

      g_assert_cmpint (isid, >, 0);
      g_assert_cmpint (pt_image_add_cached (libipt_image, iscache, isid, NULL), ==, 0);
    }

  registry = ipt_plugin_registry_new ();
  ipt_plugin_registry_scan_default_path (registry);
  image = image_from_plugin (registry, spec);
  images[0] = libipt_image;
  images[1] = ipt_image_get_pt_image (image);

  g_print ("mruby code as %u JIT loads of %u KiB in %s; trace x%u, %u rounds after 1 warm-up\n",
           n_loads, CHUNK / 1024, dump_path, repeat, rounds);

  ok = decode_rounds (images, labels, 2, trace, size, rounds, seconds, insns);

  g_print ("\n%-34s %8s %12s %8s %12s %8s\n", "image", "insn s", "insn ratio", "block s",
           "block ratio", "goal");
  for (guint v = 0; v < 2; v++)
    {
      gdouble insn = median (seconds[v][DECODER_INSN], rounds);
      gdouble block = median (seconds[v][DECODER_BLOCK], rounds);
      gdouble insn_ratio = insn / median (seconds[0][DECODER_INSN], rounds);
      gdouble block_ratio = block / median (seconds[0][DECODER_BLOCK], rounds);

      g_print ("%-34s %8.3f %12.2f %8.3f %12.2f %8s\n", labels[v], insn, insn_ratio, block,
               block_ratio, v == 0 ? "" : insn_ratio <= 1.10 && block_ratio <= 1.10
                                          ? "<=1.10 met" : "<=1.10 MISSED");
    }
  for (guint d = 0; d < N_DECODERS; d++)
    if (insns[0][d] != insns[1][d] || insns[0][d] == 0)
      ok = FALSE;
  g_print ("\nboth decoded the same %" G_GUINT64_FORMAT " instructions: %s\n",
           insns[0][DECODER_INSN], ok ? "yes" : "NO");

  pt_image_free (libipt_image);
  pt_iscache_free (iscache);
  g_unlink (dump_path);
  g_rmdir (tmp);
  return ok ? 0 : 1;
}

/* ---- epoch switches ---- */

#define N_STATIC 2000
#define N_REUSED 200
#define N_VERSIONS 50
#define FN_SIZE 256

/* Seconds per switch through every boundary of the image of @shrinking
 * versions (each a little smaller than the last: the old section is not
 * covered) or same-sized ones. */
static gdouble
switch_cost (IptPluginRegistry *registry, const char *tmp, gboolean shrinking, guint *n_boundaries,
             guint *n_sections)
{
  g_autofree char *path = g_build_filename (tmp, shrinking ? "jit-2.dump" : "jit-3.dump", NULL);
  g_autofree char *spec = g_strdup_printf ("jitmap:dump=%s", path);
  g_autoptr(IptImage) image = NULL;
  g_autoptr(GArray) boundaries = NULL;
  guint8 code[FN_SIZE];
  gint64 start;
  Dump dump;

  memset (code, 0x90, sizeof code);
  code[FN_SIZE - 1] = 0xc3;
  dump_open (&dump, path);
  for (guint i = 0; i < N_STATIC; i++)
    dump_load (&dump, 1, 0x10000000 + (guint64) i * 0x1000, code, FN_SIZE);
  for (guint v = 0; v < N_VERSIONS; v++)
    for (guint f = 0; f < N_REUSED; f++)
      dump_load (&dump, 1000 + (guint64) v * N_REUSED + f, 0x20000000 + (guint64) f * 0x1000, code,
                 shrinking ? FN_SIZE - v : FN_SIZE);
  dump_close (&dump);

  image = image_from_plugin (registry, spec);
  boundaries = ipt_image_list_boundaries (image);
  *n_boundaries = boundaries->len;

  ipt_image_set_time (image, 0);
  (void) ipt_image_get_pt_image (image);
  start = g_get_monotonic_time ();
  for (guint b = 0; b < boundaries->len; b++)
    {
      ipt_image_set_time (image, g_array_index (boundaries, guint64, b));
      (void) ipt_image_get_pt_image (image);
    }
  *n_sections = N_STATIC + N_REUSED;
  g_unlink (path);
  return (g_get_monotonic_time () - start) / 1e6 / MAX (boundaries->len, 1);
}

static int
bench_switch (void)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autofree char *tmp = g_dir_make_tmp ("bench-jitmap-XXXXXX", NULL);
  guint n_boundaries, n_sections;
  gdouble add, rebuild;

  ipt_plugin_registry_scan_default_path (registry);
  add = switch_cost (registry, tmp, FALSE, &n_boundaries, &n_sections);
  g_print ("%u live sections, %u boundaries: new code covers the old (sections added): "
           "%.1f us per switch\n", n_sections, n_boundaries, add * 1e6);
  rebuild = switch_cost (registry, tmp, TRUE, &n_boundaries, &n_sections);
  g_print ("%u live sections, %u boundaries: new code smaller than the old (old taken out): "
           "%.1f us per switch\n", n_sections, n_boundaries, rebuild * 1e6);
  g_rmdir (tmp);
  return 0;
}

int
main (int argc, char **argv)
{
  const char *corpus = g_getenv ("IPT_CORPUS_DIR");

  if (argc == 2 && strcmp (argv[1], "switch") == 0)
    return bench_switch ();
  if (argc == 2 && strcmp (argv[1], "decode") == 0 && corpus != NULL)
    return bench_decode (corpus);
  g_printerr ("usage: IPT_CORPUS_DIR=... bench-jitmap decode | bench-jitmap switch\n");
  return 2;
}
