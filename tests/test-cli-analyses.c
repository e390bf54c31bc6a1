/* test-cli-analyses.c: ipt-analyze's analyses and parallel decode, through
 * the real binary: --calls, --folded, --chrome-trace, --coverage=KIND:FILE,
 * --stat --json, `merge`, their errors, and --jobs 2 giving what --jobs 1
 * gives, byte for byte, with both decoders. The cli suite runs it on the
 * demo (data/demo); with --corpus (corpus suite) it checks the corpus
 * traces (the AFL bitmap against libxdc's, --jobs 2 against 1), with
 * --record (record suite) an ipt-record recording of a -g program, whose
 * lcov genhtml must render without warnings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "test-support.h"

static const char * const decoders[] = { "--block-decoder", "--insn-decoder" };

/* A scratch directory, removed at the end. */
static char *scratch;

static char *
scratch_file (const char *name)
{
  return g_build_filename (scratch, name, NULL);
}

/* ipt-analyze with @memory (NULL-terminated: the trace and memory options)
 * and then the NULL-terminated varargs. */
static int
analyze_v (const char * const *memory, char **out, char **err, va_list args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;

  for (guint i = 0; memory[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) memory[i]);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);
  return test_run_analyze ((const char * const *) argv->pdata, out, err);
}

static const char * const *demo_memory;

static int
demo (char **out, char **err, ...) G_GNUC_NULL_TERMINATED;

static int
demo (char **out, char **err, ...)
{
  va_list args;
  int status;

  va_start (args, err);
  status = analyze_v (demo_memory, out, err, args);
  va_end (args);
  return status;
}

static char *
read_file (const char *path, gsize *length)
{
  char *data = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, length, &error));
  g_assert_no_error (error);
  return data;
}

static void
assert_same_files (const char *a, const char *b)
{
  gsize na, nb;
  g_autofree char *da = read_file (a, &na);
  g_autofree char *db = read_file (b, &nb);

  g_assert_cmpuint (na, ==, nb);
  g_assert_true (memcmp (da, db, na) == 0);
}

/* --- --jobs ----------------------------------------------------------- */

/* --jobs 2 lists what --jobs 1 lists, byte for byte, and does cut the
 * trace (the debug line says how many segments there were). */
static void
test_jobs_listing (void)
{
  for (guint d = 0; d < G_N_ELEMENTS (decoders); d++)
    {
      g_autofree char *one = NULL, *two = NULL, *err = NULL;

      g_assert_cmpint (demo (&one, NULL, decoders[d], "--jobs", "1", NULL), ==, 0);
      g_setenv ("G_MESSAGES_DEBUG", "ipt-analyze", TRUE);
      g_assert_cmpint (demo (&two, &err, decoders[d], "--jobs", "2", NULL), ==, 0);
      g_unsetenv ("G_MESSAGES_DEBUG");
      g_assert_cmpstr (one, ==, two);
      g_assert_nonnull (strstr (one, "<main"));
      g_assert_nonnull (strstr (err, "decoded in "));
      /* The instruction decoder's cuts always join on the demo. The block
       * decoder's depend on how the segments filled libipt's block cache:
       * a cut can be rejected and decoded again across, down to one
       * segment (docs/parallel-decode.md), with the same listing. */
      if (strcmp (decoders[d], "--insn-decoder") == 0)
        g_assert_null (strstr (err, "decoded in 1 segments"));
    }
}

/* --stat (text and JSON) with --jobs 2 is --jobs 1's; with the block
 * decoder, whose block count depends on libipt's cache, it says that it
 * decodes serially. */
static void
test_jobs_stat (void)
{
  for (guint d = 0; d < G_N_ELEMENTS (decoders); d++)
    for (guint json = 0; json < 2; json++)
      {
        g_autofree char *one = NULL, *two = NULL, *err = NULL;
        const char *format = json ? "--json" : "--quiet";

        g_assert_cmpint (demo (&one, NULL, decoders[d], "--stat", format, "--jobs", "1", NULL),
                         ==, 0);
        g_assert_cmpint (demo (&two, &err, decoders[d], "--stat", format, "--jobs", "2", NULL),
                         ==, 0);
        g_assert_cmpstr (one, ==, two);
        g_assert_nonnull (strstr (one, json ? "\"insns\" : 20423" : "insn: 20423."));
        if (d == 0)
          g_assert_nonnull (strstr (err, "--jobs 2: decoding serially: --stat's block count"));
      }
}

