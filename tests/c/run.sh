#!/usr/bin/env bash
# Runs a command against a fresh mock Connectly started through the CLI, with the mock's
# CONNECTLY_BASE_URL, CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID and CONNECTLY_WEBHOOK_SECRET in
# its environment; stops the mock afterwards. Usage: run.sh CONNECTLY_BIN COMMAND [ARGS...]
set -euo pipefail

bin=$(realpath "$1")
shift
work=$(mktemp -d)
"$bin" mock --env-file "$work/mock.env" >"$work/mock.out" 2>"$work/mock.err" </dev/null &
mock_pid=$!
cleanup() {
  kill "$mock_pid" 2>/dev/null || true
  wait "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 100); do
  [ -s "$work/mock.env" ] && break
  sleep 0.1
done
if [ ! -s "$work/mock.env" ]; then
  echo "run.sh: the mock did not start" >&2
  cat "$work/mock.err" >&2 || true
  exit 1
fi
set -a
# shellcheck disable=SC1091
. "$work/mock.env"
set +a
"$@"
