#!/bin/bash
# Noise-free companion of the decode-mruby-8x benchmark: counts the machine
# instructions (callgrind "Ir") that each image variant costs for one decode
# of the mruby trace (1x), per decoder, and prints the ratios against (a),
# libipt's own file sections. Takes a few minutes (callgrind is ~50x slower).
#
#   tests/bench/callgrind-ratios.sh [BUILD_DIR [CORPUS_DIR]]
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
corpus=${2:-$(dirname "$src")/shared/corpus}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

command -v valgrind >/dev/null || { echo "callgrind-ratios: valgrind is not installed" >&2; exit 1; }

declare -A ir
for v in a b c d; do
  IPT_BENCH_VARIANTS=$v IPT_BENCH_ROUNDS=1 IPT_BENCH_REPEAT=1 \
  IPT_PLUGIN_PATH="$build/plugins" IPT_PLUGIN_SYSTEM_PATH= IPT_CORPUS_DIR="$corpus" \
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$v" \
      "$build/tests/bench/bench-decode" decode >"$out/log.$v" 2>&1 \
    || { cat "$out/log.$v" >&2; exit 1; }
  for d in insn block; do
    # inclusive cost of decode_insn / decode_block (warm-up + 1 round)
    ir[$v.$d]=$(callgrind_annotate --inclusive=yes --auto=no "$out/cg.$v" 2>/dev/null \
      | awk -v f="decode_$d" '$0 ~ (":" f " ") || $0 ~ (":" f "$") { gsub(",", "", $1); print $1; exit }')
    [ -n "${ir[$v.$d]}" ] || { echo "callgrind-ratios: no cost for decode_$d in variant $v" >&2; exit 1; }
  done
done

printf '%-34s %16s %8s %16s %8s\n' image "insn Ir" ratio "block Ir" ratio
names=("(a) libipt iscache file section" "(b) IptImage, raw plugin" "(c) IptImage, pagedump plugin" "(d) callback only")
i=0
for v in a b c d; do
  printf '%-34s %16s %8.3f %16s %8.3f\n' "${names[$i]}" \
    "${ir[$v.insn]}" "$(awk "BEGIN { print ${ir[$v.insn]} / ${ir[a.insn]} }")" \
    "${ir[$v.block]}" "$(awk "BEGIN { print ${ir[$v.block]} / ${ir[a.block]} }")"
  i=$((i + 1))
done
