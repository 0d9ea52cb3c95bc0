# Redis, for the fleet tests (the rate limiter shared through Redis): each test starts its own
# redis-server on a free loopback port and stops it; nothing uses a Redis already running.
#
#   make redis-server-tool   redis-server on PATH; installed with apt-get (when root) if missing

.PHONY: redis-server-tool

redis-server-tool:
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y -qq redis-server >/dev/null \
			|| { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }; \
		else \
			echo "redis-server is needed for the fleet tests: install it (Debian: apt-get install redis-server)" >&2; \
			exit 1; \
		fi; \
	fi
	@redis-server --version
