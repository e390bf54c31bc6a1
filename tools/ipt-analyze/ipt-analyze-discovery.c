/* ipt-analyze-discovery.c: chains the JIT code that a core names.
 *
 * A JIT that supports perf maps its jitdump (V8 maps jit-PID.dump
 * PROT_EXEC so that perf sees it), so the dump's path is in the core's
 * NT_FILE note. For every coredump provider of the image, each mapped file
 * named jit-N.dump is looked up where NT_FILE says, else beside the core
 * (same base name); the perf map perf-PID.map of the core's pid is looked
 * up beside the core, beside the dump, then in /tmp (where JITs write it:
 * the places nearer the core first, since /tmp may hold another process's
 * map by now). A jitmap provider of both is created through the plugin
 * registry, as `--plugin jitmap:dump=...,map=...` would, and chained right
 * before the core: JIT code is served over the core's bytes of it. Each
 * chained dump is one note line. A core that maps no jitdump gets the
 * perf map beside it, if there is one (names only). A dump that cannot be found, or the
 * jitmap plugin missing, is one warning line per core. A dump that a jitmap
 * of the command line already serves is left alone.
 *
 * The CLI does not link the coredump plugin: it reads the provider's
 * properties (pid, mapped-files, core) by name. Never fails the run:
 * discovery only adds, and what it cannot add is a warning. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ipt-analyze-discovery.h"
#include "ipt-echo.h"
#include "ipt-tool-log.h"

#define COREDUMP_PLUGIN "coredump"
#define JITMAP_PLUGIN "jitmap"
/* The kernel's mark on a mapped file that was unlinked since. */
#define DELETED_SUFFIX " (deleted)"
/* Where JITs write perf maps (perf reads them there). */
#define PERF_MAP_DIR "/tmp"

/* The GValue of @object's property @name converted to @type; FALSE (and
 * @value unset) when it has no such property or it does not convert. */
static gboolean
get_property_as (GObject *object, const char *name, GType type, GValue *value)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  GValue raw = G_VALUE_INIT;
  gboolean ok;

  if (pspec == NULL || !(pspec->flags & G_PARAM_READABLE))
    return FALSE;
  g_value_init (&raw, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (object, name, &raw);
  g_value_init (value, type);
  ok = g_value_transform (&raw, value);
  g_value_unset (&raw);
  if (!ok)
    g_value_unset (value);
  return ok;
}

static char *
get_string (GObject *object, const char *name)
{
  GValue value = G_VALUE_INIT;
  char *text;

  if (!get_property_as (object, name, G_TYPE_STRING, &value))
    return NULL;
  text = g_value_dup_string (&value);
  g_value_unset (&value);
  return text;
}

/* @path without the kernel's " (deleted)"; *@deleted says whether it had it. */
static char *
strip_deleted (const char *path, gboolean *deleted)
{
  *deleted = g_str_has_suffix (path, DELETED_SUFFIX) && strlen (path) > strlen (DELETED_SUFFIX);
  return *deleted ? g_strndup (path, strlen (path) - strlen (DELETED_SUFFIX)) : g_strdup (path);
}

gboolean
ipt_analyze_is_jitdump (const char *path, guint64 *n)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *digits = base + strlen ("jit-");
  char *end = NULL;

  if (!g_str_has_prefix (base, "jit-") || !g_ascii_isdigit (digits[0]))
    return FALSE;
  *n = g_ascii_strtoull (digits, &end, 10);
  return end != NULL && strcmp (end, ".dump") == 0;
}

