# The Go package (go/, cgo over target/debug/libconnectly.a) and its examples.
#
#   make test-go   gofmt, go vet (also with the connectly_release tag, and bench/go), go test
#                  -race, the suite again with cgocheck2, and the examples built
#   make demo-go   examples/go against the mock: send, then a receiver verifying a delivery
#
# The package links ../target/debug/libconnectly.a by default (go/link_debug.go); with
# `-tags connectly_release` it links ../target/release/libconnectly.a (go/link_release.go),
# which `make lib` builds without the mock, the CLI or Python: bench/go/run uses that.

GO ?= go
GO_BUILD := build/go

TESTS += test-go
# The -race run reports the conformance rows it ran (mk/reliability.mk checks them).
CONFORMANCE_LANGUAGES += go
DEMOS += demo-go
BENCH_DEPS += lib

.PHONY: test-go demo-go

test-go: lib-debug
	@unformatted=$$(cd go && gofmt -l . && cd ../examples/go && gofmt -l . && cd ../../bench/go && gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi
	cd go && $(GO) vet ./...
	cd go && $(GO) vet -tags connectly_release ./...
	cd bench/go && $(GO) vet -tags connectly_release ./...
	mkdir -p target/conformance/go
	cd go && CONNECTLY_CONFORMANCE_DIR=$(CURDIR)/target/conformance/go $(GO) test -race -count=1 ./...
	cd go && GOEXPERIMENT=cgocheck2 $(GO) test -count=1 ./...
	cd examples/go && $(GO) vet ./...
	@mkdir -p $(GO_BUILD)
	cd examples/go && $(GO) build -buildvcs=false -o ../../$(GO_BUILD)/ ./send ./receive

demo-go: lib-debug
	@mkdir -p $(GO_BUILD)
	cd examples/go && $(GO) build -buildvcs=false -o ../../$(GO_BUILD)/ ./send ./receive
	bash examples/c/demo.sh $(BIN) Go $(GO_BUILD)/send $(GO_BUILD)/receive
