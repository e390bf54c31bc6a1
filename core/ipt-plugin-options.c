/* ipt-plugin-options.c: plugin specifications ("NAME[:KEY=VALUE,...]") and option
 * strings ("KEY=VALUE,…") turned into property values through the provider's
 * GParamSpecs. The input is untrusted text from command lines and forms: every
 * malformed input is a GError naming the plugin, the option and the problem,
 * and nothing here may crash, read out of bounds or overflow (it is fuzzed).
 *
 * Syntax of an option string:
 *   - options are separated by ',', each is KEY=VALUE, split at the first '=';
 *   - KEY is a property name ('-' and '_' are interchangeable);
 *   - in VALUE, "\," is a literal comma and "\\" a literal backslash; any other
 *     backslash sequence is an error, so that a stray '\' never changes meaning
 *     silently. '=' and ':' need no escape in a value.
 * Values by property type: strings and files as is (may be empty); integers in
 * decimal or 0x-hex (no octal: "010" is ten), range-checked against the
 * GParamSpec; booleans as true/false, yes/no, on/off, 1/0; enums by nick or
 * name; flags as nicks or names joined with '|'; doubles as C locale numbers. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-plugin-private.h"
#include "ipt-number.h"
#include "ipt-echo.h"

/* User text as a message quotes it: escaped (it may be any bytes), and cut
 * when long (a 100 KB value must not fill the terminal). */
static char *
echo (const char *text)
{
  return ipt_echo (text, -1, IPT_ECHO_VALUE_CHARS);
}

void
ipt_plugin_options_free (IptPluginOptions *options)
{
  if (options == NULL)
    return;
  g_clear_pointer (&options->names, g_ptr_array_unref);
  g_clear_pointer (&options->values, g_array_unref);
  g_free (options);
}

static IptPluginOptions *
ipt_plugin_options_new (void)
{
  IptPluginOptions *options = g_new0 (IptPluginOptions, 1);

  options->names = g_ptr_array_new ();
  options->values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (options->values, (GDestroyNotify) g_value_unset);
  return options;
}

/* Plugin names: lower-case ASCII letters and digits, '-' and '_', starting
 * with a letter; so they never contain the ':' and ',' of a specification. */
gboolean
ipt_plugin_name_is_valid (const char *name)
{
  if (name == NULL || !g_ascii_islower (name[0]))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* Splits "NAME[:OPTIONS]" at the first ':'. @options is "" when there are
 * none. The name is not checked against the loaded plugins here. */
gboolean
ipt_plugin_spec_split (const char *spec, char **name, char **options,
                       GError **error)
{
  const char *colon;

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (name != NULL && options != NULL, FALSE);

  colon = strchr (spec, ':');
  if (colon == spec || spec[0] == '\0')
    {
      g_autofree char *shown = echo (spec);

      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "plugin specification '%s' has no plugin name "
                   "(expected NAME[:KEY=VALUE,...])", shown);
      return FALSE;
    }

  if (colon == NULL)
    {
      *name = g_strdup (spec);
      *options = g_strdup ("");
    }
  else
    {
      *name = g_strndup (spec, colon - spec);
      *options = g_strdup (colon + 1);
    }
  return TRUE;
}

/* --- values ------------------------------------------------------------- */

/* An optional '-', then what ipt_number_parse() takes. */
static IptNumberResult
parse_integer (const char *text, gboolean *negative, guint64 *magnitude)
{
  *negative = text[0] == '-';
  return ipt_number_parse (text + (*negative ? 1 : 0), -1, magnitude);
}

