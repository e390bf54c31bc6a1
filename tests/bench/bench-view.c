/* bench-view.c: ipt-view on a 50-million-instruction trace (issue 11):
 * the corpus's mruby trace repeated 8x (IPT_BENCH_REPEAT) over its raw
 * image, run for real under xvfb-run with --scroll-to-end: how long from
 * the loaded listing to its last row on screen, and the process's peak
 * RSS (the goals: under 1 s, under 500 MiB), with the load's time beside
 * them. IPT_BENCH_ROUNDS runs (default 3): the median time, the largest
 * RSS. The viewer reports its own figures on stdout (ipt-view: KEY: VALUE).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "bench-common.h"

#define MRUBY_BASE 0x400000

/* The number after "ipt-view: @key: " in @out. */
static gdouble
reported (const char *out, const char *key)
{
  g_autofree char *prefix = g_strdup_printf ("ipt-view: %s: ", key);
  const char *at = strstr (out, prefix);

  if (at == NULL)
    g_error ("ipt-view did not report %s; its output:\n%s", key, out);
  return g_ascii_strtod (at + strlen (prefix), NULL);
}

int
main (int argc, char **argv)
{
  const char *dir = g_getenv ("IPT_CORPUS_DIR");
  const char *view = g_getenv ("IPT_VIEW");
  guint repeat = env_uint ("IPT_BENCH_REPEAT", 8, 64);
  guint rounds = env_uint ("IPT_BENCH_ROUNDS", 3, BENCH_MAX_ROUNDS);
  g_autofree char *trace_path = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GError) error = NULL;
  gdouble scroll[BENCH_MAX_ROUNDS], load[BENCH_MAX_ROUNDS];
  gdouble rss_max = 0;
  guint8 *data;
  gsize size;
  int fd;

  if (dir == NULL || view == NULL)
    g_error ("IPT_CORPUS_DIR and IPT_VIEW must be set (meson test --benchmark does)");
  trace_path = g_build_filename (dir, "mruby", "trace.pt", NULL);
  raw = g_strdup_printf ("%s/mruby/image.bin:0x%x", dir, MRUBY_BASE);
  data = read_trace_repeated (trace_path, repeat, &size);
  fd = g_file_open_tmp ("bench-view-XXXXXX.pt", &tmp, &error);
  if (fd < 0 || !g_file_set_contents (tmp, (const char *) data, size, &error))
    g_error ("%s", error->message);
  close (fd);
  g_free (data);

  printf ("# ipt-view on the mruby trace x%u (%" G_GSIZE_FORMAT " bytes), %u rounds\n",
          repeat, size, rounds);
  for (guint r = 0; r < rounds; r++)
    {
      const char *const args[] = { "xvfb-run", "-a", view, "--pt", tmp, "--raw", raw,
                                   "--scroll-to-end", "--quit-when-loaded", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status;

      if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                         &status, &error) ||
          !g_spawn_check_wait_status (status, &error))
        g_error ("ipt-view: %s\n%s", error->message, err != NULL ? err : "");
      scroll[r] = reported (out, "scroll-to-end");
      load[r] = reported (out, "loaded");
      rss_max = MAX (rss_max, reported (out, "peak-rss") / 1024.0);
      if (r == 0)
        printf ("# last row: %s", strstr (out, "ipt-view: last-row: ") + strlen ("ipt-view: last-row: "));
      printf ("# round %u: loaded in %.3f s, last row shown %.3f s later, peak RSS %.0f MiB\n", r + 1,
              load[r], scroll[r], reported (out, "peak-rss") / 1024.0);
    }
  g_unlink (tmp);

  printf ("| trace | load (s) | scroll to the last row (s) | peak RSS (MiB) |\n|---|---|---|---|\n");
  printf ("| mruby x%u | %.2f | %.3f | %.0f |\n", repeat, median (load, rounds),
          median (scroll, rounds), rss_max);
  printf ("goals: scroll < 1 s: %s, RSS < 500 MiB: %s\n",
          median (scroll, rounds) < 1.0 ? "met" : "NOT met", rss_max < 500 ? "met" : "NOT met");
  return 0;
}
