#!/bin/bash
# The ABI check (meson test suite 'abi'): the built library against the
# committed baselines abi/*.abi, with abidiff (Debian's abigail-tools).
#
#   abi/check-abi.sh SRCDIR BUILDDIR
#
# Fails when abidiff finds an incompatible change (exit bit 8: a removed
# function or variable) or any other ABI change (bit 4: a struct that
# changed layout, a parameter of another type, ...). Added functions
# (--no-added-syms), appended enumerators (libabigail's default) and vfuncs
# or fields in reserved padding (normalize-padding.py) pass: run
# abi/update-baseline.sh to take them into the baseline.
set -uo pipefail
srcdir=$1
builddir=$2
. "$srcdir/abi/abi-common.sh"

for tool in abidw abidiff readelf python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "abi: $tool not found: install abigail-tools and binutils (.ci/setup does)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for name in $abi_names; do
  abi_dump "$srcdir" "$builddir" "$name" "$work/$name.abi" || exit 1
  baseline="$srcdir/abi/$name.abi"
  python3 "$srcdir/abi/normalize-padding.py" "$baseline" "$baseline" "$work/$name.base" || exit 1
  python3 "$srcdir/abi/normalize-padding.py" "$baseline" "$work/$name.abi" "$work/$name.new" || exit 1
  abidiff --no-added-syms "$work/$name.base" "$work/$name.new" >"$work/$name.diff" 2>&1
  code=$?
  if (( code & 3 )); then
    echo "abi: $name: abidiff failed (exit $code):"
    cat "$work/$name.diff"
    status=1
  elif (( code & 12 )); then
    (( code & 8 )) && what="an incompatible change" || what="an ABI change"
    echo "abi: $name: $what against abi/$name.abi (abidiff exit $code):"
    cat "$work/$name.diff"
    echo "abi: if the change is intended, run abi/update-baseline.sh and say why in the commit"
    status=1
  else
    echo "abi: $name: compatible with abi/$name.abi"
  fi
done
exit $status