/* Every analysis at once, written by --jobs 1 and --jobs 2 and by both
 * decoders: the same files. (Until IptCoverage and IptCalls split, the
 * decode falls back to one job and says so.) */
static const char * const analysis_files[] = {
  "afl", "drcov", "blocks", "blocks.json", "folded", "chrome.json", "calls", "calls.json"
};

static void
run_all_analyses (const char *decoder, const char *jobs, const char *tag)
{
  g_autofree char *afl = NULL, *drcov = NULL, *blocks = NULL, *json = NULL, *folded = NULL;
  g_autofree char *chrome = NULL, *calls_path = NULL, *out = NULL, *err = NULL;
  g_autofree char *calls_json = NULL;
  g_autofree char *dir = scratch_file (tag);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  afl = g_strdup_printf ("--coverage=afl:%s/afl", dir);
  drcov = g_strdup_printf ("--coverage=drcov:%s/drcov", dir);
  blocks = g_strdup_printf ("--coverage=blocks:%s/blocks", dir);
  json = g_strdup_printf ("--coverage=blocks-json:%s/blocks.json", dir);
  folded = g_strdup_printf ("--folded=%s/folded", dir);
  chrome = g_strdup_printf ("%s/chrome.json", dir);
  calls_json = g_strdup_printf ("%s/calls.json", dir);
  g_assert_cmpint (demo (&out, &err, decoder, "--jobs", jobs, afl, drcov, blocks, json, folded,
                         "--chrome-trace", chrome, "--calls-json", calls_json, "--calls", NULL),
                   ==, 0);
  calls_path = g_build_filename (dir, "calls", NULL);
  g_assert_true (g_file_set_contents (calls_path, out, -1, NULL));
  g_assert_nonnull (strstr (out, "call   main"));
}

static void
test_jobs_analyses (void)
{
  run_all_analyses ("--block-decoder", "1", "block-1");
  run_all_analyses ("--block-decoder", "2", "block-2");
  run_all_analyses ("--insn-decoder", "1", "insn-1");
  run_all_analyses ("--insn-decoder", "2", "insn-2");
  for (guint i = 0; i < G_N_ELEMENTS (analysis_files); i++)
    {
      g_autofree char *b1 = g_build_filename (scratch, "block-1", analysis_files[i], NULL);
      g_autofree char *b2 = g_build_filename (scratch, "block-2", analysis_files[i], NULL);
      g_autofree char *i1 = g_build_filename (scratch, "insn-1", analysis_files[i], NULL);
      g_autofree char *i2 = g_build_filename (scratch, "insn-2", analysis_files[i], NULL);

      assert_same_files (b1, b2);
      assert_same_files (i1, i2);
      /* an analysis gives the same result with either decoder */
      assert_same_files (b1, i1);
    }
}

/* One pass for all equals one decode per analysis. */
static void
test_one_pass (void)
{
  g_autofree char *dir = scratch_file ("single");
  g_autofree char *afl = NULL, *afl_path = NULL, *all = NULL, *folded = NULL;

  run_all_analyses ("--block-decoder", "1", "all");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  afl = g_strdup_printf ("--coverage=afl:%s/afl", dir);
  g_assert_cmpint (demo (NULL, NULL, "-q", afl, NULL), ==, 0);
  afl_path = g_build_filename (dir, "afl", NULL);
  all = g_build_filename (scratch, "all", "afl", NULL);
  assert_same_files (afl_path, all);
  /* --folded alone writes to stdout, instead of the listing */
  g_assert_cmpint (demo (&folded, NULL, "--folded", NULL), ==, 0);
  {
    g_autofree char *all_folded = g_build_filename (scratch, "all", "folded", NULL);
    g_autofree char *expected = read_file (all_folded, NULL);

    g_assert_cmpstr (folded, ==, expected);
  }
}

