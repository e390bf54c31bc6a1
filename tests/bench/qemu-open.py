#!/usr/bin/env python3
"""Opening a 128 MiB Linux guest's QEMU snapshots with the qemu plugin: time
and peak memory (issue 8), for each format, in one run.

Boots the qemu suite's Linux guest (tests/qemu/qemu-fixtures.py: Debian's
kernel, a busybox initramfs, -m 128, TCG) into a temporary directory, then
runs `ipt-analyze --plugin qemu:snapshot=FILE --list-regions` over its
dump-guest-memory ELF, its migration stream and its qcow2 savevm, each
IPT_BENCH_ROUNDS times (default 5): the median wall time and the largest
peak RSS of the process (getrusage of the child), against the same
process doing nothing but load its plugins (`--list-plugins`).

  qemu-open.py --fixtures tests/qemu/qemu-fixtures.py --kernel-dir DIR \\
      --busy build/tests/qemu/linux-busy --analyze build/tools/ipt-analyze/ipt-analyze

Not a test: figures are reported; a snapshot that does not open fails.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv):
    """Wall seconds and peak RSS (KiB) of one run of argv; fails loudly."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"qemu-open: {' '.join(argv)} failed: {err.strip()}")
    return seconds, usage.ru_maxrss


def measure(argv, rounds):
    results = [run(argv) for _ in range(rounds + 1)][1:]   # one warm-up
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--kernel-dir", required=True)
    parser.add_argument("--busy", required=True)
    parser.add_argument("--analyze", required=True)
    args = parser.parse_args()
    rounds = int(os.environ.get("IPT_BENCH_ROUNDS", "5"))

    with tempfile.TemporaryDirectory(prefix="qemu-open-") as out:
        start = time.monotonic()
        subprocess.run([sys.executable, args.fixtures, "linux", "--out", out,
                        "--kernel-dir", args.kernel_dir, "--busy", args.busy],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"Linux guest (-m 128) booted and snapshotted in {time.monotonic() - start:.1f} s; "
              f"{rounds} rounds after 1 warm-up\n")
        base_s, base_rss = measure([args.analyze, "--list-plugins"], rounds)
        print(f"{'snapshot':34} {'size MiB':>9} {'open s':>8} {'peak RSS MiB':>13} {'above base':>11}")
        print(f"{'(none: --list-plugins)':34} {'':>9} {base_s:8.3f} {base_rss / 1024:13.1f} {'':>11}")
        for label, name, extra in (("dump-guest-memory ELF", "dump.elf", ""),
                                   ("migration stream", "migration.qevm", ""),
                                   ("qcow2 savevm", "savevm.qcow2", ",tag=ipt")):
            path = os.path.join(out, name)
            seconds, rss = measure([args.analyze, "--plugin", f"qemu:snapshot={path}{extra}",
                                    "--list-regions"], rounds)
            print(f"{label:34} {os.path.getsize(path) / 2**20:9.1f} {seconds:8.3f} "
                  f"{rss / 1024:13.1f} {(rss - base_rss) / 1024:11.1f}")


if __name__ == "__main__":
    main()
