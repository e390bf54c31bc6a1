/* test-plugin-registry.c: loading real modules: the good test plugins and the
 * deliberately broken ones of tests/plugins/ (built into build/tests/plugins,
 * never into the real plugin directory). Tests that scan (and so print on
 * stderr), read the environment or use the default registry run in a
 * subprocess. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>

static char *
test_plugin (const char *file)
{
  return g_test_build_filename (G_TEST_BUILT, "plugins", file, NULL);
}

static char *
test_plugins_dir (void)
{
  return g_test_build_filename (G_TEST_BUILT, "plugins", NULL);
}

/* A temporary directory of symbolic links to test plugins: link i is called
 * names[2*i] and points at test plugin names[2*i+1]. */
static char *
make_plugin_dir (const char * const *names)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ipt-plugins-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 0; names[i] != NULL; i += 2)
    {
      g_autofree char *link = g_build_filename (dir, names[i], NULL);
      g_autofree char *target = test_plugin (names[i + 1]);

      g_assert_cmpint (symlink (target, link), ==, 0);
    }
  return dir;
}

static void
remove_plugin_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static guint
n_plugins (IptPluginRegistry *registry)
{
  return g_list_model_get_n_items (ipt_plugin_registry_get_plugins (registry));
}

static const char *
plugin_name_at (IptPluginRegistry *registry, guint i)
{
  g_autoptr(IptPlugin) plugin = g_list_model_get_item (ipt_plugin_registry_get_plugins (registry), i);

  return ipt_plugin_get_name (plugin);  /* the registry keeps it alive */
}

/* --- loading one file ----------------------------------------------------- */

static void
test_load_good (void)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_plugin ("good.so");
  g_autofree GParamSpec **options = NULL;
  const char *expected[] = { "file", "base", "count", "verbose", "mode", "ratio" };
  IptPlugin *plugin;
  guint n = 0;

  plugin = ipt_plugin_registry_load_file (registry, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plugin);
  g_assert_cmpstr (ipt_plugin_get_name (plugin), ==, "testgood");
  g_assert_cmpstr (ipt_plugin_get_version (plugin), ==, "1.2.3");
  g_assert_cmpstr (ipt_plugin_get_description (plugin), ==, "A good plugin for the registry tests");
  g_assert_cmpstr (ipt_plugin_get_path (plugin), ==, path);
  g_assert_cmpstr (g_type_name (ipt_plugin_get_provider_type (plugin)), ==, "IptTestGoodProvider");
  g_assert_true (g_type_is_a (ipt_plugin_get_provider_type (plugin), IPT_TYPE_MEMORY_PROVIDER));

  options = ipt_plugin_list_options (plugin, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (options[i]->name, ==, expected[i]);

  g_assert_true (ipt_plugin_registry_lookup (registry, "testgood") == plugin);
  g_assert_null (ipt_plugin_registry_lookup (registry, "testother"));
  g_assert_cmpuint (n_plugins (registry), ==, 1);
}

typedef struct {
  const char *file;
  int code;
  const char *reason;  /* the message is "PATH: " + reason */
} BrokenCase;

static const BrokenCase broken_cases[] = {
  { "bogus.so", IPT_ERROR_PLUGIN, "not a loadable shared object (*)" },
  { "missing-symbol.so", IPT_ERROR_PLUGIN,
    "no ipt_plugin_query symbol (not an ipt-analyze plugin, or built without IPT_PLUGIN_DEFINE)" },
  { "returns-null.so", IPT_ERROR_PLUGIN, "ipt_plugin_query() returned NULL" },
  { "wrong-abi.so", IPT_ERROR_ABI_MISMATCH,
    "plugin ABI version 999, expected 1 (rebuild the plugin against this version of ipt-analyze)" },
  { "bad-name.so", IPT_ERROR_PLUGIN,
    "plugin name 'Bad:Name' is not valid (lower-case letters, digits, '-' and '_', starting with a letter)" },
  { "bad-type.so", IPT_ERROR_PLUGIN,
    "plugin 'testbadtype': registering its provider type failed (get_provider_type() returned G_TYPE_INVALID)" },
  { "not-a-provider.so", IPT_ERROR_PLUGIN,
    "plugin 'testnotaprovider': provider type IptTestNotAProvider does not implement IptMemoryProvider" },
  { "abstract-type.so", IPT_ERROR_PLUGIN,
    "plugin 'testabstract': provider type IptTestAbstractProvider is not an instantiatable GObject type" },
  { "does-not-exist.so", IPT_ERROR_NOT_FOUND, "No such file or directory" },
};

