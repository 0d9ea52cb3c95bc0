#!/usr/bin/env bash
# The `connectly` command, as the CLI guide shows it: sends, webhook registrations, a bulk
# send with a journal that a rerun honours, and a signed body verified.
# connectly-example: run
#
# Needs CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID, CONNECTLY_BASE_URL and
# CONNECTLY_WEBHOOK_SECRET (tests/docs/run_examples.py gives the mock's). Exits non-zero
# when any command does not do what the guide says.
set -euo pipefail

fail() { echo "cli.sh: $*" >&2; exit 1; }

# --8<-- [start:send]
connectly send-text --to +15555555555 --text "Your order has shipped"
connectly send-template --to +15555555555 --template order_update \
    --param name=Ada --param order=1042 --language en_US --callback-data '{"orderId":1042}'
connectly send-message --to +15555555555 --text "Was it on time?" --button y=Yes --button n=No
# --8<-- [end:send]

# --8<-- [start:webhooks]
connectly webhooks upsert --topic messages --address https://example.com/connectly
connectly webhooks list
# --8<-- [end:webhooks]
connectly webhooks list | grep -q 'https://example.com/connectly' || fail "upsert not listed"
id=$(connectly webhooks list | awk '$2 == "messages" {print $1}')
[ -n "$id" ] || fail "no registration id"
# --8<-- [start:webhooks_delete]
connectly webhooks delete "$id"
# --8<-- [end:webhooks_delete]

# --8<-- [start:bulk]
cat > messages.csv <<'CSV'
to,text
+15555550001,Your table is ready
+15555550002,Your table is ready
+15555550003,Your table is ready
CSV
connectly bulk messages.csv --rate 50 --journal run.journal > results.jsonl
connectly bulk messages.csv --rate 50 --journal run.journal   # sends nothing again
# --8<-- [end:bulk]
[ "$(grep -c '"status":200' results.jsonl)" = 3 ] || fail "bulk did not send three"
rerun=$(connectly bulk messages.csv --journal run.journal)
[ "$(grep -c '"earlier_run":true' <<<"$rerun")" = 3 ] || fail "the rerun sent again: $rerun"

# --8<-- [start:verify]
cat > body.json <<'JSON'
{"timestamp":"1639083206","sender":{"id":"+15555550100","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"hi"}}
JSON
signature=$(connectly sign < body.json)
connectly verify --signature "$signature" < body.json
# --8<-- [end:verify]
if connectly verify --signature "${signature%?}A" < body.json 2>/dev/null; then
  fail "a wrong signature verified"
fi
echo "cli.sh: every command did what the guide says"
