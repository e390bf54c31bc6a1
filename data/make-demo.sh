#!/bin/sh
# Regenerates data/demo/ (the README's demo) from data/demo.c: builds it
# static and non-PIE (no ld.so, no libc.so: the only mapped file is the
# program itself, shipped beside its core, so the demo decodes on any
# machine), records it with the built ipt-record in an empty environment
# (so that glibc's start-up takes the same path every time), and checks that
# both of ipt-analyze's decoders reproduce the recorded instruction
# addresses exactly, from the core (the program found by the search path,
# as on a fresh clone) and from the program alone (--elf).
#
# usage: data/make-demo.sh [BUILDDIR]      (default: ./build)
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "${1:-build}" && pwd)
record="$builddir/tools/ipt-record/ipt-record"
analyze="$builddir/tools/ipt-analyze/ipt-analyze"
out="$here/demo"
cc=${CC:-cc}

for tool in "$record" "$analyze"; do
  [ -x "$tool" ] || { echo "make-demo.sh: $tool: not built (run ninja -C $builddir)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The core's NT_FILE note records this path; it is gone once the script
# ends, so a decode must find the program through search-path=data/demo,
# checked against the build-id the core holds.
mkdir "$tmp/build"
"$cc" -O1 -g0 -static -no-pie -fno-pie -Wl,--build-id -o "$tmp/build/demo" "$here/demo.c"

mkdir -p "$out"
rm -f "$out/trace.pt" "$out/ips" "$out/core" "$out/demo" "$out/pages.addr" "$out/pages.dump"
env -i "$record" --verbose --psb-period 1024 -o "$out" -- "$tmp/build/demo" > "$tmp/stdout"
# ipt-record also writes a page dump; the demo decodes from the core.
rm -f "$out/pages.addr" "$out/pages.dump"
cp "$tmp/build/demo" "$out/demo"
chmod 644 "$out/core"
rm -rf "$tmp/build"

# From the repository's top directory, as the README runs it.
cd "$here/.."
export IPT_PLUGIN_PATH="$builddir/plugins"
for memory in "--plugin coredump:core=data/demo/core,search-path=data/demo" \
              "--elf data/demo/demo"; do
  for decoder in --insn-decoder --block-decoder; do
    # shellcheck disable=SC2086 # $memory is two words on purpose
    "$analyze" --no-inst $decoder --pt data/demo/trace.pt $memory \
      2> "$tmp/stderr" | grep -v '^\[' > "$tmp/decoded"
    if [ -s "$tmp/stderr" ] || ! cmp -s "$tmp/decoded" data/demo/ips; then
      cat "$tmp/stderr" >&2
      echo "make-demo.sh: $memory $decoder: decoding data/demo/trace.pt does not reproduce data/demo/ips" >&2
      exit 1
    fi
  done
done

echo "demo output:"; cat "$tmp/stdout"
echo "$(wc -l < "$out/ips") instructions;" \
     "trace.pt $(wc -c < "$out/trace.pt") bytes," \
     "core $(wc -c < "$out/core") bytes," \
     "demo $(wc -c < "$out/demo") bytes," \
     "ips $(wc -c < "$out/ips") bytes"