/* --- the outputs -------------------------------------------------------- */

/* The folded stacks count every instruction once; the stat JSON agrees. */
static void
test_folded_and_stat_json (void)
{
  g_autofree char *folded = NULL, *json = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint64 total = 0;
  JsonObject *top;

  g_assert_cmpint (demo (&folded, NULL, "--folded", NULL), ==, 0);
  lines = g_strsplit (folded, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *space = strrchr (lines[i], ' ');

      g_assert_nonnull (space);
      total += g_ascii_strtoull (space + 1, NULL, 10);
    }
  g_assert_cmpint (demo (&json, NULL, "--stat", "--json", "--quiet", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  top = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (top, "format"), ==, "ipt-statistics");
  g_assert_cmpint (json_object_get_int_member (top, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (top, "decoder"), ==, "block");
  g_assert_cmpint (json_object_get_int_member (top, "insns"), ==, 20423);
  g_assert_cmpuint (total, ==, 20423);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (top, "event_kinds"),
                                               "enabled"), ==, 28);
}

/* The Chrome trace parses and its B/E events nest, per thread. */
static void
test_chrome_trace_nests (void)
{
  g_autofree char *path = scratch_file ("nest.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  JsonNode *root;
  JsonArray *events;
  guint n_begin = 0, depth = 0;

  g_assert_cmpint (demo (NULL, NULL, "-q", "--chrome-trace", path, NULL), ==, 0);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  events = JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root)
           : json_object_get_array_member (json_node_get_object (root), "traceEvents");
  g_assert_nonnull (events);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);
      const char *ph = json_object_get_string_member (e, "ph");
      const char *name = json_object_get_string_member_with_default (e, "name", "");

      if (g_str_equal (ph, "B"))
        {
          g_ptr_array_add (stack, (gpointer) name);
          n_begin++;
          depth = MAX (depth, stack->len);
        }
      else if (g_str_equal (ph, "E"))
        {
          g_assert_cmpuint (stack->len, >, 0);
          g_assert_cmpstr (g_ptr_array_index (stack, stack->len - 1), ==, name);
          g_ptr_array_remove_index (stack, stack->len - 1);
        }
    }
  g_assert_cmpuint (stack->len, ==, 0);
  g_assert_cmpuint (n_begin, >, 100);
  g_assert_cmpuint (depth, >=, 4);
}

/* The call tree's JSON: each node's total is its own instructions and its
 * children's, all nodes' own instructions are the decode's, and every
 * folded stack is a path of the tree with that count. */
typedef struct {
  GHashTable *paths;            /* "a;b;c" -> self instructions, from the JSON */
  guint64 self_sum;
} CallsWalk;

static guint64
walk_calls (CallsWalk *walk, JsonObject *node, const char *parent)
{
  const char *symbol = json_object_get_string_member (node, "symbol");
  g_autofree char *path = parent != NULL ? g_strconcat (parent, ";", symbol, NULL)
                                         : g_strdup (symbol);
  JsonArray *children = json_object_get_array_member (node, "children");
  guint64 self = (guint64) json_object_get_int_member (node, "self_insns");
  guint64 total = self;

  g_assert_true (g_str_has_prefix (json_object_get_string_member (node, "address"), "0x"));
  g_assert_cmpint (json_object_get_int_member (node, "calls"), >=, 0);
  for (guint i = 0; i < json_array_get_length (children); i++)
    total += walk_calls (walk, json_array_get_object_element (children, i), path);
  g_assert_cmpuint (total, ==, (guint64) json_object_get_int_member (node, "total_insns"));
  if (self > 0)
    g_hash_table_insert (walk->paths, g_steal_pointer (&path), GSIZE_TO_POINTER (self));
  walk->self_sum += self;
  return total;
}

