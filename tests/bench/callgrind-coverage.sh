#!/bin/bash
# Issue 10's coverage comparison with libxdc: the machine instructions
# (callgrind "Ir", whole process, one run) of bench-coverage as a fraction
# of those of `ipt-analyze --block-decoder --stat --quiet` on the same
# trace, for the four corpus traces once and repeated 20x: "coverage" is
# an IptCoverage and its AFL bitmap (block decoder), "afl" IptAflDecoder
# (the packet walk with its path cache). Both bitmaps must agree (the
# script fails otherwise). Takes about 40 minutes; NO_COVERAGE=1 skips the
# IptCoverage runs (about half of that).
#
#   tests/bench/callgrind-coverage.sh [BUILD_DIR [CORPUS_DIR [REPEATS...]]]
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
corpus=${2:-$(dirname "$src")/shared/corpus}
shift $(( $# < 2 ? $# : 2 ))
repeats=("${@:-1}")
[ $# -gt 0 ] || repeats=(1 20)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

command -v valgrind >/dev/null || { echo "callgrind-coverage: valgrind is not installed" >&2; exit 1; }
export IPT_PLUGIN_PATH="$build/plugins" IPT_PLUGIN_SYSTEM_PATH=

# the total Ir of one run under callgrind
ir () {
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$@" >"$out/log" 2>&1 \
    || { cat "$out/log" >&2; exit 1; }
  callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'
}

printf '%-6s %6s %16s %16s %8s %16s %8s\n' trace repeat "stat Ir" "coverage Ir" fraction "afl Ir" fraction
for t in unzip foo mruby qemu; do
  case $t in
    foo) memory=(--raw "$corpus/foo/image.bin:0x7ffff7819000")
         spec="raw:file=$corpus/foo/image.bin,base=0x7ffff7819000" ;;
    qemu) memory=(--plugin "pagedump:addr=$corpus/qemu/pages.addr,dump=$corpus/qemu/pages.dump")
          spec="pagedump:addr=$corpus/qemu/pages.addr,dump=$corpus/qemu/pages.dump" ;;
    *) memory=(--raw "$corpus/$t/image.bin:0x400000")
       spec="raw:file=$corpus/$t/image.bin,base=0x400000" ;;
  esac
  for n in "${repeats[@]}"; do
    : >"$out/trace.pt"
    for ((i = 0; i < n; i++)); do cat "$corpus/$t/trace.pt" >>"$out/trace.pt"; done
    stat=$(ir "$build/tools/ipt-analyze/ipt-analyze" --block-decoder --stat --quiet \
           --pt "$out/trace.pt" "${memory[@]}")
    afl=$(ir "$build/tests/bench/bench-coverage" "$corpus/$t/trace.pt" "$n" "$spec" afl)
    afl_hash=$(cut -d' ' -f1 "$out/log")
    grep -q ' 0 fallbacks' "$out/log" || { echo "callgrind-coverage: $t fell back: $(cat "$out/log")" >&2; exit 1; }
    if [ -z "${NO_COVERAGE:-}" ]; then
      cov=$(ir "$build/tests/bench/bench-coverage" "$corpus/$t/trace.pt" "$n" "$spec" block)
      [ "$(cut -d' ' -f1 "$out/log")" = "$afl_hash" ] \
        || { echo "callgrind-coverage: $t: the bitmaps differ" >&2; exit 1; }
      covf=$(awk "BEGIN { printf \"%.3f\", $cov / $stat }")
    else
      cov=-; covf=-
    fi
    printf '%-6s %6s %16s %16s %8s %16s %8.3f\n' "$t" "${n}x" "$stat" "$cov" "$covf" "$afl" \
      "$(awk "BEGIN { print $afl / $stat }")"
  done
done
