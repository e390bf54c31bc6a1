/* test-symbol-source.c: the IptSymbolSource interface, IptSymbol and
 * IptSymbolResolver, with a tiny in-test source. */
#include "config.h"

#include <string.h>
#include <ipt-analyze/ipt-analyze.h>

/* ---- a tiny symbol source ---------------------------------------------- */

typedef struct {
  const char *name;
  guint64 start;
  guint64 size;
} TestSym;

#define TEST_TYPE_SOURCE (test_source_get_type ())
G_DECLARE_FINAL_TYPE (TestSource, test_source, TEST, SOURCE, GObject)

struct _TestSource {
  GObject parent_instance;
  const TestSym *syms;
  guint n_syms;
  IptAsid asid;
  guint calls;
  gboolean broken;           /* report a start after the address */
};

static void test_source_iface_init (IptSymbolSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSource, test_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SYMBOL_SOURCE,
                                                      test_source_iface_init))

static gboolean
test_source_lookup (IptSymbolSource *source, const IptAsid *asid, guint64 address,
                    const char **name, guint64 *start, guint64 *size)
{
  TestSource *self = (TestSource *) source;
  guint i;

  /* The interface promises non-NULL out pointers to implementations. */
  g_assert_nonnull (name);
  g_assert_nonnull (start);
  g_assert_nonnull (size);

  self->calls++;
  if (!ipt_asid_match (&self->asid, asid))
    return FALSE;
  for (i = 0; i < self->n_syms; i++)
    if (address >= self->syms[i].start && address - self->syms[i].start < self->syms[i].size)
      {
        *name = self->syms[i].name;
        *start = self->broken ? address + 1 : self->syms[i].start;
        *size = self->syms[i].size;
        return TRUE;
      }
  return FALSE;
}

static void
test_source_iface_init (IptSymbolSourceInterface *iface)
{
  iface->lookup = test_source_lookup;
}

static void
test_source_class_init (TestSourceClass *klass)
{
}

static void
test_source_init (TestSource *self)
{
  self->asid.cr3 = IPT_ASID_NO_CR3;
  self->asid.vmcs = IPT_ASID_NO_VMCS;
}

static TestSource *
test_source_new (const TestSym *syms, guint n_syms)
{
  TestSource *self = g_object_new (TEST_TYPE_SOURCE, NULL);

  self->syms = syms;
  self->n_syms = n_syms;
  return self;
}

static const TestSym syms_a[] = {
  { "main", 0x401000, 0x40 },
  { "helper", 0x401040, 0x10 },
};

static const TestSym syms_b[] = {
  { "other_main", 0x401000, 0x100 },
  { "lib_func", 0x7f0000001000, 0x20 },
};

/* ---- tests --------------------------------------------------------------- */

static void
test_lookup_name_and_offset (void)
{
  g_autoptr (TestSource) source = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  const char *name = NULL;
  guint64 offset = 0, start = 0, size = 0;

  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), NULL, 0x401043,
                                           &name, &offset, &start, &size));
  g_assert_cmpstr (name, ==, "helper");
  g_assert_cmphex (offset, ==, 3);
  g_assert_cmphex (start, ==, 0x401040);
  g_assert_cmphex (size, ==, 0x10);

  /* The name is the source's own string: nothing was copied. */
  g_assert_true (name == syms_a[1].name);

  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), NULL, 0x401000,
                                           &name, &offset, NULL, NULL));
  g_assert_cmpstr (name, ==, "main");
  g_assert_cmphex (offset, ==, 0);
}

static void
test_lookup_miss_leaves_outputs (void)
{
  g_autoptr (TestSource) source = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  const char *name = "untouched";
  guint64 offset = 77;

  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), NULL, 0x401050,
                                            &name, &offset, NULL, NULL));
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), NULL, 0x400fff,
                                            &name, &offset, NULL, NULL));
  g_assert_cmpstr (name, ==, "untouched");
  g_assert_cmpuint (offset, ==, 77);
}