static void
test_calls_json (void)
{
  g_autofree char *path = scratch_file ("tree.json"), *merged = scratch_file ("tree2.json");
  g_autofree char *folded = NULL, *merged_one = NULL, *err = NULL, *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  CallsWalk walk = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };
  JsonObject *top;
  JsonArray *roots;
  guint n_folded = 0;

  g_assert_cmpint (demo (&folded, NULL, "--folded", "--calls-json", path, NULL), ==, 0);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  top = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (top, "format"), ==, "ipt-analyze-calls");
  g_assert_cmpint (json_object_get_int_member (top, "insns"), ==, 20423);
  g_assert_cmpint (json_object_get_int_member (top, "calls"), >, 0);
  roots = json_object_get_array_member (top, "roots");
  for (guint i = 0; i < json_array_get_length (roots); i++)
    walk_calls (&walk, json_array_get_object_element (roots, i), NULL);
  g_assert_cmpuint (walk.self_sum, ==, 20423);
  g_assert_true (g_hash_table_contains (walk.paths, "_start;__libc_start_main;__libc_start_call_main;main"));

  lines = g_strsplit (folded, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      char *space = strrchr (lines[i], ' ');

      *space = '\0';
      g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (walk.paths, lines[i])), ==,
                        g_ascii_strtoull (space + 1, NULL, 10));
      n_folded++;
    }
  g_assert_cmpuint (n_folded, ==, g_hash_table_size (walk.paths));
  g_hash_table_unref (walk.paths);

  /* merging one file gives it back; two, every count doubled */
  {
    const char *args[] = { "merge", "calls-json:-", path, NULL };
    g_autofree char *text = read_file (path, NULL);

    g_assert_cmpint (test_run_analyze (args, &merged_one, NULL), ==, 0);
    g_assert_cmpstr (merged_one, ==, text);
  }
  {
    g_autofree char *target = g_strconcat ("calls-json:", merged, NULL);
    const char *args[] = { "merge", target, path, path, NULL };
    g_autoptr(JsonParser) twice = json_parser_new ();
    JsonObject *t;

    g_assert_cmpint (test_run_analyze (args, NULL, NULL), ==, 0);
    g_assert_true (json_parser_load_from_file (twice, merged, &error));
    t = json_node_get_object (json_parser_get_root (twice));
    g_assert_cmpint (json_object_get_int_member (t, "insns"), ==, 2 * 20423);
    g_assert_cmpint (json_object_get_int_member (t, "depth"), ==,
                     json_object_get_int_member (top, "depth"));
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                       json_object_get_array_member (t, "roots"), 0), "total_insns"), ==,
                     2 * json_object_get_int_member (json_array_get_object_element (roots, 0),
                                                     "total_insns"));
  }
  /* not a call tree: named */
  {
    g_autofree char *bad = scratch_file ("not-calls.json");
    const char *args[] = { "merge", "calls-json:-", path, bad, NULL };

    g_assert_true (g_file_set_contents (bad, "{\"format\":\"ipt-statistics\",\"version\":1}", -1,
                                        NULL));
    g_assert_cmpint (test_run_analyze (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "not-calls.json: not \"format\": \"ipt-analyze-calls\""));
  }
}

/* An output that exists and is no regular file (/dev/null, a FIFO) is
 * written in place, by the analyses and by merge: replacing it would put
 * a file where a device was (as root, /dev/null itself). Through a link
 * to /dev/null in the scratch directory, so that a regression replaces
 * the link, not the device. */
