/* variant-plugin.c: one minimal plugin, built several times with a different
 * VARIANT_* define, each time broken in one way (as libpeas ships
 * not-loadable, missing-symbol and invalid loaders). VARIANT_OTHER is a
 * valid second plugin, "testother". Every variant defines its own type names,
 * since all of them may be loaded into one test process. */
#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

/* A provider that maps nothing. */
#define DEFINE_PROVIDER(TypeName, type_name, flags_macro)                            \
  typedef struct { GObject parent_instance; } TypeName;                              \
  typedef struct { GObjectClass parent_class; } TypeName##Class;                     \
  static GType type_name##_get_type (void);                                          \
  static gssize type_name##_read (IptMemoryProvider *p, guint8 *b, gsize n,          \
                                  const IptAsid *a, guint64 addr, GError **e)        \
  { return 0; }                                                                      \
  static void type_name##_iface_init (IptMemoryProviderInterface *iface)             \
  { iface->read = type_name##_read; }                                                \
  flags_macro (TypeName, type_name, G_TYPE_OBJECT,                                   \
               G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER, type_name##_iface_init)) \
  static void type_name##_class_init (TypeName##Class *klass) { }                    \
  static void type_name##_init (TypeName *self) { }

#if defined(VARIANT_MISSING_SYMBOL)

/* Exports nothing: no ipt_plugin_query. */
int ipt_test_missing_symbol_dummy (void);
int ipt_test_missing_symbol_dummy (void) { return 0; }

#elif defined(VARIANT_RETURNS_NULL)

G_MODULE_EXPORT const IptPluginInfo *ipt_plugin_query (void);
G_MODULE_EXPORT const IptPluginInfo *
ipt_plugin_query (void)
{
  return NULL;
}

#elif defined(VARIANT_WRONG_ABI)

static GType
ipt_test_never_called_get_type (void)
{
  g_error ("the registry called into a plugin of another ABI");
  return G_TYPE_INVALID;
}

G_MODULE_EXPORT const IptPluginInfo *ipt_plugin_query (void);
G_MODULE_EXPORT const IptPluginInfo *
ipt_plugin_query (void)
{
  static const IptPluginInfo info = {
    999, "testwrongabi", "1", "built for another ABI", ipt_test_never_called_get_type, { NULL }
  };
  return &info;
}

#elif defined(VARIANT_BAD_NAME)

DEFINE_PROVIDER (IptTestBadNameProvider, ipt_test_bad_name_provider, G_DEFINE_TYPE_WITH_CODE)
IPT_PLUGIN_DEFINE ("Bad:Name", "a name that a specification cannot spell",
                   ipt_test_bad_name_provider_get_type)

#elif defined(VARIANT_BAD_TYPE)

static GType
ipt_test_failed_registration_get_type (void)
{
  return G_TYPE_INVALID;
}
IPT_PLUGIN_DEFINE ("testbadtype", "type registration fails",
                   ipt_test_failed_registration_get_type)

#elif defined(VARIANT_NOT_A_PROVIDER)

typedef struct { GObject parent_instance; } IptTestNotAProvider;
typedef struct { GObjectClass parent_class; } IptTestNotAProviderClass;
static GType ipt_test_not_a_provider_get_type (void);
G_DEFINE_TYPE (IptTestNotAProvider, ipt_test_not_a_provider, G_TYPE_OBJECT)
static void ipt_test_not_a_provider_class_init (IptTestNotAProviderClass *klass) { }
static void ipt_test_not_a_provider_init (IptTestNotAProvider *self) { }
IPT_PLUGIN_DEFINE ("testnotaprovider", "a GObject without IptMemoryProvider",
                   ipt_test_not_a_provider_get_type)

#elif defined(VARIANT_ABSTRACT_TYPE)

DEFINE_PROVIDER (IptTestAbstractProvider, ipt_test_abstract_provider, G_DEFINE_ABSTRACT_TYPE_WITH_CODE)
IPT_PLUGIN_DEFINE ("testabstract", "an abstract provider type",
                   ipt_test_abstract_provider_get_type)

#elif defined(VARIANT_DUPLICATE_NAME)

DEFINE_PROVIDER (IptTestDuplicateProvider, ipt_test_duplicate_provider, G_DEFINE_TYPE_WITH_CODE)
IPT_PLUGIN_DEFINE ("testgood", "a second plugin called testgood",
                   ipt_test_duplicate_provider_get_type)

#elif defined(VARIANT_OTHER)

DEFINE_PROVIDER (IptTestOtherProvider, ipt_test_other_provider, G_DEFINE_TYPE_WITH_CODE)
IPT_PLUGIN_DEFINE ("testother", "a valid plugin without options",
                   ipt_test_other_provider_get_type)

#else
#error "define one VARIANT_*"
#endif
