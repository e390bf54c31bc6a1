/* ipt-symbol-source.c: the IptSymbolSource interface, the IptSymbol boxed
 * result and IptSymbolResolver, which asks several sources in priority order.
 *
 * The listing looks a symbol up for every decoded instruction: the
 * resolver's lookup must never allocate, lock or look up an interface per
 * call; each source's vfunc is resolved once, when it is added. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

/* ---- IptSymbol ---------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (IptSymbol, ipt_symbol, ipt_symbol_copy, ipt_symbol_free)

/**
 * ipt_symbol_new:
 * @name: the symbol's name
 * @address: the symbol's first address
 * @size: its size in bytes, 0 when unknown
 * @offset: the offset of a looked-up address from @address
 *
 * Allocates a symbol, as the copying lookups return it. @name is copied.
 *
 * Returns: (transfer full): a new #IptSymbol; free with ipt_symbol_free()
 *
 * Since: 0.1
 */
IptSymbol *
ipt_symbol_new (const char *name, guint64 address, guint64 size, guint64 offset)
{
  IptSymbol *symbol;

  g_return_val_if_fail (name != NULL, NULL);

  symbol = g_new0 (IptSymbol, 1);
  symbol->name = g_strdup (name);
  symbol->address = address;
  symbol->size = size;
  symbol->offset = offset;
  return symbol;
}

/**
 * ipt_symbol_copy:
 * @symbol: an #IptSymbol
 *
 * Copies @symbol, its name included.
 *
 * Returns: (transfer full): a deep copy of @symbol
 *
 * Since: 0.1
 */
IptSymbol *
ipt_symbol_copy (const IptSymbol *symbol)
{
  g_return_val_if_fail (symbol != NULL, NULL);

  return ipt_symbol_new (symbol->name, symbol->address, symbol->size, symbol->offset);
}

/**
 * ipt_symbol_free:
 * @symbol: (nullable): an #IptSymbol
 *
 * Frees @symbol and its name.
 *
 * Since: 0.1
 */
void
ipt_symbol_free (IptSymbol *symbol)
{
  if (symbol == NULL)
    return;
  g_free (symbol->name);
  g_free (symbol);
}

/**
 * ipt_symbol_format: (skip)
 * @buffer: where the text goes
 * @size: the size of @buffer in bytes, including the terminating NUL
 * @name: a symbol name
 * @offset: an offset from the symbol's start
 *
 * Formats a location the way the listing prints it: `name` when @offset is
 * 0, `name+0x12` otherwise, truncated to fit @buffer like g_snprintf().
 * It does not allocate, for use on the per-instruction path; bindings use
 * ipt_symbol_to_string().
 *
 * Returns: the length of the full text (not counting the NUL), which is
 *   at least @size when it was truncated
 *
 * Since: 0.1
 */
gsize
ipt_symbol_format (char *buffer, gsize size, const char *name, guint64 offset)
{
  int n;

  g_return_val_if_fail (buffer != NULL || size == 0, 0);
  g_return_val_if_fail (name != NULL, 0);

  if (offset == 0)
    n = g_snprintf (buffer, size, "%s", name);
  else
    n = g_snprintf (buffer, size, "%s+0x%" G_GINT64_MODIFIER "x", name, offset);
  return n < 0 ? 0 : (gsize) n;
}

/**
 * ipt_symbol_to_string:
 * @symbol: an #IptSymbol
 *
 * Formats @symbol's location like ipt_symbol_format(): `name` or `name+0x12`.
 *
 * Returns: (transfer full): the text; free with g_free()
 *
 * Since: 0.1
 */
char *
ipt_symbol_to_string (const IptSymbol *symbol)
{
  g_return_val_if_fail (symbol != NULL, NULL);

  if (symbol->offset == 0)
    return g_strdup (symbol->name);
  return g_strdup_printf ("%s+0x%" G_GINT64_MODIFIER "x", symbol->name, symbol->offset);
}

/* ---- IptSymbolSource ---------------------------------------------------- */

/**
 * IptSymbolSource:
 *
 * An optional interface of memory providers that can name the code they
 * serve: address → symbol name and offset. The `elf` plugin implements it
 * from `.symtab` (or `.dynsym`), relocated to where it maps the file.
 *
 * Since: 0.1
 */
G_DEFINE_INTERFACE (IptSymbolSource, ipt_symbol_source, G_TYPE_OBJECT)

static void
ipt_symbol_source_default_init (IptSymbolSourceInterface *iface)
{
}

typedef gboolean (*LookupFunc) (IptSymbolSource *, const IptAsid *, guint64,
                                const char **, guint64 *, guint64 *);
typedef gboolean (*LookupAtFunc) (IptSymbolSource *, const IptAsid *, guint64, guint64,
                                  const char **, guint64 *, guint64 *);