static void
test_lookup_all_outputs_optional (void)
{
  g_autoptr (TestSource) source = test_source_new (syms_a, G_N_ELEMENTS (syms_a));

  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), NULL, 0x401001,
                                           NULL, NULL, NULL, NULL));
  g_assert_cmpuint (source->calls, ==, 1);
}

static void
test_lookup_asid (void)
{
  g_autoptr (TestSource) source = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  IptAsid mine = { 0x1000, IPT_ASID_NO_VMCS }, other = { 0x2000, IPT_ASID_NO_VMCS };
  IptAsid any = IPT_ASID_INIT_ANY;

  source->asid = mine;
  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), &mine, 0x401000,
                                           NULL, NULL, NULL, NULL));
  g_assert_true (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), &any, 0x401000,
                                           NULL, NULL, NULL, NULL));
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), &other, 0x401000,
                                            NULL, NULL, NULL, NULL));
}

static void
test_lookup_rejects_inconsistent_source (void)
{
  g_autoptr (TestSource) source = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  const char *name = NULL;

  /* A source claiming a symbol that starts after the address must not
   * produce a huge "offset". */
  source->broken = TRUE;
  g_assert_false (ipt_symbol_source_lookup (IPT_SYMBOL_SOURCE (source), NULL, 0x401000,
                                            &name, NULL, NULL, NULL));
  g_assert_null (name);
}

static void
test_lookup_symbol_boxed (void)
{
  g_autoptr (TestSource) source = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  g_autoptr (IptSymbol) symbol = NULL;
  g_autoptr (IptSymbol) copy = NULL;
  g_autofree char *text = NULL;
  g_auto (GValue) value = G_VALUE_INIT;

  symbol = ipt_symbol_source_lookup_symbol (IPT_SYMBOL_SOURCE (source), NULL, 0x401003);
  g_assert_nonnull (symbol);
  g_assert_cmpstr (symbol->name, ==, "main");
  g_assert_true (symbol->name != syms_a[0].name);
  g_assert_cmphex (symbol->address, ==, 0x401000);
  g_assert_cmphex (symbol->size, ==, 0x40);
  g_assert_cmphex (symbol->offset, ==, 3);

  text = ipt_symbol_to_string (symbol);
  g_assert_cmpstr (text, ==, "main+0x3");

  /* Boxed: a GValue round-trip deep-copies. */
  g_value_init (&value, IPT_TYPE_SYMBOL);
  g_value_set_boxed (&value, symbol);
  copy = g_value_dup_boxed (&value);
  g_assert_true (copy != symbol);
  g_assert_cmpstr (copy->name, ==, "main");
  g_assert_true (copy->name != symbol->name);
  g_assert_cmphex (copy->offset, ==, 3);

  g_assert_null (ipt_symbol_source_lookup_symbol (IPT_SYMBOL_SOURCE (source), NULL, 0x500000));
}

static void
test_symbol_format (void)
{
  char buffer[32];
  char tiny[6];
  g_autoptr (IptSymbol) at_start = ipt_symbol_new ("main", 0x401000, 0x40, 0);
  g_autofree char *text = ipt_symbol_to_string (at_start);

  g_assert_cmpuint (ipt_symbol_format (buffer, sizeof buffer, "main", 0x12), ==, 9);
  g_assert_cmpstr (buffer, ==, "main+0x12");
  g_assert_cmpuint (ipt_symbol_format (buffer, sizeof buffer, "main", 0), ==, 4);
  g_assert_cmpstr (buffer, ==, "main");
  g_assert_cmpstr (text, ==, "main");

  /* Truncated like g_snprintf, and says how long the full text is. */
  g_assert_cmpuint (ipt_symbol_format (tiny, sizeof tiny, "function", 0x1234), ==, 15);
  g_assert_cmpstr (tiny, ==, "funct");
}

