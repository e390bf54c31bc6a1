/* test-plugin-options.c: option strings mapped onto provider properties through
 * their GParamSpecs, every error message, and plugin specifications. No module
 * is loaded: the plugins here are made from in-process test types. */
#include "config.h"

#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-plugin-private.h"

/* --- a provider with an option of every supported type ------------------ */

typedef enum {
  TEST_MODE_FAST,
  TEST_MODE_CAREFUL,
  TEST_MODE_EXHAUSTIVE,
} TestMode;

GType test_mode_get_type (void);
G_DEFINE_ENUM_TYPE (TestMode, test_mode,
                    G_DEFINE_ENUM_VALUE (TEST_MODE_FAST, "fast"),
                    G_DEFINE_ENUM_VALUE (TEST_MODE_CAREFUL, "careful"),
                    G_DEFINE_ENUM_VALUE (TEST_MODE_EXHAUSTIVE, "exhaustive"))

typedef enum {
  TEST_FEATURE_NONE = 0,
  TEST_FEATURE_READ = 1 << 0,
  TEST_FEATURE_WRITE = 1 << 1,
  TEST_FEATURE_EXEC = 1 << 2,
} TestFeatures;

GType test_features_get_type (void);
G_DEFINE_FLAGS_TYPE (TestFeatures, test_features,
                     G_DEFINE_ENUM_VALUE (TEST_FEATURE_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (TEST_FEATURE_READ, "read"),
                     G_DEFINE_ENUM_VALUE (TEST_FEATURE_WRITE, "write"),
                     G_DEFINE_ENUM_VALUE (TEST_FEATURE_EXEC, "exec"))

#define TEST_TYPE_ALL_TYPES (test_all_types_get_type ())
G_DECLARE_FINAL_TYPE (TestAllTypes, test_all_types, TEST, ALL_TYPES, GObject)

struct _TestAllTypes {
  GObject parent_instance;
  GValue values[32];
};

enum {
  P_0, P_FILE, P_COUNT, P_SMALL, P_OFFSET, P_BASE, P_LNG, P_ULNG, P_CH, P_UCH,
  P_VERBOSE, P_MODE, P_FEATURES, P_RATIO, P_SCALE, P_PATH_FILE, P_STRV,
  P_LABEL, P_TAG, N_P
};

static void test_all_types_iface_init (IptMemoryProviderInterface *iface);
static void test_all_types_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestAllTypes, test_all_types, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER, test_all_types_iface_init)
  G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_all_types_initable_iface_init))

static gssize
test_all_types_read (IptMemoryProvider *p, guint8 *b, gsize n, const IptAsid *a,
                     guint64 addr, GError **e)
{
  return 0;
}

static void
test_all_types_iface_init (IptMemoryProviderInterface *iface)
{
  iface->read = test_all_types_read;
}

static gboolean
test_all_types_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  TestAllTypes *self = TEST_ALL_TYPES (initable);

  if (g_strcmp0 (g_value_get_string (&self->values[P_FILE]), "fail") == 0)
    {
      g_set_error_literal (error, IPT_ERROR, IPT_ERROR_IO, "fail: cannot open");
      return FALSE;
    }
  if (g_strcmp0 (g_value_get_string (&self->values[P_FILE]), "fail-silently") == 0)
    return FALSE;
  return TRUE;
}

static void
test_all_types_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_all_types_initable_init;
}

static void
test_all_types_finalize (GObject *object)
{
  TestAllTypes *self = TEST_ALL_TYPES (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->values); i++)
    if (G_IS_VALUE (&self->values[i]))
      g_value_unset (&self->values[i]);
  G_OBJECT_CLASS (test_all_types_parent_class)->finalize (object);
}

static void
test_all_types_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  TestAllTypes *self = TEST_ALL_TYPES (object);

  if (G_IS_VALUE (&self->values[id]))
    g_value_copy (&self->values[id], value);
}

