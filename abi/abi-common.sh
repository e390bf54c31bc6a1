# abi-common.sh: what update-baseline.sh and check-abi.sh share: which
# binaries carry the ABI and how abidw describes them. Sourced, not run.
#
#   abi_dump SRCDIR BUILDDIR NAME OUTPUT    NAME: one of $abi_names

# libipt-analyze-1: the functions the library exports and every type they
# reach; ipt-abi-interfaces: the structs plugins compile in (see its .c).
abi_names="libipt-analyze-1 ipt-abi-interfaces"

abi_binary () {
  case "$2" in
    libipt-analyze-1) echo "$1/core/libipt-analyze-1.so" ;;
    ipt-abi-interfaces) echo "$1/abi/ipt-abi-interfaces.so" ;;
  esac
}

# Only what the public headers define (the installed ones and the generated
# ipt-enum-types.h / ipt-version.h), no undefined symbols (libipt's,
# Zydis's, GLib's), and nothing that changes from one build to the next
# (source locations, the build directory, the DT_NEEDED list).
abi_dump () {
  local binary sections
  binary=$(abi_binary "$2" "$3")
  sections=$(readelf -S --wide "$binary") || return 1
  if [[ $sections != *.debug_info* ]]; then
    echo "abi: $binary has no debug info: abidw needs DWARF (build with -g, e.g. buildtype=debugoptimized)" >&2
    return 1
  fi
  abidw --headers-dir "$(realpath "$1/include/ipt-analyze")" \
        --headers-dir "$(realpath "$2/include/ipt-analyze")" \
        --drop-private-types --drop-undefined-syms \
        --no-show-locs --no-comp-dir-path --no-corpus-path --no-elf-needed \
        --out-file "$4" "$binary"
}