typedef gboolean (*LookupLineFunc) (IptSymbolSource *, const IptAsid *, guint64, guint64,
                                    const char **, guint *);

static gboolean
lookup_with (LookupFunc lookup, LookupAtFunc lookup_at, IptSymbolSource *source,
             const IptAsid *asid, guint64 address, guint64 time,
             const char **name, guint64 *offset, guint64 *start, guint64 *size)
{
  const char *found_name = NULL;
  guint64 found_start = 0, found_size = 0;
  gboolean found;

  if (lookup_at != NULL)
    found = lookup_at (source, asid, address, time, &found_name, &found_start, &found_size);
  else if (lookup != NULL)
    found = lookup (source, asid, address, &found_name, &found_start, &found_size);
  else
    found = FALSE;
  if (!found)
    return FALSE;
  /* A source that breaks its contract must not make us print garbage. */
  if (G_UNLIKELY (found_name == NULL || found_start > address
                  || (found_size != 0 && address - found_start >= found_size)))
    return FALSE;

  if (name != NULL)
    *name = found_name;
  if (offset != NULL)
    *offset = address - found_start;
  if (start != NULL)
    *start = found_start;
  if (size != NULL)
    *size = found_size;
  return TRUE;
}

static gboolean
lookup_line_with (LookupLineFunc lookup_line, IptSymbolSource *source, const IptAsid *asid,
                  guint64 address, guint64 time, const char **file, guint *line)
{
  const char *found_file = NULL;
  guint found_line = 0;

  if (lookup_line == NULL ||
      !lookup_line (source, asid, address, time, &found_file, &found_line) ||
      G_UNLIKELY (found_file == NULL))
    return FALSE;
  if (file != NULL)
    *file = found_file;
  if (line != NULL)
    *line = found_line;
  return TRUE;
}

/**
 * ipt_symbol_source_lookup:
 * @self: an #IptSymbolSource
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address to name
 * @name: (out) (optional) (transfer none): the symbol's name, owned by @self
 * @offset: (out) (optional): @address minus the symbol's first address
 * @start: (out) (optional): the symbol's first address
 * @size: (out) (optional): the symbol's size, 0 when unknown
 *
 * Finds the symbol containing @address. Does not allocate: @name stays
 * valid as long as @self does. The out arguments are only set on success.
 *
 * Returns: %TRUE when a symbol contains @address, %FALSE otherwise (not
 *   an error: most addresses of stripped code have no name)
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_source_lookup (IptSymbolSource *self, const IptAsid *asid, guint64 address,
                          const char **name, guint64 *offset, guint64 *start, guint64 *size)
{
  IptSymbolSourceInterface *iface;

  g_return_val_if_fail (IPT_IS_SYMBOL_SOURCE (self), FALSE);

  iface = IPT_SYMBOL_SOURCE_GET_IFACE (self);
  g_return_val_if_fail (iface->lookup != NULL || iface->lookup_at != NULL, FALSE);

  return lookup_with (iface->lookup, iface->lookup_at, self, asid, address, IPT_TIME_END,
                      name, offset, start, size);
}

/**
 * ipt_symbol_source_lookup_symbol:
 * @self: an #IptSymbolSource
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address to name
 *
 * Like ipt_symbol_source_lookup(), returning a copy.
 *
 * Returns: (transfer full) (nullable): the symbol containing @address, or
 *   %NULL when none does
 *
 * Since: 0.1
 */
IptSymbol *
ipt_symbol_source_lookup_symbol (IptSymbolSource *self, const IptAsid *asid, guint64 address)
{
  const char *name;
  guint64 offset, start, size;

  if (!ipt_symbol_source_lookup (self, asid, address, &name, &offset, &start, &size))
    return NULL;
  return ipt_symbol_new (name, start, size, offset);
}

