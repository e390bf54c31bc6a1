#!/bin/sh
# many-mappings.sh: the demo trace decoded over memory with very many
# mappings (issue 12, item 6): its core plus 200,000 one-page mappings, and
# a page dump of its pages plus 1,000,000 scattered ones (many-mappings.py
# makes both, sparse). Reports the decode time of each against the same
# decode over the plain memory, measured in this run, and the warnings;
# fails when the listing's statistics differ. A benchmark, not a test:
# meson test --benchmark.
set -eu

here=$(dirname "$0")
demo=${IPT_DEMO_DIR:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/ipt-many-mappings-XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

python3 "$here/many-mappings.py" core "$demo/core" "$dir/core-0" 0
python3 "$here/many-mappings.py" core "$demo/core" "$dir/core-200k" 200000
python3 "$here/many-mappings.py" pagedump "$demo/core" "$demo/demo" "$dir/pages-0" 0
python3 "$here/many-mappings.py" pagedump "$demo/core" "$demo/demo" "$dir/pages-1m" 1000000

now () { date +%s%N; }

# decode NAME PLUGIN: prints the seconds, leaves the statistics in $dir/NAME.stat
decode () {
  t0=$(now)
  "$IPT_ANALYZE" --pt "$demo/trace.pt" --plugin "$2" --stat --quiet >"$dir/$1.stat" 2>"$dir/$1.err"
  t1=$(now)
  echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }'
}

report () {
  base=$(decode "$1-0" "$2")
  many=$(decode "$1-many" "$3")
  cmp -s "$dir/$1-0.stat" "$dir/$1-many.stat" || { echo "$1: the statistics differ"; exit 1; }
  warnings=$(grep -c . "$dir/$1-many.err" || true)
  echo "$4: ${many} s, against ${base} s without them (ratio $(echo "$many $base" | awk '{ printf "%.1f", $1 / ($2 > 0 ? $2 : 0.001) }')); $(grep '^insn' "$dir/$1-many.stat"); stderr lines: $warnings"
  sed 's/^/  /' "$dir/$1-many.err"
}

report core "coredump:core=$dir/core-0,search-path=$demo" \
  "coredump:core=$dir/core-200k,search-path=$demo" "core + 200,000 mappings"
report pages "pagedump:addr=$dir/pages-0.addr,dump=$dir/pages-0.dump" \
  "pagedump:addr=$dir/pages-1m.addr,dump=$dir/pages-1m.dump" "page dump + 1,000,000 scattered pages"
