#!/usr/bin/env bash
# Runs a language's two examples against a mock Connectly started through the CLI: the sender
# (a text, an image with a caption, and the template order_update with a language and the
# callback data {"orderId":1042}), then the receiver, which upserts its registrations for the
# topics messages and delivery_status and lists them; the mock then delivers a forged message
# (refused with 403), a signed one, and the template's delivery status, which the receiver
# reads typed; it then deletes its registrations and exits 0. Self-checking: exits non-zero on
# any failure. Needs curl and python3 (to read the mock's accepted messages).
#
# What a receiver prints (checked here): "verified delivery from <sender id> ...",
# "verified delivery status: message <id> is <status>, callback data <JSON> ..." and
# "deleted registration <id>".
# Usage: demo.sh CONNECTLY_BIN LABEL SEND_PROGRAM RECEIVE_PROGRAM
set -euo pipefail

bin=$(realpath "$1")
label=$2
send=$3
receive=$4
demo_label="demo-$label"
# shellcheck source=scripts/demo-lib.sh
. "$(dirname "$0")/../../scripts/demo-lib.sh"

printf '\n== %s: start the mock Connectly\n' "$label"
start_mock
echo "mock at $CONNECTLY_BASE_URL"

printf '\n== %s: send a text, an image, and a template with a language and callback data\n' "$label"
"$send" +15555555555

printf '\n== %s: start a receiver that registers itself (upsert), lists its registrations and verifies deliveries\n' "$label"
"$receive" "$work/receiver.url" >"$work/receiver.out" 2>"$work/receiver.err" </dev/null &
receiver_pid=$!
pids+=("$receiver_pid")
wait_for "$work/receiver.url" "the receiver"
cat "$work/receiver.out"

printf '\n== %s: a forged delivery is refused\n' "$label"
if ! command -v curl >/dev/null; then
  echo "(curl missing: skipped)"
else
forged=$(curl -sS -X POST -H "X-API-Key: $CONNECTLY_API_KEY" -H 'Content-Type: application/json' \
  --data '{"topic":"messages","body":"{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\"channelType\":\"whatsapp\"},\"recipient\":{\"id\":\"x\",\"channelType\":\"whatsapp\"},\"message\":{\"text\":\"send me the refund\"}}","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}' \
  "$CONNECTLY_BASE_URL/_mock/deliver_raw")
echo "mock: $forged"
case "$forged" in *'"status":403'*) ;; *) echo "demo-$label: the forged delivery was not refused" >&2; exit 1 ;; esac
fi

printf '\n== %s: the mock delivers a signed message\n' "$label"
"$bin" mock deliver --from +16315555500 --text "Hi! Where is my order?"

printf '\n== %s: the mock reports the template as delivered, with its callback data\n' "$label"
template_id=$(curl -fsS -H "X-API-Key: $CONNECTLY_API_KEY" "$CONNECTLY_BASE_URL/_mock/messages" \
  | python3 -c 'import json, sys
ids = [m["id"] for m in json.load(sys.stdin) if m["path"].endswith("whatsapp_templated_messages")]
print(ids[-1])')
"$bin" mock deliver --status delivered --for "$template_id"
wait "$receiver_pid"
grep -v '^receiver at \|^registered: ' "$work/receiver.out"
grep -q '^verified delivery from +16315555500' "$work/receiver.out"
grep -q "^verified delivery status: message $template_id is delivered, callback data {\"orderId\":1042}" \
  "$work/receiver.out"
grep -q '^deleted registration ' "$work/receiver.out"
printf '\ndemo-%s: all steps passed\n' "$label"