/**
 * ipt_symbol_source_lookup_at:
 * @self: an #IptSymbolSource
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address to name
 * @time: nanoseconds of CLOCK_MONOTONIC, or %IPT_TIME_END for the latest
 * @name: (out) (optional) (transfer none): the symbol's name, owned by @self
 * @offset: (out) (optional): @address minus the symbol's first address
 * @start: (out) (optional): the symbol's first address
 * @size: (out) (optional): the symbol's size, 0 when unknown
 *
 * Like ipt_symbol_source_lookup(), with the names @self knew at @time
 * (JIT code reuses addresses). Sources whose names do not change over time
 * answer the same at every time.
 *
 * Returns: %TRUE when a symbol contains @address at @time
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_source_lookup_at (IptSymbolSource *self, const IptAsid *asid, guint64 address,
                             guint64 time, const char **name, guint64 *offset, guint64 *start,
                             guint64 *size)
{
  IptSymbolSourceInterface *iface;

  g_return_val_if_fail (IPT_IS_SYMBOL_SOURCE (self), FALSE);

  iface = IPT_SYMBOL_SOURCE_GET_IFACE (self);
  return lookup_with (iface->lookup, iface->lookup_at, self, asid, address, time,
                      name, offset, start, size);
}

/**
 * ipt_symbol_source_lookup_line:
 * @self: an #IptSymbolSource
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address of an instruction
 * @time: nanoseconds of CLOCK_MONOTONIC, or %IPT_TIME_END for the latest
 * @file: (out) (optional) (transfer none): the source file, owned by @self
 * @line: (out) (optional): the line in @file
 *
 * Finds the source line of the code at @address at @time, where @self
 * knows it (a JIT's line table). Does not allocate.
 *
 * Returns: %TRUE when @self knows the line
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_source_lookup_line (IptSymbolSource *self, const IptAsid *asid, guint64 address,
                               guint64 time, const char **file, guint *line)
{
  g_return_val_if_fail (IPT_IS_SYMBOL_SOURCE (self), FALSE);

  return lookup_line_with (IPT_SYMBOL_SOURCE_GET_IFACE (self)->lookup_line, self, asid, address,
                           time, file, line);
}

/* ---- IptSymbolResolver -------------------------------------------------- */

typedef struct {
  IptSymbolSource *source;   /* strong reference */
  LookupFunc lookup;
  LookupAtFunc lookup_at;
  LookupLineFunc lookup_line;
} ResolverEntry;

struct _IptSymbolResolver {
  GArray *entries;   /* of ResolverEntry, priority order */
};

static void
resolver_entry_clear (gpointer data)
{
  ResolverEntry *entry = data;

  g_clear_object (&entry->source);
}

static void
resolver_clear (gpointer data)
{
  IptSymbolResolver *self = data;

  g_array_unref (self->entries);
}

G_DEFINE_BOXED_TYPE (IptSymbolResolver, ipt_symbol_resolver,
                     ipt_symbol_resolver_ref, ipt_symbol_resolver_unref)

/**
 * ipt_symbol_resolver_new:
 *
 * Creates an empty resolver; add sources with ipt_symbol_resolver_add().
 *
 * Returns: (transfer full): a new #IptSymbolResolver
 *
 * Since: 0.1
 */
IptSymbolResolver *
ipt_symbol_resolver_new (void)
{
  IptSymbolResolver *self = g_atomic_rc_box_new0 (IptSymbolResolver);

  self->entries = g_array_new (FALSE, TRUE, sizeof (ResolverEntry));
  g_array_set_clear_func (self->entries, resolver_entry_clear);
  return self;
}

/**
 * ipt_symbol_resolver_new_for_model:
 * @providers: a #GListModel of objects, typically the image's providers in
 *   priority order
 *
 * Creates a resolver over those items of @providers that implement
 * #IptSymbolSource, in the model's order. The resolver is a snapshot:
 * later changes of @providers do not affect it.
 *
 * Returns: (transfer full): a new #IptSymbolResolver
 *
 * Since: 0.1
 */
IptSymbolResolver *
ipt_symbol_resolver_new_for_model (GListModel *providers)
{
  IptSymbolResolver *self;
  guint n, i;

  g_return_val_if_fail (G_IS_LIST_MODEL (providers), NULL);

  self = ipt_symbol_resolver_new ();
  n = g_list_model_get_n_items (providers);
  for (i = 0; i < n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (providers, i);

      if (item != NULL)
        ipt_symbol_resolver_add (self, item);
    }
  return self;
}

/**
 * ipt_symbol_resolver_ref:
 * @self: an #IptSymbolResolver
 *
 * Takes a reference on @self.
 *
 * Returns: (transfer full): @self, with one more reference
 *
 * Since: 0.1
 */
IptSymbolResolver *
ipt_symbol_resolver_ref (IptSymbolResolver *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * ipt_symbol_resolver_unref:
 * @self: (transfer full): an #IptSymbolResolver
 *
 * Drops a reference; the last one releases the sources.
 *
 * Since: 0.1
 */
void
ipt_symbol_resolver_unref (IptSymbolResolver *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, resolver_clear);
}

