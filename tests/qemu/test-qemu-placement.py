#!/usr/bin/env python3
"""Where a migration stream's pc.ram lies in guest-physical memory: the qemu
plugin's placement (QEMU's rule per machine type, since the stream does not
say) against QEMU's own memory map (`info mtree`: the ram-below-4g and
ram-above-4g aliases), for guests big enough to be split at 4 GiB.

Each guest is started paused at the BIOS (-S, TCG), its map read through
the monitor, and migrated to a file (its RAM is zero pages: a few MB);
`ipt-analyze --plugin qemu:snapshot=FILE --list-regions` prints where the
plugin put pc.ram. TAP output; needs qemu-system-x86_64 (fails without)."""
import os
import re
import subprocess
import sys
import tempfile
import time

from tap import check, done

GUESTS = [("pc", 3584), ("q35", 3584), ("pc", 3000), ("q35", 2048)]


def monitor(machine, megs, commands, out):
    """Runs QEMU with its monitor on stdin; returns what the monitor printed."""
    script = "".join(c + "\n" for c in commands)
    proc = subprocess.Popen(["qemu-system-x86_64", "-accel", "tcg", "-display", "none",
                             "-nodefaults", "-M", machine, "-m", str(megs), "-S",
                             "-monitor", "stdio"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        proc.stdin.write(script.encode())
        proc.stdin.flush()
        # the monitor runs one command after another; migrate ends before quit
        deadline = time.monotonic() + 60
        while not os.path.exists(out + ".done") and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.stdin.write(b"quit\n")
        proc.stdin.close()
        text = proc.stdout.read().decode(errors="replace")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return text


def qemu_map(text):
    """[(start, end, block offset)] of the ram-below-4g/ram-above-4g aliases."""
    ranges = set()
    for m in re.finditer(r"([0-9a-f]{16})-([0-9a-f]{16}) \(prio 0, ram\): alias "
                         r"ram-(?:below|above)-4g @pc\.ram ([0-9a-f]{16})-", text):
        ranges.add((int(m.group(1), 16), int(m.group(2), 16) + 1))
    return sorted(ranges)


def plugin_map(stream):
    result = subprocess.run([os.environ.get("IPT_ANALYZE", "ipt-analyze"), "--plugin",
                             "qemu:snapshot=%s,physical=true" % stream, "--list-regions"],
                            capture_output=True, timeout=60)
    line = next((l for l in result.stdout.decode().splitlines()
                 if l.startswith("# qemu: RAM block 'pc.ram'")), "")
    ranges = [(int(a, 16), int(b, 16)) for a, b in
              re.findall(r"guest-physical 0x([0-9a-f]+)-0x([0-9a-f]+)", line)]
    return ranges, result.stderr.decode(errors="replace").strip()


def main():
    with tempfile.TemporaryDirectory(prefix="qemu-placement-") as tmp:
        for machine, megs in GUESTS:
            stream = os.path.join(tmp, "%s-%d.qevm" % (machine, megs))
            text = monitor(machine, megs,
                           ["info mtree", 'migrate "exec:cat > %s && touch %s.done"'
                            % (stream, stream)], stream)
            expected = qemu_map(text)
            check(len(expected) >= 1, "-M %s -m %d: QEMU's map of pc.ram: %s"
                  % (machine, megs, ", ".join("0x%x-0x%x" % r for r in expected)))
            got, err = plugin_map(stream)
            check(got == expected, "-M %s -m %d: the plugin places pc.ram at %s%s"
                  % (machine, megs, ", ".join("0x%x-0x%x" % r for r in got),
                     ": " + err if err else ""))
    return done()


if __name__ == "__main__":
    sys.exit(main())