static void
test_outputs_in_place (void)
{
  g_autofree char *link = scratch_file ("null-link"), *afl = scratch_file ("place.afl");
  g_autofree char *to_link = g_strconcat ("afl:", link, NULL);
  g_autofree char *coverage = g_strconcat ("--coverage=", to_link, NULL);
  g_autofree char *coverage_file = g_strconcat ("--coverage=afl:", afl, NULL);
  g_autofree char *out = NULL;
  struct stat st;

  g_assert_cmpint (symlink ("/dev/null", link), ==, 0);
  g_assert_cmpint (demo (NULL, NULL, "-q", coverage, coverage_file, NULL), ==, 0);
  {
    const char *args[] = { "merge", to_link, afl, NULL };

    g_assert_cmpint (test_run_analyze (args, &out, NULL), ==, 0);
  }
  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_assert_cmpint (stat ("/dev/null", &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
}

/* --- merge ------------------------------------------------------------- */

static void
test_merge (void)
{
  g_autofree char *afl = scratch_file ("m.afl"), *json = scratch_file ("m.json");
  g_autofree char *stat = scratch_file ("m.stat"), *out = scratch_file ("merged");
  g_autofree char *afl_arg = g_strdup_printf ("--coverage=afl:%s", afl);
  g_autofree char *json_arg = g_strdup_printf ("--coverage=blocks-json:%s", json);
  g_autofree char *stat_text = NULL, *merged_stat = NULL, *err = NULL;
  g_autofree char *afl_out = g_strdup_printf ("afl:%s", out);
  g_autofree char *json_out = g_strdup_printf ("blocks-json:%s", out);
  g_autofree char *stat_out = NULL;
  g_autofree char *one = NULL, *two = NULL;
  gsize n1, n2;

  g_assert_cmpint (demo (&stat_text, NULL, "--stat", "--json", "-q", afl_arg, json_arg, NULL),
                   ==, 0);
  g_assert_true (g_file_set_contents (stat, stat_text, -1, NULL));

  /* merging one file gives it back, byte for byte */
  {
    const char *args[] = { "merge", afl_out, afl, NULL };

    g_assert_cmpint (test_run_analyze (args, NULL, NULL), ==, 0);
    assert_same_files (out, afl);
  }
  {
    const char *args[] = { "merge", json_out, json, NULL };

    g_assert_cmpint (test_run_analyze (args, NULL, NULL), ==, 0);
    assert_same_files (out, json);
  }
  {
    const char *args[] = { "merge", "stat-json:-", stat, NULL };

    g_assert_cmpint (test_run_analyze (args, &merged_stat, NULL), ==, 0);
    g_assert_cmpstr (merged_stat, ==, stat_text);
    g_clear_pointer (&merged_stat, g_free);
  }

  /* two: AFL counters add and saturate at 255 */
  {
    const char *args[] = { "merge", afl_out, afl, afl, NULL };
    guint saturated = 0, doubled = 0;

    g_assert_cmpint (test_run_analyze (args, NULL, NULL), ==, 0);
    one = read_file (afl, &n1);
    two = read_file (out, &n2);
    g_assert_cmpuint (n1, ==, 65536);
    g_assert_cmpuint (n2, ==, 65536);
    for (gsize i = 0; i < n1; i++)
      {
        guint a = (guint8) one[i], b = (guint8) two[i];

        g_assert_cmpuint (b, ==, MIN (2 * a, 255u));
        saturated += a >= 128;
        doubled += a > 0 && a < 128;
      }
    g_assert_cmpuint (doubled, >, 0);
    g_assert_cmpuint (saturated, >, 0);     /* the demo's loops run > 127 times */
  }
  /* blocks-json and stat-json: counts add */
  {
    const char *args[] = { "merge", json_out, json, json, NULL };
    g_autofree char *text = NULL;

    g_autofree char *single = read_file (json, NULL);
    g_autoptr(JsonParser) p1 = json_parser_new (), p2 = json_parser_new ();
    JsonArray *b1, *b2;

    g_assert_cmpint (test_run_analyze (args, NULL, NULL), ==, 0);
    text = read_file (out, NULL);
    g_assert_true (json_parser_load_from_data (p1, single, -1, NULL));
    g_assert_true (json_parser_load_from_data (p2, text, -1, NULL));
    b1 = json_object_get_array_member (json_node_get_object (json_parser_get_root (p1)), "blocks");
    b2 = json_object_get_array_member (json_node_get_object (json_parser_get_root (p2)), "blocks");
    g_assert_cmpuint (json_array_get_length (b1), ==, json_array_get_length (b2));
    g_assert_cmpuint (json_array_get_length (b1), >, 100);
    for (guint i = 0; i < json_array_get_length (b1); i++)
      g_assert_cmpint (2 * json_object_get_int_member (json_array_get_object_element (b1, i),
                                                       "count"), ==,
                       json_object_get_int_member (json_array_get_object_element (b2, i),
                                                   "count"));
  }
  {
    const char *args[] = { "merge", "stat-json:-", stat, stat, NULL };

    g_assert_cmpint (test_run_analyze (args, &merged_stat, NULL), ==, 0);
    g_assert_nonnull (strstr (merged_stat, "\"insns\" : 40846"));
    g_assert_nonnull (strstr (merged_stat, "\"enabled\" : 56"));
  }
  /* a file of another kind: exit 1, named */
  {
    const char *args[] = { "merge", afl_out, json, NULL };

    g_assert_cmpint (test_run_analyze (args, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "ipt-analyze: error: merge: "));
    g_assert_nonnull (strstr (err, "m.json: not an AFL bitmap"));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "merge", "stat-json:-", json, NULL };

    g_assert_cmpint (test_run_analyze (args, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "m.json: not \"format\": \"ipt-statistics\""));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "merge", "bitmap:x", afl, NULL };

    g_assert_cmpint (test_run_analyze (args, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "unknown kind 'bitmap'"));
  }
}

