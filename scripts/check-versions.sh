#!/bin/sh
# One version number for everything released together: the workspace's
# (Cargo.toml [workspace.package] version) must be every crate's, the workspace
# dependencies' on its own crates, the Python package's (pyproject.toml), the C header's
# (cbindgen.toml's CONNECTLY_VERSION macros, and include/connectly.h), and the Go
# package's wantMajor/wantMinor (go/version.go). Fails naming each place that differs.
# Run from the root of the repository (`make check-versions`).
set -u
fail=0
differs() { echo "check-versions: $1 is $2, not $version" >&2; fail=1; }

# The first `version = "..."` after [workspace.package].
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
case $version in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "check-versions: no [workspace.package] version in Cargo.toml" >&2; exit 1 ;;
esac
major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}; patch=${rest#*.}
patch=${patch%%[-+]*}

for manifest in crates/*/Cargo.toml; do
	if grep -q '^version\.workspace *= *true' "$manifest"; then continue; fi
	own=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$manifest" | head -n 1)
	[ "$own" = "$version" ] || differs "$manifest's version" "${own:-missing}"
done

# connectly = { path = "crates/connectly", version = "0.1.0" } and the like.
grep -E '^connectly[a-z-]* *= *\{.*path *= *"crates/' Cargo.toml | while read -r line; do
	name=${line%% *}
	req=$(echo "$line" | sed -n 's/.*version *= *"=\{0,1\}\([^"]*\)".*/\1/p')
	[ "$req" = "$version" ] || { echo "check-versions: Cargo.toml's workspace dependency $name asks for version ${req:-none}, not $version" >&2; exit 1; }
done || fail=1

py=$(sed -n '/^\[project\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' pyproject.toml)
[ "$py" = "$version" ] || differs "pyproject.toml's [project] version" "${py:-missing}"

for file in cbindgen.toml include/connectly.h; do
	for macro in MAJOR:$major MINOR:$minor PATCH:$patch; do
		got=$(sed -n "s/^#define CONNECTLY_VERSION_${macro%%:*} \([0-9]*\)\$/\1/p" "$file")
		[ "$got" = "${macro#*:}" ] || { echo "check-versions: $file's CONNECTLY_VERSION_${macro%%:*} is ${got:-missing}, not ${macro#*:} (of $version)" >&2; fail=1; }
	done
	got=$(sed -n 's/^#define CONNECTLY_VERSION "\(.*\)"$/\1/p' "$file")
	[ "$got" = "$version" ] || differs "$file's CONNECTLY_VERSION" "\"${got:-missing}\""
done

for want in wantMajor:$major wantMinor:$minor; do
	got=$(sed -n "s/^[[:space:]]*${want%%:*} *= *\([0-9]*\)\$/\1/p" go/version.go)
	[ "$got" = "${want#*:}" ] || { echo "check-versions: go/version.go's ${want%%:*} is ${got:-missing}, not ${want#*:} (of $version)" >&2; fail=1; }
done

changelog=$(grep -m1 -E '^## \[[0-9]' CHANGELOG.md 2>/dev/null | sed 's/^## \[\([^]]*\)\].*/\1/')
[ "$changelog" = "$version" ] || differs "CHANGELOG.md's newest release" "${changelog:-missing}"

[ "$fail" = 0 ] || exit 1
echo "check-versions: $version everywhere (crates, pyproject.toml, connectly.h, go/version.go, CHANGELOG.md)"