static void
test_all_types_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  TestAllTypes *self = TEST_ALL_TYPES (object);

  if (G_IS_VALUE (&self->values[id]))
    g_value_unset (&self->values[id]);
  g_value_init (&self->values[id], pspec->value_type);
  g_value_copy (value, &self->values[id]);
}

static void
test_all_types_class_init (TestAllTypesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags c = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;
  GParamSpec *props[N_P] = { NULL };

  object_class->finalize = test_all_types_finalize;
  object_class->get_property = test_all_types_get_property;
  object_class->set_property = test_all_types_set_property;

  props[P_FILE] = g_param_spec_string ("file", NULL, NULL, NULL, co);
  props[P_COUNT] = g_param_spec_int ("count", NULL, NULL, -5, 100, 0, c);
  props[P_SMALL] = g_param_spec_uint ("small", NULL, NULL, 1, 255, 1, co);
  props[P_OFFSET] = g_param_spec_int64 ("offset", NULL, NULL, G_MININT64, G_MAXINT64, 0, co);
  props[P_BASE] = g_param_spec_uint64 ("base", NULL, NULL, 0, G_MAXUINT64, 0, co);
  props[P_LNG] = g_param_spec_long ("lng", NULL, NULL, G_MINLONG, G_MAXLONG, 0, co);
  props[P_ULNG] = g_param_spec_ulong ("ulng", NULL, NULL, 0, G_MAXULONG, 0, co);
  props[P_CH] = g_param_spec_char ("ch", NULL, NULL, G_MININT8, G_MAXINT8, 0, co);
  props[P_UCH] = g_param_spec_uchar ("uch", NULL, NULL, 0, G_MAXUINT8, 0, co);
  props[P_VERBOSE] = g_param_spec_boolean ("verbose", NULL, NULL, FALSE, co);
  props[P_MODE] = g_param_spec_enum ("mode", NULL, NULL, test_mode_get_type (), TEST_MODE_FAST, co);
  props[P_FEATURES] = g_param_spec_flags ("features", NULL, NULL, test_features_get_type (), 0, co);
  props[P_RATIO] = g_param_spec_double ("ratio", NULL, NULL, 0.0, 1.0, 0.0, co);
  props[P_SCALE] = g_param_spec_float ("scale", NULL, NULL, -10.0f, 10.0f, 1.0f, co);
  props[P_PATH_FILE] = g_param_spec_object ("path-file", NULL, NULL, G_TYPE_FILE, co);
  props[P_STRV] = g_param_spec_boxed ("strv", NULL, NULL, G_TYPE_STRV, co);
  props[P_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL,
                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[P_TAG] = g_param_spec_string ("tag", NULL, NULL, NULL,
                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_P, props);
}

static void
test_all_types_init (TestAllTypes *self)
{
}

/* --- a provider with exactly the raw plugin's options -------------------- */

#define TEST_TYPE_RAW_LIKE (test_raw_like_get_type ())
G_DECLARE_FINAL_TYPE (TestRawLike, test_raw_like, TEST, RAW_LIKE, GObject)

struct _TestRawLike {
  GObject parent_instance;
};

static void test_raw_like_iface_init (IptMemoryProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestRawLike, test_raw_like, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER, test_raw_like_iface_init))

static void
test_raw_like_iface_init (IptMemoryProviderInterface *iface)
{
  iface->read = test_all_types_read;
}

static void
test_raw_like_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
}

static void
test_raw_like_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
}

static void
test_raw_like_class_init (TestRawLikeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->set_property = test_raw_like_set_property;
  object_class->get_property = test_raw_like_get_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_string ("file", NULL, NULL, NULL, co));
  g_object_class_install_property (object_class, 2,
    g_param_spec_uint64 ("base", NULL, NULL, 0, G_MAXUINT64, 0, co));
  g_object_class_install_property (object_class, 3,
    g_param_spec_uint64 ("offset", NULL, NULL, 0, G_MAXUINT64, 0, co));
  g_object_class_install_property (object_class, 4,
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, co));
}

