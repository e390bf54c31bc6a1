/* good-plugin.c: a valid test plugin, "testgood", whose provider has options
 * of several types (string, guint64, gint, boolean, enum, double), one
 * read-only and one non-construct property that must not be options, and a
 * GInitable init that fails on request. It serves `count` bytes at `base`,
 * byte i being (i & 0xff). */
/* Before the header, which otherwise defaults it to the library's version. */
#define IPT_PLUGIN_VERSION "1.2.3"

#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

typedef enum {
  IPT_TEST_GOOD_MODE_FAST,
  IPT_TEST_GOOD_MODE_CAREFUL,
} IptTestGoodMode;

static GType ipt_test_good_mode_get_type (void);
G_DEFINE_ENUM_TYPE (IptTestGoodMode, ipt_test_good_mode,
                    G_DEFINE_ENUM_VALUE (IPT_TEST_GOOD_MODE_FAST, "fast"),
                    G_DEFINE_ENUM_VALUE (IPT_TEST_GOOD_MODE_CAREFUL, "careful"))

#define IPT_TEST_TYPE_GOOD_PROVIDER (ipt_test_good_provider_get_type ())
G_DECLARE_FINAL_TYPE (IptTestGoodProvider, ipt_test_good_provider, IPT_TEST, GOOD_PROVIDER, GObject)

struct _IptTestGoodProvider {
  GObject parent_instance;
  char *file;
  guint64 base;
  int count;
  gboolean verbose;
  IptTestGoodMode mode;
  double ratio;
  char *tag;
};

enum { PROP_0, PROP_FILE, PROP_BASE, PROP_COUNT, PROP_VERBOSE, PROP_MODE, PROP_RATIO,
       PROP_LABEL, PROP_TAG, N_PROPS };

static void ipt_test_good_provider_initable_iface_init (GInitableIface *iface);
static void ipt_test_good_provider_provider_iface_init (IptMemoryProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptTestGoodProvider, ipt_test_good_provider, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, ipt_test_good_provider_initable_iface_init)
  G_IMPLEMENT_INTERFACE (IPT_TYPE_MEMORY_PROVIDER, ipt_test_good_provider_provider_iface_init))

static gboolean
ipt_test_good_provider_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  IptTestGoodProvider *self = IPT_TEST_GOOD_PROVIDER (initable);

  if (self->file == NULL)
    {
      g_set_error_literal (error, IPT_ERROR, IPT_ERROR_BAD_OPTION, "testgood: option 'file' is required");
      return FALSE;
    }
  if (g_str_equal (self->file, "fail"))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "testgood: %s: cannot open (asked to fail)", self->file);
      return FALSE;
    }
  return TRUE;
}

static void
ipt_test_good_provider_initable_iface_init (GInitableIface *iface)
{
  iface->init = ipt_test_good_provider_initable_init;
}

static gssize
ipt_test_good_provider_read (IptMemoryProvider *provider, guint8 *buffer, gsize size,
                             const IptAsid *asid, guint64 address, GError **error)
{
  IptTestGoodProvider *self = IPT_TEST_GOOD_PROVIDER (provider);
  gsize n;

  if (address < self->base || address - self->base >= (guint64) self->count)
    return 0;
  n = MIN (size, (gsize) ((guint64) self->count - (address - self->base)));
  for (gsize i = 0; i < n; i++)
    buffer[i] = (guint8) ((address - self->base + i) & 0xff);
  return (gssize) n;
}

static void
ipt_test_good_provider_provider_iface_init (IptMemoryProviderInterface *iface)
{
  iface->read = ipt_test_good_provider_read;
}

static void
ipt_test_good_provider_finalize (GObject *object)
{
  IptTestGoodProvider *self = IPT_TEST_GOOD_PROVIDER (object);

  g_free (self->file);
  g_free (self->tag);
  G_OBJECT_CLASS (ipt_test_good_provider_parent_class)->finalize (object);
}

static void
ipt_test_good_provider_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IptTestGoodProvider *self = IPT_TEST_GOOD_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_FILE: g_value_set_string (value, self->file); break;
    case PROP_BASE: g_value_set_uint64 (value, self->base); break;
    case PROP_COUNT: g_value_set_int (value, self->count); break;
    case PROP_VERBOSE: g_value_set_boolean (value, self->verbose); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    case PROP_RATIO: g_value_set_double (value, self->ratio); break;
    case PROP_LABEL: g_value_set_string (value, "testgood"); break;
    case PROP_TAG: g_value_set_string (value, self->tag); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_test_good_provider_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IptTestGoodProvider *self = IPT_TEST_GOOD_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_FILE: g_free (self->file); self->file = g_value_dup_string (value); break;
    case PROP_BASE: self->base = g_value_get_uint64 (value); break;
    case PROP_COUNT: self->count = g_value_get_int (value); break;
    case PROP_VERBOSE: self->verbose = g_value_get_boolean (value); break;
    case PROP_MODE: self->mode = g_value_get_enum (value); break;
    case PROP_RATIO: self->ratio = g_value_get_double (value); break;
    case PROP_TAG: g_free (self->tag); self->tag = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ipt_test_good_provider_class_init (IptTestGoodProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamSpec *props[N_PROPS] = { NULL };

  object_class->finalize = ipt_test_good_provider_finalize;
  object_class->get_property = ipt_test_good_provider_get_property;
  object_class->set_property = ipt_test_good_provider_set_property;

  props[PROP_FILE] = g_param_spec_string ("file", "File", "A path", NULL, co);
  props[PROP_BASE] = g_param_spec_uint64 ("base", "Base", "Load address", 0, G_MAXUINT64, 0, co);
  props[PROP_COUNT] = g_param_spec_int ("count", "Count", "Bytes served", -5, 100, 16,
                                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  props[PROP_VERBOSE] = g_param_spec_boolean ("verbose", "Verbose", "Say more", FALSE, co);
  props[PROP_MODE] = g_param_spec_enum ("mode", "Mode", "How", ipt_test_good_mode_get_type (),
                                        IPT_TEST_GOOD_MODE_FAST, co);
  props[PROP_RATIO] = g_param_spec_double ("ratio", "Ratio", "A fraction", 0.0, 1.0, 0.5, co);
  props[PROP_LABEL] = g_param_spec_string ("label", "Label", "Read-only: not an option", NULL,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_TAG] = g_param_spec_string ("tag", "Tag", "Not construct: not an option", NULL,
                                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ipt_test_good_provider_init (IptTestGoodProvider *self)
{
}

IPT_PLUGIN_DEFINE ("testgood", "A good plugin for the registry tests",
                   ipt_test_good_provider_get_type)
