# The Python package `connectly-sdk` (import `connectly`): a maturin-built abi3 wheel over
# the Rust core (crates/connectly-python). Everything installs itself into .venv.
#
#   make wheel         build dist/connectly_sdk-*.whl (release, abi3, CPython 3.9+)
#   make venv          .venv with the pinned tools of python/requirements-dev.txt
#   make test-python   lints, types, stubtest, then pytest against the installed wheel
#   make demo-python   the Flask example verifies a delivery from the mock; send.py
#   make wheel-smoke   install the wheel into a brand-new virtualenv; `import connectly`

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
PY_LINT_PATHS := python tests/python examples/python

.PHONY: venv wheel test-python test-python-lint test-python-unit demo-python wheel-smoke

venv: $(PY_STAMP)

$(PY_STAMP): $(PY_REQS)
	@test -x $(VPY) || $(PYTHON3) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r $(PY_REQS)
	@rm -f $(VENV)/.installed-*
	@touch $@

## The wheel (release build), and its installation into .venv.
wheel: $(WHEEL_STAMP)

$(WHEEL_STAMP): $(PY_STAMP) $(PY_SOURCES)
	@rm -f dist/connectly_sdk-*.whl
	$(VENV)/bin/maturin build --release --locked --quiet --out dist
	$(VPY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/connectly_sdk-*.whl
	@touch $@

test-python-lint: $(PY_STAMP)
	$(VENV)/bin/ruff check $(PY_LINT_PATHS)
	$(VENV)/bin/ruff format --check $(PY_LINT_PATHS)
	$(CARGO) clippy --locked -p connectly-python -- -D warnings

test-python-unit: $(WHEEL_STAMP)
	cd examples/python && ../../$(VPY) -m mypy --strict --no-incremental --cache-dir=/dev/null .
	cd tests/python && ../../$(VPY) -m mypy --strict --no-incremental --cache-dir=/dev/null -p connectly
	cd tests/python && ../../$(VPY) -m mypy.stubtest connectly._connectly && rm -rf .mypy_cache
	cd tests/python && ../../$(VPY) -m pytest -W error -q

## Python: ruff, clippy with the python feature, mypy --strict on the examples, stubtest,
## and the pytest suite against the wheel installed in .venv (not the source tree).
test-python: test-python-lint test-python-unit wheel-smoke

## The Flask example verifies a delivery from the mock; send.py sends through the mock.
demo-python: $(WHEEL_STAMP)
	@printf '\n== Python: the Flask example receives a delivery from the mock Connectly\n'
	cd examples/python && ../../$(VPY) demo.py

## `pip install` of the built wheel into a brand-new virtualenv, then `import connectly`.
wheel-smoke: $(WHEEL_STAMP)
	rm -rf build/wheel-smoke && $(PYTHON3) -m venv build/wheel-smoke
	build/wheel-smoke/bin/pip install --quiet --disable-pip-version-check dist/connectly_sdk-*.whl
	cd / && $(CURDIR)/build/wheel-smoke/bin/python -c "import connectly, connectly.testing; print('import connectly: ok', connectly.__version__)"
