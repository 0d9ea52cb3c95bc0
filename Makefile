# connectly-sdk: `make demo` runs the SDK end to end against the mock Connectly;
# `make test` runs every test. Both install what they need.

CARGO ?= cargo
BIN := target/debug/connectly

# Each language adds its own targets in mk/<language>.mk: TESTS (run by `make test`, in
# order) and DEMOS (run by `make demo`).
TESTS := lint test-rust
DEMOS := demo-rust
-include mk/*.mk

.PHONY: all build test test-rust lint fmt demo demo-rust clean

all: build

build:
	$(CARGO) build --locked --all-targets

## Every check CI runs.
test: $(TESTS)

## Formatting and lints; warnings are errors.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	@# The API documentation as docs.rs builds it: no broken or private links.
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --workspace --no-deps --quiet
	@# The core alone, as a library user builds it: none of clap, csv, pyo3 or the mock.
	@deps=$$($(CARGO) tree --locked -p connectly -e normal --prefix none | cut -d' ' -f1 | sort -u); \
	for banned in clap csv pyo3 connectly-mock connectly-cli connectly-ffi; do \
		if echo "$$deps" | grep -qx "$$banned"; then \
			echo "the core crate depends on $$banned" >&2; exit 1; fi; \
	done

## The Rust unit, integration, property and doc tests.
test-rust: redis-server-tool
	$(CARGO) test --locked

## Rewrites the sources in the house style.
fmt:
	$(CARGO) fmt --all

## The SDK end to end against the mock Connectly, from every language, with a transcript.
demo: $(DEMOS)

demo-rust:
	$(CARGO) build --locked -p connectly-cli -p connectly --bin connectly --example quickstart
	bash scripts/demo.sh $(BIN)
	@printf '\n== The same from Rust code (examples/rust/quickstart.rs)\n'
	$(CARGO) run --locked --quiet -p connectly --example quickstart

clean:
	$(CARGO) clean
