#!/usr/bin/env python3
"""ipt-analyze --perf against Debian's perf on the same perf.data (issue 9):
decode time of `ipt-analyze --perf FILE --no-inst` and of `perf script -i
FILE --itrace=i0ns -F ip`, both listing every instruction's address to
/dev/null, in one run, IPT_BENCH_ROUNDS times each (default 5) after a
warm-up: medians and their ratio. The perf.data is either ipt-record's of
one of the test programs (a dynamic PIE: its libc and ld.so come from the
files its mmaps name, for both decoders):

  perf-vs-perf.py --record build/tools/ipt-record/ipt-record \\
      --analyze build/tools/ipt-analyze/ipt-analyze --program build/tests/record-flow-dynamic-pie

or a raw trace wrapped by wrap-perf-data: DIR/trace.pt with DIR/IMAGE
(image.bin by default) mapped at --base ADDRESS[:OFFSET], untimed or
--timed, which must list --expect instructions (for a corpus trace,
ptxed's count in its MANIFEST; the corpus traces were recorded in a VM
guest, so perf is given --guest-code, see docs/benchmarks.md):

  perf-vs-perf.py --wrap build/tests/bench/wrap-perf-data \\
      --analyze build/tools/ipt-analyze/ipt-analyze --trace-dir ../shared/corpus/mruby \\
      --base 0x400000 --expect 6334131

The demo (data/demo) wrapped so, with IPT_BENCH_ROUNDS=1, is a test of
wrap-perf-data (no corpus needed). Without perf the exit status is 77 (skipped).

Not a test: the figures are printed; a decode that fails or lists other
addresses than the other fails."""
import argparse
import io
import itertools
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


def addresses(listing):
    """The instruction addresses of a listing, one a line ([event] lines skipped)."""
    for line in io.BytesIO(listing):
        if line.strip() and not line.startswith(b"["):
            yield int(line.split()[0], 16)


def same_addresses(ours, theirs):
    """The number of addresses when both listings have the same, else None."""
    n = 0
    for a, b in itertools.zip_longest(addresses(ours), addresses(theirs)):
        if a != b:
            return None
        n += 1
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyze", required=True)
    parser.add_argument("--record", help="ipt-record, to record --program")
    parser.add_argument("--program")
    parser.add_argument("--wrap", help="wrap-perf-data, to wrap --trace-dir's trace.pt")
    parser.add_argument("--trace-dir")
    parser.add_argument("--image", default="image.bin", help="the memory file in --trace-dir")
    parser.add_argument("--base", help="where --image is mapped: ADDRESS[:OFFSET]")
    parser.add_argument("--timed", action="store_true", help="wrap with sample times")
    parser.add_argument("--expect", type=int, help="the instructions the listings must have")
    args = parser.parse_args()
    if (args.record is None) == (args.wrap is None):
        parser.error("give --record and --program, or --wrap, --trace-dir and --base")
    rounds = int(os.environ.get("IPT_BENCH_ROUNDS", "5"))
    perf = shutil.which("perf")
    if perf is None:
        print("perf-vs-perf: perf is not on PATH: install linux-perf (.ci/setup does)")
        sys.exit(77)

    with tempfile.TemporaryDirectory(prefix="perf-vs-perf-") as tmp:
        if args.record is not None:
            name = os.path.basename(args.program)
            out = os.path.join(tmp, "rec")
            subprocess.run([args.record, "-o", out, "--", args.program], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            data = os.path.join(out, "perf.data")
            with open(os.path.join(out, "ips")) as f:
                expect = sum(1 for _ in f)
            memory = ["--plugin", "coredump:core=" + os.path.join(out, "core")]
            perf_options = []
        else:
            name = os.path.basename(os.path.normpath(args.trace_dir))
            data = os.path.join(tmp, "perf.data")
            subprocess.run([args.wrap, "-o", data, "--comm", name] +
                           (["--timed"] if args.timed else []) +
                           [os.path.join(args.trace_dir, "trace.pt"),
                            "%s:%s" % (os.path.join(args.trace_dir, args.image), args.base)],
                           check=True)
            expect = args.expect
            memory = []
            # Code after a PIP with NR=1 is a guest's: look it up in the
            # process's own maps.
            perf_options = ["--guest-code"]
        ours, listing = timed([args.analyze, "--perf", data, "--no-inst"] + memory, rounds)
        theirs, perf_listing = timed([perf, "script", "-i", data] + perf_options +
                                     ["--itrace=i0ns", "-F", "ip"], rounds)
        n = same_addresses(listing, perf_listing)
        if n is None:
            sys.exit("perf-vs-perf: the two decoders listed different addresses")
        if expect is not None and n != expect:
            sys.exit("perf-vs-perf: both decoders listed %d instructions, not %d" % (n, expect))
        perf_command = " ".join(["perf script -i FILE"] + perf_options + ["--itrace=i0ns -F ip"])
        print("%s%s: %d instructions, %d rounds after a warm-up" % (
            name, " (timed)" if args.timed else "", n, rounds))
        print("%-56s %8.3f s" % ("ipt-analyze --perf FILE --no-inst", ours))
        print("%-56s %8.3f s" % (perf_command, theirs))
        print("ratio ipt-analyze / perf: %.2f (%s)" % (ours / theirs,
                                                      "faster than perf" if ours < theirs
                                                      else "not faster than perf"))


if __name__ == "__main__":
    main()
