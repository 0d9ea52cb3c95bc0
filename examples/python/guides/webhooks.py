# connectly-example: run
"""Webhooks: register the address Connectly delivers events to, list, upsert and delete.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python webhooks.py

Connectly keeps one address per topic (``messages``, ``delivery_status``). This script
registers an example address, then deletes it, and puts back any registrations it replaced
on the way, so it leaves the business as it found it. Exits non-zero if a step does not
show what it should.
"""

import sys

import connectly

client = connectly.Client()
before = client.list_webhooks()  # restored at the end

# --8<-- [start:create]
created = client.create_webhook("https://example.com/connectly/webhook", topic="messages")
webhook_id = created.data["id"]
print(f"created {webhook_id}")
# --8<-- [end:create]

# --8<-- [start:list]
for hook in client.list_webhooks():
    print(f"{hook.id}: {hook.topic} -> {hook.address} {hook.configuration}")
# --8<-- [end:list]

if [(h.topic, h.address) for h in client.list_webhooks() if h.id == webhook_id] != [
    ("messages", "https://example.com/connectly/webhook")
]:
    sys.exit(f"FAILED: {webhook_id} is not listed as created")

# --8<-- [start:upsert]
# Creates the topic's registration, or updates the one there: safe to run at every start.
for topic in ("messages", "delivery_status"):
    client.upsert_webhook(
        "https://example.com/connectly/webhook",
        topic,
        configuration={"channelTypes": ["whatsapp"]},
    )
# --8<-- [end:upsert]

registered = {h.topic: (h.address, h.configuration) for h in client.list_webhooks()}
expected = ("https://example.com/connectly/webhook", {"channelTypes": ["whatsapp"]})
if registered.get("messages") != expected or registered.get("delivery_status") != expected:
    sys.exit(f"FAILED: the upsert did not register both topics: {registered}")
print(f"upserted: {sorted(topic or '' for topic in registered)}")

# --8<-- [start:delete]
for hook in client.list_webhooks():
    if hook.address == "https://example.com/connectly/webhook":
        client.delete_webhook(hook.id)
        print(f"deleted {hook.id} ({hook.topic})")
# --8<-- [end:delete]

left = [h for h in client.list_webhooks() if h.address == "https://example.com/connectly/webhook"]
if left:
    sys.exit(f"FAILED: registrations left behind: {left}")

# Put back what the example replaced (one address per topic).
for hook in before:
    if hook.topic is not None and hook.address is not None:
        client.upsert_webhook(hook.address, hook.topic, configuration=hook.configuration)
now = sorted((h.topic or "", h.address or "") for h in client.list_webhooks())
if now != sorted((h.topic or "", h.address or "") for h in before):
    sys.exit(f"FAILED: the registrations found at the start were not restored: {now}")
print("no registration left behind")
