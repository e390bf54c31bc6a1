/* bench-listing-model.c: IptListingModel over the corpus's mruby trace
 * repeated 8x (about 50 million rows), as a GUI uses it: the time to
 * index, the time to get the last row and 50 rows around random positions
 * (each from a cold window: the first of each run of 50 decodes its window
 * from the checkpoint before it), scrolling page by page, and the peak
 * resident memory (VmHWM) against what the process held before the model.
 * Goals (issue 11): each get under a second after indexing, the process
 * under 500 MiB. Environment: IPT_CORPUS_DIR, IPT_PLUGIN_PATH,
 * IPT_BENCH_REPEAT (copies of the trace, default 8), IPT_BENCH_PROBES
 * (random positions, default 20). Not a test: only a wrong row count
 * (each copy lists the CLI's 6,362,853 lines) fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ipt-analyze/ipt-analyze.h>

#include "bench-common.h"

#define MRUBY_ROWS 6362853   /* MANIFEST.md: ptxed --no-inst lines */

/* A field of /proc/self/status, in KiB. */
static guint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field) + 1, NULL, 10);
}

static gdouble
now (void)
{
  return g_get_monotonic_time () / 1e6;
}


/* Rows @first .. @first+@n, as a view asks for them; the seconds taken. */
static gdouble
get_rows (IptListingModel *model, guint first, guint n)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (model));
  gdouble start = now ();

  for (guint i = first; i < first + n && i < total; i++)
    {
      g_autoptr(IptListingRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      if (row == NULL || ipt_listing_row_get_line (row)[0] == '\0')
        g_error ("row %u: none", i);
    }
  return now () - start;
}

static gdouble
max_of (const gdouble *values, guint n)
{
  gdouble m = 0;

  for (guint i = 0; i < n; i++)
    m = MAX (m, values[i]);
  return m;
}

int
main (int argc, char **argv)
{
  guint repeat = env_uint ("IPT_BENCH_REPEAT", 8, 64);
  guint probes = env_uint ("IPT_BENCH_PROBES", 20, BENCH_MAX_ROUNDS);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptImage) image = NULL;
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(IptSymbolResolver) symbols = NULL;
  g_autoptr(IptListingModel) model = NULL;
  g_autoptr(GBytes) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gdouble random[BENCH_MAX_ROUNDS], scroll[BENCH_MAX_ROUNDS];
  gdouble t_index, cpu_index, t_last, t_first;
  guint64 rss_before, hwm_indexed;
  gsize size;
  guint n;

  image = mruby_repeated (registry, repeat, &trace);
  size = g_bytes_get_size (trace);
  decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  symbols = ipt_symbol_resolver_new_for_model (ipt_image_get_providers (image));
  {
    g_autofree char *name = g_strdup_printf ("mruby-x%u.pt", repeat);

    model = ipt_listing_model_new (decoder, trace, name);
  }
  ipt_listing_model_set_symbols (model, symbols);
  rss_before = status_kib ("VmRSS:");

  t_index = now ();
  cpu_index = cpu_seconds ();
  if (!ipt_listing_model_index (model, NULL, &error))
    g_error ("index: %s", error->message);
  t_index = now () - t_index;
  cpu_index = cpu_seconds () - cpu_index;
  hwm_indexed = status_kib ("VmHWM:");
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  if (n != (guint64) MRUBY_ROWS * repeat)
    g_error ("%u rows, not %u x %u", n, repeat, MRUBY_ROWS);

  t_last = get_rows (model, n - 1, 1);
  t_first = get_rows (model, 0, 1);
  for (guint i = 0; i < probes; i++)
    random[i] = get_rows (model, g_rand_int_range (rand, 0, (gint32) (n - 50)), 50);
  /* page by page from a random place: mostly windows already decoded */
  {
    guint at = g_rand_int_range (rand, 0, (gint32) (n / 2));

    for (guint i = 0; i < probes; i++, at += 50)
      scroll[i] = get_rows (model, at, 50);
  }

  printf ("# mruby trace x%u (%" G_GSIZE_FORMAT " bytes): %u rows, %" G_GUINT64_FORMAT
          " instructions, %u checkpoints, %u processors\n", repeat, size, n,
          ipt_listing_model_get_n_insns (model), ipt_listing_model_get_n_checkpoints (model),
          g_get_num_processors ());
  {
    gdouble load[3] = { 0, 0, 0 };

    if (getloadavg (load, 3) < 0)
      load[0] = -1;
    printf ("# load average %.2f\n", load[0]);
  }
  printf ("| what | seconds |\n|---|---|\n");
  printf ("| index (serial pass + check of each checkpoint), wall | %.3f |\n", t_index);
  printf ("| index, CPU | %.3f |\n", cpu_index);
  printf ("| get_item (last row, cold) | %.4f |\n", t_last);
  printf ("| get_item (first row, cold) | %.4f |\n", t_first);
  printf ("| 50 rows at a random position (median of %u) | %.4f |\n", probes,
          median (random, probes));
  printf ("| 50 rows at a random position (worst of %u) | %.4f |\n", probes,
          max_of (random, probes));
  printf ("| 50 rows, scrolling page by page (median of %u) | %.4f |\n", probes,
          median (scroll, probes));
  printf ("| what | MiB |\n|---|---|\n");
  printf ("| resident before the model (the trace, %.1f MiB, read in) | %.1f |\n",
          size / 1048576.0, rss_before / 1024.0);
  printf ("| peak resident (VmHWM) after indexing | %.1f |\n", hwm_indexed / 1024.0);
  printf ("| peak resident (VmHWM) at the end | %.1f |\n", status_kib ("VmHWM:") / 1024.0);
  return 0;
}