/**
 * ipt_symbol_resolver_add:
 * @self: an #IptSymbolResolver
 * @object: any object; typically an #IptMemoryProvider
 *
 * Appends @object, with the lowest priority so far, if it implements
 * #IptSymbolSource; other objects are ignored, so a caller can pass every
 * provider of an image. The resolver keeps a reference to @object.
 *
 * Returns: %TRUE when @object is a symbol source and was added
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_resolver_add (IptSymbolResolver *self, GObject *object)
{
  IptSymbolSourceInterface *iface;
  ResolverEntry entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  if (!IPT_IS_SYMBOL_SOURCE (object))
    return FALSE;
  iface = IPT_SYMBOL_SOURCE_GET_IFACE (object);
  if (iface->lookup == NULL && iface->lookup_at == NULL)
    return FALSE;

  entry.source = g_object_ref (IPT_SYMBOL_SOURCE (object));
  entry.lookup = iface->lookup;
  entry.lookup_at = iface->lookup_at;
  entry.lookup_line = iface->lookup_line;
  g_array_append_val (self->entries, entry);
  return TRUE;
}

/**
 * ipt_symbol_resolver_get_n_sources:
 * @self: an #IptSymbolResolver
 *
 * Counts the symbol sources of @self: the objects that ipt_symbol_resolver_add()
 * accepted.
 *
 * Returns: the number of symbol sources @self asks
 *
 * Since: 0.1
 */
guint
ipt_symbol_resolver_get_n_sources (IptSymbolResolver *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

/**
 * ipt_symbol_resolver_lookup:
 * @self: an #IptSymbolResolver
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address to name
 * @name: (out) (optional) (transfer none): the symbol's name, owned by its
 *   source (valid as long as @self lives)
 * @offset: (out) (optional): @address minus the symbol's first address
 * @start: (out) (optional): the symbol's first address
 * @size: (out) (optional): the symbol's size, 0 when unknown
 *
 * Asks the sources in priority order; the first that names @address
 * wins. Does not allocate or lock.
 *
 * Returns: %TRUE when a source names @address
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_resolver_lookup (IptSymbolResolver *self, const IptAsid *asid, guint64 address,
                            const char **name, guint64 *offset, guint64 *start, guint64 *size)
{
  return ipt_symbol_resolver_lookup_at (self, asid, address, IPT_TIME_END, name, offset, start,
                                        size);
}

/**
 * ipt_symbol_resolver_lookup_at:
 * @self: an #IptSymbolResolver
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address to name
 * @time: nanoseconds of CLOCK_MONOTONIC, or %IPT_TIME_END for the latest
 * @name: (out) (optional) (transfer none): the symbol's name, owned by its
 *   source (valid as long as @self lives)
 * @offset: (out) (optional): @address minus the symbol's first address
 * @start: (out) (optional): the symbol's first address
 * @size: (out) (optional): the symbol's size, 0 when unknown
 *
 * Like ipt_symbol_resolver_lookup(), with the names as they were at @time
 * (a decoder's current time, ipt_decoder_get_time()).
 *
 * Returns: %TRUE when a source names @address at @time
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_resolver_lookup_at (IptSymbolResolver *self, const IptAsid *asid, guint64 address,
                               guint64 time, const char **name, guint64 *offset, guint64 *start,
                               guint64 *size)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->entries->len; i++)
    {
      const ResolverEntry *entry = &g_array_index (self->entries, ResolverEntry, i);

      if (lookup_with (entry->lookup, entry->lookup_at, entry->source, asid, address, time,
                       name, offset, start, size))
        return TRUE;
    }
  return FALSE;
}

/**
 * ipt_symbol_resolver_lookup_line:
 * @self: an #IptSymbolResolver
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address of an instruction
 * @time: nanoseconds of CLOCK_MONOTONIC, or %IPT_TIME_END for the latest
 * @file: (out) (optional) (transfer none): the source file, owned by its source
 * @line: (out) (optional): the line in @file
 *
 * Asks the sources that know source lines, in priority order. Does not
 * allocate or lock.
 *
 * Returns: %TRUE when a source knows the line of @address
 *
 * Since: 0.1
 */
gboolean
ipt_symbol_resolver_lookup_line (IptSymbolResolver *self, const IptAsid *asid, guint64 address,
                                 guint64 time, const char **file, guint *line)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->entries->len; i++)
    {
      const ResolverEntry *entry = &g_array_index (self->entries, ResolverEntry, i);

      if (lookup_line_with (entry->lookup_line, entry->source, asid, address, time, file, line))
        return TRUE;
    }
  return FALSE;
}

/**
 * ipt_symbol_resolver_lookup_symbol:
 * @self: an #IptSymbolResolver
 * @asid: (nullable): the address space of @address; %NULL matches every one
 * @address: the address to name
 *
 * Like ipt_symbol_resolver_lookup(), returning a copy.
 *
 * Returns: (transfer full) (nullable): the symbol containing @address, or
 *   %NULL when no source names it
 *
 * Since: 0.1
 */
IptSymbol *
ipt_symbol_resolver_lookup_symbol (IptSymbolResolver *self, const IptAsid *asid,
                                   guint64 address)
{
  const char *name;
  guint64 offset, start, size;

  if (!ipt_symbol_resolver_lookup (self, asid, address, &name, &offset, &start, &size))
    return NULL;
  return ipt_symbol_new (name, start, size, offset);
}
