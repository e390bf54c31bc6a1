/* ipt-symbol-source.h: the optional address -> symbol interface of providers,
 * the IptSymbol result and a resolver over several sources. */
#pragma once

#if !defined(__IPT_ANALYZE_H_INSIDE__) && !defined(IPT_ANALYZE_COMPILATION)
#error "Only <ipt-analyze/ipt-analyze.h> can be included directly."
#endif

#include <gio/gio.h>
#include <ipt-analyze/ipt-macros.h>
#include <ipt-analyze/ipt-asid.h>

G_BEGIN_DECLS

/**
 * IptSymbol:
 * @name: the symbol's name
 * @address: the symbol's first address (already relocated to where the
 *   provider maps it)
 * @size: the symbol's size in bytes; 0 when unknown
 * @offset: the looked-up address minus @address
 *
 * A symbol found by a lookup, as a self-contained copy (for bindings, GUIs
 * and anything that keeps the result). The allocation-free lookups
 * (ipt_symbol_source_lookup(), ipt_symbol_resolver_lookup()) return the
 * same facts without copying the name.
 *
 * Since: 0.1
 */
typedef struct {
  gchar *name;
  guint64 address;
  guint64 size;
  guint64 offset;
} IptSymbol;

#define IPT_TYPE_SYMBOL (ipt_symbol_get_type ())

IPT_AVAILABLE_IN_ALL
GType ipt_symbol_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptSymbol *ipt_symbol_new (const char *name, guint64 address, guint64 size, guint64 offset);
IPT_AVAILABLE_IN_ALL
IptSymbol *ipt_symbol_copy (const IptSymbol *symbol);
IPT_AVAILABLE_IN_ALL
void ipt_symbol_free (IptSymbol *symbol);
IPT_AVAILABLE_IN_ALL
char *ipt_symbol_to_string (const IptSymbol *symbol);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptSymbol, ipt_symbol_free)

#define IPT_TYPE_SYMBOL_SOURCE (ipt_symbol_source_get_type ())
IPT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (IptSymbolSource, ipt_symbol_source, IPT, SYMBOL_SOURCE, GObject)

/**
 * IptSymbolSourceInterface:
 * @parent_iface: the parent interface
 * @lookup: finds the symbol that contains @address in @asid. All out
 *   pointers are non-%NULL. On success it sets *@name to a string owned by
 *   the source (valid as long as the source lives), *@start and *@size to
 *   the symbol's relocated first address and size (0 = unknown), and
 *   returns %TRUE; otherwise it returns %FALSE and leaves them alone. It
 *   runs once per decoded instruction in a listing: it must not allocate,
 *   block or take a global lock, and must be safe to call from several
 *   threads at once.
 * @lookup_at: optional, for sources whose names change over time (JIT
 *   code reusing an address): like @lookup, as the names were at @time
 *   (nanoseconds of CLOCK_MONOTONIC; %IPT_TIME_END = the latest), with the
 *   rule of ipt_image_set_time(). @lookup then answers for the latest.
 * @lookup_line: optional: the source file and line of the code at @address
 *   at @time (a JIT's line table, DWARF); *@file is owned by the source.
 *   Same rules as @lookup.
 *
 * The symbol-source interface: an optional interface of memory providers
 * that know the names of the code they serve (the `elf` plugin's symbol
 * tables, a JIT map).
 *
 * Since: 0.1
 */
struct _IptSymbolSourceInterface {
  GTypeInterface parent_iface;

  gboolean (*lookup) (IptSymbolSource *self, const IptAsid *asid, guint64 address,
                      const char **name, guint64 *start, guint64 *size);
  gboolean (*lookup_at) (IptSymbolSource *self, const IptAsid *asid, guint64 address,
                         guint64 time, const char **name, guint64 *start, guint64 *size);
  gboolean (*lookup_line) (IptSymbolSource *self, const IptAsid *asid, guint64 address,
                           guint64 time, const char **file, guint *line);

  /*< private >*/
  gpointer padding[6];
};

IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_source_lookup (IptSymbolSource *self, const IptAsid *asid,
                                   guint64 address, const char **name, guint64 *offset,
                                   guint64 *start, guint64 *size);
IPT_AVAILABLE_IN_ALL
IptSymbol *ipt_symbol_source_lookup_symbol (IptSymbolSource *self, const IptAsid *asid,
                                            guint64 address);
IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_source_lookup_at (IptSymbolSource *self, const IptAsid *asid,
                                      guint64 address, guint64 time, const char **name,
                                      guint64 *offset, guint64 *start, guint64 *size);
IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_source_lookup_line (IptSymbolSource *self, const IptAsid *asid,
                                        guint64 address, guint64 time, const char **file,
                                        guint *line);

/**
 * IptSymbolResolver:
 *
 * An ordered list of symbol sources, asked in priority order (first added
 * wins), with each source's lookup function resolved once when it is added.
 * Build it from the image's providers; objects that do not implement
 * #IptSymbolSource are skipped. Reference counted; lookups from several
 * threads at once are safe once it is built (do not add sources while it
 * is shared).
 *
 * Since: 0.1
 */
typedef struct _IptSymbolResolver IptSymbolResolver;

#define IPT_TYPE_SYMBOL_RESOLVER (ipt_symbol_resolver_get_type ())

IPT_AVAILABLE_IN_ALL
GType ipt_symbol_resolver_get_type (void) G_GNUC_CONST;
IPT_AVAILABLE_IN_ALL
IptSymbolResolver *ipt_symbol_resolver_new (void);
IPT_AVAILABLE_IN_ALL
IptSymbolResolver *ipt_symbol_resolver_new_for_model (GListModel *providers);
IPT_AVAILABLE_IN_ALL
IptSymbolResolver *ipt_symbol_resolver_ref (IptSymbolResolver *self);
IPT_AVAILABLE_IN_ALL
void ipt_symbol_resolver_unref (IptSymbolResolver *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_resolver_add (IptSymbolResolver *self, GObject *object);
IPT_AVAILABLE_IN_ALL
guint ipt_symbol_resolver_get_n_sources (IptSymbolResolver *self);
IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_resolver_lookup (IptSymbolResolver *self, const IptAsid *asid,
                                     guint64 address, const char **name, guint64 *offset,
                                     guint64 *start, guint64 *size);
IPT_AVAILABLE_IN_ALL
IptSymbol *ipt_symbol_resolver_lookup_symbol (IptSymbolResolver *self, const IptAsid *asid,
                                              guint64 address);
IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_resolver_lookup_at (IptSymbolResolver *self, const IptAsid *asid,
                                        guint64 address, guint64 time, const char **name,
                                        guint64 *offset, guint64 *start, guint64 *size);
IPT_AVAILABLE_IN_ALL
gboolean ipt_symbol_resolver_lookup_line (IptSymbolResolver *self, const IptAsid *asid,
                                          guint64 address, guint64 time, const char **file,
                                          guint *line);
IPT_AVAILABLE_IN_ALL
gsize ipt_symbol_format (char *buffer, gsize size, const char *name, guint64 offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptSymbolResolver, ipt_symbol_resolver_unref)

G_END_DECLS