/* --- errors ------------------------------------------------------------ */

static void
assert_one_error_line (const char *err, const char *expected)
{
  g_assert_true (g_str_has_prefix (err, "ipt-analyze: error: "));
  g_assert_nonnull (strstr (err, expected));
  g_assert_cmpuint (strlen (err), ==, (gsize) (strchr (err, '\n') - err) + 1);
}

static void
test_errors (void)
{
  g_autofree char *err = NULL, *out = NULL;

  g_assert_cmpint (demo (&out, &err, "--coverage=bitmap:x", NULL), ==, 2);
  assert_one_error_line (err, "--coverage: unknown kind 'bitmap' (expected afl, drcov, lcov, "
                         "blocks or blocks-json)");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (demo (&out, &err, "--coverage=afl", NULL), ==, 2);
  assert_one_error_line (err, "--coverage 'afl': expected KIND:FILE");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (demo (&out, &err, "--json", NULL), ==, 2);
  assert_one_error_line (err, "--json applies to --stat");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (demo (&out, &err, "--jobs", "many", NULL), ==, 2);
  assert_one_error_line (err, "--jobs 'many'");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  /* a file that cannot be written: before any decode, named */
  g_assert_cmpint (demo (&out, &err, "--coverage=afl:/nonexistent/dir/afl.bin", NULL), ==, 1);
  assert_one_error_line (err, "--coverage 'afl:/nonexistent/dir/afl.bin': cannot write "
                         "'/nonexistent/dir/afl.bin'");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (demo (&out, &err, "--chrome-trace", "/nonexistent/c.json", NULL), ==, 1);
  assert_one_error_line (err, "cannot write '/nonexistent/c.json'");
}

/* Memory that does not match the trace: nothing decodes, and each empty
 * result says why on stderr (and is still written). */
static void
test_empty (void)
{
  g_autofree char *trace = g_build_filename (test_env_path ("IPT_DEMO_DIR"), "trace.pt", NULL);
  g_autofree char *ips = g_build_filename (test_env_path ("IPT_DEMO_DIR"), "ips", NULL);
  g_autofree char *raw = g_strdup_printf ("%s:0x10000000", ips);
  g_autofree char *afl = scratch_file ("empty.afl");
  g_autofree char *afl_arg = g_strdup_printf ("--coverage=afl:%s", afl);
  g_autofree char *out = NULL, *err = NULL, *bitmap = NULL;
  const char *args[] = { "--pt", trace, "--raw", raw, afl_arg, "--calls", NULL };
  gsize size;

  g_assert_cmpint (test_run_analyze (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "ipt-analyze: warning: --coverage: no block was decoded"));
  g_assert_nonnull (strstr (err, "ipt-analyze: warning: --calls: no instructions were decoded"));
  bitmap = read_file (afl, &size);
  g_assert_cmpuint (size, ==, 65536);
}

/* --- the corpus (--corpus) -------------------------------------------- */

static char *
corpus_path (const char *entry, const char *name)
{
  return g_build_filename (test_env_path ("IPT_CORPUS_DIR"), entry, name, NULL);
}