static gboolean
is_regular_file (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;

  if (g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  {
    g_autofree char *ca = g_canonicalize_filename (a, NULL);
    g_autofree char *cb = g_canonicalize_filename (b, NULL);

    return strcmp (ca, cb) == 0;
  }
}

/* Whether a jitmap provider in @chain serves @path as its option @option
 * ("dump" or "map"). */
static gboolean
already_given (GPtrArray *chain, GType jitmap_type, const char *option, const char *path)
{
  for (guint i = 0; i < chain->len; i++)
    {
      GObject *provider = g_ptr_array_index (chain, i);
      g_autofree char *given = NULL;

      if (G_OBJECT_TYPE (provider) != jitmap_type)
        continue;
      given = get_string (provider, option);
      if (given != NULL && given[0] != '\0' && same_file (given, path))
        return TRUE;
    }
  return FALSE;
}

/* DIR/BASE, absolute (a relative @dir is the cwd's). */
static char *
beside (const char *file, const char *base)
{
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *path = g_build_filename (dir, base, NULL);

  return g_canonicalize_filename (path, NULL);
}

/* The perf map of the process: perf-PID.map for the core's @pid and, when
 * the dump's @n differs (a pid namespace), perf-N.map; beside the core,
 * beside the dump, then in /tmp. NULL when there is none. */
static char *
find_perf_map (const char *core, const char *dump, gint64 pid, guint64 n)
{
  guint64 pids[2];
  guint n_pids = 0;

  if (pid > 0)
    pids[n_pids++] = (guint64) pid;
  if (n_pids == 0 || pids[0] != n)
    pids[n_pids++] = n;
  for (guint i = 0; i < n_pids; i++)
    {
      g_autofree char *base = g_strdup_printf ("perf-%" G_GUINT64_FORMAT ".map", pids[i]);
      char *candidates[] = { beside (core, base), beside (dump, base),
                             g_build_filename (PERF_MAP_DIR, base, NULL) };
      char *found = NULL;

      for (guint j = 0; j < G_N_ELEMENTS (candidates); j++)
        {
          if (found == NULL && is_regular_file (candidates[j]))
            found = g_steal_pointer (&candidates[j]);
          g_free (candidates[j]);
        }
      if (found != NULL)
        return found;
    }
  return NULL;
}

IptMemoryProvider *
ipt_analyze_new_jitmap (IptPlugin *plugin, const char *dump, const char *map, GError **error)
{
  const char *names[2] = { NULL, NULL };
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  guint n = 0;
  IptMemoryProvider *provider;

  if (dump != NULL)
    {
      names[n] = "dump";
      g_value_init (&values[n], G_TYPE_STRING);
      g_value_set_string (&values[n++], dump);
    }
  if (map != NULL)
    {
      names[n] = "map";
      g_value_init (&values[n], G_TYPE_STRING);
      g_value_set_string (&values[n++], map);
    }
  provider = ipt_plugin_new_provider_with_properties (plugin, n, names, values, NULL, error);
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  return provider;
}

/* A core that maps no jitdump may still come with its JIT's perf map
 * (node --perf-basic-prof writes only that): perf-PID.map beside the core
 * names JIT code whose bytes the core holds. Only beside the core: a
 * /tmp/perf-PID.map without a dump to tie it to may be another process's
 * that had the same pid. */
static void
discover_perf_map_alone (IptPlugin *jitmap, const char *core, const char *shown_core, gint64 pid,
                         GPtrArray *chain, GPtrArray *out)
{
  g_autofree char *base = NULL, *map = NULL, *shown_map = NULL;
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  if (jitmap == NULL || pid <= 0)
    return;
  base = g_strdup_printf ("perf-%" G_GINT64_FORMAT ".map", pid);
  map = beside (core, base);
  if (!is_regular_file (map) ||
      already_given (chain, ipt_plugin_get_provider_type (jitmap), "map", map) ||
      already_given (out, ipt_plugin_get_provider_type (jitmap), "map", map))
    return;
  shown_map = ipt_echo (map, -1, IPT_ECHO_PATH_CHARS);
  provider = ipt_analyze_new_jitmap (jitmap, NULL, map, &error);
  if (provider == NULL)
    {
      ipt_tool_warning ("%s: cannot chain the perf map %s: %s", shown_core, shown_map,
                        error->message);
      return;
    }
  ipt_tool_note ("%s: chained the perf map %s (beside the core; names only, no JIT dump in "
                 "NT_FILE)", shown_core, shown_map);
  g_ptr_array_add (out, g_steal_pointer (&provider));
}

/* Where the dump that NT_FILE names as @named is now: there (unless it was
 * deleted: a file there now is another one), else beside the core. NULL
 * after a warning naming both places. */
static char *
locate_dump (const char *core, const char *shown_core, const char *named, gboolean deleted)
{
  g_autofree char *base = g_path_get_basename (named);
  g_autofree char *near = beside (core, base);
  g_autofree char *shown_named = NULL, *shown_near = NULL;

  if (!deleted && is_regular_file (named))
    return g_strdup (named);
  if (is_regular_file (near))
    return g_steal_pointer (&near);
  shown_named = ipt_echo (named, -1, IPT_ECHO_PATH_CHARS);
  shown_near = ipt_echo (near, -1, IPT_ECHO_PATH_CHARS);
  ipt_tool_warning ("%s: the JIT dump %s that NT_FILE names is %s, and %s beside the core "
                    "does not exist: its JIT code is not chained", shown_core, shown_named,
                    deleted ? "deleted" : "gone", shown_near);
  return NULL;
}

/* The jitmap providers for the dumps that @core_provider's core names, in
 * note order, appended to @out. */
static void
discover_in_core (IptPluginRegistry *registry, GObject *core_provider, GPtrArray *chain,
                  GPtrArray *out)
{
  IptPlugin *jitmap = ipt_plugin_registry_lookup (registry, JITMAP_PLUGIN);
  g_autofree char *core = get_string (core_provider, "core");
  g_autofree char *shown_core = NULL;
  g_auto(GStrv) files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean names_dump = FALSE;
  gint64 pid = -1;

  if (core == NULL || !get_property_as (core_provider, "mapped-files", G_TYPE_STRV, &value))
    return;
  files = g_value_dup_boxed (&value);
  g_value_unset (&value);
  if (get_property_as (core_provider, "pid", G_TYPE_INT64, &value))
    {
      pid = g_value_get_int64 (&value);
      g_value_unset (&value);
    }
  shown_core = ipt_echo (core, -1, IPT_ECHO_PATH_CHARS);

  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      gboolean is_dump;

      g_autoptr(IptMemoryProvider) provider = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *named = NULL, *dump = NULL, *map = NULL;
      g_autofree char *shown_dump = NULL, *shown_map = NULL;
      gboolean deleted;
      guint64 n;

      named = strip_deleted (files[i], &deleted);
      is_dump = ipt_analyze_is_jitdump (named, &n);
      names_dump |= is_dump;
      if (!is_dump)
        continue;
      dump = locate_dump (core, shown_core, named, deleted);
      if (dump == NULL)
        continue;
      shown_dump = ipt_echo (dump, -1, IPT_ECHO_PATH_CHARS);
      if (jitmap == NULL)
        {
          /* One warning for the core, even if it maps several dumps. */
          ipt_tool_warning ("%s: the core maps the JIT dump %s, but the " JITMAP_PLUGIN
                            " plugin was not found (searched IPT_PLUGIN_PATH and %s): its "
                            "JIT code is not chained", shown_core, shown_dump,
                            ipt_plugin_registry_get_installed_dir ());
          return;
        }
      /* by the command line, or already for another core (the same core twice) */
      if (already_given (chain, ipt_plugin_get_provider_type (jitmap), "dump", dump) ||
          already_given (out, ipt_plugin_get_provider_type (jitmap), "dump", dump))
        continue;
      map = find_perf_map (core, dump, pid, n);
      provider = ipt_analyze_new_jitmap (jitmap, dump, map, &error);
      if (provider == NULL)
        {
          ipt_tool_warning ("%s: cannot chain the JIT dump %s: %s", shown_core, shown_dump,
                            error->message);
          continue;
        }
      if (map != NULL)
        shown_map = ipt_echo (map, -1, IPT_ECHO_PATH_CHARS);
      ipt_tool_note ("%s: chained the JIT dump %s (%s)%s%s", shown_core, shown_dump,
                     strcmp (dump, named) == 0 ? "NT_FILE" : "beside the core",
                     map != NULL ? " and the perf map " : "", map != NULL ? shown_map : "");
      g_ptr_array_add (out, g_steal_pointer (&provider));
    }
  if (!names_dump)
    discover_perf_map_alone (jitmap, core, shown_core, pid, chain, out);
}

