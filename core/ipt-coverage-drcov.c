/* ipt-coverage-drcov.c: the coverage as a drcov file (version 2, the
 * format of DynamoRIO's drcov that Lighthouse, bncov and Cartographer
 * load): a module table made of the image's file-backed mappings and the
 * contiguous code ranges that ran, as binary bb entries relative to their
 * module. docs/coverage.md says how modules and ranges are chosen. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-coverage-private.h"

typedef struct {
  char *path;
  guint64 base;
  guint64 end;
} Module;

static void
module_clear (gpointer data)
{
  g_free (((Module *) data)->path);
}

static gint
compare_modules (gconstpointer a, gconstpointer b)
{
  const Module *x = a, *y = b;

  return x->base < y->base ? -1 : x->base > y->base;
}

/* One module per file and load bias (address - file offset): the
 * segments of one ELF file loaded together are one module, based at its
 * lowest mapped address. */
static GArray *
collect_modules (IptImage *image)
{
  g_autoptr(GPtrArray) mappings = ipt_image_list_mappings (image);
  GArray *modules = g_array_new (FALSE, FALSE, sizeof (Module));
  g_autoptr(GArray) biases = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_array_set_clear_func (modules, module_clear);
  for (guint i = 0; i < mappings->len; i++)
    {
      const IptMapping *mapping = g_ptr_array_index (mappings, i);
      const IptRegion *region = mapping->region;
      guint64 bias = region->address - region->file_offset;
      guint j;

      if (region->filename == NULL || region->size == 0)
        continue;
      for (j = 0; j < modules->len; j++)
        if (g_array_index (biases, guint64, j) == bias &&
            g_str_equal (g_array_index (modules, Module, j).path, region->filename))
          break;
      if (j == modules->len)
        {
          Module module = { g_strdup (region->filename), region->address,
                            region->address + region->size };

          g_array_append_val (modules, module);
          g_array_append_val (biases, bias);
        }
      else
        {
          Module *module = &g_array_index (modules, Module, j);

          module->base = MIN (module->base, region->address);
          module->end = MAX (module->end, region->address + region->size);
        }
    }
  g_array_sort (modules, compare_modules);
  return modules;
}

static const Module *
find_module (GArray *modules, guint64 address, guint *id)
{
  guint lo = 0, hi = modules->len;

  /* the last module based at or below @address */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (modules, Module, mid).base <= address)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo; i-- > 0;)
    {
      const Module *module = &g_array_index (modules, Module, i);

      if (address < module->end)
        {
          *id = i;
          return module;
        }
    }
  return NULL;
}

static void
put_entry (GByteArray *table, guint32 start, guint16 size, guint16 id)
{
  guint8 entry[8];

  start = GUINT32_TO_LE (start);
  size = GUINT16_TO_LE (size);
  id = GUINT16_TO_LE (id);
  memcpy (entry, &start, 4);
  memcpy (entry + 4, &size, 2);
  memcpy (entry + 6, &id, 2);
  g_byte_array_append (table, entry, sizeof (entry));
}

/**
 * ipt_coverage_write_drcov:
 * @self: an #IptCoverage
 * @image: the image the trace was decoded over: its file-backed mappings
 *   are the modules, its code tells where blocks jump
 * @stream: where to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes @self as a drcov file, version 2: "DRCOV VERSION: 2", the module
 * table (one module per mapped file and load address, from
 * ipt_image_list_mappings()), then one binary entry per contiguous range
 * of code that ran (u32 offset in its module, u16 size, u16 module id,
 * little-endian). Blocks cut where they jump, so that a tool that marks
 * [start, start + size) marks exactly the instructions that ran. Code
 * outside every file-backed mapping has no module and is left out.
 * @stream is not closed.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the module table
 *   has more than 65535 modules (%IPT_ERROR_INVALID_ARGUMENT), or writing
 *   to @stream fails or is cancelled (the stream's error)
 *
 * Since: 0.1
 */
gboolean
ipt_coverage_write_drcov (IptCoverage *self, IptImage *image, GOutputStream *stream,
                          GCancellable *cancellable, GError **error)
{
  g_autoptr(GArray) modules = NULL;
  g_autoptr(GArray) blocks = NULL;
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(IptCoverageCode) code = NULL;
  g_autoptr(GByteArray) table = g_byte_array_new ();
  g_autoptr(GString) header = g_string_new (NULL);
  guint n_failed, n_outside = 0;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), FALSE);
  g_return_val_if_fail (IPT_IS_IMAGE (image), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  modules = collect_modules (image);
  if (modules->len > G_MAXUINT16)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "drcov: image '%s' maps %u files, drcov's module ids have 16 bits",
                   ipt_image_get_name (image), modules->len);
      return FALSE;
    }

  blocks = ipt_coverage_collect_blocks (self);
  code = ipt_coverage_code_new (image);
  ranges = ipt_coverage_code_ranges (code, blocks, &n_failed);
  for (guint i = 0; i < ranges->len; i++)
    {
      const IptCoverageRange *range = &g_array_index (ranges, IptCoverageRange, i);
      guint64 start = range->start, end = range->start + range->size;
      const Module *module;
      guint id;

      module = find_module (modules, start, &id);
      if (module == NULL || start - module->base > G_MAXUINT32)
        {
          n_outside++;
          continue;
        }
      end = MIN (end, module->end);
      /* sizes have 16 bits */
      for (guint64 at = start; at < end; at += G_MAXUINT16)
        put_entry (table, (guint32) (at - module->base), (guint16) MIN (end - at, G_MAXUINT16),
                   (guint16) id);
    }
  if (n_failed > 0 || n_outside > 0)
    g_debug ("drcov: %u blocks whose code could not be read back, %u ranges outside every "
             "file-backed mapping: left out", n_failed, n_outside);

  g_string_append (header, "DRCOV VERSION: 2\nDRCOV FLAVOR: drcov\n");
  g_string_append_printf (header, "Module Table: version 2, count %u\n", modules->len);
  g_string_append (header, "Columns: id, base, end, entry, checksum, timestamp, path\n");
  for (guint i = 0; i < modules->len; i++)
    {
      const Module *module = &g_array_index (modules, Module, i);

      g_string_append_printf (header, "%2u, 0x%016" G_GINT64_MODIFIER "x, 0x%016"
                              G_GINT64_MODIFIER "x, 0x0000000000000000, 0x00000000, 0x00000000, "
                              "%s\n", i, module->base, module->end, module->path);
    }
  g_string_append_printf (header, "BB Table: %u bbs\n", table->len / 8);

  return g_output_stream_write_all (stream, header->str, header->len, NULL, cancellable, error) &&
         g_output_stream_write_all (stream, table->data, table->len, NULL, cancellable, error);
}
