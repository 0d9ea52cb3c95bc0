# The Python package `connectly-sdk` (import `connectly`): a maturin-built abi3 wheel over
# the Rust core (crates/connectly-python). Everything installs itself into .venv.
#
#   make wheel         build dist/connectly_sdk-*.whl (release, abi3, CPython 3.9+): with zig
#                      (the ziglang package), one tagged manylinux2014 (glibc 2.17, installed
#                      into .venv) and one tagged musllinux_1_2 (Rust target *-linux-musl)
#   make wheel-check   `auditwheel show` of both wheels names manylinux_2_17 / musllinux_1_2
#   make sdist-check   pip install of the sdist (make sdist) into a brand-new virtualenv;
#                      tests/python/smoke.py there (rerun when the sources change)
#   make venv          .venv with the pinned tools of python/requirements-dev.txt
#   make test-python   lints, types, stubtest, then pytest against the installed wheel, under
#                      scripts/with-redis.sh (a fresh redis-server for the fleet tests, its
#                      URL in CONNECTLY_TEST_REDIS_URL), with the Go fleet programs built
#                      (make fleet-go-programs) for tests/python/test_fleet.py
#   make demo-python   the Flask example verifies a delivery from the mock; send.py
#   make wheel-smoke   install the wheel (+ Flask) into a brand-new virtualenv for each CPython
#                      3.9-3.13 pyenv has; run tests/python/smoke.py there (rerun when the
#                      wheel changes)

TESTS += test-python
DEMOS += demo-python
# The pytest suite runs every row of the shared vectors and reports the counts
# (target/conformance/python/<file>) to `conformance-check`.
CONFORMANCE_LANGUAGES += python

PYTHON3 ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
PY_REQS := python/requirements-dev.txt
# Rebuilt whenever the pinned requirements change.
PY_STAMP := $(VENV)/.installed-$(shell cksum < $(PY_REQS) 2>/dev/null | cut -d' ' -f1)
PY_SOURCES := pyproject.toml $(shell find python/connectly crates -name '*.py' -o -name '*.pyi' -o -name '*.rs' -o -name Cargo.toml 2>/dev/null) Cargo.toml Cargo.lock
WHEEL_STAMP := dist/.wheel-stamp
MUSL_WHEEL_STAMP := dist/.wheel-musl-stamp
MUSL_TARGET := x86_64-unknown-linux-musl
# maturin finds zig as `python3 -m ziglang`: the .venv's python3 comes first on PATH.
ZIG_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"
# The host wheel (installed into .venv, used by the tests and the smoke test).
HOST_WHEEL = $(wildcard dist/connectly_sdk-*-manylinux*.whl)
PY_LINT_PATHS := python tests/python tests/fleet/python examples/python tests/docs scripts bench

.PHONY: venv wheel wheel-check sdist-check test-python test-python-lint test-python-unit \
	demo-python wheel-smoke

venv: $(PY_STAMP)

$(PY_STAMP): $(PY_REQS)
	@test -x $(VPY) || $(PYTHON3) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r $(PY_REQS)
	@rm -f $(VENV)/.installed-*
	@touch $@

## The wheels (release builds, linked by zig against glibc 2.17 and musl), and the
## installation of the manylinux one into .venv.
wheel: $(WHEEL_STAMP) $(MUSL_WHEEL_STAMP)

