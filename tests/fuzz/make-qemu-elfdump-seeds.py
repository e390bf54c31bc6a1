#!/usr/bin/env python3
"""Seeds for fuzz-qemu-elfdump: small dump-guest-memory ELF files written by
tests/make-qemu-snapshot.py (two pages of code under 4- and 5-level page
tables), kept in tests/fuzz/corpus/qemu-elfdump/. Run from the source root:
    python3 tests/fuzz/make-qemu-elfdump-seeds.py"""
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus", "qemu-elfdump")
maker = os.path.join(here, "..", "make-qemu-snapshot.py")
os.makedirs(out, exist_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    code = os.path.join(tmp, "code.bin")
    with open(code, "wb") as f:
        f.write(bytes((0x90 + i % 3) for i in range(2 * 4096)))
    for name, extra in (("four-level", []), ("five-level", ["--la57"])):
        subprocess.run([sys.executable, maker, "--flat", code, "0x400000", "--cr3", "0x2000",
                        "--pool", "0x3000", "-o", os.path.join(out, name)] + extra, check=True)
