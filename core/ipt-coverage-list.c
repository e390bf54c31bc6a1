/* ipt-coverage-list.c: the coverage's blocks and edges as text or JSON,
 * streamed to a GOutputStream in chunks (a big trace's list never sits in
 * memory as a document). The formats are in docs/coverage.md. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-coverage-private.h"

#define CHUNK_SIZE (64 * 1024)

typedef struct {
  GOutputStream *stream;
  GCancellable *cancellable;
  GString *buffer;
} Writer;

static gboolean
writer_flush (Writer *writer, gboolean force, GError **error)
{
  if (writer->buffer->len < CHUNK_SIZE && !force)
    return TRUE;
  if (!g_output_stream_write_all (writer->stream, writer->buffer->str, writer->buffer->len,
                                  NULL, writer->cancellable, error))
    return FALSE;
  g_string_truncate (writer->buffer, 0);
  return TRUE;
}

static gboolean
write_text (Writer *writer, gboolean has_cr3, GArray *blocks, GArray *edges, GError **error)
{
  GString *out = writer->buffer;

  g_string_append_printf (out, "blocks %u\n", blocks->len);
  for (guint i = 0; i < blocks->len; i++)
    {
      const IptCoverageBlock *b = &g_array_index (blocks, IptCoverageBlock, i);

      g_string_append_printf (out, "block 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x %u %"
                              G_GUINT64_FORMAT, b->start, b->end, b->n_insns, b->count);
      if (has_cr3)
        g_string_append_printf (out, " cr3=0x%" G_GINT64_MODIFIER "x", b->cr3);
      g_string_append_c (out, '\n');
      if (!writer_flush (writer, FALSE, error))
        return FALSE;
    }

  g_string_append_printf (out, "edges %u\n", edges->len);
  for (guint i = 0; i < edges->len; i++)
    {
      const IptCoverageEdge *e = &g_array_index (edges, IptCoverageEdge, i);

      g_string_append_printf (out, "edge 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x %"
                              G_GUINT64_FORMAT, e->from, e->to, e->count);
      if (e->flags & IPT_COVERAGE_EDGE_CONDITIONAL)
        g_string_append (out, " conditional");
      if (e->flags & IPT_COVERAGE_EDGE_EXIT)
        g_string_append (out, " exit");
      if (has_cr3)
        g_string_append_printf (out, " cr3=0x%" G_GINT64_MODIFIER "x", e->cr3);
      g_string_append_c (out, '\n');
      if (!writer_flush (writer, FALSE, error))
        return FALSE;
    }
  return TRUE;
}

/* Addresses are strings ("0x401000"): JSON numbers lose bits past 2^53. */
static gboolean
write_json (Writer *writer, gboolean has_cr3, GArray *blocks, GArray *edges, GError **error)
{
  GString *out = writer->buffer;

  g_string_append_printf (out, "{\"format\":\"ipt-coverage\",\"version\":1,\"has_cr3\":%s,"
                          "\n\"blocks\":[", has_cr3 ? "true" : "false");
  for (guint i = 0; i < blocks->len; i++)
    {
      const IptCoverageBlock *b = &g_array_index (blocks, IptCoverageBlock, i);

      g_string_append_printf (out, "%s\n{\"start\":\"0x%" G_GINT64_MODIFIER "x\",\"end\":\"0x%"
                              G_GINT64_MODIFIER "x\",\"insns\":%u,\"count\":%" G_GUINT64_FORMAT,
                              i > 0 ? "," : "", b->start, b->end, b->n_insns, b->count);
      if (has_cr3)
        g_string_append_printf (out, ",\"cr3\":\"0x%" G_GINT64_MODIFIER "x\"", b->cr3);
      g_string_append_c (out, '}');
      if (!writer_flush (writer, FALSE, error))
        return FALSE;
    }
  g_string_append (out, "],\n\"edges\":[");
  for (guint i = 0; i < edges->len; i++)
    {
      const IptCoverageEdge *e = &g_array_index (edges, IptCoverageEdge, i);

      g_string_append_printf (out, "%s\n{\"from\":\"0x%" G_GINT64_MODIFIER "x\",\"to\":\"0x%"
                              G_GINT64_MODIFIER "x\",\"count\":%" G_GUINT64_FORMAT
                              ",\"conditional\":%s,\"exit\":%s",
                              i > 0 ? "," : "", e->from, e->to, e->count,
                              (e->flags & IPT_COVERAGE_EDGE_CONDITIONAL) ? "true" : "false",
                              (e->flags & IPT_COVERAGE_EDGE_EXIT) ? "true" : "false");
      if (has_cr3)
        g_string_append_printf (out, ",\"cr3\":\"0x%" G_GINT64_MODIFIER "x\"", e->cr3);
      g_string_append_c (out, '}');
      if (!writer_flush (writer, FALSE, error))
        return FALSE;
    }
  g_string_append (out, "]}\n");
  return TRUE;
}

/**
 * ipt_coverage_write_blocks:
 * @self: an #IptCoverage
 * @stream: where to write
 * @format: text or JSON
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the blocks and edges of @self, sorted by CR3 and address, in the
 * text or JSON form of docs/coverage.md. Streams: a large list is written
 * in chunks as it is formatted. @stream is not closed.
 *
 * Returns: %TRUE on success; %FALSE with @error set when writing to
 *   @stream fails (its own error, e.g. %G_IO_ERROR_NO_SPACE) or is
 *   cancelled
 *
 * Since: 0.1
 */
gboolean
ipt_coverage_write_blocks (IptCoverage *self, GOutputStream *stream, IptCoverageFormat format,
                           GCancellable *cancellable, GError **error)
{
  g_autoptr(GArray) blocks = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (CHUNK_SIZE + 256);
  Writer writer = { stream, cancellable, buffer };
  gboolean ok;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  blocks = ipt_coverage_collect_blocks (self);
  edges = ipt_coverage_collect_edges (self);
  if (format == IPT_COVERAGE_FORMAT_JSON)
    ok = write_json (&writer, ipt_coverage_has_cr3 (self), blocks, edges, error);
  else
    ok = write_text (&writer, ipt_coverage_has_cr3 (self), blocks, edges, error);
  return ok && writer_flush (&writer, TRUE, error);
}