$(WHEEL_STAMP): $(PY_STAMP) $(PY_SOURCES)
	@rm -f dist/connectly_sdk-*-manylinux*.whl dist/connectly_sdk-*-linux_*.whl
	$(ZIG_ENV) maturin build --release --locked --quiet --zig --compatibility manylinux2014 --out dist
	$(VPY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/connectly_sdk-*-manylinux*.whl
	@touch $@

$(MUSL_WHEEL_STAMP): $(PY_STAMP) $(PY_SOURCES)
	@rm -f dist/connectly_sdk-*-musllinux*.whl
	@if command -v rustup >/dev/null; then rustup target add $(MUSL_TARGET) >/dev/null 2>&1 || true; fi
	$(ZIG_ENV) maturin build --release --locked --quiet --zig --target $(MUSL_TARGET) --compatibility musllinux_1_2 --out dist
	sh scripts/musl-libc-name.sh $(VENV) dist/connectly_sdk-*-musllinux_1_2_*.whl
	@touch $@

## `auditwheel show`: the host wheel is manylinux_2_17 (glibc 2.17), the musl wheel
## musllinux_1_2 (its libc named as musllinux wheels name it: scripts/musl-libc-name.sh).
wheel-check: $(WHEEL_STAMP) $(MUSL_WHEEL_STAMP)
	sh scripts/wheel-check.sh $(VENV)/bin/auditwheel dist

test-python-lint: $(PY_STAMP)
	$(VENV)/bin/ruff check $(PY_LINT_PATHS)
	$(VENV)/bin/ruff format --check $(PY_LINT_PATHS)
	$(CARGO) clippy --locked -p connectly-python -- -D warnings

# pytest runs under scripts/with-redis.sh; CONNECTLY_REQUIRE_REDIS and CONNECTLY_REQUIRE_FLEET
# make a test that needs Redis or the Go fleet programs fail without them (run by hand
# without these variables, such a test is skipped).
test-python-unit: $(WHEEL_STAMP) redis-server-tool fleet-go-programs
	cd examples/python && ../../$(VPY) -m mypy --strict --no-incremental --cache-dir=/dev/null \
		--exclude '^guides/' .
	cd examples/python/guides && ../../../$(VPY) -m mypy --strict --no-incremental \
		--cache-dir=/dev/null .
	cd tests/python && ../../$(VPY) -m mypy --strict --no-incremental --cache-dir=/dev/null -p connectly
	cd tests/python && ../../$(VPY) -m mypy --strict --no-incremental --cache-dir=/dev/null ../fleet/python
	cd tests/python && ../../$(VPY) -m mypy.stubtest connectly._connectly && rm -rf .mypy_cache
	cd tests/python && CONNECTLY_REQUIRE_REDIS=1 CONNECTLY_REQUIRE_FLEET=1 \
		bash ../../scripts/with-redis.sh ../../$(VPY) -m pytest -W error -q

## Python: ruff, clippy with the python feature, mypy --strict on the examples, stubtest,
## and the pytest suite against the wheel installed in .venv (not the source tree).
test-python: test-python-lint test-python-unit wheel-check wheel-smoke sdist-check

## The Flask example verifies a delivery from the mock; send.py sends through the mock.
demo-python: $(WHEEL_STAMP)
	@printf '\n== Python: the Flask example receives a delivery from the mock Connectly\n'
	cd examples/python && ../../$(VPY) demo.py

## For each CPython 3.9-3.13 that pyenv has (the others are skipped, and said so): a brand-new
## virtualenv, `pip install` of the manylinux wheel and Flask, then tests/python/smoke.py.
## Rerun when the wheel or the script changes (a stamp): `make test` repeats neither otherwise.
SMOKE_PYTHONS := 3.9 3.10 3.11 3.12 3.13
WHEEL_SMOKE_STAMP := build/wheel-smoke/.ok
SDIST_SMOKE_STAMP := build/sdist-smoke/.ok
wheel-smoke: $(WHEEL_SMOKE_STAMP)

$(WHEEL_SMOKE_STAMP): $(WHEEL_STAMP) tests/python/smoke.py
	@ran=; skipped=; for v in $(SMOKE_PYTHONS); do \
		py=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python3 2>/dev/null | sort -V | tail -1); \
		if [ -z "$$py" ]; then skipped="$$skipped $$v"; continue; fi; \
		d=build/wheel-smoke/$$v; rm -rf $$d && $$py -m venv $$d && \
		$$d/bin/pip install --quiet --disable-pip-version-check $(HOST_WHEEL) flask && \
		(cd / && $(CURDIR)/$$d/bin/python -c "import connectly, connectly.testing" && \
			$(CURDIR)/$$d/bin/python $(CURDIR)/tests/python/smoke.py) || exit 1; \
		ran="$$ran $$($$py -c 'import platform; print(platform.python_version())')"; \
	done; echo "wheel-smoke: ran on CPython$$ran; absent:$${skipped:- none}"; test -n "$$ran"
	@touch $@

## The sdist (make sdist) builds and installs into a brand-new virtualenv with Rust alone,
## then tests/python/smoke.py. target/sdist keeps the compiled dependencies between runs; the
## workspace's crates are cleaned from it first: maturin dates every file in the sdist 2006
## (reproducible), so cargo would take stale artefacts of them for fresh.
SDIST_TARGET := $(CURDIR)/target/sdist
sdist-check: $(SDIST_SMOKE_STAMP)

$(SDIST_SMOKE_STAMP): $(PY_STAMP) $(PY_SOURCES) tests/python/smoke.py
	@$(MAKE) --no-print-directory sdist
	tar tzf dist/connectly_sdk-*.tar.gz | sed -n 's|^connectly_sdk-[^/]*/||p' | grep -E '^(Cargo\.(toml|lock)|crates/[^/]+/Cargo\.toml)$$' | sort | tr '\n' ' '; echo
	@for f in Cargo.toml Cargo.lock crates/connectly/Cargo.toml crates/connectly-mock/Cargo.toml crates/connectly-cli/Cargo.toml crates/connectly-python/Cargo.toml; do \
		tar tzf dist/connectly_sdk-*.tar.gz | grep -qx "connectly_sdk-[^/]*/$$f" || { echo "sdist-check: $$f is missing from the sdist"; exit 1; }; done
	rm -rf build/sdist-smoke && $(PYTHON3) -m venv build/sdist-smoke
	$(CARGO) clean --quiet --release --target-dir $(SDIST_TARGET) -p connectly -p connectly-mock -p connectly-cli -p connectly-python
	CARGO_TARGET_DIR=$(SDIST_TARGET) build/sdist-smoke/bin/pip install --quiet --disable-pip-version-check dist/connectly_sdk-*.tar.gz flask
	cd / && $(CURDIR)/build/sdist-smoke/bin/python -c "import connectly, connectly.testing" && $(CURDIR)/build/sdist-smoke/bin/python $(CURDIR)/tests/python/smoke.py
	@touch $@
