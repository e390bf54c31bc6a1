#!/usr/bin/python3
"""test-listing-view.py: docs/examples/listing-view.py, the Python + GTK 4
example built on the GIR alone, run for real in an X server (xvfb-run):
the first rows its Gtk.ColumnView shows, read back from the view's labels,
are the first lines of the real ipt-analyze's listing of the demo.

Emits TAP. Run by meson (suite 'gir') with GI_TYPELIB_PATH and
LD_LIBRARY_PATH pointing into the build tree, IPT_ANALYZE naming the
built ipt-analyze. Needs xvfb-run and GTK 4's typelib (Debian's xvfb and
gir1.2-gtk-4.0, which .ci/setup installs): fails without them.
"""
import os
import shutil
import subprocess

from gir_tap import check, run

srcdir = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
root = os.path.dirname(os.path.abspath(srcdir))
example = os.path.join(root, "docs", "examples", "listing-view.py")
demo_dir = os.environ.get("IPT_DEMO_DIR", os.path.join(root, "data", "demo"))
trace = os.path.join(demo_dir, "trace.pt")
coredump = "coredump:core=%s,search-path=%s" % (os.path.join(demo_dir, "core"), demo_dir)


def run_example(*args):
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run is not None, "xvfb-run not found (Debian's xvfb)"
    env = dict(os.environ, GSK_RENDERER="cairo")
    return subprocess.run([xvfb_run, "-a", "/usr/bin/python3", example] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)


def cli_listing(*options):
    out = subprocess.run([os.environ["IPT_ANALYZE"], "--pt", trace] + list(options), check=True,
                         stdout=subprocess.PIPE).stdout
    return out.decode().splitlines()


@check("the demo in a Gtk.ColumnView: the first 20 rows shown are ipt-analyze's first 20 lines")
def _():
    done = run_example("--check", "20")
    assert done.returncode == 0, (done.returncode, done.stderr.decode()[-2000:])
    shown = done.stdout.decode().splitlines()
    expected = cli_listing("--plugin", coredump)[:20]
    assert len(shown) == 20, shown
    assert shown == expected, next((i, a, b) for i, (a, b) in enumerate(zip(shown, expected)) if a != b)
    # the columns hold addresses and symbols, not only events
    assert any(" <_start" in line for line in shown), shown


@check("other memory from the command line: the demo program alone (--plugin elf)")
def _():
    elf = "elf:file=%s" % os.path.join(demo_dir, "demo")
    done = run_example("--pt", trace, "--plugin", elf, "--check", "8")
    assert done.returncode == 0, (done.returncode, done.stderr.decode()[-2000:])
    assert done.stdout.decode().splitlines() == cli_listing("--plugin", elf)[:8]


@check("a trace that does not exist: an error on stderr, exit status 1")
def _():
    done = run_example("--pt", os.path.join(demo_dir, "no-such-trace.pt"), "--check", "1")
    assert done.returncode == 1, done.returncode
    assert "listing-view: error: " in done.stderr.decode(), done.stderr.decode()
    assert "no-such-trace.pt" in done.stderr.decode()


run()