static void
test_resolver_priority (void)
{
  g_autoptr (TestSource) a = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  g_autoptr (TestSource) b = test_source_new (syms_b, G_N_ELEMENTS (syms_b));
  g_autoptr (IptSymbolResolver) resolver = ipt_symbol_resolver_new ();
  const char *name = NULL;
  guint64 offset = 0, start = 0, size = 0;

  g_assert_true (ipt_symbol_resolver_add (resolver, G_OBJECT (a)));
  g_assert_true (ipt_symbol_resolver_add (resolver, G_OBJECT (b)));
  g_assert_cmpuint (ipt_symbol_resolver_get_n_sources (resolver), ==, 2);

  /* Both name 0x401010: the first added wins, the second is not asked. */
  g_assert_true (ipt_symbol_resolver_lookup (resolver, NULL, 0x401010, &name, &offset,
                                             &start, &size));
  g_assert_cmpstr (name, ==, "main");
  g_assert_cmphex (offset, ==, 0x10);
  g_assert_cmpuint (b->calls, ==, 0);

  /* Only the second names 0x401080 (past a's symbols). */
  g_assert_true (ipt_symbol_resolver_lookup (resolver, NULL, 0x401080, &name, &offset,
                                             &start, &size));
  g_assert_cmpstr (name, ==, "other_main");
  g_assert_cmphex (offset, ==, 0x80);
  g_assert_cmphex (start, ==, 0x401000);
  g_assert_cmphex (size, ==, 0x100);

  g_assert_true (ipt_symbol_resolver_lookup (resolver, NULL, 0x7f000000101f, &name, &offset,
                                             NULL, NULL));
  g_assert_cmpstr (name, ==, "lib_func");
  g_assert_cmphex (offset, ==, 0x1f);

  g_assert_false (ipt_symbol_resolver_lookup (resolver, NULL, 0x7f0000001020, &name, &offset,
                                              NULL, NULL));
  g_assert_cmpuint (a->calls, ==, 4);
  g_assert_cmpuint (b->calls, ==, 3);
}

