#!/bin/sh
# `make wheel-check`: `auditwheel show` of the wheels `make wheel` built.
#   - the host wheel must be consistent with manylinux_2_17 (manylinux2014, glibc 2.17);
#   - the musl wheel must be musllinux_1_2: overall, or by its symbols (sym_tag) with musl libc
#     as its only library (see below).
# zig links musl's libc under musl's own name, `libc.so` (musl's loader maps it to itself),
# while auditwheel's musllinux policy allows only Alpine's name for it, libc.musl-<arch>.so.1,
# and cannot tell the wheel is musl from its NEEDED entries: auditwheel then reports the
# wheel as linux_x86_64 with `libc.so` as its only external library. That exact outcome is
# accepted (and said so); anything else fails. (Untested: patchelf --replace-needed to Alpine's
# name should make it musllinux_1_2 overall; not done: it edits the wheel after maturin.)
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
json=$("$auditwheel" show --json --ldpaths "$empty" "$1" 2>/dev/null) || { rmdir "$empty"; exit 1; }
rmdir "$empty"
echo "$json" | "$(dirname "$auditwheel")/python" -c '
import json, sys
show = json.load(sys.stdin)
tags = {k: show[k] for k in ("overall_tag", "sym_tag", "external_libs", "versioned_symbols")}
print("auditwheel show --json:", json.dumps(tags))
if show["overall_tag"] == "musllinux_1_2_x86_64":
    sys.exit(0)
if show["sym_tag"] == "musllinux_1_2_x86_64" and show["external_libs"] == {"libc.so": None}:
    print("wheel-check: symbols musllinux_1_2; the only library is musl libc, as zig names it"
          " (libc.so), not Alpine (libc.musl-x86_64.so.1), so the overall tag reads linux_x86_64")
    sys.exit(0)
sys.exit("wheel-check: the musl wheel is not musllinux_1_2")
'