/**
 * ipt_analyze_discover_jit:
 * @registry: the plugins
 * @image: the image the command line built, not used yet
 *
 * Chains a jitmap provider right before every coredump provider of @image
 * for each JIT dump its core names (see the top of the file). The order of
 * the other providers is kept.
 */
void
ipt_analyze_discover_jit (IptPluginRegistry *registry, IptImage *image)
{
  IptPlugin *coredump = ipt_plugin_registry_lookup (registry, COREDUMP_PLUGIN);
  GListModel *model = ipt_image_get_providers (image);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) rechained = g_ptr_array_new_with_free_func (g_object_unref);
  guint first_change = n;

  if (coredump == NULL)
    return;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (chain, g_list_model_get_item (model, i));

  for (guint i = 0; i < n; i++)
    {
      GObject *provider = g_ptr_array_index (chain, i);
      guint before = rechained->len;

      if (G_OBJECT_TYPE (provider) == ipt_plugin_get_provider_type (coredump))
        discover_in_core (registry, provider, chain, rechained);
      if (rechained->len > before && first_change == n)
        first_change = i;
      g_ptr_array_add (rechained, g_object_ref (provider));
    }
  if (first_change == n)
    return;

  /* The image has only append: the tail from the first core on is
   * chained again, with the jitmaps in place. */
  for (guint i = first_change; i < n; i++)
    ipt_image_remove_provider (image, g_ptr_array_index (chain, i));
  for (guint i = first_change; i < rechained->len; i++)
    ipt_image_add_provider (image, g_ptr_array_index (rechained, i));
}
