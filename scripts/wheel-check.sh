#!/bin/sh
# `make wheel-check`: `auditwheel show` of the wheels `make wheel` built.
#   - the host wheel must be consistent with manylinux_2_17 (manylinux2014, glibc 2.17);
#   - the musl wheel must be consistent with musllinux_1_2 (scripts/musl-libc-name.sh gives
#     its libc the name musllinux wheels use).
# Usage: scripts/wheel-check.sh AUDITWHEEL DIST_DIR
set -eu
auditwheel=$1
dist=$2

set -- "$dist"/connectly_sdk-*-manylinux*.whl
[ -f "$1" ] && [ $# -eq 1 ] || { echo "wheel-check: expected one manylinux wheel in $dist: $*"; exit 1; }
out=$("$auditwheel" show "$1")
echo "$out" | sed -n '2,4p' | tr -s ' \n' ' '; echo
echo "$out" | grep -q '"manylinux_2_17_x86_64"' || { echo "$out"; echo "wheel-check: $1 is not manylinux_2_17"; exit 1; }

set -- "$dist"/connectly_sdk-*-musllinux_1_2_*.whl
[ -f "$1" ] && [ $# -eq 1 ] || { echo "wheel-check: expected one musllinux_1_2 wheel in $dist: $*"; exit 1; }
echo "$1"
# An empty search path: this glibc host's libc.so (a linker script) is not musl's.
empty=$(mktemp -d)
out=$("$auditwheel" show --ldpaths "$empty" "$1" 2>/dev/null) || { rmdir "$empty"; exit 1; }
rmdir "$empty"
echo "$out" | sed -n '2,4p' | tr -s ' \n' ' '; echo
echo "$out" | grep -q '"musllinux_1_2_x86_64"' || { echo "$out"; echo "wheel-check: $1 is not musllinux_1_2"; exit 1; }
