/* ipt-view-regions.c: the regions view. One row per range of the image's
 * resolved map (ipt_image_list_mappings(), priority applied), with the
 * columns of `ipt-analyze --list-regions`: start, end, size, cr3, vmcs,
 * provider, section or callback, file offset, file, validity. Rebuilt
 * when the image's providers change. */
#include "config.h"

#include "ipt-view-regions.h"

#include <inttypes.h>

#include "ipt-analyze-image.h"
#include "ipt-view-columns.h"
#include "ipt-view-text-row.h"

struct _IptViewRegions {
  GtkWidget parent_instance;

  IptPluginRegistry *registry;
  IptImage *image;
  GListStore *rows;               /* IptViewTextRow */
  GtkColumnView *view;
};

G_DEFINE_FINAL_TYPE (IptViewRegions, ipt_view_regions, GTK_TYPE_WIDGET)

static char *
cell_text (gpointer item, guint column, gpointer user_data)
{
  return g_strdup (ipt_view_text_row_get (item, column));
}

#define M IPT_VIEW_COLUMN_MONOSPACE
static const IptViewColumn columns[] = {
  { "Start", cell_text, NULL, M }, { "End", cell_text, NULL, M }, { "Size", cell_text, NULL, M },
  { "CR3", cell_text, NULL, M }, { "VMCS", cell_text, NULL, M },
  { "Provider", cell_text, NULL, M }, { "Served as", cell_text, NULL, M },
  { "File offset", cell_text, NULL, M }, { "File", cell_text, NULL, IPT_VIEW_COLUMN_EXPAND },
  { "Valid", cell_text, NULL, M },
};
#undef M

static char **
mapping_cells (IptViewRegions *self, const IptMapping *mapping)
{
  const IptRegion *region = mapping->region;
  char cr3[32], vmcs[32];
  char **cells = g_new0 (char *, G_N_ELEMENTS (columns) + 1);

  ipt_analyze_format_asid_part (cr3, sizeof cr3, region->asid.cr3, IPT_ASID_NO_CR3);
  ipt_analyze_format_asid_part (vmcs, sizeof vmcs, region->asid.vmcs, IPT_ASID_NO_VMCS);
  cells[0] = g_strdup_printf ("%016" PRIx64, region->address);
  cells[1] = g_strdup_printf ("%016" PRIx64, region->address + region->size);
  cells[2] = g_strdup_printf ("0x%" PRIx64, region->size);
  cells[3] = g_strdup (cr3);
  cells[4] = g_strdup (vmcs);
  cells[5] = g_strdup (ipt_analyze_provider_name (self->registry, mapping->provider));
  cells[6] = g_strdup (mapping->is_file_section ? "section" : "callback");
  cells[7] = region->filename != NULL ? g_strdup_printf ("0x%08" PRIx64, region->file_offset)
                                      : g_strdup ("-");
  cells[8] = g_strdup (region->filename != NULL ? region->filename : "-");
  if (ipt_region_is_timeless (region))
    cells[9] = g_strdup ("always");
  else if (region->valid_to == IPT_TIME_END)
    cells[9] = g_strdup_printf ("[%" PRIu64 ", end) ns", region->valid_from);
  else
    cells[9] = g_strdup_printf ("[%" PRIu64 ", %" PRIu64 ") ns", region->valid_from,
                                region->valid_to);
  return cells;
}

static void
rebuild (IptViewRegions *self)
{
  g_autoptr(GPtrArray) mappings = ipt_image_list_mappings (self->image);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < mappings->len; i++)
    g_ptr_array_add (rows, ipt_view_text_row_new_take (mapping_cells (self,
                                                         g_ptr_array_index (mappings, i))));
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
}

static void
on_providers_changed (GListModel *providers, guint position, guint removed, guint added,
                      gpointer user_data)
{
  rebuild (user_data);
}

static void
ipt_view_regions_dispose (GObject *object)
{
  IptViewRegions *self = IPT_VIEW_REGIONS (object);

  if (self->image != NULL)
    g_signal_handlers_disconnect_by_data (ipt_image_get_providers (self->image), self);
  ipt_view_page_dispose (GTK_WIDGET (self));
  g_clear_object (&self->image);
  g_clear_object (&self->registry);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (ipt_view_regions_parent_class)->dispose (object);
}

static void
ipt_view_regions_class_init (IptViewRegionsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_view_regions_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ipt_view_regions_init (IptViewRegions *self)
{
  self->rows = g_list_store_new (IPT_VIEW_TYPE_TEXT_ROW);
  self->view = ipt_view_column_view_new (G_LIST_MODEL (g_object_ref (self->rows)));
  ipt_view_column_view_add_columns (self->view, columns, G_N_ELEMENTS (columns), NULL, NULL);
  ipt_view_page_set_view (GTK_WIDGET (self), self->view);
}

GtkWidget *
ipt_view_regions_new (IptPluginRegistry *registry, IptImage *image)
{
  IptViewRegions *self = g_object_new (IPT_VIEW_TYPE_REGIONS, NULL);

  self->registry = g_object_ref (registry);
  self->image = g_object_ref (image);
  g_signal_connect (ipt_image_get_providers (image), "items-changed",
                    G_CALLBACK (on_providers_changed), self);
  rebuild (self);
  return GTK_WIDGET (self);
}

GtkColumnView *
ipt_view_regions_get_column_view (IptViewRegions *self)
{
  return self->view;
}
