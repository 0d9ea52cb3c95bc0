#!/usr/bin/env bash
# Runs a command with a fresh redis-server on a free loopback port (nothing saved to disk),
# its URL in CONNECTLY_TEST_REDIS_URL; stops it afterwards. Usage: with-redis.sh COMMAND [ARGS...]
set -euo pipefail

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$work" >"$work/redis.log" 2>&1 </dev/null &
redis_pid=$!
cleanup() {
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  echo "with-redis.sh: redis-server did not start" >&2
  cat "$work/redis.log" >&2 || true
  exit 1
fi
export CONNECTLY_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
"$@"
