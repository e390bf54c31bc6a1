#!/usr/bin/env python3
"""ipt-analyze --perf against Debian's perf on the same perf.data (issue 9):
decode time of `ipt-analyze --perf FILE --no-inst` and of `perf script -i
FILE --itrace=i0ns -F ip`, both listing every instruction's address to
/dev/null, in one run, IPT_BENCH_ROUNDS times each (default 5) after a
warm-up: medians and their ratio. The perf.data is ipt-record's of one of
the test programs (a dynamic PIE: its libc and ld.so come from the files
its mmaps name, for both decoders).

  perf-vs-perf.py --record build/tools/ipt-record/ipt-record \\
      --analyze build/tools/ipt-analyze/ipt-analyze --program build/tests/record-flow-dynamic-pie

Not a test: the figures are printed; a decode that fails or lists other
addresses than the other fails."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(argv, rounds):
    seconds = []
    out = None
    for i in range(rounds + 1):
        start = time.monotonic()
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if result.returncode != 0:
            sys.exit("perf-vs-perf: %s failed: %s" % (" ".join(argv), result.stderr.decode()[-500:]))
        if i > 0:
            seconds.append(time.monotonic() - start)
        out = result.stdout
    return statistics.median(seconds), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", required=True)
    parser.add_argument("--analyze", required=True)
    parser.add_argument("--program", required=True)
    args = parser.parse_args()
    rounds = int(os.environ.get("IPT_BENCH_ROUNDS", "5"))
    perf = shutil.which("perf")
    if perf is None:
        sys.exit("perf-vs-perf: perf is not on PATH: install linux-perf (.ci/setup does)")

    with tempfile.TemporaryDirectory(prefix="perf-vs-perf-") as tmp:
        out = os.path.join(tmp, "rec")
        subprocess.run([args.record, "-o", out, "--", args.program], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = os.path.join(out, "perf.data")
        with open(os.path.join(out, "ips")) as f:
            n = sum(1 for _ in f)
        ours, listing = timed([args.analyze, "--perf", data, "--no-inst", "--plugin",
                               "coredump:core=" + os.path.join(out, "core")], rounds)
        theirs, perf_listing = timed([perf, "script", "-i", data, "--itrace=i0ns", "-F", "ip"],
                                     rounds)
        ours_ips = [int(l.split()[0], 16) for l in listing.decode().splitlines()
                    if l and not l.startswith("[")]
        perf_ips = [int(l, 16) for l in perf_listing.decode().split()]
        if ours_ips != perf_ips:
            sys.exit("perf-vs-perf: the two decoders listed different addresses")
        print("%s: %d instructions, %d rounds after a warm-up" % (os.path.basename(args.program),
                                                                  n, rounds))
        print("%-44s %8.3f s" % ("ipt-analyze --perf FILE --no-inst", ours))
        print("%-44s %8.3f s" % ("perf script -i FILE --itrace=i0ns -F ip", theirs))
        print("ratio ipt-analyze / perf: %.2f (%s)" % (ours / theirs,
                                                      "faster than perf" if ours < theirs
                                                      else "not faster than perf"))


if __name__ == "__main__":
    main()