static void
test_load_broken (gconstpointer data)
{
  const BrokenCase *c = data;
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_plugin (c->file);
  g_autofree char *expected = g_strdup_printf ("%s: %s", path, c->reason);

  g_assert_null (ipt_plugin_registry_load_file (registry, path, &error));
  g_assert_error (error, IPT_ERROR, c->code);
  if (!g_pattern_match_simple (expected, error->message))
    g_error ("expected '%s', got '%s'", expected, error->message);
  if (c->code == IPT_ERROR_ABI_MISMATCH)
    g_assert_nonnull (strstr (error->message, "ABI"));
  g_assert_cmpuint (n_plugins (registry), ==, 0);

  /* A failure does not poison the registry: a good plugin still loads. */
  {
    g_autofree char *good = test_plugin ("good.so");
    g_assert_nonnull (ipt_plugin_registry_load_file (registry, good, NULL));
  }
}

static void
test_load_duplicate_name (void)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *good = test_plugin ("good.so");
  g_autofree char *dup = test_plugin ("zz-duplicate-name.so");
  g_autofree char *expected = NULL;
  IptPlugin *first;

  first = ipt_plugin_registry_load_file (registry, good, &error);
  g_assert_no_error (error);
  g_assert_null (ipt_plugin_registry_load_file (registry, dup, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_PLUGIN);
  expected = g_strdup_printf ("%s: a plugin named 'testgood' is already loaded from %s", dup, good);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_true (ipt_plugin_registry_lookup (registry, "testgood") == first);
  g_assert_cmpuint (n_plugins (registry), ==, 1);
}

static void
test_load_same_file_twice (void)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *good = test_plugin ("good.so");
  const char *links[] = { "alias.so", "good.so", NULL };
  g_autofree char *dir = make_plugin_dir (links);
  g_autofree char *alias = g_build_filename (dir, "alias.so", NULL);
  IptPlugin *a, *b, *c;

  a = ipt_plugin_registry_load_file (registry, good, &error);
  g_assert_no_error (error);
  b = ipt_plugin_registry_load_file (registry, good, &error);
  g_assert_no_error (error);
  c = ipt_plugin_registry_load_file (registry, alias, &error);
  g_assert_no_error (error);
  g_assert_true (a == b);
  g_assert_true (a == c);
  g_assert_cmpuint (n_plugins (registry), ==, 1);

  /* Scanning a directory of already-loaded files loads nothing, silently. */
  g_assert_cmpuint (ipt_plugin_registry_scan_directory (registry, dir), ==, 0);
  {
    g_autoptr(GPtrArray) failures = ipt_plugin_registry_get_failures (registry);
    g_assert_cmpuint (failures->len, ==, 0);
  }

  remove_plugin_dir (dir);
}

/* --- scanning ------------------------------------------------------------- */

static const char * const scan_failures[] = {
  "abstract-type.so", "bad-name.so", "bad-type.so", "bogus.so", "missing-symbol.so",
  "not-a-provider.so", "returns-null.so", "wrong-abi.so", "zz-duplicate-name.so",
};

/* The registry logs each skipped plugin as a warning in the "Ipt" domain
 * (it never prints); in the subprocesses that scan broken plugins those
 * warnings are what the parent checks on stderr, so they must not abort.
 * GTest resets the handler for every test: install it in each. */
static gboolean
skip_reports_are_not_fatal (const char *log_domain, GLogLevelFlags log_level,
                            const char *message, gpointer user_data)
{
  return !(g_strcmp0 (log_domain, "Ipt") == 0 && (log_level & G_LOG_LEVEL_WARNING) &&
           g_str_has_prefix (message, "skipping plugin "));
}

static void
allow_skip_reports (void)
{
  g_test_log_set_fatal_handler (skip_reports_are_not_fatal, NULL);
}

