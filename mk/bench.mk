# Benchmarks: not tests; `make bench` regenerates BENCHMARKS.md. Other fragments add the
# targets their harnesses need to BENCH_DEPS (e.g. the wheel, the C library).

.PHONY: bench bench-quick bench-tools

bench-tools:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
	  || echo "bench: wrk could not be installed; the mock throughput is skipped"
	@[ -z "$(strip $(BENCH_DEPS))" ] || $(MAKE) --no-print-directory $(BENCH_DEPS)

## Every benchmark beside its peer; writes BENCHMARKS.md.
bench: bench-tools
	python3 bench/run.py

## A short run of the same, for checking the harnesses.
bench-quick: bench-tools
	python3 bench/run.py quick
