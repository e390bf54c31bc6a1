#!/usr/bin/python3
"""test-introspection.py: the library as a GUI or another language sees it,
through GObject introspection (Ipt-1.typelib) and PyGObject.

Emits TAP. Run by meson (suite 'gir') with GI_TYPELIB_PATH and
LD_LIBRARY_PATH pointing into the build tree.
"""
import os
import tempfile

import gi

gi.require_version("Ipt", "1")
gi.require_version("Gio", "2.0")
from gi.repository import GLib, Gio, GObject, Ipt  # noqa: E402

from gir_tap import check, run  # noqa: E402


workdir = tempfile.mkdtemp(prefix="test-introspection-")
blob_path = os.path.join(workdir, "blob.bin")
with open(blob_path, "wb") as f:
    f.write(bytes((i * 7) & 0xFF for i in range(8192)))


@check("registry lists the built plugins with their options")
def _():
    registry = Ipt.PluginRegistry.get_default()
    plugins = registry.get_plugins()
    assert isinstance(plugins, Gio.ListModel)
    names = {plugins.get_item(i).get_name(): plugins.get_item(i) for i in range(plugins.get_n_items())}
    for expected in ("raw", "pagedump", "elf", "coredump"):
        assert expected in names, names
    raw = names["raw"]
    options = {pspec.name: pspec for pspec in raw.list_options()}
    assert set(("file", "base", "offset", "size")) <= set(options), options
    assert options["base"].value_type == GObject.TYPE_UINT64
    assert raw.props.name == "raw"


@check("image reads through a raw provider built from an option string")
def _():
    registry = Ipt.PluginRegistry.get_default()
    provider = registry.new_provider("raw:file=%s,base=0x400000,offset=0x100" % blob_path, None)
    assert isinstance(provider, Ipt.MemoryProvider)
    image = Ipt.Image.new("gi")
    image.add_provider(provider)
    data = image.read_bytes(16, None, 0x400000).get_data()
    with open(blob_path, "rb") as f:
        f.seek(0x100)
        assert data == f.read(16), data
    # a read at the end is short, past it empty: not an error
    assert len(image.read_bytes(64, None, 0x400000 + 8192 - 0x100 - 8).get_data()) == 8
    assert len(image.read_bytes(16, None, 0x300000).get_data()) == 0
    assert image.get_providers().get_n_items() == 1
    # a size far beyond the mapping reads what is mapped (it used to abort)
    assert len(image.read_bytes(1 << 50, None, 0x400000).get_data()) == 8192 - 0x100
    assert len(provider.read_bytes(1 << 50, None, 0x400000).get_data()) == 8192 - 0x100


@check("resolved mappings carry the region, the provider and the section flag")
def _():
    registry = Ipt.PluginRegistry.get_default()
    low = registry.new_provider("raw:file=%s,base=0x1000" % blob_path, None)
    high = registry.new_provider("raw:file=%s,base=0x2000,size=0x100" % blob_path, None)
    image = Ipt.Image.new("gi")
    image.add_provider(high)
    image.add_provider(low)
    mappings = image.list_mappings()
    spans = [(m.region.address, m.region.size, m.provider == high, m.is_file_section) for m in mappings]
    assert spans == [(0x1000, 0x1000, False, True), (0x2000, 0x100, True, True),
                     (0x2100, 0x1000 - 0x100, False, True)], [tuple(map(hex, s[:2])) + s[2:] for s in spans]
    assert all(m.region.filename == blob_path for m in mappings)


@check("provider errors are GLib.Error in the Ipt error domain")
def _():
    registry = Ipt.PluginRegistry.get_default()
    try:
        registry.new_provider("raw:file=%s,bsae=1" % blob_path, None)
    except GLib.Error as error:
        assert error.matches(Ipt.error_quark(), Ipt.Error.BAD_OPTION), error
        assert "bsae" in error.message
    else:
        raise AssertionError("unknown option accepted")
    try:
        registry.new_provider("nosuchplugin:x=1", None)
    except GLib.Error as error:
        assert error.matches(Ipt.error_quark(), Ipt.Error.NOT_FOUND), error
    else:
        raise AssertionError("unknown plugin accepted")


