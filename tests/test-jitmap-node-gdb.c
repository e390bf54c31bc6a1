/* test-jitmap-node-gdb.c: the jitmap plugin and JIT discovery over a real
 * JIT: Node.js (V8) under `node --perf-prof --perf-basic-prof`, and a core of
 * it taken with gdb's gcore while it runs. Needs node and gdb (CI installs
 * both, .ci/setup): without them the test fails, it does not skip.
 *
 * tests/node/hot-loop.js runs in a temp dir, so that V8's jit-PID.dump lands
 * there (its perf map goes to /tmp/perf-PID.map, removed at the end). Once
 * the map names the optimized hot function, the test takes a core and ends
 * node. The oracles are independent of the plugins: the dump as this file
 * parses it (perf's jitdump format), and Zydis. For every JIT_CODE_LOAD
 * logged before the core was taken and not overlaid by a later one (its code
 * is still at that address in the core), the instructions are walked from
 * the function's start through the jitmap plugin's bytes (at the load's
 * time) and through the coredump plugin's bytes: V8 patches embedded heap
 * pointers after it logs the code, so bytes may differ, but instruction
 * boundaries must not. Then names resolve through the dump and the perf map,
 * and `ipt-analyze --plugin coredump:core=CORE --list-regions` chains the
 * dump and the map by itself (tools/ipt-analyze/ipt-analyze-discovery.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>
#include <Zydis/Zydis.h>

#include "core/jitlike-driver.h"
#include "test-support.h"

/* perf's jitdump format (tools/perf/util/jitdump.h). */
#define JITDUMP_MAGIC 0x4A695444u
#define JITDUMP_HEADER_SIZE 40
#define JIT_CODE_LOAD 0u
#define JIT_CODE_MOVE 1u
#define RECORD_PREFIX 16        /* id, total_size, timestamp */
#define CODE_LOAD_FIXED 40      /* pid, tid, vma, code_addr, code_size, code_index */

#define HOT_FUNCTION "iptHotLoop"
/* How long node gets to optimize the hot function, and to end. */
#define WAIT_SECONDS 30

typedef struct {
  guint64 timestamp;
  guint64 address;
  guint64 size;
  const char *name;             /* in the dump */
  const guint8 *code;           /* in the dump */
} CodeLoad;

typedef struct {
  char *dir;
  char *dump;                   /* DIR/jit-PID.dump */
  char *map;                    /* /tmp/perf-PID.map */
  char *core;                   /* DIR/core.PID */
  GPid pid;
  guint64 core_time;            /* CLOCK_MONOTONIC ns just before gcore began */
  GMappedFile *dump_file;
  GArray *loads;                /* CodeLoad, in the dump's order */
  guint n_moves;
} Node;

/* The test runs in a subprocess whose stdout (g_test_message) is not
 * shown: what it measured goes to stderr, which is. */
static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("# %s\n", text);
}

/* node or gdb's gcore: their absence is a failure, CI installs them. */
static char *
find_required_program (const char *name, const char *package)
{
  char *path = g_find_program_in_path (name);

  if (path == NULL)
    g_error ("%s is not installed (Debian package %s, in .ci/setup): this test needs it",
             name, package);
  return path;
}

static guint64
monotonic_ns (void)
{
  /* g_get_monotonic_time() is CLOCK_MONOTONIC, V8's jitdump clock. */
  return (guint64) g_get_monotonic_time () * 1000;
}

/* V8 names code "KIND:MARKER NAME SOURCE": KIND is "JS" since V8 11 (node
 * 20), "LazyCompile", "Function", "Eval" or "Script" before (node 18, as in
 * Debian 12); MARKER '*' is TurboFan's optimized code. */
#define OPTIMIZED_HOT ":*" HOT_FUNCTION " "

static gboolean
is_js_code (const char *name)
{
  static const char *const kinds[] = { "JS:", "LazyCompile:", "Function:", "Eval:", "Script:" };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_has_prefix (name, kinds[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_optimized_hot (const char *name)
{
  return is_js_code (name) && strstr (name, OPTIMIZED_HOT) != NULL;
}

static gboolean
map_names_optimized_hot_function (const char *map)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (map, &contents, NULL, NULL) &&
         strstr (contents, OPTIMIZED_HOT) != NULL;
}

/* Starts node on hot-loop.js in @node->dir and waits until its perf map
 * names the TurboFan code of the hot function and its jitdump has records. */
static void
node_start (Node *node)
{
  g_autofree char *exe = find_required_program ("node", "nodejs");
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "node", "hot-loop.js", NULL);
  g_autofree char *stop = g_build_filename (node->dir, "stop", NULL);
  const char *argv[] = { exe, "--perf-prof", "--perf-basic-prof", script, stop, NULL };
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  g_spawn_async (node->dir, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                 &node->pid, &error);
  g_assert_no_error (error);
  node->dump = g_strdup_printf ("%s/jit-%d.dump", node->dir, node->pid);
  node->map = g_strdup_printf ("/tmp/perf-%d.map", node->pid);

  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (!map_names_optimized_hot_function (node->map) ||
         !g_file_test (node->dump, G_FILE_TEST_IS_REGULAR))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("node %d: after %d s, %s names no optimized " HOT_FUNCTION " (or %s is missing)",
                 node->pid, WAIT_SECONDS, node->map, node->dump);
      g_usleep (100 * 1000);
    }
}

