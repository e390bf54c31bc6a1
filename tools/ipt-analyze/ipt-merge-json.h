/* ipt-merge-json.h: reading the JSON inputs of `ipt-analyze merge`. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean ipt_merge_bad_json (GError **error, const char *path, const char *what);
JsonObject *ipt_merge_load_object (JsonParser *parser, const char *path, const char *format,
                                   GError **error);
JsonArray *ipt_merge_get_array (JsonObject *object, const char *name);
JsonObject *ipt_merge_get_object (JsonObject *object, const char *name);
gboolean ipt_merge_get_hex (JsonObject *object, const char *name, guint64 *value);
gboolean ipt_merge_get_count (JsonObject *object, const char *name, guint64 *value);
gboolean ipt_merge_add_count (JsonObject *object, const char *name, guint64 *sum,
                              const char *path, GError **error);

G_END_DECLS
