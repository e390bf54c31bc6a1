/* ipt-stat-json.c: the counts of an IptStatistics as one JSON object, the
 * machine-readable form of ipt_stat_print()'s lines (docs/json.md has the
 * schema; `ipt-analyze merge stat-json:…` reads it back). Only formats. */
#include "config.h"

#include "ipt-stat-json.h"

static const char *
decoder_name (IptDecoderKind kind)
{
  return kind == IPT_DECODER_KIND_BLOCK ? "block" : "insn";
}

/* The members "insns", "blocks" (block decoder), "errors", "error_codes",
 * "events", "event_kinds" into the object @builder is in. */
void
ipt_stat_json_add_counts (JsonBuilder *builder, IptStatistics *stats, IptDecoderKind kind)
{
  json_builder_set_member_name (builder, "insns");
  json_builder_add_int_value (builder, (gint64) ipt_statistics_get_n_insns (stats));
  if (kind == IPT_DECODER_KIND_BLOCK)
    {
      json_builder_set_member_name (builder, "blocks");
      json_builder_add_int_value (builder, (gint64) ipt_statistics_get_n_blocks (stats));
    }
  json_builder_set_member_name (builder, "errors");
  json_builder_add_int_value (builder, (gint64) ipt_statistics_get_n_errors (stats));
  json_builder_set_member_name (builder, "error_codes");
  json_builder_begin_array (builder);
  for (guint k = IPT_DECODE_ERROR_SYNC; k <= IPT_DECODE_ERROR_RECONSTRUCT; k++)
    for (int code = 1; code < IPT_STATISTICS_N_ERROR_CODES; code++)
      {
        guint64 n = ipt_statistics_get_n_errors_with_code (stats, (IptDecodeErrorKind) k, -code);

        if (n == 0)
          continue;
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "kind");
        json_builder_add_string_value (builder,
                                       ipt_decode_error_kind_get_label ((IptDecodeErrorKind) k));
        json_builder_set_member_name (builder, "code");
        json_builder_add_int_value (builder, -code);
        json_builder_set_member_name (builder, "message");
        json_builder_add_string_value (builder, pt_errstr ((enum pt_error_code) code));
        json_builder_set_member_name (builder, "count");
        json_builder_add_int_value (builder, (gint64) n);
        json_builder_end_object (builder);
      }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, (gint64) ipt_statistics_get_n_events (stats));
  json_builder_set_member_name (builder, "event_kinds");
  json_builder_begin_object (builder);
  for (guint k = IPT_EVENT_KIND_ENABLED; k <= IPT_EVENT_KIND_OTHER; k++)
    {
      guint64 n = ipt_statistics_get_n_events_of_kind (stats, (IptEventKind) k);

      if (n == 0)
        continue;
      json_builder_set_member_name (builder, ipt_event_kind_get_label ((IptEventKind) k));
      json_builder_add_int_value (builder, (gint64) n);
    }
  json_builder_end_object (builder);
}

/* A builder in the top-level object, its "format", "version", "decoder" set. */
JsonBuilder *
ipt_stat_json_begin (IptDecoderKind kind)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, IPT_STAT_JSON_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, IPT_STAT_JSON_VERSION);
  json_builder_set_member_name (builder, "decoder");
  json_builder_add_string_value (builder, decoder_name (kind));
  return builder;
}

/* Closes the top-level object; the text, pretty-printed, with a newline. */
char *
ipt_stat_json_end (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}
