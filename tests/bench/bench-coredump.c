/* bench-coredump.c: opening a core with 10,000 mappings and serving its first read.
 *
 * Issue 3's budget: under 100 ms and under 64 MiB. The core is synthetic
 * (tests/core/synth-core.h): 10,000 one-page NT_FILE mappings over 100
 * files, like a big process, every fourth page dumped (written pages), the
 * rest served from the files. Loads the built plugin like a host does. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gmodule.h>

#include <ipt-analyze/ipt-analyze.h>

#include "../core/synth-core.h"

#define N_MAPPINGS 10000
#define N_FILES 100
#define PAGE 4096

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("ipt-bench-coredump-XXXXXX", NULL);
  g_autofree char *plugin = g_build_filename (g_getenv ("IPT_PLUGIN_PATH") ?: "plugins",
                                              "ipt-plugin-coredump.so", NULL);
  g_autofree char *core = g_build_filename (dir, "core", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  SynthFile *files = g_new0 (SynthFile, N_MAPPINGS);
  SynthLoad *loads = g_new0 (SynthLoad, N_MAPPINGS);
  guint8 page[PAGE] = { 0 };
  IptPluginQueryFunc query;
  GModule *module;
  GObject *provider;
  SynthCore c;
  gint64 t0, t1;
  struct rusage ru;
  guint8 buf[16];
  gssize n;
  gboolean ok;

  for (guint i = 0; i < N_FILES; i++)
    {
      char *path = g_strdup_printf ("%s/lib%u.so", dir, i);
      g_file_set_contents (path, (char *) page, sizeof page, NULL);
      g_ptr_array_add (paths, path);
    }
  for (guint i = 0; i < N_MAPPINGS; i++)
    {
      guint64 at = G_GUINT64_CONSTANT (0x7f0000000000) + (guint64) i * 2 * PAGE;
      files[i] = (SynthFile) { at, at + PAGE, 0, paths->pdata[i % N_FILES] };
      loads[i] = (SynthLoad) { at, PAGE, i % 4 == 0 ? PAGE : 0, NULL, 5 };
    }
  c = synth_core (loads, N_MAPPINGS, files, N_MAPPINGS, PAGE);
  g_file_set_contents (core, (char *) c.bytes->data, c.bytes->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (c.bytes);

  module = g_module_open_full (plugin, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, &error);
  g_assert_no_error (error);
  g_assert_true (g_module_symbol (module, "ipt_plugin_query", (gpointer *) &query));

  t0 = g_get_monotonic_time ();
  provider = g_initable_new (query ()->get_provider_type (), NULL, &error, "core", core, NULL);
  g_assert_no_error (error);
  n = ipt_memory_provider_read (IPT_MEMORY_PROVIDER (provider), buf, sizeof buf, NULL,
                                G_GUINT64_CONSTANT (0x7f0000000000) + 2 * PAGE, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, sizeof buf);
  getrusage (RUSAGE_SELF, &ru);

  ok = t1 - t0 < 100000 && ru.ru_maxrss < 64 * 1024;
  g_print ("coredump: open + first read of a core with %u mappings over %u files: %.1f ms,"
           " max RSS %ld KiB (budget 100 ms, 65536 KiB): %s\n",
           N_MAPPINGS, N_FILES, (t1 - t0) / 1000.0, ru.ru_maxrss, ok ? "ok" : "OVER BUDGET");

  g_object_unref (provider);
  for (guint i = 0; i < N_FILES; i++)
    g_unlink (paths->pdata[i]);
  g_unlink (core);
  g_rmdir (dir);
  g_free (files);
  g_free (loads);
  return ok ? 0 : 1;
}