@check("boxed asid and region types work from bindings")
def _():
    asid = Ipt.Asid.new(0x1000, Ipt.ASID_NO_VMCS)
    assert asid.cr3 == 0x1000
    assert asid.match(Ipt.Asid.new(Ipt.ASID_NO_CR3, Ipt.ASID_NO_VMCS))
    assert not asid.match(Ipt.Asid.new(0x2000, Ipt.ASID_NO_VMCS))
    assert Ipt.ASID_NO_CR3 == 0xFFFFFFFFFFFFFFFF
    region = Ipt.Region.new(0x1000, 0x10, None, Ipt.Permissions.READ | Ipt.Permissions.EXECUTE, None, 0)
    assert region.contains(0x100F) and not region.contains(0x1010)


@check("memory over time: region validity, the image's time, the TSC conversion")
def _():
    region = Ipt.Region.new(0x1000, 0x10, None, Ipt.Permissions.EXECUTE, None, 0)
    assert region.is_timeless() and region.valid_to == Ipt.TIME_END
    region.set_validity(100, 200)
    assert region.valid_from == 100 and region.valid_to == 200
    assert region.is_valid_at(150) and not region.is_valid_at(200)
    image = Ipt.Image.new("time")
    assert image.get_time() == Ipt.TIME_END and image.props.time == Ipt.TIME_END
    image.set_time(1234)
    assert image.props.time == 1234
    assert list(image.list_boundaries()) == []
    decoder = Ipt.Decoder.new(image, Ipt.DecoderKind.BLOCK)
    decoder.set_tsc_conversion(7, 3, 1)
    assert (decoder.props.tsc_zero, decoder.props.tsc_mult, decoder.props.tsc_shift) == (7, 3, 1)
    assert Ipt.tsc_to_time(100, 7, 3, 1) == 157
    ok, _time = decoder.get_time()
    assert not ok


srcdir = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
demo_dir = os.path.join(os.path.dirname(os.path.abspath(srcdir)), "data", "demo")
with open(os.path.join(demo_dir, "ips")) as f:
    demo_insns = sum(1 for _ in f)


def demo_decoder(kind):
    """A decoder over the committed demo's core dump and program."""
    provider = Ipt.PluginRegistry.get_default().new_provider(
        "coredump:core=%s,search-path=%s" % (os.path.join(demo_dir, "core"), demo_dir), None)
    image = Ipt.Image.new("demo")
    image.add_provider(provider)
    return Ipt.Decoder.new(image, kind)


def assert_demo_counts(stats, kind):
    assert stats.get_n_insns() == demo_insns == 20423, (kind, stats.get_n_insns())
    assert stats.props.n_insns == demo_insns
    assert stats.get_n_errors() == 0 and stats.props.n_errors == 0, stats.get_n_errors()
    for error_kind in (Ipt.DecodeErrorKind.SYNC, Ipt.DecodeErrorKind.DECODE,
                       Ipt.DecodeErrorKind.RECONSTRUCT):
        assert stats.get_n_errors_of_kind(error_kind) == 0
    if kind == Ipt.DecoderKind.BLOCK:
        assert 0 < stats.props.n_blocks < demo_insns, stats.props.n_blocks
    else:
        assert stats.props.n_blocks == 0, stats.props.n_blocks
    # the demo's trace is CPL-3 filtered: every syscall disables and re-enables
    enabled = stats.get_n_events_of_kind(Ipt.EventKind.ENABLED)
    assert enabled > 0 and stats.get_n_events_of_kind(Ipt.EventKind.DISABLED) > 0
    total = sum(stats.get_n_events_of_kind(Ipt.EventKind(k)) for k in range(Ipt.EventKind.OTHER + 1))
    assert total == stats.get_n_events() == stats.props.n_events, (total, stats.get_n_events())
    assert Ipt.event_kind_get_label(Ipt.EventKind.ASYNC_BRANCH) == "interrupt"


@check("statistics of the committed demo, decoded from Python, with both decoders")
def _():
    trace = os.path.join(demo_dir, "trace.pt")
    for kind in (Ipt.DecoderKind.BLOCK, Ipt.DecoderKind.INSN):
        stats = Ipt.Statistics.new()
        assert isinstance(stats, Ipt.Sink)
        assert demo_decoder(kind).decode_file(trace, 0, 0, stats, None)
        assert_demo_counts(stats, kind)
        # counts add up over decodes until reset
        with open(trace, "rb") as f:
            assert demo_decoder(kind).decode_bytes(GLib.Bytes.new(f.read()), stats, None)
        assert stats.props.n_insns == 2 * demo_insns
        stats.reset()
        assert stats.props.n_insns == 0 and stats.props.n_events == 0 and stats.props.n_blocks == 0


