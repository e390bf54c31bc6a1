#!/usr/bin/python3
"""test-listing-model.py: IptListingModel as a GUI sees it, through
GObject introspection (Ipt-1.typelib) and PyGObject: the demo indexed
asynchronously in a main loop, every row's line equal to the line the real
ipt-analyze prints (symbols from the providers, as the CLI names code),
rows in random order, a search, a cancelled index.

Emits TAP. Run by meson (suite 'gir') with GI_TYPELIB_PATH and
LD_LIBRARY_PATH pointing into the build tree, IPT_ANALYZE naming the
built ipt-analyze.
"""
import os
import random
import subprocess

import gi

gi.require_version("Ipt", "1")
gi.require_version("Gio", "2.0")
from gi.repository import GLib, Gio, Ipt  # noqa: E402

from gir_tap import check, run  # noqa: E402


srcdir = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
demo_dir = os.environ.get("IPT_DEMO_DIR",
                          os.path.join(os.path.dirname(os.path.abspath(srcdir)), "data", "demo"))
trace_path = os.path.join(demo_dir, "trace.pt")
coredump = "coredump:core=%s,search-path=%s" % (os.path.join(demo_dir, "core"), demo_dir)


def cli_listing(*options):
    """The lines the real ipt-analyze prints for the demo."""
    out = subprocess.run([os.environ["IPT_ANALYZE"], "--pt", trace_path, "--plugin", coredump]
                         + list(options), check=True, stdout=subprocess.PIPE).stdout
    return out.decode().splitlines()


def demo_model(kind=Ipt.DecoderKind.BLOCK):
    provider = Ipt.PluginRegistry.get_default().new_provider(coredump, None)
    image = Ipt.Image.new("demo")
    image.add_provider(provider)
    decoder = Ipt.Decoder.new(image, kind)
    model = Ipt.ListingModel.new_for_file(decoder, trace_path)
    model.props.checkpoint_spacing = 1024
    model.set_symbols(Ipt.SymbolResolver.new_for_model(image.get_providers()))
    return model


def run_index(model, cancellable=None):
    """index_async in a main loop: (ok or the GLib.Error, progress seen, items-changed seen)."""
    loop = GLib.MainLoop()
    outcome = {}
    progress = []
    changes = []

    def done(source, result, _data):
        try:
            outcome["ok"] = source.index_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    model.connect("notify::progress", lambda m, _p: progress.append(m.props.progress))
    model.connect("items-changed", lambda _m, *args: changes.append(args))
    model.index_async(cancellable, done, None)
    timeout = GLib.timeout_add_seconds(120, loop.quit)
    loop.run()
    GLib.source_remove(timeout)
    return outcome, progress, changes


expected = cli_listing()


@check("the demo indexed in a main loop: one items-changed, progress to 1, every line the CLI's")
def _():
    model = demo_model()
    assert isinstance(model, Gio.ListModel)
    assert model.get_n_items() == 0 and not model.is_indexed()
    outcome, progress, changes = run_index(model)
    assert outcome.get("ok") is True, outcome
    assert changes == [(0, 0, len(expected))], changes
    assert progress and progress[-1] == 1.0 and model.props.progress == 1.0, progress
    assert model.get_n_items() == len(expected) == model.props.n_items
    assert model.get_n_insns() == sum(1 for line in expected if not line.startswith("["))
    assert model.get_n_checkpoints() >= 1, model.get_n_checkpoints()
    lines = [model.get_item(i).get_line() for i in range(model.get_n_items())]
    assert lines == expected, next((i, a, b) for i, (a, b) in enumerate(zip(lines, expected)) if a != b)
    assert model.get_item(len(expected)) is None


@check("rows in random order, their columns, with the insn decoder")
def _():
    model = demo_model(Ipt.DecoderKind.INSN)
    assert model.index(None)
    order = list(range(model.get_n_items()))
    random.Random(11).shuffle(order)
    for i in order[:3000]:
        row = model.get_item(i)
        assert row.props.position == i and row.to_line() == expected[i], (i, row.to_line(), expected[i])
        if row.props.kind == Ipt.ListingRowKind.INSN:
            assert expected[i].startswith("%016x" % row.props.address), (i, expected[i])
            assert row.props.text in expected[i] and row.props.text != ""
            if row.props.symbol is not None:
                assert ("<%s" % row.props.symbol) in expected[i], (i, row.props.symbol)
        else:
            assert row.props.text == expected[i]


@check("find_address and find_text, forward and backward")
def _():
    model = demo_model()
    assert model.index(None)
    last = max(i for i, line in enumerate(expected) if "syscall" in line)
    found, position = model.find_text("syscall", model.get_n_items() - 1, True, None)
    assert found and position == last, (found, position, last)
    address = int(expected[last].split()[0], 16)
    first = next(i for i, line in enumerate(expected) if line.startswith("%016x" % address))
    found, position = model.find_address(address, 0, False, None)
    assert found and position == first, (position, first)
    found, position = model.find_text("no such text anywhere", 0, False, None)
    assert not found
    # in a thread, answered in the main loop
    loop = GLib.MainLoop()
    answer = []

    def done(source, result, _data):
        answer.append(source.find_finish(result))
        loop.quit()

    model.find_text_async("syscall", model.get_n_items() - 1, True, None, done, None)
    loop.run()
    assert answer == [(True, last)], answer


@check("a cancelled index: G_IO_ERROR_CANCELLED, the model stays empty")
def _():
    model = demo_model()
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    outcome, _progress, changes = run_index(model, cancellable)
    assert "error" in outcome and outcome["error"].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), outcome
    assert model.get_n_items() == 0 and not model.is_indexed() and changes == []


run()