/* Ends node through its stop file, so that it flushes the dump (SIGKILL
 * after WAIT_SECONDS). */
static void
node_stop (Node *node)
{
  g_autofree char *stop = g_build_filename (node->dir, "stop", NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  int status = 0;

  g_file_set_contents (stop, "", 0, &error);
  g_assert_no_error (error);
  while (waitpid (node->pid, &status, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (node->pid, SIGKILL);
          waitpid (node->pid, &status, 0);
          break;
        }
      g_usleep (50 * 1000);
    }
  g_spawn_close_pid (node->pid);
  g_unlink (stop);
}

static void
node_gcore (Node *node)
{
  g_autofree char *gcore = find_required_program ("gcore", "gdb");
  g_autofree char *prefix = g_build_filename (node->dir, "core", NULL);
  g_autofree char *pid = g_strdup_printf ("%d", node->pid);
  const char *argv[] = { gcore, "-o", prefix, pid, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  node->core = g_strdup_printf ("%s.%d", prefix, node->pid);
  node->core_time = monotonic_ns ();
  g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_file_test (node->core, G_FILE_TEST_IS_REGULAR))
    g_error ("gcore did not write %s: %s%s", node->core, out, err);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return v;
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return v;
}

/* The dump's JIT_CODE_LOADs, in its order (V8 writes in time order); a
 * record cut short (never expected: node ended cleanly) ends the list. */
static void
parse_dump (Node *node)
{
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize size, at;

  node->dump_file = g_mapped_file_new (node->dump, FALSE, &error);
  g_assert_no_error (error);
  data = (const guint8 *) g_mapped_file_get_contents (node->dump_file);
  size = g_mapped_file_get_length (node->dump_file);
  g_assert_cmpuint (size, >=, JITDUMP_HEADER_SIZE);
  g_assert_cmphex (get_u32 (data), ==, JITDUMP_MAGIC);
  node->loads = g_array_new (FALSE, FALSE, sizeof (CodeLoad));

  for (at = get_u32 (data + 8); at + RECORD_PREFIX <= size;)
    {
      guint32 id = get_u32 (data + at), total = get_u32 (data + at + 4);

      if (total < RECORD_PREFIX || total > size - at)
        break;
      if (id == JIT_CODE_LOAD && total >= RECORD_PREFIX + CODE_LOAD_FIXED)
        {
          const guint8 *r = data + at;
          const char *name = (const char *) r + RECORD_PREFIX + CODE_LOAD_FIXED;
          gsize name_max = total - RECORD_PREFIX - CODE_LOAD_FIXED;
          gsize name_len = strnlen (name, name_max);
          CodeLoad load = { get_u64 (r + 8), get_u64 (r + 32), get_u64 (r + 40), name, NULL };

          g_assert_cmpuint (name_len, <, name_max);
          g_assert_cmpuint (load.size, <=, name_max - name_len - 1);
          load.code = (const guint8 *) name + name_len + 1;
          if (load.size > 0)
            g_array_append_val (node->loads, load);
        }
      else if (id == JIT_CODE_MOVE)
        node->n_moves++;
      at += total;
    }
}

/* Whether load @i was logged before the core and no later load logged
 * before the core overlaps it: its code is still there in the core. */
static gboolean
still_in_core (const Node *node, guint i)
{
  const CodeLoad *a = &g_array_index (node->loads, CodeLoad, i);

  if (a->timestamp >= node->core_time)
    return FALSE;
  for (guint j = i + 1; j < node->loads->len; j++)
    {
      const CodeLoad *b = &g_array_index (node->loads, CodeLoad, j);

      if (b->timestamp < node->core_time && b->address < a->address + a->size &&
          a->address < b->address + b->size)
        return FALSE;
    }
  return TRUE;
}

/* @size bytes at @address through @provider at @time, or NULL when it does
 * not map them all. */
static guint8 *
read_whole (IptMemoryProvider *provider, guint64 address, gsize size, guint64 time)
{
  g_autofree guint8 *buffer = g_malloc (size);
  gsize done = 0;

  while (done < size)
    {
      g_autoptr(GError) error = NULL;
      gssize n = ipt_memory_provider_read_at (provider, buffer + done, size - done, NULL,
                                              address + done, time, &error);

      g_assert_no_error (error);
      if (n <= 0)
        return NULL;
      done += (gsize) n;
    }
  return g_steal_pointer (&buffer);
}

/* The instruction starts of a linear walk from @code's start; an
 * undecodable byte ends it (its offset is the last entry, marked). */
static GArray *
walk (const ZydisDecoder *decoder, const guint8 *code, gsize size)
{
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint64));
  gsize at = 0;

  while (at < size)
    {
      ZydisDecodedInstruction insn;
      guint64 mark = at;

      if (!ZYAN_SUCCESS (ZydisDecoderDecodeInstruction (decoder, NULL, code + at, size - at,
                                                        &insn)))
        {
          mark |= G_GUINT64_CONSTANT (1) << 63;
          g_array_append_val (starts, mark);
          break;
        }
      g_array_append_val (starts, mark);
      at += insn.length;
    }
  return starts;
}