@check("statistics of the demo through decode_file_async and a main loop")
def _():
    trace = os.path.join(demo_dir, "trace.pt")
    for kind in (Ipt.DecoderKind.BLOCK, Ipt.DecoderKind.INSN):
        stats = Ipt.Statistics.new()
        decoder = demo_decoder(kind)
        loop = GLib.MainLoop()
        outcome = {}
        progress = []

        def done(source, result, user_data):
            try:
                outcome["ok"] = source.decode_file_finish(result)
            except GLib.Error as error:
                outcome["error"] = error
            user_data.quit()

        decoder.connect("progress", lambda _decoder, offset, size: progress.append((offset, size)))
        decoder.decode_file_async(trace, 0, 0, stats, None, done, loop)
        timeout = GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        GLib.source_remove(timeout)
        assert outcome.get("ok") is True, outcome
        # the last progress (offset == size) comes to this main context too
        while GLib.MainContext.default().pending():
            GLib.MainContext.default().iteration(False)
        assert progress and progress[-1][0] == progress[-1][1] == os.path.getsize(trace), progress[-1:]
        assert_demo_counts(stats, kind)


@check("decode errors from Python: a cancelled async decode, a missing trace")
def _():
    stats = Ipt.Statistics.new()
    decoder = demo_decoder(Ipt.DecoderKind.BLOCK)
    try:
        decoder.decode_file(os.path.join(workdir, "missing.pt"), 0, 0, stats, None)
    except GLib.Error as error:
        assert error.matches(GLib.file_error_quark(), GLib.FileError.NOENT), error
        assert "missing.pt" in error.message
    else:
        raise AssertionError("a missing trace decoded")

    cancellable = Gio.Cancellable()
    cancellable.cancel()
    loop = GLib.MainLoop()
    outcome = {}

    def done(source, result, _data):
        try:
            outcome["ok"] = source.decode_file_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    decoder.decode_file_async(os.path.join(demo_dir, "trace.pt"), 0, 0, stats, cancellable, done, None)
    loop.run()
    assert "error" in outcome and outcome["error"].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), outcome


@check("a perf.data reads from GLib.Bytes; a big-endian one is a GLib.Error")
def _():
    import struct
    # pipe mode: the 16-byte header, then one AUXTRACE record and its 8 bytes of data
    record = struct.pack("<IHHQQQIIII", 71, 0, 48, 8, 0, 1, 0, 0xFFFFFFFF, 2, 0)
    data = Ipt.PerfData.new_from_bytes(GLib.Bytes.new(b"PERFILE2" + struct.pack("<Q", 16) + record + b"\x02\x82" * 4), "gir.data")
    assert data.is_pipe() and data.get_n_records(71) == 1
    queues = data.get_queues()
    assert len(queues) == 1 and queues[0].cpu == 2 and queues[0].tid == -1, queues
    assert queues[0].data.get_data() == b"\x02\x82" * 4
    assert data.get_pt_info() is None and data.get_cpuid() is None
    try:
        Ipt.PerfData.new_from_bytes(GLib.Bytes.new(b"2ELIFREP" + bytes(96)), "be.data")
        raise AssertionError("a big-endian perf.data was read")
    except GLib.Error as error:
        assert error.matches(Ipt.error_quark(), Ipt.Error.NOT_SUPPORTED), error.message
        assert error.message.startswith("be.data: offset 0x0: "), error.message


@check("a perf.data's threads: list_threads' PerfThreads, lookup_thread's out values, get_comm")
def _():
    import struct
    # pipe mode: a COMM of 50/51 "worker", then a per-thread AUXTRACE of tid 51
    comm = struct.pack("<IHHII8s", 3, 0, 24, 50, 51, b"worker")
    record = struct.pack("<IHHQQQIIII", 71, 0, 48, 8, 0, 1, 0, 51, 0xFFFFFFFF, 0)
    data = Ipt.PerfData.new_from_bytes(GLib.Bytes.new(b"PERFILE2" + struct.pack("<Q", 16) + comm + record + b"\x02\x82" * 4), "gir.data")
    threads = data.list_threads()
    assert [(t.pid, t.tid, t.comm) for t in threads] == [(50, 51, "worker")], threads
    assert data.lookup_thread(-1, 51, 0) == (True, 50, 51, GLib.MAXUINT64)
    assert data.lookup_thread(3, -1, 0)[0] is False
    assert data.get_comm(51, 0) == "worker" and data.get_comm(7, 0) is None


run()