static void
test_resolver_from_model_skips_non_sources (void)
{
  g_autoptr (GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr (GObject) plain = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (TestSource) a = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  g_autoptr (TestSource) b = test_source_new (syms_b, G_N_ELEMENTS (syms_b));
  g_autoptr (IptSymbolResolver) resolver = NULL;
  g_autoptr (IptSymbol) symbol = NULL;

  /* Priority order of the model: b before a. */
  g_list_store_append (store, plain);
  g_list_store_append (store, b);
  g_list_store_append (store, a);

  resolver = ipt_symbol_resolver_new_for_model (G_LIST_MODEL (store));
  g_assert_cmpuint (ipt_symbol_resolver_get_n_sources (resolver), ==, 2);
  g_assert_false (ipt_symbol_resolver_add (resolver, plain));
  g_assert_cmpuint (ipt_symbol_resolver_get_n_sources (resolver), ==, 2);

  symbol = ipt_symbol_resolver_lookup_symbol (resolver, NULL, 0x401041);
  g_assert_nonnull (symbol);
  g_assert_cmpstr (symbol->name, ==, "other_main");
  g_assert_cmphex (symbol->offset, ==, 0x41);

  /* A snapshot: emptying the model changes nothing, and the resolver
   * keeps its sources alive. */
  g_list_store_remove_all (store);
  g_clear_object (&b);
  g_clear_pointer (&symbol, ipt_symbol_free);
  symbol = ipt_symbol_resolver_lookup_symbol (resolver, NULL, 0x7f0000001000);
  g_assert_nonnull (symbol);
  g_assert_cmpstr (symbol->name, ==, "lib_func");
}

static gboolean
never_lookup (IptSymbolSource *source, const IptAsid *asid, guint64 address,
              const char **name, guint64 *start, guint64 *size)
{
  g_assert_not_reached ();
  return FALSE;
}

static void
test_resolver_resolves_vfunc_once (void)
{
  g_autoptr (TestSource) a = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  g_autoptr (IptSymbolResolver) resolver = ipt_symbol_resolver_new ();
  IptSymbolSourceInterface *iface;
  gboolean (*saved) (IptSymbolSource *, const IptAsid *, guint64, const char **,
                     guint64 *, guint64 *);
  const char *name = NULL;

  ipt_symbol_resolver_add (resolver, G_OBJECT (a));

  /* Replace the class's vfunc after the add: the resolver keeps calling the
   * function it resolved then, i.e. it does not look the interface up per
   * lookup. */
  iface = g_type_interface_peek (G_OBJECT_GET_CLASS (a), IPT_TYPE_SYMBOL_SOURCE);
  saved = iface->lookup;
  iface->lookup = never_lookup;
  g_assert_true (ipt_symbol_resolver_lookup (resolver, NULL, 0x401001, &name, NULL, NULL, NULL));
  iface->lookup = saved;
  g_assert_cmpstr (name, ==, "main");
}

static void
test_resolver_refcount_and_boxed (void)
{
  g_autoptr (TestSource) a = test_source_new (syms_a, G_N_ELEMENTS (syms_a));
  IptSymbolResolver *resolver = ipt_symbol_resolver_new ();
  IptSymbolResolver *ref;
  g_auto (GValue) value = G_VALUE_INIT;

  ipt_symbol_resolver_add (resolver, G_OBJECT (a));
  ref = ipt_symbol_resolver_ref (resolver);
  g_assert_true (ref == resolver);
  ipt_symbol_resolver_unref (resolver);

  g_value_init (&value, IPT_TYPE_SYMBOL_RESOLVER);
  g_value_set_boxed (&value, ref);
  g_assert_true (g_value_get_boxed (&value) == ref);
  ipt_symbol_resolver_unref (ref);

  /* Still alive through the GValue. */
  g_assert_true (ipt_symbol_resolver_lookup (g_value_get_boxed (&value), NULL, 0x401000,
                                             NULL, NULL, NULL, NULL));
}

static void
test_resolver_empty (void)
{
  g_autoptr (IptSymbolResolver) resolver = ipt_symbol_resolver_new ();

  g_assert_cmpuint (ipt_symbol_resolver_get_n_sources (resolver), ==, 0);
  g_assert_false (ipt_symbol_resolver_lookup (resolver, NULL, 0, NULL, NULL, NULL, NULL));
  g_assert_null (ipt_symbol_resolver_lookup_symbol (resolver, NULL, 0x401000));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/symbol-source/lookup/name-and-offset", test_lookup_name_and_offset);
  g_test_add_func ("/symbol-source/lookup/miss-leaves-outputs", test_lookup_miss_leaves_outputs);
  g_test_add_func ("/symbol-source/lookup/all-outputs-optional", test_lookup_all_outputs_optional);
  g_test_add_func ("/symbol-source/lookup/asid", test_lookup_asid);
  g_test_add_func ("/symbol-source/lookup/rejects-inconsistent-source",
                   test_lookup_rejects_inconsistent_source);
  g_test_add_func ("/symbol-source/lookup-symbol/boxed-copy", test_lookup_symbol_boxed);
  g_test_add_func ("/symbol-source/symbol/format", test_symbol_format);
  g_test_add_func ("/symbol-source/resolver/first-added-wins", test_resolver_priority);
  g_test_add_func ("/symbol-source/resolver/from-model-skips-non-sources",
                   test_resolver_from_model_skips_non_sources);
  g_test_add_func ("/symbol-source/resolver/resolves-vfunc-once", test_resolver_resolves_vfunc_once);
  g_test_add_func ("/symbol-source/resolver/refcount-and-boxed", test_resolver_refcount_and_boxed);
  g_test_add_func ("/symbol-source/resolver/empty", test_resolver_empty);

  return g_test_run ();
}
