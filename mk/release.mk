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
#   make c-archive        dist/connectly-VERSION-OS-ARCH.tar.gz: the C library as `make
#                         install` lays it out for /usr/local, with its .sha256
#   make print-version    the version, for scripts (`make -s print-version`)

TESTS += check-versions package msrv test-c-archive

# The crates published to crates.io; the others say `publish = false` or are not yet.
RELEASE_CRATES := connectly connectly-mock
MSRV := $(shell sed -n '/^\[workspace\.package\]/,/^\[/s/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)

.PHONY: check-versions package msrv sdist c-archive test-c-archive print-version

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

# The platform in the archive's name: linux, macos or windows, and x86_64 or aarch64.
C_ARCHIVE_OS := $(patsubst Linux,linux,$(patsubst Darwin,macos,$(if $(filter MINGW% MSYS% \
	CYGWIN%,$(C_HOST_OS)),windows,$(C_HOST_OS))))
C_ARCHIVE_ARCH := $(patsubst amd64,x86_64,$(patsubst arm64,aarch64,$(shell uname -m)))
C_ARCHIVE := dist/connectly-$(CONNECTLY_VERSION)-$(C_ARCHIVE_OS)-$(C_ARCHIVE_ARCH).tar.gz

## The C library for one platform: `make install` into a staging directory as /usr/local,
## the licences and changelog beside it, packed (`tar -C /usr/local -xzf` unpacks it).
c-archive:
	rm -rf build/c-archive $(C_ARCHIVE) $(C_ARCHIVE).sha256
	$(MAKE) --no-print-directory install PREFIX=/usr/local DESTDIR=$(CURDIR)/build/c-archive
	mkdir -p build/c-archive/usr/local/share/doc/connectly dist
	cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md build/c-archive/usr/local/share/doc/connectly/
	tar -C build/c-archive/usr/local -czf $(C_ARCHIVE) .
	cd dist && { command -v sha256sum >/dev/null && sha256sum $(notdir $(C_ARCHIVE)) \
		|| shasum -a 256 $(notdir $(C_ARCHIVE)); } > $(notdir $(C_ARCHIVE)).sha256
	@echo "$(C_ARCHIVE): $$(tar -tzf $(C_ARCHIVE) | grep -vc '/$$') files"

## The archive from the debug build: its checksum holds, and it holds exactly what the
## install manifest names, plus the documents.
test-c-archive:
	$(MAKE) --no-print-directory c-archive C_PROFILE=debug
	cd dist && { command -v sha256sum >/dev/null && sha256sum -c $(notdir $(C_ARCHIVE)).sha256 \
		|| shasum -a 256 -c $(notdir $(C_ARCHIVE)).sha256; }
	@want=$$({ grep -v '/$$' build/c-archive/usr/local/$(C_INSTALL_MANIFEST); \
		echo $(C_INSTALL_MANIFEST); \
		printf 'share/doc/connectly/%s\n' LICENSE-MIT LICENSE-APACHE CHANGELOG.md; } | LC_ALL=C sort); \
	got=$$(tar -tzf $(C_ARCHIVE) | grep -v '/$$' | sed 's|^\./||' | LC_ALL=C sort); \
	if [ "$$want" != "$$got" ]; then echo "$(C_ARCHIVE) holds:" >&2; echo "$$got" >&2; \
		echo "but should hold:" >&2; echo "$$want" >&2; exit 1; fi
	@echo "$(C_ARCHIVE) holds the installed files and the documents, checksum verified"

print-version:
	@echo $(CONNECTLY_VERSION)