static gboolean
signed_range (GParamSpec *pspec, gint64 *min, gint64 *max)
{
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_CHAR:
      *min = G_MININT8, *max = G_MAXINT8;
      if (G_IS_PARAM_SPEC_CHAR (pspec))
        *min = G_PARAM_SPEC_CHAR (pspec)->minimum, *max = G_PARAM_SPEC_CHAR (pspec)->maximum;
      return TRUE;
    case G_TYPE_INT:
      *min = G_MININT, *max = G_MAXINT;
      if (G_IS_PARAM_SPEC_INT (pspec))
        *min = G_PARAM_SPEC_INT (pspec)->minimum, *max = G_PARAM_SPEC_INT (pspec)->maximum;
      return TRUE;
    case G_TYPE_LONG:
      *min = G_MINLONG, *max = G_MAXLONG;
      if (G_IS_PARAM_SPEC_LONG (pspec))
        *min = G_PARAM_SPEC_LONG (pspec)->minimum, *max = G_PARAM_SPEC_LONG (pspec)->maximum;
      return TRUE;
    case G_TYPE_INT64:
      *min = G_MININT64, *max = G_MAXINT64;
      if (G_IS_PARAM_SPEC_INT64 (pspec))
        *min = G_PARAM_SPEC_INT64 (pspec)->minimum, *max = G_PARAM_SPEC_INT64 (pspec)->maximum;
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
unsigned_range (GParamSpec *pspec, guint64 *min, guint64 *max)
{
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_UCHAR:
      *min = 0, *max = G_MAXUINT8;
      if (G_IS_PARAM_SPEC_UCHAR (pspec))
        *min = G_PARAM_SPEC_UCHAR (pspec)->minimum, *max = G_PARAM_SPEC_UCHAR (pspec)->maximum;
      return TRUE;
    case G_TYPE_UINT:
      *min = 0, *max = G_MAXUINT;
      if (G_IS_PARAM_SPEC_UINT (pspec))
        *min = G_PARAM_SPEC_UINT (pspec)->minimum, *max = G_PARAM_SPEC_UINT (pspec)->maximum;
      return TRUE;
    case G_TYPE_ULONG:
      *min = 0, *max = G_MAXULONG;
      if (G_IS_PARAM_SPEC_ULONG (pspec))
        *min = G_PARAM_SPEC_ULONG (pspec)->minimum, *max = G_PARAM_SPEC_ULONG (pspec)->maximum;
      return TRUE;
    case G_TYPE_UINT64:
      *min = 0, *max = G_MAXUINT64;
      if (G_IS_PARAM_SPEC_UINT64 (pspec))
        *min = G_PARAM_SPEC_UINT64 (pspec)->minimum, *max = G_PARAM_SPEC_UINT64 (pspec)->maximum;
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
parse_signed (GParamSpec *pspec, const char *text, GValue *value, GError **error)
{
  g_autofree char *shown = echo (text);
  gint64 min = 0, max = 0, v;
  gboolean negative;
  guint64 magnitude = 0;
  IptNumberResult r;

  signed_range (pspec, &min, &max);
  r = parse_integer (text, &negative, &magnitude);
  if (r == IPT_NUMBER_SYNTAX)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "'%s' is not an integer", shown);
      return FALSE;
    }

  if (r == IPT_NUMBER_OVERFLOW ||
      (!negative && magnitude > (guint64) G_MAXINT64) ||
      (negative && magnitude > (guint64) G_MAXINT64 + 1))
    goto out_of_range;

  if (negative)
    v = magnitude == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) magnitude;
  else
    v = (gint64) magnitude;
  if (v < min || v > max)
    goto out_of_range;

  g_value_init (value, pspec->value_type);
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_CHAR:
      g_value_set_schar (value, (gint8) v);
      break;
    case G_TYPE_INT:
      g_value_set_int (value, (gint) v);
      break;
    case G_TYPE_LONG:
      g_value_set_long (value, (glong) v);
      break;
    default:
      g_value_set_int64 (value, v);
      break;
    }
  return TRUE;

out_of_range:
  g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
               "'%s' is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
               shown, min, max);
  return FALSE;
}

