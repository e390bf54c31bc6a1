/* ipt-qemu-vmdesc.c: a migration stream's VMDESCRIPTION (see
 * ipt-qemu-vmdesc.h). Untrusted JSON: its nesting is bounded before
 * json-glib's recursive parser sees it, and every size is checked against
 * a limit before it is added up.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-qemu-bytes.h"
#include "ipt-qemu-vmdesc.h"

#define SECTION_EOF           0x00
#define SECTION_VMDESCRIPTION 0x06
#define MAX_VMDESC_TAIL       (G_GUINT64_CONSTANT (16) << 20)
#define MAX_JSON_DEPTH        64

/* JSON nesting deeper than real descriptions (about 6) is refused before
 * json-glib's recursive parser sees it. */
static gboolean
json_depth_ok (const guint8 *json, gsize len)
{
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = json[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

gboolean
ipt_qemu_vmdesc_load (IptQemuVmdesc *vmdesc, IptQemuStream *stream, GError **error)
{
  const char *name = ipt_qemu_stream_get_name (stream);
  static const guint64 tails[] = { G_GUINT64_CONSTANT (1) << 20, MAX_VMDESC_TAIL };
  guint64 size = ipt_qemu_stream_get_size (stream);
  gsize tail = 0, json_at = 0, len = 0;
  g_autofree guint8 *buf = NULL;
  g_autoptr (GError) local = NULL;
  JsonNode *root, *devices;
  guint64 at;

  /* a small tail first: descriptions are some 100 KiB */
  for (guint t = 0; t < G_N_ELEMENTS (tails) && json_at == 0 && tail < size; t++)
    {
      tail = (gsize) MIN (size, tails[t]);
      g_free (buf);
      buf = g_malloc (tail);
      ipt_qemu_stream_read (stream, size - tail, buf, tail);
      /* JSON holds no raw NUL or 0x06 bytes: the first frame from the end is it */
      for (len = 2; len + 6 <= tail; len++)
        {
          gsize h = tail - len - 5;

          if (buf[h + 5] == '{' && buf[h] == SECTION_VMDESCRIPTION && buf[h - 1] == SECTION_EOF &&
              ipt_qemu_be32 (buf + h + 1) == len)
            {
              json_at = h + 5;
              break;
            }
        }
    }
  memset (vmdesc, 0, sizeof (*vmdesc));
  if (json_at == 0)
    return TRUE;
  at = size - tail + json_at - 5;
  if (!json_depth_ok (buf + json_at, len))
    return ipt_qemu_fail (error, IPT_ERROR_CORRUPT, name, at,
                          "VMDESCRIPTION nested deeper than %u", MAX_JSON_DEPTH);
  vmdesc->json = json_parser_new_immutable ();
  if (!json_parser_load_from_data (vmdesc->json, (const char *) buf + json_at, (gssize) len,
                                   &local))
    {
      ipt_qemu_vmdesc_clear (vmdesc);
      return ipt_qemu_fail (error, IPT_ERROR_CORRUPT, name, at,
                            "VMDESCRIPTION is not valid JSON: %s", local->message);
    }
  root = json_parser_get_root (vmdesc->json);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (devices = json_object_get_member (json_node_get_object (root), "devices")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (devices))
    {
      ipt_qemu_vmdesc_clear (vmdesc);
      return ipt_qemu_fail (error, IPT_ERROR_CORRUPT, name, at,
                            "VMDESCRIPTION has no \"devices\" array");
    }
  vmdesc->devices = json_node_get_array (devices);
  vmdesc->offset = at;
  return TRUE;
}

void
ipt_qemu_vmdesc_clear (IptQemuVmdesc *vmdesc)
{
  g_clear_object (&vmdesc->json);
  vmdesc->devices = NULL;
  vmdesc->offset = 0;
}

/* A member of @object that is an integer (-1: missing or not one). */
static gint64
json_int (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

static const char *
json_string (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
json_array (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
json_element (JsonArray *array, guint i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The bytes a field takes: its element size times its array length. */
static gboolean
field_size (JsonObject *field, guint64 limit, guint64 *size)
{
  gint64 each = json_int (field, "size");
  gint64 n = json_object_has_member (field, "array_len") ? json_int (field, "array_len") : 1;

  if (each < 0 || n < 0 || (n > 0 && (guint64) each > limit / (guint64) n))
    return FALSE;
  *size = (guint64) each * (guint64) n;
  return TRUE;
}

/* ipt_qemu_vmdesc_state_size() of a device or, at @depth > 0, a subsection. */
static gboolean
vmsd_size (JsonObject *vmsd, guint64 limit, guint depth, guint64 *size)
{
  JsonArray *fields = json_array (vmsd, "fields");
  JsonArray *subsections = json_array (vmsd, "subsections");
  guint64 total = 0;

  if (depth > MAX_JSON_DEPTH)
    return FALSE;
  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_element (fields, i);
      guint64 n;

      if (field == NULL || !field_size (field, limit, &n) || n > limit - total)
        return FALSE;
      total += n;
    }
  for (guint i = 0; subsections != NULL && i < json_array_get_length (subsections); i++)
    {
      JsonObject *sub = json_element (subsections, i);
      const char *name = sub != NULL ? json_string (sub, "vmsd_name") : NULL;
      guint64 n;

      if (name == NULL || strlen (name) > 255 || !vmsd_size (sub, limit, depth + 1, &n) ||
          n > limit - total || 6 + strlen (name) > limit - total - n)
        return FALSE;
      total += n + 6 + strlen (name);
    }
  *size = total;
  return TRUE;
}

gboolean
ipt_qemu_vmdesc_state_size (JsonObject *device, guint64 limit, guint64 *size)
{
  return vmsd_size (device, limit, 0, size);
}

JsonObject *
ipt_qemu_vmdesc_device (const IptQemuVmdesc *vmdesc, guint index)
{
  return json_element (vmdesc->devices, index);
}

const char *
ipt_qemu_vmdesc_name (JsonObject *device)
{
  return json_string (device, "name");
}

gint64
ipt_qemu_vmdesc_instance (JsonObject *device)
{
  return json_int (device, "instance_id");
}

void
ipt_qemu_vmdesc_foreach_field (JsonObject *device, IptQemuVmdescFieldFunc func, gpointer data)
{
  JsonArray *fields = json_array (device, "fields");
  guint64 at = 0;

  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_element (fields, i);
      guint64 n = 0;

      field_size (field, G_MAXUINT64, &n);   /* checked by ipt_qemu_vmdesc_state_size() */
      if (!func (json_string (field, "name"), json_int (field, "size"), at, n, data))
        return;
      at += n;
    }
}
