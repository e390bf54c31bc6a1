#!/bin/sh
# Regenerates data/demo/ (the README's demo) from data/demo.c: builds it
# static and non-PIE (no ld.so: only libc's own start-up runs), records it
# with the built ipt-record in an empty environment (so that glibc's start-up
# takes the same path every time), and checks that both of ipt-analyze's
# decoders reproduce the recorded instruction addresses exactly.
#
# usage: data/make-demo.sh [BUILDDIR]      (default: ./build)
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "${1:-build}" && pwd)
record="$builddir/tools/ipt-record"
analyze="$builddir/tools/ipt-analyze"
out="$here/demo"
cc=${CC:-cc}

for tool in "$record" "$analyze"; do
  [ -x "$tool" ] || { echo "make-demo.sh: $tool: not built (run ninja -C $builddir)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$cc" -O1 -g0 -static -no-pie -fno-pie -o "$tmp/demo" "$here/demo.c"

mkdir -p "$out"
rm -f "$out/trace.pt" "$out/ips" "$out/pages.addr" "$out/pages.dump"
env -i "$record" --verbose --psb-period 1024 -o "$out" -- "$tmp/demo" > "$tmp/stdout"

plugin="pagedump:addr=$out/pages.addr,dump=$out/pages.dump"
for decoder in --insn-decoder --block-decoder; do
  IPT_PLUGIN_PATH="$builddir/plugins" "$analyze" --no-inst $decoder --pt "$out/trace.pt" \
    --plugin "$plugin" | grep -v '^\[' > "$tmp/decoded"
  if ! cmp -s "$tmp/decoded" "$out/ips"; then
    echo "make-demo.sh: $decoder: decoding $out/trace.pt does not reproduce $out/ips" >&2
    exit 1
  fi
done

echo "demo output:"; cat "$tmp/stdout"
echo "$(wc -l < "$out/ips") instructions;" \
     "trace.pt $(wc -c < "$out/trace.pt") bytes," \
     "pages.dump $(wc -c < "$out/pages.dump") bytes ($(($(wc -c < "$out/pages.addr") / 8)) pages)," \
     "ips $(wc -c < "$out/ips") bytes"
