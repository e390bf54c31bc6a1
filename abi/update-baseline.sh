#!/bin/bash
# Regenerates the ABI baselines abi/*.abi from a build, after an intended
# change of the ABI (or after merging additions, to check against them).
#
#   abi/update-baseline.sh [BUILDDIR]      (default: build)
#
# Commit the result with the change; `git diff abi/` shows what changed.
set -euo pipefail
srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=$(realpath "${1:-$srcdir/build}")
. "$srcdir/abi/abi-common.sh"

ninja -C "$builddir" core/libipt-analyze-1.so.0.0.0 abi/ipt-abi-interfaces.so >/dev/null
for name in $abi_names; do
  abi_dump "$srcdir" "$builddir" "$name" "$srcdir/abi/$name.abi"
  echo "abi/$name.abi"
done
