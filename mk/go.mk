# The Go package (go/, module github.com/connectly-sdk/connectly-sdk/go, cgo over the C
# library) and its examples.
#
#   make test-go          gofmt, go vet (with the connectly_intree and connectly_release
#                         tags, and bench/go), go test -race, the suite again with cgocheck2
#                         (both under scripts/with-redis.sh: a fresh redis-server for the
#                         fleet tests, whose URL is CONNECTLY_TEST_REDIS_URL; with
#                         CONNECTLY_REQUIRE_REDIS=1 a test needing it fails without it,
#                         where a run by hand skips it), the examples and the fleet
#                         programs built
#   make test-go-module   the package as a user gets it: the C library installed with
#                         `make install`, the module's files copied out, a program outside
#                         the repository vetted, built and tested through pkg-config
#                         (tests/go/module.sh; go vet of the default tag set is there)
#   make demo-go          examples/go against the mock (examples/c/demo.sh): send a text,
#                         an image and a template with a language and callback data, then
#                         a receiver that upserts and lists its registrations, verifies a
#                         message and the template's delivery status, and deletes them
#   make go-example-programs  examples/go/send and receive, built into build/go (the demo's)
#   make fleet-go-programs  the Go programs of the cross-language fleet tests
#                         (tests/fleet/go, a module using go/ with connectly_intree):
#                         build/go/fleet-sender and build/go/fleet-receiver
#
# With no build tag the package finds the installed library through pkg-config
# (go/link_pkgconfig.go). In this repository, `-tags connectly_intree` links
# ../target/debug/libconnectly.a (go/link_debug.go), what the tests and the examples use,
# and `-tags connectly_release` ../target/release/libconnectly.a (go/link_release.go),
# which `make lib` builds without the mock, the CLI or Python: bench/go/run uses that.

GO ?= go
GO_BUILD := build/go
GO_INTREE := -tags connectly_intree
# go build leaves a binary it thinks up to date alone, and its build ID does not cover the
# C library it links (only the flags naming it): a program built before the library
# changed would be kept. Removing them first (these, and the guides' in mk/docs.mk) makes
# every build link the library as it is.
GO_PROGRAMS := $(GO_BUILD)/send $(GO_BUILD)/receive

TESTS += test-go test-go-module
# The -race run reports the conformance rows it ran (mk/reliability.mk checks them).
CONFORMANCE_LANGUAGES += go
DEMOS += demo-go
BENCH_DEPS += lib

.PHONY: test-go test-go-module demo-go fleet-go-programs go-example-programs

test-go: lib-debug redis-server-tool fleet-go-programs go-example-programs
	@unformatted=$$(cd go && gofmt -l . && cd ../examples/go && gofmt -l . && cd ../../bench/go && gofmt -l . \
		&& cd ../../tests/fleet/go && gofmt -l . && cd ../../../scripts/docs/godoc && gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi
	cd go && $(GO) vet $(GO_INTREE) ./...
	cd go && $(GO) vet -tags connectly_release ./...
	cd bench/go && $(GO) vet -tags connectly_release ./...
	mkdir -p target/conformance/go
	cd go && CONNECTLY_REQUIRE_REDIS=1 CONNECTLY_CONFORMANCE_DIR=$(CURDIR)/target/conformance/go \
		bash ../scripts/with-redis.sh $(GO) test $(GO_INTREE) -race -count=1 ./...
	cd go && CONNECTLY_REQUIRE_REDIS=1 GOEXPERIMENT=cgocheck2 \
		bash ../scripts/with-redis.sh $(GO) test $(GO_INTREE) -count=1 ./...
	cd examples/go && $(GO) vet $(GO_INTREE) ./...
	cd tests/fleet/go && $(GO) vet $(GO_INTREE) ./...
	cd scripts/docs/godoc && $(GO) vet ./...

# The demo's programs (examples/go/send and receive), built into $(GO_BUILD).
go-example-programs: lib-debug
	@mkdir -p $(GO_BUILD) && rm -f $(GO_PROGRAMS)
	cd examples/go && $(GO) build $(GO_INTREE) -buildvcs=false -o ../../$(GO_BUILD)/ ./send ./receive

# The fleet test's driver runs these (see the header comment of each program).
fleet-go-programs: lib-debug
	@mkdir -p $(GO_BUILD) && rm -f $(GO_BUILD)/fleet-sender $(GO_BUILD)/fleet-receiver
	cd tests/fleet/go && $(GO) build $(GO_INTREE) -buildvcs=false -o ../../../$(GO_BUILD)/fleet-sender ./sender
	cd tests/fleet/go && $(GO) build $(GO_INTREE) -buildvcs=false -o ../../../$(GO_BUILD)/fleet-receiver ./receiver

test-go-module: lib-debug pkg-config-tool
	bash tests/go/module.sh

demo-go: go-example-programs
	bash examples/c/demo.sh $(BIN) Go $(GO_BUILD)/send $(GO_BUILD)/receive