static void
test_raw_like_init (TestRawLike *self)
{
}

/* --- helpers -------------------------------------------------------------- */

static const IptPluginInfo all_types_info = {
  IPT_PLUGIN_ABI_VERSION, "alltypes", "0.1", "every option type", test_all_types_get_type, { NULL }
};

static const IptPluginInfo raw_like_info = {
  IPT_PLUGIN_ABI_VERSION, "raw", "0.1", "raw-like options", test_raw_like_get_type, { NULL }
};

static IptPlugin *
new_plugin (const IptPluginInfo *info)
{
  return ipt_plugin_new_internal (NULL, info, info->get_provider_type (), "/nowhere/test.so");
}

/* Builds a provider from @options and returns it, asserting success. */
static GObject *
provider_from (const char *options)
{
  g_autoptr(IptPlugin) plugin = new_plugin (&all_types_info);
  g_autoptr(GError) error = NULL;
  IptMemoryProvider *provider;

  provider = ipt_plugin_new_provider (plugin, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (TEST_IS_ALL_TYPES (provider));
  return G_OBJECT (provider);
}

/* Asserts that @options fail on plugin @info with @code and exactly @message. */
static void
assert_options_error (const IptPluginInfo *info, const char *options, int code,
                      const char *message)
{
  g_autoptr(IptPlugin) plugin = new_plugin (info);
  g_autoptr(GError) error = NULL;
  IptMemoryProvider *provider;

  provider = ipt_plugin_new_provider (plugin, options, NULL, &error);
  g_assert_null (provider);
  g_assert_error (error, IPT_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_list_construct_properties (void)
{
  g_autoptr(IptPlugin) plugin = new_plugin (&all_types_info);
  g_autofree GParamSpec **options = NULL;
  const char *expected[] = { "file", "count", "small", "offset", "base", "lng", "ulng", "ch",
                             "uch", "verbose", "mode", "features", "ratio", "scale",
                             "path-file", "strv" };
  guint n = 0;

  options = ipt_plugin_list_options (plugin, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (options[i]->name, ==, expected[i]);
  g_assert_null (options[n]);

  g_assert_cmpstr (ipt_plugin_get_name (plugin), ==, "alltypes");
  g_assert_cmpstr (ipt_plugin_get_version (plugin), ==, "0.1");
  g_assert_cmpstr (ipt_plugin_get_description (plugin), ==, "every option type");
  g_assert_cmpstr (ipt_plugin_get_path (plugin), ==, "/nowhere/test.so");
  g_assert_true (ipt_plugin_get_provider_type (plugin) == TEST_TYPE_ALL_TYPES);
}

static void
test_integers_decimal_and_hex (void)
{
  g_autoptr(GObject) p = provider_from ("count=-5,small=0xfF,offset=-9223372036854775808,"
                                        "base=0xffffffffffffffff,lng=-0x10,ulng=010,ch=-128,uch=0X80");
  gint count;
  guint small;
  gint64 offset;
  guint64 base;
  glong lng;
  gulong ulng;
  gint8 ch;
  guchar uch;

  g_object_get (p, "count", &count, "small", &small, "offset", &offset, "base", &base,
                "lng", &lng, "ulng", &ulng, "ch", &ch, "uch", &uch, NULL);
  g_assert_cmpint (count, ==, -5);
  g_assert_cmpuint (small, ==, 255);
  g_assert_cmpint (offset, ==, G_MININT64);
  g_assert_cmpuint (base, ==, G_MAXUINT64);
  g_assert_cmpint (lng, ==, -16);
  g_assert_cmpuint (ulng, ==, 10);  /* decimal, never octal */
  g_assert_cmpint (ch, ==, -128);
  g_assert_cmpuint (uch, ==, 0x80);
}

static void
test_integer_errors (void)
{
  const IptPluginInfo *i = &all_types_info;
  int inval = IPT_ERROR_BAD_OPTION;

  assert_options_error (i, "count=101", inval,
                        "plugin 'alltypes': option 'count': '101' is out of range (-5 to 100)");
  assert_options_error (i, "count=-6", inval,
                        "plugin 'alltypes': option 'count': '-6' is out of range (-5 to 100)");
  assert_options_error (i, "small=0", inval,
                        "plugin 'alltypes': option 'small': '0' is out of range (1 to 255)");
  assert_options_error (i, "small=-1", inval,
                        "plugin 'alltypes': option 'small': '-1' is not an unsigned integer");
  assert_options_error (i, "base=0x10000000000000000", inval,
                        "plugin 'alltypes': option 'base': '0x10000000000000000' is out of range "
                        "(0 to 18446744073709551615)");
  assert_options_error (i, "base=18446744073709551616", inval,
                        "plugin 'alltypes': option 'base': '18446744073709551616' is out of range "
                        "(0 to 18446744073709551615)");
  assert_options_error (i, "offset=9223372036854775808", inval,
                        "plugin 'alltypes': option 'offset': '9223372036854775808' is out of range "
                        "(-9223372036854775808 to 9223372036854775807)");
  assert_options_error (i, "offset=-9223372036854775809", inval,
                        "plugin 'alltypes': option 'offset': '-9223372036854775809' is out of range "
                        "(-9223372036854775808 to 9223372036854775807)");
  assert_options_error (i, "base=12abc", inval,
                        "plugin 'alltypes': option 'base': '12abc' is not an unsigned integer");
  assert_options_error (i, "base=0x", inval,
                        "plugin 'alltypes': option 'base': '0x' is not an unsigned integer");
  assert_options_error (i, "base=", inval,
                        "plugin 'alltypes': option 'base': '' is not an unsigned integer");
  assert_options_error (i, "base= 1", inval,
                        "plugin 'alltypes': option 'base': ' 1' is not an unsigned integer");
  assert_options_error (i, "base=+1", inval,
                        "plugin 'alltypes': option 'base': '+1' is not an unsigned integer");
  assert_options_error (i, "count=1.5", inval,
                        "plugin 'alltypes': option 'count': '1.5' is not an integer");
  assert_options_error (i, "count=-", inval,
                        "plugin 'alltypes': option 'count': '-' is not an integer");
  assert_options_error (i, "ch=128", inval,
                        "plugin 'alltypes': option 'ch': '128' is out of range (-128 to 127)");
}

static void
test_raw_like_messages (void)
{
  assert_options_error (&raw_like_info, "bsae=0x1000", IPT_ERROR_BAD_OPTION,
                        "plugin 'raw': unknown option 'bsae' (options: file, base, offset, size)");
  assert_options_error (&raw_like_info, "file=x,base=0xzz", IPT_ERROR_BAD_OPTION,
                        "plugin 'raw': option 'base': '0xzz' is not an unsigned integer");
}

/* A 100 KB value was quoted whole; bytes that are not UTF-8 went into the
 * message as they were (GError messages are UTF-8: bindings decode them). */
static void
test_echoed_values_cut_and_escaped (void)
{
  g_autofree char *huge = g_strnfill (100 * 1024, '7');
  g_autofree char *first = g_strnfill (64, '7');
  g_autofree char *value = g_strdup_printf ("file=x,base=0x%s", huge);
  g_autofree char *key = g_strdup_printf ("%s=1", huge);
  g_autofree char *no_name = g_strdup_printf ("=%s", huge);
  g_autofree char *want = NULL;

  want = g_strdup_printf ("plugin 'raw': option 'base': '0x%.62s…' is out of range (0 to"
                          " 18446744073709551615)", huge);
  assert_options_error (&raw_like_info, value, IPT_ERROR_BAD_OPTION, want);
  g_free (want);
  want = g_strdup_printf ("plugin 'raw': unknown option '%s…' (options: file, base, offset, size)",
                          first);
  assert_options_error (&raw_like_info, key, IPT_ERROR_BAD_OPTION, want);
  g_free (want);
  want = g_strdup_printf ("plugin 'raw': option '=%.63s…' has no name (expected KEY=VALUE)", huge);
  assert_options_error (&raw_like_info, no_name, IPT_ERROR_BAD_OPTION, want);

  assert_options_error (&raw_like_info, "file=x,base=/tmp/a\xff" "b\n", IPT_ERROR_BAD_OPTION,
                        "plugin 'raw': option 'base': '/tmp/a\\xffb\\x0a' is not an unsigned"
                        " integer");
  assert_options_error (&all_types_info, "mode=\xc3\xa9t\xe9", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'mode': '\xc3\xa9t\\xe9' is not one of:"
                        " fast, careful, exhaustive");
}

static void
test_booleans (void)
{
  const char *yes[] = { "true", "TRUE", "yes", "Yes", "on", "1" };
  const char *no[] = { "false", "False", "no", "NO", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      g_autofree char *t = g_strdup_printf ("verbose=%s", yes[i]);
      g_autofree char *f = g_strdup_printf ("verbose=%s", no[i]);
      g_autoptr(GObject) pt = provider_from (t);
      g_autoptr(GObject) pf = provider_from (f);
      gboolean vt = FALSE, vf = TRUE;

      g_object_get (pt, "verbose", &vt, NULL);
      g_object_get (pf, "verbose", &vf, NULL);
      g_assert_true (vt);
      g_assert_false (vf);
    }

  assert_options_error (&all_types_info, "verbose=maybe", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'verbose': 'maybe' is not a boolean "
                        "(true/false, yes/no, on/off, 1/0)");
}

static void
test_enums_and_flags (void)
{
  g_autoptr(GObject) by_nick = provider_from ("mode=careful,features=read|exec");
  g_autoptr(GObject) by_name = provider_from ("mode=TEST_MODE_EXHAUSTIVE,features=TEST_FEATURE_WRITE");
  g_autoptr(GObject) no_flags = provider_from ("features=");
  TestMode mode;
  TestFeatures features;

  g_object_get (by_nick, "mode", &mode, "features", &features, NULL);
  g_assert_cmpint (mode, ==, TEST_MODE_CAREFUL);
  g_assert_cmpint (features, ==, TEST_FEATURE_READ | TEST_FEATURE_EXEC);
  g_object_get (by_name, "mode", &mode, "features", &features, NULL);
  g_assert_cmpint (mode, ==, TEST_MODE_EXHAUSTIVE);
  g_assert_cmpint (features, ==, TEST_FEATURE_WRITE);
  g_object_get (no_flags, "features", &features, NULL);
  g_assert_cmpint (features, ==, 0);

  assert_options_error (&all_types_info, "mode=quick", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'mode': 'quick' is not one of: "
                        "fast, careful, exhaustive");
  assert_options_error (&all_types_info, "features=read|", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'features': '' is not one of: "
                        "none, read, write, exec (join several with '|')");
}

static void
test_floating_point (void)
{
  g_autoptr(GObject) p = provider_from ("ratio=0.25,scale=-1e1");
  double ratio;
  float scale;

  g_object_get (p, "ratio", &ratio, "scale", &scale, NULL);
  g_assert_cmpfloat (ratio, ==, 0.25);
  g_assert_cmpfloat (scale, ==, -10.0f);

  assert_options_error (&all_types_info, "ratio=nan", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'ratio': 'nan' is not a number");
  assert_options_error (&all_types_info, "ratio=0.5x", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'ratio': '0.5x' is not a number");
  assert_options_error (&all_types_info, "ratio=2", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'ratio': '2' is out of range (0 to 1)");
  assert_options_error (&all_types_info, "scale=1e300", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'scale': '1e300' is out of range (-10 to 10)");
}

static void
test_strings_escapes_and_files (void)
{
  g_autoptr(GObject) p = provider_from ("file=/a\\,b/c\\\\d=e:f,path-file=/tmp/x\\,y");
  g_autoptr(GObject) empty = provider_from ("file=");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) gfile = NULL;

  g_object_get (p, "file", &file, "path-file", &gfile, NULL);
  g_assert_cmpstr (file, ==, "/a,b/c\\d=e:f");
  path = g_file_get_path (gfile);
  g_assert_cmpstr (path, ==, "/tmp/x,y");

  g_clear_pointer (&file, g_free);
  g_object_get (empty, "file", &file, NULL);
  g_assert_cmpstr (file, ==, "");

  assert_options_error (&all_types_info, "file=a\\qb", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'file': invalid escape in value "
                        "(write '\\,' for a comma and '\\\\' for a backslash)");
  assert_options_error (&all_types_info, "file=a\\", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'file': invalid escape in value "
                        "(write '\\,' for a comma and '\\\\' for a backslash)");
  assert_options_error (&all_types_info, "path-file=", IPT_ERROR_BAD_OPTION,
                        "plugin 'alltypes': option 'path-file': an empty path is not a file");
  assert_options_error (&all_types_info, "strv=a", IPT_ERROR_NOT_SUPPORTED,
                        "plugin 'alltypes': option 'strv': a value of type GStrv cannot be "
                        "given as text");
}

static void
test_syntax_errors (void)
{
  const IptPluginInfo *i = &all_types_info;
  int inval = IPT_ERROR_BAD_OPTION;

  assert_options_error (i, "count=1,count=2", inval,
                        "plugin 'alltypes': option 'count' is given twice");
  assert_options_error (i, "path_file=/a,path-file=/b", inval,
                        "plugin 'alltypes': option 'path-file' is given twice");
  assert_options_error (i, "=5", inval,
                        "plugin 'alltypes': option '=5' has no name (expected KEY=VALUE)");
  assert_options_error (i, "count", inval,
                        "plugin 'alltypes': option 'count' has no value (expected KEY=VALUE)");
  assert_options_error (i, "count=1,,small=2", inval,
                        "plugin 'alltypes': empty option (two commas in a row, or a comma at an end)");
  assert_options_error (i, "count=1,", inval,
                        "plugin 'alltypes': empty option (two commas in a row, or a comma at an end)");
  assert_options_error (i, ",count=1", inval,
                        "plugin 'alltypes': empty option (two commas in a row, or a comma at an end)");
  /* Not options: read-only, and writable but not construct. */
  assert_options_error (i, "label=x", inval,
                        "plugin 'alltypes': unknown option 'label' (options: file, count, small, "
                        "offset, base, lng, ulng, ch, uch, verbose, mode, features, ratio, scale, "
                        "path-file, strv)");
  assert_options_error (i, "tag=x", inval,
                        "plugin 'alltypes': unknown option 'tag' (options: file, count, small, "
                        "offset, base, lng, ulng, ch, uch, verbose, mode, features, ratio, scale, "
                        "path-file, strv)");
}

static void
test_no_options_and_underscores (void)
{
  g_autoptr(GObject) none = provider_from (NULL);
  g_autoptr(GObject) empty = provider_from ("");
  g_autoptr(GObject) underscore = provider_from ("path_file=/x");
  g_autoptr(GFile) file = NULL;
  gint count = -1;

  g_object_get (none, "count", &count, NULL);
  g_assert_cmpint (count, ==, 0);
  g_object_get (underscore, "path-file", &file, NULL);
  g_assert_nonnull (file);
}

static void
test_initable_failure_is_prefixed (void)
{
  g_autoptr(IptPlugin) plugin = new_plugin (&all_types_info);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) silent = NULL;

  g_assert_null (ipt_plugin_new_provider (plugin, "file=fail", NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_IO);
  g_assert_cmpstr (error->message, ==, "fail: cannot open");

  g_assert_null (ipt_plugin_new_provider (plugin, "file=fail-silently", NULL, &silent));
  g_assert_error (silent, IPT_ERROR, IPT_ERROR_FAILED);
  g_assert_cmpstr (silent->message, ==, "alltypes: the provider failed without saying why");
}

static void
test_with_properties (void)
{
  g_autoptr(IptPlugin) plugin = new_plugin (&all_types_info);
  g_autoptr(IptMemoryProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  const char *names[2] = { "offset", "mode" };
  gint64 offset = 0;
  TestMode mode = TEST_MODE_FAST;

  /* A gint is transformable into the gint64 option. */
  g_value_init (&values[0], G_TYPE_INT);
  g_value_set_int (&values[0], -42);
  g_value_init (&values[1], test_mode_get_type ());
  g_value_set_enum (&values[1], TEST_MODE_CAREFUL);

  provider = ipt_plugin_new_provider_with_properties (plugin, 2, names, values, NULL, &error);
  g_assert_no_error (error);
  g_object_get (provider, "offset", &offset, "mode", &mode, NULL);
  g_assert_cmpint (offset, ==, -42);
  g_assert_cmpint (mode, ==, TEST_MODE_CAREFUL);

  names[1] = "label";
  g_assert_null (ipt_plugin_new_provider_with_properties (plugin, 2, names, values, NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_cmpstr (error->message, ==, "plugin 'alltypes': unknown option 'label'");
  g_clear_error (&error);

  names[1] = "offset";
  g_assert_null (ipt_plugin_new_provider_with_properties (plugin, 2, names, values, NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_cmpstr (error->message, ==, "plugin 'alltypes': option 'offset' is given twice");
  g_clear_error (&error);

  names[0] = "path-file";
  g_assert_null (ipt_plugin_new_provider_with_properties (plugin, 1, names, values, NULL, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_cmpstr (error->message, ==, "plugin 'alltypes': option 'path-file' needs a GFile, not a gint");

  g_value_unset (&values[0]);
  g_value_unset (&values[1]);
}

static void
test_spec_split (void)
{
  g_autoptr(GError) error = NULL;
  char *name = NULL, *options = NULL;

  g_assert_true (ipt_plugin_spec_split ("raw", &name, &options, &error));
  g_assert_cmpstr (name, ==, "raw");
  g_assert_cmpstr (options, ==, "");
  g_clear_pointer (&name, g_free);
  g_clear_pointer (&options, g_free);

  g_assert_true (ipt_plugin_spec_split ("raw:file=C:\\,x,base=1", &name, &options, &error));
  g_assert_cmpstr (name, ==, "raw");
  g_assert_cmpstr (options, ==, "file=C:\\,x,base=1");
  g_clear_pointer (&name, g_free);
  g_clear_pointer (&options, g_free);

  g_assert_true (ipt_plugin_spec_split ("raw:", &name, &options, &error));
  g_assert_cmpstr (options, ==, "");
  g_clear_pointer (&name, g_free);
  g_clear_pointer (&options, g_free);

  g_assert_false (ipt_plugin_spec_split (":file=x", &name, &options, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_cmpstr (error->message, ==, "plugin specification ':file=x' has no plugin name "
                                       "(expected NAME[:KEY=VALUE,...])");
  g_clear_error (&error);
  g_assert_false (ipt_plugin_spec_split ("", &name, &options, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_null (name);
  g_assert_null (options);
}

static void
test_name_validity (void)
{
  g_assert_true (ipt_plugin_name_is_valid ("raw"));
  g_assert_true (ipt_plugin_name_is_valid ("page-dump_2"));
  g_assert_false (ipt_plugin_name_is_valid (""));
  g_assert_false (ipt_plugin_name_is_valid (NULL));
  g_assert_false (ipt_plugin_name_is_valid ("Raw"));
  g_assert_false (ipt_plugin_name_is_valid ("2raw"));
  g_assert_false (ipt_plugin_name_is_valid ("raw:x"));
  g_assert_false (ipt_plugin_name_is_valid ("raw,x"));
  g_assert_false (ipt_plugin_name_is_valid ("r w"));
}

static void
test_value_parser_leaves_value_unset_on_error (void)
{
  g_autoptr(GParamSpec) pspec = g_param_spec_ref_sink (
    g_param_spec_uint ("n", NULL, NULL, 0, 10, 0, G_PARAM_READWRITE));
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;

  g_assert_false (ipt_plugin_option_value_parse (pspec, "11", &value, &error));
  g_assert_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION);
  g_assert_false (G_IS_VALUE (&value));
  g_clear_error (&error);

  g_assert_true (ipt_plugin_option_value_parse (pspec, "0xA", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_value_get_uint (&value), ==, 10);
  g_value_unset (&value);
}

/* Which options a form shows as file choosers: GFile properties, and
 * strings marked with ipt_option_set_filename(), nothing else. */
static void
test_filename_mark (void)
{
  GParamSpec *plain = g_param_spec_ref_sink (g_param_spec_string ("name", "Name", "A name", NULL,
                                                                  G_PARAM_READWRITE));
  GParamSpec *file = g_param_spec_ref_sink (g_param_spec_string ("file", "File", "A file", NULL,
                                                                 G_PARAM_READWRITE));
  GParamSpec *gfile = g_param_spec_ref_sink (g_param_spec_object ("path", "Path", "A GFile",
                                                                  G_TYPE_FILE, G_PARAM_READWRITE));
  GParamSpec *number = g_param_spec_ref_sink (g_param_spec_uint64 ("base", "Base", "An address",
                                                                   0, G_MAXUINT64, 0,
                                                                   G_PARAM_READWRITE));

  ipt_option_set_filename (file);
  g_assert_false (ipt_option_is_filename (plain));
  g_assert_true (ipt_option_is_filename (file));
  g_assert_true (ipt_option_is_filename (gfile));
  g_assert_false (ipt_option_is_filename (number));
  g_param_spec_unref (plain);
  g_param_spec_unref (file);
  g_param_spec_unref (gfile);
  g_param_spec_unref (number);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin/options/list-is-construct-properties-in-order", test_list_construct_properties);
  g_test_add_func ("/plugin/options/integers/decimal-and-hex", test_integers_decimal_and_hex);
  g_test_add_func ("/plugin/options/integers/errors", test_integer_errors);
  g_test_add_func ("/plugin/options/messages-name-plugin-and-key", test_raw_like_messages);
  g_test_add_func ("/plugin/options/echoed-values-cut-and-escaped",
                   test_echoed_values_cut_and_escaped);
  g_test_add_func ("/plugin/options/booleans", test_booleans);
  g_test_add_func ("/plugin/options/enums-and-flags", test_enums_and_flags);
  g_test_add_func ("/plugin/options/floating-point", test_floating_point);
  g_test_add_func ("/plugin/options/strings-escapes-and-files", test_strings_escapes_and_files);
  g_test_add_func ("/plugin/options/syntax-errors", test_syntax_errors);
  g_test_add_func ("/plugin/options/none-and-underscores", test_no_options_and_underscores);
  g_test_add_func ("/plugin/options/initable-failure-is-prefixed", test_initable_failure_is_prefixed);
  g_test_add_func ("/plugin/options/with-properties", test_with_properties);
  g_test_add_func ("/plugin/spec/split", test_spec_split);
  g_test_add_func ("/plugin/spec/name-validity", test_name_validity);
  g_test_add_func ("/plugin/options/value-unset-on-error", test_value_parser_leaves_value_unset_on_error);
  g_test_add_func ("/plugin/options/filename-mark", test_filename_mark);

  return g_test_run ();
}