static void
test_scan_directory (void)
{
  if (g_test_subprocess ())
    {
      allow_skip_reports ();
      g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
      g_autofree char *dir = test_plugins_dir ();
      g_autoptr(GPtrArray) failures = NULL;
      g_autoptr(GPtrArray) again = NULL;

      g_assert_cmpuint (ipt_plugin_registry_scan_directory (registry, dir), ==, 2);
      g_assert_cmpuint (n_plugins (registry), ==, 2);
      /* Sorted by file name: good.so, other.so. */
      g_assert_cmpstr (plugin_name_at (registry, 0), ==, "testgood");
      g_assert_cmpstr (plugin_name_at (registry, 1), ==, "testother");
      {
        g_autofree char *good = test_plugin ("good.so");
        g_assert_cmpstr (ipt_plugin_get_path (ipt_plugin_registry_lookup (registry, "testgood")),
                         ==, good);
      }

      failures = ipt_plugin_registry_get_failures (registry);
      g_assert_cmpuint (failures->len, ==, G_N_ELEMENTS (scan_failures));
      for (guint i = 0; i < failures->len; i++)
        {
          GError *e = g_ptr_array_index (failures, i);
          g_autofree char *path = test_plugin (scan_failures[i]);
          g_autofree char *prefix = g_strconcat (path, ": ", NULL);

          g_assert_true (g_str_has_prefix (e->message, prefix));
          g_assert_true (e->domain == IPT_ERROR);
          g_assert_cmpint (e->code, ==, g_str_equal (scan_failures[i], "wrong-abi.so")
                                        ? IPT_ERROR_ABI_MISMATCH : IPT_ERROR_PLUGIN);
        }

      /* Scanning again loads nothing and reports nothing new. */
      g_assert_cmpuint (ipt_plugin_registry_scan_directory (registry, dir), ==, 0);
      again = ipt_plugin_registry_get_failures (registry);
      g_assert_cmpuint (again->len, ==, failures->len);
      g_assert_cmpuint (n_plugins (registry), ==, 2);

      /* A missing directory is no error; a file where a directory should be is. */
      {
        g_autofree char *missing = g_build_filename (dir, "no-such-dir", NULL);
        g_autofree char *file = test_plugin ("bogus.so");
        g_autoptr(GPtrArray) last = NULL;

        g_assert_cmpuint (ipt_plugin_registry_scan_directory (registry, missing), ==, 0);
        g_assert_cmpuint (ipt_plugin_registry_scan_directory (registry, file), ==, 0);
        last = ipt_plugin_registry_get_failures (registry);
        g_assert_cmpuint (last->len, ==, failures->len + 1);
        g_assert_true (g_str_has_prefix (((GError *) g_ptr_array_index (last, last->len - 1))->message, file));
      }
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  for (guint i = 0; i < G_N_ELEMENTS (scan_failures); i++)
    {
      g_autofree char *path = test_plugin (scan_failures[i]);
      g_autofree char *pattern = g_strdup_printf ("*Ipt-WARNING **: *: skipping plugin %s: *", path);

      g_test_trap_assert_stderr (pattern);
    }
  g_test_trap_assert_stderr ("*skipping plugin */wrong-abi.so: plugin ABI version 999, expected 1*");
  g_test_trap_assert_stderr ("*skipping plugin */bogus.so: not a loadable shared object*");
  g_test_trap_assert_stderr ("*skipping plugin */zz-duplicate-name.so: a plugin named 'testgood' "
                             "is already loaded from */good.so\n*");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = test_plugin (i == 0 ? "good.so" : "other.so");
      g_autofree char *pattern = g_strdup_printf ("*skipping plugin %s:*", path);

      g_test_trap_assert_stderr_unmatched (pattern);
    }
  g_test_trap_assert_stderr ("*skipping plugin */bogus.so: cannot read the plugin directory (Not a directory)\n");
  g_test_trap_assert_stderr_unmatched ("*no-such-dir*");
  /* The library never prints a program's name. */
  g_test_trap_assert_stderr_unmatched ("*ipt-analyze: *");
}

/* --- the default path --------------------------------------------------- */

