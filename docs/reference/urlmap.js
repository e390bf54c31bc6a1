// Where gi-docgen links the types of the namespaces Ipt-1 builds on.
baseURLs = [
  [ 'GLib', 'https://docs.gtk.org/glib/' ],
  [ 'GModule', 'https://docs.gtk.org/gmodule/' ],
  [ 'GObject', 'https://docs.gtk.org/gobject/' ],
  [ 'Gio', 'https://docs.gtk.org/gio/' ],
]
