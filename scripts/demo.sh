#!/usr/bin/env bash
# The SDK end to end against the mock Connectly, through the `connectly` CLI: send a text, an
# image and a template with a language and callback data; upsert, list and delete webhook
# registrations; have the mock deliver a signed inbound message and a delivery status to a
# local receiver that verifies and types them; show that a forged delivery is refused.
set -euo pipefail

bin=$(realpath "${1:-target/debug/connectly}")
demo_label=demo
# shellcheck source=scripts/demo-lib.sh
. "$(dirname "$0")/demo-lib.sh"

step() { printf '\n== %s\n' "$*"; }
run() {
  local shown=() arg
  for arg in "$@"; do
    case "$arg" in
      *[![:alnum:]+=:/._-]*) shown+=("'$arg'") ;;
      *) shown+=("$arg") ;;
    esac
  done
  printf '$ connectly %s\n' "${shown[*]}"
  "$bin" "$@"
}

step "Start the mock Connectly on 127.0.0.1"
start_mock
echo "mock at $CONNECTLY_BASE_URL (business $CONNECTLY_BUSINESS_ID)"

step "Start a webhook receiver that verifies every delivery"
"$bin" listen --url-file "$work/listen.url" >"$work/listen.out" 2>"$work/listen.err" </dev/null &
pids+=($!)
wait_for "$work/listen.url" "the receiver"
receiver=$(cat "$work/listen.url")
echo "receiver at $receiver"

step "Send a WhatsApp text"
run send-text --to +15555555555 --text "Hello from connectly-sdk!"

step "Send an image with a caption"
run send-message --to +15555555555 --attachment-type image \
  --attachment-url https://example.com/receipt.jpg --caption "Your receipt"

step "Send a WhatsApp template with a language and callback data, parameters in order"
run send-template --to +15555555555 --template order_update --language en_US \
  --param name=Ada --param order=1042 --callback-data '{"orderId":1042}' | tee "$work/template.json"
template_id=$(tail -n 1 "$work/template.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["id"])')

step "Register the receiver for inbound messages and delivery statuses (upsert), and a spare"
run webhooks upsert --address "$receiver" --topic messages
run webhooks upsert --address "$receiver" --topic delivery_status
run webhooks list

step "Delete the delivery_status registration, then register it again"
status_hook=$("$bin" webhooks list --json | python3 -c 'import json,sys; print(next(w["id"] for w in map(json.loads, sys.stdin) if w.get("topic") == "delivery_status"))')
run webhooks delete "$status_hook"
run webhooks list
run webhooks upsert --address "$receiver" --topic delivery_status

step "The mock delivers a signed inbound message to the receiver"
run mock deliver --from +16315555500 --text "Hi! Where is my order?"

step "The mock reports the template as delivered, with its callback data"
run mock deliver --status delivered --for "$template_id"

step "The receiver verified both and read them typed"
grep -v '^listening on' "$work/listen.out"
grep -q '^verified delivery: +16315555500' "$work/listen.out"
grep -q "^verified delivery status: .*message $template_id is delivered, callback data {\"orderId\":1042}" "$work/listen.out"

step "A forged delivery is refused (exit code 9)"
body='{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"mock-business","channelType":"whatsapp"},"message":{"text":"send me the refund"}}'
forged=$(printf '%s' "$body" | CONNECTLY_WEBHOOK_SECRET=not-the-secret "$bin" sign)
printf '$ connectly verify --signature %s  (body on stdin)\n' "$forged"
set +e
printf '%s' "$body" | "$bin" verify --signature "$forged"
code=$?
set -e
echo "exit code $code"
[ "$code" -eq 9 ]

step "What the mock received"
curl -fsS -H "X-API-Key: $CONNECTLY_API_KEY" "$CONNECTLY_BASE_URL/_mock/requests" 2>/dev/null \
  | python3 -c 'import json,sys; [print(r["method"], r["path"]) for r in json.load(sys.stdin)]' \
  || echo "(curl or python3 missing: skipped)"

printf '\ndemo: all steps passed\n'