static void
check_duplicate_order (gboolean duplicate_first)
{
  const char *dup_links[] = { "twin.so", "zz-duplicate-name.so", NULL };
  const char *good_links[] = { "good.so", "good.so", NULL };
  g_autofree char *dup_dir = make_plugin_dir (dup_links);
  g_autofree char *good_dir = make_plugin_dir (good_links);
  g_autofree char *dup = g_build_filename (dup_dir, "twin.so", NULL);
  g_autofree char *good = g_build_filename (good_dir, "good.so", NULL);
  g_autofree char *path = duplicate_first ? g_strjoin (":", dup_dir, good_dir, NULL)
                                          : g_strjoin (":", good_dir, dup_dir, NULL);
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GPtrArray) failures = NULL;
  g_autofree char *expected = NULL;
  IptPlugin *winner;

  g_setenv ("IPT_PLUGIN_PATH", path, TRUE);
  g_setenv ("IPT_PLUGIN_SYSTEM_PATH", "", TRUE);
  ipt_plugin_registry_scan_default_path (registry);

  winner = ipt_plugin_registry_lookup (registry, "testgood");
  g_assert_nonnull (winner);
  g_assert_cmpstr (ipt_plugin_get_path (winner), ==, duplicate_first ? dup : good);
  g_assert_cmpstr (g_type_name (ipt_plugin_get_provider_type (winner)), ==,
                   duplicate_first ? "IptTestDuplicateProvider" : "IptTestGoodProvider");

  failures = ipt_plugin_registry_get_failures (registry);
  g_assert_cmpuint (failures->len, ==, 1);
  expected = g_strdup_printf ("%s: a plugin named 'testgood' is already loaded from %s",
                              duplicate_first ? good : dup, duplicate_first ? dup : good);
  g_assert_cmpstr (((GError *) g_ptr_array_index (failures, 0))->message, ==, expected);

  remove_plugin_dir (dup_dir);
  remove_plugin_dir (good_dir);
}