static gboolean
parse_unsigned (GParamSpec *pspec, const char *text, GValue *value, GError **error)
{
  g_autofree char *shown = echo (text);
  guint64 min = 0, max = 0, v = 0;
  gboolean negative;
  IptNumberResult r;

  unsigned_range (pspec, &min, &max);
  r = parse_integer (text, &negative, &v);
  if (r == IPT_NUMBER_SYNTAX || negative)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "'%s' is not an unsigned integer", shown);
      return FALSE;
    }
  if (r == IPT_NUMBER_OVERFLOW || v < min || v > max)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "'%s' is out of range (%" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ")",
                   shown, min, max);
      return FALSE;
    }

  g_value_init (value, pspec->value_type);
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_UCHAR:
      g_value_set_uchar (value, (guchar) v);
      break;
    case G_TYPE_UINT:
      g_value_set_uint (value, (guint) v);
      break;
    case G_TYPE_ULONG:
      g_value_set_ulong (value, (gulong) v);
      break;
    default:
      g_value_set_uint64 (value, v);
      break;
    }
  return TRUE;
}

static gboolean
parse_boolean (GParamSpec *pspec, const char *text, GValue *value, GError **error)
{
  g_autofree char *shown = echo (text);
  static const char * const yes[] = { "true", "yes", "on", "1" };
  static const char * const no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0 || g_ascii_strcasecmp (text, no[i]) == 0)
        {
          g_value_init (value, pspec->value_type);
          g_value_set_boolean (value, g_ascii_strcasecmp (text, yes[i]) == 0);
          return TRUE;
        }
    }

  g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
               "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", shown);
  return FALSE;
}

static gboolean
parse_double (GParamSpec *pspec, const char *text, GValue *value, GError **error)
{
  g_autofree char *shown = echo (text);
  gboolean is_float = G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_FLOAT;
  double min = is_float ? -G_MAXFLOAT : -G_MAXDOUBLE;
  double max = is_float ? G_MAXFLOAT : G_MAXDOUBLE;
  char *end = NULL;
  double v;

  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    min = G_PARAM_SPEC_DOUBLE (pspec)->minimum, max = G_PARAM_SPEC_DOUBLE (pspec)->maximum;
  else if (G_IS_PARAM_SPEC_FLOAT (pspec))
    min = G_PARAM_SPEC_FLOAT (pspec)->minimum, max = G_PARAM_SPEC_FLOAT (pspec)->maximum;

  /* g_ascii_strtod() skips leading blanks; a value with them is a typo. */
  if (text[0] == '\0' || g_ascii_isspace (text[0]))
    goto not_a_number;
  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || isnan (v))
    goto not_a_number;
  if (errno == ERANGE || v < min || v > max)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "'%s' is out of range (%g to %g)", shown, min, max);
      return FALSE;
    }

  g_value_init (value, pspec->value_type);
  if (is_float)
    g_value_set_float (value, (float) v);
  else
    g_value_set_double (value, v);
  return TRUE;

not_a_number:
  g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
               "'%s' is not a number", shown);
  return FALSE;
}

static char *
enum_nicks (GEnumClass *klass)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", klass->values[i].value_nick);
  return g_string_free (s, FALSE);
}

static const GEnumValue *
enum_lookup (GEnumClass *klass, const char *text)
{
  for (guint i = 0; i < klass->n_values; i++)
    if (g_ascii_strcasecmp (klass->values[i].value_nick, text) == 0 ||
        g_strcmp0 (klass->values[i].value_name, text) == 0)
      return &klass->values[i];
  return NULL;
}

static gboolean
parse_enum (GParamSpec *pspec, const char *text, GValue *value, GError **error)
{
  g_autofree char *shown = echo (text);
  g_autoptr(GEnumClass) klass = g_type_class_ref (pspec->value_type);
  const GEnumValue *v = enum_lookup (klass, text);

  if (v == NULL)
    {
      g_autofree char *nicks = enum_nicks (klass);

      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "'%s' is not one of: %s", shown, nicks);
      return FALSE;
    }

  g_value_init (value, pspec->value_type);
  g_value_set_enum (value, v->value);
  return TRUE;
}