static gboolean
same_boundaries (const GArray *a, const GArray *b)
{
  return a->len == b->len &&
         memcmp (a->data, b->data, a->len * sizeof (guint64)) == 0;
}

static IptMemoryProvider *
new_provider (const char *spec)
{
  g_autoptr(GError) error = NULL;
  IptMemoryProvider *provider =
    ipt_plugin_registry_new_provider (ipt_plugin_registry_get_default (), spec, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (provider);
  return provider;
}

/* The address of the hot function's TurboFan code that the core holds:
 * the last such load before the core that no later code overlaid. */
static guint64
hot_function_address (const Node *node)
{
  guint64 address = 0;

  for (guint i = 0; i < node->loads->len; i++)
    {
      const CodeLoad *load = &g_array_index (node->loads, CodeLoad, i);

      if (is_optimized_hot (load->name) && still_in_core (node, i))
        address = load->address;
    }
  g_assert_cmphex (address, !=, 0);
  return address;
}

static void
assert_names_hot_function (IptMemoryProvider *provider, guint64 address, const char *what)
{
  const char *name = NULL;
  guint64 offset = 1, start = 0, size = 0;

  g_assert_true (IPT_IS_SYMBOL_SOURCE (provider));
  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (provider), NULL, address, &name,
                                           &offset, &start, &size));
  say ("%s names 0x%" G_GINT64_MODIFIER "x %s (0x%" G_GINT64_MODIFIER "x bytes)",
                  what, address, name, size);
  g_assert_nonnull (strstr (name, HOT_FUNCTION));
  g_assert_cmpuint (offset, ==, 0);
  g_assert_cmphex (start, ==, address);
  g_assert_cmpuint (size, >, 0);
}

/* Every load still in the core: the same instruction boundaries through
 * the jitmap plugin and through the core. */
static void
compare_with_core (Node *node, IptMemoryProvider *jitmap, IptMemoryProvider *core,
                   guint64 hot)
{
  ZydisDecoder decoder;
  guint n_logged = 0, n_overlaid = 0, n_unmapped = 0, n_compared = 0, n_same = 0;
  guint n_same_bytes = 0, n_hot = 0, n_js = 0;

  g_assert_true (ZYAN_SUCCESS (ZydisDecoderInit (&decoder, ZYDIS_MACHINE_MODE_LONG_64,
                                                 ZYDIS_STACK_WIDTH_64)));
  for (guint i = 0; i < node->loads->len; i++)
    {
      const CodeLoad *load = &g_array_index (node->loads, CodeLoad, i);
      g_autofree guint8 *from_jitmap = NULL, *from_core = NULL;
      g_autoptr(GArray) jit_walk = NULL, core_walk = NULL;

      if (load->timestamp >= node->core_time)
        continue;
      n_logged++;
      if (!still_in_core (node, i))
        {
          n_overlaid++;
          continue;
        }
      from_core = read_whole (core, load->address, (gsize) load->size, IPT_TIME_END);
      if (from_core == NULL)
        {
          n_unmapped++;
          continue;
        }
      /* The load's own bytes, as it logged them. */
      from_jitmap = read_whole (jitmap, load->address, (gsize) load->size, load->timestamp);
      g_assert_nonnull (from_jitmap);
      g_assert_true (memcmp (from_jitmap, load->code, (gsize) load->size) == 0);

      n_compared++;
      if (is_js_code (load->name))
        n_js++;
      if (memcmp (from_jitmap, from_core, (gsize) load->size) == 0)
        n_same_bytes++;
      jit_walk = walk (&decoder, from_jitmap, (gsize) load->size);
      core_walk = walk (&decoder, from_core, (gsize) load->size);
      if (same_boundaries (jit_walk, core_walk))
        n_same++;
      else
        say ("boundaries differ: %s at 0x%" G_GINT64_MODIFIER "x (0x%"
                        G_GINT64_MODIFIER "x bytes)", load->name, load->address, load->size);
      if (load->address == hot)
        n_hot++;
    }
  say ("node %d: %u JIT_CODE_LOADs (%u moves) in %s, %u before the core: %u "
                  "overlaid by later code, %u not in the core, %u compared (%u JS functions, "
                  "the rest V8's builtins and stubs): %u with identical instruction boundaries "
                  "(%u with identical bytes)", node->pid, node->loads->len, node->n_moves,
                  node->dump, n_logged, n_overlaid, n_unmapped, n_compared, n_js, n_same,
                  n_same_bytes);
  g_assert_cmpuint (n_compared, >, 0);
  g_assert_cmpuint (n_js, >, 0);
  g_assert_cmpuint (n_same, ==, n_compared);
  /* The hot function's optimized code is among them. */
  g_assert_cmpuint (n_hot, ==, 1);
}

