# Benchmarks: not tests; `make bench` regenerates BENCHMARKS.md. Other fragments add the
# targets their harnesses need to BENCH_DEPS (e.g. the wheel, the C library).

.PHONY: bench bench-quick bench-tools bench-venv

# The Python peers (requests, httpx) live in a virtualenv of their own, beside the wheel,
# so they never change what the test suite's virtualenv resolves.
BENCH_VENV := build/bench-venv
BENCH_DEPS += bench-venv

bench-venv: wheel
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON3) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/connectly_sdk-*-manylinux*.whl

bench-tools:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
	  || echo "bench: wrk could not be installed; the mock throughput is skipped"
	@[ -z "$(strip $(BENCH_DEPS))" ] || $(MAKE) --no-print-directory $(BENCH_DEPS)

## Every benchmark beside its peer; writes BENCHMARKS.md. A fresh redis-server serves the
## fleet rows (scripts/with-redis.sh).
bench: bench-tools redis-server-tool
	bash scripts/with-redis.sh python3 bench/run.py

## A short run of the same, for checking the harnesses.
bench-quick: bench-tools redis-server-tool
	bash scripts/with-redis.sh python3 bench/run.py quick