static gboolean
parse_flags (GParamSpec *pspec, const char *text, GValue *value, GError **error)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (pspec->value_type);
  g_auto(GStrv) parts = NULL;
  guint flags = 0;

  /* An empty value means no flags. */
  if (text[0] != '\0')
    parts = g_strsplit (text, "|", -1);

  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      const GFlagsValue *v = NULL;

      for (guint j = 0; j < klass->n_values && v == NULL; j++)
        if (g_ascii_strcasecmp (klass->values[j].value_nick, parts[i]) == 0 ||
            g_strcmp0 (klass->values[j].value_name, parts[i]) == 0)
          v = &klass->values[j];

      if (v == NULL)
        {
          GString *nicks = g_string_new (NULL);
          g_autofree char *shown = echo (parts[i]);

          for (guint j = 0; j < klass->n_values; j++)
            g_string_append_printf (nicks, "%s%s", j ? ", " : "", klass->values[j].value_nick);
          g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                       "'%s' is not one of: %s (join several with '|')",
                       shown, nicks->str);
          g_string_free (nicks, TRUE);
          return FALSE;
        }
      flags |= v->value;
    }

  g_value_init (value, pspec->value_type);
  g_value_set_flags (value, flags);
  return TRUE;
}

/* Parses @text into @value (which must be zeroed: G_VALUE_INIT) as the type
 * of @pspec. On success @value is initialised to pspec's value type; on
 * failure it is left unset and @error says what is wrong with @text (without
 * naming the option: the caller prefixes that). */
gboolean
ipt_plugin_option_value_parse (GParamSpec *pspec, const char *text,
                               GValue *value, GError **error)
{
  GParamSpec *target;
  GType type;

  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (value != NULL && G_VALUE_TYPE (value) == G_TYPE_INVALID, FALSE);

  /* An overridden property keeps its bounds in the original pspec. */
  target = g_param_spec_get_redirect_target (pspec);
  if (target != NULL)
    pspec = target;
  type = pspec->value_type;

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_STRING:
      g_value_init (value, type);
      g_value_set_string (value, text);
      return TRUE;
    case G_TYPE_BOOLEAN:
      return parse_boolean (pspec, text, value, error);
    case G_TYPE_CHAR:
    case G_TYPE_INT:
    case G_TYPE_LONG:
    case G_TYPE_INT64:
      return parse_signed (pspec, text, value, error);
    case G_TYPE_UCHAR:
    case G_TYPE_UINT:
    case G_TYPE_ULONG:
    case G_TYPE_UINT64:
      return parse_unsigned (pspec, text, value, error);
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      return parse_double (pspec, text, value, error);
    case G_TYPE_ENUM:
      return parse_enum (pspec, text, value, error);
    case G_TYPE_FLAGS:
      return parse_flags (pspec, text, value, error);
    default:
      break;
    }

  if (g_type_is_a (type, G_TYPE_FILE))
    {
      if (text[0] == '\0')
        {
          g_set_error_literal (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                               "an empty path is not a file");
          return FALSE;
        }
      g_value_init (value, type);
      g_value_take_object (value, g_file_new_for_path (text));
      return TRUE;
    }

  g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
               "a value of type %s cannot be given as text", g_type_name (type));
  return FALSE;
}

/* --- option strings ----------------------------------------------------- */

static GParamSpec *
find_pspec (GParamSpec * const *pspecs, guint n_pspecs, const char *key)
{
  g_autofree char *canonical = g_strdup (key);

  g_strdelimit (canonical, "_", '-');
  for (guint i = 0; i < n_pspecs; i++)
    if (g_strcmp0 (pspecs[i]->name, canonical) == 0)
      return pspecs[i];
  return NULL;
}

static char *
option_names (GParamSpec * const *pspecs, guint n_pspecs)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n_pspecs; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", pspecs[i]->name);
  return g_string_free (s, FALSE);
}

