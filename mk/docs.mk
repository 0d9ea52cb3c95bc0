# The documentation site (mkdocs.yml, docs/): MkDocs with Material, every code block included
# from a guide example (examples/GUIDES.md) that test-docs runs against the mock.
#
#   make docs            build the site into build/docs/: docs/ and the generated reference
#                        pages (Go from go/ by scripts/docs/godoc, C from the header by
#                        scripts/docs/c_header.py, rustdoc) assembled in build/docs-src/
#   make docs-serve      build, then serve build/docs on http://127.0.0.1:8000
#   make docs-examples   build every guide example: the connectly-guides crate's binaries,
#                        examples/go/guides into build/guides/go, examples/c/guides into
#                        build/guides/c (the Python ones need only the installed wheel)
#   make test-docs       run every guide example against one mock (tests/docs/run_examples.py,
#                        under scripts/with-redis.sh); check that the README's quickstarts
#                        are the examples' (tests/docs/readme_snippets.py); build the site;
#                        check that no page
#                        pastes code and that no internal link or anchor is broken; open it
#                        in headless Debian chromium (scripts/docs/browser_check.py), with
#                        screenshots in build/docs-shots/

TESTS += test-docs

DOCS_VENV := .venv-docs
DOCS_PY := $(DOCS_VENV)/bin/python
DOCS_REQS := python/requirements-docs.txt
DOCS_STAMP := $(DOCS_VENV)/.installed-$(shell cksum < $(DOCS_REQS) 2>/dev/null | cut -d' ' -f1)
DOCS_SRC := build/docs-src
DOCS_OUT := build/docs
DOCS_SHOTS := build/docs-shots
GUIDES_BUILD := build/guides
CHROMIUM := /usr/bin/chromium
GUIDES_C := $(wildcard examples/c/guides/*.c)

.PHONY: docs docs-serve docs-examples test-docs chromium-tool docs-venv

## The docs virtualenv: the pinned MkDocs, Material, mkdocstrings and playwright.
docs-venv: $(DOCS_STAMP)

$(DOCS_STAMP): $(DOCS_REQS)
	@test -x $(DOCS_PY) || $(PYTHON3) -m venv $(DOCS_VENV)
	$(DOCS_PY) -m pip install --quiet --disable-pip-version-check -r $(DOCS_REQS)
	@rm -f $(DOCS_VENV)/.installed-*
	@touch $@

## Debian's chromium, for the browser check (apt-get, as root).
chromium-tool:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing Debian's chromium"; \
		if [ "$$(id -u)" != 0 ]; then echo "chromium is missing and needs root to install" >&2; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	fi

## The site, from docs/ and the generated reference pages. The Python reference reads the
## stubs, and the native docstrings from the wheel (scripts/griffe_runtime_docs.py).
docs: $(DOCS_STAMP) wheel
	$(DOCS_PY) -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall \
		$(HOST_WHEEL)
	rm -rf $(DOCS_SRC) && mkdir -p $(DOCS_SRC)
	cp -R docs/. $(DOCS_SRC)/
	cd scripts/docs/godoc && $(GO) run . -dir $(CURDIR)/go -out $(CURDIR)/$(DOCS_SRC)/reference/go.md
	cd scripts/docs/godoc && $(GO) run . -dir $(CURDIR)/go/connectlytest \
		-title "Package connectlytest" -out $(CURDIR)/$(DOCS_SRC)/reference/go-connectlytest.md
	$(DOCS_PY) scripts/docs/c_header.py include/connectly.h $(DOCS_SRC)/reference/c.md
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --workspace --no-deps --quiet
	cp -R target/doc $(DOCS_SRC)/reference/rust
	@# rustdoc's help and settings pages link to an index of the crates it does not write.
	printf '<!doctype html><meta charset="utf-8"><title>Rust reference</title><meta http-equiv="refresh" content="0; url=connectly/index.html"><a href="connectly/index.html">connectly</a>\n' \
		> $(DOCS_SRC)/reference/rust/index.html
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --clean --strict

## Builds the site and serves it on loopback.
docs-serve: docs
	@echo "serving build/docs on http://127.0.0.1:8000 (Ctrl-C stops)"
	$(DOCS_PY) -m http.server --bind 127.0.0.1 --directory $(DOCS_OUT) 8000

## Every guide example, built.
docs-examples: lib-debug wheel
	$(CARGO) build --locked --quiet -p connectly-guides --bins --tests
	rm -rf $(GUIDES_BUILD)/go
	cd examples/go && $(GO) build $(GO_INTREE) -o $(CURDIR)/$(GUIDES_BUILD)/go/ ./guides/...
	@mkdir -p $(GUIDES_BUILD)/c
	@for f in $(GUIDES_C); do \
		out=$(GUIDES_BUILD)/c/$$(basename $$f .c); \
		echo "cc $$f -> $$out"; \
		$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -Iinclude $$f $(C_DEBUG_LIB) $(C_SYS_LIBS) \
			-o $$out || exit 1; \
	done

## The examples run, the site built and checked as a reader would.
test-docs: docs-examples redis-server-tool chromium-tool docs
	bash scripts/with-redis.sh $(VPY) tests/docs/run_examples.py
	$(VPY) tests/docs/readme_snippets.py
	$(DOCS_PY) scripts/docs/linkcheck.py --no-pasted-code docs
	@# Every rustdoc page copies tracing's WithSubscriber docs, whose link into tracing's own
	@# page (not documented here) cannot resolve.
	$(DOCS_PY) scripts/docs/linkcheck.py $(DOCS_OUT) --ignore '^dispatcher#setting-the-default-subscriber$$'
	$(DOCS_PY) scripts/docs/browser_check.py --site $(DOCS_OUT) --shots $(DOCS_SHOTS) \
		--chromium $(CHROMIUM)
