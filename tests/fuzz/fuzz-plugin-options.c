/* fuzz-plugin-options.c: libFuzzer harness for the plugin specification and
 * option-string parsers (core/ipt-plugin-options.c), which read untrusted
 * command-line text. The input is split as "NAME[:OPTIONS]" and parsed against
 * a set of pspecs of every supported type, parsed as options directly, and
 * parsed as a single value of each type. Parsed integers must print back to
 * the same value. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-plugin-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GParamSpec **pspecs;
static guint n_pspecs;

static void
init_pspecs (void)
{
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY;
  GParamSpec *all[] = {
    g_param_spec_string ("file", NULL, NULL, NULL, co),
    g_param_spec_int ("count", NULL, NULL, -5, 100, 0, co),
    g_param_spec_uint ("small", NULL, NULL, 1, 255, 1, co),
    g_param_spec_int64 ("offset", NULL, NULL, G_MININT64, G_MAXINT64, 0, co),
    g_param_spec_uint64 ("base", NULL, NULL, 0, G_MAXUINT64, 0, co),
    g_param_spec_long ("lng", NULL, NULL, G_MINLONG, G_MAXLONG, 0, co),
    g_param_spec_ulong ("ulng", NULL, NULL, 0, G_MAXULONG, 0, co),
    g_param_spec_char ("ch", NULL, NULL, G_MININT8, G_MAXINT8, 0, co),
    g_param_spec_uchar ("uch", NULL, NULL, 0, G_MAXUINT8, 0, co),
    g_param_spec_boolean ("verbose", NULL, NULL, FALSE, co),
    g_param_spec_enum ("mode", NULL, NULL, G_TYPE_FILE_TYPE, G_FILE_TYPE_UNKNOWN, co),
    g_param_spec_flags ("features", NULL, NULL, G_TYPE_FILE_QUERY_INFO_FLAGS, 0, co),
    g_param_spec_double ("ratio", NULL, NULL, 0.0, 1.0, 0.0, co),
    g_param_spec_float ("scale", NULL, NULL, -10.0f, 10.0f, 1.0f, co),
    g_param_spec_object ("path-file", NULL, NULL, G_TYPE_FILE, co),
    g_param_spec_boxed ("strv", NULL, NULL, G_TYPE_STRV, co),
  };

  n_pspecs = G_N_ELEMENTS (all);
  pspecs = g_new (GParamSpec *, n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    pspecs[i] = g_param_spec_ref_sink (all[i]);
}

/* A parsed integer printed in decimal must parse back to itself. */
static void
check_round_trip (GParamSpec *pspec, const GValue *value)
{
  GValue again = G_VALUE_INIT;
  g_autofree char *text = NULL;

  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_INT64:
      text = g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (value));
      break;
    case G_TYPE_UINT64:
      text = g_strdup_printf ("%" G_GUINT64_FORMAT, g_value_get_uint64 (value));
      break;
    case G_TYPE_INT:
      text = g_strdup_printf ("%d", g_value_get_int (value));
      break;
    default:
      return;
    }

  if (!ipt_plugin_option_value_parse (pspec, text, &again, NULL) ||
      g_param_values_cmp (pspec, value, &again) != 0)
    abort ();
  g_value_unset (&again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_malloc (size + 1);
  g_autofree char *name = NULL;
  g_autofree char *options = NULL;
  g_autoptr(GError) error = NULL;

  if (pspecs == NULL)
    init_pspecs ();

  memcpy (text, data, size);
  text[size] = '\0';

  (void) ipt_plugin_name_is_valid (text);

  if (ipt_plugin_spec_split (text, &name, &options, &error))
    {
      IptPluginOptions *parsed = ipt_plugin_options_parse (name, pspecs, n_pspecs, options, &error);

      if ((parsed == NULL) == (error == NULL))
        abort ();
      ipt_plugin_options_free (parsed);
    }
  g_clear_error (&error);

  {
    IptPluginOptions *parsed = ipt_plugin_options_parse ("fuzz", pspecs, n_pspecs, text, &error);

    if ((parsed == NULL) == (error == NULL))
      abort ();
    if (parsed != NULL && parsed->names->len != parsed->values->len)
      abort ();
    ipt_plugin_options_free (parsed);
    g_clear_error (&error);
  }

  for (guint i = 0; i < n_pspecs; i++)
    {
      GValue value = G_VALUE_INIT;

      if (ipt_plugin_option_value_parse (pspecs[i], text, &value, &error))
        {
          if (error != NULL || !G_VALUE_HOLDS (&value, pspecs[i]->value_type))
            abort ();
          check_round_trip (pspecs[i], &value);
          g_value_unset (&value);
        }
      else if (error == NULL || G_IS_VALUE (&value))
        abort ();
      g_clear_error (&error);
    }

  return 0;
}
