/* ipt-merge-json.c: reading the JSON inputs of `ipt-analyze merge`
 * (ipt-analyze-merge.c, ipt-analyze-merge-calls.c): the top-level object
 * of a known format, its members, counts and addresses, each failure an
 * error naming the file. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-merge-json.h"


gboolean
ipt_merge_bad_json (GError **error, const char *path, const char *what)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "%s: %s", display, what);
  return FALSE;
}

/* The top-level object of @path, which must say "format": @format and
 * "version": 1. */
JsonObject *
ipt_merge_load_object (JsonParser *parser, const char *path, const char *format, GError **error)
{
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_mapped_file (parser, path, &local))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "%s: %s", display,
                   local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      ipt_merge_bad_json (error, path, "not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "format", NULL),
                 format) != 0 ||
      json_object_get_int_member_with_default (object, "version", 0) != 1)
    {
      g_autofree char *what = g_strdup_printf ("not \"format\": \"%s\", \"version\": 1", format);

      ipt_merge_bad_json (error, path, what);
      return NULL;
    }
  return object;
}

/* json-glib 1.6 has no *_with_default for arrays and objects */
JsonArray *
ipt_merge_get_array (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
ipt_merge_get_object (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
ipt_merge_get_hex (JsonObject *object, const char *name, guint64 *value)
{
  const char *text = json_object_get_string_member_with_default (object, name, NULL);

  return text != NULL && g_str_has_prefix (text, "0x") &&
         g_ascii_string_to_unsigned (text + 2, 16, 0, G_MAXUINT64, value, NULL);
}

gboolean
ipt_merge_get_count (JsonObject *object, const char *name, guint64 *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    return FALSE;
  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

gboolean
ipt_merge_add_count (JsonObject *object, const char *name, guint64 *sum, const char *path,
                     GError **error)
{
  guint64 value;

  if (!ipt_merge_get_count (object, name, &value))
    {
      g_autofree char *what = g_strdup_printf ("no count \"%s\"", name);

      return ipt_merge_bad_json (error, path, what);
    }
  *sum += value;
  return TRUE;
}

