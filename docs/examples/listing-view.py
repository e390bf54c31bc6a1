#!/usr/bin/python3
"""listing-view.py: a trace's listing in a GTK 4 window, in Python, on
ipt-analyze's GObject introspection alone (Ipt-1.typelib, no C).

    listing-view.py [--pt TRACE] [--plugin NAME:KEY=VALUE,...]... [--check N]

Without arguments it opens the bundled demo (data/demo: its trace over its
core dump, the coredump plugin). The listing is an Ipt.ListingModel, a lazy
Gio.ListModel: indexing the trace (asynchronously, with a progress bar)
decodes it once and keeps checkpoints; the Gtk.ColumnView then asks only
for the rows it shows, which the model decodes from the nearest checkpoint.

--check N prints the first N rows the view shows, from its labels, as
ipt-analyze prints them, then quits (the tests compare them with
ipt-analyze's listing).

From the build tree: meson devenv -C build -w . docs/examples/listing-view.py
"""
import argparse
import os
import sys

import gi

gi.require_version("Gtk", "4.0")
gi.require_version("Ipt", "1")
from gi.repository import GLib, Gtk, Ipt  # noqa: E402

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "demo")


def open_listing(trace, plugins):
    """The lazy listing of @trace over the memory of @plugins (option strings)."""
    registry = Ipt.PluginRegistry.get_default()
    image = Ipt.Image.new("listing-view")
    for options in plugins:
        image.add_provider(registry.new_provider(options, None))
    model = Ipt.ListingModel.new_for_file(Ipt.Decoder.new(image, Ipt.DecoderKind.BLOCK), trace)
    # the providers' symbols name the code, as ipt-analyze's listing does
    model.set_symbols(Ipt.SymbolResolver.new_for_model(image.get_providers()))
    return model


def column_texts(row):
    """What the three columns show of an Ipt.ListingRow: address, symbol, text."""
    if row.props.kind != Ipt.ListingRowKind.INSN:
        return "", "", row.props.text           # an event or an error: one line
    symbol = row.props.symbol or ""
    if symbol and row.props.symbol_offset:
        symbol += "+0x%x" % row.props.symbol_offset
    return "%016x" % row.props.address, symbol, row.props.text


def as_listing_line(address, symbol, text):
    """The columns as ipt-analyze prints a line."""
    if not address:
        return text
    return "%s <%s>  %s" % (address, symbol, text) if symbol else "%s  %s" % (address, text)


class ListingWindow(Gtk.Window):
    def __init__(self, model, on_indexed):
        super().__init__(title="ipt-analyze listing", default_width=900, default_height=600)
        self.model = model
        self.shown = {}        # position -> the labels' texts, while bound
        self.indexed = on_indexed

        self.progress = Gtk.ProgressBar(show_text=True, text="indexing the trace")
        self.view = Gtk.ColumnView(model=Gtk.NoSelection(model=model), vexpand=True)
        for column, title, expand in ((0, "Address", False), (1, "Symbol", False),
                                      (2, "Instruction", True)):
            factory = Gtk.SignalListItemFactory()
            factory.connect("setup", self.on_setup)
            factory.connect("bind", self.on_bind, column)
            factory.connect("unbind", self.on_unbind)
            self.view.append_column(Gtk.ColumnViewColumn(title=title, factory=factory,
                                                         expand=expand))
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(self.progress)
        box.append(Gtk.ScrolledWindow(child=self.view, vexpand=True))
        self.set_child(box)

        model.connect("notify::progress",
                      lambda m, _p: self.progress.set_fraction(m.props.progress))
        model.index_async(None, self.on_indexed, None)

    def on_setup(self, _factory, item):
        item.set_child(Gtk.Label(xalign=0, css_classes=["monospace"]))

    def on_bind(self, _factory, item, column):
        item.get_child().set_text(column_texts(item.get_item())[column])
        self.shown.setdefault(item.get_position(), ["", "", ""])[column] = \
            item.get_child().get_text()

    def on_unbind(self, _factory, item):
        self.shown.pop(item.get_position(), None)

    def on_indexed(self, model, result, _data):
        try:
            model.index_finish(result)
        except GLib.Error as error:
            self.progress.set_text("cannot index the trace: %s" % error.message)
            self.indexed(error)
            return
        self.progress.set_text("%d rows, %d instructions" % (model.get_n_items(),
                                                             model.get_n_insns()))
        self.indexed(None)


def run(options):
    """The window until it is closed, or until --check has printed its rows."""
    loop = GLib.MainLoop()
    outcome = {"status": 0}

    def indexed(error):
        if error is not None:
            print("listing-view: error: %s" % error.message, file=sys.stderr)
            outcome["status"] = 1
            if options.check:
                loop.quit()

    def check():
        n = options.check
        if not window.model.is_indexed() or any(i not in window.shown for i in range(n)):
            return GLib.SOURCE_CONTINUE
        for i in range(n):
            print(as_listing_line(*window.shown[i]))
        sys.stdout.flush()
        loop.quit()
        return GLib.SOURCE_REMOVE

    def give_up():
        print("listing-view: the view showed no rows in 120 s", file=sys.stderr)
        outcome["status"] = 1
        loop.quit()
        return GLib.SOURCE_REMOVE

    try:
        model = open_listing(options.pt, options.plugin)
    except GLib.Error as error:
        print("listing-view: error: %s" % error.message, file=sys.stderr)
        return 1
    window = ListingWindow(model, indexed)
    window.connect("close-request", lambda _w: loop.quit() or False)
    window.present()
    if options.check:
        GLib.timeout_add(200, check)
        GLib.timeout_add_seconds(120, give_up)
    loop.run()
    return outcome["status"]


def main():
    parser = argparse.ArgumentParser(description="A trace's listing in a GTK 4 window.")
    parser.add_argument("--pt", default=os.path.join(DEMO, "trace.pt"), help="the Intel PT trace")
    parser.add_argument("--plugin", action="append", metavar="NAME:KEY=VALUE,...",
                        help="memory, as ipt-analyze --plugin (repeatable)")
    parser.add_argument("--check", type=int, metavar="N",
                        help="print the first N rows shown, then quit")
    options = parser.parse_args()
    if not options.plugin:
        options.plugin = ["coredump:core=%s,search-path=%s" % (os.path.join(DEMO, "core"), DEMO)]
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