/* ipt-analyze on a corpus trace over its page dump, stdout hashed by
 * sha256sum (listings of millions of lines stay out of memory). */
static char *
corpus_run (const char *entry, const char *decoder, const char *jobs, const char *extra,
            char **err)
{
  g_autofree char *trace = corpus_path (entry, "trace.pt");
  g_autofree char *addr = corpus_path (entry, "pages.addr");
  g_autofree char *dump = corpus_path (entry, "pages.dump");
  g_autofree char *plugin = g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
  g_autofree char *q_exe = g_shell_quote (test_env_path ("IPT_ANALYZE"));
  g_autofree char *q_trace = g_shell_quote (trace), *q_plugin = g_shell_quote (plugin);
  g_autofree char *command = g_strdup_printf ("%s --pt %s --plugin %s %s --jobs %s %s | sha256sum",
                                              q_exe, q_trace, q_plugin, decoder, jobs, extra);
  const char *argv[] = { "sh", "-c", command, NULL };
  char *out = NULL;

  g_assert_cmpint (test_spawn (argv, &out, err), ==, 0);
  return out;
}

static const char * const corpus_entries[] = { "unzip", "foo", "mruby", "qemu" };

/* --coverage=afl from the CLI equals libxdc's bitmap, both decoders, and
 * with --jobs 2. */
static void
test_corpus_afl (void)
{
  const char * const entries[] = { "unzip", "foo" };

  for (guint e = 0; e < G_N_ELEMENTS (entries); e++)
    for (guint d = 0; d < G_N_ELEMENTS (decoders); d++)
      {
        g_autofree char *path = scratch_file ("corpus.afl");
        g_autofree char *expected = corpus_path (entries[e], "libxdc-bitmap.bin");
        g_autofree char *extra = g_strdup_printf ("-q --coverage=afl:%s", path);
        g_autofree char *hash = corpus_run (entries[e], decoders[d], "2", extra, NULL);

        assert_same_files (path, expected);
      }
}

/* --jobs 2 equals --jobs 1 on every corpus trace, both decoders: the
 * listing (--no-inst, as ptxed), --stat, and the analyses. */
static void
test_corpus_jobs (void)
{
  static const char * const runs[] = { "--no-inst", "--stat -q", "--calls" };

  for (guint e = 0; e < G_N_ELEMENTS (corpus_entries); e++)
    for (guint d = 0; d < G_N_ELEMENTS (decoders); d++)
      {
        for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
          {
            g_autofree char *one = corpus_run (corpus_entries[e], decoders[d], "1", runs[r], NULL);
            g_autofree char *two = corpus_run (corpus_entries[e], decoders[d], "2", runs[r], NULL);

            g_test_message ("%s %s %s: %s", corpus_entries[e], decoders[d], runs[r], one);
            g_assert_cmpstr (one, ==, two);
          }
        for (guint j = 0; j < 2; j++)
          {
            g_autofree char *dir = g_strdup_printf ("%s/corpus-%u", scratch, j);
            g_autofree char *extra = g_strdup_printf ("-q --coverage=afl:%s/afl "
                                                      "--coverage=blocks-json:%s/blocks.json "
                                                      "--folded=%s/folded", dir, dir, dir);
            g_autofree char *hash = NULL;

            g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
            hash = corpus_run (corpus_entries[e], decoders[d], j == 0 ? "1" : "2", extra, NULL);
          }
        for (guint f = 0; f < 3; f++)
          {
            static const char * const names[] = { "afl", "blocks.json", "folded" };
            g_autofree char *a = g_strdup_printf ("%s/corpus-0/%s", scratch, names[f]);
            g_autofree char *b = g_strdup_printf ("%s/corpus-1/%s", scratch, names[f]);

            assert_same_files (a, b);
          }
      }
}

/* --- an ipt-record recording (--record) ------------------------------- */