/* Undoes "\," and "\\" in a value; any other escape is an error. */
static char *
unescape_value (const char *plugin_name, const char *key, const char *raw, gsize len,
                GError **error)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (raw[i] != '\\')
        {
          g_string_append_c (out, raw[i]);
          continue;
        }
      if (i + 1 < len && (raw[i + 1] == ',' || raw[i + 1] == '\\'))
        {
          g_string_append_c (out, raw[++i]);
          continue;
        }
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "plugin '%s': option '%s': invalid escape in value "
                   "(write '\\,' for a comma and '\\\\' for a backslash)",
                   plugin_name, key);
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static gboolean
parse_one (const char *plugin_name, GParamSpec * const *pspecs, guint n_pspecs,
           const char *element, gsize len, IptPluginOptions *options, GError **error)
{
  const char *eq = memchr (element, '=', len);
  g_autofree char *key = NULL;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  GValue value = G_VALUE_INIT;
  GParamSpec *pspec;

  if (len == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "plugin '%s': empty option (two commas in a row, or a comma at an end)",
                   plugin_name);
      return FALSE;
    }
  if (eq == NULL)
    {
      key = g_strndup (element, len);
      shown = echo (key);
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "plugin '%s': option '%s' has no value (expected KEY=VALUE)",
                   plugin_name, shown);
      return FALSE;
    }
  if (eq == element)
    {
      text = g_strndup (element, len);
      shown = echo (text);
      g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                   "plugin '%s': option '%s' has no name (expected KEY=VALUE)",
                   plugin_name, shown);
      return FALSE;
    }

  key = g_strndup (element, eq - element);
  pspec = find_pspec (pspecs, n_pspecs, key);
  if (pspec == NULL)
    {
      g_autofree char *known = option_names (pspecs, n_pspecs);

      shown = echo (key);
      if (n_pspecs == 0)
        g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                     "plugin '%s': unknown option '%s' (the plugin has no options)",
                     plugin_name, shown);
      else
        g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                     "plugin '%s': unknown option '%s' (options: %s)",
                     plugin_name, shown, known);
      return FALSE;
    }

  for (guint i = 0; i < options->names->len; i++)
    {
      if (g_ptr_array_index (options->names, i) == pspec->name)
        {
          g_set_error (error, IPT_ERROR, IPT_ERROR_BAD_OPTION,
                       "plugin '%s': option '%s' is given twice", plugin_name, pspec->name);
          return FALSE;
        }
    }

  text = unescape_value (plugin_name, pspec->name, eq + 1, len - (gsize) (eq + 1 - element), error);
  if (text == NULL)
    return FALSE;

  if (!ipt_plugin_option_value_parse (pspec, text, &value, error))
    {
      g_prefix_error (error, "plugin '%s': option '%s': ", plugin_name, pspec->name);
      return FALSE;
    }

  g_ptr_array_add (options->names, (gpointer) pspec->name);
  g_array_append_val (options->values, value);  /* the array now owns it */
  return TRUE;
}

/* Parses "KEY=VALUE,…" against the options @pspecs of plugin @plugin_name
 * (used in messages only). An empty string gives no options. */
IptPluginOptions *
ipt_plugin_options_parse (const char *plugin_name, GParamSpec * const *pspecs,
                          guint n_pspecs, const char *options, GError **error)
{
  g_autoptr(IptPluginOptions) parsed = ipt_plugin_options_new ();
  const char *start, *p;

  g_return_val_if_fail (plugin_name != NULL, NULL);
  g_return_val_if_fail (pspecs != NULL || n_pspecs == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL || options[0] == '\0')
    return g_steal_pointer (&parsed);

  start = p = options;
  for (;;)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p += 2;
          continue;
        }
      if (*p == ',' || *p == '\0')
        {
          if (!parse_one (plugin_name, pspecs, n_pspecs, start, (gsize) (p - start),
                          parsed, error))
            return NULL;
          if (*p == '\0')
            break;
          start = p + 1;
        }
      p++;
    }

  return g_steal_pointer (&parsed);
}