/* ipt-analyze finds the dump in the core's NT_FILE and the map in /tmp. */
static void
assert_cli_discovers (Node *node)
{
  const char *argv[] = { g_getenv ("IPT_ANALYZE"), "--plugin", NULL, "--list-regions", NULL };
  g_autofree char *spec = g_strdup_printf ("coredump:core=%s", node->core);
  g_autofree char *out = NULL, *err = NULL, *note = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_jitmap = 0;
  int status;

  g_assert_nonnull (argv[0]);   /* set by meson */
  argv[2] = spec;
  g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  say ("ipt-analyze --list-regions: stderr:\n%s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  note = g_strdup_printf ("ipt-analyze: note: %s: chained the JIT dump %s (NT_FILE) and the "
                          "perf map %s\n", node->core, node->dump, node->map);
  g_assert_nonnull (strstr (err, note));
  lines = test_split_lines (out);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " jitmap ") != NULL)
      n_jitmap++;
  say ("ipt-analyze --list-regions: %u jitmap ranges", n_jitmap);
  g_assert_cmpuint (n_jitmap, >, 0);
}

/* The test proper, in a subprocess, in @dir (the parent cleans up). */
static void
node_gcore_in (const char *dir)
{
  Node node = { 0 };
  g_autoptr(IptMemoryProvider) jitmap = NULL, dump_only = NULL, map_only = NULL, core = NULL;
  g_autofree char *jitmap_spec = NULL, *dump_spec = NULL, *map_spec = NULL, *core_spec = NULL;
  guint64 hot;

  node.dir = g_strdup (dir);
  node_start (&node);
  node_gcore (&node);
  node_stop (&node);
  parse_dump (&node);
  hot = hot_function_address (&node);

  jitmap_spec = g_strdup_printf ("jitmap:dump=%s,map=%s", node.dump, node.map);
  dump_spec = g_strdup_printf ("jitmap:dump=%s", node.dump);
  map_spec = g_strdup_printf ("jitmap:map=%s", node.map);
  core_spec = g_strdup_printf ("coredump:core=%s", node.core);
  jitmap = new_provider (jitmap_spec);
  core = new_provider (core_spec);
  compare_with_core (&node, jitmap, core, hot);

  dump_only = new_provider (dump_spec);
  map_only = new_provider (map_spec);
  assert_names_hot_function (dump_only, hot, "the jitdump");
  assert_names_hot_function (map_only, hot, "the perf map");

  assert_cli_discovers (&node);

  g_clear_pointer (&node.dump_file, g_mapped_file_unref);
  g_clear_pointer (&node.loads, g_array_unref);
  g_free (node.dir);
  g_free (node.dump);
  g_free (node.map);
  g_free (node.core);
}

/* The perf map node wrote for each jit-PID.dump in @dir, and @dir: also
 * after a failed assertion, so that /tmp keeps nothing of the test. */
static void
remove_node_files (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      unsigned long pid;

      if (sscanf (name, "jit-%lu.dump", &pid) == 1)
        {
          g_autofree char *map = g_strdup_printf ("/tmp/perf-%lu.map", pid);
          g_unlink (map);
        }
    }
  if (d != NULL)
    g_dir_close (d);
  test_remove_tree (dir);
}

static void
test_node_gcore (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *real = NULL;

  if (g_test_subprocess ())
    {
      node_gcore_in (g_getenv ("IPT_TEST_NODE_DIR"));
      return;
    }
  dir = g_dir_make_tmp ("test-jitmap-node-gdb-XXXXXX", &error);
  g_assert_no_error (error);
  /* NT_FILE names the real path: so must the expected note. */
  real = realpath (dir, NULL);
  g_assert_nonnull (real);
  g_setenv ("IPT_TEST_NODE_DIR", real, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  remove_node_files (real);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugins/jitmap/node-gdb/code-in-core-has-dump-boundaries-and-names",
                   test_node_gcore);
  return g_test_run ();
}
