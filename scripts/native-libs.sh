#!/usr/bin/env bash
# The system libraries a program linking libconnectly.a needs, as rustc reports them for
# this platform (`--print native-static-libs`): written once per build profile into
# target/PROFILE/connectly-native-libs.{pc,cmake}, for connectly.pc's Libs.private and the
# CMake static target's INTERFACE_LINK_LIBRARIES.
# Usage: native-libs.sh CARGO PROFILE   (PROFILE: debug or release)
set -euo pipefail

cargo=$1
profile=$2
out=target/$profile/connectly-native-libs
flags=(--locked -p connectly-ffi --lib)
[ "$profile" = release ] && flags+=(--release)

# rustc prints the note only when it links the library: make it link once more.
touch crates/connectly-ffi/src/lib.rs
line=$(CARGO_TERM_COLOR=never "$cargo" rustc "${flags[@]}" -- --print native-static-libs 2>&1 |
  sed -n 's/^note: native-static-libs: //p' | head -n 1)
if [ -z "$line" ]; then
  echo "rustc printed no native-static-libs for connectly-ffi" >&2
  exit 1
fi

# CMake wants library names as a ;-list: -lm and m.lib become m, "-framework Security" stays
# one item, and MSVC's /defaultlib: (the C runtime CMake already links) is left out.
cmake=()
set -- $line
while [ $# -gt 0 ]; do
  case $1 in
  -framework) cmake+=("-framework $2"); shift ;;
  -l*) cmake+=("${1#-l}") ;;
  /defaultlib:*) ;;
  *.lib) cmake+=("${1%.lib}") ;;
  *) cmake+=("$1") ;;
  esac
  shift
done

mkdir -p "target/$profile"
printf '%s\n' "$line" >"$out.pc"
(IFS=';'; printf '%s\n' "${cmake[*]}") >"$out.cmake"
echo "native libraries ($profile): $line"