/* flow.c built with -g: its lcov renders with genhtml without warnings. */
static void
test_record_lcov (void)
{
  g_autofree char *dir = scratch_file ("rec");
  g_autofree char *trace = NULL, *core = NULL, *info = NULL, *info_arg = NULL, *html = NULL;
  g_autofree char *plugin = NULL, *out = NULL, *err = NULL, *text = NULL;
  const char *program = test_env_path ("IPT_RECORD_PROGRAM_FLOW_STATIC_G");

  {
    const char *argv[] = { test_env_path ("IPT_RECORD"), "-o", dir, "--", program, NULL };

    g_assert_cmpint (test_spawn (argv, NULL, NULL), ==, 0);
  }
  trace = g_build_filename (dir, "trace.pt", NULL);
  info = scratch_file ("flow.info");
  info_arg = g_strdup_printf ("--coverage=lcov:%s", info);
  {
    const char *args[] = { "--pt", trace, "--elf", program, "-q", info_arg, "--calls", NULL };

    g_assert_cmpint (test_run_analyze (args, &out, &err), ==, 0);
  }
  g_assert_nonnull (strstr (out, "call   main"));
  text = read_file (info, NULL);
  g_assert_nonnull (strstr (text, "SF:"));
  g_assert_nonnull (strstr (text, "flow.c"));
  html = scratch_file ("html");
  {
    const char *argv[] = { "genhtml", "--quiet", "-o", html, info, NULL };
    g_autofree char *gout = NULL, *gerr = NULL;
    g_autofree char *index = g_build_filename (html, "index.html", NULL);

    g_assert_cmpint (test_spawn (argv, &gout, &gerr), ==, 0);
    g_test_message ("genhtml: %s%s", gout, gerr);
    g_assert_null (strstr (gerr, "WARNING"));
    g_assert_null (strstr (gout, "WARNING"));
    g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  }
}

int
main (int argc, char **argv)
{
  gboolean corpus = FALSE, record = FALSE;
  g_autofree char *trace = NULL, *plugin = NULL;
  const char *demo_dir;
  int status;

  for (int i = 1; i < argc; i++)
    {
      corpus |= g_str_equal (argv[i], "--corpus");
      record |= g_str_equal (argv[i], "--record");
    }
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C", TRUE);

  demo_dir = test_env_path ("IPT_DEMO_DIR");
  trace = g_build_filename (demo_dir, "trace.pt", NULL);
  plugin = g_strdup_printf ("coredump:core=%s/core,search-path=%s", demo_dir, demo_dir);
  {
    const char *memory[] = { "--pt", trace, "--plugin", plugin, NULL };

    demo_memory = (const char * const *) g_memdup2 (memory, sizeof memory);
  }
  scratch = g_dir_make_tmp ("test-cli-analyses-XXXXXX", NULL);
  g_assert_nonnull (scratch);

  if (corpus)
    {
      g_test_add_func ("/cli/analyses/corpus/afl-equals-libxdc", test_corpus_afl);
      g_test_add_func ("/cli/analyses/corpus/jobs-2-equals-1", test_corpus_jobs);
    }
  else if (record)
    g_test_add_func ("/cli/analyses/record/lcov-genhtml", test_record_lcov);
  else
    {
      g_test_add_func ("/cli/analyses/jobs/listing", test_jobs_listing);
      g_test_add_func ("/cli/analyses/jobs/stat", test_jobs_stat);
      g_test_add_func ("/cli/analyses/jobs/analyses", test_jobs_analyses);
      g_test_add_func ("/cli/analyses/one-pass", test_one_pass);
      g_test_add_func ("/cli/analyses/folded-and-stat-json", test_folded_and_stat_json);
      g_test_add_func ("/cli/analyses/chrome-trace-nests", test_chrome_trace_nests);
      g_test_add_func ("/cli/analyses/calls-json", test_calls_json);
      g_test_add_func ("/cli/analyses/outputs-in-place", test_outputs_in_place);
      g_test_add_func ("/cli/analyses/merge", test_merge);
      g_test_add_func ("/cli/analyses/errors", test_errors);
      g_test_add_func ("/cli/analyses/empty-results-say-why", test_empty);
    }
  status = g_test_run ();
  test_remove_tree (scratch);
  g_free (scratch);
  g_free ((gpointer) demo_memory);
  return status;
}
