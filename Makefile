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
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) clippy --locked --lib --no-default-features -- -D warnings

## The Rust unit, integration, property and doc tests.
test-rust:
	$(CARGO) test --locked

## Rewrites the sources in the house style.
fmt:
	$(CARGO) fmt --all

## The SDK end to end against the mock Connectly, from every language, with a transcript.
demo: $(DEMOS)

demo-rust:
	$(CARGO) build --locked --bin connectly --example quickstart
	bash scripts/demo.sh $(BIN)
	@printf '\n== The same from Rust code (examples/rust/quickstart.rs)\n'
	$(CARGO) run --locked --quiet --example quickstart

clean:
	$(CARGO) clean
