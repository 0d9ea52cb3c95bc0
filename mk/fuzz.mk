# Fuzzing (cargo-fuzz + libFuzzer) of the parsers that read untrusted input: webhook
# verify-and-parse, event parsing, Retry-After, error bodies and webhook addresses.
# Not part of `make test` (the property tests in tests/ cover the same functions there).
#
#   make fuzz                       # each target for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=retry_after
#   make fuzz FUZZ_FLAGS="--sanitizer none"   # faster: the targets are safe Rust
#
# Needs a nightly toolchain (installed through rustup when missing) and cargo-fuzz
# (installed from crates.io into .tools/). Crashes are left in fuzz/artifacts/<target>/ and
# fail the run; turn each into a regression test in tests/parsers.rs (fuzz_regressions).

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= verify_and_parse event_parse retry_after error_body webhook_address
FUZZ_TOOLCHAIN ?= nightly
FUZZ_FLAGS ?=
FUZZ_CARGO_FUZZ := $(CURDIR)/.tools/bin/cargo-fuzz

.PHONY: fuzz fuzz-tools fuzz-seed

fuzz: fuzz-tools fuzz-seed
	@set -e; for target in $(FUZZ_TARGETS); do \
	  echo "== fuzzing $$target for $(FUZZ_SECONDS) s"; \
	  PATH="$(CURDIR)/.tools/bin:$$PATH" cargo +$(FUZZ_TOOLCHAIN) fuzz run $(FUZZ_FLAGS) $$target \
	    -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1; \
	done

fuzz-tools:
	@rustup run $(FUZZ_TOOLCHAIN) rustc --version >/dev/null 2>&1 || \
	  rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@test -x $(FUZZ_CARGO_FUZZ) || \
	  cargo install cargo-fuzz --locked --root $(CURDIR)/.tools

fuzz-seed:
	cargo +$(FUZZ_TOOLCHAIN) run --quiet --release --manifest-path fuzz/Cargo.toml --example seed
