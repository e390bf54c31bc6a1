/* test-calls-functions.c: ipt_calls_get_functions(), the hot functions of
 * a call tree, on the demo (data/demo: recursion in eval and parse, qsort
 * calling back, a signal handler) decoded through the coredump plugin:
 * each function once, its counts the sums over the tree's paths (a
 * recursive function's total counted once), hottest first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <ipt-analyze/ipt-analyze.h>

typedef struct {
  guint64 calls;
  guint64 self_insns;
  guint64 total_insns;
  guint n_nodes;
  guint max_nesting;        /* frames of the function on one path, at most */
} Expected;

static IptCalls *
decode_demo (void)
{
  const char *demo = g_getenv ("IPT_DEMO_DIR");
  g_autofree char *trace = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(IptPluginRegistry) registry = ipt_plugin_registry_new ();
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(IptImage) image = ipt_image_new ("demo");
  g_autoptr(IptDecoder) decoder = NULL;
  g_autoptr(IptSymbolResolver) symbols = NULL;
  g_autoptr(GError) error = NULL;
  IptCalls *calls;

  g_assert_nonnull (demo);
  trace = g_build_filename (demo, "trace.pt", NULL);
  spec = g_strdup_printf ("coredump:core=%s/core,search-path=%s", demo, demo);
  ipt_plugin_registry_scan_default_path (registry);
  provider = ipt_plugin_registry_new_provider (registry, spec, NULL, &error);
  g_assert_no_error (error);
  ipt_image_add_provider (image, provider);
  symbols = ipt_symbol_resolver_new_for_model (ipt_image_get_providers (image));
  calls = ipt_calls_new (symbols);
  decoder = ipt_decoder_new (image, IPT_DECODER_KIND_BLOCK);
  g_assert_true (ipt_decoder_decode_file (decoder, trace, 0, 0, IPT_SINK (calls), NULL, &error));
  g_assert_no_error (error);
  return calls;
}

/* The per-function sums, from the tree's nodes as the public API shows
 * them; @path holds the addresses of the frames above @node. */
static void
expect_node (GHashTable *expected, GArray *path, IptCallNode *node)
{
  guint64 address = ipt_call_node_get_address (node);
  GListModel *children = ipt_call_node_get_children (node);
  Expected *e = g_hash_table_lookup (expected, &address);
  guint nesting = 1;

  if (e == NULL)
    {
      guint64 *key = g_new (guint64, 1);

      *key = address;
      e = g_new0 (Expected, 1);
      g_hash_table_insert (expected, key, e);
    }
  for (guint i = 0; i < path->len; i++)
    if (g_array_index (path, guint64, i) == address)
      nesting++;
  e->calls += ipt_call_node_get_calls (node);
  e->self_insns += ipt_call_node_get_self_insns (node);
  if (nesting == 1)
    e->total_insns += ipt_call_node_get_total_insns (node);
  e->n_nodes++;
  e->max_nesting = MAX (e->max_nesting, nesting);

  g_array_append_val (path, address);
  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(IptCallNode) child = g_list_model_get_item (children, i);

      expect_node (expected, path, child);
    }
  g_array_set_size (path, path->len - 1);
}

static void
test_demo (void)
{
  g_autoptr(IptCalls) calls = decode_demo ();
  g_autoptr(GListModel) functions = ipt_calls_get_functions (calls);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                          g_free, g_free);
  g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (guint64));
  GListModel *roots = ipt_calls_get_roots (calls);
  guint64 self_sum = 0;
  gboolean saw_main = FALSE, saw_recursive = FALSE;
  guint n;

  for (guint i = 0; i < g_list_model_get_n_items (roots); i++)
    {
      g_autoptr(IptCallNode) root = g_list_model_get_item (roots, i);

      expect_node (expected, path, root);
    }

  n = g_list_model_get_n_items (functions);
  g_assert_cmpuint (g_list_model_get_item_type (functions), ==, IPT_TYPE_CALL_FUNCTION);
  g_assert_cmpuint (n, ==, g_hash_table_size (expected));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IptCallFunction) f = g_list_model_get_item (functions, i);
      guint64 address = ipt_call_function_get_address (f);
      const Expected *e = g_hash_table_lookup (expected, &address);
      g_autofree char *symbol = NULL;
      guint64 total = 0;

      g_assert_nonnull (e);
      g_assert_cmpuint (ipt_call_function_get_calls (f), ==, e->calls);
      g_assert_cmpuint (ipt_call_function_get_self_insns (f), ==, e->self_insns);
      g_assert_cmpuint (ipt_call_function_get_total_insns (f), ==, e->total_insns);
      g_assert_cmpuint (ipt_call_function_get_total_insns (f), >=,
                        ipt_call_function_get_self_insns (f));
      g_assert_cmpuint (ipt_call_function_get_total_insns (f), <=, ipt_calls_get_n_insns (calls));
      g_object_get (f, "symbol", &symbol, "total-insns", &total, NULL);
      g_assert_cmpstr (symbol, ==, ipt_call_function_get_symbol (f));
      g_assert_cmpuint (total, ==, e->total_insns);
      self_sum += ipt_call_function_get_self_insns (f);

      if (g_str_equal (symbol, "main"))
        {
          saw_main = TRUE;
          g_assert_cmpuint (e->n_nodes, ==, 1);
          g_assert_cmpuint (ipt_call_function_get_calls (f), ==, 1);
        }
      if (e->max_nesting > 1)
        saw_recursive = TRUE;

      if (i > 0)
        {
          g_autoptr(IptCallFunction) hotter = g_list_model_get_item (functions, i - 1);

          g_assert_cmpuint (ipt_call_function_get_self_insns (hotter), >=,
                            ipt_call_function_get_self_insns (f));
          if (ipt_call_function_get_self_insns (hotter) == ipt_call_function_get_self_insns (f))
            g_assert_cmpuint (ipt_call_function_get_total_insns (hotter), >=,
                              ipt_call_function_get_total_insns (f));
        }
    }
  /* every instruction is in exactly one function */
  g_assert_cmpuint (self_sum, ==, ipt_calls_get_n_insns (calls));
  g_assert_true (saw_main);
  /* the demo's evaluator recurses: the case where the totals must not double */
  g_assert_true (saw_recursive);
}

static void
test_empty (void)
{
  g_autoptr(IptCalls) calls = ipt_calls_new (NULL);
  g_autoptr(GListModel) functions = ipt_calls_get_functions (calls);

  g_assert_cmpuint (g_list_model_get_n_items (functions), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/calls/functions/demo", test_demo);
  g_test_add_func ("/calls/functions/empty", test_empty);
  return g_test_run ();
}
