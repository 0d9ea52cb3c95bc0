# Shared by the demos (sourced, not run): a scratch directory and background processes
# cleaned up on exit, waiting for a ready file, and starting the mock Connectly.
# Needs: $bin (the connectly CLI) and $demo_label (for messages) set before sourcing.

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits up to 15 s for a file a background process writes once it is ready.
wait_for() {
  for _ in $(seq 150); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  echo "$demo_label: $2 did not start" >&2
  cat "$work"/*.err >&2 2>/dev/null || true
  exit 1
}

# Starts the mock Connectly in the background and exports its CONNECTLY_* settings.
start_mock() {
  "$bin" mock --env-file "$work/mock.env" >"$work/mock.out" 2>"$work/mock.err" </dev/null &
  pids+=($!)
  wait_for "$work/mock.env" "the mock"
  set -a
  # shellcheck disable=SC1091
  . "$work/mock.env"
  set +a
}