static void
test_path_order_decides_duplicates (void)
{
  if (g_test_subprocess ())
    {
      allow_skip_reports ();
      check_duplicate_order (TRUE);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("\n(*): Ipt-WARNING **: *: skipping plugin */good.so: "
                             "a plugin named 'testgood' is already loaded from */twin.so\n");
  g_test_trap_assert_stderr_unmatched ("*ipt-analyze: *");
}

static void
test_path_order_decides_duplicates_reversed (void)
{
  if (g_test_subprocess ())
    {
      allow_skip_reports ();
      check_duplicate_order (FALSE);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("\n(*): Ipt-WARNING **: *: skipping plugin */twin.so: "
                             "a plugin named 'testgood' is already loaded from */good.so\n");
  g_test_trap_assert_stderr_unmatched ("*ipt-analyze: *");
}

static void
test_system_path (void)
{
  if (g_test_subprocess ())
    {
      allow_skip_reports ();
      const char *links[] = { "other.so", "other.so", NULL };
      g_autofree char *dir = make_plugin_dir (links);
      g_autoptr(IptPluginRegistry) none = ipt_plugin_registry_new ();
      g_autoptr(IptPluginRegistry) system = ipt_plugin_registry_new ();
      g_autoptr(IptPluginRegistry) empty_entries = ipt_plugin_registry_new ();
      g_autofree char *sparse = g_strdup_printf ("::%s:", dir);

      g_assert_cmpstr (ipt_plugin_registry_get_installed_dir (), ==, IPT_PLUGINSDIR);

      /* Empty means no system directory at all. */
      g_unsetenv ("IPT_PLUGIN_PATH");
      g_setenv ("IPT_PLUGIN_SYSTEM_PATH", "", TRUE);
      ipt_plugin_registry_scan_default_path (none);
      g_assert_cmpuint (n_plugins (none), ==, 0);

      /* Set: it replaces the installed directory. */
      g_setenv ("IPT_PLUGIN_SYSTEM_PATH", dir, TRUE);
      ipt_plugin_registry_scan_default_path (system);
      g_assert_cmpuint (n_plugins (system), ==, 1);
      g_assert_cmpstr (plugin_name_at (system, 0), ==, "testother");

      /* Empty entries of IPT_PLUGIN_PATH are ignored, not taken as ".". */
      g_setenv ("IPT_PLUGIN_PATH", sparse, TRUE);
      g_setenv ("IPT_PLUGIN_SYSTEM_PATH", "", TRUE);
      ipt_plugin_registry_scan_default_path (empty_entries);
      g_assert_cmpuint (n_plugins (empty_entries), ==, 1);

      remove_plugin_dir (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

static gpointer
get_default_thread (gpointer data)
{
  return ipt_plugin_registry_get_default ();
}

static void
test_default_registry (void)
{
  if (g_test_subprocess ())
    {
      allow_skip_reports ();
      const char *links[] = { "good.so", "good.so", "other.so", "other.so", NULL };
      g_autofree char *dir = make_plugin_dir (links);
      GThread *threads[4];
      IptPluginRegistry *registry;

      g_setenv ("IPT_PLUGIN_PATH", dir, TRUE);
      g_setenv ("IPT_PLUGIN_SYSTEM_PATH", "", TRUE);

      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        threads[i] = g_thread_new ("get-default", get_default_thread, NULL);
      registry = ipt_plugin_registry_get_default ();
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        g_assert_true (g_thread_join (threads[i]) == registry);

      g_assert_true (IPT_IS_PLUGIN_REGISTRY (registry));
      g_assert_cmpuint (n_plugins (registry), ==, 2);
      g_assert_nonnull (ipt_plugin_registry_lookup (registry, "testgood"));
      g_assert_nonnull (ipt_plugin_registry_lookup (registry, "testother"));

      /* Scanned once: a later change of the path does not matter. */
      g_setenv ("IPT_PLUGIN_PATH", "/nonexistent", TRUE);
      g_assert_true (ipt_plugin_registry_get_default () == registry);
      g_assert_cmpuint (n_plugins (registry), ==, 2);

      remove_plugin_dir (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* --- providers from specifications ------------------------------------- */

static IptPluginRegistry *
registry_with_test_plugins (void)
{
  IptPluginRegistry *registry = ipt_plugin_registry_new ();
  g_autofree char *good = test_plugin ("good.so");
  g_autofree char *other = test_plugin ("other.so");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (ipt_plugin_registry_load_file (registry, good, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ipt_plugin_registry_load_file (registry, other, &error));
  g_assert_no_error (error);
  return registry;
}

static void
test_new_provider_maps_options (void)
{
  g_autoptr(IptPluginRegistry) registry = registry_with_test_plugins ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(IptMemoryProvider) other = NULL;
  g_autofree char *file = NULL;
  g_autofree char *mode = NULL;
  guint64 base = 0;
  int count = 0;
  gboolean verbose = FALSE;
  double ratio = 0;
  GEnumValue *mode_value;
  guint8 buffer[8];
  GValue v = G_VALUE_INIT;

  provider = ipt_plugin_registry_new_provider (registry,
      "testgood:file=/tmp/a\\,b:c,base=0x400000,count=10,verbose=yes,mode=careful,ratio=0.75",
      NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (provider), ==, "IptTestGoodProvider");

  g_object_get (provider, "file", &file, "base", &base, "count", &count, "verbose", &verbose,
                "ratio", &ratio, NULL);
  g_assert_cmpstr (file, ==, "/tmp/a,b:c");
  g_assert_cmpuint (base, ==, 0x400000);
  g_assert_cmpint (count, ==, 10);
  g_assert_true (verbose);
  g_assert_cmpfloat (ratio, ==, 0.75);

  g_value_init (&v, g_type_from_name ("IptTestGoodMode"));
  g_object_get_property (G_OBJECT (provider), "mode", &v);
  mode_value = g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (&v)), g_value_get_enum (&v));
  g_assert_cmpstr (mode_value->value_nick, ==, "careful");
  g_value_unset (&v);

  /* The provider serves what its options say: 10 bytes at 0x400000. */
  g_assert_cmpint (ipt_memory_provider_read (provider, buffer, sizeof buffer, NULL, 0x400008, &error),
                   ==, 2);
  g_assert_cmpuint (buffer[0], ==, 8);
  g_assert_cmpuint (buffer[1], ==, 9);
  g_assert_cmpint (ipt_memory_provider_read (provider, buffer, sizeof buffer, NULL, 0x3fffff, &error),
                   ==, 0);

  /* A plugin without options, with and without a ':'. */
  other = ipt_plugin_registry_new_provider (registry, "testother", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (other);
  g_clear_object (&other);
  other = ipt_plugin_registry_new_provider (registry, "testother:", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (other);
}

typedef struct {
  const char *spec;
  int code;
  const char *message;
} SpecCase;

static const SpecCase spec_cases[] = {
  { "nosuch:x=1", IPT_ERROR_NOT_FOUND, "unknown plugin 'nosuch' (plugins: testgood, testother)" },
  { "TESTGOOD", IPT_ERROR_NOT_FOUND, "unknown plugin 'TESTGOOD' (plugins: testgood, testother)" },
  { ":file=x", IPT_ERROR_BAD_OPTION,
    "plugin specification ':file=x' has no plugin name (expected NAME[:KEY=VALUE,...])" },
  { "testgood:file=x,bsae=1", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': unknown option 'bsae' (options: file, base, count, verbose, mode, ratio)" },
  { "testgood:file=x,base=0xzz", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': option 'base': '0xzz' is not an unsigned integer" },
  { "testgood:file=x,count=101", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': option 'count': '101' is out of range (-5 to 100)" },
  { "testgood:file=x,mode=slow", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': option 'mode': 'slow' is not one of: fast, careful" },
  { "testgood:file=x,file=y", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': option 'file' is given twice" },
  { "testgood:file", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': option 'file' has no value (expected KEY=VALUE)" },
  { "testgood:=x", IPT_ERROR_BAD_OPTION,
    "plugin 'testgood': option '=x' has no name (expected KEY=VALUE)" },
  { "testgood:file=fail", IPT_ERROR_IO, "testgood: fail: cannot open (asked to fail)" },
  { "testgood", IPT_ERROR_BAD_OPTION, "testgood: option 'file' is required" },
  { "testother:x=1", IPT_ERROR_BAD_OPTION,
    "plugin 'testother': unknown option 'x' (the plugin has no options)" },
};

static void
test_new_provider_errors (gconstpointer data)
{
  const SpecCase *c = data;
  g_autoptr(IptPluginRegistry) registry = registry_with_test_plugins ();
  g_autoptr(GError) error = NULL;

  g_assert_null (ipt_plugin_registry_new_provider (registry, c->spec, NULL, &error));
  g_assert_error (error, IPT_ERROR, c->code);
  g_assert_cmpstr (error->message, ==, c->message);
}

static void
test_new_provider_empty_registry (void)
{
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected =
    g_strdup_printf ("unknown plugin 'raw' (no plugins are loaded; they are searched in "
                     "IPT_PLUGIN_PATH and %s)", IPT_PLUGINSDIR);

  g_assert_null (ipt_plugin_registry_new_provider (registry, "raw:file=x", NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin-registry/load/good", test_load_good);
  for (guint i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plugin-registry/load/broken/%s", broken_cases[i].file);
      g_test_add_data_func (path, &broken_cases[i], test_load_broken);
    }
  g_test_add_func ("/plugin-registry/load/duplicate-name-names-both-paths", test_load_duplicate_name);
  g_test_add_func ("/plugin-registry/load/same-file-twice-is-not-a-duplicate", test_load_same_file_twice);
  g_test_add_func ("/plugin-registry/scan/reports-bad-loads-good", test_scan_directory);
  g_test_add_func ("/plugin-registry/default-path/first-dir-wins-duplicate", test_path_order_decides_duplicates);
  g_test_add_func ("/plugin-registry/default-path/first-dir-wins-duplicate-reversed",
                   test_path_order_decides_duplicates_reversed);
  g_test_add_func ("/plugin-registry/default-path/system-path", test_system_path);
  g_test_add_func ("/plugin-registry/default/scans-once-thread-safe", test_default_registry);
  g_test_add_func ("/plugin-registry/new-provider/maps-options", test_new_provider_maps_options);
  for (guint i = 0; i < G_N_ELEMENTS (spec_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plugin-registry/new-provider/error/%u", i);
      g_test_add_data_func (path, &spec_cases[i], test_new_provider_errors);
    }
  g_test_add_func ("/plugin-registry/new-provider/empty-registry", test_new_provider_empty_registry);

  return g_test_run ();
}
