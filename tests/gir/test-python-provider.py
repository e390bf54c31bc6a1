#!/usr/bin/python3
"""test-python-provider.py: a memory provider written in Python through
GObject introspection (PyGObject): a class deriving from GObject.Object and
Ipt.MemoryProvider that implements do_read_bytes and do_dup_regions, the
vfuncs for bindings (a binding cannot fill the caller's buffer of read, nor
return the GPtrArray with a free function of list_regions). It serves the
demo program's PT_LOAD segments from a Python bytes object; reads through
an image and decodes of the demo trace must equal those over the raw plugin
mapping the same segments.

Emits TAP. Run by meson (suite 'gir') with GI_TYPELIB_PATH and
LD_LIBRARY_PATH pointing into the build tree.
"""
import os
import struct

import gi

gi.require_version("Ipt", "1")
gi.require_version("Gio", "2.0")
from gi.repository import GLib, GObject, Ipt  # noqa: E402

from gir_tap import check, run  # noqa: E402

srcdir = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
demo_dir = os.environ.get("IPT_DEMO_DIR",
                          os.path.join(os.path.dirname(os.path.abspath(srcdir)), "data", "demo"))
program = os.path.join(demo_dir, "demo")
trace = os.path.join(demo_dir, "trace.pt")


def load_segments(path):
    """(vaddr, file offset, file size) of each PT_LOAD of an ELF64 file."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:5] == b"\x7fELF\x02", path
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segments = []
    for i in range(phnum):
        p_type, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and filesz > 0:
            segments.append((vaddr, offset, filesz))
    return data, segments


program_bytes, segments = load_segments(program)


class SegmentProvider(GObject.Object, Ipt.MemoryProvider):
    """The program's PT_LOAD bytes at their addresses, from Python."""

    def __init__(self, data, segments):
        super().__init__()
        self.data = data
        self.segments = segments
        self.reads = 0

    def do_read_bytes(self, size, asid, address):
        self.reads += 1
        for vaddr, offset, filesz in self.segments:
            if vaddr <= address < vaddr + filesz:
                start = offset + address - vaddr
                return GLib.Bytes.new(self.data[start:start + min(size, vaddr + filesz - address)])
        return GLib.Bytes.new(b"")

    def do_dup_regions(self):
        # in reverse: the interface sorts them
        return [Ipt.Region.new(vaddr, filesz, None, Ipt.Permissions.READ | Ipt.Permissions.EXECUTE,
                               None, 0) for vaddr, _offset, filesz in reversed(self.segments)]


class FailingProvider(GObject.Object, Ipt.MemoryProvider):
    """Fails at 0x1000 with a GLib.Error, returns too much at 0x2000."""

    def do_read_bytes(self, size, asid, address):
        if address == 0x1000:
            raise GLib.Error.new_literal(Ipt.error_quark(), "py: page 0x1000 is corrupt",
                                         int(Ipt.Error.CORRUPT))
        if address == 0x2000:
            return GLib.Bytes.new(b"x" * (size + 1))
        return GLib.Bytes.new(b"")


class NothingProvider(GObject.Object, Ipt.MemoryProvider):
    """Implements no vfunc at all."""


def raw_image():
    registry = Ipt.PluginRegistry.get_default()
    image = Ipt.Image.new("raw")
    for vaddr, offset, filesz in segments:
        image.add_provider(registry.new_provider(
            "raw:file=%s,base=0x%x,offset=0x%x,size=0x%x" % (program, vaddr, offset, filesz), None))
    return image


def python_image():
    provider = SegmentProvider(program_bytes, segments)
    image = Ipt.Image.new("python")
    image.add_provider(provider)
    return image, provider


@check("the Python provider serves reads through the image as the raw plugin does")
def _():
    assert len(segments) >= 2, segments
    image, provider = python_image()
    reference = raw_image()
    for vaddr, offset, filesz in segments:
        for address, size in ((vaddr, 64), (vaddr + filesz - 8, 64), (vaddr + filesz // 2, 4096)):
            got = image.read_bytes(size, None, address).get_data()
            assert got == reference.read_bytes(size, None, address).get_data(), hex(address)
            length = min(size, vaddr + filesz - address)
            assert got == program_bytes[offset + address - vaddr:][:length], hex(address)
    # unmapped: empty, not an error
    assert image.read_bytes(16, None, 0x10).get_data() == b""
    # the provider's own read_bytes is the vfunc, called directly
    vaddr, offset, _filesz = segments[0]
    assert provider.read_bytes(16, None, vaddr).get_data() == program_bytes[offset:offset + 16]
    assert provider.reads > 0
    # regions come sorted, served through the callback (no file behind them)
    regions = provider.list_regions()
    assert [(r.address, r.size) for r in regions] == [(v, s) for v, _o, s in segments], regions
    assert all(not m.is_file_section for m in image.list_mappings())
    assert all(m.is_file_section for m in reference.list_mappings())


@check("the demo decoded over the Python provider: the raw plugin's statistics, both decoders")
def _():
    for kind in (Ipt.DecoderKind.BLOCK, Ipt.DecoderKind.INSN):
        counts = []
        for image in (python_image()[0], raw_image()):
            stats = Ipt.Statistics.new()
            assert Ipt.Decoder.new(image, kind).decode_file(trace, 0, 0, stats, None)
            # not n_blocks: libipt's block decoder cuts blocks differently
            # over file sections (raw) and over its callback (Python)
            counts.append((stats.props.n_insns, stats.props.n_errors,
                           [stats.get_n_events_of_kind(Ipt.EventKind(k))
                            for k in range(Ipt.EventKind.OTHER + 1)]))
        assert counts[0] == counts[1], (kind, counts)
        assert counts[0][0] > 20000 and counts[0][1] == 0, counts[0]


@check("every row of the demo's listing (Ipt.ListingModel) over the Python provider is the raw plugin's")
def _():
    listings = []
    for image in (python_image()[0], raw_image()):
        model = Ipt.ListingModel.new_for_file(Ipt.Decoder.new(image, Ipt.DecoderKind.BLOCK), trace)
        assert model.index(None)
        listings.append([model.get_item(i).get_line() for i in range(model.get_n_items())])
    assert len(listings[0]) > 20000
    assert listings[0] == listings[1], next(
        (i, a, b) for i, (a, b) in enumerate(zip(*listings)) if a != b)


@check("a Python provider's GLib.Error and a too-long read reach the caller as GLib.Error")
def _():
    image = Ipt.Image.new("failing")
    image.add_provider(FailingProvider())
    try:
        image.read_bytes(16, None, 0x1000)
        raise AssertionError("the failing read succeeded")
    except GLib.Error as error:
        assert error.matches(Ipt.error_quark(), Ipt.Error.CORRUPT), error
        assert "py: page 0x1000 is corrupt" in error.message, error.message
    try:
        FailingProvider().read_bytes(16, None, 0x2000)
        raise AssertionError("17 bytes for a read of 16 were taken")
    except GLib.Error as error:
        assert "more than the 16 asked for" in error.message, error.message


@check("a provider that implements no vfunc: no regions, NOT_SUPPORTED reads")
def _():
    provider = NothingProvider()
    assert not provider.list_regions()      # NULL: PyGObject gives an empty list
    try:
        provider.read_bytes(16, None, 0x1000)
        raise AssertionError("a provider without read_bytes was read")
    except GLib.Error as error:
        assert error.matches(Ipt.error_quark(), Ipt.Error.NOT_SUPPORTED), error
        assert "NothingProvider" in error.message, error.message


run()
