#!/bin/sh
# Gives the musl wheel's extension the name every musllinux wheel uses for musl's libc.
# zig links it as `libc.so` (musl's loader takes any of its names as itself), while the
# musllinux platform (PEP 656, auditwheel's policy) names it libc.musl-<arch>.so.1, Alpine's
# name, which musl's loader also resolves to itself. The wheel is unpacked, the NEEDED entry
# replaced with patchelf, and packed again (`wheel pack` rewrites RECORD's hashes).
# Usage: scripts/musl-libc-name.sh VENV WHEEL
set -eu
venv=$1
wheel=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" -m wheel unpack "$wheel" -d "$work/unpacked" >/dev/null
for so in $(find "$work/unpacked" -name '*.so'); do
    if "$venv/bin/patchelf" --print-needed "$so" | grep -qx 'libc.so'; then
        "$venv/bin/patchelf" --replace-needed libc.so libc.musl-x86_64.so.1 "$so"
    fi
done
mkdir "$work/packed"
"$venv/bin/python" -m wheel pack "$work"/unpacked/* -d "$work/packed" >/dev/null
mv "$work"/packed/*.whl "$wheel"
echo "musl-libc-name: $(basename "$wheel") needs libc.musl-x86_64.so.1"
