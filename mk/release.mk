# Releasing: one version everywhere, the crates as crates.io will build them, the minimum
# Rust version, and the artefacts .github/workflows/release.yml builds on a version tag.
#
#   make check-versions   the workspace's version is every crate's, pyproject.toml's, the
#                         header's CONNECTLY_VERSION*, go/version.go's wantMajor/wantMinor
#                         and CHANGELOG.md's newest release (scripts/check-versions.sh)
#   make package          `cargo package` of the published crates, connectly and
#                         connectly-mock, each built from its .crate alone
#   make msrv             `cargo check` of the published crates with the declared
#                         rust-version (installed with rustup; skipped without rustup)
#   make sdist            dist/connectly_sdk-*.tar.gz (maturin sdist)
#   make print-version    the version, for scripts (`make -s print-version`)

TESTS += check-versions package msrv

# The crates published to crates.io; the others say `publish = false` or are not yet.
RELEASE_CRATES := connectly connectly-mock
MSRV := $(shell sed -n '/^\[workspace\.package\]/,/^\[/s/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)

.PHONY: check-versions package msrv sdist print-version

check-versions:
	sh scripts/check-versions.sh

## Packs and verifies the published crates from their .crate files alone (target/package/).
## The core is packed first and stands in for crates.io when the mock is verified.
## --allow-dirty: this checks what would be packed, committed or not; publishing does not.
package:
	$(CARGO) package --locked --allow-dirty --quiet $(addprefix -p ,$(RELEASE_CRATES))
	@ls -l $(foreach c,$(RELEASE_CRATES),target/package/$(c)-$(CONNECTLY_VERSION).crate)

## The published crates build with the oldest Rust the manifests declare, with the locked
## dependencies. A target directory of its own keeps the main build's cache intact.
msrv:
	@if ! command -v rustup >/dev/null; then \
		echo "msrv: rustup is not available; the check with Rust $(MSRV) is skipped"; exit 0; fi; \
	if ! rustup toolchain install $(MSRV) --profile minimal >/dev/null 2>&1; then \
		echo "msrv: Rust $(MSRV) could not be installed; the check is skipped"; exit 0; fi; \
	echo "rustup run $(MSRV) cargo check --locked --lib $(addprefix -p ,$(RELEASE_CRATES))"; \
	CARGO_TARGET_DIR=target/msrv rustup run $(MSRV) cargo check --locked --quiet --lib \
		$(addprefix -p ,$(RELEASE_CRATES)) && echo "msrv: $(RELEASE_CRATES) build with Rust $(MSRV)"

## The source distribution of the Python package.
sdist: $(PY_STAMP)
	@rm -f dist/connectly_sdk-*.tar.gz
	$(VENV)/bin/maturin sdist --out dist

print-version:
	@echo $(CONNECTLY_VERSION)
